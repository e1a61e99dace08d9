/* breaks.c - line-break opportunities from ICU's UAX #14 iterator.
 *
 * ICU implements UAX #14 with the CSS line-break strictness levels as locale
 * keywords (@lb=strict|normal|loose).  Chinese uses "normal" (clreq allows a
 * line to start with small kana and the prolonged sound mark, which Chinese
 * text rarely has anyway); Japanese uses "strict" (jlreq 3.1.7: small kana and
 * ー do not start a line in strict processing).  Kinsoku for opening and
 * closing brackets and punctuation is part of UAX #14 itself (classes OP, CL,
 * CP, NS, EX, IS).
 */
#include "breaks.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hyphen.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>
#include <unicode/ustring.h>
#include <unicode/utext.h>

#include "util.h"

#define MAX_LOCALES 8
#define MAX_DICTS 8

/* ---- Kinsoku (line-start and line-end prohibition) ----------------------
 *
 * ICU's UAX #14 already keeps closing punctuation (classes CL, CP, EX, IS,
 * NS) with what precedes and opening brackets (OP) with what follows.  The
 * CJK rules are stricter than UAX #14 in places where the character's class
 * is ambiguous (AI, QU, B2) or where a locale tailoring lets a break
 * through, so the rules below are applied on top of ICU's result, per
 * language.  A break that a rule forbids is removed; the line breaker then
 * pulls the character up or pushes the pair down (see lay_para.c).
 */

/* Characters that never start a line, in every CJK language.
 * jlreq 3.1.7 "Characters Not Starting a Line": closing brackets (cl-02),
 * hyphens (cl-03), dividing punctuation ?! (cl-04), middle dots (cl-05),
 * full stops (cl-06), commas (cl-07), iteration marks (cl-09), the
 * prolonged sound mark (cl-10); clreq "Prohibition Rules for Line Start and
 * Line End" (行首禁则): 。，、：；？！ and closing quotes and brackets. */
static const uint32_t no_start[] = {
    0x0021, 0x0029, 0x002C, 0x002E, 0x003A, 0x003B, 0x003F, 0x005D, 0x007D,
    0x00B7, 0x2019, 0x201D, 0x2022, 0x2027, 0x203C, 0x2047, 0x2048, 0x2049,
    0x3001, 0x3002, 0x3005, 0x3009, 0x300B, 0x300D, 0x300F, 0x3011, 0x3015,
    0x3017, 0x3019, 0x301B, 0x301C, 0x301E, 0x301F, 0x303B, 0x309D, 0x309E,
    0x30A0, 0x30FB, 0x30FC, 0x30FD, 0x30FE, 0xFE10, 0xFE11, 0xFE12, 0xFE13,
    0xFE14, 0xFE15, 0xFE16, 0xFE50, 0xFE51, 0xFE52, 0xFE54, 0xFE55, 0xFE56,
    0xFE57, 0xFF01, 0xFF09, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF1F, 0xFF3D,
    0xFF5D, 0xFF60, 0xFF61, 0xFF63, 0xFF64, 0xFF65};

/* Characters that never end a line: opening brackets and quotes (jlreq
 * 3.1.8 "Characters Not Ending a Line", cl-01; clreq 行尾禁则). */
static const uint32_t no_end[] = {
    0x0028, 0x005B, 0x007B, 0x2018, 0x201C, 0x3008, 0x300A, 0x300C,
    0x300E, 0x3010, 0x3014, 0x3016, 0x3018, 0x301A, 0x301D, 0xFF08,
    0xFF3B, 0xFF5B, 0xFF5F, 0xFF62};

/* Small kana (jlreq cl-11): not at a line start in strict processing
 * (jlreq 3.1.7, note on strict and loose rules); Japanese only. */
static bool is_small_kana(uint32_t c) {
  static const uint32_t small[] = {
      0x3041, 0x3043, 0x3045, 0x3047, 0x3049, 0x3063, 0x3083, 0x3085,
      0x3087, 0x308E, 0x3095, 0x3096, 0x30A1, 0x30A3, 0x30A5, 0x30A7,
      0x30A9, 0x30C3, 0x30E3, 0x30E5, 0x30E7, 0x30EE, 0x30F5, 0x30F6};
  for (size_t i = 0; i < sizeof small / sizeof small[0]; i++)
    if (small[i] == c) return true;
  return c >= 0x31F0 && c <= 0x31FF; /* Katakana Phonetic Extensions */
}

