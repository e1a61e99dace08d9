/* breaks.c - line-break opportunities from ICU's UAX #14 iterator.
 *
 * ICU implements UAX #14 with the CSS line-break strictness levels as locale
 * keywords (@lb=strict|normal|loose).  Chinese uses "normal" (clreq allows a
 * line to start with small kana and the prolonged sound mark, which Chinese
 * text rarely has anyway); Japanese uses "strict" (jlreq 3.1.7: small kana and
 * ー do not start a line in strict processing).  Kinsoku for opening and
 * closing brackets and punctuation is part of UAX #14 itself (classes OP, CL,
 * CP, NS, EX, IS).
 */
#include "breaks.h"

#include <stdlib.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/ustring.h>
#include <unicode/utext.h>

#include "util.h"

#define MAX_LOCALES 8

struct lp_breaker {
  const char *locales[MAX_LOCALES];
  UBreakIterator *iters[MAX_LOCALES];
  int count;
};

lp_breaker *lp_breaker_new(void) { return lp_xcalloc(1, sizeof(lp_breaker)); }

void lp_breaker_free(lp_breaker *b) {
  if (!b) return;
  for (int i = 0; i < b->count; i++) ubrk_close(b->iters[i]);
  free(b);
}

const char *lp_breaks_locale(const char *lang) {
  if (lp_lang_is(lang, "ja")) return "ja@lb=strict";
  if (lp_lang_is(lang, "zh")) return "zh@lb=normal";
  if (lp_lang_is(lang, "ko")) return "ko@lb=normal";
  return "en";
}

/* The cached iterator for locale, opened on first use. */
static UBreakIterator *iterator(lp_breaker *b, const char *locale,
                                lp_error *err) {
  for (int i = 0; i < b->count; i++)
    if (b->locales[i] == locale) return b->iters[i];
  UErrorCode st = U_ZERO_ERROR;
  UBreakIterator *it = ubrk_open(UBRK_LINE, locale, NULL, 0, &st);
  if (U_FAILURE(st)) {
    lp_fail(err, LP_ERR_FONT, NULL, 0, 0,
            "ICU line breaking unavailable for %s: %s", locale,
            u_errorName(st));
    return NULL;
  }
  if (b->count == MAX_LOCALES) { /* never more than the fixed set above */
    ubrk_close(b->iters[0]);
    memmove(b->iters, b->iters + 1, sizeof b->iters[0] * (MAX_LOCALES - 1));
    memmove(b->locales, b->locales + 1,
            sizeof b->locales[0] * (MAX_LOCALES - 1));
    b->count--;
  }
  b->locales[b->count] = locale;
  b->iters[b->count++] = it;
  return it;
}

bool lp_breaks_find(lp_breaker *b, const char *text, size_t len,
                    const char *lang, uint8_t *out, lp_error *err) {
  memset(out, LP_BREAK_NONE, len + 1);
  if (len == 0) return true;
  UBreakIterator *it = iterator(b, lp_breaks_locale(lang), err);
  if (!it) return false;
  /* UText over UTF-8 gives native indexes in bytes: no offset mapping. */
  UErrorCode st = U_ZERO_ERROR;
  UText *ut = utext_openUTF8(NULL, text, (int64_t)len, &st);
  ubrk_setUText(it, ut, &st);
  if (U_FAILURE(st)) {
    utext_close(ut);
    return lp_fail(err, LP_ERR_INPUT, NULL, 0, 0,
                   "ICU cannot break this text: %s", u_errorName(st));
  }
  for (int32_t p = ubrk_first(it); p != UBRK_DONE; p = ubrk_next(it)) {
    if (p <= 0 || (size_t)p > len) continue;
    int32_t status = ubrk_getRuleStatus(it);
    out[p] = status >= UBRK_LINE_HARD && status < UBRK_LINE_HARD_LIMIT
                 ? LP_BREAK_MANDATORY
                 : LP_BREAK_ALLOWED;
  }
  static const UChar empty[1] = {0};
  ubrk_setText(it, empty, 0, &st); /* drop the reference to ut */
  utext_close(ut);
  return true;
}
