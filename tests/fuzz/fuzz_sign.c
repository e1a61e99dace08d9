/* fuzz_sign.c - `sign` reading an existing PDF: the input is the PDF;
 * the key and certificate come from tests/fuzz/ (a throwaway pair). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_engine.h"
#include "letterpress.h"

static lp_sign_options opts;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  make_engine();
  opts.key = "tests/fuzz/key.pem";
  opts.cert = "tests/fuzz/cert.pem";
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lp_error err;
  unsigned char *out = NULL;
  size_t len = 0;
  if (lp_sign_memory(engine, data, size, &opts, &out, &len, &err) &&
      len <= size)
    abort(); /* a signature appends an update */
  free(out);
  return 0;
}
