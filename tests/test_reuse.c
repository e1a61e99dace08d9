/* test_reuse.c - a letter's bytes do not depend on what its engine did
 * before: a merge on a fresh engine and on one that first rendered the
 * template alone (filling the subset cache with the same glyphs, made and
 * compressed as a whole document) write the same files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "letterpress.h"

#define TEMPLATE "templates/commitment-letter.md"
#define DATA "templates/commitment-letter.csv"

static bool merge(lp_engine *e, const lp_template *t, const char *dir) {
  char out[256];
  snprintf(out, sizeof out, "%s/{{customer.id}}.pdf", dir);
  lp_merge_options o;
  memset(&o, 0, sizeof o);
  o.data = DATA;
  o.output = out;
  o.jobs = 1;
  lp_merge_progress sum;
  lp_error err = {0};
  bool ok = lp_merge(e, t, &o, &sum, &err) && sum.failed == 0;
  if (!ok) fprintf(stderr, "merge into %s: %s\n", dir, err.message);
  return ok;
}

static bool same_files(const char *a, const char *b) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "diff -r %s %s >/dev/null 2>&1", a, b);
  return system(cmd) == 0;
}

int main(void) {
  setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
  const char *conf = "fonts/fonts.conf";
  lp_error err = {0};
  lp_template *t = lp_template_load(TEMPLATE, &err);
  CHECK(t != NULL);
  if (!t) return CHECK_DONE();
  CHECK(system("rm -rf /tmp/test_reuse_fresh /tmp/test_reuse_used") == 0);

  lp_engine *fresh = lp_engine_new(conf, &err);
  CHECK(fresh && merge(fresh, t, "/tmp/test_reuse_fresh"));
  lp_engine_free(fresh);

  /* The same template rendered alone first, with blanks: its glyphs are
   * the merge's anchors, already in the cache as an ordinary subset. */
  lp_engine *used = lp_engine_new(conf, &err);
  CHECK(used != NULL);
  if (used) {
    lp_render_options ro = {0};
    ro.blanks = true;
    unsigned char *pdf = NULL;
    size_t len = 0;
    CHECK(lp_render_to_memory(used, t, &ro, &pdf, &len, &err));
    free(pdf);
    CHECK(merge(used, t, "/tmp/test_reuse_used"));
    lp_engine_free(used);
  }
  CHECK(same_files("/tmp/test_reuse_fresh", "/tmp/test_reuse_used"));
  lp_template_free(t);
  return CHECK_DONE();
}
