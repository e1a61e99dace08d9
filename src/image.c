/* image.c - PNG and JPEG files: kind and pixel size from their headers. */
#include "image.h"

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "util.h"

#include <stdio.h>

/* Big-endian integers. */
static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }
static unsigned long be32(const unsigned char *p) {
  return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 |
         (unsigned long)p[2] << 8 | p[3];
}

/* A JPEG's size is in its first SOFn segment (ITU T.81 B.2.2); segments
 * before it are skipped by their lengths. */
static bool probe_jpeg(const unsigned char *d, size_t len, int *w, int *h) {
  size_t i = 2;
  while (i + 4 <= len) {
    if (d[i] != 0xFF) return false;
    unsigned marker = d[i + 1];
    if (marker == 0xFF) {
      i++;
      continue;
    }
    if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) ||
        marker == 0x01) {
      i += 2;
      continue;
    }
    unsigned seg = be16(d + i + 2);
    if (seg < 2) return false;
    bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 &&
               marker != 0xC8 && marker != 0xCC;
    if (sof) {
      if (i + 9 > len) return false;
      *h = (int)be16(d + i + 5);
      *w = (int)be16(d + i + 7);
      return *w > 0 && *h > 0;
    }
    i += 2 + seg;
  }
  return false;
}

bool lp_image_probe(const unsigned char *d, size_t len, int *kind, int *w,
                    int *h) {
  static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n',
                                       0x1A, '\n'};
  if (len >= 24 && !memcmp(d, png, 8) && !memcmp(d + 12, "IHDR", 4)) {
    unsigned long pw = be32(d + 16), ph = be32(d + 20);
    if (pw == 0 || ph == 0 || pw > 1000000 || ph > 1000000) return false;
    *kind = LP_IMAGE_PNG;
    *w = (int)pw;
    *h = (int)ph;
    return true;
  }
  if (len >= 4 && d[0] == 0xFF && d[1] == 0xD8 && probe_jpeg(d, len, w, h)) {
    *kind = LP_IMAGE_JPEG;
    return true;
  }
  return false;
}

bool lp_image_read(const char *path, const char *base_dir,
                   lp_dimage_data **out, lp_error *err) {
  lp_buf full = {0};
  if (path[0] != '/' && base_dir && *base_dir)
    lp_buf_printf(&full, "%s/%s", base_dir, path);
  else if (!strcmp(path, "-")) /* a file named "-", not standard input */
    lp_buf_puts(&full, "./-");
  else
    lp_buf_puts(&full, path);
  lp_buf data = {0};
  bool ok = lp_read_file((char *)full.data, &data, err);
  int kind = 0, w = 0, h = 0;
  if (ok && !lp_image_probe(data.data, data.len, &kind, &w, &h))
    ok = lp_fail(err, LP_ERR_INPUT, (char *)full.data, 0, 0,
                 "not a PNG or JPEG image: convert it to PNG or JPEG");
  if (ok) *out = lp_dimage_data_new(data.data, data.len, kind, w, h);
  lp_buf_free(&data);
  lp_buf_free(&full);
  return ok;
}

/* Where a PNG being checked is read from, and what went wrong. */
typedef struct png_source {
  const unsigned char *data;
  size_t len, at;
  char message[160];
} png_source;

static void png_read_mem(png_structp png, png_bytep out, png_size_t n) {
  png_source *src = png_get_io_ptr(png);
  if (n > src->len - src->at) png_error(png, "the file ends early");
  memcpy(out, src->data + src->at, n);
  src->at += n;
}

/* libpng's error callback: keeps the message and jumps back. */
static void png_on_error(png_structp png, png_const_charp msg) {
  png_source *src = png_get_error_ptr(png);
  snprintf(src->message, sizeof src->message, "%s", msg);
  png_longjmp(png, 1);
}

static void png_on_warning(png_structp png, png_const_charp msg) {
  (void)png, (void)msg;
}

bool lp_image_check(const lp_dimage_data *img, lp_error *err) {
  if (img->kind != LP_IMAGE_PNG) return true;
  /* On the heap, reached through a pointer that never changes: what the
   * callbacks write to it is still defined after a longjmp. */
  png_source *const src = lp_xcalloc(1, sizeof *src);
  src->data = img->bytes;
  src->len = img->len;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, src,
                                           png_on_error, png_on_warning);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  png_bytep row = NULL;
  if (!png || !info) {
    png_destroy_read_struct(&png, &info, NULL);
    free(src);
    return lp_fail(err, LP_ERR_NOMEM, NULL, 0, 0, "cannot check a PNG");
  }
  /* volatile: changed between setjmp and a longjmp back to it. */
  volatile bool ok = false;
  png_bytep volatile rowbuf = NULL;
  if (setjmp(png_jmpbuf(png)) == 0) {
    png_set_read_fn(png, src, png_read_mem);
    png_read_info(png, info);
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    png_uint_32 h = png_get_image_height(png, info);
    rowbuf = lp_xmalloc(png_get_rowbytes(png, info));
    for (int p = 0; p < passes; p++)
      for (png_uint_32 y = 0; y < h; y++) png_read_row(png, rowbuf, NULL);
    png_read_end(png, NULL);
    ok = true;
  }
  row = rowbuf;
  free(row);
  png_destroy_read_struct(&png, &info, NULL);
  if (!ok)
    lp_fail(err, LP_ERR_INPUT, NULL, 0, 0,
            "a damaged PNG (%s): save it again from an image editor",
            src->message[0] ? src->message : "unreadable");
  free(src);
  return ok;
}
