/* lay_table.c - GFM tables: column widths, rows, rows split across pages. */
#include "lay_table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmark-gfm-core-extensions.h>
#include <unicode/uchar.h>

#include "fill.h"
#include "image.h"
#include "lay_image.h"
#include "lay_para.h"
#include "lines.h"
#include "locales.h"
#include "shape.h"
#include "template.h"
#include "util.h"

#define FLOW_SLACK 0.5           /* pt a forced row part leaves free */
#define CELL_IMAGE_MIN_EM 3.0 /* an image's narrowest in a table column */
#define CELL_PAD_EM 0.4       /* a table cell's padding */

/* The width an image of a table cell wants: its size as a block image in
 * a column max_w wide (so capped by that and by the height allowed), or 0
 * for a file that cannot be read (table_row reports it). */
static double cell_image_width(L *l, cmark_node *image, double max_w) {
  const char *url = cmark_node_get_url(image);
  lp_dimage_data *img = NULL;
  lp_error e = {0};
  if (!lp_image_cache_read(l->doc.env->images, url ? url : "",
                           l->doc.tpl->base_dir, &img, &e))
    return 0;
  double w, h;
  lp_lay_image_size(img, max_w, lp_lay_text_height(l) * IMAGE_MAX_H_FRAC, &w,
                    &h);
  lp_dimage_data_unref(img);
  return w;
}

/* Forgets the links and notes collected since there were nlinks and
 * nnotes: measuring a cell collects its inlines, and only the laying out
 * that follows may add them to the letter (in reference order). */
static void forget_refs(L *l, size_t nlinks, size_t nnotes) {
  for (size_t k = nlinks; k < l->letter.nlinks; k++) {
    free(l->letter.links[k].url);
    free(l->letter.links[k].text);
  }
  for (size_t k = nnotes; k < l->letter.nnotes; k++)
    free(l->letter.notes[k].url);
  l->letter.nlinks = nlinks;
  l->letter.nnotes = nnotes;
}

/* The widths a cell's content wants: natural (its text on one line, or its
 * longest hard-broken line; its images at their size) and minimum (its
 * widest piece of text between two break opportunities; an image, which
 * is scaled down to fit, CELL_IMAGE_MIN_EM or less), in pt.  An image
 * ends a line of the cell's text, as it splits a paragraph.  max_w is the
 * widest a cell can be. */
static bool measure_cell(L *l, cmark_node *cell, bool bold, double max_w,
                         double *natural, double *minimum) {
  para p = {0};
  size_t nlinks = l->letter.nlinks, nnotes = l->letter.nnotes;
  lp_lay_collect_inlines(l, cell, &p, bold, false, 0, l->style.size);
  forget_refs(l, nlinks, nnotes);
  *natural = *minimum = 0;
  for (size_t k = 0; k < p.ncuts; k++) {
    double w = cell_image_width(l, p.cuts[k].image, max_w);
    double least = fmin(w, CELL_IMAGE_MIN_EM * l->style.size);
    if (w > *natural) *natural = w;
    if (least > *minimum) *minimum = least;
  }
  size_t len = p.text.len;
  const char *text = len ? (const char *)p.text.data : "";
  uint8_t *brk = lp_xmalloc(len + 1);
  bool ok = lp_breaks_find(l->doc.env->breaker, text, len, l->style.lang,
                           l->doc.tpl->meta.word_break, brk, l->doc.err);
  lp_shaped sh = {0};
  if (ok) {
    lp_shape_cached(l->doc.env->shapes, text, len, p.spans, p.nspans,
                    l->style.lang, &sh);
    lp_shape_space_cjk(text, len, l->style.lang, &sh);
  }
  double line = 0, piece = 0;
  size_t cut = 0; /* the next image */
  for (size_t k = 0; k < sh.count; k++) {
    const lp_sglyph *g = &sh.glyphs[k];
    if ((g->flags & LP_SG_CLUSTER_START) && k > 0) {
      uint8_t b = brk[g->cluster];
      if (b == LP_BREAK_MANDATORY) line = 0;
      if (b != LP_BREAK_NONE) piece = 0;
    }
    if (g->flags & LP_SG_CLUSTER_START)
      for (; cut < p.ncuts && p.cuts[cut].offset <= g->cluster; cut++)
        line = piece = 0;
    double w = g->advance + (k + 1 < sh.count ? g->gap : 0);
    line += w;
    if (!(g->flags & LP_SG_SPACE)) piece += w;
    if (line > *natural) *natural = line;
    if (piece > *minimum) *minimum = piece;
  }
  lp_shaped_free(&sh);
  free(brk);
  lp_lay_para_free(&p);
  return ok;
}

