/* data.c - placeholder values and data sets: JSON (jansson), JSON Lines,
 * CSV (libcsv). */
#include "data.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>

#include "decode.h"
#include "util.h"

#define STR_(x) #x
#define STR(x) STR_(x) /* a number macro as a string literal */

/* ---- Numbers as written ---------------------------------------------------
 * jansson turns 12.50 into the double 12.5 and forgets how it was written,
 * but a letter must print the amount as typed.  After jansson has accepted
 * the text (so its errors and their lines and columns are jansson's), the
 * text is scanned for its number tokens, which come in the order of the
 * numbers in the parsed tree (jansson keeps members in document order, and
 * no key is repeated: JSON_REJECT_DUPLICATES); each number is replaced by
 * the string of its own token. */

/* Where the scan of the JSON text is. */
typedef struct num_scan {
  const char *s;
  size_t n, i;
} num_scan;

/* The next number token of valid JSON text: its start and length; false
 * when there is none. */
static bool next_number(num_scan *sc, const char **at, size_t *len) {
  while (sc->i < sc->n) {
    char c = sc->s[sc->i];
    if (c == '"') { /* a string: skip it, escapes included */
      for (sc->i++; sc->i < sc->n && sc->s[sc->i] != '"'; sc->i++)
        if (sc->s[sc->i] == '\\') sc->i++;
      sc->i++;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      size_t a = sc->i;
      while (sc->i < sc->n && sc->s[sc->i] && strchr("+-.eE0123456789", sc->s[sc->i]))
        sc->i++;
      *at = sc->s + a;
      *len = sc->i - a;
      return true;
    } else {
      sc->i++;
    }
  }
  return false;
}

/* The string of the next number token, for the number v (kept when the
 * text has no more numbers, which valid JSON cannot do). */
static json_t *number_text(num_scan *sc, json_t *v) {
  const char *at;
  size_t len;
  if (!next_number(sc, &at, &len)) return json_incref(v);
  return json_stringn(at, len);
}

/* Replaces every number under v, in document order, by its text. */
static void keep_numbers(json_t *v, num_scan *sc) {
  if (json_is_object(v)) {
    for (void *it = json_object_iter(v); it;
         it = json_object_iter_next(v, it)) {
      json_t *kid = json_object_iter_value(it);
      if (json_is_number(kid))
        json_object_iter_set_new(v, it, number_text(sc, kid));
      else
        keep_numbers(kid, sc);
    }
  } else if (json_is_array(v)) {
    for (size_t i = 0; i < json_array_size(v); i++) {
      json_t *kid = json_array_get(v, i);
      if (json_is_number(kid))
        json_array_set_new(v, i, number_text(sc, kid));
      else
        keep_numbers(kid, sc);
    }
  }
}

/* Gives the numbers of root, parsed from text (len bytes), their text. */
static void keep_number_text(json_t *root, const char *text, size_t len) {
  num_scan sc = {text, len, 0};
  keep_numbers(root, &sc);
}

/* Wraps a parsed root, which must be an object. */
static lp_data *wrap(json_t *root, const char *name, lp_error *err) {
  if (!json_is_object(root)) {
    lp_fail(err, LP_ERR_INPUT, name, 1, 1,
            "the data must be a JSON object ({\"name\": \"value\", ...})");
    json_decref(root);
    return NULL;
  }
  lp_data *d = lp_xcalloc(1, sizeof *d);
  d->root = root;
  return d;
}

lp_data *lp_data_parse_json(const char *text, size_t len, const char *name,
                            lp_error *err) {
  if (!name) name = "<data>";
  json_error_t je;
  json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
  if (root) keep_number_text(root, text, len);
  if (!root) {
    lp_fail(err, LP_ERR_INPUT, name, je.line, je.column, "bad JSON: %s",
            je.text);
    return NULL;
  }
  return wrap(root, name, err);
}

lp_data *lp_data_load(const char *path, lp_error *err) {
  return lp_data_load_limited(path, LP_DEFAULT_MAX_INPUT_BYTES, err);
}

lp_data *lp_data_load_limited(const char *path, size_t max_bytes,
                              lp_error *err) {
  lp_data_source src = {.max_bytes = max_bytes};
  return lp_data_load_from(path, &src, err);
}

lp_data *lp_data_load_from(const char *path, const lp_data_source *src,
                           lp_error *err) {
  lp_records_options o = {.max_bytes = LP_DEFAULT_MAX_INPUT_BYTES};
  if (src) {
    if (src->format && !lp_data_format_parse(src->format, &o.fmt)) {
      lp_fail(err, LP_ERR_INPUT, "--format", 0, 0,
              "'%s' is not a data format: json, jsonl, csv or tsv",
              src->format);
      return NULL;
    }
    o.encoding = src->encoding;
    o.delimiter = src->delimiter;
    o.max_bytes = src->max_bytes;
  }
  lp_records *r = lp_records_open_with(path, &o, err);
  if (!r) return NULL;
  lp_data *d = NULL, *extra = NULL;
  int got = lp_records_next(r, &d, err);
  if (got == 0)
    lp_fail(err, LP_ERR_INPUT, strcmp(path, "-") ? path : "<stdin>", 0, 0,
            "the data has no record: a letter needs one");
  else if (got > 0 && lp_records_next(r, &extra, err) != 0) {
    if (extra)
      lp_fail(err, LP_ERR_INPUT, strcmp(path, "-") ? path : "<stdin>",
              lp_records_line(r), 0,
              "the data has more than one record; render makes one letter: "
              "use 'letterpress merge' for one letter per record");
    lp_data_free(extra);
    lp_data_free(d);
    d = NULL;
  }
  lp_records_close(r);
  return d;
}

json_t *lp_data_member(const json_t *v, const char *part, size_t n) {
  if (json_is_object(v)) return json_object_getn(v, part, n);
  if (!json_is_array(v) || n == 0 || n > 4 || part[0] == '0') return NULL;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (part[i] < '0' || part[i] > '9') return NULL;
    k = k * 10 + (size_t)(part[i] - '0');
  }
  return k >= 1 ? json_array_get(v, k - 1) : NULL;
}

json_t *lp_data_lookup(const lp_data *data, const char *name) {
  if (!data) return NULL;
  json_t *v = data->root;
  const char *p = name;
  bool first = true;
  while (v && *p) {
    const char *dot = strchr(p, '.');
    size_t n = dot ? (size_t)(dot - p) : strlen(p);
    /* The first part is always a name, as in CSV headers. */
    v = first ? (json_is_object(v) ? json_object_getn(v, p, n) : NULL)
              : lp_data_member(v, p, n);
    first = false;
    p = dot ? dot + 1 : p + n;
  }
  return v;
}

