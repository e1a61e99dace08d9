/* lay_refs.h - links and footnote references in a paragraph's text.
 *
 * A Markdown link or autolink to an http:, https:, mailto: or ftp: address
 * is an inline element of its paragraph (para.elems, lay_state.h): when
 * its lines are made (lay_para.c) its glyphs belong to a Link structure
 * element and each line it reaches gets a link rectangle, which
 * pagination turns into a /Link annotation.  `print-urls` prints the
 * address after the text (inline), as a footnote, or not at all.  A GFM
 * footnote reference ([^x]) is its note's number, raised, in a Reference
 * element; the note joins the letter's notes (numbered per letter in
 * reference order) and is laid out after the block (lay_blocks.c).
 * Private to the layout; links and notes live in L's letter. */
#ifndef LP_LAY_REFS_H
#define LP_LAY_REFS_H

#include "lay_state.h"

/* Ends the link node whose text was collected into p from byte start
 * (soft: a soft break was waiting before it): its inline element, and its
 * address as print-urls says, in chain, flags and size.  Other schemes
 * (javascript:, file:, a relative path) make no link: the text alone. */
void lp_lay_link_end(L *l, cmark_node *node, para *p, size_t start,
                     bool soft, lp_chain *chain, unsigned flags, double size);

/* Collects a footnote reference into p: the note's number, raised, as a
 * Reference element; the note joins the letter's notes when it is new.
 * A reference inside a note is left out (notes do not nest). */
void lp_lay_collect_note_ref(L *l, cmark_node *node, para *p,
                             lp_chain *chain, unsigned flags, double size);

/* The inline element of p that byte at belongs to, or NULL. */
struct pelem *lp_lay_elem_at(para *p, size_t at);

#endif
