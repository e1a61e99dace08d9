/* fill.c - Mustache-style placeholders: sections on the source, values on
 * the Markdown tree (see fill.h). */
#include "fill.h"

#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "shape.h"
#include "util.h"

/* Characters of a blank left for a missing value under --blanks. */
#define MISSING_BLANK_CHARS 12
/* Missing names listed in one error message, at most. */
#define MAX_MISSING_LISTED 20
/* Names of the data listed with a missing one, at most. */
#define MAX_NAMES_LISTED 12
/* Sections nested deeper than this are an error (bounds the recursion). */
#define MAX_SECTION_DEPTH 64
/* An expanded letter larger than this is an error, not a memory hog. */
#define MAX_EXPANDED_BYTES ((size_t)64 << 20)
/* A value token in the expanded source: "{{" TOKEN_MARK index "}}".  The
 * mark is a control character that no tag name may contain, so a token can
 * only come from lp_fill_expand. */
#define TOKEN_MARK LP_FILL_TOKEN_MARK

struct lp_fill {
  lp_buf src;   /* expanded Markdown source */
  int *line_of; /* per line of src: the body line it was copied from */
  size_t nlines, lines_cap;
  char **texts; /* per value token: its text, or NULL for a blank */
  char **names; /* per value token: the placeholder name */
  int (*where)[3]; /* per value token: its placeholder's file line, first
                      and past-the-end columns */
  size_t count, cap, names_cap, where_cap;
  int line_offset; /* the program's: file line = body line + this */
};

/* ---- Compiling: finding and checking tags --------------------------------- */

/* The 1-based column (in characters) of byte `at` of a line starting at s. */
static int column_of(const char *s, size_t at) {
  int col = 1;
  size_t i = 0;
  while (i < at) {
    lp_utf8_next(s, at, &i);
    col++;
  }
  return col;
}

static bool is_blank_char(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* Whether s[from, to) holds only spaces and tabs. */
static bool only_blanks(const char *s, size_t from, size_t to) {
  for (size_t i = from; i < to; i++)
    if (!is_blank_char(s[i])) return false;
  return true;
}

bool lp_fill_valid_name(const char *name, size_t n) {
  if (n == 1 && name[0] == '.') return true;
  if (n == 0 || name[0] == '.' || name[n - 1] == '.') return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)name[i];
    bool inner_space = c == ' ' && name[i + 1] != ' ' && name[i + 1] != '.' &&
                       i > 0 && name[i - 1] != '.';
    if ((c <= ' ' && !inner_space) || c == 0x7F || c == '{' || c == '}')
      return false;
    if (c == '.' && name[i + 1] == '.') return false;
  }
  return true;
}

static const char *kind_sigil(lp_tag_kind k) {
  return k == LP_TAG_SECTION ? "#" : k == LP_TAG_INVERTED ? "^" : "/";
}


/* Compiler state: the program being built and the stack of open sections. */
typedef struct compiler {
  lp_fill_program *p;
  size_t tags_cap;
  size_t *open; /* indexes of open section tags */
  size_t nopen, open_cap;
  lp_error *err;
} compiler;

/* Fails with a message about the tag at line (body-relative) and col. */
static bool tag_error(compiler *c, int line, int col, const char *fmt,
                      const char *a, const char *b) {
  lp_fail(c->err, LP_ERR_INPUT, c->p->file, line + c->p->line_offset, col,
          fmt, a, b);
  return false;
}

