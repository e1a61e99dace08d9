/* lines.c - measures and break points of lines of a shaped paragraph
 * (see lines.h); the line-breaking loop is lay_para.c's. */
#include "lines.h"

#include <string.h>

#include <hb.h>
#include <unicode/uchar.h>

#include "util.h"

#define PULL_MAX_CLUSTERS 3 /* characters pulled into a line, at most */

/* Whether a line may stretch between glyph a and the next glyph b: after a
 * word space, and beside a CJK character (inter-character spacing, clreq
 * 3.4.2 / jlreq 3.8), never inside a cluster or between Latin letters.
 * With words, after a word space only: Korean is justified by widening the
 * spaces between words, never by spreading the syllables of a word. */
bool lp_lines_stretchable(const lp_sglyph *a, const lp_sglyph *b, bool words) {
  if (!(b->flags & LP_SG_CLUSTER_START)) return false;
  if (a->flags & LP_SG_SPACE) return true;
  if (words || (b->flags & LP_SG_SPACE)) return false;
  return (a->flags & LP_SG_CJK) || (b->flags & LP_SG_CJK);
}

/* Whether glyph g draws nothing and stands for default-ignorable
 * characters only (U+00AD SOFT HYPHEN where the line does not break there,
 * U+2060 WORD JOINER, U+200B): HarfBuzz sets them as the font's space
 * with no advance, which a PDF reader would extract as a space, so they
 * are left out of the page. */
