/* pdf.c - writes an lp_display as a PDF through libharu's object API;
 * fonts are embedded by embed.c, form fields by forms.c (see pdf.h). */
#include "pdf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hb.h>
#include <hpdf.h>
#include <hpdf_pages.h>
#include <openssl/evp.h>

#include "embed.h"
#include "forms.h"
#include "objstm.h"
#include "pdfobj.h"
#include "pdfstd.h"
#include "pdftags.h"
#include "shape.h"

/* A TJ adjustment smaller than this (glyph-space units) is not written. */
#define MIN_ADJUST_MILLI 500 /* 0.5: 0.0055 pt at 11 pt */
/* A gap between two glyphs of a word wider than this, in em, is one that
 * text extraction reads as a space (poppler's threshold is 0.1 em). */
#define WORD_GAP_EM 0.08

/* Marks on a glyph of the page's plan (see plan_spans). */
enum { SPAN_START = 1, SPAN_END = 2 };

/* State of one lp_pdf_write call. */
typedef struct writer {
  const lp_display *d;
  HPDF_Doc pdf;
  lp_haru_status haru; /* first error libharu reported to the handler */
  lp_embed embed;      /* the document's fonts */
  struct pdf_image {
    const lp_dimage_data *data;
    HPDF_Image image;
  } *images; /* each image file embedded once */
  size_t nimages, images_cap;
  lp_pdftags *tags; /* the structure being recorded; NULL: untagged */
  size_t page_no;   /* the page being written (0-based) */
  EVP_MD_CTX *id;   /* hashes the content for the trailer /ID */
  lp_error *err;
} writer;

/* Fills the caller's error with libharu's error code; returns false. */
static bool haru_fail(writer *w, const char *what) {
  return lp_pdfobj_haru_fail(w->pdf, &w->haru, w->err, what);
}

/* ---- Numbers ---------------------------------------------------------- */

/* A gray level limited to 0 (black) .. 1 (white). */
static double clamp_gray(double g) { return g < 0 ? 0 : g > 1 ? 1 : g; }

/* Appends v rounded to three decimals, followed by a space. */
static void put_num(lp_buf *b, double v) {
  lp_pdfobj_put_milli(b, lp_pdfobj_milli(v));
  lp_buf_puts(b, " ");
}

/* ---- Page content ----------------------------------------------------- */

/* ---- Marked content (tagged PDF) ---------------------------------------- */

/* Opens the marked-content sequence of content that belongs to element
 * tag's content part part (a new MCID, 14.7.4.2; with an /ActualText when
 * text is not NULL), or, for tag 0, an artifact: headers and footers as
 * pagination artifacts, the rest as layout (14.8.2.2).  Nothing when the
 * document is untagged. */
static void open_marked_text(writer *w, lp_buf *b, uint32_t tag,
                             uint32_t part, lp_artifact artifact,
                             const char *text) {
  if (!w->tags) return;
  const lp_tags_elem *e = lp_tags_get(&w->d->tags, tag);
  if (e) {
    int mcid = lp_pdftags_mark(w->tags, w->page_no, tag, part);
    /* With an ActualText the tag is /Span: poppler reads ActualText only
     * there (the tag need not be the element's role, 14.7.4.2). */
    lp_buf_printf(b, "/%s <</MCID %d", text ? "Span" : e->role, mcid);
    if (text) {
      lp_buf_puts(b, " /ActualText ");
      lp_pdfobj_put_text_string(b, text);
    }
    lp_buf_puts(b, ">> BDC\n");
  } else if (artifact == LP_ARTIFACT_LAYOUT) {
    lp_buf_puts(b, "/Artifact BMC\n");
  } else {
    lp_buf_printf(b, "/Artifact <</Type /Pagination /Subtype /%s>> BDC\n",
                  artifact == LP_ARTIFACT_HEADER ? "Header" : "Footer");
  }
}

/* open_marked_text without an ActualText. */
static void open_marked(writer *w, lp_buf *b, uint32_t tag, uint32_t part,
                        lp_artifact artifact) {
  open_marked_text(w, b, tag, part, artifact, NULL);
}

/* Closes what open_marked opened. */
static void close_marked(writer *w, lp_buf *b) {
  if (w->tags) lp_buf_puts(b, "EMC\n");
}

/* Whether two runs are in the same marked-content sequence. */
static bool same_marked(const lp_drun *a, const lp_drun *b) {
  return a->tag == b->tag && a->part == b->part &&
         (a->tag || a->artifact == b->artifact);
}