/* Whether key is a usable dotted name: no empty parts. */
static bool valid_key(const char *key) {
  return *key && key[0] != '.' && key[strlen(key) - 1] != '.' &&
         !strstr(key, "..");
}

/* Reads a part of a dotted name (n bytes) as a list position: the position
 * (1 to LP_DATA_MAX_POSITION) for a plain decimal number, 0 for a name (a
 * part that does not start with a digit), and for a part that starts with a
 * digit but is no position: POS_ZERO ("0"), POS_PADDED ("01"), POS_NOT_NUMBER
 * ("1a") or POS_TOO_BIG. */
enum { POS_ZERO = -1, POS_PADDED = -2, POS_NOT_NUMBER = -3, POS_TOO_BIG = -4 };
static long part_position(const char *p, size_t n) {
  if (!n || p[0] < '0' || p[0] > '9') return 0;
  long v = 0;
  for (size_t i = 0; i < n; i++) {
    if (p[i] < '0' || p[i] > '9') return POS_NOT_NUMBER;
    if (v <= LP_DATA_MAX_POSITION) v = v * 10 + (p[i] - '0');
  }
  if (p[0] == '0') return n == 1 ? POS_ZERO : POS_PADDED;
  return v > LP_DATA_MAX_POSITION ? POS_TOO_BIG : v;
}

/* Why a part that starts with a digit is no list position (code from
 * part_position), as advice that follows "...: ". */
static const char *position_advice(long code) {
  switch (code) {
  case POS_ZERO:
    return "list positions count from 1: the first item is 1, not 0";
  case POS_PADDED:
    return "write a list position without leading zeros: 1, not 01";
  case POS_TOO_BIG:
    return "a list position is at most " STR(LP_DATA_MAX_POSITION)
           "; a name that is not a position must start with a letter";
  default:
    return "a part that starts with a digit is a list position, a whole "
           "number from 1 to " STR(LP_DATA_MAX_POSITION)
           "; start a name with a letter";
  }
}

/* Puts v (stolen) into the container c (an object or a list) under the
 * part p (n bytes): a member of an object, or in a list the item at
 * position pos (1-based; size + 1 appends). */
static void container_put(json_t *c, const char *p, size_t n, long pos,
                          json_t *v) {
  if (json_is_object(c)) json_object_setn_new(c, p, n, v);
  else if ((size_t)pos > json_array_size(c)) json_array_append_new(c, v);
  else json_array_set_new(c, (size_t)pos - 1, v);
}

/* Sets the dotted name key (valid) in obj to v (stolen), following the
 * values on the way: an object is entered by name, a list by position (1
 * to its size, or size + 1 to add an item); anything else on the way is
 * replaced by a new object, or by a new list when the next part is a
 * position.  Fails, with v freed, when a list is met with a part that is
 * no position in it. */
static bool set_path(json_t *obj, const char *key, json_t *v, lp_error *err) {
  json_t *c = obj; /* an object or a list */
  const char *p = key;
  for (;;) {
    const char *dot = strchr(p, '.');
    size_t n = dot ? (size_t)(dot - p) : strlen(p);
    long pos = 0;
    json_t *next = NULL;
    if (json_is_object(c)) {
      next = json_object_getn(c, p, n);
    } else {
      size_t size = json_array_size(c);
      pos = part_position(p, n);
      if (pos <= 0 || (size_t)pos > size + 1) {
        json_decref(v);
        int at = (int)(p - key) - 1;
        if (!size)
          return lp_fail(err, LP_ERR_INPUT, "--set", 0, 0,
                         "'%s': %.*s is an empty list: add its first item "
                         "(%.*s.1)",
                         key, at, key, at, key);
        return lp_fail(err, LP_ERR_INPUT, "--set", 0, 0,
                       "'%s': %.*s is a list of %zu item%s: name an item "
                       "by its position, 1 to %zu (%.*s.1), or %zu to add "
                       "one",
                       key, at, key, size, size == 1 ? "" : "s", size, at,
                       key, size + 1);
      }
      next = (size_t)pos <= size ? json_array_get(c, (size_t)pos - 1) : NULL;
    }
    if (!dot) {
      container_put(c, p, n, pos, v);
      return true;
    }
    if (!json_is_object(next) && !json_is_array(next)) {
      const char *q = dot + 1, *qdot = strchr(q, '.');
      long qpos = part_position(q, qdot ? (size_t)(qdot - q) : strlen(q));
      if (qpos < 0) {
        json_decref(v);
        return lp_fail(err, LP_ERR_INPUT, "--set", 0, 0, "'%s': %s", key,
                       position_advice(qpos));
      }
      next = qpos > 0 ? json_array() : json_object();
      container_put(c, p, n, pos, next);
    }
    c = next;
    p = dot + 1;
  }
}

bool lp_data_set(lp_data *data, const char *key, const char *value,
                 lp_error *err) {
  if (!valid_key(key))
    return lp_fail(err, LP_ERR_INPUT, "--set", 0, 0,
                   "'%s' is not a name: write --set name=value or "
                   "--set a.b=value",
                   key);
  json_t *v = json_string(value);
  if (!v)
    return lp_fail(err, LP_ERR_INPUT, "--set", 0, 0,
                   "the value of '%s' is not UTF-8 text", key);
  return set_path(data->root, key, v, err);
}

char *lp_data_text(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_STRING:
    return lp_xstrndup(json_string_value(v), json_string_length(v));
  case JSON_INTEGER: {
    lp_buf b = {0};
    lp_buf_printf(&b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    char *s = lp_buf_strdup(&b);
    lp_buf_free(&b);
    return s;
  }
  case JSON_REAL: {
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    char *r = lp_xstrdup(s ? s : "");
    free(s);
    return r;
  }
  case JSON_TRUE:
    return lp_xstrdup("true");
  case JSON_FALSE:
    return lp_xstrdup("false");
  case JSON_NULL:
    return lp_xstrdup("");
  default:
    return NULL;
  }
}

/* ---- Did you mean ---------------------------------------------------------- */

/* Names longer than this (in characters) are not compared. */
#define MAX_COMPARED_CHARS 64

/* Decodes s (n bytes) into at most MAX_COMPARED_CHARS code points, ASCII
 * letters lowered; returns how many (-1 when s is longer). */
static int code_points(const char *s, size_t n, int32_t *out) {
  int k = 0;
  for (size_t i = 0; i < n;) {
    if (k == MAX_COMPARED_CHARS) return -1;
    int32_t cp = lp_utf8_next(s, n, &i);
    out[k++] = cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp;
  }
  return k;
}

/* The edit distance between a and b (code points): insertions, deletions,
 * substitutions and swaps of neighbours (optimal string alignment). */