static bool in_set(const uint32_t *set, size_t n, uint32_t c) {
  for (size_t i = 0; i < n; i++)
    if (set[i] == c) return true;
  return false;
}

/* Inseparable characters (jlreq 3.1.10 "Unbreakable Character Sequences",
 * cl-08; clreq: the dash —— and the ellipsis …… are each one mark two
 * characters wide and are never split across lines). */
static bool is_inseparable(uint32_t c) {
  return c == 0x2014 || c == 0x2015 || c == 0x2025 || c == 0x2026 ||
         c == 0x2E3A || c == 0x2E3B;
}

bool lp_breaks_no_start(uint32_t c, const char *lang) {
  if (in_set(no_start, sizeof no_start / sizeof no_start[0], c)) return true;
  return lp_lang_is(lang, "ja") && is_small_kana(c);
}

bool lp_breaks_no_end(uint32_t c) {
  return in_set(no_end, sizeof no_end / sizeof no_end[0], c);
}

/* Removes the breaks that the kinsoku rules of lang forbid. */
static void apply_kinsoku(const char *text, size_t len, const char *lang,
                          uint8_t *out) {
  uint32_t prev = 0;
  for (size_t i = 0; i < len;) {
    size_t at = i;
    int32_t c = lp_utf8_next(text, len, &i);
    if (c < 0) c = 0xFFFD;
    uint32_t cp = (uint32_t)c;
    if (at > 0 && out[at] == LP_BREAK_ALLOWED &&
        (lp_breaks_no_start(cp, lang) || lp_breaks_no_end(prev) ||
         (is_inseparable(cp) && cp == prev)))
      out[at] = LP_BREAK_NONE;
    prev = cp;
  }
}

/* ---- Glue for every language ---------------------------------------------
 *
 * UAX #14 keeps a no-break space (class GL) with what follows it, but not
 * with a space before it (LB12a lets "x\u0020\u00A0y" break after the
 * space): the line would then start with the no-break space, a visible
 * gap at the margin.  And 〒 (the postal mark) is class ID, so a line may
 * end with it alone before its postal code; it is a prefix of what
 * follows, like the currency signs of class PR (LB25). */

/* Whether c is a no-break space (UAX #14 class GL spaces). */
static bool is_nbsp(uint32_t c) {
  return c == 0x00A0 || c == 0x202F || c == 0x2007;
}

/* Whether c is a mark that prefixes what follows (〒 100-0001, 〠). */
static bool is_prefix_mark(uint32_t c) { return c == 0x3012 || c == 0x3020; }

/* Removes breaks before a no-break space and after a prefix mark (and
 * the spaces after it). */
static void apply_glue(const char *text, size_t len, uint8_t *out) {
  uint32_t prefix = 0; /* the last non-space character, if a prefix mark */
  for (size_t i = 0; i < len;) {
    size_t at = i;
    int32_t c = lp_utf8_next(text, len, &i);
    uint32_t cp = c < 0 ? 0xFFFD : (uint32_t)c;
    if (at > 0 && out[at] == LP_BREAK_ALLOWED && (is_nbsp(cp) || prefix))
      out[at] = LP_BREAK_NONE;
    if (cp != ' ') prefix = is_prefix_mark(cp) ? cp : 0;
  }
}

/* Whether c is a letter of a word for keep-all: CSS Text 3 `word-break:
 * keep-all` suppresses the breaks between "typographic letter units" of the
 * UAX #14 classes NU, AL, AI and ID (Hangul syllables and jamo, H2 H3 JL JV
 * JT, count as ID; so do conditional Japanese starters, CJ). */
static bool is_word_letter(uint32_t c) {
  switch (u_getIntPropertyValue((UChar32)c, UCHAR_LINE_BREAK)) {
  case U_LB_NUMERIC:
  case U_LB_ALPHABETIC:
  case U_LB_AMBIGUOUS:
  case U_LB_IDEOGRAPHIC:
  case U_LB_H2:
  case U_LB_H3:
  case U_LB_JL:
  case U_LB_JV:
  case U_LB_JT:
  case U_LB_CONDITIONAL_JAPANESE_STARTER:
    return true;
  default:
    return false;
  }
}

/* Removes the breaks between two letters of a word (keep-all).  A
 * combining mark belongs to the letter before it. */