/* Appends the stroked rules of a page: `w gray G x1 y1 m x2 y2 l S`. */
static void write_rules(lp_buf *b, const lp_dpage *p) {
  for (size_t i = 0; i < p->nrules; i++) {
    const lp_drule *r = &p->rules[i];
    put_num(b, r->width);
    lp_buf_puts(b, "w ");
    put_num(b, clamp_gray(r->gray));
    lp_buf_puts(b, "G ");
    put_num(b, r->x1);
    put_num(b, r->y1);
    lp_buf_puts(b, "m ");
    put_num(b, r->x2);
    put_num(b, r->y2);
    lp_buf_puts(b, "l S\n");
  }
}

/* The text state of a page's single text object (BT ... ET): the font,
 * size and gray last set, and the start of the current text line (where
 * the last Td moved to), so that each run sets only what changes and moves
 * relative to the run before.  marks and texts are the page's span plan,
 * indexed by the page's glyphs in run order (first: the piece's first). */
typedef struct text_state {
  size_t font_no; /* SIZE_MAX: none set yet */
  long long size_m, gray_m, line_x, line_y;
  const unsigned char *marks;
  char *const *texts; /* the ActualText of each SPAN_START, else NULL */
  size_t first;
  writer *w;
  const lp_drun *group; /* its run stands for the marked-content sequence
                           the glyphs go in (same_marked); NULL: none */
  bool open;            /* that sequence has been opened */
} text_state;

/* ---- Copy gives what was typed ----------------------------------------- */

/* Text extraction (copy, search, pdftotext) reads a page's glyphs through
 * the fonts' ToUnicode maps and guesses spaces from the gaps between them.
 * Two things would then differ from the source: the gap letterpress sets
 * between Han and Latin ("30分钟" set with a quarter em, no space typed)
 * or spreads between CJK characters to justify a line reads as a space;
 * and a glyph that shows several characters (the .notdef box of every
 * missing character, one glyph for two code points) maps to only one.
 * Such glyphs are wrapped in a marked-content sequence whose /ActualText
 * is the text as typed (PDF 32000-1 14.9.4), which poppler and Acrobat
 * use instead of the glyphs: a run of glyphs joined by such gaps, or a
 * single glyph whose map says otherwise.  Gaps wider than JOIN_MAX_EM are
 * the layout's own (table columns, list markers, blanks) and stay gaps. */
#define JOIN_MAX_EM 0.75


/* The first (last: false) code point of g's text, or -1 when it has none
 * or the text is whitespace. */
static int32_t edge_char(const lp_dglyph *g, bool first) {
  if (!g->text || !g->text_len) return -1;
  int32_t cp = -1;
  size_t i = 0;
  while (i < g->text_len) {
    cp = lp_utf8_next(g->text, g->text_len, &i);
    if (first) break;
  }
  bool space = cp == ' ' || cp == '\t' || cp == 0xA0 || cp == 0x3000 ||
               cp == 0x202F;
  return space ? -1 : cp;
}

/* Whether g's text is not what the ToUnicode map of f, its font, gives. */
static bool maps_otherwise(const lp_embed_font *f, const lp_dglyph *g) {
  if (!g->text || !g->text_len) return false;
  if (!hb_map_has(f->text_of, g->gid)) return true;
  const lp_dglyph *m = f->texts[hb_map_get(f->text_of, g->gid)];
  return m->text_len != g->text_len || memcmp(m->text, g->text, g->text_len);
}

/* Whether extraction would read a space between a and b (size pt) that
 * the source does not have: a gap on one line beside a CJK character. */
static bool joined(const lp_dglyph *a, const lp_dglyph *b, double size) {
  if (lp_pdfobj_milli(a->y) != lp_pdfobj_milli(b->y)) return false;
  double gap = b->x - (a->x + a->advance);
  if (!(gap > WORD_GAP_EM * size && gap <= JOIN_MAX_EM * size)) return false;
  int32_t left = edge_char(a, false), right = edge_char(b, true);
  return left >= 0 && right >= 0 && (lp_is_cjk((uint32_t)left) || lp_is_cjk((uint32_t)right));
}

/* Plans the page's ActualText spans: marks[k] for the page's k-th glyph
 * (in run order), and the span's text at its start.  Returns the glyph
 * count; marks and texts (malloc'd, texts' strings too) go to the caller. */
