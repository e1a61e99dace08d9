/* sigappear.h - the visible appearance of a signature: who signed, when,
 * why and where, in the letter's language, drawn as filled glyph outlines
 * (no font resource: any script, nothing to embed) into the widget's box.
 * The caller owns every buffer; nothing here allocates what it returns. */
#ifndef LP_SIGAPPEAR_H
#define LP_SIGAPPEAR_H

#include "fonts.h"
#include "util.h"

/* The words of a signature's visible appearance, in the letter's language
 * (its catalog /Lang, a BCP 47 tag; NULL or unknown: English): put before
 * the signer's name, before the date, before the reason and location. */
typedef struct lp_sign_labels {
  const char *signer, *date, *reason;
} lp_sign_labels;

lp_sign_labels lp_sign_labels_for(const char *lang);

/* A seal or handwritten signature for the appearance, as the bytes of an
 * image XObject (and of its soft mask).  Owns its buffers. */
typedef struct lp_sigimage {
  int width, height;      /* pixels */
  const char *colorspace; /* "/DeviceRGB", "/DeviceGray" or "/DeviceCMYK" */
  const char *filter;     /* "/FlateDecode" (PNG, decoded) or "/DCTDecode" */
  bool invert;            /* an Adobe CMYK JPEG: /Decode [1 0 ...] */
  lp_buf data;            /* the stream's bytes */
  lp_buf smask;           /* the alpha, 8-bit gray Flate, or empty */
} lp_sigimage;

/* Reads a PNG or JPEG file for the appearance.  flatten: a PNG's alpha is
 * composed onto white and no soft mask is made (PDF/A-1 allows no
 * transparency, ISO 19005-1 6.4).  False, err naming path, when the file
 * cannot be read, is empty, or is neither. */
bool lp_sigimage_load(const char *path, bool flatten, lp_sigimage *out,
                      lp_error *err);
void lp_sigimage_free(lp_sigimage *img);

/* What an appearance says, and the box it fills (w x h pt). */
typedef struct lp_sigappear {
  const char *signer;             /* the signer's name */
  long long when;                 /* the signing time (seconds, UTC) */
  const char *reason, *location;  /* may be NULL */
  const char *lang;               /* the letter's /Lang; may be NULL */
  double w, h;
  const lp_sigimage *image;       /* drawn as /Seal (the caller's XObject
                                     resource); may be NULL */
} lp_sigappear;

/* Appends the appearance's content stream to *content: the image (when
 * there is one) as "/Seal Do", the lines of text beside it in a wide box,
 * below it in a narrow one.  The text is glyph outlines filled in
 * DeviceRGB (no font resource); fonts NULL draws the image only. */
void lp_sigappear_draw(lp_fonts *fonts, const lp_sigappear *a, lp_buf *content);

#endif
