/* pdfstd.h - what the standards a document claims add to it (front matter
 * `pdf-standard`): for PDF/A-2 (ISO 19005-2) and PDF/UA-1 (ISO 14289-1)
 * the XMP metadata stream (xmp.c), for PDF/A the sRGB output intent with
 * its ICC profile, for PDF/UA the viewer's DisplayDocTitle; and, for every
 * document, the trailer /ID computed from the content.
 */
#ifndef LP_PDFSTD_H
#define LP_PDFSTD_H

#include <stdbool.h>
#include <stddef.h>

#include <hpdf.h>

#include "display.h"
#include "util.h"

/* The ICC profile of the PDF/A output intent: sRGB, ICC v2, from
 * Ghostscript's data (Debian package libgs-common). */
#ifndef LP_SRGB_ICC
#define LP_SRGB_ICC "/usr/share/color/icc/ghostscript/srgb.icc"
#endif

/* Whether m claims a standard (PDF/A or PDF/UA). */
bool lp_pdfstd_any(const lp_dmeta *m);

/* Adds to pdf's catalog what m's standards need (see above). */
bool lp_pdfstd_write(HPDF_Doc pdf, const lp_dmeta *m, lp_error *err);

/* Sets the trailer's /ID to two copies of the first 16 bytes of digest
 * (a hash of the document's content: the same input gives the same
 * bytes, 14.4). */
bool lp_pdfstd_set_id(HPDF_Doc pdf, const unsigned char digest[32],
                      lp_error *err);

#endif
