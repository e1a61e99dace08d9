/* pdfcrypt.h - the standard security handler's AES-256 encryption (PDF 2.0,
 * /V 5 /R 6, ISO 32000-2 7.6.4.3-7.6.4.4) with OpenSSL: the file key from
 * a password (Algorithms 2.A and 2.B, checked against /Perms), and strings
 * and streams encrypted with it (7.6.3, /CFM /AESV3).
 *
 * For signing a password-protected letter: the incremental update appended
 * to it must encrypt its strings and streams with the file's key.  qpdf
 * writes encrypted files (encrypt.c) but keeps the key to itself, so the
 * key is derived here from the /Encrypt entries qpdf reads.  A leaf module:
 * OpenSSL, util and pdfobj only.
 */
#ifndef LP_PDFCRYPT_H
#define LP_PDFCRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Bytes of an AES-256 file key. */
#define LP_PDFCRYPT_KEY_LEN 32

/* The /Encrypt entries of a revision 6 handler that the key needs (the
 * byte strings as they are in the file: /Encrypt is never encrypted). */
typedef struct lp_pdfcrypt_entries {
  unsigned char o[48], u[48]; /* hash (32), validation salt, key salt */
  unsigned char oe[32], ue[32]; /* the file key, encrypted */
  unsigned char perms[16];      /* the permissions, encrypted with the key */
  int32_t p;                    /* /P */
} lp_pdfcrypt_entries;

/* Which password opened the file. */
typedef enum lp_pdfcrypt_who {
  LP_PDFCRYPT_WRONG = 0, /* neither */
  LP_PDFCRYPT_USER,
  LP_PDFCRYPT_OWNER
} lp_pdfcrypt_who;

/* Algorithm 2.B: the 32-byte hash of a password (its UTF-8 bytes, at most
 * 127 used; not SASLprep-normalized, as qpdf, which encrypts letterpress's
 * files, does not either),
 * an 8-byte salt and udata (the 48-byte /U when testing an owner
 * password; NULL for a user password). */
void lp_pdfcrypt_hash(const char *password, const unsigned char salt[8],
                      const unsigned char *udata, unsigned char out[32]);

/* Algorithm 2.A: the file key from password (UTF-8; an owner password is
 * tried first, as the algorithm says), checked against /Perms (Algorithm
 * 13: bytes 9-11 "adb" and /P).  Returns who the password is, or
 * LP_PDFCRYPT_WRONG (key untouched). */
lp_pdfcrypt_who lp_pdfcrypt_file_key(const lp_pdfcrypt_entries *e,
                                     const char *password,
                                     unsigned char key[LP_PDFCRYPT_KEY_LEN]);

/* Appends data encrypted for a string or stream (7.6.3.1, AESV3): a random
 * 16-byte IV, then AES-256-CBC with the file key itself (revision 6 has no
 * per-object key) over the data padded as PKCS #7 says. */
void lp_pdfcrypt_encrypt(const unsigned char key[LP_PDFCRYPT_KEY_LEN],
                         const unsigned char *data, size_t len, lp_buf *out);

/* The reverse: appends the plain bytes of IV-and-ciphertext data; false
 * when it is not a whole number of blocks or its padding is bad. */
bool lp_pdfcrypt_decrypt(const unsigned char key[LP_PDFCRYPT_KEY_LEN],
                         const unsigned char *data, size_t len, lp_buf *out);

/* Appends bytes as an encrypted PDF string, in hex: "<IV...>". */
void lp_pdfcrypt_put_string(const unsigned char key[LP_PDFCRYPT_KEY_LEN],
                            const unsigned char *data, size_t len,
                            lp_buf *out);

/* Appends a text string (printable ASCII as it is, else UTF-16BE with a
 * byte order mark, as lp_pdfobj_put_text_string chooses) encrypted with
 * key; key NULL: lp_pdfobj_put_text_string itself. */
void lp_pdfcrypt_put_text(const unsigned char *key, const char *utf8,
                          lp_buf *out);

#endif
