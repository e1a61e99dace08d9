/* lay_missing.h - what the font set lacks, told as warnings: characters
 * that no font of the set has, once per character per letter, at the
 * template's place (a value's at its placeholder), with what to do
 * (fonts.h: lp_fonts_missing_advice), an error instead in PDF/A and
 * PDF/UA documents; and families that font, heading-font or latin-font
 * name that are not installed, with the family used instead.  Private to
 * the layout. */
#ifndef LP_LAY_MISSING_H
#define LP_LAY_MISSING_H

#include <stdbool.h>

#include "lay_state.h"
#include "shape.h"

/* Reports the characters of sh (shaped from p's text; line is p's body
 * line) that no font has and that this letter has not reported yet: one
 * warning per place and advice, listing its characters.  In a PDF/A or
 * PDF/UA document the first is an error instead (returns false, doc.err
 * set): those standards forbid drawing the .notdef glyph (19005-2
 * 6.2.11.8, 14289-1 7.21.8). */
bool lp_lay_warn_missing(L *l, const para *p, const lp_shaped *sh, int line);

/* Warns about each family of the front matter's font, heading-font and
 * latin-font that is not installed (nor stands for one that is), at the
 * key, naming the family the chains draw with instead.  After the chains
 * of l->style are made. */
void lp_lay_warn_families(L *l);

/* Forgets the characters reported for the letter (a new letter starts). */
void lp_lay_missing_reset(L *l);

#endif
