/* test_encrypt.c - password-protected PDFs (encrypt.c): written by qpdf
 * with AES-256, opened again with the user and owner passwords, the file
 * key derived by pdfcrypt.c checked against a string qpdf encrypted,
 * permissions, password errors, objects written with their strings
 * encrypted, and a merge record's password. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "encrypt.h"
#include "merge.h"

/* A one-page PDF with /Title (Fixture) in its /Info, with a correct
 * cross-reference table. */
static lp_buf small_pdf(void) {
  static const char *const objs[] = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
      "<< /Title (Fixture) /Keywords [(a) << /K (b) >>] >>"};
  lp_buf b = {0};
  long long at[4];
  lp_buf_puts(&b, "%PDF-1.7\n");
  for (int i = 0; i < 4; i++) {
    at[i] = (long long)b.len;
    lp_buf_printf(&b, "%d 0 obj\n%s\nendobj\n", i + 1, objs[i]);
  }
  long long xref = (long long)b.len;
  lp_buf_puts(&b, "xref\n0 5\n0000000000 65535 f\r\n");
  for (int i = 0; i < 4; i++) lp_buf_printf(&b, "%010lld 00000 n\r\n", at[i]);
  lp_buf_printf(&b, "trailer\n<< /Size 5 /Root 1 0 R /Info 4 0 R >>\n"
                    "startxref\n%lld\n%%%%EOF\n", xref);
  return b;
}

/* The qpdf functions (loaded once). */
static const lp_qpdf_api *qp;

/* Opens pdf with qpdf and password; NULL with err on failure. */
static qpdf_data open_with(const lp_buf *pdf, const char *password, lp_error *err) {
  qpdf_data q = qp->qpdf_init();
  qp->qpdf_silence_errors(q);
  qp->qpdf_set_suppress_warnings(q, QPDF_TRUE);
  if (qp->qpdf_read_memory(q, "t", (const char *)pdf->data, pdf->len, password) &
      QPDF_ERRORS) {
    lp_encrypt_read_error(qp, q, password, err);
    qp->qpdf_cleanup(&q);
    return NULL;
  }
  return q;
}

/* Encrypts the small PDF as o says into *out; false with err. */
static bool encrypt_small(const lp_encrypt_options *o, lp_buf *out, lp_error *err) {
  lp_buf in = small_pdf();
  unsigned char *enc = NULL;
  size_t n = 0;
  bool ok = lp_encrypt_memory(in.data, in.len, o, &enc, &n, err);
  lp_buf_free(&in);
  memset(out, 0, sizeof *out);
  if (ok) lp_buf_append(out, enc, n);
  free(enc);
  return ok;
}

/* The /P of an encrypted PDF opened as q. */
static long long p_of(qpdf_data q) {
  qpdf_oh enc = qp->qpdf_oh_get_key(q, qp->qpdf_get_trailer(q), "/Encrypt");
  return qp->qpdf_oh_get_int_value(q, qp->qpdf_oh_get_key(q, enc, "/P"));
}

/* Bit n (1-based, ISO 32000-2 table 22) of p. */
static bool bit(long long p, int n) { return (p >> (n - 1)) & 1; }

/* AES-256 R6 by qpdf; both passwords open it; the key derived here
 * decrypts the /Title qpdf encrypted; the default permissions. */
