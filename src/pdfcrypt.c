/* pdfcrypt.c - AES-256 (revision 6) keys and encryption for PDF objects. */
#include "pdfcrypt.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "pdfobj.h"

/* Algorithm 2.B: a password is used up to 127 bytes (7.6.4.3.3). */
#define PASSWORD_MAX 127
/* Algorithm 2.B: at least 64 rounds, then until the last byte of E is no
 * more than the round number minus 32. */
#define HASH_MIN_ROUNDS 64
#define HASH_ROUND_SLACK 32
/* K1 is the password, K and udata repeated 64 times. */
#define HASH_REPEAT 64
#define AES_BLOCK 16

/* Encrypts or decrypts len bytes (a whole number of blocks) with cipher,
 * no padding, into out; false on an OpenSSL failure. */
static bool aes(const EVP_CIPHER *cipher, bool encrypt, const unsigned char *key,
                const unsigned char *iv, const unsigned char *in, size_t len,
                unsigned char *out) {
  EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
  int n = 0, m = 0;
  bool ok = c && EVP_CipherInit_ex(c, cipher, NULL, key, iv, encrypt) == 1 &&
            EVP_CIPHER_CTX_set_padding(c, 0) == 1 &&
            EVP_CipherUpdate(c, out, &n, in, (int)len) == 1 &&
            EVP_CipherFinal_ex(c, out + n, &m) == 1 && (size_t)(n + m) == len;
  EVP_CIPHER_CTX_free(c);
  return ok;
}

void lp_pdfcrypt_hash(const char *password, const unsigned char salt[8],
                      const unsigned char *udata, unsigned char out[32]) {
  size_t pl = strlen(password), ul = udata ? 48 : 0;
  if (pl > PASSWORD_MAX) pl = PASSWORD_MAX;
  unsigned char k[64]; /* up to SHA-512 */
  size_t klen = 32;
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  if (!md) abort();
  EVP_DigestInit_ex(md, EVP_sha256(), NULL);
  EVP_DigestUpdate(md, password, pl);
  EVP_DigestUpdate(md, salt, 8);
  if (ul) EVP_DigestUpdate(md, udata, ul);
  EVP_DigestFinal_ex(md, k, NULL);
  size_t unit = pl + 64 + ul; /* the longest K1 piece: K of 64 bytes */
  unsigned char *k1 = lp_xmalloc(unit * HASH_REPEAT);
  unsigned char *e = lp_xmalloc(unit * HASH_REPEAT);
  for (int round = 0;; round++) {
    size_t piece = pl + klen + ul, n = piece * HASH_REPEAT;
    for (int r = 0; r < HASH_REPEAT; r++) {
      unsigned char *p = k1 + (size_t)r * piece;
      memcpy(p, password, pl);
      memcpy(p + pl, k, klen);
      if (ul) memcpy(p + pl + klen, udata, ul);
    }
    /* n is a multiple of 16: 64 pieces of any length. */
    if (!aes(EVP_aes_128_cbc(), true, k, k + 16, k1, n, e)) abort();
    unsigned sum = 0; /* the first 16 bytes as a number, mod 3 */
    for (int i = 0; i < 16; i++) sum += e[i];
    const EVP_MD *next = sum % 3 == 0 ? EVP_sha256()
                         : sum % 3 == 1 ? EVP_sha384()
                                        : EVP_sha512();
    unsigned got = 0;
    EVP_Digest(e, n, k, &got, next, NULL);
    klen = got;
    if (round + 1 >= HASH_MIN_ROUNDS &&
        e[n - 1] <= round + 1 - HASH_ROUND_SLACK)
      break;
  }
  memcpy(out, k, 32);
  OPENSSL_cleanse(k, sizeof k);
  OPENSSL_cleanse(k1, unit * HASH_REPEAT);
  free(k1);
  free(e);
  EVP_MD_CTX_free(md);
}

/* Decrypts a 32-byte encrypted key (OE or UE) with the hash of password,
 * salt and udata as the key and a zero IV (Algorithm 2.A d, e). */
static bool unwrap_key(const char *password, const unsigned char salt[8],
                       const unsigned char *udata, const unsigned char wrapped[32],
                       unsigned char key[32]) {
  unsigned char h[32], iv[AES_BLOCK] = {0};
  lp_pdfcrypt_hash(password, salt, udata, h);
  bool ok = aes(EVP_aes_256_cbc(), false, h, iv, wrapped, 32, key);
  OPENSSL_cleanse(h, sizeof h);
  return ok;
}

