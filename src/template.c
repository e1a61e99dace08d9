/* template.c - template parsing: UTF-8 check, YAML front matter, body. */
#include "template.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm.h>
#include <yaml.h>

#include "fill.h"
#include "locales.h"
#include "shape.h"
#include "typo.h"
#include "util.h"

#define MM (72.0 / 25.4)
/* Explicit signature field: as wide as its 13 characters (6.5 em). */
#define SIGNATURE_SYNTAX "[[signature]]"

/* Named paper sizes, portrait, in mm (ISO 216 A and B series; JIS P 0138
 * B series, the B5 of Japanese offices) or points.  A plain "B5" is
 * ISO's here; lp_template_paper makes it JIS B5 in a Japanese letter. */
static const struct {
  const char *name;
  double w, h; /* pt */
} papers[] = {
    {"A3", 297 * MM, 420 * MM},     {"A4", 210 * MM, 297 * MM},
    {"A5", 148 * MM, 210 * MM},     {"A6", 105 * MM, 148 * MM},
    {"B5", 176 * MM, 250 * MM},     {"ISO-B5", 176 * MM, 250 * MM},
    {"JIS-B5", 182 * MM, 257 * MM}, {"Letter", 612, 792},
    {"Legal", 612, 1008},
};
#define JIS_B5_W (182 * MM)
#define JIS_B5_H (257 * MM)

bool lp_parse_length(const char *text, double *pt) {
  char *end;
  errno = 0;
  double v = lp_strtod(text, &end);
  if (end == text || errno || !isfinite(v)) return false;
  while (*end == ' ') end++;
  double unit;
  if (*end == '\0' || strcasecmp(end, "pt") == 0)
    unit = 1;
  else if (strcasecmp(end, "mm") == 0)
    unit = MM;
  else if (strcasecmp(end, "cm") == 0)
    unit = 10 * MM;
  else if (strcasecmp(end, "in") == 0)
    unit = 72;
  else
    return false;
  *pt = v * unit;
  return true;
}

/* Splits text at spaces into at most max lengths; returns how many, or -1
 * when one is not a length or there are too many. */
static int parse_lengths(const char *text, double *out, int max) {
  int n = 0;
  const char *p = text;
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == ',') p++;
    if (!*p) break;
    const char *e = p;
    while (*e && *e != ' ' && *e != '\t' && *e != ',') e++;
    if (n == max) return -1;
    char *word = lp_xstrndup(p, (size_t)(e - p));
    bool ok = lp_parse_length(word, &out[n]);
    free(word);
    if (!ok) return -1;
    n++;
    p = e;
  }
  return n;
}

/* Sets a front-matter text: each control character (a YAML escape such as
 * "\t" or "\e") becomes a space, as none may reach a PDF string or page. */
static void set_string(char **slot, const char *value) {
  free(*slot);
  *slot = lp_xstrdup(value);
  for (char *p = *slot; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7F) *p = ' ';
}

/* Whether text is a plain number from lo to hi (into *v). */
static bool number_in(const char *text, double lo, double hi, double *v) {
  char *end;
  errno = 0;
  *v = lp_strtod(text, &end);
  return end != text && !*end && !errno && *v >= lo && *v <= hi;
}

/* A front-matter boolean: "true" or "false" (any case). */
static bool true_or_false(const char *value, bool *out) {
  bool yes = !strcasecmp(value, "true");
  if (!yes && strcasecmp(value, "false")) return false;
  *out = yes;
  return true;
}

/* Whether text is an amount: a number of em (bare, as paragraph-spacing,
 * or with "em") from lo_em to hi_em, or a length with a unit (pt, mm, cm,
 * in) from lo_pt to hi_pt points. */
static bool amount_in(const char *text, double lo_em, double hi_em,
                      double lo_pt, double hi_pt, lp_amount *a) {
  char *end;
  errno = 0;
  double v = lp_strtod(text, &end);
  if (end == text || errno || !isfinite(v)) return false;
  while (*end == ' ') end++;
  if (!*end || !strcasecmp(end, "em")) {
    if (!(v >= lo_em && v <= hi_em)) return false;
    *a = (lp_amount){v, 0, true};
    return true;
  }
  double pt;
  if (!lp_parse_length(text, &pt) || !(pt >= lo_pt && pt <= hi_pt))
    return false;
  *a = (lp_amount){0, pt, true};
  return true;
}

/* Parses heading-spacing: 1 to 3 comma-separated entries for #, ## and
 * ###, each one amount (before and after) or two (before, after), each
 * from 0 to max_em em or max_pt points. */
static bool heading_spacing(const char *value, double max_em, double max_pt,
                            lp_amount out[3][2]) {
  lp_amount v[3][2] = {{{0}}};
  int n = 0;
  for (const char *p = value; *p;) {
    while (*p == ' ' || *p == '\t' || *p == ',') p++;
    if (!*p) break;
    if (n == 3) return false;
    const char *e = p;
    while (*e && *e != ',') e++;
    int words = 0;
    for (const char *w = p; w < e;) {
      while (w < e && (*w == ' ' || *w == '\t')) w++;
      if (w == e) break;
      const char *we = w;
      while (we < e && *we != ' ' && *we != '\t') we++;
      /* "12 pt" is one amount: a unit alone joins the number before it. */
      const char *u = we;
      while (u < e && (*u == ' ' || *u == '\t')) u++;
      if (u < e && isalpha((unsigned char)*u)) {
        we = u;
        while (we < e && *we != ' ' && *we != '\t') we++;
      }
      char *word = lp_xstrndup(w, (size_t)(we - w));
      bool ok = words < 2 &&
                amount_in(word, 0, max_em, 0, max_pt, &v[n][words]);
      free(word);
      if (!ok) return false;
      words++;
      w = we;
    }
    if (words == 0) return false;
    if (words == 1) v[n][1] = v[n][0];
    n++;
    p = e;
  }
  if (n < 1) return false;
  memcpy(out, v, sizeof v);
  return true;
}

/* The front-matter keys of the LP_TEXT_* texts, in that order. */
static const char *const text_keys[LP_TEXT_COUNT] = {
    "title", "author", "subject", "keywords", "header", "footer"};

const char *lp_meta_text(const lp_meta *m, int which) {
  const char *const texts[LP_TEXT_COUNT] = {m->title,    m->author,
                                            m->subject,  m->keywords,
                                            m->header,   m->footer};
  return which >= 0 && which < LP_TEXT_COUNT ? texts[which] : NULL;
}

/* Compiles the placeholders of text key `key` (now set), if it is one;
 * line and column locate its value. */
static bool compile_text(lp_meta *m, const char *key, const char *file,
                         int line, int column, lp_error *err) {
  for (int k = 0; k < LP_TEXT_COUNT; k++) {
    if (strcmp(key, text_keys[k])) continue;
    lp_fill_program_free(m->fill[k]);
    m->fill[k] = NULL;
    const char *v = lp_meta_text(m, k);
    if (!strstr(v, "{{")) return true;
    m->fill[k] = lp_fill_compile_at(v, strlen(v), file, line, column, err);
    return m->fill[k] != NULL;
  }
  return true;
}

/* ---- Front-matter keys ------------------------------------------------ */

/* Where a value was given, for its errors. */
typedef struct meta_at {
  const char *file;
  int line, column;
  lp_error *err;
} meta_at;

typedef struct meta_key meta_key;

