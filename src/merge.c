/* merge.c - mail merge: one letter per record, in forked worker processes
 * (see lp_merge in letterpress.h).
 *
 * A merge reads the data twice.  The first pass checks every record (bad
 * data stops the merge before anything is written; so does a placeholder
 * that every record lacks, told once: the template does not fit the data)
 * and gives each record its output name: the -o template filled with sanitized values, made
 * unique in data order, so every shard of a batch agrees on the names.
 * The second pass renders: record k of this shard goes to worker
 * k mod jobs, and each worker reads the data itself, keeping only its own
 * records, so memory stays flat however long the data.  Workers report each
 * record through a pipe, in messages small enough to be written atomically.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "data.h"
#include "display.h"
#include "encrypt.h"
#include "fill.h"
#include "letterpress.h"
#include "manifest.h"
#include "merge.h"
#include "render.h"
#include "template.h"
#include "util.h"

/* Bytes of one value in a file name, at most (names stay under 255). */
#define MAX_NAME_VALUE 80
/* Worker processes, at most. */
#define MAX_JOBS 64
/* suffix[] marks a record whose output name cannot be made. */
#define NO_NAME UINT32_MAX
/* The output name placeholder for the record number. */
#define RECORD_NAME "@record"

/* ---- Output names --------------------------------------------------------- */

typedef struct name_part {
  char *text;   /* literal text, or a placeholder name */
  bool is_name;
} name_part;

typedef struct name_pattern {
  name_part *parts;
  size_t count, cap;
  bool raw; /* values as they are, not made safe for file names */
  /* Errors name the option and what it makes ("-o", "the output name"). */
  const char *option, *noun;
} name_pattern;

static void pattern_free(name_pattern *np) {
  for (size_t i = 0; i < np->count; i++) free(np->parts[i].text);
  free(np->parts);
}

static void pattern_add(name_pattern *np, const char *s, size_t n,
                        bool is_name) {
  LP_GROW(np->parts, np->cap, np->count + 1);
  np->parts[np->count++] = (name_part){lp_xstrndup(s, n), is_name};
}

/* Parses an output name template: text with {{name}}, {{a.b}} and
 * {{@record}}. */
static bool pattern_parse(const char *pat, name_pattern *np, lp_error *err) {
  const char *p = pat;
  while (*p) {
    const char *o = strstr(p, "{{");
    if (!o) {
      pattern_add(np, p, strlen(p), false);
      break;
    }
    if (o > p) pattern_add(np, p, (size_t)(o - p), false);
    const char *c = strstr(o + 2, "}}");
    if (!c)
      return lp_fail(err, LP_ERR_INPUT, np->option, 0, 0,
                     "'{{' in %s '%s' is never closed", np->noun, pat);
    const char *a = o + 2, *b = c;
    while (a < b && *a == ' ') a++;
    while (b > a && b[-1] == ' ') b--;
    /* A name as in templates (fill.h), but not {{.}}, no tag sigils, and
     * '@' only in {{@record}}. */
    bool ok = lp_fill_valid_name(a, (size_t)(b - a)) && *a != '.';
    for (const char *q = a; q < b && ok; q++)
      ok = !strchr("#^/!&>=", *q) && (*q != '@' || q == a);
    if (!ok || (*a == '@' && strncmp(a, RECORD_NAME, (size_t)(b - a))))
      return lp_fail(err, LP_ERR_INPUT, np->option, 0, 0,
                     "'%.*s' in %s is not a value: write names like "
                     "{{id}}, {{customer.id}} or {{@record}}",
                     (int)(c + 2 - o), o, np->noun);
    pattern_add(np, a, (size_t)(b - a), true);
    p = c + 2;
  }
  return true;
}

/* Whether cp must not appear in a file name: control characters, path
 * separators, characters reserved on Windows, and invisible characters
 * that could disguise a name (bidirectional controls, zero-width). */
static bool unsafe_char(int32_t cp) {
  if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) return true;
  if (cp < 0x80 && strchr("/\\:*?\"<>|", (char)cp)) return true;
  return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

/* Appends value s made safe for a file name: unsafe characters become
 * '_', so do leading dots (no "..", no hidden files) and trailing dots and
 * spaces; at most MAX_NAME_VALUE bytes; never empty. */
static void put_safe(lp_buf *b, const char *s) {
  size_t start = b->len, n = strlen(s), i = 0;
  while (i < n) {
    size_t at = i;
    int32_t cp = lp_utf8_next(s, n, &i);
    if (b->len - start + (i - at) > MAX_NAME_VALUE) break;
    if (unsafe_char(cp))
      lp_buf_append(b, "_", 1);
    else
      lp_buf_append(b, s + at, i - at);
  }
  for (size_t k = start; k < b->len && b->data[k] == '.'; k++)
    b->data[k] = '_';
  for (size_t k = b->len; k > start && strchr(". ", b->data[k - 1]); k--)
    b->data[k - 1] = '_';
  if (b->len == start) lp_buf_append(b, "_", 1);
}

/* Whether the path part at base (up to its first dot or slash) is a
 * device name reserved on Windows (CON, NUL, COM1, ...). */
static bool reserved_name(const char *base) {
  static const char *names[] = {"CON", "PRN", "AUX", "NUL"};
  size_t n = strcspn(base, "./");
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (n == 3 && !strncasecmp(base, names[i], 3)) return true;
  return n == 4 &&
         (!strncasecmp(base, "COM", 3) || !strncasecmp(base, "LPT", 3)) &&
         base[3] >= '1' && base[3] <= '9';
}

/* name with '_' before each part that is a device name reserved on
 * Windows (a directory named CON cannot be made there either) and before
 * an empty base name; frees name, returns the result (malloc'd). */
static char *fix_reserved(char *name) {
  lp_buf b = {0};
  const char *p = name;
  for (;;) {
    size_t n = strcspn(p, "/");
    bool last = !p[n];
    if ((last && !n) || (n && reserved_name(p)))
      lp_buf_puts(&b, "_");
    lp_buf_append(&b, p, n);
    if (last) break;
    lp_buf_puts(&b, "/");
    p += n + 1;
  }
  free(name);
  char *r = lp_buf_strdup(&b);
  lp_buf_free(&b);
  return r;
}

/* Fills the pattern with record number `record` (written with `width`
 * digits); NULL, with err, when the record lacks a value. */
