/* test_lines.c - the line breaker seen through the display list: Latin
 * hyphenation, one baseline for every font of a line, opening brackets at
 * a line start (jlreq 3.1.5, clreq 3.1.6.3).  Templates are rendered with
 * the repository's fonts (fonts/fonts.conf) up to the display list, where
 * every glyph's face, position and text can be checked exactly. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hb.h>

#include "check.h"
#include "display.h"
#include "letterpress.h"
#include "render.h"

#define MM (72.0 / 25.4)
#define A4_W (210 * MM)
#define LETTER_W 612.0 /* en-US paper */
#define SIZE 11.0
#define EPS 0.01 /* pt: "exactly" at the margin */
/* Word spaces open at most by MAX_STRETCH_EM (layout.c) beyond the
 * font's space; Noto Serif's space is 0.26 em. */
#define LOOSE_SPACE_EM (0.26 + 0.6)

static lp_engine *engine;

/* A glyph of the display with its face and size. */
typedef struct gl {
  lp_face *face;
  double size, x, y, advance;
  uint32_t gid;
  char text[16]; /* its cluster's text ("" for a continuation) */
} gl;

/* The glyphs of a page grouped into lines (same baseline, close in y),
 * left to right. */
typedef struct line {
  gl *g;
  size_t n;
} line;

typedef struct page {
  line *lines;
  size_t n;
} page;

static int by_y_then_x(const void *a, const void *b) {
  const gl *p = a, *q = b;
  if (fabs(p->y - q->y) > 2) return p->y > q->y ? -1 : 1; /* top first */
  return p->x < q->x ? -1 : p->x > q->x;
}

/* The lines of page pno of d (glyphs whose baselines are within 2 pt of
 * each other count as one line, so a glyph off the baseline shows). */
static page lines_of(const lp_display *d, size_t pno) {
  page pg = {0};
  if (pno >= d->npages) return pg;
  const lp_dpage *p = &d->pages[pno];
  size_t n = 0;
  for (size_t r = 0; r < p->nruns; r++) n += p->runs[r].count;
  gl *all = calloc(n + 1, sizeof *all);
  size_t k = 0;
  for (size_t r = 0; r < p->nruns; r++)
    for (size_t i = 0; i < p->runs[r].count; i++, k++) {
      const lp_dglyph *g = &p->runs[r].glyphs[i];
      all[k] = (gl){p->runs[r].face, p->runs[r].size, g->x, g->y,
                    g->advance, g->gid, ""};
      if (g->text && g->text_len < sizeof all[k].text) {
        memcpy(all[k].text, g->text, g->text_len);
        all[k].text[g->text_len] = '\0';
      }
    }
  qsort(all, n, sizeof *all, by_y_then_x);
  pg.lines = calloc(n + 1, sizeof *pg.lines);
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && fabs(all[j].y - all[i].y) <= 2) j++;
    line *l = &pg.lines[pg.n++];
    l->g = malloc((j - i) * sizeof *l->g);
    l->n = j - i;
    memcpy(l->g, all + i, (j - i) * sizeof *l->g);
    i = j;
  }
  free(all);
  return pg;
}

static void page_free(page *pg) {
  for (size_t i = 0; i < pg->n; i++) free(pg->lines[i].g);
  free(pg->lines);
}

/* The text of a line, glyph texts joined. */
static void line_text(const line *l, char *out, size_t cap) {
  size_t n = 0;
  for (size_t k = 0; k < l->n; k++) {
    size_t m = strlen(l->g[k].text);
    if (n + m + 1 >= cap) break;
    memcpy(out + n, l->g[k].text, m);
    n += m;
  }
  out[n] = '\0';
}

/* Lays out a template up to the display list. */
static lp_display *render(const char *md) {
  lp_error err = {0};
  lp_template *t = lp_template_parse(md, strlen(md), "t.md", &err);
  if (!t) {
    fprintf(stderr, "template: %s\n", err.message);
    return NULL;
  }
  lp_display *d = lp_display_new();
  if (!lp_render_layout(engine, t, NULL, false, d, &err)) {
    fprintf(stderr, "layout: %s\n", err.message);
    lp_display_free(d);
    d = NULL;
  }
  lp_template_free(t);
  return d;
}

/* Whether glyph k of l is a hyphen the line breaker added: the line's
 * last glyph, extracting as "-", where the source (src) has a letter on
 * both sides of the break, i.e. no hyphen. */
static bool ends_with_added_hyphen(const line *l) {
  return l->n > 1 && !strcmp(l->g[l->n - 1].text, "-");
}

/* The body lines (not the footer) of page 0. */
static size_t body_lines(const page *pg, double bottom) {
  size_t n = 0;
  while (n < pg->n && pg->lines[n].g[0].y > bottom) n++;
  return n;
}

static bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* ---- Hyphenation ---------------------------------------------------------- */

#define NARROW "---\nlang: en-US\nmargin: 25mm 70mm\n%s---\n\n%s\n"
#define PROSE                                                                  \
  "International organizations increasingly require representatives with "   \
  "extraordinary communication capabilities, comprehensive understanding of " \
  "intercultural considerations, and demonstrated professional "              \
  "accomplishments in administration, negotiation and implementation of "     \
  "multilateral agreements between governmental institutions."

#define FITS                                                                   \
  "The committee reviewed the proposal carefully and approved the budget "   \
  "for the coming year after a lively discussion about travel, printing, "   \
  "postage and the annual meeting of members in the autumn."

static lp_display *render_narrow(const char *extra_meta, const char *body) {
  char md[4096];
  snprintf(md, sizeof md, NARROW, extra_meta, body);
  return render(md);
}

static void test_hyphenation(void) {
  const double right = LETTER_W - 70 * MM, left = 70 * MM;
  lp_display *d = render_narrow("", PROSE);
  lp_display *plain = render_narrow("hyphenate: false\n", PROSE);
  CHECK(d && plain);
  if (!d || !plain) return;
  page pg = lines_of(d, 0), pp = lines_of(plain, 0);
  size_t n = body_lines(&pg, 25 * MM), np = body_lines(&pp, 25 * MM);
  CHECK(n >= 6);
  int hyphens = 0, run = 0, max_run = 0;
  size_t first_hyphen = n;
  char joined[4096] = "";
  for (size_t i = 0; i < n; i++) {
    const line *l = &pg.lines[i];
    char t[512];
    line_text(l, t, sizeof t);
    bool h = ends_with_added_hyphen(l);
    if (h) {
      const gl *hy = &l->g[l->n - 1], *before = &l->g[l->n - 2];
      hyphens++;
      if (first_hyphen == n) first_hyphen = i;
      /* The hyphen is a glyph of the word's own font, and with
       * justification it ends exactly at the right margin. */
      CHECK(hy->face == before->face && hy->gid != 0);
      CHECK(fabs(hy->x + hy->advance - right) < EPS);
      if (fabs(hy->x + hy->advance - right) >= EPS)
        fprintf(stderr, "  line %zu '%s' ends at %.3f, margin %.3f\n", i, t,
                hy->x + hy->advance, right);
      /* At least 2 letters before the hyphen, 3 after (lhmin/rhmin). */
      size_t len = strlen(t), k = len - 1, letters = 0;
      while (k > 0 && is_letter(t[k - 1])) k--, letters++;
      CHECK(letters >= 2);
      if (i + 1 < n) {
        char next[512];
        line_text(&pg.lines[i + 1], next, sizeof next);
        size_t m = 0;
        while (is_letter(next[m])) m++;
        CHECK(m >= 3);
      }
      t[len - 1] = '\0'; /* the word goes on on the next line */
    }
    run = h ? run + 1 : 0;
    if (run > max_run) max_run = run;
    /* Every glyph stays within the column. */
    for (size_t k = 0; k < l->n; k++)
      CHECK(l->g[k].x >= left - EPS &&
            l->g[k].x + l->g[k].advance <= right + EPS);
    strncat(joined, t, sizeof joined - strlen(joined) - 2);
    if (!h && i + 1 < n) strcat(joined, " ");
  }
  CHECK(hyphens >= 2);
  /* Never more than 2 lines in a row end with a hyphen. */
  CHECK(max_run <= 2);
  /* Without the hyphens, the text is the source, word for word. */
  CHECK(strcmp(joined, PROSE) == 0);
  if (strcmp(joined, PROSE)) fprintf(stderr, "  got %s\n", joined);
  /* A hyphen only where the line would otherwise be loose: the lines
   * before the first hyphen are the same without hyphenation, and there
   * the line where it happens has word spaces wider than the limit. */
  CHECK(first_hyphen < n && first_hyphen < np);
  if (first_hyphen < n && first_hyphen < np) {
    const line *l = &pp.lines[first_hyphen];
    double widest = 0;
    for (size_t k = 0; k + 1 < l->n; k++)
      if (!strcmp(l->g[k].text, " ")) {
        double gap = l->g[k + 1].x - l->g[k - 1].x - l->g[k - 1].advance;
        if (gap > widest) widest = gap;
      }
    CHECK(widest > LOOSE_SPACE_EM * SIZE);
    for (size_t i = 0; i < first_hyphen; i++)
      CHECK(pg.lines[i].n == pp.lines[i].n);
  }
  /* hyphenate: false: no line ends with a hyphen. */
  for (size_t i = 0; i < np; i++)
    CHECK(!ends_with_added_hyphen(&pp.lines[i]));
  page_free(&pg);
  page_free(&pp);
  lp_display_free(d);
  lp_display_free(plain);

  /* Lines that fit well are not hyphenated, though their words could
   * be: words of middling length leave little room at a line end, so no
   * line of this paragraph is loose. */
  d = render("---\nlang: en\n---\n\n" FITS " " FITS " " FITS "\n");
  CHECK(d != NULL);
  if (d) {
    pg = lines_of(d, 0);
    n = body_lines(&pg, 25 * MM);
    CHECK(n >= 3);
    for (size_t i = 0; i < n; i++) CHECK(!ends_with_added_hyphen(&pg.lines[i]));
    page_free(&pg);
    lp_display_free(d);
  }

  /* Never in URLs, e-mail addresses, words with digits, capitals, or CJK
   * text (there is no hyphen in these sources: none may appear). */
  static const char *const never[] = {
      "See https://www.example.com/internationalization/representatives/"
      "organizations/administration today.",
      "Write to representatives@internationalorganizations.example.org "
      "or administration@representatives.example.com now.",
      "Reference ABC123representatives456administration789 applies, "
      "and INTERNATIONALIZATION REPRESENTATIVES ADMINISTRATION too.",
      "国际组织越来越需要具有非凡沟通能力的代表，全面理解跨文化因素，并在行政管理"
      "方面展示出专业成就。国际组织越来越需要具有非凡沟通能力的代表。",
  };
  for (size_t c = 0; c < sizeof never / sizeof never[0]; c++) {
    d = render_narrow(c == 3 ? "" : "", never[c]);
    CHECK(d != NULL);
    if (!d) continue;
    pg = lines_of(d, 0);
    n = body_lines(&pg, 25 * MM);
    CHECK(n >= 2);
    for (size_t i = 0; i < n; i++) {
      bool h = ends_with_added_hyphen(&pg.lines[i]);
      CHECK(!h);
      if (h) fprintf(stderr, "  case %zu: hyphen on line %zu\n", c, i);
    }
    page_free(&pg);
    lp_display_free(d);
  }

  /* A word longer than the line is split, with hyphens, into lines that
   * stay within the column; with hyphenate: false too. */
  static const char *const metas[] = {"", "hyphenate: false\n"};
  for (size_t m = 0; m < 2; m++) {
    char md[1024];
    snprintf(md, sizeof md,
             "---\nlang: en\nmargin: 25mm 80mm\n%s---\n\n"
             "Pneumonoultramicroscopicsilicovolcanoconiosis is long.\n",
             metas[m]);
    d = render(md);
    CHECK(d != NULL);
    if (!d) continue;
    pg = lines_of(d, 0);
    n = body_lines(&pg, 25 * MM);
    CHECK(n >= 2);
    char word[512] = "";
    for (size_t i = 0; i < n; i++) {
      const line *l = &pg.lines[i];
      char t[256];
      line_text(l, t, sizeof t);
      for (size_t k = 0; k < l->n; k++)
        CHECK(l->g[k].x + l->g[k].advance <= A4_W - 80 * MM + EPS);
      bool h = ends_with_added_hyphen(l);
      if (i == 0) CHECK(h); /* the word is cut, with a hyphen */
      if (h) t[strlen(t) - 1] = '\0';
      strncat(word, t, sizeof word - strlen(word) - 2);
      if (!h && i + 1 < n) strcat(word, " ");
    }
    CHECK(strcmp(word, "Pneumonoultramicroscopicsilicovolcanoconiosis is long.") == 0);
    page_free(&pg);
    lp_display_free(d);
  }
}

