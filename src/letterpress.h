/* letterpress.h - the public API: letter templates to print-ready PDFs.
 *
 * This header is the whole library (installed as <letterpress.h>; link with
 * `pkg-config --cflags --libs letterpress`, see letterpress(3)).  A minimal
 * program:
 *
 *   lp_error err = {0};
 *   lp_engine *e = lp_engine_new(NULL, &err);
 *   lp_template *t = lp_template_parse(text, strlen(text), "letter.md", &err);
 *   lp_data *d = lp_data_parse_json(json, strlen(json), "data.json", &err);
 *   lp_render_options o = {.data = d};
 *   unsigned char *pdf; size_t len;
 *   if (e && t && d && lp_render_to_memory(e, t, &o, &pdf, &len, &err)) ...
 *   free(pdf); lp_data_free(d); lp_template_free(t); lp_engine_free(e);
 *
 * The pieces:
 *
 *   lp_engine    fonts, fontconfig results and caches; lives across documents.
 *   lp_template  a parsed template (front matter + Markdown tree); immutable
 *                after parsing, so it can be rendered many times.
 *   lp_data      the values that fill a template's placeholders.
 *   lp_error     an error value: code, message, and where (file:line:col).
 *
 * Ownership: every *_new / *_parse / *_load returns an object the caller frees
 * with the matching *_free (each accepts NULL).  Strings handed in are
 * copied unless a comment says "borrowed".  Buffers handed out through
 * `char **` or `unsigned char **` are malloc'd and the caller frees them
 * with free().  Functions that can fail return false or NULL and fill the
 * caller's lp_error (which may be NULL); on failure nothing is handed out.
 * The library reports through lp_error and warning callbacks only; it
 * never calls exit() and installs no signal handlers.  The one exception:
 * when malloc fails it writes "letterpress: out of memory" to stderr and
 * calls abort().
 *
 * Threads (each call below says which rule it follows):
 *   - An engine is used by one thread at a time: use one engine per thread
 *     (it holds font caches and ICU iterators that rendering updates).  It
 *     may move to another thread between calls.  lp_engine_new may run in
 *     several threads at once.
 *   - A template and a data value are only read while rendering (render,
 *     fields, merge): one of each may be shared by any number of threads,
 *     each rendering with its own engine.  The calls that change them
 *     (lp_template_set_meta, lp_data_set) and *_free must not overlap a
 *     render that uses them.
 *   - lp_version, lp_error_clear, lp_limits_default: any thread, any time.
 *   - The library reads the environment (SOURCE_DATE_EPOCH, and a
 *     passphrase's env:VARIABLE) with getenv: do not change the environment
 *     while another thread renders or signs.
 *   - lp_merge with more than one job forks worker processes: call it with
 *     jobs = 1 in a process whose other threads may hold locks.
 * Output is deterministic: with SOURCE_DATE_EPOCH set, the same template,
 * data and fonts give the same bytes in any thread (a password-protected
 * PDF excepted: its salts and IVs are random, as ISO 32000-2 wants).
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

/* The version as one number, for compile-time checks:
 * #if LP_VERSION >= LP_VERSION_ENCODE(0, 1, 0). */
#define LP_VERSION_ENCODE(major, minor, micro) \
  ((major) * 10000 + (minor) * 100 + (micro))
#define LP_VERSION \
  LP_VERSION_ENCODE(LP_VERSION_MAJOR, LP_VERSION_MINOR, LP_VERSION_MICRO)

/* The version of the library that is running, e.g. "0.1.0" (may differ from
 * LP_VERSION_STRING, the header's, when a shared library was updated).
 * Static storage; any thread. */
const char *lp_version(void);

/* What went wrong.  LP_ERR_INPUT is the user's input (exit code 2 in the
 * CLI); the others are runtime failures (exit code 1). */
typedef enum {
  LP_OK = 0,
  LP_ERR_INPUT, /* bad template, data, or option value */
  LP_ERR_IO,    /* reading or writing a file */
  LP_ERR_FONT,  /* no usable font */
  LP_ERR_PDF,   /* the PDF writer failed */
  LP_ERR_NOMEM,
  LP_ERR_SIGN   /* signing: key, certificate or passphrase */
} lp_status;

typedef struct lp_error {
  lp_status code;
  char message[512];
  char file[256]; /* "" when not about a file */
  int line;       /* 1-based; 0 when unknown */
  int column;     /* 1-based, in characters; 0 when unknown */
} lp_error;

