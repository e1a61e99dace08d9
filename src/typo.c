/* typo.c - typographic punctuation: dashes, ellipses and the quotation
 * marks of each language, for the text a template types. */
#include "typo.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicode/uchar.h>

#include "fill.h"
#include "locales.h"

/* Where a quote stands is read off the character before it (SmartyPants'
 * rule, and the Chicago Manual's 6.115 reading of a typed quote): after
 * the start of a paragraph, a space, an opening bracket, an opening quote
 * or a dash it opens, after a word or punctuation it closes. */
enum {
  C_START, /* the start of the paragraph (as `next`: its end) */
  C_SPACE,
  C_OPEN,  /* ( [ { < , an opening quote, a dash */
  C_WORD,  /* a letter, digit or mark, a value token, a code span */
  C_PUNCT  /* anything else: . , ; ! ? ) and closing quotes */
};

#define NBSP "\xC2\xA0"        /* U+00A0 NO-BREAK SPACE */
#define NNBSP "\xE2\x80\xAF"   /* U+202F NARROW NO-BREAK SPACE */
#define EN_DASH "\xE2\x80\x93" /* U+2013 */
#define EM_DASH "\xE2\x80\x94" /* U+2014 */
#define ELLIPSIS "\xE2\x80\xA6" /* U+2026 */

/* English (and the default): “double” ‘single’, apostrophe ’. */
static const lp_typo_style english = {"“", "”", "‘", "’", "’", "", false};
/* German, Czech, Slovak, Slovene, Icelandic, Croatian...: „…“ ‚…‘
 * (Duden; ČSN 01 6910). */
static const lp_typo_style german = {"„", "“", "‚", "‘", "’", "", false};
/* Swiss German: «…» ‹…› without spaces (Schweizer Schreibweise). */
static const lp_typo_style swiss = {"«", "»", "‹", "›", "’", "", false};
/* French: « … » with a no-break space inside (Lexique des règles
 * typographiques de l'Imprimerie nationale: espace insécable), “…” inside
 * them; a space typed before ; ! ? becomes a narrow no-break space and
 * one before : a no-break space, so they never start a line. */
static const lp_typo_style french = {"«", "»", "“", "”", "’", NBSP, true};
/* Spanish, Catalan, Italian, Portuguese, Greek: «…» then “…” (RAE,
 * Ortografía 3.4.8). */
static const lp_typo_style romance = {"«", "»", "“", "”", "’", "", false};
/* Russian, Ukrainian, Belarusian, Bulgarian: «…» then „…“ (ГОСТ 7.0.11). */
static const lp_typo_style cyrillic = {"«", "»", "„", "“", "’", "", false};
/* Polish, Romanian, Hungarian, Dutch (older usage aside): „…” then «…». */
static const lp_typo_style polish = {"„", "”", "«", "»", "’", "", false};
/* Swedish, Finnish: ”…” ’…’ (the same mark on both sides). */
static const lp_typo_style nordic = {"”", "”", "’", "’", "’", "", false};
/* Danish: »…« ›…‹ (Retskrivningsordbogen). */
static const lp_typo_style danish = {"»", "«", "›", "‹", "’", "", false};
/* Norwegian: «…» then ‘…’ (Språkrådet). */
static const lp_typo_style norwegian = {"«", "»", "‘", "’", "’", "", false};

/* Primary language subtag -> style.  Languages not listed (CJK, Arabic,
 * Hebrew, Indic scripts...) keep straight punctuation unless asked. */
static const struct {
  const char *lang;
  const lp_typo_style *style;
} styles[] = {
    {"en", &english},   {"nl", &english},   {"ga", &english},
    {"id", &english},   {"ms", &english},   {"tr", &english},
    {"eo", &english},   {"mt", &english},   {"cy", &english},
    {"de", &german},    {"cs", &german},    {"sk", &german},
    {"sl", &german},    {"is", &german},    {"hr", &german},
    {"lt", &german},    {"et", &german},    {"lb", &german},
    {"fr", &french},    {"es", &romance},   {"ca", &romance},
    {"it", &romance},   {"pt", &romance},   {"el", &romance},
    {"gl", &romance},   {"eu", &romance},   {"ru", &cyrillic},
    {"uk", &cyrillic},  {"be", &cyrillic},  {"bg", &cyrillic},
    {"pl", &polish},    {"ro", &polish},    {"hu", &polish},
    {"sv", &nordic},    {"fi", &nordic},    {"da", &danish},
    {"nb", &norwegian}, {"nn", &norwegian}, {"no", &norwegian},
};