/* Adds tag t (taking its name), matching close tags with their sections. */
static bool add_tag(compiler *c, lp_tag t) {
  lp_fill_program *p = c->p;
  bool ok = true;
  if (t.kind == LP_TAG_CLOSE) {
    if (!c->nopen) {
      ok = tag_error(c, t.line, t.column,
                     "'{{/%s}}' closes no section: remove it, or open the "
                     "section with {{#%s}} before it",
                     t.name, t.name);
    } else {
      const lp_tag *o = &p->tags[c->open[c->nopen - 1]];
      if (strcmp(o->name, t.name)) {
        lp_fail(c->err, LP_ERR_INPUT, p->file, t.line + p->line_offset,
                t.column,
                "'{{/%s}}' does not close '{{%s%s}}' (opened at %d:%d): "
                "close the inner section first, with {{/%s}}",
                t.name, kind_sigil(o->kind), o->name,
                o->line + p->line_offset, o->column, o->name);
        ok = false;
      } else {
        t.match = c->open[--c->nopen];
        p->tags[t.match].match = p->ntags;
      }
    }
  } else if (t.kind == LP_TAG_SECTION || t.kind == LP_TAG_INVERTED) {
    if (c->nopen >= MAX_SECTION_DEPTH) {
      ok = tag_error(c, t.line, t.column,
                     "'{{%s%s}}': sections are nested too deep here; "
                     "simplify the template",
                     kind_sigil(t.kind), t.name);
    } else {
      LP_GROW(c->open, c->open_cap, c->nopen + 1);
      c->open[c->nopen++] = p->ntags;
    }
  }
  if (!ok) {
    free(t.name);
    return false;
  }
  LP_GROW(p->tags, c->tags_cap, p->ntags + 1);
  p->tags[p->ntags++] = t;
  return true;
}

/* Reads the tag whose "{{" is at byte open of a line starting at byte ls
 * (body line `line`); on success adds it and sets *next past it. */
static bool read_tag(compiler *c, size_t open, size_t ls, int line,
                     size_t *next) {
  const char *s = c->p->src;
  size_t len = c->p->len;
  int col = column_of(s + ls, open - ls);
  size_t eol = open;
  while (eol < len && s[eol] != '\n') eol++;
  if (line == 1) col += c->p->column_offset;
  size_t i = open + 2;
  bool triple = i < len && s[i] == '{';
  if (triple) i++;
  while (i < eol && is_blank_char(s[i])) i++;
  char sigil = i < eol ? s[i] : '\0';
  lp_tag t = {LP_TAG_VALUE, NULL, open, 0, line, col, 0};
  const char *closer = triple ? "}}}" : "}}";
  const char *close;
  if (!triple && sigil == '!') {
    /* A comment may span lines. */
    close = memmem(s + i, len - i, "}}", 2);
    t.kind = LP_TAG_COMMENT;
  } else {
    close = memmem(s + i, eol - i, closer, strlen(closer));
  }
  if (!close)
    return tag_error(c, line, col,
                     triple ? "'{{{' is never closed: end it with '}}}' on "
                              "the same line%s%s"
                            : "'{{' is never closed: end the placeholder "
                              "with '}}' on the same line%s%s",
                     "", "");
  size_t tag_end = (size_t)(close - s) + strlen(closer);
  if (t.kind == LP_TAG_COMMENT) {
    t.name = lp_xstrdup("");
  } else {
    if (!triple) {
      switch (sigil) {
      case '#': t.kind = LP_TAG_SECTION; i++; break;
      case '^': t.kind = LP_TAG_INVERTED; i++; break;
      case '/': t.kind = LP_TAG_CLOSE; i++; break;
      case '&': i++; break; /* unescaped: every value is literal anyway */
      case '>':
        return tag_error(c, line, col,
                         "partials ('{{>%s') are not supported: copy the "
                         "text into the template%s",
                         "...", "");
      case '=':
        return tag_error(c, line, col,
                         "changing delimiters ('{{=%s') is not supported: "
                         "placeholders are always written {{name}}%s",
                         "...", "");
      default: break;
      }
    }
    size_t n0 = i, n1 = (size_t)(close - s);
    while (n0 < n1 && is_blank_char(s[n0])) n0++;
    while (n1 > n0 && is_blank_char(s[n1 - 1])) n1--;
    if (!lp_fill_valid_name(s + n0, n1 - n0)) {
      char *bad = lp_xstrndup(s + open, tag_end - open);
      for (char *q = bad; *q; q++)
        if ((unsigned char)*q < ' ') *q = ' ';
      tag_error(c, line, col,
                "'%s' is not a placeholder: names are letters, digits, _ "
                "and dots, e.g. {{customer.name}}, {{#items}}, {{.}}%s",
                bad, "");
      free(bad);
      return false;
    }
    t.name = lp_xstrndup(s + n0, n1 - n0);
  }
  t.end = tag_end;
  *next = tag_end;
  /* Standalone: a section, inverted, close or comment tag alone on its
   * line(s) removes the whole line, line break included. */
  if (t.kind != LP_TAG_VALUE && only_blanks(s, ls, open)) {
    size_t e = tag_end;
    while (e < len && s[e] != '\n') e++;
    if (only_blanks(s, tag_end, e)) {
      t.start = ls;
      t.end = e < len ? e + 1 : e;
    }
  }
  return add_tag(c, t);
}