/* Empties an error value.  Any thread (for its own err). */
void lp_error_clear(lp_error *err);

/* ---- Engine ------------------------------------------------------------ */

typedef struct lp_engine lp_engine;

/* Creates an engine.  fontconfig_file is a fontconfig configuration file to
 * use instead of the system's (NULL: the system configuration; the program
 * installs its own as PREFIX/share/letterpress/fonts.conf, and fonts in that
 * file's directory are found too).  The caller frees it with lp_engine_free.
 * Safe to call from several threads at once; each engine then belongs to
 * one thread at a time.  Fails (LP_ERR_FONT) when the configuration cannot
 * be loaded. */
lp_engine *lp_engine_new(const char *fontconfig_file, lp_error *err);

/* Frees an engine and every font it loaded (NULL: nothing).  No render may
 * be running with it. */
void lp_engine_free(lp_engine *engine);

/* Limits that keep a batch job safe from hostile input.  Each refusal is
 * an LP_ERR_INPUT error naming the limit and the command-line option that
 * raises it.  0 in a field means "no limit". */
typedef struct lp_limits {
  size_t max_input_bytes;    /* a template or data file (--max-input-size) */
  unsigned max_pages;        /* pages of one document (--max-pages) */
  unsigned max_depth;        /* nesting of lists and quotes (--max-depth) */
  unsigned long long max_image_pixels; /* one image (--max-image-pixels) */
} lp_limits;

#define LP_DEFAULT_MAX_INPUT_BYTES (64u << 20) /* 64 MiB */
#define LP_DEFAULT_MAX_PAGES 10000u
#define LP_DEFAULT_MAX_DEPTH 64u
#define LP_DEFAULT_MAX_IMAGE_PIXELS 100000000ull /* 100 megapixels */

/* The default limits.  Any thread. */
lp_limits lp_limits_default(void);

/* Sets the limits that the engine's renders honour (the defaults until
 * called); *limits is copied.  The engine's thread. */
void lp_engine_set_limits(lp_engine *engine, const lp_limits *limits);

/* The font set.  With the program's fontconfig file (or any file given to
 * lp_engine_new), letters are drawn only from the declared set -- the Noto,
 * DejaVu and Hanazono families that `make deps` installs -- the families a
 * template names (`font`, `latin-font`, `heading-font`), the fonts in the
 * configuration file's directory, and directories added here or with a
 * template's `font-path`; the same template then gives the same glyphs on
 * every machine.  lp_engine_add_font_dir adds a directory (absolute, or
 * relative to the working directory) and fails (LP_ERR_INPUT) when it is
 * not one; lp_engine_use_system_fonts(e, true) lets every installed font
 * take part (the system configuration, NULL to lp_engine_new, always
 * does).  Both affect the renders that follow.  The engine's thread. */
bool lp_engine_add_font_dir(lp_engine *engine, const char *dir,
                            lp_error *err);
void lp_engine_use_system_fonts(lp_engine *engine, bool on);

/* Writes to *out (malloc'd, caller frees) a human-readable report of the font
 * chain that lang (BCP 47, e.g. "zh-CN"; NULL for "en") resolves to, per
 * script and style.  The engine's thread. */
bool lp_engine_describe_fonts(lp_engine *engine, const char *lang,
                              char **out, lp_error *err);

/* ---- Template ---------------------------------------------------------- */

typedef struct lp_template lp_template;

/* Parses a template from memory (text is copied; len bytes, need not be
 * NUL-terminated).  name is used in error locations (usually the file path;
 * may be NULL); relative image paths resolve against name's directory (the
 * current directory when name has no '/').
 * The caller frees the result with lp_template_free.  Needs no engine: any
 * thread.  Bad UTF-8, front matter or placeholder tags: NULL, LP_ERR_INPUT
 * located at line and column. */
lp_template *lp_template_parse(const char *text, size_t len, const char *name,
                               lp_error *err);

/* Reads and parses a template file of at most LP_DEFAULT_MAX_INPUT_BYTES
 * ("-": standard input); relative image paths resolve against the file's
 * directory.  Caller frees with lp_template_free.  Any thread. */
lp_template *lp_template_load(const char *path, lp_error *err);

/* The same with another size limit (0: none). */
lp_template *lp_template_load_limited(const char *path, size_t max_bytes,
                                      lp_error *err);

/* Frees a template (NULL: nothing); no render may be using it. */
void lp_template_free(lp_template *tpl);

