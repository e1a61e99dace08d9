/* data.c - placeholder values from JSON (jansson). */
#include "data.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Wraps a parsed root, which must be an object. */
static lp_data *wrap(json_t *root, const char *name, lp_error *err) {
  if (!json_is_object(root)) {
    lp_fail(err, LP_ERR_INPUT, name, 1, 1,
            "the data must be a JSON object ({\"name\": \"value\", ...})");
    json_decref(root);
    return NULL;
  }
  lp_data *d = lp_xcalloc(1, sizeof *d);
  d->root = root;
  return d;
}

lp_data *lp_data_parse_json(const char *text, size_t len, const char *name,
                            lp_error *err) {
  if (!name) name = "<data>";
  json_error_t je;
  json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
  if (!root) {
    lp_fail(err, LP_ERR_INPUT, name, je.line, je.column, "bad JSON: %s",
            je.text);
    return NULL;
  }
  return wrap(root, name, err);
}

lp_data *lp_data_load(const char *path, lp_error *err) {
  lp_buf b = {0};
  if (!lp_read_file(path, &b, err)) {
    lp_buf_free(&b);
    return NULL;
  }
  lp_data *d = lp_data_parse_json(b.data ? (char *)b.data : "", b.len,
                                  strcmp(path, "-") ? path : "<stdin>", err);
  lp_buf_free(&b);
  return d;
}

json_t *lp_data_lookup(const lp_data *data, const char *name) {
  if (!data) return NULL;
  json_t *v = data->root;
  const char *p = name;
  while (v && *p) {
    const char *dot = strchr(p, '.');
    size_t n = dot ? (size_t)(dot - p) : strlen(p);
    if (!json_is_object(v)) return NULL;
    v = json_object_getn(v, p, n);
    p = dot ? dot + 1 : p + n;
  }
  return v;
}

bool lp_data_set(lp_data *data, const char *key, const char *value,
                 lp_error *err) {
  if (!*key || key[0] == '.' || key[strlen(key) - 1] == '.' ||
      strstr(key, ".."))
    return lp_fail(err, LP_ERR_INPUT, "--set", 0, 0,
                   "'%s' is not a name: write --set name=value or "
                   "--set a.b=value",
                   key);
  json_t *obj = data->root;
  const char *p = key;
  for (const char *dot; (dot = strchr(p, '.')); p = dot + 1) {
    json_t *next = json_object_getn(obj, p, (size_t)(dot - p));
    if (!json_is_object(next)) {
      next = json_object();
      json_object_setn_new(obj, p, (size_t)(dot - p), next);
    }
    obj = next;
  }
  json_object_set_new(obj, p, json_string(value));
  return true;
}

char *lp_data_text(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_STRING:
    return lp_xstrndup(json_string_value(v), json_string_length(v));
  case JSON_INTEGER: {
    lp_buf b = {0};
    lp_buf_printf(&b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    char *s = lp_buf_strdup(&b);
    lp_buf_free(&b);
    return s;
  }
  case JSON_REAL: {
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    char *r = lp_xstrdup(s ? s : "");
    free(s);
    return r;
  }
  case JSON_TRUE:
    return lp_xstrdup("true");
  case JSON_FALSE:
    return lp_xstrdup("false");
  case JSON_NULL:
    return lp_xstrdup("");
  default:
    return NULL;
  }
}

void lp_data_free(lp_data *data) {
  if (!data) return;
  json_decref(data->root);
  free(data);
}
