/* test_fill.c - placeholders filled on the Markdown tree, literally. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm.h>

#include "check.h"
#include "fill.h"
#include "shape.h"

/* Fills md with json the way a render does (compile, expand, parse, fill
 * the tree); *text gets the concatenated literals of all text nodes, *emph
 * the number of emphasis nodes, and *blocks the number of paragraphs and
 * list items. */
static bool fill_counting(const char *md, const char *json, bool blanks,
                          char **text, int *emph, int *blocks,
                          lp_error *err) {
  lp_data *data = json ? lp_data_parse_json(json, strlen(json), "d.json", err)
                       : NULL;
  lp_error_clear(err);
  *text = calloc(4096, 1);
  *emph = 0;
  *blocks = 0;
  lp_fill_program *prog = lp_fill_compile(md, strlen(md), "t.md", 10, err);
  lp_fill *f = prog ? lp_fill_expand(prog, data, blanks, err) : NULL;
  bool ok = f != NULL;
  if (f) {
    size_t n;
    const char *src = lp_fill_source(f, &n);
    cmark_node *doc = cmark_parse_document(
        src, n, CMARK_OPT_SOURCEPOS | CMARK_OPT_NORMALIZE);
    ok = lp_fill_tree(doc, f, err);
    size_t cap = 4096, len = 0;
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
      cmark_node *node = cmark_iter_get_node(it);
      if (ev != CMARK_EVENT_ENTER) continue;
      cmark_node_type t = cmark_node_get_type(node);
      if (t == CMARK_NODE_EMPH) (*emph)++;
      if (t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_ITEM) (*blocks)++;
      if (t == CMARK_NODE_TEXT) {
        const char *lit = cmark_node_get_literal(node);
        size_t k = strlen(lit);
        if (len + k + 1 < cap) memcpy(*text + len, lit, k), len += k;
      }
    }
    cmark_iter_free(it);
    cmark_node_free(doc);
  }
  lp_fill_free(f);
  lp_fill_program_free(prog);
  lp_data_free(data);
  return ok;
}

static bool fill(const char *md, const char *json, bool blanks, char **text,
                 int *emph, lp_error *err) {
  int blocks;
  return fill_counting(md, json, blanks, text, emph, &blocks, err);
}

/* A front-matter text: compiled where it stands in the file (tags and
 * missing names located there), filled on one line, its values literal
 * ("{page}" in the data is no page number, a line break is a space). */
static void test_texts(void) {
  lp_error err;
  lp_error_clear(&err);
  const char *v = "{{name}} 的工资函 {{#vip}}(VIP){{/vip}}";
  lp_fill_program *p = lp_fill_compile_at(v, strlen(v), "t.md", 2, 9, &err);
  CHECK(p && p->ntags == 3 && p->tags[0].line + p->line_offset == 2 &&
        p->tags[0].column == 9 && p->tags[1].column == 23);
  const char *json = "{\"name\":\"张三 {page}\\n{{x}}\",\"vip\":1}";
  lp_data *d = lp_data_parse_json(json, strlen(json), "d.json", &err);
  CHECK(d != NULL);
  lp_fill *f = p ? lp_fill_expand(p, d, false, &err) : NULL;
  char *t = f ? lp_fill_text(f) : NULL;
  CHECK_STR(t, "张三 {page} {{x}} 的工资函 (VIP)");
  free(t);
  /* {page} of the template is expanded first, then values go in. */
  lp_buf b = {0};
  size_t n;
  const char *src = f ? lp_fill_source(f, &n) : "";
  lp_buf_puts(&b, src);
  lp_fill_values(f, &b);
  CHECK(b.data && !strstr((char *)b.data, "\x1d"));
  lp_buf_free(&b);
  lp_fill_free(f);
  /* Missing: an error at the text's line and column; --blanks: a run of
   * underscores. */
  lp_data *empty = lp_data_parse_json("{}", 2, "d.json", &err);
  lp_error_clear(&err);
  f = p ? lp_fill_expand(p, empty, false, &err) : NULL;
  CHECK(!f && err.line == 2 && err.column == 9 && strstr(err.message, "name (2:9)"));
  f = p ? lp_fill_expand(p, empty, true, &err) : NULL;
  t = f ? lp_fill_text(f) : NULL;
  CHECK_STR(t, "____________ 的工资函 ");
  free(t);
  lp_fill_free(f);
  lp_fill_program_free(p);
  /* A bad tag in a text is located in the file too. */
  lp_error_clear(&err);
  p = lp_fill_compile_at("a {{b", 5, "t.md", 4, 10, &err);
  CHECK(!p && err.line == 4 && err.column == 12);
  lp_data_free(d);
  lp_data_free(empty);
}