static char *fill_name(const name_pattern *np, const lp_data *rec,
                       size_t record, int width, lp_error *err) {
  lp_buf b = {0};
  for (size_t i = 0; i < np->count; i++) {
    const name_part *part = &np->parts[i];
    if (!part->is_name) {
      lp_buf_puts(&b, part->text);
      continue;
    }
    if (!strcmp(part->text, RECORD_NAME)) {
      lp_buf_printf(&b, "%0*zu", width, record);
      continue;
    }
    json_t *v = lp_data_lookup(rec, part->text);
    char *text = v ? lp_data_text(v) : NULL;
    if (!text) {
      lp_fail(err, LP_ERR_INPUT, np->option, 0, 0,
              v ? "%s needs '%s', which is a list or an object in this record"
                : "%s needs '%s', which this record does not have",
              np->noun, part->text);
      lp_buf_free(&b);
      return NULL;
    }
    if (np->raw) lp_buf_puts(&b, text);
    else put_safe(&b, text);
    free(text);
  }
  char *name = lp_buf_strdup(&b);
  lp_buf_free(&b);
  if (np->raw) return name;
  return fix_reserved(name);
}

/* name with "-k" before its extension (the last dot of its base name). */
static char *with_suffix(const char *name, uint32_t k) {
  if (!k) return lp_xstrdup(name);
  const char *slash = strrchr(name, '/');
  const char *base = slash ? slash + 1 : name;
  const char *dot = strrchr(base, '.');
  size_t at = dot && dot > base ? (size_t)(dot - name) : strlen(name);
  lp_buf b = {0};
  lp_buf_append(&b, name, at);
  lp_buf_printf(&b, "-%u", (unsigned)k);
  lp_buf_puts(&b, name + at);
  char *r = lp_buf_strdup(&b);
  lp_buf_free(&b);
  return r;
}

/* Fills pattern with rec, values made safe for file names unless raw;
 * errors name option and noun. */
static char *fill_pattern(const char *pattern, const lp_data *rec,
                          size_t record, bool raw, const char *option,
                          const char *noun, lp_error *err) {
  name_pattern np = {.raw = raw, .option = option, .noun = noun};
  char *name = pattern_parse(pattern, &np, err)
                   ? fill_name(&np, rec, record, 1, err)
                   : NULL;
  pattern_free(&np);
  return name;
}

char *lp_merge_fill_name(const char *pattern, const lp_data *rec,
                         size_t record, const char *option, const char *noun,
                         lp_error *err) {
  return fill_pattern(pattern, rec, record, false, option, noun, err);
}

char *lp_merge_fill_text(const char *pattern, const lp_data *rec,
                         size_t record, const char *option, const char *noun,
                         lp_error *err) {
  return fill_pattern(pattern, rec, record, true, option, noun, err);
}

char *lp_merge_with_suffix(const char *name, unsigned k) {
  return with_suffix(name, k);
}

/* A set of names compared without ASCII case (so that names stay distinct
 * on case-insensitive file systems too): open addressing. */
typedef struct name_set {
  char **slots;
  size_t *records; /* per slot: the record that made the name */
  size_t cap, count;
} name_set;

static uint64_t name_hash(const char *s) {
  uint64_t h = LP_HASH_SEED;
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c >= 'A' && c <= 'Z') c = (unsigned char)(c - 'A' + 'a');
    h = lp_hash(h, &c, 1);
  }
  return h;
}

/* Adds name (copied), made by record; false if the set has it already,
 * with *first set to the record that made it. */
static bool set_add(name_set *s, const char *name, size_t record,
                    size_t *first) {
  if (s->count * 2 >= s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    name_set bigger = {lp_xcalloc(cap, sizeof(char *)),
                       lp_xcalloc(cap, sizeof(size_t)), cap, s->count};
    for (size_t i = 0; i < s->cap; i++) {
      if (!s->slots[i]) continue;
      size_t k = name_hash(s->slots[i]) & (bigger.cap - 1);
      while (bigger.slots[k]) k = (k + 1) & (bigger.cap - 1);
      bigger.slots[k] = s->slots[i];
      bigger.records[k] = s->records[i];
    }
    free(s->slots);
    free(s->records);
    *s = bigger;
  }
  size_t k = name_hash(name) & (s->cap - 1);
  for (; s->slots[k]; k = (k + 1) & (s->cap - 1))
    if (!strcasecmp(s->slots[k], name)) {
      *first = s->records[k];
      return false;
    }
  s->slots[k] = lp_xstrdup(name);
  s->records[k] = record;
  s->count++;
  return true;
}

static void set_free(name_set *s) {
  for (size_t i = 0; i < s->cap; i++) free(s->slots[i]);
  free(s->slots);
  free(s->records);
}

/* ---- The merge ------------------------------------------------------------ */

enum { DONE_WRITTEN, DONE_SKIPPED, DONE_FAILED };
enum { MSG_DONE, MSG_WARNING };

/* What a worker reports about one record (atomic in a pipe: < PIPE_BUF):
 * that it is done, or a warning met while rendering it. */
typedef struct merge_msg {
  int32_t kind;   /* MSG_* */
  uint32_t record;
  int32_t status; /* DONE_*, for MSG_DONE */
  int32_t data_line;
  /* DONE_FAILED though the letter is on disk (DONE_WRITTEN or
   * DONE_SKIPPED): only the letter hook (the email) failed; else -1. */
  int32_t kept;
  char key[1024];     /* the output file's name */
  char values[256];   /* the values that named it (the manifest's key) */
  uint64_t bytes;     /* the file's size and SHA-256 (with a manifest) */
  char sha256[65];
  lp_error err;
} merge_msg;
_Static_assert(sizeof(merge_msg) <= PIPE_BUF,
               "a report must be written to the pipe in one piece");

typedef struct merger {
  lp_engine *engine;
  const lp_template *tpl;
  const lp_merge_options *o;
  lp_data_format fmt;
  char *stdin_text; /* data read from standard input, for every pass */
  size_t stdin_len;
  name_pattern pattern;
  uint32_t *suffix; /* per record: -k suffix of its name, or NO_NAME */
  size_t nrecords;  /* in the data */
  int width;        /* digits of nrecords, for {{@record}} */
  lp_display *combined;
  volatile int *stop; /* shared with the workers: stop after this record */
  /* In a worker: where its reports go. */
  void (*report)(struct merger *, const struct merge_msg *, int);
  int report_fd;
  /* In the calling process: the warnings passed on, as hashes of their
   * place and message (see pass_warning). */
  uint64_t *warned;
  size_t nwarned, warned_cap;
  lp_merge_progress prog;
  struct timespec t0;
  lp_manifest *manifest; /* --manifest: where each record's line goes */
  lp_error manifest_err; /* the first failure to write it */
  lp_signer *signer;     /* o->sign's credentials, loaded once; or NULL */
} merger;

