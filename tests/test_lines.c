/* test_lines.c - the line breaker seen through the display list: Latin
 * hyphenation, one baseline for every font of a line, opening brackets at
 * a line start (jlreq 3.1.5, clreq 3.1.6.3), UAX #14 opportunities only
 * (numbers whole, no-break spaces, soft hyphens, 〒), Korean keep-all and
 * word-space justification, typed indents, line breaks from data.
 * Templates are rendered with the repository's fonts (fonts/fonts.conf) up
 * to the display list, where every glyph's face, position and text can be
 * checked exactly. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hb.h>

#include "check.h"
#include "display.h"
#include "letterpress.h"
#include "lines.h"
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

/* Lays out a template, filled from json (NULL: no data), up to the
 * display list. */
static lp_display *render_data(const char *md, const char *json) {
  lp_error err = {0};
  lp_template *t = lp_template_parse(md, strlen(md), "t.md", &err);
  if (!t) {
    fprintf(stderr, "template: %s\n", err.message);
    return NULL;
  }
  lp_data *data = json ? lp_data_parse_json(json, strlen(json), "d.json",
                                            &err)
                       : NULL;
  lp_render_options o = {.data = data};
  lp_display *d = lp_display_new();
  if ((json && !data) || !lp_render_layout(engine, t, &o, false, d, &err)) {
    fprintf(stderr, "layout: %s\n", err.message);
    lp_display_free(d);
    d = NULL;
  }
  lp_data_free(data);
  lp_template_free(t);
  return d;
}

/* Lays out a template up to the display list. */
static lp_display *render(const char *md) { return render_data(md, NULL); }

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


/* ---- Where lines may break (UAX #14) ----------------------------------- */

/* Whether token is split between line a and line b: a ends with a head
 * of it and b starts with the rest. */
static bool split_between(const char *a, const char *b, const char *token) {
  size_t la = strlen(a), n = strlen(token);
  for (size_t k = 1; k < n; k++)
    if (la >= k && !strncmp(a + la - k, token, k) &&
        !strncmp(b, token + k, n - k))
      return true;
  return false;
}

/* The body lines of page 0 of d as text, and whether every glyph stays in
 * the column [left, right]; *n gets the count. */
static char **texts_of(const lp_display *d, double left, double right,
                       size_t *n, bool *inside) {
  page pg = lines_of(d, 0);
  *n = body_lines(&pg, 25 * MM);
  char **out = calloc(*n + 1, sizeof *out);
  *inside = true;
  for (size_t i = 0; i < *n; i++) {
    out[i] = malloc(1024);
    line_text(&pg.lines[i], out[i], 1024);
    for (size_t k = 0; k < pg.lines[i].n; k++) {
      const gl *g = &pg.lines[i].g[k];
      if (g->x < left - EPS || g->x + g->advance > right + EPS)
        *inside = false;
    }
  }
  page_free(&pg);
  return out;
}

static void texts_free(char **t, size_t n) {
  for (size_t i = 0; i < n; i++) free(t[i]);
  free(t);
}

#define LAWYER                                                               \
  "Pursuant to Section\u00a04.2 of the Agreement and 15\u00a0U.S.C.\u00a0"   \
  "\u00a7\u00a01125, our client demands payment of the outstanding "        \
  "principal, namely $1,250,000.00 together with interest at 4.75% from "    \
  "2024-10-01, and a further $1,250 for costs. Payment is due by 12:30 on "  \
  "2024-11-15 to account +86-21-5555-0123 (ref. v2.4.1); amounts of "        \
  "\u00a53,000 or \u20ac12 paid to date, about 95% of the invoice, are "     \
  "credited in full and final settlement of every claim."

/* Amounts, dates, times, versions, phone numbers and NBSP-joined words
 * are never split across lines, whatever the column's width (the old
 * splitter for long Latin chunks cut "$1,250,000." / "00"); no line starts
 * with a no-break space; nothing passes the margin. */
