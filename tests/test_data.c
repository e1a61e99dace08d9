/* test_data.c - records from CSV: dotted names, lists by position, header
 * errors located at their column; --set on nested values and lists. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "data.h"
#include "util.h"

/* Reads every record of bytes (n of them) named name, as o says; returns
 * them as one compact JSON array (caller frees), or NULL with err. */
static char *read_with(const char *bytes, size_t n, const char *name,
                       const lp_records_options *o, lp_error *err) {
  lp_error_clear(err);
  lp_records *r = lp_records_open_memory_with(bytes, n, name, o, err);
  if (!r) return NULL;
  json_t *all = json_array();
  lp_data *rec;
  int got;
  while ((got = lp_records_next(r, &rec, err)) > 0) {
    json_array_append(all, rec->root);
    lp_data_free(rec);
  }
  lp_records_close(r);
  char *s = got < 0 ? NULL : json_dumps(all, JSON_COMPACT);
  json_decref(all);
  return s;
}
/* Reads every record of CSV text; returns them as one compact JSON array
 * (the caller frees it), or NULL with err filled. */
static char *csv_records(const char *csv, lp_error *err) {
  lp_records_options o = {.fmt = LP_DATA_CSV};
  return read_with(csv, strlen(csv), "t.csv", &o, err);
}

/* Whether csv reads as the records want (compact JSON, keys in header
 * order); prints what it got when not. */
static bool reads_as(const char *csv, const char *want) {
  lp_error err;
  char *got = csv_records(csv, &err);
  bool ok = got && !strcmp(got, want);
  if (!ok)
    fprintf(stderr, "  csv %s\n  want %s\n  got  %s (%s)\n", csv, want,
            got ? got : "NULL", err.message);
  free(got);
  return ok;
}

/* Whether csv fails at line 1, column col, with every one of the words (up
 * to 3, NULL-ended) in the message. */
static bool fails_at(const char *csv, int col, const char *w1,
                     const char *w2, const char *w3) {
  lp_error err;
  char *got = csv_records(csv, &err);
  const char *words[] = {w1, w2, w3};
  bool ok = !got && err.code == LP_ERR_INPUT && err.line == 1 &&
            err.column == col && !strcmp(err.file, "t.csv");
  for (int k = 0; k < 3 && ok; k++) ok = !words[k] || strstr(err.message, words[k]);
  if (!ok)
    fprintf(stderr, "  csv %s\n  want 1:%d (%s)\n  got %s %d:%d: %s\n", csv,
            col, w1, got ? got : "", err.line, err.column, err.message);
  free(got);
  return ok;
}

/* The compact JSON of a record after --set key=value (NULL if it fails). */
static char *after_set(const char *json, const char *key, const char *value,
                       lp_error *err) {
  lp_data *d = lp_data_parse_json(json, strlen(json), "d.json", err);
  char *s = d && lp_data_set(d, key, value, err)
                ? json_dumps(d->root, JSON_COMPACT)
                : NULL;
  lp_data_free(d);
  return s;
}

static bool set_gives(const char *json, const char *key, const char *value,
                      const char *want) {
  lp_error err = {0};
  char *got = after_set(json, key, value, &err);
  bool ok = got && !strcmp(got, want);
  if (!ok)
    fprintf(stderr, "  %s with %s=%s\n  want %s\n  got  %s (%s)\n", json,
            key, value, want, got ? got : "NULL", err.message);
  free(got);
  return ok;
}

static bool set_fails(const char *json, const char *key, const char *word) {
  lp_error err = {0};
  char *got = after_set(json, key, "v", &err);
  bool ok = !got && err.code == LP_ERR_INPUT && strstr(err.message, word);
  if (!ok)
    fprintf(stderr, "  %s with %s: want an error with '%s', got %s (%s)\n",
            json, key, word, got ? got : "NULL", err.message);
  free(got);
  return ok;
}


/* Whether bytes read as o says give want; prints what they gave if not. */
static bool bytes_read_as(const char *bytes, size_t n, const char *name,
                          lp_data_format fmt, const char *encoding,
                          const char *want) {
  lp_records_options o = {.fmt = fmt, .encoding = encoding};
  lp_error err;
  char *got = read_with(bytes, n, name, &o, &err);
  bool ok = got && !strcmp(got, want);
  if (!ok)
    fprintf(stderr, "  %s (%s)\n  want %s\n  got  %s (%s)\n", name,
            encoding ? encoding : "-", want, got ? got : "NULL", err.message);
  free(got);
  return ok;
}

