/* pdf.h - writes a laid-out document (lp_display) as a PDF through libharu.
 *
 * Fonts are embedded as glyph-level Type0 fonts (Identity-H) over subsets
 * made by hb-subset: CFF outlines as CIDFontType0 with FontFile3
 * /CIDFontType0C, TrueType outlines as CIDFontType2 with FontFile2 and
 * /CIDToGIDMap /Identity.  Each font has /W widths and a ToUnicode CMap built
 * from the glyphs' cluster texts.  Streams are Flate-compressed; the output
 * depends only on the display (dates come from lp_dmeta.date), so the same
 * input gives the same bytes.
 */
#ifndef LP_PDF_H
#define LP_PDF_H

#include <stdbool.h>

#include <hpdf.h>

#include "display.h"
#include "util.h"

/* Writes d as a complete PDF file into out (appended). */
bool lp_pdf_write(const lp_display *d, lp_buf *out, lp_error *err);

/* Subset fonts kept across documents: a mail merge's letters mostly use
 * the same glyphs of a face (headings, the Latin face, symbols), so the
 * subset and its compressed bytes are made once.  The output is the same
 * bytes with or without a cache.  Not thread-safe: one per engine. */
typedef struct lp_pdf_cache lp_pdf_cache;

lp_pdf_cache *lp_pdf_cache_new(void);
void lp_pdf_cache_free(lp_pdf_cache *cache);

/* Anchors: the glyphs a template itself uses, per face, taken from a
 * display of the template laid out without data.  While anchors are set,
 * each face is embedded as two fonts: one with exactly its anchor glyphs
 * (the same subset in every letter of a merge: made once, then reused) and
 * one with the other glyphs of the document (a record's own names and
 * numbers).  The output depends only on the display and the anchors, never
 * on which documents came before. */
void lp_pdf_cache_set_anchors(lp_pdf_cache *cache, const lp_display *d);
void lp_pdf_cache_clear_anchors(lp_pdf_cache *cache);

/* lp_pdf_write, reusing and filling cache (may be NULL). */
bool lp_pdf_write_cached(const lp_display *d, lp_pdf_cache *cache,
                         lp_buf *out, lp_error *err);

/* Object helpers shared with forms.c, for objects inside a libharu
 * document.  A PDF text string: a literal for printable ASCII, otherwise
 * UTF-16BE with a byte order mark (written in hex).  NULL on failure. */
void *lp_pdf_text_string(HPDF_Doc pdf, const char *utf8);
/* A new Flate-compressed stream object (indirect) holding data. */
HPDF_Dict lp_pdf_stream(HPDF_Doc pdf, const void *data, size_t len);

#endif