/* Compiles src; see lp_fill_compile and lp_fill_compile_at. */
static lp_fill_program *compile(const char *src, size_t len, const char *file,
                                int line_offset, int column_offset,
                                lp_error *err) {
  lp_fill_program *p = lp_xcalloc(1, sizeof *p);
  p->column_offset = column_offset;
  p->src = lp_xstrndup(src, len);
  p->len = len;
  p->file = lp_xstrdup(file ? file : "<template>");
  p->line_offset = line_offset;
  size_t cap = 0;
  LP_GROW(p->line_starts, cap, 1);
  p->line_starts[p->nlines++] = 0;
  for (const char *nl = p->src; (nl = memchr(nl, '\n', len - (size_t)(nl - p->src)));) {
    nl++;
    LP_GROW(p->line_starts, cap, p->nlines + 1);
    p->line_starts[p->nlines++] = (size_t)(nl - p->src);
  }
  compiler c = {p, 0, NULL, 0, 0, err};
  size_t pos = 0, ls = 0; /* scan position, start of its line */
  int line = 1;
  bool ok = true;
  while (ok && pos < len) {
    const char *o = memmem(p->src + pos, len - pos, "{{", 2);
    size_t open = o ? (size_t)(o - p->src) : len;
    for (size_t k = pos; k < open; k++)
      if (p->src[k] == '\n') line++, ls = k + 1;
    if (!o) break;
    size_t next = len;
    ok = read_tag(&c, open, ls, line, &next);
    if (ok)
      for (size_t k = open; k < next; k++) /* multi-line comments */
        if (p->src[k] == '\n') line++, ls = k + 1;
    pos = next;
  }
  if (ok && c.nopen) {
    const lp_tag *t = &p->tags[c.open[c.nopen - 1]];
    lp_fail(err, LP_ERR_INPUT, p->file, t->line + line_offset, t->column,
            "'{{%s%s}}' is never closed: end the section with {{/%s}}",
            kind_sigil(t->kind), t->name, t->name);
    ok = false;
  }
  free(c.open);
  if (!ok) {
    lp_fill_program_free(p);
    return NULL;
  }
  return p;
}

lp_fill_program *lp_fill_compile(const char *src, size_t len,
                                 const char *file, int line_offset,
                                 lp_error *err) {
  return compile(src, len, file, line_offset, 0, err);
}

lp_fill_program *lp_fill_compile_at(const char *src, size_t len,
                                    const char *file, int line, int column,
                                    lp_error *err) {
  return compile(src, len, file, line - 1, column > 1 ? column - 1 : 0, err);
}

void lp_fill_program_free(lp_fill_program *p) {
  if (!p) return;
  for (size_t i = 0; i < p->ntags; i++) free(p->tags[i].name);
  free(p->tags);
  free(p->src);
  free(p->file);
  free(p->line_starts);
  free(p);
}

/* ---- Expanding: sections on the source ------------------------------------ */

typedef struct expander {
  const lp_fill_program *p;
  bool blanks;
  bool survey;          /* every section once, every value a blank */
  lp_fill *f;
  const json_t **stack; /* context stack: the record, then section values */
  size_t depth, stack_cap;
  bool *reported;       /* per tag: already listed as missing */
  lp_buf missing;       /* "name (line:col), ..." */
  int nmissing;
  int first_line, first_col;
  lp_error *err;
  bool failed;
} expander;

