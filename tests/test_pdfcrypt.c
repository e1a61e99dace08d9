/* test_pdfcrypt.c - AES-256 (revision 6) keys and string encryption
 * (pdfcrypt.c), against the /Encrypt entries, file key and an encrypted
 * /Title of a PDF that qpdf 11.3 encrypted with
 * `qpdf --encrypt sesame owner-pw 256 -- f.pdf fe.pdf` (the key is what
 * `qpdf --show-encryption-key --password=sesame` printed). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pdfcrypt.h"

/* Decodes hex into out (which has room). */
static size_t unhex(const char *hex, unsigned char *out) {
  size_t n = strlen(hex) / 2;
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    sscanf(hex + 2 * i, "%2x", &v);
    out[i] = (unsigned char)v;
  }
  return n;
}

/* The /Encrypt entries of fe.pdf. */
static lp_pdfcrypt_entries fixture(void) {
  lp_pdfcrypt_entries e = {0};
  unhex("aa2393b5cbc86208b172a2635b9c5af313c6e4fe05d1adebe5463c891e97fc20"
        "545c960ceec57e85438e90a72fbc9bdf", e.o);
  unhex("3de29cceeaaa10d140ca85a3573ff1d93bdcd5b04e1a44103fc92e629b5ff38b"
        "908dae81335220f3b96a46eb15556f64", e.u);
  unhex("9ac44cf57f3745022efabf7cc465c4199e0017bca4e278b0ed7f5ae0de738c8f", e.oe);
  unhex("54a5c841ae5fd9c973039a3c706a8d5f17b1f63f5713e3f62c07b16027f7a8b4", e.ue);
  unhex("1b38bd0dc8e15b76180491d0cc510829", e.perms);
  e.p = -4;
  return e;
}

static const char *const fixture_key =
    "c1877fee85cad99a57d261a90ba13709e9d38eee6e1fa55730f57ebe5853faaa";

/* Algorithm 2.A and 2.B: both passwords give qpdf's key; others none. */
static void test_file_key(void) {
  lp_pdfcrypt_entries e = fixture();
  unsigned char want[32], key[32];
  unhex(fixture_key, want);
  memset(key, 0, sizeof key);
  CHECK(lp_pdfcrypt_file_key(&e, "sesame", key) == LP_PDFCRYPT_USER);
  CHECK(!memcmp(key, want, 32));
  memset(key, 0, sizeof key);
  CHECK(lp_pdfcrypt_file_key(&e, "owner-pw", key) == LP_PDFCRYPT_OWNER);
  CHECK(!memcmp(key, want, 32));
  memset(key, 7, sizeof key);
  CHECK(lp_pdfcrypt_file_key(&e, "Sesame", key) == LP_PDFCRYPT_WRONG);
  CHECK(lp_pdfcrypt_file_key(&e, "", key) == LP_PDFCRYPT_WRONG);
  CHECK(key[0] == 7); /* untouched */
  /* /P is checked against /Perms (Algorithm 13). */
  e.p = -3904;
  CHECK(lp_pdfcrypt_file_key(&e, "sesame", key) == LP_PDFCRYPT_WRONG);
}

/* The file's encrypted /Title decrypts to "Fixture" with the key. */
static void test_decrypt_fixture(void) {
  unsigned char key[32], title[32];
  unhex(fixture_key, key);
  size_t n = unhex("3cef3fd979e53b0cf7d1f7ff53ca1f3eed949f2b96e4cdc293cec0d8a59b3e9d", title);
  lp_buf plain = {0};
  CHECK(lp_pdfcrypt_decrypt(key, title, n, &plain));
  CHECK(plain.len == 7 && !memcmp(plain.data, "Fixture", 7));
  lp_buf_free(&plain);
  /* Another key: the padding is wrong (or, 1 time in 256, not). */
  key[0] ^= 1;
  lp_buf other = {0};
  bool ok = lp_pdfcrypt_decrypt(key, title, n, &other);
  CHECK(!ok || other.len != 7 || memcmp(other.data, "Fixture", 7));
  lp_buf_free(&other);
  CHECK(!lp_pdfcrypt_decrypt(key, title, 20, &other)); /* not whole blocks */
}

/* Encrypting then decrypting gives the bytes back, for every padding
 * length; the IV is random, so the same text encrypts differently. */
static void test_round_trip(void) {
  unsigned char key[32], data[40];
  for (int i = 0; i < 32; i++) key[i] = (unsigned char)(i * 7 + 1);
  for (int i = 0; i < 40; i++) data[i] = (unsigned char)(255 - i);
  for (size_t len = 0; len <= 40; len++) {
    lp_buf enc = {0}, back = {0};
    lp_pdfcrypt_encrypt(key, data, len, &enc);
    CHECK(enc.len == 16 + (len / 16 + 1) * 16);
    CHECK(lp_pdfcrypt_decrypt(key, enc.data, enc.len, &back));
    CHECK(back.len == len && (!len || !memcmp(back.data, data, len)));
    lp_buf_free(&enc);
    lp_buf_free(&back);
  }
  lp_buf a = {0}, b = {0};
  lp_pdfcrypt_encrypt(key, data, 16, &a);
  lp_pdfcrypt_encrypt(key, data, 16, &b);
  CHECK(a.len == b.len && memcmp(a.data, b.data, a.len));
  lp_buf_free(&a);
  lp_buf_free(&b);
}

/* A text string: hex of IV and ciphertext, whose plain text is the
 * string's bytes (UTF-16BE with a byte order mark beyond ASCII). */
static void test_put_text(void) {
  unsigned char key[32];
  unhex(fixture_key, key);
  const char *texts[] = {"Signed (by) A", "\xE7\xAD\xBE\xE7\xBD\xB2"}; /* 签署 */
  const unsigned char want1[] = "Signed (by) A";
  const unsigned char want2[] = {0xFE, 0xFF, 0x7B, 0x7E, 0x7F, 0x72};
  for (int k = 0; k < 2; k++) {
    lp_buf out = {0}, back = {0};
    lp_pdfcrypt_put_text(key, texts[k], &out);
    CHECK(out.len > 2 && out.data[0] == '<' && out.data[out.len - 1] == '>');
    unsigned char *raw = malloc(out.len);
    lp_buf_append(&out, "", 1);
    char *hex = (char *)out.data + 1;
    hex[strlen(hex) - 1] = 0;
    size_t n = unhex(hex, raw);
    CHECK(lp_pdfcrypt_decrypt(key, raw, n, &back));
    if (k == 0) CHECK(back.len == 13 && !memcmp(back.data, want1, 13));
    else CHECK(back.len == 6 && !memcmp(back.data, want2, 6));
    free(raw);
    lp_buf_free(&out);
    lp_buf_free(&back);
  }
  lp_buf plain = {0};
  lp_pdfcrypt_put_text(NULL, "Plain", &plain);
  CHECK(plain.len == 7 && !memcmp(plain.data, "(Plain)", 7));
  lp_buf_free(&plain);
}

int main(void) {
  test_file_key();
  test_decrypt_fixture();
  test_round_trip();
  test_put_text();
  return CHECK_DONE();
}