/* Overrides one front-matter key, as if it had been written there
 * (e.g. "paper", "Letter").  An unknown key or bad value is LP_ERR_INPUT.
 * Changes the template: not while any thread renders it. */
bool lp_template_set_meta(lp_template *tpl, const char *key, const char *value,
                          lp_error *err);

/* ---- Data -------------------------------------------------------------- */

typedef struct lp_data lp_data;

/* Parses a JSON object (text is copied).  name is used in error locations.
 * Caller frees with lp_data_free.  Any thread.  Not JSON, or not an object:
 * NULL, LP_ERR_INPUT with line and column. */
lp_data *lp_data_parse_json(const char *text, size_t len, const char *name,
                            lp_error *err);

/* Reads a data file: .json (an object) or "-" for JSON on stdin.  Caller
 * frees with lp_data_free.  Any thread. */
lp_data *lp_data_load(const char *path, lp_error *err);

/* The same with another input limit (0: none; lp_data_load uses
 * LP_DEFAULT_MAX_INPUT_BYTES). */
lp_data *lp_data_load_limited(const char *path, size_t max_bytes,
                              lp_error *err);

/* How a data file is written, for lp_data_load_from and lp_merge. */
typedef struct lp_data_source {
  const char *format;   /* "json", "jsonl", "csv", "tsv"; NULL: by the
                           extension (.json .jsonl .ndjson .csv .tsv .txt) */
  const char *encoding; /* an ICU encoding name ("GB18030", "Shift_JIS",
                           "Big5", "EUC-KR", "UTF-16LE"...); NULL: UTF-8.  A
                           byte order mark (UTF-8, UTF-16) always wins */
  char delimiter;       /* CSV: ',', ';' or '\t'; 0: found in the header */
  size_t max_bytes;     /* input limit; 0: none */
} lp_data_source;

/* Reads a data file holding one record, as src says (NULL: as
 * lp_data_load_limited with LP_DEFAULT_MAX_INPUT_BYTES).  Bytes that are
 * not UTF-8, without an encoding, fail naming the likely encoding. */
lp_data *lp_data_load_from(const char *path, const lp_data_source *src,
                           lp_error *err);

/* Sets one string value, replacing any (key may be dotted: a.b makes or
 * enters the object a).  Strings are copied.  Changes data: not while any
 * thread renders with it. */
bool lp_data_set(lp_data *data, const char *key, const char *value,
                 lp_error *err);

/* Frees data (NULL: nothing); no render may be using it. */
void lp_data_free(lp_data *data);

/* ---- Rendering --------------------------------------------------------- */

/* Receives a warning (a character no font has, ...): code LP_OK, message
 * and location filled; *warning is valid during the call only.  Called
 * synchronously, in the rendering thread, during rendering. */
typedef void (*lp_warning_fn)(void *ctx, const lp_error *warning);

typedef struct lp_sign_options lp_sign_options; /* see Signing below */

/* What to render with.  Everything is borrowed for the call; zero it
 * (= {0}) before setting fields, so that fields added later stay off.
 * A NULL options pointer means all defaults. */
/* ---- Passwords --------------------------------------------------------- */

/* A password-protected PDF: AES-256 (ISO 32000-2, standard security
 * handler /V 5 /R 6), written by qpdf.  Strings are borrowed. */
typedef struct lp_encrypt_options {
  const char *user_password;  /* opens the letter (UTF-8, not empty) */
  const char *owner_password; /* lifts the permissions; NULL: a random one
                                 nobody knows, so they hold */
  /* What opening with the user password allows, a comma-separated list of
   * print (high quality), print-low, fill (fill in forms and sign the
   * signature fields), annotate (comments, and forms), copy (text and
   * images), assemble (pages), modify (anything else), or all or none;
   * NULL: "print,fill", what a recipient needs to print, fill in and sign
   * the letter.  Accessibility (screen readers) is always allowed. */
  const char *permissions;
} lp_encrypt_options;

/* Checks a permissions list (see lp_encrypt_options); false, with err
 * (LP_ERR_INPUT) naming the bad word and the known ones. */
bool lp_encrypt_check_permissions(const char *permissions, lp_error *err);

/* Reads a password from its source, "env:VAR" or "file:PATH" (its first
 * line), never the password itself, which would show in the process list:
 * *password malloc'd (caller wipes and frees).  False, with err
 * (LP_ERR_INPUT, naming option), for another form or a missing source. */