static void test_write_and_open(void) {
  lp_encrypt_options o = {"sesame", "boss", NULL};
  lp_buf pdf;
  lp_error err = {0};
  CHECK(encrypt_small(&o, &pdf, &err));
  CHECK(memmem(pdf.data, pdf.len, "/Fixture", 8) == NULL);
  CHECK(memmem(pdf.data, pdf.len, "(Fixture)", 9) == NULL);
  qpdf_data q = open_with(&pdf, "sesame", &err);
  CHECK(q != NULL);
  if (!q) return;
  CHECK(qp->qpdf_is_encrypted(q));
  qpdf_oh enc = qp->qpdf_oh_get_key(q, qp->qpdf_get_trailer(q), "/Encrypt");
  CHECK(qp->qpdf_oh_get_int_value(q, qp->qpdf_oh_get_key(q, enc, "/V")) == 5);
  CHECK(qp->qpdf_oh_get_int_value(q, qp->qpdf_oh_get_key(q, enc, "/R")) == 6);
  long long p = p_of(q);
  /* print,fill: print (3) at high quality (12), fill (9), accessibility
   * (10); not modify (4), copy (5), annotate (6), assemble (11). */
  CHECK(bit(p, 3) && bit(p, 12) && bit(p, 9) && bit(p, 10));
  CHECK(!bit(p, 4) && !bit(p, 5) && !bit(p, 6) && !bit(p, 11));
  unsigned char key[32] = {0}, key2[32] = {0};
  CHECK(lp_encrypt_file_key(qp, q, "sesame", key, &err));
  CHECK(lp_encrypt_file_key(qp, q, "boss", key2, &err));
  CHECK(!memcmp(key, key2, 32));
  lp_error wrong = {0};
  CHECK(!lp_encrypt_file_key(qp, q, "Sesame", key2, &wrong));
  CHECK(wrong.code == LP_ERR_INPUT && strstr(wrong.message, "wrong password"));
  /* qpdf's encrypted /Title, decrypted with our key. */
  const unsigned char *t = memmem(pdf.data, pdf.len, "/Title <", 8);
  CHECK(t != NULL);
  if (t) {
    lp_buf raw = {0}, plain = {0};
    for (const unsigned char *h = t + 8; *h != '>'; h += 2) {
      unsigned v;
      char two[3] = {(char)h[0], (char)h[1], 0};
      sscanf(two, "%2x", &v);
      unsigned char c = (unsigned char)v;
      lp_buf_append(&raw, &c, 1);
    }
    CHECK(lp_pdfcrypt_decrypt(key, raw.data, raw.len, &plain));
    CHECK(plain.len == 7 && !memcmp(plain.data, "Fixture", 7));
    lp_buf_free(&raw);
    lp_buf_free(&plain);
  }
  /* The Info dictionary written again: its strings encrypted with the
   * key (nested ones too), an override added; without a key, plain. */
  qpdf_oh info = qp->qpdf_oh_get_key(q, qp->qpdf_get_trailer(q), "/Info");
  const char *ov[] = {"/Author", "(x)", NULL};
  lp_buf out = {0};
  lp_encrypt_put_dict(qp, q, info, ov, NULL, &out);
  lp_buf_append(&out, "", 1);
  CHECK_STR((char *)out.data,
            "<< /Keywords [ (a) << /K (b) >> ] /Title (Fixture) /Author (x) >>");
  lp_buf_free(&out);
  lp_encrypt_put_dict(qp, q, info, ov, key, &out);
  lp_buf_append(&out, "", 1);
  CHECK(strstr((char *)out.data, "(Fixture)") == NULL);
  CHECK(strstr((char *)out.data, "/K <") != NULL);
  CHECK(strstr((char *)out.data, "/Author (x)") != NULL);
  lp_buf_free(&out);
  qp->qpdf_cleanup(&q);
  /* Wrong and missing passwords. */
  lp_error e1 = {0}, e2 = {0};
  CHECK(open_with(&pdf, "nope", &e1) == NULL);
  CHECK(e1.code == LP_ERR_INPUT && strstr(e1.message, "wrong password"));
  CHECK(open_with(&pdf, NULL, &e2) == NULL);
  CHECK(e2.code == LP_ERR_INPUT && strstr(e2.message, "--password"));
  /* Encrypting it again is refused. */
  unsigned char *again = NULL;
  size_t n = 0;
  lp_error e3 = {0};
  CHECK(!lp_encrypt_memory(pdf.data, pdf.len, &o, &again, &n, &e3));
  CHECK(e3.code == LP_ERR_INPUT && strstr(e3.message, "encrypted already"));
  lp_buf_free(&pdf);
}