/* Reads value into m's field for key k; false (err set) when it is not
 * a valid value. */
typedef bool meta_parser(lp_meta *m, const meta_key *k, const char *value,
                         const meta_at *at);

/* One of the words a choice key takes, and the value it stands for. */
typedef struct meta_choice {
  const char *word;
  int value;
} meta_choice;

/* A front-matter key: its name, how its value is read into which field of
 * lp_meta, the bounds of a number, and the error message (a format taking
 * the key and then the value). */
struct meta_key {
  const char *name;
  meta_parser *parse;
  size_t slot;  /* offsetof the field in lp_meta */
  size_t flag;  /* offsetof a bool set true with the field, or NO_FLAG */
  double lo, hi;       /* bounds: of a number, or in em for amounts */
  double lo_pt, hi_pt; /* amounts given as lengths: bounds in points */
  const meta_choice *choices; /* the words a choice key takes, ended by
                                 {NULL} */
  const char *message;
};

#define NO_FLAG SIZE_MAX

/* The field of m that k reads into, as a pointer to type. */
#define SLOT(m, k, type) ((type *)((char *)(m) + (k)->slot))

/* Fails with k's message about value. */
static bool bad_value(const meta_key *k, const char *value,
                      const meta_at *at) {
  return lp_fail(at->err, LP_ERR_INPUT, at->file, at->line, at->column,
                 k->message, k->name, value);
}

/* A text (control characters become spaces, see set_string). */
static bool parse_text(lp_meta *m, const meta_key *k, const char *value,
                       const meta_at *at) {
  (void)at;
  set_string(SLOT(m, k, char *), value);
  return true;
}

/* A file or directory relative to the template: any text but empty. */
static bool parse_path(lp_meta *m, const meta_key *k, const char *value,
                       const meta_at *at) {
  if (!*value) return bad_value(k, value, at);
  return parse_text(m, k, value, at);
}

/* font, heading-font, latin-font: a family list, and where it was given
 * (a family that is not installed is warned about there). */
static bool parse_family(lp_meta *m, const meta_key *k, const char *value,
                         const meta_at *at) {
  parse_text(m, k, value, at);
  int *where = !strcmp(k->name, "font")           ? m->font_at
               : !strcmp(k->name, "heading-font") ? m->heading_font_at
                                                  : m->latin_font_at;
  where[0] = at->line, where[1] = at->column;
  return true;
}

/* font-path: a path, and where it was given (for errors about it). */
static bool parse_font_path(lp_meta *m, const meta_key *k, const char *value,
                            const meta_at *at) {
  if (!parse_path(m, k, value, at)) return false;
  m->font_path_line = at->line, m->font_path_column = at->column;
  return true;
}

/* seal: an image path, and where it was given (for the warning when no
 * signature field takes it, and errors about the file). */
static bool parse_seal(lp_meta *m, const meta_key *k, const char *value,
                       const meta_at *at) {
  if (!parse_path(m, k, value, at)) return false;
  m->seal_line = at->line, m->seal_column = at->column;
  return true;
}

/* seal-offset: two lengths, right and up (negative: left, down), each
 * within the key's bounds. */
static bool parse_offset(lp_meta *m, const meta_key *k, const char *value,
                         const meta_at *at) {
  double v[2];
  if (parse_lengths(value, v, 2) != 2 || fabs(v[0]) > k->hi || fabs(v[1]) > k->hi)
    return bad_value(k, value, at);
  double *out = SLOT(m, k, double);
  out[0] = v[0], out[1] = v[1];
  return true;
}

/* pdf-standard: a list of standards the PDF conforms to, each a PDF/A
 * part and level (a-2b, a-2u, a-2a) or PDF/UA-1 (ua-1); at most one PDF/A
 * part.  Stored in m->pdfa_part, m->pdfa_level and m->pdfua. */
static bool parse_pdf_standard(lp_meta *m, const meta_key *k,
                               const char *value, const meta_at *at) {
  int part = 0;
  char level = 0;
  bool ua = false;
  for (const char *p = value; *p;) {
    while (*p == ' ' || *p == ',') p++;
    size_t n = strcspn(p, " ,");
    if (!n) break;
    if (n == 4 && !strncmp(p, "ua-1", 4)) {
      ua = true;
    } else if (n == 4 && !strncmp(p, "a-2", 3) && !part &&
               strchr("bua", p[3])) {
      part = 2, level = p[3];
    } else if (n == 4 && !strncmp(p, "a-1b", 4) && !part) {
      part = 1, level = 'b';
    } else if (n == 4 && !strncmp(p, "a-3", 3) && !part &&
               strchr("bua", p[3])) {
      part = 3, level = p[3];
    } else {
      return lp_fail(at->err, LP_ERR_INPUT, at->file, at->line, at->column,
                     "'%s: %s': write a list of a-1b, a-2b, a-2u, a-2a, "
                     "a-3b, a-3u or a-3a (PDF/A, one of them) and ua-1 "
                     "(PDF/UA-1), e.g. [a-2a, ua-1]",
                     k->name, value);
    }
    p += n;
  }
  if (!part && !ua) return bad_value(k, value, at);
  if (part == 1 && ua)
    return lp_fail(at->err, LP_ERR_INPUT, at->file, at->line, at->column,
                   "'%s: %s': PDF/A-1 (PDF 1.4) does not combine with "
                   "PDF/UA-1 (PDF 1.7): write [a-2a, ua-1]",
                   k->name, value);
  m->pdfa_part = part, m->pdfa_level = level, m->pdfua = ua;
  return true;
}

/* A BCP 47 language tag; zh_TW (the POSIX locale's spelling) is read as
 * zh-TW. */
static bool parse_lang(lp_meta *m, const meta_key *k, const char *value,
                       const meta_at *at) {
  char tag[64], why[200];
  if (!lp_locales_normalize(value, tag, sizeof tag)) tag[0] = '\0';
  if (!lp_locales_check(tag, why, sizeof why))
    return lp_fail(at->err, LP_ERR_INPUT, at->file, at->line, at->column,
                   k->message, k->name, value, why);
  set_string(SLOT(m, k, char *), tag);
  return true;
}

/* Whether text ends with the word word (after a space); if so, *n is
 * the length of the text before it, spaces trimmed. */
static bool ends_with_word(const char *text, const char *word, size_t *n) {
  size_t t = strlen(text), w = strlen(word);
  if (t <= w || strcasecmp(text + t - w, word) || text[t - w - 1] != ' ')
    return false;
  *n = t - w;
  while (*n && text[*n - 1] == ' ') (*n)--;
  return true;
}

/* A named paper size, or a width and height within the bounds, then
 * optionally "landscape" (width and height swapped to make it wide) or
 * "portrait" (tall). */
static bool parse_paper(lp_meta *m, const meta_key *k, const char *value,
                        const meta_at *at) {
  size_t n = strlen(value);
  bool landscape = ends_with_word(value, "landscape", &n), portrait = false;
  if (!landscape) portrait = ends_with_word(value, "portrait", &n);
  char *size = lp_xstrndup(value, n);
  double wh[2] = {0, 0};
  bool named = false;
  for (size_t i = 0; i < sizeof papers / sizeof papers[0] && !named; i++)
    if (strcasecmp(size, papers[i].name) == 0) {
      wh[0] = papers[i].w, wh[1] = papers[i].h, named = true;
      m->paper_b5 = !strcasecmp(size, "B5");
    }
  bool ok = named || (parse_lengths(size, wh, 2) == 2 && wh[0] >= k->lo &&
                      wh[1] >= k->lo && wh[0] <= k->hi && wh[1] <= k->hi);
  if (ok && !named) m->paper_b5 = false;
  free(size);
  if (!ok) return bad_value(k, value, at);
  bool swap = (landscape && wh[0] < wh[1]) || (portrait && wh[0] > wh[1]);
  m->paper_w = swap ? wh[1] : wh[0];
  m->paper_h = swap ? wh[0] : wh[1];
  return true;
}

