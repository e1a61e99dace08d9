/* test_mail.c - messages built by lp_mail_build: display names from data
 * quoted (RFC 5322) or encoded (RFC 2047), not refused, while an address
 * part still takes one address only; no Bcc header; Reply-To; --attach
 * files, a missing one named; an RFC 2047 name= next to the RFC 2231
 * filename*=; a sent message's .eml left as it went out; mail made
 * more than once in a process. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "check.h"
#include "letterpress.h"
#include "util.h"

static char dir[64]; /* the test's own directory */

/* Writes text to dir/name; returns the path (static, 4 in turn). */
static const char *put(const char *name, const char *text) {
  static char paths[4][128];
  static int next;
  char *p = paths[next++ % 4];
  snprintf(p, 128, "%s/%s", dir, name);
  FILE *f = fopen(p, "wb");
  if (f) {
    fputs(text, f);
    fclose(f);
  }
  return p;
}

/* The record of json. */
static lp_data *record(const char *json) {
  lp_error err = {0};
  lp_data *d = lp_data_parse_json(json, strlen(json), "data.json", &err);
  CHECK(d != NULL);
  return d;
}

/* Builds record 1 (json) with o; the message (malloc'd) or NULL, err set. */
static char *build(const lp_mail_options *o, const char *json,
                   lp_error *err) {
  lp_mail *m = lp_mail_new(o, err);
  if (!m) return NULL;
  lp_data *d = record(json);
  char *eml = NULL;
  size_t len = 0;
  const char *pdf = put("利用規約.pdf", "%PDF-1.4 stand-in\n");
  if (d && lp_mail_survey(m, 1, d, true, err) &&
      !lp_mail_build(m, 1, d, pdf, &eml, &len, err)) {
    free(eml);
    eml = NULL;
  }
  lp_data_free(d);
  lp_mail_free(m);
  return eml;
}

/* Display names with , " ( ) \ and CJK; the address part still strict. */
static void test_names(void) {
  lp_mail_options o = {0};
  o.eml = "out/{{id}}.eml";
  o.from = "Acme (HK) <letters@example.com>";
  o.to = "{{name}} <{{email}}>";
  o.subject = "s";
  lp_error err = {0};
  char *eml = build(&o, "{\"id\":\"1\",\"name\":\"Wang, Fang\","
                        "\"email\":\"fang@example.cn\"}", &err);
  CHECK(eml && strstr(eml, "To: \"Wang, Fang\" <fang@example.cn>\r\n"));
  /* The option's own text: a parenthesis is kept, not a dropped comment. */
  CHECK(eml && strstr(eml, "From: \"Acme (HK)\" <letters@example.com>\r\n"));
  free(eml);
  eml = build(&o, "{\"id\":\"1\",\"name\":\"O\\\"Neil \\\\ Co\","
                  "\"email\":\"o@example.ie\"}", &err);
  CHECK(eml && strstr(eml, "To: \"O\\\"Neil \\\\ Co\" <o@example.ie>\r\n"));
  free(eml);
  eml = build(&o, "{\"id\":\"1\",\"name\":\"王, 小明\","
                  "\"email\":\"xm@example.cn\"}", &err);
  CHECK(eml && strstr(eml, "To: =?UTF-8?b?") && !strstr(eml, "王"));
  free(eml);
  /* An empty name leaves the address alone. */
  eml = build(&o, "{\"id\":\"1\",\"name\":\"  \",\"email\":\"e@example.com\"}",
              &err);
  CHECK(eml && strstr(eml, "\r\nTo: e@example.com\r\n"));
  free(eml);
  /* A comma in an address part would add a recipient. */
  eml = build(&o, "{\"id\":\"1\",\"name\":\"Eve\","
                  "\"email\":\"e@example.com, v@example.org\"}", &err);
  CHECK(!eml && !strcmp(err.file, "--to") &&
        strstr(err.message, "would change the addresses"));
  eml = build(&o, "{\"id\":\"1\",\"name\":\"Eve\",\"email\":\"nobody\"}",
              &err);
  CHECK(!eml && strstr(err.message, "'nobody' is not one email address"));
  /* Data still never adds a header. */
  eml = build(&o, "{\"id\":\"1\",\"name\":\"E\\r\\nBcc: v@example.org\","
                  "\"email\":\"e@example.com\"}", &err);
  CHECK(!eml && strstr(err.message, "line break"));
  /* A placeholder that is the whole option holds a list. */
  o.to = "{{list}}";
  eml = build(&o, "{\"id\":\"1\",\"list\":\"a@example.com, \\\"B, b\\\" "
                  "<b@example.com>\"}", &err);
  CHECK(eml && strstr(eml, "To: a@example.com, \"B, b\" <b@example.com>"));
  free(eml);
}

