/* render.h - internal: the render steps that merge.c and fields.c share
 * with the public render calls (render.c). */
#ifndef LP_RENDER_H
#define LP_RENDER_H

#include <stdbool.h>

#include "display.h"
#include "engine.h"
#include "letterpress.h"

/* Fills tpl for opts (opts may be NULL) and lays its letters out into d,
 * which must be empty.  With survey, every section is taken once and every
 * value is a blank (what the template can produce, for `fields`). */
bool lp_render_layout(lp_engine *engine, const lp_template *tpl,
                      const lp_render_options *opts, bool survey,
                      lp_display *d, lp_error *err);

/* Lays tpl out without data and makes its glyphs the anchors of the
 * engine's font cache (see lp_embed_cache_set_anchors): for a mail merge. */
bool lp_render_set_anchors(lp_engine *engine, const lp_template *tpl,
                           lp_error *err);

/* Sets d's metadata (title, author, ..., date) from tpl's front matter. */
void lp_render_set_meta(lp_display *d, const lp_template *tpl);

/* The last check before d becomes a PDF: fails (LP_ERR_PDF, naming the
 * page) when a C0 control character or DEL is in the text of a glyph, an
 * outline title, a field name or the metadata.  Every way one could come
 * in (template, front matter, data, marks) is closed before; this makes a
 * slip an error, never tofu on a page or control bytes in a title. */
bool lp_render_check_text(const lp_display *d, lp_error *err);

/* Sets d's metadata from tpl, writes d as a PDF to path (a temporary file
 * renamed into place). */
bool lp_render_write_display(lp_engine *engine, lp_display *d,
                             const lp_template *tpl, const char *path,
                             lp_error *err);

#endif
