/* pdf.h - writes a laid-out document (lp_display) as a PDF through libharu.
 *
 * Fonts are embedded by embed.c (glyph-level Type0 fonts over subsets),
 * form fields by forms.c.  Streams are Flate-compressed; the output
 * depends only on the display (dates come from lp_dmeta.date), so the same
 * input gives the same bytes.
 */
#ifndef LP_PDF_H
#define LP_PDF_H

#include <stdbool.h>

#include <hpdf.h>

#include "display.h"
#include "embed.h"
#include "util.h"

/* Writes d as a complete PDF file into out (appended). */
bool lp_pdf_write(const lp_display *d, lp_buf *out, lp_error *err);

/* lp_pdf_write, reusing and filling cache (may be NULL; see embed.h). */
bool lp_pdf_write_cached(const lp_display *d, lp_embed_cache *cache,
                         lp_buf *out, lp_error *err);

#endif
