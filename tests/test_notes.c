/* test_notes.c - footnotes and links (lay_notes.c, lay_refs.c), checked on
 * the display list: notes at the foot of the page of their reference,
 * numbered in reference order, a long note continued on the next page, a
 * warning for a definition nothing references, link rectangles over the
 * text (one per line), print-urls, and data that never makes either. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "display.h"
#include "letterpress.h"
#include "render.h"
#include "template.h"

#define EPS 0.01

static lp_engine *engine;
static char dir[64];

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

/* Lays out the template text with the JSON record json (may be NULL),
 * collecting warnings in ws (may be NULL); NULL on failure. */
static lp_display *layout_with(const char *text, const char *json,
                               warnings *ws) {
  lp_error err = {0};
  char name[128];
  snprintf(name, sizeof name, "%s/t.md", dir);
  lp_template *t = lp_template_parse(text, strlen(text), name, &err);
  lp_data *data =
      json ? lp_data_parse_json(json, strlen(json), "d.json", &err) : NULL;
  lp_display *d = t && (!json || data) ? lp_display_new() : NULL;
  lp_render_options opts = {0};
  opts.data = data;
  opts.warn = ws ? on_warning : NULL;
  opts.warn_ctx = ws;
  if (ws) memset(ws, 0, sizeof *ws);
  if (d && !lp_render_layout(engine, t, &opts, false, d, &err)) {
    lp_display_free(d);
    d = NULL;
  }
  if (!d) fprintf(stderr, "  layout failed: %s\n", err.message);
  lp_template_free(t);
  lp_data_free(data);
  return d;
}

/* Lays out text with no data. */
static lp_display *layout(const char *text) {
  return layout_with(text, NULL, NULL);
}

/* A line of a page: its baseline, size and text (glyph texts in order). */
typedef struct tline {
  double y, size;
  char text[1024];
} tline;

static int by_y_down(const void *a, const void *b) {
  const tline *x = a, *y = b;
  return (x->y < y->y) - (x->y > y->y);
}

/* The lines of page p, top to bottom (glyphs within a point of a baseline
 * join its line, raised numbers included); returns how many. */
static size_t lines_of(const lp_dpage *p, tline *out, size_t max) {
  size_t n = 0;
  for (size_t r = 0; r < p->nruns; r++)
    for (size_t g = 0; g < p->runs[r].count; g++) {
      const lp_dglyph *gl = &p->runs[r].glyphs[g];
      size_t k = 0;
      while (k < n && fabs(out[k].y - gl->y) > 0.5 &&
             !(gl->y > out[k].y && gl->y - out[k].y < p->runs[r].size))
        k++;
      if (k == n) {
        if (n == max) continue;
        out[n++] = (tline){gl->y, p->runs[r].size, ""};
      }
      size_t len = strlen(out[k].text);
      if (gl->text && len + gl->text_len < sizeof out[k].text) {
        memcpy(out[k].text + len, gl->text, gl->text_len);
        out[k].text[len + gl->text_len] = '\0';
      }
    }
  qsort(out, n, sizeof *out, by_y_down);
  return n;
}

/* The line of d's page page that contains needle, or NULL. */
static const tline *find(const lp_display *d, size_t page, const char *needle,
                         tline *lines, size_t max) {
  if (!d || page >= d->npages) return NULL;
  size_t n = lines_of(&d->pages[page], lines, max);
  for (size_t k = 0; k < n; k++)
    if (strstr(lines[k].text, needle)) return &lines[k];
  return NULL;
}

/* Whether page page of d shows needle. */
static bool shows(const lp_display *d, size_t page, const char *needle) {
  tline lines[96];
  return find(d, page, needle, lines, 96) != NULL;
}

/* The glyph of page p whose text is s at or after x, and its run. */
static const lp_dglyph *glyph_of(const lp_dpage *p, const char *s,
                                 const lp_drun **run) {
  for (size_t r = 0; r < p->nruns; r++)
    for (size_t g = 0; g < p->runs[r].count; g++) {
      const lp_dglyph *gl = &p->runs[r].glyphs[g];
      if (gl->text && gl->text_len == strlen(s) &&
          !memcmp(gl->text, s, gl->text_len)) {
        *run = &p->runs[r];
        return gl;
      }
    }
  return NULL;
}

/* The role of element id of d's structure tree, or "". */
static const char *role(const lp_display *d, uint32_t id) {
  const lp_tags_elem *e = lp_tags_get(&d->tags, id);
  return e ? e->role : "";
}

