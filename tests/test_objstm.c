/* test_objstm.c - packing objects of a saved PDF into object streams: the
 * cross-reference stream points at every object where it now is (in the
 * file, or in an object stream at its index), the object stream holds the
 * packed objects' text, the rest is copied byte for byte, and what the
 * pass cannot handle (an encrypted file, a stream object, an unknown
 * object) is an error that leaves the file as it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "check.h"
#include "objstm.h"

/* Objects 1..5 as libharu writes them; 3 is a stream. */
static const char *const bodies[] = {
    NULL,
    "<<\n/Type /Catalog\n/Pages 2 0 R\n/StructTreeRoot 4 0 R\n>>",
    "<<\n/Type /Pages\n/Kids [ ]\n/Count 0\n>>",
    "<<\n/Length 5\n>>\nstream\nhello\nendstream",
    "<<\n/Type /StructTreeRoot\n/K 5 0 R\n>>",
    "<<\n/S /P\n/P 4 0 R\n/Alt (a \\(b\\))\n>>",
};
#define NOBJ 6

/* A classic-xref PDF of bodies after prefix (bytes that are not part of
 * the PDF, as when a caller appends to a buffer), with the trailer
 * entries extra. */
static lp_buf make_pdf(const char *prefix, const char *extra) {
  lp_buf b = {0};
  lp_buf_puts(&b, prefix);
  size_t base = b.len, off[NOBJ] = {0};
  lp_buf_puts(&b, "%PDF-1.4\n%\xb7\xbe\xad\xaa\n");
  for (int i = 1; i < NOBJ; i++) {
    off[i] = b.len - base;
    lp_buf_printf(&b, "%d 0 obj\n%s\nendobj\n", i, bodies[i]);
  }
  size_t xref = b.len - base;
  lp_buf_printf(&b, "xref\n0 %d\n0000000000 65535 f\r\n", NOBJ);
  for (int i = 1; i < NOBJ; i++) lp_buf_printf(&b, "%010zu 00000 n\r\n", off[i]);
  lp_buf_printf(&b, "trailer\n<<\n/Root 1 0 R\n%s/Size %d\n>>\nstartxref\n%zu\n%%%%EOF\n",
                extra, NOBJ, xref);
  return b;
}

/* The decompressed data of the stream whose dictionary holds key, in
 * pdf; its dictionary text in dict (cap bytes). */
static unsigned char *stream_data(const char *pdf, size_t len, const char *key,
                                  char *dict, size_t cap, size_t *n) {
  /* Compressed data holds NULs: search bytes, not strings. */
  const char *k = memmem(pdf, len, key, strlen(key));
  if (!k) return NULL;
  const char *open = k;
  while (open > pdf && strncmp(open, "<<", 2)) open--;
  size_t rest = len - (size_t)(k - pdf);
  const char *s = memmem(k, rest, ">>\nstream\n", 10);
  const char *l = memmem(k, rest, "/Length ", 8);
  if (!s || !l) return NULL;
  snprintf(dict, cap, "%.*s", (int)(s + 2 - open), open);
  size_t zlen = strtoul(l + 8, NULL, 10);
  s += strlen(">>\nstream\n");
  if ((size_t)(s - pdf) + zlen > len) return NULL;
  uLongf out = 1 << 16;
  unsigned char *data = malloc(out);
  if (uncompress(data, &out, (const unsigned char *)s, zlen) != Z_OK) {
    free(data);
    return NULL;
  }
  *n = out;
  return data;
}

/* Reads entry i of a cross-reference stream with field widths w. */
static void entry(const unsigned char *rows, const int w[3], int i,
                  size_t f[3]) {
  const unsigned char *p = rows + (size_t)i * (size_t)(w[0] + w[1] + w[2]);
  for (int k = 0; k < 3; k++) {
    f[k] = 0;
    for (int j = 0; j < w[k]; j++) f[k] = f[k] << 8 | *p++;
  }
}

