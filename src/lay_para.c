/* lay_para.c - paragraph lines: collection, breaking, justification. */
#include "lay_para.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm-core-extensions.h>
#include <unicode/uchar.h>

#include "fill.h"
#include "image.h"
#include "lay_blanks.h"
#include "lay_image.h"
#include "lay_missing.h"
#include "lay_refs.h"
#include "lines.h"
#include "locales.h"
#include "shape.h"
#include "template.h"
#include "util.h"

#define LIST_KEEP_LINES 2     /* a list item's first lines stay together */
#define MARKER_GAP_EM 0.5     /* between a list marker and the text */
#define BLANK_DROP_EM 0.14    /* underline of a blank, below the baseline */
#define STRIKE_RISE_EM 0.3
#define SPLIT_ROOM_EM 3.0     /* a line shorter by this tries a hyphen */
#define MAX_STRETCH_EM 0.6    /* widest extra per gap before a split */
#define MAX_HYPHEN_RUN 2      /* consecutive lines ending with a hyphen */
#define MIN_PIECE_LETTERS 2   /* of a word, before a line-end hyphen */
/* A glyph flag of the line breaker's own (beside shape.h's LP_SG_*): a
 * hyphen added at the end of a line that splits a word. */
#define SG_HYPHEN (1u << 15)

/* ---- Paragraph collection ------------------------------------------------ */

/* The style of bold and italic text. */
static lp_style style_of(bool bold, bool italic) {
  return (lp_style)((bold ? LP_STYLE_BOLD : 0) |
                    (italic ? LP_STYLE_ITALIC : 0));
}

/* Collects the inline children of node into p. */
void lp_lay_collect_inlines(L *l, cmark_node *node, para *p, bool bold,
                            bool italic, unsigned flags, double size) {
  for (cmark_node *c = cmark_node_first_child(node); c;
       c = cmark_node_next(c)) {
    cmark_node_type t = cmark_node_get_type(c);
    const char *lit = cmark_node_get_literal(c);
    if (t == CMARK_NODE_TEXT || t == CMARK_NODE_HTML_INLINE) {
      lp_lay_para_text(p, lit, strlen(lit),
                       l->letter.cur[style_of(bold, italic)], size, flags);
      if (cmark_node_get_start_line(c) > 0) {
        LP_GROW(p->pos, p->pos_cap, p->npos + 1);
        p->pos[p->npos++] = (struct srcpos){p->text.len - strlen(lit),
                                            cmark_node_get_start_line(c),
                                            cmark_node_get_start_column(c)};
      }
      lp_blank_names_append(&p->names, cmark_node_get_user_data(c), 0,
                            SIZE_MAX, p->text.len - strlen(lit));
    } else if (t == CMARK_NODE_CODE) {
      lp_lay_para_text(p, lit, strlen(lit), l->style.chains[LP_STYLE_MONO],
                       size * 0.95, flags);
      /* Code shows what was typed: its boxes make no fields. */
      lp_blank_names_add_literal(&p->names, p->text.len - strlen(lit),
                                 p->text.len);
    } else if (t == CMARK_NODE_SOFTBREAK) {
      p->pending_soft = true;
    } else if (t == CMARK_NODE_LINEBREAK) {
      p->pending_soft = false;
      p->typed_break = true;
      lp_lay_para_add(p, "\n", 1, l->letter.cur[style_of(bold, italic)], size,
                      flags);
    } else if (t == CMARK_NODE_EMPH) {
      lp_lay_collect_inlines(l, c, p, bold, true, flags, size);
    } else if (t == CMARK_NODE_STRONG) {
      lp_lay_collect_inlines(l, c, p, true, italic, flags, size);
    } else if (!strcmp(cmark_node_get_type_string(c), "strikethrough")) {
      lp_lay_collect_inlines(l, c, p, bold, italic, flags | LP_SPAN_STRIKE,
                             size);
    } else if (t == CMARK_NODE_IMAGE) {
      /* The paragraph is split here (layout_paragraph); the image's alt
       * text is not drawn.  A soft break before it separates nothing. */
      LP_GROW(p->cuts, p->cuts_cap, p->ncuts + 1);
      p->cuts[p->ncuts++] = (struct pcut){p->text.len, c};
      p->pending_soft = false;
    } else if (t == CMARK_NODE_LINK) {
      bool soft = p->pending_soft;
      size_t start = p->text.len;
      lp_lay_collect_inlines(l, c, p, bold, italic, flags, size);
      lp_lay_link_end(l, c, p, start, soft,
                      l->letter.cur[style_of(bold, italic)], flags, size);
    } else if (t == CMARK_NODE_FOOTNOTE_REFERENCE) {
      lp_lay_collect_note_ref(l, c, p, l->letter.cur[style_of(bold, italic)],
                              flags, size);
    } else {
      lp_lay_collect_inlines(l, c, p, bold, italic, flags, size);
    }
  }
}

/* ---- Line boxes: glyphs, markers, missing characters --------------------- */

/* How a line is justified: extra space at each stretchable gap (with
 * words, at word spaces only), none before glyph fixed (a typed indent
 * keeps its width). */
typedef struct spread {
  double extra;
  bool words;
  size_t fixed;
} spread;

/* The line's part of each link of a paragraph: from x1 to x2 (x1 > x2:
 * none yet). */
typedef struct link_span {
  double x1, x2;
} link_span;

/* Makes glyph g's inline element (a link or a footnote reference) the
 * current structure element, opening it under the paragraph's at its
 * first glyph; a reference's line is its note's owner; a link's extent on
 * the line grows by the glyph.  Returns the element that was current. */
static uint32_t enter_elem(L *l, para *p, const lp_sglyph *g, double x,
                           link_span *spans) {
  uint32_t saved = l->letter.tag;
  struct pelem *e = lp_lay_elem_at(p, g->cluster);
  if (!e) return saved;
  if (!e->tag) {
    e->tag = lp_tags_open(lp_lay_tags(l), l->letter.tag, e->role);
    if (!e->note) l->letter.links[e->link].tag = e->tag;
  }
  l->letter.tag = e->tag;
  if (e->note && l->letter.notes[e->note - 1].owner == SIZE_MAX)
    l->letter.notes[e->note - 1].owner = l->letter.nboxes - 1;
  link_span *s = &spans[e - p->elems];
  if (!e->note && !(g->flags & LP_SG_SPACE)) {
    if (s->x1 > s->x2) s->x1 = x;
    s->x2 = x + g->advance;
  }
  return saved;
}