/* Footnotes: numbered 1, 2 in reference order (whatever their labels),
 * set below the text in a smaller size under a short rule, the reference a
 * raised smaller number; a second reference to a note shows its number;
 * the tree has Reference, Note (Lbl and P) elements. */
static void test_footnotes(void) {
  lp_display *d = layout("---\nlang: en\n---\n"
                         "First claim.[^b] Second claim.[^a] Again.[^b]\n\n"
                         "Closing words.\n\n"
                         "[^a]: Note about the second claim.\n"
                         "[^b]: Note about the first claim.\n");
  CHECK(d && d->npages == 1);
  if (!d || !d->npages) return;
  tline lines[32];
  size_t n = lines_of(&d->pages[0], lines, 32);
  const tline *body = NULL, *n1 = NULL, *n2 = NULL, *closing = NULL;
  for (size_t k = 0; k < n; k++) {
    if (strstr(lines[k].text, "First claim.")) body = &lines[k];
    if (strstr(lines[k].text, "Closing")) closing = &lines[k];
    if (!strcmp(lines[k].text, "1Note about the first claim.")) n1 = &lines[k];
    if (!strcmp(lines[k].text, "2Note about the second claim.")) n2 = &lines[k];
  }
  CHECK(body && strstr(body->text, "First claim.1 Second claim.2 Again.1"));
  CHECK(n1 && n2 && closing && n1->y > n2->y && closing->y > n1->y + 20);
  CHECK(n1 && fabs(n1->size - 11 * 0.8) < EPS);
  /* The notes sit near the page's foot (above the footer). */
  CHECK(n2 && n2->y < 25 * 72 / 25.4 + 30);
  /* A short rule above the notes. */
  bool rule = false;
  for (size_t k = 0; n1 && k < d->pages[0].nrules; k++) {
    const lp_drule *r = &d->pages[0].rules[k];
    rule = rule || (r->y1 == r->y2 && r->y1 > n1->y && r->y1 < n1->y + 20 &&
                    r->x2 - r->x1 < 200);
  }
  CHECK(rule);
  /* The reference: raised and smaller than the text. */
  const lp_drun *run = NULL, *text_run = NULL;
  const lp_dglyph *ref = glyph_of(&d->pages[0], "2", &run);
  const lp_dglyph *c = glyph_of(&d->pages[0], "S", &text_run);
  CHECK(ref && c && ref->y > c->y + 2 && run->size < text_run->size * 0.7);
  CHECK(ref && !strcmp(role(d, run->tag), "Reference"));
  /* Notes: a Note with an Lbl and a P. */
  int notes = 0;
  for (uint32_t id = 1; id < d->tags.count; id++) {
    const lp_tags_elem *e = &d->tags.tags[id];
    if (strcmp(e->role, "Note")) continue;
    notes++;
    CHECK(e->nkids >= 2 && !strcmp(role(d, e->kids[0].elem), "Lbl") &&
          !strcmp(role(d, e->kids[1].elem), "P"));
  }
  CHECK(notes == 2);
  lp_display_free(d);
}

/* A note that does not fit continues on the next page; the line with the
 * reference keeps at least the note's first line on its page. */
static void test_long_note(void) {
  lp_buf t = {0};
  lp_buf_puts(&t, "---\nlang: en\n---\n");
  for (int k = 0; k < 30; k++)
    lp_buf_printf(&t, "Paragraph %d of the letter, with words.%s\n\n", k,
                  k == 27 ? "[^long]" : "");
  lp_buf_puts(&t, "[^long]: Start of the long note.");
  for (int k = 0; k < 60; k++)
    lp_buf_printf(&t, " Sentence %d of the note goes on.", k);
  lp_buf_puts(&t, " End of the long note.\n");
  lp_buf_append(&t, "", 1);
  lp_display *d = layout((char *)t.data);
  lp_buf_free(&t);
  CHECK(d && d->npages == 2);
  size_t ref_page = shows(d, 0, "Paragraph 27") ? 0 : 1;
  CHECK(shows(d, ref_page, "1Start of the long note."));
  CHECK(shows(d, 1, "End of the long note."));
  CHECK(ref_page == 0 && !shows(d, 0, "End of the long note."));
  lp_display_free(d);
}

/* A definition nothing references is not printed: a warning at its line
 * and column says so. */