/* Whether lang's primary subtag is primary. */
const lp_typo_style *lp_typo_style_for(const char *lang, bool force) {
  if (!lang || !*lang) lang = "en";
  char tag[64]; /* written the BCP 47 way: "de_ch" is "de-CH" */
  if (lp_locales_normalize(lang, tag, sizeof tag)) lang = tag;
  /* Swiss German and Liechtenstein use guillemets, not „“. */
  if (lp_lang_is(lang, "de") && (strstr(lang, "-CH") || strstr(lang, "-LI")))
    return &swiss;
  /* Brazilian Portuguese writes “…” as English does (ABNT usage). */
  if (lp_lang_is(lang, "pt") && strstr(lang, "-BR")) return &english;
  for (size_t k = 0; k < sizeof styles / sizeof styles[0]; k++)
    if (lp_lang_is(lang, styles[k].lang)) return styles[k].style;
  return force ? &english : NULL;
}

void lp_typo_state_init(lp_typo_state *st) {
  st->single_open = st->double_open = 0;
  st->prev = C_START;
}

void lp_typo_state_word(lp_typo_state *st) { st->prev = C_WORD; }

void lp_typo_state_space(lp_typo_state *st) { st->prev = C_SPACE; }

/* The class of code point cp (0: the start or end of the paragraph). */
static int class_of(int32_t cp) {
  if (cp <= 0) return C_START;
  if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' ||
      u_isUWhiteSpace(cp))
    return C_SPACE;
  if (cp < 0x80 && strchr("([{<", (int)cp)) return C_OPEN;
  switch (cp) {
  case 0x201C: case 0x2018: case 0x201E: case 0x201A: /* “ ‘ „ ‚ */
  case 0x00AB: case 0x2039:                           /* « ‹ */
  case 0x2013: case 0x2014:                           /* – — */
    return C_OPEN;
  }
  /* Marks of blanks and fields (template.h) stand for words. */
  if (cp < 0x20) return C_WORD;
  if (u_isalnum(cp) || u_isalpha(cp) || u_getCombiningClass(cp) ||
      u_charType(cp) == U_NON_SPACING_MARK)
    return C_WORD;
  return C_PUNCT;
}

/* The length of a fill value token at s ("{{" LP_FILL_TOKEN_MARK digits
 * "}}", fill.h), or 0. */
static size_t token_len(const char *s, size_t n) {
  if (n < 6 || s[0] != '{' || s[1] != '{' || s[2] != LP_FILL_TOKEN_MARK)
    return 0;
  size_t i = 3;
  while (i < n && s[i] >= '0' && s[i] <= '9') i++;
  if (i == 3 || i + 2 > n || s[i] != '}' || s[i + 1] != '}') return 0;
  return i + 2;
}

/* The first code point at s[i..n), or next when there is none. */
static int32_t peek(const char *s, size_t n, size_t i, int32_t next) {
  if (i >= n) return next;
  if (token_len(s + i, n - i)) return 'a'; /* a value reads as a word */
  return lp_utf8_next(s, n, &i);
}

/* Whether s[i..n) starts, case aside, with an English word that drops its
 * first letters ('tis, 'twas, 'em, 'n', 'cause, 'til): the quote before
 * it is an apostrophe, not an opening quote. */
static bool english_elision(const char *s, size_t n, size_t i) {
  static const char *const words[] = {"tis", "twas", "em", "n", "cause",
                                      "til", "bout", "round"};
  for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
    size_t w = strlen(words[k]);
    if (n - i >= w && !strncasecmp(s + i, words[k], w) &&
        class_of(peek(s, n, i + w, 0)) != C_WORD)
      return true;
  }
  return false;
}

/* Appends a double quote: opening or closing by the character before it
 * and after it.  One between two spaces stays straight, but where the
 * style sets spaces inside quotes (French: " oui ") it closes the open
 * one, else opens. */
static void double_quote(const lp_typo_style *y, const char *s, size_t n,
                         size_t *i, int32_t next, lp_typo_state *st,
                         lp_buf *out) {
  int before = st->prev, after = class_of(peek(s, n, *i + 1, next));
  (*i)++;
  bool spaced = (before == C_START || before == C_SPACE) &&
                (after == C_START || after == C_SPACE);
  if (spaced && !*y->inner_space) {
    lp_buf_append(out, "\"", 1), st->prev = C_PUNCT;
    return;
  }
  bool open = spaced ? st->double_open == 0
                     : before == C_START || before == C_SPACE ||
                           before == C_OPEN;
  /* After a space, with a quote open, before punctuation (" oui ".):
   * the space was typed inside; this one closes. */
  if (open && before == C_SPACE && st->double_open && after == C_PUNCT)
    open = false;
  if (open) {
    lp_buf_puts(out, y->open2);
    lp_buf_puts(out, y->inner_space);
    /* A space typed inside the quote is the one the style sets. */
    if (*y->inner_space && *i < n && s[*i] == ' ') (*i)++;
    st->double_open++;
    st->prev = C_OPEN;
    return;
  }
  if (*y->inner_space) {
    if (out->len && out->data[out->len - 1] == ' ') out->len--;
    lp_buf_puts(out, y->inner_space);
  }
  lp_buf_puts(out, y->close2);
  if (st->double_open) st->double_open--;
  st->prev = C_PUNCT;
}