static void test_numbers_whole(void) {
  static const char *const tokens[] = {
      "$1,250,000.00", "4.75%", "2024-10-01", "$1,250", "12:30",
      "2024-11-15", "+86-21-5555-0123", "v2.4.1", "\u00a53,000", "\u20ac12",
      "95%", "Section\u00a04.2", "15\u00a0U.S.C.\u00a0\u00a7\u00a01125"};
  int splits = 0, widths = 0, nbsp_starts = 0, outside = 0;
  for (int m = 40; m <= 90; m++) {
    char md[2048];
    snprintf(md, sizeof md, "---\nlang: en\nmargin: 25mm %dmm 25mm 25mm\n---"
             "\n\n%s\n", m, LAWYER);
    lp_display *d = render(md);
    CHECK(d != NULL);
    if (!d) continue;
    widths++;
    size_t n;
    bool inside;
    char **t = texts_of(d, 25 * MM, A4_W - m * MM, &n, &inside);
    outside += !inside;
    for (size_t i = 0; i < n; i++) {
      if (!strncmp(t[i], "\u00a0", 2)) nbsp_starts++;
      for (size_t k = 0; i + 1 < n && k < sizeof tokens / sizeof *tokens; k++)
        if (split_between(t[i], t[i + 1], tokens[k])) {
          splits++;
          fprintf(stderr, "  margin %d: '%s' split: ...%s / %.20s...\n", m,
                  tokens[k], t[i] + (strlen(t[i]) > 20 ? strlen(t[i]) - 20 : 0),
                  t[i + 1]);
        }
    }
    texts_free(t, n);
    lp_display_free(d);
  }
  CHECK(widths == 51);
  CHECK(splits == 0);
  CHECK(nbsp_starts == 0);
  CHECK(outside == 0);
}

/* Regional indicators (U+1F1E6-U+1F1FF) on a line, by their glyphs. */
static int regional_indicators(const line *l) {
  int n = 0;
  for (size_t k = 0; k < l->n; k++)
    n += !strncmp(l->g[k].text, "\xF0\x9F\x87", 3);
  return n;
}

/* A run wider than the whole line (here flags, each two regional
 * indicators, with nothing UAX #14 lets break) is cut at a grapheme
 * boundary (UAX #29), never inside a flag; nothing passes the margin. */
static void test_last_resort(void) {
  char md[2048];
  int at = snprintf(md, sizeof md, "---\nlang: en\nmargin: 25mm 80mm\n---\n\n"
                    "Flags ");
  for (int k = 0; k < 40; k++)
    at += snprintf(md + at, sizeof md - (size_t)at, "\U0001F1EF\U0001F1F5");
  snprintf(md + at, sizeof md - (size_t)at, " shown.\n");
  lp_display *d = render(md);
  CHECK(d != NULL);
  if (!d) return;
  size_t n;
  bool inside;
  char **t = texts_of(d, 80 * MM, A4_W - 80 * MM, &n, &inside);
  CHECK(inside);
  CHECK(n >= 3);
  texts_free(t, n);
  page pg = lines_of(d, 0);
  n = body_lines(&pg, 25 * MM);
  int total = 0;
  for (size_t i = 0; i < n; i++) {
    int ri = regional_indicators(&pg.lines[i]);
    total += ri;
    CHECK(ri % 2 == 0);
    if (ri % 2) fprintf(stderr, "  line %zu: %d regional indicators\n", i, ri);
  }
  CHECK(total == 80);
  page_free(&pg);
  lp_display_free(d);
}

/* The cut of a run no line holds, from shaped glyphs: at the last
 * grapheme start before the glyph that does not fit, or after the line's
 * first grapheme (a base with its combining accent) when that is all. */
static void test_grapheme_cut(void) {
  const char *text = "ab\u0301cd"; /* a, b + U+0301, c, d */
  size_t len = strlen(text);
  const uint32_t cluster[] = {0, 1, 1, 4, 5};
  const bool start[] = {true, true, false, true, true};
  lp_sglyph glyphs[5];
  memset(glyphs, 0, sizeof glyphs);
  for (int k = 0; k < 5; k++) {
    glyphs[k].cluster = cluster[k];
    glyphs[k].flags = start[k] ? LP_SG_CLUSTER_START : 0;
  }
  lp_shaped sh = {0};
  sh.glyphs = glyphs;
  sh.count = 5;
  CHECK(lp_lines_grapheme_cut(text, len, &sh, 0, 2) == 1); /* before b́ */
  CHECK(lp_lines_grapheme_cut(text, len, &sh, 0, 3) == 3); /* before c */
  CHECK(lp_lines_grapheme_cut(text, len, &sh, 1, 2) == 3); /* after b́ */
  CHECK(lp_lines_grapheme_cut(text, len, &sh, 3, 4) == 4);
}

#define SHY_TEXT                                                             \
  "The parties agree that the compen\u00adsation shall be deter\u00admined "  \
  "by the arbi\u00adtration panel, whose deci\u00adsions are extra\u00ad"    \
  "ordinary and binding on every\u00adone concerned in this matter, "        \
  "according to the rules of inter\u00adnational commer\u00adcial "          \
  "arbi\u00adtration."

