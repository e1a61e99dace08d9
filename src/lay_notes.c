/* lay_notes.c - footnotes and links: collection, notes' lines, their
 * place on the pages. */
#include "lay_notes.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm-core-extensions.h>

#include "fill.h"
#include "lay_blocks.h"
#include "lay_para.h"
#include "util.h"

#define NOTE_SCALE 0.8       /* a note's size, of the body size */
#define NOTE_REF_SCALE 0.62  /* a reference's number, of the text size */
#define NOTE_INDENT_EM 1.6   /* a note's text, right of its number */
#define NOTE_SPACE_EM 0.25   /* between a note's paragraphs, and notes */
#define NOTE_AREA_EM 1.0     /* from the text above to the first note line */
#define NOTE_RULE_EM 0.45    /* from the area's top to the rule */
#define NOTE_RULE_FRAC 0.3   /* the rule's length, of the column */
#define NOTE_RULE_MAX (50 * MM)
#define NOTE_RULE_WIDTH 0.4
#define URL_PRINTED_MAX 2048 /* longer addresses are not printed */

/* ---- Links ---------------------------------------------------------------- */

/* Whether url is an address a link may open: web, mail or FTP.  Other
 * schemes (javascript:, file:, data:) and relative paths make no link. */
static bool linkable(const char *url) {
  static const char *const schemes[] = {"http://", "https://", "mailto:",
                                        "ftp://"};
  for (size_t k = 0; k < sizeof schemes / sizeof *schemes; k++)
    if (!strncasecmp(url, schemes[k], strlen(schemes[k])) &&
        url[strlen(schemes[k])])
      return true;
  return false;
}

/* The address as printed: without mailto:. */
static const char *printed_url(const char *url) {
  return strncasecmp(url, "mailto:", 7) ? url : url + 7;
}

/* s without a leading scheme (http://, https://, mailto:) and a trailing
 * slash: [s, *end). */
static const char *bare(const char *s, size_t len, size_t *n) {
  static const char *const schemes[] = {"http://", "https://", "mailto:"};
  for (size_t k = 0; k < sizeof schemes / sizeof *schemes; k++) {
    size_t m = strlen(schemes[k]);
    if (len >= m && !strncasecmp(s, schemes[k], m)) {
      s += m;
      len -= m;
      break;
    }
  }
  if (len && s[len - 1] == '/') len--;
  *n = len;
  return s;
}

/* Whether the link's text already shows its address (an autolink, or
 * [www.example.com](https://www.example.com/)): then it is not printed
 * again. */
static bool text_is_url(const char *text, size_t tlen, const char *url) {
  size_t a, b;
  const char *x = bare(text, tlen, &a), *y = bare(url, strlen(url), &b);
  return a == b && !strncasecmp(x, y, a);
}

/* Adds an inline element [start, end) of role to p. */
static struct pelem *add_elem(para *p, size_t start, size_t end,
                              const char *role, uint32_t link) {
  LP_GROW(p->elems, p->elems_cap, p->nelems + 1);
  p->elems[p->nelems] = (struct pelem){start, end, role, link, 0, 0};
  return &p->elems[p->nelems++];
}

/* A new note of the letter: a definition's, or an address's. */
static lnote *add_note(L *l, cmark_node *def, const char *url, int line) {
  LP_GROW(l->letter.notes, l->letter.notes_cap, l->letter.nnotes + 1);
  lnote *n = &l->letter.notes[l->letter.nnotes];
  *n = (lnote){def, url ? lp_xstrdup(url) : NULL,
               (uint32_t)l->letter.nnotes + 1, SIZE_MAX, 0, 0, false, 0, line};
  l->letter.nnotes++;
  return n;
}

/* Appends a note's number to p, raised, as a Reference element.  A word
 * joiner before it keeps it on the line of the word it follows (UAX #14
 * LB11), whatever comes before (CJK punctuation allows a break). */