static void apply_keep_all(const char *text, size_t len, uint8_t *out) {
  bool prev = false; /* the last base character is a word letter */
  for (size_t i = 0; i < len;) {
    size_t at = i;
    int32_t c = lp_utf8_next(text, len, &i);
    uint32_t cp = c < 0 ? 0xFFFD : (uint32_t)c;
    if (u_getIntPropertyValue((UChar32)cp, UCHAR_LINE_BREAK) ==
            U_LB_COMBINING_MARK ||
        cp == 0x200D)
      continue;
    bool letter = is_word_letter(cp);
    if (at > 0 && out[at] == LP_BREAK_ALLOWED && prev && letter)
      out[at] = LP_BREAK_NONE;
    prev = letter;
  }
}

/* ---- Links ------------------------------------------------------------ */

/* Whether c ends a token that may hold a link: white space (and no-break
 * spaces), or CJK text, which a link runs into without a space. */
static bool link_edge(uint32_t c) {
  return c <= ' ' || is_nbsp(c) || c == 0x3000 || (c >= 0x2E80 && c < 0xA000) ||
         (c >= 0xAC00 && c < 0xD7B0) || (c >= 0xF900 && c < 0xFB00) ||
         (c >= 0xFF00 && c < 0xFFF0);
}

/* Whether byte c is punctuation around a link rather than part of it. */
static bool link_trail(char c) { return c && strchr(".,;:!?)]}>'\"", c); }
static bool link_lead(char c) { return c && strchr("([{<'\"", c); }

/* Whether the token [a, b) is a URL or an e-mail address: a scheme's
 * "://", a leading "www.", or letters, an '@' and a dot after it. */
static bool is_link(const char *t, size_t a, size_t b) {
  if (b - a >= 4 && !strncasecmp(t + a, "www.", 4)) return true;
  const char *at = NULL;
  for (size_t k = a; k + 2 < b; k++)
    if (t[k] == ':' && t[k + 1] == '/' && t[k + 2] == '/') return true;
  for (size_t k = a + 1; k < b && !at; k++)
    if (t[k] == '@' && isalnum((unsigned char)t[k - 1])) at = t + k;
  return at && memchr(at, '.', (size_t)(t + b - at)) &&
         isalnum((unsigned char)t[b - 1]);
}

/* Whether a line may end after a '/' of a link, before byte k of [a, b):
 * between the parts of its path, as UAX #14 allows (but never inside a
 * number such as 1/2, nor inside "//"). */
static bool link_slash(const char *t, size_t a, size_t b, size_t k) {
  if (k <= a + 1 || k >= b || t[k - 1] != '/' || t[k] == '/') return false;
  return !(k >= 2 && isdigit((unsigned char)t[k - 2]) &&
           isdigit((unsigned char)t[k]));
}

/* Whether a link may break before byte k of [a, b) when it must (Chicago
 * 14.18): before '.', '@', '?', '#', '&', '=', '-', '_', '~' or '%', so
 * that the mark starts the next line and no line ends with a hyphen or a
 * full stop that is not the link's; never inside a number (2024-10-01). */
static bool link_point(const char *t, size_t a, size_t b, size_t k) {
  static const char marks[] = "/.@?#&=-_~%:";
  if (k <= a + 1 || k >= b) return false;
  char c = t[k], prev = t[k - 1];
  if (c == '/' || c == ':' || !strchr(marks, c) || strchr(marks, prev))
    return false;
  return !(isdigit((unsigned char)prev) && k + 1 < b &&
           isdigit((unsigned char)t[k + 1]));
}

/* Replaces the UAX #14 breaks inside each URL and e-mail address of the
 * text: after a '/' a line may end as anywhere (LP_BREAK_ALLOWED), at the
 * other marks only when it must (LP_BREAK_LINK), and nowhere else (UAX #14
 * breaks after the hyphen of a host name, which would read as a
 * hyphenation). */
static void apply_links(const char *text, size_t len, uint8_t *out) {
  for (size_t i = 0; i < len;) {
    size_t a = i, b;
    int32_t c = lp_utf8_next(text, len, &i);
    if (c < 0 || link_edge((uint32_t)c)) continue;
    for (b = i; b < len;) {
      size_t k = b;
      c = lp_utf8_next(text, len, &k);
      if (c < 0 || link_edge((uint32_t)c)) break;
      b = k;
    }
    i = b;
    while (a < b && link_lead(text[a])) a++;
    while (b > a && link_trail(text[b - 1])) b--;
    if (b - a < 5 || !is_link(text, a, b)) continue;
    for (size_t k = a + 1; k < b; k++)
      if (out[k] != LP_BREAK_MANDATORY)
        out[k] = link_slash(text, a, b, k)   ? LP_BREAK_ALLOWED
                 : link_point(text, a, b, k) ? LP_BREAK_LINK
                                             : LP_BREAK_NONE;
  }
}

