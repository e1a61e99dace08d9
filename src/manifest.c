/* manifest.c - a merge's record of what it did (JSON Lines, see manifest.h)
 * and the check that the manifests of a batch's shards cover its data:
 * every record exactly once, every file with the bytes recorded. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "letterpress.h"
#include "manifest.h"
#include "util.h"

/* Ranges of missing records listed in one message, at most. */
#define MAX_RANGES 20

struct lp_manifest {
  char *path, *part;
  FILE *f;
};

/* Hex digits of a digest of n bytes. */
static void to_hex(const unsigned char *d, size_t n, char *hex) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    hex[2 * i] = digits[d[i] >> 4];
    hex[2 * i + 1] = digits[d[i] & 15];
  }
  hex[2 * n] = '\0';
}

void lp_manifest_hash(const void *p, size_t len, char hex[65]) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_Digest(p, len, d, &n, EVP_sha256(), NULL);
  to_hex(d, n, hex);
}

bool lp_manifest_hash_file(const char *path, uint64_t *bytes, char hex[65],
                           lp_error *err) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return lp_fail(err, LP_ERR_IO, path, 0, 0, "cannot read: %s",
                   strerror(errno));
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
  unsigned char buf[65536], d[EVP_MAX_MD_SIZE];
  size_t n;
  *bytes = 0;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
    EVP_DigestUpdate(ctx, buf, n);
    *bytes += n;
  }
  bool ok = !ferror(f);
  fclose(f);
  unsigned dn = 0;
  EVP_DigestFinal_ex(ctx, d, &dn);
  EVP_MD_CTX_free(ctx);
  to_hex(d, dn, hex);
  return ok || lp_fail(err, LP_ERR_IO, path, 0, 0, "cannot read: %s",
                       strerror(errno));
}

/* Writes obj as one line and flushes it (a killed task keeps every line
 * written so far); steals obj. */
static bool put_line(lp_manifest *mf, json_t *obj, lp_error *err) {
  char *text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER |
                                   JSON_REAL_PRECISION(6));
  json_decref(obj);
  bool ok = text && fprintf(mf->f, "%s\n", text) >= 0 && fflush(mf->f) == 0;
  free(text);
  return ok || lp_fail(err, LP_ERR_IO, mf->part, 0, 0,
                       "cannot write the manifest: %s", strerror(errno));
}

lp_manifest *lp_manifest_create(const char *path, const lp_manifest_header *h,
                                lp_error *err) {
  lp_manifest *mf = lp_xcalloc(1, sizeof *mf);
  mf->path = lp_xstrdup(path);
  size_t n = strlen(path);
  mf->part = lp_xmalloc(n + 6);
  memcpy(mf->part, path, n);
  memcpy(mf->part + n, ".part", 6);
  mf->f = fopen(mf->part, "w");
  if (!mf->f) {
    lp_fail(err, LP_ERR_IO, mf->part, 0, 0,
            "cannot create the manifest: %s", strerror(errno));
    free(mf->part);
    free(mf->path);
    free(mf);
    return NULL;
  }
  char cwd[PATH_MAX];
  json_t *o = json_object();
  json_object_set_new(o, "manifest", json_integer(LP_MANIFEST_FORMAT));
  json_object_set_new(o, "letterpress", json_string(lp_version()));
  json_object_set_new(o, "template", json_string(h->template_path));
  json_object_set_new(o, "template_sha256", json_string(h->template_sha256));
  json_object_set_new(o, "data", json_string(h->data_path));
  json_object_set_new(o, "data_sha256", json_string(h->data_sha256));
  json_object_set_new(o, "records", json_integer((json_int_t)h->records));
  json_object_set_new(o, "shard", json_integer(h->shard));
  json_object_set_new(o, "shards", json_integer(h->shards));
  json_object_set_new(o, "output", json_string(h->output ? h->output : ""));
  json_object_set_new(o, "cwd", json_string(getcwd(cwd, sizeof cwd) ? cwd : ""));
  if (!put_line(mf, o, err)) {
    lp_manifest_discard(mf);
    return NULL;
  }
  return mf;
}

