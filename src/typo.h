/* typo.h - typographic punctuation ("smart punctuation") for the text a
 * template types: -- becomes an en dash, --- an em dash, ... an
 * ellipsis, and straight quotes the quotation marks of the letter's
 * language (“…” ‘…’ in English, „…“ ‚…‘ in German, « … » in French).
 *
 * Only the template's own prose changes: code spans and blocks, raw HTML,
 * URLs (and an address shown as a link's text: <https://x/a--b>), and a
 * character typed after a backslash stay as typed, and so do data values — they are value tokens when the
 * tree is converted (fill.h), copied through untouched and read as a word
 * for the quotes around them ("{{name}}" gets curly quotes, the name is
 * the record's).  CJK letters are left alone by default (「」 and 『』 are
 * theirs), as are other scripts without a table here.
 *
 * Nothing here allocates except the returned strings the header says.
 */
#ifndef LP_TYPO_H
#define LP_TYPO_H

#include <stdbool.h>
#include <stddef.h>

#include <cmark-gfm.h>

#include "util.h"

/* A backslash typed before a quote, hyphen or full stop (\" \' \- \.)
 * keeps that character as typed.  The template marks such a backslash
 * with this control character (template.h: byte offsets stay), which
 * the conversion copies with the character after it; the template then
 * removes it from text and puts the backslash back in code. */
#define LP_TYPO_ESCAPE '\x19'

/* The quotation marks of a language: double (primary) and single
 * (secondary) pairs, the apostrophe, and the space set inside the primary
 * pair ("" for none; French: a no-break space). */
typedef struct lp_typo_style {
  const char *open2, *close2; /* "double": the primary quotes */
  const char *open1, *close1; /* 'single': the secondary quotes */
  const char *apostrophe;
  const char *inner_space; /* inside the primary pair, or "" */
  bool french_spacing;     /* a typed space before ; ! ? : stays with it */
} lp_typo_style;

/* The style of lang (BCP 47), or NULL when smart punctuation is off by
 * default for it (CJK and the scripts without a table).  With force, a
 * language without a table gets English quotes instead of NULL. */
const lp_typo_style *lp_typo_style_for(const char *lang, bool force);

/* The state carried along one paragraph: which quotes are open, and what
 * the last character was (for the next quote's side). */
typedef struct lp_typo_state {
  int single_open; /* single quotes opened and not yet closed */
  int double_open; /* double quotes likewise */
  int prev;        /* class of the last character seen (typo.c) */
} lp_typo_state;

/* Starts a paragraph: no quote open, the start of a line before. */
void lp_typo_state_init(lp_typo_state *st);

/* Appends to out the text s (n bytes) with its punctuation converted by
 * style; next is the first code point after s in its paragraph (0: the
 * end), and st carries what came before.  Value tokens of fill.h and the
 * control characters of marks are copied as they are. */
void lp_typo_convert(const lp_typo_style *style, const char *s, size_t n,
                     int32_t next, lp_typo_state *st, lp_buf *out);

/* Notes in st that an unconverted piece of the paragraph came between two
 * texts: a code span or an escaped character (a word), or a line break
 * (a space). */
void lp_typo_state_word(lp_typo_state *st);
void lp_typo_state_space(lp_typo_state *st);

/* Converts the text of a whole line (a header or footer of the template),
 * as a paragraph; a malloc'd string the caller frees. */
char *lp_typo_line(const lp_typo_style *style, const char *s);

/* Converts every paragraph, heading and table cell under root (a tree
 * parsed from a template's body, before lp_fill_tree): its text nodes
 * change, everything else stays.  A paragraph or heading whose text ends
 * with lang_mark "lang=TAG" lang_mark (template.h's LP_LANG_CHAR, the
 * mark of {lang=TAG}; 0: none) is set in TAG's quotes, or left as typed
 * when TAG has none (Chinese, Japanese, Korean). */
void lp_typo_tree(cmark_node *root, const lp_typo_style *style, char lang_mark);

#endif