static size_t plan_spans(writer *w, const lp_dpage *p, unsigned char **marks,
                         char ***texts) {
  size_t n = 0;
  for (size_t r = 0; r < p->nruns; r++) n += p->runs[r].count;
  *marks = lp_xcalloc(n ? n : 1, 1);
  *texts = lp_xcalloc(n ? n : 1, sizeof **texts);
  /* The glyphs as one sequence, with the run each is in and its font
   * (the run's fonts looked up once). */
  const lp_dglyph **glyph = lp_xmalloc((n ? n : 1) * sizeof *glyph);
  const lp_drun **run = lp_xmalloc((n ? n : 1) * sizeof *run);
  const lp_embed_font **font = lp_xmalloc((n ? n : 1) * sizeof *font);
  size_t k = 0;
  for (size_t r = 0; r < p->nruns; r++) {
    lp_embed_pair pair = lp_embed_fonts_of(&w->embed, p->runs[r].face);
    for (size_t i = 0; i < p->runs[r].count; i++, k++) {
      glyph[k] = &p->runs[r].glyphs[i], run[k] = &p->runs[r];
      font[k] = lp_embed_pair_font(&pair, glyph[k]->gid);
    }
  }
  for (size_t start = 0; start < n;) {
    size_t end = start + 1;
    while (end < n && same_marked(run[end - 1], run[end]) &&
           joined(glyph[end - 1], glyph[end], run[end]->size))
      end++;
    if (end - start > 1 || maps_otherwise(font[start], glyph[start])) {
      lp_buf text = {0};
      for (size_t j = start; j < end; j++)
        if (glyph[j]->text)
          lp_buf_append(&text, glyph[j]->text, glyph[j]->text_len);
      lp_buf_append(&text, "", 1);
      (*marks)[start] |= SPAN_START;
      (*marks)[end - 1] |= SPAN_END;
      (*texts)[start] = lp_buf_strdup(&text);
      lp_buf_free(&text);
    }
    start = end;
  }
  free(glyph);
  free(run);
  free(font);
  return n;
}

/* Opens the current group's marked-content sequence if it is not open:
 * done just before glyphs are shown, so that no sequence is empty. */
static void ensure_marked(lp_buf *b, text_state *ts) {
  if (ts->open || !ts->group) return;
  open_marked(ts->w, b, ts->group->tag, ts->group->part, ts->group->artifact);
  ts->open = true;
}

/* Closes the current group's sequence, if open, before another starts. */
static void end_group(lp_buf *b, text_state *ts, const lp_drun *next) {
  if (ts->open) close_marked(ts->w, b);
  ts->open = false;
  ts->group = next;
}

/* Whether ActualText spans are their own MCID'd sequences: in tagged
 * content, a span is not nested in the element's sequence but takes its
 * place, one BDC with both /MCID and /ActualText (readers such as
 * poppler's structure extraction lose the rest of a sequence after a
 * nested one). */
static bool merged_spans(const text_state *ts) {
  return ts->w->tags && ts->group && ts->group->tag;
}

/* Opens the ActualText span that starts at the page's glyph k. */
static void open_span(lp_buf *b, text_state *ts, size_t k) {
  if (merged_spans(ts)) {
    if (ts->open) close_marked(ts->w, b);
    open_marked_text(ts->w, b, ts->group->tag, ts->group->part,
                     ts->group->artifact, ts->texts[k]);
    ts->open = true;
    return;
  }
  ensure_marked(b, ts);
  lp_buf_puts(b, "/Span <</ActualText ");
  lp_pdfobj_put_text_string(b, ts->texts[k]);
  lp_buf_puts(b, ">> BDC\n");
}

/* Closes the ActualText span open_span opened. */
static void close_span(lp_buf *b, text_state *ts) {
  lp_buf_puts(b, "EMC\n");
  if (merged_spans(ts)) ts->open = false; /* the rest: a new sequence */
}

/* Appends a run of glyphs of one font: Tf and g where they change, then per
 * line (glyphs sharing a y) a relative Td to its first glyph and one TJ.
 *
 * Positions are rounded to thousandths of a point.  Between glyphs the TJ
 * adjustment moves the pen from where the PDF viewer will have put it (the
 * glyph's /W width at the written size, plus earlier written adjustments)
 * to the next glyph's x, so rounding never accumulates along a line. */
