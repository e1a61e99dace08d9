/* fuzz_render.c - the whole render path, template to PDF in memory. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_engine.h"
#include "letterpress.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  make_engine();
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