/* Data as spreadsheets save it: encodings, delimiters, Excel's booleans
 * and stray columns; JSON numbers as written. */
static void spreadsheets(void) {
  lp_error err;
  const char *want_cn = "[{\"姓名\":\"张三\",\"金额\":\"1,250.00\"}]";
  /* UTF-8 with a BOM: CSV, and JSON (once rejected). */
  const char u8bom[] = "\xEF\xBB\xBF姓名,金额\r\n张三,\"1,250.00\"\r\n";
  CHECK(bytes_read_as(u8bom, sizeof u8bom - 1, "t.csv", LP_DATA_AUTO, NULL,
                      want_cn));
  const char jbom[] = "\xEF\xBB\xBF{\"姓名\":\"张三\",\"金额\":\"1,250.00\"}";
  CHECK(bytes_read_as(jbom, sizeof jbom - 1, "t.json", LP_DATA_AUTO, NULL,
                      want_cn));
  /* UTF-16 LE and BE with their BOM (Excel's "Unicode text": tabs). */
  const char u16le[] = "\xFF\xFE\xD3\x59\x0D\x54\t\x00\xD1\x91\x9D\x98\r\x00\n"
                       "\x00\x20\x5F\x09\x4E\t\x00\x31\x00\r\x00\n\x00";
  CHECK(bytes_read_as(u16le, sizeof u16le - 1, "t.txt", LP_DATA_AUTO, NULL,
                      "[{\"姓名\":\"张三\",\"金额\":\"1\"}]"));
  const char u16be[] = "\xFE\xFF\x59\xD3\x54\x0D\x00,\x91\xD1\x98\x9D\x00\n"
                       "\x5F\x20\x4E\x09\x00,\x00\x31\x00\n";
  CHECK(bytes_read_as(u16be, sizeof u16be - 1, "t.csv", LP_DATA_AUTO, NULL,
                      "[{\"姓名\":\"张三\",\"金额\":\"1\"}]"));
  /* GB18030 (GBK), Shift_JIS, Big5, EUC-KR through --encoding. */
  const char gbk[] = "\xD0\xD5\xC3\xFB,\xBD\xF0\xB6\xEE\r\n\xD5\xC5\xC8\xFD,"
                     "\"1,250.00\"\r\n";
  CHECK(bytes_read_as(gbk, sizeof gbk - 1, "t.csv", LP_DATA_AUTO, "GB18030",
                      want_cn));
  CHECK(bytes_read_as(gbk, sizeof gbk - 1, "t.csv", LP_DATA_AUTO, "GBK",
                      want_cn));
  const char sjis[] = "\x96\xBC\x91\x4F\r\n\x8E\x52\x93\x63\r\n";
  CHECK(bytes_read_as(sjis, sizeof sjis - 1, "t.csv", LP_DATA_AUTO,
                      "Shift_JIS", "[{\"名前\":\"山田\"}]"));
  CHECK(bytes_read_as(sjis, sizeof sjis - 1, "t.csv", LP_DATA_AUTO, "CP932",
                      "[{\"名前\":\"山田\"}]"));
  const char big5[] = "\xA9\x6D\xA6\x57\r\n\xB3\xAF\r\n";
  CHECK(bytes_read_as(big5, sizeof big5 - 1, "t.csv", LP_DATA_AUTO, "Big5",
                      "[{\"姓名\":\"陳\"}]"));
  const char euckr[] = "\xC0\xCC\xB8\xA7\r\n\xB1\xE8\r\n";
  CHECK(bytes_read_as(euckr, sizeof euckr - 1, "t.csv", LP_DATA_AUTO,
                      "EUC-KR", "[{\"이름\":\"김\"}]"));
  CHECK(bytes_read_as(euckr, sizeof euckr - 1, "t.csv", LP_DATA_AUTO,
                      "CP949", "[{\"이름\":\"김\"}]"));
  /* JSON Lines converted too. */
  const char jl[] = "{\"n\":\"\xD5\xC5\xC8\xFD\"}\n{\"n\":2.50}\n";
  CHECK(bytes_read_as(jl, sizeof jl - 1, "t.jsonl", LP_DATA_AUTO, "GB18030",
                      "[{\"n\":\"张三\"},{\"n\":\"2.50\"}]"));

  /* Not UTF-8, no --encoding: the error names the likely encoding and the
   * option; the header is "the header", not "record 0". */
  lp_records_options plain = {0};
  char *got = read_with(gbk, sizeof gbk - 1, "pay.csv", &plain, &err);
  CHECK(!got && err.code == LP_ERR_INPUT && !strcmp(err.file, "pay.csv") &&
        err.line == 1 && strstr(err.message, "not UTF-8") &&
        strstr(err.message, "GB18030") &&
        strstr(err.message, "--encoding") && !strstr(err.message, "record 0"));
  free(got);
  /* Bytes past the first look: the cell's record, or the header. */
  lp_buf big = {0};
  lp_buf_puts(&big, "name\n");
  for (int i = 0; i < 10000; i++) lp_buf_puts(&big, "abcdefghij\n");
  lp_buf_puts(&big, "\xD5\xC5\xC8\xFD\xB7\xA2\xB3\xF6\n");
  got = read_with((char *)big.data, big.len, "pay.csv", &plain, &err);
  CHECK(!got && err.line == 10002 && strstr(err.message, "record 10001") &&
        strstr(err.message, "--encoding"));
  free(got);
  lp_buf_free(&big);
  lp_buf_puts(&big, "");
  for (int i = 0; i < 10000; i++) lp_buf_puts(&big, "{\"a\": \"bcdefghij\"}\n");
  lp_buf_puts(&big, "{\"a\": \"\xD5\xC5\xC8\xFD\"}\n");
  got = read_with((char *)big.data, big.len, "pay.jsonl", &plain, &err);
  CHECK(!got && err.line == 10001 && err.column == 8 &&
        strstr(err.message, "record 10001") && strstr(err.message, "not UTF-8") &&
        strstr(err.message, "--encoding"));
  free(got);
  lp_buf_free(&big);
  /* A wrong --encoding stops at the bytes it does not allow, on their
   * line, and prints no replacement characters. */
  const char bad_sjis[] = "name\r\nok\r\n\x82\xFF\r\n";
  lp_records_options sj = {.encoding = "Shift_JIS"};
  got = read_with(bad_sjis, sizeof bad_sjis - 1, "t.csv", &sj, &err);
  if (got || err.line != 3) fprintf(stderr, "  %d: %s\n", err.line, err.message);
  CHECK(!got && err.line == 3 && strstr(err.message, "Shift_JIS") &&
        strstr(err.message, "--encoding"));
  free(got);
  lp_records_options nosuch = {.encoding = "no-such-encoding"};
  got = read_with("a\n1\n", 4, "t.csv", &nosuch, &err);
  CHECK(!got && strstr(err.message, "no-such-encoding"));
  free(got);

  /* Delimiters: ; and tab found in the header line; .tsv; --delimiter. */
  CHECK(reads_as("name;amount\nA;\"1,50\"\n",
                 "[{\"name\":\"A\",\"amount\":\"1,50\"}]"));
  CHECK(reads_as("name\tnote\nA\ta, b; c\n",
                 "[{\"name\":\"A\",\"note\":\"a, b; c\"}]"));
  CHECK(reads_as("\"a;b\",c\n1,2\n", "[{\"a;b\":\"1\",\"c\":\"2\"}]"));
  CHECK(bytes_read_as("a,b\tc\n1,2\t3\n", 12, "t.tsv", LP_DATA_AUTO, NULL,
                      "[{\"a,b\":\"1,2\",\"c\":\"3\"}]"));
  lp_records_options semi = {.fmt = LP_DATA_CSV, .delimiter = ';'};
  got = read_with("a,b;c\n1,2;3\n", 12, "t.csv", &semi, &err);
  CHECK_STR(got, "[{\"a,b\":\"1,2\",\"c\":\"3\"}]");
  free(got);
  /* Header errors are located with the file's own delimiter. */
  CHECK(fails_at("name;name\n1;2\n", 6, "both named", NULL, NULL));

  /* Excel's booleans; anything else stays text. */
  CHECK(reads_as("a,b,c,d,e,f,g\nTRUE,FALSE,True,False,true,false,FaLsE\n",
                 "[{\"a\":true,\"b\":false,\"c\":true,\"d\":false,\"e\":true,"
                 "\"f\":false,\"g\":\"FaLsE\"}]"));

  /* Trailing empty header cells, and their empty cells, are dropped. */
  CHECK(reads_as("name,amount,,\r\nA,1,,\r\nB,2\r\n",
                 "[{\"name\":\"A\",\"amount\":\"1\"},"
                 "{\"name\":\"B\",\"amount\":\"2\"}]"));
  got = csv_records("name,,\nA,,x\n", &err);
  CHECK(!got && err.line == 2 && strstr(err.message, "3 cells"));
  free(got);
  CHECK(fails_at("name,,amount\n", 6, "column 2", NULL, NULL));

  /* JSON numbers keep their text, nested too; errors keep their place. */
  const char *nums = "{\"a\": 12.50, \"b\": [1e3, {\"c\": 1000.0}], "
                     "\"s\": \"-1.0 \\\"2\\\"\", \"d\": -0.10, \"e\": 2E+2, "
                     "\"t\": true, \"n\": null, \"z\": 0}";
  lp_data *d = lp_data_parse_json(nums, strlen(nums), "n.json", &err);
  char *txt = d ? json_dumps(d->root, JSON_COMPACT) : NULL;
  CHECK_STR(txt, "{\"a\":\"12.50\",\"b\":[\"1e3\",{\"c\":\"1000.0\"}],"
                 "\"s\":\"-1.0 \\\"2\\\"\",\"d\":\"-0.10\",\"e\":\"2E+2\","
                 "\"t\":true,\"n\":null,\"z\":\"0\"}");
  free(txt);
  char *a = d ? lp_data_text(lp_data_lookup(d, "a")) : NULL;
  CHECK_STR(a, "12.50");
  free(a);
  lp_data_free(d);
  d = lp_data_parse_json("{\"a\": 1,\n \"b\": 1.2.3}", 22, "n.json", &err);
  CHECK(!d && err.line == 2 && err.column > 1);
  CHECK(bytes_read_as("[{\"x\":0.10},{\"x\":1.0}]", 22, "t.json",
                      LP_DATA_AUTO, NULL, "[{\"x\":\"0.10\"},{\"x\":\"1.0\"}]"));

  /* An empty JSON file names itself. */
  got = read_with("", 0, "e.json", &plain, &err);
  CHECK(!got && !strcmp(err.file, "e.json") && strstr(err.message, "empty"));
  free(got);
}