/* Removes every soft hyphen (C2 AD) from s, in place. */
static void drop_shy(char *s) {
  char *o = s;
  for (char *p = s; *p; p++) {
    if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xAD) {
      p++;
      continue;
    }
    *o++ = *p;
  }
  *o = '\0';
}

/* A line that ends at a soft hyphen shows a hyphen, shaped in the word's
 * font, at the right margin; where the line does not break there nothing
 * is shown (hyphenate: false, so every hyphen is a soft hyphen's). */
static void test_soft_hyphen(void) {
  int hyphens = 0;
  for (int m = 55; m <= 85; m += 3) {
    char md[2048];
    snprintf(md, sizeof md, "---\nlang: en\nmargin: 25mm %dmm 25mm 25mm\n"
             "hyphenate: false\n---\n\n" SHY_TEXT "\n", m);
    lp_display *d = render(md);
    CHECK(d != NULL);
    if (!d) continue;
    page pg = lines_of(d, 0);
    size_t n = body_lines(&pg, 25 * MM);
    char joined[2048] = "";
    for (size_t i = 0; i < n; i++) {
      const line *l = &pg.lines[i];
      char t[512];
      line_text(l, t, sizeof t);
      /* A soft hyphen draws nothing (and is no glyph a reader could
       * extract as a space); a hyphen only ends a line. */
      for (size_t k = 0; k < l->n; k++) {
        CHECK(strcmp(l->g[k].text, "\u00ad") != 0);
        if (!strcmp(l->g[k].text, "-")) CHECK(k + 1 == l->n);
      }
      bool h = ends_with_added_hyphen(l);
      if (h) {
        const gl *hy = &l->g[l->n - 1];
        hyphens++;
        CHECK(hy->gid != 0 && hy->advance > 0);
        CHECK(fabs(hy->x + hy->advance - (A4_W - m * MM)) < EPS);
        t[strlen(t) - 1] = '\0';
        /* The break is at a soft hyphen of the source: the line's last
         * word, a soft hyphen and the next line's first word are there. */
        if (i + 1 < n) {
          char next[512], at[1100];
          line_text(&pg.lines[i + 1], next, sizeof next);
          char *sp = strchr(next, ' ');
          if (sp) *sp = '\0';
          const char *head = strrchr(t, ' ') ? strrchr(t, ' ') + 1 : t;
          snprintf(at, sizeof at, "%s\u00ad%s", head, next);
          CHECK(strstr(SHY_TEXT, at) != NULL);
          if (!strstr(SHY_TEXT, at)) fprintf(stderr, "  break at %s\n", at);
        }
      }
      strncat(joined, t, sizeof joined - strlen(joined) - 2);
      if (!h && i + 1 < n) strcat(joined, " ");
    }
    char want[2048];
    snprintf(want, sizeof want, "%s", SHY_TEXT);
    drop_shy(joined);
    drop_shy(want);
    CHECK(strcmp(joined, want) == 0);
    if (strcmp(joined, want)) fprintf(stderr, "  got %s\n", joined);
    page_free(&pg);
    lp_display_free(d);
  }
  CHECK(hyphens >= 3);
}

/* The widest word space of a line (the gap after a " " glyph). */
static double widest_space(const line *l) {
  double widest = 0;
  for (size_t k = 1; k + 1 < l->n; k++)
    if (!strcmp(l->g[k].text, " ")) {
      double gap = l->g[k + 1].x - l->g[k - 1].x - l->g[k - 1].advance;
      if (gap > widest) widest = gap;
    }
  return widest;
}

/* Words far longer than 64 letters (chemical names, German compounds) are
 * hyphenated rather than leaving the line before them loose; a word past
 * the patterns' bound (LP_HYPHEN_MAX_LETTERS) is cut between letters. */
