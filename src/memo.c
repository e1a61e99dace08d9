/* memo.c - results remembered by key (see memo.h). */
#include "memo.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Buckets of the table, and slots of the filter of keys seen once. */
#define MEMO_BUCKETS 1024
#define MEMO_SEEN_SLOTS 4096

/* One entry: key and value in one allocation, the value first. */
typedef struct memo_entry {
  struct memo_entry *next;
  uint64_t hash;
  size_t key_len, len;
  unsigned char bytes[]; /* value, then key */
} memo_entry;

struct lp_memo {
  memo_entry *buckets[MEMO_BUCKETS];
  uint64_t seen[MEMO_SEEN_SLOTS]; /* hashes of keys offered once */
  size_t bytes, max_bytes;
};

lp_memo *lp_memo_new(size_t max_bytes) {
  lp_memo *m = lp_xcalloc(1, sizeof *m);
  m->max_bytes = max_bytes;
  return m;
}

static void memo_clear(lp_memo *m) {
  for (size_t b = 0; b < MEMO_BUCKETS; b++) {
    memo_entry *e = m->buckets[b];
    while (e) {
      memo_entry *next = e->next;
      free(e);
      e = next;
    }
    m->buckets[b] = NULL;
  }
  m->bytes = 0;
}

void lp_memo_free(lp_memo *m) {
  if (!m) return;
  memo_clear(m);
  free(m);
}

size_t lp_memo_bytes(const lp_memo *m) { return m->bytes; }

static uint64_t hash_of(const void *key, size_t n) {
  return lp_hash(LP_HASH_SEED, key, n);
}

const void *lp_memo_get(lp_memo *m, const void *key, size_t key_len,
                        size_t *len) {
  uint64_t h = hash_of(key, key_len);
  for (memo_entry *e = m->buckets[h % MEMO_BUCKETS]; e; e = e->next)
    if (e->hash == h && e->key_len == key_len &&
        !memcmp(e->bytes + e->len, key, key_len)) {
      *len = e->len;
      return e->bytes;
    }
  *len = 0;
  return NULL;
}

void lp_memo_put(lp_memo *m, const void *key, size_t key_len,
                 const void *value, size_t len) {
  uint64_t h = hash_of(key, key_len);
  uint64_t *seen = &m->seen[h % MEMO_SEEN_SLOTS];
  if (*seen != h) { /* first offer: remember only that */
    *seen = h;
    return;
  }
  size_t bytes = sizeof(memo_entry) + len + key_len;
  if (bytes > m->max_bytes) return;
  if (m->bytes + bytes > m->max_bytes) memo_clear(m);
  memo_entry *e = lp_xmalloc(bytes);
  e->hash = h;
  e->key_len = key_len;
  e->len = len;
  if (len) memcpy(e->bytes, value, len);
  memcpy(e->bytes + len, key, key_len);
  e->next = m->buckets[h % MEMO_BUCKETS];
  m->buckets[h % MEMO_BUCKETS] = e;
  m->bytes += bytes;
}