static void test_pack(void) {
  const char *prefix = "earlier bytes";
  lp_buf b = make_pdf(prefix, "/ID [ <00> <00> ]\n");
  size_t start = strlen(prefix);
  lp_error err = {0};
  const uint32_t ids[] = {4, 5};
  CHECK(lp_objstm_pack(&b, start, ids, 2, &err));
  const char *pdf = (const char *)b.data + start;
  size_t len = b.len - start;
  CHECK(!strncmp((const char *)b.data, prefix, start));
  CHECK(!strncmp(pdf, "%PDF-1.5\n", 9)); /* object streams: 1.5 */
  CHECK(strstr(pdf, "1 0 obj\n<<\n/Type /Catalog") != NULL);
  CHECK(strstr(pdf, "3 0 obj\n<<\n/Length 5\n>>\nstream\nhello") != NULL);
  CHECK(!memmem(pdf, len, "4 0 obj", 7) && !memmem(pdf, len, "5 0 obj", 7));
  CHECK(!memmem(pdf, len, "\nxref", 5) && !memmem(pdf, len, "trailer", 7));
  char dict[256];
  size_t n = 0;
  unsigned char *objs = stream_data(pdf, len, "/Type /ObjStm", dict, sizeof dict, &n);
  CHECK(objs && strstr(dict, "/N 2") && strstr(dict, "/First "));
  if (objs) {
    size_t first = strtoul(strstr(dict, "/First ") + 7, NULL, 10);
    unsigned a, oa, c, oc;
    CHECK(sscanf((char *)objs, "%u %u %u %u", &a, &oa, &c, &oc) == 4);
    CHECK(a == 4 && c == 5 && oa == 0);
    CHECK(first + oc < n &&
          !strncmp((char *)objs + first + oc, bodies[5], strlen(bodies[5])));
    CHECK(!strncmp((char *)objs + first, bodies[4], strlen(bodies[4])));
  }
  free(objs);
  unsigned char *rows = stream_data(pdf, len, "/Type /XRef", dict, sizeof dict, &n);
  int w[3] = {0, 0, 0};
  CHECK(rows && strstr(dict, "/Root 1 0 R") && strstr(dict, "/ID [ <00> <00> ]") &&
        strstr(dict, "/Size 8") &&
        sscanf(strstr(dict, "/W ["), "/W [ %d %d %d ]", &w[0], &w[1], &w[2]) == 3);
  if (rows && w[0] == 1 && n == 8u * (size_t)(w[0] + w[1] + w[2])) {
    size_t f[3];
    entry(rows, w, 0, f);
    CHECK(f[0] == 0 && f[2] == 65535);
    for (int i = 1; i <= 3; i++) { /* in the file, where they are */
      entry(rows, w, i, f);
      char head[32];
      snprintf(head, sizeof head, "%d 0 obj", i);
      CHECK(f[0] == 1 && f[1] < len && !strncmp(pdf + f[1], head, strlen(head)));
    }
    entry(rows, w, 4, f);
    CHECK(f[0] == 2 && f[1] == 6 && f[2] == 0);
    entry(rows, w, 5, f);
    CHECK(f[0] == 2 && f[1] == 6 && f[2] == 1);
    entry(rows, w, 6, f);
    CHECK(f[0] == 1 && !strncmp(pdf + f[1], "6 0 obj", 7));
    entry(rows, w, 7, f);
    CHECK(f[0] == 1 && !strncmp(pdf + f[1], "7 0 obj", 7));
    const char *sx = memmem(pdf, len, "startxref\n", 10);
    CHECK(sx && strtoul(sx + 10, NULL, 10) == f[1]);
  } else {
    CHECK(!"a cross-reference stream of 8 entries");
  }
  free(rows);
  lp_buf_free(&b);
}

/* What the pass does not handle: an error, the buffer as it was. */
static void test_refusals(void) {
  struct {
    const char *extra;
    uint32_t id;
  } cases[] = {{"/Encrypt 9 0 R\n", 4}, {"", 3}, {"", 9}, {"", 0}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    lp_buf b = make_pdf("", cases[i].extra);
    lp_buf before = {0};
    lp_buf_append(&before, b.data, b.len);
    lp_error err = {0};
    CHECK(!lp_objstm_pack(&b, 0, &cases[i].id, 1, &err));
    CHECK(b.len == before.len && !memcmp(b.data, before.data, b.len));
    CHECK(strstr(err.message, "cannot pack") != NULL);
    lp_buf_free(&b);
    lp_buf_free(&before);
  }
  lp_buf b = make_pdf("", "");
  const uint32_t twice[] = {4, 4};
  lp_error err = {0};
  CHECK(!lp_objstm_pack(&b, 0, twice, 2, &err));
  CHECK(lp_objstm_pack(&b, 0, NULL, 0, &err)); /* nothing to pack */
  lp_buf_free(&b);
}

int main(void) {
  test_pack();
  test_refusals();
  return CHECK_DONE();
}
