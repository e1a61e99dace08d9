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