/* Reads text, skipping the records whose bit in `skip` is set (bit k-1
 * for record k) and reading the others; writes "k:id@line," for each read
 * record to out.  Returns the count, or -1 on error. */
static int read_skipping(const char *text, lp_data_format fmt, unsigned skip,
                         char *out, size_t size) {
  lp_error err = {0};
  lp_records *r = lp_records_open_memory(text, strlen(text), "t", fmt, &err);
  if (!r) return -1;
  out[0] = '\0';
  int got;
  for (;;) {
    size_t k = lp_records_count(r) + 1;
    lp_data *rec = NULL;
    got = (skip >> (k - 1)) & 1 ? lp_records_skip(r, &err)
                                : lp_records_next(r, &rec, &err);
    if (got <= 0) break;
    if (!rec) continue;
    char *id = lp_data_text(lp_data_lookup(rec, "id"));
    size_t n = strlen(out);
    snprintf(out + n, size - n, "%zu:%s@%d,", k, id, lp_records_line(r));
    free(id);
    lp_data_free(rec);
  }
  int count = got < 0 ? -1 : (int)lp_records_count(r);
  lp_records_close(r);
  return count;
}

/* Skipping a record (a shard's other records) counts records and lines as
 * reading it does, whatever is skipped: quoted line breaks, "" quotes,
 * blank lines, CRLF, a bare CR, no final line break; a JSON Lines record
 * is skipped without being parsed. */
