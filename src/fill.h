/* fill.h - fills placeholders in a parsed Markdown tree.
 *
 * Filling works on the tree's text and code nodes, after Markdown parsing,
 * so a value is always literal text: markup characters in data never change
 * the document's structure.  Supported now: values {{name}} and {{a.b}},
 * comments {{! ... }}.  Sections ({{#x}}, {{^x}}, {{/x}}) are reported as
 * errors until the mail-merge work brings them.
 */
#ifndef LP_FILL_H
#define LP_FILL_H

#include <stdbool.h>

#include <cmark-gfm.h>

#include "letterpress.h"

/* Under --blanks, a text node whose placeholders became blanks carries, as
 * its cmark user data, the names of those blanks (freed with the tree), so
 * that the form fields on them are named after the placeholders. */
typedef struct lp_blank_name {
  size_t offset; /* byte offset of the blank in the node's literal */
  char *name;
} lp_blank_name;

typedef struct lp_blank_names {
  lp_blank_name *items;
  size_t count, cap;
} lp_blank_names;

/* Fills every placeholder under root from data (may be NULL).  A missing
 * name is an error listing every missing name with its line and column,
 * unless blanks is true: then it becomes a fill-in blank.  file and
 * line_offset (added to the tree's line numbers) locate errors. */
bool lp_fill_tree(cmark_node *root, const lp_data *data, bool blanks,
                  const char *file, int line_offset, lp_error *err);

#endif
