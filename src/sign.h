/* sign.h - signing a PDF's signature field (see lp_sign_memory in
 * letterpress.h), and the pieces of it that tests reach directly.
 *
 * The PDF is read with qpdf (any PDF: classic or stream cross-reference
 * tables); the signature is a CMS detached signature made with OpenSSL 3;
 * the result is the original bytes followed by an incremental update: the
 * signature dictionary, the field with /V and a visible appearance, the
 * form with /SigFlags 3, and a cross-reference section (a table, or a
 * stream when the original uses streams) whose trailer has /Prev.  A
 * password-protected (AES-256) PDF is opened with opts->password and the
 * update's strings and streams are encrypted with its key (encrypt.h).
 */
#ifndef LP_SIGN_H
#define LP_SIGN_H

#include <stdbool.h>

#include "letterpress.h"
#include "sigappear.h"
#include "util.h"


#endif
