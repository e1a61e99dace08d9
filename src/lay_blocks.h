/* lay_blocks.h - blocks: headings, paragraphs, code, rules, lists and quotes
 * laid out as line boxes. Private to the layout (layout.c and lay_*.c); the
 * state L is lay_state.h. */
#ifndef LP_LAY_BLOCKS_H
#define LP_LAY_BLOCKS_H

#include "lay_state.h"

/* Starts a new letter titled title. */
void lp_lay_start_letter(L *l, const char *title);

/* Lays out the block children of parent in the column [left, left+width).
 * marker, when given, is drawn before the first line of the first block. */
bool lp_lay_blocks(L *l, cmark_node *parent, double left, double width,
                   int depth, bool tight, const char *marker);

#endif
