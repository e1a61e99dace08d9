/* locales.h - the conventions of each language and region in one place:
 * language tags (checked and written the BCP 47 way), which Han forms a
 * Chinese tag asks for, the default footer, the words that label a
 * signature or seal, and the words of a letter's closing.
 *
 * Every function takes a tag as lp_locales_normalize writes it ("zh-Hant-HK",
 * "ja-JP") and tolerates the other spellings ("zh_tw") and NULL (English).
 * Nothing here allocates; returned strings are static.
 */
#ifndef LP_LOCALES_H
#define LP_LOCALES_H

#include <stdbool.h>
#include <stddef.h>

/* The regional forms of Han characters (and the Noto CJK face) a tag asks
 * for. */
typedef enum lp_han_forms {
  LP_HAN_NONE, /* not Chinese, Japanese or Korean */
  LP_HAN_SC,   /* Simplified: zh, zh-CN, zh-SG, zh-Hans */
  LP_HAN_TC,   /* Traditional, Taiwan: zh-TW, zh-MO, zh-Hant */
  LP_HAN_HK,   /* Traditional, Hong Kong: zh-HK, zh-Hant-HK */
  LP_HAN_JP,
  LP_HAN_KR,
} lp_han_forms;

/* Writes tag into out (cap bytes) in BCP 47's letter case with '-' between
 * subtags: "zh_tw" becomes "zh-TW", "ZH-hant-hk" "zh-Hant-HK".  False when
 * it does not fit. */
bool lp_locales_normalize(const char *tag, char *out, size_t cap);

/* Whether tag (normalized) is a well-formed BCP 47 tag whose language is an
 * ISO 639 code (ICU's list) and whose region, if any, an ISO 3166 code or a
 * UN M49 number.  If not, writes into why (cap bytes) what is wrong and
 * what to write instead ("jp" is Japan's country code: write "ja"). */
bool lp_locales_check(const char *tag, char *why, size_t cap);

/* The Han forms of lang: a script subtag decides (Hant, Hans), then the
 * region (TW, MO: Traditional; HK: Hong Kong's forms), else Simplified. */
lp_han_forms lp_locales_han_forms(const char *lang);

/* Whether lang is Chinese written in Traditional characters. */
bool lp_locales_traditional(const char *lang);

/* The language name fontconfig understands for lang ("zh-tw" for zh-Hant,
 * "zh-hk" for zh-Hant-HK, "ja" for ja-JP): a language and at most a region.
 * Writes into out (cap bytes) and returns it. */
const char *lp_locales_fc_lang(const char *lang, char *out, size_t cap);

/* The footer printed when the template gives none. */
const char *lp_locales_footer(const char *lang);

/* Whether label (the text before a blank, colon removed) names a signature
 * or a seal in any of the languages: it ends with a signature word, or, in
 * Latin, starts with "Signature" or "Signed". */
bool lp_locales_signature_label(const char *label);

/* Whether text (len bytes, one line) is the second half of a Chinese
 * letter's closing, set flush left (敬礼！, 商祺, 安好 …). */
bool lp_locales_closing_word(const char *text, size_t len);

/* Whether text (len bytes) is a whole two-line Chinese closing written as
 * one paragraph with a hard break: an opening word (此致, 顺颂, 祝 …), a
 * newline, and a closing word.  Its first line keeps the paragraph indent;
 * the second starts at the margin. */
bool lp_locales_closing_pair(const char *text, size_t len);

/* Whether a paragraph of lang starting with text (len bytes) opens with a
 * Japanese letter's salutation word (頭語: 拝啓, 謹啓, 前略 …), which is
 * set at the line head, without the paragraph indent. */
bool lp_locales_opening_word(const char *lang, const char *text,
                            size_t len);

/* Whether a paragraph of lang whose whole text is text (len bytes) is a
 * Japanese letter's closing word (結語: 敬具, 謹言, 草々 …) or the 以上
 * that ends a 記 section, alone: set flush right. */
bool lp_locales_closing_right(const char *lang, const char *text,
                              size_t len);

#endif
