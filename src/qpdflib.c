/* qpdflib.c - opens the qpdf library with dlopen, once per process. */
#include "qpdflib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "util.h"

/* The library's soname comes from the build (the Makefile reads it off the
 * installed libqpdf.so). */
#ifndef LP_QPDF_SONAME
#define LP_QPDF_SONAME "libqpdf.so.29"
#endif

static lp_qpdf_api api;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static char problem[256]; /* why loading failed; "" when loaded */

/* Opens the library and looks up every function, or records why not. */
static void load(void) {
  void *lib = dlopen(LP_QPDF_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    snprintf(problem, sizeof problem, "%s", dlerror());
    return;
  }
#define LP_QPDF_LOOKUP(name)                                       \
  if (!problem[0] && !(*(void **)&api.name = dlsym(lib, #name))) \
    snprintf(problem, sizeof problem, "%s has no %s", LP_QPDF_SONAME, #name);
  LP_QPDF_FUNCTIONS(LP_QPDF_LOOKUP)
#undef LP_QPDF_LOOKUP
}

const lp_qpdf_api *lp_qpdf_load(lp_status code, const char *purpose,
                                lp_error *err) {
  pthread_once(&once, load);
  if (!problem[0]) return &api;
  lp_fail(err, code, NULL, 0, 0,
          "%s needs the qpdf library (%s), which cannot be loaded: %s; "
          "install it with 'make deps' (Debian: the libqpdf package that "
          "provides it)",
          purpose, LP_QPDF_SONAME, problem);
  return NULL;
}

qpdf_data lp_qpdf_quiet(const lp_qpdf_api *qp) {
  qpdf_data q = qp->qpdf_init();
  qp->qpdf_silence_errors(q);
  qp->qpdf_set_suppress_warnings(q, QPDF_TRUE);
  qpdflogger_handle quiet = qp->qpdflogger_create();
  qp->qpdflogger_set_warn(quiet, qpdf_log_dest_discard, NULL, NULL);
  qp->qpdflogger_set_error(quiet, qpdf_log_dest_discard, NULL, NULL);
  qp->qpdf_set_logger(q, quiet);
  qp->qpdflogger_cleanup(&quiet);
  return q;
}
