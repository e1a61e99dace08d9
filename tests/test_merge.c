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

  lp_engine_free(e);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CHECK(system(cmd) == 0);
  return CHECK_DONE();
}
