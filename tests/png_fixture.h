/* png_fixture.h - test images: writes a PNG of one colour with libpng's
 * simplified API, for the tests that lay out or cache images. */
#ifndef LP_PNG_FIXTURE_H
#define LP_PNG_FIXTURE_H

#include <png.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes dir/name, a w x h RGBA PNG of one colour; false on failure. */
static inline bool fixture_png(const char *dir, const char *name, int w,
                               int h) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  png_image im;
  memset(&im, 0, sizeof im);
  im.version = PNG_IMAGE_VERSION;
  im.width = (png_uint_32)w;
  im.height = (png_uint_32)h;
  im.format = PNG_FORMAT_RGBA;
  unsigned char *px = malloc((size_t)w * (size_t)h * 4);
  if (!px) return false;
  for (size_t k = 0; k < (size_t)w * (size_t)h; k++)
    memcpy(px + 4 * k, "\x30\x80\xc0\xff", 4);
  int ok = png_image_write_to_file(&im, path, 0, px, 0, NULL);
  free(px);
  return ok != 0;
}

#endif