/* Adds the line's link rectangles (from its link spans) to its box. */
static void add_link_rects(L *l, const para *p, const link_span *spans,
                           double size) {
  if (l->letter.no_links) return;
  for (size_t k = 0; k < p->nelems; k++) {
    if (p->elems[k].note || spans[k].x1 > spans[k].x2) continue;
    LP_GROW(l->letter.plinks, l->letter.plinks_cap, l->letter.nplinks + 1);
    l->letter.plinks[l->letter.nplinks++] =
        (plink){spans[k].x1, -0.25 * size, spans[k].x2, 0.9 * size,
                p->elems[k].link};
  }
}

/* Emits glyphs [i, end) of sh as one line box, justified by js. */
static void emit_line(L *l, para *p, const lp_shaped *sh, size_t i,
                      size_t end, double x, const spread *js,
                      const pstyle *st, bool first) {
  lbox *b = lp_lay_new_box(l);
  b->height = st->size * st->leading;
  b->baseline = (b->height - st->size) / 2 + EMBOX_TOP * st->size;
  b->before = first ? st->before : 0;
  b->keep_with_next = st->keep_with_next;
  b->outline = first ? st->outline : -1;
  uint32_t base = (uint32_t)l->letter.text.len;
  /* The text of the glyphs goes to the letter's text store once per line. */
  uint32_t tmin = end > i ? sh->glyphs[i].cluster : 0, tmax = tmin;
  for (size_t k = i; k < end; k++)
    if (sh->glyphs[k].cluster_end > tmax) tmax = sh->glyphs[k].cluster_end;
  lp_buf_append(&l->letter.text, p->text.data + tmin, tmax - tmin);
  link_span *spans =
      p->nelems ? lp_xcalloc(p->nelems, sizeof *spans) : NULL;
  for (size_t k = 0; k < p->nelems; k++) spans[k] = (link_span){1, 0};
  for (size_t k = i; k < end; k++) {
    const lp_sglyph *g = &sh->glyphs[k];
    const lp_span *sp = &p->spans[g->span];
    bool checked;
    if (g->flags & LP_SG_BLANK) {
      lp_lay_add_prule(l, x, -BLANK_DROP_EM * sp->size, x + g->advance,
                       -BLANK_DROP_EM * sp->size, RULE_WIDTH);
      lp_lay_blank_field(l, p, g, x, sp->size, st->left + st->width);
    } else {
      lp_face *face = g->face;
      uint32_t gid = g->gid;
      double advance = g->advance;
      if ((g->flags & LP_SG_CLUSTER_START) && !(g->flags & SG_HYPHEN) &&
          lp_lay_is_box((const char *)p->text.data, p->text.len, g->cluster,
                        &checked) &&
          !lp_blank_names_literal_at(&p->names, g->cluster)) {
        lp_lay_box_field(l, p, g, x, sp->size, checked);
        /* The field's appearance draws the check mark, so that clearing
         * it in a viewer clears it on paper: the page shows an empty box. */
        if (checked)
          lp_lay_empty_box(sp->chain, sp->size, &face, &gid, &advance);
      }
      bool start = (g->flags & LP_SG_CLUSTER_START) != 0;
      uint32_t toff = start ? base + g->cluster - tmin : 0;
      uint32_t tlen = start ? g->cluster_end - g->cluster : 0;
      if (g->flags & SG_HYPHEN) { /* extracts as a hyphen-minus */
        toff = (uint32_t)l->letter.text.len;
        tlen = 1;
        lp_buf_append(&l->letter.text, "-", 1);
      }
      uint32_t saved = enter_elem(l, p, g, x, spans);
      double rise = sp->flags & SPAN_RAISED ? RAISE_EM * sp->size : 0;
      if (!lp_lines_invisible((const char *)p->text.data, p->text.len, g))
        lp_lay_add_pglyph(l, face, sp->size, gid, x + g->x_offset,
                          g->y_offset + rise, advance, toff, tlen);
      l->letter.tag = saved;
      if (sp->flags & LP_SPAN_STRIKE)
        lp_lay_add_prule(l, x, STRIKE_RISE_EM * sp->size, x + g->advance,
                         STRIKE_RISE_EM * sp->size, RULE_WIDTH);
    }
    x += g->advance;
    if (k + 1 < end) x += g->gap;
    if (k + 1 < end && k >= js->fixed &&
        lp_lines_stretchable(g, &sh->glyphs[k + 1], js->words))
      x += js->extra;
  }
  add_link_rects(l, p, spans, st->size);
  free(spans);
  b->g1 = l->letter.nglyphs;
  b->r1 = l->letter.nrules;
  b->f1 = l->letter.nfields;
  b->k1 = l->letter.nplinks;
  /* A signature field needs its room above the line free of text. */
  for (size_t k = b->f0; k < b->f1; k++)
    if (l->letter.fields[k].kind == LP_FIELD_SIGNATURE &&
        l->letter.fields[k].y2 > b->baseline + b->before)
      b->before = l->letter.fields[k].y2 - b->baseline;
}

/* Draws a list marker left of the first line box of the paragraph; a task
 * list marker (☐ ☑) is a checkbox field named after the item's text. */