/* Values are marked in their text node as literal (never a field), and
 * the marks move with the text into paragraphs and their pieces. */
static void test_literal_spans(void) {
  lp_error err;
  lp_error_clear(&err);
  const char *md = "选项：{{v}} 模板 ☐ 是 {{w}}\n";
  lp_fill_program *p = lp_fill_compile(md, strlen(md), "t.md", 0, &err);
  const char *json = "{\"v\": \"☑ 同意\", \"w\": \"x\"}";
  lp_data *d = lp_data_parse_json(json, strlen(json), "d.json", &err);
  lp_fill *f = p && d ? lp_fill_expand(p, d, false, &err) : NULL;
  size_t n;
  const char *src = f ? lp_fill_source(f, &n) : "";
  cmark_node *doc = cmark_parse_document(src, strlen(src), 0);
  CHECK(f && lp_fill_tree(doc, f, &err));
  cmark_node *text = cmark_node_first_child(cmark_node_first_child(doc));
  const lp_blank_names *bn = cmark_node_get_user_data(text);
  const char *lit = cmark_node_get_literal(text);
  CHECK_STR(lit, "选项：☑ 同意 模板 ☐ 是 x");
  size_t v = strlen("选项："), v_end = v + strlen("☑ 同意");
  CHECK(bn && bn->nliteral == 2 && bn->literal[0].start == v &&
        bn->literal[0].end == v_end);
  CHECK(lp_blank_names_literal_at(bn, v) && !lp_blank_names_literal_at(bn, v_end));
  size_t box = strstr(lit, "☐") - lit;
  CHECK(!lp_blank_names_literal_at(bn, box));
  CHECK(lp_blank_names_literal_before(bn, box) == v_end);
  CHECK(lp_blank_names_literal_before(bn, v) == 0);
  /* Appended at an offset, and sliced. */
  lp_blank_names para = {0}, piece = {0};
  lp_blank_names_add_literal(&para, 0, 2);
  lp_blank_names_append(&para, bn, 0, SIZE_MAX, 2);
  lp_blank_names_add_literal(&para, 2 + strlen(lit), 4 + strlen(lit));
  /* [0,2), the value moved by 2, and "x" joined with the span after it. */
  CHECK(para.nliteral == 3 && para.literal[0].end == 2 &&
        para.literal[1].start == 2 + v && para.literal[1].end == 2 + v_end &&
        para.literal[2].start == 1 + strlen(lit) &&
        para.literal[2].end == 4 + strlen(lit));
  lp_blank_names_append(&piece, &para, v, box, 0);
  CHECK(piece.nliteral == 1 && piece.literal[0].start == 2 &&
        piece.literal[0].end == 2 + v_end - v);
  lp_blank_names_clear(&para);
  lp_blank_names_clear(&piece);
  CHECK(para.nliteral == 0 && para.literal == NULL);
  cmark_node_free(doc);
  lp_fill_free(f);
  lp_fill_program_free(p);
  lp_data_free(d);
}

/* Each value knows its placeholder's place in the template file, even
 * after a longer value on the same line and a section that repeats lines,
 * and the places move with the text into paragraphs and their pieces. */
