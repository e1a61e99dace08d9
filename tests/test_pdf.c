/* test_pdf.c - unit test of the PDF writer: builds displays from real fonts
 * (Noto Serif CJK SC, CFF; Noto Serif, TrueType), writes them and checks the
 * files with qpdf, poppler and mupdf. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_CID_H
#include <hb-ot.h>
#include <hb.h>

#include "check.h"
#include "display.h"
#include "embed.h"
#include "pdf.h"
#include "util.h"

#define CJK_FONT "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
#define CJK_FONT_SC 2 /* fc-scan: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK */
#define LATIN_FONT "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf"

#define SUBSET_TAG_LEN 6 /* "ABCDEF+" */

#define A4_WIDTH 595.276
#define A4_HEIGHT 841.89
#define MARGIN 72.0
#define SIZE 12.0
#define DATE 1700000000LL /* 2023-11-14 22:13:20 UTC */

#define ZH_TEXT "承诺书：我们保证，服务质量。"
#define EN_TEXT "office affinity"
#define ASTRAL_TEXT "𠮷" /* U+20BB7, outside the BMP */
#define ZH_TITLE "服务承诺书"

/* ~400 distinct ideographs subset to about 100 KB (NOTES-PDF.md). */
#define MANY_GLYPHS 400
#define MANY_GLYPHS_MAX_BYTES 160000

/* Loads a face by hand the way fonts.c will: HarfBuzz objects at upem
 * scale and the metrics the PDF writer reads. */
static lp_face *load_face(int id, const char *path, int index) {
  hb_blob_t *blob = hb_blob_create_from_file_or_fail(path);
  if (!blob) return NULL;
  lp_face *f = lp_xcalloc(1, sizeof *f);
  f->id = id;
  f->path = lp_xstrdup(path);
  f->index = index;
  f->blob = blob;
  f->hb_face = hb_face_create(blob, (unsigned)index);
  f->upem = hb_face_get_upem(f->hb_face);
  f->hb_font = hb_font_create(f->hb_face);
  hb_font_set_scale(f->hb_font, (int)f->upem, (int)f->upem);
  char name[128];
  unsigned len = sizeof name;
  hb_ot_name_get_utf8(f->hb_face, HB_OT_NAME_ID_POSTSCRIPT_NAME,
                      HB_LANGUAGE_INVALID, &len, name);
  f->ps_name = lp_xstrdup(name);
  hb_blob_t *cff =
      hb_face_reference_table(f->hb_face, HB_TAG('C', 'F', 'F', ' '));
  f->is_cff = hb_blob_get_length(cff) > 0;
  hb_blob_destroy(cff);
  hb_position_t v;
  hb_ot_metrics_get_position_with_fallback(
      f->hb_font, HB_OT_METRICS_TAG_HORIZONTAL_ASCENDER, &v);
  f->ascender = (double)v / f->upem;
  hb_ot_metrics_get_position_with_fallback(
      f->hb_font, HB_OT_METRICS_TAG_HORIZONTAL_DESCENDER, &v);
  f->descender = (double)v / f->upem;
  hb_ot_metrics_get_position_with_fallback(f->hb_font,
                                           HB_OT_METRICS_TAG_CAP_HEIGHT, &v);
  f->cap_height = (double)v / f->upem;
  /* The face's box: xMin, yMin, xMax, yMax at bytes 36-43 of 'head'. */
  hb_blob_t *head =
      hb_face_reference_table(f->hb_face, HB_TAG('h', 'e', 'a', 'd'));
  unsigned n;
  const unsigned char *h = (const unsigned char *)hb_blob_get_data(head, &n);
  for (int i = 0; n >= 44 && i < 4; i++)
    f->bbox[i] = (double)(int16_t)(h[36 + 2 * i] << 8 | h[37 + 2 * i]) / f->upem;
  hb_blob_destroy(head);
  return f;
}