/* Column widths from the content: natural widths when they fit; else each
 * column gets its minimum plus a share of the remaining room in proportion
 * to how much more it wants (the automatic table layout of CSS 2.1 17.5.2.2,
 * simplified); minimums that do not fit are scaled down. */
static bool table_columns(L *l, cmark_node *table, int ncols, double avail,
                          double *widths) {
  double *nat = lp_xcalloc((size_t)ncols, sizeof *nat);
  double *min = lp_xcalloc((size_t)ncols, sizeof *min);
  bool ok = true;
  double pad = 2 * CELL_PAD_EM * l->style.size;
  for (cmark_node *row = cmark_node_first_child(table); row && ok;
       row = cmark_node_next(row)) {
    bool header = cmark_gfm_extensions_get_table_row_is_header(row);
    int c = 0;
    for (cmark_node *cell = cmark_node_first_child(row); cell && c < ncols;
         cell = cmark_node_next(cell), c++) {
      double n = 0, m = 0;
      ok = ok && measure_cell(l, cell, header, avail - pad, &n, &m);
      if (n + pad > nat[c]) nat[c] = n + pad;
      if (m + pad > min[c]) min[c] = m + pad;
    }
  }
  /* Columns that want no more than an equal share keep their natural
   * width (a short label column never wraps because a long one does); the
   * others share what is left. */
  double fair = avail / ncols, fixed = 0, sum_nat = 0, sum_min = 0;
  for (int c = 0; c < ncols; c++) {
    if (nat[c] < min[c]) nat[c] = min[c];
    if (nat[c] <= fair) fixed += nat[c];
  }
  bool narrow_fixed = true;
  for (int c = 0; c < ncols; c++) {
    if (nat[c] <= fair) continue;
    sum_nat += nat[c];
    sum_min += min[c];
  }
  if (sum_min > avail - fixed) { /* no room for that: share among all */
    narrow_fixed = false;
    sum_nat = sum_min = 0;
    for (int c = 0; c < ncols; c++) sum_nat += nat[c], sum_min += min[c];
    fixed = 0;
  }
  double room = avail - fixed;
  for (int c = 0; c < ncols; c++) {
    if (narrow_fixed && nat[c] <= fair)
      widths[c] = nat[c];
    else if (sum_nat <= room)
      widths[c] = nat[c];
    else if (sum_min >= room)
      widths[c] = min[c] * room / sum_min;
    else
      widths[c] = min[c] + (room - sum_min) * (nat[c] - min[c]) /
                               (sum_nat - sum_min);
  }
  free(nat);
  free(min);
  return ok;
}

/* Moves everything of boxes [first, nboxes) into one box: the row of a
 * table, with its cells' lines stacked from offset top within the row.
 * Coordinates in a row box are relative to its top (baseline 0). */
static void shift_box(L *l, const lbox *b, double down) {
  for (size_t k = b->g0; k < b->g1; k++)
    l->letter.glyphs[k].dy -= down;
  for (size_t k = b->r0; k < b->r1; k++) {
    l->letter.rules[k].dy1 -= down;
    l->letter.rules[k].dy2 -= down;
  }
  for (size_t k = b->f0; k < b->f1; k++) {
    l->letter.fields[k].y1 -= down;
    l->letter.fields[k].y2 -= down;
  }
  for (size_t k = b->i0; k < b->i1; k++)
    l->letter.pimages[k].dy -= down;
}