/* Looks name up through the context stack (see fill.h); NULL if absent. */
static const json_t *resolve(const expander *x, const char *name) {
  if (!strcmp(name, ".")) return x->depth ? x->stack[x->depth - 1] : NULL;
  const char *dot = strchr(name, '.');
  size_t n = dot ? (size_t)(dot - name) : strlen(name);
  for (size_t d = x->depth; d-- > 0;) {
    json_t *v = json_object_getn(x->stack[d], name, n);
    if (!v) continue; /* json_object_getn is NULL for non-objects too */
    const char *p = dot ? dot + 1 : name + n;
    while (v && *p) { /* members, or list items by position (items.2) */
      const char *q = strchr(p, '.');
      size_t k = q ? (size_t)(q - p) : strlen(p);
      v = lp_data_member(v, p, k);
      p = q ? q + 1 : p + k;
    }
    return v;
  }
  return NULL;
}

static bool truthy(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_FALSE:
  case JSON_NULL:
    return false;
  case JSON_STRING:
    return json_string_length(v) > 0;
  case JSON_ARRAY:
    return json_array_size(v) > 0;
  default:
    return true;
  }
}

/* Records that tag i's name is missing (once per tag). */
static void note_missing(expander *x, size_t i) {
  const lp_tag *t = &x->p->tags[i];
  if (x->reported[i]) return;
  x->reported[i] = true;
  int line = t->line + x->p->line_offset;
  if (x->nmissing == 0) x->first_line = line, x->first_col = t->column;
  if (x->nmissing < MAX_MISSING_LISTED) {
    char *near = lp_data_closest(x->stack, x->depth, t->name);
    lp_buf_printf(&x->missing, "%s%s (%d:%d%s%s%s)", x->nmissing ? ", " : "",
                  t->name, line, t->column, near ? "; did you mean " : "",
                  near ? near : "", near ? "?" : "");
    free(near);
  }
  x->nmissing++;
}

/* The body line (1-based) holding byte pos of the template source. */
static int body_line_at(const lp_fill_program *p, size_t pos) {
  size_t lo = 0, hi = p->nlines; /* the last line start <= pos */
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (p->line_starts[mid] <= pos) lo = mid;
    else hi = mid;
  }
  return (int)lo + 1;
}

/* Notes that the expanded line being started comes from body line `line`
 * (when the output is at the start of a line). */
static void start_line(expander *x, int line) {
  lp_fill *f = x->f;
  if (f->src.len && f->src.data[f->src.len - 1] != '\n') return;
  LP_GROW(f->line_of, f->lines_cap, f->nlines + 1);
  f->line_of[f->nlines++] = line;
}

/* Appends template bytes [pos, pos + n) to the expansion, noting where each
 * line of it comes from. */
static void copy_source(expander *x, size_t pos, size_t n) {
  const lp_fill_program *p = x->p;
  size_t done = 0;
  int line = body_line_at(p, pos);
  while (done < n) {
    start_line(x, line);
    const char *nl = memchr(p->src + pos + done, '\n', n - done);
    size_t k = nl ? (size_t)(nl - (p->src + pos + done)) + 1 : n - done;
    lp_buf_append(&x->f->src, p->src + pos + done, k);
    done += k;
    line++;
  }
}

/* Adds a value token for text (NULL: a blank) named name. */
static void add_token(expander *x, char *text, const lp_tag *t) {
  lp_fill *f = x->f;
  int line = t->line;
  LP_GROW(f->texts, f->cap, f->count + 1);
  LP_GROW(f->names, f->names_cap, f->count + 1);
  LP_GROW(f->where, f->where_cap, f->count + 1);
  f->texts[f->count] = text;
  f->names[f->count] = lp_xstrdup(t->name);
  f->where[f->count][0] = line + x->p->line_offset;
  f->where[f->count][1] = t->column;
  f->where[f->count][2] =
      t->column + column_of(x->p->src + t->start, t->end - t->start) - 1;
  start_line(x, line);
  lp_buf_printf(&f->src, "{{%c%zu}}", TOKEN_MARK, f->count);
  f->count++;
}