/* Frees a face made by load_face. */
static void free_face(lp_face *f) {
  if (!f) return;
  hb_font_destroy(f->hb_font);
  hb_face_destroy(f->subset_face); /* made by the PDF writer, if at all */
  hb_face_destroy(f->hb_face);
  hb_blob_destroy(f->blob);
  free(f->path);
  free(f->ps_name);
  free(f);
}

/* Shapes text (left to right) and adds it as a run on page p at (x, y);
 * each cluster's first glyph carries the cluster's text.  Returns the pen
 * position after the text. */
static double add_text(lp_display *d, lp_dpage *p, lp_face *face,
                       const char *text, double x, double y, double size) {
  hb_buffer_t *buf = hb_buffer_create();
  hb_buffer_add_utf8(buf, text, -1, 0, -1);
  hb_buffer_guess_segment_properties(buf);
  hb_shape(face->hb_font, buf, NULL, 0);
  unsigned n;
  hb_glyph_info_t *info = hb_buffer_get_glyph_infos(buf, &n);
  hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(buf, NULL);
  double scale = size / face->upem;
  size_t text_len = strlen(text);
  lp_dpage_add_run(p, face, size, 0);
  for (unsigned i = 0; i < n; i++) {
    uint32_t cluster = info[i].cluster;
    bool starts = i == 0 || info[i - 1].cluster != cluster;
    size_t end = text_len;
    for (unsigned k = i + 1; k < n; k++)
      if (info[k].cluster != cluster) {
        end = info[k].cluster;
        break;
      }
    lp_dpage_add_glyph(d, p, info[i].codepoint, x + pos[i].x_offset * scale,
                       y + pos[i].y_offset * scale, pos[i].x_advance * scale,
                       starts ? text + cluster : NULL,
                       starts ? end - cluster : 0);
    x += pos[i].x_advance * scale;
  }
  hb_buffer_destroy(buf);
  return x;
}

/* Runs a shell command, capturing its standard output; returns its exit
 * status (-1 when it could not run). */
static int run(const char *cmd, lp_buf *out) {
  FILE *p = popen(cmd, "r");
  if (!p) return -1;
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
    if (out) lp_buf_append(out, chunk, n);
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Writes buf to path. */
static bool write_file(const char *path, const lp_buf *buf) {
  FILE *f = fopen(path, "wb");
  if (!f) return false;
  bool ok = fwrite(buf->data, 1, buf->len, f) == buf->len;
  return fclose(f) == 0 && ok;
}

/* True when the first len bytes of hay contain needle (hay may hold NULs). */
static bool contains(const lp_buf *hay, const char *needle) {
  return hay->data && memmem(hay->data, hay->len, needle, strlen(needle));
}

/* How many times needle occurs in hay. */
static size_t count_of(const lp_buf *hay, const char *needle) {
  size_t n = 0, len = strlen(needle);
  const char *p = (const char *)hay->data, *end = p + hay->len;
  while (p && (p = memmem(p, (size_t)(end - p), needle, len))) n++, p += len;
  return n;
}

/* mupdf's complaints about a PDF: the stderr of `mutool draw` without its
 * per-page progress lines and the build's note on missing ICC support. */
static char *mutool_complaints(const char *path) {
  char cmd[512];
  snprintf(cmd, sizeof cmd,
           "mutool draw -o /dev/null %s 2>&1 | grep -v -e '^page ' "
           "-e '^warning: ICC support is not available$'",
           path);
  lp_buf out = {0};
  run(cmd, &out);
  char *s = lp_buf_strdup(&out);
  lp_buf_free(&out);
  return s;
}

/* Counts pdffonts lines that describe a fully embedded, subset font with a
 * ToUnicode map and a six-letter subset tag. */
static int count_good_fonts(const char *pdffonts, const char *type) {
  int good = 0;
  const char *line = pdffonts;
  while (line && *line) {
    const char *nl = strchr(line, '\n');
    size_t len = nl ? (size_t)(nl - line) : strlen(line);
    char *l = lp_xstrndup(line, len);
    bool tag = len > SUBSET_TAG_LEN + 1 && l[SUBSET_TAG_LEN] == '+';
    for (int i = 0; i < SUBSET_TAG_LEN && tag; i++)
      tag = l[i] >= 'A' && l[i] <= 'Z';
    if (tag && strstr(l, type) && strstr(l, "Identity-H") &&
        strstr(l, "yes yes yes"))
      good++;
    free(l);
    line = nl ? nl + 1 : NULL;
  }
  return good;
}

/* True when mupdf reads every glyph of r (a CID-keyed CFF run in the PDF
 * at path) with its original glyph id as CID: for Noto CJK (Adobe-Identity-0)
 * those are the CIDs; subset glyph ids there would draw other glyphs. */
static bool cids_are_original_gids(const char *path, const lp_drun *r) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "mutool trace %s 2>/dev/null", path);
  lp_buf trace = {0};
  bool ok = run(cmd, &trace) == 0;
  for (size_t i = 0; ok && i < r->count; i++) {
    char expect[128];
    snprintf(expect, sizeof expect, "<g unicode=\"%.*s\" glyph=\"%u\"",
             (int)r->glyphs[i].text_len, r->glyphs[i].text,
             (unsigned)r->glyphs[i].gid);
    ok = contains(&trace, expect);
    if (!ok) fprintf(stderr, "mutool trace lacks %s\n", expect);
  }
  lp_buf_free(&trace);
  return ok;
}

