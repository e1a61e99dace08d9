/* fuzz_render.c - the whole render path, template to PDF in memory. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "letterpress.h"

static lp_engine *engine;

/* Frees the engine at exit, so that LeakSanitizer sees what fontconfig
 * holds as freed rather than as lost. */
static void free_engine(void) { lp_engine_free(engine); }

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  lp_error err;
  engine = lp_engine_new(getenv("LETTERPRESS_FONTCONFIG"), &err);
  if (!engine) abort();
  atexit(free_engine);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lp_error err;
  lp_template *t = lp_template_parse((const char *)data, size, "fuzz.md", &err);
  if (!t) return 0;
  lp_render_options opts = {NULL, true, NULL, NULL, NULL};
  unsigned char *pdf = NULL;
  size_t len = 0;
  if (lp_render_to_memory(engine, t, &opts, &pdf, &len, &err) &&
      (len < 5 || pdf[0] != '%'))
    abort(); /* a render that succeeds gives a PDF */
  free(pdf);
  lp_template_free(t);
  return 0;
}
