/* pdfobj.h - small PDF objects shared by the PDF writer (pdf.c, embed.c),
 * the form fields (forms.c) and the signer (sign.c): numbers, text strings,
 * dates, streams, and libharu's error report.  A leaf module: it includes
 * no other module of letterpress but util.
 *
 * Every number and date written here is formatted by hand, never through
 * printf or strftime's locale-dependent forms, so the bytes depend only on
 * the input.
 */
#ifndef LP_PDFOBJ_H
#define LP_PDFOBJ_H

#include <stdbool.h>
#include <stddef.h>

#include <hpdf.h>

#include "util.h"

/* PDF glyph space: widths and font metrics are in 1/1000 em. */
#define LP_PDF_GLYPH_SPACE 1000.0
/* Numbers in content streams and /W carry three decimals: thousandths. */
#define LP_PDF_MILLI 1000

/* v rounded to thousandths, as an integer (non-finite values give 0). */
long long lp_pdfobj_milli(double v);

/* Appends v thousandths as a compact decimal ("12.5", "-0.25", "3"). */
void lp_pdfobj_put_milli(lp_buf *b, long long v);

/* Adds to a an integer or, when v has a fraction, a real (v in
 * thousandths). */
HPDF_STATUS lp_pdfobj_array_add_milli(HPDF_Array a, long long v);

/* Appends bytes as uppercase hex digits. */
void lp_pdfobj_put_hex(lp_buf *b, const unsigned char *p, size_t n);

/* True when c is printable ASCII (space to tilde). */
bool lp_pdfobj_is_printable_ascii(unsigned char c);

/* Appends the UTF-16BE form of len bytes of UTF-8 text (invalid bytes
 * become U+FFFD), at most max_units code units, never splitting a
 * surrogate pair. */
void lp_pdfobj_put_utf16be(lp_buf *b, const char *s, size_t len,
                           size_t max_units);

/* A PDF text string object inside a libharu document: a literal for
 * printable ASCII, otherwise UTF-16BE with a byte order mark (libharu
 * writes it in hex).  NULL on failure. */
void *lp_pdfobj_text_string(HPDF_Doc pdf, const char *utf8);

/* Appends a PDF text string as PDF syntax, for objects written by hand:
 * "(text)" when printable ASCII without parentheses or backslashes, else
 * "<FEFF...>" (UTF-16BE with a byte order mark, in hex). */
void lp_pdfobj_put_text_string(lp_buf *b, const char *utf8);

/* Breaks epoch seconds (UTC) into a libharu date; false for a time outside
 * the years a PDF date holds (0 to 9999). */
bool lp_pdfobj_date(long long epoch, HPDF_Date *date);

/* Formats epoch seconds as a PDF date string, "D:YYYYMMDDHHmmSS+00'00'";
 * false for a time outside the years a PDF date holds. */
bool lp_pdfobj_date_string(long long epoch, char out[32]);

/* A new stream object (indirect) holding data, Flate-compressed by libharu
 * (an empty one unfiltered).  NULL on failure. */
HPDF_Dict lp_pdfobj_stream(HPDF_Doc pdf, const void *data, size_t len);

/* A new dictionary registered as an indirect object, or NULL. */
HPDF_Dict lp_pdfobj_indirect_dict(HPDF_Doc pdf);

/* The first error libharu reported for a document: give
 * lp_pdfobj_on_haru_error as HPDF_New's handler with one of these as its
 * user data. */
typedef struct lp_haru_status {
  HPDF_STATUS error, detail;
} lp_haru_status;

/* libharu's error handler: remembers the first error in user_data (an
 * lp_haru_status). */
void lp_pdfobj_on_haru_error(HPDF_STATUS error_no, HPDF_STATUS detail_no,
                             void *user_data);

/* Fills err with libharu's error (the one in status, else the document's
 * own: internal object functions set it without calling the handler) while
 * doing what; returns false. */
bool lp_pdfobj_haru_fail(HPDF_Doc pdf, const lp_haru_status *status,
                         lp_error *err, const char *what);

#endif