/* The test document: two pages, Chinese (CFF) and English (TrueType) text,
 * a rule, metadata and outlines with Chinese titles. */
static lp_display *sample_display(lp_face *cjk, lp_face *latin) {
  lp_display *d = lp_display_new();
  d->meta.title = lp_xstrdup(ZH_TITLE);
  d->meta.author = lp_xstrdup("Letterpress Test");
  d->meta.subject = lp_xstrdup("承诺");
  d->meta.creator = lp_xstrdup("letterpress 0.1.0");
  d->meta.lang = lp_xstrdup("zh-CN");
  d->meta.date = DATE;

  lp_dpage *p = lp_display_add_page(d, A4_WIDTH, A4_HEIGHT);
  double top = A4_HEIGHT - MARGIN;
  double x = add_text(d, p, cjk, ZH_TEXT, MARGIN, top, SIZE);
  add_text(d, p, cjk, ASTRAL_TEXT, x, top, SIZE);
  add_text(d, p, latin, EN_TEXT, MARGIN, top - 2 * SIZE, SIZE);
  lp_dpage_add_rule(p, MARGIN, top - 3 * SIZE, A4_WIDTH - MARGIN,
                    top - 3 * SIZE, 0.5, 0);
  lp_display_add_outline(d, ZH_TITLE, 0, top + SIZE);

  p = lp_display_add_page(d, A4_WIDTH, A4_HEIGHT);
  add_text(d, p, latin, EN_TEXT, MARGIN, top, 2 * SIZE);
  add_text(d, p, cjk, ZH_TEXT, MARGIN, top - 3 * SIZE, SIZE);
  lp_display_add_outline(d, "Page two", 1, top);
  return d;
}

