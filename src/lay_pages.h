/* lay_pages.h - pages: pagination with keep rules, seals, quote rules, headers
 * and footers. Private to the layout (layout.c and lay_*.c); the state L is
 * lay_state.h. */
#ifndef LP_LAY_PAGES_H
#define LP_LAY_PAGES_H

#include "lay_state.h"

/* Paginates the current letter's boxes onto new pages and clears them. */
bool lp_lay_flush_letter(L *l);

/* Adds headers and footers to every page, numbered per letter or for the
 * whole document. */
void lp_lay_add_page_furniture(L *l, const char *default_footer);

#endif
