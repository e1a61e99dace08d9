/* fill.h - Mustache-style placeholders: values, sections, comments.
 *
 * Two steps, so that data can never change a document's structure:
 *
 *   1. Structure, on the template's source (lp_fill_compile once per
 *      template, lp_fill_expand once per record).  Sections {{#x}}...{{/x}}
 *      are kept, repeated (lists, {{.}} for scalar items) or removed, and
 *      inverted sections {{^x}}...{{/x}} likewise; comments {{! ... }}
 *      vanish.  A section, inverted or comment tag alone on its line takes
 *      the whole line with it (the Mustache "standalone" rule), so sections
 *      can wrap paragraphs, list items or table rows as naturally as words.
 *      Only template text is repeated: each value placeholder is replaced
 *      by an opaque token naming an entry of a value table.
 *   2. Values, on the parsed Markdown tree (lp_fill_tree): each token in a
 *      text, code or HTML node (and link/image URLs and titles) becomes the
 *      value's literal text.  Markup characters in data therefore appear as
 *      typed and never become emphasis, headings, links or PDF syntax; and
 *      the node remembers which bytes are values (lp_blank_names), so the
 *      characters the layout reads as form markers (☐ ☑, a signature word
 *      before a blank) make fields only when they are the template's.
 *
 * Front-matter texts (title, author, ..., footer) are compiled with
 * lp_fill_compile_at and filled on one line with lp_fill_text or
 * lp_fill_values, by the same rules.
 *
 * Names resolve Mustache-style through the context stack (the record, then
 * each enclosing section's value): the first part of a dotted name is
 * looked up from the innermost context outwards, the rest strictly inside
 * (a whole number picks a list's item by position, 1-based: items.2.name).
 * Falsy for sections: false, null, "", [] (and a name missing under
 * --blanks); everything else is truthy, and a list repeats its section once
 * per item.
 */
#ifndef LP_FILL_H
#define LP_FILL_H

#include <stdbool.h>
#include <stddef.h>

#include <cmark-gfm.h>

#include "letterpress.h"
#include "util.h"

/* The control character that marks a value token in the expanded source,
 * "{{" LP_FILL_TOKEN_MARK index "}}": no tag name may contain it, so a
 * token can only come from lp_fill_expand (and typo.h can pass it by). */
#define LP_FILL_TOKEN_MARK '\x1d'

/* What fill knows about the text of a node, as its cmark user data (freed
 * with the tree): under --blanks, the names of the blanks its missing
 * placeholders became, so that the form fields on them are named after the
 * placeholders; and the bytes that are values from the data.  Values are
 * literal text: a box (☐ ☑), or a signature word before a blank, in a
 * value never makes a form field.  The layout keeps the same record per
 * paragraph (offsets in its text), and marks code literal too. */
typedef struct lp_blank_name {
  size_t offset; /* byte offset of the blank in the node's literal */
  char *name;
} lp_blank_name;

typedef struct lp_literal_span {
  size_t start, end; /* bytes [start, end) of the text */
} lp_literal_span;

/* Where a value of the data stands in the text, and the template's
 * placeholder it fills: warnings about a value's characters point there. */
typedef struct lp_value_place {
  size_t start, end; /* bytes [start, end) of the text */
  int line, column;  /* of the placeholder's "{{" in the template file */
  int end_column;    /* just after its "}}" */
} lp_value_place;

typedef struct lp_blank_names {
  lp_blank_name *items;
  size_t count, cap;
  lp_literal_span *literal; /* ascending, not overlapping */
  size_t nliteral, literal_cap;
  lp_value_place *values; /* ascending */
  size_t nvalues, values_cap;
} lp_blank_names;

/* Marks bytes [start, end) of the text as literal (joined with a span it
 * touches).  Spans must be added in text order. */
void lp_blank_names_add_literal(lp_blank_names *bn, size_t start, size_t end);

/* Whether byte at of the text is literal. */
bool lp_blank_names_literal_at(const lp_blank_names *bn, size_t at);

/* The end of the last literal span that ends at or before byte at, or 0:
 * where the template's own text before at starts. */
size_t lp_blank_names_literal_before(const lp_blank_names *bn, size_t at);

/* Records that bytes [start, end) of the text are the value of the
 * placeholder at line:column (to end_column) of the template file.  In
 * text order. */
void lp_blank_names_add_value(lp_blank_names *bn, size_t start, size_t end,
                              int line, int column, int end_column);

/* Whether byte at of the text is a value's; then *line and *column are its
 * placeholder's. */
bool lp_blank_names_value_at(const lp_blank_names *bn, size_t at, int *line,
                             int *column);

/* The last value that ends at or before byte at of the text, or NULL. */
const lp_value_place *lp_blank_names_value_before(const lp_blank_names *bn,
                                                  size_t at);

/* Appends to dst the blank names, literal spans and value places of src (may be NULL)
 * that lie in [from, to) of its text, moved to start at byte base. */
