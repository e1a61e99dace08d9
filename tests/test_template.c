/* test_template.c - front matter, validation, located errors, blanks. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm.h>

#include "check.h"
#include "fill.h"
#include "shape.h"
#include "template.h"

static lp_template *parse(const char *text, lp_error *err) {
  lp_error_clear(err);
  return lp_template_parse(text, strlen(text), "t.md", err);
}

/* Parses text expecting an error at line:col whose message contains what. */
static void expect_error(const char *text, int line, int col,
                         const char *what) {
  lp_error err;
  lp_template *t = parse(text, &err);
  CHECK(t == NULL);
  CHECK(err.code == LP_ERR_INPUT);
  CHECK(err.line == line);
  CHECK(err.column == col);
  CHECK(strstr(err.message, what) != NULL);
  if (err.line != line || err.column != col || !strstr(err.message, what))
    fprintf(stderr, "  got %d:%d: %s\n", err.line, err.column, err.message);
  lp_template_free(t);
}

/* The keys of README.md's front-matter table (rows "| `key`, `key` | ..."
 * after the "| key | meaning | default |" header), as "a, b, c". */
static void readme_keys(lp_buf *out) {
  FILE *f = fopen("README.md", "r");
  CHECK(f != NULL);
  if (!f) return;
  char line[4096];
  bool in_table = false;
  while (fgets(line, sizeof line, f)) {
    if (!strncmp(line, "| key | meaning | default |", 26)) {
      in_table = true;
      continue;
    }
    if (!in_table || !strncmp(line, "|---", 4)) continue;
    if (line[0] != '|') break;
    /* The first cell: every `name` in it. */
    char *end = strchr(line + 1, '|');
    for (char *p = line + 1; end && p < end;) {
      char *a = strchr(p, '`');
      char *b = a ? strchr(a + 1, '`') : NULL;
      if (!a || !b || b > end) break;
      lp_buf_printf(out, "%s%.*s", out->len ? ", " : "", (int)(b - a - 1),
                    a + 1);
      p = b + 1;
    }
  }
  fclose(f);
}

/* The unknown-key error lists the keys of the one table in template.c, in
 * the order of the README's front-matter table. */
static void test_key_list(void) {
  lp_error err;
  lp_template *t = parse("---\ncolour: red\n---\nx\n", &err);
  CHECK(t == NULL);
  const char *list = strstr(err.message, "the keys are ");
  lp_buf keys = {0};
  readme_keys(&keys);
  lp_buf_append(&keys, "", 1);
  CHECK(list && keys.len > 1 &&
        !strcmp(list + strlen("the keys are "), (char *)keys.data));
  if (list && strcmp(list + strlen("the keys are "), (char *)keys.data))
    fprintf(stderr, "  error: %s\n  README: %s\n", list, (char *)keys.data);
  lp_buf_free(&keys);
}

/* seal: where it was given; seal-size and seal-offset in pt, checked. */
static void test_seal_keys(void) {
  lp_error err;
  lp_template *t = parse("---\nlang: zh-CN\n  seal:   seal.png\nseal-size: 40mm\n"
                         "seal-offset: 5mm -3mm\n---\nx\n", &err);
  CHECK(t == NULL); /* (an indented key is YAML's error) */
  t = parse("---\nlang: zh-CN\nseal:   seal.png\nseal-size: 40mm\n"
            "seal-offset: 5mm -3mm\n---\nx\n", &err);
  CHECK(t != NULL);
  if (t) {
    CHECK(t->meta.seal_line == 3 && t->meta.seal_column == 1); /* the key */
    CHECK(fabs(t->meta.seal_size - 40 * 72 / 25.4) < 1e-9);
    CHECK(fabs(t->meta.seal_offset[0] - 5 * 72 / 25.4) < 1e-9);
    CHECK(fabs(t->meta.seal_offset[1] + 3 * 72 / 25.4) < 1e-9);
    lp_template_free(t);
  }
  expect_error("---\nseal-size: 2mm\n---\nx\n", 2, 12, "10mm to 100mm");
  expect_error("---\nseal-offset: 5mm\n---\nx\n", 2, 14, "two lengths");
  expect_error("---\nseal-offset: 5mm 80mm\n---\nx\n", 2, 14, "50mm");
}

/* An empty front-matter value is empty, whatever key came before it: each
 * text key reads "" (never the previous key's value), and every other key
 * either takes "" or rejects it with an error at the value. */