static void test_skip(void) {
  const char *csv =
      "id,note\r\n"
      "1,\"two\r\nlines, and \"\"quotes\"\"\"\r\n"
      "\r\n"
      "2,plain\r\n"
      "3,\"a,b\"\n"
      "4,x\r5,bare CR\n"
      "6,\"\"\"\"\n"
      "7,last";
  char all[512], some[512];
  CHECK(read_skipping(csv, LP_DATA_CSV, 0, all, sizeof all) == 7);
  CHECK(!strcmp(all, "1:1@2,2:2@5,3:3@6,4:4@7,5:5@7,6:6@8,7:7@9,"));
  for (unsigned skip = 1; skip < 128; skip++) {
    int n = read_skipping(csv, LP_DATA_CSV, skip, some, sizeof some);
    /* what is read is what reading everything gives for those records */
    bool same = n == 7;
    for (char *p = some; same && *p; p = strchr(p, ',') + 1) {
      size_t len = (size_t)(strchr(p, ',') - p) + 1;
      char item[64];
      snprintf(item, sizeof item, "%.*s", (int)len, p);
      same = strstr(all, item) != NULL;
    }
    if (!same) {
      CHECK(same);
      break;
    }
  }
  const char *jl = "{\"id\":\"a\"}\n\n{not json\n{\"id\":\"c\"}\n";
  CHECK(read_skipping(jl, LP_DATA_JSONL, 2, some, sizeof some) == 3 &&
        !strcmp(some, "1:a@1,3:c@4,"));
  CHECK(read_skipping(jl, LP_DATA_JSONL, 0, some, sizeof some) == -1);
  const char *js = "[{\"id\":\"a\"},{\"id\":\"b\"},{\"id\":\"c\"}]";
  CHECK(read_skipping(js, LP_DATA_JSON, 5, some, sizeof some) == 3 &&
        !strcmp(some, "2:b@0,"));
  /* A quote inside an unquoted cell: an error when read, and when
   * skipped too (libcsv reads both; the shard that skips the row fails
   * where the one that reads it does, instead of reading on). */
  CHECK(read_skipping("id\n5\" screen\n2\n", LP_DATA_CSV, 0, some,
                      sizeof some) == -1);
  CHECK(read_skipping("id\n5\" screen\n2\n", LP_DATA_CSV, 1, some,
                      sizeof some) == -1);
  CHECK(read_skipping("id\na\"b\n2\n", LP_DATA_CSV, 1, some, sizeof some) ==
        -1);
  /* A quoted cell never closed, in a skipped row: an error, as reading. */
  CHECK(read_skipping("id\n\"1\n2\n", LP_DATA_CSV, 1, some, sizeof some) ==
        -1);
}

