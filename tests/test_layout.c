/* test_layout.c - the layout, checked on the display list it makes: block
 * quote rules, table rows split across pages, images inside paragraphs,
 * table cells and headings (and the warning for one that is not drawn),
 * and the front-matter keys of the style table (heading-spacing,
 * list-indent, quote-indent). */
#include <math.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "png_fixture.h"
#include "display.h"
#include "letterpress.h"
#include "render.h"
#include "template.h"

#define MM (72.0 / 25.4)
#define MARGIN (25 * MM) /* the default margin */
#define SIZE 11.0        /* the default font size */
#define QUOTE_GRAY 0.6   /* the colour of a quote's rule */
#define EPS 0.01

static lp_engine *engine;
static char dir[64]; /* where the test's templates and images live */

/* The warnings of a layout: the last one, and how many. */
typedef struct warnings {
  lp_error last;
  int count;
} warnings;

static void on_warning(void *ctx, const lp_error *w) {
  warnings *ws = ctx;
  ws->last = *w;
  ws->count++;
}

/* Lays out the template text (named dir/t.md) with no data, collecting
 * its warnings in ws (may be NULL); NULL (and a message) on failure. */
static lp_display *layout_warned(const char *text, warnings *ws) {
  lp_error err = {0};
  char name[128];
  snprintf(name, sizeof name, "%s/t.md", dir);
  lp_template *t = lp_template_parse(text, strlen(text), name, &err);
  lp_display *d = t ? lp_display_new() : NULL;
  lp_render_options opts = {0};
  opts.warn = on_warning;
  opts.warn_ctx = ws;
  if (ws) memset(ws, 0, sizeof *ws);
  if (d && !lp_render_layout(engine, t, ws ? &opts : NULL, false, d, &err)) {
    lp_display_free(d);
    d = NULL;
  }
  if (!d) fprintf(stderr, "  layout failed: %s\n", err.message);
  lp_template_free(t);
  return d;
}

/* Lays out the template text (named dir/t.md) with no data; NULL (and a
 * message) on failure. */
static lp_display *layout(const char *text) {
  return layout_warned(text, NULL);
}

/* A line of text on a page: glyphs sharing a baseline, left to right. */
typedef struct tline {
  double y, x0, x1;
  char text[512];
} tline;

static int by_x(const void *a, const void *b) {
  const lp_dglyph *x = *(lp_dglyph *const *)a, *y = *(lp_dglyph *const *)b;
  return (x->x > y->x) - (x->x < y->x);
}

static int by_y_down(const void *a, const void *b) {
  const tline *x = a, *y = b;
  return (x->y < y->y) - (x->y > y->y);
}

/* The lines of text of page p, top to bottom, at most max; returns how
 * many. */
static size_t lines_of(const lp_dpage *p, tline *out, size_t max) {
  size_t n = 0;
  for (size_t r = 0; r < p->nruns; r++)
    for (size_t g = 0; g < p->runs[r].count; g++) {
      const lp_dglyph *gl = &p->runs[r].glyphs[g];
      size_t k = 0;
      while (k < n && fabs(out[k].y - gl->y) > EPS) k++;
      if (k == n) {
        if (n == max) continue;
        out[n++] = (tline){gl->y, gl->x, gl->x, ""};
      }
    }
  for (size_t k = 0; k < n; k++) {
    /* Glyphs of this line, left to right. */
    const lp_dglyph **gs = NULL;
    size_t ng = 0;
    for (size_t r = 0; r < p->nruns; r++)
      for (size_t g = 0; g < p->runs[r].count; g++)
        if (fabs(p->runs[r].glyphs[g].y - out[k].y) <= EPS) {
          gs = realloc(gs, (ng + 1) * sizeof *gs);
          gs[ng++] = &p->runs[r].glyphs[g];
        }
    qsort(gs, ng, sizeof *gs, by_x);
    out[k].x0 = ng ? gs[0]->x : 0;
    out[k].x1 = ng ? gs[ng - 1]->x + gs[ng - 1]->advance : 0;
    size_t len = 0;
    for (size_t g = 0; g < ng; g++)
      if (gs[g]->text && len + gs[g]->text_len < sizeof out[k].text) {
        memcpy(out[k].text + len, gs[g]->text, gs[g]->text_len);
        len += gs[g]->text_len;
      }
    out[k].text[len] = '\0';
    free(gs);
  }
  qsort(out, n, sizeof *out, by_y_down);
  return n;
}

/* The first line of page p whose text contains needle, or NULL. */
static const tline *find_line(const tline *lines, size_t n,
                              const char *needle) {
  for (size_t k = 0; k < n; k++)
    if (strstr(lines[k].text, needle)) return &lines[k];
  return NULL;
}

/* The quote rules of page p (vertical, gray), at most max. */
static size_t quote_rules(const lp_dpage *p, const lp_drule **out,
                          size_t max) {
  size_t n = 0;
  for (size_t k = 0; k < p->nrules && n < max; k++) {
    const lp_drule *r = &p->rules[k];
    if (fabs(r->gray - QUOTE_GRAY) < EPS && fabs(r->x1 - r->x2) < EPS)
      out[n++] = r;
  }
  return n;
}

/* Whether baseline y lies within the vertical extent of rule r. */
static bool beside(const lp_drule *r, double y) {
  double lo = r->y1 < r->y2 ? r->y1 : r->y2, hi = r->y1 < r->y2 ? r->y2 : r->y1;
  return y > lo && y < hi;
}

/* Writes dir/name, a w x h RGBA PNG of one colour. */
static bool write_png(const char *name, int w, int h) {
  return fixture_png(dir, name, w, h);
}

/* ---- Block quotes -------------------------------------------------------- */

