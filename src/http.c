/* http.c - one HTTP POST over libcurl, loaded on first use. */
#include "http.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* curl.h's type-checking macros would turn the calls through the table
 * below into macro expansions: call plain functions. */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

/* libcurl is opened with dlopen when a signature first needs the network,
 * not linked into the program: it brings some 30 shared libraries (GnuTLS,
 * Kerberos, LDAP, ...) whose loading would cost every start of the program
 * (rendering a letter included) a few milliseconds, and most runs never
 * time-stamp.  LP_CURL_SONAME comes from the build (the Makefile reads it
 * off the installed libcurl.so), as LP_QPDF_SONAME does for qpdflib.c. */
#ifndef LP_CURL_SONAME
#define LP_CURL_SONAME "libcurl.so.4"
#endif

#define CURL_FUNCTIONS(X) \
  X(curl_global_init) \
  X(curl_easy_init) \
  X(curl_easy_setopt) \
  X(curl_easy_perform) \
  X(curl_easy_getinfo) \
  X(curl_easy_cleanup) \
  X(curl_easy_strerror) \
  X(curl_slist_append) \
  X(curl_slist_free_all)

static struct {
#define X(name) __typeof__(name) *name;
  CURL_FUNCTIONS(X)
#undef X
} cu;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static char curl_problem[256]; /* why loading failed; "" when loaded */

/* Opens libcurl and initialises it (curl_global_init is not thread-safe:
 * it runs here, once). */
static void load_curl(void) {
  void *lib = dlopen(LP_CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    snprintf(curl_problem, sizeof curl_problem, "%s", dlerror());
    return;
  }
#define X(name)                                                        \
  if (!curl_problem[0] && !(*(void **)&cu.name = dlsym(lib, #name))) \
    snprintf(curl_problem, sizeof curl_problem, "%s has no %s",      \
             LP_CURL_SONAME, #name);
  CURL_FUNCTIONS(X)
#undef X
  if (!curl_problem[0] && cu.curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    snprintf(curl_problem, sizeof curl_problem, "curl_global_init failed");
}

/* Appends a chunk of the reply (libcurl's write callback); refuses a reply
 * past 16 MiB (a time-stamp or OCSP reply is a few kilobytes). */
static size_t on_data(char *p, size_t size, size_t n, void *ctx) {
  lp_buf *b = ctx;
  if (b->len + size * n > (16u << 20)) return 0;
  lp_buf_append(b, p, size * n);
  return size * n;
}

bool lp_http_post(const char *url, const char *what, const char *content_type,
                  const unsigned char *body, size_t len, const char *user,
                  const char *pass, lp_buf *reply, bool *temporary,
                  lp_error *err) {
  bool ignored;
  if (!temporary) temporary = &ignored;
  *temporary = false;
  pthread_once(&curl_once, load_curl);
  if (curl_problem[0])
    return lp_fail(err, LP_ERR_IO, NULL, 0, 0,
                   "asking %s needs the curl library (%s), which cannot be "
                   "loaded: %s; install it with 'make deps'",
                   what, LP_CURL_SONAME, curl_problem);
  CURL *c = cu.curl_easy_init();
  if (!c) return lp_fail(err, LP_ERR_IO, NULL, 0, 0, "curl_easy_init failed");
  char header[128];
  snprintf(header, sizeof header, "Content-Type: %s",
           content_type ? content_type : "application/octet-stream");
  struct curl_slist *headers = cu.curl_slist_append(NULL, header);
  char curl_err[CURL_ERROR_SIZE] = "";
  cu.curl_easy_setopt(c, CURLOPT_URL, url);
  cu.curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  cu.curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  cu.curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)LP_HTTP_TIMEOUT);
  if (body) { /* else a GET */
    cu.curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    cu.curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)body);
    cu.curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
  }
  cu.curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  cu.curl_easy_setopt(c, CURLOPT_WRITEDATA, reply);
  cu.curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
  if (user) {
    cu.curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    cu.curl_easy_setopt(c, CURLOPT_USERNAME, user);
    cu.curl_easy_setopt(c, CURLOPT_PASSWORD, pass ? pass : "");
  }
  CURLcode rc = cu.curl_easy_perform(c);
  long status = 0;
  cu.curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  cu.curl_easy_cleanup(c);
  cu.curl_slist_free_all(headers);
  *temporary = rc != CURLE_OK || status == 408 || status == 429 || status >= 500;
  if (rc != CURLE_OK)
    return lp_fail(err, LP_ERR_IO, NULL, 0, 0,
                   "cannot reach %s at %s: %s; check the URL and the network",
                   what, url, curl_err[0] ? curl_err : cu.curl_easy_strerror(rc));
  if (status != 200)
    return lp_fail(err, LP_ERR_IO, NULL, 0, 0,
                   "%s at %s answered HTTP %ld%s", what, url, status,
                   status == 401 ? " (it wants a user name and password)" : "");
  return true;
}