/* 1 to 4 lengths in CSS order: 1 = all, 2 = vertical horizontal,
 * 3 = top horizontal bottom, 4 = top right bottom left. */
static bool parse_margin(lp_meta *m, const meta_key *k, const char *value,
                         const meta_at *at) {
  double v[4];
  int n = parse_lengths(value, v, 4);
  if (n < 1) return bad_value(k, value, at);
  for (int i = 0; i < n; i++)
    if (v[i] < 0)
      return lp_fail(at->err, LP_ERR_INPUT, at->file, at->line, at->column,
                     "'%s: %s' has a negative length", k->name, value);
  double top = v[0], right = n > 1 ? v[1] : v[0];
  double bottom = n > 2 ? v[2] : v[0], left = n > 3 ? v[3] : right;
  double *out = SLOT(m, k, double);
  out[0] = top, out[1] = right, out[2] = bottom, out[3] = left;
  return true;
}

/* A length (pt, mm, cm, in) within the bounds, in points. */
static bool parse_size(lp_meta *m, const meta_key *k, const char *value,
                       const meta_at *at) {
  double v;
  if (!lp_parse_length(value, &v) || v < k->lo || v > k->hi)
    return bad_value(k, value, at);
  *SLOT(m, k, double) = v;
  return true;
}

/* A plain number within the bounds. */
static bool parse_number(lp_meta *m, const meta_key *k, const char *value,
                         const meta_at *at) {
  double v;
  if (!number_in(value, k->lo, k->hi, &v)) return bad_value(k, value, at);
  *SLOT(m, k, double) = v;
  return true;
}

/* A whole number within the bounds. */
static bool parse_count(lp_meta *m, const meta_key *k, const char *value,
                        const meta_at *at) {
  char *end;
  long v = strtol(value, &end, 10);
  if (end == value || *end || v < k->lo || v > k->hi)
    return bad_value(k, value, at);
  *SLOT(m, k, int) = (int)v;
  return true;
}

/* heading-sizes: 1 to 3 numbers within the bounds, for #, ## and ###. */
static bool parse_sizes(lp_meta *m, const meta_key *k, const char *value,
                        const meta_at *at) {
  double v[3] = {0, 0, 0};
  int n = 0;
  const char *p = value;
  while (*p && n < 4) {
    while (*p == ' ' || *p == ',') p++;
    if (!*p) break;
    char *end;
    double x = lp_strtod(p, &end);
    if (end == p || n == 3 || !(x >= k->lo && x <= k->hi)) {
      n = -1;
      break;
    }
    v[n++] = x;
    p = end;
  }
  if (n < 1) return bad_value(k, value, at);
  memcpy(SLOT(m, k, double), v, sizeof v);
  return true;
}

/* heading-spacing (see heading_spacing), up to hi em or hi_pt points. */
static bool parse_spacing(lp_meta *m, const meta_key *k, const char *value,
                          const meta_at *at) {
  if (!heading_spacing(value, k->hi, k->hi_pt, m->heading_spacing))
    return bad_value(k, value, at);
  return true;
}

/* An amount: em from lo to hi, or a length from lo_pt to hi_pt. */
static bool parse_amount(lp_meta *m, const meta_key *k, const char *value,
                         const meta_at *at) {
  lp_amount a;
  if (!amount_in(value, k->lo, k->hi, k->lo_pt, k->hi_pt, &a))
    return bad_value(k, value, at);
  *SLOT(m, k, lp_amount) = a;
  return true;
}

/* A boolean: true or false. */
static bool parse_bool(lp_meta *m, const meta_key *k, const char *value,
                       const meta_at *at) {
  if (!true_or_false(value, SLOT(m, k, bool))) return bad_value(k, value, at);
  return true;
}

/* A boolean stored negated (hyphenate: into no_hyphenate). */
static bool parse_negated_bool(lp_meta *m, const meta_key *k,
                               const char *value, const meta_at *at) {
  bool on;
  if (!true_or_false(value, &on)) return bad_value(k, value, at);
  *SLOT(m, k, bool) = !on;
  return true;
}

/* smart-punctuation: true or false, stored as LP_SMART_ON or _OFF (not
 * given stays LP_SMART_AUTO). */
static bool parse_smart(lp_meta *m, const meta_key *k, const char *value,
                        const meta_at *at) {
  bool on;
  if (!true_or_false(value, &on)) return bad_value(k, value, at);
  *SLOT(m, k, int) = on ? LP_SMART_ON : LP_SMART_OFF;
  return true;
}

/* The enumerations a choice key writes as an int. */
_Static_assert(sizeof(lp_word_break) == sizeof(int),
               "word-break is stored as an int");

/* One of the key's words (case matters), stored as its value. */
static bool parse_choice(lp_meta *m, const meta_key *k, const char *value,
                         const meta_at *at) {
  for (const meta_choice *c = k->choices; c->word; c++)
    if (!strcmp(value, c->word)) {
      int v = c->value;
      memcpy(SLOT(m, k, int), &v, sizeof v);
      return true;
    }
  return bad_value(k, value, at);
}

static const meta_choice numbering_words[] = {
    {"letter", LP_NUMBER_LETTER}, {"document", LP_NUMBER_DOCUMENT}, {NULL, 0}};
static const meta_choice word_break_words[] = {
    {"keep-all", LP_WORD_BREAK_KEEP_ALL},
    {"normal", LP_WORD_BREAK_NORMAL},
    {NULL, 0}};
static const meta_choice print_urls_words[] = {
    {"inline", LP_PRINT_URLS_INLINE},
    {"footnote", LP_PRINT_URLS_FOOTNOTE},
    {"none", LP_PRINT_URLS_NONE},
    {NULL, 0}};

/* Entries of the key table, by how the value is read. */
#define TEXT(key, field)                                                   \
  {.name = key, .parse = parse_text, .slot = offsetof(lp_meta, field),      \
   .flag = NO_FLAG}
#define KEY(key, parser, field, ...)                                       \
  {.name = key, .parse = parser, .slot = offsetof(lp_meta, field),          \
   .flag = NO_FLAG, __VA_ARGS__}
/* Keys that share their reading and message but for the field. */
#define LINES(key, field)                                                  \
  KEY(key, parse_count, field, .lo = 1, .hi = 9,                           \
      .message = "'%s: %s' is not a number of lines from 1 to 9 (the "     \
                 "default is 2)")
#define IMAGE(key, field)                                                  \
  KEY(key, parse_path, field,                                              \
      .message = "'%s' needs an image file (PNG or JPEG), relative to "    \
                 "the template")
#define INDENT(key, field)                                                 \
  KEY(key, parse_amount, field, .lo = 0.5, .hi = 6, .lo_pt = 4,            \
      .hi_pt = 72,                                                         \
      .message = "'%s: %s' is not an indent in em from 0.5 to 6 (e.g. "    \
                 "1.5) or a length from 4pt to 72pt (e.g. 8mm); the "      \
                 "default is 2")