static lp_records *open_data(merger *m, lp_error *err) {
  lp_records_options ro = {m->fmt, m->o->data_encoding, m->o->data_delimiter,
                           lp_engine_limits(m->engine)->max_input_bytes};
  if (m->stdin_text) {
    if (ro.fmt == LP_DATA_AUTO) ro.fmt = LP_DATA_JSON;
    return lp_records_open_memory_with(m->stdin_text, m->stdin_len,
                                       "<stdin>", &ro, err);
  }
  return lp_records_open_with(m->o->data, &ro, err);
}

/* Whether the caller asked the merge to stop (Ctrl-C). */
static bool interrupted(const merger *m) {
  return m->o->stop && *m->o->stop;
}

/* Checks that every --set is KEY=VALUE (before any record is read). */
static bool check_sets(merger *m, lp_error *err) {
  for (size_t i = 0; i < m->o->nsets; i++) {
    const char *kv = m->o->sets[i], *eq = strchr(kv, '=');
    if (!eq || eq == kv)
      return lp_fail(err, LP_ERR_INPUT, "--set", 0, 0,
                     "--set needs KEY=VALUE, not '%s'", kv);
  }
  return true;
}

/* Applies the --set values (checked by check_sets) to a record.  This can
 * fail for one record and not another (a list position past the end of
 * this record's list): the record then fails, not the merge. */
static bool apply_sets(merger *m, lp_data *rec, lp_error *err) {
  for (size_t i = 0; i < m->o->nsets; i++) {
    const char *kv = m->o->sets[i], *eq = strchr(kv, '=');
    char *key = lp_xstrndup(kv, (size_t)(eq - kv));
    bool ok = lp_data_set(rec, key, eq + 1, err);
    free(key);
    if (!ok) return false;
  }
  return true;
}

/* Whether record (1-based) belongs to this shard. */
static bool in_shard(const merger *m, size_t record) {
  return !m->o->shards || (record - 1) % m->o->shards == m->o->shard - 1;
}

/* What the first pass found wrong with the records' fit to the template:
 * the first problem, and how many records of this run have the very same
 * one (a template naming a column the data does not have fails them all). */
typedef struct fit {
  lp_error first;
  size_t first_record;
  int first_line;
  size_t same;   /* records whose problem is the first one */
  size_t failed; /* records with a problem */
  size_t checked;
} fit;

/* Tells a problem with a record to the caller (under check). */
static void tell_problem(merger *m, size_t k, int line, const char *key,
                         const lp_error *e) {
  m->prog.failed++;
  if (m->o->failure) {
    lp_merge_failure f = {k, line, key ? key : "", e};
    m->o->failure(m->o->ctx, &f);
  }
}

/* Checks record k against the template (its placeholders filled as a
 * letter would fill them), noting the problem in ft. */
static void check_fit(merger *m, const lp_data *rec, size_t k, int line,
                      fit *ft) {
  /* Outside --check only "does every record fail the same way?" is
   * asked, and one record that fits (or fails otherwise) answers it: the
   * rest are not filled twice. */
  if (!m->o->check && ft->checked > ft->same) return;
  lp_error e = {0};
  ft->checked++;
  lp_fill *f = lp_fill_expand(m->tpl->fill, rec, m->o->blanks, &e);
  lp_fill_free(f);
  if (f) return;
  if (!ft->failed++) ft->first = e, ft->first_record = k, ft->first_line = line;
  bool same = !strcmp(e.message, ft->first.message) &&
              e.line == ft->first.line && e.column == ft->first.column;
  if (same) ft->same++;
  /* Under check every problem is told, except the first's repeats: a
   * problem every record has is told once, at the end. */
  if (m->o->check && !same) tell_problem(m, k, line, NULL, &e);
}

/* Under check: a record whose --password is empty or lacks its value is
 * a problem (its letter would fail). */
static void check_password(merger *m, const lp_data *rec, size_t k, int line) {
  if (!m->o->check || !m->o->password) return;
  lp_error e = {0};
  lp_encrypt_options eo = {0};
  char *pw = lp_merge_fill_text(m->o->password, rec, k, "--password",
                                "the password", &e);
  if (lp_encrypt_for_record(m->o, &pw, &eo, &e)) lp_encrypt_password_free(pw);
  else tell_problem(m, k, line, NULL, &e);
}

/* Gives record k its output name, unique in data order; under check a
 * name made twice, or none, is a problem, and a record that fits (its
 * values fill the template) is told to the plan hook with its name. */
static void name_record(merger *m, const lp_data *rec, size_t k, int line,
                        name_set *seen, bool fits) {
  lp_error name_err = {0};
  char *name = fill_name(&m->pattern, rec, k, m->width, &name_err);
  if (!name) {
    m->suffix[k - 1] = NO_NAME;
    if (m->o->check && in_shard(m, k))
      tell_problem(m, k, line, NULL, &name_err);
    return;
  }
  uint32_t s = 0;
  size_t first = 0, other;
  char *try = lp_xstrdup(name);
  while (!set_add(seen, try, k, &other)) {
    if (!first) first = other;
    free(try);
    try = with_suffix(name, s = s ? s + 1 : 2);
  }
  m->suffix[k - 1] = s;
  if (first && m->o->check && in_shard(m, k)) {
    lp_error e = {0};
    lp_fail(&e, LP_ERR_INPUT, "-o", 0, 0,
            "record %zu makes the output name '%s' too: this letter would "
            "be '%s'; name letters by a value that differs, e.g. {{id}} or "
            "{{@record}}",
            first, name, try);
    tell_problem(m, k, line, try, &e);
  }
  if (fits && m->o->check && m->o->plan && in_shard(m, k))
    m->o->plan(m->o->ctx, k, try);
  free(try);
  free(name);
}

/* The first pass: checks every record (read, and fit to the template),
 * counts them, and makes each output name unique in data order.  A
 * problem that every record of this run has is the template's and the
 * data's mismatch: it fails the merge here, once, before any letter. */