static void test_empty_values(void) {
  static const char *const keys[] = {
      "title",  "author",    "subject",     "keywords", "lang",
      "paper",  "margin",    "font",        "font-size", "line-height",
      "header", "footer",    "page-numbering", "latin-font", "heading-font",
      "orphans", "widows",   "letterhead",  "seal",
      "paragraph-spacing", "heading-sizes", "heading-spacing", "list-indent",
      "quote-indent", "hyphenate", "font-hinting"};
  static const char *const empties[] = {"\"\"", "''", "", "~", "null", "[]"};
  for (size_t e = 0; e < sizeof empties / sizeof empties[0]; e++)
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
      char text[256];
      snprintf(text, sizeof text, "---\nlang: en\n%s: %s\n---\nHi.\n",
               keys[k], empties[e]);
      lp_error err;
      lp_template *t = parse(text, &err);
      if (!t) {
        CHECK(err.line == 3);
        continue;
      }
      const lp_meta *m = &t->meta;
      const char *const texts[] = {m->title, m->author,  m->subject,
                                   m->keywords, m->font, m->header,
                                   m->footer, m->latin_font,
                                   m->heading_font};
      for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        CHECK(!texts[i] || !*texts[i]);
      CHECK_STR(m->lang, "en");
      if (!strcmp(keys[k], "footer")) CHECK_STR(m->footer, "");
      lp_template_free(t);
    }
  /* An empty key is unknown, not the key before it again. */
  expect_error("---\nlang: en\n\"\": zh\n---\nHi.\n", 3, 1,
               "unknown front-matter key ''");
}

/* The concatenated text literals of md parsed and settled as a render
 * does (lp_template_unmark_code), '|' between nodes. */
static void settled(const char *md, char *out, size_t cap) {
  lp_error err;
  lp_template *t = parse(md, &err);
  out[0] = '\0';
  if (!t) return;
  cmark_node *doc = cmark_parse_document(t->body, t->body_len, 0);
  lp_template_unmark_code(doc);
  cmark_iter *it = cmark_iter_new(doc);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *n = cmark_iter_get_node(it);
    const char *lit = cmark_node_get_literal(n);
    if (ev == CMARK_EVENT_ENTER && lit && cmark_node_get_type(n) != CMARK_NODE_HTML_BLOCK) {
      strncat(out, lit, cap - strlen(out) - 2);
      strcat(out, "|");
    }
  }
  cmark_iter_free(it);
  cmark_node_free(doc);
  lp_template_free(t);
}

/* Alignment marks stay marks only where they align (the end of a
 * paragraph or heading); control characters never enter a template. */
static void test_marks_and_controls(void) {
  char out[512];
  settled("# 承诺书 {.center}\n\n甲 {.right}\n乙 {.right}\n\n| a | b {.right}\n"
          "|---|---|\n\n*c* {.center}\n\n*d {.center}*\n", out, sizeof out);
  CHECK(!strcmp(out, "承诺书 \x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b|甲 {.right}|"
                     "乙 \x1c\x1c\x1c\x1c\x1c\x1c\x1c\x1c|| a | b {.right}|"
                     "|---|---||c| \x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b|"
                     "d {.center}|"));
  /* A tab is a space in text and goes to the next 4-column stop in code. */
  settled("a\tb `c\td`\n\n```\nx\ty\n\tz\n```\n", out, sizeof out);
  CHECK(!strcmp(out, "a b |c d|x   y\n    z\n|"));
  char *typed = lp_template_unmark("a \x1f\x1f\x1f \x1e\x1e\x1e\x1e\x1e\x1e\x1e"
                                   "\x1e\x1e\x1e\x1e\x1e\x1e\nb");
  CHECK_STR(typed, "a ___ [[signature]] b");
  free(typed);
  expect_error("---\ntitle: x\n---\nok\nab\x1b" "c\n", 5, 3,
               "control character (U+001B)");
  expect_error("a\x7f\n", 1, 2, "U+007F");
  /* Placeholders in front-matter texts are compiled where they stand. */
  expect_error("---\ntitle: \"a {{b\"\n---\nx\n", 2, 11, "never closed");
  expect_error("---\nlang: en\nfooter: \"{{#a}} {page}\"\n---\nx\n", 3, 10,
               "never closed");
  lp_error err;
  lp_template *t = parse("---\nheader: \"{{a}} {{b.c}}\"\nauthor: x\n---\ny\n",
                         &err);
  CHECK(t && t->meta.fill[LP_TEXT_HEADER] && !t->meta.fill[LP_TEXT_AUTHOR] &&
        t->meta.fill[LP_TEXT_HEADER]->ntags == 2);
  lp_template_free(t);
  t = parse("---\ntitle: \"A\\eB\\tC\"\nfooter: \"x\\ny\"\n---\nz\n", &err);
  CHECK(t != NULL);
  if (t) CHECK_STR(t->meta.title, "A B C");
  if (t) CHECK_STR(t->meta.footer, "x y");
  lp_template_free(t);
}

