/* letterpress.h - the public API: letter templates to print-ready PDFs.
 *
 * This header is the whole library.  The pieces:
 *
 *   lp_engine    fonts, fontconfig results and caches; lives across documents.
 *   lp_template  a parsed template (front matter + Markdown tree); immutable
 *                after parsing, so it can be rendered many times.
 *   lp_data      the values that fill a template's placeholders.
 *   lp_error     an error value: code, message, and where (file:line:col).
 *
 * Ownership: every *_new / *_parse / *_load returns an object the caller frees
 * with the matching *_free.  Strings handed in are copied.  Functions that can
 * fail return false or NULL and fill the caller's lp_error (which may be NULL).
 *
 * Threads: one engine is not safe to share between threads; use one engine
 * per thread.  Templates are read-only while rendering.
 */
#ifndef LETTERPRESS_H
#define LETTERPRESS_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LP_VERSION_MAJOR 0
#define LP_VERSION_MINOR 1
#define LP_VERSION_MICRO 0
#define LP_VERSION_STRING "0.1.0"

/* The library's version, e.g. "0.1.0". */
const char *lp_version(void);

/* What went wrong.  LP_ERR_INPUT is the user's input (exit code 2 in the
 * CLI); the others are runtime failures (exit code 1). */
typedef enum {
  LP_OK = 0,
  LP_ERR_INPUT, /* bad template, data, or option value */
  LP_ERR_IO,    /* reading or writing a file */
  LP_ERR_FONT,  /* no usable font */
  LP_ERR_PDF,   /* the PDF writer failed */
  LP_ERR_NOMEM
} lp_status;

typedef struct lp_error {
  lp_status code;
  char message[512];
  char file[256]; /* "" when not about a file */
  int line;       /* 1-based; 0 when unknown */
  int column;     /* 1-based, in characters; 0 when unknown */
} lp_error;

/* Empties an error value. */
void lp_error_clear(lp_error *err);

/* ---- Engine ------------------------------------------------------------ */

typedef struct lp_engine lp_engine;

/* Creates an engine.  fontconfig_file is a fontconfig configuration file to
 * use instead of the system's (NULL: the system configuration).  Free with
 * lp_engine_free. */
lp_engine *lp_engine_new(const char *fontconfig_file, lp_error *err);
void lp_engine_free(lp_engine *engine);

/* Writes to *out (malloc'd, caller frees) a human-readable report of the font
 * chain that lang (BCP 47, e.g. "zh-CN"; NULL for "en") resolves to, per
 * script and style. */
bool lp_engine_describe_fonts(lp_engine *engine, const char *lang,
                              char **out, lp_error *err);

/* ---- Template ---------------------------------------------------------- */

typedef struct lp_template lp_template;

/* Parses a template from memory.  name is used in error locations (usually
 * the file path); base_dir resolves relative paths (images), may be NULL.
 * Free with lp_template_free. */
lp_template *lp_template_parse(const char *text, size_t len, const char *name,
                               lp_error *err);

/* Reads and parses a template file. */
lp_template *lp_template_load(const char *path, lp_error *err);

void lp_template_free(lp_template *tpl);

/* Overrides one front-matter key, as if it had been written there
 * (e.g. "paper", "Letter").  An unknown key or bad value is LP_ERR_INPUT. */
bool lp_template_set_meta(lp_template *tpl, const char *key, const char *value,
                          lp_error *err);

/* ---- Data -------------------------------------------------------------- */

typedef struct lp_data lp_data;

/* Parses a JSON object.  name is used in error locations. */
lp_data *lp_data_parse_json(const char *text, size_t len, const char *name,
                            lp_error *err);

/* Reads a data file: .json (an object) or "-" for JSON on stdin. */
lp_data *lp_data_load(const char *path, lp_error *err);

/* Sets one top-level string value, replacing any (key may be dotted: a.b). */
bool lp_data_set(lp_data *data, const char *key, const char *value,
                 lp_error *err);

void lp_data_free(lp_data *data);

/* ---- Rendering --------------------------------------------------------- */

/* Receives a warning (a character no font has, ...): code LP_OK, message
 * and location filled.  Called synchronously during rendering. */
typedef void (*lp_warning_fn)(void *ctx, const lp_error *warning);

typedef struct lp_render_options {
  const lp_data *data; /* may be NULL: a template without placeholders */
  bool blanks;         /* missing placeholders render as blanks */
  lp_warning_fn warn;  /* may be NULL: warnings are dropped */
  void *warn_ctx;
} lp_render_options;

/* Renders the template to a PDF in memory: *pdf (malloc'd, caller frees) of
 * *len bytes. */
bool lp_render_to_memory(lp_engine *engine, const lp_template *tpl,
                         const lp_render_options *opts, unsigned char **pdf,
                         size_t *len, lp_error *err);

/* Renders the template to a file.  The PDF is written to a temporary file in
 * the same directory and renamed over path, so a failure never leaves a
 * partial file.  path "-" writes to standard output. */
bool lp_render_to_file(lp_engine *engine, const lp_template *tpl,
                       const lp_render_options *opts, const char *path,
                       lp_error *err);

#ifdef __cplusplus
}
#endif

#endif
