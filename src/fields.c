/* fields.c - what a template needs and makes: its placeholders and the form
 * fields of its letters, as JSON (lp_template_fields). */
#include <math.h>
#include <stdlib.h>

#include <jansson.h>

#include "display.h"
#include "fill.h"
#include "letterpress.h"
#include "render.h"
#include "template.h"
#include "util.h"

static const char *tag_kind_name(lp_tag_kind k) {
  return k == LP_TAG_SECTION ? "section" : k == LP_TAG_INVERTED ? "inverted"
                                                                 : "value";
}

static const char *field_kind_name(lp_field_kind k) {
  return k == LP_FIELD_CHECKBOX ? "checkbox" : k == LP_FIELD_SIGNATURE
                                                   ? "signature"
                                                   : "text";
}

/* Rounds to hundredths of a point, for a readable rectangle. */
static json_t *pt(double v) { return json_real((double)llround(v * 100) / 100); }

/* Appends to list the placeholders of p, in source order, each with its
 * enclosing sections. */
static void add_placeholders(json_t *list, const lp_fill_program *p) {
  size_t *open = lp_xcalloc(p->ntags + 1, sizeof *open), nopen = 0;
  for (size_t i = 0; i < p->ntags; i++) {
    const lp_tag *t = &p->tags[i];
    if (t->kind == LP_TAG_CLOSE) {
      if (nopen) nopen--;
      continue;
    }
    if (t->kind == LP_TAG_COMMENT) continue;
    json_t *in = json_array();
    for (size_t k = 0; k < nopen; k++)
      json_array_append_new(in, json_string(p->tags[open[k]].name));
    json_array_append_new(
        list, json_pack("{s:s, s:s, s:i, s:i, s:o}", "name", t->name, "kind",
                        tag_kind_name(t->kind), "line",
                        t->line + p->line_offset, "column", t->column,
                        "sections", in));
    if (t->kind != LP_TAG_VALUE) open[nopen++] = i;
  }
  free(open);
}

/* The placeholders of the template, in file order: those of the front
 * matter's texts (by line), then the body's. */
static json_t *placeholders(const lp_template *tpl) {
  json_t *list = json_array();
  const lp_fill_program *texts[LP_TEXT_COUNT];
  size_t n = 0;
  for (int k = 0; k < LP_TEXT_COUNT; k++)
    if (tpl->meta.fill[k]) texts[n++] = tpl->meta.fill[k];
  for (size_t i = 1; i < n; i++) /* insertion sort by line: n <= 6 */
    for (size_t j = i; j > 0 && texts[j]->line_offset < texts[j - 1]->line_offset;
         j--) {
      const lp_fill_program *t = texts[j];
      texts[j] = texts[j - 1], texts[j - 1] = t;
    }
  for (size_t i = 0; i < n; i++) add_placeholders(list, texts[i]);
  add_placeholders(list, tpl->fill);
  return list;
}

bool lp_template_fields(lp_engine *engine, const lp_template *tpl,
                        char **json, lp_error *err) {
  lp_display *d = lp_display_new();
  if (!lp_render_layout(engine, tpl, NULL, true, d, err)) {
    lp_display_free(d);
    return false;
  }
  json_t *fields = json_array();
  /* The names the PDF's fields will have (签名, then 签名_2, ...). */
  size_t nnames, at = 0;
  char **names = lp_display_field_names(d, &nnames);
  for (size_t p = 0; p < d->npages; p++)
    for (size_t i = 0; i < d->pages[p].nfields; i++) {
      const lp_dfield *f = &d->pages[p].fields[i];
      json_t *o = json_pack(
          "{s:s, s:s, s:I, s:[o,o,o,o]}", "kind", field_kind_name(f->kind),
          "name", names[at++], "page", (json_int_t)(p + 1), "rect",
          pt(f->x1), pt(f->y1), pt(f->x2), pt(f->y2));
      if (f->kind == LP_FIELD_CHECKBOX)
        json_object_set_new(o, "checked", json_boolean(f->checked));
      json_array_append_new(fields, o);
    }
  json_t *root = json_pack("{s:s, s:o, s:o}", "template", tpl->name,
                           "placeholders", placeholders(tpl), "fields",
                           fields);
  lp_display_free_names(names, nnames);
  lp_display_free(d);
  char *s = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                        JSON_REAL_PRECISION(10))
                 : NULL;
  json_decref(root);
  if (!s) return lp_fail(err, LP_ERR_NOMEM, NULL, 0, 0, "out of memory");
  lp_buf b = {0};
  lp_buf_printf(&b, "%s\n", s);
  free(s);
  *json = lp_buf_strdup(&b);
  lp_buf_free(&b);
  return true;
}
