/* test_breaks.c - UAX #14 opportunities with CJK strictness. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "breaks.h"
#include "check.h"

/* Renders the opportunities of text as the text with '|' at each allowed
 * break, '!' at each mandatory one and '~' at each link point (none at
 * the end). */
static char *marked_wb(lp_breaker *b, const char *text, const char *lang,
                       lp_word_break wb) {
  size_t len = strlen(text);
  uint8_t *brk = malloc(len + 1);
  lp_error err = {0};
  if (!lp_breaks_find(b, text, len, lang, wb, brk, &err)) {
    free(brk);
    return strdup("(error)");
  }
  char *out = malloc(len * 2 + 1), *o = out;
  for (size_t i = 0; i < len; i++) {
    if (i > 0 && brk[i] == LP_BREAK_ALLOWED) *o++ = '|';
    if (i > 0 && brk[i] == LP_BREAK_MANDATORY) *o++ = '!';
    if (i > 0 && brk[i] == LP_BREAK_LINK) *o++ = '~';
    *o++ = text[i];
  }
  *o = '\0';
  free(brk);
  return out;
}

static void expect_wb(lp_breaker *b, const char *text, const char *lang,
                      lp_word_break wb, const char *want) {
  char *got = marked_wb(b, text, lang, wb);
  CHECK_STR(got, want);
  if (strcmp(got, want)) fprintf(stderr, "  %s: got  %s\n  want %s\n", lang, got, want);
  free(got);
}

static void expect(lp_breaker *b, const char *text, const char *lang,
                   const char *want) {
  expect_wb(b, text, lang, LP_WORD_BREAK_AUTO, want);
}

/* Numbers, amounts, dates, times, versions and phone numbers stay whole
 * (UAX #14 LB13-LB30, LB25); no-break spaces and joiners never break, and
 * no line starts with a no-break space. */
static void test_glue(lp_breaker *b) {
  expect(b, "namely $1,250,000.00 and 12:30 v2.4.1 2024-10-01 end", "en",
         "namely |$1,250,000.00 |and |12:30 |v2.4.1 |2024-10-01 |end");
  expect(b, "+86-21-5555-0123 $1,250 ¥3,000 95% €12 (1,250.00)", "en",
         "+86-21-5555-0123 |$1,250 |¥3,000 |95% |€12 |(1,250.00)");
  expect(b, "合计人民币 1,250,000.00 元", "zh-CN",
         "合|计|人|民|币 |1,250,000.00 |元");
  /* U+00A0, U+202F, U+2060, U+2011 (and an NBSP after a space: LB12a
   * would allow a break before it, starting a line with it). */
  expect(b, "Section\u00a04.2 of 15\u00a0U.S.C.\u00a0§\u00a01125", "en",
         "Section\u00a04.2 |of |15\u00a0U.S.C.\u00a0§\u00a01125");
  expect(b, "a \u00a0b 10\u202fkm x\u2060y non\u2011breaking", "en",
         "a \u00a0b |10\u202fkm |x\u2060y |non\u2011breaking");
  /* A soft hyphen is an opportunity (the layout shows the hyphen). */
  expect(b, "extra\u00adordinary", "en", "extra\u00ad|ordinary");
  /* 〒 never ends a line alone, with or without a space after it. */
  expect(b, "〒100-0001 東京都", "ja", "〒100-0001 |東|京|都");
  expect(b, "〒 100-0001", "ja", "〒 100-0001");
}

/* URLs and e-mail addresses: no UAX #14 break after a hyphen inside
 * (it would read as a hyphenation); after a '/' as UAX #14 has it; link
 * points ('~', used only when a line must) before the other marks, as the
 * Chicago Manual breaks links; numbers inside stay whole; punctuation
 * after the link is not part of it. */
static void test_links(lp_breaker *b) {
  expect(b, "See https://www.my-firm.example/legal/2024-10-01/terms.html.",
         "en",
         "See |https://|www~.my~-firm~.example/|legal/|2024-10-01/|terms"
         "~.html.");
  expect(b, "Write to claims.dept@whitfield-partners.example.com, or",
         "en",
         "Write |to |claims~.dept~@whitfield~-partners~.example~.com, |or");
  expect(b, "(www.example.com/a?x=1&y=2)", "en",
         "(www~.example~.com/|a~?x~=1~&y~=2)");
  /* Not links: a compound, a version, a date. */
  expect(b, "well-known v2.4.1 a/b", "en", "well-|known |v2.4.1 |a/|b");
  expect(b, "见https://example.com/x。好", "zh-CN",
         "见|https://|example~.com/|x。|好");
}

