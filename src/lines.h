/* lines.h - what the line breaker asks of a shaped paragraph: widths and
 * stretchable gaps of a line, where its unbreakable chunks end, where a
 * line may end (UAX #14 opportunities from breaks.h, a link's points, a
 * soft hyphen), and where a run too long for any line is cut.  Pure
 * functions over lp_shaped glyphs and lp_breaks_find classes; lay_para.c
 * owns the line-breaking loop, justification and the line boxes. */
#ifndef LP_LINES_H
#define LP_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "breaks.h"
#include "shape.h"

/* A longer "word" (in bytes) is data: cut without a hyphen. */
#define LP_LINES_MAX_WORD_BYTES 1024

/* Whether a line may stretch between glyph a and the next glyph b (words:
 * at word spaces only, as Korean is justified). */
bool lp_lines_stretchable(const lp_sglyph *a, const lp_sglyph *b, bool words);

/* Whether glyph g is a default-ignorable character drawn as nothing (soft
 * hyphen, word joiner): left out of the page.  text is the paragraph's. */
bool lp_lines_invisible(const char *text, size_t len, const lp_sglyph *g);

/* Whether a line may end at a break of class b as a rule (not a link's
 * LP_BREAK_LINK point). */
bool lp_lines_opportunity(uint8_t b);

/* How much glyph k of the line [i, vis) may shrink (its `halt` amount;
 * none at the line's ends). */
double lp_lines_glyph_shrink(const lp_shaped *sh, size_t k, size_t i,
                             size_t vis);

/* The natural width of glyphs [i, vis), its stretchable gaps and how much
 * its punctuation may be compressed (`halt`). */
double lp_lines_width(const lp_shaped *sh, size_t i, size_t vis, bool words,
                      int *gaps, double *shrink);

/* The next opportunity after glyph j, at most a few clusters on (0 if
 * none): how far a line may pull characters in. */
size_t lp_lines_next_break(const lp_shaped *sh, const uint8_t *brk, size_t j);

/* The end of glyphs [i, end) without trailing spaces. */
size_t lp_lines_visible_end(const lp_shaped *sh, size_t i, size_t end);

/* The last link point in the line (from, j] at which the line [i, k) fits
 * avail, its last glyph unkerned (set so); 0 if none. */
size_t lp_lines_link_break(lp_shaped *sh, const uint8_t *brk, size_t i,
                           size_t from, size_t j, double avail);

/* The end of the unbreakable chunk that glyph j is in. */
size_t lp_lines_chunk_end(const lp_shaped *sh, const uint8_t *brk, size_t j);

/* The first glyph of the unbreakable chunk ending before glyph j (or i). */
size_t lp_lines_chunk_start(const lp_shaped *sh, const uint8_t *brk,
                            size_t i, size_t j);

/* Whether the text just before byte at is a soft hyphen (U+00AD). */
bool lp_lines_after_soft_hyphen(const char *text, size_t at);

/* Where a line starting at glyph i must cut a run no line can hold, j
 * being the first glyph that does not fit: a grapheme boundary (UAX #29). */
size_t lp_lines_grapheme_cut(const char *text, size_t len,
                             const lp_shaped *sh, size_t i, size_t j);

/* Whether the paragraph text starts with an ideographic space (an indent
 * typed by hand, which replaces the automatic first-line indent). */
bool lp_lines_typed_indent(const char *text, size_t len);

/* The first glyph at or after i that is not a typed ideographic space
 * (U+3000): where a typed indent ends. */
size_t lp_lines_indent_end(const char *text, size_t len, const lp_shaped *sh,
                           size_t i);

/* How many of the stretchable gaps of the line [i, vis) follow a glyph
 * before glyph fixed (see lp_lines_width). */
int lp_lines_gaps_before(const lp_shaped *sh, size_t i, size_t fixed,
                         size_t vis, bool words);

#endif