/* The sample document: deterministic bytes that the real tools accept. */
static void test_sample(lp_face *cjk, lp_face *latin) {
  lp_display *d = sample_display(cjk, latin);
  lp_buf a = {0}, b = {0};
  lp_error err = {0};
  CHECK(lp_pdf_write(d, &a, &err));
  if (err.code) fprintf(stderr, "lp_pdf_write: %s\n", err.message);
  CHECK(lp_pdf_write(d, &b, &err));
  CHECK(a.len > 8 && memcmp(a.data, "%PDF-1.4", 8) == 0);
  CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
  CHECK(write_file("/tmp/test_pdf.pdf", &a));

  CHECK(run("qpdf --check /tmp/test_pdf.pdf >/dev/null 2>&1", NULL) == 0);

  lp_buf out = {0};
  CHECK(run("pdffonts /tmp/test_pdf.pdf 2>&1", &out) == 0);
  char *fonts = lp_buf_strdup(&out);
  CHECK(count_good_fonts(fonts, "") == 2);
  CHECK(count_good_fonts(fonts, "CID Type 0C") == 1);
  CHECK(count_good_fonts(fonts, "CID TrueType") == 1);
  CHECK(strstr(fonts, "+NotoSerifCJKsc-Regular") != NULL);
  CHECK(strstr(fonts, "+NotoSerif-Regular") != NULL);
  free(fonts);

  out.len = 0;
  CHECK(run("pdftotext -enc UTF-8 /tmp/test_pdf.pdf - 2>&1", &out) == 0);
  char *text = lp_buf_strdup(&out);
  CHECK(strstr(text, ZH_TEXT ASTRAL_TEXT) != NULL);
  CHECK(strstr(text, EN_TEXT) != NULL);
  free(text);

  out.len = 0;
  CHECK(run("pdfinfo -enc UTF-8 /tmp/test_pdf.pdf 2>&1", &out) == 0);
  char *info = lp_buf_strdup(&out);
  CHECK(strstr(info, "Title:           " ZH_TITLE "\n") != NULL);
  CHECK(strstr(info, "Subject:         承诺\n") != NULL);
  CHECK(strstr(info, "Creator:         letterpress 0.1.0\n") != NULL);
  CHECK(strstr(info, "Producer:        letterpress 0.1.0\n") != NULL);
  CHECK(strstr(info, "Pages:           2\n") != NULL);
  CHECK(strstr(info, "CreationDate:    Tue Nov 14 22:13:20 2023 UTC") != NULL ||
        strstr(info, "2023-11-14T22:13:20") != NULL);
  free(info);

  /* The uncompressed objects: content operators, outlines, /Lang. */
  out.len = 0;
  CHECK(run("qpdf --qdf --object-streams=disable /tmp/test_pdf.pdf - 2>&1",
            &out) == 0);
  CHECK(contains(&out, "BT\n/F1 12 Tf 0 g\n72 "));
  /* One text object per page; the font is set again only when it changes. */
  CHECK(count_of(&out, "BT\n") == 2 && count_of(&out, "ET\n") == 2);
  CHECK(count_of(&out, " Tf") < count_of(&out, " TJ"));
  CHECK(contains(&out, "0.5 w 0 G 72 "));
  CHECK(contains(&out, "/Lang (zh-CN)"));
  CHECK(contains(&out, "/Author (Letterpress Test)"));
  CHECK(contains(&out, "/PageMode /UseOutlines"));
  CHECK(contains(&out, "/Title <feff670d52a1627f8bfa4e66>"));
  CHECK(contains(&out, "/XYZ\n    null\n    782\n    null\n"));
  CHECK(contains(&out, "/CIDToGIDMap /Identity"));
  CHECK(contains(&out, "/Subtype /CIDFontType0C"));
  CHECK(contains(&out, "/Length1 "));
  CHECK(contains(&out, "/DW 1000"));
  CHECK(contains(&out, "/CreationDate (D:20231114221320+00'00')"));
  CHECK(contains(&out, "/Producer (letterpress 0.1.0)"));

  /* mupdf says nothing when it is happy with every object and font. */
  char *complaints = mutool_complaints("/tmp/test_pdf.pdf");
  CHECK_STR(complaints, "");
  free(complaints);

  CHECK(cids_are_original_gids("/tmp/test_pdf.pdf", &d->pages[0].runs[0]));

  /* For looking at: /tmp/test_pdf-1.png, /tmp/test_pdf-2.png. */
  CHECK(run("pdftoppm -png -r 60 /tmp/test_pdf.pdf /tmp/test_pdf 2>&1", NULL) ==
        0);

  lp_buf_free(&out);
  lp_buf_free(&a);
  lp_buf_free(&b);
  lp_display_free(d);
}

/* A page of MANY_GLYPHS distinct ideographs: the subset stays small (the
 * whole font is 26 MB) and the text survives. */
