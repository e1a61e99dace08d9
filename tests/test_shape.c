/* test_shape.c - font chains, per-character fallback, shaping. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fonts.h"
#include "shape.h"

static lp_fonts *fonts;

/* Shapes text in one span of chain at 10 pt. */
static void shape(const char *text, lp_chain *chain, const char *lang,
                  lp_shaped *out) {
  memset(out, 0, sizeof *out);
  lp_span span = {0, strlen(text), chain, 10, 0};
  lp_shape(text, strlen(text), &span, 1, lang, out);
}

int main(void) {
  lp_error err = {0};
  fonts = lp_fonts_new("fonts/fonts.conf", &err);
  CHECK(fonts != NULL);
  if (!fonts) return CHECK_DONE();

  lp_chain *zh = lp_fonts_chain(fonts, NULL, "zh-CN", LP_STYLE_REGULAR, &err);
  lp_chain *zhb = lp_fonts_chain(fonts, NULL, "zh-CN", LP_STYLE_BOLD, &err);
  lp_chain *en = lp_fonts_chain(fonts, NULL, "en", LP_STYLE_REGULAR, &err);
  CHECK(zh && zhb && en);
  if (!zh || !zhb || !en) return CHECK_DONE();
  CHECK(lp_fonts_chain(fonts, NULL, "zh-CN", LP_STYLE_REGULAR, &err) == zh);

  lp_face *f = lp_chain_main_face(zh);
  CHECK_STR(f->family, "Noto Serif CJK SC");
  CHECK(f->is_cff);
  CHECK(strstr(f->ps_name, "NotoSerifCJK") != NULL);
  CHECK(lp_chain_main_face(zhb)->bold);
  CHECK(strstr(lp_chain_main_face(zhb)->ps_name, "Bold") != NULL);
  lp_face *fe = lp_chain_main_face(en);
  CHECK_STR(fe->family, "Noto Serif");
  CHECK(!fe->is_cff);
  CHECK(lp_fonts_chain(fonts, NULL, "ja", LP_STYLE_REGULAR, &err) != NULL);
  CHECK_STR(lp_fonts_default_families("zh-TW"), "Noto Serif CJK TC");
  CHECK_STR(lp_fonts_default_families("zh-Hant-HK"), "Noto Serif CJK TC");
  CHECK_STR(lp_fonts_default_families("ja-JP"), "Noto Serif CJK JP");

  /* Fallback: an English chain still draws Chinese, Hangul, kana, ※. */
  const uint32_t cps[] = {0x627F, 0xD55C, 0x3042, 0x203B, 0x2460, 0x2265};
  for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++)
    CHECK(lp_chain_face_for(en, cps[i]) != NULL);
  CHECK(lp_chain_face_for(en, 'A') == fe);

  /* Chinese with punctuation: one glyph per character, one face. */
  lp_shaped s;
  shape("承诺书，", zh, "zh-CN", &s);
  CHECK(s.count == 4);
  for (size_t i = 0; i < s.count; i++) {
    CHECK(s.glyphs[i].face == f);
    CHECK(s.glyphs[i].flags & LP_SG_CJK);
    CHECK(fabs(s.glyphs[i].advance - 10) < 1e-9);
  }
  CHECK(s.glyphs[3].cluster == 9 && s.glyphs[3].cluster_end == 12);
  lp_shaped_free(&s);

  /* Ligatures: "office" has an ffi ligature whose cluster is "ffi". */
  shape("office", en, "en", &s);
  CHECK(s.count == 4);
  CHECK(s.count == 4 && s.glyphs[1].cluster == 1 &&
        s.glyphs[1].cluster_end == 4);
  lp_shaped_free(&s);

  /* Mixed scripts in a Chinese text: every character found, spaces marked. */
  shape("中文 and 한국어", zh, "zh-CN", &s);
  CHECK(s.nmissing == 0);
  int spaces = 0;
  for (size_t i = 0; i < s.count; i++) {
    CHECK(s.glyphs[i].face != NULL && s.glyphs[i].gid != 0);
    if (s.glyphs[i].flags & LP_SG_SPACE) spaces++;
  }
  CHECK(spaces == 2);
  lp_shaped_free(&s);

  /* A blank is one pseudo-glyph as wide as its underscores. */
  shape("签名：\x1f\x1f\x1f\x1f", zh, "zh-CN", &s);
  CHECK(s.count == 4);
  CHECK(s.count == 4 && (s.glyphs[3].flags & LP_SG_BLANK) &&
        s.glyphs[3].face == NULL &&
        fabs(s.glyphs[3].advance - 4 * LP_BLANK_EM * 10) < 1e-9);
  lp_shaped_free(&s);

  /* A newline makes no glyph. */
  shape("a\nb", en, "en", &s);
  CHECK(s.count == 2 && s.glyphs[1].cluster == 2);
  lp_shaped_free(&s);

  /* The language selects locl forms: 直 differs in Chinese and Japanese. */
  lp_shaped a, b;
  shape("直", zh, "zh-CN", &a);
  shape("直", zh, "ja", &b);
  CHECK(a.count == 1 && b.count == 1 && a.glyphs[0].gid != b.glyphs[0].gid);
  lp_shaped_free(&a);
  lp_shaped_free(&b);

  /* A code point no font has is reported. */
  shape("a\xF3\xB0\x80\x80", en, "en", &s); /* U+F0000, private use */
  CHECK(s.nmissing == 1);
  lp_shaped_free(&s);

  lp_fonts_free(fonts);
  return CHECK_DONE();
}
