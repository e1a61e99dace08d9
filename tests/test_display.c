/* test_display.c - the laid-out pages: the names a document's form fields
 * get (unique, in document order, in one pass however many letters a
 * merge puts in one document). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "display.h"

static void add(lp_dpage *p, const char *name) {
  lp_dpage_add_field(p, LP_FIELD_TEXT, name, 0, 0, 10, 10, 11, false);
}

int main(void) {
  lp_display *d = lp_display_new();
  lp_dpage *p = lp_display_add_page(d, 595, 842);
  add(p, "签名");
  add(p, "签名");
  add(p, "签名_2"); /* typed by the template: taken already */
  p = lp_display_add_page(d, 595, 842);
  add(p, "签名");
  add(p, "日期");
  add(p, "");
  add(p, "");
  size_t n = 0;
  char **names = lp_display_field_names(d, &n);
  CHECK(n == 7);
  if (n == 7) {
    CHECK_STR(names[0], "签名");
    CHECK_STR(names[1], "签名_2");
    CHECK_STR(names[2], "签名_2_2");
    CHECK_STR(names[3], "签名_3");
    CHECK_STR(names[4], "日期");
    CHECK_STR(names[5], "");
    CHECK_STR(names[6], "_2");
  }
  lp_display_free_names(names, n);
  lp_display_free(d);

  /* A combined merge: 20 000 letters with the same two fields.  Every name
   * is unique, and the last is the 20 000th of its base. */
  d = lp_display_new();
  for (int letter = 0; letter < 20000; letter++) {
    p = lp_display_add_page(d, 595, 842);
    add(p, "签名");
    add(p, "日期");
  }
  names = lp_display_field_names(d, &n);
  CHECK(n == 40000);
  if (n == 40000) {
    CHECK_STR(names[39998], "签名_20000");
    CHECK_STR(names[39999], "日期_20000");
    size_t dupes = 0;
    for (size_t i = 1; i < n; i++) dupes += strcmp(names[i], names[i - 1]) == 0;
    CHECK(dupes == 0);
  }
  lp_display_free_names(names, n);
  lp_display_free(d);

  /* Appending letters keeps every record's attachment, in order. */
  d = lp_display_new();
  for (int letter = 1; letter <= 3; letter++) {
    lp_display *one = lp_display_new();
    lp_display_add_page(one, 595, 842);
    char name[32], json[32];
    snprintf(name, sizeof name, "data-%d.json", letter);
    snprintf(json, sizeof json, "{\"n\": %d}", letter);
    lp_display_add_attachment(one, name, json);
    lp_display_append(d, one);
    CHECK(one->meta.nattachments == 0);
    lp_display_free(one);
  }
  CHECK(d->npages == 3);
  CHECK(d->meta.nattachments == 3);
  if (d->meta.nattachments == 3) {
    CHECK_STR(d->meta.attachments[0].name, "data-1.json");
    CHECK_STR(d->meta.attachments[2].name, "data-3.json");
    CHECK_STR(d->meta.attachments[2].json, "{\"n\": 3}");
  }
  lp_display_free(d);
  return CHECK_DONE();
}
