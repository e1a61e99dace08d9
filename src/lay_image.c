/* lay_image.c - images in the layout: read, sized, set as blocks. */
#include "lay_image.h"

#include <math.h>
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

/* The size of img on the page: its pixels at IMAGE_DPI, scaled down (never
 * up) to fit max_w by max_h, keeping its proportions. */
void lp_lay_image_size(const lp_dimage_data *img, double max_w, double max_h,
                       double *w, double *h) {
  *w = img->px_w * 72.0 / IMAGE_DPI;
  *h = img->px_h * 72.0 / IMAGE_DPI;
  double k = 1;
  if (*w > max_w) k = max_w / *w;
  if (*h * k > max_h) k = max_h / *h;
  *w *= k;
  *h *= k;
}

/* Loads an image file (relative to the template) through the engine's
 * image cache (read and checked once for all letters), keeping one
 * reference for the layout's lifetime.  line and column locate the
 * reference. */
/* Whether a PNG file has transparency: an alpha channel (colour type 4
 * or 6) or a tRNS chunk before its image data. */
static bool png_has_alpha(const unsigned char *d, size_t len) {
  if (len < 33) return false;
  if (d[25] == 4 || d[25] == 6) return true;
  for (size_t pos = 8; pos + 8 <= len;) {
    size_t n = (size_t)d[pos] << 24 | (size_t)d[pos + 1] << 16 |
               (size_t)d[pos + 2] << 8 | d[pos + 3];
    if (!memcmp(d + pos + 4, "tRNS", 4)) return true;
    if (!memcmp(d + pos + 4, "IDAT", 4) || n > len - pos - 8) return false;
    pos += n + 12;
  }
  return false;
}

lp_dimage_data *lp_lay_load_image(L *l, const char *path, int line,
                                  int column) {
  lp_dimage_data *img = NULL;
  lp_error e = {0};
  if (!lp_image_cache_read(l->doc.env->images, path, l->doc.tpl->base_dir,
                           &img, &e)) {
    lp_fail(l->doc.err, LP_ERR_INPUT, l->doc.tpl->name, line, column,
            "image '%s': %s", path, e.message);
    return NULL;
  }
  const lp_limits *lim = l->doc.env->limits;
  unsigned long long px = (unsigned long long)img->px_w * (unsigned)img->px_h;
  if (lim && lim->max_image_pixels && px > lim->max_image_pixels) {
    lp_fail(l->doc.err, LP_ERR_INPUT, l->doc.tpl->name, line, column,
            "image '%s' has %d x %d pixels, more than the limit of %llu: "
            "make it smaller, or raise the limit with --max-image-pixels",
            path, img->px_w, img->px_h, lim->max_image_pixels);
    lp_dimage_data_unref(img);
    return NULL;
  }
  if (!lp_image_cache_check(l->doc.env->images, img, &e)) {
    lp_fail(l->doc.err, LP_ERR_INPUT, l->doc.tpl->name, line, column,
            "image '%s': %s", path, e.message);
    lp_dimage_data_unref(img);
    return NULL;
  }
  /* PDF/A-1 forbids transparency (19005-1 6.4): a PNG's alpha would
   * become a soft mask.  Refused rather than composed onto white, which
   * would hide the text under a seal. */
  if (l->doc.tpl->meta.pdfa_part == 1 && img->kind == LP_IMAGE_PNG &&
      png_has_alpha(img->bytes, img->len)) {
    lp_fail(l->doc.err, LP_ERR_INPUT, l->doc.tpl->name, line, column,
            "image '%s' has transparency, which PDF/A-1 (pdf-standard "
            "a-1b) forbids: use a-2b, or an image without an alpha "
            "channel",
            path);
    lp_dimage_data_unref(img);
    return NULL;
  }
  LP_GROW(l->doc.images, l->doc.images_cap, l->doc.nimages + 1);
  l->doc.images[l->doc.nimages++] = img;
  return img;
}

/* Adds a line box holding img, scaled to fit the column and at most
 * max_h high, placed in the column as align places text. */
