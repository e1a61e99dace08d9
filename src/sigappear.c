/* sigappear.c - draws a signature's visible appearance. */
#include "sigappear.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <png.h>
#include <zlib.h>

#include "image.h"
#include "locales.h"
#include "pdfobj.h"
#include "shape.h"

/* The appearance: lines of text fill at most this part of the field. */
#define APPEARANCE_MAX_SIZE 10.0
#define APPEARANCE_LEADING 1.2
#define APPEARANCE_PAD 2.0
/* A box this much wider than high puts the image beside the text; a
 * narrower one puts it above, in this part of the height. */
#define APPEARANCE_BESIDE_RATIO 1.6
#define APPEARANCE_IMAGE_ABOVE 0.6
/* Pixels a seal image may have: a 40 mm seal at 600 dpi is 900 x 900;
 * this is ample and keeps a hostile file from taking gigabytes. */
#define SIGIMAGE_MAX_PIXELS (25ull * 1000 * 1000)

/* Where glyph outlines go: the stream, and how font units map to pt. */
typedef struct pen {
  lp_buf *b;
  double x0, y0, scale; /* page offset of the glyph origin; pt per unit */
} pen;

/* Writes a point of an outline, in pt. */
static void pt(pen *p, float x, float y) {
  /* Formatted by hand (pdfobj.h): printf's %f is most of a signature's
   * cost, an outline being hundreds of points. */
  lp_pdfobj_put_milli(p->b, lp_pdfobj_milli(p->x0 + x * p->scale));
  lp_buf_append(p->b, " ", 1);
  lp_pdfobj_put_milli(p->b, lp_pdfobj_milli(p->y0 + y * p->scale));
  lp_buf_append(p->b, " ", 1);
}

/* HarfBuzz draw callbacks: each writes one path operator. */
static void move_to(hb_draw_funcs_t *d, void *data, hb_draw_state_t *st,
                    float x, float y, void *u) {
  (void)d, (void)st, (void)u;
  pt(data, x, y);
  lp_buf_puts(((pen *)data)->b, "m\n");
}

static void line_to(hb_draw_funcs_t *d, void *data, hb_draw_state_t *st,
                    float x, float y, void *u) {
  (void)d, (void)st, (void)u;
  pt(data, x, y);
  lp_buf_puts(((pen *)data)->b, "l\n");
}

/* A quadratic Bézier as the cubic with control points 2/3 of the way to
 * the quadratic's control point. */
static void quad_to(hb_draw_funcs_t *d, void *data, hb_draw_state_t *st,
                    float cx, float cy, float x, float y, void *u) {
  (void)d, (void)u;
  float x0 = st->current_x, y0 = st->current_y;
  pt(data, x0 + 2.0f / 3 * (cx - x0), y0 + 2.0f / 3 * (cy - y0));
  pt(data, x + 2.0f / 3 * (cx - x), y + 2.0f / 3 * (cy - y));
  pt(data, x, y);
  lp_buf_puts(((pen *)data)->b, "c\n");
}

static void cubic_to(hb_draw_funcs_t *d, void *data, hb_draw_state_t *st,
                     float c1x, float c1y, float c2x, float c2y, float x,
                     float y, void *u) {
  (void)d, (void)st, (void)u;
  pt(data, c1x, c1y);
  pt(data, c2x, c2y);
  pt(data, x, y);
  lp_buf_puts(((pen *)data)->b, "c\n");
}

static void close_path(hb_draw_funcs_t *d, void *data, hb_draw_state_t *st,
                       void *u) {
  (void)d, (void)st, (void)u;
  lp_buf_puts(((pen *)data)->b, "h\n");
}

/* Shapes a line of text in chain at size; returns its width. */
static double shape_line(const char *text, lp_chain *chain, double size,
                         lp_shaped *sh) {
  memset(sh, 0, sizeof *sh);
  lp_span span = {0, strlen(text), chain, size, 0};
  lp_shape(text, strlen(text), &span, 1, "und", sh);
  double w = 0;
  for (size_t i = 0; i < sh->count; i++) w += sh->glyphs[i].advance;
  return w;
}