/* The value tag i: a token, or a missing name. */
static void expand_value(expander *x, size_t i) {
  const lp_tag *t = &x->p->tags[i];
  const json_t *v = resolve(x, t->name);
  if (v) {
    char *text = lp_data_text(v);
    if (!text) {
      lp_fail(x->err, LP_ERR_INPUT, x->p->file, t->line + x->p->line_offset,
              t->column,
              "'%s' is a list or an object in the data; a placeholder "
              "needs text, a number, true/false or null (use "
              "{{#%s}}...{{/%s}} to go through it)",
              t->name, t->name, t->name);
      x->failed = true;
      return;
    }
    add_token(x, text, t);
  } else if (x->blanks) {
    add_token(x, NULL, t);
  } else {
    note_missing(x, i);
  }
}

static void expand_range(expander *x, size_t pos, size_t stop, size_t t0,
                         size_t t1);

/* Expands the inside of section tag i once with v pushed as context. */
static void expand_inside(expander *x, size_t i, const json_t *v) {
  const lp_tag *t = &x->p->tags[i], *c = &x->p->tags[t->match];
  if (v) {
    LP_GROW(x->stack, x->stack_cap, x->depth + 1);
    x->stack[x->depth++] = v;
  }
  expand_range(x, t->end, c->start, i + 1, t->match);
  if (v) x->depth--;
}

/* Expands section or inverted tag i. */
static void expand_section(expander *x, size_t i) {
  const lp_tag *t = &x->p->tags[i];
  if (x->survey) {
    expand_inside(x, i, NULL);
    return;
  }
  const json_t *v = resolve(x, t->name);
  if (!v && !x->blanks) note_missing(x, i);
  bool yes = v && truthy(v);
  if (t->kind == LP_TAG_INVERTED) {
    if (!yes) expand_inside(x, i, NULL);
  } else if (yes && json_is_array(v)) {
    for (size_t k = 0; k < json_array_size(v) && !x->failed; k++)
      expand_inside(x, i, json_array_get(v, k));
  } else if (yes) {
    expand_inside(x, i, v);
  }
}

/* Appends source bytes [pos, stop) holding tags t0..t1-1, expanded. */
static void expand_range(expander *x, size_t pos, size_t stop, size_t t0,
                         size_t t1) {
  const lp_fill_program *p = x->p;
  size_t i = t0;
  while (i < t1 && !x->failed) {
    const lp_tag *t = &p->tags[i];
    copy_source(x, pos, t->start - pos);
    if (t->kind == LP_TAG_VALUE) expand_value(x, i);
    if (t->kind == LP_TAG_SECTION || t->kind == LP_TAG_INVERTED) {
      expand_section(x, i);
      i = t->match; /* continue after the close tag */
      t = &p->tags[i];
    }
    pos = t->end;
    i++;
    if (x->f->src.len > MAX_EXPANDED_BYTES && !x->failed) {
      lp_fail(x->err, LP_ERR_INPUT, p->file, t->line + p->line_offset,
              t->column,
              "the letter grows beyond %zu MB here: are the lists in the "
              "data that long?",
              MAX_EXPANDED_BYTES >> 20);
      x->failed = true;
    }
  }
  if (!x->failed) copy_source(x, pos, stop - pos);
}

/* Expands p for data; see lp_fill_expand and lp_fill_expand_all. */
static lp_fill *expand(const lp_fill_program *p, const lp_data *data,
                       bool blanks, bool survey, lp_error *err) {
  lp_fill *f = lp_xcalloc(1, sizeof *f);
  f->line_offset = p->line_offset;
  expander x = {0};
  x.p = p;
  x.blanks = blanks;
  x.survey = survey;
  x.f = f;
  x.err = err;
  x.reported = lp_xcalloc(p->ntags + 1, sizeof *x.reported);
  if (data) {
    LP_GROW(x.stack, x.stack_cap, 1);
    x.stack[x.depth++] = data->root;
  }
  expand_range(&x, 0, p->len, 0, p->ntags);
  if (!x.failed && x.nmissing) {
    lp_buf has = {0};
    if (data) lp_data_list_names(data->root, &has, MAX_NAMES_LISTED);
    lp_fail(err, LP_ERR_INPUT, p->file, x.first_line, x.first_col,
            "%d placeholder%s not in the data: %s%s; add %s to the data, or "
            "render with --blanks (the data has: %s)",
            x.nmissing, x.nmissing > 1 ? "s are" : " is",
            (char *)x.missing.data,
            x.nmissing > MAX_MISSING_LISTED ? ", ..." : "",
            x.nmissing > 1 ? "them" : "it",
            has.len ? (char *)has.data : "nothing");
    lp_buf_free(&has);
    x.failed = true;
  }
  lp_buf_free(&x.missing);
  free(x.reported);
  free(x.stack);
  if (x.failed) {
    lp_fill_free(f);
    return NULL;
  }
  if (!f->src.data) lp_buf_append(&f->src, "", 1), f->src.len = 0;
  return f;
}

