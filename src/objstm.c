/* objstm.c - object streams and a cross-reference stream for a saved PDF
 * (see objstm.h). */
#include "objstm.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

/* Objects per object stream: a reader inflates a whole stream to reach
 * one of its objects, so a combined merge's thousands of elements are
 * cut into streams of this many. */
#define PER_STREAM 500

/* One object of the input: where it is, and where it goes. */
typedef struct xobj {
  size_t off, end; /* its bytes in the input, "N 0 obj" to the next one */
  bool used;       /* an in-use ('n') entry */
  uint32_t stm;    /* packed: its object stream's number (else 0) */
  uint32_t index;  /* packed: its index in that stream */
  size_t new_off;  /* not packed: its offset in the output */
} xobj;

/* The parsed input. */
typedef struct src {
  const char *s;
  size_t len;
  xobj *objs;
  size_t size;        /* the table's /Size: objects 0 .. size-1 */
  size_t xref;        /* offset of "xref" */
  const char *dict;   /* the trailer dictionary's entries, without /Size */
  size_t dict_len;
  char *dict_copy;
} src;

/* Fails with a message about the input. */
static bool bad(lp_error *err, const char *what) {
  return lp_fail(err, LP_ERR_PDF, NULL, 0, 0,
                 "PDF writer: cannot pack the structure objects: %s", what);
}

/* The offset after the last "startxref" and the number after it, or
 * false. */
static bool find_startxref(const src *in, size_t *xref) {
  const char *key = "startxref";
  size_t n = strlen(key);
  for (size_t i = in->len >= n ? in->len - n + 1 : 0; i-- > 0;)
    if (!memcmp(in->s + i, key, n)) {
      char *end;
      unsigned long long v = strtoull(in->s + i + n, &end, 10);
      if (end == in->s + i + n || v >= in->len) return false;
      *xref = (size_t)v;
      return true;
    }
  return false;
}

/* Skips blanks (and end-of-line characters) from *p, below end. */
static void skip_space(const char **p, const char *end) {
  while (*p < end && isspace((unsigned char)**p)) (*p)++;
}

/* Reads an unsigned number at *p; false when there is none. */
static bool read_number(const char **p, const char *end, size_t *v) {
  skip_space(p, end);
  if (*p >= end || !isdigit((unsigned char)**p)) return false;
  size_t x = 0;
  while (*p < end && isdigit((unsigned char)**p) && x < ((size_t)1 << 48))
    x = x * 10 + (size_t)(**p - '0'), (*p)++;
  *v = x;
  return true;
}

/* Parses the classic table at in->xref ("xref", one subsection from 0)
 * and the trailer after it. */
static bool parse_table(src *in, lp_error *err) {
  const char *p = in->s + in->xref, *end = in->s + in->len;
  size_t first, count;
  if ((size_t)(end - p) < 4 || memcmp(p, "xref", 4))
    return bad(err, "no classic cross-reference table");
  p += 4;
  if (!read_number(&p, end, &first) || !read_number(&p, end, &count) ||
      first != 0 || count == 0 || count > in->len / 20)
    return bad(err, "an unexpected cross-reference subsection");
  in->size = count;
  in->objs = lp_xcalloc(count, sizeof *in->objs);
  for (size_t i = 0; i < count; i++) {
    size_t off, gen;
    if (!read_number(&p, end, &off) || !read_number(&p, end, &gen))
      return bad(err, "a damaged cross-reference entry");
    skip_space(&p, end);
    if (p >= end || (*p != 'n' && *p != 'f'))
      return bad(err, "a damaged cross-reference entry");
    in->objs[i].used = *p++ == 'n' && i > 0;
    if (in->objs[i].used && (gen != 0 || off >= in->xref))
      return bad(err, "an object of another generation, or out of place");
    in->objs[i].off = off;
  }
  skip_space(&p, end);
  const char *open = strstr(p, "<<"), *close = NULL;
  for (const char *q = open; q && (q = strstr(q + 2, ">>"));) close = q;
  if (strncmp(p, "trailer", 7) || !open || !close)
    return bad(err, "no trailer dictionary");
  in->dict_copy = lp_xstrndup(open + 2, (size_t)(close - open - 2));
  if (strstr(in->dict_copy, "/Encrypt") || strstr(in->dict_copy, "/Prev"))
    return bad(err, "an encrypted or updated file");
  /* /Size is written anew. */
  char *size = strstr(in->dict_copy, "/Size");
  if (size) {
    char *q = size + 5;
    while (isspace((unsigned char)*q)) q++;
    while (isdigit((unsigned char)*q)) q++;
    memmove(size, q, strlen(q) + 1);
  }
  in->dict = in->dict_copy;
  in->dict_len = strlen(in->dict_copy);
  return true;
}

