/* locales.c - the conventions of each language and region (see locales.h). */
#include "locales.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <unicode/uloc.h>

#define MAX_TAG 64 /* bytes of a language tag we look at */

/* ---- Tags --------------------------------------------------------------- */

bool lp_locales_normalize(const char *tag, char *out, size_t cap) {
  size_t n = strlen(tag);
  if (n + 1 > cap) return false;
  /* BCP 47 §2.1.1: language lower case, script title case, region upper
   * case; everything after a singleton (x-, u-) lower case. */
  size_t start = 0, index = 0;
  bool private_part = false;
  for (size_t i = 0; i <= n; i++) {
    if (i < n && tag[i] != '-' && tag[i] != '_') continue;
    size_t len = i - start;
    bool alpha = true;
    for (size_t k = start; k < i; k++)
      alpha = alpha && isalpha((unsigned char)tag[k]);
    for (size_t k = start; k < i; k++) {
      char c = (char)tolower((unsigned char)tag[k]);
      if (!private_part && index > 0 && alpha &&
          (len == 2 || (len == 4 && k == start)))
        c = (char)toupper((unsigned char)c);
      out[k] = c;
    }
    if (len == 1) private_part = true;
    if (i < n) out[i] = '-';
    start = i + 1;
    index++;
  }
  out[n] = '\0';
  return true;
}

/* The parts of a tag that conventions depend on: language (lower case),
 * script (4 letters) and region (2 letters or 3 digits), each "" when
 * absent. */
typedef struct tag_parts {
  char language[9], script[5], region[4];
} tag_parts;

/* Splits lang into its language, script and region subtags. */
static tag_parts parts_of(const char *lang) {
  tag_parts t = {{0}, {0}, {0}};
  if (!lang) return t;
  const char *p = lang;
  for (int index = 0; *p; index++) {
    size_t len = strcspn(p, "-_");
    bool alpha = true, digit = true;
    for (size_t k = 0; k < len; k++) {
      alpha = alpha && isalpha((unsigned char)p[k]);
      digit = digit && isdigit((unsigned char)p[k]);
    }
    if (len == 1) break; /* extensions and private use: nothing for us */
    if (index == 0 && alpha && len < sizeof t.language)
      for (size_t k = 0; k < len; k++)
        t.language[k] = (char)tolower((unsigned char)p[k]);
    else if (index > 0 && alpha && len == 4 && !t.script[0] && !t.region[0])
      memcpy(t.script, p, 4);
    else if (index > 0 && !t.region[0] &&
             ((alpha && len == 2) || (digit && len == 3)))
      for (size_t k = 0; k < len; k++)
        t.region[k] = (char)toupper((unsigned char)p[k]);
    p += len;
    if (*p) p++;
  }
  return t;
}

/* Country codes often written where a language belongs, with the tag that
 * was meant.  "kr" (Kanuri) and "tw" (Twi) are ISO 639 codes too, but in a
 * letter they are Korea's and Taiwan's. */
static const struct {
  const char *wrong, *country, *right, *language;
} mistaken[] = {
    {"jp", "Japan", "ja", "Japanese"},
    {"kr", "Korea", "ko", "Korean"},
    {"cn", "China", "zh-CN", "Simplified Chinese"},
    {"tw", "Taiwan", "zh-TW", "Traditional Chinese"},
    {"hk", "Hong Kong", "zh-HK", "Chinese as written in Hong Kong"},
    {"gr", "Greece", "el", "Greek"},
    {"dk", "Denmark", "da", "Danish"},
    {"cz", "Czechia", "cs", "Czech"},
    {"ua", "Ukraine", "uk", "Ukrainian"},
    {"vn", "Viet Nam", "vi", "Vietnamese"},
    {"us", "the United States", "en-US", "American English"},
    {"gb", "the United Kingdom", "en-GB", "British English"},
};

/* Whether code is in a NULL-terminated ICU list of codes. */
static bool in_list(const char *const *list, const char *code) {
  for (size_t i = 0; list[i]; i++)
    if (!strcmp(list[i], code)) return true;
  return false;
}

/* Whether ICU reads all of tag as a well-formed BCP 47 tag (RFC 5646). */
static bool well_formed(const char *tag) {
  char id[ULOC_FULLNAME_CAPACITY];
  int32_t parsed = 0;
  UErrorCode status = U_ZERO_ERROR;
  uloc_forLanguageTag(tag, id, (int32_t)sizeof id, &parsed, &status);
  return U_SUCCESS(status) && parsed > 0 && (size_t)parsed == strlen(tag);
}

