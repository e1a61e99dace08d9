/* test_typo.c - typographic punctuation: dashes, ellipses, the quotes of
 * each language, which side a quote is on, and what is left as typed
 * (code, data values, CJK letters). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "markdown.h"
#include "template.h"
#include "typo.h"

/* s converted as one paragraph of lang (forced on); a static buffer. */
static const char *conv(const char *lang, const char *s) {
  static char out[512];
  const lp_typo_style *y = lp_typo_style_for(lang, true);
  char *r = lp_typo_line(y, s);
  snprintf(out, sizeof out, "%s", r);
  free(r);
  return out;
}

/* Checks that s becomes want in lang; prints both when not. */
#define CONV(lang, s, want)                                                 \
  do {                                                                      \
    const char *got_ = conv(lang, s);                                       \
    CHECK_STR(got_, want);                                                  \
    if (strcmp(got_, want))                                                 \
      fprintf(stderr, "  %s: [%s] -> [%s], want [%s]\n", lang, s, got_,     \
              want);                                                        \
  } while (0)

static void test_dashes_and_ellipses(void) {
  CONV("en", "pages 3--5", "pages 3–5");
  CONV("en", "1990--2000", "1990–2000");
  CONV("en", "wait---no", "wait—no");
  CONV("en", "wait --- no", "wait — no");
  CONV("en", "and so...", "and so…");
  CONV("en", "well... yes", "well… yes");
  CONV("en", "a well-known fact", "a well-known fact");
  CONV("en", "----", "----");        /* a rule of hyphens stays */
  CONV("en", "Name ......... 4", "Name ......... 4"); /* leaders stay */
  CONV("en", "v2.4.1 and 3.5", "v2.4.1 and 3.5");
}

static void test_english_quotes(void) {
  CONV("en", "\"quoted\"", "“quoted”");
  CONV("en", "it's", "it’s");
  CONV("en", "don't 'n' won't", "don’t ’n’ won’t");
  CONV("en", "the '90s", "the ’90s");
  CONV("en", "'tis the season", "’tis the season");
  CONV("en", "the students' books", "the students’ books");
  CONV("en", "\"He said 'hi' to me\"", "“He said ‘hi’ to me”");
  CONV("en", "'single'", "‘single’");
  CONV("en", "(\"in brackets\")", "(“in brackets”)");
  CONV("en", "\"Hello,\" she said.", "“Hello,” she said.");
  CONV("en", "Was it \"final\"?", "Was it “final”?");
  CONV("en", "\"Really?\" \"Yes!\"", "“Really?” “Yes!”");
  CONV("en", "\"...and then\"", "“…and then”");
  CONV("en", "a dash--\"quoted\"", "a dash–“quoted”");
  CONV("en", "\"'Nested' first\"", "“‘Nested’ first”");
  CONV("en", "\"last 'nested'\"", "“last ‘nested’”");
  CONV("en", "a \" stray", "a \" stray"); /* between spaces: as typed */
  CONV("en", "5' 10", "5’ 10");
}

static void test_other_languages(void) {
  CONV("de", "Er sagte \"ja\" und 'nein'.", "Er sagte „ja“ und ‚nein‘.");
  CONV("de", "Geht's?", "Geht’s?");
  CONV("de-CH", "\"Grüezi\"", "«Grüezi»");
  CONV("fr", "Il a dit \"oui\".", "Il a dit «\u00A0oui\u00A0».");
  CONV("fr", "Il a dit \" oui \".", "Il a dit «\u00A0oui\u00A0».");
  CONV("fr", "l'école", "l’école");
  CONV("fr", "Vraiment ? Oui ! Non ; voici : x",
       "Vraiment\u202F? Oui\u202F! Non\u202F; voici\u00A0: x");
  CONV("fr", "Oui!", "Oui!"); /* no space typed, none added */
  CONV("fr", "http://x.fr 10:30", "http://x.fr 10:30");
  CONV("es", "\"Hola\"", "«Hola»");
  CONV("ru", "\"Да\"", "«Да»");
  CONV("pl", "\"Tak\"", "„Tak”");
  CONV("sv", "\"Ja\"", "”Ja”");
  CONV("da", "\"Ja\"", "»Ja«");
  CONV("pt-BR", "\"Sim\"", "“Sim”");
}

/* Which languages get smart punctuation without being asked. */
static void test_defaults(void) {
  CHECK(lp_typo_style_for("en", false) != NULL);
  CHECK(lp_typo_style_for("en-GB", false) != NULL);
  CHECK(lp_typo_style_for("fr-CA", false) != NULL);
  CHECK(lp_typo_style_for(NULL, false) != NULL);
  /* A tag in any letter case picks its region's quotes (de-CH: «»). */
  CHECK(!strcmp(lp_typo_style_for("de_ch", false)->open2, "\u00ab"));
  CHECK(!strcmp(lp_typo_style_for("DE-ch", false)->open2, "\u00ab"));
  CHECK(!strcmp(lp_typo_style_for("pt-br", false)->open2, "\u201c"));
  CHECK(lp_typo_style_for("ja", false) == NULL);
  CHECK(lp_typo_style_for("zh-CN", false) == NULL);
  CHECK(lp_typo_style_for("ko", false) == NULL);
  CHECK(lp_typo_style_for("ar", false) == NULL);
  CHECK(lp_typo_style_for("ja", true) != NULL); /* asked for */
  /* CJK letters and their brackets stay: only ASCII marks change. */
  CONV("ja", "「引用」と『書名』……", "「引用」と『書名』……");
}

