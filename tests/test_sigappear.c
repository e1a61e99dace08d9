/* test_sigappear.c - a signature's appearance (sigappear.c): the seal
 * image read for it (alpha kept as a soft mask, or composed onto white for
 * PDF/A-1; an empty file an error), and where it is drawn beside or above
 * the text. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <png.h>

#include "check.h"
#include "sigappear.h"

/* Writes path: a w x h RGBA PNG, pixel k opaque red when k is even, else
 * fully transparent. */
static bool half_clear_png(const char *path, int w, int h) {
  png_image im;
  memset(&im, 0, sizeof im);
  im.version = PNG_IMAGE_VERSION;
  im.width = (png_uint_32)w, im.height = (png_uint_32)h;
  im.format = PNG_FORMAT_RGBA;
  unsigned char *px = calloc((size_t)w * (size_t)h, 4);
  for (size_t k = 0; k < (size_t)w * (size_t)h; k += 2)
    memcpy(px + 4 * k, "\xc8\x14\x14\xff", 4);
  int ok = png_image_write_to_file(&im, path, 0, px, 0, NULL);
  free(px);
  return ok != 0;
}

/* Inflates a /FlateDecode stream (zlib) of n bytes expected. */
#include <zlib.h>
static bool inflate_to(const lp_buf *z, unsigned char *out, size_t n) {
  uLongf len = (uLongf)n;
  return uncompress(out, &len, z->data, (uLong)z->len) == Z_OK && len == n;
}

static void test_image(const char *dir) {
  char path[512];
  snprintf(path, sizeof path, "%s/seal.png", dir);
  CHECK(half_clear_png(path, 4, 2));
  lp_sigimage im;
  lp_error err = {0};
  CHECK(lp_sigimage_load(path, false, &im, &err));
  CHECK(im.width == 4 && im.height == 2 && !strcmp(im.colorspace, "/DeviceRGB"));
  CHECK(im.smask.len > 0); /* the alpha kept */
  unsigned char a[8];
  CHECK(inflate_to(&im.smask, a, 8) && a[0] == 255 && a[1] == 0);
  lp_sigimage_free(&im);
  /* PDF/A-1: composed onto white, no mask. */
  CHECK(lp_sigimage_load(path, true, &im, &err));
  unsigned char rgb[24];
  CHECK(im.smask.len == 0 && inflate_to(&im.data, rgb, 24));
  CHECK(rgb[0] == 0xc8 && rgb[1] == 0x14 && rgb[3] == 255 && rgb[4] == 255 && rgb[5] == 255);
  lp_sigimage_free(&im);
  /* An empty file: an error naming it. */
  snprintf(path, sizeof path, "%s/empty.png", dir);
  fclose(fopen(path, "wb"));
  CHECK(!lp_sigimage_load(path, false, &im, &err));
  CHECK(strstr(err.message, "0 bytes") && strstr(err.file, "empty.png"));
  CHECK(im.data.len == 0);
  /* Too many pixels (from the header alone: 10000 x 10000). */
  snprintf(path, sizeof path, "%s/huge.png", dir);
  FILE *f = fopen(path, "wb");
  static const unsigned char head[] = {
      0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
      0, 0, 0x27, 0x10, 0, 0, 0x27, 0x10, 8, 6, 0, 0, 0, 0, 0, 0, 0};
  fwrite(head, 1, sizeof head, f);
  fclose(f);
  CHECK(!lp_sigimage_load(path, false, &im, &err));
  CHECK(strstr(err.message, "more than a seal needs") != NULL);
}

/* Where the seal goes: beside the text in a wide box, above it in a
 * narrow one (the cm before /Seal Do). */
static void test_place(void) {
  lp_sigimage im = {.width = 100, .height = 100};
  lp_sigappear a = {"Signer", 1700000000, NULL, NULL, "zh-CN", 150, 30, &im};
  lp_buf out = {0};
  lp_sigappear_draw(NULL, &a, &out); /* no fonts: the image only */
  double w, h, x, y;
  CHECK(out.data && sscanf((char *)out.data, "q %lf 0 0 %lf %lf %lf cm /Seal Do Q", &w, &h, &x, &y) == 4);
  CHECK(w == 26 && h == 26 && x == 2 && y == 2); /* left, full height */
  lp_buf_free(&out);
  a.w = 60, a.h = 80;
  lp_sigappear_draw(NULL, &a, &out);
  CHECK(out.data && sscanf((char *)out.data, "q %lf 0 0 %lf %lf %lf cm /Seal Do Q", &w, &h, &x, &y) == 4);
  CHECK(w == 44 && h == 44 && x == 8 && y == 34); /* on top, centred */
  lp_buf_free(&out);
}

int main(void) {
  char dir[] = "/tmp/lp-sigappear-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  test_image(dir);
  test_place();
  return CHECK_DONE();
}
