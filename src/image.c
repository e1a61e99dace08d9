/* image.c - PNG and JPEG files: kind and pixel size from their headers, a
 * PNG checked by decoding it, and the image cache that shares both. */
#include "image.h"

#include <setjmp.h>
#include <sys/stat.h>
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

/* The path of the file path names: relative paths against base_dir. */
static void full_path(const char *path, const char *base_dir, lp_buf *full) {
  if (path[0] != '/' && base_dir && *base_dir)
    lp_buf_printf(full, "%s/%s", base_dir, path);
  else if (!strcmp(path, "-")) /* a file named "-", not standard input */
    lp_buf_puts(full, "./-");
  else
    lp_buf_puts(full, path);
}

bool lp_image_read(const char *path, const char *base_dir,
                   lp_dimage_data **out, lp_error *err) {
  lp_buf full = {0};
  full_path(path, base_dir, &full);
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

/* A file the cache holds: its resolved path, identity on disk, image, and
 * whether the image passed lp_image_check. */
typedef struct cached_image {
  char *path;
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime;
  lp_dimage_data *img; /* one reference, the cache's */
  bool checked;
} cached_image;

struct lp_image_cache {
  cached_image *items;
  size_t n, cap;
  size_t bytes; /* of the images held */
  size_t reads; /* files read so far */
};

lp_image_cache *lp_image_cache_new(void) {
  return lp_xcalloc(1, sizeof(lp_image_cache));
}

/* Drops every image the cache holds. */
static void cache_clear(lp_image_cache *c) {
  for (size_t i = 0; i < c->n; i++) {
    free(c->items[i].path);
    lp_dimage_data_unref(c->items[i].img);
  }
  c->n = 0;
  c->bytes = 0;
}

void lp_image_cache_free(lp_image_cache *c) {
  if (!c) return;
  cache_clear(c);
  free(c->items);
  free(c);
}

/* Whether the entry still describes the file st is about. */
static bool same_file(const cached_image *e, const struct stat *st) {
  return e->dev == st->st_dev && e->ino == st->st_ino &&
         e->size == st->st_size && e->mtime.tv_sec == st->st_mtim.tv_sec &&
         e->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* The entry for the resolved path, or NULL. */
static cached_image *cache_find(lp_image_cache *c, const char *path) {
  for (size_t i = 0; i < c->n; i++)
    if (!strcmp(c->items[i].path, path)) return &c->items[i];
  return NULL;
}

/* Removes entry e (its reference dropped). */
static void cache_remove(lp_image_cache *c, cached_image *e) {
  c->bytes -= e->img->len;
  free(e->path);
  lp_dimage_data_unref(e->img);
  *e = c->items[--c->n];
}

bool lp_image_cache_read(lp_image_cache *c, const char *path,
                         const char *base_dir, lp_dimage_data **out,
                         lp_error *err) {
  if (!c) return lp_image_read(path, base_dir, out, err);
  lp_buf full = {0};
  full_path(path, base_dir, &full);
  const char *key = (const char *)full.data;
  struct stat st;
  bool known = stat(key, &st) == 0 && S_ISREG(st.st_mode);
  cached_image *e = cache_find(c, key);
  if (e && known && same_file(e, &st)) {
    e->img->refs++;
    *out = e->img;
    lp_buf_free(&full);
    return true;
  }
  if (e) cache_remove(c, e);
  bool ok = lp_image_read(path, base_dir, out, err);
  c->reads++;
  if (ok && known) {
    if (c->bytes + (*out)->len > LP_IMAGE_CACHE_BYTES) cache_clear(c);
    LP_GROW(c->items, c->cap, c->n + 1);
    (*out)->refs++;
    c->items[c->n++] = (cached_image){lp_xstrdup(key), st.st_dev,
                                      st.st_ino,       st.st_size,
                                      st.st_mtim,      *out,
                                      false};
    c->bytes += (*out)->len;
  }
  lp_buf_free(&full);
  return ok;
}

bool lp_image_cache_check(lp_image_cache *c, const lp_dimage_data *img,
                          lp_error *err) {
  cached_image *e = NULL;
  for (size_t i = 0; c && i < c->n && !e; i++)
    if (c->items[i].img == img) e = &c->items[i];
  if (e && e->checked) return true;
  bool ok = lp_image_check(img, err);
  if (e && ok) e->checked = true;
  return ok;
}

size_t lp_image_cache_reads(const lp_image_cache *c) { return c->reads; }