/* An object's number and offset, to sort by offset. */
typedef struct placed {
  size_t off, id;
} placed;

/* qsort order of placed objects: by offset. */
static int by_offset(const void *a, const void *b) {
  size_t x = ((const placed *)a)->off, y = ((const placed *)b)->off;
  return (x > y) - (x < y);
}

/* The in-use objects' numbers in file order (*n of them); each object's
 * end is the next one's start (the table's, for the last). */
static size_t *file_order(src *in, size_t *n) {
  placed *p = lp_xcalloc(in->size, sizeof *p);
  size_t k = 0;
  for (size_t i = 1; i < in->size; i++)
    if (in->objs[i].used) p[k++] = (placed){in->objs[i].off, i};
  qsort(p, k, sizeof *p, by_offset);
  size_t *order = lp_xcalloc(in->size, sizeof *order);
  for (size_t i = 0; i < k; i++) {
    order[i] = p[i].id;
    in->objs[p[i].id].end = i + 1 < k ? p[i + 1].off : in->xref;
  }
  free(p);
  *n = k;
  return order;
}

/* The body of object id (between "id 0 obj" and "endobj", trimmed) in
 * [*b, *e); false when it is not such an object or is a stream. */
static bool object_body(const src *in, size_t id, const char **b,
                        const char **e) {
  const xobj *o = &in->objs[id];
  char head[32];
  int hn = snprintf(head, sizeof head, "%zu 0 obj", id);
  const char *p = in->s + o->off, *end = in->s + o->end;
  if ((size_t)(end - p) < (size_t)hn || memcmp(p, head, (size_t)hn))
    return false;
  p += hn;
  while (end > p && isspace((unsigned char)end[-1])) end--;
  if ((size_t)(end - p) < 6 || memcmp(end - 6, "endobj", 6)) return false;
  end -= 6;
  skip_space(&p, end);
  while (end > p && isspace((unsigned char)end[-1])) end--;
  if ((size_t)(end - p) >= 9 && !memcmp(end - 9, "endstream", 9)) return false;
  *b = p, *e = end;
  return p < end;
}

/* Appends len bytes compressed (zlib, for /FlateDecode) to out as a
 * stream object number id whose dictionary holds dict. */
static bool put_stream(lp_buf *out, size_t id, const char *dict,
                       const unsigned char *data, size_t len) {
  uLongf zlen = compressBound((uLong)len);
  unsigned char *z = lp_xmalloc(zlen);
  bool ok = compress2(z, &zlen, data, (uLong)len, Z_DEFAULT_COMPRESSION) == Z_OK;
  if (ok) {
    lp_buf_printf(out, "%zu 0 obj\n<< %s /Filter /FlateDecode /Length %lu >>\n"
                       "stream\n", id, dict, (unsigned long)zlen);
    lp_buf_append(out, z, zlen);
    lp_buf_puts(out, "\nendstream\nendobj\n");
  }
  free(z);
  return ok;
}

/* Appends object stream number id holding ids[0..n) (7.5.7: the pairs
 * "number offset", then the objects). */
static bool put_object_stream(const src *in, lp_buf *out, size_t id,
                              const uint32_t *ids, size_t n) {
  lp_buf head = {0}, body = {0};
  for (size_t i = 0; i < n; i++) {
    const char *b, *e;
    object_body(in, ids[i], &b, &e); /* checked by the caller */
    lp_buf_printf(&head, "%u %zu ", ids[i], body.len);
    lp_buf_append(&body, b, (size_t)(e - b));
    lp_buf_append(&body, "\n", 1);
  }
  char dict[96];
  snprintf(dict, sizeof dict, "/Type /ObjStm /N %zu /First %zu", n, head.len);
  lp_buf_append(&head, body.data, body.len);
  bool ok = put_stream(out, id, dict, head.data, head.len);
  lp_buf_free(&head);
  lp_buf_free(&body);
  return ok;
}

/* Appends v as a big-endian field of w bytes. */
static void put_field(lp_buf *b, size_t v, int w) {
  for (int i = w - 1; i >= 0; i--) {
    unsigned char c = (unsigned char)(v >> (8 * i));
    lp_buf_append(b, &c, 1);
  }
}

/* Appends the cross-reference stream, number id, at offset at: one entry
 * per object (7.5.8.3: type 0 free, 1 in the file, 2 in an object
 * stream), with the trailer's entries. */