/* The front-matter keys, in the order the README lists them (and the
 * unknown-key error names them). */
static const meta_key meta_keys[] = {
    TEXT("title", title),
    TEXT("author", author),
    TEXT("subject", subject),
    TEXT("keywords", keywords),
    KEY("lang", parse_lang, lang, .message = "'%s: %s' %s"),
    KEY("paper", parse_paper, paper_w, .lo = 72, .hi = 14400,
        .message = "'%s: %s' is not a paper size: write A3, A4, A5, A6, "
                   "B5, ISO-B5, JIS-B5, Letter, Legal, or a width and "
                   "height such as '210mm 297mm' (1in to 200in), then "
                   "'landscape' for a wide page if need be (A4 landscape)"),
    {.name = "margin", .parse = parse_margin,
     .slot = offsetof(lp_meta, margin), .flag = offsetof(lp_meta, margin_set),
     .message = "'%s: %s' is not 1 to 4 lengths: write e.g. "
                "'25mm' or '20mm 25mm' (top/bottom, left/right)"},
    KEY("font", parse_family, font),
    KEY("font-size", parse_size, font_size, .lo = 4, .hi = 72,
        .message = "'%s: %s' is not a size from 4pt to 72pt"),
    KEY("line-height", parse_number, line_height, .lo = 0.8, .hi = 4,
        .message = "'%s: %s' is not a multiple of the font size "
                   "from 0.8 to 4 (e.g. 1.6)"),
    TEXT("header", header),
    TEXT("footer", footer),
    KEY("page-numbering", parse_choice, numbering,
        .choices = numbering_words,
        .message = "'%s: %s': write 'letter' (each letter "
                   "counts its own pages) or 'document'"),
    KEY("latin-font", parse_family, latin_font),
    KEY("heading-font", parse_family, heading_font),
    LINES("orphans", orphans),
    LINES("widows", widows),
    IMAGE("letterhead", letterhead),
    KEY("seal", parse_seal, seal,
        .message = "'%s' needs an image file (PNG or JPEG), relative to "
                   "the template"),
    TEXT("letterhead-alt", letterhead_alt),
    TEXT("seal-alt", seal_alt),
    KEY("pdf-standard", parse_pdf_standard, pdfa_part,
        .message = "'%s: %s': write a list of a-1b, a-2b, a-2u, "
                   "a-2a, a-3b, a-3u or a-3a and ua-1"),
    KEY("tagged", parse_negated_bool, untagged,
        .message = "'%s: %s': write 'true' (a tagged PDF: structure for "
                   "screen readers and reflow, the default) or 'false'"),
    {.name = "paragraph-spacing", .parse = parse_number,
     .slot = offsetof(lp_meta, paragraph_spacing),
     .flag = offsetof(lp_meta, paragraph_spacing_set), .lo = 0, .hi = 3,
     .message = "'%s: %s' is not a space between "
                "paragraphs in em, from 0 to 3 (the default is 0.5)"},
    KEY("heading-sizes", parse_sizes, heading_sizes, .lo = 0.5, .hi = 4,
        .message = "'%s: %s': give 1 to 3 sizes for #, ## and ### "
                   "headings, in body sizes from 0.5 to 4 (the default is "
                   "1.5, 1.15, 1.05)"),
    KEY("heading-spacing", parse_spacing, heading_spacing, .lo = 0, .hi = 6,
        .lo_pt = 0, .hi_pt = 72,
        .message = "'%s: %s': give 1 to 3 entries for #, ## "
                   "and ### headings, separated by commas, each the space "
                   "before and after the heading (one value: both), in em "
                   "from 0 to 6 or as lengths up to 72pt, e.g. '0 1, 1 0.4, "
                   "12pt 4pt' (the default is 0 1, 1 0.4, 0.8 0.3)"),
    INDENT("list-indent", list_indent),
    INDENT("quote-indent", quote_indent),
    KEY("hyphenate", parse_negated_bool, no_hyphenate,
        .message = "'%s: %s': write 'true' (Latin words may be "
                   "hyphenated at line ends, the default) or 'false'"),
    KEY("word-break", parse_choice, word_break, .choices = word_break_words,
        .message = "'%s: %s': write 'keep-all' (lines break "
                   "only between words, the default for Korean) or "
                   "'normal' (also between syllables or ideographs)"),
    KEY("font-hinting", parse_bool, font_hinting,
        .message = "'%s: %s': write 'true' (embed the CJK "
                   "fonts' hints) or 'false' (leave them out, the "
                   "default: smaller files)"),
    KEY("font-path", parse_font_path, font_path,
        .message = "'%s' needs a directory of font files, relative "
                   "to the template (several: a list)"),
    KEY("attach-data", parse_bool, attach_data,
        .message = "'%s: %s': write 'true' (the record travels with the "
                   "letter as data.json) or 'false' (the default)"),
    KEY("smart-punctuation", parse_smart, smart_punctuation,
        .message = "'%s: %s': write 'true' (typographic quotes, dashes "
                   "and ellipses, the default for Latin, Greek and "
                   "Cyrillic letters) or 'false' (as typed)"),
    KEY("header-first", parse_negated_bool, no_header_first,
        .message = "'%s: %s': write 'false' (no header on the first page "
                   "of each letter, as on letterhead paper) or 'true' (the "
                   "default)"),
    KEY("print-urls", parse_choice, print_urls, .choices = print_urls_words,
        .message = "'%s: %s': write 'inline' (a link's address printed "
                   "after its text, the default), 'footnote' (printed as "
                   "a footnote) or 'none' (only the clickable link)"),
    KEY("seal-size", parse_size, seal_size, .lo = 10 * MM, .hi = 100 * MM,
        .message = "'%s: %s' is not a seal size from 10mm to 100mm (e.g. "
                   "40mm, the larger side)"),
    KEY("seal-offset", parse_offset, seal_offset, .hi = 50 * MM,
        .message = "'%s: %s': give two lengths, right and up, each up to "
                   "50mm either way (e.g. '5mm -3mm')"),
};

#undef TEXT
#undef KEY
#undef LINES
#undef IMAGE
#undef INDENT

/* Fails about an unknown key, naming every key of the table. */
static bool unknown_key(const char *key, const meta_at *at) {
  lp_buf keys = {0};
  for (size_t i = 0; i < sizeof meta_keys / sizeof meta_keys[0]; i++)
    lp_buf_printf(&keys, "%s%s", i ? ", " : "", meta_keys[i].name);
  lp_fail(at->err, LP_ERR_INPUT, at->file, at->line, at->column,
          "unknown front-matter key '%s': the keys are %s", key,
          (char *)keys.data);
  lp_buf_free(&keys);
  return false;
}

/* Sets key from value (see lp_meta_set), but for its placeholders. */
static bool set_key(lp_meta *m, const char *key, const char *value,
                    const meta_at *at) {
  for (size_t i = 0; i < sizeof meta_keys / sizeof meta_keys[0]; i++) {
    const meta_key *k = &meta_keys[i];
    if (strcmp(key, k->name)) continue;
    if (!k->parse(m, k, value, at)) return false;
    if (k->flag != NO_FLAG) *(bool *)((char *)m + k->flag) = true;
    return true;
  }
  return unknown_key(key, at);
}

