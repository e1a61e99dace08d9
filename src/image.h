/* image.h - image files for the layout: reads a PNG or JPEG file and finds
 * its kind and size in pixels, without decoding it (the PDF writer embeds
 * it through libharu); checks a PNG by decoding it once; and the image
 * cache, through which every letter an engine renders shares one read and
 * one check of each file.
 */
#ifndef LP_IMAGE_H
#define LP_IMAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "display.h"
#include "letterpress.h"

/* Reads the image at path (relative paths against base_dir, which may be
 * NULL).  On success *out is a new image with one reference (the caller's;
 * release with lp_dimage_data_unref).  Errors name the file; the caller
 * adds where it was asked for. */
bool lp_image_read(const char *path, const char *base_dir,
                   lp_dimage_data **out, lp_error *err);

/* Decodes a PNG once, row by row, to prove that the PDF writer (libharu,
 * whose libpng errors abort the process) can read it: every chunk, CRC and
 * row.  JPEGs pass (libharu embeds them without decoding).  Call it after
 * checking the pixel limit: it takes time in proportion to the pixels. */
bool lp_image_check(const lp_dimage_data *img, lp_error *err);

/* Finds the kind (LP_IMAGE_PNG or LP_IMAGE_JPEG) and pixel size of image
 * file data; false if it is neither or is truncated. */
bool lp_image_probe(const unsigned char *data, size_t len, int *kind,
                    int *width, int *height);

/* Image files read and checked, kept by an engine across documents, so
 * that the letterhead, the seal and the body's images are read and
 * decoded once for all the letters of a merge, and a letter that uses a
 * file twice embeds it once.  A file is known by its resolved path and its
 * identity on disk (device, inode, size, modification time): one changed
 * since is read again.  Bounded: emptied when it would hold more than
 * LP_IMAGE_CACHE_BYTES.  Not thread-safe: one per engine. */
typedef struct lp_image_cache lp_image_cache;

#define LP_IMAGE_CACHE_BYTES (64u << 20)

/* An empty cache; free with lp_image_cache_free. */
lp_image_cache *lp_image_cache_new(void);
/* Drops the cache's references (images still placed on pages stay). */
void lp_image_cache_free(lp_image_cache *cache);

/* lp_image_read through cache (NULL: read the file anew): the same file
 * unchanged gives the same image.  *out is a new reference, the caller's. */
bool lp_image_cache_read(lp_image_cache *cache, const char *path,
                         const char *base_dir, lp_dimage_data **out,
                         lp_error *err);

/* lp_image_check of img, done once per image the cache holds (NULL or an
 * image it does not hold: checked each time). */
bool lp_image_cache_check(lp_image_cache *cache, const lp_dimage_data *img,
                          lp_error *err);

/* How many files the cache has read (for tests: a second letter reads
 * none). */
size_t lp_image_cache_reads(const lp_image_cache *cache);

#endif
