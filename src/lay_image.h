/* lay_image.h - images in the layout: files read and checked through the
 * engine's image cache (image.h; one reference each kept in the document
 * state until the layout ends), sized at IMAGE_DPI to fit, set as blocks
 * of their own, and warned about when they cannot be drawn.  Private to
 * the layout. */
#ifndef LP_LAY_IMAGE_H
#define LP_LAY_IMAGE_H

#include "lay_state.h"

/* The size of img on the page: its pixels at IMAGE_DPI, scaled down (never
 * up) to fit max_w by max_h, keeping its proportions. */
void lp_lay_image_size(const lp_dimage_data *img, double max_w, double max_h,
                       double *w, double *h);

/* Loads an image file (relative to the template) through the engine's
 * image cache (read and checked once for all letters), keeping one
 * reference for the layout's lifetime.  line and column locate the
 * reference. */
lp_dimage_data *lp_lay_load_image(L *l, const char *path, int line, int column);

/* Adds a line box holding img, scaled to fit the column and at most
 * max_h high, placed in the column as align places text. */
lbox *lp_lay_image_box(L *l, lp_dimage_data *img, double left, double width,
                       double max_h, align_t align);

/* Reports, at its position, that the image node is not drawn and why. */
void lp_lay_warn_image(L *l, cmark_node *node, const char *why);

/* Lays out the image node as a block of its own in the column of st,
 * placed as st aligns its text, scaled to fit the column and at most
 * IMAGE_MAX_H_FRAC of the text height, with st's space above it; it
 * keeps with the next block if st's text does (a heading's image). */
bool lp_lay_image(L *l, cmark_node *node, const pstyle *st);

#endif
