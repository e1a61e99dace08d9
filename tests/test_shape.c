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
  /* A script subtag with a region: Hong Kong's forms (issue: zh-Hant-HK
   * fell back to Taiwan's). */
  CHECK_STR(lp_fonts_default_families("zh-Hant-HK"), "Noto Serif CJK HK");
  CHECK_STR(lp_fonts_default_families("zh-HK"), "Noto Serif CJK HK");
  CHECK_STR(lp_fonts_default_families("zh-Hant"), "Noto Serif CJK TC");
  CHECK_STR(lp_fonts_default_families("zh_TW"), "Noto Serif CJK TC");
  CHECK_STR(lp_fonts_default_families("zh-Hans"), "Noto Serif CJK SC");
  lp_chain *hk = lp_fonts_chain(fonts, NULL, "zh-Hant-HK", LP_STYLE_REGULAR,
                                &err);
  CHECK(hk && strstr(lp_chain_main_face(hk)->ps_name, "CJKhk") != NULL);
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

  /* Latin letters and digits in CJK text come from a Latin face (Noto
   * Serif), not from the CJK font's proportional Latin; the CJK face keeps
   * the Han text and the full-width punctuation. */
  lp_face *latin = lp_chain_latin_face(zh);
  CHECK(latin && !latin->has_han && strcmp(latin->family, "Noto Serif") == 0);
  CHECK(lp_chain_latin_face(en) == NULL);
  CHECK(lp_chain_face_for(zh, 'A') == latin && lp_chain_face_for(zh, '7') == latin);
  CHECK(lp_chain_face_for(zh, 0x4E2D) == f);
  CHECK(lp_chain_latin_face(zhb) && lp_chain_latin_face(zhb)->bold);
  lp_chain *zh_own =
      lp_fonts_chain_mixed(fonts, NULL, "none", "zh-CN", LP_STYLE_REGULAR, &err);
  CHECK(zh_own && lp_chain_latin_face(zh_own) == NULL &&
        lp_chain_face_for(zh_own, 'A') == f);
  shape("中文ABC，“引”", zh, "zh-CN", &s);
  CHECK(s.count == 9);
  if (s.count == 9) {
    CHECK(s.glyphs[1].face == f && s.glyphs[2].face == latin);
    CHECK(s.glyphs[5].face == f && s.glyphs[6].face == f &&
          s.glyphs[8].face == f);
  }
  lp_shaped_free(&s);

  /* Quarter em between Han and Latin or digits (clreq, jlreq): a gap after
   * the left glyph, or a typed space set to a quarter em; none beside
   * punctuation. */
  shape("中A1文，B 字", zh, "zh-CN", &s);
  lp_shape_space_cjk("中A1文，B 字", strlen("中A1文，B 字"), "zh-CN", &s);
  CHECK(s.count == 8);
  if (s.count == 8) {
    CHECK(fabs(s.glyphs[0].gap - 2.5) < 1e-9); /* 中|A */
    CHECK(s.glyphs[1].gap == 0);                /* A|1 */
    CHECK(fabs(s.glyphs[2].gap - 2.5) < 1e-9); /* 1|文 */
    CHECK(s.glyphs[3].gap == 0 && s.glyphs[4].gap == 0); /* 文，B */
    CHECK(fabs(s.glyphs[6].advance - 2.5) < 1e-9); /* B␠字 */
  }
  lp_shaped_free(&s);

  /* Punctuation compression from `halt`: a full stop may lose its right
   * half, an opening bracket its left half (moving left); consecutive marks
   * are set half-width at once (jlreq 3.1.4): 。」 and （「. */
  shape("字。字（字", zh, "zh-CN", &s);
  CHECK(s.count == 5);
  if (s.count == 5) {
    CHECK(s.glyphs[0].shrink == 0);
    CHECK(fabs(s.glyphs[1].shrink - 5) < 1e-9 && s.glyphs[1].shift == 0);
    CHECK(fabs(s.glyphs[3].shrink - 5) < 1e-9 &&
          fabs(s.glyphs[3].shift + 1) < 1e-9);
  }
  lp_shaped_free(&s);
  const char *pair = "字。」字（「字";
  shape(pair, zh, "zh-CN", &s);
  lp_shape_space_cjk(pair, strlen(pair), "zh-CN", &s);
  CHECK(s.count == 7);
  if (s.count == 7) {
    CHECK(fabs(s.glyphs[1].advance - 5) < 1e-9 && s.glyphs[1].squeezed > 0);
    CHECK(fabs(s.glyphs[2].advance - 10) < 1e-9);
    CHECK(fabs(s.glyphs[4].advance - 10) < 1e-9);
    CHECK(fabs(s.glyphs[5].advance - 5) < 1e-9 &&
          fabs(s.glyphs[5].x_offset + 5) < 1e-9);
  }
  lp_shaped_free(&s);
  /* Japanese: a colon or semicolon (jlreq cl-05, centred) before an
   * opening bracket keeps its em; the bracket loses its blank half
   * (jlreq 3.1.4: a quarter em between cl-05 and cl-01).  Traditional
   * Chinese, whose marks are centred too, is left as it was. */
  lp_chain *ja = lp_fonts_chain(fonts, NULL, "ja", LP_STYLE_REGULAR, &err);
  lp_chain *tw = lp_fonts_chain(fonts, NULL, "zh-TW", LP_STYLE_REGULAR, &err);
  static const char *const jpairs[] = {"名称：「字」", "字；『字』"};
  for (size_t k = 0; ja && k < 2; k++) {
    shape(jpairs[k], ja, "ja", &s);
    lp_shape_space_cjk(jpairs[k], strlen(jpairs[k]), "ja", &s);
    CHECK(s.count >= 4);
    if (s.count >= 4) {
      size_t c = k == 0 ? 2 : 1; /* the colon or semicolon */
      CHECK(fabs(s.glyphs[c].advance - 10) < 1e-9);
      CHECK(fabs(s.glyphs[c + 1].advance - 5) < 1e-9 &&
            fabs(s.glyphs[c + 1].x_offset + 5) < 1e-9);
    }
    lp_shaped_free(&s);
  }
  if (tw) {
    shape("名稱：「字」", tw, "zh-TW", &s);
    lp_shape_space_cjk("名稱：「字」", strlen("名稱：「字」"), "zh-TW", &s);
    CHECK(s.count >= 4 && fabs(s.glyphs[3].advance - 10) < 1e-9);
    lp_shaped_free(&s);
  }

  /* ？ and ！ keep their full width (jlreq cl-04). */
  shape("字？」", zh, "zh-CN", &s);
  lp_shape_space_cjk("字？」", strlen("字？」"), "zh-CN", &s);
  CHECK(s.count == 3 && fabs(s.glyphs[1].advance - 10) < 1e-9);
  lp_shaped_free(&s);

  /* Shaping through a memo gives the same glyphs as shaping anew; the memo
   * keeps a paragraph from its second sighting on, never one seen once, and
   * stays under its size however many paragraphs go through it. */
  lp_memo *cache = lp_memo_new(4u << 20);
  const char *para = "尊敬的客户：感谢贵方（以下简称“我方”）选择 ISO 9001 ≥ 𠀋。";
  lp_span spans[2] = {{0, 9, zh, 11, 0}, {9, strlen(para), zhb, 11, 0}};
  lp_shaped plain = {0};
  lp_shape(para, strlen(para), spans, 2, "zh-CN", &plain);
  for (int round = 0; round < 3; round++) {
    lp_shaped c = {0};
    lp_shape_cached(cache, para, strlen(para), spans, 2, "zh-CN", &c);
    CHECK(c.count == plain.count && c.nmissing == plain.nmissing);
    CHECK(c.count == plain.count &&
          !memcmp(c.glyphs, plain.glyphs, c.count * sizeof *c.glyphs));
    CHECK(lp_memo_bytes(cache) == 0 ? round == 0 : round > 0);
    lp_shaped_free(&c);
  }
  /* Another size, language or span boundary is another paragraph. */
  size_t kept = lp_memo_bytes(cache);
  spans[1].size = 12;
  lp_shaped c = {0};
  lp_shape_cached(cache, para, strlen(para), spans, 2, "zh-CN", &c);
  CHECK(c.count == plain.count && c.glyphs[c.count - 1].size == 12);
  lp_shaped_free(&c);
  lp_shape_cached(cache, para, strlen(para), spans, 2, "ja", &c);
  CHECK(c.count == plain.count);
  lp_shaped_free(&c);
  CHECK(lp_memo_bytes(cache) == kept);
  /* Appends after what out holds, like lp_shape. */
  spans[1].size = 11;
  lp_shaped two = {0};
  lp_shape_cached(cache, para, strlen(para), spans, 2, "zh-CN", &two);
  lp_shape_cached(cache, para, strlen(para), spans, 2, "zh-CN", &two);
  CHECK(two.count == 2 * plain.count && two.nmissing == 2 * plain.nmissing);
  lp_shaped_free(&two);
  /* Many distinct paragraphs, each twice: the cache starts again when
   * full, so it never holds more than its limit. */
  size_t most = 0;
  char text[256];
  for (int i = 0; i < 6000; i++) {
    snprintf(text, sizeof text,
             "第%d号客户的名称与地址各不相同，这一段文字足够长以占用缓存%d。",
             i, i);
    lp_span one = {0, strlen(text), zh, 11, 0};
    for (int k = 0; k < 2; k++) {
      lp_shaped t = {0};
      lp_shape_cached(cache, text, strlen(text), &one, 1, "zh-CN", &t);
      lp_shaped_free(&t);
    }
    if (lp_memo_bytes(cache) > most) most = lp_memo_bytes(cache);
  }
  CHECK(most > 0 && most <= (4u << 20));
  CHECK(lp_memo_bytes(cache) < most); /* it did start again */
  lp_memo_free(cache);
  lp_shaped_free(&plain);

  /* What to do about a missing character, by class: the package named
   * really has it (Symbola 2.60: pictographs to Unicode 9.0 and some of
   * 10.0), and none is named where none has an outline glyph. */
  const char *burrito = lp_fonts_missing_advice(fonts, 0x1F32F); /* 9.0 */
  const char *zany = lp_fonts_missing_advice(fonts, 0x1F92A);    /* 10.0 */
  const char *hearts = lp_fonts_missing_advice(fonts, 0x1F970);  /* 11.0 */
  const char *melting = lp_fonts_missing_advice(fonts, 0x1FAE0); /* 14.0 */
  const char *pua = lp_fonts_missing_advice(fonts, 0xE000);
  CHECK(strstr(burrito, "Symbola\""));
  CHECK(zany == burrito);
  CHECK(strstr(hearts, "no Debian font package") &&
        !strstr(hearts, "install fonts-noto-color-emoji"));
  CHECK(melting == hearts);
  CHECK(lp_fonts_missing_advice(fonts, 0x1F9D9) == hearts); /* 10.0, not in */
  CHECK(strstr(pua, "--font-path") && !strstr(pua, "install"));
  /* Han: fonts-hanazono only while it is not installed (it is here: make
   * deps installs it, and it is in the declared set). */
  CHECK(!strstr(lp_fonts_missing_advice(fonts, 0x2A6D6), "install"));

  /* Office fonts that are not installed: their stand-ins (make deps
   * installs them), which the set takes in for the template. */
  const struct {
    const char *font, *lang, *family;
  } office[] = {{"Times New Roman", "en", "Liberation Serif"},
                {"arial", "en", "Liberation Sans"},
                {"Calibri, Noto Sans", "en", "Carlito"},
                {"Cambria", "en", "Caladea"},
                {"SimSun", "zh-CN", "Noto Serif CJK SC"},
                {"黑体", "zh-CN", "Noto Sans CJK SC"},
                {"MS Mincho", "ja", "Noto Serif CJK JP"},
                {"Malgun Gothic", "ko", "Noto Sans CJK KR"},
                {"新細明體", "zh-TW", "Noto Serif CJK TC"}};
  for (size_t i = 0; i < sizeof office / sizeof *office; i++) {
    lp_chain *oc = lp_fonts_chain(fonts, office[i].font, office[i].lang,
                                  LP_STYLE_REGULAR, &err);
    CHECK(oc && !strcmp(lp_chain_main_face(oc)->family, office[i].family));
    lp_buf msg = {0};
    CHECK(lp_fonts_check_families(fonts, office[i].font, "x", &msg) == 0);
    lp_buf_free(&msg);
  }
  /* A family that is not installed: told, with what is used instead;
   * generic names and installed families are not. */
  lp_buf msg = {0};
  CHECK(lp_fonts_check_families(fonts, "Garamond, serif, 'Noto Sans', Nope",
                                "Noto Sans", &msg) == 2);
  lp_buf_append(&msg, "", 1);
  CHECK(strstr((char *)msg.data, "'Garamond' is not installed: Noto Sans is "
                                 "used instead") != NULL);
  CHECK(strstr((char *)msg.data, "\n'Nope' is not installed") != NULL);
  lp_buf_free(&msg);

  lp_fonts_free(fonts);
  return CHECK_DONE();
}