/* The labels per language (the README lists them). */
lp_sign_labels lp_sign_labels_for(const char *lang) {
  /* Simplified or Traditional as the letter's Han forms are (locales.h:
   * zh-Hant, zh-TW, zh-HK, zh-MO, but zh-Hans-TW is Simplified). */
  if (lp_lang_is(lang, "zh"))
    return lp_locales_traditional(lang)
               ? (lp_sign_labels){"簽署人：", "日期：", "原因："}
               : (lp_sign_labels){"签署人：", "日期：", "原因："};
  if (lp_lang_is(lang, "ja")) return (lp_sign_labels){"署名者：", "日付：", "理由："};
  if (lp_lang_is(lang, "ko")) return (lp_sign_labels){"서명자: ", "날짜: ", "사유: "};
  return (lp_sign_labels){"", "Signed ", ""};
}

/* Draws the lines as filled glyph outlines (no font resource: any script,
 * nothing to embed) into a w x h box, as big as fits. */
static void draw_lines(lp_fonts *fonts, const char *const *lines, int n,
                       double x0, double y0, double w, double h, lp_buf *out) {
  if (!fonts) return; /* (an image-only appearance, for tests) */
  lp_chain *chain = lp_fonts_chain(fonts, NULL, "en", LP_STYLE_REGULAR, NULL);
  if (!chain || n == 0) return;
  double size = (h - 2 * APPEARANCE_PAD) / (n * APPEARANCE_LEADING);
  if (size > APPEARANCE_MAX_SIZE) size = APPEARANCE_MAX_SIZE;
  for (int i = 0; i < n; i++) { /* shrink until every line fits */
    lp_shaped sh;
    double lw = shape_line(lines[i], chain, size, &sh);
    lp_shaped_free(&sh);
    if (lw > w - 2 * APPEARANCE_PAD && lw > 0)
      size *= (w - 2 * APPEARANCE_PAD) / lw;
  }
  hb_draw_funcs_t *df = hb_draw_funcs_create();
  hb_draw_funcs_set_move_to_func(df, move_to, NULL, NULL);
  hb_draw_funcs_set_line_to_func(df, line_to, NULL, NULL);
  hb_draw_funcs_set_quadratic_to_func(df, quad_to, NULL, NULL);
  hb_draw_funcs_set_cubic_to_func(df, cubic_to, NULL, NULL);
  hb_draw_funcs_set_close_path_func(df, close_path, NULL, NULL);
  lp_buf_puts(out, "q 0.05 0.15 0.45 rg\n");
  double top = (h + n * size * APPEARANCE_LEADING) / 2;
  for (int i = 0; i < n; i++) {
    lp_shaped sh;
    shape_line(lines[i], chain, size, &sh);
    double x = x0 + APPEARANCE_PAD;
    double y = y0 + top - (i + 0.85) * size * APPEARANCE_LEADING;
    for (size_t k = 0; k < sh.count; k++) {
      const lp_sglyph *g = &sh.glyphs[k];
      if (g->face) {
        pen p = {out, x + g->x_offset, y + g->y_offset, size / g->face->upem};
        hb_font_get_glyph_shape(g->face->hb_font, g->gid, df, &p);
        lp_buf_puts(out, "f\n");
      }
      x += g->advance;
    }
    lp_shaped_free(&sh);
  }
  lp_buf_puts(out, "Q\n");
  hb_draw_funcs_destroy(df);
}

/* Draws the image (as /Seal) beside the text in a wide box, above it in a
 * narrow one, as large as its part of the box allows; leaves the text's
 * box in *tx, *ty, *tw, *th. */