static void test_quotes(void) {
  lp_display *d = layout("---\nlang: en\n---\n\nBefore the quote.\n\n"
                         "> Quoted one.\n>\n> > Nested quote.\n>\n"
                         "> Quoted two.\n\nAfter the quote.\n");
  CHECK(d && d->npages == 1);
  if (!d) return;
  const lp_dpage *p = &d->pages[0];
  const lp_drule *rules[8];
  size_t nr = quote_rules(p, rules, 8);
  CHECK(nr == 2); /* the quote's and the nested one's */
  tline lines[64];
  size_t n = lines_of(p, lines, 64);
  const tline *before = find_line(lines, n, "Before");
  const tline *q1 = find_line(lines, n, "Quoted one");
  const tline *nested = find_line(lines, n, "Nested");
  const tline *q2 = find_line(lines, n, "Quoted two");
  const tline *after = find_line(lines, n, "After");
  CHECK(before && q1 && nested && q2 && after);
  if (nr == 2 && before && q1 && nested && q2 && after) {
    const lp_drule *outer = rules[0]->x1 < rules[1]->x1 ? rules[0] : rules[1];
    const lp_drule *inner = outer == rules[0] ? rules[1] : rules[0];
    /* The rule runs down the column's left edge; the text is indented. */
    CHECK(fabs(outer->x1 - (MARGIN + 0.5)) < EPS);
    CHECK(fabs(inner->x1 - (MARGIN + 2 * SIZE + 0.5)) < EPS);
    CHECK(fabs(q1->x0 - (MARGIN + 2 * SIZE)) < 0.5);
    CHECK(fabs(nested->x0 - (MARGIN + 4 * SIZE)) < 0.5);
    /* Beside every line of the quote, and of the quote only. */
    CHECK(beside(outer, q1->y) && beside(outer, nested->y) &&
          beside(outer, q2->y));
    CHECK(!beside(outer, before->y) && !beside(outer, after->y));
    CHECK(beside(inner, nested->y));
    CHECK(!beside(inner, q1->y) && !beside(inner, q2->y));
  }
  lp_display_free(d);

  /* Across a page break: each page's part of the quote has its rule. */
  char text[16384] = "---\nlang: en\npaper: 120mm 160mm\n---\n\nBefore.\n\n";
  for (int k = 0; k < 60; k++)
    strcat(text, k % 10 == 9 ? "> Line of the quote.\n>\n"
                             : "> Line of the quote.\\\n");
  strcat(text, "> End of the quote.\n\nAfter.\n");
  d = layout(text);
  CHECK(d && d->npages >= 2);
  for (size_t pg = 0; d && pg < d->npages; pg++) {
    p = &d->pages[pg];
    nr = quote_rules(p, rules, 8);
    n = lines_of(p, lines, 64);
    size_t quoted = 0, covered = 0;
    for (size_t k = 0; k < n; k++)
      if (strstr(lines[k].text, "of the quote")) {
        quoted++;
        covered += nr == 1 && beside(rules[0], lines[k].y);
      }
    CHECK(quoted > 0);
    CHECK(nr == 1);
    CHECK(covered == quoted);
    if (nr == 1 && pg > 0) /* it starts at the top of the column */
      CHECK(fabs(fmax(rules[0]->y1, rules[0]->y2) - (p->height - MARGIN)) <
            EPS);
  }
  lp_display_free(d);

  /* quote-indent, in em or as a length. */
  d = layout("---\nlang: en\nquote-indent: 1\n---\n\n> Quoted.\n");
  n = d ? lines_of(&d->pages[0], lines, 64) : 0;
  CHECK(n && fabs(find_line(lines, n, "Quoted")->x0 - (MARGIN + SIZE)) < 0.5);
  lp_display_free(d);
  d = layout("---\nlang: en\nquote-indent: 30pt\n---\n\n> Quoted.\n");
  n = d ? lines_of(&d->pages[0], lines, 64) : 0;
  CHECK(n && fabs(find_line(lines, n, "Quoted")->x0 - (MARGIN + 30)) < 0.5);
  lp_display_free(d);
}

/* ---- Tables: rows taller than a page ---------------------------------- */

/* Checks that the table borders of page p are closed boxes: the vertical
 * edges end on horizontal lines at the top and the bottom. */
static void check_closed(const lp_dpage *p, const char *what) {
  double vtop = -1, vbottom = 1e9, htop = -1, hbottom = 1e9;
  for (size_t k = 0; k < p->nrules; k++) {
    const lp_drule *r = &p->rules[k];
    if (r->gray != 0) continue;
    if (fabs(r->x1 - r->x2) < EPS) {
      vtop = fmax(vtop, fmax(r->y1, r->y2));
      vbottom = fmin(vbottom, fmin(r->y1, r->y2));
    } else if (fabs(r->y1 - r->y2) < EPS) {
      htop = fmax(htop, r->y1);
      hbottom = fmin(hbottom, r->y1);
    }
  }
  bool ok = vtop > 0 && fabs(vtop - htop) < EPS &&
            fabs(vbottom - hbottom) < EPS && vbottom >= MARGIN - EPS &&
            vtop <= p->height - MARGIN + EPS;
  CHECK(ok);
  if (!ok)
    fprintf(stderr, "  %s: edges %.2f..%.2f, lines %.2f..%.2f\n", what,
            vbottom, vtop, hbottom, htop);
}

/* Whether every glyph of page p is inside the text block or in the
 * footer (centred in the bottom margin). */
static bool glyphs_inside(const lp_dpage *p) {
  for (size_t r = 0; r < p->nruns; r++)
    for (size_t g = 0; g < p->runs[r].count; g++) {
      double y = p->runs[r].glyphs[g].y;
      bool footer = fabs(y - MARGIN / 2) < EPS;
      if (!footer && (y < MARGIN - EPS || y > p->height - MARGIN))
        return false;
    }
  return true;
}

/* Appends words PREFIX001 ... PREFIXn, space-separated, to text. */
static void add_words(char *text, size_t cap, char prefix, int n) {
  for (int k = 1; k <= n; k++) {
    size_t len = strlen(text);
    snprintf(text + len, cap - len, "%s%c%03d", k > 1 ? " " : "", prefix, k);
  }
}

/* The pages (first and last, from 0) on which words PREFIX001 ...
 * PREFIXn appear, and whether each appears exactly once, in order. */
static bool find_words(const lp_display *d, char prefix, int n, int *first,
                       int *last) {
  static tline lines[256];
  int next = 1;
  bool ok = true;
  *first = *last = -1;
  for (size_t pg = 0; pg < d->npages; pg++) {
    size_t nl = lines_of(&d->pages[pg], lines, 256);
    for (size_t k = 0; k < nl; k++)
      for (const char *t = lines[k].text; (t = strchr(t, prefix)); t++) {
        if (!(t[1] >= '0' && t[1] <= '9')) continue;
        ok = ok && atoi(t + 1) == next;
        next++;
        if (*first < 0) *first = (int)pg;
        *last = (int)pg;
      }
  }
  return ok && next == n + 1;
}