static void test_value_places(void) {
  lp_error err;
  lp_error_clear(&err);
  const char *md = "{{#r}}\nx\n\n{{/r}}\nDear {{t}} {{name}}, {{name}}.\n";
  /* The body starts on line 4 of the file (line_offset 3). */
  lp_fill_program *p = lp_fill_compile(md, strlen(md), "t.md", 3, &err);
  const char *json = "{\"r\": [1, 2], \"t\": \"Doctor\", \"name\": \"Li\"}";
  lp_data *d = lp_data_parse_json(json, strlen(json), "d.json", &err);
  lp_fill *f = p && d ? lp_fill_expand(p, d, false, &err) : NULL;
  size_t n;
  const char *src = f ? lp_fill_source(f, &n) : "";
  cmark_node *doc = cmark_parse_document(src, strlen(src), 0);
  CHECK(f && lp_fill_tree(doc, f, &err));
  cmark_node *text = cmark_node_first_child(cmark_node_last_child(doc));
  const lp_blank_names *bn = cmark_node_get_user_data(text);
  const char *lit = cmark_node_get_literal(text);
  CHECK_STR(lit, "Dear Doctor Li, Li.");
  int line = 0, col = 0;
  size_t li = strstr(lit, "Li") - lit;
  CHECK(bn && lp_blank_names_value_at(bn, li + 1, &line, &col));
  CHECK(line == 8 && col == 12); /* the first {{name}} */
  CHECK(bn && lp_blank_names_value_at(bn, strlen(lit) - 2, &line, &col));
  CHECK(line == 8 && col == 22); /* the second */
  CHECK(bn && lp_blank_names_value_at(bn, 5, &line, &col) && col == 6);
  CHECK(bn && !lp_blank_names_value_at(bn, 0, &line, &col));
  CHECK(bn && !lp_blank_names_value_at(bn, li + 2, &line, &col)); /* ", " */
  /* Text after a value counts from the placeholder's end: {{name}} ends
   * before column 20. */
  const lp_value_place *before = lp_blank_names_value_before(bn, li + 2);
  CHECK(before && before->column == 12 && before->end_column == 20);
  CHECK(bn && lp_blank_names_value_before(bn, 3) == NULL);
  lp_blank_names para = {0}, piece = {0};
  lp_blank_names_append(&para, bn, 0, SIZE_MAX, 3);
  CHECK(lp_blank_names_value_at(&para, li + 3, &line, &col) && col == 12);
  lp_blank_names_append(&piece, &para, li + 5, SIZE_MAX, 0); /* ", Li." */
  CHECK(piece.nvalues == 1 && lp_blank_names_value_at(&piece, 2, &line, &col) &&
        col == 22 && !lp_blank_names_value_at(&piece, 1, &line, &col));
  lp_blank_names_clear(&para);
  lp_blank_names_clear(&piece);
  CHECK(para.nvalues == 0 && para.values == NULL);
  cmark_node_free(doc);
  lp_fill_free(f);
  lp_fill_program_free(p);
  lp_data_free(d);
}