static void emit_marker(L *l, lbox *b, const pstyle *st, const para *item) {
  para mp = {0};
  lp_lay_para_add(&mp, st->marker, strlen(st->marker),
                  l->style.chains[LP_STYLE_REGULAR], st->size, 0);
  lp_shaped sh = {0};
  lp_shape_cached(l->doc.env->shapes, (char *)mp.text.data, mp.text.len,
                  mp.spans, mp.nspans, l->style.lang, &sh);
  double w = 0;
  for (size_t k = 0; k < sh.count; k++) w += sh.glyphs[k].advance;
  double x = st->left - MARKER_GAP_EM * st->size - w;
  uint32_t base = (uint32_t)l->letter.text.len;
  lp_buf_append(&l->letter.text, mp.text.data, mp.text.len);
  /* Insert the marker's glyphs into the box (boxes are built in order, so
   * the box is the last one or its glyph range can be extended only if it
   * is the last). */
  size_t at = b->g0;
  for (size_t k = 0; k < sh.count; k++) {
    const lp_sglyph *g = &sh.glyphs[k];
    bool start = (g->flags & LP_SG_CLUSTER_START) != 0;
    LP_GROW(l->letter.glyphs, l->letter.glyphs_cap, l->letter.nglyphs + 1);
    memmove(&l->letter.glyphs[at + k + 1], &l->letter.glyphs[at + k],
            (l->letter.nglyphs - at - k) * sizeof *l->letter.glyphs);
    l->letter.nglyphs++;
    l->letter.glyphs[at + k] =
        (pglyph){g->face,
                 st->size,
                 x + g->x_offset,
                 g->y_offset,
                 g->advance,
                 0,
                 g->gid,
                 start ? base + g->cluster : 0,
                 start ? g->cluster_end - g->cluster : 0,
                 l->letter.marker_tag,
                 lp_tags_content(lp_lay_tags(l), l->letter.marker_tag)};
    x += g->advance;
  }
  /* Shift the ranges of the boxes after b (none when b is the last). */
  for (lbox *o = b; o < l->letter.boxes + l->letter.nboxes; o++) {
    if (o != b) o->g0 += sh.count;
    o->g1 += sh.count;
  }
  bool checked;
  if (lp_lay_is_box(st->marker, strlen(st->marker), 0, &checked)) {
    char label[FIELD_NAME_MAX + 8];
    lp_lay_label_after(item, 0, label, sizeof label);
    x = st->left - MARKER_GAP_EM * st->size - w;
    /* The checkbox is the item's label (Lbl), like the bullet it draws. */
    uint32_t saved = l->letter.tag;
    if (l->letter.marker_tag) l->letter.tag = l->letter.marker_tag;
    lp_lay_add_pfield(l, LP_FIELD_CHECKBOX, label[0] ? label : "task", x,
                      (EMBOX_TOP - 1) * st->size, x + w, EMBOX_TOP * st->size,
                      st->size, checked);
    l->letter.tag = saved;
    /* Move the new field to the end of b's range. */
    lp_dfield f = l->letter.fields[l->letter.nfields - 1];
    memmove(&l->letter.fields[b->f1 + 1], &l->letter.fields[b->f1],
            (l->letter.nfields - 1 - b->f1) * sizeof f);
    l->letter.fields[b->f1] = f;
    for (lbox *o = b; o < l->letter.boxes + l->letter.nboxes; o++) {
      if (o != b) o->f0++;
      o->f1++;
    }
  }
  lp_shaped_free(&sh);
  lp_lay_para_free(&mp);
}

/* Whether the line [i, end) would be loose: its word spaces (or CJK
 * gaps) opened wider than MAX_STRETCH_EM by justification (*stretched),
 * or, unjustified or without gaps, SPLIT_ROOM_EM short of avail. */
static bool loose_line(const lp_shaped *sh, size_t i, size_t end,
                       double avail, const pstyle *st, bool words,
                       bool *stretched) {
  int gaps;
  double shrink;
  size_t v = lp_lines_visible_end(sh, i, end);
  double slack = avail - lp_lines_width(sh, i, v, words, &gaps, &shrink);
  *stretched = st->align == ALIGN_JUSTIFY && gaps > 0
                   ? slack / gaps > MAX_STRETCH_EM * st->size
                   : slack > SPLIT_ROOM_EM * st->size;
  return *stretched || slack > SPLIT_ROOM_EM * st->size;
}

/* ---- Hyphenation --------------------------------------------------------- */

/* The code point at text[at] (0 if none). */
static uint32_t cp_at(const char *text, size_t len, size_t at) {
  if (at >= len) return 0;
  int32_t c = lp_utf8_next(text, len, &at);
  return c < 0 ? 0 : (uint32_t)c;
}

/* Whether c is an apostrophe (straight or typographic). */
static bool is_apostrophe(uint32_t c) { return c == '\'' || c == 0x2019; }

/* Punctuation a word may carry before it (opening quotes and brackets) and
 * after it (closing ones, stops, a hard hyphen), and still be a word. */
static bool word_lead(uint32_t c) {
  return c == '(' || c == '[' || c == '"' || c == '\'' || c == 0x2018 ||
         c == 0x201C;
}

/* Punctuation a word may carry after it (see word_lead). */
static bool word_trail(uint32_t c) {
  return (c < 0x80 && c && strchr(".,;:!?)]\"'-", (int)c)) || c == 0x2019 ||
         c == 0x201D || c == 0x2026 || c == 0x2013 || c == 0x2014;
}

/* Whether every code point of glyph g's cluster passes test. */
static bool cluster_all(const char *text, size_t len, const lp_sglyph *g,
                        bool (*test)(uint32_t)) {
  for (size_t k = g->cluster; k < g->cluster_end && k < len;) {
    int32_t c = lp_utf8_next(text, len, &k);
    if (c < 0 || !test((uint32_t)c)) return false;
  }
  return true;
}

/* Whether c may be part of a Latin word. */
static bool letter_or_apostrophe(uint32_t c) {
  return lp_breaks_is_latin_letter(c) || is_apostrophe(c);
}

/* Finds the Latin word in the unbreakable chunk [c0, c1) of sh: glyphs
 * [*w0, *w1), Latin letters (and apostrophes inside), with nothing around
 * them but opening punctuation before, and closing punctuation or spaces
 * after.  So URLs, e-mail addresses, words with digits and CJK text are
 * not words here. */
