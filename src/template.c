/* template.c - template parsing: UTF-8 check, YAML front matter, body. */
#include "template.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm.h>
#include <yaml.h>

#include "fill.h"
#include "shape.h"
#include "util.h"

#define MM (72.0 / 25.4)
/* Explicit signature field: as wide as its 13 characters (6.5 em). */
#define SIGNATURE_SYNTAX "[[signature]]"

/* Named paper sizes, portrait, in mm (ISO 216; B5 is ISO B5) or points. */
static const struct {
  const char *name;
  double w, h; /* pt */
} papers[] = {
    {"A3", 297 * MM, 420 * MM}, {"A4", 210 * MM, 297 * MM},
    {"A5", 148 * MM, 210 * MM}, {"B5", 176 * MM, 250 * MM},
    {"Letter", 612, 792},       {"Legal", 612, 1008},
};

/* The front-matter keys, in the order the README lists them. */
static const char *const meta_keys[] = {
    "title",  "author",    "subject",     "keywords", "lang",
    "paper",  "margin",    "font",        "font-size", "line-height",
    "header", "footer",    "page-numbering", "latin-font", "heading-font",
    "orphans", "widows",   "letterhead",  "seal",
    "paragraph-spacing", "heading-sizes", "heading-spacing", "list-indent",
    "quote-indent", "hyphenate", "word-break", "font-hinting",
};

/* Bounds of the spaces and indents given in em or as lengths. */
#define SPACE_MAX_EM 6.0   /* heading-spacing */
#define SPACE_MAX_PT 72.0
#define INDENT_MIN_EM 0.5  /* list-indent, quote-indent */
#define INDENT_MAX_EM 6.0
#define INDENT_MIN_PT 4.0
#define INDENT_MAX_PT 72.0