/* ---- One baseline for every font of a line ------------------------------ */

/* A line of Chinese with Latin letters and digits (Noto Serif), Han and
 * CJK punctuation (Noto Serif CJK, CFF), symbols only DejaVu has (☺ ♫),
 * a checkbox and ≥: all on one baseline. */
static void test_baseline(void) {
  lp_display *d = render("---\nlang: zh-CN\n---\n\n"
                         "中文English混排≥100，☺ ♫ ☑ 已选 ※ ① 𠮟 ok。\n");
  CHECK(d != NULL);
  if (!d) return;
  page pg = lines_of(d, 0);
  size_t n = body_lines(&pg, 25 * MM);
  CHECK(n == 1);
  if (n >= 1) {
    const line *l = &pg.lines[0];
    lp_face *faces[8];
    size_t nfaces = 0;
    for (size_t k = 0; k < l->n; k++) {
      CHECK(fabs(l->g[k].y - l->g[0].y) < 1e-9);
      size_t f = 0;
      while (f < nfaces && faces[f] != l->g[k].face) f++;
      if (f == nfaces && nfaces < 8) faces[nfaces++] = l->g[k].face;
    }
    /* The test is about several faces: CJK, Latin, and a fallback. */
    CHECK(nfaces >= 3);
  }
  page_free(&pg);
  lp_display_free(d);
}