static bool find_word(const char *text, size_t len, const lp_shaped *sh,
                      size_t c0, size_t c1, size_t *w0, size_t *w1) {
  size_t k = c0;
  if (c1 - c0 > LP_LINES_MAX_WORD_BYTES) return false;
  for (size_t m = c0; m < c1; m++) {
    const lp_sglyph *g = &sh->glyphs[m];
    if (!g->face || (g->flags & (LP_SG_CJK | LP_SG_BLANK | LP_SG_NOTDEF)))
      return false;
  }
  while (k < c1 && !cluster_all(text, len, &sh->glyphs[k],
                                lp_breaks_is_latin_letter)) {
    if (!cluster_all(text, len, &sh->glyphs[k], word_lead)) return false;
    k++;
  }
  *w0 = k;
  while (k < c1 && cluster_all(text, len, &sh->glyphs[k], letter_or_apostrophe))
    k++;
  while (k > *w0 && is_apostrophe(cp_at(text, len, sh->glyphs[k - 1].cluster)))
    k--;
  *w1 = k;
  for (; k < c1; k++)
    if (!(sh->glyphs[k].flags & LP_SG_SPACE) &&
        !cluster_all(text, len, &sh->glyphs[k], word_trail))
      return false;
  return *w1 > *w0;
}

/* Whether c ends a token of text: a space, a line break, a CJK
 * character (or the text's end, 0). */
static bool token_edge(uint32_t c) {
  return c == 0 || c == ' ' || c == '\t' || c == '\n' || c == 0xA0 ||
         lp_is_cjk(c) || c == (uint32_t)LP_BLANK_CHAR ||
         c == (uint32_t)LP_SIGNATURE_CHAR;
}

/* Whether the token (the text between spaces) around the word [a, b) is a
 * word too: letters, hyphens and apostrophes, opening punctuation before,
 * closing punctuation after.  A word inside a URL ("/organizations/"),
 * an e-mail address or a name with digits is not, though UAX #14 may
 * allow a break beside it. */
static bool in_plain_token(const char *text, size_t len, size_t a,
                           size_t b) {
  if (b - a > LP_LINES_MAX_WORD_BYTES) return false;
  bool lead = false; /* leftwards: only opening punctuation from here */
  for (size_t k = a; k > 0;) {
    if (a - k > LP_LINES_MAX_WORD_BYTES) return false;
    size_t c = k - 1;
    while (c > 0 && (text[c] & 0xC0) == 0x80) c--;
    uint32_t cp = cp_at(text, len, c);
    if (token_edge(cp)) break;
    if (!lead && (letter_or_apostrophe(cp) || cp == '-')) {
      k = c;
      continue;
    }
    if (!word_lead(cp)) return false;
    lead = true;
    k = c;
  }
  bool trail = false; /* rightwards: only closing punctuation from here */
  for (size_t k = b; k < len;) {
    if (k - b > LP_LINES_MAX_WORD_BYTES) return false;
    uint32_t cp = cp_at(text, len, k);
    if (token_edge(cp)) break;
    lp_utf8_next(text, len, &k);
    if (!trail && (letter_or_apostrophe(cp) || cp == '-')) continue;
    if (!word_trail(cp)) return false;
    trail = true;
  }
  return true;
}

/* Whether the word's text [a, b) is all capitals (an acronym or a name
 * set in capitals: never hyphenated). */
static bool all_caps(const char *text, size_t a, size_t b) {
  for (size_t k = a; k < b;) {
    int32_t c = lp_utf8_next(text, b, &k);
    if (c > 0 && lp_breaks_is_latin_letter((uint32_t)c) && !u_isupper(c))
      return false;
  }
  return true;
}

/* Shapes the paragraph text [from, to) followed by extra in the
 * paragraph's styles.  Clusters and span indexes of out refer to the
 * paragraph; the glyphs of extra are marked SG_HYPHEN, with the empty
 * cluster at `to`. */
static void shape_piece(const L *l, const para *p, size_t from, size_t to,
                        const char *extra, lp_shaped *out) {
  lp_buf t = {0};
  lp_buf_append(&t, p->text.data + from, to - from);
  lp_buf_puts(&t, extra);
  lp_span *spans = lp_xcalloc(p->nspans + 1, sizeof *spans);
  uint32_t *map = lp_xcalloc(p->nspans + 1, sizeof *map);
  size_t n = 0;
  for (size_t s = 0; s < p->nspans; s++) {
    const lp_span *sp = &p->spans[s];
    if (sp->end <= from || sp->start >= to) continue;
    spans[n] = *sp;
    spans[n].start = (sp->start > from ? sp->start : from) - from;
    spans[n].end = (sp->end < to ? sp->end : to) - from;
    map[n++] = (uint32_t)s;
  }
  if (n) spans[n - 1].end = t.len; /* extra takes the last style */
  memset(out, 0, sizeof *out);
  if (n)
    lp_shape((const char *)t.data, t.len, spans, n, l->style.lang, out);
  size_t piece = to - from;
  for (size_t k = 0; k < out->count; k++) {
    lp_sglyph *g = &out->glyphs[k];
    g->span = map[g->span];
    if (g->cluster >= piece) {
      g->cluster = g->cluster_end = (uint32_t)to;
      g->flags |= SG_HYPHEN;
    } else {
      g->cluster += (uint32_t)from;
      g->cluster_end = (uint32_t)((g->cluster_end < piece ? g->cluster_end
                                                          : piece) + from);
    }
  }
  free(spans);
  free(map);
  lp_buf_free(&t);
}

/* The advance of all glyphs of s. */
static double shaped_width(const lp_shaped *s) {
  double w = 0;
  for (size_t k = 0; k < s->count; k++) w += s->glyphs[k].advance;
  return w;
}

/* Replaces the word glyphs [w0, w1) of sh by head (the word's text up to
 * the break, and a hyphen, shaped by shape_piece) and the rest of the word
 * shaped anew, so that ligatures and kerning across the break come apart.
 * The glyphs before the line start *i are laid out already: to keep the
 * cost to the size of a line, the line's glyphs [*i, w0) move into that
 * room (and *i with them) rather than the rest of the paragraph moving.
 * Returns the index of the first glyph after the hyphen. */