lp_fill *lp_fill_expand(const lp_fill_program *p, const lp_data *data,
                        bool blanks, lp_error *err) {
  return expand(p, data, blanks, false, err);
}

lp_fill *lp_fill_expand_all(const lp_fill_program *p) {
  return expand(p, NULL, true, true, NULL);
}

int lp_fill_body_line(const lp_fill *f, int line) {
  if (!f || line < 1 || (size_t)line > f->nlines) return line;
  return f->line_of[line - 1];
}

int lp_fill_file_line(const lp_fill *f, int line) {
  return lp_fill_body_line(f, line) + (f ? f->line_offset : 0);
}

const char *lp_fill_source(const lp_fill *f, size_t *len) {
  *len = f->src.len;
  return (const char *)f->src.data;
}

void lp_fill_free(lp_fill *f) {
  if (!f) return;
  for (size_t i = 0; i < f->count; i++) free(f->texts[i]), free(f->names[i]);
  free(f->texts);
  free(f->names);
  free(f->where);
  free(f->line_of);
  lp_buf_free(&f->src);
  free(f);
}

/* ---- Values on the tree --------------------------------------------------- */

/* Appends a value's text, replacing control characters other than newline
 * (which could otherwise mark a blank or a token, and which no page may
 * show; a tab is no glyph either) by spaces. */
static void append_value(lp_buf *out, const char *s) {
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    char ch = (c < 0x20 && c != '\n') || c == 0x7F ? ' ' : *s;
    lp_buf_append(out, &ch, 1);
  }
}

void lp_blank_names_add_literal(lp_blank_names *bn, size_t start,
                                size_t end) {
  if (end <= start) return;
  lp_literal_span *last = bn->nliteral ? &bn->literal[bn->nliteral - 1] : NULL;
  if (last && last->end >= start) {
    if (end > last->end) last->end = end;
    return;
  }
  LP_GROW(bn->literal, bn->literal_cap, bn->nliteral + 1);
  bn->literal[bn->nliteral++] = (lp_literal_span){start, end};
}

bool lp_blank_names_literal_at(const lp_blank_names *bn, size_t at) {
  for (size_t k = 0; bn && k < bn->nliteral && bn->literal[k].start <= at; k++)
    if (at < bn->literal[k].end) return true;
  return false;
}

size_t lp_blank_names_literal_before(const lp_blank_names *bn, size_t at) {
  size_t from = 0;
  for (size_t k = 0; bn && k < bn->nliteral && bn->literal[k].end <= at; k++)
    from = bn->literal[k].end;
  return from;
}

void lp_blank_names_add_value(lp_blank_names *bn, size_t start, size_t end,
                              int line, int column, int end_column) {
  if (end <= start) return;
  LP_GROW(bn->values, bn->values_cap, bn->nvalues + 1);
  bn->values[bn->nvalues++] =
      (lp_value_place){start, end, line, column, end_column};
}

const lp_value_place *lp_blank_names_value_before(const lp_blank_names *bn,
                                                  size_t at) {
  const lp_value_place *v = NULL;
  for (size_t k = 0; bn && k < bn->nvalues && bn->values[k].end <= at; k++)
    v = &bn->values[k];
  return v;
}

bool lp_blank_names_value_at(const lp_blank_names *bn, size_t at, int *line,
                             int *column) {
  for (size_t k = 0; bn && k < bn->nvalues && bn->values[k].start <= at; k++)
    if (at < bn->values[k].end) {
      *line = bn->values[k].line;
      *column = bn->values[k].column;
      return true;
    }
  return false;
}

