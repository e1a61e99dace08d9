/* tags.c - the structure tree of a laid-out document (see tags.h). */
#include "tags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Makes room for element ids up to count and returns a new element. */
static uint32_t new_tag(lp_tags *t, uint32_t parent, const char *role) {
  if (!t->count) t->count = 1; /* id 0 is "no element" */
  LP_GROW(t->tags, t->cap, t->count + 1);
  lp_tags_elem *g = &t->tags[t->count];
  memset(g, 0, sizeof *g);
  snprintf(g->role, sizeof g->role, "%s", role);
  g->parent = parent < t->count ? parent : 0;
  return (uint32_t)t->count++;
}

/* Adds kid at position at of parent's kids (parent 0: nothing to do). */
static void insert_kid(lp_tags *t, uint32_t parent, size_t at, uint32_t kid) {
  if (!parent || parent >= t->count) return;
  lp_tags_elem *p = &t->tags[parent];
  LP_GROW(p->kids, p->kids_cap, p->nkids + 1);
  memmove(p->kids + at + 1, p->kids + at, (p->nkids - at) * sizeof *p->kids);
  p->kids[at].elem = kid;
  p->nkids++;
}

uint32_t lp_tags_open(lp_tags *t, uint32_t parent, const char *role) {
  uint32_t id = new_tag(t, parent, role);
  if (parent) insert_kid(t, parent, t->tags[parent].nkids, id);
  return id;
}

uint32_t lp_tags_open_first(lp_tags *t, uint32_t parent, const char *role) {
  uint32_t id = new_tag(t, parent, role);
  insert_kid(t, parent, 0, id);
  return id;
}

uint32_t lp_tags_content(lp_tags *t, uint32_t elem) {
  if (!elem || elem >= t->count) return 0;
  lp_tags_elem *g = &t->tags[elem];
  if (!g->nkids || g->kids[g->nkids - 1].elem) {
    LP_GROW(g->kids, g->kids_cap, g->nkids + 1);
    g->kids[g->nkids++].elem = 0;
  }
  return (uint32_t)(g->nkids - 1);
}

/* Replaces *slot with a copy of s (or NULL). */
static void set_string(char **slot, const char *s) {
  free(*slot);
  *slot = s ? lp_xstrdup(s) : NULL;
}

void lp_tags_set_alt(lp_tags *t, uint32_t elem, const char *alt) {
  if (elem && elem < t->count) set_string(&t->tags[elem].alt, alt);
}

void lp_tags_set_lang(lp_tags *t, uint32_t elem, const char *lang) {
  if (elem && elem < t->count) set_string(&t->tags[elem].lang, lang);
}

void lp_tags_set_scope(lp_tags *t, uint32_t elem, const char *scope) {
  if (elem && elem < t->count) set_string(&t->tags[elem].scope, scope);
}

const lp_tags_elem *lp_tags_get(const lp_tags *t, uint32_t elem) {
  return elem && elem < t->count ? &t->tags[elem] : NULL;
}

uint32_t lp_tags_append(lp_tags *dst, lp_tags *src) {
  if (!dst->count) dst->count = 1;
  uint32_t offset = (uint32_t)dst->count - 1;
  for (size_t i = 1; i < src->count; i++) {
    LP_GROW(dst->tags, dst->cap, dst->count + 1);
    lp_tags_elem g = src->tags[i];
    if (g.parent) g.parent += offset;
    for (size_t k = 0; k < g.nkids; k++)
      if (g.kids[k].elem) g.kids[k].elem += offset;
    dst->tags[dst->count++] = g;
  }
  free(src->tags);
  *src = (lp_tags){0};
  return offset;
}

void lp_tags_free(lp_tags *t) {
  for (size_t i = 1; i < t->count; i++) {
    free(t->tags[i].alt);
    free(t->tags[i].lang);
    free(t->tags[i].scope);
    free(t->tags[i].kids);
  }
  free(t->tags);
  *t = (lp_tags){0};
}