static void test_size(lp_face *cjk) {
  lp_display *d = lp_display_new();
  lp_dpage *p = lp_display_add_page(d, A4_WIDTH, A4_HEIGHT);
  lp_dpage_add_run(p, cjk, SIZE, 0);
  lp_buf all = {0};
  int count = 0;
  double x = MARGIN, y = A4_HEIGHT - MARGIN;
  /* Common ideographs start at U+4E00; take every third one the font has. */
  for (uint32_t cp = 0x4E00; count < MANY_GLYPHS; cp += 3) {
    hb_codepoint_t gid;
    if (!hb_font_get_nominal_glyph(cjk->hb_font, cp, &gid)) continue;
    lp_buf ch = {0};
    lp_utf8_put(&ch, cp);
    lp_dpage_add_glyph(d, p, gid, x, y, SIZE, (const char *)ch.data, ch.len);
    lp_buf_append(&all, ch.data, ch.len);
    lp_buf_free(&ch);
    count++;
    x += SIZE;
    if (x > A4_WIDTH - MARGIN - SIZE) x = MARGIN, y -= 1.5 * SIZE;
  }
  lp_buf pdf = {0};
  lp_error err = {0};
  CHECK(lp_pdf_write(d, &pdf, &err));
  CHECK(pdf.len < MANY_GLYPHS_MAX_BYTES);
  printf("%d distinct ideographs: %zu bytes\n", count, pdf.len);
  CHECK(write_file("/tmp/test_pdf_many.pdf", &pdf));
  CHECK(run("qpdf --check /tmp/test_pdf_many.pdf >/dev/null 2>&1", NULL) == 0);
  CHECK(cids_are_original_gids("/tmp/test_pdf_many.pdf", &p->runs[0]));
  lp_buf out = {0};
  CHECK(run("pdftotext -enc UTF-8 /tmp/test_pdf_many.pdf - | tr -d ' \\n\\f'",
            &out) == 0);
  char *expect = lp_buf_strdup(&all);
  char *got = lp_buf_strdup(&out);
  CHECK_STR(got, expect);
  free(expect);
  free(got);
  lp_buf_free(&out);
  lp_buf_free(&all);
  lp_buf_free(&pdf);
  lp_display_free(d);
}

/* Adds text without shaping, one glyph per character, spacing pt apart
 * beyond the glyphs' advances, to the last run of page p. */
static void add_spaced(lp_display *d, lp_dpage *p, lp_face *face,
                       const char *text, double x, double y, double size,
                       double spacing) {
  size_t len = strlen(text), i = 0;
  while (i < len) {
    size_t start = i;
    uint32_t cp = (uint32_t)lp_utf8_next(text, len, &i);
    hb_codepoint_t gid = 0;
    hb_font_get_nominal_glyph(face->hb_font, cp, &gid);
    double advance =
        hb_font_get_glyph_h_advance(face->hb_font, gid) * size / face->upem;
    lp_dpage_add_glyph(d, p, gid, x, y, advance, text + start, i - start);
    x += advance + spacing;
  }
}

/* Letter spacing becomes TJ adjustments; a run over two lines moves with a
 * relative Td; a blank page and a document without creator are valid. */