/* Korean keeps words whole (keep-all) unless word-break: normal; other
 * languages break between syllables unless keep-all is asked for. */
static void test_keep_all(lp_breaker *b) {
  const char *ko = "개인정보보호법에 따라 진행하여(서면으로) 처리";
  expect(b, ko, "ko", "개인정보보호법에 |따라 |진행하여|(서면으로) |처리");
  expect_wb(b, ko, "ko-KR", LP_WORD_BREAK_KEEP_ALL,
            "개인정보보호법에 |따라 |진행하여|(서면으로) |처리");
  expect_wb(b, "진행하여 서면", "ko", LP_WORD_BREAK_NORMAL,
            "진|행|하|여 |서|면");
  expect_wb(b, "東京都の会社", "ja", LP_WORD_BREAK_KEEP_ALL, "東京都の会社");
  expect(b, "東京都", "ja", "東|京|都");
  CHECK(lp_breaks_keep_all("ko", LP_WORD_BREAK_AUTO));
  CHECK(!lp_breaks_keep_all("ko", LP_WORD_BREAK_NORMAL));
  CHECK(!lp_breaks_keep_all("ja", LP_WORD_BREAK_AUTO));
}

/* Grapheme starts (UAX #29): a base and its combining accent, a flag. */
static void test_graphemes(void) {
  const char *t = "xe\u0301\U0001F1EF\U0001F1F5z";
  size_t len = strlen(t);
  CHECK(lp_breaks_grapheme_start(t, len, 1) == 1);
  CHECK(lp_breaks_grapheme_start(t, len, 2) == 1); /* the accent */
  CHECK(lp_breaks_grapheme_start(t, len, 4) == 4); /* flag */
  CHECK(lp_breaks_grapheme_start(t, len, 8) == 4); /* its second half */
  CHECK(lp_breaks_grapheme_start(t, len, 12) == 12);
  /* One iterator asked many times, in any order, answers the same. */
  lp_graphemes *g = lp_breaks_graphemes_open(t, len);
  CHECK(g != NULL);
  const size_t at[] = {8, 2, 12, 4, 1, 0, 13, 99, 5};
  for (size_t i = 0; i < sizeof at / sizeof at[0]; i++)
    CHECK(lp_breaks_graphemes_start(g, at[i]) ==
          lp_breaks_grapheme_start(t, len, at[i]));
  CHECK(lp_breaks_graphemes_start(g, 99) == len);
  lp_breaks_graphemes_close(g);
  lp_breaks_graphemes_close(NULL);
  CHECK(lp_breaks_graphemes_start(NULL, 3) == 3);
}

/* Words far past 64 letters (German compounds, chemical names) get
 * hyphenation points. */
static void test_long_words(lp_breaker *b) {
  const char *w = "methylenedioxymethamphetaminehydrochloridemonohydrate"
                  "dimethylaminoethylbenzoylecgonine"; /* 86 letters */
  size_t len = strlen(w);
  CHECK(len == 86);
  bool *pts = calloc(len + 1, sizeof *pts);
  size_t n = lp_breaks_hyphenate(b, w, len, "en-US", pts);
  CHECK(n >= 10);
  CHECK(!pts[0] && !pts[1] && !pts[len - 1] && !pts[len - 2]);
  free(pts);
  /* Beyond LP_HYPHEN_MAX_LETTERS: none (the layout cuts such a word). */
  char *huge = malloc(LP_HYPHEN_MAX_LETTERS * 2 + 1);
  for (int k = 0; k < LP_HYPHEN_MAX_LETTERS * 2; k++) huge[k] = "ab"[k % 2];
  huge[LP_HYPHEN_MAX_LETTERS * 2] = '\0';
  pts = calloc(LP_HYPHEN_MAX_LETTERS * 2 + 1, sizeof *pts);
  CHECK(lp_breaks_hyphenate(b, huge, strlen(huge), "en-US", pts) == 0);
  free(pts);
  free(huge);
  CHECK(LP_HYPHEN_MAX_LETTERS >= 190);
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
  CHECK(lp_breaks_find(b, "", 0, "zh", LP_WORD_BREAK_AUTO, one, &err) &&
        one[0] == 0);
  test_glue(b);
  test_keep_all(b);
  test_links(b);
  test_graphemes();
  test_long_words(b);
  CHECK_STR(lp_breaks_locale("ja-JP"), "ja@lb=strict");
  CHECK_STR(lp_breaks_locale("zh-TW"), "zh@lb=normal");
  lp_breaker_free(b);
  return CHECK_DONE();
}
