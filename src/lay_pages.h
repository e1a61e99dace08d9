/* lay_pages.h - pages: the letter's line boxes paginated onto display
 * pages (orphans and widows, keep-with-next, the signature block kept
 * whole, table header rows repeated), with the letterhead, the seal and
 * quote rules; then headers and footers with {page}/{pages}.  The pages
 * belong to the caller's lp_display; the letter's stores are emptied for
 * the next letter.  Private to the layout. */
#ifndef LP_LAY_PAGES_H
#define LP_LAY_PAGES_H

#include "lay_state.h"

/* Paginates the current letter's boxes onto new pages and clears them. */
bool lp_lay_flush_letter(L *l);

/* Adds headers and footers to every page, numbered per letter or for the
 * whole document. */
void lp_lay_add_page_furniture(L *l, const char *default_footer);

#endif