/* Reply-To, Bcc (no header), attachments and their names. */
static void test_headers_and_files(void) {
  put("A7.txt", "contract A7\n");
  char attach0[128], attach1[128];
  snprintf(attach0, sizeof attach0, "%s/{{id}}.txt", dir);
  snprintf(attach1, sizeof attach1, "%s/利用規約.pdf", dir);
  const char *attach[] = {attach0, attach1};
  lp_mail_options o = {0};
  o.eml = "out/{{id}}.eml";
  o.from = "letters@example.com";
  o.to = "{{email}}";
  o.reply_to = "Office, {{id}} <office@example.com>";
  o.bcc = "{{boss}}";
  o.subject = "s";
  o.attach = attach;
  o.nattach = 2;
  lp_error err = {0};
  char *eml = build(&o, "{\"id\":\"A7\",\"email\":\"a@example.com\","
                        "\"boss\":\"boss@example.com\"}", &err);
  CHECK(eml && strstr(eml, "Reply-To: \"Office, A7\" <office@example.com>"));
  CHECK(eml && !strstr(eml, "boss") && !strstr(eml, "Bcc"));
  CHECK(eml && strstr(eml, "Content-Type: text/plain; name=A7.txt") &&
        strstr(eml, "filename=A7.txt"));
  /* The letter and the common file: RFC 2047 name=, RFC 2231 filename*=. */
  const char *name = eml ? strstr(eml, "name=\"=?UTF-8?b?") : NULL;
  CHECK(name && strstr(name + 1, "name=\"=?UTF-8?b?") &&
        strstr(eml, "filename*=UTF-8''%E5%88%A9"));
  free(eml);
  eml = build(&o, "{\"id\":\"B8\",\"email\":\"b@example.com\","
                  "\"boss\":\"boss@example.com\"}", &err);
  CHECK(!eml && !strcmp(err.file, "--attach") && strstr(err.message, "B8.txt") &&
        strstr(err.message, "No such file"));
  eml = build(&o, "{\"id\":\"A7\",\"email\":\"a@example.com\","
                  "\"boss\":\"not an address\"}", &err);
  CHECK(!eml && !strcmp(err.file, "--bcc"));
}

/* A record the send log lists as sent keeps its .eml; the others do not. */
static void test_sent_kept(void) {
  char eml_name[128], log[128];
  snprintf(eml_name, sizeof eml_name, "%s/{{id}}.eml", dir);
  snprintf(log, sizeof log, "%s/log.csv", dir);
  char line[768];
  snprintf(line, sizeof line,
           "record,file,to,status,reply\n1,\"%s/K1.eml\",\"k@example.com\","
           "sending,\"\"\n1,\"%s/K1.eml\",\"k@example.com\",sent,\"250\"\n"
           "2,\"%s/K2.eml\",\"k@example.com\",failed,\"550\"\n"
           "3,\"%s/K3.eml\",\"k@example.com\",sending,\"\"\n",
           dir, dir, dir, dir);
  put("log.csv", line);
  const char *k1 = put("K1.eml", "as sent\r\n");
  const char *k2 = put("K2.eml", "as failed\r\n");
  const char *k3 = put("K3.eml", "maybe sent\r\n");
  const char *pdf = put("K.pdf", "%PDF-1.4 stand-in\n");
  lp_mail_options o = {0};
  o.eml = eml_name;
  o.from = "letters@example.com";
  o.to = "{{id}}@example.com";
  o.subject = "s";
  o.log = log;
  lp_error err = {0};
  lp_mail *m = lp_mail_new(&o, &err);
  CHECK(m != NULL);
  if (!m) return;
  lp_data *d1 = record("{\"id\":\"K1\"}"), *d2 = record("{\"id\":\"K2\"}");
  lp_data *d3 = record("{\"id\":\"K3\"}");
  CHECK(lp_mail_survey(m, 1, d1, true, &err) &&
        lp_mail_survey(m, 2, d2, true, &err) &&
        lp_mail_survey(m, 3, d3, true, &err));
  CHECK(lp_mail_letter(m, 1, d1, pdf, &err) &&
        lp_mail_letter(m, 2, d2, pdf, &err) &&
        lp_mail_letter(m, 3, d3, pdf, &err));
  lp_buf b = {0};
  CHECK(lp_read_file(k1, &b, &err) && b.len == 9 &&
        !memcmp(b.data, "as sent\r\n", 9));
  lp_buf_free(&b);
  CHECK(lp_read_file(k2, &b, &err) && b.len > 100);
  lp_buf_free(&b);
  /* Left "sending" by a killed run: the server may have it, so it is kept. */
  CHECK(lp_read_file(k3, &b, &err) && b.len == 12);
  lp_buf_free(&b);
  lp_data_free(d1);
  lp_data_free(d2);
  lp_data_free(d3);
  lp_mail_free(m);
}

int main(void) {
  setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
  snprintf(dir, sizeof dir, "/tmp/test_mail_XXXXXX");
  CHECK(mkdtemp(dir) != NULL);
  /* Each test makes and frees mail objects one after the other, as a
   * long-running program would: GLib's criticals (GMime set up again
   * after being shut down) abort. */
  g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  test_names();
  test_headers_and_files();
  test_sent_kept();
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CHECK(system(cmd) == 0);
  return CHECK_DONE();
}
