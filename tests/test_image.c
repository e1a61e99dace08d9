/* test_image.c - image files and the image cache: one read and one check
 * of a file for every letter an engine lays out, a changed file read
 * again, and no cache at all reading anew. */
#include <png.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "png_fixture.h"
#include "image.h"

static char dir[64]; /* where the test's images live */

/* Writes dir/name, a w x h RGBA PNG of one colour. */
static bool write_png(const char *name, int w, int h) {
  return fixture_png(dir, name, w, h);
}

/* The same file, unchanged, is one image read once and checked once;
 * relative and absolute names of it are one file. */
static void test_shared(void) {
  CHECK(write_png("a.png", 20, 10));
  lp_image_cache *c = lp_image_cache_new();
  lp_error err = {0};
  lp_dimage_data *x = NULL, *y = NULL, *z = NULL;
  CHECK(lp_image_cache_read(c, "a.png", dir, &x, &err));
  CHECK(lp_image_cache_read(c, "a.png", dir, &y, &err));
  CHECK(x && x == y && x->px_w == 20);
  CHECK(lp_image_cache_reads(c) == 1);
  CHECK(lp_image_cache_check(c, x, &err));
  CHECK(lp_image_cache_check(c, y, &err));
  lp_dimage_data_unref(x);
  lp_dimage_data_unref(y);
  /* The image outlives the cache for whoever holds it. */
  CHECK(lp_image_cache_read(c, "a.png", dir, &z, &err));
  lp_image_cache_free(c);
  CHECK(z && z->px_w == 20 && z->refs == 1);
  lp_dimage_data_unref(z);
}

/* A file changed on disk since it was read is read again. */
static void test_changed(void) {
  CHECK(write_png("b.png", 20, 10));
  lp_image_cache *c = lp_image_cache_new();
  lp_error err = {0};
  lp_dimage_data *x = NULL, *y = NULL;
  CHECK(lp_image_cache_read(c, "b.png", dir, &x, &err));
  CHECK(write_png("b.png", 30, 10));
  CHECK(lp_image_cache_read(c, "b.png", dir, &y, &err));
  CHECK(x && y && x != y && x->px_w == 20 && y->px_w == 30);
  CHECK(lp_image_cache_reads(c) == 2);
  lp_dimage_data_unref(x);
  lp_dimage_data_unref(y);
  /* A missing file is an error each time, and nothing is kept. */
  CHECK(!lp_image_cache_read(c, "none.png", dir, &x, &err));
  CHECK(strstr(err.file, "none.png") || strstr(err.message, "none.png"));
  lp_image_cache_free(c);
}

/* Without a cache every read reads the file. */
static void test_no_cache(void) {
  lp_error err = {0};
  lp_dimage_data *x = NULL, *y = NULL;
  CHECK(lp_image_cache_read(NULL, "a.png", dir, &x, &err));
  CHECK(lp_image_cache_read(NULL, "a.png", dir, &y, &err));
  CHECK(x && y && x != y);
  CHECK(lp_image_cache_check(NULL, x, &err));
  lp_dimage_data_unref(x);
  lp_dimage_data_unref(y);
}

int main(void) {
  snprintf(dir, sizeof dir, "/tmp/lp-test-image-XXXXXX");
  CHECK(mkdtemp(dir) != NULL);
  test_shared();
  test_changed();
  test_no_cache();
  const char *files[] = {"a.png", "b.png"};
  for (size_t k = 0; k < 2; k++) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, files[k]);
    unlink(path);
  }
  rmdir(dir);
  return CHECK_DONE();
}