bool lp_breaks_keep_all(const char *lang, lp_word_break wb) {
  if (wb == LP_WORD_BREAK_KEEP_ALL) return true;
  return wb == LP_WORD_BREAK_AUTO && lp_lang_is(lang, "ko");
}

/* A hyphenation dictionary, by the language it was asked for. */
typedef struct hyph_dict {
  char lang[16];
  HyphenDict *dict; /* NULL: no patterns installed for lang */
} hyph_dict;

struct lp_breaker {
  const char *locales[MAX_LOCALES];
  UBreakIterator *iters[MAX_LOCALES];
  int count;
  hyph_dict dicts[MAX_DICTS];
  int ndicts;
};

lp_breaker *lp_breaker_new(void) { return lp_xcalloc(1, sizeof(lp_breaker)); }

void lp_breaker_free(lp_breaker *b) {
  if (!b) return;
  for (int i = 0; i < b->count; i++) ubrk_close(b->iters[i]);
  for (int i = 0; i < b->ndicts; i++)
    if (b->dicts[i].dict) hnj_hyphen_free(b->dicts[i].dict);
  free(b);
}

const char *lp_breaks_locale(const char *lang) {
  if (lp_lang_is(lang, "ja")) return "ja@lb=strict";
  if (lp_lang_is(lang, "zh")) return "zh@lb=normal";
  if (lp_lang_is(lang, "ko")) return "ko@lb=normal";
  return "en";
}

/* The cached iterator for locale, opened on first use. */
static UBreakIterator *iterator(lp_breaker *b, const char *locale,
                                lp_error *err) {
  for (int i = 0; i < b->count; i++)
    if (b->locales[i] == locale) return b->iters[i];
  UErrorCode st = U_ZERO_ERROR;
  UBreakIterator *it = ubrk_open(UBRK_LINE, locale, NULL, 0, &st);
  if (U_FAILURE(st)) {
    lp_fail(err, LP_ERR_FONT, NULL, 0, 0,
            "ICU line breaking unavailable for %s: %s", locale,
            u_errorName(st));
    return NULL;
  }
  if (b->count == MAX_LOCALES) { /* never more than the fixed set above */
    ubrk_close(b->iters[0]);
    memmove(b->iters, b->iters + 1, sizeof b->iters[0] * (MAX_LOCALES - 1));
    memmove(b->locales, b->locales + 1,
            sizeof b->locales[0] * (MAX_LOCALES - 1));
    b->count--;
  }
  b->locales[b->count] = locale;
  b->iters[b->count++] = it;
  return it;
}

bool lp_breaks_find(lp_breaker *b, const char *text, size_t len,
                    const char *lang, lp_word_break wb, uint8_t *out,
                    lp_error *err) {
  memset(out, LP_BREAK_NONE, len + 1);
  if (len == 0) return true;
  UBreakIterator *it = iterator(b, lp_breaks_locale(lang), err);
  if (!it) return false;
  /* UText over UTF-8 gives native indexes in bytes: no offset mapping. */
  UErrorCode st = U_ZERO_ERROR;
  UText *ut = utext_openUTF8(NULL, text, (int64_t)len, &st);
  ubrk_setUText(it, ut, &st);
  if (U_FAILURE(st)) {
    utext_close(ut);
    return lp_fail(err, LP_ERR_INPUT, NULL, 0, 0,
                   "ICU cannot break this text: %s", u_errorName(st));
  }
  for (int32_t p = ubrk_first(it); p != UBRK_DONE; p = ubrk_next(it)) {
    if (p <= 0 || (size_t)p > len) continue;
    int32_t status = ubrk_getRuleStatus(it);
    out[p] = status >= UBRK_LINE_HARD && status < UBRK_LINE_HARD_LIMIT
                 ? LP_BREAK_MANDATORY
                 : LP_BREAK_ALLOWED;
  }
  static const UChar empty[1] = {0};
  ubrk_setText(it, empty, 0, &st); /* drop the reference to ut */
  utext_close(ut);
  apply_glue(text, len, out);
  apply_links(text, len, out);
  if (lp_lang_is_cjk(lang)) apply_kinsoku(text, len, lang, out);
  if (lp_breaks_keep_all(lang, wb)) apply_keep_all(text, len, out);
  return true;
}

struct lp_graphemes {
  UText *ut;
  UBreakIterator *it;
  size_t len;
};

