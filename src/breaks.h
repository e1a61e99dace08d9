/* breaks.h - line-break opportunities by UAX #14 (ICU), with the CJK
 * strictness of the language: zh "normal", ja "strict", others default;
 * and hyphenation points of Latin words (libhyphen, TeX patterns).
 *
 * An lp_breaker caches one ICU iterator per locale and one hyphenation
 * dictionary per language; not thread-safe.
 */
#ifndef LP_BREAKS_H
#define LP_BREAKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "letterpress.h"

/* LP_BREAK_LINK: a point inside a URL or an e-mail address where a line
 * may end only when keeping the whole address on the next line would
 * leave this one loose, or the address is longer than a line. */
enum {
  LP_BREAK_NONE = 0,
  LP_BREAK_ALLOWED = 1,
  LP_BREAK_MANDATORY = 2,
  LP_BREAK_LINK = 3
};

/* Whether lines may break between the letters of a word of Hangul, Han or
 * kana (CSS Text 3 `word-break`; front matter `word-break`). */
typedef enum {
  LP_WORD_BREAK_AUTO = 0, /* by language: keep-all for Korean, else normal */
  LP_WORD_BREAK_NORMAL,   /* UAX #14: between any two syllables */
  LP_WORD_BREAK_KEEP_ALL  /* at spaces and punctuation only */
} lp_word_break;

typedef struct lp_breaker lp_breaker;

lp_breaker *lp_breaker_new(void);
void lp_breaker_free(lp_breaker *b);

/* The ICU locale used for lang, e.g. "zh@lb=normal" (static string). */
const char *lp_breaks_locale(const char *lang);

/* Whether words of lang are kept whole under wb: keep-all asked for, or
 * AUTO and lang Korean (Korean is written with spaces between words and
 * breaks only there, as Korean word processors and CSS UAs do). */
bool lp_breaks_keep_all(const char *lang, lp_word_break wb);

/* Kinsoku: whether c may not start a line (closing punctuation, iteration
 * marks, ー, and for Japanese small kana), and whether c may not end one
 * (opening brackets and quotes).  lp_breaks_find applies both for CJK
 * languages; they are public for the line breaker and the tests. */
bool lp_breaks_no_start(uint32_t c, const char *lang);
bool lp_breaks_no_end(uint32_t c);

/* Fills out[0..len] (len + 1 entries, caller allocates) with the break
 * class before each byte offset of the UTF-8 text: LP_BREAK_ALLOWED where a
 * line may end before that byte, LP_BREAK_MANDATORY after a '\n'.  Offsets
 * inside a character, and 0, are LP_BREAK_NONE.  The opportunities are
 * UAX #14's (numbers, amounts, dates, times and versions stay whole; no
 * break beside U+00A0, U+202F, U+2060 or U+2011), and for every language no
 * line starts with a no-break space and none ends with 〒.  Inside a URL or
 * an e-mail address a line may end after a '/' (as UAX #14 has it), and
 * where it must (LP_BREAK_LINK) before '.', '@', '?', '#', '&', '=', '-',
 * '_', '~' or '%' (the Chicago Manual of Style, 14.18; never inside a
 * number), but never after the hyphen of a host name, which would read as
 * a hyphenation.  For zh, ja and
 * ko the kinsoku rules above remove breaks that ICU allows; under keep-all
 * (lp_breaks_keep_all) breaks between letters of a word go too. */
bool lp_breaks_find(lp_breaker *b, const char *text, size_t len,
                    const char *lang, lp_word_break wb, uint8_t *out,
                    lp_error *err);

/* The start of the grapheme cluster (UAX #29, ICU) that byte at of the
 * UTF-8 text is in: where a run too long for any line may be cut. */
size_t lp_breaks_grapheme_start(const char *text, size_t len, size_t at);

/* The same question asked many times of one text: one ICU iterator,
 * opened once (text must outlive it; NULL when ICU fails, which
 * lp_breaks_graphemes_start then answers with at itself); free with
 * lp_breaks_graphemes_close. */
typedef struct lp_graphemes lp_graphemes;
lp_graphemes *lp_breaks_graphemes_open(const char *text, size_t len);
size_t lp_breaks_graphemes_start(lp_graphemes *g, size_t at);
void lp_breaks_graphemes_close(lp_graphemes *g);

/* Hyphenation patterns are looked up here: hyph_LL_RR.dic, hyph_LL.dic
 * (Debian's hyphen-* packages). */
#ifndef LP_HYPHEN_DIR
#define LP_HYPHEN_DIR "/usr/share/hyphen"
#endif

/* Fewest letters kept before and after a hyphen (TeX's lefthyphenmin and
 * righthyphenmin for English); a dictionary that asks for more gets more. */
#define LP_HYPHEN_LEFT_MIN 2
#define LP_HYPHEN_RIGHT_MIN 3

/* Longest word (in letters) looked up in the patterns: well past real
 * words (German compounds and chemical names reach 80-190 letters).  A
 * longer one gets no points; the line breaker cuts it between letters. */
#define LP_HYPHEN_MAX_LETTERS 256

/* Whether c is a letter of the Latin script (what lp_breaks_hyphenate
 * hyphenates). */
bool lp_breaks_is_latin_letter(uint32_t c);

/* Finds where the Latin word (UTF-8, len bytes: letters, and apostrophes
 * inside) may be hyphenated, by the patterns for lang (for zh, ja and ko,
 * whose Latin words are mostly English: en-US).  Sets out[k] (len + 1
 * entries, caller allocates) to true when a hyphen may go before byte k,
 * at least LP_HYPHEN_LEFT_MIN letters from the start and
 * LP_HYPHEN_RIGHT_MIN from the end.  Returns the number of points: 0 also
 * when no patterns are installed for lang, or the word has more than
 * LP_HYPHEN_MAX_LETTERS letters. */
size_t lp_breaks_hyphenate(lp_breaker *b, const char *word, size_t len,
                           const char *lang, bool *out);

#endif
