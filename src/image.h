/* image.h - image files for the layout: reads a PNG or JPEG file and finds
 * its kind and size in pixels, without decoding it (the PDF writer embeds
 * it through libharu).
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

#endif
