/* layout.h - lays a filled Markdown tree out into pages (lp_display).
 *
 * Blocks (headings, paragraphs, lists, quotes, code, rules) become line
 * boxes: each paragraph is shaped (shape.h), broken into lines at UAX #14
 * opportunities (breaks.h) and justified.  Line boxes are then paginated
 * letter by letter: a level-1 heading starts a letter and a page; headings
 * keep with the next line; each page gets a header and a footer with
 * {page}/{pages} counted per letter or per document.
 */
#ifndef LP_LAYOUT_H
#define LP_LAYOUT_H

#include <stdbool.h>

#include <cmark-gfm.h>

#include "breaks.h"
#include "display.h"
#include "fill.h"
#include "fonts.h"
#include "shape.h"
#include "template.h"

typedef struct lp_layout_env {
  lp_fonts *fonts;
  lp_breaker *breaker;
  lp_memo *shapes;        /* may be NULL: shape every paragraph anew */
  const lp_fill *fill;    /* may be NULL; maps the tree's lines (of the
                             expanded source) back to the template's */
  lp_warning_fn warn; /* may be NULL */
  void *warn_ctx;
  const lp_limits *limits; /* may be NULL: no limits */
  const char *title;       /* the front matter's title, its placeholders
                              filled; NULL: none */
  const lp_fill *header, *footer; /* the record's header and footer when
                              they hold placeholders (their values go in
                              after {page} and {pages}); else NULL */
} lp_layout_env;

/* Lays out doc (the template's body tree, already filled) with the
 * template's settings, appending pages and outlines to out. */
bool lp_layout_document(const lp_layout_env *env, const lp_template *tpl,
                        cmark_node *doc, lp_display *out, lp_error *err);

/* The footer text used when the template gives none, for a language. */
const char *lp_layout_default_footer(const char *lang);

#endif
