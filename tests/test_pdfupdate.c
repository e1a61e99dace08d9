/* test_pdfupdate.c - incremental updates (pdfupdate.c): a classic and a
 * stream cross-reference section that qpdf reads back, /Prev pointing at
 * the original's section, object numbers past the old /Size, the byte
 * ranges around /Contents. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "pdfupdate.h"
#include "qpdflib.h"

/* A one-page PDF with a classic xref table, its offsets computed. */
static void tiny_pdf(lp_buf *b) {
  const char *objs[] = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>"};
  long off[3];
  lp_buf_puts(b, "%PDF-1.4\n");
  for (int i = 0; i < 3; i++) {
    off[i] = (long)b->len;
    lp_buf_printf(b, "%d 0 obj\n%s\nendobj\n", i + 1, objs[i]);
  }
  long xref = (long)b->len;
  lp_buf_puts(b, "xref\n0 4\n0000000000 65535 f\r\n");
  for (int i = 0; i < 3; i++) lp_buf_printf(b, "%010ld 00000 n\r\n", off[i]);
  lp_buf_printf(b, "trailer\n<< /Size 4 /Root 1 0 R /ID [<00112233445566778899AABBCCDDEEFF> "
                  "<00112233445566778899AABBCCDDEEFF>] >>\nstartxref\n%ld\n%%%%EOF\n", xref);
}

/* An update adding a signature-like object and rewriting the catalog. */
static void update_classic(void) {
  lp_buf pdf = {0};
  tiny_pdf(&pdf);
  lp_error err = {0};
  qpdf_data q = lp_update_open(pdf.data, pdf.len, NULL, &err);
  CHECK(q != NULL);
  if (!q) return;
  lp_update u;
  CHECK(lp_update_begin(&u, q, pdf.data, pdf.len, NULL, &err));
  CHECK(!u.xref_stream);
  int num = lp_update_new_number(&u);
  CHECK(num == 4); /* past the old /Size */
  lp_update_sig sig;
  lp_update_obj(&u, num, 0);
  lp_update_sig_placeholder(&u, "/Sig", "/ETSI.CAdES.detached", 8, &sig);
  lp_buf_puts(&u.out, " >>\nendobj\n");
  char ref[16];
  snprintf(ref, sizeof ref, "%d 0 R", num);
  const char *ov[] = {"/Test", ref, NULL};
  const lp_qpdf_api *qp = lp_qpdf_load(LP_ERR_SIGN, "testing", &err);
  lp_update_rewrite(&u, q, qp->qpdf_get_root(q), ov);
  CHECK(lp_update_finish(&u, q, num, &err));
  lp_buf signed_data = {0};
  lp_update_ranges(&u, &sig, &signed_data);
  CHECK(signed_data.len == u.out.len - 2 - 16);
  lp_buf der = {0};
  lp_buf_append(&der, "\x01\xAB", 2);
  CHECK(lp_update_put_contents(&u, &sig, &der, "test", &err));
  CHECK(memmem(u.out.data, u.out.len, "<01AB000000000000>", 18) != NULL);
  lp_buf_append(&der, "0123456789", 10);
  CHECK(!lp_update_put_contents(&u, &sig, &der, "test", &err)); /* no room */
  CHECK(strstr(err.message, "larger than the room") != NULL);
  CHECK(memmem(u.out.data, u.out.len, "/Prev ", 6) != NULL);
  /* /ID: the first string kept, the second new (ISO 32000-1 14.4). */
  const char *id = memmem(u.out.data + pdf.len, u.out.len - pdf.len, "/ID [", 5);
  CHECK(id && !strncasecmp(id, "/ID [<00112233445566778899AABBCCDDEEFF> <", 41) &&
        strncasecmp(id + 41, "00112233445566778899AABBCCDDEEFF", 32) != 0);
  CHECK(memcmp(u.out.data, pdf.data, pdf.len) == 0); /* original kept */
  /* qpdf reads the result: the catalog has the new key. */
  unsigned char *out = NULL;
  size_t out_len = 0;
  lp_update_take(&u, &out, &out_len);
  qpdf_data q2 = lp_update_open(out, out_len, NULL, &err);
  CHECK(q2 != NULL);
  if (q2) {
    qpdf_oh t = qp->qpdf_oh_get_key(q2, qp->qpdf_get_root(q2), "/Test");
    CHECK(qp->qpdf_oh_get_object_id(q2, t) == num);
    CHECK(qp->qpdf_oh_get_numeric_value(q2, qp->qpdf_oh_get_key(q2, qp->qpdf_get_trailer(q2), "/Size")) == 5);
    lp_update_close(q2);
  }
  free(out);
  lp_buf_free(&der);
  lp_buf_free(&signed_data);
  lp_update_close(q);
  lp_buf_free(&pdf);
}

/* No startxref: a located, actionable error, nothing kept.  A /Size
 * below the objects there: new numbers go past every object. */
static void damaged(void) {
  lp_buf pdf = {0};
  tiny_pdf(&pdf);
  lp_error err = {0};
  qpdf_data q = lp_update_open(pdf.data, pdf.len, NULL, &err);
  lp_update u;
  CHECK(q && !lp_update_begin(&u, q, (const unsigned char *)"%PDF-1.4\n", 9, NULL, &err));
  CHECK(strstr(err.message, "repair it") != NULL);
  CHECK(u.out.len == 0);
  lp_update_close(q);
  /* The same PDF saying /Size 2: object 3 is still there. */
  char *at = strstr((char *)pdf.data, "/Size 4");
  if (at) at[6] = '2';
  q = lp_update_open(pdf.data, pdf.len, NULL, &err);
  CHECK(q && lp_update_begin(&u, q, pdf.data, pdf.len, NULL, &err));
  if (q) CHECK(lp_update_new_number(&u) == 4);
  lp_update_free(&u);
  lp_update_close(q);
  lp_buf_free(&pdf);
}

int main(void) {
  update_classic();
  damaged();
  return CHECK_DONE();
}