bool lp_meta_set(lp_meta *m, const char *key, const char *value,
                 const char *file, int line, int column, lp_error *err) {
  meta_at at = {file, line, column, err};
  if (!set_key(m, key, value, &at)) return false;
  return compile_text(m, key, file, line, column, err);
}

/* The text of b, NUL-terminated even when its length was reset to 0 and
 * nothing appended since (lp_buf_append of no bytes writes no terminator,
 * so an empty value would read as the value before it). */
static const char *buf_text(lp_buf *b) {
  LP_GROW(b->data, b->cap, b->len + 1);
  b->data[b->len] = '\0';
  return (const char *)b->data;
}

/* Whether a scalar is YAML's null (YAML 1.2 core schema: an unquoted ~,
 * null, Null, NULL or nothing): a value given as empty. */
static bool yaml_null(const yaml_event_t *ev) {
  static const char *const nulls[] = {"~", "null", "Null", "NULL"};
  if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return false;
  for (size_t k = 0; k < sizeof nulls / sizeof nulls[0]; k++)
    if (ev->data.scalar.length == strlen(nulls[k]) &&
        !memcmp(ev->data.scalar.value, nulls[k], ev->data.scalar.length))
      return true;
  return false;
}

/* ---- YAML mistakes ---------------------------------------------------- */

/* Line number line (from 0) of the parser's input, as [*start, end). */
static const char *yaml_line(const yaml_parser_t *p, size_t line,
                             const char **end) {
  const char *s = (const char *)p->input.string.start,
             *e = (const char *)p->input.string.end;
  for (size_t k = 0; k < line && s < e; k++) {
    const char *nl = memchr(s, '\n', (size_t)(e - s));
    s = nl ? nl + 1 : e;
  }
  const char *nl = memchr(s, '\n', (size_t)(e - s));
  *end = nl ? nl : e;
  while (*end > s && ((*end)[-1] == '\r' || (*end)[-1] == ' ')) (*end)--;
  return s;
}

/* A value with ": " unquoted (title: Re: Notice): libyaml reads a second
 * mapping.  Says so and writes the line as it should be, the value in
 * double quotes (single quotes when it holds a double one). */
static bool colon_in_value(const yaml_parser_t *p, int line, int col,
                           lp_error *err, const char *file) {
  const char *end, *s = yaml_line(p, p->problem_mark.line, &end);
  const char *colon = memchr(s, ':', (size_t)(end - s));
  if (!colon || colon == s) return false;
  const char *v = colon + 1;
  while (v < end && (*v == ' ' || *v == '\t')) v++;
  if (v >= end || *v == '"' || *v == '\'') return false;
  int klen = (int)(colon - s), vlen = (int)(end - v);
  bool dq = memchr(v, '"', (size_t)vlen) != NULL;
  lp_buf fixed = {0};
  lp_buf_printf(&fixed, "%.*s: %c", klen, s, dq ? '\'' : '"');
  for (const char *c = v; c < end; c++) /* a quote inside is doubled */
    lp_buf_append(&fixed, dq && *c == '\'' ? "''" : c, dq && *c == '\'' ? 2 : 1);
  lp_buf_printf(&fixed, "%c", dq ? '\'' : '"');
  lp_fail(err, LP_ERR_INPUT, file, line, col,
          "a colon and a space inside a value start a mapping in YAML: put "
          "the value in quotes: %s", (char *)fixed.data);
  lp_buf_free(&fixed);
  return true;
}

/* Fails with libyaml's error, and for the common mistakes what to write
 * instead: a value holding ": ", a tab in an indent, a quote never
 * closed.  line0 is the file's line of the YAML's first line. */
static bool yaml_error(const yaml_parser_t *p, const char *file, int line0,
                       lp_error *err) {
  const char *problem = p->problem ? p->problem : "syntax error";
  int line = line0 + (int)p->problem_mark.line;
  int col = (int)p->problem_mark.column + 1;
  if (strstr(problem, "mapping values are not allowed") &&
      colon_in_value(p, line, col, err, file))
    return false;
  if (strstr(problem, "tab character"))
    return lp_fail(err, LP_ERR_INPUT, file, line, col,
                   "a tab in the front matter: YAML indents with spaces "
                   "only; replace the tab with spaces (the keys start at the "
                   "margin)");
  if (p->context && strstr(p->context, "quoted scalar"))
    return lp_fail(err, LP_ERR_INPUT, file,
                   line0 + (int)p->context_mark.line,
                   (int)p->context_mark.column + 1,
                   "the quoted value that starts here is never closed: end "
                   "it with the same quote on its line");
  return lp_fail(err, LP_ERR_INPUT, file, line, col,
                 "bad YAML in the front matter: %s (write 'key: value' "
                 "lines; quote a value that holds ': ' or starts with a "
                 "quote, [, {, &, *, !, |, >, %% or @)",
                 problem);
}

/* Reads a scalar or a sequence of scalars (joined with ", ") as a value;
 * a null scalar is the empty value. */
static bool yaml_value(yaml_parser_t *p, yaml_event_t *ev, lp_buf *out,
                       const char *file, int line0, lp_error *err) {
  if (ev->type == YAML_SCALAR_EVENT) {
    if (!yaml_null(ev))
      lp_buf_append(out, ev->data.scalar.value, ev->data.scalar.length);
    return true;
  }
  if (ev->type != YAML_SEQUENCE_START_EVENT)
    return lp_fail(err, LP_ERR_INPUT, file,
                   line0 + (int)ev->start_mark.line,
                   (int)ev->start_mark.column + 1,
                   "front-matter values are text or a list of text");
  for (int n = 0;; n++) {
    yaml_event_t item;
    if (!yaml_parser_parse(p, &item)) return yaml_error(p, file, line0, err);
    if (item.type == YAML_SEQUENCE_END_EVENT) {
      yaml_event_delete(&item);
      return true;
    }
    if (item.type != YAML_SCALAR_EVENT) {
      lp_fail(err, LP_ERR_INPUT, file, line0 + (int)item.start_mark.line,
              (int)item.start_mark.column + 1,
              "a front-matter list holds only text items");
      yaml_event_delete(&item);
      return false;
    }
    if (n) lp_buf_puts(out, ", ");
    lp_buf_append(out, item.data.scalar.value, item.data.scalar.length);
    yaml_event_delete(&item);
  }
}

/* Parses the YAML between the --- lines (yaml, len bytes) whose first line
 * is line line0 of the file. */