/* Appends a single quote: an apostrophe inside a word (it's), after one
 * when no single quote is open (the students' books) and before a digit
 * ('90s); otherwise an opening or closing quote as double_quote decides. */
static void single_quote(const lp_typo_style *y, const char *s, size_t n,
                         size_t *i, int32_t next, lp_typo_state *st,
                         lp_buf *out) {
  int before = st->prev;
  int32_t cp = peek(s, n, *i + 1, next);
  int after = class_of(cp);
  (*i)++;
  if (before == C_WORD || before == C_PUNCT) {
    if (before == C_WORD && after == C_WORD) {
      lp_buf_puts(out, y->apostrophe);
      return; /* still inside the word */
    }
    if (st->single_open > 0) {
      st->single_open--;
      lp_buf_puts(out, y->close1);
    } else {
      lp_buf_puts(out, y->apostrophe);
    }
    st->prev = C_PUNCT;
    return;
  }
  if ((cp >= '0' && cp <= '9') ||
      (y == &english && english_elision(s, n, *i))) {
    lp_buf_puts(out, y->apostrophe);
    st->prev = C_WORD;
    return;
  }
  if (after == C_START || after == C_SPACE) {
    lp_buf_append(out, "'", 1), st->prev = C_PUNCT;
    return;
  }
  st->single_open++;
  lp_buf_puts(out, y->open1);
  st->prev = C_OPEN;
}

/* French spacing: the space typed before ; ! ? (or :) becomes a narrow
 * no-break space (a no-break space), which keeps the mark on its line. */
static void french_space_before(lp_buf *out, char mark) {
  if (!out->len || out->data[out->len - 1] != ' ') return;
  out->len--;
  lp_buf_puts(out, mark == ':' ? NBSP : NNBSP);
}

/* Appends a run of hyphens or of full stops at s[*i]: two hyphens an en
 * dash (ranges: 3--5), three an em dash, three stops an ellipsis; other
 * runs as typed (a rule of dashes, leader dots). */
static void run_of(const char *s, size_t n, size_t *i, lp_typo_state *st,
                   lp_buf *out) {
  char c = s[*i];
  size_t k = 0;
  while (*i + k < n && s[*i + k] == c) k++;
  const char *r = c == '-' ? (k == 2 ? EN_DASH : k == 3 ? EM_DASH : NULL)
                           : (k == 3 ? ELLIPSIS : NULL);
  if (r) lp_buf_puts(out, r);
  else lp_buf_append(out, s + *i, k);
  *i += k;
  st->prev = r && c == '-' ? C_OPEN : C_PUNCT;
}

void lp_typo_convert(const lp_typo_style *y, const char *s, size_t n,
                     int32_t next, lp_typo_state *st, lp_buf *out) {
  size_t i = 0;
  while (i < n) {
    size_t tok = token_len(s + i, n - i);
    char c = s[i];
    if (tok) {
      lp_buf_append(out, s + i, tok); /* data stays as typed */
      i += tok;
      st->prev = C_WORD;
    } else if (c == LP_TYPO_ESCAPE && i + 1 < n) {
      /* \" typed: the mark and the character, as they are. */
      lp_buf_append(out, s + i, 2);
      st->prev = class_of((unsigned char)s[i + 1]);
      i += 2;
    } else if (c == '"') {
      double_quote(y, s, n, &i, next, st, out);
    } else if (c == '\'') {
      single_quote(y, s, n, &i, next, st, out);
    } else if (c == '-' || c == '.') {
      run_of(s, n, &i, st, out);
    } else {
      if (y->french_spacing && c && strchr(";!?:", c)) {
        /* Only where a space was typed: http://, 10:30 stay. */
        french_space_before(out, c);
      }
      size_t at = i;
      int32_t cp = lp_utf8_next(s, n, &i);
      lp_buf_append(out, s + at, i - at);
      st->prev = class_of(cp);
    }
  }
}

char *lp_typo_line(const lp_typo_style *style, const char *s) {
  lp_buf out = {0};
  lp_typo_state st;
  lp_typo_state_init(&st);
  lp_typo_convert(style, s, strlen(s), 0, &st, &out);
  char *r = lp_buf_strdup(&out);
  lp_buf_free(&out);
  return r;
}

/* ---- On a Markdown tree ------------------------------------------------ */

/* The inline leaves of a paragraph, heading or table cell, in order. */
typedef struct leaves {
  cmark_node **items;
  size_t count, cap;
} leaves;

