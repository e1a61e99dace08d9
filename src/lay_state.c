/* lay_state.c - the layout's state: the stores boxes append to. */
#include "lay_state.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm-core-extensions.h>
#include <unicode/uchar.h>

#include "fill.h"
#include "image.h"
#include "lines.h"
#include "locales.h"
#include "shape.h"
#include "template.h"
#include "util.h"

/* Frees what p holds and empties it. */
void lp_lay_para_free(para *p) {
  lp_buf_free(&p->text);
  free(p->spans);
  lp_blank_names_clear(&p->names);
  free(p->pos);
  free(p->cuts);
  free(p->elems);
  memset(p, 0, sizeof *p);
}

/* Appends text in a style, extending the last span when the style is the
 * same. */
void lp_lay_para_add(para *p, const char *s, size_t n, lp_chain *chain,
                     double size, unsigned flags) {
  if (n == 0) return;
  size_t start = p->text.len;
  lp_buf_append(&p->text, s, n);
  lp_span *last = p->nspans ? &p->spans[p->nspans - 1] : NULL;
  if (last && last->chain == chain && last->size == size &&
      last->flags == flags && last->end == start) {
    last->end = p->text.len;
    return;
  }
  LP_GROW(p->spans, p->cap, p->nspans + 1);
  p->spans[p->nspans++] = (lp_span){start, p->text.len, chain, size, flags};
}

/* The last code point of the paragraph text so far (0 if none). */
void lp_lay_inline_text(cmark_node *node, bool images, lp_buf *out) {
  for (cmark_node *c = cmark_node_first_child(node); c;
       c = cmark_node_next(c)) {
    const char *lit = cmark_node_get_literal(c);
    cmark_node_type t = cmark_node_get_type(c);
    if ((t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE) && lit)
      lp_buf_puts(out, lit);
    else if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)
      lp_buf_puts(out, " ");
    else if (images || t != CMARK_NODE_IMAGE)
      lp_lay_inline_text(c, images, out);
  }
}

uint32_t lp_lay_last_cp(const lp_buf *b) {
  if (!b->len) return 0;
  size_t i = b->len - 1;
  while (i > 0 && (b->data[i] & 0xC0) == 0x80) i--;
  size_t k = i;
  int32_t cp = lp_utf8_next((const char *)b->data, b->len, &k);
  return cp < 0 ? 0 : (uint32_t)cp;
}

/* A soft line break is a space between words, but nothing between two CJK
 * characters (clreq 3.1: Chinese has no interword space; a source line
 * break inside a sentence must not open a gap). */
void lp_lay_para_text(para *p, const char *s, size_t n, lp_chain *chain,
                      double size, unsigned flags) {
  if (n == 0) return; /* an empty text node keeps a soft break waiting */
  if (p->pending_soft) {
    size_t k = 0;
    int32_t next = lp_utf8_next(s, n, &k);
    uint32_t prev = lp_lay_last_cp(&p->text);
    if (!(prev && lp_is_cjk(prev) && next > 0 && lp_is_cjk((uint32_t)next)) &&
        prev && prev != '\n')
      lp_lay_para_add(p, " ", 1, chain, size, flags);
  }
  p->pending_soft = false;
  lp_lay_para_add(p, s, n, chain, size, flags);
}

/* Adds an empty line box at the end of the letter's boxes (its ranges
 * start at the stores' ends). */
lbox *lp_lay_new_box(L *l) {
  LP_GROW(l->letter.boxes, l->letter.boxes_cap, l->letter.nboxes + 1);
  lbox *b = &l->letter.boxes[l->letter.nboxes++];
  memset(b, 0, sizeof *b);
  b->g0 = b->g1 = l->letter.nglyphs;
  b->r0 = b->r1 = l->letter.nrules;
  b->f0 = b->f1 = l->letter.nfields;
  b->i0 = b->i1 = l->letter.npimages;
  b->k0 = b->k1 = l->letter.nplinks;
  b->outline = -1;
  b->nlines = 1;
  return b;
}

lp_tags *lp_lay_tags(L *l) { return &l->doc.out->tags; }

uint32_t lp_lay_open(L *l, const char *role) {
  uint32_t saved = l->letter.tag;
  l->letter.tag = lp_tags_open(lp_lay_tags(l), saved, role);
  return saved;
}

void lp_lay_close(L *l, uint32_t saved) { l->letter.tag = saved; }

uint32_t lp_lay_figure(L *l, uint32_t parent, bool first, const char *alt) {
  lp_tags *t = lp_lay_tags(l);
  uint32_t fig = first ? lp_tags_open_first(t, parent, "Figure")
                       : lp_tags_open(t, parent, "Figure");
  lp_tags_set_alt(t, fig, alt);
  lp_tags_content(t, fig);
  return fig;
}

