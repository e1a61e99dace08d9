/* shape.h - itemizes a paragraph into runs (font fallback per character,
 * script) and shapes each run with HarfBuzz.
 *
 * The paragraph text is UTF-8; styles come as spans of byte ranges.  Two
 * control characters have a meaning here: '\n' is a forced line break (it
 * makes no glyph) and a run of LP_BLANK_CHAR bytes is a fill-in blank (it
 * makes one pseudo-glyph, face NULL, as wide as the blank).
 *
 * lp_shaped owns its glyph array; free with lp_shaped_free.
 */
#ifndef LP_SHAPE_H
#define LP_SHAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fonts.h"
#include "memo.h"

/* Marks one character of a fill-in blank in paragraph text (the template
 * module turns each '_' of a run of three or more into it). */
#define LP_BLANK_CHAR '\x1f'
/* Marks one character of an explicit signature field, [[signature]]. */
#define LP_SIGNATURE_CHAR '\x1e'
/* Width of one blank character, in em: as wide as a half-width '_'. */
#define LP_BLANK_EM 0.5

/* A styled range of the paragraph text. */
typedef struct lp_span {
  size_t start, end; /* byte range */
  lp_chain *chain;   /* fonts for this style */
  double size;       /* pt */
  unsigned flags;    /* LP_SPAN_* */
} lp_span;

enum { LP_SPAN_STRIKE = 1, LP_SPAN_UNDERLINE = 2 };

/* Glyph flags. */
enum {
  LP_SG_SPACE = 1,  /* a space (U+0020): stretchable, dropped at line end */
  LP_SG_CJK = 2,    /* CJK character or punctuation: gaps beside it stretch */
  LP_SG_BLANK = 4,  /* a fill-in blank pseudo-glyph */
  LP_SG_CLUSTER_START = 8, /* first glyph of its cluster */
  LP_SG_NOTDEF = 16, /* no installed font has this character */
  LP_SG_SIGNATURE = 32, /* a blank that is an explicit signature field */
  LP_SG_IDEO = 64,   /* Han ideograph or kana (not punctuation) */
  LP_SG_ALNUM = 128  /* a Latin, Greek or Cyrillic letter, or a digit */
};

typedef struct lp_sglyph {
  lp_face *face;        /* NULL for a blank */
  uint32_t gid;
  unsigned flags;       /* LP_SG_* */
  double advance;       /* pt */
  double x_offset, y_offset; /* pt */
  uint32_t cluster, cluster_end; /* byte range of the cluster's text */
  uint32_t span;        /* index into the spans given to lp_shape */
  double size;          /* font size, pt */
  /* CJK punctuation compression, from the font's `halt` feature: the
   * advance may shrink by up to `shrink` pt, the glyph then moving by
   * `shift` pt per pt of shrink taken (0 for closing punctuation, whose
   * blank half is on the right; -1 for opening brackets; -0.5 for marks
   * centred in the em, such as the Japanese middle dot). */
  double shrink, shift;
  /* How much lp_shape_space_cjk already took from the advance (a closing
   * mark before another mark); given back when the glyph ends a line. */
  double squeezed;
  /* Fixed space after the glyph (the quarter em between CJK and Latin
   * text); it is dropped when the glyph ends a line. */
  double gap;
} lp_sglyph;

typedef struct lp_shaped {
  lp_sglyph *glyphs;
  size_t count, cap;
  /* Characters no font has: their byte offsets, for warnings. */
  uint32_t *missing;
  size_t nmissing, missing_cap;
} lp_shaped;

/* Shapes text (len bytes) in the given spans, which must cover it in order.
 * lang is the BCP 47 language given to HarfBuzz (it selects locl forms).
 * Glyphs are appended to out, in logical order. */
void lp_shape(const char *text, size_t len, const lp_span *spans,
              size_t nspans, const char *lang, lp_shaped *out);

void lp_shaped_free(lp_shaped *s);

/* lp_shape through a memo of shaped paragraphs (NULL: plain lp_shape);
 * the same glyphs either way.  A mail merge lays the template's own
 * paragraphs out once per letter with the same text, fonts and sizes, and
 * shaping them was the larger part of the layout's time.  Keys hold the
 * chains' addresses: a memo serves one lp_fonts (one engine) only. */
void lp_shape_cached(lp_memo *memo, const char *text, size_t len,
                     const lp_span *spans, size_t nspans, const char *lang,
                     lp_shaped *out);

/* Applies the spacing rules of CJK text to shaped glyphs (text is what was
 * shaped, in language lang): the quarter em between Han or kana and Latin
 * letters or digits, consecutive punctuation set half-width.  Advances and
 * gaps change. */
void lp_shape_space_cjk(const char *text, size_t len, const char *lang,
                        lp_shaped *s);

/* Whether cp is a Han ideograph or kana (spaced from Latin text). */
bool lp_is_ideo(uint32_t cp);

/* Whether cp is a letter of an alphabetic script (Latin, Greek, Cyrillic)
 * or an ASCII digit: text that a CJK font's own Latin should not draw. */
bool lp_is_alnum(uint32_t cp);

/* Whether cp is a CJK character (ideograph, kana, Hangul, CJK punctuation or
 * full-width form) for the purposes of spacing. */
bool lp_is_cjk(uint32_t cp);

#endif

