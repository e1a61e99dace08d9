/* fuzz_template.c - the template parser: UTF-8 check, front matter (YAML),
 * blank marks, placeholder tags. */
#include <stddef.h>
#include <stdint.h>

#include "letterpress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lp_error err;
  lp_template *t = lp_template_parse((const char *)data, size, "fuzz.md", &err);
  if (t) lp_template_set_meta(t, "paper", "Letter", &err);
  lp_template_free(t);
  return 0;
}