static size_t splice_hyphen(const L *l, const para *p, lp_shaped *sh,
                            size_t *i, size_t w0, size_t w1, size_t q,
                            const lp_shaped *head) {
  lp_shaped tail;
  shape_piece(l, p, q, sh->glyphs[w1 - 1].cluster_end, "", &tail);
  if (tail.count) tail.glyphs[tail.count - 1].gap = sh->glyphs[w1 - 1].gap;
  size_t add = head->count + tail.count, removed = w1 - w0;
  if (add > removed && *i < add - removed) {
    /* No room before the line (its first line): the rest moves once. */
    size_t more = add - removed;
    LP_GROW(sh->glyphs, sh->cap, sh->count + more);
    memmove(sh->glyphs + w1 + more, sh->glyphs + w1,
            (sh->count - w1) * sizeof *sh->glyphs);
    sh->count += more;
    w1 += more;
    removed += more;
  }
  /* Now [*i, w1) becomes [*i + removed - add, w1): the line's glyphs
   * before the word, head, tail. */
  size_t start = *i + removed - add;
  memmove(sh->glyphs + start, sh->glyphs + *i, (w0 - *i) * sizeof *sh->glyphs);
  size_t at = start + (w0 - *i);
  memcpy(sh->glyphs + at, head->glyphs, head->count * sizeof *sh->glyphs);
  memcpy(sh->glyphs + at + head->count, tail.glyphs,
         tail.count * sizeof *sh->glyphs);
  *i = start;
  lp_shaped_free(&tail);
  return at + head->count;
}

/* The characters of text[a, b) (UTF-8). */
static size_t chars_between(const char *text, size_t a, size_t b) {
  size_t n = 0;
  for (size_t k = a; k < b; k++) n += (text[k] & 0xC0) != 0x80;
  return n;
}

/* Tries to end the line [i, ...) inside the Latin word of the chunk
 * [c0, c1) that overflows it: at the last hyphenation point whose part of
 * the word and a hyphen still fit avail (dictionary), or, when forced (the
 * word is longer than the line), at the last letter that fits.  On success
 * the word is split in sh (see splice_hyphen, which may move the line's
 * start *line) and the end of the line, after the hyphen, is returned;
 * else 0. */
static size_t hyphenate_word(L *l, const para *p, lp_shaped *sh,
                             size_t *line, size_t c0, size_t c1,
                             double avail, bool dictionary, bool forced) {
  size_t i = *line;
  const char *text = (const char *)p->text.data;
  size_t len = p->text.len, w0, w1;
  if (!find_word(text, len, sh, c0, c1, &w0, &w1) ||
      !in_plain_token(text, len, sh->glyphs[w0].cluster,
                      sh->glyphs[w1 - 1].cluster_end))
    return 0;
  /* The whole word: it may have started on the line before. */
  size_t ws = sh->glyphs[w0].cluster, we = sh->glyphs[w1 - 1].cluster_end;
  while (ws > 0 && we - ws <= LP_LINES_MAX_WORD_BYTES) {
    size_t k = ws - 1;
    while (k > 0 && (text[k] & 0xC0) == 0x80) k--;
    if (!letter_or_apostrophe(cp_at(text, len, k))) break;
    ws = k;
  }
  /* The line up to the word: its glyphs and fixed gaps. */
  double base = 0;
  for (size_t k = i; k < w0; k++)
    base += sh->glyphs[k].advance + sh->glyphs[k].gap;
  if (we - ws > LP_LINES_MAX_WORD_BYTES) return 0;
  size_t first = sh->glyphs[w0].cluster; /* the word's part on this line */
  /* A word beyond the patterns' reach (LP_HYPHEN_MAX_LETTERS) that would
   * leave the line loose is split between letters, as a last resort. */
  bool beyond =
      dictionary && chars_between(text, ws, we) > LP_HYPHEN_MAX_LETTERS;
  bool *points = lp_xcalloc(we - ws + 1, sizeof *points);
  size_t end = 0;
  /* First the hyphenation points of the patterns; then, for a word that
   * cannot stay whole, any boundary between two letters. */
  for (int pass = 0; pass < 2 && !end; pass++) {
    if (pass == 0 && (!dictionary || all_caps(text, ws, we))) continue;
    if (pass == 1 && !forced && !beyond) break;
    memset(points, 0, (we - ws + 1) * sizeof *points);
    if (pass == 0)
      lp_breaks_hyphenate(l->doc.env->breaker, text + ws, we - ws,
                          l->style.lang, points);
    else
      for (size_t k = w0 + 1; k < w1; k++) {
        const lp_sglyph *g = &sh->glyphs[k];
        points[g->cluster - ws] =
            (g->flags & LP_SG_CLUSTER_START) &&
            lp_breaks_is_latin_letter(cp_at(text, len, g->cluster)) &&
            lp_breaks_is_latin_letter(
                cp_at(text, len, sh->glyphs[k - 1].cluster));
      }
    for (size_t q = we; q > first && !end; q--) {
      if (!points[q - ws]) continue;
      /* A line's piece of the word keeps two letters before its hyphen:
       * in a column too narrow for that, the word is cut without hyphens
       * instead ("i-", "n-", "t-" a line each reads worse). */
      if (chars_between(text, first, q) < MIN_PIECE_LETTERS) continue;
      /* A cheap bound first: the word's glyphs wholly before q. */
      double est = base;
      for (size_t k = w0; k < w1 && sh->glyphs[k].cluster_end <= q; k++)
        est += sh->glyphs[k].advance;
      if (est > avail + 1e-6) continue;
      lp_shaped head;
      shape_piece(l, p, first, q, "-", &head);
      if (head.count && base + shaped_width(&head) <= avail + 1e-6)
        end = splice_hyphen(l, p, sh, line, w0, w1, q, &head);
      lp_shaped_free(&head);
    }
  }
  free(points);
  return end;
}

/* ---- Soft hyphens, last-resort cuts, first lines ------------------------- */

/* Shapes the chunk before glyph j up to the soft hyphen there, with a
 * hyphen (the shape a line ending there shows) into head; returns the
 * width of the line [i, j) so ended, and the chunk's first glyph *w0. */
