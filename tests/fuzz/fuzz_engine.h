/* fuzz_engine.h - the one engine a fuzz target keeps for its whole run,
 * made in LLVMFuzzerInitialize and freed at exit (so that LeakSanitizer
 * sees what fontconfig holds as freed, not as lost). */
#ifndef LP_FUZZ_ENGINE_H
#define LP_FUZZ_ENGINE_H

#include <stdlib.h>

#include "letterpress.h"

static lp_engine *engine;

static void free_engine(void) { lp_engine_free(engine); }

/* Makes the engine with the fontconfig file of LETTERPRESS_FONTCONFIG. */
static void make_engine(void) {
  lp_error err;
  engine = lp_engine_new(getenv("LETTERPRESS_FONTCONFIG"), &err);
  if (!engine) abort();
  atexit(free_engine);
}

#endif