static int edit_distance(const int32_t *a, int na, const int32_t *b,
                         int nb) {
  int d[MAX_COMPARED_CHARS + 1][MAX_COMPARED_CHARS + 1];
  for (int i = 0; i <= na; i++) d[i][0] = i;
  for (int j = 0; j <= nb; j++) d[0][j] = j;
  for (int i = 1; i <= na; i++)
    for (int j = 1; j <= nb; j++) {
      int best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
      if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
          d[i - 2][j - 2] + 1 < best)
        best = d[i - 2][j - 2] + 1;
      d[i][j] = best;
    }
  return d[na][nb];
}

/* The member of obj closest to part (n bytes), within a third of its
 * length in edits (at least 1 for two characters or more); *dist gets the
 * distance.  NULL if none. */
static const char *closest_member(const json_t *obj, const char *part,
                                  size_t n, int *dist) {
  int32_t a[MAX_COMPARED_CHARS], b[MAX_COMPARED_CHARS];
  int na = code_points(part, n, a);
  if (na < 0 || !json_is_object(obj)) return NULL;
  /* (a name of one character: only its other case) */
  int limit = na / 3 > 1 ? na / 3 : na >= 2;
  const char *best = NULL;
  *dist = limit + 1;
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)obj, key, v) {
    int nb = code_points(key, strlen(key), b);
    if (nb < 0) continue;
    int d = edit_distance(a, na, b, nb);
    if (d < *dist) *dist = d, best = key;
  }
  return best;
}

char *lp_data_closest(const json_t *const *ctx, size_t n, const char *name) {
  const char *dot = strchr(name, '.');
  size_t len = dot ? (size_t)(dot - name) : strlen(name);
  /* A first part that some context has: look further in. */
  for (size_t k = n; dot && k-- > 0;) {
    const json_t *v = json_object_getn(ctx[k], name, len);
    if (!v) continue;
    const char *p = dot + 1;
    for (;;) {
      const char *q = strchr(p, '.');
      size_t m = q ? (size_t)(q - p) : strlen(p);
      const json_t *next = lp_data_member(v, p, m);
      if (!next) {
        int d;
        const char *best = closest_member(v, p, m, &d);
        if (!best) return NULL;
        lp_buf b = {0};
        lp_buf_printf(&b, "%.*s%s%s", (int)(p - name), name, best,
                      q ? q : "");
        char *r = lp_buf_strdup(&b);
        lp_buf_free(&b);
        return r;
      }
      if (!q) return NULL; /* (it resolves: nothing to suggest) */
      v = next;
      p = q + 1;
    }
  }
  const char *best = NULL;
  int best_d = 0;
  for (size_t k = n; k-- > 0;) { /* the innermost context first */
    int d;
    const char *c = closest_member(ctx[k], name, len, &d);
    if (c && (!best || d < best_d)) best = c, best_d = d;
  }
  if (!best) return NULL;
  lp_buf b = {0};
  lp_buf_printf(&b, "%s%s", best, dot ? dot : "");
  char *r = lp_buf_strdup(&b);
  lp_buf_free(&b);
  return r;
}

void lp_data_list_names(const json_t *obj, lp_buf *out, size_t max) {
  size_t i = 0, all = json_object_size(obj);
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)obj, key, v) {
    if (i == max) {
      lp_buf_printf(out, ", ... (%zu in all)", all);
      break;
    }
    lp_buf_printf(out, "%s%s", i++ ? ", " : "", key);
  }
}

void lp_data_free(lp_data *data) {
  if (!data) return;
  json_decref(data->root);
  free(data);
}

/* ---- Data sets ------------------------------------------------------------ */

/* A CSV row being read: its cells. */
typedef struct csv_row {
  char **cells;
  size_t count, cap;
} csv_row;

/* What the header's names make of a row: a tree whose leaves are columns.
 * A name's parts are members of objects, except a part that is a whole
 * number after the first, which is a position in a list (see data.h). */
typedef enum { CSV_CELL, CSV_OBJECT, CSV_LIST } csv_kind;

typedef struct csv_node {
  csv_kind kind;
  const char *key; /* in an object: the member's name (borrowed from the */
  size_t key_len;  /* header), n bytes */
  long pos;        /* in a list: the position, 1-based */
  size_t column;   /* a cell: its column; otherwise the first column under
                      it (0-based) */
  struct csv_node *kids; /* objects: in header order; lists: by position */
  size_t nkids, cap;
} csv_node;

struct lp_records {
  lp_data_format fmt;
  char *name;       /* for error locations */
  FILE *in;         /* the UTF-8 text (dec's stream): read line by line */
  lp_decode *dec;   /* the bytes under it, converted */
  char *text;       /* the bytes, when read from memory or stdin */
  size_t text_len;
  char delim;       /* CSV: the cell delimiter; 0 until the header line */
  size_t ncols_read; /* CSV: header cells, with the empty ones at the end */
  bool bad_bytes;   /* the text ended at bytes its encoding does not allow */
  int bad_line;     /* the line they are on */
  char *line;       /* getline buffer */
  size_t line_cap;
  int lineno;       /* lines read so far */
  size_t count;     /* records returned so far */
  int record_line;  /* where the last record starts */
  json_t *array;    /* JSON: the records (an array, or the object alone) */
  size_t next;      /* JSON: next index */
  /* CSV */
  struct csv_parser csv;
  bool csv_ready;
  char **header;
  size_t ncols;
  csv_node tree;    /* what the header makes of a row (an object) */
  lp_buf head;      /* the header's lines as read, for error columns */
  int head_line;    /* where the header row starts */
  bool header_failed; /* the header is bad: every call fails */
  lp_error header_err;
  csv_row row;      /* the row being read */
  csv_row *done;    /* rows completed and not yet returned */
  int *done_line;
  size_t ndone, done_cap, done_line_cap, done_first;
  bool row_open;    /* a row has started and not ended */
  bool skipping;    /* the row being read is skipped: its cells are not
                       kept (lp_records_skip) */
  int row_line;
  bool eof;
  size_t max_bytes; /* the input limit (0: none); a line or file beyond it
                       is an error */
  bool too_long;    /* a line was over max_bytes */
};

bool lp_data_format_parse(const char *name, lp_data_format *fmt) {
  if (!strcasecmp(name, "json")) *fmt = LP_DATA_JSON;
  else if (!strcasecmp(name, "jsonl") || !strcasecmp(name, "ndjson"))
    *fmt = LP_DATA_JSONL;
  else if (!strcasecmp(name, "csv")) *fmt = LP_DATA_CSV;
  else if (!strcasecmp(name, "tsv")) *fmt = LP_DATA_TSV;
  else return false;
  return true;
}

/* The format a file name implies; JSON when it implies none.  .txt is
 * Excel's "Text (Tab delimited)" and "Unicode text": CSV, its delimiter
 * found in the header line. */