static double soft_hyphen_line(const L *l, const para *p, const lp_shaped *sh,
                               const uint8_t *brk, size_t i, size_t j,
                               size_t *w0, lp_shaped *head) {
  *w0 = lp_lines_chunk_start(sh, brk, i, j);
  double base = 0;
  for (size_t k = i; k < *w0; k++)
    base += sh->glyphs[k].advance + sh->glyphs[k].gap;
  shape_piece(l, p, sh->glyphs[*w0].cluster, sh->glyphs[j].cluster, "-",
              head);
  return base + shaped_width(head);
}

/* Whether the line [i, j) fits avail when it ends at the soft hyphen
 * before glyph j, its hyphen shown. */
static bool soft_hyphen_fits(const L *l, const para *p, const lp_shaped *sh,
                             const uint8_t *brk, size_t i, size_t j,
                             double avail) {
  lp_shaped head;
  size_t w0;
  double w = soft_hyphen_line(l, p, sh, brk, i, j, &w0, &head);
  lp_shaped_free(&head);
  return w <= avail + 1e-6;
}

/* Ends the line [*i, end) at the soft hyphen before glyph end: the chunk
 * is shaped anew as its head with a hyphen and its tail (splice_hyphen,
 * which may move *i).  Returns the new end, after the hyphen. */
static size_t break_at_soft_hyphen(const L *l, const para *p, lp_shaped *sh,
                                   const uint8_t *brk, size_t *i,
                                   size_t end) {
  lp_shaped head;
  size_t w0;
  soft_hyphen_line(l, p, sh, brk, *i, end, &w0, &head);
  size_t w1 = lp_lines_chunk_end(sh, brk, end);
  size_t at = splice_hyphen(l, p, sh, i, w0, w1, sh->glyphs[end].cluster,
                            &head);
  lp_shaped_free(&head);
  return at;
}

/* Whether Korean-style justification (word spaces only) applies to the
 * line [i, vis): it has a word space to widen. */
static bool justify_words(const L *l, const lp_shaped *sh, size_t i,
                          size_t vis) {
  if (!l->style.word_spaces)
    return false;
  for (size_t k = i; k + 1 < vis; k++)
    if (lp_lines_stretchable(&sh->glyphs[k], &sh->glyphs[k + 1], true))
      return true;
  return false;
}

/* An opening bracket that starts a line is set without the blank half of
 * its em box before it, so that its ink starts at the margin (or at the
 * first-line indent):
 * - jlreq 3.1.5 "Positioning of Opening Brackets at Line Head", method (1)
 *   of figure 71, which JIS X 4051 adopts, and appendix B note 17: "the
 *   preferred character spacing between the line head and opening brackets
 *   (cl-01) is zero" — at wrapped line heads and after the paragraph's
 *   one-em indent alike;
 * - clreq 3.1.6.3 "Compression of punctuation marks at line start or line
 *   end" (行首行尾标点挤压), items 1 and 2: half an em may be trimmed
 *   before an opening bracket at the start of any line, the indented first
 *   line included.  Mainland style; clreq notes that many publications in
 *   Taiwan do not adjust punctuation widths, so zh-TW and zh-HK keep their
 *   full-width brackets.
 * The blank half is the font's `halt` amount (shape.c), so a bracket the
 * font sets without blank is left alone. */
static void trim_line_start(const L *l, lp_shaped *sh, size_t i) {
  lp_sglyph *g = &sh->glyphs[i];
  if (!l->style.bracket_trim || !(g->flags & LP_SG_CLUSTER_START) ||
      g->shrink <= 0 || g->shift > -0.75)
    return;
  g->advance -= g->shrink;
  g->x_offset += g->shift * g->shrink;
  g->shrink = 0;
}

/* ---- Line breaking and justification ------------------------------------- */

/* A raised footnote number sits against the text on both sides: the
 * quarter em that CJK text gets beside Latin letters and digits
 * (lp_shape_space_cjk) is not put around it. */
static void unspace_raised(const para *p, lp_shaped *sh) {
  for (size_t k = 0; k < sh->count; k++) {
    if (!(p->spans[sh->glyphs[k].span].flags & SPAN_RAISED)) continue;
    sh->glyphs[k].gap = 0;
    if (k > 0) sh->glyphs[k - 1].gap = 0;
  }
}

/* Breaks a collected paragraph into justified lines (line boxes).
 *
 * First fit: each line takes glyphs while they fit, and ends at the last
 * UAX #14 opportunity (ICU, with the language's strictness, plus the kinsoku
 * rules of breaks.c).  When the glyph that overflows may not start a line
 * (。after the last character that fits), there are two ways out, as in
 * jlreq 3.8 "Line Adjustment" and clreq's 标点挤压: pull it in (追い込み) by
 * compressing the line's punctuation to half width (the font's `halt`
 * metrics), or push the last character down with it (追い出し) and spread
 * the line.  Pulling in is preferred whenever the punctuation of the line
 * can absorb the overflow.  A line with no opportunity at all is cut between
 * clusters, so nothing ever crosses the margin.  A line whose word spaces
 * would stretch beyond MAX_STRETCH_EM first tries to split a long Latin
 * chunk (URL, e-mail) at a sensible point.  Trailing spaces hang into the
 * margin and are not drawn.  Every line but the last of the paragraph and
 * lines ended by a hard break is justified: the shortfall is spread evenly
 * over the stretchable gaps, so the line ends exactly at the margin. */