/* The page size a front matter gives, in whole mm (w, h). */
static void paper_mm(const char *front, int *w, int *h) {
  char text[256];
  snprintf(text, sizeof text, "---\n%s\n---\nHi.\n", front);
  lp_error err;
  lp_template *t = parse(text, &err);
  *w = *h = 0;
  if (!t) {
    fprintf(stderr, "  %s: %s\n", front, err.message);
    return;
  }
  double pw, ph;
  lp_template_paper(t, &pw, &ph);
  *w = (int)lround(pw * 25.4 / 72), *h = (int)lround(ph * 25.4 / 72);
  lp_template_free(t);
}

/* Checks that front gives a page of w x h mm. */
#define PAPER(front, w, h)                                                  \
  do {                                                                      \
    int w_, h_;                                                             \
    paper_mm(front, &w_, &h_);                                              \
    CHECK(w_ == (w) && h_ == (h));                                          \
    if (w_ != (w) || h_ != (h))                                             \
      fprintf(stderr, "  %s: %d x %d mm\n", front, w_, h_);                 \
  } while (0)

/* Paper sizes: A6, the two B5s, landscape; B5 is JIS B5 in Japanese. */
static void test_paper(void) {
  PAPER("paper: A6", 105, 148);
  PAPER("paper: A4 landscape", 297, 210);
  PAPER("paper: a4 Landscape", 297, 210);
  PAPER("paper: 210mm 297mm landscape", 297, 210);
  PAPER("paper: 297mm 210mm portrait", 210, 297);
  PAPER("paper: ISO-B5", 176, 250);
  PAPER("paper: JIS-B5", 182, 257);
  PAPER("lang: en\npaper: B5", 176, 250);
  PAPER("lang: ja\npaper: B5", 182, 257);
  PAPER("paper: B5\nlang: ja", 182, 257); /* in either order */
  PAPER("lang: ja\npaper: B5 landscape", 257, 182);
  PAPER("lang: ja\npaper: ISO-B5", 176, 250);
  PAPER("lang: en-US", 216, 279);
  expect_error("---\npaper: A4 sideways\n---\nx\n", 2, 8, "landscape");
}

/* smart-punctuation and header-first. */
static void test_typo_keys(void) {
  lp_error err;
  const char *const cases[][2] = {{"lang: en", "on"},
                                  {"lang: de", "on"},
                                  {"lang: ja", "off"},
                                  {"lang: en\nsmart-punctuation: false", "off"},
                                  {"lang: ja\nsmart-punctuation: true", "on"}};
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    char text[256];
    snprintf(text, sizeof text, "---\n%s\n---\nHi.\n", cases[k][0]);
    lp_template *t = parse(text, &err);
    CHECK(t && (lp_template_typo(t) != NULL) == !strcmp(cases[k][1], "on"));
    lp_template_free(t);
  }
  expect_error("---\nsmart-punctuation: yes\n---\nx\n", 2, 20,
               "write 'true'");
  lp_template *t = parse("---\nheader-first: false\n---\nx\n", &err);
  CHECK(t && t->meta.no_header_first);
  lp_template_free(t);
  t = parse("---\nheader: x\n---\nx\n", &err);
  CHECK(t && !t->meta.no_header_first);
  lp_template_free(t);
}

/* The usual YAML mistakes say what to write. */
static void test_yaml_mistakes(void) {
  expect_error("---\ntitle: Re: Notice\n---\nx\n", 2, 10,
               "put the value in quotes: title: \"Re: Notice\"");
  expect_error("---\ntitle: He said \"Re: x\"\n---\nx\n", 2, 19,
               "title: 'He said \"Re: x\"'");
  expect_error("---\ntitle: x\n\tlang: en\n---\nx\n", 3, 1,
               "replace the tab with spaces");
  expect_error("---\ntitle: \"Re: x\nlang: en\n---\nx\n", 2, 8,
               "never closed");
  expect_error("---\ntitle: 'Re\nlang: en\n---\nx\n", 2, 8,
               "never closed");
}