static lp_data_format format_of(const char *name) {
  const char *dot = strrchr(name, '.');
  lp_data_format f = LP_DATA_JSON;
  if (dot && !strchr(dot, '/')) {
    if (!strcasecmp(dot + 1, "txt")) f = LP_DATA_CSV;
    else lp_data_format_parse(dot + 1, &f);
  }
  return f;
}

/* Frees the cells of a row and empties it. */
static void row_clear(csv_row *row) {
  for (size_t i = 0; i < row->count; i++) free(row->cells[i]);
  row->count = 0;
}

/* libcsv: a field ended. */
static void on_csv_field(void *s, size_t len, void *ctx) {
  lp_records *r = ctx;
  if (r->skipping) return; /* a skipped row keeps no cells */
  LP_GROW(r->row.cells, r->row.cap, r->row.count + 1);
  r->row.cells[r->row.count++] = lp_xstrndup(s ? s : "", s ? len : 0);
}

/* libcsv: a row ended; it joins the queue of completed rows. */
static void on_csv_row(int c, void *ctx) {
  (void)c;
  lp_records *r = ctx;
  LP_GROW(r->done, r->done_cap, r->ndone + 1);
  LP_GROW(r->done_line, r->done_line_cap, r->ndone + 1);
  r->done[r->ndone] = r->row;
  r->done_line[r->ndone++] = r->row_line;
  memset(&r->row, 0, sizeof r->row);
  r->row_open = false;
  r->skipping = false; /* rows after it in the same text keep theirs */
}

/* Keeps spaces around unquoted cells: they are data (RFC 4180). */
static int csv_no_space(unsigned char c) {
  (void)c;
  return 0;
}

static lp_records *records_new(const char *name,
                               const lp_records_options *o) {
  lp_records *r = lp_xcalloc(1, sizeof *r);
  r->name = lp_xstrdup(name);
  r->fmt = o->fmt == LP_DATA_AUTO ? format_of(name) : o->fmt;
  r->delim = o->delimiter;
  if (r->fmt == LP_DATA_TSV) {
    r->fmt = LP_DATA_CSV;
    if (!r->delim) r->delim = '\t';
  }
  r->max_bytes = o->max_bytes;
  return r;
}

/* Fails because the text ended at bytes its encoding does not allow. */
static bool bad_bytes_error(const lp_records *r, lp_error *err) {
  return lp_fail(err, LP_ERR_INPUT, r->name, r->bad_line, 0,
                 "bytes that are not %s text: pass the file's own encoding "
                 "with --encoding (e.g. GB18030, Shift_JIS, Big5, EUC-KR)",
                 lp_decode_encoding(r->dec));
}

/* Prepares r, whose input is set, for its format. */
static bool records_start(lp_records *r, lp_error *err) {
  if (r->fmt == LP_DATA_JSON) {
    lp_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, r->in)) > 0) {
      lp_buf_append(&b, chunk, n);
      if (r->max_bytes && b.len > r->max_bytes) {
        lp_buf_free(&b);
        return lp_fail(err, LP_ERR_INPUT, r->name, 0, 0,
                       "larger than %zu bytes (the limit): raise it with "
                       "--max-input-size",
                       r->max_bytes);
      }
    }
    if (lp_decode_bad(r->dec)) {
      r->bad_line = 1;
      for (size_t i = 0; i < b.len; i++) r->bad_line += b.data[i] == '\n';
      lp_buf_free(&b);
      return bad_bytes_error(r, err);
    }
    const char *t = b.data ? (char *)b.data : "";
    if (strspn(t, " \t\r\n") == b.len) {
      lp_buf_free(&b);
      return lp_fail(err, LP_ERR_INPUT, r->name, 0, 0,
                     "the data file is empty: it needs a JSON object "
                     "({\"name\": \"value\", ...}) or an array of them");
    }
    json_error_t je;
    json_t *root = json_loadb(t, b.len, JSON_REJECT_DUPLICATES, &je);
    if (root) keep_number_text(root, t, b.len);
    lp_buf_free(&b);
    if (!root)
      return lp_fail(err, LP_ERR_INPUT, r->name, je.line, je.column,
                     "bad JSON: %s", je.text);
    if (json_is_object(root)) {
      r->array = json_array();
      json_array_append_new(r->array, root);
    } else if (json_is_array(root)) {
      r->array = root;
    } else {
      json_decref(root);
      return lp_fail(err, LP_ERR_INPUT, r->name, 1, 1,
                     "the data must be a JSON object ({\"name\": \"value\", "
                     "...}) or an array of them");
    }
    return true;
  }
  if (r->fmt == LP_DATA_CSV) {
    if (csv_init(&r->csv, CSV_STRICT | CSV_STRICT_FINI) != 0)
      return lp_fail(err, LP_ERR_NOMEM, r->name, 0, 0, "out of memory");
    csv_set_space_func(&r->csv, csv_no_space);
    r->csv_ready = true;
  }
  return true;
}

/* Reads r from raw (taken), decoded as encoding says; closes r and
 * returns NULL on failure. */
static lp_records *records_begin(lp_records *r, FILE *raw,
                                 const char *encoding, lp_error *err) {
  r->dec = raw ? lp_decode_open(raw, r->name, encoding, err) : NULL;
  if (!raw) lp_fail(err, LP_ERR_NOMEM, r->name, 0, 0, "out of memory");
  r->in = r->dec ? lp_decode_stream(r->dec) : NULL;
  if (!r->in || !records_start(r, err)) {
    lp_records_close(r);
    return NULL;
  }
  return r;
}

lp_records *lp_records_open_memory_with(const char *text, size_t len,
                                        const char *name,
                                        const lp_records_options *o,
                                        lp_error *err) {
  lp_records *r = records_new(name ? name : "<data>", o);
  r->text = lp_xstrndup(text, len);
  r->text_len = len;
  /* (fmemopen of 0 bytes fails: an empty buffer of 1, read as empty) */
  FILE *raw = fmemopen(r->text, len ? len : 1, "r");
  if (raw && !len) fgetc(raw);
  return records_begin(r, raw, o->encoding, err);
}

lp_records *lp_records_open_memory(const char *text, size_t len,
                                   const char *name, lp_data_format fmt,
                                   lp_error *err) {
  lp_records_options o = {.fmt = fmt};
  return lp_records_open_memory_with(text, len, name, &o, err);
}

lp_records *lp_records_open(const char *path, lp_data_format fmt,
                            lp_error *err) {
  return lp_records_open_limited(path, fmt, LP_DEFAULT_MAX_INPUT_BYTES, err);
}

lp_records *lp_records_open_limited(const char *path, lp_data_format fmt,
                                    size_t max_bytes, lp_error *err) {
  lp_records_options o = {.fmt = fmt, .max_bytes = max_bytes};
  return lp_records_open_with(path, &o, err);
}