bool lp_lay_para(L *l, para *p, const pstyle *st, int line) {
  size_t len = p->text.len;
  if (len == 0 && !st->marker) return true;
  const char *text = len ? (const char *)p->text.data : "";
  uint8_t *brk = lp_xmalloc(len + 1);
  if (!lp_breaks_find(l->doc.env->breaker, text, len, l->style.lang,
                      l->doc.tpl->meta.word_break, brk, l->doc.err)) {
    free(brk);
    return false;
  }
  lp_shaped sh = {0};
  lp_shape_cached(l->doc.env->shapes, text, len, p->spans, p->nspans,
                  l->style.lang, &sh);
  lp_shape_space_cjk(text, len, l->style.lang, &sh);
  unspace_raised(p, &sh);
  if (sh.nmissing && !lp_lay_warn_missing(l, p, &sh, line)) {
    lp_shaped_free(&sh);
    free(brk);
    return false;
  }
  size_t i = 0, n = sh.count, first_box = l->letter.nboxes;
  bool first = true;
  if (n == 0) { /* an empty paragraph with a marker: a line of its own */
    lbox *b = lp_lay_new_box(l);
    b->height = st->size * st->leading;
    b->baseline = (b->height - st->size) / 2 + EMBOX_TOP * st->size;
    b->before = st->before;
  }
  int hyphen_run = 0; /* lines in a row that end with a hyphen */
  while (i < n) {
    if (!first)
      while (i < n && (sh.glyphs[i].flags & LP_SG_SPACE)) i++;
    if (i >= n) break;
    trim_line_start(l, &sh, i);
    double indent =
        first && !lp_lines_typed_indent(text, len) ? st->first_indent : 0;
    double avail = st->width - indent, w = 0;
    size_t j = i, last_break = i, end;
    bool hard = false, hyphen = false;
    for (;;) {
      if (j == n) {
        end = n;
        break;
      }
      const lp_sglyph *g = &sh.glyphs[j];
      bool cs = (g->flags & LP_SG_CLUSTER_START) != 0;
      if (j > i && cs && brk[g->cluster] == LP_BREAK_MANDATORY) {
        end = j;
        hard = true;
        break;
      }
      /* A soft hyphen is an opportunity where its hyphen fits too. */
      if (j > i && cs && brk[g->cluster] == LP_BREAK_ALLOWED &&
          (!lp_lines_after_soft_hyphen(text, g->cluster) ||
           soft_hyphen_fits(l, p, &sh, brk, i, j, avail)))
        last_break = j;
      double add = g->advance + (j > i ? sh.glyphs[j - 1].gap : 0);
      if (!(g->flags & LP_SG_SPACE) && j > i &&
          w + add + g->squeezed > avail + 1e-6) {
        end = last_break > i ? last_break : j;
        int gaps;
        double shrink;
        /* Pull in: the glyphs up to the next opportunity fit once the
         * line's punctuation is compressed. */
        size_t e = cs && !lp_lines_opportunity(brk[g->cluster])
                       ? lp_lines_next_break(&sh, brk, j)
                       : 0;
        if (e) {
          size_t v = lp_lines_visible_end(&sh, i, e);
          double need =
              lp_lines_width(&sh, i, v, l->style.word_spaces, &gaps, &shrink) -
              avail;
          if (need <= shrink + 1e-6 && v > i) {
            end = e;
            break;
          }
        }
        /* Push out; but a line that would be loose first tries to
         * hyphenate the word that does not fit (at most MAX_HYPHEN_RUN
         * lines in a row end with a hyphen), then to end inside a URL or
         * e-mail address at one of its link points (breaks.h).  Only a
         * chunk longer than the whole line is split elsewhere: at a
         * hyphenation point, or between two letters with a hyphen, or
         * else at the last grapheme boundary that fits (a number is
         * never split otherwise: UAX #14 keeps it whole). */
        bool loose = false, stretched = false;
        if (last_break > i)
          loose = loose_line(&sh, i, last_break, avail, st,
                             l->style.word_spaces, &stretched);
        size_t c1 = lp_lines_chunk_end(&sh, brk, j), h = 0;
        if (stretched && st->hyphenate && hyphen_run < MAX_HYPHEN_RUN)
          h = hyphenate_word(l, p, &sh, &i, last_break, c1, avail, true,
                             false);
        else if (last_break == i)
          h = hyphenate_word(l, p, &sh, &i, i, c1, avail, st->hyphenate,
                             false);
        size_t k = !h && (loose || last_break == i)
                       ? lp_lines_link_break(&sh, brk, i, last_break, j, avail)
                       : 0;
        if (k) {
          end = k;
          break;
        }
        if (!h && last_break == i && st->split_mark)
          h = hyphenate_word(l, p, &sh, &i, i, c1, avail, false, true);
        if (h) {
          end = h;
          n = sh.count;
          hyphen = true;
          break;
        }
        if (last_break == i) end = lp_lines_grapheme_cut(text, len, &sh, i, j);
        break;
      }
      w += add;
      j++;
    }
    /* A line ending at a soft hyphen shows a hyphen there. */
    if (!hyphen && !hard && end > i && end < n &&
        lp_lines_after_soft_hyphen(text, sh.glyphs[end].cluster)) {
      end = break_at_soft_hyphen(l, p, &sh, brk, &i, end);
      n = sh.count;
      hyphen = true;
    }
    /* Drop trailing spaces, then measure. */
    size_t vis = lp_lines_visible_end(&sh, i, end);
    int gaps;
    double shrink;
    bool words = justify_words(l, &sh, i, vis);
    /* A typed indent (字下げ, the paragraph's line-head indent) is not
     * spread. */
    size_t fixed = first && lp_lines_typed_indent(text, len)
                       ? lp_lines_indent_end(text, len, &sh, i)
                       : i;
    double natural = lp_lines_width(&sh, i, vis, words, &gaps, &shrink);
    if (natural > avail && shrink > 0) {
      /* Compress the line's punctuation evenly, by its share of `halt`. */
      double t = (natural - avail) / shrink;
      if (t > 1) t = 1;
      for (size_t k = i; k < vis; k++) {
        double d = t * lp_lines_glyph_shrink(&sh, k, i, vis);
        sh.glyphs[k].advance -= d;
        sh.glyphs[k].x_offset += sh.glyphs[k].shift * d;
      }
      natural = lp_lines_width(&sh, i, vis, words, &gaps, &shrink);
    }
    /* A mark squeezed against the next one keeps its full width when the
     * line ends with it (the next mark starts the next line). */
    if (vis > i && sh.glyphs[vis - 1].squeezed > 0) {
      lp_sglyph *g = &sh.glyphs[vis - 1];
      g->advance += g->squeezed;
      g->x_offset -= g->shift * g->squeezed;
      g->squeezed = 0;
    }
    double x = st->left + indent, extra = 0;
    bool last = end >= n || hard;
    gaps -= lp_lines_gaps_before(&sh, i, fixed, vis, words);
    if (st->align == ALIGN_JUSTIFY && !last && gaps > 0 && natural < avail)
      extra = (avail - natural) / gaps;
    else if (st->align == ALIGN_CENTER)
      x += (avail - natural) / 2;
    else if (st->align == ALIGN_RIGHT)
      x += avail - natural;
    spread js = {extra, words, fixed};
    emit_line(l, p, &sh, i, vis, x, &js, st, first);
    first = false;
    hyphen_run = hyphen ? hyphen_run + 1 : 0;
    i = end;
  }
  unsigned kind = lp_lay_paragraph_kind(l, p, first_box);
  int orphans = l->style.orphans;
  if (st->marker && orphans < LIST_KEEP_LINES) orphans = LIST_KEEP_LINES;
  for (size_t k = first_box; k < l->letter.nboxes; k++) {
    l->letter.boxes[k].line = (uint32_t)(k - first_box);
    l->letter.boxes[k].nlines = (uint32_t)(l->letter.nboxes - first_box);
    l->letter.boxes[k].orphans = (uint8_t)orphans;
    l->letter.boxes[k].para = l->letter.npara;
    l->letter.boxes[k].kind = kind;
  }
  l->letter.npara++;
  if (l->letter.nboxes > first_box) {
    l->letter.boxes[l->letter.nboxes - 1].keep_with_next = st->keep_with_next;
    if (st->marker)
      emit_marker(l, &l->letter.boxes[first_box], st, p);
  }
  lp_shaped_free(&sh);
  free(brk);
  return true;
}

