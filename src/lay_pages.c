/* lay_pages.c - pagination, keep rules, seal, headers and footers. */
#include "lay_pages.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm-core-extensions.h>
#include <unicode/uchar.h>

#include "fill.h"
#include "image.h"
#include "lay_image.h"
#include "lay_missing.h"
#include "lay_notes.h"
#include "lines.h"
#include "locales.h"
#include "shape.h"
#include "template.h"
#include "typo.h"
#include "util.h"

#define LETTERHEAD_MAX_H (35 * MM)
#define SEAL_MAX (42 * MM)    /* a company seal is 40-42 mm across */
#define SEAL_RISE_EM 0.3      /* the seal's centre above the baseline */
#define LETTERHEAD_SPACE_EM 1.0 /* below the letterhead */
#define QUOTE_RULE_GRAY 0.6
#define FOOTER_SCALE 0.8      /* footer and header size, of the body size */
#define FOOTER_MIN_SIZE 7.0
#define META_GRAY 0.3         /* footer and header colour */

/* Adds a page to the current letter. */
static lp_dpage *new_page(L *l) {
  lp_dpage *pg =
      lp_display_add_page(l->doc.out, l->style.page_w, l->style.page_h);
  LP_GROW(l->doc.page_letter, l->doc.page_letter_cap, l->doc.out->npages);
  l->doc.page_letter[l->doc.out->npages - 1] = l->doc.nletters - 1;
  l->doc.letters[l->doc.nletters - 1].npages++;
  return pg;
}

/* The seal (front matter `seal`, a PNG with transparency) is stamped over
 * the first signature field of each letter, over the text, as a company
 * seal is pressed over the signature line: its centre on the field's left
 * part, half a line above the baseline; `seal-size` sets its larger side,
 * `seal-offset` moves it. */
static void place_seal(L *l, lp_dpage *pg, const lbox *b, double base) {
  if (!l->style.seal || l->letter.seal_placed)
    return;
  for (size_t k = b->f0; k < b->f1; k++) {
    const lp_dfield *f = &l->letter.fields[k];
    if (f->kind != LP_FIELD_SIGNATURE) continue;
    const lp_meta *m = &l->doc.tpl->meta;
    double w, h, side = m->seal_size > 0 ? m->seal_size : SEAL_MAX;
    lp_lay_image_size(l->style.seal, m->seal_size > 0 ? 1e9 : side,
                      m->seal_size > 0 ? 1e9 : side, &w, &h);
    if (m->seal_size > 0) { /* the larger side at seal-size, up or down */
      double scale = side / (w > h ? w : h);
      w *= scale, h *= scale;
    }
    double cx = f->x1 + (f->x2 - f->x1 < w ? (f->x2 - f->x1) / 2 : w / 2) +
                m->seal_offset[0];
    double cy = base + SEAL_RISE_EM * f->font_size + m->seal_offset[1];
    lp_dimage *im = lp_dpage_add_image(pg, l->style.seal, cx - w / 2,
                                       cy - h / 2, w, h, true);
    /* With alt text a Figure of the letter; without, a decoration. */
    const char *alt = l->doc.tpl->meta.seal_alt;
    if (alt && *alt) {
      im->tag = lp_lay_figure(l, l->doc.letters[l->doc.nletters - 1].sect,
                              false, alt);
    }
    l->letter.seal_placed = true;
    return;
  }
}

/* Copies box b to page pg with its top at distance top from the page
 * top.  A repeat (a table's header row atop a following page) is drawn
 * as a pagination artifact: its cells are in the structure once. */