lp_records *lp_records_open_with(const char *path,
                                 const lp_records_options *o, lp_error *err) {
  if (!strcmp(path, "-")) {
    lp_buf b = {0};
    if (!lp_read_file_limited(path, &b, o->max_bytes, err)) {
      lp_buf_free(&b);
      return NULL;
    }
    lp_records_options in = *o;
    if (in.fmt == LP_DATA_AUTO) in.fmt = LP_DATA_JSON;
    lp_records *r = lp_records_open_memory_with(
        b.data ? (char *)b.data : "", b.len, "<stdin>", &in, err);
    lp_buf_free(&b);
    return r;
  }
  lp_records *r = records_new(path, o);
  FILE *raw = fopen(path, "rb");
  if (!raw) {
    lp_fail(err, LP_ERR_INPUT, path, 0, 0,
            "cannot read the data: %s", strerror(errno));
    lp_records_close(r);
    return NULL;
  }
  return records_begin(r, raw, o->encoding, err);
}

/* Reads the next line into r->line (without the line break); false at the
 * end. */
static ssize_t read_line(lp_records *r) {
  ssize_t n = getline(&r->line, &r->line_cap, r->in);
  if (n >= 0) r->lineno++;
  /* Bytes the encoding does not allow end the text inside this line (or
   * just before it): the line is not read. */
  if (lp_decode_bad(r->dec) && (n < 0 || r->line[n - 1] != '\n')) {
    r->bad_bytes = true;
    r->bad_line = n < 0 ? r->lineno + 1 : r->lineno;
    return -1;
  }
  if (n >= 0 && r->max_bytes && (size_t)n > r->max_bytes) {
    r->too_long = true; /* reported by lp_records_next */
    return -1;
  }
  return n;
}

/* Fails with a message about the current record. */
static int record_error(lp_records *r, lp_error *err, int line, int col,
                        const char *what) {
  lp_fail(err, LP_ERR_INPUT, r->name, line, col, "record %zu: %s", r->count,
          what);
  return -1;
}

static int next_json(lp_records *r, lp_data **rec, lp_error *err) {
  if (r->next >= json_array_size(r->array)) return 0;
  json_t *v = json_array_get(r->array, r->next++);
  r->count++;
  r->record_line = 0;
  if (!json_is_object(v))
    return record_error(r, err, 0, 0,
                        "each element of the array must be an object "
                        "({\"name\": \"value\", ...})");
  *rec = lp_xcalloc(1, sizeof **rec);
  (*rec)->root = json_incref(v);
  return 1;
}

static bool wanted(const char *key, size_t n, const char *const *only,
                   size_t nonly);

/* p past JSON whitespace (up to e). */
static const char *json_ws(const char *p, const char *e) {
  while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) p++;
  return p;
}

/* The end of the JSON string that starts at p (a quote); NULL if none. */
static const char *json_string_end(const char *p, const char *e) {
  for (p++; p < e; p++) {
    if (*p == '\\') p++;
    else if (*p == '"') return p + 1;
  }
  return NULL;
}

/* The end of the JSON value that starts at p, found without parsing it
 * (strings skipped, brackets counted); NULL if it does not end. */
static const char *json_value_end(const char *p, const char *e) {
  if (p >= e) return NULL;
  if (*p == '"') return json_string_end(p, e);
  if (*p != '{' && *p != '[') {
    while (p < e && *p != ',' && *p != '}' && *p != ']' && *p != ' ' &&
           *p != '\t' && *p != '\r' && *p != '\n')
      p++;
    return p;
  }
  int depth = 0;
  while (p < e) {
    if (*p == '"') {
      if (!(p = json_string_end(p, e))) return NULL;
      continue;
    }
    if (*p == '{' || *p == '[') depth++;
    else if ((*p == '}' || *p == ']') && --depth == 0) return p + 1;
    p++;
  }
  return NULL;
}

/* Adds member key (n bytes) = the JSON value text [vs, ve) to obj, numbers
 * keeping their text; false when the value is not JSON or key repeats. */