static bool survey_records(merger *m, lp_error *err) {
  lp_records *r = open_data(m, err);
  if (!r) return false;
  size_t cap = 0;
  name_set seen = {0};
  fit ft = {0};
  lp_data *rec;
  int got;
  bool ok = true;
  /* Names need the count (for {{@record}}'s width) only when it is used;
   * counting first keeps one pass over the data for the usual patterns. */
  bool uses_record = false;
  for (size_t i = 0; i < m->pattern.count; i++)
    uses_record |= m->pattern.parts[i].is_name &&
                   !strcmp(m->pattern.parts[i].text, RECORD_NAME);
  if (uses_record) {
    while ((got = lp_records_skip(r, err)) > 0) {
    }
    if (got < 0) ok = false;
    size_t n = lp_records_count(r);
    for (m->width = 1; n >= 10; n /= 10) m->width++;
    lp_records_close(r);
    r = ok ? open_data(m, err) : NULL;
    if (!r) return false;
  }
  /* Another shard's record is made only as far as its values are
   * needed: whole for the mail hook, the values of the output name (that
   * every shard must agree on), or not at all. */
  char **keys = lp_xcalloc(m->pattern.count + m->o->nsets + 1, sizeof *keys);
  size_t nkeys = 0;
  for (size_t i = 0; i < m->pattern.count; i++)
    if (m->pattern.parts[i].is_name &&
        strcmp(m->pattern.parts[i].text, RECORD_NAME))
      keys[nkeys++] = lp_xstrdup(m->pattern.parts[i].text);
  bool names_need_values = nkeys > 0;
  /* (the values --set changes too, so that --set acts as on the whole
   * record) */
  for (size_t i = 0; i < m->o->nsets && names_need_values; i++)
    keys[nkeys++] = lp_xstrndup(m->o->sets[i], strcspn(m->o->sets[i], "="));
  for (;;) {
    size_t k = lp_records_count(r) + 1;
    rec = NULL;
    bool mine = in_shard(m, k) || m->o->survey;
    bool skip = !mine && !(m->o->output && names_need_values);
    got = !ok   ? 0
          : mine ? lp_records_next(r, &rec, err)
          : skip ? lp_records_skip(r, err)
                 : lp_records_next_only(r, (const char *const *)keys, nkeys,
                                        &rec, err);
    if (got <= 0) break;
    int line = lp_records_line(r);
    LP_GROW(m->suffix, cap, k);
    m->suffix[k - 1] = 0;
    if (!mine) {
      /* (--set may change a value of the name: applied first) */
      lp_error set_err = {0};
      if (skip) {
        if (m->o->output) name_record(m, NULL, k, line, &seen, false);
      }
      else if (apply_sets(m, rec, &set_err))
        name_record(m, rec, k, line, &seen, false);
      else m->suffix[k - 1] = NO_NAME;
      lp_data_free(rec);
      continue;
    }
    lp_error set_err = {0};
    if (!apply_sets(m, rec, &set_err)) {
      /* The second pass reports it as this record's failure. */
      m->suffix[k - 1] = NO_NAME;
      if (m->o->check && in_shard(m, k)) tell_problem(m, k, line, NULL, &set_err);
      lp_data_free(rec);
      if (in_shard(m, k)) m->prog.total++;
      continue;
    }
    if (m->o->survey)
      ok = m->o->survey(m->o->ctx, k, rec, in_shard(m, k), err);
    size_t unfit = ft.failed;
    if (ok && in_shard(m, k)) check_fit(m, rec, k, line, &ft);
    if (ok && in_shard(m, k)) check_password(m, rec, k, line);
    if (ok && m->o->output)
      name_record(m, rec, k, line, &seen, ft.failed == unfit);
    lp_data_free(rec);
    if (in_shard(m, k)) m->prog.total++;
  }
  if (got < 0) ok = false;
  for (size_t i = 0; i < nkeys; i++) free(keys[i]);
  free(keys);
  m->nrecords = lp_records_count(r);
  lp_records_close(r);
  set_free(&seen);
  if (ok && !m->nrecords)
    ok = lp_fail(err, LP_ERR_INPUT,
                 strcmp(m->o->data, "-") ? m->o->data : "<stdin>", 0, 0,
                 "the data has no record, so no letter to make: a CSV file "
                 "needs a header row, then one row per letter");
  if (ok && ft.checked && ft.same == ft.checked) {
    *err = ft.first; /* every record: the template and the data differ */
    ok = false;
  } else if (ok && ft.same && m->o->check) {
    if (ft.same > 1) {
      size_t n = strlen(ft.first.message);
      snprintf(ft.first.message + n, sizeof ft.first.message - n,
               " (records after it too: %zu in all)", ft.same);
    }
    tell_problem(m, ft.first_record, ft.first_line, NULL, &ft.first);
  }
  return ok;
}

/* Creates the directories of path (mkdir -p of its dirname). */
static bool make_dirs(const char *path, lp_error *err) {
  char *p = lp_xstrdup(path);
  bool ok = true;
  for (char *s = strchr(p + 1, '/'); s && ok; s = strchr(s + 1, '/')) {
    *s = '\0';
    if (mkdir(p, 0777) != 0 && errno != EEXIST)
      ok = lp_fail(err, LP_ERR_IO, p, 0, 0,
                   "cannot create the output directory: %s", strerror(errno));
    *s = '/';
  }
  free(p);
  return ok;
}

/* Directories that a run may create, deepest last. */
typedef struct dir_list {
  char **dirs;
  size_t count, cap;
} dir_list;

/* Notes the directories of an output path (up to its first placeholder)
 * that do not exist yet: the ones this run would create. */
static void note_new_dirs(dir_list *l, const char *path) {
  if (!path) return;
  const char *ph = strstr(path, "{{");
  size_t n = ph ? (size_t)(ph - path) : strlen(path);
  char *p = lp_xstrndup(path, n);
  for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
    *s = '\0';
    struct stat st;
    if (stat(p, &st) != 0) {
      LP_GROW(l->dirs, l->cap, l->count + 1);
      l->dirs[l->count++] = lp_xstrdup(p);
    }
    *s = '/';
  }
  free(p);
}

/* Removes the noted directories that this run created and left empty
 * (rmdir removes only empty ones), deepest first; frees the list. */
static void remove_empty_dirs(dir_list *l) {
  while (l->count) {
    char *d = l->dirs[--l->count];
    rmdir(d);
    free(d);
  }
  free(l->dirs);
}

/* A warning of the record being rendered goes where its report goes. */
typedef struct record_warner {
  merger *m;
  const merge_msg *done; /* the record's report being made */
} record_warner;

static void report_warning(void *ctx, const lp_error *w) {
  record_warner *rw = ctx;
  merge_msg msg;
  memset(&msg, 0, sizeof msg);
  msg.kind = MSG_WARNING;
  msg.record = rw->done->record;
  memcpy(msg.key, rw->done->key, sizeof msg.key);
  msg.err = *w;
  rw->m->report(rw->m, &msg, rw->m->report_fd);
}