static void place_box(L *l, lp_dpage *pg, const lbox *b, double top,
                      bool repeat) {
  double base = l->style.page_h - (top + b->baseline);
  lp_face *face = NULL;
  double size = 0;
  lp_drun *run = NULL;
  for (size_t k = b->g0; k < b->g1; k++) {
    const pglyph *g = &l->letter.glyphs[k];
    uint32_t tag = repeat ? 0 : g->tag, part = repeat ? 0 : g->part;
    if (!run || g->face != face || g->size != size || tag != run->tag ||
        part != run->part) {
      run = lp_dpage_add_run(pg, g->face, g->size, g->gray);
      run->tag = tag, run->part = part;
      if (repeat) run->artifact = LP_ARTIFACT_HEADER;
      face = g->face;
      size = g->size;
    }
    lp_dpage_add_glyph(
        l->doc.out, pg, g->gid, g->x, base + g->dy, g->advance,
        g->tlen ? (const char *)l->letter.text.data + g->toff : NULL, g->tlen);
  }
  for (size_t k = b->r0; k < b->r1; k++) {
    const prule *r = &l->letter.rules[k];
    lp_dpage_add_rule(pg, r->x1, base + r->dy1, r->x2, base + r->dy2,
                      r->width, 0);
  }
  for (size_t k = b->f0; k < b->f1; k++) {
    const lp_dfield *f = &l->letter.fields[k];
    lp_dpage_add_field(pg, f->kind, f->name, f->x1, base + f->y1, f->x2,
                       base + f->y2, f->font_size, f->checked)
        ->tag = repeat ? 0 : f->tag;
  }
  for (size_t k = b->i0; k < b->i1; k++) {
    const pimage *im = &l->letter.pimages[k];
    lp_dpage_add_image(pg, im->data, im->x, base + im->dy, im->w, im->h,
                       im->over_text)
        ->tag = repeat ? 0 : im->tag;
  }
  for (size_t k = b->k0; k < b->k1 && !repeat; k++) {
    const plink *r = &l->letter.plinks[k];
    const llink *lk = &l->letter.links[r->link];
    lp_dpage_add_link(pg, lk->url, lk->text, r->x1, base + r->dy1, r->x2,
                      base + r->dy2)
        ->tag = lk->tag;
  }
  place_seal(l, pg, b, base);
  if (b->outline >= 0)
    lp_display_add_outline(l->doc.out, l->doc.letters[b->outline].title,
                           l->doc.out->npages - 1,
                           l->style.page_h - top + b->before);
}

/* Where the page that box i overflows should start instead of at i, so
 * that no paragraph leaves fewer than `orphans` lines at the bottom of a
 * page or fewer than `widows` at the top of the next (2 each by default, a
 * list item's first two lines always together), and a heading never ends
 * a page.  Boxes from page_start stay on the current page; at least one
 * does. */
static size_t better_break(const L *l, size_t i, size_t page_start) {
  const lbox *b = &l->letter.boxes[i];
  size_t at = i;
  uint32_t before = b->line, after = b->nlines - b->line;
  uint32_t orphans = b->orphans ? b->orphans : 1;
  uint32_t widows = (uint32_t)l->style.widows;
  if (before > 0 && after > 0) {
    if (after < widows) before -= widows - after < before ? widows - after
                                                          : before;
    if (before < orphans) before = 0; /* take the paragraph along */
    at = i - (b->line - before);
  }
  while (at > page_start + 1 && l->letter.boxes[at - 1].keep_with_next)
    at--;
  return at > page_start ? at : i;
}

/* The signature block is never split across pages: a one-line label just
 * before the signature line (承诺单位（盖章）：…), the lines of the
 * paragraph with the signature field, and the date line right after it
 * keep together. */
static void keep_signature_blocks(L *l) {
  for (size_t i = 0; i < l->letter.nboxes; i++) {
    lbox *b = &l->letter.boxes[i];
    if (!(b->kind & BOX_SIGNATURE)) continue;
    if (b->line + 1 < b->nlines) {
      b->keep_with_next = true;
      continue;
    }
    if (i + 1 < l->letter.nboxes && (l->letter.boxes[i + 1].kind & BOX_DATE))
      b->keep_with_next = true;
    size_t first = i - b->line;
    if (first > 0 && (l->letter.boxes[first - 1].kind & BOX_LABEL) &&
        !(l->letter.boxes[first - 1].kind & BOX_SIGNATURE))
      l->letter.boxes[first - 1].keep_with_next = true;
  }
}

/* The height of the table header row repeated above box i when i starts
 * a page, or 0. */
static double repeated_header_height(const L *l, size_t i) {
  const lbox *b = &l->letter.boxes[i];
  return b->header_back && b->header_back <= i
             ? l->letter.boxes[i - b->header_back].height
             : 0;
}

/* Marks the boxes that start a page: each box goes where it fits, a box
 * that keeps with the next one only if that one fits too (a heading with
 * the first line after it), and breaks move back to honour better_break.
 * The footnotes referenced in a line take their room at the page's foot:
 * a line goes to the next page when not even its notes' first lines fit
 * below it (lay_notes.h); note lines that did not fit start the next
 * page's notes, taking at most half of its height. */