void lp_blank_names_append(lp_blank_names *dst, const lp_blank_names *src,
                           size_t from, size_t to, size_t base) {
  for (size_t k = 0; src && k < src->count; k++) {
    size_t at = src->items[k].offset;
    if (at < from || at >= to) continue;
    LP_GROW(dst->items, dst->cap, dst->count + 1);
    dst->items[dst->count++] =
        (lp_blank_name){at - from + base, lp_xstrdup(src->items[k].name)};
  }
  for (size_t k = 0; src && k < src->nliteral; k++) {
    size_t a = src->literal[k].start, b = src->literal[k].end;
    if (b <= from || a >= to) continue;
    a = a > from ? a : from;
    b = b < to ? b : to;
    lp_blank_names_add_literal(dst, a - from + base, b - from + base);
  }
  for (size_t k = 0; src && k < src->nvalues; k++) {
    const lp_value_place *v = &src->values[k];
    if (v->end <= from || v->start >= to) continue;
    lp_blank_names_add_value(dst, (v->start > from ? v->start : from) - from + base,
                             (v->end < to ? v->end : to) - from + base,
                             v->line, v->column, v->end_column);
  }
}

void lp_blank_names_clear(lp_blank_names *bn) {
  for (size_t i = 0; i < bn->count; i++) free(bn->items[i].name);
  free(bn->items);
  free(bn->literal);
  free(bn->values);
  memset(bn, 0, sizeof *bn);
}

/* Frees an lp_blank_names attached to a node. */
static void free_blank_names(cmark_mem *mem, void *data) {
  (void)mem;
  lp_blank_names_clear(data);
  free(data);
}

/* The lp_blank_names of node, made (empty) when it has none. */
static lp_blank_names *node_marks(cmark_node *node) {
  lp_blank_names *bn = cmark_node_get_user_data(node);
  if (!bn) {
    bn = lp_xcalloc(1, sizeof *bn);
    cmark_node_set_user_data(node, bn);
    cmark_node_set_user_data_free_func(node, free_blank_names);
  }
  return bn;
}

/* Records that a blank named name starts at offset of node's new literal. */
static void add_blank_name(cmark_node *node, size_t offset, const char *name) {
  lp_blank_names *bn = node_marks(node);
  LP_GROW(bn->items, bn->cap, bn->count + 1);
  bn->items[bn->count++] = (lp_blank_name){offset, lp_xstrdup(name)};
}

/* Parses a token at s ("{{" mark digits "}}"); returns its index and sets
 * *after, or returns -1 if s holds no token. */
static long token_at(const char *s, size_t count, const char **after) {
  if (s[0] != '{' || s[1] != '{' || s[2] != TOKEN_MARK) return -1;
  char *end;
  unsigned long k = strtoul(s + 3, &end, 10);
  if (end == s + 3 || end[0] != '}' || end[1] != '}' || k >= count) return -1;
  *after = end + 2;
  return (long)k;
}

/* The text of s with tokens replaced; NULL when s has none.  node, when
 * not NULL, gets the names of blanks. */
static char *replace_tokens(const lp_fill *f, const char *s,
                            cmark_node *node) {
  if (!s || !strstr(s, "{{\x1d")) return NULL;
  lp_buf out = {0};
  const char *p = s;
  while (*p) {
    const char *o = strstr(p, "{{\x1d"), *after;
    if (!o) {
      lp_buf_puts(&out, p);
      break;
    }
    lp_buf_append(&out, p, (size_t)(o - p));
    long k = token_at(o, f->count, &after);
    if (k < 0) {
      lp_buf_append(&out, o, 2);
      p = o + 2;
      continue;
    }
    if (f->texts[k]) {
      size_t start = out.len;
      append_value(&out, f->texts[k]);
      /* Data is text as typed: it never makes a field (fill.h). */
      if (node) {
        lp_blank_names_add_literal(node_marks(node), start, out.len);
        lp_blank_names_add_value(node_marks(node), start, out.len,
                                 f->where[k][0], f->where[k][1],
                                 f->where[k][2]);
      }
    } else {
      if (node) add_blank_name(node, out.len, f->names[k]);
      static const char blank = LP_BLANK_CHAR;
      for (int b = 0; b < MISSING_BLANK_CHARS; b++)
        lp_buf_append(&out, &blank, 1);
    }
    p = after;
  }
  char *r = lp_buf_strdup(&out);
  lp_buf_free(&out);
  return r;
}