static bool add_member(json_t *obj, const char *key, size_t n,
                       const char *vs, const char *ve) {
  json_t *v = json_loadb(vs, (size_t)(ve - vs),
                         JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
  json_t *holder = json_object();
  bool ok = v && !json_object_getn(obj, key, n);
  if (ok) {
    json_object_set_new(holder, "v", v);
    keep_number_text(holder, vs, (size_t)(ve - vs));
    json_object_setn(obj, key, n, json_object_get(holder, "v"));
  } else {
    json_decref(v);
  }
  json_decref(holder);
  return ok;
}

/* The object of a JSON Lines line with only the members that the dotted
 * names only[0..nonly) start with: the others are stepped over, not
 * parsed.  NULL when the line is anything but a plain object (escaped
 * keys, bad JSON): the caller parses it whole. */
static json_t *jsonl_only(const char *p, size_t len, const char *const *only,
                          size_t nonly) {
  const char *e = p + len;
  p = json_ws(p, e);
  if (p >= e || *p != '{') return NULL;
  json_t *obj = json_object();
  p = json_ws(p + 1, e);
  bool ok = true, empty = p < e && *p == '}';
  while (ok && !empty) {
    const char *ks = p, *ke = p < e && *p == '"' ? json_string_end(p, e) : NULL;
    ok = ke && !memchr(ks, '\\', (size_t)(ke - ks));
    p = ok ? json_ws(ke, e) : e;
    ok = ok && p < e && *p == ':';
    const char *vs = ok ? json_ws(p + 1, e) : e;
    const char *ve = ok ? json_value_end(vs, e) : NULL;
    ok = ve && ve > vs;
    size_t kn = ok ? (size_t)(ke - ks) - 2 : 0;
    if (ok && wanted(ks + 1, kn, only, nonly))
      ok = add_member(obj, ks + 1, kn, vs, ve);
    p = ok ? json_ws(ve, e) : e;
    if (ok && p < e && *p == ',') p = json_ws(p + 1, e);
    else if (ok && p < e && *p == '}') break;
    else ok = false;
  }
  if (ok && json_ws(p + 1, e) != e) ok = false;
  if (!ok) {
    json_decref(obj);
    return NULL;
  }
  return obj;
}

static int next_jsonl(lp_records *r, lp_data **rec, lp_error *err,
                      const char *const *only, size_t nonly) {
  ssize_t n;
  while ((n = read_line(r)) >= 0) {
    const char *p = r->line;
    size_t len = (size_t)n;
    size_t k = 0;
    while (k < len && strchr(" \t\r\n", p[k])) k++;
    if (k == len) continue; /* blank line */
    r->count++;
    r->record_line = r->lineno;
    int bl, bc;
    if (!lp_utf8_check(p, len, &bl, &bc)) {
      char advice[200], what[300];
      lp_decode_advice(p, len, advice, sizeof advice);
      snprintf(what, sizeof what, "the data is not UTF-8 here; %s (or save "
               "the file as UTF-8)", advice);
      return record_error(r, err, r->lineno, bc, what);
    }
    json_t *part = only ? jsonl_only(p, len, only, nonly) : NULL;
    if (part) {
      *rec = lp_xcalloc(1, sizeof **rec);
      (*rec)->root = part;
      return 1;
    }
    json_error_t je;
    json_t *v = json_loadb(p, len, JSON_REJECT_DUPLICATES, &je);
    if (v) keep_number_text(v, p, len);
    if (!v) {
      char what[300];
      snprintf(what, sizeof what, "bad JSON: %s", je.text);
      return record_error(r, err, r->lineno, je.column, what);
    }
    if (!json_is_object(v)) {
      json_decref(v);
      return record_error(r, err, r->lineno, 1,
                          "each line must be one JSON object "
                          "({\"name\": \"value\", ...})");
    }
    *rec = lp_xcalloc(1, sizeof **rec);
    (*rec)->root = v;
    return 1;
  }
  return 0;
}

/* Picks the CSV delimiter from the header line p (n bytes): of comma,
 * semicolon (European Excel) and tab, the one found most often outside
 * quotes; a comma on a tie. */
static void csv_pick_delimiter(lp_records *r, const char *p, size_t n) {
  static const char cands[] = {',', '\t', ';'};
  size_t count[3] = {0};
  bool quoted = false;
  for (size_t i = 0; i < n; i++) {
    if (p[i] == '"') quoted = !quoted;
    for (int k = 0; k < 3 && !quoted; k++) count[k] += p[i] == cands[k];
  }
  int best = 0;
  for (int k = 1; k < 3; k++)
    if (count[k] > count[best]) best = k;
  r->delim = cands[best];
}

/* Feeds CSV lines to libcsv until a row is complete or the input ends. */
static bool csv_fill(lp_records *r, lp_error *err) {
  while (r->done_first >= r->ndone && !r->eof) {
    r->done_first = r->ndone = 0;
    ssize_t n = read_line(r);
    if (n < 0) {
      r->eof = true;
      if (csv_fini(&r->csv, on_csv_field, on_csv_row, r) != 0)
        return lp_fail(err, LP_ERR_INPUT, r->name, r->row_line, 0,
                       "bad CSV: a quoted cell is never closed: end it "
                       "with '\"'");
      break;
    }
    const char *p = r->line;
    size_t len = (size_t)n;
    if (!r->delim) csv_pick_delimiter(r, p, len);
    csv_set_delim(&r->csv, (unsigned char)r->delim);
    if (!r->header) lp_buf_append(&r->head, p, len);
    if (!r->row_open && len && strspn(p, "\r\n") < len) {
      r->row_open = true;
      r->row_line = r->lineno;
    }
    if (csv_parse(&r->csv, p, len, on_csv_field, on_csv_row, r) != len)
      return lp_fail(err, LP_ERR_INPUT, r->name, r->lineno, 0,
                     "bad CSV: %s; quote a cell holding quotes, commas or "
                     "line breaks, and double its quotes (\"say \"\"hi\"\"\")",
                     csv_strerror(csv_error(&r->csv)));
  }
  return true;
}

/* Checks that a CSV cell is UTF-8 (the header's when header is set),
 * naming the encoding its bytes look like when it is not. */
static bool csv_cell_ok(lp_records *r, const char *cell, int line,
                        bool header, lp_error *err) {
  int l, c;
  size_t n = strlen(cell);
  if (lp_utf8_check(cell, n, &l, &c)) return true;
  char where[64], advice[200];
  if (header) snprintf(where, sizeof where, "the header");
  else snprintf(where, sizeof where, "record %zu", r->count);
  lp_decode_advice(cell, n, advice, sizeof advice);
  return lp_fail(err, LP_ERR_INPUT, r->name, line + l - 1, l == 1 ? 0 : c,
                 "%s: the data is not UTF-8 here; %s (or save the file as "
                 "UTF-8)", where, advice);
}

/* Where column i (0-based) of the header is in the file: the line and
 * the column (in characters) of its name's first character, from the
 * header's lines as read. */
static void header_place(const lp_records *r, size_t i, int *line,
                         int *col) {
  const char *s = (const char *)r->head.data;
  size_t n = r->head.len, k = 0;
  int ln = 1, c = 1;
  while (ln < r->head_line && k < n)
    if (s[k++] == '\n') ln++;
  for (size_t field = 0; k < n; field++) {
    if (field == i) {
      while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '"')) k++, c++;
      *line = ln;
      *col = c;
      return;
    }
    bool quoted = false; /* a doubled quote toggles twice */
    for (; k < n; k++) {
      if (s[k] == '"') quoted = !quoted;
      else if (!quoted && (s[k] == r->delim || s[k] == '\r' || s[k] == '\n'))
        break;
      if (s[k] == '\n') ln++, c = 1;
      else if ((s[k] & 0xC0) != 0x80) c++;
    }
    if (k >= n || s[k] != r->delim) break;
    k++, c++;
  }
  *line = r->head_line;
  *col = 0;
}

