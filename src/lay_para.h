/* lay_para.h - paragraph lines: inlines collected into paragraphs, broken into
 * justified, hyphenated line boxes. Private to the layout (layout.c and
 * lay_*.c); the state L is lay_state.h. */
#ifndef LP_LAY_PARA_H
#define LP_LAY_PARA_H

#include "lay_state.h"

/* Collects the inline children of node into p. */
void lp_lay_collect_inlines(L *l, cmark_node *node, para *p, bool bold,
                            bool italic, unsigned flags, double size);

/* Breaks a collected paragraph into justified lines (line boxes).
 *
 * First fit: each line takes glyphs while they fit, and ends at the last
 * UAX #14 opportunity (ICU, with the language's strictness, plus the kinsoku
 * rules of breaks.c).  When the glyph that overflows may not start a line
 * (。after the last character that fits), there are two ways out, as in
 * jlreq 3.8 "Line Adjustment" and clreq's 标点挤压: pull it in (追い込み) by
 * compressing the line's punctuation to half width (the font's `halt`
 * metrics), or push the last character down with it (追い出し) and spread
 * the line.  Pulling in is preferred whenever the punctuation of the line
 * can absorb the overflow.  A line with no opportunity at all is cut between
 * clusters, so nothing ever crosses the margin.  A line whose word spaces
 * would stretch beyond MAX_STRETCH_EM first tries to split a long Latin
 * chunk (URL, e-mail) at a sensible point.  Trailing spaces hang into the
 * margin and are not drawn.  Every line but the last of the paragraph and
 * lines ended by a hard break is justified: the shortfall is spread evenly
 * over the stretchable gaps, so the line ends exactly at the margin. */
bool lp_lay_para(L *l, para *p, const pstyle *st, int line);

/* Whether byte c is white space at the edge of a piece of a paragraph (a
 * space, a tab, or a hard line break). */
bool lp_lay_edge_space(unsigned char c);

/* The paragraph style for body text at this indentation. */
pstyle lp_lay_body_style(L *l, double left, double width, int depth);

/* Lays out a paragraph with images in it: the images are set where they
 * are written, each a block of its own in the column (placed as the
 * paragraph is aligned), and the text around them in pieces.  The first
 * piece is the paragraph's start (first-line indent, list marker, space
 * above, outline entry); the text after an image continues the
 * paragraph, so it has no first-line indent.  A heading or a table cell
 * with images is laid out the same way. */
bool lp_lay_paragraph(L *l, para *p, pstyle st, int line);

#endif
