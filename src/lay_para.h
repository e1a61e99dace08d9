/* lay_para.h - paragraph lines: a block's inlines collected into a paragraph
 * (para, lay_state.h), broken into line boxes at UAX #14 opportunities and
 * the kinsoku rules, justified, hyphenated (libhyphen through breaks.h), a
 * paragraph with images laid out in pieces around them.  The line boxes,
 * glyphs and fields go into the letter's stores (lay_state.h); a para is
 * the caller's, freed with lp_lay_para_free.  Private to the layout. */
#ifndef LP_LAY_PARA_H
#define LP_LAY_PARA_H

#include "lay_state.h"

/* Collects the inline children of node into p. */
void lp_lay_collect_inlines(L *l, cmark_node *node, para *p, bool bold,
                            bool italic, unsigned flags, double size);

/* Breaks a collected paragraph into justified lines (line boxes) of style
 * st; line is where it starts in the body.  First fit at UAX #14
 * opportunities, with jlreq 3.8 / clreq pull-in and push-out (the method
 * is described at the definition). */
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