static void test_tables(void) {
  static char text[32768];
  snprintf(text, sizeof text,
           "---\nlang: en\npaper: 120mm 160mm\n---\n\nA table.\n\n"
           "| Item | Description |\n|---|---|\n| One | short |\n| Two | ");
  add_words(text, sizeof text, 'c', 400);
  strcat(text, " |\n| Three | last |\n\nAfter.\n");
  lp_display *d = layout(text);
  CHECK(d && d->npages >= 3);
  tline lines[128];
  for (size_t pg = 0; d && pg < d->npages; pg++) {
    const lp_dpage *p = &d->pages[pg];
    char what[64];
    snprintf(what, sizeof what, "page %zu", pg + 1);
    check_closed(p, what);
    CHECK(glyphs_inside(p));
    size_t n = lines_of(p, lines, 128);
    /* The row is split: its lines run on from the page before, under the
     * repeated header row. */
    if (pg > 0) {
      CHECK(n > 1 && strstr(lines[0].text, "Item") != NULL &&
            strstr(lines[0].text, "Description") != NULL);
      CHECK(n > 1 && lines[1].text[0] == 'c');
    }
  }
  int first, last;
  /* Every word of the cell once, in order; the row starts on the first
   * page (it fills it) and ends on the last. */
  CHECK(d && find_words(d, 'c', 400, &first, &last));
  CHECK(d && first == 0 && last == (int)d->npages - 1);
  lp_display_free(d);

  /* A header row too tall to repeat: the split row's part on the next
   * page opens with a line of its own. */
  snprintf(text, sizeof text,
           "---\nlang: en\npaper: 120mm 160mm\n---\n\n| Item | ");
  add_words(text, sizeof text, 'h', 90);
  strcat(text, " |\n|---|---|\n| Two | ");
  add_words(text, sizeof text, 'c', 300);
  strcat(text, " |\n");
  d = layout(text);
  CHECK(d && d->npages >= 3);
  for (size_t pg = 0; d && pg < d->npages; pg++) {
    char what[64];
    snprintf(what, sizeof what, "tall header, page %zu", pg + 1);
    check_closed(&d->pages[pg], what);
    CHECK(glyphs_inside(&d->pages[pg]));
  }
  CHECK(d && find_words(d, 'h', 90, &first, &last) && first == last);
  CHECK(d && find_words(d, 'c', 300, &first, &last));
  lp_display_free(d);

  /* Rows that fit on a page are never split: wherever the page breaks,
   * each row's lines are on one page. */
  for (int fill = 0; fill < 24; fill += 2) {
    snprintf(text, sizeof text, "---\nlang: en\npaper: 120mm 160mm\n---\n\n");
    for (int k = 0; k < fill; k++) strcat(text, "Filler paragraph.\n\n");
    strcat(text, "| Item | Description |\n|---|---|\n| Six | ");
    add_words(text, sizeof text, 'w', 40);
    strcat(text, " |\n| Next | ");
    add_words(text, sizeof text, 'v', 25);
    strcat(text, " |\n");
    d = layout(text);
    CHECK(d != NULL);
    int f1, l1, f2, l2;
    CHECK(d && find_words(d, 'w', 40, &f1, &l1) && f1 == l1);
    CHECK(d && find_words(d, 'v', 25, &f2, &l2) && f2 == l2);
    lp_display_free(d);
  }
}

/* ---- Images inside paragraphs ----------------------------------------- */

/* Image files are read and decoded once per engine: a second layout by the
 * same engine holds the same image data as the first (letterhead and body
 * image alike), and a file used twice in a letter is one image, so a
 * merge reads each file once and a combined PDF embeds it once. */
static void test_images_shared(void) {
  CHECK(write_png("pic.png", 150, 75));
  const char *text = "---\nlang: en\nletterhead: pic.png\n---\n\n"
                     "# Letter\n\nText ![x](pic.png) more.\n";
  lp_display *a = layout(text), *b = layout(text);
  CHECK(a && b && a->pages[0].nimages == 2 && b->pages[0].nimages == 2);
  if (a && b && a->pages[0].nimages == 2 && b->pages[0].nimages == 2) {
    const lp_dpage *p = &a->pages[0], *q = &b->pages[0];
    CHECK(p->images[0].data == p->images[1].data);
    CHECK(p->images[0].data == q->images[0].data);
    CHECK(p->images[1].data == q->images[1].data);
  }
  lp_display_free(a);
  lp_display_free(b);
}

static void test_images(void) {
  CHECK(write_png("pic.png", 150, 75)); /* 72 x 36 pt at 150 dpi */
  lp_display *d = layout(
      "---\nlang: zh-CN\n---\n\n"
      "前文足够长，能够排成两行以上，用来检验图片前面的文字仍然按照段落排版，"
      "首行缩进两个字，其余各行顶格。如下图所示：![示意图](pic.png)"
      "图中可见各部分的关系，这一段文字接在图片后面，不再缩进。\n\n下一段。\n");
  CHECK(d && d->npages == 1);
  if (!d) return;
  const lp_dpage *p = &d->pages[0];
  CHECK(p->nimages == 1);
  tline lines[64];
  size_t n = lines_of(p, lines, 64);
  const tline *first = find_line(lines, n, "前文");
  const tline *before = find_line(lines, n, "所示");
  const tline *after = find_line(lines, n, "图中可见");
  const tline *next = find_line(lines, n, "下一段");
  CHECK(first && before && after && next);
  if (p->nimages == 1 && first && before && after && next) {
    const lp_dimage *im = &p->images[0];
    /* Where it is written: under the text before it, above the text after
     * it, at the column's left edge, at its size. */
    CHECK(im->y + im->h < before->y);
    CHECK(im->y > after->y + SIZE);
    CHECK(fabs(im->x - MARGIN) < EPS);
    CHECK(fabs(im->w - 72) < EPS && fabs(im->h - 36) < EPS);
    /* The paragraph's first line is indented; its continuation after the
     * image is not; the next paragraph is indented again. */
    CHECK(fabs(first->x0 - (MARGIN + 2 * SIZE)) < 0.5);
    CHECK(fabs(after->x0 - MARGIN) < 0.5);
    CHECK(fabs(next->x0 - (MARGIN + 2 * SIZE)) < 0.5);
    CHECK(!strstr(before->text, "![") && !strstr(after->text, "pic"));
  }
  lp_display_free(d);

  /* In a list item: in the item's column; the marker stays on the first
   * line. */
  d = layout("---\nlang: en\n---\n\n- Item text ![x](pic.png) more text.\n");
  if (d && d->pages[0].nimages == 1) {
    n = lines_of(&d->pages[0], lines, 64);
    const tline *item = find_line(lines, n, "Item");
    const tline *more = find_line(lines, n, "more");
    CHECK(fabs(d->pages[0].images[0].x - (MARGIN + 2 * SIZE)) < EPS);
    CHECK(item && more && item->x0 < MARGIN + 2 * SIZE - 1); /* the bullet */
    CHECK(more && fabs(more->x0 - (MARGIN + 2 * SIZE)) < 0.5);
  } else {
    CHECK(!"a list item's image laid out");
  }
  lp_display_free(d);
  /* A centred or right-aligned paragraph places its image so too. */
  d = layout("---\nlang: en\n---\n\nCentred ![x](pic.png) text {.center}\n\n"
             "Right ![x](pic.png) {.right}\n");
  CHECK(d && d->pages[0].nimages == 2);
  if (d && d->pages[0].nimages == 2) {
    const lp_dimage *c = &d->pages[0].images[0], *r = &d->pages[0].images[1];
    double w = d->pages[0].width;
    CHECK(fabs(c->x + c->w / 2 - w / 2) < EPS);
    CHECK(fabs(r->x + r->w - (w - MARGIN)) < EPS);
  }
  lp_display_free(d);
}

/* ---- Images in table cells and headings --------------------------------- */

#define CELL_PAD (0.4 * SIZE) /* a table cell's padding */
#define PARA_GAP (0.5 * SIZE) /* between paragraphs, and around images */

/* The table borders of page p: the x of its vertical lines, left to right
 * (vertical), else the y of its horizontal lines, top to bottom; each
 * once, at most max. */
static size_t table_edges(const lp_dpage *p, bool vertical, double *out,
                          size_t max) {
  size_t n = 0;
  for (size_t k = 0; k < p->nrules; k++) {
    const lp_drule *r = &p->rules[k];
    double across = vertical ? r->x2 - r->x1 : r->y2 - r->y1;
    double at = vertical ? r->x1 : -r->y1; /* ascending either way */
    if (r->gray != 0 || fabs(across) > EPS) continue;
    size_t j = 0;
    while (j < n && fabs(out[j] - at) > EPS) j++;
    if (j == n && n < max) out[n++] = at;
  }
  for (size_t i = 1; i < n; i++) /* few: insertion sort */
    for (size_t j = i; j > 0 && out[j - 1] > out[j]; j--) {
      double t = out[j];
      out[j] = out[j - 1];
      out[j - 1] = t;
    }
  if (!vertical)
    for (size_t k = 0; k < n; k++) out[k] = -out[k];
  return n;
}