lbox *lp_lay_image_box(L *l, lp_dimage_data *img, double left, double width,
                       double max_h, align_t align) {
  double w, h;
  lp_lay_image_size(img, width, max_h, &w, &h);
  lbox *b = lp_lay_new_box(l);
  b->before = l->style.para_space * l->style.size;
  b->height = h;
  b->baseline = h;
  LP_GROW(l->letter.pimages, l->letter.pimages_cap, l->letter.npimages + 1);
  l->letter.pimages[l->letter.npimages++] = (pimage){
      img, left + lp_lay_align_offset(align, width, w), 0, w, h, false, 0};
  b->i1 = l->letter.npimages;
  b->para = l->letter.npara++;
  b->nlines = 1;
  return b;
}

/* The template line and column (in characters) where the image node is
 * written. */
static void image_position(const L *l, cmark_node *node, int *line,
                           int *column) {
  int expanded = cmark_node_get_start_line(node);
  int body_line = lp_fill_body_line(l->doc.env->fill, expanded);
  *line = lp_fill_file_line(l->doc.env->fill, expanded);
  *column = lp_lay_body_column(l, body_line, cmark_node_get_start_column(node));
}

/* Notes that the image node has been drawn or reported (see
 * warn_lost_images). */
static void image_placed(L *l, cmark_node *node) {
  LP_GROW(l->doc.placed, l->doc.placed_cap, l->doc.nplaced + 1);
  l->doc.placed[l->doc.nplaced++] = node;
}

/* Reports, at its position, that the image node is not drawn and why. */
void lp_lay_warn_image(L *l, cmark_node *node, const char *why) {
  image_placed(l, node);
  int line, column;
  image_position(l, node, &line, &column);
  const char *url = cmark_node_get_url(node);
  lp_lay_warn(l, l->doc.tpl->name, line, column,
              "image '%s' is not drawn: %s", url ? url : "", why);
}


/* Lays out the image node as a block of its own in the column of st,
 * placed as st aligns its text, scaled to fit the column and at most
 * IMAGE_MAX_H_FRAC of the text height, with st's space above it; it
 * keeps with the next block if st's text does (a heading's image). */
bool lp_lay_image(L *l, cmark_node *node, const pstyle *st) {
  const char *url = cmark_node_get_url(node);
  int line, column;
  image_position(l, node, &line, &column);
  lp_dimage_data *img = lp_lay_load_image(l, url ? url : "", line, column);
  if (!img) return false;
  double w, h, max_h = lp_lay_text_height(l) * IMAGE_MAX_H_FRAC;
  lp_lay_image_size(img, st->width, max_h, &w, &h);
  if (w < 1 || h < 1) { /* a table column squeezed to nothing */
    lp_lay_warn_image(l, node,
                      "there is no room for it here (widen the column)");
    return true;
  }
  lbox *b = lp_lay_image_box(l, img, st->left, st->width, max_h, st->align);
  /* A Figure with the Markdown alt text (14.9.3 /Alt). */
  lp_buf alt = {0};
  lp_lay_inline_text(node, true, &alt);
  char *alt_s = lp_buf_strdup(&alt);
  /* PDF/UA-1 7.3: a figure has alternative text. */
  if (l->doc.tpl->meta.pdfua && !*alt_s) {
    free(alt_s);
    lp_buf_free(&alt);
    return lp_fail(l->doc.err, LP_ERR_INPUT, l->doc.tpl->name, line, column,
                   "image '%s' has no alt text, which PDF/UA (pdf-standard "
                   "ua-1) requires: write it in the brackets, "
                   "![what it shows](%s)",
                   url ? url : "", url ? url : "");
  }
  uint32_t fig = lp_lay_figure(l, l->letter.tag, false, alt_s);
  free(alt_s);
  lp_buf_free(&alt);
  l->letter.pimages[b->i1 - 1].tag = fig;
  b->before = st->before;
  b->keep_with_next = st->keep_with_next;
  b->outline = st->outline;
  image_placed(l, node);
  return true;
}