static void test_long_words(void) {
  static const char *const words[] = {
      "methylenedioxymethamphetaminehydrochloridemonohydrate"
      "dimethylaminoethylbenzoylecgonine", /* 86 letters */
      NULL};
  char huge[400];
  for (int k = 0; k < 300; k++) huge[k] = "abcdefghij"[k % 10];
  huge[300] = '\0';
  const char *cases[] = {words[0], huge};
  for (size_t c = 0; c < 2; c++) {
    char body[1024];
    snprintf(body, sizeof body, "The laboratory report names %s as the "
             "compound.", cases[c]);
    lp_display *d = render_narrow("", body);
    CHECK(d != NULL);
    if (!d) continue;
    page pg = lines_of(d, 0);
    size_t n = body_lines(&pg, 25 * MM);
    CHECK(n >= 3);
    if (n >= 1) {
      CHECK(ends_with_added_hyphen(&pg.lines[0]));
      CHECK(widest_space(&pg.lines[0]) <= LOOSE_SPACE_EM * SIZE);
      if (widest_space(&pg.lines[0]) > LOOSE_SPACE_EM * SIZE)
        fprintf(stderr, "  case %zu: first line's spaces %.2f pt wide\n", c,
                widest_space(&pg.lines[0]));
    }
    for (size_t i = 0; i < n; i++)
      for (size_t k = 0; k < pg.lines[i].n; k++)
        CHECK(pg.lines[i].g[k].x + pg.lines[i].g[k].advance <=
              LETTER_W - 70 * MM + EPS);
    page_free(&pg);
    lp_display_free(d);
  }
}

/* ---- Korean: keep-all, justified at word spaces ------------------------ */

#define KOREAN                                                               \
  "귀하의 개인정보는 개인정보보호법 제15조에 따라 수집되며, 본 계약의 "     \
  "이행을 위하여 필요한 범위 내에서만 이용됩니다. 당사는 귀하의 동의 없이 " \
  "개인정보를 제3자에게 제공하지 않으며, 관련 법령에 따라 안전하게 "        \
  "관리합니다. 계약 해지 시에는 서면으로 통지하여 주시기 바랍니다. 문의 "  \
  "사항이 있으시면 담당자에게 연락하여 주십시오. 본 안내는 2024년 10월 " \
  "1일부터 시행됩니다."

/* Whether s starts with a Hangul syllable (U+AC00-U+D7A3, EA B0 80 -
 * ED 9E A3 in UTF-8). */
static bool hangul(const char *s) {
  unsigned char a = (unsigned char)s[0];
  return a >= 0xEA && a <= 0xED && strlen(s) >= 3;
}

/* Korean breaks only at spaces (keep-all) and justifies by widening the
 * spaces between words: syllables of a word stay at their natural
 * advance, and every full line ends at the margin.  word-break: normal
 * breaks between syllables too. */
static void test_korean(void) {
  const double right = A4_W - 25 * MM;
  for (int normal = 0; normal < 2; normal++) {
    char md[2048];
    snprintf(md, sizeof md, "---\nlang: ko\n%s---\n\n" KOREAN "\n",
             normal ? "word-break: normal\n" : "");
    lp_display *d = render(md);
    CHECK(d != NULL);
    if (!d) continue;
    page pg = lines_of(d, 0);
    size_t n = body_lines(&pg, 25 * MM);
    CHECK(n >= 3);
    char joined[4096] = "";
    int spread = 0;
    for (size_t i = 0; i < n; i++) {
      const line *l = &pg.lines[i];
      char t[1024];
      line_text(l, t, sizeof t);
      strncat(joined, t, sizeof joined - strlen(joined) - 2);
      if (i + 1 < n) strcat(joined, " ");
      if (i + 1 < n) {
        const gl *e = &l->g[l->n - 1];
        CHECK(fabs(e->x + e->advance - right) < EPS);
      }
      for (size_t k = 0; k + 1 < l->n; k++)
        if (hangul(l->g[k].text) && hangul(l->g[k + 1].text) &&
            fabs(l->g[k + 1].x - l->g[k].x - l->g[k].advance) > 1e-6)
          spread++;
    }
    if (!normal) {
      /* Joining the lines with a space gives the text back: every break
       * was at a space. */
      CHECK(strcmp(joined, KOREAN) == 0);
      if (strcmp(joined, KOREAN)) fprintf(stderr, "  got %s\n", joined);
      CHECK(spread == 0);
      if (spread) fprintf(stderr, "  ko: %d syllable gaps spread\n", spread);
    } else {
      CHECK(strcmp(joined, KOREAN) != 0); /* some break inside a word */
    }
    page_free(&pg);
    lp_display_free(d);
  }
}

/* ---- First lines and line ends of Japanese ---------------------------- */

/* A paragraph that starts with ideographic spaces typed by hand gets no
 * automatic indent on top (in Japanese 1 em, in Chinese 2 em), and its
 * typed indent is not spread when the line is justified; one without
 * keeps the automatic indent. */
