/* encrypt.h - password-protected PDFs through qpdf: writing one with
 * AES-256 (lp_encrypt_memory and lp_encrypt_check_permissions in
 * letterpress.h), and what signing one needs: its file key, its password
 * errors, and objects written with their strings encrypted (pdfcrypt.h
 * does the cryptography).
 */
#ifndef LP_ENCRYPT_H
#define LP_ENCRYPT_H

#include <stdbool.h>

#include "letterpress.h"
#include "pdfcrypt.h"
#include "qpdflib.h"
#include "util.h"

/* Fills err (LP_ERR_INPUT) from qpdf's pending error after it failed to
 * read a PDF: for a password error, whether a password was missing
 * (password NULL) or wrong; else "cannot read this PDF" and qpdf's text.
 * Returns false. */
bool lp_encrypt_read_error(const lp_qpdf_api *qp, qpdf_data q,
                           const char *password, lp_error *err);

/* The file key of q, an encrypted PDF qpdf opened with password (NULL:
 * the empty one): from its /Encrypt dictionary, which must be the
 * standard handler's AES-256 (/V 5 /R 6); another handler or revision is
 * LP_ERR_INPUT saying how to re-encrypt it. */
bool lp_encrypt_file_key(const lp_qpdf_api *qp, qpdf_data q,
                         const char *password,
                         unsigned char key[LP_PDFCRYPT_KEY_LEN],
                         lp_error *err);

/* Appends v as PDF syntax, its strings (in arrays and dictionaries too)
 * encrypted with key; indirect objects as references.  key NULL: v as
 * qpdf unparses it. */
void lp_encrypt_put_value(const lp_qpdf_api *qp, qpdf_data q, qpdf_oh v,
                          const unsigned char *key, lp_buf *out);

/* Appends dict as PDF syntax as lp_encrypt_put_value does, but with the
 * keys of overrides (pairs of key and value text, NULL-terminated; NULL:
 * none) replaced or added (their values written as they are). */
void lp_encrypt_put_dict(const lp_qpdf_api *qp, qpdf_data q, qpdf_oh dict,
                         const char *const *overrides, const unsigned char *key,
                         lp_buf *out);

/* A merge's options for one record's letter: *password is o->password
 * filled with the record (lp_merge_fill_text; NULL when that failed, err
 * set by it, whose words this makes speak of the password).  Sets eo to
 * protect the letter with it.  An empty password is LP_ERR_INPUT naming
 * --password and the pattern; on failure *password is wiped, freed and
 * NULL.  No o->password: true, eo untouched. */
bool lp_encrypt_for_record(const lp_merge_options *o, char **password,
                           lp_encrypt_options *eo, lp_error *err);

/* Wipes and frees a password (NULL is fine). */
void lp_encrypt_password_free(char *password);

#endif