static void test_positions(lp_face *latin) {
  lp_display *d = lp_display_new();
  lp_dpage *p = lp_display_add_page(d, A4_WIDTH, A4_HEIGHT);
  lp_dpage_add_run(p, latin, 10, 0.5);
  add_spaced(d, p, latin, "spaced", MARGIN, 700, 10, 1);
  add_spaced(d, p, latin, "tight", MARGIN, 680, 10, -0.5);
  lp_display_add_page(d, A4_WIDTH, A4_HEIGHT); /* blank */
  d->meta.date = DATE;
  lp_buf pdf = {0};
  lp_error err = {0};
  CHECK(lp_pdf_write(d, &pdf, &err));
  CHECK(write_file("/tmp/test_pdf_pos.pdf", &pdf));
  CHECK(run("qpdf --check /tmp/test_pdf_pos.pdf >/dev/null 2>&1", NULL) == 0);
  lp_buf out = {0};
  CHECK(run("qpdf --qdf --object-streams=disable /tmp/test_pdf_pos.pdf - "
            "2>&1",
            &out) == 0);
  CHECK(contains(&out, "BT\n/F1 10 Tf 0.5 g\n72 700 Td [<"));
  CHECK(contains(&out, ">-100<")); /* 1 pt at 10 pt = 100/1000 em */
  CHECK(contains(&out, ">50<"));   /* -0.5 pt */
  CHECK(contains(&out, "] TJ\n0 -20 Td [<"));
  char *complaints = mutool_complaints("/tmp/test_pdf_pos.pdf");
  CHECK_STR(complaints, "");
  free(complaints);
  out.len = 0;
  CHECK(run("pdftotext -enc UTF-8 /tmp/test_pdf_pos.pdf - 2>&1", &out) == 0);
  CHECK(contains(&out, "tight"));
  out.len = 0;
  CHECK(run("pdfinfo /tmp/test_pdf_pos.pdf 2>&1", &out) == 0);
  CHECK(contains(&out, "Producer:        Haru Free PDF Library"));
  CHECK(contains(&out, "Pages:           2\n"));
  lp_buf_free(&out);
  lp_buf_free(&pdf);
  lp_display_free(d);
}

/* A link becomes a /Link annotation: a /URI action with the address
 * percent-encoded to ASCII, no border, printable, its text as /Contents;
 * tagged, an OBJR of its Link element, which its /StructParent names. */
static void test_links(lp_face *latin) {
  lp_display *d = lp_display_new();
  lp_dpage *p = lp_display_add_page(d, A4_WIDTH, A4_HEIGHT);
  uint32_t sect = lp_tags_open(&d->tags, 0, "Sect");
  uint32_t para = lp_tags_open(&d->tags, sect, "P");
  uint32_t link = lp_tags_open(&d->tags, para, "Link");
  lp_drun *run_ = lp_dpage_add_run(p, latin, SIZE, 0);
  run_->tag = link;
  run_->part = lp_tags_content(&d->tags, link);
  add_spaced(d, p, latin, "site", MARGIN, 700, SIZE, 0);
  lp_dpage_add_link(p, "https://\xE4\xBE\x8B.jp/\xC3\xA4 b", "our site",
                    MARGIN, 697, MARGIN + 30, 711)
      ->tag = link;
  d->meta.date = DATE;
  d->meta.tagged = true;
  lp_buf pdf = {0};
  lp_error err = {0};
  CHECK(lp_pdf_write(d, &pdf, &err));
  CHECK(write_file("/tmp/test_pdf_link.pdf", &pdf));
  CHECK(run("qpdf --check /tmp/test_pdf_link.pdf >/dev/null 2>&1", NULL) == 0);
  lp_buf out = {0};
  CHECK(run("qpdf --qdf --object-streams=disable /tmp/test_pdf_link.pdf - "
            "2>&1",
            &out) == 0);
  CHECK(contains(&out, "/Subtype /Link"));
  CHECK(contains(&out, "/URI (https://%E4%BE%8B.jp/%C3%A4%20b)"));
  CHECK(contains(&out, "/S /URI"));
  CHECK(contains(&out, "/F 4"));
  CHECK(contains(&out, "/Border [\n    0\n    0\n    0\n  ]"));
  CHECK(contains(&out, "/Contents (our site)"));
  CHECK(contains(&out, "/Type /OBJR"));
  CHECK(contains(&out, "/StructParent 1"));
  CHECK(contains(&out, "/S /Link"));
  lp_buf_free(&out);
  lp_buf_free(&pdf);
  lp_display_free(d);
}