/* The values of the output name's placeholders for record k, joined by
 * '/' as they are in the data ("north/1042"): the record's key in the
 * manifest. */
static void name_values(const merger *m, const lp_data *rec, size_t k,
                        char *out, size_t size) {
  lp_buf b = {0};
  for (size_t i = 0; i < m->pattern.count; i++) {
    const name_part *part = &m->pattern.parts[i];
    if (!part->is_name) continue;
    if (b.len) lp_buf_puts(&b, "/");
    if (!strcmp(part->text, RECORD_NAME)) {
      lp_buf_printf(&b, "%zu", k);
      continue;
    }
    json_t *v = lp_data_lookup(rec, part->text);
    char *text = v ? lp_data_text(v) : NULL;
    if (text) lp_buf_puts(&b, text);
    free(text);
  }
  size_t n = b.len < size ? b.len : size - 1;
  while (n < b.len && n > 0 && (b.data[n] & 0xC0) == 0x80)
    n--; /* whole UTF-8 characters only */
  if (n) memcpy(out, b.data, n);
  out[n] = '\0';
  lp_buf_free(&b);
}

/* With a manifest: the size and SHA-256 of the letter at path, into msg
 * (hashed by the worker that made it, so that the work is shared). */
static bool hash_letter(const merger *m, const char *path, merge_msg *msg) {
  return !m->o->manifest ||
         lp_manifest_hash_file(path, &msg->bytes, msg->sha256, &msg->err);
}

/* In a combined merge each record's data is its own file, named after
 * the record's number as {{@record}} writes it (data-0003.json, padded
 * to the digits of the record count): the names sort in record order, as
 * a name tree needs (ISO 32000-1 7.9.6). */
static void name_attachment(const merger *m, lp_display *d, size_t k) {
  int width = 1;
  for (size_t n = m->nrecords; n >= 10; n /= 10) width++;
  for (size_t i = 0; i < d->meta.nattachments; i++) {
    char name[64];
    snprintf(name, sizeof name, "data-%0*zu.json", width, k);
    free(d->meta.attachments[i].name);
    d->meta.attachments[i].name = lp_xstrdup(name);
  }
}

/* Signs the PDF file at path in place (read, signed, renamed over it). */
static bool sign_in_place(const merger *m, const char *path, lp_error *err) {
  lp_buf in = {0};
  unsigned char *out = NULL;
  size_t out_len = 0;
  bool ok = lp_read_file(path, &in, err) &&
            lp_signer_sign(m->signer, m->engine, in.data, in.len, NULL, &out,
                           &out_len, err) &&
            lp_write_file_atomic(path, out, out_len, err);
  free(out);
  lp_buf_free(&in);
  return ok;
}

/* Renders a letter and signs it in memory, then writes it to path: a
 * letter whose signing fails (e.g. its time-stamp) leaves no file. */
static bool render_signed(merger *m, const lp_render_options *ro,
                          const char *path, lp_error *err) {
  unsigned char *pdf = NULL, *out = NULL;
  size_t len = 0, out_len = 0;
  bool ok = lp_render_to_memory(m->engine, m->tpl, ro, &pdf, &len, err) &&
            lp_signer_sign(m->signer, m->engine, pdf, len,
                           ro->encrypt ? ro->encrypt->user_password : NULL,
                           &out, &out_len, err) &&
            lp_write_file_atomic(path, out, out_len, err);
  free(pdf);
  free(out);
  return ok;
}

/* Renders record k: to its file and/or into the combined document.  Fills
 * msg (status, key, error). */
static void do_record(merger *m, lp_data *rec, size_t k, merge_msg *msg) {
  lp_error *err = &msg->err;
  char *name = NULL;
  msg->status = DONE_FAILED;
  if (m->o->output) {
    if (m->suffix[k - 1] == NO_NAME) {
      fill_name(&m->pattern, rec, k, m->width, err);
      return;
    }
    char *base = fill_name(&m->pattern, rec, k, m->width, err);
    if (!base) return;
    name = with_suffix(base, m->suffix[k - 1]);
    free(base);
    snprintf(msg->key, sizeof msg->key, "%s", name);
    if (m->o->manifest) name_values(m, rec, k, msg->values, sizeof msg->values);
    if (m->o->skip_existing && !m->combined && access(name, F_OK) == 0) {
      msg->status = DONE_SKIPPED;
      if (m->o->letter && !m->o->letter(m->o->ctx, k, rec, name, err)) {
        msg->status = DONE_FAILED;
        msg->kept = DONE_SKIPPED;
      }
      if (msg->status == DONE_SKIPPED && !hash_letter(m, name, msg))
        msg->status = DONE_FAILED;
      free(name);
      return;
    }
  }
  lp_render_options ro = {0};
  ro.data = rec;
  ro.blanks = m->o->blanks;
  record_warner rw = {m, msg};
  ro.warn = m->o->warn ? report_warning : NULL;
  ro.warn_ctx = &rw;
  lp_encrypt_options eo = {0}; /* --password: this record's */
  char *password = m->o->password
                       ? lp_merge_fill_text(m->o->password, rec, k, "--password",
                                            "the password", err)
                       : NULL;
  bool ok = lp_encrypt_for_record(m->o, &password, &eo, err);
  if (password) ro.encrypt = &eo;
  ok = ok && (!name || make_dirs(name, err));
  if (ok && !m->combined) {
    ok = m->signer ? render_signed(m, &ro, name, err)
                   : lp_render_to_file(m->engine, m->tpl, &ro, name, err);
  } else if (ok) {
    lp_display *d = lp_display_new();
    ok = lp_render_layout(m->engine, m->tpl, &ro, false, d, err);
    if (ok && name)
      ok = lp_render_write_display(m->engine, d, m->tpl, name, err);
    if (ok && name && m->signer) ok = sign_in_place(m, name, err);
    if (ok) {
      name_attachment(m, d, k);
      lp_display_append(m->combined, d);
    }
    lp_display_free(d);
  }
  if (ok && name && m->o->letter) {
    ok = m->o->letter(m->o->ctx, k, rec, name, err);
    if (!ok) msg->kept = DONE_WRITTEN;
  }
  if (ok && name) ok = hash_letter(m, name, msg);
  if (ok) msg->status = DONE_WRITTEN;
  lp_encrypt_password_free(password);
  free(name);
}