/* A line of a cell while its row is laid out: its line box, its extent
 * from the row top, and the strip of the row it goes to. */
typedef struct rline {
  lbox box;
  double top, bottom;
  size_t strip;
  int col;      /* the cell's column */
  double shift; /* moved down by this in a forced split (flow_row) */
} rline;

/* qsort order of row lines: by their top. */
static int by_top(const void *a, const void *b) {
  const rline *x = a, *y = b;
  return (x->top > y->top) - (x->top < y->top);
}

/* qsort order of row lines: by strip, then in glyph order. */
static int by_strip(const void *a, const void *b) {
  const rline *x = a, *y = b;
  if (x->strip != y->strip)
    return (x->strip > y->strip) - (x->strip < y->strip);
  return (x->box.g0 > y->box.g0) - (x->box.g0 < y->box.g0);
}

/* Appends n items of size sz from src to arr (count *len, capacity
 * *cap); returns the array, which may have moved. */
static void *append_items(void *arr, size_t *len, size_t *cap, size_t sz,
                          const void *src, size_t n) {
  if (!n) return arr;
  if (*len + n > *cap) {
    *cap = (*len + n) * 2;
    arr = lp_xrealloc(arr, *cap * sz);
  }
  memcpy((char *)arr + *len * sz, src, n * sz);
  *len += n;
  return arr;
}

/* The borders of a row (or of a strip of one) h high whose top is at 0:
 * the column edges, and the top and bottom lines when asked. */
static void row_borders(L *l, const double *widths, int ncols, double left,
                        double h, bool top, bool bottom) {
  double x = left;
  for (int c = 0; c <= ncols; x += c < ncols ? widths[c] : 0, c++)
    lp_lay_add_prule(l, x, 0, x, -h, RULE_WIDTH);
  if (top)
    lp_lay_add_prule(l, left, 0, x, 0, RULE_WIDTH);
  if (bottom)
    lp_lay_add_prule(l, left, -h, x, -h, RULE_WIDTH);
}

/* Splits a row taller than a page (its content already stacked, from
 * glyph g0, rule r0, field f0 and image i0 on, its cell lines in lines)
 * into strips at the line boundaries that no line of any cell straddles,
 * one box per strip, so that pagination can break the row between two
 * lines.  Each strip draws its column edges; the first the row's top line
 * and the last its bottom line; a strip that ends or starts a page gets
 * the line there when the page is made (flush_letter). */
/* The forced split of a row whose cells' lines never line up for long
 * enough (an image in one cell shifts its lines against another's): each
 * column flows into parts `part` high, a line that would cross a part's end
 * moving down to the next part with the rest of its column.  Fills each
 * line's strip and shift, and cuts[0..] with the parts' tops; returns the
 * number of parts and the row's new height in *height. */
static size_t flow_row(rline *lines, size_t n, int ncols, double part,
                       double *cuts, double *height) {
  double *shift = lp_xcalloc((size_t)ncols + 1, sizeof *shift);
  size_t nparts = 1;
  qsort(lines, n, sizeof *lines, by_top);
  for (size_t k = 0; k < n; k++) {
    rline *ln = &lines[k];
    int c = ln->col >= 0 && ln->col < ncols ? ln->col : ncols;
    double top = ln->top + shift[c], bottom = ln->bottom + shift[c];
    size_t p = (size_t)(top / part + 1e-9);
    double end = (double)(p + 1) * part;
    if (bottom > end + 1e-6 && bottom - top <= part) {
      shift[c] += end - top; /* to the next part's top, with its column */
      bottom += end - top;
      p++;
    }
    ln->strip = p;
    ln->shift = shift[c];
    if (p + 1 > nparts) nparts = p + 1;
    if (bottom > *height) *height = bottom;
  }
  for (size_t p = 0; p < nparts; p++) cuts[p] = (double)p * part;
  free(shift);
  return nparts;
}