static void write_run(lp_buf *b, text_state *ts, const lp_embed_font *f,
                      size_t font_no, const lp_drun *r) {
  long long size_m = lp_pdfobj_milli(r->size);
  double size = (double)size_m / LP_PDF_MILLI;
  long long gray_m = lp_pdfobj_milli(clamp_gray(r->gray));
  bool set_font = font_no != ts->font_no || size_m != ts->size_m;
  bool set_gray = gray_m != ts->gray_m;
  if (set_font) {
    lp_buf_puts(b, "/F");
    lp_pdfobj_put_milli(b, (long long)(font_no + 1) * LP_PDF_MILLI);
    lp_buf_puts(b, " ");
    lp_pdfobj_put_milli(b, size_m);
    lp_buf_puts(b, set_gray ? " Tf " : " Tf\n");
  }
  if (set_gray) {
    lp_pdfobj_put_milli(b, gray_m);
    lp_buf_puts(b, " g\n");
  }
  ts->font_no = font_no, ts->size_m = size_m, ts->gray_m = gray_m;
  const unsigned char *marks = ts->marks + ts->first;
  size_t i = 0;
  while (i < r->count) {
    long long x = lp_pdfobj_milli(r->glyphs[i].x), y = lp_pdfobj_milli(r->glyphs[i].y);
    if (marks[i] & SPAN_START) open_span(b, ts, ts->first + i);
    ensure_marked(b, ts);
    lp_pdfobj_put_milli(b, x - ts->line_x);
    lp_buf_puts(b, " ");
    lp_pdfobj_put_milli(b, y - ts->line_y);
    lp_buf_puts(b, " Td [<");
    ts->line_x = x, ts->line_y = y;
    double pen = (double)x / LP_PDF_MILLI;
    for (; i < r->count && lp_pdfobj_milli(r->glyphs[i].y) == y; i++) {
      const lp_dglyph *g = &r->glyphs[i];
      uint32_t cid = hb_map_get(f->cid_of, g->gid);
      unsigned char code[2] = {(unsigned char)(cid >> 8), (unsigned char)cid};
      lp_pdfobj_put_hex(b, code, sizeof code);
      pen += (double)lp_embed_glyph_width(f->face, g->gid) / LP_PDF_MILLI / LP_PDF_GLYPH_SPACE *
             size;
      bool more = i + 1 < r->count && lp_pdfobj_milli(r->glyphs[i + 1].y) == y;
      long long adj = 0;
      if (more && size > 0) {
        adj = lp_pdfobj_milli(-(r->glyphs[i + 1].x - pen) * LP_PDF_GLYPH_SPACE / size);
        if (llabs(adj) < MIN_ADJUST_MILLI) adj = 0;
        pen -= (double)adj / LP_PDF_MILLI / LP_PDF_GLYPH_SPACE * size;
      }
      /* A span's edge inside the line: end the TJ there, and go on with
       * a new one (the pen stays where the last one left it). */
      bool edge = more && ((marks[i] & SPAN_END) || (marks[i + 1] & SPAN_START));
      if (edge) {
        lp_buf_puts(b, ">] TJ\n");
        if (marks[i] & SPAN_END) close_span(b, ts);
        if (marks[i + 1] & SPAN_START) open_span(b, ts, ts->first + i + 1);
        ensure_marked(b, ts);
        lp_buf_puts(b, "[");
        if (adj) lp_pdfobj_put_milli(b, adj);
        lp_buf_puts(b, "<");
      } else if (adj) {
        lp_buf_puts(b, ">");
        lp_pdfobj_put_milli(b, adj);
        lp_buf_puts(b, "<");
      }
      if (!more) {
        lp_buf_puts(b, ">] TJ\n");
        if (marks[i] & SPAN_END) close_span(b, ts);
      }
    }
  }
}

/* ---- Images ------------------------------------------------------------ */

/* The image XObject for data, embedded on first use through libharu (PNG
 * with alpha becomes an image with an /SMask, JPEG a DCT stream). */
static HPDF_Image image_for(writer *w, const lp_dimage_data *data) {
  for (size_t i = 0; i < w->nimages; i++)
    if (w->images[i].data == data) return w->images[i].image;
  HPDF_Image img =
      data->kind == LP_IMAGE_PNG
          ? HPDF_LoadPngImageFromMem(w->pdf, data->bytes, (HPDF_UINT)data->len)
          : HPDF_LoadJpegImageFromMem(w->pdf, data->bytes,
                                      (HPDF_UINT)data->len);
  if (!img) return NULL;
  /* libharu leaves a PNG's alpha channel (/SMask) uncompressed. */
  HPDF_Dict smask = HPDF_Dict_GetItem(img, "SMask", HPDF_OCLASS_DICT);
  if (smask) smask->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
  LP_GROW(w->images, w->images_cap, w->nimages + 1);
  w->images[w->nimages++] = (struct pdf_image){data, img};
  return img;
}

/* Appends the images of page p that go under the text (over_text false)
 * or over it: `q w 0 0 h x y cm /Xn Do Q`, each registered in the page's
 * /XObject resources. */
static bool write_images(writer *w, HPDF_Page page, const lp_dpage *p,
                         bool over_text, lp_buf *b) {
  for (size_t i = 0; i < p->nimages; i++) {
    const lp_dimage *im = &p->images[i];
    if (im->over_text != over_text || !(im->w > 0) || !(im->h > 0)) continue;
    HPDF_Image img = image_for(w, im->data);
    const char *name = img ? HPDF_Page_GetXObjectName(page, img) : NULL;
    if (!name) return false;
    /* A Figure's content is its one content part (lp_lay_figure). */
    open_marked(w, b, im->tag, 0, LP_ARTIFACT_LAYOUT);
    lp_buf_puts(b, "q ");
    put_num(b, im->w);
    lp_buf_puts(b, "0 0 ");
    put_num(b, im->h);
    put_num(b, im->x);
    put_num(b, im->y);
    lp_buf_printf(b, "cm /%s Do Q\n", name);
    close_marked(w, b);
  }
  return true;
}