bool lp_locales_check(const char *tag, char *why, size_t cap) {
  tag_parts t = parts_of(tag);
  for (size_t k = 0; k < sizeof mistaken / sizeof mistaken[0]; k++)
    if (!strcmp(t.language, mistaken[k].wrong)) {
      snprintf(why, cap,
               "is the country code of %s, not a language: write '%s' (%s)",
               mistaken[k].country, mistaken[k].right, mistaken[k].language);
      return false;
    }
  if (strlen(tag) >= MAX_TAG || !well_formed(tag)) {
    snprintf(why, cap,
             "is not a language tag: write e.g. zh-CN, zh-TW, zh-HK, ja, ko "
             "or en-US");
    return false;
  }
  if (!in_list(uloc_getISOLanguages(), t.language)) {
    snprintf(why, cap,
             "names no language ('%s' is no ISO 639 code): write e.g. zh "
             "(Chinese), ja (Japanese), ko (Korean) or en (English)",
             t.language);
    return false;
  }
  if (t.region[0] && !isdigit((unsigned char)t.region[0]) &&
      !in_list(uloc_getISOCountries(), t.region)) {
    snprintf(why, cap,
             "names no region ('%s' is no ISO 3166 code): write e.g. zh-TW, "
             "zh-HK, ja-JP, ko-KR or en-US",
             t.region);
    return false;
  }
  return true;
}

/* ---- Han forms and fonts ------------------------------------------------ */

lp_han_forms lp_locales_han_forms(const char *lang) {
  tag_parts t = parts_of(lang);
  if (!strcmp(t.language, "ja")) return LP_HAN_JP;
  if (!strcmp(t.language, "ko")) return LP_HAN_KR;
  if (strcmp(t.language, "zh")) return LP_HAN_NONE;
  if (!strcasecmp(t.script, "Hans")) return LP_HAN_SC;
  if (!strcmp(t.region, "HK")) return LP_HAN_HK;
  if (!strcasecmp(t.script, "Hant") || !strcmp(t.region, "TW") ||
      !strcmp(t.region, "MO"))
    return LP_HAN_TC;
  return LP_HAN_SC;
}

bool lp_locales_traditional(const char *lang) {
  lp_han_forms f = lp_locales_han_forms(lang);
  return f == LP_HAN_TC || f == LP_HAN_HK;
}

const char *lp_locales_fc_lang(const char *lang, char *out, size_t cap) {
  tag_parts t = parts_of(lang);
  const char *region = t.region;
  /* fontconfig knows languages as ll or ll-rr (its orth files: zh-cn,
   * zh-tw, zh-hk, zh-mo, zh-sg), never a script: a Chinese script picks
   * the region whose orthography it is. */
  switch (lp_locales_han_forms(lang)) {
  case LP_HAN_SC:
    region = !strcmp(t.region, "SG") ? "SG" : "CN";
    break;
  case LP_HAN_TC:
    region = !strcmp(t.region, "MO") ? "MO" : "TW";
    break;
  case LP_HAN_HK:
    region = "HK";
    break;
  case LP_HAN_JP:
  case LP_HAN_KR:
    region = "";
    break;
  case LP_HAN_NONE:
    if (isdigit((unsigned char)region[0])) region = "";
    break;
  }
  snprintf(out, cap, "%s%s%s", t.language[0] ? t.language : "en",
           region[0] ? "-" : "", region);
  for (char *c = out; *c; c++) *c = (char)tolower((unsigned char)*c);
  return out;
}

/* ---- Footers ------------------------------------------------------------ */

const char *lp_locales_footer(const char *lang) {
  switch (lp_locales_han_forms(lang)) {
  case LP_HAN_SC:
    return "第 {page} 页 共 {pages} 页";
  case LP_HAN_TC:
  case LP_HAN_HK:
    return "第 {page} 頁 共 {pages} 頁";
  case LP_HAN_JP:
    return "{page} / {pages} ページ";
  case LP_HAN_KR:
    return "{page} / {pages}";
  case LP_HAN_NONE:
    break;
  }
  return "Page {page} of {pages}";
}

/* ---- Signature labels --------------------------------------------------- */

/* Whether s (n bytes) ends with word. */
static bool ends_with(const char *s, size_t n, const char *word) {
  size_t w = strlen(word);
  return n >= w && !memcmp(s + n - w, word, w);
}

bool lp_locales_signature_label(const char *label) {
  /* The words that ask for a hand signature or a seal, by locale:
   * Simplified Chinese, Traditional Chinese (Taiwan, Hong Kong), Japanese
   * (記名押印 and 署名捺印 end in 押印 and 捺印) and Korean (서명 또는
   * 날인, 기명날인). */
  static const char *const cjk[] = {
      "签名", "签字", "签章", "盖章", "签署", "签收", "印章", "用印",
      "簽名", "簽字", "簽章", "蓋章", "簽署", "簽收",
      "署名", "押印", "捺印", "自署", "サイン",
      "서명", "날인", "사인",
  };
  static const char *const latin_start[] = {"signature", "signed by",
                                            "signed"};
  size_t n = strlen(label);
  /* A closing bracket at the end does not count: （盖章）, (signature). */
  while (n && label[n - 1] == ')') n--;
  if (ends_with(label, n, "）")) n -= strlen("）");
  for (size_t k = 0; k < sizeof cjk / sizeof cjk[0]; k++)
    if (ends_with(label, n, cjk[k])) return true;
  if (n >= 9 && !strncasecmp(label + n - 9, "signature", 9)) return true;
  for (size_t k = 0; k < sizeof latin_start / sizeof latin_start[0]; k++) {
    size_t w = strlen(latin_start[k]);
    if (n >= w && !strncasecmp(label, latin_start[k], w) &&
        (n == w || label[w] == ' ' || strcmp(latin_start[k], "signed")))
      return true;
  }
  return false;
}

