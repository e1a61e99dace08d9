/* xmp.h - the XMP metadata packet of a PDF/A or PDF/UA document (ISO
 * 16684-1, ISO 19005-2 6.6): Dublin Core title, creator, description and
 * language, the dates and tool of the Info dictionary, and the pdfaid and
 * pdfuaid identification.  Written by hand, UTF-8 and XML-escaped
 * (libharu's HPDF_PDFA_* helpers escape nothing).  A leaf module.
 */
#ifndef LP_XMP_H
#define LP_XMP_H

#include <stdbool.h>

#include "display.h"
#include "util.h"

/* Appends the XMP packet describing a document with metadata m to out;
 * false when m's date is outside the years a PDF date holds. */
bool lp_xmp_write(const lp_dmeta *m, lp_buf *out);

#endif