bool lp_encrypt_read_password(const char *source, const char *option,
                              char **password, lp_error *err);

/* Encrypts a PDF in memory as o says: *out (malloc'd, caller frees).  A
 * PDF that is encrypted already, an empty user password or a bad
 * permissions list is an error (LP_ERR_INPUT); qpdf missing, LP_ERR_PDF. */
bool lp_encrypt_memory(const unsigned char *pdf, size_t len,
                       const lp_encrypt_options *o, unsigned char **out,
                       size_t *out_len, lp_error *err);

typedef struct lp_render_options {
  const lp_data *data; /* may be NULL: a template without placeholders */
  bool blanks;         /* missing placeholders render as blanks */
  lp_warning_fn warn;  /* may be NULL: warnings are dropped */
  void *warn_ctx;
  const lp_sign_options *sign; /* may be NULL; else the rendered PDF is
                                  signed (see lp_sign_memory) */
  /* may be NULL; else the PDF is password-protected (lp_encrypt_memory),
   * then signed with the user password (sign->password is not used).  A
   * template claiming PDF/A is refused (ISO 19005 forbids encryption);
   * PDF/UA alone is fine. */
  const lp_encrypt_options *encrypt;
} lp_render_options;

/* The render calls below use the engine (its thread only) and only read
 * the template and the data (shared between threads if need be).  Errors:
 * LP_ERR_INPUT for the template or data (a missing placeholder lists every
 * missing name with its line), LP_ERR_FONT, LP_ERR_PDF, LP_ERR_IO,
 * LP_ERR_SIGN (when opts->sign is set). */

/* Renders the template to a PDF in memory: *pdf (malloc'd, caller frees
 * with free()) of *len bytes.  On failure *pdf and *len are untouched. */
bool lp_render_to_memory(lp_engine *engine, const lp_template *tpl,
                         const lp_render_options *opts, unsigned char **pdf,
                         size_t *len, lp_error *err);

/* Renders the template to a file.  The PDF is written to a temporary file in
 * the same directory and renamed over path, so a failure never leaves a
 * partial file.  path "-" writes to standard output. */
bool lp_render_to_file(lp_engine *engine, const lp_template *tpl,
                       const lp_render_options *opts, const char *path,
                       lp_error *err);

/* Receives len bytes of the PDF (bytes valid during the call only); returns
 * false to stop, e.g. when a socket or a pipe fails. */
typedef bool (*lp_write_fn)(void *ctx, const unsigned char *bytes,
                            size_t len);

/* Renders the template and hands the PDF to write, in order, in chunks of
 * at most 64 KiB, in the calling thread.  The PDF is complete before the
 * first call, so a failed render calls write never; write returning false
 * stops at once and fails with LP_ERR_IO (the caller's sink then holds a
 * prefix of the PDF: discard it). */
bool lp_render_to_callback(lp_engine *engine, const lp_template *tpl,
                           const lp_render_options *opts, lp_write_fn write,
                           void *ctx, lp_error *err);

/* ---- Fields and mail merge --------------------------------------------- */

/* Writes to *json (malloc'd, caller frees) what the template needs and
 * makes, as JSON: every placeholder (name, kind "value", "section" or
 * "inverted", line, column, and the enclosing sections) and every form
 * field its letters get (kind "text", "checkbox" or "signature", name,
 * page, rectangle in pt).  Sections are taken once each for this.  The
 * engine's thread; the template is only read. */
bool lp_template_fields(lp_engine *engine, const lp_template *tpl,
                        char **json, lp_error *err);

/* How far a merge is; also its final summary. */
typedef struct lp_merge_progress {
  size_t total;   /* records in this run (this shard) */
  size_t done;    /* written + skipped + failed */
  size_t written, skipped, failed;
  double seconds; /* since the merge started */
  size_t repeated_warnings; /* warnings not passed on again (see warn) */
  /* Of failed: records whose letter is on disk all the same, written in
   * this run or skipped as already there, and only opts->letter (with
   * mail: the message) failed. */
  size_t hook_failed_written, hook_failed_skipped;
} lp_merge_progress;

/* One record that failed. */
typedef struct lp_merge_failure {
  size_t record;         /* 1-based number of the record in the data */
  int data_line;         /* where it starts in the data file; 0: unknown */
  const char *key;       /* its output file name, or "" */
  const lp_error *error; /* what went wrong, located */
} lp_merge_failure;