int main(void) {
  lp_error err;
  test_key_list();
  test_paper();
  test_typo_keys();
  test_yaml_mistakes();
  test_seal_keys();

  /* Front matter values, lists, page settings. */
  lp_template *t = parse("---\ntitle: 承诺书\nkeywords: [a, b]\nlang: zh-CN\n"
                         "paper: Letter\nmargin: 20mm 10mm\nfont-size: 12pt\n"
                         "line-height: 1.8\npage-numbering: document\n---\n"
                         "# 标题\n正文\n",
                         &err);
  CHECK(t != NULL);
  if (t) {
    CHECK_STR(t->meta.title, "承诺书");
    CHECK_STR(t->meta.keywords, "a, b");
    CHECK_STR(lp_template_lang(t), "zh-CN");
    CHECK(t->meta.paper_w == 612 && t->meta.paper_h == 792);
    CHECK(fabs(t->meta.margin[0] - 20 * 72 / 25.4) < 1e-9);
    CHECK(fabs(t->meta.margin[1] - 10 * 72 / 25.4) < 1e-9);
    CHECK(t->meta.margin[2] == t->meta.margin[0]);
    CHECK(t->meta.margin[3] == t->meta.margin[1]);
    CHECK(t->meta.font_size == 12);
    CHECK(t->meta.line_height == 1.8);
    CHECK(t->meta.numbering == LP_NUMBER_DOCUMENT);
    CHECK(t->body_line == 11);
    CHECK(strncmp(t->body, "# 标题", 8) == 0);
  }
  lp_template_free(t);

  /* BOM, CRLF, no front matter, language guesses. */
  t = parse("\xEF\xBB\xBF---\r\ntitle: x\r\n---\r\nこんにちは\r\n", &err);
  CHECK(t && t->meta.title && strcmp(t->meta.title, "x") == 0);
  CHECK(t && strcmp(lp_template_lang(t), "ja") == 0);
  lp_template_free(t);
  t = parse("你好，世界。\n", &err);
  CHECK(t && t->body_line == 1 && strcmp(lp_template_lang(t), "zh-CN") == 0);
  lp_template_free(t);
  t = parse("Hello.\n", &err);
  CHECK(t && strcmp(lp_template_lang(t), "en") == 0);
  lp_template_free(t);

  /* Blanks: runs of 3+ underscores become blank marks; code gets its
   * characters back once Markdown has said where code is. */
  t = parse("签名：____ a__b \\___ `___` ___\n\n```\n_____ [[signature]]\n```\n"
            "\n    indented ____ code\n\n- item\n    Email: ____\n",
            &err);
  CHECK(t != NULL);
  if (t) {
    const char *b = t->body;
    CHECK(memcmp(b + strlen("签名："), "\x1f\x1f\x1f\x1f ", 5) == 0);
    CHECK(strstr(b, "a__b") != NULL);
    CHECK(strstr(b, "\\___") != NULL); /* escaped: not a blank */
    CHECK(strstr(b, "` \x1f\x1f\x1f\n") != NULL);
    cmark_node *doc = cmark_parse_document(t->body, t->body_len, 0);
    lp_template_unmark_code(doc);
    int code_blanks = 0, text_blanks = 0, codes = 0;
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
      cmark_node *n = cmark_iter_get_node(it);
      const char *lit = cmark_node_get_literal(n);
      if (ev != CMARK_EVENT_ENTER || !lit) continue;
      cmark_node_type ty = cmark_node_get_type(n);
      bool code = ty == CMARK_NODE_CODE || ty == CMARK_NODE_CODE_BLOCK;
      if (code) codes++;
      if (strchr(lit, '\x1f') || strchr(lit, '\x1e'))
        code ? code_blanks++ : text_blanks++;
      if (ty == CMARK_NODE_CODE_BLOCK && strstr(lit, "_____"))
        CHECK(strstr(lit, "[[signature]]") != NULL);
    }
    cmark_iter_free(it);
    cmark_node_free(doc);
    CHECK(codes == 3);        /* the span, the fenced and the indented block */
    CHECK(code_blanks == 0);  /* code shows what was typed */
    CHECK(text_blanks >= 3);  /* 签名, the bare one, and the list's Email */
  }
  lp_template_free(t);

  /* The look: paragraph spacing and heading sizes. */
  t = parse("---\nparagraph-spacing: 0\nheading-sizes: 2, 1.3\n---\nx\n", &err);
  CHECK(t && t->meta.paragraph_spacing_set && t->meta.paragraph_spacing == 0);
  CHECK(t && t->meta.heading_sizes[0] == 2 && t->meta.heading_sizes[1] == 1.3 &&
        t->meta.heading_sizes[2] == 0);
  lp_template_free(t);
  expect_error("---\nparagraph-spacing: lots\n---\n", 2, 20, "paragraph-spacing");
  expect_error("---\nheading-sizes: 1, 2, 3, 4\n---\n", 2, 16, "heading-sizes");
  expect_error("---\nheading-sizes: 9\n---\n", 2, 16, "0.5 to 4");

  /* Heading spacing and indents: em (bare or "em") or lengths. */
  t = parse("---\nheading-spacing: 0 1, 12pt 4 pt, 1.5em\nlist-indent: 1.5\n"
            "quote-indent: 8mm\n---\nx\n", &err);
  CHECK(t != NULL);
  if (t) {
    const lp_amount(*hs)[2] = t->meta.heading_spacing;
    CHECK(hs[0][0].set && hs[0][0].em == 0 && hs[0][0].pt == 0);
    CHECK(hs[0][1].set && hs[0][1].em == 1 && hs[0][1].pt == 0);
    CHECK(hs[1][0].em == 0 && hs[1][0].pt == 12);
    CHECK(hs[1][1].em == 0 && hs[1][1].pt == 4);
    CHECK(hs[2][0].em == 1.5 && hs[2][1].em == 1.5); /* one value: both */
    CHECK(t->meta.list_indent.set && t->meta.list_indent.em == 1.5);
    CHECK(t->meta.quote_indent.set &&
          fabs(t->meta.quote_indent.pt - 8 * 72 / 25.4) < 1e-9);
  }
  lp_template_free(t);
  t = parse("x\n", &err);
  CHECK(t && !t->meta.list_indent.set && !t->meta.heading_spacing[0][0].set);
  CHECK(t && lp_template_set_meta(t, "list-indent", "3em", &err) &&
        t->meta.list_indent.em == 3);
  lp_template_free(t);
  expect_error("---\nheading-spacing: 1 2 3\n---\n", 2, 18, "heading-spacing");
  expect_error("---\nheading-spacing: 1, 2, 3, 4\n---\n", 2, 18, "1 to 3");
  expect_error("---\nheading-spacing: 7\n---\n", 2, 18, "0 to 6");
  expect_error("---\nheading-spacing: 1, 100pt\n---\n", 2, 18, "72pt");
  expect_error("---\nheading-spacing: -1\n---\n", 2, 18, "heading-spacing");
  expect_error("---\nlist-indent: 0.1\n---\n", 2, 14, "'list-indent: 0.1'");
  expect_error("---\nlist-indent: 100pt\n---\n", 2, 14, "4pt to 72pt");
  expect_error("---\nquote-indent: 2px\n---\n", 2, 15, "'quote-indent: 2px'");
  expect_error("---\nquote-indent: nan\n---\n", 2, 15, "quote-indent");
  /* hyphenate: true (the default) or false, nothing else. */
  t = parse("x\n", &err);
  CHECK(t && !t->meta.no_hyphenate);
  lp_template_free(t);
  t = parse("---\nhyphenate: false\n---\nx\n", &err);
  CHECK(t && t->meta.no_hyphenate);
  lp_template_free(t);
  t = parse("---\nhyphenate: true\n---\nx\n", &err);
  CHECK(t && !t->meta.no_hyphenate);
  lp_template_free(t);
  expect_error("---\ntitle: x\nhyphenate: sometimes\n---\n", 3, 12,
               "'hyphenate: sometimes': write 'true'");
  /* font-hinting: false (the default) or true. */
  t = parse("x\n", &err);
  CHECK(t && !t->meta.font_hinting);
  lp_template_free(t);
  t = parse("---\nfont-hinting: true\n---\nx\n", &err);
  CHECK(t && t->meta.font_hinting);
  lp_template_free(t);
  expect_error("---\nfont-hinting: yes\n---\n", 2, 15,
               "'font-hinting: yes': write 'true'");

  /* word-break: keep-all or normal (default: by language). */
  t = parse("x\n", &err);
  CHECK(t && t->meta.word_break == LP_WORD_BREAK_AUTO);
  lp_template_free(t);
  t = parse("---\nlang: ko\nword-break: normal\n---\nx\n", &err);
  CHECK(t && t->meta.word_break == LP_WORD_BREAK_NORMAL);
  lp_template_free(t);
  t = parse("---\nword-break: keep-all\n---\nx\n", &err);
  CHECK(t && t->meta.word_break == LP_WORD_BREAK_KEEP_ALL);
  lp_template_free(t);
  expect_error("---\nword-break: break-all\n---\n", 2, 13,
               "'word-break: break-all': write 'keep-all'");

  /* --meta goes through the same validation. */
  t = parse("x\n", &err);
  CHECK(t && lp_template_set_meta(t, "paper", "210mm 297mm", &err));
  CHECK(t && fabs(t->meta.paper_h - 297 * 72 / 25.4) < 1e-9);
  CHECK(t && !lp_template_set_meta(t, "colour", "red", &err));
  CHECK(strstr(err.message, "colour") != NULL);
  lp_template_free(t);

  /* Located errors. */
  expect_error("ok\n\xE4\xB8", 2, 1, "invalid UTF-8");
  expect_error("第一行\n第二\xFF行\n", 2, 3, "invalid UTF-8");
  expect_error("---\ntitle: x\n", 1, 1, "never closed");
  expect_error("---\ntitle: x\ncolour: red\n---\n", 3, 1,
               "unknown front-matter key 'colour'");
  expect_error("---\ntitle: [x\n---\n", 3, 1, "bad YAML");
  expect_error("---\npaper: A9\n---\n", 2, 8, "not a paper size");
  expect_error("---\nlang: 中文\n---\n", 2, 7, "not a language tag");
  /* Country codes for languages, and unknown languages: located, with the
   * tag that was meant. */
  expect_error("---\nlang: jp\n---\n", 2, 7, "write 'ja'");
  expect_error("---\nlang: kr\n---\n", 2, 7, "write 'ko'");
  expect_error("---\ntitle: x\nlang:   xx-TW\n---\n", 3, 9, "ISO 639");
  expect_error("---\nlang: zh-XQ\n---\n", 2, 7, "ISO 3166");
  /* The POSIX spelling is read as BCP 47's. */
  t = parse("---\nlang: zh_tw\n---\nx\n", &err);
  CHECK(t && !strcmp(lp_template_lang(t), "zh-TW"));
  lp_template_free(t);
  t = parse("---\nlang: zh-hant-hk\n---\nx\n", &err);
  CHECK(t && !strcmp(lp_template_lang(t), "zh-Hant-HK"));
  lp_template_free(t);
  t = parse("x\n", &err);
  CHECK(t && !lp_template_set_meta(t, "lang", "jp", &err) &&
        strstr(err.message, "'ja'"));
  lp_template_free(t);
  expect_error("---\nfont-size: huge\n---\n", 2, 12, "font-size");
  expect_error("---\nmargin: -3mm\n---\n", 2, 9, "negative");
  expect_error("---\npage-numbering: sometimes\n---\n", 2, 17, "letter");
  /* Where the family keys were given (the key), for the warnings about
   * a family that is not installed; --meta has no place in the file. */
  t = parse("---\ntitle: x\nfont: Garamond\nheading-font: Futura\n---\nx\n",
            &err);
  CHECK(t && t->meta.font_at[0] == 3 && t->meta.font_at[1] == 1 &&
        t->meta.heading_font_at[0] == 4 && t->meta.heading_font_at[1] == 1);
  CHECK(t && lp_template_set_meta(t, "latin-font", "X", &err) &&
        t->meta.latin_font_at[0] == 0);
  lp_template_free(t);
  t = lp_template_parse("a\0b", 3, "t.md", &err);
  CHECK(t == NULL && err.line == 1 && err.column == 2 &&
        strstr(err.message, "NUL") != NULL);

  double pt;
  CHECK(lp_parse_length("1in", &pt) && pt == 72);
  CHECK(lp_parse_length("2.54cm", &pt) && fabs(pt - 72) < 1e-9);
  CHECK(lp_parse_length("10", &pt) && pt == 10);
  CHECK(!lp_parse_length("10px", &pt));
  CHECK(!lp_parse_length("mm", &pt));
  test_empty_values();
  test_marks_and_controls();
  return CHECK_DONE();
}