static void find_page_breaks(L *l) {
  double top = l->style.margin[0],
         bottom = l->style.page_h - l->style.margin[2];
  double y = top, notes = 0;
  size_t page_start = 0, i = 0, page = 0;
  for (size_t k = 0; k < l->letter.nboxes; k++)
    l->letter.boxes[k].page_break = false;
  lp_lay_notes_unplace(l);
  while (i < l->letter.nboxes) {
    const lbox *b = &l->letter.boxes[i];
    double before = i > page_start ? b->before : 0;
    double need = before + b->height;
    for (size_t j = i;
         j + 1 < l->letter.nboxes && l->letter.boxes[j].keep_with_next;) {
      j++;
      need += l->letter.boxes[j].before + l->letter.boxes[j].height;
    }
    bool fits = y + need <= bottom - notes + 1e-6 &&
                lp_lay_notes_fit(l, i, page, bottom - (y + before + b->height),
                                 &notes, i == page_start);
    if (!fits && i > page_start) {
      size_t at = better_break(l, i, page_start);
      lp_lay_notes_unfit(l, at);
      l->letter.boxes[at].page_break = true;
      page_start = i = at;
      page++;
      y = top + repeated_header_height(l, at);
      notes = lp_lay_notes_carry(l, at, page, (bottom - top) / 2);
      continue;
    }
    if (!fits) /* a page's first box that is too tall: its notes anyway */
      lp_lay_notes_fit(l, i, page, bottom - (y + before + b->height), &notes,
                       true);
    y += before + b->height;
    i++;
  }
  /* Notes still waiting go on after the text, on pages of their own. */
  while (lp_lay_notes_pending(l))
    lp_lay_notes_carry(l, SIZE_MAX, ++page, bottom - top);
}

/* Draws the notes of the letter's page page (display page pg) at its
 * foot: a short rule, then their lines. */
static void draw_notes(L *l, lp_dpage *pg, size_t page) {
  double h = lp_lay_notes_height(l, page);
  if (h <= 0) return;
  double drop, length, width, space;
  lp_lay_notes_rule(l, &drop, &length, &width, &space);
  double y = l->style.page_h - l->style.margin[2] - h;
  double rule_y = l->style.page_h - (y + drop);
  lp_dpage_add_rule(pg, l->style.margin[3], rule_y, l->style.margin[3] + length,
                    rule_y, width, 0);
  y += space;
  bool first = true;
  for (size_t k = 0; k < l->letter.nfboxes; k++) {
    if (l->letter.fpage[k] != page) continue;
    const lbox *b = &l->letter.fboxes[k];
    y += first ? 0 : b->before;
    place_box(l, pg, b, y, false);
    y += b->height;
    first = false;
  }
}

/* Draws the rules of the letter's block quotes: for each quote, one
 * segment per page, from the top of its first box on that page to the
 * bottom of its last.  page, top and bottom give each box's display page
 * and extent (from the page top). */
static void draw_quote_rules(L *l, const size_t *page, const double *top,
                             const double *bottom) {
  for (size_t q = 0; q < l->letter.nquotes; q++) {
    const qspan *s = &l->letter.quotes[q];
    size_t b1 = s->open ? l->letter.nboxes : s->b1;
    for (size_t i = s->b0; i < b1;) {
      size_t j = i;
      while (j + 1 < b1 && page[j + 1] == page[i]) j++;
      lp_dpage_add_rule(
          &l->doc.out->pages[page[i]], s->x, l->style.page_h - top[i], s->x,
          l->style.page_h - bottom[j], QUOTE_RULE_WIDTH, QUOTE_RULE_GRAY);
      i = j + 1;
    }
  }
  /* Quotes still open go on in the next letter, from its first box. */
  size_t n = 0;
  for (size_t q = 0; q < l->letter.nquotes; q++)
    if (l->letter.quotes[q].open) {
      l->letter.quotes[n] = l->letter.quotes[q];
      l->letter.quotes[n++].b0 = 0;
    }
  l->letter.nquotes = n;
}

