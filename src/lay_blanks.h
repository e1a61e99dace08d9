/* lay_blanks.h - form-field recognition: blanks (____) become text or
 * signature fields named by their labels, checkbox characters (☐ ☑)
 * become checkboxes, and a paragraph is classed (signature, date, label)
 * for the signature block's keep rules.  Fields go into the letter's field
 * store (lay_state.h); names are malloc'd there and freed with the state.
 * Private to the layout. */
#ifndef LP_LAY_BLANKS_H
#define LP_LAY_BLANKS_H

#include "lay_state.h"

/* Whether the code point at text[at] is a checkbox character: □ ☐ (off) or
 * ☑ ☒ (on); sets *checked. */
bool lp_lay_is_box(const char *text, size_t len, size_t at, bool *checked);

/* The label after a box: the text up to the next space, blank or box. */
void lp_lay_label_after(const para *p, size_t at, char *out, size_t cap);

/* The field on a blank glyph at x: a signature field when the blank is
 * [[signature]] or its label ends in a colon and names a signature, else a
 * text field; named after its placeholder or its label. */
void lp_lay_blank_field(L *l, const para *p, const lp_sglyph *g, double x,
                        double size, double right);

/* The checkbox field over a box glyph at x. */
void lp_lay_box_field(L *l, const para *p, const lp_sglyph *g, double x,
                      double size, bool checked);

/* Replaces the face, glyph and advance by the empty box □ of the chain, when a
 * font of the chain has it. */
void lp_lay_empty_box(lp_chain *chain, double size, lp_face **face,
                      uint32_t *gid, double *advance);

/* What the paragraph whose line boxes start at first_box is, for the keep
 * rules of the signature block: a line with a signature field, a date line
 * (日期：____年__月__日), or a short one-line label (承诺单位（盖章）：…). */
unsigned lp_lay_paragraph_kind(const L *l, const para *p, size_t first_box);

#endif
