/* test_breaks.c - UAX #14 opportunities with CJK strictness. */
#include <stdlib.h>
#include <string.h>

#include "breaks.h"
#include "check.h"

/* Renders the opportunities of text as the text with '|' at each allowed
 * break and '!' at each mandatory one (none at the end). */
static char *marked(lp_breaker *b, const char *text, const char *lang) {
  size_t len = strlen(text);
  uint8_t *brk = malloc(len + 1);
  lp_error err = {0};
  if (!lp_breaks_find(b, text, len, lang, brk, &err)) {
    free(brk);
    return strdup("(error)");
  }
  char *out = malloc(len * 2 + 1), *o = out;
  for (size_t i = 0; i < len; i++) {
    if (i > 0 && brk[i] == LP_BREAK_ALLOWED) *o++ = '|';
    if (i > 0 && brk[i] == LP_BREAK_MANDATORY) *o++ = '!';
    *o++ = text[i];
  }
  *o = '\0';
  free(brk);
  return out;
}

static void expect(lp_breaker *b, const char *text, const char *lang,
                   const char *want) {
  char *got = marked(b, text, lang);
  CHECK_STR(got, want);
  if (strcmp(got, want)) fprintf(stderr, "  %s: got  %s\n  want %s\n", lang, got, want);
  free(got);
}

int main(void) {
  lp_breaker *b = lp_breaker_new();
  /* Japanese strict: small kana and ー stay with what precedes them. */
  expect(b, "カップ、「テスト」ー々です。", "ja",
         "カッ|プ、|「テ|ス|ト」ー々|で|す。");
  /* Chinese normal: closing punctuation stays with what precedes it, opening
   * brackets with what follows. */
  expect(b, "中文标点，测试。“引号”（括号）", "zh-CN",
         "中|文|标|点，|测|试。|“引|号”|（括|号）");
  /* Kinsoku on top of ICU (jlreq 3.1.7/3.1.8/3.1.10, clreq): no break
   * before a middle dot, an iteration mark or closing quotes; none after
   * opening quotes; the two-em dash and the ellipsis stay whole. */
  expect(b, "东京·大阪", "zh-CN", "东|京·|大|阪");
  expect(b, "東京・大阪", "ja", "東|京・|大|阪");
  expect(b, "人々は", "ja", "人々|は");
  expect(b, "他——好……行", "zh-CN", "他|——|好……|行");
  expect(b, "说“好”了", "zh-CN", "说|“好”|了");
  expect(b, "〔注〕字", "zh-CN", "〔注〕|字");
  /* Small kana never start a line in Japanese (strict); in Chinese text
   * they may (clreq does not forbid it). */
  expect(b, "ジョッキ", "ja", "ジョッ|キ");
  CHECK(lp_breaks_no_start(0x30C3, "ja") && !lp_breaks_no_start(0x30C3, "zh"));
  CHECK(lp_breaks_no_start(0x3002, "zh") && lp_breaks_no_start(0x30FC, "zh"));
  CHECK(lp_breaks_no_end(0x300C) && lp_breaks_no_end(0x201C) &&
        !lp_breaks_no_end(0x3002));
  /* Latin words break at spaces; the space stays on the line. */
  expect(b, "office affinity", "en", "office |affinity");
  /* A newline is a mandatory break. */
  expect(b, "a\nb", "en", "a\n!b");
  /* Empty text. */
  uint8_t one[1] = {9};
  lp_error err = {0};
  CHECK(lp_breaks_find(b, "", 0, "zh", one, &err) && one[0] == 0);
  CHECK_STR(lp_breaks_locale("ja-JP"), "ja@lb=strict");
  CHECK_STR(lp_breaks_locale("zh-TW"), "zh@lb=normal");
  lp_breaker_free(b);
  return CHECK_DONE();
}