void lp_blank_names_append(lp_blank_names *dst, const lp_blank_names *src,
                           size_t from, size_t to, size_t base);

/* Frees what bn holds and empties it. */
void lp_blank_names_clear(lp_blank_names *bn);

/* What a tag is.  LP_TAG_CLOSE tags end sections; comments are dropped. */
typedef enum {
  LP_TAG_VALUE,    /* {{name}}, {{a.b}}, {{.}} ({{&name}}, {{{name}}} too) */
  LP_TAG_SECTION,  /* {{#name}} */
  LP_TAG_INVERTED, /* {{^name}} */
  LP_TAG_CLOSE,    /* {{/name}} */
  LP_TAG_COMMENT   /* {{! ... }} */
} lp_tag_kind;

/* One tag of a compiled template, in source order. */
typedef struct lp_tag {
  lp_tag_kind kind;
  char *name;        /* owned; "" for comments */
  size_t start, end; /* source bytes the tag replaces (a standalone tag: its
                        whole line, with the line break) */
  int line, column;  /* of the "{{", in the template file (1-based) */
  size_t match;      /* sections: index of the closing tag, and back */
} lp_tag;

/* A template body's tags, checked for balance.  Borrows nothing: the source
 * is copied.  Free with lp_fill_program_free. */
typedef struct lp_fill_program {
  char *src;
  size_t len;
  lp_tag *tags;
  size_t ntags;
  char *file;      /* for error locations */
  int line_offset; /* added to body line numbers */
  int column_offset; /* added to the columns of the first line */
  size_t *line_starts; /* byte offset of each body line, ascending */
  size_t nlines;
} lp_fill_program;

/* Finds and checks every tag of src (a template body).  Unclosed '{{',
 * bad names, a section never closed, a close tag without its section or of
 * another section are LP_ERR_INPUT errors located at the tag.  file and
 * line_offset locate errors (line_offset is added to body lines). */
lp_fill_program *lp_fill_compile(const char *src, size_t len,
                                 const char *file, int line_offset,
                                 lp_error *err);
void lp_fill_program_free(lp_fill_program *prog);

/* As lp_fill_compile, for a text that starts at line:column of file (a
 * front-matter value): errors and listed names are located there. */
lp_fill_program *lp_fill_compile_at(const char *src, size_t len,
                                    const char *file, int line, int column,
                                    lp_error *err);

/* One record's expansion: the Markdown source with sections applied and
 * values as tokens, and the value table.  Free with lp_fill_free. */
typedef struct lp_fill lp_fill;

/* Applies data (may be NULL) to prog.  A name absent from the data is an
 * error that lists every missing name with its line and column, unless
 * blanks: then a missing value becomes a fill-in blank and a missing
 * section name is falsy.  A list or object where text is needed is an
 * error too. */
lp_fill *lp_fill_expand(const lp_fill_program *prog, const lp_data *data,
                        bool blanks, lp_error *err);

/* Expands every section of prog once and makes every value a blank: what
 * the template can produce at most, for listing its fields. */
lp_fill *lp_fill_expand_all(const lp_fill_program *prog);

/* Whether name (n bytes, trimmed) is a usable name: ".", or dot-separated
 * non-empty parts without braces or control characters; a part may hold
 * single spaces between words, as spreadsheet headers do ("Customer
 * Name"). */
bool lp_fill_valid_name(const char *name, size_t n);

/* The expanded Markdown source (owned by f, NUL-terminated). */
const char *lp_fill_source(const lp_fill *f, size_t *len);

/* The template body line (1-based) that line `line` of the expanded source
 * was copied from: sections repeat or drop lines, so the two differ after
 * the first section.  A line out of range (or f NULL) is returned as is. */
int lp_fill_body_line(const lp_fill *f, int line);

/* The source map: the line of the template FILE that line `line` of the
 * expanded source comes from (the body line, plus the lines before the
 * body that the program was compiled with).  Every warning and error
 * about the expanded text locates itself through this. */
int lp_fill_file_line(const lp_fill *f, int line);

/* Replaces every value token under root (a tree parsed from
 * lp_fill_source(f)) by its literal text; missing values under blanks
 * become LP_BLANK_CHAR runs named through lp_blank_names.  Fails (err:
 * line and column in the tree, no file) when an image path made from data
 * would leave the template's directory (absolute, or with ".."). */
bool lp_fill_tree(cmark_node *root, const lp_fill *f, lp_error *err);

void lp_fill_free(lp_fill *f);

/* Replaces each value token in text (made from lp_fill_source(f), e.g.
 * with {page} expanded) by its value on one line: control characters,
 * line breaks included, become spaces, and a missing value under
 * --blanks a run of underscores.  A single-line text such as a title or
 * a footer: values stay literal, so "{page}" in the data is text. */
void lp_fill_values(const lp_fill *f, lp_buf *text);

/* lp_fill_source(f) with its values in (lp_fill_values); the caller
 * frees it. */
char *lp_fill_text(const lp_fill *f);

#endif