lp_graphemes *lp_breaks_graphemes_open(const char *text, size_t len) {
  UErrorCode st = U_ZERO_ERROR;
  lp_graphemes *g = lp_xcalloc(1, sizeof *g);
  g->len = len;
  g->ut = utext_openUTF8(NULL, text, (int64_t)len, &st);
  g->it = ubrk_open(UBRK_CHARACTER, "", NULL, 0, &st);
  if (U_SUCCESS(st)) ubrk_setUText(g->it, g->ut, &st);
  if (U_FAILURE(st)) {
    lp_breaks_graphemes_close(g);
    return NULL;
  }
  return g;
}

size_t lp_breaks_graphemes_start(lp_graphemes *g, size_t at) {
  if (!g) return at;
  if (at >= g->len) return g->len;
  if (ubrk_isBoundary(g->it, (int32_t)at)) return at;
  int32_t p = ubrk_preceding(g->it, (int32_t)at);
  return p == UBRK_DONE ? 0 : (size_t)p;
}

void lp_breaks_graphemes_close(lp_graphemes *g) {
  if (!g) return;
  if (g->it) ubrk_close(g->it);
  if (g->ut) utext_close(g->ut);
  free(g);
}

size_t lp_breaks_grapheme_start(const char *text, size_t len, size_t at) {
  if (at >= len) return len;
  lp_graphemes *g = lp_breaks_graphemes_open(text, len);
  size_t start = lp_breaks_graphemes_start(g, at);
  lp_breaks_graphemes_close(g);
  return start;
}

/* ---- Hyphenation ---------------------------------------------------------
 *
 * Liang's patterns (TeX's hyphenation, through libhyphen) for the language
 * of the text.  The layout uses the points only where a line would
 * otherwise be loose or a word does not fit a line at all (see lay_para.c).
 */

bool lp_breaks_is_latin_letter(uint32_t c) {
  if (c < 0x80) return isalpha((int)c) != 0;
  UErrorCode st = U_ZERO_ERROR;
  return u_isalpha((UChar32)c) &&
         uscript_getScript((UChar32)c, &st) == USCRIPT_LATIN;
}

/* Loads the patterns file name in LP_HYPHEN_DIR, or NULL. */
static HyphenDict *load_dict(const char *name) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", LP_HYPHEN_DIR, name);
  FILE *f = fopen(path, "r");
  if (!f) return NULL;
  fclose(f);
  return hnj_hyphen_load(path);
}

/* The patterns for a language tag: hyph_ll_RR.dic for ll-RR, else
 * hyph_ll.dic, else hyph_ll_LL.dic (de_DE for de), else the first
 * hyph_ll_*.dic by name.  Only letters of the tag make the file name. */
static HyphenDict *find_dict(const char *lang) {
  char ll[4] = "", rr[4] = "";
  size_t n = 0;
  while (n < 3 && isalpha((unsigned char)lang[n])) {
    ll[n] = (char)tolower((unsigned char)lang[n]);
    n++;
  }
  ll[n] = '\0';
  if (n < 2 || isalpha((unsigned char)lang[n])) return NULL;
  /* The region: the first two-letter subtag after the language. */
  for (const char *t = lang + n; *t;) {
    while (*t == '-' || *t == '_') t++;
    size_t k = 0;
    while (isalnum((unsigned char)t[k])) k++;
    if (k == 2 && isalpha((unsigned char)t[0]) && isalpha((unsigned char)t[1])) {
      rr[0] = (char)toupper((unsigned char)t[0]);
      rr[1] = (char)toupper((unsigned char)t[1]);
      rr[2] = '\0';
      break;
    }
    if (!k) break;
    t += k;
  }
  char name[64];
  HyphenDict *d = NULL;
  if (rr[0]) {
    snprintf(name, sizeof name, "hyph_%s_%s.dic", ll, rr);
    d = load_dict(name);
  }
  if (!d) {
    snprintf(name, sizeof name, "hyph_%s.dic", ll);
    d = load_dict(name);
  }
  if (!d) {
    snprintf(name, sizeof name, "hyph_%s_%c%c.dic", ll, toupper(ll[0]),
             toupper(ll[1]));
    d = load_dict(name);
  }
  if (d) return d;
  /* Any other region: the first by name, for the same choice every run. */
  DIR *dir = opendir(LP_HYPHEN_DIR);
  if (!dir) return NULL;
  char best[256] = "", prefix[16];
  snprintf(prefix, sizeof prefix, "hyph_%s_", ll);
  for (struct dirent *e; (e = readdir(dir));) {
    size_t len = strlen(e->d_name);
    if (!strncmp(e->d_name, prefix, strlen(prefix)) && len > 4 &&
        len < sizeof best && !strcmp(e->d_name + len - 4, ".dic") &&
        (!best[0] || strcmp(e->d_name, best) < 0))
      snprintf(best, sizeof best, "%s", e->d_name);
  }
  closedir(dir);
  return best[0] ? load_dict(best) : NULL;
}

