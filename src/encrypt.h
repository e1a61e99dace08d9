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

/* A merge's options for one record's letter (o->password filled with
 * rec, record number `record`, values as they are): *eo set, its user
 * password malloc'd in *password (wipe and free with
 * lp_encrypt_password_free).  No o->password: false is not returned, eo
 * stays unset and *password NULL.  A value the record lacks, or an empty
 * password, is LP_ERR_INPUT naming --password and the pattern. */
bool lp_encrypt_for_record(const lp_merge_options *o, const lp_data *rec,
                           size_t record, lp_encrypt_options *eo,
                           char **password, lp_error *err);

/* Wipes and frees a password (NULL is fine). */
void lp_encrypt_password_free(char *password);

#endif