/* The record made of only some values: what reading it whole gives for
 * those values, nothing else; a JSON Lines line that is not a plain
 * object is read whole. */
static void test_next_only(void) {
  const char *jl =
      "{\"id\": 12.50, \"skip\": {\"a\": [1, \"}]\\\"\", {\"b\": null}]},"
      " \"customer\": {\"id\": \"C-1\", \"name\": \"\u674e\"}, \"n\": 1e3}\n"
      "{\"c\\u0075stomer\": {\"id\": \"esc\"}, \"id\": \"2\"}\n"
      "{\"id\": \"3\", \"bad\": [1, }\n";
  const char *only[] = {"customer.id", "id"};
  lp_error err = {0};
  lp_records *r = lp_records_open_memory(jl, strlen(jl), "t.jsonl",
                                         LP_DATA_JSONL, &err);
  lp_data *rec = NULL;
  CHECK(lp_records_next_only(r, only, 2, &rec, &err) == 1);
  char *dump = rec ? json_dumps(rec->root, JSON_COMPACT) : NULL;
  CHECK(dump && !strcmp(dump, "{\"id\":\"12.50\",\"customer\":{\"id\":"
                              "\"C-1\",\"name\":\"\u674e\"}}"));
  free(dump);
  lp_data_free(rec);
  /* An escaped key: the line is parsed whole (c\u0075stomer is customer). */
  CHECK(lp_records_next_only(r, only, 2, &rec, &err) == 1);
  char *id = rec ? lp_data_text(lp_data_lookup(rec, "customer.id")) : NULL;
  CHECK(id && !strcmp(id, "esc") && json_object_size(rec->root) == 2);
  free(id);
  lp_data_free(rec);
  /* Bad JSON is an error when the line is read whole. */
  CHECK(lp_records_next_only(r, only, 2, &rec, &err) == -1 &&
        strstr(err.message, "bad JSON"));
  lp_records_close(r);
  /* A repeated key inside a kept value fails here as when read whole. */
  const char *dup = "{\"customer\": {\"id\": \"a\", \"id\": \"b\"}, \"id\": \"1\"}\n";
  r = lp_records_open_memory(dup, strlen(dup), "t.jsonl", LP_DATA_JSONL, &err);
  CHECK(lp_records_next_only(r, only, 2, &rec, &err) == -1);
  lp_data_free(rec);
  lp_records_close(r);
  const char *csv = "id,customer.id,customer.name,other\n1,C-1,Li,x\n";
  r = lp_records_open_memory(csv, strlen(csv), "t.csv", LP_DATA_CSV, &err);
  CHECK(lp_records_next_only(r, only, 2, &rec, &err) == 1);
  dump = rec ? json_dumps(rec->root, JSON_COMPACT) : NULL;
  CHECK(dump && !strcmp(dump, "{\"id\":\"1\",\"customer\":{\"id\":\"C-1\","
                              "\"name\":\"Li\"}}"));
  free(dump);
  lp_data_free(rec);
  lp_records_close(r);
}