static bool parse_front_matter(lp_meta *meta, const char *yaml, size_t len,
                               const char *file, int line0, lp_error *err) {
  yaml_parser_t p;
  yaml_parser_initialize(&p);
  yaml_parser_set_input_string(&p, (const unsigned char *)yaml, len);
  bool ok = true, in_map = false, done = false;
  lp_buf key = {0}, value = {0};
  while (ok && !done) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&p, &ev)) {
      ok = yaml_error(&p, file, line0, err);
      break;
    }
    int line = line0 + (int)ev.start_mark.line;
    int col = (int)ev.start_mark.column + 1;
    switch (ev.type) {
    case YAML_STREAM_END_EVENT:
      done = true;
      break;
    case YAML_STREAM_START_EVENT:
    case YAML_DOCUMENT_START_EVENT:
    case YAML_DOCUMENT_END_EVENT:
      break;
    case YAML_MAPPING_START_EVENT:
      if (in_map)
        ok = lp_fail(err, LP_ERR_INPUT, file, line, col,
                     "front-matter values are text, not mappings");
      in_map = true;
      break;
    case YAML_MAPPING_END_EVENT:
      in_map = false;
      break;
    case YAML_SCALAR_EVENT: {
      if (!in_map) {
        if (ev.data.scalar.length)
          ok = lp_fail(err, LP_ERR_INPUT, file, line, col,
                       "the front matter must be 'key: value' lines");
        break;
      }
      key.len = 0;
      lp_buf_append(&key, ev.data.scalar.value, ev.data.scalar.length);
      yaml_event_t vev;
      if (!yaml_parser_parse(&p, &vev)) {
        ok = yaml_error(&p, file, line0, err);
        break;
      }
      value.len = 0;
      int vline = line0 + (int)vev.start_mark.line;
      int vcol = (int)vev.start_mark.column + 1;
      /* A quoted text starts after its quote: placeholders are located in
       * it from there. */
      bool quoted = vev.type == YAML_SCALAR_EVENT &&
                    (vev.data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                     vev.data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE);
      ok = yaml_value(&p, &vev, &value, file, line0, err);
      yaml_event_delete(&vev);
      /* An unknown key is reported at the key. */
      meta_at at = {file, line, col, err};
      if (ok) ok = set_key(meta, buf_text(&key), buf_text(&value), &at);
      if (!ok && err && err->line == line && err->column == col &&
          strncmp(err->message, "unknown", 7) != 0) {
        err->line = vline;
        err->column = vcol;
      }
      if (ok)
        ok = compile_text(meta, buf_text(&key), file, vline,
                          vcol + (quoted ? 1 : 0), err);
      break;
    }
    default:
      ok = lp_fail(err, LP_ERR_INPUT, file, line, col,
                   "the front matter must be 'key: value' lines");
    }
    yaml_event_delete(&ev);
  }
  lp_buf_free(&key);
  lp_buf_free(&value);
  yaml_parser_delete(&p);
  return ok;
}

/* Whether the line [p, end) is exactly marker, allowing trailing blanks
 * and a CR. */
static bool line_is(const char *p, const char *end, const char *marker) {
  size_t n = strlen(marker);
  if ((size_t)(end - p) < n || memcmp(p, marker, n) != 0) return false;
  for (p += n; p < end; p++)
    if (*p != ' ' && *p != '\t' && *p != '\r') return false;
  return true;
}

/* Marks fill-in blanks in the source: each '_' of a run of three or more
 * becomes LP_BLANK_CHAR, and each byte of [[signature]] LP_SIGNATURE_CHAR,
 * everywhere — Markdown then never reads a blank as emphasis.  Whether a
 * mark sits in code is Markdown's call, not ours: lp_template_unmark_code
 * puts the characters back in the code of the parsed tree.  Done before
 * placeholders are filled, so data can never make a field.  A backslash
 * escapes the character after it, as in Markdown. */
/* The length of a {lang=TAG} attribute at s[j], or 0. */
static size_t lang_attr_at(const char *s, size_t len, size_t j) {
  size_t n = strlen(LP_ATTR_LANG), k = j + n;
  if (len - j < n || strncmp(s + j, LP_ATTR_LANG, n)) return 0;
  while (k < len && k - j - n < LP_LANG_MAX &&
         (isalnum((unsigned char)s[k]) || s[k] == '-' || s[k] == '_'))
    k++;
  return k > j + n && k < len && s[k] == '}' ? k + 1 - j : 0;
}

/* The length of a block attribute at s[j] ({.right}, {.center},
 * {lang=TAG}), or 0. */
static size_t block_attr_at(const char *s, size_t len, size_t j) {
  const char *fixed[] = {LP_ATTR_RIGHT, LP_ATTR_CENTER};
  for (size_t i = 0; i < 2; i++)
    if (len - j >= strlen(fixed[i]) &&
        !strncmp(s + j, fixed[i], strlen(fixed[i])))
      return strlen(fixed[i]);
  return lang_attr_at(s, len, j);
}

/* Whether the rest of the line from s[k] holds only blanks and block
 * attributes (# Title {.center} {lang=en}). */
static bool rest_is_attrs(const char *s, size_t len, size_t k) {
  while (k < len && s[k] != '\n') {
    size_t n = block_attr_at(s, len, k);
    if (n)
      k += n;
    else if (s[k] == ' ' || s[k] == '\t' || s[k] == '\r')
      k++;
    else
      return false;
  }
  return true;
}

/* Whether attr stands at s[j] with only blanks (or other block
 * attributes) after it on its line. */
static bool attr_at_line_end(const char *s, size_t len, size_t j,
                             const char *attr) {
  size_t n = strlen(attr);
  if (len - j < n || strncmp(s + j, attr, n)) return false;
  return rest_is_attrs(s, len, j + n);
}

/* Where a link's target starting at j ends (past it), or j when none
 * starts there: an inline link's "](destination "title")", a reference
 * definition's line ("[id]: url "title""), an autolink "<scheme:...>".
 * There a backslash is Markdown's own (it keeps a quote from ending the
 * title) or no escape at all, so smart punctuation must not take it. */
static size_t link_target_end(const char *s, size_t len, size_t j) {
  if (s[j] == ']' && j + 1 < len && s[j + 1] == '(') {
    int depth = 0;
    for (size_t k = j + 2; k < len; k++) {
      if (s[k] == '\\') k++;
      else if (s[k] == '(') depth++;
      else if (s[k] == ')' && depth-- == 0) return k + 1;
      else if (s[k] == '\n' && k + 1 < len && s[k + 1] == '\n') return k;
    }
    return len;
  }
  if (s[j] == '[' && (j == 0 || s[j - 1] == '\n' ||
                      (j <= 3 && strspn(s, " ") >= j) ||
                      (j > 3 && s[j - 1] == ' ' && memchr(s + j - 4, '\n', 4)))) {
    const char *close = memchr(s + j, ']', len - j);
    const char *eol = memchr(s + j, '\n', len - j);
    if (close && (!eol || close < eol) && (size_t)(close - s) + 1 < len &&
        close[1] == ':')
      return eol ? (size_t)(eol - s) : len;
  }
  if (s[j] == '<') {
    size_t k = j + 1;
    while (k < len && (isalnum((unsigned char)s[k]) || s[k] == '+' ||
                       s[k] == '.' || s[k] == '-'))
      k++;
    if (k > j + 1 && k < len && s[k] == ':') {
      const char *gt = memchr(s + k, '>', len - k);
      const char *sp = memchr(s + k, ' ', len - k);
      if (gt && (!sp || gt < sp)) return (size_t)(gt - s) + 1;
    }
  }
  return j;
}

