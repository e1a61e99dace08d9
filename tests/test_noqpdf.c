/* test_noqpdf.c - signing when qpdf cannot be loaded.  Built with sign.c
 * compiled for a library name that does not exist (see the Makefile), so
 * that dlopen fails as it would on a machine without libqpdf. */
#include <string.h>

#include "check.h"
#include "letterpress.h"

int main(void) {
  lp_sign_options o = {0};
  o.key = "tests/fuzz/key.pem";
  o.cert = "tests/fuzz/cert.pem";
  const unsigned char pdf[] = "%PDF-1.4\n";
  unsigned char *out = NULL;
  size_t len = 0;
  lp_error err = {0};
  CHECK(!lp_sign_memory(NULL, pdf, sizeof pdf - 1, &o, &out, &len, &err));
  CHECK(out == NULL);
  CHECK(err.code == LP_ERR_SIGN);
  CHECK(strstr(err.message, "libqpdf-missing.so.0") != NULL);
  CHECK(strstr(err.message, "make deps") != NULL);
  /* Loading is tried once; the second call says the same. */
  lp_error again = {0};
  CHECK(!lp_sign_memory(NULL, pdf, sizeof pdf - 1, &o, &out, &len, &again));
  CHECK(again.code == LP_ERR_SIGN && !strcmp(again.message, err.message));
  /* Password protection needs qpdf too: it says so, nothing is made. */
  lp_encrypt_options eo = {"pw", NULL, NULL};
  lp_error enc = {0};
  CHECK(!lp_encrypt_memory(pdf, sizeof pdf - 1, &eo, &out, &len, &enc));
  CHECK(out == NULL && enc.code == LP_ERR_PDF);
  CHECK(strstr(enc.message, "password protection") != NULL);
  return CHECK_DONE();
}
