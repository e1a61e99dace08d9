/* lay_table.h - GFM tables: column widths from the content, each row's
 * cells laid out in their columns (lay_para.h) and stacked into boxes, rows
 * taller than a page split into strips, header rows repeated.  Everything
 * goes into the letter's stores (lay_state.h).  Private to the layout. */
#ifndef LP_LAY_TABLE_H
#define LP_LAY_TABLE_H

#include "lay_state.h"

/* A GFM table: column widths from the content, cells wrapped in their
 * columns, thin borders; a row stays whole unless it is taller than a page
 * (then it is split between lines); the header row keeps with the first
 * body row and is repeated at the top of each page the table continues
 * on. */
bool lp_lay_table(L *l, cmark_node *table, double left, double width);

#endif