/* Lays out a row taller than the page as strips, each a box of its own
 * that pagination may put on a new page (flow_row cuts it). */
static void split_row(L *l, rline *lines, size_t n, const double *widths,
                      int ncols, double left, double height, double max_h,
                      size_t g0, size_t r0, size_t f0, size_t i0) {
  /* Cuts: line bottoms below which some line starts, with no line
   * running across (the lines with a top above the cut end above it). */
  qsort(lines, n, sizeof *lines, by_top);
  double *cuts = lp_xcalloc(n + 1, sizeof *cuts);
  size_t ncuts = 1; /* cuts[0] = 0: the first strip's top */
  double reach = 0; /* lowest bottom of the lines above the cut so far */
  for (size_t k = 0; k + 1 < n; k++) {
    if (lines[k].bottom > reach) reach = lines[k].bottom;
    double y = lines[k + 1].top;
    if (y >= reach - 1e-6 && y > cuts[ncuts - 1] + 1e-6) cuts[ncuts++] = y;
  }
  bool fits = true; /* every strip fits on a page */
  for (size_t s = 0; s < ncuts; s++)
    fits &= (s + 1 < ncuts ? cuts[s + 1] : height) - cuts[s] <= max_h + 1e-6;
  if (fits) {
    for (size_t k = 0, s = 0; k < n; k++) {
      while (s + 1 < ncuts && cuts[s + 1] <= lines[k].top + 1e-6) s++;
      lines[k].strip = s;
    }
  } else {
    ncuts = flow_row(lines, n, ncols, max_h - FLOW_SLACK, cuts, &height);
  }
  qsort(lines, n, sizeof *lines, by_strip);
  /* Take the row's content out, then put it back strip by strip, each
   * strip's coordinates from its own top. */
  size_t ng = l->letter.nglyphs - g0, nr = l->letter.nrules - r0,
         nf = l->letter.nfields - f0, ni = l->letter.npimages - i0;
  pglyph *gs = lp_xmalloc((ng + 1) * sizeof *gs);
  prule *rs = lp_xmalloc((nr + 1) * sizeof *rs);
  lp_dfield *fs = lp_xmalloc((nf + 1) * sizeof *fs);
  pimage *is = lp_xmalloc((ni + 1) * sizeof *is);
  if (ng)
    memcpy(gs, l->letter.glyphs + g0, ng * sizeof *gs);
  if (nr)
    memcpy(rs, l->letter.rules + r0, nr * sizeof *rs);
  if (nf)
    memcpy(fs, l->letter.fields + f0, nf * sizeof *fs);
  if (ni)
    memcpy(is, l->letter.pimages + i0, ni * sizeof *is);
  l->letter.nglyphs = g0, l->letter.nrules = r0, l->letter.nfields = f0,
  l->letter.npimages = i0;
  uint32_t row_para = l->letter.npara++;
  for (size_t k = 0; k < n;) {
    size_t s = lines[k].strip;
    double top = cuts[s], bottom = s + 1 < ncuts ? cuts[s + 1] : height;
    lbox *b = lp_lay_new_box(l);
    for (; k < n && lines[k].strip == s; k++) {
      lbox lb = lines[k].box;
      size_t at = l->letter.nglyphs;
      l->letter.glyphs = append_items(l->letter.glyphs, &l->letter.nglyphs,
                                      &l->letter.glyphs_cap, sizeof *gs,
                                      gs + (lb.g0 - g0), lb.g1 - lb.g0);
      double up = top - lines[k].shift; /* strip coordinates */
      for (size_t j = at; j < l->letter.nglyphs; j++)
        l->letter.glyphs[j].dy += up;
      at = l->letter.nrules;
      l->letter.rules =
          append_items(l->letter.rules, &l->letter.nrules, &l->letter.rules_cap,
                       sizeof *rs, rs + (lb.r0 - r0), lb.r1 - lb.r0);
      for (size_t j = at; j < l->letter.nrules; j++)
        l->letter.rules[j].dy1 += up, l->letter.rules[j].dy2 += up;
      at = l->letter.nfields;
      l->letter.fields = append_items(l->letter.fields, &l->letter.nfields,
                                      &l->letter.fields_cap, sizeof *fs,
                                      fs + (lb.f0 - f0), lb.f1 - lb.f0);
      for (size_t j = at; j < l->letter.nfields; j++)
        l->letter.fields[j].y1 += up, l->letter.fields[j].y2 += up;
      at = l->letter.npimages;
      l->letter.pimages = append_items(l->letter.pimages, &l->letter.npimages,
                                       &l->letter.pimages_cap, sizeof *is,
                                       is + (lb.i0 - i0), lb.i1 - lb.i0);
      for (size_t j = at; j < l->letter.npimages; j++)
        l->letter.pimages[j].dy += up;
    }
    row_borders(l, widths, ncols, left, bottom - top, s == 0,
                s + 1 == ncuts);
    b->g1 = l->letter.nglyphs, b->r1 = l->letter.nrules,
    b->f1 = l->letter.nfields;
    b->i1 = l->letter.npimages;
    b->height = bottom - top;
    /* Strips between lines keep the widow and orphan rules; a forced
     * part is a page of its own, with nothing to keep. */
    b->line = fits ? (uint32_t)s : 0;
    b->nlines = fits ? (uint32_t)ncuts : 1;
    b->orphans = (uint8_t)l->style.orphans;
    b->para = row_para;
    b->row_left = left;
    b->row_right = left;
    for (int c = 0; c < ncols; c++) b->row_right += widths[c];
  }
  free(gs);
  free(rs);
  free(fs);
  free(is);
  free(cuts);
}

