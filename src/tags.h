/* tags.h - the logical structure of a laid-out document (ISO 32000-1
 * 14.7, tagged PDF): a tree of structure elements (Sect, H1, P, L, LI,
 * Table, Figure, Form, ...) that the layout builds in reading order and
 * the PDF writer turns into the /StructTreeRoot.
 *
 * Elements are numbered from 1; 0 is "no element": content outside the
 * tree, which the writer marks as an artifact.  Each element's kids, in
 * reading order, are child elements and content parts: a content part is
 * a stretch of the element's own content between two child elements,
 * which the writer fills with the marked-content sequences (MCIDs) drawn
 * for it.  A leaf module: it includes nothing of letterpress but util.
 */
#ifndef LP_TAGS_H
#define LP_TAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A kid of an element: a child element (>0) or a content part (0). */
typedef struct lp_tags_kid {
  uint32_t elem; /* child element id, or 0 for a content part */
} lp_tags_kid;

/* One structure element. */
typedef struct lp_tags_elem {
  char role[12];    /* standard structure type: "P", "H1", "TH", ... */
  uint32_t parent;  /* 0: a top-level element (under the Document) */
  char *alt;        /* /Alt (Figure), UTF-8, or NULL */
  char *lang;       /* /Lang when it differs from the document's, or NULL */
  char *scope;      /* TH: "Column" or "Row", or NULL */
  lp_tags_kid *kids;
  size_t nkids, kids_cap;
} lp_tags_elem;

/* The tree: tags[1 .. count-1] (tags[0] is unused). */
typedef struct lp_tags {
  lp_tags_elem *tags;
  size_t count, cap;
} lp_tags;

/* Adds an element of role under parent (0: top level) as its last kid;
 * returns its id. */
uint32_t lp_tags_open(lp_tags *t, uint32_t parent, const char *role);

/* Like lp_tags_open, but as parent's first kid (a letterhead drawn above
 * what was laid out before it). */
uint32_t lp_tags_open_first(lp_tags *t, uint32_t parent, const char *role);

/* The index in elem's kids of the content part that content added now
 * belongs to (a new part when the last kid is a child element).  0 for
 * elem 0. */
uint32_t lp_tags_content(lp_tags *t, uint32_t elem);

/* Sets an element's /Alt, /Lang or TH /Scope (copied; NULL clears). */
void lp_tags_set_alt(lp_tags *t, uint32_t elem, const char *alt);
void lp_tags_set_lang(lp_tags *t, uint32_t elem, const char *lang);
void lp_tags_set_scope(lp_tags *t, uint32_t elem, const char *scope);

/* The element's record, or NULL for 0 or an unknown id. */
const lp_tags_elem *lp_tags_get(const lp_tags *t, uint32_t elem);

/* Moves src's elements to the end of dst (their ids grow by the returned
 * offset, which callers add to the ids that point at them); src is left
 * empty. */
uint32_t lp_tags_append(lp_tags *dst, lp_tags *src);

/* Frees the tree and empties it. */
void lp_tags_free(lp_tags *t);

#endif
