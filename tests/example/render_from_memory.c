/* render_from_memory.c - a program embedding letterpress: a template and
 * its data held as C strings become a PDF in memory, with no file read but
 * the fonts.  Built against the installed library:
 *
 *   cc render_from_memory.c -o render_from_memory \
 *      $(pkg-config --cflags --libs letterpress)
 *   ./render_from_memory letter.pdf \
 *      "$(pkg-config --variable=fontsconf letterpress)"
 *
 * Writes the PDF to the file named by the first argument (if any); the
 * second names a fontconfig configuration (default: the system's).  Exits
 * 0 when the PDF was made and starts with "%PDF-". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <letterpress.h>

#if LP_VERSION < LP_VERSION_ENCODE(0, 1, 0)
#error "letterpress 0.1.0 or later is needed"
#endif

static const char template_text[] =
    "---\n"
    "title: Order confirmation\n"
    "lang: en\n"
    "---\n"
    "\n"
    "# Order {{order.id}}\n"
    "\n"
    "Dear {{customer}},\n"
    "\n"
    "Thank you for your order. We will ship:\n"
    "\n"
    "{{#items}}\n"
    "- {{.}}\n"
    "{{/items}}\n"
    "\n"
    "Yours sincerely,\\\n"
    "The Shipping Office\n"
    "\n"
    "Signature: __________\n";

static const char data_json[] =
    "{\"customer\": \"Ms Ada Lovelace\","
    " \"order\": {\"id\": \"A-1042\"},"
    " \"items\": [\"Analytical engine\", \"Punched cards\"]}";

/* Prints a warning the way the letterpress program does. */
static void print_warning(void *ctx, const lp_error *w) {
  (void)ctx;
  fprintf(stderr, "%s:%d:%d: warning: %s\n", w->file, w->line, w->column,
          w->message);
}

int main(int argc, char **argv) {
  const char *out_path = argc > 1 ? argv[1] : NULL;
  const char *fonts_conf = argc > 2 ? argv[2] : NULL;
  lp_error err = {0};
  lp_engine *engine = lp_engine_new(fonts_conf, &err);
  lp_template *tpl = NULL;
  lp_data *data = NULL;
  unsigned char *pdf = NULL;
  size_t len = 0;
  int rc = 1;

  if (!engine) goto fail;
  tpl = lp_template_parse(template_text, strlen(template_text), "order.md",
                          &err);
  if (!tpl) goto fail;
  data = lp_data_parse_json(data_json, strlen(data_json), "order.json", &err);
  if (!data) goto fail;

  lp_render_options opts = {0};
  opts.data = data;
  opts.warn = print_warning;
  if (!lp_render_to_memory(engine, tpl, &opts, &pdf, &len, &err)) goto fail;
  if (len < 5 || memcmp(pdf, "%PDF-", 5) != 0) {
    fprintf(stderr, "render_from_memory: the output is not a PDF\n");
    goto done;
  }
  if (out_path) {
    FILE *f = fopen(out_path, "wb");
    if (!f || fwrite(pdf, 1, len, f) != len || fclose(f) != 0) {
      perror(out_path);
      goto done;
    }
  }
  printf("letterpress %s: %zu bytes of PDF\n", lp_version(), len);
  rc = 0;
  goto done;
fail:
  fprintf(stderr, "%s:%d:%d: error: %s\n", err.file[0] ? err.file : "-",
          err.line, err.column, err.message);
done:
  free(pdf);
  lp_data_free(data);
  lp_template_free(tpl);
  lp_engine_free(engine);
  return rc;
}