/* Adds the fonts used on a page to its /Resources /Font dictionary. */
static bool add_page_fonts(writer *w, HPDF_Page page, const bool *used) {
  HPDF_Dict res =
      HPDF_Page_GetInheritableItem(page, "Resources", HPDF_OCLASS_DICT);
  if (!res) return false;
  HPDF_Dict fonts = HPDF_Dict_GetItem(res, "Font", HPDF_OCLASS_DICT);
  if (!fonts) {
    fonts = HPDF_Dict_New(w->pdf->mmgr);
    if (!fonts || HPDF_Dict_Add(res, "Font", fonts) != HPDF_OK) return false;
  }
  for (size_t i = 0; i < w->embed.nfonts; i++) {
    if (!used[i]) continue;
    char key[32];
    snprintf(key, sizeof key, "F%zu", i + 1);
    if (HPDF_Dict_Add(fonts, key, w->embed.fonts[i].type0) != HPDF_OK) return false;
  }
  return true;
}

/* Creates page p: its size, font resources and content stream. */
static HPDF_Page write_page(writer *w, const lp_dpage *p, lp_buf *content) {
  HPDF_Page page = HPDF_AddPage(w->pdf);
  if (!page || HPDF_Page_SetWidth(page, (HPDF_REAL)p->width) != HPDF_OK ||
      HPDF_Page_SetHeight(page, (HPDF_REAL)p->height) != HPDF_OK)
    return NULL;
  bool *used = lp_xcalloc(w->embed.nfonts, sizeof *used);
  content->len = 0;
  if (!write_images(w, page, p, false, content)) {
    free(used);
    return NULL;
  }
  if (p->nrules) open_marked(w, content, 0, 0, LP_ARTIFACT_LAYOUT);
  write_rules(content, p);
  if (p->nrules) close_marked(w, content);
  unsigned char *marks;
  char **texts;
  size_t nglyphs = plan_spans(w, p, &marks, &texts);
  text_state ts = {SIZE_MAX, -1, -1, 0, 0, marks, texts, 0, w, NULL, false};
  if (p->nruns) lp_buf_puts(content, "BT\n");
  for (size_t r = 0; r < p->nruns; r++) {
    const lp_drun *run = &p->runs[r];
    /* Each stretch of runs of one element's content part is one
     * marked-content sequence (the ActualText spans nest inside). */
    if (!ts.group || !same_marked(ts.group, run)) end_group(content, &ts, run);
    /* A run whose glyphs are in two fonts (anchor and extra) is written
     * as consecutive pieces, one per font. */
    lp_embed_pair pair = lp_embed_fonts_of(&w->embed, run->face);
    for (size_t i = 0; i < run->count;) {
      lp_embed_font *f = lp_embed_pair_font(&pair, run->glyphs[i].gid);
      size_t j = i + 1;
      while (j < run->count &&
             lp_embed_pair_font(&pair, run->glyphs[j].gid) == f)
        j++;
      lp_drun piece = *run;
      piece.glyphs = run->glyphs + i;
      piece.count = j - i;
      size_t k = (size_t)(f - w->embed.fonts);
      used[k] = true;
      write_run(content, &ts, f, k, &piece);
      ts.first += piece.count;
      i = j;
    }
  }
  if (p->nruns) {
    end_group(content, &ts, NULL);
    lp_buf_puts(content, "ET\n");
  }
  for (size_t k = 0; k < nglyphs; k++) free(texts[k]);
  free(texts);
  free(marks);
  bool ok = write_images(w, page, p, true, content) &&
            add_page_fonts(w, page, used);
  free(used);
  HPDF_PageAttr attr = page->attr;
  return ok && lp_embed_put_flate(&w->embed, attr->contents, content->data, content->len)
             ? page
             : NULL;
}

/* ---- Links ------------------------------------------------------------- */

/* Annotation flag: print (PDF/A needs it on every annotation, 19005-2
 * 6.3.2). */
#define LINK_PRINT 4

/* uri with its non-ASCII bytes, spaces and controls percent-encoded: a
 * /URI is a 7-bit ASCII string (ISO 32000-1 12.6.4.7). */
static char *ascii_uri(const char *uri) {
  lp_buf b = {0};
  for (const unsigned char *c = (const unsigned char *)uri; *c; c++)
    if (*c <= 0x20 || *c >= 0x7F)
      lp_buf_printf(&b, "%%%02X", *c);
    else
      lp_buf_append(&b, c, 1);
  lp_buf_append(&b, "", 1);
  return (char *)b.data;
}