static double seconds_since(const struct timespec *t0) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Passes a record's warning to the caller, unless the same warning (same
 * place, same message) was passed for an earlier letter: a template's own
 * problem would otherwise be told once per letter. */
static void pass_warning(merger *m, const merge_msg *msg) {
  const lp_error *w = &msg->err;
  uint64_t h = lp_hash(LP_HASH_SEED, w->file, strlen(w->file));
  h = lp_hash(h, w->message, strlen(w->message));
  h ^= (uint64_t)(uint32_t)w->line << 32 | (uint32_t)w->column;
  for (size_t i = 0; i < m->nwarned; i++)
    if (m->warned[i] == h) {
      m->prog.repeated_warnings++;
      return;
    }
  LP_GROW(m->warned, m->warned_cap, m->nwarned + 1);
  m->warned[m->nwarned++] = h;
  lp_buf text = {0};
  lp_buf_printf(&text, "record %u%s%s%s: %s", (unsigned)msg->record,
                msg->key[0] ? " (" : "", msg->key, msg->key[0] ? ")" : "",
                w->message);
  lp_error told = *w;
  size_t n = text.len < sizeof told.message ? text.len
                                             : sizeof told.message - 1;
  while (n < text.len && n > 0 && (text.data[n] & 0xC0) == 0x80)
    n--; /* whole UTF-8 characters only */
  memcpy(told.message, text.data, n);
  told.message[n] = '\0';
  lp_buf_free(&text);
  m->o->warn(m->o->ctx, &told);
}

/* Appends a finished record's line to the manifest; the first failure to
 * write it is kept (and ends the merge with an error). */
static void note_in_manifest(merger *m, const merge_msg *msg) {
  static const char *const status[] = {"written", "skipped", "failed"};
  lp_manifest_entry e = {msg->record, msg->values, msg->key,
                         status[msg->status], msg->bytes, msg->sha256,
                         msg->status == DONE_FAILED ? msg->err.message : ""};
  if (!m->manifest_err.message[0] &&
      !lp_manifest_add(m->manifest, &e, &m->manifest_err))
    *m->stop = 1;
}

/* Counts a finished record and tells the caller; passes warnings on. */
static void account(merger *m, const merge_msg *msg) {
  if (msg->kind == MSG_WARNING) {
    pass_warning(m, msg);
    return;
  }
  m->prog.done++;
  if (m->manifest) note_in_manifest(m, msg);
  if (msg->status == DONE_WRITTEN) m->prog.written++;
  if (msg->status == DONE_SKIPPED) m->prog.skipped++;
  if (msg->status == DONE_FAILED) {
    m->prog.failed++;
    if (msg->kept == DONE_WRITTEN) m->prog.hook_failed_written++;
    if (msg->kept == DONE_SKIPPED) m->prog.hook_failed_skipped++;
    if (!m->o->keep_going) *m->stop = 1;
    if (m->o->failure) {
      lp_merge_failure f = {msg->record, msg->data_line, msg->key, &msg->err};
      m->o->failure(m->o->ctx, &f);
    }
  }
  m->prog.seconds = seconds_since(&m->t0);
  if (m->o->progress) m->o->progress(m->o->ctx, &m->prog);
}

/* The second pass for one worker (worker of jobs; jobs 1: everything):
 * renders its records, handing each result to report. */
static bool run_records(merger *m, int worker, int jobs,
                        void (*report)(merger *, const merge_msg *, int),
                        int fd, lp_error *err) {
  lp_records *r = open_data(m, err);
  if (!r) return false;
  m->report = report;
  m->report_fd = fd;
  lp_data *rec;
  size_t mine = 0;
  while (!*m->stop && !interrupted(m)) {
    size_t k = lp_records_count(r) + 1;
    /* Records of other shards and other workers are skipped, not built. */
    bool take = in_shard(m, k) && (int)(mine++ % (size_t)jobs) == worker;
    int got = take ? lp_records_next(r, &rec, err) : lp_records_skip(r, err);
    if (got <= 0) break;
    if (!take) continue;
    merge_msg msg;
    memset(&msg, 0, sizeof msg);
    msg.kind = MSG_DONE;
    msg.kept = -1;
    msg.record = (uint32_t)k;
    msg.data_line = lp_records_line(r);
    if (apply_sets(m, rec, &msg.err)) do_record(m, rec, k, &msg);
    else msg.status = DONE_FAILED;
    report(m, &msg, fd);
    lp_data_free(rec);
  }
  lp_records_close(r);
  return true;
}

static void report_here(merger *m, const merge_msg *msg, int fd) {
  (void)fd;
  account(m, msg);
}

static void report_to_pipe(merger *m, const merge_msg *msg, int fd) {
  (void)m;
  const char *p = (const char *)msg;
  size_t left = sizeof *msg;
  while (left) {
    ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    p += n;
    left -= (size_t)n;
  }
}

/* Runs the second pass in `jobs` forked workers, reading their reports. */
static bool run_parallel(merger *m, int jobs, lp_error *err) {
  int fds[2];
  if (pipe(fds) != 0)
    return lp_fail(err, LP_ERR_IO, NULL, 0, 0, "cannot create a pipe: %s",
                   strerror(errno));
  pid_t pids[MAX_JOBS];
  int started = 0;
  for (int w = 0; w < jobs; w++) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) break;
    if (pid == 0) {
      close(fds[0]);
      lp_error werr = {0};
      bool ok = run_records(m, w, jobs, report_to_pipe, fds[1], &werr);
      close(fds[1]);
      _exit(ok ? 0 : 1);
    }
    pids[started++] = pid;
  }
  close(fds[1]);
  if (started < jobs) *m->stop = 1; /* fork failed: records would be lost */
  merge_msg msg;
  size_t have = 0;
  for (;;) {
    ssize_t n = read(fds[0], (char *)&msg + have, sizeof msg - have);
    if (interrupted(m)) *m->stop = 1; /* the workers finish their letter */
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    have += (size_t)n;
    if (have == sizeof msg) {
      account(m, &msg);
      have = 0;
    }
  }
  close(fds[0]);
  bool crashed = false;
  for (int w = 0; w < started; w++) {
    int status;
    while (waitpid(pids[w], &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) crashed = true;
  }
  if (started < jobs)
    return lp_fail(err, LP_ERR_IO, NULL, 0, 0,
                   "cannot start %d worker processes: %s; try a smaller -j",
                   jobs, strerror(errno));
  if (crashed && m->prog.done < m->prog.total && !*m->stop &&
      !interrupted(m))
    return lp_fail(err, LP_ERR_IO, NULL, 0, 0,
                   "a worker process ended early; %zu record%s not done: "
                   "run again with --skip-existing",
                   m->prog.total - m->prog.done,
                   m->prog.total - m->prog.done == 1 ? " is" : "s are");
  return true;
}

