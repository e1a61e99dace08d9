/* layout_env.h - what the layout is given besides the template and the
 * tree (lp_layout_env): fonts, the line breaker, caches, the fill's source
 * map, the warning sink and limits.  All borrowed; the caller owns them.
 * Its own header so that the layout's private modules (lay_*.h) need not
 * include layout.h, whose entry point includes them. */
#ifndef LP_LAYOUT_ENV_H
#define LP_LAYOUT_ENV_H

#include "breaks.h"
#include "fill.h"
#include "fonts.h"
#include "image.h"
#include "memo.h"
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
  lp_image_cache *images; /* may be NULL: read every image file anew */
} lp_layout_env;

#endif
