/* util.h - small shared helpers: growable buffers, errors, UTF-8.
 *
 * lp_buf owns its bytes (free with lp_buf_free).  Allocation failure aborts
 * through lp_xmalloc & co: letterpress treats out-of-memory as fatal, like
 * HarfBuzz's users usually do, so that every other path stays simple.
 */
#ifndef LP_UTIL_H
#define LP_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "letterpress.h"

void *lp_xmalloc(size_t n);
void *lp_xcalloc(size_t n, size_t size);
void *lp_xrealloc(void *p, size_t n);
char *lp_xstrdup(const char *s);
char *lp_xstrndup(const char *s, size_t n);

/* Grows *array (of *cap elements of elem bytes) to hold at least need. */
void lp_grow(void **array, size_t *cap, size_t need, size_t elem);
#define LP_GROW(arr, cap, need) \
  lp_grow((void **)&(arr), &(cap), (need), sizeof *(arr))

typedef struct lp_buf {
  unsigned char *data;
  size_t len, cap;
} lp_buf;

void lp_buf_append(lp_buf *b, const void *p, size_t n);
void lp_buf_puts(lp_buf *b, const char *s);
/* Appends printf-style text, numbers always with a '.' (the C locale),
 * whatever the process's locale: for PDF syntax. */
void lp_buf_printf(lp_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The CPUs this process may run on: its affinity mask (taskset, Slurm's
 * --cpus-per-task), capped by the CPU quota of its control group (a
 * container's --cpus, a Kubernetes limit), rounded up; at least 1. */
int lp_cpus_available(void);

/* The CPU quota, in whole CPUs rounded up, that the control-group files
 * under cgroup_root (normally "/sys/fs/cgroup") set for the process whose
 * /proc/PID/cgroup text is self_cgroup: cgroup v2's cpu.max, or v1's
 * cpu.cfs_quota_us / cpu.cfs_period_us, the smallest along the path to
 * the root; 0 when none is set.  Separate for tests. */
int lp_cpu_quota(const char *cgroup_root, const char *self_cgroup);

/* Reads a secret (a passphrase, a password) from its source: "env:VAR"
 * (the variable's value) or "file:PATH" (the file's first line), never the
 * secret itself, which would show in the process list.  *secret is
 * malloc'd (the caller wipes and frees it); option names the option in
 * errors (LP_ERR_INPUT, or LP_ERR_IO for an unreadable file). */
bool lp_read_secret(const char *source, const char *option, char **secret,
                    lp_error *err);

/* FNV-1a, 64 bits: mixes n bytes at p into the hash h (start from
 * LP_HASH_SEED).  For hash tables and stable names, not for security. */
#define LP_HASH_SEED 14695981039346656037ULL
uint64_t lp_hash(uint64_t h, const void *p, size_t n);

/* strtod in the C locale: "1.5" is 1.5 whatever the process's locale. */
double lp_strtod(const char *text, char **end);
/* A NUL-terminated copy of the contents (the buffer keeps its own). */
char *lp_buf_strdup(const lp_buf *b);
void lp_buf_free(lp_buf *b);

/* Fills err (if not NULL) with code, location and a formatted message.
 * Returns false so that callers can write `return lp_fail(...)`. */
bool lp_fail(lp_error *err, lp_status code, const char *file, int line,
             int column, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* lp_fail with the message's arguments as a va_list. */
bool lp_vfail(lp_error *err, lp_status code, const char *file, int line,
              int column, const char *fmt, va_list ap);

/* Decodes one UTF-8 sequence at s[*i] (len bytes in all), advancing *i.
 * Returns the code point, or -1 for an invalid sequence (then *i advances by
 * one byte). */
int32_t lp_utf8_next(const char *s, size_t len, size_t *i);

/* Appends the UTF-8 form of cp. */
void lp_utf8_put(lp_buf *b, uint32_t cp);

/* Checks that text is valid UTF-8; on failure returns false and sets *line
 * and *column (1-based, column counted in characters) of the bad byte. */
bool lp_utf8_check(const char *text, size_t len, int *line, int *column);

/* Writes data to path through a temporary file in the same directory and a
 * rename, so that path holds either its old content or the whole new one;
 * "-" writes to standard output.  The file gets mode 0666 less the umask.
 * SIGINT, SIGTERM and SIGHUP wait (blocked in the calling thread) until the
 * file is in place, so an interrupted job leaves no temporary file. */
bool lp_write_file_atomic(const char *path, const unsigned char *data,
                          size_t len, lp_error *err);

/* Reads a whole file ("-" is standard input). */
bool lp_read_file(const char *path, lp_buf *out, lp_error *err);

/* The same, refusing a file of more than max_bytes (0: no limit) with an
 * error that names --max-input-size. */
bool lp_read_file_limited(const char *path, lp_buf *out, size_t max_bytes,
                          lp_error *err);

/* The time documents and signatures are dated: SOURCE_DATE_EPOCH when it
 * is set to a number of seconds (reproducible builds), otherwise now. */
long long lp_source_date(void);

/* Simple language tests on BCP 47 tags ("zh-CN", "ja", "ko-KR", "en"). */
bool lp_lang_is(const char *lang, const char *primary);
bool lp_lang_is_cjk(const char *lang);

#endif