static void test_unreferenced(void) {
  warnings ws;
  lp_display *d = layout_with("---\nlang: en\n---\nText.[^a]\n\n"
                              "[^a]: Used.\n\n"
                              "  [^spare]: Never used.\n",
                              NULL, &ws);
  CHECK(d && ws.count == 1 && ws.last.line == 8 && ws.last.column == 3 &&
        strstr(ws.last.message, "[^spare]") &&
        strstr(ws.last.message, "never referenced"));
  CHECK(d && !shows(d, 0, "Never used"));
  lp_display_free(d);
  /* One in a code block is code. */
  d = layout_with("---\nlang: en\n---\n```\n[^x]: code\n```\n", NULL, &ws);
  CHECK(d && ws.count == 0);
  lp_display_free(d);
}

/* Whether link l's rectangle covers the glyph of text s of page p. */
static bool covers(const lp_dpage *p, const lp_dlink *l, const char *s) {
  const lp_drun *run;
  const lp_dglyph *g = glyph_of(p, s, &run);
  return g && g->x >= l->x1 - EPS && g->x + g->advance <= l->x2 + EPS &&
         g->y > l->y1 && g->y < l->y2;
}

/* Links: a rectangle over the text with the address, a Link element;
 * autolinks (URL, e-mail as mailto:); a wrapped link has a rectangle per
 * line; other schemes make none; print-urls prints the address inline
 * (not when the text is the address), as a note, or not at all. */
static void test_links(void) {
  lp_display *d = layout("---\nlang: en\n---\n"
                         "See [our Zebra site](https://example.com/a).\n\n"
                         "Write to quill@example.org or https://example.net.\n\n"
                         "Not [this](javascript:alert(1)) nor [that](x.html).\n");
  CHECK(d && d->npages == 1);
  if (!d) return;
  const lp_dpage *p = &d->pages[0];
  CHECK(p->nlinks == 3);
  if (p->nlinks == 3) {
    CHECK(!strcmp(p->links[0].uri, "https://example.com/a"));
    CHECK(!strcmp(p->links[0].contents,
                  "our Zebra site (https://example.com/a)"));
    CHECK(covers(p, &p->links[0], "Z"));
    CHECK(!strcmp(role(d, p->links[0].tag), "Link"));
    CHECK(!strcmp(p->links[1].uri, "mailto:quill@example.org"));
    CHECK(covers(p, &p->links[1], "q"));
    CHECK(!strcmp(p->links[2].uri, "https://example.net"));
  }
  CHECK(shows(d, 0, "our Zebra site (https://example.com/a)"));
  CHECK(shows(d, 0, "quill@example.org or https://example.net."));
  CHECK(shows(d, 0, "Not this nor that."));
  lp_display_free(d);
  /* A link across a line break: two rectangles, one per line. */
  lp_buf t = {0};
  lp_buf_puts(&t, "---\nlang: en\nprint-urls: none\n---\n[");
  for (int k = 0; k < 16; k++) lp_buf_puts(&t, "word ");
  lp_buf_puts(&t, "end](https://example.com/long)\n");
  lp_buf_append(&t, "", 1);
  d = layout((char *)t.data);
  lp_buf_free(&t);
  CHECK(d && d->pages[0].nlinks == 2);
  if (d && d->pages[0].nlinks == 2) {
    const lp_dlink *a = &d->pages[0].links[0], *b = &d->pages[0].links[1];
    CHECK(a->y1 > b->y2 - 1 && a->tag == b->tag && a->tag);
    CHECK(!strcmp(a->uri, b->uri) && !strstr(a->contents, "("));
  }
  CHECK(d && !shows(d, 0, "(https://"));
  lp_display_free(d);
  /* print-urls: footnote. */
  d = layout("---\nlang: en\nprint-urls: footnote\n---\n"
             "See [our site](https://example.com/terms).\n");
  CHECK(d && shows(d, 0, "our site.") == false &&
        shows(d, 0, "1https://example.com/terms") && d->pages[0].nlinks == 1);
  lp_display_free(d);
  /* One note per address, in a table cell too (which is measured
   * first). */
  d = layout("---\nlang: en\nprint-urls: footnote\n---\n"
             "| a |\n|---|\n| [x](https://example.com/c) |\n\n"
             "Again [y](https://example.com/c).\n");
  CHECK(d && shows(d, 0, "1https://example.com/c") &&
        !shows(d, 0, "2https://") && shows(d, 0, "Again y1."));
  lp_display_free(d);
  /* A bad value names the choices. */
  lp_error err = {0};
  const char *bad = "---\nprint-urls: sometimes\n---\nx\n";
  lp_template *tpl = lp_template_parse(bad, strlen(bad), "b.md", &err);
  CHECK(!tpl && err.line == 2 && strstr(err.message, "footnote"));
  lp_template_free(tpl);
}