/* The SHA-256 of a file, or of the data read from standard input; false
 * with err. */
static bool hash_input(const merger *m, const char *path, char hex[65],
                       lp_error *err) {
  uint64_t bytes;
  if (!path) {
    lp_manifest_hash("", 0, hex);
    return true;
  }
  if (!strcmp(path, "-") && path == m->o->data) {
    lp_manifest_hash(m->stdin_text, m->stdin_len, hex);
    return true;
  }
  if (!strcmp(path, "-"))
    return lp_fail(err, LP_ERR_INPUT, "--manifest", 0, 0,
                   "a manifest names the template's file: give the "
                   "template as a file, not standard input");
  return lp_manifest_hash_file(path, &bytes, hex, err);
}

/* Creates the manifest (its header: the template's and the data's
 * SHA-256, the records, the shard); NULL with err. */
static lp_manifest *start_manifest(merger *m, lp_error *err) {
  char tpl_hex[65], data_hex[65];
  if (!hash_input(m, m->o->template_path, tpl_hex, err) ||
      !hash_input(m, m->o->data, data_hex, err))
    return NULL;
  lp_manifest_header h = {m->o->template_path ? m->o->template_path : "",
                          tpl_hex, m->o->data, data_hex, m->nrecords,
                          m->o->shards ? m->o->shard : 1,
                          m->o->shards ? m->o->shards : 1, m->o->output};
  return lp_manifest_create(m->o->manifest, &h, err);
}

/* The CPUs this process may use (affinity, cgroup quota), at most
 * MAX_JOBS: the default number of workers. */
static int cores(void) {
  int n = lp_cpus_available();
  return n > MAX_JOBS ? MAX_JOBS : n;
}

/* ---- --shard auto: the shard from a scheduler's array index ------------ */

/* A variable's value in env ("NAME=VALUE" strings; NULL: the process's
 * environment); NULL when unset or empty. */
static const char *env_get(const char *const *env, const char *name) {
  const char *v = NULL;
  if (!env) {
    v = getenv(name);
  } else {
    size_t n = strlen(name);
    for (; *env && !v; env++)
      if (!strncmp(*env, name, n) && (*env)[n] == '=') v = *env + n + 1;
  }
  return v && *v ? v : NULL;
}

/* v, or "unset" for a variable that is not set (in messages). */
static const char *or_unset(const char *v) { return v ? v : "unset"; }

/* Parses a whole decimal number (no sign, no blanks) into *out. */
static bool whole_number(const char *s, unsigned long *out) {
  if (!s || *s < '0' || *s > '9') return false;
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (*end || errno || v > UINT_MAX) return false;
  *out = v;
  return true;
}

/* The count of a Slurm array when it is the whole range 0..COUNT-1 with
 * step 1 (SLURM_ARRAY_TASK_MIN/MAX/STEP/COUNT); 0 when it is not, e.g. a
 * re-run of some of its tasks (--array=2): COUNT then says nothing of the
 * batch. */
static unsigned long slurm_whole_count(const char *const *env) {
  unsigned long min, max, count, step = 1;
  const char *st = env_get(env, "SLURM_ARRAY_TASK_STEP");
  if (!whole_number(env_get(env, "SLURM_ARRAY_TASK_MIN"), &min) ||
      !whole_number(env_get(env, "SLURM_ARRAY_TASK_MAX"), &max) ||
      !whole_number(env_get(env, "SLURM_ARRAY_TASK_COUNT"), &count) ||
      (st && !whole_number(st, &step)))
    return 0;
  return min == 0 && step == 1 && count == max + 1 ? count : 0;
}

bool lp_merge_shard_auto(const char *spec, const char *const *env,
                         unsigned *shard, unsigned *shards, lp_error *err) {
  static const char *const index_vars[] = {
      "SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX",
      "AWS_BATCH_JOB_ARRAY_INDEX"};
  unsigned long n = 0;
  if (strncmp(spec, "auto", 4) ||
      (spec[4] && (spec[4] != '/' || !whole_number(spec + 5, &n) || !n)))
    return lp_fail(err, LP_ERR_INPUT, "--shard", 0, 0,
                   "'%s' is not a shard: write K/N (1 <= K <= N), auto, "
                   "or auto/N (N >= 1)", spec);
  const char *var = NULL, *value = NULL;
  for (size_t i = 0; i < 3; i++) {
    const char *v = env_get(env, index_vars[i]);
    if (v && var)
      return lp_fail(err, LP_ERR_INPUT, "--shard", 0, 0,
                     "--shard %s: both %s and %s are set, so the task's "
                     "index is ambiguous: unset one, or write --shard K/N",
                     spec, var, index_vars[i]);
    if (v) var = index_vars[i], value = v;
  }
  if (!var)
    return lp_fail(err, LP_ERR_INPUT, "--shard", 0, 0,
                   "--shard %s needs the task's index from SLURM_ARRAY_TASK_ID "
                   "(sbatch --array), JOB_COMPLETION_INDEX (Kubernetes "
                   "Indexed Job) or AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch "
                   "array job), and none is set: run it as an array task, "
                   "or write --shard K/N", spec);
  unsigned long index;
  if (!whole_number(value, &index))
    return lp_fail(err, LP_ERR_INPUT, "--shard", 0, 0,
                   "%s is '%s', not an index (0, 1, 2, ...)", var, value);
  if (!n && !strcmp(var, "AWS_BATCH_JOB_ARRAY_INDEX")) {
    const char *size = env_get(env, "AWS_BATCH_JOB_ARRAY_SIZE");
    if (size && (!whole_number(size, &n) || !n))
      return lp_fail(err, LP_ERR_INPUT, "--shard", 0, 0,
                     "AWS_BATCH_JOB_ARRAY_SIZE is '%s', not a number of "
                     "tasks: write --shard auto/N", size);
    if (!n)
      return lp_fail(err, LP_ERR_INPUT, "--shard", 0, 0,
                     "AWS_BATCH_JOB_ARRAY_INDEX is set but "
                     "AWS_BATCH_JOB_ARRAY_SIZE is not: write --shard auto/N "
                     "with N the array's size");
  } else if (!n && !strcmp(var, "SLURM_ARRAY_TASK_ID")) {
    n = slurm_whole_count(env);
    if (!n)
      return lp_fail(err, LP_ERR_INPUT, "--shard", 0, 0,
                     "SLURM_ARRAY_TASK_ID is %lu in an array that is not "
                     "the whole batch 0..N-1 (SLURM_ARRAY_TASK_MIN %s, "
                     "MAX %s, COUNT %s, STEP %s), e.g. a re-run of some "
                     "tasks: write --shard auto/N with N the tasks of the "
                     "whole batch",
                     index, or_unset(env_get(env, "SLURM_ARRAY_TASK_MIN")),
                     or_unset(env_get(env, "SLURM_ARRAY_TASK_MAX")),
                     or_unset(env_get(env, "SLURM_ARRAY_TASK_COUNT")),
                     or_unset(env_get(env, "SLURM_ARRAY_TASK_STEP")));
  } else if (!n) {
    return lp_fail(err, LP_ERR_INPUT, "--shard", 0, 0,
                   "JOB_COMPLETION_INDEX gives no count of tasks: write "
                   "--shard auto/N with N the Job's completions");
  }
  if (index >= n)
    return lp_fail(err, LP_ERR_INPUT, "--shard", 0, 0,
                   "%s is %lu, but the batch has %lu shard%s (indexes 0 to "
                   "%lu): make N the number of tasks of the whole array",
                   var, index, n, n == 1 ? "" : "s", n - 1);
  *shard = (unsigned)index + 1;
  *shards = (unsigned)n;
  return true;
}