int main(void) {
  test_skip();
  test_next_only();
  /* Dotted names make objects, as before; cells are strings, except true
   * and false. */
  CHECK(reads_as("id,customer.name,customer.vip\n7,Li,true\n",
                 "[{\"id\":\"7\",\"customer\":{\"name\":\"Li\","
                 "\"vip\":true}}]"));
  /* A first part that is a number is a name: a record is an object. */
  CHECK(reads_as("2024,a.b\nx,y\n", "[{\"2024\":\"x\",\"a\":{\"b\":\"y\"}}]"));

  /* Lists of objects and of scalars. */
  CHECK(reads_as("id,items.1.name,items.1.qty,items.2.name,items.2.qty\n"
                 "1,pen,2,ink,1\n",
                 "[{\"id\":\"1\",\"items\":[{\"name\":\"pen\",\"qty\":\"2\"},"
                 "{\"name\":\"ink\",\"qty\":\"1\"}]}]"));
  CHECK(reads_as("tags.1,tags.2,tags.3\na,b,c\n",
                 "[{\"tags\":[\"a\",\"b\",\"c\"]}]"));
  /* Positions order the items numerically, whatever the column order;
   * gaps are fine. */
  CHECK(reads_as("t.10,t.2,t.1,t.7\nten,two,one,seven\n",
                 "[{\"t\":[\"one\",\"two\",\"seven\",\"ten\"]}]"));
  CHECK(reads_as("items.2.b,items.10.a,items.1.a,items.2.a\nB2,A10,A1,A2\n",
                 "[{\"items\":[{\"a\":\"A1\"},{\"b\":\"B2\",\"a\":\"A2\"},"
                 "{\"a\":\"A10\"}]}]"));

  /* An item whose cells are all empty is left out (records with fewer
   * items share the columns); an empty cell in a kept item stays "". */
  CHECK(reads_as("id,items.1.name,items.1.note,items.2.name,items.2.note\n"
                 "1,pen,,ink,x\n"
                 "2,pen,,,\n"
                 "3,,,,\n"
                 "4,,,ink,\n",
                 "[{\"id\":\"1\",\"items\":[{\"name\":\"pen\",\"note\":\"\"},"
                 "{\"name\":\"ink\",\"note\":\"x\"}]},"
                 "{\"id\":\"2\",\"items\":[{\"name\":\"pen\",\"note\":\"\"}]},"
                 "{\"id\":\"3\",\"items\":[]},"
                 "{\"id\":\"4\",\"items\":[{\"name\":\"ink\",\"note\":\"\"}]}]"));
  CHECK(reads_as("tags.1,tags.2,tags.3\n,b,\nfalse,,\n",
                 "[{\"tags\":[\"b\"]},{\"tags\":[false]}]"));
  /* A space is not empty (spaces are data). */
  CHECK(reads_as("tags.1,tags.2\n\" \",\n", "[{\"tags\":[\" \"]}]"));
  /* Lists in items, objects in lists in objects. */
  CHECK(reads_as("o.1.lines.1.sku,o.1.lines.2.sku,o.2.lines.1.sku,o.2.id\n"
                 "A,B,,\n",
                 "[{\"o\":[{\"lines\":[{\"sku\":\"A\"},{\"sku\":\"B\"}]}]}]"));
  CHECK(reads_as("a.b.1,a.b.2,a.c\nx,,y\n",
                 "[{\"a\":{\"b\":[\"x\"],\"c\":\"y\"}}]"));
  /* A header name may hold a (quoted) line break. */
  CHECK(reads_as("\"a\nb\",items.1\nx,y\n",
                 "[{\"a\\nb\":\"x\",\"items\":[\"y\"]}]"));

  /* Header errors: located at the offending column (line 1, column in
   * characters), naming both columns and what to do. */
  CHECK(fails_at("id,items.1,items.name\n1,a,b\n", 12,
                 "columns 2 ('items.1') and 3 ('items.name')",
                 "both a list and an object", "number every column"));
  CHECK(fails_at("id,items.x,items.1\n1,a,b\n", 12,
                 "columns 2 ('items.x') and 3 ('items.1')",
                 "both an object and a list", NULL));
  CHECK(fails_at("items.1.name,items.name.1\n", 14, "'items'", "both", NULL));
  CHECK(fails_at("customer,customer.name\n", 10,
                 "columns 1 ('customer') and 2 ('customer.name')",
                 "both a value and", "rename"));
  CHECK(fails_at("tags.1.name,tags.1\n", 13, "'tags.1'", "both a value",
                 NULL));
  /* Columns count characters, after a BOM, quotes and spaces. */
  CHECK(fails_at("\xEF\xBB\xBF\"名字\", items.1 ,items.name\n", 16,
                 "'items.1'", "'items.name'", NULL));
  CHECK(fails_at("\"a,\"\"b\",items.1,items.name\n", 17, "items.name", NULL,
                 NULL));
  {
    lp_error err;
    char *got = csv_records("\"a\nb\",items.1,items.x\n", &err);
    CHECK(!got && err.line == 2 && err.column == 12);
    free(got);
  }
  /* Numbers: plain, from 1, at most LP_DATA_MAX_POSITION. */
  CHECK(fails_at("id,items.01.name\n", 4, "column 2", "'items.01.name'",
                 "leading zeros"));
  CHECK(fails_at("id,tags.0\n", 4, "tags.0", "count from 1", NULL));
  CHECK(fails_at("id,tags.1001\n", 4, "tags.1001", "at most 1000", NULL));
  /* At most LP_DATA_MAX_COLUMNS columns: the error is at the first one too
   * many ("c00000," is 7 characters a column). */
  {
    lp_buf wide = {0};
    for (int i = 0; i <= LP_DATA_MAX_COLUMNS; i++)
      lp_buf_printf(&wide, "%sc%05d", i ? "," : "", i);
    lp_buf_puts(&wide, "\n");
    CHECK(fails_at((char *)wide.data, 7 * LP_DATA_MAX_COLUMNS + 1,
                   "16385 columns", "at most 16384", NULL));
    lp_buf_free(&wide);
  }
  CHECK(fails_at("id,tags.99999999999999999999999\n", 4, "at most 1000",
                 NULL, NULL));
  CHECK(fails_at("id,tags.1a\n", 4, "tags.1a", "starts with a digit",
                 "start a name with a letter"));
  CHECK(reads_as("tags.1000,tags.999\na,b\n", "[{\"tags\":[\"b\",\"a\"]}]"));
  CHECK(reads_as("t.a1,t.-1\nx,y\n", "[{\"t\":{\"a1\":\"x\",\"-1\":\"y\"}}]"));
  /* Names too deep, and the older header errors, are located too. */
  {
    char deep[400] = "id,a";
    for (int k = 0; k < LP_DATA_MAX_PARTS; k++) strcat(deep, ".b");
    strcat(deep, "\n");
    CHECK(fails_at(deep, 4, "column 2", "at most 64", NULL));
  }
  CHECK(fails_at("id,a,id\n", 6, "columns 1 and 3", "both named 'id'", NULL));
  CHECK(fails_at("id,a..b\n", 4, "column 2", NULL, NULL));

  /* A bad header fails every call, not just the first. */
  {
    lp_error err;
    const char *csv = "id,items.1,items.name\n1,a,b\n2,c,d\n";
    lp_records *r =
        lp_records_open_memory(csv, strlen(csv), "t.csv", LP_DATA_CSV, &err);
    lp_data *rec = NULL;
    CHECK(r && lp_records_next(r, &rec, &err) == -1 && !rec);
    lp_error_clear(&err);
    CHECK(r && lp_records_next(r, &rec, &err) == -1 && !rec &&
          err.column == 12 && strstr(err.message, "items.name"));
    lp_records_close(r);
  }

  /* JSON and JSON Lines are read as written: a member named "1" stays a
   * member. */
  {
    lp_error err;
    const char *jl = "{\"items\":{\"1\":{\"name\":\"x\"}}}\n";
    lp_records *r =
        lp_records_open_memory(jl, strlen(jl), "t.jsonl", LP_DATA_AUTO, &err);
    lp_data *rec = NULL;
    CHECK(r && lp_records_next(r, &rec, &err) == 1);
    json_t *v = rec ? lp_data_lookup(rec, "items.1.name") : NULL;
    CHECK(json_is_string(v) && !strcmp(json_string_value(v), "x"));
    lp_data_free(rec);
    lp_records_close(r);
  }

  /* Looking up by position: lists from 1, objects by name. */
  {
    lp_error err;
    const char *j = "{\"items\":[{\"name\":\"a\"},{\"name\":\"b\"}],"
                    "\"o\":{\"1\":\"one\"}}";
    lp_data *d = lp_data_parse_json(j, strlen(j), "d.json", &err);
    CHECK(d != NULL);
    json_t *v = lp_data_lookup(d, "items.2.name");
    CHECK(json_is_string(v) && !strcmp(json_string_value(v), "b"));
    v = lp_data_lookup(d, "o.1");
    CHECK(json_is_string(v) && !strcmp(json_string_value(v), "one"));
    CHECK(lp_data_lookup(d, "items.3.name") == NULL);
    CHECK(lp_data_lookup(d, "items.0.name") == NULL);
    CHECK(lp_data_lookup(d, "items.02.name") == NULL);
    CHECK(lp_data_lookup(d, "items.x") == NULL);
    lp_data_free(d);
  }

  /* --set follows the record: a position enters a list (1 to its size, or
   * size + 1 to add an item); in an object a number is a member's name;
   * where nothing is, a position makes a list, as in a CSV header. */
  const char *two = "{\"items\":[{\"name\":\"a\"},{\"name\":\"b\"}]}";
  CHECK(set_gives(two, "items.1.name", "X",
                  "{\"items\":[{\"name\":\"X\"},{\"name\":\"b\"}]}"));
  CHECK(set_gives(two, "items.2.qty", "3",
                  "{\"items\":[{\"name\":\"a\"},{\"name\":\"b\",\"qty\":\"3\"}]}"));
  CHECK(set_gives(two, "items.3.name", "c",
                  "{\"items\":[{\"name\":\"a\"},{\"name\":\"b\"},"
                  "{\"name\":\"c\"}]}"));
  CHECK(set_gives(two, "items.2", "z", "{\"items\":[{\"name\":\"a\"},\"z\"]}"));
  CHECK(set_gives(two, "items", "none", "{\"items\":\"none\"}"));
  CHECK(set_fails(two, "items.4.name", "list of 2 items"));
  CHECK(set_fails(two, "items.name", "by its position, 1 to 2 (items.1)"));
  CHECK(set_fails(two, "items.0.name", "items is a list"));
  CHECK(set_fails("{\"items\":[]}", "items.2", "empty list"));
  CHECK(set_gives("{\"items\":[]}", "items.1.name", "a",
                  "{\"items\":[{\"name\":\"a\"}]}"));
  CHECK(set_gives("{}", "tags.1", "a", "{\"tags\":[\"a\"]}"));
  CHECK(set_gives("{\"tags\":[\"a\"]}", "tags.2", "b",
                  "{\"tags\":[\"a\",\"b\"]}"));
  CHECK(set_gives("{}", "a.b.1.c", "x", "{\"a\":{\"b\":[{\"c\":\"x\"}]}}"));
  CHECK(set_fails("{}", "tags.2", "empty list"));
  CHECK(set_fails("{}", "tags.01", "leading zeros"));
  CHECK(set_fails("{}", "tags.1001", "at most 1000"));
  CHECK(set_gives("{\"r\":{\"2024\":\"1\"}}", "r.2024", "2",
                  "{\"r\":{\"2024\":\"2\"}}"));
  CHECK(set_gives("{\"a\":\"text\"}", "a.b", "x", "{\"a\":{\"b\":\"x\"}}"));
  CHECK(set_gives("{}", "2024", "x", "{\"2024\":\"x\"}"));
  CHECK(set_fails("{}", "a..b", "not a name"));

  /* --set on a record read from CSV: the list it made. */
  {
    lp_error err;
    const char *csv = "items.1.name,items.2.name\na,\n";
    lp_records *r =
        lp_records_open_memory(csv, strlen(csv), "t.csv", LP_DATA_CSV, &err);
    lp_data *rec = NULL;
    CHECK(r && lp_records_next(r, &rec, &err) == 1);
    CHECK(rec && lp_data_set(rec, "items.1.name", "X", &err) &&
          lp_data_set(rec, "items.2.name", "Y", &err));
    char *s = rec ? json_dumps(rec->root, JSON_COMPACT) : NULL;
    CHECK_STR(s, "{\"items\":[{\"name\":\"X\"},{\"name\":\"Y\"}]}");
    free(s);
    lp_data_free(rec);
    lp_records_close(r);
  }
  spreadsheets();
  return CHECK_DONE();
}
