/* lay_blocks.h - blocks: the tree's block children laid out as line boxes
 * in a column: headings (a level-1 heading starts a letter), paragraphs,
 * code, thematic breaks, lists, block quotes; tables go to lay_table.h.
 * Everything goes into the letter's stores (lay_state.h).  Private to the
 * layout. */
#ifndef LP_LAY_BLOCKS_H
#define LP_LAY_BLOCKS_H

#include "lay_state.h"

/* Starts a new letter titled title. */
void lp_lay_start_letter(L *l, const char *title);

/* Lays out the block children of parent in the column [left, left+width).
 * marker, when given, is drawn before the first line of the first block. */
bool lp_lay_blocks(L *l, cmark_node *parent, double left, double width,
                   int depth, bool tight, const char *marker);

/* Lays out the letter's notes that are not laid out yet (after the block
 * that referenced them: reading order), each under a Note element, its
 * number the Lbl hanging left of its text, in a smaller size across the
 * text column; their lines go to the letter's note boxes (lay_notes.h). */
bool lp_lay_notes_make(L *l);

#endif