/* Paginates the current letter's boxes onto new pages and clears them. */
bool lp_lay_flush_letter(L *l) {
  double top = l->style.margin[0];
  letter *lt = &l->doc.letters[l->doc.nletters - 1];
  /* The letterhead heads the letter's first page, across the column. */
  if (l->style.letterhead) {
    lbox *h = lp_lay_image_box(l, l->style.letterhead, l->style.margin[3],
                               l->style.page_w - l->style.margin[1] -
                                   l->style.margin[3],
                               LETTERHEAD_MAX_H, ALIGN_CENTER);
    h->before = 0;
    h->height += LETTERHEAD_SPACE_EM * l->style.size;
    h->keep_with_next = true;
    /* With alt text a Figure, first in the letter; without, a
     * decoration (an artifact). */
    const char *alt = l->doc.tpl->meta.letterhead_alt;
    if (alt && *alt) {
      l->letter.pimages[h->i1 - 1].tag = lp_lay_figure(l, lt->sect, true, alt);
    }
    lbox head = *h;
    memmove(l->letter.boxes + 1, l->letter.boxes,
            (l->letter.nboxes - 1) * sizeof *l->letter.boxes);
    l->letter.boxes[0] = head;
    for (size_t q = 0; q < l->letter.nquotes; q++) {
      l->letter.quotes[q].b0++;
      l->letter.quotes[q].b1 += !l->letter.quotes[q].open;
    }
    for (size_t k = 0; k < l->letter.nnotes; k++)
      l->letter.notes[k].owner++;
  }
  lt->first_page = l->doc.out->npages;
  lp_dpage *pg = new_page(l);
  /* A letter without a level-1 heading still gets its outline entry. */
  if (!lt->has_heading) {
    lp_buf t = {0};
    if (lt->title && *lt->title)
      lp_buf_puts(&t, lt->title);
    else
      lp_buf_printf(&t, "%zu", l->doc.nletters);
    lp_display_add_outline(l->doc.out, (char *)t.data, lt->first_page,
                           l->style.page_h);
    lp_buf_free(&t);
  }
  keep_signature_blocks(l);
  find_page_breaks(l);
  size_t pages = l->doc.out->npages, body_pages = 1;
  for (size_t i = 0; i < l->letter.nboxes; i++)
    body_pages += l->letter.boxes[i].page_break;
  size_t note_pages = lp_lay_notes_pages(l);
  if (note_pages > body_pages) body_pages = note_pages;
  pages += body_pages - 1;
  const lp_limits *lim = l->doc.env->limits;
  if (lim && lim->max_pages && pages > lim->max_pages)
    return lp_fail(l->doc.err, LP_ERR_INPUT, l->doc.tpl->name, 0, 0,
                   "the document would have more than %u pages (the limit): "
                   "raise it with --max-pages",
                   lim->max_pages);
  double y = top;
  /* Where each box went: its page and extent, for the quote rules. */
  size_t *page = lp_xcalloc(l->letter.nboxes + 1, sizeof *page);
  double *btop = lp_xcalloc(l->letter.nboxes + 1, sizeof *btop);
  double *bbottom = lp_xcalloc(l->letter.nboxes + 1, sizeof *bbottom);
  for (size_t i = 0; i < l->letter.nboxes; i++) {
    const lbox *b = &l->letter.boxes[i];
    if (b->page_break) {
      pg = new_page(l);
      y = top;
      if (repeated_header_height(l, i) > 0) {
        place_box(l, pg, &l->letter.boxes[i - b->header_back], y, true);
        y += l->letter.boxes[i - b->header_back].height;
      }
    }
    y += y > top ? b->before : 0;
    page[i] = l->doc.out->npages - 1;
    /* A repeated table header belongs to the table's first box here. */
    btop[i] = b->page_break ? top : y;
    place_box(l, pg, b, y, false);
    /* A table row split across pages is closed at the page bottom and
     * opened again at the top (where no repeated header does it). */
    bool split = b->row_right > b->row_left;
    if (split && b->line > 0 && b->page_break && y == top)
      lp_dpage_add_rule(pg, b->row_left, l->style.page_h - y, b->row_right,
                        l->style.page_h - y, RULE_WIDTH, 0);
    y += b->height;
    if (split && b->line + 1 < b->nlines && i + 1 < l->letter.nboxes &&
        l->letter.boxes[i + 1].page_break)
      lp_dpage_add_rule(pg, b->row_left, l->style.page_h - y, b->row_right,
                        l->style.page_h - y, RULE_WIDTH, 0);
    bbottom[i] = y;
  }
  /* Pages that hold only the end of a long note. */
  while (l->doc.out->npages - lt->first_page < body_pages) new_page(l);
  for (size_t p = 0; p < body_pages; p++)
    draw_notes(l, &l->doc.out->pages[lt->first_page + p], p);
  draw_quote_rules(l, page, btop, bbottom);
  free(page);
  free(btop);
  free(bbottom);
  for (size_t k = 0; k < l->letter.nfields; k++)
    free(l->letter.fields[k].name);
  l->letter.nboxes = l->letter.nglyphs = l->letter.nrules = l->letter.nfields =
      0;
  l->letter.npara = 0;
  l->letter.npimages = 0;
  if (l->style.seal && !l->letter.seal_placed) l->doc.unsealed++;
  l->letter.seal_placed = false;
  l->letter.text.len = 0;
  lp_lay_notes_clear(l);
  lp_lay_missing_reset(l);
  return true;
}

/* Expands {page}, {pages} and {title} (the letter's title) in fmt; the
 * title goes in as text, so a "{page}" in it stays one. */