bool lp_parse_length(const char *text, double *pt) {
  char *end;
  errno = 0;
  double v = strtod(text, &end);
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

/* Whether tag looks like a BCP 47 tag: letters, digits and hyphens, starting
 * with a 2-3 letter language. */
static bool valid_lang(const char *tag) {
  size_t n = 0;
  while (isalpha((unsigned char)tag[n])) n++;
  if (n < 2 || n > 3) return false;
  for (const char *p = tag + n; *p; p++)
    if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_') return false;
  return tag[strlen(tag) - 1] != '-';
}

static void set_string(char **slot, const char *value) {
  free(*slot);
  *slot = lp_xstrdup(value);
}

/* Whether text is a plain number from lo to hi (into *v). */
static bool number_in(const char *text, double lo, double hi, double *v) {
  char *end;
  errno = 0;
  *v = strtod(text, &end);
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
  double v = strtod(text, &end);
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
 * ###, each one amount (before and after) or two (before, after). */
static bool heading_spacing(const char *value, lp_amount out[3][2]) {
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
      bool ok = words < 2 && amount_in(word, 0, SPACE_MAX_EM, 0,
                                       SPACE_MAX_PT, &v[n][words]);
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

bool lp_meta_set(lp_meta *m, const char *key, const char *value,
                 const char *file, int line, int column, lp_error *err) {
  if (!strcmp(key, "title")) {
    set_string(&m->title, value);
  } else if (!strcmp(key, "author")) {
    set_string(&m->author, value);
  } else if (!strcmp(key, "subject")) {
    set_string(&m->subject, value);
  } else if (!strcmp(key, "keywords")) {
    set_string(&m->keywords, value);
  } else if (!strcmp(key, "font")) {
    set_string(&m->font, value);
  } else if (!strcmp(key, "header")) {
    set_string(&m->header, value);
  } else if (!strcmp(key, "footer")) {
    set_string(&m->footer, value);
  } else if (!strcmp(key, "lang")) {
    if (!valid_lang(value))
      return lp_fail(err, LP_ERR_INPUT, file, line, column,
                     "'lang: %s' is not a language tag: write e.g. zh-CN, "
                     "zh-TW, ja, ko or en-US",
                     value);
    set_string(&m->lang, value);
  } else if (!strcmp(key, "paper")) {
    for (size_t i = 0; i < sizeof papers / sizeof papers[0]; i++)
      if (strcasecmp(value, papers[i].name) == 0) {
        m->paper_w = papers[i].w;
        m->paper_h = papers[i].h;
        return true;
      }
    double wh[2];
    if (parse_lengths(value, wh, 2) != 2 || wh[0] < 72 || wh[1] < 72 ||
        wh[0] > 14400 || wh[1] > 14400)
      return lp_fail(err, LP_ERR_INPUT, file, line, column,
                     "'paper: %s' is not a paper size: write A3, A4, A5, B5, "
                     "Letter, Legal, or a width and height such as "
                     "'210mm 297mm' (1in to 200in)",
                     value);
    m->paper_w = wh[0];
    m->paper_h = wh[1];
  } else if (!strcmp(key, "margin")) {
    double v[4];
    int n = parse_lengths(value, v, 4);
    if (n < 1)
      return lp_fail(err, LP_ERR_INPUT, file, line, column,
                     "'margin: %s' is not 1 to 4 lengths: write e.g. "
                     "'25mm' or '20mm 25mm' (top/bottom, left/right)",
                     value);
    for (int i = 0; i < n; i++)
      if (v[i] < 0)
        return lp_fail(err, LP_ERR_INPUT, file, line, column,
                       "'margin: %s' has a negative length", value);
    /* CSS order: 1 = all, 2 = vertical horizontal, 3 = top h bottom. */
    double top = v[0], right = n > 1 ? v[1] : v[0];
    double bottom = n > 2 ? v[2] : v[0], left = n > 3 ? v[3] : right;
    m->margin[0] = top, m->margin[1] = right;
    m->margin[2] = bottom, m->margin[3] = left;
    m->margin_set = true;
  } else if (!strcmp(key, "font-size")) {
    double v;
    if (!lp_parse_length(value, &v) || v < 4 || v > 72)
      return lp_fail(err, LP_ERR_INPUT, file, line, column,
                     "'font-size: %s' is not a size from 4pt to 72pt", value);
    m->font_size = v;
  } else if (!strcmp(key, "line-height")) {
    double v;
    if (!number_in(value, 0.8, 4, &v))
      return lp_fail(err, LP_ERR_INPUT, file, line, column,
                     "'line-height: %s' is not a multiple of the font size "
                     "from 0.8 to 4 (e.g. 1.6)",
                     value);
    m->line_height = v;
  } else if (!strcmp(key, "latin-font")) {
    set_string(&m->latin_font, value);
  } else if (!strcmp(key, "heading-font")) {
    set_string(&m->heading_font, value);
  } else if (!strcmp(key, "letterhead") || !strcmp(key, "seal")) {
    if (!*value)
      return lp_fail(err, LP_ERR_INPUT, file, line, column,
                     "'%s' needs an image file (PNG or JPEG), relative to "
                     "the template",
                     key);
    set_string(!strcmp(key, "seal") ? &m->seal : &m->letterhead, value);
  } else if (!strcmp(key, "orphans") || !strcmp(key, "widows")) {
    char *end;
    long v = strtol(value, &end, 10);
    if (end == value || *end || v < 1 || v > 9)
      return lp_fail(err, LP_ERR_INPUT, file, line, column,
                     "'%s: %s' is not a number of lines from 1 to 9 (the "
                     "default is 2)",
                     key, value);
    *(!strcmp(key, "orphans") ? &m->orphans : &m->widows) = (int)v;
  } else if (!strcmp(key, "paragraph-spacing")) {
    double v;
    if (!number_in(value, 0, 3, &v))
      return lp_fail(err, LP_ERR_INPUT, file, line, column,
                     "'paragraph-spacing: %s' is not a space between "
                     "paragraphs in em, from 0 to 3 (the default is 0.5)",
                     value);
    m->paragraph_spacing = v;
    m->paragraph_spacing_set = true;
  } else if (!strcmp(key, "heading-sizes")) {
    double v[3] = {0, 0, 0};
    int n = 0;
    const char *p = value;
    while (*p && n < 4) {
      while (*p == ' ' || *p == ',') p++;
      if (!*p) break;
      char *end;
      double x = strtod(p, &end);
      if (end == p || n == 3 || !(x >= 0.5 && x <= 4)) {
        n = -1;
        break;
      }
      v[n++] = x;
      p = end;
    }
    if (n < 1)
      return lp_fail(err, LP_ERR_INPUT, file, line, column,
                     "'heading-sizes: %s': give 1 to 3 sizes for #, ## and ### "
                     "headings, in body sizes from 0.5 to 4 (the default is "
                     "1.5, 1.15, 1.05)",
                     value);
    for (int k = 0; k < 3; k++) m->heading_sizes[k] = v[k];
  } else if (!strcmp(key, "heading-spacing")) {
    if (!heading_spacing(value, m->heading_spacing))
      return lp_fail(err, LP_ERR_INPUT, file, line, column,
                     "'heading-spacing: %s': give 1 to 3 entries for #, ## "
                     "and ### headings, separated by commas, each the space "
                     "before and after the heading (one value: both), in em "
                     "from 0 to 6 or as lengths up to 72pt, e.g. '0 1, 1 0.4, "
                     "12pt 4pt' (the default is 0 1, 1 0.4, 0.8 0.3)",
                     value);
  } else if (!strcmp(key, "list-indent") || !strcmp(key, "quote-indent")) {
    lp_amount a;
    if (!amount_in(value, INDENT_MIN_EM, INDENT_MAX_EM, INDENT_MIN_PT,
                   INDENT_MAX_PT, &a))
      return lp_fail(err, LP_ERR_INPUT, file, line, column,
                     "'%s: %s' is not an indent in em from 0.5 to 6 (e.g. "
                     "1.5) or a length from 4pt to 72pt (e.g. 8mm); the "
                     "default is 2",
                     key, value);
    *(!strcmp(key, "list-indent") ? &m->list_indent : &m->quote_indent) = a;
  } else if (!strcmp(key, "font-hinting")) {
    if (!true_or_false(value, &m->font_hinting))
      return lp_fail(err, LP_ERR_INPUT, file, line, column,
                     "'font-hinting: %s': write 'true' (embed the CJK "
                     "fonts' hints) or 'false' (leave them out, the "
                     "default: smaller files)",
                     value);
  } else if (!strcmp(key, "hyphenate")) {
    bool on;
    if (!true_or_false(value, &on))
      return lp_fail(err, LP_ERR_INPUT, file, line, column,
                     "'hyphenate: %s': write 'true' (Latin words may be "
                     "hyphenated at line ends, the default) or 'false'",
                     value);
    m->no_hyphenate = !on;
  } else if (!strcmp(key, "word-break")) {
    if (!strcmp(value, "keep-all") || !strcmp(value, "normal"))
      m->word_break = value[0] == 'k' ? LP_WORD_BREAK_KEEP_ALL
                                      : LP_WORD_BREAK_NORMAL;
    else
      return lp_fail(err, LP_ERR_INPUT, file, line, column,
                     "'word-break: %s': write 'keep-all' (lines break "
                     "only between words, the default for Korean) or "
                     "'normal' (also between syllables or ideographs)",
                     value);
  } else if (!strcmp(key, "page-numbering")) {
    if (!strcmp(value, "letter"))
      m->numbering = LP_NUMBER_LETTER;
    else if (!strcmp(value, "document"))
      m->numbering = LP_NUMBER_DOCUMENT;
    else
      return lp_fail(err, LP_ERR_INPUT, file, line, column,
                     "'page-numbering: %s': write 'letter' (each letter "
                     "counts its own pages) or 'document'",
                     value);
  } else {
    lp_buf keys = {0};
    for (size_t i = 0; i < sizeof meta_keys / sizeof meta_keys[0]; i++)
      lp_buf_printf(&keys, "%s%s", i ? ", " : "", meta_keys[i]);
    lp_fail(err, LP_ERR_INPUT, file, line, column,
            "unknown front-matter key '%s': the keys are %s", key,
            (char *)keys.data);
    lp_buf_free(&keys);
    return false;
  }
  return true;
}

/* Reads a scalar or a sequence of scalars (joined with ", ") as a value. */
static bool yaml_value(yaml_parser_t *p, yaml_event_t *ev, lp_buf *out,
                       const char *file, int line0, lp_error *err) {
  if (ev->type == YAML_SCALAR_EVENT) {
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
    if (!yaml_parser_parse(p, &item))
      return lp_fail(err, LP_ERR_INPUT, file,
                     line0 + (int)p->problem_mark.line,
                     (int)p->problem_mark.column + 1, "bad YAML: %s",
                     p->problem ? p->problem : "syntax error");
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
      ok = lp_fail(err, LP_ERR_INPUT, file, line0 + (int)p.problem_mark.line,
                   (int)p.problem_mark.column + 1,
                   "bad YAML in the front matter: %s",
                   p.problem ? p.problem : "syntax error");
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
      lp_buf_append(&key, "", 0);
      yaml_event_t vev;
      if (!yaml_parser_parse(&p, &vev)) {
        ok = lp_fail(err, LP_ERR_INPUT, file,
                     line0 + (int)p.problem_mark.line,
                     (int)p.problem_mark.column + 1,
                     "bad YAML in the front matter: %s",
                     p.problem ? p.problem : "syntax error");
        break;
      }
      value.len = 0;
      int vline = line0 + (int)vev.start_mark.line;
      int vcol = (int)vev.start_mark.column + 1;
      ok = yaml_value(&p, &vev, &value, file, line0, err);
      yaml_event_delete(&vev);
      if (ok)
        ok = lp_meta_set(meta, key.data ? (char *)key.data : "",
                         value.data ? (char *)value.data : "", file,
                         /* an unknown key is reported at the key */
                         line, col, err);
      if (!ok && err && err->line == line && err->column == col &&
          strncmp(err->message, "unknown", 7) != 0) {
        err->line = vline;
        err->column = vcol;
      }
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
/* Whether attr stands at s[j] with only blanks after it on its line. */
static bool attr_at_line_end(const char *s, size_t len, size_t j,
                             const char *attr) {
  size_t n = strlen(attr);
  if (len - j < n || strncmp(s + j, attr, n)) return false;
  for (size_t k = j + n; k < len && s[k] != '\n'; k++)
    if (s[k] != ' ' && s[k] != '\t' && s[k] != '\r') return false;
  return true;
}

static void mark_blanks(char *s, size_t len) {
  size_t n_sig = strlen(SIGNATURE_SYNTAX);
  for (size_t j = 0; j < len;) {
    if (s[j] == '\\' && j + 1 < len) {
      j += 2;
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

/* Puts back, in one literal, the characters that marks stand for. */
static void unmark_literal(cmark_node *node) {
  const char *lit = cmark_node_get_literal(node);
  if (!lit || !strpbrk(lit, "\x1b\x1c\x1e\x1f")) return;
  lp_buf out = {0};
  for (const char *p = lit; *p;) {
    if (*p == LP_BLANK_CHAR) {
      lp_buf_append(&out, "_", 1);
      p++;
    } else if (*p == LP_SIGNATURE_CHAR || *p == LP_RIGHT_CHAR ||
               *p == LP_CENTER_CHAR) {
      const char *syntax = *p == LP_SIGNATURE_CHAR ? SIGNATURE_SYNTAX
                           : *p == LP_RIGHT_CHAR   ? LP_ATTR_RIGHT
                                                   : LP_ATTR_CENTER;
      size_t n = 0;
      while (p[n] == *p) n++;
      for (size_t k = 0; k + strlen(syntax) <= n; k += strlen(syntax))
        lp_buf_puts(&out, syntax);
      p += n;
    } else {
      lp_buf_append(&out, p++, 1);
    }
  }
  cmark_node_set_literal(node, out.data ? (char *)out.data : "");
  lp_buf_free(&out);
}

void lp_template_unmark_code(cmark_node *root) {
  cmark_iter *it = cmark_iter_new(root);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *node = cmark_iter_get_node(it);
    cmark_node_type t = cmark_node_get_type(node);
    if (ev == CMARK_EVENT_ENTER &&
        (t == CMARK_NODE_CODE || t == CMARK_NODE_CODE_BLOCK ||
         t == CMARK_NODE_HTML_BLOCK || t == CMARK_NODE_HTML_INLINE))
      unmark_literal(node);
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

lp_template *lp_template_parse(const char *text, size_t len, const char *name,
                               lp_error *err) {
  if (!name) name = "<template>";
  int line, col;
  if (!lp_utf8_check(text, len, &line, &col)) {
    lp_fail(err, LP_ERR_INPUT, name, line, col,
            "invalid UTF-8: save the template as UTF-8");
    return NULL;
  }
  if (memchr(text, '\0', len)) {
    size_t at = (size_t)((const char *)memchr(text, '\0', len) - text), i = 0;
    line = 1, col = 1;
    while (i < at) {
      int32_t cp = lp_utf8_next(text, len, &i);
      if (cp == '\n') line++, col = 1;
      else col++;
    }
    lp_fail(err, LP_ERR_INPUT, name, line, col,
            "a NUL byte: this is not a text file");
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
  free(m->seal);
  free(tpl->name);
  free(tpl->base_dir);
  free(tpl->body);
  free(tpl->guessed_lang);
  lp_fill_program_free(tpl->fill);
  free(tpl);
}