/* Bad displays fail with LP_ERR_PDF and say why. */
static void test_errors(lp_face *latin) {
  lp_buf out = {0};
  lp_error err = {0};

  lp_display *d = lp_display_new();
  CHECK(!lp_pdf_write(d, &out, &err));
  CHECK(err.code == LP_ERR_PDF);

  lp_dpage *p = lp_display_add_page(d, A4_WIDTH, A4_HEIGHT);
  add_text(d, p, latin, EN_TEXT, MARGIN, MARGIN, SIZE);
  lp_display_add_outline(d, "nowhere", 3, 0);
  memset(&err, 0, sizeof err);
  CHECK(!lp_pdf_write(d, &out, &err));
  CHECK(err.code == LP_ERR_PDF && strstr(err.message, "page 4 of 1"));
  lp_display_free(d);

  d = lp_display_new();
  p = lp_display_add_page(d, A4_WIDTH, A4_HEIGHT);
  lp_dpage_add_run(p, latin, SIZE, 0);
  lp_dpage_add_glyph(d, p, 0xFFFF, MARGIN, MARGIN, SIZE, "x", 1);
  memset(&err, 0, sizeof err);
  CHECK(!lp_pdf_write(d, &out, &err));
  CHECK(err.code == LP_ERR_PDF && strstr(err.message, LATIN_FONT));
  lp_display_free(d);

  d = lp_display_new();
  lp_display_add_page(d, 0, 0); /* below libharu's minimum page size */
  memset(&err, 0, sizeof err);
  CHECK(!lp_pdf_write(d, &out, &err));
  CHECK(err.code == LP_ERR_PDF && strstr(err.message, "libharu error 0x"));
  lp_display_free(d);

  CHECK(out.len == 0);
  lp_buf_free(&out);
}

/* Loads the two fonts and runs every test. */
/* A face's fonts looked up once for a run: the pair gives for each glyph
 * the font lp_embed_font_for chose when it collected it (the main font
 * for the anchor's glyphs, the extra font for the others); a face with
 * no anchor has its main font only. */
static void test_font_pair(lp_face *cjk, lp_face *latin) {
  lp_embed_font fonts[3];
  memset(fonts, 0, sizeof fonts);
  lp_face *faces[3] = {cjk, latin, cjk};
  bool extra[3] = {false, false, true};
  for (int i = 0; i < 3; i++) {
    fonts[i].face = faces[i];
    fonts[i].extra = extra[i];
    fonts[i].gids = hb_set_create();
  }
  hb_set_add(fonts[0].gids, 10); /* the CJK anchor */
  hb_set_add(fonts[0].gids, 11);
  hb_set_add(fonts[2].gids, 99); /* a record's own glyph */
  hb_set_add(fonts[1].gids, 5);
  lp_embed e = {0};
  e.fonts = fonts;
  e.nfonts = 3;
  lp_embed_pair pair = lp_embed_fonts_of(&e, cjk);
  CHECK(pair.main == &fonts[0] && pair.extra == &fonts[2]);
  CHECK(lp_embed_pair_font(&pair, 10) == &fonts[0]);
  CHECK(lp_embed_pair_font(&pair, 11) == &fonts[0]);
  CHECK(lp_embed_pair_font(&pair, 99) == &fonts[2]);
  pair = lp_embed_fonts_of(&e, latin);
  CHECK(pair.main == &fonts[1] && !pair.extra);
  CHECK(lp_embed_pair_font(&pair, 5) == &fonts[1]);
  CHECK(lp_embed_pair_font(&pair, 77) == &fonts[1]);
  for (int i = 0; i < 3; i++) hb_set_destroy(fonts[i].gids);
}

int main(void) {
  lp_face *cjk = load_face(0, CJK_FONT, CJK_FONT_SC);
  lp_face *latin = load_face(1, LATIN_FONT, 0);
  CHECK(cjk && latin);
  if (!cjk || !latin) return CHECK_DONE();
  CHECK_STR(cjk->ps_name, "NotoSerifCJKsc-Regular");
  CHECK(cjk->is_cff);
  CHECK(!latin->is_cff);

  test_sample(cjk, latin);
  test_size(cjk);
  test_positions(latin);
  test_errors(latin);
  test_font_pair(cjk, latin);
  test_links(latin);

  free_face(cjk);
  free_face(latin);
  return CHECK_DONE();
}