/* The cached dictionary for lang (NULL when none is installed).  Latin
 * words in Chinese, Japanese and Korean text are taken as English. */
static HyphenDict *dictionary(lp_breaker *b, const char *lang) {
  if (!lang || lp_lang_is_cjk(lang)) lang = "en-US";
  for (int i = 0; i < b->ndicts; i++)
    if (!strcasecmp(b->dicts[i].lang, lang)) return b->dicts[i].dict;
  if (b->ndicts == MAX_DICTS) { /* a document has one or two languages */
    if (b->dicts[0].dict) hnj_hyphen_free(b->dicts[0].dict);
    memmove(b->dicts, b->dicts + 1, sizeof b->dicts[0] * (MAX_DICTS - 1));
    b->ndicts--;
  }
  hyph_dict *h = &b->dicts[b->ndicts++];
  snprintf(h->lang, sizeof h->lang, "%s", lang);
  h->dict = find_dict(lang);
  return h->dict;
}

size_t lp_breaks_hyphenate(lp_breaker *b, const char *word, size_t len,
                           const char *lang, bool *out) {
  memset(out, 0, (len + 1) * sizeof *out);
  HyphenDict *dict = dictionary(b, lang);
  if (!dict || len == 0) return 0;
  /* Patterns are lower case: look the word up in lower case, one code
   * point for one (a word whose case mapping changes its length, such as
   * one with U+0130, is not hyphenated). */
  size_t starts[LP_HYPHEN_MAX_LETTERS + 1]; /* byte offset of each character */
  char lower[LP_HYPHEN_MAX_LETTERS * 4 + 1];
  size_t nchars = 0, nlower = 0;
  for (size_t i = 0; i < len;) {
    if (nchars == LP_HYPHEN_MAX_LETTERS) return 0;
    starts[nchars++] = i;
    int32_t c = lp_utf8_next(word, len, &i);
    if (c < 0) return 0;
    if (c == 0x2019) c = '\''; /* the patterns spell apostrophes so */
    UChar32 lc = u_tolower(c);
    UBool err = false;
    U8_APPEND((uint8_t *)lower, nlower, (int32_t)sizeof lower - 1, lc, err);
    if (err) return 0;
  }
  starts[nchars] = len;
  lower[nlower] = '\0';
  char hyphens[sizeof lower + 5];
  char **rep = NULL;
  int *pos = NULL, *cut = NULL;
  int lmin = dict->lhmin > LP_HYPHEN_LEFT_MIN ? dict->lhmin : LP_HYPHEN_LEFT_MIN;
  int rmin = dict->rhmin > LP_HYPHEN_RIGHT_MIN ? dict->rhmin : LP_HYPHEN_RIGHT_MIN;
  if (hnj_hyphen_hyphenate3(dict, lower, (int)nlower, hyphens, NULL, &rep,
                            &pos, &cut, lmin, rmin, lmin, rmin)) {
    free(rep);
    free(pos);
    free(cut);
    return 0;
  }
  size_t count = 0;
  /* hyphens[k] is odd when the word may break after its character k.
   * Non-standard points (German "ck" -> "k-k", rep[k] set) change the
   * spelling; they are not used. */
  for (size_t k = 0; k + 1 < nchars; k++) {
    if (!(hyphens[k] & 1) || (rep && rep[k])) continue;
    if ((int)(k + 1) < lmin || (int)(nchars - k - 1) < rmin) continue;
    /* Only between two letters (never beside an apostrophe). */
    size_t a = starts[k], c = starts[k + 1];
    int32_t before = lp_utf8_next(word, len, &a);
    int32_t after = lp_utf8_next(word, len, &c);
    if (before < 0 || after < 0 || !lp_breaks_is_latin_letter((uint32_t)before) ||
        !lp_breaks_is_latin_letter((uint32_t)after))
      continue;
    out[starts[k + 1]] = true;
    count++;
  }
  if (rep) {
    for (size_t k = 0; k < nlower; k++) free(rep[k]);
    free(rep);
  }
  free(pos);
  free(cut);
  return count;
}