/* Lays out one table row: each cell's paragraph in its column, stacked into
 * one box with borders, or into strips when the row is taller than max_h
 * (split_row).  The row's boxes start at *index. */
static bool table_row(L *l, cmark_node *row, const double *widths, int ncols,
                      const uint8_t *aligns, double left, double max_h,
                      size_t *index) {
  bool header = cmark_gfm_extensions_get_table_row_is_header(row);
  double pad = CELL_PAD_EM * l->style.size, x = left;
  size_t first = l->letter.nboxes;
  size_t g0 = l->letter.nglyphs, r0 = l->letter.nrules, f0 = l->letter.nfields,
         i0 = l->letter.npimages;
  double height = 0;
  rline *lines = NULL;
  size_t nlines = 0, lines_cap = 0;
  int c = 0;
  uint32_t saved_row = lp_lay_open(l, "TR");
  for (cmark_node *cell = cmark_node_first_child(row); cell && c < ncols;
       cell = cmark_node_next(cell), c++) {
    pstyle st = lp_lay_body_style(l, x + pad, widths[c] - 2 * pad, 1);
    st.before = 0;
    st.align = aligns && aligns[c] == 'c'   ? ALIGN_CENTER
               : aligns && aligns[c] == 'r' ? ALIGN_RIGHT
                                            : ALIGN_LEFT;
    para p = {0};
    lp_lay_collect_inlines(l, cell, &p, header, false, 0, l->style.size);
    size_t from = l->letter.nboxes;
    /* A header row's cells head their columns (14.8.4.3.4 /Scope). */
    uint32_t saved = lp_lay_open(l, header ? "TH" : "TD");
    if (header) lp_tags_set_scope(lp_lay_tags(l), l->letter.tag, "Column");
    /* Images in the cell: blocks in the cell's column, as in a paragraph,
     * the text around them stacked above and below. */
    bool ok = lp_lay_paragraph(l, &p, st, cmark_node_get_start_line(cell));
    lp_lay_close(l, saved);
    lp_lay_para_free(&p);
    if (!ok) {
      lp_lay_close(l, saved_row);
      free(lines);
      return false;
    }
    double y = pad;
    for (size_t k = from; k < l->letter.nboxes; k++) {
      lbox *lb = &l->letter.boxes[k];
      if (k > from) y += lb->before; /* between text and an image */
      shift_box(l, lb, y + lb->baseline);
      LP_GROW(lines, lines_cap, nlines + 1);
      lines[nlines++] = (rline){*lb, y, y + lb->height, 0, c, 0};
      y += lb->height;
    }
    if (y + pad > height) height = y + pad;
    x += widths[c];
  }
  lp_lay_close(l, saved_row);
  l->letter.nboxes = first;
  *index = first;
  /* A footnote referenced in a cell goes with the row's first box. */
  for (size_t k = 0; k < l->letter.nnotes; k++)
    if (l->letter.notes[k].owner != SIZE_MAX &&
        l->letter.notes[k].owner >= first)
      l->letter.notes[k].owner = first;
  if (height > max_h && nlines > 1) {
    split_row(l, lines, nlines, widths, ncols, left, height, max_h, g0, r0,
              f0, i0);
    free(lines);
    return true;
  }
  free(lines);
  row_borders(l, widths, ncols, left, height, true, true);
  lbox *b = lp_lay_new_box(l);
  b->g0 = g0, b->r0 = r0, b->f0 = f0, b->i0 = i0;
  b->g1 = l->letter.nglyphs, b->r1 = l->letter.nrules,
  b->f1 = l->letter.nfields;
  b->i1 = l->letter.npimages;
  b->height = height;
  b->baseline = 0;
  b->para = l->letter.npara++;
  return true;
}