bool lp_merge(lp_engine *engine, const lp_template *tpl,
              const lp_merge_options *o, lp_merge_progress *summary,
              lp_error *err) {
  merger m = {0};
  m.engine = engine;
  m.tpl = tpl;
  m.o = o;
  memset(summary, 0, sizeof *summary);
  clock_gettime(CLOCK_MONOTONIC, &m.t0);
  if (!o->data)
    return lp_fail(err, LP_ERR_INPUT, NULL, 0, 0,
                   "merge needs data: -d FILE (.json, .jsonl, .csv)");
  if (!o->output && !o->combined)
    return lp_fail(err, LP_ERR_INPUT, NULL, 0, 0,
                   "merge needs -o 'DIR/{{id}}.pdf' or --combined OUT.pdf");
  if (o->password && o->combined) /* else the -o files go out unprotected */
    return lp_fail(err, LP_ERR_INPUT, "--password", 0, 0,
                   "--password protects each letter's own file: it does not "
                   "go with --combined (one file, no one password)");
  if (o->shards && (o->shard < 1 || o->shard > o->shards))
    return lp_fail(err, LP_ERR_INPUT, "--shard", 0, 0,
                   "shard %u of %u does not exist: K/N needs 1 <= K <= N",
                   o->shard, o->shards);
  if (o->data_format && !lp_data_format_parse(o->data_format, &m.fmt))
    return lp_fail(err, LP_ERR_INPUT, "--format", 0, 0,
                   "'%s' is not a data format: json, jsonl, csv or tsv",
                   o->data_format);
  m.pattern.option = "-o";
  m.pattern.noun = "the output name";
  if (o->output && !pattern_parse(o->output, &m.pattern, err)) {
    pattern_free(&m.pattern);
    return false;
  }
  int zero = 0;
  m.stop = &zero;
  bool ok = true;
  if (!strcmp(o->data, "-")) {
    lp_buf b = {0};
    ok = lp_read_file("-", &b, err);
    m.stdin_text = b.data ? (char *)b.data : lp_xstrdup("");
    m.stdin_len = b.len;
  }
  /* The key is read (and its passphrase asked) once, before anything is
   * written and before the workers fork: they share it (see lp_signer_new). */
  if (ok && o->sign && !(m.signer = lp_signer_new(o->sign, err))) ok = false;
  ok = ok && check_sets(&m, err) && survey_records(&m, err);
  if (o->check) { /* nothing is written */
    lp_signer_free(m.signer);
    m.prog.seconds = seconds_since(&m.t0);
    *summary = m.prog;
    pattern_free(&m.pattern);
    free(m.suffix);
    free(m.stdin_text);
    return ok;
  }
  if (ok && o->manifest) m.manifest = start_manifest(&m, err);
  ok = ok && (!o->manifest || m.manifest);
  dir_list made = {0};
  note_new_dirs(&made, o->output);
  note_new_dirs(&made, o->combined);
  /* The template's own glyphs are embedded the same way in every letter:
   * made once here, before the workers fork, and reused by all. */
  ok = ok && lp_render_set_anchors(engine, tpl, err);
  int jobs = o->jobs > 0 ? (o->jobs > MAX_JOBS ? MAX_JOBS : o->jobs) : cores();
  if ((size_t)jobs > m.prog.total) jobs = m.prog.total ? (int)m.prog.total : 1;
  if (o->combined) {
    jobs = 1; /* one document: built in this process */
    m.combined = lp_display_new();
  }
  if (ok && m.prog.total) {
    if (jobs == 1) {
      ok = run_records(&m, 0, 1, report_here, -1, err);
    } else {
      void *shared = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
      if (shared == MAP_FAILED) {
        ok = lp_fail(err, LP_ERR_IO, NULL, 0, 0, "cannot share memory: %s",
                     strerror(errno));
      } else {
        m.stop = shared;
        *m.stop = 0;
        ok = run_parallel(&m, jobs, err);
        munmap(shared, sizeof(int));
        m.stop = &zero;
      }
    }
  }
  if (ok && m.combined && !interrupted(&m)) {
    if (!m.combined->npages)
      ok = lp_fail(err, LP_ERR_INPUT, o->combined, 0, 0,
                   "no letter to put in the combined PDF");
    else if (!m.prog.failed || o->keep_going)
      ok = make_dirs(o->combined, err) &&
           lp_render_write_display(engine, m.combined, tpl, o->combined,
                                   err) &&
           (!m.signer || sign_in_place(&m, o->combined, err));
  }
  remove_empty_dirs(&made);
  m.prog.seconds = seconds_since(&m.t0);
  *summary = m.prog;
  if (m.manifest_err.message[0]) {
    if (ok) *err = m.manifest_err;
    ok = false;
  }
  if (m.manifest && !lp_manifest_finish(m.manifest, &m.prog,
                                        ok ? err : &m.manifest_err))
    ok = false;
  lp_display_free(m.combined);
  lp_signer_free(m.signer);
  pattern_free(&m.pattern);
  free(m.suffix);
  free(m.stdin_text);
  free(m.warned);
  return ok;
}
