/* layout.h - lays a filled Markdown tree out into pages (lp_display).
 *
 * Blocks (headings, paragraphs, lists, quotes, code, rules) become line
 * boxes: each paragraph is shaped (shape.h), broken into lines at UAX #14
 * opportunities (breaks.h) and justified.  Line boxes are then paginated
 * letter by letter: a level-1 heading starts a letter and a page; headings
 * keep with the next line; each page gets a header and a footer with
 * {page}/{pages} counted per letter or per document.
 */
#ifndef LP_LAYOUT_H
#define LP_LAYOUT_H

#include <stdbool.h>

#include <cmark-gfm.h>

#include "breaks.h"
#include "display.h"
#include "fill.h"
#include "fonts.h"
#include "shape.h"
#include "layout_env.h"
#include "template.h"


/* Lays out doc (the template's body tree, already filled) with the
 * template's settings, appending pages and outlines to out. */
bool lp_layout_document(const lp_layout_env *env, const lp_template *tpl,
                        cmark_node *doc, lp_display *out, lp_error *err);

/* The footer text used when the template gives none, for a language. */
const char *lp_layout_default_footer(const char *lang);

#endif