/* Permission lists: all, none, a typo. */
static void test_permissions(void) {
  lp_error err = {0};
  CHECK(lp_encrypt_check_permissions(NULL, &err));
  CHECK(lp_encrypt_check_permissions("print, copy,assemble", &err));
  CHECK(!lp_encrypt_check_permissions("print,fly", &err));
  CHECK(err.code == LP_ERR_INPUT && strstr(err.message, "'fly'"));
  lp_encrypt_options all = {"pw", NULL, "all"}, none = {"pw", NULL, "none"};
  lp_buf a, b;
  CHECK(encrypt_small(&all, &a, &err) && encrypt_small(&none, &b, &err));
  qpdf_data qa = open_with(&a, "pw", &err), qb = open_with(&b, "pw", &err);
  CHECK(qa && qb);
  if (qa && qb) {
    long long pa = p_of(qa), pb = p_of(qb);
    for (int n = 3; n <= 12; n++)
      if (n != 7 && n != 8) CHECK(bit(pa, n));
    CHECK(!bit(pb, 3) && !bit(pb, 4) && !bit(pb, 5) && !bit(pb, 6) &&
          !bit(pb, 9) && !bit(pb, 11) && !bit(pb, 12));
    CHECK(bit(pb, 10)); /* accessibility, always */
  }
  if (qa) qp->qpdf_cleanup(&qa);
  if (qb) qp->qpdf_cleanup(&qb);
  lp_buf_free(&a);
  lp_buf_free(&b);
  lp_encrypt_options empty = {"", NULL, NULL};
  lp_buf c;
  CHECK(!encrypt_small(&empty, &c, &err) && err.code == LP_ERR_INPUT);
}

/* A merge record's password: filled, empty, missing. */
static void test_record(void) {
  const char *json = "{\"birth\": \"1990-01-02\", \"none\": \"\"}";
  lp_error err = {0};
  lp_data *d = lp_data_parse_json(json, strlen(json), "d.json", &err);
  CHECK(d != NULL);
  lp_merge_options o = {0};
  lp_encrypt_options eo = {0};
  char *pw = NULL;
  CHECK(lp_encrypt_for_record(&o, &pw, &eo, &err) && !eo.user_password);
  o.password = "{{birth}}!";
  o.permissions = "print";
  pw = lp_merge_fill_text(o.password, d, 1, "--password", "the password", &err);
  CHECK(lp_encrypt_for_record(&o, &pw, &eo, &err));
  CHECK_STR(pw, "1990-01-02!");
  CHECK(eo.user_password == pw && !strcmp(eo.permissions, "print"));
  lp_encrypt_password_free(pw);
  o.password = "{{none}}";
  pw = lp_merge_fill_text(o.password, d, 1, "--password", "the password", &err);
  CHECK(!lp_encrypt_for_record(&o, &pw, &eo, &err) && !pw);
  CHECK(strstr(err.message, "empty") && !strcmp(err.file, "--password"));
  o.password = "{{missing}}";
  pw = lp_merge_fill_text(o.password, d, 1, "--password", "the password", &err);
  CHECK(!lp_encrypt_for_record(&o, &pw, &eo, &err) && !pw);
  CHECK(strstr(err.message, "the password needs 'missing'") != NULL);
  CHECK(!strcmp(err.file, "--password"));
  /* A bad pattern names --password and the password, not -o. */
  o.password = "{{p#w}}";
  pw = lp_merge_fill_text(o.password, d, 1, "--password", "the password", &err);
  CHECK(!lp_encrypt_for_record(&o, &pw, &eo, &err) && !pw);
  CHECK(!strcmp(err.file, "--password") &&
        strstr(err.message, "in the password is not a value") != NULL);
  lp_data_free(d);
}

int main(void) {
  lp_error err = {0};
  qp = lp_qpdf_load(LP_ERR_PDF, "the tests", &err);
  CHECK(qp != NULL);
  if (!qp) return CHECK_DONE();
  test_write_and_open();
  test_permissions();
  test_record();
  return CHECK_DONE();
}
