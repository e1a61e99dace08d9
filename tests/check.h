/* check.h - a minimal unit-test harness: CHECK(cond) records a result; a
 * test program ends with CHECK_DONE(), which prints "N passed, N failed" and
 * returns the exit status. */
#ifndef LP_CHECK_H
#define LP_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                        \
  do {                                                                     \
    if (cond) {                                                            \
      check_passed++;                                                      \
    } else {                                                               \
      check_failed++;                                                      \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,    \
              #cond);                                                      \
    }                                                                      \
  } while (0)

#define CHECK_STR(a, b) CHECK((a) && (b) && strcmp((a), (b)) == 0)

#define CHECK_DONE()                                                       \
  (printf("%d passed, %d failed\n", check_passed, check_failed),           \
   check_failed ? 1 : 0)

#endif