static void mark_blanks(char *s, size_t len) {
  size_t n_sig = strlen(SIGNATURE_SYNTAX), n_lang;
  size_t target_end = 0; /* inside a link's target before this */
  for (size_t j = 0; j < len;) {
    if (j >= target_end) target_end = link_target_end(s, len, j);
    if (s[j] == '\\' && j + 1 < len) {
      /* \" \' \- \.: kept as typed by smart punctuation (typo.h); not
       * in a link's target, where the backslash is Markdown's. */
      if (j >= target_end && strchr("\"'-.", s[j + 1])) s[j] = LP_TYPO_ESCAPE;
      j += 2;
    } else if ((n_lang = lang_attr_at(s, len, j)) &&
               rest_is_attrs(s, len, j + n_lang)) {
      s[j] = s[j + n_lang - 1] = LP_LANG_CHAR;
      for (size_t k = j; k < j + n_lang; k++) /* zh_TW: one text node */
        if (s[k] == '_') s[k] = '-';
      j += n_lang;
    } else if (attr_at_line_end(s, len, j, LP_ATTR_RIGHT)) {
      memset(s + j, LP_RIGHT_CHAR, strlen(LP_ATTR_RIGHT));
      j += strlen(LP_ATTR_RIGHT);
    } else if (attr_at_line_end(s, len, j, LP_ATTR_CENTER)) {
      memset(s + j, LP_CENTER_CHAR, strlen(LP_ATTR_CENTER));
      j += strlen(LP_ATTR_CENTER);
    } else if (len - j >= n_sig && !strncmp(s + j, SIGNATURE_SYNTAX, n_sig)) {
      memset(s + j, LP_SIGNATURE_CHAR, n_sig);
      j += n_sig;
    } else if (s[j] == '_') {
      size_t n = 0;
      while (j + n < len && s[j + n] == '_') n++;
      if (n >= 3) memset(s + j, LP_BLANK_CHAR, n);
      j += n;
    } else {
      j++;
    }
  }
}

/* Appends s with each mark put back as the characters it stands for. */
static void unmark_into(const char *s, lp_buf *out) {
  bool in_lang = false; /* between the braces of {lang=TAG} */
  for (const char *p = s; *p;) {
    if (*p == LP_BLANK_CHAR || *p == LP_TYPO_ESCAPE) {
      lp_buf_append(out, *p == LP_BLANK_CHAR ? "_" : "\\", 1);
      p++;
    } else if (*p == LP_LANG_CHAR) {
      lp_buf_append(out, in_lang ? "}" : "{", 1);
      in_lang = !in_lang;
      p++;
    } else if (*p == LP_SIGNATURE_CHAR || *p == LP_RIGHT_CHAR ||
               *p == LP_CENTER_CHAR) {
      const char *syntax = *p == LP_SIGNATURE_CHAR ? SIGNATURE_SYNTAX
                           : *p == LP_RIGHT_CHAR   ? LP_ATTR_RIGHT
                                                   : LP_ATTR_CENTER;
      size_t n = 0;
      while (p[n] == *p) n++;
      for (size_t k = 0; k + strlen(syntax) <= n; k += strlen(syntax))
        lp_buf_puts(out, syntax);
      p += n;
    } else {
      lp_buf_append(out, p++, 1);
    }
  }
}

char *lp_template_unmark(const char *s) {
  lp_buf out = {0};
  unmark_into(s, &out);
  for (size_t i = 0; i < out.len; i++) /* a line break from the data */
    if (out.data[i] < 0x20 || out.data[i] == 0x7F) out.data[i] = ' ';
  char *r = lp_buf_strdup(&out);
  lp_buf_free(&out);
  return r;
}

/* Puts back, in one literal, the characters that marks stand for; a tab
 * becomes spaces up to the next multiple of TAB_STOP characters in code
 * blocks (which keep their columns), one space elsewhere: a tab is no
 * glyph. */
#define TAB_STOP 4
static void unmark_literal(cmark_node *node, bool block) {
  const char *lit = cmark_node_get_literal(node);
  if (!lit || !strpbrk(lit, "\t\x19\x1a\x1b\x1c\x1e\x1f")) return;
  lp_buf typed = {0}, out = {0};
  unmark_into(lit, &typed);
  size_t col = 0;
  for (size_t i = 0; i < typed.len; i++) {
    char c = (char)typed.data[i];
    if (c == '\t') {
      do
        lp_buf_append(&out, " ", 1);
      while (block && ++col % TAB_STOP);
      continue;
    }
    lp_buf_append(&out, &c, 1);
    if (c == '\n') col = 0;
    else if (((unsigned char)c & 0xC0) != 0x80) col++;
  }
  cmark_node_set_literal(node, out.data ? (char *)out.data : "");
  lp_buf_free(&typed);
  lp_buf_free(&out);
}

/* Whether the inline node is the last thing its paragraph or heading
 * shows: nothing after it, in it or in the inlines around it. */
static bool ends_block(cmark_node *node) {
  for (cmark_node *n = node; n; n = cmark_node_parent(n)) {
    if (n != node) {
      cmark_node_type t = cmark_node_get_type(n);
      if (t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING) return true;
      if (t != CMARK_NODE_EMPH && t != CMARK_NODE_STRONG &&
          t != CMARK_NODE_LINK &&
          strcmp(cmark_node_get_type_string(n), "strikethrough"))
        return false; /* a table cell, an image's description... */
    }
    if (cmark_node_next(n)) return false;
  }
  return false;
}

/* Puts back, as typed, the block attribute marks of a text node that does
 * not end its paragraph or heading: {.right}, {.center} and {lang=TAG}
 * set a block only at its end (elsewhere, in a table cell or before more
 * lines, they are text, and never control characters on the page). */
static void settle_align_marks(cmark_node *node) {
  const char *lit = cmark_node_get_literal(node);
  if (!lit || !strpbrk(lit, "\t\x19\x1a\x1b\x1c")) return;
  bool keep = ends_block(node), in_lang = false;
  lp_buf out = {0};
  for (const char *p = lit; *p; p++) {
    if (*p == LP_TYPO_ESCAPE) continue; /* \" was typed: the " stays */
    bool mark = !keep && (*p == LP_RIGHT_CHAR || *p == LP_CENTER_CHAR);
    if (mark && (p == lit || p[-1] != *p))
      lp_buf_puts(&out, *p == LP_RIGHT_CHAR ? LP_ATTR_RIGHT : LP_ATTR_CENTER);
    if (!keep && *p == LP_LANG_CHAR) {
      lp_buf_puts(&out, in_lang ? "}" : "{");
      in_lang = !in_lang;
      continue;
    }
    if (!mark) lp_buf_append(&out, *p == '\t' ? " " : p, 1); /* no glyph */
  }
  cmark_node_set_literal(node, out.data ? (char *)out.data : "");
  lp_buf_free(&out);
}

/* Removes the escape marks (\" typed, typo.h) from a link's or image's
 * URL and title: there the backslash only meant the character. */
static void settle_link(cmark_node *node) {
  const char *texts[2] = {cmark_node_get_url(node), cmark_node_get_title(node)};
  for (int k = 0; k < 2; k++) {
    if (!texts[k] || !strchr(texts[k], LP_TYPO_ESCAPE)) continue;
    char *s = lp_xstrdup(texts[k]), *w = s;
    for (const char *r = s; *r; r++)
      if (*r != LP_TYPO_ESCAPE) *w++ = *r;
    *w = '\0';
    if (k == 0) cmark_node_set_url(node, s);
    else cmark_node_set_title(node, s);
    free(s);
  }
}

void lp_template_unmark_code(cmark_node *root) {
  cmark_iter *it = cmark_iter_new(root);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *node = cmark_iter_get_node(it);
    cmark_node_type t = cmark_node_get_type(node);
    if (ev != CMARK_EVENT_ENTER) continue;
    if (t == CMARK_NODE_CODE || t == CMARK_NODE_CODE_BLOCK ||
        t == CMARK_NODE_HTML_BLOCK || t == CMARK_NODE_HTML_INLINE)
      unmark_literal(node, t == CMARK_NODE_CODE_BLOCK ||
                               t == CMARK_NODE_HTML_BLOCK);
    else if (t == CMARK_NODE_TEXT)
      settle_align_marks(node);
    else if (t == CMARK_NODE_LINK || t == CMARK_NODE_IMAGE)
      settle_link(node);
  }
  cmark_iter_free(it);
}

