/* test_merge.c - lp_merge on data as spreadsheets write it: a template
 * that does not fit the data fails once, before any letter; check mode
 * lists every problem and writes nothing; a stop request is honoured;
 * directories the run made and left empty are removed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "letterpress.h"
#include "util.h"

static char dir[64]; /* the test's own directory */

/* Writes text to dir/name; returns the path (static). */
static const char *put(const char *name, const char *text) {
  static char paths[8][128];
  static int next;
  char *p = paths[next++ % 8];
  snprintf(p, 128, "%s/%s", dir, name);
  FILE *f = fopen(p, "wb");
  if (f) {
    fputs(text, f);
    fclose(f);
  }
  return p;
}

static bool exists(const char *name) {
  char p[128];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  struct stat st;
  return stat(p, &st) == 0;
}

/* What the failure callback saw. */
typedef struct seen {
  size_t count;
  size_t records[16];
  char messages[2048];
} seen;

static void on_failure(void *ctx, const lp_merge_failure *f) {
  seen *s = ctx;
  if (s->count < 16) s->records[s->count] = f->record;
  s->count++;
  size_t n = strlen(s->messages);
  snprintf(s->messages + n, sizeof s->messages - n, "%s\n",
           f->error->message);
}

/* A letter hook that fails record 2 (as a bad address fails its email). */
static bool refuse_second(void *ctx, size_t record, const lp_data *rec,
                          const char *path, lp_error *err) {
  (void)ctx;
  (void)rec;
  (void)path;
  return record != 2 ||
         lp_fail(err, LP_ERR_INPUT, "--to", 0, 0, "no such address");
}

/* Merges tpl_text with the data file data into dir/out/{{key}}.pdf. */
static bool merge(lp_engine *e, const char *tpl_text, const char *data,
                  const char *key, lp_merge_options *o, lp_merge_progress *sum,
                  seen *s, lp_error *err) {
  lp_template *t = lp_template_load(put("t.md", tpl_text), err);
  if (!t) return false;
  char out[128];
  snprintf(out, sizeof out, "%s/out/sub/{{%s}}.pdf", dir, key);
  o->data = data;
  o->output = out;
  o->failure = on_failure;
  o->ctx = s;
  memset(s, 0, sizeof *s);
  bool ok = lp_merge(e, t, o, sum, err);
  lp_template_free(t);
  return ok;
}

/* --shard auto: the index from exactly one scheduler variable, the count
 * from /N, AWS's array size or a whole Slurm array; errors name the
 * variable. */
static void test_shard_auto(void) {
  unsigned k = 0, n = 0;
  lp_error err = {0};
  const char *slurm[] = {"SLURM_ARRAY_TASK_ID=2", "SLURM_ARRAY_TASK_MIN=0",
                         "SLURM_ARRAY_TASK_MAX=3", "SLURM_ARRAY_TASK_COUNT=4",
                         "SLURM_ARRAY_TASK_STEP=1", NULL};
  CHECK(lp_merge_shard_auto("auto", slurm, &k, &n, &err) && k == 3 && n == 4);
  CHECK(lp_merge_shard_auto("auto/10", slurm, &k, &n, &err) && k == 3 &&
        n == 10);
  /* A re-run of task 2 alone (--array=2): its count is 1, not the batch's. */
  const char *rerun[] = {"SLURM_ARRAY_TASK_ID=2", "SLURM_ARRAY_TASK_MIN=2",
                         "SLURM_ARRAY_TASK_MAX=2", "SLURM_ARRAY_TASK_COUNT=1",
                         NULL};
  CHECK(!lp_merge_shard_auto("auto", rerun, &k, &n, &err) &&
        err.code == LP_ERR_INPUT &&
        strstr(err.message, "SLURM_ARRAY_TASK_ID") &&
        strstr(err.message, "auto/N"));
  CHECK(lp_merge_shard_auto("auto/4", rerun, &k, &n, &err) && k == 3 && n == 4);
  const char *k8s[] = {"JOB_COMPLETION_INDEX=0", NULL};
  CHECK(lp_merge_shard_auto("auto/100", k8s, &k, &n, &err) && k == 1 &&
        n == 100);
  CHECK(!lp_merge_shard_auto("auto", k8s, &k, &n, &err) &&
        strstr(err.message, "JOB_COMPLETION_INDEX"));
  const char *aws[] = {"AWS_BATCH_JOB_ARRAY_INDEX=7",
                       "AWS_BATCH_JOB_ARRAY_SIZE=8", NULL};
  CHECK(lp_merge_shard_auto("auto", aws, &k, &n, &err) && k == 8 && n == 8);
  CHECK(!lp_merge_shard_auto("auto/7", aws, &k, &n, &err) &&
        strstr(err.message, "AWS_BATCH_JOB_ARRAY_INDEX is 7"));
  const char *none[] = {"HOME=/", NULL};
  CHECK(!lp_merge_shard_auto("auto", none, &k, &n, &err) &&
        strstr(err.message, "none is set"));
  const char *two[] = {"SLURM_ARRAY_TASK_ID=1", "JOB_COMPLETION_INDEX=1",
                       NULL};
  CHECK(!lp_merge_shard_auto("auto/4", two, &k, &n, &err) &&
        strstr(err.message, "SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX"));
  const char *bad[] = {"JOB_COMPLETION_INDEX=-1", NULL};
  CHECK(!lp_merge_shard_auto("auto/4", bad, &k, &n, &err) &&
        strstr(err.message, "not an index"));
  CHECK(!lp_merge_shard_auto("auto/0", k8s, &k, &n, &err));
  CHECK(!lp_merge_shard_auto("autox", k8s, &k, &n, &err));
}