typedef struct lp_merge_options {
  const char *data;        /* data file (.json, .jsonl, .csv); "-": stdin */
  const char *data_format; /* "json", "jsonl", "csv"; NULL: by extension */
  const char *const *sets; /* "key=value" set in every record */
  size_t nsets;
  const char *output;   /* file name template, e.g. "out/{{id}}.pdf"; may be
                           NULL when combined is set */
  const char *combined; /* one PDF holding every letter; may be NULL */
  int jobs;             /* worker processes; 0: one per CPU this
                           process may use (affinity, cgroup quota) */
  bool keep_going;      /* go on after a record fails */
  bool skip_existing;   /* leave records whose file exists alone */
  bool blanks;          /* missing placeholders become blanks */
  unsigned shard, shards; /* run shard `shard` (1-based) of `shards`; 0: all */
  /* Called in the calling process, as records finish (may be NULL). */
  void (*progress)(void *ctx, const lp_merge_progress *p);
  void (*failure)(void *ctx, const lp_merge_failure *f);
  /* Called in the calling process (may be NULL), its message starting
   * "record N (key): " ("record N: " when the letter has no file of its
   * own).  A warning already given for another letter
   * (same place in the template, same message) is counted in
   * repeated_warnings instead. */
  lp_warning_fn warn;
  /* Called in the calling process during the first pass, for every record
   * of the data in order (in_shard: this run renders it), with --set
   * applied; false (with err) stops the merge before anything is written.
   * May be NULL. */
  bool (*survey)(void *ctx, size_t record, const lp_data *rec, bool in_shard,
                 lp_error *err);
  /* Called in the process that renders, after record's PDF file (path) is
   * written, or found there under skip_existing; false (with err) makes the
   * record a failure.  May be NULL. */
  bool (*letter)(void *ctx, size_t record, const lp_data *rec,
                 const char *path, lp_error *err);
  void *ctx;
  const char *data_encoding; /* see lp_data_source; NULL: UTF-8 */
  char data_delimiter;       /* see lp_data_source; 0: from the header */
  /* Reads and checks every record against the template (missing values,
   * output names made twice), writes nothing: each problem goes to
   * failure and is counted in failed. */
  bool check;
  /* Set non-zero (e.g. by a SIGINT handler) to stop: the letters being
   * made are finished, no other is started.  May be NULL. */
  const volatile int *stop;
  /* A JSON Lines file recording what this run did, record by record
   * (written as MANIFEST.part, flushed line by line, renamed at the end;
   * see lp_manifest_check); NULL: none. */
  const char *manifest;
  /* The template's file, named and hashed in the manifest (NULL: "") */
  const char *template_path;
  /* Password-protected letters: each file is encrypted with this text
   * filled with its record ("{{birth_date}}"; placeholders as in output,
   * values as they are); an empty result fails the record.  NULL: none.
   * Not with combined (one file, no one password). */
  const char *password;
  const char *owner_password; /* see lp_encrypt_options; NULL: random */
  const char *permissions;    /* see lp_encrypt_options; NULL: print,fill */
  /* Under check, called in the calling process for each record of this
   * run that fits the template, with the file a merge would write it to
   * (the -o name made unique as the merge makes it): a dry run's list.
   * May be NULL; not called without output. */
  void (*plan)(void *ctx, size_t record, const char *path);
  /* Signs every letter written (see lp_signer_new: one key load for the
   * merge, one time-stamp request per letter with sign->tsa); a letter
   * whose signing fails is a failed record and no file is written.  The
   * combined PDF is one document and gets one signature, in its first
   * unsigned signature field (or sign->field).  May be NULL. */
  const lp_sign_options *sign;
} lp_merge_options;

/* Renders one letter per record of the data: to files named by filling
 * opts->output with the record (values made safe for file names, so data
 * never leaves the output's directory; a repeated name gets -2, -3, ...),
 * and/or into one combined PDF (each letter keeps its own page numbers).
 * Each file is written to a temporary file and renamed.  With jobs > 1 the
 * records are shared among forked worker processes, each with its own copy
 * of the engine (see Threads above).  Returns false, with err, when the
 * merge cannot start (bad data, no record, or a problem every record has
 * when filled into the template: nothing is written) or the combined PDF
 * cannot be written; failed records are reported through opts->failure
 * and counted in *summary.  Strings in opts are borrowed.  The engine's
 * thread; the template is only read. */