bool lp_lines_invisible(const char *text, size_t len, const lp_sglyph *g) {
  if (g->advance != 0 || !(g->flags & LP_SG_CLUSTER_START) ||
      g->cluster_end <= g->cluster)
    return false;
  for (size_t k = g->cluster; k < g->cluster_end && k < len;) {
    int32_t c = lp_utf8_next(text, len, &k);
    if (c < 0 || !u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
      return false;
  }
  return true;
}

/* Whether a line may end at a break of class b as a rule (a link's own
 * points, LP_BREAK_LINK, only when the line would be loose). */
bool lp_lines_opportunity(uint8_t b) {
  return b == LP_BREAK_ALLOWED || b == LP_BREAK_MANDATORY;
}

/* How much glyph k of the line [i, vis) may shrink: its `halt` amount,
 * except at the line's ends, whose em boxes stay whole so that the line
 * starts and ends exactly at the margins. */
double lp_lines_glyph_shrink(const lp_shaped *sh, size_t k, size_t i,
                             size_t vis) {
  return k == i || k + 1 == vis ? 0 : sh->glyphs[k].shrink;
}

/* The natural width of glyphs [i, vis) of a line (advances and the fixed
 * gaps between them), its stretchable gaps (words: word spaces only), and
 * how much its punctuation may be compressed. */
double lp_lines_width(const lp_shaped *sh, size_t i, size_t vis, bool words,
                      int *gaps, double *shrink) {
  double w = 0;
  *gaps = 0;
  *shrink = 0;
  for (size_t k = i; k < vis; k++) {
    const lp_sglyph *g = &sh->glyphs[k];
    w += g->advance + (k + 1 < vis ? g->gap : g->squeezed);
    *shrink += lp_lines_glyph_shrink(sh, k, i, vis);
    if (k + 1 < vis && lp_lines_stretchable(g, &sh->glyphs[k + 1], words))
      (*gaps)++;
  }
  return w;
}

/* The end of the line starting at i if it ran to the next break opportunity
 * after j, at most a few clusters on (for pulling a character in). */
size_t lp_lines_next_break(const lp_shaped *sh, const uint8_t *brk, size_t j) {
  size_t clusters = 0;
  for (size_t k = j + 1; k < sh->count; k++) {
    const lp_sglyph *g = &sh->glyphs[k];
    if (!(g->flags & LP_SG_CLUSTER_START)) continue;
    if (lp_lines_opportunity(brk[g->cluster])) return k;
    if (++clusters >= PULL_MAX_CLUSTERS) return 0;
  }
  return sh->count;
}

/* The end of glyphs [i, end) without trailing spaces. */
size_t lp_lines_visible_end(const lp_shaped *sh, size_t i, size_t end) {
  while (end > i && (sh->glyphs[end - 1].flags & LP_SG_SPACE)) end--;
  return end;
}

/* The advance of glyph g without its kerning against the next glyph:
 * the font's own, where that is more (a Latin glyph only). */
static double unkerned(const lp_sglyph *g) {
  if (!g->face || (g->flags & LP_SG_CJK)) return g->advance;
  double a = hb_font_get_glyph_h_advance(g->face->hb_font, g->gid) * g->size /
             g->face->upem;
  return a > g->advance ? a : g->advance;
}

/* The last link point (LP_BREAK_LINK) in the line (from, j], where j is
 * the glyph that does not fit, at which the line [i, k) fits avail once
 * its last glyph loses its kerning against the next line's first ("w."
 * of "www.example"); that glyph's advance is set so.  0 if none. */
size_t lp_lines_link_break(lp_shaped *sh, const uint8_t *brk, size_t i,
                           size_t from, size_t j, double avail) {
  for (size_t k = j; k > from && k > i + 1; k--) {
    if (!(sh->glyphs[k].flags & LP_SG_CLUSTER_START) ||
        brk[sh->glyphs[k].cluster] != LP_BREAK_LINK)
      continue;
    int gaps;
    double shrink, w = lp_lines_width(sh, i, k, false, &gaps, &shrink);
    lp_sglyph *g = &sh->glyphs[k - 1];
    if (w - g->advance + unkerned(g) > avail + 1e-6) continue;
    g->advance = unkerned(g);
    return k;
  }
  return 0;
}

/* The end of the unbreakable chunk that glyph j is in: the next break
 * opportunity after it, or the paragraph's end (or a point more than
 * LP_LINES_MAX_WORD_BYTES on, which no word reaches). */
size_t lp_lines_chunk_end(const lp_shaped *sh, const uint8_t *brk, size_t j) {
  for (size_t k = j + 1; k < sh->count; k++)
    if (((sh->glyphs[k].flags & LP_SG_CLUSTER_START) &&
         lp_lines_opportunity(brk[sh->glyphs[k].cluster])) ||
        k - j >
            LP_LINES_MAX_WORD_BYTES) /* too long to be a word: stop looking */
      return k;
  return sh->count;
}

/* Whether the text just before byte at is a soft hyphen (U+00AD). */
bool lp_lines_after_soft_hyphen(const char *text, size_t at) {
  return at >= 2 && (unsigned char)text[at - 2] == 0xC2 &&
         (unsigned char)text[at - 1] == 0xAD;
}

/* The first glyph of the unbreakable chunk that ends before glyph j: the
 * one after the last break opportunity in the line (i, j), or i. */
size_t lp_lines_chunk_start(const lp_shaped *sh, const uint8_t *brk, size_t i,
                            size_t j) {
  for (size_t k = j; k > i + 1;) {
    k--;
    if ((sh->glyphs[k].flags & LP_SG_CLUSTER_START) &&
        lp_lines_opportunity(brk[sh->glyphs[k].cluster]))
      return k;
  }
  return i;
}

/* Where a line must cut a run that no line can hold (j, past i, is the
 * first glyph that does not fit): at the last grapheme boundary (UAX #29)
 * before j, or after the line's first grapheme if even that is too wide. */
size_t lp_lines_grapheme_cut(const char *text, size_t len, const lp_shaped *sh,
                             size_t i, size_t j) {
  /* One ICU iterator for every question below (a glyph each). */
  lp_graphemes *g = lp_breaks_graphemes_open(text, len);
  size_t q = lp_breaks_graphemes_start(g, sh->glyphs[j].cluster);
  size_t k = j;
  while (k > i && !((sh->glyphs[k].flags & LP_SG_CLUSTER_START) &&
                    sh->glyphs[k].cluster <= q))
    k--;
  if (k <= i)
    for (k = i + 1; k < sh->count; k++) {
      uint32_t c = sh->glyphs[k].cluster;
      if ((sh->glyphs[k].flags & LP_SG_CLUSTER_START) &&
          lp_breaks_graphemes_start(g, c) == c)
        break;
    }
  lp_breaks_graphemes_close(g);
  return k;
}

/* Whether the paragraph text starts with an ideographic space: an indent
 * typed by hand (as Word, WPS and Japanese editors make it), which takes
 * the place of the automatic first-line indent. */
bool lp_lines_typed_indent(const char *text, size_t len) {
  return len >= 3 && !memcmp(text, "\xE3\x80\x80", 3); /* U+3000 */
}

/* The first glyph from i on whose text is not U+3000. */
size_t lp_lines_indent_end(const char *text, size_t len, const lp_shaped *sh,
                           size_t i) {
  while (i < sh->count && sh->glyphs[i].cluster + 3 <= len &&
         !memcmp(text + sh->glyphs[i].cluster, "\xE3\x80\x80", 3))
    i++;
  return i;
}

/* The stretchable gaps after glyphs [i, fixed) of the line [i, vis). */
int lp_lines_gaps_before(const lp_shaped *sh, size_t i, size_t fixed,
                         size_t vis, bool words) {
  int n = 0;
  for (size_t k = i; k < fixed && k + 1 < vis; k++)
    n += lp_lines_stretchable(&sh->glyphs[k], &sh->glyphs[k + 1], words);
  return n;
}
