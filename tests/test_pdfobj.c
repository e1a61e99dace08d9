/* test_pdfobj.c - the small PDF objects shared by the writer, the forms
 * and the signer (pdfobj.h), and the Markdown parse they share with mail
 * (markdown.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>

#include "check.h"
#include "markdown.h"
#include "pdfobj.h"

/* The text of b as a C string (b keeps it). */
static const char *text_of(lp_buf *b) {
  lp_buf_append(b, "", 1);
  b->len--;
  return (const char *)b->data;
}

/* Numbers: thousandths written compactly, without a locale. */
static void test_numbers(void) {
  lp_buf b = {0};
  long long v[] = {lp_pdfobj_milli(12.5), lp_pdfobj_milli(-0.25),
                   lp_pdfobj_milli(3), lp_pdfobj_milli(0.0004)};
  for (size_t i = 0; i < 4; i++) {
    lp_pdfobj_put_milli(&b, v[i]);
    lp_buf_puts(&b, " ");
  }
  CHECK_STR(text_of(&b), "12.5 -0.25 3 0 ");
  lp_buf_free(&b);
}

/* Text strings written by hand: a literal for plain ASCII, else UTF-16BE
 * with a byte order mark, astral characters as surrogate pairs. */
static void test_text_strings(void) {
  static const struct {
    const char *utf8, *pdf;
  } cases[] = {
      {"Paris", "(Paris)"},
      {"a(b)", "<FEFF0061002800620029>"},
      {"東京\xF0\xA0\x80\x80", "<FEFF67714EACD840DC00>"},
      {"\xFF", "<FEFFFFFD>"}, /* an invalid byte becomes U+FFFD */
  };
  lp_buf b = {0};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    b.len = 0;
    lp_pdfobj_put_text_string(&b, cases[i].utf8);
    CHECK_STR(text_of(&b), cases[i].pdf);
  }
  b.len = 0;
  /* A limit never splits a surrogate pair. */
  lp_pdfobj_put_utf16be(&b, "a\xF0\xA0\x80\x80", 5, 2);
  CHECK(b.len == 2);
  lp_buf_free(&b);
}

/* Dates: the PDF form, and the same instant for libharu. */
static void test_dates(void) {
  char s[32];
  CHECK(lp_pdfobj_date_string(1700000000, s));
  CHECK(!strcmp(s, "D:20231114221320+00'00'"));
  CHECK(lp_pdfobj_date_string(0, s));
  CHECK(!strcmp(s, "D:19700101000000+00'00'"));
  CHECK(!lp_pdfobj_date_string(253402300800LL, s)); /* year 10000 */
  HPDF_Date d;
  CHECK(lp_pdfobj_date(1700000000, &d));
  CHECK(d.year == 2023 && d.month == 11 && d.day == 14 && d.hour == 22 &&
        d.minutes == 13 && d.seconds == 20 && d.ind == '+');
  CHECK(!lp_pdfobj_date(253402300800LL, &d));
}

/* Objects inside a libharu document. */
static void test_objects(void) {
  lp_haru_status st = {0};
  HPDF_Doc pdf = HPDF_New(lp_pdfobj_on_haru_error, &st);
  CHECK(pdf != NULL);
  /* The strings go into a dictionary of the document, which frees them. */
  HPDF_Dict dict = lp_pdfobj_indirect_dict(pdf);
  CHECK(dict != NULL);
  CHECK(HPDF_Dict_Add(dict, "A", lp_pdfobj_text_string(pdf, "plain")) ==
        HPDF_OK);
  CHECK(HPDF_Dict_Add(dict, "B", lp_pdfobj_text_string(pdf, "東京")) ==
        HPDF_OK);
  CHECK(lp_pdfobj_stream(pdf, "0 0 m", 5) != NULL);
  CHECK(lp_pdfobj_stream(pdf, "", 0) != NULL);
  lp_error err = {0};
  CHECK(!lp_pdfobj_haru_fail(pdf, &st, &err, "testing"));
  CHECK(err.code == LP_ERR_PDF && strstr(err.message, "while testing"));
  HPDF_Free(pdf);
}

/* One parse for letters and mail: both take autolinks; a letter also
 * takes footnotes, numbered in reference order. */
static void test_markdown(void) {
  const char *md = "| a |\n|---|\n| 1 |\n\n~~x~~ http://example.com\n";
  cmark_node *letter = lp_markdown_parse(md, strlen(md), LP_MARKDOWN_LETTER);
  cmark_node *mail = lp_markdown_parse(md, strlen(md), LP_MARKDOWN_MAIL);
  char *lh = lp_markdown_html(letter, LP_MARKDOWN_LETTER);
  char *mh = lp_markdown_html(mail, LP_MARKDOWN_MAIL);
  CHECK(strstr(lh, "<table>") && strstr(lh, "<del>x</del>"));
  CHECK(strstr(lh, "<a href=\"http://example.com\""));
  CHECK(strstr(mh, "<table>") && strstr(mh, "<a href=\"http://example.com\""));
  /* A letter's nodes carry their source lines. */
  CHECK(cmark_node_get_start_line(cmark_node_last_child(letter)) == 5);
  free(lh);
  free(mh);
  cmark_node_free(letter);
  cmark_node_free(mail);
  const char *fn = "A[^z] b[^y].\n\n[^y]: Y.\n[^z]: Z.\n";
  letter = lp_markdown_parse(fn, strlen(fn), LP_MARKDOWN_LETTER);
  mail = lp_markdown_parse(fn, strlen(fn), LP_MARKDOWN_MAIL);
  cmark_node *ref = cmark_node_next(
      cmark_node_first_child(cmark_node_first_child(letter)));
  CHECK(ref && cmark_node_get_type(ref) == CMARK_NODE_FOOTNOTE_REFERENCE &&
        !strcmp(cmark_node_get_literal(ref), "1"));
  CHECK(cmark_node_get_type(cmark_node_last_child(letter)) ==
        CMARK_NODE_FOOTNOTE_DEFINITION);
  CHECK(cmark_node_get_type(cmark_node_last_child(mail)) ==
        CMARK_NODE_PARAGRAPH);
  cmark_node_free(letter);
  cmark_node_free(mail);
}

int main(void) {
  test_numbers();
  test_text_strings();
  test_dates();
  test_objects();
  test_markdown();
  return CHECK_DONE();
}