static void add_reference(L *l, para *p, const lnote *n, lp_chain *chain,
                          unsigned flags, double size) {
  char num[16];
  int len = snprintf(num, sizeof num, "\xE2\x81\xA0%u", n->number);
  size_t start = p->text.len;
  lp_lay_para_text(p, num, (size_t)len, chain, size * NOTE_REF_SCALE,
                   flags | SPAN_RAISED);
  if (p->text.len - start > (size_t)len) start = p->text.len - (size_t)len;
  lp_blank_names_add_literal(&p->names, start, p->text.len);
  struct pelem *e = add_elem(p, start, p->text.len, "Reference", 0);
  e->note = (uint32_t)(n - l->letter.notes) + 1;
}

/* The chain of a text's style. */
static lp_chain *chain_of(L *l, bool bold, bool italic) {
  return l->letter.cur[(bold ? LP_STYLE_BOLD : 0) |
                       (italic ? LP_STYLE_ITALIC : 0)];
}

void lp_lay_collect_link(L *l, cmark_node *node, para *p, bool bold,
                         bool italic, unsigned flags, double size) {
  const char *url = cmark_node_get_url(node);
  if (!url || !linkable(url)) {
    lp_lay_collect_inlines(l, node, p, bold, italic, flags, size);
    return;
  }
  bool soft = p->pending_soft;
  size_t start = p->text.len;
  lp_lay_collect_inlines(l, node, p, bold, italic, flags, size);
  if (soft && start < p->text.len && p->text.data[start] == ' ') start++;
  size_t end = p->text.len;
  const char *text = (const char *)p->text.data + start;
  int print = l->doc.tpl->meta.print_urls;
  bool shown = end > start && text_is_url(text, end - start, url);
  if (strlen(url) > URL_PRINTED_MAX) print = LP_PRINT_URLS_NONE;
  if (print == LP_PRINT_URLS_INLINE && !shown) {
    /* The address, as the template or the data gave it: literal. */
    size_t at = p->text.len;
    lp_lay_para_text(p, " (", 2, chain_of(l, bold, italic), size, flags);
    size_t u0 = p->text.len;
    lp_lay_para_text(p, printed_url(url), strlen(printed_url(url)),
                     chain_of(l, bold, italic), size, flags);
    lp_blank_names_add_literal(&p->names, u0, p->text.len);
    lp_lay_para_text(p, ")", 1, chain_of(l, bold, italic), size, flags);
    if (start == end) start = at + 1; /* an empty text: the address */
    end = p->text.len;
  }
  LP_GROW(l->letter.links, l->letter.links_cap, l->letter.nlinks + 1);
  lp_buf t = {0};
  lp_buf_append(&t, p->text.data + start, end - start);
  l->letter.links[l->letter.nlinks] =
      (llink){lp_xstrdup(url), lp_buf_strdup(&t), 0};
  lp_buf_free(&t);
  if (end > start)
    add_elem(p, start, end, "Link", (uint32_t)l->letter.nlinks);
  l->letter.nlinks++;
  if (print == LP_PRINT_URLS_FOOTNOTE && !shown && !l->letter.in_note) {
    lnote *n = add_note(l, NULL, printed_url(url),
                        cmark_node_get_start_line(node));
    add_reference(l, p, n, chain_of(l, bold, italic), flags, size);
  }
}

/* ---- Footnote references ------------------------------------------------ */

void lp_lay_collect_note_ref(L *l, cmark_node *node, para *p, bool bold,
                             bool italic, unsigned flags, double size) {
  const char *lit = cmark_node_get_literal(node);
  long ix = lit ? strtol(lit, NULL, 10) : 0;
  /* A reference inside a note is left out: notes do not nest. */
  if (ix < 1 || (size_t)ix > l->doc.ndefs || l->letter.in_note) return;
  cmark_node *def = l->doc.defs[ix - 1];
  lnote *n = NULL;
  for (size_t k = 0; k < l->letter.nnotes && !n; k++)
    if (l->letter.notes[k].def == def) n = &l->letter.notes[k];
  if (!n) n = add_note(l, def, NULL, cmark_node_get_start_line(node));
  add_reference(l, p, n, chain_of(l, bold, italic), flags, size);
}

