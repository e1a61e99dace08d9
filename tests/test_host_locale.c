/* test_host_locales.c - the library writes and reads numbers the same way
 * whatever locale its host program chose: under de_DE.UTF-8 (a comma
 * decimal point), a template's `line-height: 1.5` still reads as 1.5, the
 * PDF is byte for byte the one made in the C locale (form fields' /DA and
 * check marks included), and a signature's appearance has no "1,5".
 *
 * The locale is compiled into build/locale with localedef (Debian's
 * `locales` package), so the test needs no root and no locale-gen. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "letterpress.h"

#define LOCALE_DIR "build/locale"
#define KEY_DIR "build/locale/key"

static const char TEMPLATE[] =
    "---\n"
    "lang: zh-CN\n"
    "line-height: 1.5\n"
    "margin: 2.5cm 1.75cm\n"
    "font-size: 10.5pt\n"
    "paragraph-spacing: 0.75\n"
    "---\n"
    "# 确认函\n"
    "\n"
    "客户类型：□企业 ☑个人\n"
    "\n"
    "签名：__________\n"
    "\n"
    "日期：________\n";

/* Renders TEMPLATE with a new engine; *len bytes in *pdf (caller frees). */
static bool render(unsigned char **pdf, size_t *len) {
  lp_error err = {0};
  lp_template *t = lp_template_parse(TEMPLATE, strlen(TEMPLATE), "t.md", &err);
  lp_engine *e = t ? lp_engine_new("fonts/fonts.conf", &err) : NULL;
  bool ok = e && lp_render_to_memory(e, t, NULL, pdf, len, &err);
  if (!ok) fprintf(stderr, "render: %s\n", err.message);
  lp_engine_free(e);
  lp_template_free(t);
  return ok;
}

/* Whether the n bytes at p hold a digit, a comma and a digit. */
static bool has_decimal_comma(const unsigned char *p, size_t n) {
  for (size_t i = 0; i + 2 < n; i++)
    if (p[i] >= '0' && p[i] <= '9' && p[i + 1] == ',' && p[i + 2] >= '0' &&
        p[i + 2] <= '9')
      return true;
  return false;
}

int main(void) {
  setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
  unsigned char *c_pdf = NULL, *de_pdf = NULL;
  size_t c_len = 0, de_len = 0;
  CHECK(render(&c_pdf, &c_len));

  /* A comma-decimal locale, as a host program would set it. */
  CHECK(system("test -d " LOCALE_DIR "/de_DE.UTF-8 || { mkdir -p " LOCALE_DIR
               " && localedef -i de_DE -f UTF-8 " LOCALE_DIR
               "/de_DE.UTF-8; }") == 0);
  setenv("LOCPATH", LOCALE_DIR, 1);
  CHECK(setlocale(LC_ALL, "de_DE.UTF-8") != NULL);
  char probe[16];
  snprintf(probe, sizeof probe, "%.1f", 1.5);
  CHECK(strcmp(probe, "1,5") == 0); /* the locale is really in force */

  CHECK(render(&de_pdf, &de_len));
  CHECK(c_pdf && de_pdf && c_len == de_len &&
        memcmp(c_pdf, de_pdf, c_len) == 0);

  /* A signature's appearance (written uncompressed) and its update. */
  CHECK(system("mkdir -p " KEY_DIR " && openssl req -x509 -newkey rsa:2048 "
               "-nodes -keyout " KEY_DIR "/key.pem -out " KEY_DIR
               "/cert.pem -days 2 -subj '/CN=Zeichner 1,5' "
               ">/dev/null 2>&1") == 0);
  lp_sign_options so = {0};
  so.key = KEY_DIR "/key.pem";
  so.cert = KEY_DIR "/cert.pem";
  so.reason = "Test";
  unsigned char *signed_pdf = NULL;
  size_t signed_len = 0;
  lp_error err = {0};
  lp_engine *e = lp_engine_new("fonts/fonts.conf", &err);
  CHECK(e && de_pdf &&
        lp_sign_memory(e, de_pdf, de_len, &so, &signed_pdf, &signed_len,
                       &err));
  if (signed_pdf) {
    const unsigned char *update = signed_pdf + de_len;
    size_t n = signed_len - de_len;
    /* The signer's name has "1,5" on purpose: look only at numbers in
     * PDF syntax, i.e. outside the /Name string and the appearance text. */
    const char *bbox = memmem(update, n, "/BBox [", 7);
    CHECK(bbox != NULL);
    CHECK(bbox && !has_decimal_comma((const unsigned char *)bbox, 40));
    const char *stream = memmem(update, n, "stream\n", 7);
    CHECK(stream != NULL);
    if (stream) {
      const char *end = memmem(stream, n - (size_t)((const unsigned char *)stream - update),
                               "endstream", 9);
      CHECK(end && !has_decimal_comma((const unsigned char *)stream,
                                      (size_t)(end - stream)));
    }
  }
  free(signed_pdf);
  lp_engine_free(e);
  free(c_pdf);
  free(de_pdf);
  return CHECK_DONE();
}