/* Counts the problems manifest-check tells. */
static void on_problem(void *ctx, const lp_error *e) {
  seen *s = ctx;
  s->count++;
  size_t n = strlen(s->messages);
  snprintf(s->messages + n, sizeof s->messages - n, "%s\n", e->message);
}

/* Manifests: each shard records its records; together they prove the
 * batch; a missing shard, a doubled one, a changed letter and a manifest
 * cut short are each told. */
static void test_manifest(lp_engine *e) {
  const char *jl = put("m.jsonl", "{\"id\":\"a\"}\n{\"id\":\"b\"}\n"
                                  "{\"id\":\"c\"}\n{\"id\":\"d\"}\n"
                                  "{\"id\":\"e\"}\n");
  char m1[128], m2[128], part[140];
  snprintf(m1, sizeof m1, "%s/m1.jsonl", dir);
  snprintf(m2, sizeof m2, "%s/m2.jsonl", dir);
  lp_merge_options o = {0};
  lp_merge_progress sum;
  seen s;
  lp_error err = {0};
  o.jobs = 2;
  o.shards = 2;
  o.shard = 1;
  o.manifest = m1;
  CHECK(merge(e, "# {{id}}\n", jl, "id", &o, &sum, &s, &err));
  CHECK(sum.written == 3);
  snprintf(part, sizeof part, "%s.part", m1);
  CHECK(access(m1, F_OK) == 0 && access(part, F_OK) != 0);
  o.shard = 2;
  o.manifest = m2;
  CHECK(merge(e, "# {{id}}\n", jl, "id", &o, &sum, &s, &err));
  const char *both[] = {m1, m2};
  lp_manifest_summary ms;
  memset(&s, 0, sizeof s);
  CHECK(lp_manifest_check(both, 2, on_problem, &s, &ms, &err));
  CHECK(ms.problems == 0 && ms.records == 5 && ms.done == 5 && s.count == 0);
  CHECK(lp_manifest_check(both, 1, on_problem, &s, &ms, &err));
  CHECK(ms.missing == 2 && ms.problems == 1 &&
        strstr(s.messages, "2, 4") && strstr(s.messages, "shard 2 of 2"));
  const char *twice[] = {m1, m2, m2};
  CHECK(lp_manifest_check(twice, 3, on_problem, &s, &ms, &err));
  CHECK(ms.doubled == 2 && ms.missing == 0);
  /* A letter changed after the merge. */
  FILE *f = fopen(put("out/sub/c.pdf", "not the letter"), "rb");
  if (f) fclose(f);
  memset(&s, 0, sizeof s);
  CHECK(lp_manifest_check(both, 2, on_problem, &s, &ms, &err));
  CHECK(ms.bad_files == 1 && ms.done == 4 &&
        strstr(s.messages, "c.pdf is not the file"));
  /* A task killed while writing: its manifest has no last line. */
  FILE *in = fopen(m2, "rb");
  char text[4096] = {0};
  size_t n = in ? fread(text, 1, sizeof text - 1, in) : 0;
  if (in) fclose(in);
  char *last = n ? strstr(text, "{\"end\"") : NULL;
  CHECK(last != NULL);
  if (last) *last = '\0';
  put("m2.jsonl", text);
  memset(&s, 0, sizeof s);
  CHECK(lp_manifest_check(both, 2, on_problem, &s, &ms, &err));
  CHECK(strstr(s.messages, "did not finish") != NULL);
  CHECK(!lp_manifest_check(both, 0, on_problem, &s, &ms, &err));
}

