/* test_memo.c - the memo of repeated results (memo.h). */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "memo.h"

int main(void) {
  lp_memo *m = lp_memo_new(1 << 16);
  size_t len = 1;
  /* Nothing is there at first; the first offer is only noted. */
  CHECK(lp_memo_get(m, "key", 3, &len) == NULL && len == 0);
  lp_memo_put(m, "key", 3, "value", 5);
  CHECK(lp_memo_get(m, "key", 3, &len) == NULL);
  CHECK(lp_memo_bytes(m) == 0);
  /* The second offer stores it; the value comes back as given. */
  lp_memo_put(m, "key", 3, "value", 5);
  const char *v = lp_memo_get(m, "key", 3, &len);
  CHECK(v && len == 5 && !memcmp(v, "value", 5));
  CHECK(lp_memo_bytes(m) > 8);
  /* Keys are compared whole: a prefix, a longer key, another byte. */
  CHECK(lp_memo_get(m, "ke", 2, &len) == NULL);
  CHECK(lp_memo_get(m, "key!", 4, &len) == NULL);
  CHECK(lp_memo_get(m, "kex", 3, &len) == NULL);
  /* Binary keys and an empty value. */
  const unsigned char bin[4] = {0, 1, 0, 2};
  lp_memo_put(m, bin, 4, "", 0);
  lp_memo_put(m, bin, 4, "", 0);
  CHECK(lp_memo_get(m, bin, 4, &len) != NULL && len == 0);
  /* Many keys offered twice: the memo empties itself when full and never
   * holds more than its limit; what is stored last is there. */
  size_t most = 0;
  char key[32], value[200];
  memset(value, 'x', sizeof value);
  for (int i = 0; i < 2000; i++) {
    snprintf(key, sizeof key, "paragraph %d", i);
    lp_memo_put(m, key, strlen(key), value, sizeof value);
    lp_memo_put(m, key, strlen(key), value, sizeof value);
    if (lp_memo_bytes(m) > most) most = lp_memo_bytes(m);
  }
  CHECK(most <= (1 << 16) && most > (1 << 15));
  CHECK(lp_memo_get(m, key, strlen(key), &len) != NULL && len == sizeof value);
  CHECK(lp_memo_get(m, "key", 3, &len) == NULL); /* emptied since */
  /* A value larger than the whole memo is never stored. */
  static char big[1 << 17];
  lp_memo_put(m, "big", 3, big, sizeof big);
  lp_memo_put(m, "big", 3, big, sizeof big);
  CHECK(lp_memo_get(m, "big", 3, &len) == NULL);
  CHECK(lp_memo_bytes(m) <= (1 << 16));
  lp_memo_free(m);
  return CHECK_DONE();
}