/* Collects the leaves of block (text, code, breaks, HTML) into ls. */
static void collect_leaves(cmark_node *block, leaves *ls) {
  cmark_iter *it = cmark_iter_new(block);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *node = cmark_iter_get_node(it);
    if (ev != CMARK_EVENT_ENTER || node == block || cmark_node_first_child(node))
      continue;
    LP_GROW(ls->items, ls->cap, ls->count + 1);
    ls->items[ls->count++] = node;
  }
  cmark_iter_free(it);
}

/* The first code point a leaf shows, for the quote before it: a text's
 * first character, a word for code and HTML, a space for a break. */
static int32_t leaf_start(cmark_node *node) {
  switch (cmark_node_get_type(node)) {
  case CMARK_NODE_TEXT: {
    const char *lit = cmark_node_get_literal(node);
    size_t n = lit ? strlen(lit) : 0;
    return n ? peek(lit, n, 0, 0) : 0;
  }
  case CMARK_NODE_SOFTBREAK:
  case CMARK_NODE_LINEBREAK:
    return ' ';
  default:
    return 'a';
  }
}

/* Whether a text node shows its link's own address (an autolink,
 * <https://x/a--b> or a bare URL or e-mail address): it stays as typed. */
static bool shows_url(cmark_node *node, const char *lit) {
  cmark_node *link = cmark_node_parent(node);
  if (!link || cmark_node_get_type(link) != CMARK_NODE_LINK) return false;
  const char *url = cmark_node_get_url(link);
  if (!url) return false;
  return !strcmp(url, lit) ||
         (!strncmp(url, "mailto:", 7) && !strcmp(url + 7, lit));
}

/* The style of a block whose last text node ends with mark "lang=TAG"
 * mark (then only spaces or other attribute marks, all below 0x20): TAG's
 * quotes (NULL when TAG has none); otherwise style. */
static const lp_typo_style *block_style(const leaves *ls, char mark,
                                        const lp_typo_style *style) {
  cmark_node *last = NULL;
  for (size_t k = ls->count; k-- > 0 && !last;)
    if (cmark_node_get_type(ls->items[k]) == CMARK_NODE_TEXT) last = ls->items[k];
  const char *lit = last ? cmark_node_get_literal(last) : NULL;
  const char *open = mark && lit ? strchr(lit, mark) : NULL;
  if (!open || strncmp(open + 1, "lang=", 5)) return style;
  const char *close = strchr(open + 1, mark);
  if (!close || close - open - 6 >= 36) return style;
  for (const char *r = close + 1; *r; r++)
    if (*r != ' ' && (unsigned char)*r >= 0x20) return style;
  char tag[36];
  snprintf(tag, sizeof tag, "%.*s", (int)(close - open - 6), open + 6);
  return lp_typo_style_for(tag, false);
}

/* Converts the text nodes of one paragraph, heading or table cell. */
static void convert_block(cmark_node *block, const lp_typo_style *style,
                          char lang_mark) {
  leaves ls = {0};
  collect_leaves(block, &ls);
  style = block_style(&ls, lang_mark, style);
  if (!style) {
    free(ls.items);
    return;
  }
  lp_typo_state st;
  lp_typo_state_init(&st);
  lp_buf out = {0};
  for (size_t k = 0; k < ls.count; k++) {
    cmark_node *node = ls.items[k];
    cmark_node_type t = cmark_node_get_type(node);
    if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK) {
      lp_typo_state_space(&st);
      continue;
    }
    if (t != CMARK_NODE_TEXT) {
      lp_typo_state_word(&st);
      continue;
    }
    const char *lit = cmark_node_get_literal(node);
    if (!lit || shows_url(node, lit)) {
      lp_typo_state_word(&st);
      continue;
    }
    int32_t next = k + 1 < ls.count ? leaf_start(ls.items[k + 1]) : 0;
    out.len = 0;
    lp_typo_convert(style, lit, strlen(lit), next, &st, &out);
    lp_buf_append(&out, "", 1);
    if (strcmp((char *)out.data, lit)) cmark_node_set_literal(node, (char *)out.data);
  }
  lp_buf_free(&out);
  free(ls.items);
}

void lp_typo_tree(cmark_node *root, const lp_typo_style *style, char lang_mark) {
  if (!style) return;
  leaves blocks = {0};
  cmark_iter *it = cmark_iter_new(root);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *node = cmark_iter_get_node(it);
    cmark_node_type t = cmark_node_get_type(node);
    if (ev == CMARK_EVENT_ENTER &&
        (t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING ||
         !strcmp(cmark_node_get_type_string(node), "table_cell"))) {
      LP_GROW(blocks.items, blocks.cap, blocks.count + 1);
      blocks.items[blocks.count++] = node;
    }
  }
  cmark_iter_free(it);
  for (size_t k = 0; k < blocks.count; k++) convert_block(blocks.items[k], style, lang_mark);
  free(blocks.items);
}
