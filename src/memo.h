/* memo.h - results remembered by key, for the work a mail merge repeats in
 * every letter: shaping and line breaking of the template's own paragraphs.
 *
 * Keys and values are byte strings (copied in).  A value is stored only
 * the second time its key is offered (lp_memo_put), so that text seen once
 * (a record's own names and numbers) never fills the memo; when the bytes
 * held would pass the memo's limit it is emptied and starts again, so its
 * memory is bounded over any batch.  Not thread-safe: one per engine.
 */
#ifndef LP_MEMO_H
#define LP_MEMO_H

#include <stddef.h>

typedef struct lp_memo lp_memo;

lp_memo *lp_memo_new(size_t max_bytes);
void lp_memo_free(lp_memo *memo);

/* The value stored under key (owned by the memo, valid until the next
 * lp_memo_put), with its length in *len; NULL when there is none. */
const void *lp_memo_get(lp_memo *memo, const void *key, size_t key_len,
                        size_t *len);

/* Offers the value for key, after lp_memo_get found none: stored if key was
 * offered before, else only noted as seen. */
void lp_memo_put(lp_memo *memo, const void *key, size_t key_len,
                 const void *value, size_t len);

/* Bytes held now (keys and values), at most max_bytes. */
size_t lp_memo_bytes(const lp_memo *memo);

#endif
