/* test_threads.c - the threading rules of letterpress.h: one engine per
 * thread, one template and one data value shared by every thread.  Each
 * thread makes its own engine (all at the same time) and renders the shared
 * template several times, to memory and through a write callback; with
 * SOURCE_DATE_EPOCH set, every PDF must be byte-identical to the one the
 * main thread made alone, and the template must be unchanged afterwards. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fill.h"
#include "letterpress.h"
#include "template.h"

#define THREADS 4
#define RENDERS 3

/* Mixed scripts, so that every thread goes through fontconfig fallback
 * (Han, kana, Hangul, Latin), line breaking, a section, values, a blank and
 * a signature field. */
static const char template_text[] =
    "---\n"
    "title: 线程测试\n"
    "lang: zh-CN\n"
    "---\n"
    "\n"
    "# 致{{name}}的信\n"
    "\n"
    "尊敬的{{name}}：感谢您选择我们的服务。本函确认合同 {{contract}} "
    "自即日起生效，かな와 한글도 함께 표시됩니다。"
    "Ligatures: office, fluffy.\n"
    "\n"
    "{{#items}}\n"
    "- {{.}}\n"
    "{{/items}}\n"
    "\n"
    "备注：__________\n"
    "\n"
    "签名：__________\n";

static const char data_json[] =
    "{\"name\": \"王小明\", \"contract\": \"HT-2024-001\","
    " \"items\": [\"安装\", \"培训\", \"维护\"]}";

typedef struct buffer {
  unsigned char *bytes;
  size_t len, cap;
} buffer;

/* An lp_write_fn that appends to a buffer. */
static bool append(void *ctx, const unsigned char *bytes, size_t len) {
  buffer *b = ctx;
  if (b->len + len > b->cap) {
    size_t cap = (b->len + len) * 2;
    unsigned char *p = realloc(b->bytes, cap);
    if (!p) return false;
    b->bytes = p;
    b->cap = cap;
  }
  memcpy(b->bytes + b->len, bytes, len);
  b->len += len;
  return true;
}

/* An lp_write_fn that counts its calls and refuses every one. */
static bool refuse(void *ctx, const unsigned char *bytes, size_t len) {
  (void)bytes;
  (void)len;
  ++*(int *)ctx;
  return false;
}

static const char *font_config;
static const lp_template *shared_tpl;
static const lp_data *shared_data;
static unsigned char *reference;
static size_t reference_len;
static pthread_barrier_t start;

typedef struct job {
  int same;      /* renders byte-identical to the reference */
  int callbacks; /* callback renders identical to the reference */
  lp_error err;
} job;

static void *worker(void *arg) {
  job *j = arg;
  /* Every thread makes its engine at the same moment. */
  pthread_barrier_wait(&start);
  lp_engine *e = lp_engine_new(font_config, &j->err);
  if (!e) return NULL;
  lp_render_options o = {.data = shared_data};
  for (int r = 0; r < RENDERS; r++) {
    unsigned char *pdf = NULL;
    size_t len = 0;
    if (lp_render_to_memory(e, shared_tpl, &o, &pdf, &len, &j->err) &&
        len == reference_len && memcmp(pdf, reference, len) == 0)
      j->same++;
    free(pdf);
    buffer b = {0};
    if (lp_render_to_callback(e, shared_tpl, &o, append, &b, &j->err) &&
        b.len == reference_len && memcmp(b.bytes, reference, b.len) == 0)
      j->callbacks++;
    free(b.bytes);
  }
  lp_engine_free(e);
  return NULL;
}

/* A copy of what a render could change in a template, to compare after. */
static char *template_state(const lp_template *t, size_t *len) {
  size_t n = t->body_len + t->fill->len + 64;
  char *s = malloc(n);
  if (!s) return NULL;
  memcpy(s, t->body, t->body_len);
  memcpy(s + t->body_len, t->fill->src, t->fill->len);
  *len = t->body_len + t->fill->len;
  *len += (size_t)snprintf(s + *len, 64, "|%zu|%s", t->fill->ntags,
                           lp_template_lang(t));
  return s;
}

int main(void) {
  setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
  font_config = getenv("LETTERPRESS_FONTCONFIG");
  if (!font_config || !*font_config) font_config = "fonts/fonts.conf";

  CHECK_STR(lp_version(), LP_VERSION_STRING);
  CHECK(LP_VERSION == LP_VERSION_MAJOR * 10000 + LP_VERSION_MINOR * 100 +
                          LP_VERSION_MICRO);

  lp_error err = {0};
  lp_template *tpl = lp_template_parse(template_text, strlen(template_text),
                                       "threads.md", &err);
  lp_data *data = lp_data_parse_json(data_json, strlen(data_json),
                                     "threads.json", &err);
  lp_engine *e = lp_engine_new(font_config, &err);
  CHECK(tpl && data && e);
  if (!tpl || !data || !e) {
    fprintf(stderr, "%s\n", err.message);
    return CHECK_DONE();
  }
  shared_tpl = tpl;
  shared_data = data;
  lp_render_options o = {.data = data};
  CHECK(lp_render_to_memory(e, tpl, &o, &reference, &reference_len, &err));
  CHECK(reference_len > 5 && memcmp(reference, "%PDF-", 5) == 0);

  /* The callback gets the same bytes, in chunks; a refusal stops it. */
  buffer b = {0};
  CHECK(lp_render_to_callback(e, tpl, &o, append, &b, &err));
  CHECK(b.len == reference_len && memcmp(b.bytes, reference, b.len) == 0);
  free(b.bytes);
  int calls = 0;
  lp_error_clear(&err);
  CHECK(!lp_render_to_callback(e, tpl, &o, refuse, &calls, &err));
  CHECK(err.code == LP_ERR_IO && calls == 1);
  /* A failed render never calls write. */
  calls = 0;
  lp_error_clear(&err);
  lp_render_options missing = {0};
  CHECK(!lp_render_to_callback(e, tpl, &missing, refuse, &calls, &err));
  CHECK(err.code == LP_ERR_INPUT && calls == 0);
  lp_error_clear(&err);
  CHECK(!lp_render_to_callback(e, tpl, &o, NULL, NULL, &err));
  CHECK(err.code == LP_ERR_INPUT);
  lp_engine_free(e);

  size_t before_len = 0, after_len = 0;
  char *before = template_state(tpl, &before_len);

  pthread_barrier_init(&start, NULL, THREADS);
  pthread_t threads[THREADS];
  job jobs[THREADS];
  memset(jobs, 0, sizeof jobs);
  for (int i = 0; i < THREADS; i++)
    CHECK(pthread_create(&threads[i], NULL, worker, &jobs[i]) == 0);
  for (int i = 0; i < THREADS; i++) {
    pthread_join(threads[i], NULL);
    CHECK(jobs[i].same == RENDERS);
    CHECK(jobs[i].callbacks == RENDERS);
    if (jobs[i].err.code)
      fprintf(stderr, "thread %d: %s\n", i, jobs[i].err.message);
  }
  pthread_barrier_destroy(&start);

  char *after = template_state(tpl, &after_len);
  CHECK(before && after && before_len == after_len &&
        memcmp(before, after, before_len) == 0);
  free(before);
  free(after);
  free(reference);
  lp_data_free(data);
  lp_template_free(tpl);
  return CHECK_DONE();
}