static void place_image(const lp_sigappear *a, double *tx, double *ty,
                        double *tw, double *th, lp_buf *out) {
  const lp_sigimage *im = a->image;
  bool beside = a->w >= a->h * APPEARANCE_BESIDE_RATIO;
  double room_w = beside ? a->w / 2 - 2 * APPEARANCE_PAD : a->w - 2 * APPEARANCE_PAD;
  double room_h = (beside ? a->h : a->h * APPEARANCE_IMAGE_ABOVE) - 2 * APPEARANCE_PAD;
  double k = room_w / im->width;
  if (im->height * k > room_h) k = room_h / im->height;
  double iw = im->width * k, ih = im->height * k;
  double ix = beside ? APPEARANCE_PAD : (a->w - iw) / 2;
  double iy = beside ? (a->h - ih) / 2 : a->h - APPEARANCE_PAD - ih;
  if (iw > 0 && ih > 0)
    lp_buf_printf(out, "q %.3f 0 0 %.3f %.3f %.3f cm /Seal Do Q\n", iw, ih, ix, iy);
  if (beside) {
    *tx = ix + iw, *ty = 0, *tw = a->w - *tx, *th = a->h;
  } else {
    *tx = 0, *ty = 0, *tw = a->w, *th = iy;
  }
}

void lp_sigappear_draw(lp_fonts *fonts, const lp_sigappear *a, lp_buf *content) {
  char when[64];
  time_t tt = (time_t)a->when;
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
  /* In the letter's language (its /Lang), as its reader reads it. */
  lp_sign_labels words = lp_sign_labels_for(a->lang);
  lp_buf l1 = {0};
  lp_buf_printf(&l1, "%s%s", words.signer, a->signer);
  lp_buf l2 = {0};
  lp_buf_printf(&l2, "%s%s", words.date, when);
  lp_buf l3 = {0}; /* reason and location share a line */
  if (a->reason) lp_buf_printf(&l3, "%s%s", words.reason, a->reason);
  if (a->reason && a->location) lp_buf_puts(&l3, " \xC2\xB7 "); /* · */
  if (a->location) lp_buf_puts(&l3, a->location);
  const char *lines[3] = {(char *)l1.data, (char *)l2.data, (char *)l3.data};
  double tx = 0, ty = 0, tw = a->w, th = a->h;
  if (a->image) place_image(a, &tx, &ty, &tw, &th, content);
  draw_lines(fonts, lines, l3.len ? 3 : 2, tx, ty, tw, th, content);
  lp_buf_free(&l1);
  lp_buf_free(&l2);
  lp_buf_free(&l3);
}

/* ---- The image ------------------------------------------------------------ */

/* Compresses data into *out (zlib, as /FlateDecode reads it). */
static bool deflate_into(const unsigned char *data, size_t len, lp_buf *out) {
  uLongf n = compressBound((uLong)len);
  unsigned char *z = lp_xmalloc(n);
  bool ok = compress2(z, &n, data, (uLong)len, 6) == Z_OK;
  if (ok) lp_buf_append(out, z, n);
  free(z);
  return ok;
}

/* Decodes a PNG (libpng's simplified reader, to 8-bit RGBA) into RGB and,
 * when some pixel is not opaque and not flatten, an alpha plane. */