bool lp_manifest_add(lp_manifest *mf, const lp_manifest_entry *e,
                     lp_error *err) {
  json_t *o = json_object();
  json_object_set_new(o, "record", json_integer((json_int_t)e->record));
  /* (json_string refuses text that is not UTF-8: such a key is written
   * with its bad bytes replaced) */
  json_t *key = json_string(e->key);
  json_object_set_new(o, "key", key ? key : json_string("?"));
  json_t *path = json_string(e->path);
  json_object_set_new(o, "path", path ? path : json_string("?"));
  json_object_set_new(o, "status", json_string(e->status));
  json_object_set_new(o, "bytes", json_integer((json_int_t)e->bytes));
  json_object_set_new(o, "sha256", json_string(e->sha256));
  json_t *error = json_string(e->error);
  json_object_set_new(o, "error", error ? error : json_string("?"));
  return put_line(mf, o, err);
}

bool lp_manifest_finish(lp_manifest *mf, const lp_merge_progress *sum,
                        lp_error *err) {
  json_t *o = json_object();
  json_object_set_new(o, "end", json_true());
  json_object_set_new(o, "written", json_integer((json_int_t)sum->written));
  json_object_set_new(o, "skipped", json_integer((json_int_t)sum->skipped));
  json_object_set_new(o, "failed", json_integer((json_int_t)sum->failed));
  json_object_set_new(o, "not_done",
                      json_integer((json_int_t)(sum->total - sum->done)));
  json_object_set_new(o, "seconds", json_real(sum->seconds));
  bool ok = put_line(mf, o, err);
  if (ok && (fsync(fileno(mf->f)) != 0 && errno != EINVAL))
    ok = lp_fail(err, LP_ERR_IO, mf->part, 0, 0,
                 "cannot write the manifest: %s", strerror(errno));
  if (fclose(mf->f) != 0 && ok)
    ok = lp_fail(err, LP_ERR_IO, mf->part, 0, 0,
                 "cannot write the manifest: %s", strerror(errno));
  if (ok && rename(mf->part, mf->path) != 0)
    ok = lp_fail(err, LP_ERR_IO, mf->path, 0, 0,
                 "cannot rename %s to it: %s", mf->part, strerror(errno));
  free(mf->part);
  free(mf->path);
  free(mf);
  return ok;
}

void lp_manifest_discard(lp_manifest *mf) {
  if (!mf) return;
  fclose(mf->f);
  remove(mf->part);
  free(mf->part);
  free(mf->path);
  free(mf);
}

/* ---- Checking a batch ----------------------------------------------------- */

/* Where a record was seen first: manifest and line. */
typedef struct seen_at {
  uint32_t file; /* index + 1; 0: not seen */
  int line;
} seen_at;

typedef struct checker {
  const char *const *files;
  lp_warning_fn problem;
  void *ctx;
  lp_manifest_summary *sum;
  json_t *first; /* the first header: the others must agree with it */
  size_t first_file;
  seen_at *seen;  /* per record */
  size_t records;
} checker;

/* Tells a problem at file:line. */
static void tell(checker *c, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void tell(checker *c, const char *file, int line, const char *fmt, ...) {
  lp_error e = {0};
  e.code = LP_ERR_INPUT;
  snprintf(e.file, sizeof e.file, "%s", file);
  e.line = line;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e.message, sizeof e.message, fmt, ap);
  va_end(ap);
  c->sum->problems++;
  if (c->problem) c->problem(c->ctx, &e);
}