/* The page of d on which a line contains needle, or -1. */
static int page_with(const lp_display *d, const char *needle) {
  static tline lines[128];
  for (size_t pg = 0; pg < d->npages; pg++) {
    size_t n = lines_of(&d->pages[pg], lines, 128);
    if (find_line(lines, n, needle)) return (int)pg;
  }
  return -1;
}

static void test_cell_images(void) {
  CHECK(write_png("wide.png", 1600, 400)); /* 768 x 192 pt at 150 dpi */
  /* An image alone in a cell: drawn in it at its size; the row grows to
   * hold it; the column is as wide as the image wants. */
  lp_display *d = layout("---\nlang: en\n---\n\n| Seal | Text |\n|---|---|\n"
                         "| ![seal](pic.png) | Signed and sealed. |\n"
                         "| x | Last row. |\n");
  CHECK(d && d->npages == 1 && d->pages[0].nimages == 1);
  if (d && d->npages == 1 && d->pages[0].nimages == 1) {
    const lp_dpage *p = &d->pages[0];
    const lp_dimage *im = &p->images[0];
    double xs[8], ys[8];
    size_t nx = table_edges(p, true, xs, 8), ny = table_edges(p, false, ys, 8);
    CHECK(nx == 3 && ny == 4);
    CHECK(fabs(im->w - 72) < EPS && fabs(im->h - 36) < EPS);
    if (nx == 3 && ny == 4) {
      /* In the first column, inside the padding, left-aligned. */
      CHECK(fabs(im->x - (xs[0] + CELL_PAD)) < EPS);
      CHECK(fabs(xs[1] - xs[0] - (72 + 2 * CELL_PAD)) < EPS);
      /* In the second row, which holds it with its padding. */
      CHECK(fabs(im->y + im->h - (ys[1] - CELL_PAD)) < EPS);
      CHECK(fabs(im->y - (ys[2] + CELL_PAD)) < EPS);
      CHECK(ys[1] - ys[2] >= 36 + 2 * CELL_PAD - EPS);
    }
    tline lines[16];
    size_t n = lines_of(p, lines, 16);
    const tline *t = find_line(lines, n, "Signed");
    CHECK(t && t->y < ys[1] && t->y > ys[1] - 2 * SIZE && t->x0 > xs[1]);
  }
  lp_display_free(d);

  /* Text before and after the image stacks around it in the cell, with a
   * paragraph's gap; a centred column centres the image. */
  d = layout("---\nlang: en\n---\n\n| Item | Note |\n|:---:|---|\n"
             "| Before ![seal](pic.png) after | Text. |\n");
  CHECK(d && d->pages[0].nimages == 1);
  if (d && d->pages[0].nimages == 1) {
    const lp_dpage *p = &d->pages[0];
    const lp_dimage *im = &p->images[0];
    tline lines[16];
    size_t n = lines_of(p, lines, 16);
    const tline *b = find_line(lines, n, "Before");
    const tline *a = find_line(lines, n, "after");
    double xs[8];
    size_t nx = table_edges(p, true, xs, 8);
    CHECK(b && a && b != a && nx == 3);
    if (b && a && nx == 3) {
      CHECK(b->y > im->y + im->h + PARA_GAP - EPS); /* above, a gap apart */
      CHECK(a->y + SIZE < im->y - PARA_GAP + EPS);  /* below */
      CHECK(fabs(im->x + im->w / 2 - (xs[0] + xs[1]) / 2) < EPS);
      /* The column is as wide as the image (wider than the words). */
      CHECK(fabs(xs[1] - xs[0] - (72 + 2 * CELL_PAD)) < EPS);
    }
  }
  lp_display_free(d);

  /* A wide image is scaled down to its column, keeping its proportions;
   * the other column keeps room for its text. */
  d = layout("---\nlang: en\n---\n\n| Chart | Note |\n|---|---|\n"
             "| ![chart](wide.png) | The figures of the last three years, "
             "by quarter. |\n");
  CHECK(d && d->pages[0].nimages == 1);
  if (d && d->pages[0].nimages == 1) {
    const lp_dpage *p = &d->pages[0];
    const lp_dimage *im = &p->images[0];
    double xs[8];
    size_t nx = table_edges(p, true, xs, 8);
    CHECK(nx == 3);
    if (nx == 3) {
      CHECK(fabs(im->w - (xs[1] - xs[0] - 2 * CELL_PAD)) < EPS);
      CHECK(fabs(im->w / im->h - 4.0) < 1e-6);
      CHECK(xs[2] - xs[1] > 8 * SIZE);
      CHECK(im->w > 200);
    }
  }
  lp_display_free(d);

  /* Rows with images obey the keep rules: a row that fits on a page moves
   * to the next one whole, the image with its row's text. */
  static char text[8192];
  for (int fill = 16; fill < 30; fill++) {
    snprintf(text, sizeof text, "---\nlang: en\npaper: 120mm 160mm\n---\n\n");
    for (int k = 0; k < fill; k++) strcat(text, "Filler paragraph.\n\n");
    strcat(text, "| Seal | Text |\n|---|---|\n| Top ![s](pic.png) bottom |"
                 " Row text. |\n");
    d = layout(text);
    CHECK(d != NULL);
    if (!d) continue;
    int with_image = -1;
    for (size_t pg = 0; pg < d->npages; pg++)
      if (d->pages[pg].nimages) with_image = (int)pg;
    int top = page_with(d, "Top"), bottom = page_with(d, "bottom");
    int row = page_with(d, "Row text");
    CHECK(with_image >= 0 && top == with_image && bottom == with_image &&
          row == with_image);
    /* The header row goes with it. */
    CHECK(page_with(d, "Seal") == with_image);
    lp_display_free(d);
  }
}

