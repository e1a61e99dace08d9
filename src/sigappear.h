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

/* What an appearance says, and the box it fills (w x h pt). */
typedef struct lp_sigappear {
  const char *signer;             /* the signer's name */
  long long when;                 /* the signing time (seconds, UTC) */
  const char *reason, *location;  /* may be NULL */
  const char *lang;               /* the letter's /Lang; may be NULL */
  double w, h;
} lp_sigappear;

/* Appends the appearance's content stream (operators only; it uses no
 * resource) to *content. */
void lp_sigappear_draw(lp_fonts *fonts, const lp_sigappear *a, lp_buf *content);

#endif
