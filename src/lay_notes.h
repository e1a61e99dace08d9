/* lay_notes.h - footnotes on the pages.
 *
 * A GFM reference ([^x]) is a raised number in the text (lay_refs.h); its
 * definition is laid out after the block that references it, in a smaller
 * size, as line boxes of its own (the letter's note boxes) under a Note
 * element (lay_blocks.c).  Notes are numbered per letter in reference
 * order.  Pagination (lay_pages.c) asks here which note lines go
 * on a page: those of the notes referenced in the page's lines, as many as
 * fit, at least the first line of each (the rest continues on the next
 * page), then draws them at the page's foot under a short rule (whose
 * geometry is here).  Private to the layout; the notes and links live in L's letter and are
 * emptied with it (lp_lay_notes_clear, links too). */
#ifndef LP_LAY_NOTES_H
#define LP_LAY_NOTES_H

#include "lay_state.h"

/* Collects the document's footnote definitions (l->doc.defs) and warns, at
 * their lines, about definitions that nothing references (cmark drops
 * them: they would be lost without a word). */
void lp_lay_notes_start(L *l, cmark_node *doc);

/* Pagination.  Every note line is unplaced. */
void lp_lay_notes_unplace(L *l);

/* Places the lines of the notes referenced in box on page (of the letter)
 * in room pt below the text, *used pt being taken by the notes already
 * there: all that fit, at least each note's first line; false (nothing
 * placed) when a first line does not fit, unless force. */
bool lp_lay_notes_fit(L *l, size_t box, size_t page, double room,
                      double *used, bool force);

/* Unplaces the lines of the notes referenced in boxes from box on (they
 * move to the next page with them). */
void lp_lay_notes_unfit(L *l, size_t box);

/* Places on page the lines of notes referenced before box that did not
 * fit on earlier pages, up to room pt; returns the height taken. */
double lp_lay_notes_carry(L *l, size_t box, size_t page, double room);

/* The number of pages the note lines reach (the last page's index + 1;
 * 0 when the letter has no notes). */
size_t lp_lay_notes_pages(const L *l);

/* Whether a note line is still unplaced. */
bool lp_lay_notes_pending(const L *l);

/* The height of the notes area of a page (its rule and space included),
 * 0 without notes. */
double lp_lay_notes_height(const L *l, size_t page);

/* The geometry of a notes area: the rule's distance below the area's top,
 * its length and width, and the space above the first note line. */
void lp_lay_notes_rule(const L *l, double *drop, double *length,
                       double *width, double *space);

/* Frees the letter's notes and links and empties them. */
void lp_lay_notes_clear(L *l);

#endif