bool lp_merge(lp_engine *engine, const lp_template *tpl,
              const lp_merge_options *opts, lp_merge_progress *summary,
              lp_error *err);

/* Resolves a shard given as "auto" or "auto/N" from the environment of a
 * scheduler's array task: the index (counted from 0) from exactly one of
 * SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX (Kubernetes Indexed Job) and
 * AWS_BATCH_JOB_ARRAY_INDEX; the count from N, else AWS_BATCH_JOB_ARRAY_SIZE
 * (AWS Batch), else the Slurm array when it is the whole range 0..COUNT-1
 * (SLURM_ARRAY_TASK_MIN, _MAX, _COUNT, _STEP: a re-run of some tasks does
 * not tell the count).  Sets *shard (1-based) and *shards.  env: "NAME=VALUE"
 * strings ending with NULL, or NULL for the process's environment
 * (getenv).  False, with err (LP_ERR_INPUT) naming the variable, when none
 * or two are set, the count is unknown, or the index is not below it. */
bool lp_merge_shard_auto(const char *spec, const char *const *env,
                         unsigned *shard, unsigned *shards, lp_error *err);

/* What lp_manifest_check found. */
typedef struct lp_manifest_summary {
  size_t manifests; /* files read */
  size_t records;   /* in the data, as the manifests' headers say */
  size_t done;      /* records written or skipped, their file as recorded */
  size_t missing;   /* records in no manifest */
  size_t doubled;   /* lines of a record already seen in a manifest */
  size_t failed;    /* records that failed */
  size_t bad_files; /* letters missing, or with other bytes than recorded */
  size_t problems;  /* everything told to `problem`: 0 means complete */
} lp_manifest_summary;

/* Proves a batch complete from the manifests its shards wrote
 * (lp_merge_options.manifest): every record of the data in exactly one
 * of them, all made from the same template and data (SHA-256) in the same
 * number of shards, every written or skipped letter on disk with the
 * bytes and SHA-256 recorded (relative paths from the directory the merge
 * ran in), every manifest finished.  Each problem goes to `problem`
 * (located file:line; may be NULL) and is counted in sum->problems.
 * False, with err, only when there is no file to check. */
bool lp_manifest_check(const char *const *files, size_t nfiles,
                       lp_warning_fn problem, void *ctx,
                       lp_manifest_summary *sum, lp_error *err);

/* ---- Mail: .eml files and SMTP ----------------------------------------- */

/* What each record's message says.  Texts may hold placeholders ({{name}},
 * {{a.b}}, {{@record}}) filled from the record; strings are borrowed. */
typedef struct lp_mail_options {
  const char *eml;     /* file name template, e.g. "out/{{id}}.eml" (values
                          made safe for file names as merge's -o names) */
  const char *from;    /* "Name <addr>" */
  const char *to;      /* one or more addresses, comma-separated */
  const char *cc;      /* may be NULL */
  const char *subject;
  const char *body;    /* Markdown file (filled like a template body) for
                          text/plain and text/html parts; NULL: none */
  const char *reply_to; /* addresses like to; may be NULL */
  const char *bcc;      /* addresses like to, for the envelope only: no
                           Bcc header is written (see lp_mail_send); may be
                           NULL */
  const char *const *attach; /* files attached after the letter, names
                                filled like eml (a missing file fails the
                                record); nattach of them */
  size_t nattach;
  const char *log;      /* the send log (lp_send_options.log) or NULL: a
                           record it lists as sent, or as being sent, keeps
                           its .eml as it is (the archive of what went out)
                           and gets none made if it has none */
} lp_mail_options;

/* Makes one RFC 5322 message per record of a merge (GMime).  Plugged into
 * lp_merge through lp_mail_survey and lp_mail_letter (ctx: the lp_mail). */
typedef struct lp_mail lp_mail;

/* Checks the options and reads and checks the body; NULL with err when
 * they are bad.  Free with lp_mail_free.  Not thread-safe (initializes
 * GMime); call before any merge worker is forked. */
lp_mail *lp_mail_new(const lp_mail_options *o, lp_error *err);
void lp_mail_free(lp_mail *mail);

/* The merge's survey hook: gives each record its .eml name (a name made
 * twice gets -2, -3, ... in data order, as PDF names do). */
bool lp_mail_survey(void *mail, size_t record, const lp_data *rec,
                    bool in_shard, lp_error *err);