/* Guesses the language from the body: kana means Japanese, Hangul Korean,
 * Han Chinese (simplified), otherwise English. */
static const char *guess_lang(const char *s, size_t len) {
  size_t han = 0, kana = 0, hangul = 0, i = 0;
  while (i < len) {
    int32_t cp = lp_utf8_next(s, len, &i);
    if (cp >= 0x3040 && cp <= 0x30FF)
      kana++;
    else if (cp >= 0xAC00 && cp <= 0xD7AF)
      hangul++;
    else if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF))
      han++;
  }
  if (kana) return "ja";
  if (hangul > han) return "ko";
  if (han) return "zh-CN";
  return "en";
}

const char *lp_template_lang(const lp_template *tpl) {
  return tpl->meta.lang ? tpl->meta.lang : tpl->guessed_lang;
}

void lp_template_paper(const lp_template *tpl, double *w, double *h) {
  const lp_meta *m = &tpl->meta;
  const char *lang = lp_template_lang(tpl);
  bool us = lp_lang_is(lang, "en") && strlen(lang) >= 5 &&
            (!strcasecmp(lang + 3, "US") || !strcasecmp(lang + 3, "CA"));
  *w = m->paper_w ? m->paper_w : us ? 612 : 210 * MM;
  *h = m->paper_h ? m->paper_h : us ? 792 : 297 * MM;
  /* B5 in Japan is JIS B5 (JIS P 0138), the size of Japanese office
   * paper; ISO-B5 is there for the other one. */
  if (m->paper_b5 && lp_lang_is(lang, "ja")) {
    bool wide = *w > *h;
    *w = wide ? JIS_B5_H : JIS_B5_W;
    *h = wide ? JIS_B5_W : JIS_B5_H;
  }
}

const lp_typo_style *lp_template_typo(const lp_template *tpl) {
  int smart = tpl->meta.smart_punctuation;
  if (smart == LP_SMART_OFF) return NULL;
  return lp_typo_style_for(lp_template_lang(tpl), smart == LP_SMART_ON);
}

/* The offset of the first control character of text other than tab, line
 * feed and carriage return (C0 and DEL), or len: none may reach a page,
 * and some are the marks of blanks and alignment (template.h). */
static size_t first_control(const char *text, size_t len) {
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)text[i];
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
      return i;
  }
  return len;
}

lp_template *lp_template_parse(const char *text, size_t len, const char *name,
                               lp_error *err) {
  if (!name) name = "<template>";
  int line, col;
  if (!lp_utf8_check(text, len, &line, &col)) {
    lp_fail(err, LP_ERR_INPUT, name, line, col,
            "invalid UTF-8: save the template as UTF-8");
    return NULL;
  }
  size_t at = first_control(text, len);
  if (at < len) {
    size_t i = 0;
    line = 1, col = 1;
    while (i < at) {
      int32_t cp = lp_utf8_next(text, len, &i);
      if (cp == '\n') line++, col = 1;
      else col++;
    }
    if (!text[at])
      lp_fail(err, LP_ERR_INPUT, name, line, col,
              "a NUL byte: this is not a text file");
    else
      lp_fail(err, LP_ERR_INPUT, name, line, col,
              "a control character (U+%04X): remove it; a template holds "
              "text, tabs and line breaks only",
              (unsigned)(unsigned char)text[at]);
    return NULL;
  }
  lp_template *tpl = lp_xcalloc(1, sizeof *tpl);
  tpl->name = lp_xstrdup(name);
  const char *slash = strrchr(name, '/');
  tpl->base_dir = slash ? lp_xstrndup(name, (size_t)(slash - name))
                        : lp_xstrdup(".");
  const char *p = text, *end = text + len;
  if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) p += 3; /* BOM */
  const char *eol = memchr(p, '\n', (size_t)(end - p));
  const char *first_end = eol ? eol : end;
  tpl->body_line = 1;
  if (line_is(p, first_end, "---")) {
    const char *yaml = eol ? eol + 1 : end, *q = yaml, *close = NULL;
    int ln = 2;
    while (q < end) {
      const char *e = memchr(q, '\n', (size_t)(end - q));
      if (!e) e = end;
      if (line_is(q, e, "---") || line_is(q, e, "...")) {
        close = q;
        break;
      }
      q = e < end ? e + 1 : end;
      ln++;
    }
    if (!close) {
      lp_fail(err, LP_ERR_INPUT, name, 1, 1,
              "the front matter that starts here is never closed: end it "
              "with a line '---'");
      lp_template_free(tpl);
      return NULL;
    }
    if (!parse_front_matter(&tpl->meta, yaml, (size_t)(close - yaml), name, 2,
                            err)) {
      lp_template_free(tpl);
      return NULL;
    }
    const char *after = memchr(close, '\n', (size_t)(end - close));
    p = after ? after + 1 : end;
    tpl->body_line = ln + 1;
  }
  tpl->body_len = (size_t)(end - p);
  tpl->body = lp_xstrndup(p, tpl->body_len);
  mark_blanks(tpl->body, tpl->body_len);
  tpl->guessed_lang = lp_xstrdup(guess_lang(tpl->body, tpl->body_len));
  tpl->fill = lp_fill_compile(tpl->body, tpl->body_len, tpl->name,
                              tpl->body_line - 1, err);
  if (!tpl->fill) {
    lp_template_free(tpl);
    return NULL;
  }
  return tpl;
}

lp_template *lp_template_load(const char *path, lp_error *err) {
  return lp_template_load_limited(path, LP_DEFAULT_MAX_INPUT_BYTES, err);
}

lp_template *lp_template_load_limited(const char *path, size_t max_bytes,
                                      lp_error *err) {
  lp_buf b = {0};
  if (!lp_read_file_limited(path, &b, max_bytes, err)) {
    if (err) err->code = LP_ERR_INPUT;
    lp_buf_free(&b);
    return NULL;
  }
  lp_template *tpl = lp_template_parse(b.data ? (char *)b.data : "", b.len,
                                       path, err);
  lp_buf_free(&b);
  return tpl;
}

bool lp_template_set_meta(lp_template *tpl, const char *key,
                          const char *value, lp_error *err) {
  return lp_meta_set(&tpl->meta, key, value, "--meta", 0, 0, err);
}

void lp_template_free(lp_template *tpl) {
  if (!tpl) return;
  lp_meta *m = &tpl->meta;
  free(m->title), free(m->author), free(m->subject), free(m->keywords);
  free(m->lang), free(m->font), free(m->header), free(m->footer);
  free(m->latin_font), free(m->heading_font), free(m->letterhead);
  free(m->font_path);
  free(m->seal);
  free(m->letterhead_alt), free(m->seal_alt);
  for (int k = 0; k < LP_TEXT_COUNT; k++) lp_fill_program_free(m->fill[k]);
  free(tpl->name);
  free(tpl->base_dir);
  free(tpl->body);
  free(tpl->guessed_lang);
  lp_fill_program_free(tpl->fill);
  free(tpl);
}
