/* util.c - buffers, errors, UTF-8 and small helpers shared by all modules. */
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/random.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static void out_of_memory(void) {
  fputs("letterpress: out of memory\n", stderr);
  abort();
}

void *lp_xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) out_of_memory();
  return p;
}

void *lp_xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) out_of_memory();
  return p;
}

void *lp_xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) out_of_memory();
  return q;
}

char *lp_xstrdup(const char *s) { return lp_xstrndup(s, strlen(s)); }

char *lp_xstrndup(const char *s, size_t n) {
  char *p = lp_xmalloc(n + 1);
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

void lp_grow(void **array, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return;
  size_t n = *cap ? *cap : 8;
  while (n < need) {
    if (n > SIZE_MAX / 2 / elem) out_of_memory();
    n *= 2;
  }
  *array = lp_xrealloc(*array, n * elem);
  *cap = n;
}

void lp_buf_append(lp_buf *b, const void *p, size_t n) {
  if (n == 0) return;
  LP_GROW(b->data, b->cap, b->len + n + 1);
  memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void lp_buf_puts(lp_buf *b, const char *s) { lp_buf_append(b, s, strlen(s)); }

/* The "C" locale, made once: numbers in PDF syntax and in front matter are
 * written and read with a '.', whatever locale the host program chose with
 * setlocale (under de_DE.UTF-8, printf("%.1f", 1.5) gives "1,5"). */
static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void) {
  c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
  if (!c_locale) out_of_memory();
}

static locale_t the_c_locale(void) {
  pthread_once(&c_locale_once, make_c_locale);
  return c_locale;
}

void lp_buf_printf(lp_buf *b, const char *fmt, ...) {
  /* uselocale changes this thread's locale only, and only for the call. */
  locale_t host = uselocale(the_c_locale());
  char small[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n >= 0 && (size_t)n < sizeof small) {
    lp_buf_append(b, small, (size_t)n);
  } else if (n >= 0) {
    LP_GROW(b->data, b->cap, b->len + (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
  }
  uselocale(host);
}

/* Reads the first line of a small file into buf; false when it cannot. */
static bool read_line(const char *path, char *buf, size_t cap) {
  FILE *f = fopen(path, "r");
  if (!f) return false;
  bool ok = fgets(buf, (int)cap, f) != NULL;
  fclose(f);
  return ok;
}

/* The quota set in dir (cgroup v2 cpu.max "QUOTA PERIOD", or v1
 * cpu.cfs_quota_us and cpu.cfs_period_us), in CPUs rounded up; 0: none. */
static int dir_quota(const char *dir) {
  char path[PATH_MAX + 32], line[128];
  long long quota = -1, period = 0;
  snprintf(path, sizeof path, "%s/cpu.max", dir);
  if (read_line(path, line, sizeof line)) {
    if (sscanf(line, "%lld %lld", &quota, &period) != 2) quota = -1;
  } else {
    snprintf(path, sizeof path, "%s/cpu.cfs_quota_us", dir);
    char p2[PATH_MAX + 32];
    snprintf(p2, sizeof p2, "%s/cpu.cfs_period_us", dir);
    char line2[128];
    if (read_line(path, line, sizeof line) &&
        read_line(p2, line2, sizeof line2)) {
      quota = strtoll(line, NULL, 10);
      period = strtoll(line2, NULL, 10);
    }
  }
  if (quota <= 0 || period <= 0) return 0; /* "max" or -1: no quota */
  long long cpus = (quota + period - 1) / period;
  return cpus > 4096 ? 4096 : (int)cpus;
}

int lp_cpu_quota(const char *root, const char *self_cgroup) {
  int best = 0;
  /* Lines "ID:CONTROLLERS:PATH": v2's is "0::PATH", v1's names "cpu". */
  for (const char *l = self_cgroup; l && *l;) {
    const char *end = strchr(l, '\n');
    size_t n = end ? (size_t)(end - l) : strlen(l);
    const char *c1 = memchr(l, ':', n);
    const char *c2 = c1 ? memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - l)) : NULL;
    if (c2) {
      size_t clen = (size_t)(c2 - c1 - 1);
      bool v2 = clen == 0;
      bool v1cpu = false;
      for (const char *c = c1 + 1; c < c2;) { /* "cpu,cpuacct" */
        const char *comma = memchr(c, ',', (size_t)(c2 - c));
        const char *ce = comma ? comma : c2;
        v1cpu |= ce - c == 3 && !strncmp(c, "cpu", 3);
        c = comma ? comma + 1 : c2;
      }
      if (v2 || v1cpu) {
        char dir[PATH_MAX];
        int len = snprintf(dir, sizeof dir, "%s%s%.*s", root,
                           v2 ? "" : "/cpu", (int)(l + n - c2 - 1), c2 + 1);
        /* The cgroup and each parent up to the root may set a quota. */
        while (len > 0 && (size_t)len < sizeof dir) {
          int q = dir_quota(dir);
          if (q && (!best || q < best)) best = q;
          char *slash = strrchr(dir, '/');
          if (!slash || (size_t)(slash - dir) < strlen(root)) break;
          *slash = '\0';
          len = (int)strlen(dir);
        }
      }
    }
    l = end ? end + 1 : NULL;
  }
  return best;
}

int lp_cpus_available(void) {
  int n = 0;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
  if (n < 1) {
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    n = online < 1 ? 1 : online > 4096 ? 4096 : (int)online;
  }
  char self[4096] = "";
  FILE *f = fopen("/proc/self/cgroup", "r");
  if (f) {
    size_t got = fread(self, 1, sizeof self - 1, f);
    self[got] = '\0';
    fclose(f);
  }
  int quota = lp_cpu_quota("/sys/fs/cgroup", self);
  return quota && quota < n ? quota : n;
}

bool lp_read_secret(const char *source, const char *option, char **secret,
                    lp_error *err) {
  *secret = NULL;
  if (!strncmp(source, "env:", 4)) {
    const char *v = getenv(source + 4);
    if (!v)
      return lp_fail(err, LP_ERR_INPUT, option, 0, 0,
                     "the environment variable %s is not set", source + 4);
    *secret = lp_xstrdup(v);
    return true;
  }
  if (!strncmp(source, "file:", 5)) {
    lp_buf b = {0};
    if (!lp_read_file(source + 5, &b, err)) {
      lp_buf_free(&b);
      return false;
    }
    size_t n = 0;
    while (n < b.len && b.data[n] != '\n' && b.data[n] != '\r') n++;
    *secret = lp_xstrndup(b.data ? (char *)b.data : "", n);
    if (b.data) explicit_bzero(b.data, b.len);
    lp_buf_free(&b);
    return true;
  }
  return lp_fail(err, LP_ERR_INPUT, option, 0, 0,
                 "give the passphrase as env:VARIABLE or file:PATH, never "
                 "on the command line");
}

uint64_t lp_hash(uint64_t h, const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ULL;
  return h;
}

double lp_strtod(const char *text, char **end) {
  return strtod_l(text, end, the_c_locale());
}

char *lp_buf_strdup(const lp_buf *b) {
  return lp_xstrndup(b->data ? (const char *)b->data : "", b->len);
}

void lp_buf_free(lp_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

void lp_error_clear(lp_error *err) {
  if (err) memset(err, 0, sizeof *err);
}

bool lp_vfail(lp_error *err, lp_status code, const char *file, int line,
              int column, const char *fmt, va_list ap) {
  if (!err) return false;
  err->code = code;
  snprintf(err->file, sizeof err->file, "%s", file ? file : "");
  err->line = line;
  err->column = column;
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  return false;
}

bool lp_fail(lp_error *err, lp_status code, const char *file, int line,
             int column, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  lp_vfail(err, code, file, line, column, fmt, ap);
  va_end(ap);
  return false;
}

int32_t lp_utf8_next(const char *str, size_t len, size_t *i) {
  const unsigned char *s = (const unsigned char *)str;
  size_t p = *i;
  unsigned c = s[p];
  int n;
  uint32_t cp, min;
  if (c < 0x80) {
    *i = p + 1;
    return (int32_t)c;
  } else if (c >= 0xC2 && c <= 0xDF) {
    n = 1, cp = c & 0x1F, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 2, cp = c & 0x0F, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 3, cp = c & 0x07, min = 0x10000;
  } else {
    *i = p + 1;
    return -1;
  }
  for (int k = 1; k <= n; k++) {
    if (p + (size_t)k >= len || (s[p + (size_t)k] & 0xC0) != 0x80) {
      *i = p + 1;
      return -1;
    }
    cp = (cp << 6) | (s[p + (size_t)k] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    *i = p + 1;
    return -1;
  }
  *i = p + (size_t)n + 1;
  return (int32_t)cp;
}

void lp_utf8_put(lp_buf *b, uint32_t cp) {
  unsigned char t[4];
  size_t n;
  if (cp < 0x80) {
    t[0] = (unsigned char)cp, n = 1;
  } else if (cp < 0x800) {
    t[0] = (unsigned char)(0xC0 | (cp >> 6));
    t[1] = (unsigned char)(0x80 | (cp & 0x3F)), n = 2;
  } else if (cp < 0x10000) {
    t[0] = (unsigned char)(0xE0 | (cp >> 12));
    t[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    t[2] = (unsigned char)(0x80 | (cp & 0x3F)), n = 3;
  } else {
    t[0] = (unsigned char)(0xF0 | (cp >> 18));
    t[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    t[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    t[3] = (unsigned char)(0x80 | (cp & 0x3F)), n = 4;
  }
  lp_buf_append(b, t, n);
}

bool lp_utf8_check(const char *text, size_t len, int *line, int *column) {
  int ln = 1, col = 1;
  size_t i = 0;
  while (i < len) {
    int32_t cp = lp_utf8_next(text, len, &i);
    if (cp < 0) {
      *line = ln;
      *column = col;
      return false;
    }
    if (cp == '\n') {
      ln++;
      col = 1;
    } else {
      col++;
    }
  }
  return true;
}

/* Clears a buffer in a way the compiler may not drop. */
static void wipe(void *p, size_t n) {
  volatile unsigned char *v = p;
  while (n--) *v++ = 0;
}

bool lp_read_file(const char *path, lp_buf *out, lp_error *err) {
  return lp_read_file_limited(path, out, 0, err);
}

bool lp_read_file_limited(const char *path, lp_buf *out, size_t max_bytes,
                          lp_error *err) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  if (!f)
    return lp_fail(err, LP_ERR_INPUT, path, 0, 0, "cannot open: %s",
                   strerror(errno));
  /* No stdio buffer: the chunk below is the only copy, and it is wiped. */
  if (f != stdin) setvbuf(f, NULL, _IONBF, 0);
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    lp_buf_append(out, chunk, n);
    if (max_bytes && out->len > max_bytes) {
      wipe(chunk, sizeof chunk);
      if (f != stdin) fclose(f);
      return lp_fail(err, LP_ERR_INPUT, path, 0, 0,
                     "larger than %zu bytes (the limit): raise it with "
                     "--max-input-size",
                     max_bytes);
    }
  }
  /* The file may be a private key or a passphrase: leave no copy behind
   * on the stack. */
  wipe(chunk, sizeof chunk);
  bool bad = ferror(f);
  int e = errno;
  if (f != stdin) fclose(f);
  if (bad)
    return lp_fail(err, LP_ERR_INPUT, path, 0, 0, "cannot read: %s",
                   strerror(e));
  return true;
}

bool lp_lang_is(const char *lang, const char *primary) {
  if (!lang) return false;
  size_t n = strlen(primary);
  return strncasecmp(lang, primary, n) == 0 &&
         (lang[n] == '\0' || lang[n] == '-' || lang[n] == '_');
}

bool lp_lang_is_cjk(const char *lang) {
  return lp_lang_is(lang, "zh") || lp_lang_is(lang, "ja") ||
         lp_lang_is(lang, "ko");
}

/* Writes all of data to fd. */
/* Names tried for a temporary file before giving up. */
#define TEMP_ATTEMPTS 16

static bool write_all(int fd, const unsigned char *data, size_t len) {
  while (len) {
    ssize_t n = write(fd, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    len -= (size_t)n;
  }
  return true;
}

/* Writes data to path through a temporary file in the same directory and a
 * rename, so that path holds either its old content or the whole new one. */
bool lp_write_file_atomic(const char *path, const unsigned char *data,
                          size_t len, lp_error *err) {
  if (strcmp(path, "-") == 0) {
    if (!write_all(STDOUT_FILENO, data, len))
      return lp_fail(err, LP_ERR_IO, "<stdout>", 0, 0, "cannot write: %s",
                     strerror(errno));
    return true;
  }
  /* Signals that end a batch job wait until the file is in place or gone:
   * an interrupted run leaves no temporary file behind. */
  sigset_t stop, old;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop, &old);
  lp_buf tmp = {0};
  const char *slash = strrchr(path, '/');
  int fd = -1;
  /* open(O_EXCL) with mode 0666 makes the file as any other, the umask
   * applied (mkstemp's 0600 would need the umask read, which changes it). */
  for (int attempt = 0; fd < 0 && attempt < TEMP_ATTEMPTS; attempt++) {
    unsigned char rnd[6] = {0};
    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
      memcpy(rnd, &attempt, sizeof attempt);
    tmp.len = 0;
    if (slash) lp_buf_append(&tmp, path, (size_t)(slash - path + 1));
    lp_buf_printf(&tmp, ".%s.%02x%02x%02x%02x%02x%02x", slash ? slash + 1 : path,
                  rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
    fd = open((char *)tmp.data, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) {
    int e = errno;
    lp_buf_free(&tmp);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return lp_fail(err, LP_ERR_IO, path, 0, 0,
                   "cannot write here: %s; choose another output with -o",
                   strerror(e));
  }
  bool ok = write_all(fd, data, len);
  int e = errno;
  if (close(fd) != 0 && ok) ok = false, e = errno;
  if (ok && rename((char *)tmp.data, path) != 0) ok = false, e = errno;
  if (!ok) {
    unlink((char *)tmp.data);
    lp_fail(err, LP_ERR_IO, path, 0, 0, "cannot write: %s", strerror(e));
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  lp_buf_free(&tmp);
  return ok;
}

long long lp_source_date(void) {
  const char *sde = getenv("SOURCE_DATE_EPOCH");
  if (sde && *sde) {
    char *end;
    long long v = strtoll(sde, &end, 10);
    if (!*end && v >= 0) return v;
  }
  return (long long)time(NULL);
}
