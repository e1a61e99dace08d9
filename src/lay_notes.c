/* lay_notes.c - footnotes on the pages: definitions nothing references,
 * which note lines go on which page, the notes area. */
#include "lay_notes.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm-core-extensions.h>

#include "fill.h"
#include "util.h"

#define NOTE_AREA_EM 1.0     /* from the text above to the first note line */
#define NOTE_RULE_EM 0.45    /* from the area's top to the rule */
#define NOTE_RULE_FRAC 0.3   /* the rule's length, of the column */
#define NOTE_RULE_MAX (50 * MM)
#define NOTE_RULE_WIDTH 0.4

/* ---- Definitions nothing references --------------------------------------- */

/* Whether line (of the body) is inside one of doc's top-level blocks. */
static bool covered(cmark_node *doc, int line) {
  for (cmark_node *c = cmark_node_first_child(doc); c; c = cmark_node_next(c))
    if (line >= cmark_node_get_start_line(c) &&
        line <= cmark_node_get_end_line(c))
      return true;
  return false;
}

/* Whether s (a line) starts a footnote definition, [^label]: after up to
 * three spaces; *indent is its column less one. */
static bool definition_line(const char *s, size_t len, size_t *indent) {
  size_t i = 0;
  while (i < len && i < 3 && s[i] == ' ') i++;
  *indent = i;
  if (i + 2 >= len || s[i] != '[' || s[i + 1] != '^') return false;
  size_t j = i + 2;
  while (j < len && s[j] != ']' && s[j] != ' ' && s[j] != '\t') j++;
  return j > i + 2 && j + 1 < len && s[j] == ']' && s[j + 1] == ':';
}

/* Warns about a definition at body line line that nothing references. */
static void warn_unreferenced(L *l, int line, size_t indent, const char *s,
                              size_t len) {
  size_t n = 2;
  while (indent + n < len && s[indent + n] != ']') n++;
  lp_lay_warn(l, l->doc.tpl->name, lp_fill_file_line(l->doc.env->fill, line),
              (int)indent + 1,
              "the footnote %.*s] is never referenced in the text, so it is "
              "not printed: write %.*s] where it belongs, or delete it",
              (int)n, s + indent, (int)n, s + indent);
}

void lp_lay_notes_start(L *l, cmark_node *doc) {
  for (cmark_node *c = cmark_node_first_child(doc); c; c = cmark_node_next(c))
    if (cmark_node_get_type(c) == CMARK_NODE_FOOTNOTE_DEFINITION) {
      LP_GROW(l->doc.defs, l->doc.defs_cap, l->doc.ndefs + 1);
      l->doc.defs[l->doc.ndefs++] = c;
    }
  size_t len;
  const char *src = l->doc.env->fill ? lp_fill_source(l->doc.env->fill, &len)
                                     : NULL;
  int line = 1;
  for (size_t at = 0; src && at < len; line++) {
    const char *nl = memchr(src + at, '\n', len - at);
    size_t end = nl ? (size_t)(nl - src) : len, indent;
    if (definition_line(src + at, end - at, &indent) && !covered(doc, line))
      warn_unreferenced(l, line, indent, src + at, end - at);
    at = end + 1;
  }
}

/* ---- Pagination ----------------------------------------------------------- */

/* The space from the text above to the first note line, the rule in it. */
static double area_space(const L *l) { return NOTE_AREA_EM * l->style.size; }

void lp_lay_notes_unplace(L *l) {
  LP_GROW(l->letter.fpage, l->letter.fpage_cap, l->letter.nfboxes + 1);
  for (size_t k = 0; k < l->letter.nfboxes; k++)
    l->letter.fpage[k] = SIZE_MAX;
  /* Every note goes with a line of the letter (its last, when the line of
   * its reference is not known): so every note line finds a page. */
  for (size_t n = 0; n < l->letter.nnotes; n++)
    if (l->letter.notes[n].owner >= l->letter.nboxes)
      l->letter.notes[n].owner = l->letter.nboxes ? l->letter.nboxes - 1 : 0;
}

/* The height note box k adds to a page's notes area that holds *used pt. */
static double line_need(const L *l, size_t k, double used) {
  const lbox *b = &l->letter.fboxes[k];
  return used > 0 ? b->before + b->height : area_space(l) + b->height;
}