static void test_heading_images(void) {
  /* After the heading's text (a title: centred under it); the heading
   * keeps its text as the outline's title, without the alt text. */
  lp_display *d = layout("---\nlang: en\n---\n\n# Title ![logo](pic.png)\n\n"
                         "Body text.\n");
  CHECK(d && d->npages == 1 && d->pages[0].nimages == 1);
  if (d && d->npages == 1 && d->pages[0].nimages == 1) {
    const lp_dpage *p = &d->pages[0];
    const lp_dimage *im = &p->images[0];
    tline lines[16];
    size_t n = lines_of(p, lines, 16);
    const tline *t = find_line(lines, n, "Title");
    const tline *b = find_line(lines, n, "Body");
    CHECK(t && b);
    if (t && b) {
      CHECK(t->y > im->y + im->h);
      CHECK(b->y < im->y);
      CHECK(!strstr(t->text, "logo"));
    }
    CHECK(fabs(im->x + im->w / 2 - p->width / 2) < EPS);
    CHECK(fabs(im->w - 72) < EPS);
    CHECK(d->noutlines == 1 && !strcmp(d->outlines[0].title, "Title"));
  }
  lp_display_free(d);

  /* Before it, when written first; a ## heading is flush left. */
  d = layout("---\nlang: en\n---\n\n## ![logo](pic.png) Section\n\nBody.\n");
  CHECK(d && d->pages[0].nimages == 1);
  if (d && d->pages[0].nimages == 1) {
    const lp_dpage *p = &d->pages[0];
    const lp_dimage *im = &p->images[0];
    tline lines[16];
    size_t n = lines_of(p, lines, 16);
    const tline *s = find_line(lines, n, "Section");
    CHECK(s && s->y < im->y && fabs(s->x0 - MARGIN) < 0.5);
    CHECK(fabs(im->x - MARGIN) < EPS);
  }
  lp_display_free(d);

  /* The heading, its image and the first line after it stay on one page,
   * wherever the page would break. */
  static char text[8192];
  for (int fill = 14; fill < 30; fill++) {
    snprintf(text, sizeof text, "---\nlang: en\npaper: 120mm 160mm\n---\n\n");
    for (int k = 0; k < fill; k++) strcat(text, "Filler paragraph.\n\n");
    strcat(text, "## Section ![logo](pic.png)\n\nFirst line after.\n");
    d = layout(text);
    CHECK(d != NULL);
    if (!d) continue;
    int with_image = -1;
    for (size_t pg = 0; pg < d->npages; pg++)
      if (d->pages[pg].nimages) with_image = (int)pg;
    CHECK(with_image >= 0 && page_with(d, "Section") == with_image &&
          page_with(d, "First line") == with_image);
    lp_display_free(d);
  }
}

/* An image the layout cannot draw is a warning at its position. */
static void test_lost_images(void) {
  warnings ws;
  /* In another image's description: part of its alt text. */
  lp_display *d = layout_warned("---\nlang: zh-CN\n---\n\n正文。\n\n"
                                "嵌套：![外 ![内](pic.png)](pic.png)\n",
                                &ws);
  CHECK(d && d->pages[0].nimages == 1);
  CHECK(ws.count == 1 && ws.last.code == LP_OK);
  CHECK(ws.last.line == 7 && ws.last.column == 8);
  CHECK(strstr(ws.last.message, "'pic.png' is not drawn") != NULL);
  CHECK(strstr(ws.last.file, "t.md") != NULL);
  lp_display_free(d);

  /* In a column squeezed to nothing by a word longer than the page. */
  static char text[4096];
  snprintf(text, sizeof text,
           "---\nlang: en\n---\n\n| A | B |\n|---|---|\n| ![x](pic.png) | ");
  for (int k = 0; k < 600; k++) strcat(text, "w");
  strcat(text, " |\n");
  d = layout_warned(text, &ws);
  CHECK(d && d->pages[0].nimages == 0);
  CHECK(ws.count == 1 && ws.last.line == 7 && ws.last.column == 3 &&
        strstr(ws.last.message, "no room") != NULL);
  lp_display_free(d);

  /* Drawn images give no warning. */
  d = layout_warned("---\nlang: en\n---\n\n# T ![a](pic.png)\n\n"
                    "| ![b](pic.png) |\n|---|\n| ![c](pic.png) |\n\n"
                    "Text ![d](pic.png).\n",
                    &ws);
  CHECK(d && d->pages[0].nimages == 4 && ws.count == 0);
  lp_display_free(d);
}

/* ---- Style keys: heading-spacing, list-indent -------------------------- */

/* The baseline distances text -> heading and heading -> next line of a
 * template with the given front-matter lines. */
static void heading_gaps(const char *fm, double *above, double *below) {
  char text[512];
  snprintf(text, sizeof text,
           "---\nlang: en\n%s---\n\nText.\n\n## Heading\n\nNext.\n", fm);
  lp_display *d = layout(text);
  *above = *below = -1;
  if (!d) return;
  tline lines[16];
  size_t n = lines_of(&d->pages[0], lines, 16);
  const tline *t = find_line(lines, n, "Text");
  const tline *h = find_line(lines, n, "Heading");
  const tline *x = find_line(lines, n, "Next");
  if (t && h && x) {
    *above = t->y - h->y;
    *below = h->y - x->y;
  }
  lp_display_free(d);
}

static void test_style_keys(void) {
  double a0, b0, a1, b1;
  heading_gaps("", &a0, &b0);
  /* ## defaults: 1 em before, 0.4 em after. */
  heading_gaps("heading-spacing: 0 1, 2 1\n", &a1, &b1);
  CHECK(a0 > 0 && fabs((a1 - a0) - 1.0 * SIZE) < EPS);
  CHECK(b0 > 0 && fabs((b1 - b0) - 0.6 * SIZE) < EPS);
  heading_gaps("heading-spacing: 0 1, 30pt 4.4pt\n", &a1, &b1);
  CHECK(fabs((a1 - a0) - (30 - SIZE)) < EPS);
  CHECK(fabs(b1 - b0) < EPS);
  heading_gaps("heading-spacing: 0\n", &a1, &b1); /* # only: ## keeps its own */
  CHECK(fabs(a1 - a0) < EPS && fabs(b1 - b0) < EPS);

  const char *cases[][2] = {{"", "22"}, {"list-indent: 3\n", "33"},
                            {"list-indent: 10mm\n", "28.3465"}};
  for (size_t k = 0; k < 3; k++) {
    char text[256];
    snprintf(text, sizeof text,
             "---\nlang: en\n%s---\n\n- First item\n  - Nested item\n",
             cases[k][0]);
    lp_display *d = layout(text);
    tline lines[16];
    size_t n = d ? lines_of(&d->pages[0], lines, 16) : 0;
    const tline *i1 = find_line(lines, n, "First");
    const tline *i2 = find_line(lines, n, "Nested");
    double indent = atof(cases[k][1]);
    /* The text (after the marker) starts one indent in, two for the
     * nested item; the marker hangs left of it. */
    bool ok = i1 && i2 && i1->x1 > MARGIN + indent &&
              i1->x0 < MARGIN + indent - 1 &&
              i2->x0 < MARGIN + 2 * indent - 1 && i2->x0 > MARGIN + indent;
    CHECK(ok);
    if (!ok && i1 && i2)
      fprintf(stderr, "  list-indent %s: %.2f %.2f\n", cases[k][1], i1->x0,
              i2->x0);
    /* The item's text itself: find where "First" starts. */
    for (size_t r = 0; d && r < d->pages[0].nruns; r++)
      for (size_t g = 0; g < d->pages[0].runs[r].count; g++) {
        const lp_dglyph *gl = &d->pages[0].runs[r].glyphs[g];
        if (gl->text && gl->text_len == 1 && gl->text[0] == 'F')
          CHECK(fabs(gl->x - (MARGIN + indent)) < 0.01);
        if (gl->text && gl->text_len == 1 && gl->text[0] == 'N')
          CHECK(fabs(gl->x - (MARGIN + 2 * indent)) < 0.01);
      }
    lp_display_free(d);
  }
}