static void test_typed_indent(void) {
  static const char *const langs[] = {"ja", "zh-CN"};
  static const double indent[] = {1, 2};
  for (size_t c = 0; c < 2; c++) {
    char md[2048];
    int at = snprintf(md, sizeof md, "---\nlang: %s\n---\n\n\u3000\u3000拝啓",
                      langs[c]);
    for (int k = 0; k < 50; k++) /* two lines, the first justified */
      at += snprintf(md + at, sizeof md - (size_t)at, "%s",
                     k % 7 == 6 ? "、" : "文");
    snprintf(md + at, sizeof md - (size_t)at, "。\n\n文字文字文字。\n");
    lp_display *d = render(md);
    CHECK(d != NULL);
    if (!d) continue;
    page pg = lines_of(d, 0);
    size_t n = body_lines(&pg, 25 * MM);
    CHECK(n == 3);
    if (n == 3) {
      const line *l = &pg.lines[0];
      const gl *typed = &l->g[0], *auto_ = &pg.lines[2].g[0];
      CHECK(!strcmp(typed->text, "\u3000"));
      CHECK(fabs(typed->x - 25 * MM) < EPS);
      /* The first character after the typed indent: exactly 2 em in. */
      CHECK(l->n > 2 && fabs(l->g[2].x - (25 * MM + 2 * SIZE)) < EPS);
      if (l->n > 2 && fabs(l->g[2].x - (25 * MM + 2 * SIZE)) >= EPS)
        fprintf(stderr, "  %s: text after the typed indent at %.2f\n",
                langs[c], l->g[2].x);
      const gl *e = &l->g[l->n - 1];
      CHECK(fabs(e->x + e->advance - (A4_W - 25 * MM)) < EPS); /* justified */
      CHECK(fabs(auto_->x - (25 * MM + indent[c] * SIZE)) < EPS);
    }
    page_free(&pg);
    lp_display_free(d);
  }
}

/* 〒 never ends a line alone: the first line holds exactly 39 kana and
 * 〒 after the 1 em indent; 〒 goes down with its postal code. */
static void test_postal_mark(void) {
  char md[2048];
  int at = snprintf(md, sizeof md, "---\nlang: ja\n---\n\n");
  for (int k = 0; k < 39; k++)
    at += snprintf(md + at, sizeof md - (size_t)at, "\u3042");
  snprintf(md + at, sizeof md - (size_t)at, "\u3012100-0001 東京都。\n");
  lp_display *d = render(md);
  CHECK(d != NULL);
  if (!d) return;
  page pg = lines_of(d, 0);
  size_t n = body_lines(&pg, 25 * MM);
  CHECK(n == 2);
  for (size_t i = 0; i < n; i++)
    CHECK(strcmp(pg.lines[i].g[pg.lines[i].n - 1].text, "\u3012") != 0);
  if (n == 2) CHECK(!strcmp(pg.lines[1].g[0].text, "\u3012"));
  page_free(&pg);
  lp_display_free(d);
}

/* ---- Line breaks from data values --------------------------------------- */

/* A newline inside a value (a multi-line 备注) is a line break, but the
 * paragraph keeps its first-line indent: only hard breaks typed in the
 * template (an address block) set a paragraph flush left. */
static void test_value_newline(void) {
  const char *md = "---\nlang: zh-CN\n---\n\n备注：{{note}}本函自即日起生效。\n\n"
                   "地址：北京市\\\n邮编：100000\n";
  lp_display *d = render_data(md, "{\"note\": \"第一行说明。\\n第二行说明。\"}");
  CHECK(d != NULL);
  if (!d) return;
  page pg = lines_of(d, 0);
  size_t n = body_lines(&pg, 25 * MM);
  CHECK(n == 4);
  if (n == 4) {
    CHECK(fabs(pg.lines[0].g[0].x - (25 * MM + 2 * SIZE)) < EPS);
    CHECK(fabs(pg.lines[1].g[0].x - 25 * MM) < EPS); /* after the break */
    CHECK(fabs(pg.lines[2].g[0].x - 25 * MM) < EPS); /* typed: flush left */
    char t[256];
    line_text(&pg.lines[1], t, sizeof t);
    CHECK(!strncmp(t, "第二行说明。", strlen("第二行说明。")));
  }
  page_free(&pg);
  lp_display_free(d);
}

int main(void) {
  lp_error err = {0};
  engine = lp_engine_new("fonts/fonts.conf", &err);
  CHECK(engine != NULL);
  if (!engine) return CHECK_DONE();
  test_hyphenation();
  test_baseline();
  test_brackets();
  test_numbers_whole();
  test_last_resort();
  test_grapheme_cut();
  test_soft_hyphen();
  test_long_words();
  test_korean();
  test_typed_indent();
  test_postal_mark();
  test_value_newline();
  lp_engine_free(engine);
  return CHECK_DONE();
}