/* Data values (fill tokens) stay as typed and read as words. */
static void test_tokens(void) {
  CONV("en", "\"{{\x1d" "0}}\"", "“{{\x1d" "0}}”");
  CONV("en", "{{\x1d" "12}}'s", "{{\x1d" "12}}’s");
  CONV("en", "{{\x1d" "3}}--{{\x1d" "4}}", "{{\x1d" "3}}–{{\x1d" "4}}");
}

/* The text of a tree's leaves, converted as a letter's body is. */
static char *tree_text(const char *md, const char *lang) {
  cmark_node *doc = lp_markdown_parse(md, strlen(md), LP_MARKDOWN_LETTER);
  lp_typo_tree(doc, lp_typo_style_for(lang, false), LP_LANG_CHAR);
  lp_buf out = {0};
  cmark_iter *it = cmark_iter_new(doc);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *n = cmark_iter_get_node(it);
    const char *lit = cmark_node_get_literal(n);
    if (ev == CMARK_EVENT_ENTER && lit) {
      if (out.len) lp_buf_puts(&out, "|");
      lp_buf_puts(&out, lit);
    }
  }
  cmark_iter_free(it);
  cmark_node_free(doc);
  char *r = lp_buf_strdup(&out);
  lp_buf_free(&out);
  return r;
}

#define TREE(md, lang, want)                                                \
  do {                                                                      \
    char *got_ = tree_text(md, lang);                                       \
    CHECK_STR(got_, want);                                                  \
    if (strcmp(got_, want))                                                 \
      fprintf(stderr, "  [%s] -> [%s], want [%s]\n", md, got_, want);       \
    free(got_);                                                             \
  } while (0)

/* On a tree: quotes see across emphasis and line breaks, code stays. */
static void test_tree(void) {
  TREE("\"*emph*\" -- `\"code\" -- x`\n", "en", "“|emph|” – |\"code\" -- x");
  TREE("*\"a\"* it's\n", "en", "“a”| it’s");
  TREE("say\n\"hi\"\n", "en", "say|“hi”");
  TREE("```\n\"block\" -- x\n```\n", "en", "\"block\" -- x\n");
  TREE("# A \"title\"\n\n| \"a\" |\n|---|\n| 'b' |\n", "en",
       "A “title”|“a”|‘b’");
  TREE("\"x\" -- y\n", "ja", "\"x\" -- y"); /* off for Japanese */
  /* An address shown as the link's text stays; other link text changes. */
  TREE("<https://x.org/a--b...> and <a--b@x.org>\n", "en",
       "https://x.org/a--b...| and |a--b@x.org");
  TREE("[\"our\" site--here](https://x.org/a--b)\n", "en", "“our” site–here");
}

/* The text of a template's body as a render sets it: parsed, converted,
 * marks settled (render.c's order). */
static char *template_text(const char *md) {
  lp_error err;
  lp_template *t = lp_template_parse(md, strlen(md), "t.md", &err);
  if (!t) return lp_xstrdup(err.message);
  cmark_node *doc = lp_markdown_parse(t->body, t->body_len, LP_MARKDOWN_LETTER);
  lp_typo_tree(doc, lp_template_typo(t), LP_LANG_CHAR);
  lp_template_unmark_code(doc);
  lp_buf out = {0};
  cmark_iter *it = cmark_iter_new(doc);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *n = cmark_iter_get_node(it);
    const char *lit = cmark_node_get_literal(n);
    const char *url = cmark_node_get_type(n) == CMARK_NODE_LINK
                          ? cmark_node_get_url(n) : NULL;
    if (ev != CMARK_EVENT_ENTER || (!lit && !url)) continue;
    if (out.len) lp_buf_puts(&out, "|");
    lp_buf_puts(&out, lit ? lit : url);
  }
  cmark_iter_free(it);
  cmark_node_free(doc);
  lp_template_free(t);
  char *r = lp_buf_strdup(&out);
  lp_buf_free(&out);
  return r;
}

#define TEMPLATE(md, want)                                                  \
  do {                                                                      \
    char *got_ = template_text(md);                                         \
    CHECK_STR(got_, want);                                                  \
    if (strcmp(got_, want))                                                 \
      fprintf(stderr, "  [%s] -> [%s], want [%s]\n", md, got_, want);       \
    free(got_);                                                             \
  } while (0)

/* A backslash keeps a quote, hyphen or stop as typed, and is shown in
 * code; without smart punctuation it is Markdown's escape as before. */
static void test_escapes(void) {
  TEMPLATE("5'10\\\" tall, \\'90s \\-\\- \"x\"\n",
           "5’10\" tall, '90s -- “x”");
  TEMPLATE("\\...\n", "...");
  TEMPLATE("\\- not a list\n", "- not a list");
  TEMPLATE("1\\. not a list\n", "1. not a list");
  TEMPLATE("`a \\\" b`\n", "a \\\" b");
  TEMPLATE("[l](http://x/a\\.b)\n", "http://x/a.b|l");
  TEMPLATE("---\nsmart-punctuation: false\n---\nsay \\\"x\\\" \"y\"\n",
           "say \"x\" \"y\"");
  TEMPLATE("---\nlang: ja\n---\n\\\"引用\\\"\n", "\"引用\"");
}

int main(void) {
  test_dashes_and_ellipses();
  test_english_quotes();
  test_other_languages();
  test_defaults();
  test_tokens();
  test_tree();
  test_escapes();
  return CHECK_DONE();
}
