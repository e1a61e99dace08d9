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

enum { LP_BREAK_NONE = 0, LP_BREAK_ALLOWED = 1, LP_BREAK_MANDATORY = 2 };

typedef struct lp_breaker lp_breaker;

lp_breaker *lp_breaker_new(void);
void lp_breaker_free(lp_breaker *b);

/* The ICU locale used for lang, e.g. "zh@lb=normal" (static string). */
const char *lp_breaks_locale(const char *lang);

/* Kinsoku: whether c may not start a line (closing punctuation, iteration
 * marks, ー, and for Japanese small kana), and whether c may not end one
 * (opening brackets and quotes).  lp_breaks_find applies both for CJK
 * languages; they are public for the line breaker and the tests. */
bool lp_breaks_no_start(uint32_t c, const char *lang);
bool lp_breaks_no_end(uint32_t c);

/* Fills out[0..len] (len + 1 entries, caller allocates) with the break
 * class before each byte offset of the UTF-8 text: LP_BREAK_ALLOWED where a
 * line may end before that byte, LP_BREAK_MANDATORY after a '\n'.  Offsets
 * inside a character, and 0, are LP_BREAK_NONE.  For zh, ja and ko the
 * kinsoku rules above remove breaks that ICU allows. */
bool lp_breaks_find(lp_breaker *b, const char *text, size_t len,
                    const char *lang, uint8_t *out, lp_error *err);

/* Hyphenation patterns are looked up here: hyph_LL_RR.dic, hyph_LL.dic
 * (Debian's hyphen-* packages). */
#ifndef LP_HYPHEN_DIR
#define LP_HYPHEN_DIR "/usr/share/hyphen"
#endif

/* Fewest letters kept before and after a hyphen (TeX's lefthyphenmin and
 * righthyphenmin for English); a dictionary that asks for more gets more. */
#define LP_HYPHEN_LEFT_MIN 2
#define LP_HYPHEN_RIGHT_MIN 3

/* Whether c is a letter of the Latin script (what lp_breaks_hyphenate
 * hyphenates). */
bool lp_breaks_is_latin_letter(uint32_t c);

/* Finds where the Latin word (UTF-8, len bytes: letters, and apostrophes
 * inside) may be hyphenated, by the patterns for lang (for zh, ja and ko,
 * whose Latin words are mostly English: en-US).  Sets out[k] (len + 1
 * entries, caller allocates) to true when a hyphen may go before byte k,
 * at least LP_HYPHEN_LEFT_MIN letters from the start and
 * LP_HYPHEN_RIGHT_MIN from the end.  Returns the number of points: 0 also
 * when no patterns are installed for lang. */
size_t lp_breaks_hyphenate(lp_breaker *b, const char *word, size_t len,
                           const char *lang, bool *out);

#endif