/* The signature fields of d, on all pages. */
static size_t signature_fields(const lp_display *d) {
  size_t n = 0;
  for (size_t i = 0; i < d->npages; i++)
    for (size_t k = 0; k < d->pages[i].nfields; k++)
      n += d->pages[i].fields[k].kind == LP_FIELD_SIGNATURE;
  return n;
}

/* Letters and the conventions of each locale: text before the first
 * level-1 heading is the first letter's (an address above the subject);
 * Traditional footers; a Chinese closing's halves (此致 indented, 敬禮 at
 * the margin); the seal and signature words of each language. */
static void test_locales(void) {
  tline lines[64];
  /* An address above the subject: one letter, one page, its outline entry
   * the heading's; the footer counts one page. */
  lp_display *d = layout("---\nlang: ja\n---\n\n〒100-0001\\\n東京都千代田区\n\n"
                         "株式会社山田商事 御中\n\n# 請求書のご送付について\n\n"
                         "本文です。\n");
  CHECK(d && d->npages == 1 && d->noutlines == 1);
  if (d && d->npages == 1 && d->noutlines == 1) {
    CHECK_STR(d->outlines[0].title, "請求書のご送付について");
    size_t n = lines_of(&d->pages[0], lines, 64);
    const tline *addr = find_line(lines, n, "東京都"),
                *subject = find_line(lines, n, "請求書");
    CHECK(addr && subject && addr->y > subject->y);
    CHECK(find_line(lines, n, "1 / 1 ページ") != NULL);
  }
  lp_display_free(d);
  /* The title below an address is set off from it by its space after:
   * 1 em more than with heading-spacing 0 0. */
  double gap[2] = {0, 0};
  const char *spacing[2] = {"", "heading-spacing: 0 0\n"};
  for (int k = 0; k < 2; k++) {
    char text[256];
    snprintf(text, sizeof text,
             "---\nlang: ja\n%s---\n\n山田商事 御中\n\n# 件名\n\n本文。\n",
             spacing[k]);
    d = layout(text);
    size_t n = d ? lines_of(&d->pages[0], lines, 64) : 0;
    const tline *a = find_line(lines, n, "御中"), *b = find_line(lines, n, "件名");
    if (a && b) gap[k] = a->y - b->y;
    lp_display_free(d);
  }
  CHECK(fabs(gap[0] - gap[1] - SIZE) < EPS);
  /* With a second letter: two pages, each its own letter. */
  d = layout("---\nlang: zh-TW\n---\n\n地址：臺北市\n\n# 甲\n\n正文。\n\n# 乙\n\n"
             "正文。\n");
  CHECK(d && d->npages == 2 && d->noutlines == 2);
  if (d && d->npages == 2 && d->noutlines == 2) {
    CHECK_STR(d->outlines[0].title, "甲");
    CHECK(d->outlines[0].page == 0 && d->outlines[1].page == 1);
    size_t n = lines_of(&d->pages[0], lines, 64);
    CHECK(find_line(lines, n, "臺北市") && find_line(lines, n, "第 1 頁 共 1 頁"));
  }
  lp_display_free(d);
  /* No heading: one letter, named by the front matter's title. */
  d = layout("---\ntitle: 通知\nlang: zh-CN\n---\n\n正文。\n\n再一段。\n");
  CHECK(d && d->npages == 1 && d->noutlines == 1 &&
        !strcmp(d->outlines[0].title, "通知"));
  lp_display_free(d);

  /* Closings: the first half indented 2 em, the second at the margin,
   * whether written as two paragraphs or one with a hard break. */
  d = layout("---\nlang: zh-TW\n---\n\n# 函\n\n正文。\n\n此致\n\n敬禮！\n\n"
             "順頌\\\n商祺\n\n祝\\\n安好！\n");
  CHECK(d && d->npages == 1);
  if (d && d->npages == 1) {
    size_t n = lines_of(&d->pages[0], lines, 64);
    const char *first[] = {"此致", "順頌", "祝"};
    const char *second[] = {"敬禮", "商祺", "安好"};
    for (int k = 0; k < 3; k++) {
      const tline *a = find_line(lines, n, first[k]);
      const tline *b = find_line(lines, n, second[k]);
      CHECK(a && fabs(a->x0 - (MARGIN + 2 * SIZE)) < EPS);
      CHECK(b && fabs(b->x0 - MARGIN) < EPS);
    }
  }
  lp_display_free(d);

  /* Seal and signature words of each locale make signature fields. */
  const char *sigs[] = {
      "---\nlang: zh-TW\n---\n\n立書人（簽章）：________\n\n蓋章：________\n",
      "---\nlang: zh-HK\n---\n\n簽名：________\n\n簽字：________\n",
      "---\nlang: ja\n---\n\n記名押印：________\n\n捺印：________\n",
      "---\nlang: ja\n---\n\n押印：________\n\n署名：________\n",
      "---\nlang: ko\n---\n\n서명 또는 날인: ________\n\n서명: ________\n",
  };
  for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++) {
    d = layout(sigs[k]);
    CHECK(d && signature_fields(d) == 2);
    lp_display_free(d);
  }
}

/* Lays out the template text (named dir/t.md) filled from the JSON object
 * json; NULL (and a message) on failure. */
static lp_display *layout_data(const char *text, const char *json) {
  lp_error err = {0};
  char name[128];
  snprintf(name, sizeof name, "%s/t.md", dir);
  lp_template *t = lp_template_parse(text, strlen(text), name, &err);
  lp_data *data = lp_data_parse_json(json, strlen(json), "d.json", &err);
  lp_display *d = t && data ? lp_display_new() : NULL;
  lp_render_options opts = {0};
  opts.data = data;
  if (d && !lp_render_layout(engine, t, &opts, false, d, &err)) {
    lp_display_free(d);
    d = NULL;
  }
  if (!d) fprintf(stderr, "  layout failed: %s\n", err.message);
  lp_template_free(t);
  lp_data_free(data);
  return d;
}

/* The number of fields of kind on every page of d. */
static size_t count_fields(const lp_display *d, lp_field_kind kind) {
  size_t n = 0;
  for (size_t p = 0; d && p < d->npages; p++)
    for (size_t k = 0; k < d->pages[p].nfields; k++)
      n += d->pages[p].fields[k].kind == kind;
  return n;
}

/* Whether a line of the first page of d holds needle. */
static bool shows(const lp_display *d, const char *needle) {
  tline lines[64];
  size_t n = d && d->npages ? lines_of(&d->pages[0], lines, 64) : 0;
  return find_line(lines, n, needle) != NULL;
}

/* Data never makes structure: each marker of the template language, typed
 * in a value, stays literal text and makes no field, alignment, image,
 * heading, list or section. */