int main(void) {
  setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
  snprintf(dir, sizeof dir, "/tmp/test_merge_XXXXXX");
  CHECK(mkdtemp(dir) != NULL);
  lp_error err = {0};
  lp_engine *e = lp_engine_new("fonts/fonts.conf", &err);
  CHECK(e != NULL);
  if (!e) return CHECK_DONE();
  lp_merge_progress sum;
  seen s;
  test_shard_auto();

  /* A placeholder no record has: one error, before any letter, whatever
   * the jobs and keep_going; it names the closest field. */
  const char *csv = put("d.csv", "客户名称,id\r\nA,1\r\nB,2\r\nC,3\r\n");
  lp_merge_options o = {0};
  o.jobs = 2;
  o.keep_going = true;
  CHECK(!merge(e, "{{客户明称}}\n", csv, "id", &o, &sum, &s, &err));
  CHECK(strstr(err.message, "did you mean 客户名称?") != NULL);
  CHECK(s.count == 0 && sum.written == 0 && !exists("out"));

  /* A password with a combined PDF is refused by the library too (the -o
   * files would go out unprotected), before anything is written. */
  lp_merge_options pc = {0};
  char all[160];
  snprintf(all, sizeof all, "%s/all.pdf", dir);
  pc.combined = all;
  pc.password = "{{id}}";
  lp_error perr = {0};
  CHECK(!merge(e, "Dear {{id}}\n", csv, "id", &pc, &sum, &s, &perr));
  CHECK(perr.code == LP_ERR_INPUT && strstr(perr.message, "--combined"));
  CHECK(!exists("out") && !exists("all.pdf"));

  /* Check mode: every problem, nothing written. */
  const char *jl = put("d.jsonl", "{\"id\":\"1\",\"n\":\"a\"}\n"
                                  "{\"id\":\"2\"}\n"
                                  "{\"id\":\"1\",\"n\":\"c\"}\n");
  memset(&o, 0, sizeof o);
  o.check = true;
  CHECK(merge(e, "{{n}}\n", jl, "id", &o, &sum, &s, &err));
  /* (a problem is told once at the end when later records may share it) */
  CHECK(sum.total == 3 && sum.failed == 2 && s.count == 2 &&
        s.records[0] + s.records[1] == 5 && s.records[0] * s.records[1] == 6);
  CHECK(strstr(s.messages, "not in the data: n") &&
        strstr(s.messages, "record 1 makes the output name"));
  CHECK(!exists("out"));
  CHECK(merge(e, "{{n}}\n", csv, "id", &o, &sum, &s, &err) == false);

  /* No records: an error naming the file. */
  const char *empty = put("e.csv", "id,n\r\n");
  memset(&o, 0, sizeof o);
  CHECK(!merge(e, "{{n}}\n", empty, "id", &o, &sum, &s, &err));
  CHECK(!strcmp(err.file, empty) && strstr(err.message, "no record"));

  /* A stop asked for before the first letter: none is made, and the
   * directories are not left behind. */
  memset(&o, 0, sizeof o);
  volatile int stop = 1;
  o.stop = &stop;
  o.jobs = 1;
  const char *ok_csv = put("ok.csv", "id,n\r\n1,a\r\n2,b\r\n");
  CHECK(merge(e, "{{n}}\n", ok_csv, "id", &o, &sum, &s, &err));
  CHECK(sum.total == 2 && sum.written == 0 && !exists("out"));
  stop = 0;
  CHECK(merge(e, "{{n}}\n", ok_csv, "id", &o, &sum, &s, &err));
  CHECK(sum.written == 2 && exists("out/sub/1.pdf"));

  /* The encoding and delimiter of the data. */
  memset(&o, 0, sizeof o);
  o.data_encoding = "GB18030";
  o.data_delimiter = ';';
  const char *gb = put("gb.csv", "id;n\r\n7;\xD5\xC5\xC8\xFD\r\n");
  CHECK(merge(e, "{{n}}\n", gb, "id", &o, &sum, &s, &err));
  CHECK(sum.written == 1 && exists("out/sub/7.pdf"));

  /* A letter hook (the email) that fails: the record fails, and the
   * summary tells that its letter is on disk all the same. */
  memset(&o, 0, sizeof o);
  o.jobs = 2;
  o.keep_going = true;
  o.letter = refuse_second;
  CHECK(merge(e, "{{n}}\n", ok_csv, "id", &o, &sum, &s, &err));
  CHECK(sum.failed == 1 && sum.written == 1 && sum.hook_failed_written == 1 &&
        sum.hook_failed_skipped == 0 && exists("out/sub/2.pdf"));
  o.skip_existing = true;
  CHECK(merge(e, "{{n}}\n", ok_csv, "id", &o, &sum, &s, &err));
  CHECK(sum.failed == 1 && sum.skipped == 1 && sum.hook_failed_skipped == 1 &&
        sum.hook_failed_written == 0);

  test_manifest(e);
  lp_engine_free(e);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CHECK(system(cmd) == 0);
  return CHECK_DONE();
}
