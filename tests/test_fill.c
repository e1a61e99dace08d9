/* test_fill.c - placeholders filled on the Markdown tree, literally. */
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm.h>

#include "check.h"
#include "fill.h"
#include "shape.h"

static cmark_node *parse(const char *md) {
  return cmark_parse_document(md, strlen(md),
                              CMARK_OPT_SOURCEPOS | CMARK_OPT_NORMALIZE);
}

/* The concatenated literals of all text nodes, and the number of emphasis
 * nodes, after filling md with json. */
static bool fill(const char *md, const char *json, bool blanks, char **text,
                 int *emph, lp_error *err) {
  lp_data *data = json ? lp_data_parse_json(json, strlen(json), "d.json", err)
                       : NULL;
  cmark_node *doc = parse(md);
  lp_error_clear(err);
  bool ok = lp_fill_tree(doc, data, blanks, "t.md", 10, err);
  size_t cap = 4096, len = 0;
  *text = calloc(cap, 1);
  *emph = 0;
  cmark_iter *it = cmark_iter_new(doc);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
    cmark_node *n = cmark_iter_get_node(it);
    if (ev != CMARK_EVENT_ENTER) continue;
    if (cmark_node_get_type(n) == CMARK_NODE_EMPH) (*emph)++;
    if (cmark_node_get_type(n) == CMARK_NODE_TEXT) {
      const char *lit = cmark_node_get_literal(n);
      size_t k = strlen(lit);
      if (len + k + 1 < cap) memcpy(*text + len, lit, k), len += k;
    }
  }
  cmark_iter_free(it);
  cmark_node_free(doc);
  lp_data_free(data);
  return ok;
}

int main(void) {
  lp_error err;
  char *text;
  int emph;

  CHECK(fill("Dear {{ name }}, {{c.id}}!", "{\"name\":\"Li\",\"c\":{\"id\":7}}",
             false, &text, &emph, &err));
  CHECK_STR(text, "Dear Li, 7!");
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
  CHECK(!fill("{{#list}}x{{/list}}", "{}", false, &text, &emph, &err));
  CHECK(strstr(err.message, "sections") != NULL);
  free(text);
  CHECK(!fill("{{v}}", "{\"v\":[1]}", false, &text, &emph, &err));
  CHECK(strstr(err.message, "list or an object") != NULL);
  free(text);

  /* Data: --set creates nested values; bad JSON is located. */
  lp_data *d = lp_data_parse_json("{}", 2, "d", &err);
  CHECK(lp_data_set(d, "a.b", "x", &err));
  CHECK(!lp_data_set(d, "a..b", "x", &err));
  lp_data_free(d);
  CHECK(lp_data_parse_json("{\n \"a\": }", 9, "d.json", &err) == NULL);
  CHECK(err.line == 2 && strcmp(err.file, "d.json") == 0);
  CHECK(lp_data_parse_json("[1]", 3, "d.json", &err) == NULL);
  return CHECK_DONE();
}