/* Whether a note line of a note referenced before box is unplaced. */
static bool earlier_pending(const L *l, size_t box) {
  for (size_t n = 0; n < l->letter.nnotes; n++) {
    const lnote *o = &l->letter.notes[n];
    if (o->owner >= box) continue;
    for (size_t k = o->b0; k < o->b1; k++)
      if (l->letter.fpage[k] == SIZE_MAX) return true;
  }
  return false;
}

bool lp_lay_notes_fit(L *l, size_t box, size_t page, double room,
                      double *used, bool force) {
  double start = *used;
  bool blocked = earlier_pending(l, box), ok = true;
  for (size_t n = 0; n < l->letter.nnotes; n++) {
    const lnote *o = &l->letter.notes[n];
    if (o->owner != box || o->b0 == o->b1 ||
        l->letter.fpage[o->b0] != SIZE_MAX)
      continue;
    /* The first line goes with the reference (forced at a page's top);
     * later ones while they fit, the rest on the next page. */
    for (size_t k = o->b0; k < o->b1; k++) {
      double need = line_need(l, k, *used);
      bool fits = !blocked && *used + need <= room + 1e-6;
      if (!fits && (k > o->b0 || !force)) {
        ok = ok && k > o->b0;
        blocked = true;
        break;
      }
      l->letter.fpage[k] = page;
      *used += need;
    }
  }
  if (!ok) {
    lp_lay_notes_unfit(l, box);
    *used = start;
  }
  return ok;
}

void lp_lay_notes_unfit(L *l, size_t box) {
  for (size_t n = 0; n < l->letter.nnotes; n++) {
    const lnote *o = &l->letter.notes[n];
    if (o->owner < box) continue;
    for (size_t k = o->b0; k < o->b1; k++) l->letter.fpage[k] = SIZE_MAX;
  }
}

double lp_lay_notes_carry(L *l, size_t box, size_t page, double room) {
  double used = 0;
  for (size_t n = 0; n < l->letter.nnotes; n++) {
    const lnote *o = &l->letter.notes[n];
    if (o->owner >= box) continue;
    for (size_t k = o->b0; k < o->b1; k++) {
      if (l->letter.fpage[k] != SIZE_MAX) continue;
      double need = line_need(l, k, used);
      if (used > 0 && used + need > room) return used;
      l->letter.fpage[k] = page;
      used += need;
    }
  }
  return used;
}

size_t lp_lay_notes_pages(const L *l) {
  size_t pages = 0;
  for (size_t k = 0; k < l->letter.nfboxes; k++)
    if (l->letter.fpage[k] != SIZE_MAX && l->letter.fpage[k] + 1 > pages)
      pages = l->letter.fpage[k] + 1;
  return pages;
}

bool lp_lay_notes_pending(const L *l) {
  for (size_t k = 0; k < l->letter.nfboxes; k++)
    if (l->letter.fpage[k] == SIZE_MAX) return true;
  return false;
}

double lp_lay_notes_height(const L *l, size_t page) {
  double used = 0;
  for (size_t k = 0; k < l->letter.nfboxes; k++)
    if (l->letter.fpage[k] == page) used += line_need(l, k, used);
  return used;
}

void lp_lay_notes_rule(const L *l, double *drop, double *length,
                       double *width, double *space) {
  double column = l->style.page_w - l->style.margin[1] - l->style.margin[3];
  *drop = NOTE_RULE_EM * l->style.size;
  *length = column * NOTE_RULE_FRAC < NOTE_RULE_MAX ? column * NOTE_RULE_FRAC
                                                    : NOTE_RULE_MAX;
  *width = NOTE_RULE_WIDTH;
  *space = area_space(l);
}

/* ---- Cleanup -------------------------------------------------------------- */

void lp_lay_notes_clear(L *l) {
  for (size_t k = 0; k < l->letter.nnotes; k++) free(l->letter.notes[k].url);
  for (size_t k = 0; k < l->letter.nlinks; k++) {
    free(l->letter.links[k].url);
    free(l->letter.links[k].text);
  }
  l->letter.nnotes = l->letter.nlinks = l->letter.nfboxes = 0;
  l->letter.nplinks = 0;
}