/* ---- Closings ----------------------------------------------------------- */

/* The two halves of a Chinese letter's closing (祝颂语): the first (此致,
 * 顺颂 …) starts a line after the paragraph indent, the second (敬礼,
 * 商祺 …) stands on the next line at the margin (顶格).  Simplified and
 * Traditional forms. */
static const char *const closing_first[] = {
    "此致", "顺颂", "順頌", "顺祝", "順祝", "祝",   "敬祝", "谨祝", "謹祝",
    "恭祝", "即颂", "即頌", "并颂", "並頌", "敬颂", "敬頌", "专此", "專此",
    "顺候", "順候", "即请", "即請", "敬请", "敬請",
};
static const char *const closing_second[] = {
    "敬礼", "敬禮", "商祺", "商安", "时祺", "時祺", "台安", "臺安", "近安",
    "大安", "安好", "钧安", "鈞安", "道安", "教安", "文安", "日祺", "春祺",
    "夏祺", "秋祺", "冬祺", "刻安", "财安", "財安", "筹安", "籌安", "勋安",
    "勛安", "崇安", "礼安", "禮安",
};

/* Trims spaces (also U+3000 ideographic space) from both ends of
 * [*s, *s + *n), and, when punct, the closing's own punctuation from its
 * end (！ ! 。 . ，). */
static void trim(const char **s, size_t *n, bool punct) {
  static const char *const ends[] = {" ", "\t", "\r", "　", "！", "!", "。",
                                     ".", "，", ","};
  size_t nends = punct ? sizeof ends / sizeof ends[0] : 4;
  for (bool again = true; again;) {
    again = false;
    for (size_t k = 0; k < nends; k++) {
      size_t w = strlen(ends[k]);
      if (*n >= w && !memcmp(*s + *n - w, ends[k], w))
        *n -= w, again = true;
      if (k < 4 && *n >= w && !memcmp(*s, ends[k], w))
        *s += w, *n -= w, again = true;
    }
  }
}

/* Whether [s, s + n), trimmed, is one of the count words. */
static bool is_one_of(const char *s, size_t n, const char *const *words,
                      size_t count, bool punct) {
  trim(&s, &n, punct);
  for (size_t k = 0; k < count; k++)
    if (strlen(words[k]) == n && !memcmp(s, words[k], n)) return true;
  return false;
}

bool lp_locales_closing_word(const char *text, size_t len) {
  if (memchr(text, '\n', len)) return false;
  return is_one_of(text, len, closing_second,
                   sizeof closing_second / sizeof closing_second[0], true);
}

bool lp_locales_closing_pair(const char *text, size_t len) {
  const char *nl = memchr(text, '\n', len);
  if (!nl) return false;
  size_t first = (size_t)(nl - text);
  return is_one_of(text, first, closing_first,
                   sizeof closing_first / sizeof closing_first[0], false) &&
         lp_locales_closing_word(nl + 1, len - first - 1);
}

bool lp_locales_opening_word(const char *lang, const char *text,
                            size_t len) {
  static const char *const words[] = {"拝啓", "謹啓", "粛啓", "急啓", "前略",
                                      "冠省", "拝復", "謹復", "再啓"};
  if (lp_locales_han_forms(lang) != LP_HAN_JP) return false;
  for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
    size_t w = strlen(words[k]);
    /* The word alone, or followed by a space as 拝啓　時下… is. */
    if (len >= w && !memcmp(text, words[k], w) &&
        (len == w || text[w] == ' ' || text[w] == '\n' ||
         (len >= w + 3 && !memcmp(text + w, "　", 3))))
      return true;
  }
  return false;
}

bool lp_locales_closing_right(const char *lang, const char *text,
                              size_t len) {
  /* 結語 that answer the 頭語 (拝啓…敬具, 謹啓…謹言/謹白, 前略…草々, 急啓…
   * 不一), and 以上 after the items of 記: each alone on its line, at
   * the line end (文書の書き方; jlreq has no rule, business usage does). */
  static const char *const words[] = {"敬具", "敬白", "謹言", "謹白", "草々",
                                      "早々", "不一", "不備", "拝具", "再拝",
                                      "以上"};
  if (lp_locales_han_forms(lang) != LP_HAN_JP || memchr(text, '\n', len))
    return false;
  return is_one_of(text, len, words, sizeof words / sizeof words[0], false);
}