static bool put_xref_stream(const src *in, lp_buf *out, size_t id, size_t at,
                            const size_t *stm_off, size_t nstm) {
  size_t size = id + 1, top = at > size ? at : size;
  int w = 1;
  while (w < 8 && (top >> (8 * w)) != 0) w++;
  lp_buf rows = {0};
  for (size_t i = 0; i < size; i++) {
    const xobj *o = i < in->size ? &in->objs[i] : NULL;
    int type = !o ? 1 : !o->used ? 0 : o->stm ? 2 : 1;
    size_t f2 = !o ? (i < in->size + nstm ? stm_off[i - in->size] : at)
                : type == 0 ? 0
                : type == 2 ? o->stm
                            : o->new_off;
    size_t f3 = type == 0 ? (i == 0 ? 65535 : 0) : type == 2 ? o->index : 0;
    put_field(&rows, (size_t)type, 1);
    put_field(&rows, f2, w);
    put_field(&rows, f3, 2);
  }
  lp_buf dict = {0};
  lp_buf_printf(&dict, "/Type /XRef /Size %zu /W [ 1 %d 2 ]", size, w);
  for (size_t i = 0; i < in->dict_len; i++) /* one line */
    lp_buf_append(&dict, in->dict[i] == '\n' || in->dict[i] == '\r' ? " "
                                                                      : in->dict + i,
                  1);
  lp_buf_append(&dict, "", 1);
  bool ok = put_stream(out, id, (const char *)dict.data, rows.data, rows.len);
  lp_buf_free(&rows);
  lp_buf_free(&dict);
  if (ok) lp_buf_printf(out, "startxref\n%zu\n%%%%EOF\n", at);
  return ok;
}

/* Writes the output: the header (raised to 1.5), the objects not packed,
 * the object streams, the cross-reference stream. */
static bool write_packed(src *in, const size_t *order, size_t norder,
                         const uint32_t *ids, size_t n, lp_buf *out) {
  size_t first = norder ? in->objs[order[0]].off : in->xref;
  lp_buf_append(out, in->s, first);
  if (first >= 8 && !memcmp(out->data, "%PDF-1.", 7) && out->data[7] < '5')
    out->data[7] = '5'; /* object streams: PDF 1.5 */
  for (size_t k = 0; k < norder; k++) {
    xobj *o = &in->objs[order[k]];
    if (o->stm) continue;
    o->new_off = out->len;
    lp_buf_append(out, in->s + o->off, o->end - o->off);
  }
  size_t nstm = (n + PER_STREAM - 1) / PER_STREAM;
  size_t *stm_off = lp_xcalloc(nstm ? nstm : 1, sizeof *stm_off);
  bool ok = true;
  for (size_t k = 0; k < nstm && ok; k++) {
    size_t from = k * PER_STREAM, count = n - from < PER_STREAM ? n - from
                                                                : PER_STREAM;
    stm_off[k] = out->len;
    ok = put_object_stream(in, out, in->size + k, ids + from, count);
  }
  ok = ok && put_xref_stream(in, out, in->size + nstm, out->len, stm_off, nstm);
  free(stm_off);
  return ok;
}

bool lp_objstm_pack(lp_buf *out, size_t start, const uint32_t *ids, size_t n,
                    lp_error *err) {
  if (!n) return true;
  src in = {0};
  in.s = (const char *)out->data + start;
  in.len = out->len - start;
  size_t norder = 0, *order = NULL;
  bool ok = find_startxref(&in, &in.xref) ? parse_table(&in, err)
                                          : bad(err, "no startxref");
  if (ok) order = file_order(&in, &norder);
  for (size_t i = 0; ok && i < n; i++) {
    const char *b, *e;
    if (ids[i] == 0 || ids[i] >= in.size || !in.objs[ids[i]].used ||
        in.objs[ids[i]].stm || !object_body(&in, ids[i], &b, &e))
      ok = bad(err, "an object that is absent, repeated or a stream");
    else
      in.objs[ids[i]].stm = (uint32_t)(in.size + i / PER_STREAM),
      in.objs[ids[i]].index = (uint32_t)(i % PER_STREAM);
  }
  lp_buf packed = {0};
  ok = ok && (write_packed(&in, order, norder, ids, n, &packed) ||
              bad(err, "compression failed"));
  if (ok) {
    out->len = start;
    lp_buf_append(out, packed.data, packed.len);
  }
  lp_buf_free(&packed);
  free(order);
  free(in.objs);
  free(in.dict_copy);
  return ok;
}