int main(void) {
  lp_error err;
  char *text;
  int emph;

  CHECK(fill("Dear {{ name }}, {{c.id}}!", "{\"name\":\"Li\",\"c\":{\"id\":7}}",
             false, &text, &emph, &err));
  CHECK_STR(text, "Dear Li, 7!");
  free(text);

  /* A whole number picks a list's item by position, from 1; an object's
   * member named "2" is still found by name; past the end is missing. */
  const char *lists = "{\"items\":[{\"n\":\"a\"},{\"n\":\"b\"}],"
                      "\"o\":{\"2\":\"two\"},\"tags\":[\"x\",\"y\"]}";
  CHECK(fill("{{items.1.n}}{{items.2.n}}{{o.2}}{{tags.2}}", lists, false, &text,
             &emph, &err));
  CHECK_STR(text, "abtwoy");
  free(text);
  CHECK(!fill("{{items.3.n}}", lists, false, &text, &emph, &err));
  CHECK(strstr(err.message, "items.3.n") != NULL);
  free(text);
  CHECK(!fill("{{items.0.n}}{{items.01.n}}", lists, false, &text, &emph, &err));
  CHECK(strstr(err.message, "items.0.n") && strstr(err.message, "items.01.n"));
  free(text);
  CHECK(fill("{{#items}}{{n}}{{/items}}{{#tags.1}}!{{/tags.1}}", lists, false,
             &text, &emph, &err));
  CHECK_STR(text, "ab!");
  free(text);

  /* Markup in data stays literal. */
  CHECK(fill("值：{{v}}", "{\"v\":\"*not em* # {{x}} <b> \\\\ _a_\"}", false,
             &text, &emph, &err));
  CHECK_STR(text, "值：*not em* # {{x}} <b> \\ _a_");
  CHECK(emph == 0);
  free(text);

  /* Types: true, null, real; comments vanish. */
  CHECK(fill("{{t}}|{{n}}|{{r}}|{{! note }}end",
             "{\"t\":true,\"n\":null,\"r\":2.5}", false, &text, &emph, &err));
  CHECK_STR(text, "true||2.5|end");
  free(text);

  /* Control characters in data cannot make blanks. */
  CHECK(fill("{{v}}", "{\"v\":\"a\\u001fb\"}", false, &text, &emph, &err));
  CHECK_STR(text, "a b");
  free(text);

  /* Every missing name is listed, located (lines offset by 10). */
  CHECK(!fill("x {{a}}\n\ny {{b.c}} {{a}}", "{}", false, &text, &emph, &err));
  CHECK(err.code == LP_ERR_INPUT && err.line == 11 && err.column == 3);
  CHECK(strstr(err.message, "a (11:3)") && strstr(err.message, "b.c (13:3)") &&
        strstr(err.message, "a (13:11)") && strstr(err.message, "--blanks"));
  free(text);

  /* --blanks: a missing value becomes a blank. */
  CHECK(fill("签名：{{who}}", NULL, true, &text, &emph, &err));
  CHECK(strstr(text, "\x1f\x1f\x1f") != NULL);
  free(text);

  /* Located syntax errors. */
  CHECK(!fill("ab {{x", "{}", false, &text, &emph, &err));
  CHECK(err.line == 11 && err.column == 4 && strstr(err.message, "never closed"));
  free(text);
  CHECK(!fill("{{v}}", "{\"v\":[1]}", false, &text, &emph, &err));
  CHECK(strstr(err.message, "list or an object") != NULL);
  free(text);

  /* Sections: a list repeats (with {{.}}), an object pushes context, names
   * fall back to outer contexts. */
  CHECK(fill("{{#xs}}[{{.}}]{{/xs}}", "{\"xs\":[\"a\",\"b\",3]}", false,
             &text, &emph, &err));
  CHECK_STR(text, "[a][b][3]");
  free(text);
  CHECK(fill("{{#c}}{{name}}/{{id}}/{{co}}{{/c}}",
             "{\"co\":\"X\",\"c\":{\"name\":\"Li\",\"id\":7}}", false,
             &text, &emph, &err));
  CHECK_STR(text, "Li/7/X");
  free(text);
  CHECK(fill("{{#rows}}{{#cells}}{{.}},{{/cells}};{{/rows}}",
             "{\"rows\":[{\"cells\":[1,2]},{\"cells\":[]},{\"cells\":[3]}]}",
             false, &text, &emph, &err));
  CHECK_STR(text, "1,2,;;3,;");
  free(text);

  /* Truthy once, falsy (false, null, "", []) gone; inverted the reverse. */
  CHECK(fill("{{#t}}T{{/t}}{{#f}}F{{/f}}{{#n}}N{{/n}}{{#e}}E{{/e}}{{#l}}L{{/l}}"
             "{{#z}}Z{{/z}}|{{^t}}t{{/t}}{{^f}}f{{/f}}{{^n}}n{{/n}}{{^e}}e{{/e}}"
             "{{^l}}l{{/l}}",
             "{\"t\":true,\"f\":false,\"n\":null,\"e\":\"\",\"l\":[],"
             "\"z\":0}",
             false, &text, &emph, &err));
  CHECK_STR(text, "TZ|fnel");
  free(text);

  /* Standalone tags take their lines: a section around list items makes
   * one list with an item per element; around a paragraph, keeps or drops
   * it. */
  int blocks;
  CHECK(fill_counting("Items:\n\n{{#items}}\n- {{name}} *{{price}}*\n"
                      "{{/items}}\n\n{{#vip}}\nVIP\n{{/vip}}\n{{^vip}}\n"
                      "Regular\n{{/vip}}\n\nEnd\n",
                      "{\"vip\":false,\"items\":[{\"name\":\"*a*\","
                      "\"price\":1},{\"name\":\"b\",\"price\":2}]}",
                      false, &text, &emph, &blocks, &err));
  CHECK_STR(text, "Items:*a* 1b 2RegularEnd");
  CHECK(emph == 2);       /* the template's *...*, not the data's */
  CHECK(blocks == 2 + 2 + 3); /* 2 items, their paragraphs, 3 others */
  free(text);

  /* A multi-line comment alone on its lines leaves nothing. */
  CHECK(fill_counting("a\n{{! one\ntwo }}\nb", "{}", false, &text, &emph,
                      &blocks, &err));
  CHECK_STR(text, "ab");
  CHECK(blocks == 1);
  free(text);

  /* Data that looks like tags or tokens stays literal. */
  CHECK(fill("{{#xs}}{{.}}{{/xs}}",
             "{\"xs\":[\"{{#y}}\",\"{{\\u001d0}}\",\"}}\"]}", false, &text,
             &emph, &err));
  CHECK_STR(text, "{{#y}}{{ 0}}}}");
  free(text);

  /* A missing name inside a repeated section is listed once, located. */
  CHECK(!fill("{{#xs}}\n{{a}}\n{{/xs}}\n{{#nope}}x{{/nope}}",
              "{\"xs\":[1,2,3]}", false, &text, &emph, &err));
  CHECK(strstr(err.message, "2 placeholders") &&
        strstr(err.message, "a (12:1)") && strstr(err.message, "nope (14:1)"));
  free(text);
  /* ... and under --blanks: a blank, and a missing section is falsy. */
  CHECK(fill("{{#xs}}{{a}}{{/xs}}{{#nope}}x{{/nope}}{{^nope}}y{{/nope}}",
             "{\"xs\":[1]}", true, &text, &emph, &err));
  CHECK_STR(text, "\x1f\x1f\x1f\x1f\x1f\x1f\x1f\x1f\x1f\x1f\x1f\x1fy");
  free(text);

  /* Section syntax errors, located. */
  CHECK(!fill("x\n {{#a}} b", "{}", false, &text, &emph, &err));
  CHECK(err.line == 12 && err.column == 2 && strstr(err.message, "{{/a}}"));
  free(text);
  CHECK(!fill("{{#a}}{{#b}}{{/a}}{{/b}}", "{}", false, &text, &emph, &err));
  CHECK(err.line == 11 && err.column == 13 &&
        strstr(err.message, "does not close") && strstr(err.message, "11:7"));
  free(text);
  CHECK(!fill("ok {{/a}}", "{}", false, &text, &emph, &err));
  CHECK(err.column == 4 && strstr(err.message, "closes no section"));
  free(text);
  CHECK(!fill("{{> part}}", "{}", false, &text, &emph, &err));
  CHECK(strstr(err.message, "partials") != NULL);
  free(text);
  /* A name may hold single spaces, as spreadsheet headers do; a tab, two
   * spaces in a row, or a space beside a dot make no name. */
  CHECK(!fill("{{a\tb}}", "{}", false, &text, &emph, &err));
  CHECK(strstr(err.message, "not a placeholder") != NULL);
  free(text);
  CHECK(!fill("{{a  b}}", "{}", false, &text, &emph, &err));
  CHECK(strstr(err.message, "not a placeholder") != NULL);
  free(text);
  CHECK(!fill("{{a. b}}", "{}", false, &text, &emph, &err));
  CHECK(strstr(err.message, "not a placeholder") != NULL);
  free(text);
  CHECK(fill("{{ Customer Name }}!", "{\"Customer Name\": \"Li\"}", false,
             &text, &emph, &err));
  CHECK_STR(text, "Li!");
  free(text);

  /* A missing name: the closest the data has (edit distance per code
   * point, so one CJK character off is one edit), and what it has. */
  CHECK(!fill("{{客户明称}}", "{\"客户名称\":\"x\",\"金额\":\"1\"}", false,
              &text, &emph, &err));
  CHECK(strstr(err.message, "did you mean 客户名称?") &&
        strstr(err.message, "the data has: 客户名称, 金额"));
  free(text);
  CHECK(!fill("{{customer.nmae}}", "{\"customer\":{\"name\":\"x\"}}", false,
              &text, &emph, &err));
  CHECK(strstr(err.message, "did you mean customer.name?") != NULL);
  free(text);
  CHECK(!fill("{{#items}}{{Nmae}}{{/items}}", "{\"items\":[{\"name\":\"x\"}]}",
              false, &text, &emph, &err));
  CHECK(strstr(err.message, "did you mean name?") != NULL);
  free(text);
  CHECK(!fill("{{zzzzzz}} {{x}}", "{\"name\":\"x\",\"y\":\"1\"}", false, &text,
              &emph, &err));
  CHECK(!strstr(err.message, "did you mean") &&
        strstr(err.message, "the data has: name, y"));
  free(text);

  /* Survey: every section once, every value a blank. */
  const char *survey_md = "{{#a}}A{{b}}{{/a}}{{^a}}N{{/a}}";
  lp_fill_program *prog =
      lp_fill_compile(survey_md, strlen(survey_md), "t.md", 0, &err);
  CHECK(prog && prog->ntags == 5 && prog->tags[0].kind == LP_TAG_SECTION &&
        prog->tags[0].match == 2 && prog->tags[1].kind == LP_TAG_VALUE);
  lp_fill *all = prog ? lp_fill_expand_all(prog) : NULL;
  size_t alen = 0;
  const char *asrc = all ? lp_fill_source(all, &alen) : "";
  CHECK(all && asrc[0] == 'A' && strchr(asrc, 'N') != NULL);
  lp_fill_free(all);
  lp_fill_program_free(prog);

  /* Data: --set creates nested values; bad JSON is located. */
  lp_data *d = lp_data_parse_json("{}", 2, "d", &err);
  CHECK(lp_data_set(d, "a.b", "x", &err));
  CHECK(!lp_data_set(d, "a..b", "x", &err));
  lp_data_free(d);
  CHECK(lp_data_parse_json("{\n \"a\": }", 9, "d.json", &err) == NULL);
  CHECK(err.line == 2 && strcmp(err.file, "d.json") == 0);
  CHECK(lp_data_parse_json("[1]", 3, "d.json", &err) == NULL);
  test_texts();
  test_literal_spans();
  test_value_places();
  return CHECK_DONE();
}
