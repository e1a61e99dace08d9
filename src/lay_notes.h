/* lay_notes.h - footnotes and links in a letter's lines.
 *
 * Links: a Markdown link or autolink (http:, https:, mailto:, ftp:) is an
 * inline element of its paragraph (para.elems): its glyphs belong to a Link
 * structure element and each line it reaches gets a link rectangle (plink),
 * which pagination turns into a /Link annotation.  `print-urls` prints the
 * address after the text (inline), as a footnote, or not at all.
 *
 * Footnotes: a GFM reference ([^x]) is a raised number in the text, a
 * Reference element; its definition is laid out after the block that
 * references it, in a smaller size, as line boxes of its own (the letter's
 * note boxes) under a Note element.  Notes are numbered per letter in
 * reference order.  Pagination (lay_pages.c) asks here which note lines go
 * on a page: those of the notes referenced in the page's lines, as many as
 * fit, at least the first line of each (the rest continues on the next
 * page), then draws them at the page's foot under a short rule.
 * Private to the layout; the notes and links live in L's letter and are
 * emptied with it. */
#ifndef LP_LAY_NOTES_H
#define LP_LAY_NOTES_H

#include "lay_state.h"

/* Collects a link node into p: its text as an inline element, and its
 * address as print-urls says.  Other schemes (javascript:, file:, a
 * relative path) make no link: the text alone. */
void lp_lay_collect_link(L *l, cmark_node *node, para *p, bool bold,
                         bool italic, unsigned flags, double size);

/* Collects a footnote reference into p: the note's number, raised, as a
 * Reference element; the note joins the letter's notes when it is new. */
void lp_lay_collect_note_ref(L *l, cmark_node *node, para *p, bool bold,
                             bool italic, unsigned flags, double size);

/* The inline element of p that byte at belongs to, or NULL. */
struct pelem *lp_lay_elem_at(para *p, size_t at);

/* Lays out the letter's notes that are not laid out yet (after the block
 * that referenced them): their lines go to the letter's note boxes. */
bool lp_lay_notes_make(L *l);

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