struct pelem *lp_lay_elem_at(para *p, size_t at) {
  for (size_t k = p->nelems; k-- > 0;)
    if (at >= p->elems[k].start && at < p->elems[k].end) return &p->elems[k];
  return NULL;
}

/* ---- Notes' lines --------------------------------------------------------- */

/* Lays out an address printed as a note: one paragraph, flush left. */
static bool url_note(L *l, const lnote *n, double left, double width,
                     const char *marker) {
  pstyle st = lp_lay_body_style(l, left, width, 1);
  st.align = ALIGN_LEFT;
  st.before = 0;
  st.marker = marker;
  para p = {0};
  lp_lay_para_text(&p, n->url, strlen(n->url),
                   l->style.chains[LP_STYLE_REGULAR], l->style.size, 0);
  lp_blank_names_add_literal(&p.names, 0, p.text.len);
  uint32_t saved = lp_lay_open(l, "P");
  bool ok = lp_lay_para(l, &p, &st, n->line);
  lp_lay_close(l, saved);
  lp_lay_para_free(&p);
  return ok;
}

/* Lays out note n under a Note element (its number the Lbl, hanging left
 * of its text), in the note size across the text column, and moves its
 * line boxes to the letter's note boxes. */
static bool make_note(L *l, lnote *n) {
  lay_style keep = l->style;
  l->style.size *= NOTE_SCALE;
  l->style.para_space = NOTE_SPACE_EM;
  l->style.first_indent_em = 0;
  double indent = NOTE_INDENT_EM * l->style.size;
  double left = keep.margin[3] + indent,
         width = keep.page_w - keep.margin[1] - keep.margin[3] - indent;
  size_t first = l->letter.nboxes;
  uint32_t saved = lp_lay_open(l, "Note"), saved_marker = l->letter.marker_tag;
  n->tag = l->letter.tag;
  l->letter.marker_tag = lp_tags_open(lp_lay_tags(l), n->tag, "Lbl");
  char marker[16];
  snprintf(marker, sizeof marker, "%u", n->number);
  l->letter.in_note++;
  bool ok = n->def ? lp_lay_blocks(l, n->def, left, width, 1, true, marker)
                   : url_note(l, n, left, width, marker);
  l->letter.in_note--;
  l->letter.marker_tag = saved_marker;
  lp_lay_close(l, saved);
  l->style = keep;
  size_t count = l->letter.nboxes - first;
  LP_GROW(l->letter.fboxes, l->letter.fboxes_cap, l->letter.nfboxes + count);
  n->b0 = l->letter.nfboxes;
  for (size_t k = 0; k < count; k++) {
    lbox b = l->letter.boxes[first + k];
    b.before = k ? b.before : NOTE_SPACE_EM * keep.size;
    b.keep_with_next = false;
    b.outline = -1;
    l->letter.fboxes[l->letter.nfboxes++] = b;
  }
  n->b1 = l->letter.nfboxes;
  l->letter.nboxes = first;
  return ok;
}

bool lp_lay_notes_make(L *l) {
  if (l->letter.in_note) return true;
  for (size_t k = 0; k < l->letter.nnotes; k++) {
    lnote *n = &l->letter.notes[k];
    if (n->laid) continue;
    n->laid = true;
    /* A reference whose line is not known (a table row moved it): the
     * block's last line. */
    if (n->owner >= l->letter.nboxes)
      n->owner = l->letter.nboxes ? l->letter.nboxes - 1 : 0;
    if (!make_note(l, n)) return false;
  }
  return true;
}

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
  if (!l->doc.env->warn || l->doc.warnings >= MAX_WARNINGS) return;
  size_t n = 2;
  while (indent + n < len && s[indent + n] != ']') n++;
  lp_error w = {0};
  lp_fail(&w, LP_OK, l->doc.tpl->name,
          lp_fill_file_line(l->doc.env->fill, line), (int)indent + 1,
          "the footnote %.*s] is never referenced in the text, so it is not "
          "printed: write %.*s] where it belongs, or delete it",
          (int)n, s + indent, (int)n, s + indent);
  w.code = LP_OK;
  l->doc.env->warn(l->doc.env->warn_ctx, &w);
  l->doc.warnings++;
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