/* Whether path is relative and has no ".." component (so it stays inside
 * the directory it is resolved against). */
static bool contained_path(const char *path) {
  if (!*path || path[0] == '/' || strchr(path, '\\') || strchr(path, ':'))
    return false;
  for (const char *p = path; *p;) {
    const char *e = strchr(p, '/');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (n == 2 && p[0] == '.' && p[1] == '.') return false;
    p += n + (e ? 1 : 0);
  }
  return true;
}

void lp_fill_values(const lp_fill *f, lp_buf *text) {
  if (!f || !text->len) return;
  lp_buf out = {0};
  const char *s = (const char *)text->data, *end = s + text->len, *after;
  while (s < end) {
    long k = s + 3 < end ? token_at(s, f->count, &after) : -1;
    if (k < 0) {
      lp_buf_append(&out, s++, 1);
      continue;
    }
    const char *v = f->texts[k];
    for (size_t b = 0; !v && b < MISSING_BLANK_CHARS; b++)
      lp_buf_append(&out, "_", 1);
    for (; v && *v; v++) {
      unsigned char c = (unsigned char)*v;
      lp_buf_append(&out, c < 0x20 || c == 0x7F ? " " : v, 1);
    }
    s = after;
  }
  lp_buf_append(&out, "", 1); /* NUL-terminated even when empty */
  out.len--;
  lp_buf_free(text);
  *text = out;
}

char *lp_fill_text(const lp_fill *f) {
  lp_buf b = {0};
  lp_buf_append(&b, f->src.data, f->src.len);
  lp_fill_values(f, &b);
  char *r = lp_buf_strdup(&b);
  lp_buf_free(&b);
  return r;
}

bool lp_fill_tree(cmark_node *root, const lp_fill *f, lp_error *err) {
  bool ok = true;
  if (!f->count) return true;
  cmark_iter *it = cmark_iter_new(root);
  cmark_event_type ev;
  while (ok && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    if (ev != CMARK_EVENT_ENTER) continue;
    cmark_node *node = cmark_iter_get_node(it);
    cmark_node_type t = cmark_node_get_type(node);
    char *s;
    switch (t) {
    case CMARK_NODE_TEXT:
    case CMARK_NODE_HTML_INLINE:
    case CMARK_NODE_CODE:
    case CMARK_NODE_CODE_BLOCK:
    case CMARK_NODE_HTML_BLOCK:
      s = replace_tokens(f, cmark_node_get_literal(node),
                         t == CMARK_NODE_TEXT || t == CMARK_NODE_HTML_INLINE
                             ? node
                             : NULL);
      if (s) cmark_node_set_literal(node, s);
      free(s);
      break;
    case CMARK_NODE_LINK:
    case CMARK_NODE_IMAGE:
      s = replace_tokens(f, cmark_node_get_url(node), NULL);
      /* An image path made from data must stay inside the template's
       * directory: data must never pick a file elsewhere on the disk. */
      if (s && t == CMARK_NODE_IMAGE &&
          strcmp(s, cmark_node_get_url(node)) != 0 && !contained_path(s)) {
        ok = lp_fail(err, LP_ERR_INPUT, NULL, cmark_node_get_start_line(node),
                     cmark_node_get_start_column(node),
                     "the image path '%s' comes from the data and leaves the "
                     "template's directory: data may only name images beside "
                     "the template",
                     s);
        free(s);
        break;
      }
      if (s) cmark_node_set_url(node, s);
      free(s);
      s = replace_tokens(f, cmark_node_get_title(node), NULL);
      if (s) cmark_node_set_title(node, s);
      free(s);
      break;
    default:
      break;
    }
  }
  cmark_iter_free(it);
  return ok;
}
