/* test_tags.c - the structure tree (tags.h) and its place in the display
 * (display.h): reading order of kids, content parts, and a mail merge's
 * documents joined with their structure ids following. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "display.h"
#include "tags.h"

/* Elements are numbered from 1, kids in the order they are opened; an
 * element opened first goes before the others (a letterhead laid out after
 * its letter's text). */
static void test_order(void) {
  lp_tags t = {0};
  uint32_t sect = lp_tags_open(&t, 0, "Sect");
  uint32_t h1 = lp_tags_open(&t, sect, "H1");
  uint32_t p = lp_tags_open(&t, sect, "P");
  uint32_t fig = lp_tags_open_first(&t, sect, "Figure");
  CHECK(sect == 1 && h1 == 2 && p == 3 && fig == 4);
  const lp_tags_elem *s = lp_tags_get(&t, sect);
  CHECK(s && s->nkids == 3);
  CHECK(s->kids[0].elem == fig && s->kids[1].elem == h1 && s->kids[2].elem == p);
  CHECK_STR(lp_tags_get(&t, h1)->role, "H1");
  CHECK(lp_tags_get(&t, p)->parent == sect);
  CHECK(lp_tags_get(&t, 0) == NULL && lp_tags_get(&t, 99) == NULL);
  lp_tags_set_alt(&t, fig, "公司信头");
  lp_tags_set_scope(&t, fig, "Column");
  CHECK_STR(lp_tags_get(&t, fig)->alt, "公司信头");
  lp_tags_set_alt(&t, fig, NULL);
  CHECK(lp_tags_get(&t, fig)->alt == NULL);
  lp_tags_free(&t);
  CHECK(t.count == 0 && t.tags == NULL);
}

/* Content between two child elements is one part; a child element starts
 * a new one: a paragraph's text, an image in it, the text after. */
static void test_content_parts(void) {
  lp_tags t = {0};
  uint32_t p = lp_tags_open(&t, 0, "P");
  CHECK(lp_tags_content(&t, p) == 0);
  CHECK(lp_tags_content(&t, p) == 0); /* the same part goes on */
  uint32_t fig = lp_tags_open(&t, p, "Figure");
  CHECK(lp_tags_content(&t, p) == 2); /* kids: part, Figure, part */
  const lp_tags_elem *e = lp_tags_get(&t, p);
  CHECK(e->nkids == 3 && e->kids[0].elem == 0 && e->kids[1].elem == fig &&
        e->kids[2].elem == 0);
  CHECK(lp_tags_content(&t, 0) == 0); /* an artifact: no element */
  lp_tags_free(&t);
}

/* Joining documents (a combined mail merge): the second document's
 * elements follow the first's, and its runs, images and fields point at
 * them under their new ids. */
static void test_append(void) {
  lp_display *a = lp_display_new(), *b = lp_display_new();
  uint32_t sa = lp_tags_open(&a->tags, 0, "Sect");
  lp_tags_open(&a->tags, sa, "P");
  uint32_t sb = lp_tags_open(&b->tags, 0, "Sect");
  uint32_t pb = lp_tags_open(&b->tags, sb, "P");
  uint32_t fb = lp_tags_open(&b->tags, pb, "Form");
  lp_dpage *pg = lp_display_add_page(b, 595, 842);
  lp_drun *r = lp_dpage_add_run(pg, NULL, 11, 0);
  r->tag = pb;
  r->part = lp_tags_content(&b->tags, pb);
  lp_dpage_add_run(pg, NULL, 9, 0)->artifact = LP_ARTIFACT_FOOTER;
  lp_dpage_add_field(pg, LP_FIELD_TEXT, "姓名", 0, 0, 10, 10, 11, false)->tag = fb;
  lp_display_append(a, b);
  CHECK(a->npages == 1 && a->tags.count == 6);
  const lp_drun *run = &a->pages[0].runs[0];
  const lp_tags_elem *p = lp_tags_get(&a->tags, run->tag);
  CHECK(run->tag == 4 && p && !strcmp(p->role, "P") && p->parent == 3);
  CHECK(lp_tags_get(&a->tags, 3)->parent == 0); /* still a top-level Sect */
  CHECK(p->nkids == 2 && p->kids[0].elem == 5 && p->kids[1].elem == 0);
  CHECK(a->pages[0].runs[1].tag == 0); /* an artifact stays one */
  CHECK(a->pages[0].fields[0].tag == 5);
  CHECK_STR(lp_tags_get(&a->tags, 5)->role, "Form");
  CHECK(b->tags.count == 0);
  lp_display_free(a);
  lp_display_free(b);
}

int main(void) {
  test_order();
  test_content_parts();
  test_append();
  return CHECK_DONE();
}