/* Algorithm 13: /Perms decrypted with the key says "adb" and /P. */
static bool perms_match(const lp_pdfcrypt_entries *e, const unsigned char key[32]) {
  unsigned char p[16];
  if (!aes(EVP_aes_256_ecb(), false, key, NULL, e->perms, 16, p)) return false;
  uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
               (uint32_t)p[3] << 24;
  return !memcmp(p + 9, "adb", 3) && v == (uint32_t)e->p;
}

lp_pdfcrypt_who lp_pdfcrypt_file_key(const lp_pdfcrypt_entries *e,
                                     const char *password,
                                     unsigned char key[LP_PDFCRYPT_KEY_LEN]) {
  unsigned char h[32], k[32];
  lp_pdfcrypt_who who = LP_PDFCRYPT_WRONG;
  /* The owner password first (Algorithm 2.A a): its hash covers /U. */
  lp_pdfcrypt_hash(password, e->o + 32, e->u, h);
  if (!CRYPTO_memcmp(h, e->o, 32) && unwrap_key(password, e->o + 40, e->u, e->oe, k))
    who = LP_PDFCRYPT_OWNER;
  if (!who) {
    lp_pdfcrypt_hash(password, e->u + 32, NULL, h);
    if (!CRYPTO_memcmp(h, e->u, 32) && unwrap_key(password, e->u + 40, NULL, e->ue, k))
      who = LP_PDFCRYPT_USER;
  }
  if (who && !perms_match(e, k)) who = LP_PDFCRYPT_WRONG;
  if (who) memcpy(key, k, 32);
  OPENSSL_cleanse(k, sizeof k);
  return who;
}

void lp_pdfcrypt_encrypt(const unsigned char key[LP_PDFCRYPT_KEY_LEN],
                         const unsigned char *data, size_t len, lp_buf *out) {
  unsigned char iv[AES_BLOCK];
  if (RAND_bytes(iv, sizeof iv) != 1) abort();
  size_t pad = AES_BLOCK - len % AES_BLOCK, n = len + pad;
  unsigned char *plain = lp_xmalloc(n), *enc = lp_xmalloc(n);
  if (len) memcpy(plain, data, len);
  memset(plain + len, (int)pad, pad);
  if (!aes(EVP_aes_256_cbc(), true, key, iv, plain, n, enc)) abort();
  lp_buf_append(out, iv, sizeof iv);
  lp_buf_append(out, enc, n);
  OPENSSL_cleanse(plain, n);
  free(plain);
  free(enc);
}

bool lp_pdfcrypt_decrypt(const unsigned char key[LP_PDFCRYPT_KEY_LEN],
                         const unsigned char *data, size_t len, lp_buf *out) {
  if (len < 2 * AES_BLOCK || len % AES_BLOCK) return false;
  size_t n = len - AES_BLOCK;
  unsigned char *plain = lp_xmalloc(n);
  bool ok = aes(EVP_aes_256_cbc(), false, key, data, data + AES_BLOCK, n, plain);
  unsigned pad = ok ? plain[n - 1] : 0;
  ok = ok && pad >= 1 && pad <= AES_BLOCK;
  for (unsigned i = 1; ok && i <= pad; i++) ok = plain[n - i] == pad;
  if (ok) lp_buf_append(out, plain, n - pad);
  OPENSSL_cleanse(plain, n);
  free(plain);
  return ok;
}

void lp_pdfcrypt_put_string(const unsigned char key[LP_PDFCRYPT_KEY_LEN],
                            const unsigned char *data, size_t len,
                            lp_buf *out) {
  lp_buf enc = {0};
  lp_pdfcrypt_encrypt(key, data, len, &enc);
  lp_buf_puts(out, "<");
  lp_pdfobj_put_hex(out, enc.data, enc.len);
  lp_buf_puts(out, ">");
  lp_buf_free(&enc);
}

void lp_pdfcrypt_put_text(const unsigned char *key, const char *utf8,
                          lp_buf *out) {
  if (!key) {
    lp_pdfobj_put_text_string(out, utf8);
    return;
  }
  size_t n = strlen(utf8);
  bool ascii = true;
  for (size_t i = 0; i < n && ascii; i++)
    ascii = lp_pdfobj_is_printable_ascii((unsigned char)utf8[i]);
  lp_buf plain = {0};
  if (ascii) {
    lp_buf_append(&plain, utf8, n);
  } else {
    lp_buf_append(&plain, "\xFE\xFF", 2); /* UTF-16BE's byte order mark */
    lp_pdfobj_put_utf16be(&plain, utf8, n, (size_t)-1);
  }
  lp_pdfcrypt_put_string(key, plain.data, plain.len, out);
  lp_buf_free(&plain);
}