/* An array of four reals. */
static HPDF_Array rect_array(writer *w, const lp_dlink *k) {
  HPDF_Array a = HPDF_Array_New(w->pdf->mmgr);
  const double v[4] = {k->x1, k->y1, k->x2, k->y2};
  for (int i = 0; a && i < 4; i++)
    if (HPDF_Array_AddReal(a, (HPDF_REAL)v[i]) != HPDF_OK) return NULL;
  return a;
}

/* Adds link k of page to the page's /Annots: a /Link with a /URI action,
 * no border, its text as /Contents (PDF/UA-1 7.18.5), and records it for
 * the structure tree (an OBJR of its Link element). */
static bool write_link(writer *w, HPDF_Page page, size_t page_no,
                       const lp_dlink *k) {
  HPDF_MMgr mm = w->pdf->mmgr;
  HPDF_Array annots = HPDF_Dict_GetItem(page, "Annots", HPDF_OCLASS_ARRAY);
  if (!annots && (!(annots = HPDF_Array_New(mm)) ||
                  HPDF_Dict_Add(page, "Annots", annots) != HPDF_OK))
    return false;
  HPDF_Dict a = lp_pdfobj_indirect_dict(w->pdf);
  HPDF_Dict action = HPDF_Dict_New(mm);
  HPDF_Array border = HPDF_Array_New(mm);
  char *uri = ascii_uri(k->uri);
  bool ok = a && action && border &&
            HPDF_Dict_AddName(a, "Type", "Annot") == HPDF_OK &&
            HPDF_Dict_AddName(a, "Subtype", "Link") == HPDF_OK &&
            HPDF_Dict_Add(a, "Rect", rect_array(w, k)) == HPDF_OK &&
            HPDF_Array_AddNumber(border, 0) == HPDF_OK &&
            HPDF_Array_AddNumber(border, 0) == HPDF_OK &&
            HPDF_Array_AddNumber(border, 0) == HPDF_OK &&
            HPDF_Dict_Add(a, "Border", border) == HPDF_OK &&
            HPDF_Dict_AddNumber(a, "F", LINK_PRINT) == HPDF_OK &&
            HPDF_Dict_Add(a, "P", page) == HPDF_OK &&
            HPDF_Dict_Add(a, "Contents",
                          lp_pdfobj_text_string(w->pdf, *k->contents
                                                            ? k->contents
                                                            : k->uri)) ==
                HPDF_OK &&
            HPDF_Dict_AddName(action, "S", "URI") == HPDF_OK &&
            HPDF_Dict_Add(action, "URI", HPDF_String_New(mm, uri, NULL)) ==
                HPDF_OK &&
            HPDF_Dict_Add(a, "A", action) == HPDF_OK &&
            HPDF_Array_Add(annots, a) == HPDF_OK;
  free(uri);
  if (ok && w->tags && k->tag) lp_pdftags_annot(w->tags, page_no, k->tag, a);
  return ok;
}

/* Writes the links of every page. */
static bool write_links(writer *w, HPDF_Page *pages) {
  for (size_t p = 0; p < w->d->npages; p++)
    for (size_t k = 0; k < w->d->pages[p].nlinks; k++)
      if (!write_link(w, pages[p], p, &w->d->pages[p].links[k]))
        return haru_fail(w, "adding a link");
  return true;
}

/* ---- Document --------------------------------------------------------- */

/* A destination: `[page /XYZ null top null]` (keep the viewer's left edge
 * and zoom), or `[page /Fit]` when top is not above the page's bottom.
 * Built by hand: libharu's SetXYZ wants numbers for left and zoom. */
static HPDF_Array destination(writer *w, HPDF_Page page, double top) {
  HPDF_MMgr mmgr = w->pdf->mmgr;
  HPDF_Array dest = HPDF_Array_New(mmgr);
  if (!dest) return NULL;
  int bad = HPDF_Array_Add(dest, page) != HPDF_OK;
  if (top > 0) {
    bad += HPDF_Array_AddName(dest, "XYZ") != HPDF_OK;
    bad += HPDF_Array_Add(dest, HPDF_Null_New(mmgr)) != HPDF_OK;
    bad += HPDF_Array_AddNumber(dest, (HPDF_INT32)lround(top)) != HPDF_OK;
    bad += HPDF_Array_Add(dest, HPDF_Null_New(mmgr)) != HPDF_OK;
  } else {
    bad += HPDF_Array_AddName(dest, "Fit") != HPDF_OK;
  }
  if (!bad) return dest;
  HPDF_Array_Free(dest);
  return NULL;
}