/* A GFM table: column widths from the content, cells wrapped in their
 * columns, thin borders; a row stays whole unless it is taller than a page
 * (then it is split between lines); the header row keeps with the first
 * body row and is repeated at the top of each page the table continues
 * on. */
bool lp_lay_table(L *l, cmark_node *table, double left, double width) {
  int ncols = cmark_gfm_extensions_get_table_columns(table);
  if (ncols <= 0) return true;
  const uint8_t *aligns = cmark_gfm_extensions_get_table_alignments(table);
  double *widths = lp_xcalloc((size_t)ncols, sizeof *widths);
  bool ok = table_columns(l, table, ncols, width, widths);
  size_t header = 0;
  bool has_header = false, first = true;
  /* A row taller than this is split; below the header row, a page has
   * room for less (the header is repeated above). */
  double max_h = l->style.page_h - l->style.margin[0] - l->style.margin[2];
  uint32_t saved = lp_lay_open(l, "Table");
  /* Rows move their cells' lines about: links in cells are tagged and
   * printed, but get no rectangles. */
  l->letter.no_links = true;
  for (cmark_node *row = cmark_node_first_child(table); row && ok;
       row = cmark_node_next(row)) {
    size_t at;
    bool is_header = cmark_gfm_extensions_get_table_row_is_header(row);
    ok = table_row(l, row, widths, ncols, aligns, left, max_h, &at);
    if (!ok || at == l->letter.nboxes)
      continue;
    if (first)
      l->letter.boxes[at].before = l->style.para_space * l->style.size;
    first = false;
    if (is_header) {
      /* Repeated on each page the table continues on, unless it had to
       * be split itself. */
      has_header = l->letter.nboxes == at + 1;
      header = at;
      l->letter.boxes[l->letter.nboxes - 1].keep_with_next = true;
      if (has_header && l->letter.boxes[at].height < max_h / 2)
        max_h -= l->letter.boxes[at].height;
      else
        has_header = false;
    } else if (has_header) {
      for (size_t k = at; k < l->letter.nboxes; k++)
        l->letter.boxes[k].header_back = (uint32_t)(k - header);
    }
  }
  l->letter.no_links = false;
  lp_lay_close(l, saved);
  free(widths);
  return ok;
}