static void expand_numbers(const char *fmt, size_t page, size_t pages,
                           const char *title, lp_buf *out) {
  for (const char *p = fmt; *p;) {
    if (!strncmp(p, "{page}", 6)) {
      lp_buf_printf(out, "%zu", page);
      p += 6;
    } else if (!strncmp(p, "{pages}", 7)) {
      lp_buf_printf(out, "%zu", pages);
      p += 7;
    } else if (!strncmp(p, "{title}", 7)) {
      lp_buf_puts(out, title ? title : "");
      p += 7;
    } else {
      lp_buf_append(out, p++, 1);
    }
  }
}

/* Draws one centred line of text on page pg with its baseline at y, as
 * a pagination artifact of kind what (header or footer). */
static void draw_centered(L *l, lp_dpage *pg, const char *text, double y,
                          lp_artifact what) {
  double size = l->style.size * FOOTER_SCALE;
  if (size < FOOTER_MIN_SIZE) size = FOOTER_MIN_SIZE;
  para p = {0};
  lp_lay_para_add(&p, text, strlen(text), l->style.chains[LP_STYLE_REGULAR],
                  size, 0);
  if (!p.text.len) return;
  lp_shaped sh = {0};
  lp_shape_cached(l->doc.env->shapes, (char *)p.text.data, p.text.len, p.spans,
                  p.nspans, l->style.lang, &sh);
  double w = 0;
  for (size_t k = 0; k < sh.count; k++) w += sh.glyphs[k].advance;
  double x = (l->style.page_w - w) / 2;
  lp_face *face = NULL;
  for (size_t k = 0; k < sh.count; k++) {
    const lp_sglyph *g = &sh.glyphs[k];
    if (g->flags & LP_SG_BLANK) {
      x += g->advance;
      continue;
    }
    if (g->face != face) {
      lp_dpage_add_run(pg, g->face, size, META_GRAY)->artifact = what;
      face = g->face;
    }
    bool start = (g->flags & LP_SG_CLUSTER_START) != 0;
    lp_dpage_add_glyph(l->doc.out, pg, g->gid, x + g->x_offset, y + g->y_offset,
                       g->advance,
                       start ? (const char *)p.text.data + g->cluster : NULL,
                       start ? g->cluster_end - g->cluster : 0);
    x += g->advance;
  }
  lp_shaped_free(&sh);
  lp_lay_para_free(&p);
}

/* The template's text of a header or footer: typographic punctuation
 * as in the body (the values of its placeholders stay as typed); the
 * caller frees it. */
static char *furniture_text(const L *l, const char *text) {
  const struct lp_typo_style *y = lp_template_typo(l->doc.tpl);
  return y ? lp_typo_line(y, text) : lp_xstrdup(text);
}

/* Adds headers and footers to every page, numbered per letter or for the
 * whole document.  With header-first: false the first page of each
 * letter has no header: it is printed on letterhead paper, and the header
 * names the letter on the pages that follow. */
void lp_lay_add_page_furniture(L *l, const char *default_footer) {
  const lp_meta *m = &l->doc.tpl->meta;
  const lp_fill *ff = l->doc.env->footer, *hf = l->doc.env->header;
  size_t n;
  char *footer = furniture_text(l, ff ? lp_fill_source(ff, &n)
                                   : m->footer ? m->footer
                                               : default_footer);
  const char *h = hf ? lp_fill_source(hf, &n) : m->header;
  char *header = h && *h ? furniture_text(l, h) : NULL;
  size_t total = l->doc.out->npages;
  for (size_t i = 0; i < total; i++) {
    const letter *lt = &l->doc.letters[l->doc.page_letter[i]];
    size_t page = i + 1, pages = total;
    if (m->numbering == LP_NUMBER_LETTER) {
      page = i - lt->first_page + 1;
      pages = lt->npages;
    }
    lp_dpage *pg = &l->doc.out->pages[i];
    lp_buf s = {0};
    if (*footer) {
      expand_numbers(footer, page, pages, lt->title, &s);
      lp_fill_values(ff, &s); /* the data's "{page}" stays text */
      draw_centered(l, pg, (char *)s.data, l->style.margin[2] / 2,
                    LP_ARTIFACT_FOOTER);
    }
    if (header && !(m->no_header_first && i == lt->first_page)) {
      s.len = 0;
      expand_numbers(header, page, pages, lt->title, &s);
      lp_fill_values(hf, &s);
      draw_centered(l, pg, (char *)s.data,
                    l->style.page_h - l->style.margin[0] / 2,
                    LP_ARTIFACT_HEADER);
    }
    lp_buf_free(&s);
  }
  free(footer);
  free(header);
}