/* The merge's letter hook: builds record's message with the PDF at path
 * attached and writes it to its .eml name (temporary file, rename).  A bad
 * address, a header value with a line break or an --attach file that
 * cannot be read fails the record.  A record the send log (o->log) lists
 * as sent or being sent keeps its .eml untouched. */
bool lp_mail_letter(void *mail, size_t record, const lp_data *rec,
                    const char *path, lp_error *err);

/* Builds record's message in memory (*eml malloc'd, caller frees): the
 * letter hook without the file. */
bool lp_mail_build(lp_mail *mail, size_t record, const lp_data *rec,
                   const char *pdf_path, char **eml, size_t *len,
                   lp_error *err);

/* How one record's sending ended. */
typedef struct lp_send_result {
  size_t record;
  const char *file;   /* its .eml */
  const char *to;     /* envelope recipients, comma-separated */
  const char *status; /* "sent", "failed", "already sent", "held",
                         "dry-run", "missing" (no .eml: the letter failed) */
  const char *reply;  /* the server's last reply, or what went wrong */
  int attempts;
} lp_send_result;

typedef struct lp_send_options {
  const char *url;  /* smtp://host:port or smtps://host:port; may be NULL
                       with dry_run */
  const char *user; /* may be NULL */
  const char *pass; /* "env:VAR" or "file:PATH"; may be NULL */
  const char *log;  /* result log (CSV: record,file,to,status,reply),
                       appended to; records it lists as sent (or whose
                       sending an interrupted run left open) are never sent
                       again */
  double rate;      /* messages per second at most; 0: no limit */
  int retries;      /* further attempts after a temporary (4xx) failure */
  double backoff;   /* seconds before the first retry, doubled each time */
  bool dry_run;     /* check and report, send nothing, log nothing */
  volatile int *stop; /* set (e.g. from a signal handler) to stop after the
                         current message; may be NULL */
  void (*result)(void *ctx, const lp_send_result *r); /* may be NULL */
  void *ctx;
} lp_send_options;

typedef struct lp_send_summary {
  size_t sent, failed, skipped, held, missing, dry_run;
  bool unreachable; /* stopped: the server could not be reached, even after
                       the retries (the rest of the batch was not tried) */
} lp_send_summary;

/* Sends, one after the other through libcurl, the .eml of every record the
 * merge rendered in this shard, in data order: STARTTLS when the server
 * offers it, envelope from the From and To/Cc headers and the record's
 * --bcc addresses (also listed in the log's "to").  Returns false with
 * err only when sending cannot start (bad URL, log unreadable); each
 * record's outcome goes to o->result, the log and *summary.  Initializes
 * libcurl globally: call it with no other thread using libcurl. */
bool lp_mail_send(lp_mail *mail, const lp_send_options *o,
                  lp_send_summary *summary, lp_error *err);

/* ---- Signing ----------------------------------------------------------- */

/* What to sign with and what to say.  Paths and texts are borrowed. */
struct lp_sign_options {
  const char *key;      /* private key: PEM, or PKCS#12 (.p12/.pfx) */
  const char *cert;     /* signer's certificate, PEM (NULL with PKCS#12) */
  const char *chain;    /* more certificates, PEM; may be NULL */
  const char *pass;     /* key passphrase source: "env:VAR" or "file:PATH";
                           NULL when the key is not encrypted */
  const char *field;    /* signature field's full name; NULL = the first
                           unsigned one */
  const char *reason, *location, *contact; /* may be NULL */
  const char *name;     /* signer's name; NULL = the certificate's CN */
  const char *image;    /* a seal or handwritten signature, PNG or JPEG,
                           drawn in the visible appearance beside (wide
                           field) or above (narrow one) the text; in a
                           PDF/A-1 letter a PNG's alpha is composed onto
                           white; NULL = text only */
  /* PAdES B-T: an RFC 3161 time-stamping authority's URL (http or https),
   * asked for a token over the signature value, which is added as the
   * signature-time-stamp unsigned attribute; NULL = none (B-B).  The TSA's
   * refusal, a wrong imprint or nonce, or no answer is an error
   * (LP_ERR_SIGN or LP_ERR_IO) and nothing is signed. */
  const char *tsa;
  const char *tsa_user; /* HTTP basic authentication; NULL = none */
  const char *tsa_pass; /* its password: "env:VAR" or "file:PATH" */
  /* PAdES B-LT: after the signature, a further incremental update adds a
   * /DSS with the certificates of the signature and of its time-stamp and,
   * for each one not self-signed, its revocation data (an OCSP response or
   * a CRL), and a /VRI entry keyed by the SHA-1 of the signature.  The data
   * comes from ocsp / crl when they cover a certificate, else from the
   * certificate's OCSP responder (AIA) or CRL distribution point over
   * HTTP.  A revoked certificate is an error and nothing is signed. */
  bool ltv;
  const char *ocsp;     /* a DER OCSP response file; may be NULL */
  const char *crl;      /* a CRL file, PEM (one or more) or DER; may be NULL */
  /* The password that opens a password-protected PDF (the user's or the
   * owner's; the text itself, not a source); NULL for an unencrypted one.
   * Only AES-256 (/R 6) files are signed: the update's strings and streams
   * are encrypted with the file's key (ISO 32000-2 7.6.2), the signature's
   * /Contents not.  A wrong password is LP_ERR_INPUT. */
  const char *password;
  /* A time-stamp request that failed for a reason that may pass (no
   * answer, HTTP 408, 429 or 5xx) is made again up to tsa_retries times,
   * after tsa_backoff seconds (0: 1 s), doubled each time: the rule of
   * lp_send_options.  A refusal or a wrong token is never asked again.
   * tsa_rate: requests per second at most (0: no limit), shared by the
   * workers of a merge. */
  int tsa_retries;
  double tsa_backoff;
  double tsa_rate;
};