/* One top-level outline entry per lp_doutline, pointing at its page. */
static bool write_outlines(writer *w, HPDF_Page *pages) {
  const lp_display *d = w->d;
  for (size_t i = 0; i < d->noutlines; i++) {
    const lp_doutline *o = &d->outlines[i];
    if (o->page >= d->npages)
      return lp_fail(w->err, LP_ERR_PDF, NULL, 0, 0,
                     "PDF writer: outline \"%s\" points at page %zu of %zu",
                     o->title, o->page + 1, d->npages);
    HPDF_Outline entry = HPDF_CreateOutline(w->pdf, NULL, "", NULL);
    if (!entry ||
        HPDF_Dict_Add(entry, "Title", lp_pdfobj_text_string(w->pdf, o->title)) != HPDF_OK)
      return haru_fail(w, "adding an outline");
    double height = d->pages[o->page].height;
    double top = o->y < height ? o->y : height;
    if (HPDF_Dict_Add(entry, "Dest", destination(w, pages[o->page], top)) !=
        HPDF_OK)
      return haru_fail(w, "adding an outline");
  }
  if (d->noutlines &&
      HPDF_SetPageMode(w->pdf, HPDF_PAGE_MODE_USE_OUTLINE) != HPDF_OK)
    return haru_fail(w, "setting the page mode");
  return true;
}

/* Sets /CreationDate and /ModDate from an epoch time (UTC). */
static bool write_dates(writer *w, long long epoch) {
  HPDF_Date date;
  if (!lp_pdfobj_date(epoch, &date))
    return lp_fail(w->err, LP_ERR_PDF, NULL, 0, 0,
                   "PDF writer: document date %lld is out of range", epoch);
  if (HPDF_SetInfoDateAttr(w->pdf, HPDF_INFO_CREATION_DATE, date) != HPDF_OK ||
      HPDF_SetInfoDateAttr(w->pdf, HPDF_INFO_MOD_DATE, date) != HPDF_OK)
    return haru_fail(w, "setting the document dates");
  return true;
}

/* The document information dictionary and the catalog's /Lang. */
static bool write_meta(writer *w) {
  const lp_dmeta *m = &w->d->meta;
  /* The dates go first: setting them creates the info dictionary. */
  if (!write_dates(w, m->date)) return false;
  const struct {
    const char *key, *value;
  } entries[] = {{"Title", m->title},     {"Author", m->author},
                 {"Subject", m->subject}, {"Keywords", m->keywords},
                 {"Creator", m->creator}, {"Producer", m->creator}};
  for (size_t i = 0; i < sizeof entries / sizeof *entries; i++) {
    if (!entries[i].value) continue;
    if (HPDF_Dict_Add(w->pdf->info, entries[i].key,
                      lp_pdfobj_text_string(w->pdf, entries[i].value)) != HPDF_OK)
      return haru_fail(w, "setting the document information");
  }
  if (m->lang && *m->lang &&
      HPDF_Dict_Add(w->pdf->catalog, "Lang", lp_pdfobj_text_string(w->pdf, m->lang)) !=
          HPDF_OK)
    return haru_fail(w, "setting the document language");
  return true;
}

/* Saves the document into libharu's memory stream and appends it to out. */
static bool save(writer *w, lp_buf *out) {
  if (HPDF_SaveToStream(w->pdf) != HPDF_OK)
    return haru_fail(w, "saving the document");
  HPDF_UINT32 size = HPDF_GetStreamSize(w->pdf);
  LP_GROW(out->data, out->cap, out->len + (size_t)size + 1);
  HPDF_UINT32 done = 0;
  while (done < size) {
    HPDF_UINT32 n = size - done;
    HPDF_STATUS st =
        HPDF_ReadFromStream(w->pdf, out->data + out->len + done, &n);
    if ((st != HPDF_OK && st != HPDF_STREAM_EOF) || n == 0)
      return haru_fail(w, "reading the saved document");
    done += n;
  }
  out->len += size;
  out->data[out->len] = '\0';
  return true;
}

/* The trailer /ID: a hash of the pages' content and the metadata (so the
 * same input, under SOURCE_DATE_EPOCH, gives the same bytes; PDF/A needs
 * one, 19005-2 6.1.3). */
static bool write_id(writer *w) {
  const lp_dmeta *m = &w->d->meta;
  const char *texts[] = {m->title,   m->author, m->subject, m->keywords,
                         m->creator, m->lang};
  bool ok = true;
  for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
    ok = ok && EVP_DigestUpdate(w->id, texts[i] ? texts[i] : "",
                                texts[i] ? strlen(texts[i]) + 1 : 1);
  for (size_t i = 0; i < m->nattachments; i++)
    ok = ok &&
         EVP_DigestUpdate(w->id, m->attachments[i].name,
                          strlen(m->attachments[i].name) + 1) &&
         EVP_DigestUpdate(w->id, m->attachments[i].json,
                          strlen(m->attachments[i].json) + 1);
  ok = ok && EVP_DigestUpdate(w->id, &m->date, sizeof m->date);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!ok || !EVP_DigestFinal_ex(w->id, digest, &n) || n < 32)
    return lp_fail(w->err, LP_ERR_PDF, NULL, 0, 0,
                   "PDF writer: could not hash the document for its /ID");
  return lp_pdfstd_set_id(w->pdf, digest, w->err);
}