static bool load_png(const lp_buf *file, bool flatten, lp_sigimage *out) {
  png_image im;
  memset(&im, 0, sizeof im);
  im.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&im, file->data, file->len)) return false;
  im.format = PNG_FORMAT_RGBA;
  size_t px = (size_t)im.width * im.height;
  unsigned char *rgba = lp_xmalloc(px * 4);
  bool ok = png_image_finish_read(&im, NULL, rgba, 0, NULL) != 0;
  unsigned char *rgb = lp_xmalloc(px * 3), *alpha = lp_xmalloc(px);
  bool opaque = true;
  for (size_t i = 0; ok && i < px; i++) {
    unsigned a = rgba[4 * i + 3];
    opaque = opaque && a == 255;
    alpha[i] = (unsigned char)a;
    for (int c = 0; c < 3; c++) {
      unsigned v = rgba[4 * i + c];
      /* On white: v a + 255 (1 - a), rounded. */
      rgb[3 * i + c] = flatten ? (unsigned char)((v * a + 255 * (255 - a) + 127) / 255)
                               : (unsigned char)v;
    }
  }
  ok = ok && deflate_into(rgb, px * 3, &out->data) &&
       (flatten || opaque || deflate_into(alpha, px, &out->smask));
  out->width = (int)im.width, out->height = (int)im.height;
  out->colorspace = "/DeviceRGB";
  out->filter = "/FlateDecode";
  png_image_free(&im);
  free(rgba);
  free(rgb);
  free(alpha);
  return ok;
}

/* Reads a JPEG's components from its start-of-frame marker (baseline or
 * progressive), and whether an Adobe marker says its CMYK is inverted. */
static bool jpeg_components(const lp_buf *file, int *components, bool *adobe) {
  const unsigned char *d = file->data;
  *adobe = false;
  for (size_t pos = 2; pos + 4 <= file->len;) {
    if (d[pos] != 0xFF) return false;
    unsigned marker = d[pos + 1];
    size_t n = (size_t)d[pos + 2] << 8 | d[pos + 3];
    if (marker == 0xEE) *adobe = true; /* APP14 "Adobe" */
    if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 &&
        marker != 0xCC) {
      if (pos + 9 >= file->len) return false;
      *components = d[pos + 9];
      return true;
    }
    pos += 2 + n;
  }
  return false;
}

bool lp_sigimage_load(const char *path, bool flatten, lp_sigimage *out,
                      lp_error *err) {
  memset(out, 0, sizeof *out);
  lp_buf file = {0};
  if (!lp_read_file(path, &file, err)) {
    lp_buf_free(&file);
    return false;
  }
  int kind = 0, w = 0, h = 0, comps = 0;
  bool adobe = false, ok;
  if (!file.len) {
    ok = lp_fail(err, LP_ERR_INPUT, path, 0, 0,
                 "the image is empty (0 bytes): give a PNG or JPEG file");
  } else if (!lp_image_probe(file.data, file.len, &kind, &w, &h)) {
    ok = lp_fail(err, LP_ERR_INPUT, path, 0, 0, "not a PNG or JPEG image");
  } else if ((unsigned long long)w * (unsigned)h > SIGIMAGE_MAX_PIXELS) {
    ok = lp_fail(err, LP_ERR_INPUT, path, 0, 0,
                 "%d x %d pixels is more than a seal needs (at most %llu "
                 "million): scale it down", w, h, SIGIMAGE_MAX_PIXELS / 1000000);
  } else if (kind == LP_IMAGE_PNG) {
    ok = load_png(&file, flatten, out) ||
         lp_fail(err, LP_ERR_INPUT, path, 0, 0, "this PNG cannot be decoded");
  } else if (!jpeg_components(&file, &comps, &adobe) ||
             (comps != 1 && comps != 3 && comps != 4)) {
    ok = lp_fail(err, LP_ERR_INPUT, path, 0, 0,
                 "this JPEG has no frame letterpress can read");
  } else {
    out->width = w, out->height = h;
    out->colorspace = comps == 1 ? "/DeviceGray" : comps == 3 ? "/DeviceRGB" : "/DeviceCMYK";
    out->filter = "/DCTDecode";
    out->invert = comps == 4 && adobe;
    out->data = file, file = (lp_buf){0};
    ok = true;
  }
  lp_buf_free(&file);
  if (!ok) lp_sigimage_free(out);
  return ok;
}

void lp_sigimage_free(lp_sigimage *img) {
  lp_buf_free(&img->data);
  lp_buf_free(&img->smask);
  memset(img, 0, sizeof *img);
}