/* Fails with a message about column i of the header, located at it. */
static bool header_error(lp_records *r, size_t i, lp_error *err,
                         const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static bool header_error(lp_records *r, size_t i, lp_error *err,
                         const char *fmt, ...) {
  char what[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  int line, col;
  header_place(r, i, &line, &col);
  return lp_fail(err, LP_ERR_INPUT, r->name, line, col, "%s", what);
}

static const char *kind_name(csv_kind k) {
  return k == CSV_CELL ? "a value" : k == CSV_OBJECT ? "an object" : "a list";
}

/* The child of n for a part (key, or pos when n is a list); NULL if none. */
static csv_node *node_find(csv_node *n, const char *key, size_t len,
                           long pos) {
  for (size_t k = 0; k < n->nkids; k++) {
    csv_node *c = &n->kids[k];
    if (n->kind == CSV_LIST ? c->pos == pos
                            : c->key_len == len && !memcmp(c->key, key, len))
      return c;
  }
  return NULL;
}

/* Adds column i, named by the header, to the tree: each part enters or
 * makes a member or an item.  A name that would make one thing both a
 * list and an object, or both a value and a container, is an error naming
 * both columns. */
static bool tree_add(lp_records *r, size_t i, lp_error *err) {
  const char *name = r->header[i];
  csv_node *n = &r->tree;
  size_t parts = 0;
  for (const char *p = name;; p++) {
    const char *dot = strchr(p, '.');
    long pos = part_position(p, dot ? (size_t)(dot - p) : strlen(p));
    if (parts++ && pos < 0) /* (the first part is always a name) */
      return header_error(r, i, err, "column %zu of the header, '%s': %s",
                          i + 1, name, position_advice(pos));
    if (!dot) break;
    p = dot;
  }
  if (parts > LP_DATA_MAX_PARTS)
    return header_error(r, i, err,
                        "column %zu of the header, '%.40s...', has %zu "
                        "dotted parts: at most " STR(LP_DATA_MAX_PARTS),
                        i + 1, name, parts);
  for (const char *p = name;;) {
    const char *dot = strchr(p, '.');
    size_t len = dot ? (size_t)(dot - p) : strlen(p);
    long pos = p == name ? 0 : part_position(p, len);
    /* What this part's parent must be, and what the part itself is. */
    csv_kind parent = pos ? CSV_LIST : CSV_OBJECT;
    csv_kind self = !dot ? CSV_CELL
                    : part_position(dot + 1, strcspn(dot + 1, ".")) > 0
                        ? CSV_LIST
                        : CSV_OBJECT;
    if (n->kind != parent) {
      size_t j = n->column;
      int at = (int)(p - name) - 1;
      return header_error(
          r, i, err,
          "columns %zu ('%s') and %zu ('%s') of the header make '%.*s' both "
          "%s and %s: number every column under '%.*s' (%.*s.1.name) or "
          "none (%.*s.name)",
          j + 1, r->header[j], i + 1, name, at, name, kind_name(n->kind),
          kind_name(parent), at, name, at, name, at, name);
    }
    csv_node *c = node_find(n, p, len, pos);
    /* (c and self are never both cells: the names differ.) */
    if (c && (c->kind != self || self == CSV_CELL)) {
      size_t j = c->column;
      int at = (int)(p - name) + (int)len;
      if (c->kind == CSV_CELL || self == CSV_CELL)
        return header_error(
            r, i, err,
            "columns %zu ('%s') and %zu ('%s') of the header make '%.*s' "
            "both a value and what holds other values: rename one of them",
            j + 1, r->header[j], i + 1, name, at, name);
      /* A list here and an object there: the next part says which. */
      n = c;
      p = dot + 1;
      continue;
    }
    if (!c) {
      LP_GROW(n->kids, n->cap, n->nkids + 1);
      c = &n->kids[n->nkids++];
      memset(c, 0, sizeof *c);
      c->kind = self;
      c->key = p;
      c->key_len = len;
      c->pos = pos;
      c->column = i;
    }
    if (!dot) return true;
    n = c;
    p = dot + 1;
  }
}

/* qsort: list items by position. */
static int by_position(const void *a, const void *b) {
  long x = ((const csv_node *)a)->pos, y = ((const csv_node *)b)->pos;
  return (x > y) - (x < y);
}

/* Puts the items of every list under n in the order of their positions. */
static void tree_sort(csv_node *n) {
  if (n->kind == CSV_LIST && n->nkids)
    qsort(n->kids, n->nkids, sizeof *n->kids, by_position);
  for (size_t k = 0; k < n->nkids; k++) tree_sort(&n->kids[k]);
}

static void tree_free(csv_node *n) {
  for (size_t k = 0; k < n->nkids; k++) tree_free(&n->kids[k]);
  free(n->kids);
}

/* Removes spaces and tabs around a header name, in place; returns it. */
static char *trim_blanks(char *name) {
  size_t a = 0, b = strlen(name);
  while (a < b && (name[a] == ' ' || name[a] == '\t')) a++;
  while (b > a && (name[b - 1] == ' ' || name[b - 1] == '\t')) b--;
  memmove(name, name + a, b - a);
  name[b - a] = '\0';
  return name;
}

/* Reads the header row: the names of the columns, and the tree they make. */
static bool csv_header(lp_records *r, lp_error *err) {
  if (!csv_fill(r, err)) return false;
  if (r->done_first >= r->ndone) return true; /* empty file */
  csv_row *h = &r->done[r->done_first];
  int line = r->done_line[r->done_first++];
  r->header = h->cells;
  r->ncols = r->ncols_read = h->count;
  r->head_line = line;
  /* Excel saves columns that once held something with empty names at the
   * end of the header: they and their (empty) cells are left out. */
  while (r->ncols > 1 && !*trim_blanks(r->header[r->ncols - 1])) r->ncols--;
  r->tree.kind = CSV_OBJECT;
  memset(h, 0, sizeof *h);
  /* Names are checked against each other: keep the count reasonable. */
  if (r->ncols > LP_DATA_MAX_COLUMNS)
    return header_error(r, LP_DATA_MAX_COLUMNS, err,
                        "the header names %zu columns; a CSV file may have "
                        "at most %d: split the data, or use JSON",
                        r->ncols, LP_DATA_MAX_COLUMNS);
  for (size_t i = 0; i < r->ncols; i++) {
    char *name = trim_blanks(r->header[i]);
    if (!csv_cell_ok(r, name, line, true, err)) return false;
    if (!valid_key(name) || strpbrk(name, "{}"))
      return header_error(r, i, err,
                          "column %zu of the header is named '%s': name "
                          "every column (letters, digits, _ and dots: "
                          "customer.name)",
                          i + 1, name);
    for (size_t k = 0; k < i; k++)
      if (!strcmp(r->header[k], name))
        return header_error(r, i, err,
                            "columns %zu and %zu of the header are both "
                            "named '%s': give each column its own name",
                            k + 1, i + 1, name);
    if (!tree_add(r, i, err)) return false;
  }
  tree_sort(&r->tree);
  lp_buf_free(&r->head);
  return true;
}

/* The value that node n makes of a row's cells: a cell's value (true and
 * false are booleans, anything else a string), or the object or list of
 * the values under it, where a list leaves out its empty items.  *empty
 * tells whether every cell under n is empty. */
static json_t *tree_value(const csv_node *n, char *const *cells,
                          bool *empty) {
  if (n->kind == CSV_CELL) {
    const char *cell = cells[n->column];
    *empty = !*cell;
    /* Excel writes its booleans TRUE and FALSE (Numbers: True, False). */
    bool yes = !strcmp(cell, "true") || !strcmp(cell, "TRUE") ||
               !strcmp(cell, "True");
    bool no = !strcmp(cell, "false") || !strcmp(cell, "FALSE") ||
              !strcmp(cell, "False");
    return yes ? json_true() : no ? json_false() : json_string(cell);
  }
  json_t *v = n->kind == CSV_LIST ? json_array() : json_object();
  *empty = true;
  for (size_t k = 0; k < n->nkids; k++) {
    const csv_node *c = &n->kids[k];
    bool kid_empty;
    json_t *kv = tree_value(c, cells, &kid_empty);
    *empty = *empty && kid_empty;
    if (n->kind == CSV_OBJECT) json_object_setn_new(v, c->key, c->key_len, kv);
    else if (kid_empty) json_decref(kv);
    else json_array_append_new(v, kv);
  }
  return v;
}

/* Whether a header name (key, n bytes) is the first part of one of the
 * dotted names only[0..nonly). */
static bool wanted(const char *key, size_t n, const char *const *only,
                   size_t nonly) {
  for (size_t i = 0; i < nonly; i++)
    if (!strncmp(only[i], key, n) && (!only[i][n] || only[i][n] == '.'))
      return true;
  return false;
}

/* The record object of a row, with only the members that names in only
 * start with (all of them when only is NULL). */
static json_t *row_value(const csv_node *root, char *const *cells,
                         const char *const *only, size_t nonly) {
  bool empty;
  if (!only) return tree_value(root, cells, &empty);
  json_t *v = json_object();
  for (size_t k = 0; k < root->nkids; k++) {
    const csv_node *c = &root->kids[k];
    if (wanted(c->key, c->key_len, only, nonly))
      json_object_setn_new(v, c->key, c->key_len, tree_value(c, cells, &empty));
  }
  return v;
}

static int next_csv(lp_records *r, lp_data **rec, lp_error *err,
                    const char *const *only, size_t nonly) {
  if (!r->header && !r->header_failed)
    r->header_failed = !csv_header(r, &r->header_err);
  if (r->header_failed) { /* every later call fails the same way */
    if (err) *err = r->header_err;
    return -1;
  }
  if (!csv_fill(r, err)) return -1;
  if (r->done_first >= r->ndone) return 0;
  csv_row *row = &r->done[r->done_first];
  int line = r->done_line[r->done_first++];
  r->count++;
  r->record_line = line;
  int rc = 1;
  while (row->count > r->ncols && row->count <= r->ncols_read &&
         !row->cells[row->count - 1][0])
    free(row->cells[--row->count]); /* cells of dropped empty columns */
  if (row->count != r->ncols) {
    char what[200];
    snprintf(what, sizeof what,
             "%zu cell%s, but the header names %zu columns: quote cells "
             "that hold %s",
             row->count, row->count == 1 ? "" : "s", r->ncols,
             r->delim == ';' ? "semicolons" : r->delim == '\t' ? "tabs"
                                                              : "commas");
    rc = record_error(r, err, line, 0, what);
  }
  for (size_t i = 0; rc > 0 && i < row->count; i++)
    if (!csv_cell_ok(r, row->cells[i], line, false, err)) rc = -1;
  json_t *obj = rc > 0 ? row_value(&r->tree, row->cells, only, nonly) : NULL;
  row_clear(row);
  free(row->cells);
  memset(row, 0, sizeof *row);
  if (rc < 0) return rc;
  *rec = lp_xcalloc(1, sizeof **rec);
  (*rec)->root = obj;
  return 1;
}

/* Skips a JSON Lines record: its line is found, not parsed. */
static int skip_jsonl(lp_records *r) {
  ssize_t n;
  while ((n = read_line(r)) >= 0) {
    if (strspn(r->line, " \t\r\n") == (size_t)n) continue; /* blank */
    r->count++;
    r->record_line = r->lineno;
    return 1;
  }
  return 0;
}

/* Skips a CSV row without keeping its cells: libcsv reads it as any row
 * (so skipped and read rows end and count alike, and a row libcsv rejects
 * is an error either way), with the skipping flag telling the field
 * callback to drop its cells.  A row that libcsv has begun or made
 * already goes the long way. */
static int skip_csv(lp_records *r, lp_error *err) {
  if (!r->header && !r->header_failed)
    r->header_failed = !csv_header(r, &r->header_err);
  if (r->header_failed || r->done_first < r->ndone || r->row_open) {
    lp_data *d = NULL;
    int got = next_csv(r, &d, err, NULL, 0);
    lp_data_free(d);
    return got;
  }
  r->skipping = true;
  bool ok = csv_fill(r, err);
  r->skipping = false;
  if (!ok) return -1;
  if (r->done_first >= r->ndone) return 0;
  csv_row *row = &r->done[r->done_first];
  r->record_line = r->done_line[r->done_first++];
  r->count++;
  row_clear(row);
  free(row->cells);
  memset(row, 0, sizeof *row);
  return 1;
}

/* The checks of the reading itself that end every call: bytes the
 * encoding does not allow, a line over the limit. */
static int records_checked(lp_records *r, int got, lp_data **rec,
                           lp_error *err);

int lp_records_skip(lp_records *r, lp_error *err) {
  int got;
  switch (r->fmt) {
  case LP_DATA_JSONL:
    got = skip_jsonl(r);
    break;
  case LP_DATA_CSV:
    got = skip_csv(r, err);
    break;
  default: /* the array is read whole already: nothing to save */
    got = r->next < json_array_size(r->array) ? (r->next++, r->count++, 1)
                                               : 0;
    r->record_line = 0;
  }
  lp_data *none = NULL;
  return records_checked(r, got, &none, err);
}

int lp_records_next(lp_records *r, lp_data **rec, lp_error *err) {
  return lp_records_next_only(r, NULL, 0, rec, err);
}

int lp_records_next_only(lp_records *r, const char *const *only,
                         size_t nonly, lp_data **rec, lp_error *err) {
  *rec = NULL;
  int got;
  switch (r->fmt) {
  case LP_DATA_JSONL:
    got = next_jsonl(r, rec, err, only, nonly);
    break;
  case LP_DATA_CSV:
    got = next_csv(r, rec, err, only, nonly);
    break;
  default:
    got = next_json(r, rec, err);
  }
  return records_checked(r, got, rec, err);
}

static int records_checked(lp_records *r, int got, lp_data **rec,
                           lp_error *err) {
  if (got >= 0 && r->bad_bytes) {
    lp_data_free(*rec);
    *rec = NULL;
    bad_bytes_error(r, err);
    return -1;
  }
  if (got >= 0 && r->too_long) {
    lp_data_free(*rec);
    *rec = NULL;
    lp_fail(err, LP_ERR_INPUT, r->name, r->lineno, 0,
            "a line longer than %zu bytes (the limit): raise it with "
            "--max-input-size",
            r->max_bytes);
    return -1;
  }
  return got;
}

size_t lp_records_count(const lp_records *r) { return r->count; }

int lp_records_line(const lp_records *r) { return r->record_line; }

void lp_records_close(lp_records *r) {
  if (!r) return;
  lp_decode_close(r->dec);
  free(r->text);
  free(r->line);
  json_decref(r->array);
  if (r->csv_ready) csv_free(&r->csv);
  for (size_t i = 0; i < r->ncols_read; i++) free(r->header[i]);
  free(r->header);
  tree_free(&r->tree);
  lp_buf_free(&r->head);
  row_clear(&r->row);
  free(r->row.cells);
  for (size_t i = r->done_first; i < r->ndone; i++) {
    row_clear(&r->done[i]);
    free(r->done[i].cells);
  }
  free(r->done);
  free(r->done_line);
  free(r->name);
  free(r);
}