static void test_data_is_text(void) {
  const char *fm = "---\nlang: zh-CN\n---\n\n";
  char text[512];
  /* Checkboxes: the template's box is a field, the value's are text. */
  snprintf(text, sizeof text, "%s选项：{{v}} 模板 ☐ 是\n", fm);
  lp_display *d = layout_data(text, "{\"v\": \"☑ 同意 □ 不同意 ☐ 待定 ☒ 否\"}");
  CHECK(count_fields(d, LP_FIELD_CHECKBOX) == 1);
  CHECK(shows(d, "☑同意□不同意☐待定☒否") || shows(d, "☑ 同意 □ 不同意"));
  lp_display_free(d);
  /* Blanks: a value's underscores are not a blank. */
  snprintf(text, sizeof text, "%s金额：{{v}}\n", fm);
  d = layout_data(text, "{\"v\": \"_____ 元\"}");
  CHECK(count_fields(d, LP_FIELD_TEXT) == 0 && d && d->pages[0].nrules == 0);
  CHECK(shows(d, "_____"));
  lp_display_free(d);
  /* Signature labels: a value's 签名： before the template's blank leaves
   * it a text field; the template's own word after a value still counts. */
  snprintf(text, sizeof text, "%s栏目：{{v}}____\n\n{{who}}签名：____\n", fm);
  d = layout_data(text, "{\"v\": \"签名：\", \"who\": \"客户\"}");
  CHECK(count_fields(d, LP_FIELD_TEXT) == 1);
  CHECK(count_fields(d, LP_FIELD_SIGNATURE) == 1);
  lp_display_free(d);
  snprintf(text, sizeof text, "%s{{v}}\n", fm);
  d = layout_data(text, "{\"v\": \"签名：[[signature]] Signature: ___\"}");
  CHECK(d && d->pages[0].nfields == 0 && shows(d, "[[signature]]"));
  lp_display_free(d);
  /* Alignment marks: the paragraph stays justified, the mark is text. */
  snprintf(text, sizeof text, "%s{{v}}\n\n{{w}}\n", fm);
  d = layout_data(text, "{\"v\": \"右边 {.right}\", \"w\": \"中间 {.center}\"}");
  tline lines[8];
  size_t n = d ? lines_of(&d->pages[0], lines, 8) : 0;
  const tline *r = find_line(lines, n, "{.right}");
  const tline *c = find_line(lines, n, "{.center}");
  CHECK(r && fabs(r->x0 - (MARGIN + 2 * SIZE)) < 0.5);
  CHECK(c && fabs(c->x0 - (MARGIN + 2 * SIZE)) < 0.5);
  lp_display_free(d);
  /* Images, headings, list and task markers, section tags: text. */
  snprintf(text, sizeof text, "%s# 信\n\n{{a}}\n\n{{b}}\n\n- {{c}}\n\n{{d}}\n",
           fm);
  d = layout_data(text, "{\"a\": \"![图](pic.png)\", \"b\": \"# 第二封\\n## 小节\","
                        " \"c\": \"[ ] 同意\", \"d\": \"- 一\\n1. 二 {{#x}}三{{/x}}\","
                        " \"x\": true}");
  CHECK(d && d->npages == 1 && d->noutlines == 1);
  CHECK(d && d->pages[0].nimages == 0 && d->pages[0].nfields == 0);
  CHECK(shows(d, "![图](pic.png)"));
  CHECK(shows(d, "#第二封") || shows(d, "# 第二封"));
  CHECK(shows(d, "[ ]同意") || shows(d, "[ ] 同意"));
  CHECK(shows(d, "-一") || shows(d, "- 一"));
  CHECK(shows(d, "{{#x}}三{{/x}}"));
  lp_display_free(d);
  /* Code shows what was typed: a box in code is no checkbox either. */
  d = layout("---\nlang: en\n---\n\nSee `☐` here.\n\n```\n☑ done\n```\n");
  CHECK(d && count_fields(d, LP_FIELD_CHECKBOX) == 0);
  lp_display_free(d);
}

/* Whether a C0 control character or DEL is in the text of a glyph, an
 * outline title or a field name of d. */
static bool has_control(const lp_display *d) {
  for (size_t p = 0; d && p < d->npages; p++) {
    const lp_dpage *pg = &d->pages[p];
    for (size_t r = 0; r < pg->nruns; r++)
      for (size_t g = 0; g < pg->runs[r].count; g++) {
        const lp_dglyph *gl = &pg->runs[r].glyphs[g];
        for (uint32_t k = 0; gl->text && k < gl->text_len; k++)
          if ((unsigned char)gl->text[k] < 0x20 || gl->text[k] == 0x7F)
            return true;
      }
    for (size_t f = 0; f < pg->nfields; f++)
      for (const char *c = pg->fields[f].name; *c; c++)
        if ((unsigned char)*c < 0x20) return true;
  }
  for (size_t o = 0; d && o < d->noutlines; o++)
    for (const char *c = d->outlines[o].title; *c; c++)
      if ((unsigned char)*c < 0x20) return true;
  return false;
}

/* The /Lang an element of role got (the first such element with one), or
 * NULL. */
static const char *lang_of(const lp_display *d, const char *role) {
  for (size_t i = 1; d && i < d->tags.count; i++)
    if (!strcmp(d->tags.tags[i].role, role) && d->tags.tags[i].lang)
      return d->tags.tags[i].lang;
  return NULL;
}

/* {lang=TAG} at the end of a paragraph or heading (beside an alignment
 * mark, in either order) gives its element a /Lang, normalized, when it
 * differs from the letter's; the mark is not drawn nor in the outline;
 * elsewhere, in a value or in code, it is text; a bad tag is an error at
 * its place. */
static void test_lang_marks(void) {
  lp_display *d = layout("---\nlang: zh-CN\n---\n\n# Agreement {lang=en}\n\n"
                         "正文。{lang=zh-CN}\n\nSigned. {.right} {lang=en_GB}\n\n"
                         "- item {lang=fr}\n\n`x {lang=de}`\n");
  CHECK(d && !has_control(d));
  CHECK_STR(lang_of(d, "H1"), "en");
  CHECK_STR(lang_of(d, "P"), "en-GB"); /* 正文's P: the letter's own */
  CHECK_STR(lang_of(d, "LBody"), "fr");
  if (d && d->noutlines) CHECK_STR(d->outlines[0].title, "Agreement");
  tline lines[16];
  size_t n = d ? lines_of(&d->pages[0], lines, 16) : 0;
  const tline *signed_line = find_line(lines, n, "Signed.");
  CHECK(signed_line && !strchr(signed_line->text, '{') &&
        fabs(signed_line->x1 - (d->pages[0].width - MARGIN)) < 0.5);
  CHECK(find_line(lines, n, "x {lang=de}") != NULL);
  lp_display_free(d);
  d = layout_data("---\nlang: en\n---\n\n{{v}}\n\nMid {lang=fr} text.\n",
                  "{\"v\": \"value {lang=fr}\"}");
  CHECK(d && !lang_of(d, "P") && !has_control(d));
  n = d ? lines_of(&d->pages[0], lines, 16) : 0;
  CHECK(find_line(lines, n, "value {lang=fr}") != NULL);
  CHECK(find_line(lines, n, "Mid {lang=fr} text.") != NULL);
  lp_display_free(d);
  char name[128];
  snprintf(name, sizeof name, "%s/t.md", dir);
  const char *bad = "---\nlang: en\n---\n\nText. {lang=12345}\n";
  lp_error err = {0};
  lp_template *t = lp_template_parse(bad, strlen(bad), name, &err);
  d = lp_display_new();
  CHECK(t && !lp_render_layout(engine, t, NULL, false, d, &err) &&
        err.line == 5 && err.column == 7 && strstr(err.message, "{lang=12345}"));
  lp_display_free(d);
  lp_template_free(t);
}