/* Appends a glyph to the letter's glyph store (the last box takes it). */
void lp_lay_add_pglyph(L *l, lp_face *face, double size, uint32_t gid, double x,
                       double dy, double advance, uint32_t toff,
                       uint32_t tlen) {
  LP_GROW(l->letter.glyphs, l->letter.glyphs_cap, l->letter.nglyphs + 1);
  uint32_t tag = l->letter.tag;
  l->letter.glyphs[l->letter.nglyphs++] =
      (pglyph){face, size, x, dy, advance, 0, gid, toff, tlen, tag,
               lp_tags_content(lp_lay_tags(l), tag)};
}

/* Appends a rule to the letter's rule store (the last box takes it). */
void lp_lay_add_prule(L *l, double x1, double dy1, double x2, double dy2,
                      double width) {
  LP_GROW(l->letter.rules, l->letter.rules_cap, l->letter.nrules + 1);
  l->letter.rules[l->letter.nrules++] = (prule){x1, dy1, x2, dy2, width};
}

/* Adds a field in box coordinates (relative to the baseline). */
void lp_lay_add_pfield(L *l, lp_field_kind kind, const char *name, double x1,
                       double dy1, double x2, double dy2, double size,
                       bool checked) {
  LP_GROW(l->letter.fields, l->letter.fields_cap, l->letter.nfields + 1);
  uint32_t form = lp_tags_open(lp_lay_tags(l), l->letter.tag, "Form");
  l->letter.fields[l->letter.nfields++] = (lp_dfield){
      kind, lp_xstrdup(name), x1, dy1, x2, dy2, size, checked, form};
}

/* The column, in characters from 1, of byte column byte_col (from 1) of
 * line body_line of the template's body. */
int lp_lay_body_column(const L *l, int body_line, int byte_col) {
  const char *b = l->doc.tpl->body, *end = b + l->doc.tpl->body_len;
  for (int k = 1; k < body_line && b < end; k++) {
    const char *nl = memchr(b, '\n', (size_t)(end - b));
    b = nl ? nl + 1 : end;
  }
  int col = 1;
  for (size_t i = 0; i + 1 < (size_t)byte_col && b + i < end;) {
    lp_utf8_next(b, (size_t)(end - b), &i);
    col++;
  }
  return col;
}

/* The file line and column (in characters) of byte offset at of the
 * paragraph text, from the source positions of its text nodes; line falls
 * back to the paragraph's body line. */
void lp_lay_source_position(const L *l, const para *p, size_t at, int line,
                            int *file_line, int *column) {
  const struct srcpos *sp = NULL;
  for (size_t k = 0; k < p->npos && p->pos[k].offset <= at; k++)
    sp = &p->pos[k];
  *column = 0;
  if (sp) line = sp->line;
  *file_line = lp_fill_file_line(l->doc.env->fill, line);
  line = lp_fill_body_line(l->doc.env->fill, line);
  if (!sp) return;
  /* The body line's characters before the node, then the node's own. */
  int col = lp_lay_body_column(l, line, sp->column);
  const char *t = (const char *)p->text.data;
  for (size_t i = sp->offset; i < at;) {
    lp_utf8_next(t, at, &i);
    col++;
  }
  *column = col;
}

/* The x offset in a column width wide of something w wide, set as align
 * sets text: centred, right-aligned, else at the left edge. */
double lp_lay_align_offset(align_t align, double width, double w) {
  return align == ALIGN_CENTER  ? (width - w) / 2
         : align == ALIGN_RIGHT ? width - w
                                : 0;
}

/* The text height: what an image may take, at most, is a share of it. */
double lp_lay_text_height(const L *l) {
  return l->style.page_h - l->style.margin[0] - l->style.margin[2];
}

void lp_lay_warn(L *l, const char *file, int line, int column,
                 const char *fmt, ...) {
  if (!l->doc.env->warn) return;
  if (l->doc.warnings >= MAX_WARNINGS) {
    l->doc.dropped++;
    return;
  }
  lp_error w = {0};
  va_list ap;
  va_start(ap, fmt);
  lp_vfail(&w, LP_OK, file, line, column, fmt, ap);
  va_end(ap);
  l->doc.env->warn(l->doc.env->warn_ctx, &w);
  l->doc.warnings++;
}

void lp_lay_warn_dropped(L *l) {
  if (!l->doc.dropped || !l->doc.env->warn) return;
  lp_error w = {0};
  w.code = LP_OK;
  snprintf(w.file, sizeof w.file, "%s", l->doc.tpl->name);
  snprintf(w.message, sizeof w.message,
           "%d more warning%s not shown (the first %d are): fix these and "
           "render again to see the rest",
           l->doc.dropped, l->doc.dropped == 1 ? " was" : "s were",
           MAX_WARNINGS);
  l->doc.env->warn(l->doc.env->warn_ctx, &w);
}