/* Credentials loaded once for many signatures (a merge): the key, the
 * certificate and the chain read and checked, the passphrase wiped.  opts
 * (and its strings) is borrowed and must outlive the signer.  Forked
 * processes made after lp_signer_new use it as it is (a merge's workers:
 * one key load, and one tsa_rate pace, for all).  NULL, err set, as
 * lp_sign_memory fails for credentials.  Free with lp_signer_free in the
 * process that made it. */
typedef struct lp_signer lp_signer;
lp_signer *lp_signer_new(const lp_sign_options *opts, lp_error *err);
void lp_signer_free(lp_signer *signer);

/* lp_sign_memory with the signer's credentials and options; the signer
 * is only read.  password opens a password-protected pdf (a merge's
 * letter protected with its record's password); NULL: the options' own. */
bool lp_signer_sign(const lp_signer *signer, lp_engine *engine,
                    const unsigned char *pdf, size_t len, const char *password,
                    unsigned char **out, size_t *out_len, lp_error *err);

/* Signs a PDF in memory: fills its signature field with a CMS detached
 * signature (SHA-256, ETSI.CAdES.detached with signing-certificate-v2, no
 * signing-time attribute: PAdES B-B) and a visible appearance, written as an incremental update after the original
 * bytes.  *out (malloc'd, caller frees) receives the signed PDF.  The
 * signing time (/M) is SOURCE_DATE_EPOCH when set, else now.  A PDF already
 * signed in another field can be signed again: earlier signatures stay
 * valid.  The engine draws the appearance's text (the engine's thread). */
bool lp_sign_memory(lp_engine *engine, const unsigned char *pdf, size_t len,
                    const lp_sign_options *opts, unsigned char **out,
                    size_t *out_len, lp_error *err);

/* Signs the PDF file in_path into out_path (written to a temporary file and
 * renamed; "-" is standard output; nothing is written on failure).  The
 * engine's thread. */
bool lp_sign_file(lp_engine *engine, const char *in_path,
                  const char *out_path, const lp_sign_options *opts,
                  lp_error *err);

/* PAdES B-LTA: adds a document time-stamp (/Type /DocTimeStamp, /SubFilter
 * /ETSI.RFC3161, in a new invisible signature field on the first page) over
 * the whole PDF as an incremental update: an RFC 3161 token from opts->tsa
 * (tsa_user, tsa_pass as for signing; the other signing fields are not
 * used).  With opts->ltv, first a /DSS update with the validation data of
 * the latest signature or document time-stamp in the file (as signing
 * --ltv does), so that running it again later re-preserves the file.
 * Earlier signatures stay valid. */
bool lp_timestamp_memory(const unsigned char *pdf, size_t len,
                         const lp_sign_options *opts, unsigned char **out,
                         size_t *out_len, lp_error *err);

/* lp_timestamp_memory from the file in_path into out_path (written to a
 * temporary file and renamed; "-" is standard output; nothing is written
 * on failure). */
bool lp_timestamp_file(const char *in_path, const char *out_path,
                       const lp_sign_options *opts, lp_error *err);

#ifdef __cplusplus
}
#endif

#endif