/* A heading ending with {.right} or {.center} is set that way, its mark
 * neither drawn nor in its outline title; a mark that ends no paragraph
 * or heading is text; no control character ever reaches the page. */
static void test_heading_marks(void) {
  lp_display *d = layout("---\nlang: zh-CN\n---\n\n# 承诺书 {.right}\n\n"
                         "## 一、说明 {.right}\n\n### 小节 {.center}\n\n正文。\n");
  CHECK(d && d->noutlines == 1 && !has_control(d));
  if (d && d->noutlines) CHECK_STR(d->outlines[0].title, "承诺书");
  tline lines[16];
  size_t n = d ? lines_of(&d->pages[0], lines, 16) : 0;
  const tline *h1 = find_line(lines, n, "承诺书");
  const tline *h2 = find_line(lines, n, "一、说明");
  const tline *h3 = find_line(lines, n, "小节");
  double right = d ? d->pages[0].width - MARGIN : 0;
  CHECK(h1 && fabs(h1->x1 - right) < 0.5 && !strstr(h1->text, "{"));
  CHECK(h2 && fabs(h2->x1 - right) < 0.5 && !strstr(h2->text, "{"));
  CHECK(h3 && fabs((h3->x0 + h3->x1) / 2 - (MARGIN + right) / 2) < 0.5);
  lp_display_free(d);
  /* Marks that end no paragraph or heading, blanks and [[signature]] in a
   * heading, tabs: text on the page, plain text in the outline. */
  d = layout("---\nlang: zh-CN\n---\n\n# 合同\t___ [[signature]] {.center}\n\n"
             "第一行 {.right}\n第二行\n\n| 甲 | 乙 {.center}\n|---|---|\n"
             "| 1 | 2 {.right}\n\n- 项目 {.right}\n\n> 引文 {.center}\n\n"
             "```\n\tcode\n```\n");
  CHECK(d && !has_control(d));
  if (d && d->noutlines)
    CHECK_STR(d->outlines[0].title, "合同 ___ [[signature]]");
  n = d ? lines_of(&d->pages[0], lines, 16) : 0;
  CHECK(find_line(lines, n, "第一行 {.right}") != NULL);
  CHECK(find_line(lines, n, "乙 {.center}") != NULL);
  CHECK(find_line(lines, n, "2 {.right}") != NULL);
  const tline *code = find_line(lines, n, "code");
  CHECK(code && !strcmp(code->text, "    code")); /* to the tab stop */
  lp_display_free(d);
  /* The check before the PDF: a control character in a glyph's text, an
   * outline title or the metadata is an error, never output. */
  d = layout("---\nlang: en\ntitle: \"A\\eB\"\n---\n\n# T\n\nText.\n");
  CHECK(d != NULL);
  if (!d) return;
  lp_error err = {0};
  CHECK(lp_render_check_text(d, &err));
  free(d->outlines[0].title);
  d->outlines[0].title = strdup("T\x1b");
  CHECK(!lp_render_check_text(d, &err) && err.code == LP_ERR_PDF &&
        strstr(err.message, "U+001B") && strstr(err.message, "outline"));
  d->outlines[0].title[1] = '\0';
  lp_dglyph *g = &d->pages[0].runs[0].glyphs[0];
  char bad[] = "\x1c";
  const char *saved = g->text;
  g->text = bad;
  g->text_len = 1;
  CHECK(!lp_render_check_text(d, &err) && strstr(err.message, "page 1"));
  g->text = saved;
  d->meta.title = strdup("x\ty");
  CHECK(!lp_render_check_text(d, &err) && strstr(err.message, "metadata"));
  lp_display_free(d);
}

/* Placeholders in the front matter are filled from the record: the
 * metadata, the header and the footer (whose "{page}" from the data stays
 * text); a missing name is an error at its place in the front matter. */
static void test_front_matter_values(void) {
  const char *tpl = "---\nlang: zh-CN\ntitle: \"{{name}} 的工资函\"\n"
                    "author: \"{{hr.name}}\"\nsubject: 工资 {{month}}\n"
                    "keywords: [工资, \"{{name}}\"]\nheader: \"{{co}} 机密\"\n"
                    "footer: \"{{co}} 第 {page} 页\"\n---\n\n正文。\n";
  lp_display *d = layout_data(tpl, "{\"name\": \"张三\", \"hr\": {\"name\": "
                                   "\"李四\"}, \"month\": \"十月\", \"co\": "
                                   "\"A {pages}\\nB\"}");
  CHECK(d != NULL);
  if (!d) return;
  CHECK_STR(d->meta.title, "张三 的工资函");
  CHECK_STR(d->meta.author, "李四");
  CHECK_STR(d->meta.subject, "工资 十月");
  CHECK_STR(d->meta.keywords, "工资, 张三");
  CHECK(shows(d, "A{pages}B第1页") || shows(d, "A {pages} B 第 1 页"));
  CHECK(shows(d, "A{pages}B机密") || shows(d, "A {pages} B 机密"));
  CHECK(d->noutlines == 1 && !strcmp(d->outlines[0].title, "张三 的工资函"));
  lp_display_free(d);
  lp_error err = {0};
  lp_template *t = lp_template_parse(tpl, strlen(tpl), "t.md", &err);
  lp_data *data = lp_data_parse_json("{\"name\": \"x\"}", 13, "d.json", &err);
  d = lp_display_new();
  lp_render_options opts = {0};
  opts.data = data;
  CHECK(t && !lp_render_layout(engine, t, &opts, false, d, &err));
  CHECK(err.line == 4 && err.column == 10 && strstr(err.message, "hr.name"));
  lp_display_free(d);
  d = lp_display_new();
  opts.blanks = true;
  CHECK(t && lp_render_layout(engine, t, &opts, false, d, &err));
  CHECK_STR(d->meta.author, "____________");
  CHECK_STR(d->meta.title, "x 的工资函");
  lp_display_free(d);
  lp_data_free(data);
  lp_template_free(t);
}

int main(void) {
  lp_error err = {0};
  engine = lp_engine_new("fonts/fonts.conf", &err);
  CHECK(engine != NULL);
  if (!engine) return CHECK_DONE();
  snprintf(dir, sizeof dir, "/tmp/lp-test-layout-XXXXXX");
  CHECK(mkdtemp(dir) != NULL);
  test_quotes();
  test_tables();
  test_images();
  test_images_shared();
  test_cell_images();
  test_heading_images();
  test_lost_images();
  test_style_keys();
  test_locales();
  test_data_is_text();
  test_heading_marks();
  test_lang_marks();
  test_front_matter_values();
  const char *files[] = {"pic.png", "wide.png"};
  for (size_t k = 0; k < 2; k++) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, files[k]);
    unlink(path);
  }
  rmdir(dir);
  lp_engine_free(engine);
  return CHECK_DONE();
}