/* Data never makes a link or a footnote: a URL, an e-mail address, a
 * link or a reference typed in a value is text. */
static void test_data_is_text(void) {
  lp_display *d = layout_with(
      "---\nlang: en\n---\nValue: {{v}}\n\n[^a]: A note.\n",
      "{\"v\": \"https://evil.example [x](https://x.example) a@b.example "
      "[^a]\"}",
      NULL);
  CHECK(d && d->pages[0].nlinks == 0);
  CHECK(d && shows(d, 0, "https://evil.example [x](https://x.example) "
                         "a@b.example [^a]"));
  CHECK(d && !shows(d, 0, "A note."));
  lp_display_free(d);
  /* The template's link to a data address is the template's link. */
  d = layout_with("---\nlang: en\nprint-urls: none\n---\n[Pay]({{url}})\n",
                  "{\"url\": \"https://pay.example/42\"}", NULL);
  CHECK(d && d->pages[0].nlinks == 1 &&
        !strcmp(d->pages[0].links[0].uri, "https://pay.example/42"));
  lp_display_free(d);
}

/* Footnotes in a Japanese letter: the note's lines are broken by the same
 * rules as the text's. */
static void test_cjk_note(void) {
  lp_buf t = {0};
  lp_buf_puts(&t, "---\nlang: ja\n---\n拝啓　本文です。[^1]詳しく。\n\n[^1]: ");
  for (int k = 0; k < 12; k++) lp_buf_puts(&t, "注記の文章が続きます。");
  lp_buf_puts(&t, "\n");
  lp_buf_append(&t, "", 1);
  lp_display *d = layout((char *)t.data);
  lp_buf_free(&t);
  tline lines[32];
  size_t n = d ? lines_of(&d->pages[0], lines, 32) : 0;
  int note_lines = 0;
  for (size_t k = 0; k < n; k++)
    if (strstr(lines[k].text, "注記")) {
      note_lines++;
      /* kinsoku: no line of the note starts with 。 */
      CHECK(strncmp(lines[k].text, "\xE3\x80\x82", 3) != 0);
    }
  CHECK(note_lines >= 2);
  CHECK(d && shows(d, 0, "1注記の文章が続きます。"));
  /* The raised number sits against the next ideograph: no quarter em. */
  const lp_drun *r1, *r2;
  const lp_dglyph *ref = d ? glyph_of(&d->pages[0], "1", &r1) : NULL;
  const lp_dglyph *next = d ? glyph_of(&d->pages[0], "詳", &r2) : NULL;
  CHECK(ref && next && fabs(ref->x + ref->advance - next->x) < 0.05);
  lp_display_free(d);
}

/* A note with blocks of its own (a heading, a quote, a list, a link, a
 * reference to itself) stays a note: no letter starts in it, no quote
 * rule strays into the text, the link is printed after its text. */
static void test_rich_note(void) {
  lp_display *d = layout("---\nlang: en\nprint-urls: footnote\n---\n"
                         "# Letter\n\nText.[^r]\n\nAfter.\n\n"
                         "[^r]: First.[^r]\n\n"
                         "    # Not a letter\n\n"
                         "    > Quoted.\n\n"
                         "    - item with [a link](https://example.com/n)\n");
  CHECK(d && d->npages == 1 && d->noutlines == 1);
  CHECK(d && shows(d, 0, "1First.") && shows(d, 0, "Not a letter") &&
        shows(d, 0, "a link (https://example.com/n)"));
  double gray_rules = 0;
  for (size_t k = 0; d && k < d->pages[0].nrules; k++)
    gray_rules += d->pages[0].rules[k].gray > 0;
  CHECK(d && gray_rules == 0);
  lp_display_free(d);
}

int main(void) {
  lp_error err = {0};
  engine = lp_engine_new("fonts/fonts.conf", &err);
  CHECK(engine != NULL);
  if (!engine) return CHECK_DONE();
  snprintf(dir, sizeof dir, "/tmp/lp-test-notes-XXXXXX");
  CHECK(mkdtemp(dir) != NULL);
  test_footnotes();
  test_long_note();
  test_unreferenced();
  test_links();
  test_data_is_text();
  test_cjk_note();
  test_rich_note();
  rmdir(dir);
  lp_engine_free(engine);
  return CHECK_DONE();
}