/* ---- A paragraph as a block, with its images ----------------------------- */

/* Whether byte c is white space at the edge of a piece of a paragraph (a
 * space, a tab, or a hard line break). */
bool lp_lay_edge_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n';
}

/* The paragraph style for body text at this indentation. */
pstyle lp_lay_body_style(L *l, double left, double width, int depth) {
  pstyle st = {0};
  st.left = left;
  st.width = width;
  st.size = l->style.size;
  st.leading = l->style.leading;
  st.align = ALIGN_JUSTIFY;
  st.before = l->style.para_space * l->style.size;
  st.outline = -1;
  st.first_indent = depth == 0 ? l->style.first_indent_em * l->style.size : 0;
  st.hyphenate = l->style.hyphenate;
  st.split_mark = true;
  return st;
}

/* Copies the text [from, to) of p, without white space at its ends, with
 * its spans, source positions and blank names, into out (empty). */
static void para_slice(const para *p, size_t from, size_t to, para *out) {
  const unsigned char *t = p->text.data;
  while (from < to && lp_lay_edge_space(t[from]))
    from++;
  while (to > from && lp_lay_edge_space(t[to - 1]))
    to--;
  if (from == to) return;
  lp_buf_append(&out->text, t + from, to - from);
  for (size_t k = 0; k < p->nspans; k++) {
    lp_span sp = p->spans[k];
    if (sp.end <= from || sp.start >= to) continue;
    sp.start = (sp.start > from ? sp.start : from) - from;
    sp.end = (sp.end < to ? sp.end : to) - from;
    LP_GROW(out->spans, out->cap, out->nspans + 1);
    out->spans[out->nspans++] = sp;
  }
  /* The text node the piece starts in keeps its place: its column moves
   * by the bytes left out before the piece. */
  for (size_t k = 0; k < p->npos; k++) {
    struct srcpos sp = p->pos[k];
    if (sp.offset >= to) break;
    bool starts_in = k + 1 == p->npos || p->pos[k + 1].offset > from;
    if (sp.offset < from && !starts_in) continue;
    if (sp.offset < from) {
      sp.column += (int)(from - sp.offset);
      sp.offset = from;
    }
    sp.offset -= from;
    LP_GROW(out->pos, out->pos_cap, out->npos + 1);
    out->pos[out->npos++] = sp;
  }
  lp_blank_names_append(&out->names, &p->names, from, to, 0);
  for (size_t k = 0; k < p->nelems; k++) {
    struct pelem e = p->elems[k];
    if (e.end <= from || e.start >= to) continue;
    e.start = (e.start > from ? e.start : from) - from;
    e.end = (e.end < to ? e.end : to) - from;
    e.tag = 0;
    LP_GROW(out->elems, out->elems_cap, out->nelems + 1);
    out->elems[out->nelems++] = e;
  }
}

/* Makes st the style of what continues a paragraph after its start: no
 * first-line indent, list marker or outline entry; a paragraph's gap
 * above. */
static void continue_paragraph(const L *l, pstyle *st) {
  st->first_indent = 0;
  st->marker = NULL;
  st->outline = -1;
  st->before = l->style.para_space * l->style.size;
}

/* Lays out a paragraph with images in it: the images are set where they
 * are written, each a block of its own in the column (placed as the
 * paragraph is aligned), and the text around them in pieces.  The first
 * piece is the paragraph's start (first-line indent, list marker, space
 * above, outline entry); the text after an image continues the
 * paragraph, so it has no first-line indent.  A heading or a table cell
 * with images is laid out the same way. */
bool lp_lay_paragraph(L *l, para *p, pstyle st, int line) {
  if (!p->ncuts)
    return lp_lay_para(l, p, &st, line);
  size_t from = 0;
  for (size_t k = 0; k <= p->ncuts; k++) {
    size_t to = k < p->ncuts ? p->cuts[k].offset : p->text.len;
    if (to > p->text.len) to = p->text.len; /* {.right} was taken off */
    if (to < from) to = from;
    para piece = {0};
    para_slice(p, from, to, &piece);
    bool ok = true;
    size_t at = l->letter.nboxes;
    if (piece.text.len || st.marker) /* a list item's marker: a line */
      ok = lp_lay_para(l, &piece, &st, line);
    lp_lay_para_free(&piece);
    if (l->letter.nboxes > at)
      continue_paragraph(l, &st);
    at = l->letter.nboxes;
    if (ok && k < p->ncuts)
      ok = lp_lay_image(l, p->cuts[k].image, &st);
    if (l->letter.nboxes > at)
      continue_paragraph(l, &st);
    if (!ok) return false;
    from = to;
  }
  return true;
}
