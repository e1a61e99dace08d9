/* fuzz_fill.c - template + placeholder filler + layout: the input is a
 * template, then (after the first NUL byte, if any) its JSON data.  Stops
 * before the PDF writer, so that it runs fast. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "display.h"
#include "fuzz_engine.h"
#include "letterpress.h"
#include "render.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  make_engine();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data;
  const char *nul = memchr(text, '\0', size);
  size_t tlen = nul ? (size_t)(nul - text) : size;
  lp_error err;
  lp_template *t = lp_template_parse(text, tlen, "fuzz.md", &err);
  if (!t) return 0;
  lp_data *d = nul ? lp_data_parse_json(nul + 1, size - tlen - 1, "fuzz.json",
                                        &err)
                   : NULL;
  for (int blanks = 0; blanks < 2; blanks++) {
    lp_render_options opts = {d, blanks, NULL, NULL, NULL};
    lp_display *disp = lp_display_new();
    lp_render_layout(engine, t, &opts, false, disp, &err);
    lp_display_free(disp);
  }
  lp_data_free(d);
  lp_template_free(t);
  return 0;
}
