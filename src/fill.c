/* fill.c - placeholder filling on the Markdown tree. */
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

typedef struct fill_state {
  const lp_data *data;
  bool blanks;
  const char *file;
  int line_offset;
  lp_buf missing; /* "name (line:col), ..." */
  int nmissing;
  int first_line, first_col; /* of the first missing name */
  lp_error *err;
  bool failed;
} fill_state;

/* Appends a value's text, replacing control characters other than newline
 * and tab (which could otherwise mark a blank) by spaces. */
static void append_value(lp_buf *out, const char *s) {
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    char ch = (c < 0x20 && c != '\n' && c != '\t') || c == 0x7F ? ' ' : *s;
    lp_buf_append(out, &ch, 1);
  }
}

/* The 1-based column of byte offset `at` in literal, a node starting at
 * column col0 (columns count characters). */
static int column_of(const char *lit, size_t at, int col0) {
  int col = col0;
  size_t i = 0;
  while (i < at) {
    lp_utf8_next(lit, at, &i);
    col++;
  }
  return col;
}

/* Frees an lp_blank_names attached to a node. */
static void free_blank_names(cmark_mem *mem, void *data) {
  (void)mem;
  lp_blank_names *bn = data;
  for (size_t i = 0; i < bn->count; i++) free(bn->items[i].name);
  free(bn->items);
  free(bn);
}

/* Records that a blank named name starts at offset of node's new literal. */
static void add_blank_name(cmark_node *node, size_t offset, const char *name) {
  lp_blank_names *bn = cmark_node_get_user_data(node);
  if (!bn) {
    bn = lp_xcalloc(1, sizeof *bn);
    cmark_node_set_user_data(node, bn);
    cmark_node_set_user_data_free_func(node, free_blank_names);
  }
  LP_GROW(bn->items, bn->cap, bn->count + 1);
  bn->items[bn->count++] = (lp_blank_name){offset, lp_xstrdup(name)};
}

/* Fills the placeholders in one node's literal. */
static void fill_literal(fill_state *st, cmark_node *node) {
  const char *lit = cmark_node_get_literal(node);
  if (!lit || !strstr(lit, "{{")) return;
  int line = cmark_node_get_start_line(node) + st->line_offset;
  int col0 = cmark_node_get_start_column(node);
  if (col0 < 1) col0 = 1;
  lp_buf out = {0};
  const char *p = lit;
  while (*p && !st->failed) {
    const char *open = strstr(p, "{{");
    if (!open) {
      lp_buf_puts(&out, p);
      break;
    }
    lp_buf_append(&out, p, (size_t)(open - p));
    int col = column_of(lit, (size_t)(open - lit), col0);
    const char *close = strstr(open + 2, "}}");
    if (!close) {
      st->failed = true;
      lp_fail(st->err, LP_ERR_INPUT, st->file, line, col,
              "'{{' is never closed: end the placeholder with '}}' on the "
              "same line");
      break;
    }
    const char *n = open + 2, *e = close;
    while (n < e && (*n == ' ' || *n == '\t')) n++;
    while (e > n && (e[-1] == ' ' || e[-1] == '\t')) e--;
    p = close + 2;
    if (n < e && *n == '!') continue; /* comment */
    if (n < e && (*n == '#' || *n == '^' || *n == '/')) {
      st->failed = true;
      lp_fail(st->err, LP_ERR_INPUT, st->file, line, col,
              "sections ({{#name}}, {{^name}}, {{/name}}) are not "
              "supported yet: use plain {{name}} values");
      break;
    }
    char *name = lp_xstrndup(n, (size_t)(e - n));
    bool bad_name = !*name || strpbrk(name, "{} \t") != NULL;
    if (bad_name) {
      st->failed = true;
      lp_fail(st->err, LP_ERR_INPUT, st->file, line, col,
              "'{{%s}}' is not a placeholder name: use letters, digits, _ "
              "and dots, e.g. {{customer.name}}",
              name);
      free(name);
      break;
    }
    json_t *v = lp_data_lookup(st->data, name);
    char *text = v ? lp_data_text(v) : NULL;
    if (text) {
      append_value(&out, text);
      free(text);
    } else if (v) {
      st->failed = true;
      lp_fail(st->err, LP_ERR_INPUT, st->file, line, col,
              "'%s' is a list or an object in the data; a placeholder "
              "needs text, a number, true/false or null",
              name);
    } else if (st->blanks) {
      if (cmark_node_get_type(node) == CMARK_NODE_TEXT)
        add_blank_name(node, out.len, name);
      static const char blank = LP_BLANK_CHAR;
      for (int k = 0; k < MISSING_BLANK_CHARS; k++)
        lp_buf_append(&out, &blank, 1);
    } else {
      if (st->nmissing == 0) st->first_line = line, st->first_col = col;
      if (st->nmissing < MAX_MISSING_LISTED)
        lp_buf_printf(&st->missing, "%s%s (%d:%d)",
                      st->nmissing ? ", " : "", name, line, col);
      st->nmissing++;
    }
    free(name);
  }
  if (!st->failed) cmark_node_set_literal(node, out.data ? (char *)out.data : "");
  lp_buf_free(&out);
}

bool lp_fill_tree(cmark_node *root, const lp_data *data, bool blanks,
                  const char *file, int line_offset, lp_error *err) {
  fill_state st = {data, blanks, file, line_offset, {0}, 0, 0, 0, err, false};
  cmark_iter *it = cmark_iter_new(root);
  cmark_event_type ev;
  while (!st.failed && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *node = cmark_iter_get_node(it);
    if (ev != CMARK_EVENT_ENTER) continue;
    cmark_node_type t = cmark_node_get_type(node);
    if (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE ||
        t == CMARK_NODE_CODE_BLOCK)
      fill_literal(&st, node);
  }
  cmark_iter_free(it);
  if (!st.failed && st.nmissing) {
    lp_fail(err, LP_ERR_INPUT, file, st.first_line, st.first_col,
            "%d placeholder%s not in the data: %s%s; add %s to the data, or "
            "render with --blanks",
            st.nmissing, st.nmissing > 1 ? "s are" : " is",
            (char *)st.missing.data,
            st.nmissing > MAX_MISSING_LISTED ? ", ..." : "",
            st.nmissing > 1 ? "them" : "it");
    st.failed = true;
  }
  lp_buf_free(&st.missing);
  return !st.failed;
}