/* Moves the structure tree's objects of the PDF saved at out[start..]
 * into compressed object streams: a hundred small dictionaries a letter,
 * a few hundred bytes once packed.  Not in PDF/A: PDF/A-1 is PDF 1.4 (no
 * object streams), and PDF/A-2 and -3, which allow them, are kept to the
 * classic table that PDFBox Preflight, the validator the tests run, reads
 * (it stops at a cross-reference stream). */
static bool pack_structure(writer *w, lp_buf *out, size_t start) {
  size_t n = 0;
  const uint32_t *ids = w->tags ? lp_pdftags_objects(w->tags, &n) : NULL;
  if (!ids || w->d->meta.pdfa_part) return true;
  return lp_objstm_pack(out, start, ids, n, w->err);
}

/* Builds the whole document in w->pdf and saves it into out. */
static bool write_document(writer *w, lp_buf *out) {
  const lp_display *d = w->d;
  if (!lp_embed_collect(&w->embed, d) || !lp_embed_write_fonts(&w->embed))
    return false;
  HPDF_Page *pages = lp_xcalloc(d->npages, sizeof *pages);
  lp_buf content = {0};
  bool ok = true;
  for (size_t p = 0; p < d->npages && ok; p++) {
    w->page_no = p;
    pages[p] = write_page(w, &d->pages[p], &content);
    ok = pages[p] != NULL &&
         EVP_DigestUpdate(w->id, content.data ? (void *)content.data : "",
                          content.len);
  }
  lp_buf_free(&content);
  if (!ok) {
    free(pages);
    return haru_fail(w, "writing a page");
  }
  ok = write_outlines(w, pages) && lp_forms_write(w->pdf, pages, d, w->err) &&
       write_links(w, pages) &&
       (!w->tags || lp_pdftags_write(w->tags, w->pdf, pages, w->err));
  free(pages);
  size_t start = out->len;
  return ok && write_meta(w) && lp_pdfstd_write(w->pdf, &d->meta, w->err) &&
         write_id(w) && save(w, out) && pack_structure(w, out, start);
}

/* Writes d as a PDF appended to out: one libharu document, freed on every
 * path. */
bool lp_pdf_write(const lp_display *d, lp_buf *out, lp_error *err) {
  return lp_pdf_write_cached(d, NULL, out, err);
}

bool lp_pdf_write_cached(const lp_display *d, lp_embed_cache *cache,
                         lp_buf *out, lp_error *err) {
  if (!d->npages)
    return lp_fail(err, LP_ERR_PDF, NULL, 0, 0,
                   "PDF writer: the document has no pages");
  writer w = {.d = d, .err = err};
  w.pdf = HPDF_New(lp_pdfobj_on_haru_error, &w.haru);
  if (!w.pdf) return haru_fail(&w, "creating the document");
  w.embed = (lp_embed){.pdf = w.pdf, .haru = &w.haru, .err = err,
                       .cache = cache, .hinting = d->meta.hinting,
                       .cid_set = d->meta.pdfa_part == 1};
  /* PDF/A-2 and PDF/UA-1 are based on PDF 1.7 (ISO 32000-1), PDF/A-1 on
   * PDF 1.4. */
  w.pdf->pdf_version = lp_pdfstd_any(&d->meta) && d->meta.pdfa_part != 1
                           ? HPDF_VER_17
                           : HPDF_VER_14; /* PDF/A-1: PDF 1.4 */
  /* PDF/UA and PDF/A level a are tagged whatever `tagged` says. */
  if (d->meta.tagged || d->meta.pdfua || d->meta.pdfa_level == 'a')
    w.tags = lp_pdftags_new(d);
  w.id = EVP_MD_CTX_new();
  if (!w.id || !EVP_DigestInit_ex(w.id, EVP_sha256(), NULL)) {
    EVP_MD_CTX_free(w.id);
    lp_pdftags_free(w.tags);
    HPDF_Free(w.pdf);
    return lp_fail(err, LP_ERR_PDF, NULL, 0, 0,
                   "PDF writer: could not start the document hash");
  }
  bool ok = HPDF_SetCompressionMode(w.pdf, HPDF_COMP_ALL) == HPDF_OK
                ? write_document(&w, out)
                : haru_fail(&w, "setting compression");
  lp_embed_free(&w.embed);
  lp_pdftags_free(w.tags);
  EVP_MD_CTX_free(w.id);
  free(w.images);
  HPDF_Free(w.pdf);
  return ok;
}