/* ---- Opening brackets at a line start ---------------------------------- */

/* The left edge of glyph g's ink. */
static double ink_left(const gl *g) {
  hb_glyph_extents_t e;
  if (!hb_font_get_glyph_extents(g->face->hb_font, g->gid, &e)) return g->x;
  return g->x + (double)e.x_bearing * g->size / g->face->upem;
}

/* The first glyph of a body line whose text is cp, or NULL. */
static const gl *line_start(const page *pg, size_t n, const char *cp,
                            size_t skip) {
  for (size_t i = skip; i < n; i++)
    if (!strcmp(pg->lines[i].g[0].text, cp)) return &pg->lines[i].g[0];
  return NULL;
}

static void test_brackets(void) {
  const double margin = 25 * MM;
  /* Each paragraph starts with 「 and has （ first on its second line:
   * the column holds 41 ems (A4, 25 mm margins, 11 pt); the first line
   * loses the indent (1 em in Japanese, 2 in Chinese) and, where trimmed,
   * half an em before 「; so 39 kana or 38 ideographs fill it, and no
   * more fit. */
  static const char *const langs[] = {"ja", "zh-CN", "zh-TW"};
  static const char *const fill[] = {"\xE3\x81\x82" /* あ */,
                                     "\xE5\xAD\x97" /* 字 */,
                                     "\xE5\xAD\x97"};
  static const int count[] = {39, 38, 38};
  for (size_t c = 0; c < 3; c++) {
    char md[2048];
    int at = snprintf(md, sizeof md, "---\nlang: %s\n---\n\n\xE3\x80\x8C",
                      langs[c]);
    for (int k = 0; k < count[c]; k++)
      at += snprintf(md + at, sizeof md - (size_t)at, "%s", fill[c]);
    snprintf(md + at, sizeof md - (size_t)at,
             "\xEF\xBC\x88%s%s\xEF\xBC\x89%s%s\xE3\x80\x8D\xE3\x80\x82\n",
             fill[c], fill[c], fill[c], fill[c]); /* （字字）字字」。 */
    lp_display *d = render(md);
    CHECK(d != NULL);
    if (!d) continue;
    page pg = lines_of(d, 0);
    size_t n = body_lines(&pg, margin);
    CHECK(n == 2);
    bool trims = c < 2; /* ja, zh-CN; zh-TW keeps full-width brackets */
    double indent = (c == 0 ? 1 : 2) * SIZE; /* jlreq 1 em, clreq 2 em */
    /* A wrapped line starting with （: its ink at the margin, its blank
     * half before it gone. */
    const gl *b = line_start(&pg, n, "\xEF\xBC\x88", 1); /* （ */
    CHECK(b != NULL);
    if (b) {
      double want = trims ? margin - SIZE / 2 : margin;
      CHECK(fabs(b->x - want) < EPS);
      if (fabs(b->x - want) >= EPS)
        fprintf(stderr, "  %s: （ at %.3f, want %.3f\n", langs[c], b->x, want);
      if (trims) CHECK(ink_left(b) >= margin - EPS &&
                       ink_left(b) < margin + 0.25 * SIZE);
    }
    /* The paragraph's first line: after the indent (jlreq 3.1.5 method
     * (1), clreq 3.1.6.3 item 1). */
    const gl *f = &pg.lines[0].g[0];
    CHECK(!strcmp(f->text, "\xE3\x80\x8C")); /* 「 */
    double want = margin + indent - (trims ? SIZE / 2 : 0);
    CHECK(fabs(f->x - want) < EPS);
    if (fabs(f->x - want) >= EPS)
      fprintf(stderr, "  %s: 「 at %.3f, want %.3f\n", langs[c], f->x, want);
    /* Every full line still ends exactly at the right margin. */
    for (size_t i = 0; i + 1 < n; i++) {
      const gl *e = &pg.lines[i].g[pg.lines[i].n - 1];
      double end = e->x + e->advance;
      /* A closing mark at the line end keeps its em box whole. */
      CHECK(fabs(end - (A4_W - margin)) < EPS);
      if (fabs(end - (A4_W - margin)) >= EPS)
        fprintf(stderr, "  %s: line %zu ends at %.3f\n", langs[c], i, end);
    }
    page_free(&pg);
    lp_display_free(d);
  }
}

int main(void) {
  lp_error err = {0};
  engine = lp_engine_new("fonts/fonts.conf", &err);
  CHECK(engine != NULL);
  if (!engine) return CHECK_DONE();
  test_hyphenation();
  test_baseline();
  test_brackets();
  lp_engine_free(engine);
  return CHECK_DONE();
}