static const char *str_of(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

static long long int_of(const json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

/* Checks a header against the first one (same template, data, records
 * and shards: else the shards were not one batch). */
static void check_header(checker *c, size_t fi, json_t *h) {
  const char *file = c->files[fi];
  if (!c->first) {
    c->first = json_incref(h);
    c->first_file = fi;
    long long n = int_of(h, "records");
    c->records = n > 0 ? (size_t)n : 0;
    c->seen = lp_xcalloc(c->records + 1, sizeof *c->seen);
    c->sum->records = c->records;
    return;
  }
  static const char *const same[] = {"template_sha256", "data_sha256"};
  for (size_t i = 0; i < 2; i++)
    if (strcmp(str_of(h, same[i]), str_of(c->first, same[i])))
      tell(c, file, 1, "its %s is not %s's: the shards did not read the "
           "same %s; run every shard with the same files", same[i],
           c->files[c->first_file], i ? "data" : "template");
  if (int_of(h, "records") != int_of(c->first, "records") ||
      int_of(h, "shards") != int_of(c->first, "shards"))
    tell(c, file, 1, "%lld records in %lld shards, but %s says %lld in "
         "%lld: the shards are not of one batch", int_of(h, "records"),
         int_of(h, "shards"), c->files[c->first_file],
         int_of(c->first, "records"), int_of(c->first, "shards"));
}

/* path as the merge wrote it: relative paths from the merge's directory. */
static char *resolve(const json_t *header, const char *path) {
  const char *cwd = str_of(header, "cwd");
  if (path[0] == '/' || !cwd[0] || access(cwd, F_OK) != 0)
    return lp_xstrdup(path);
  lp_buf b = {0};
  lp_buf_printf(&b, "%s/%s", cwd, path);
  char *r = lp_buf_strdup(&b);
  lp_buf_free(&b);
  return r;
}

/* Checks that a written or skipped record's file has its bytes. */
static bool check_file(checker *c, const char *file, int line,
                       const json_t *header, const json_t *o, size_t k) {
  char *path = resolve(header, str_of(o, "path"));
  uint64_t bytes;
  char hex[65];
  lp_error e = {0};
  bool ok = lp_manifest_hash_file(path, &bytes, hex, &e);
  if (!ok)
    tell(c, file, line, "record %zu: its letter %s cannot be read (%s): "
         "run its shard again with --skip-existing", k, path,
         strerror(errno));
  else if (bytes != (uint64_t)int_of(o, "bytes") ||
           strcmp(hex, str_of(o, "sha256"))) {
    tell(c, file, line, "record %zu: %s is not the file the merge wrote "
         "(%llu bytes, SHA-256 %.12s..., not %lld, %.12s...): delete it and "
         "run its shard again with --skip-existing", k, path,
         (unsigned long long)bytes, hex, int_of(o, "bytes"),
         str_of(o, "sha256"));
    ok = false;
  }
  free(path);
  return ok;
}

/* Checks one record's line. */
static void check_record(checker *c, size_t fi, int line,
                         const json_t *header, const json_t *o) {
  const char *file = c->files[fi];
  long long k = int_of(o, "record");
  if (k < 1 || (size_t)k > c->records) {
    tell(c, file, line, "record %lld is not in the data (1 to %zu)", k,
         c->records);
    return;
  }
  long long shard = int_of(header, "shard"), shards = int_of(header, "shards");
  if (shards > 0 && (k - 1) % shards != shard - 1)
    tell(c, file, line, "record %lld is not in shard %lld/%lld", k, shard,
         shards);
  seen_at *s = &c->seen[k];
  if (s->file) {
    c->sum->doubled++;
    tell(c, file, line, "record %lld is also in %s:%d: it was made twice "
         "(two shards with the same K?)", k, c->files[s->file - 1], s->line);
    return;
  }
  s->file = (uint32_t)fi + 1;
  s->line = line;
  const char *status = str_of(o, "status");
  if (!strcmp(status, "failed")) {
    c->sum->failed++;
    tell(c, file, line, "record %lld failed: %s", k, str_of(o, "error"));
  } else if (strcmp(status, "written") && strcmp(status, "skipped")) {
    tell(c, file, line, "record %lld: unknown status '%s'", k, status);
  } else if (!str_of(o, "path")[0] ||
             check_file(c, file, line, header, o, (size_t)k)) {
    /* (no path: a letter of a combined PDF only, with no file of its own) */
    c->sum->done++;
  } else {
    c->sum->bad_files++;
  }
}

/* Reads and checks one manifest. */
static void check_manifest(checker *c, size_t fi) {
  const char *file = c->files[fi];
  lp_buf b = {0};
  lp_error e = {0};
  if (!lp_read_file(file, &b, &e)) {
    tell(c, file, 0, "%s", e.message);
    return;
  }
  c->sum->manifests++;
  json_t *header = NULL;
  bool ended = false;
  int line = 0;
  char *text = (char *)b.data, *end = text + b.len;
  for (char *p = text; p && p < end && !ended;) {
    char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    line++;
    json_t *o = json_loadb(p, n, 0, NULL);
    p = nl ? nl + 1 : NULL;
    if (!json_is_object(o)) {
      tell(c, file, line, nl ? "not a JSON object" :
           "the last line is cut short: the task was stopped while "
           "writing it");
      json_decref(o);
      continue;
    }
    if (line == 1 && int_of(o, "manifest") > 0) {
      header = json_incref(o);
      check_header(c, fi, header);
    } else if (line == 1) {
      tell(c, file, 1, "not a letterpress manifest (no header line)");
      json_decref(o);
      break;
    } else if (json_is_true(json_object_get(o, "end"))) {
      ended = true;
    } else {
      check_record(c, fi, line, header, o);
    }
    json_decref(o);
  }
  if (header && !ended)
    tell(c, file, line, "no last line: the merge that wrote it did not "
         "finish (killed?); run its shard again with --skip-existing");
  json_decref(header);
  lp_buf_free(&b);
}

/* Tells the records that no manifest has, as ranges. */
static void tell_missing(checker *c) {
  lp_buf b = {0};
  size_t ranges = 0;
  for (size_t k = 1; k <= c->records; k++) {
    if (c->seen[k].file) continue;
    size_t to = k;
    while (to < c->records && !c->seen[to + 1].file) to++;
    c->sum->missing += to - k + 1;
    if (ranges++ < MAX_RANGES) {
      if (b.len) lp_buf_puts(&b, ", ");
      if (to > k) lp_buf_printf(&b, "%zu-%zu", k, to);
      else lp_buf_printf(&b, "%zu", k);
    }
    k = to;
  }
  if (!c->sum->missing) return;
  if (ranges > MAX_RANGES) lp_buf_puts(&b, ", ...");
  /* The shards they belong to: the tasks to run again. */
  long long shards = int_of(c->first, "shards");
  size_t listed = 0;
  lp_buf which = {0};
  for (long long s = 1; shards > 0 && s <= shards && listed <= MAX_RANGES;
       s++) {
    bool lacks = false;
    for (size_t k = (size_t)s; k <= c->records && !lacks; k += (size_t)shards)
      lacks = !c->seen[k].file;
    if (!lacks) continue;
    lp_buf_printf(&which, listed++ ? ", %lld" : "%lld", s);
    if (listed > MAX_RANGES) lp_buf_puts(&which, ", ...");
  }
  lp_buf_printf(&which, " of %lld", shards);
  tell(c, "", 0, "%zu record%s in no manifest: %s (shard%s %s did not run "
       "or was stopped: run %s again with --skip-existing --manifest)",
       c->sum->missing, c->sum->missing == 1 ? "" : "s", (char *)b.data,
       listed == 1 ? "" : "s", (char *)which.data,
       listed == 1 ? "it" : "them");
  lp_buf_free(&b);
  lp_buf_free(&which);
}

bool lp_manifest_check(const char *const *files, size_t nfiles,
                       lp_warning_fn problem, void *ctx,
                       lp_manifest_summary *sum, lp_error *err) {
  memset(sum, 0, sizeof *sum);
  if (!nfiles)
    return lp_fail(err, LP_ERR_INPUT, NULL, 0, 0,
                   "manifest-check needs the manifests of every shard");
  checker c = {files, problem, ctx, sum, NULL, 0, NULL, 0};
  for (size_t i = 0; i < nfiles; i++) check_manifest(&c, i);
  if (c.first) tell_missing(&c);
  else if (!sum->problems)
    tell(&c, files[0], 0, "no manifest header read");
  json_decref(c.first);
  free(c.seen);
  return true;
}
