/* pdfupdate.c - writes an incremental update after a PDF's bytes. */
#include "pdfupdate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "encrypt.h"
#include "qpdflib.h"

/* The qpdf calls, set by lp_update_open before any is made. */
static const lp_qpdf_api *qp;

qpdf_data lp_update_open(const unsigned char *pdf, size_t len,
                         const char *password, lp_error *err) {
  qp = lp_qpdf_load(LP_ERR_SIGN, "signing", err);
  if (!qp) return NULL;
  qpdf_data q = lp_qpdf_quiet(qp);
  bool ok = true;
  if (qp->qpdf_read_memory(q, "input", (const char *)pdf, (unsigned long long)len,
                          password) & QPDF_ERRORS)
    ok = lp_encrypt_read_error(qp, q, password, err);
  if (!ok) {
    if (qp->qpdf_has_error(q)) qp->qpdf_get_error(q);
    qp->qpdf_cleanup(&q);
  }
  return ok ? q : NULL;
}

void lp_update_close(qpdf_data q) {
  if (!q) return;
  /* qpdf_cleanup prints an error never taken out of qpdf (odd objects in a
   * damaged PDF leave one), bypassing the logger: take it out first. */
  if (qp->qpdf_has_error(q)) qp->qpdf_get_error(q);
  qp->qpdf_cleanup(&q);
}

/* The offset of the last cross-reference section (after "startxref"). */
static bool last_startxref(const unsigned char *pdf, size_t len, long long *off) {
  size_t from = len > 2048 ? len - 2048 : 0;
  const unsigned char *hit = NULL;
  for (const unsigned char *p = pdf + from; p + 9 <= pdf + len; p++)
    if (!memcmp(p, "startxref", 9)) hit = p;
  if (!hit) return false;
  char num[32] = "";
  size_t n = 0;
  for (const unsigned char *p = hit + 9; p < pdf + len && n + 1 < sizeof num; p++) {
    if (*p >= '0' && *p <= '9') num[n++] = (char)*p;
    else if (n) break;
  }
  if (!n) return false;
  *off = atoll(num);
  return *off >= 0 && (size_t)*off < len;
}

/* The highest object number an "N G obj" header in the bytes gives (a
 * scan of the bytes: qpdf's own count resolves every object, a tenth of
 * the time of signing a letter). */
static long long highest_header(const unsigned char *pdf, size_t len) {
  long long top = 0;
  for (const unsigned char *p = pdf; (p = memmem(p, len - (size_t)(p - pdf), " obj", 4)); p += 4) {
    const unsigned char *g = p, *n;
    while (g > pdf && g[-1] >= '0' && g[-1] <= '9') g--; /* generation */
    if (g == p || g == pdf || g[-1] != ' ') continue;
    const unsigned char *s = g - 1;
    for (n = s; n > pdf && n[-1] >= '0' && n[-1] <= '9';) n--; /* number */
    if (n == s || s - n > 9) continue;
    long long v = 0;
    for (const unsigned char *d = n; d < s; d++) v = v * 10 + (*d - '0');
    if (v > top) top = v;
  }
  return top;
}

bool lp_update_begin(lp_update *u, qpdf_data q, const unsigned char *pdf,
                     size_t len, const char *password, lp_error *err) {
  memset(u, 0, sizeof *u);
  if (qp->qpdf_is_encrypted(q)) {
    u->key = u->key_bytes;
    if (!lp_encrypt_file_key(qp, q, password, u->key_bytes, err)) return false;
  }
  if (!last_startxref(pdf, len, &u->prev))
    return lp_fail(err, LP_ERR_INPUT, NULL, 0, 0,
                   "this PDF has no 'startxref': it is damaged; repair it "
                   "(e.g. qpdf in.pdf out.pdf) and use that");
  /* A classic section starts with the keyword; anything else is a stream. */
  u->xref_stream = len - (size_t)u->prev < 4 || memcmp(pdf + u->prev, "xref", 4) != 0;
  lp_buf_append(&u->out, pdf, len);
  if (len && pdf[len - 1] != '\n') lp_buf_puts(&u->out, "\n");
  u->base = u->out.len;
  double size = qp->qpdf_oh_get_numeric_value(
      q, qp->qpdf_oh_get_key(q, qp->qpdf_get_trailer(q), "/Size"));
  long long next = highest_header(pdf, len) + 1;
  if (size > next && size < LP_UPDATE_MAX_OBJECTS) next = (long long)size;
  u->next = next < LP_UPDATE_MAX_OBJECTS ? (int)next : LP_UPDATE_MAX_OBJECTS;
  return true;
}

int lp_update_new_number(lp_update *u) {
  return u->next < LP_UPDATE_MAX_OBJECTS ? u->next++ : LP_UPDATE_MAX_OBJECTS;
}

/* Notes an object (number, generation) starting at offset at. */
static void note_obj(lp_update *u, int num, int gen, long long at) {
  LP_GROW(u->offsets, u->cap, u->n + 1);
  LP_GROW(u->numbers, u->cap2, u->n + 1);
  LP_GROW(u->gens, u->cap3, u->n + 1);
  u->offsets[u->n] = at;
  u->numbers[u->n] = num;
  u->gens[u->n++] = gen;
}

void lp_update_obj(lp_update *u, int num, int gen) {
  note_obj(u, num, gen, (long long)u->out.len);
  lp_buf_printf(&u->out, "%d %d obj\n", num, gen);
}

void lp_update_dict(const lp_update *u, qpdf_data q, qpdf_oh dict,
                    const char *const *overrides, lp_buf *out) {
  lp_encrypt_put_dict(qp, q, dict, overrides, u->key, out);
}

void lp_update_text(lp_update *u, const char *utf8) {
  lp_pdfcrypt_put_text(u->key, utf8, &u->out);
}

void lp_update_stream(lp_update *u, const char *keys,
                      const unsigned char *data, size_t len) {
  lp_buf enc = {0};
  if (u->key) lp_pdfcrypt_encrypt(u->key, data, len, &enc);
  const unsigned char *bytes = u->key ? enc.data : data;
  size_t n = u->key ? enc.len : len;
  lp_buf_printf(&u->out, "<< %s /Length %zu >>\nstream\n", keys, n);
  lp_buf_append(&u->out, bytes, n);
  lp_buf_puts(&u->out, "\nendstream\nendobj\n");
  lp_buf_free(&enc);
}

void lp_update_rewrite(lp_update *u, qpdf_data q, qpdf_oh obj,
                       const char *const *overrides) {
  lp_update_obj(u, qp->qpdf_oh_get_object_id(q, obj), qp->qpdf_oh_get_generation(q, obj));
  lp_update_dict(u, q, obj, overrides, &u->out);
  lp_buf_puts(&u->out, "\nendobj\n");
}

void lp_update_sig_placeholder(lp_update *u, const char *type,
                               const char *subfilter, size_t reserve,
                               lp_update_sig *sig) {
  lp_buf_printf(&u->out, "<< /Type %s /Filter /Adobe.PPKLite /SubFilter %s\n"
                         "/ByteRange [", type, subfilter);
  sig->range_at = u->out.len;
  lp_buf_printf(&u->out, "%*s]\n/Contents <", 4 * (LP_UPDATE_RANGE_DIGITS + 1) - 1, "");
  sig->contents_at = u->out.len - 1; /* the '<' */
  sig->reserve = reserve;
  size_t at = u->out.len;
  LP_GROW(u->out.data, u->out.cap, at + reserve * 2 + 1);
  memset(u->out.data + at, '0', reserve * 2);
  u->out.data[at + reserve * 2] = '\0';
  u->out.len = at + reserve * 2;
  lp_buf_puts(&u->out, ">");
}

/* Sorts the objects written by number (insertion sort: a handful). */
static void sort_objects(lp_update *u) {
  for (size_t i = 1; i < u->n; i++)
    for (size_t j = i; j > 0 && u->numbers[j - 1] > u->numbers[j]; j--) {
      int t = u->numbers[j]; u->numbers[j] = u->numbers[j - 1]; u->numbers[j - 1] = t;
      t = u->gens[j]; u->gens[j] = u->gens[j - 1]; u->gens[j - 1] = t;
      long long o = u->offsets[j]; u->offsets[j] = u->offsets[j - 1]; u->offsets[j - 1] = o;
    }
}

/* The trailer's /ID for the update (ISO 32000-1 14.4): the first string
 * kept (the file's permanent identifier), the second a new one, as the
 * file changed: the first 16 bytes of the SHA-256 of the old second string
 * (which stands for the original's content) and the update's bytes so far
 * (the same bytes, the same identifier).  A malformed /ID is kept. */
static void put_id(const lp_update *u, qpdf_data q, qpdf_oh id, lp_buf *tail) {
  if (!qp->qpdf_oh_is_array(q, id) || qp->qpdf_oh_get_array_n_items(q, id) != 2) {
    lp_buf_printf(tail, " /ID %s", qp->qpdf_oh_unparse(q, id));
    return;
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  const char *old = qp->qpdf_oh_unparse(q, qp->qpdf_oh_get_array_item(q, id, 1));
  EVP_MD_CTX *c = EVP_MD_CTX_new();
  if (!c || !EVP_DigestInit_ex(c, EVP_sha256(), NULL) ||
      !EVP_DigestUpdate(c, old, strlen(old)) ||
      !EVP_DigestUpdate(c, u->out.data + u->base, u->out.len - u->base) ||
      !EVP_DigestFinal_ex(c, md, &n))
    abort(); /* (only when out of memory) */
  EVP_MD_CTX_free(c);
  lp_buf_printf(tail, " /ID [%s <", qp->qpdf_oh_unparse(q, qp->qpdf_oh_get_array_item(q, id, 0)));
  for (int i = 0; i < 16; i++) lp_buf_printf(tail, "%02X", md[i]);
  lp_buf_puts(tail, ">]");
}

/* The trailer keys both forms of the section share: /Root, /Info and
 * /Encrypt as the original has them, /ID updated, and /Prev. */
static void trailer_tail(const lp_update *u, qpdf_data q, lp_buf *tail) {
  qpdf_oh trailer = qp->qpdf_get_trailer(q);
  lp_buf_printf(tail, " /Root %s", qp->qpdf_oh_unparse(q, qp->qpdf_oh_get_key(q, trailer, "/Root")));
  if (qp->qpdf_oh_has_key(q, trailer, "/Info"))
    lp_buf_printf(tail, " /Info %s", qp->qpdf_oh_unparse(q, qp->qpdf_oh_get_key(q, trailer, "/Info")));
  if (qp->qpdf_oh_has_key(q, trailer, "/Encrypt")) /* an encrypted PDF stays so */
    lp_buf_printf(tail, " /Encrypt %s", qp->qpdf_oh_unparse(q, qp->qpdf_oh_get_key(q, trailer, "/Encrypt")));
  if (qp->qpdf_oh_has_key(q, trailer, "/ID"))
    put_id(u, q, qp->qpdf_oh_get_key(q, trailer, "/ID"), tail);
  lp_buf_printf(tail, " /Prev %lld", u->prev);
}

/* A classic cross-reference table and trailer (ISO 32000-1 7.5.4). */
static void write_table(lp_update *u, int size, const lp_buf *tail) {
  long long at = (long long)u->out.len;
  lp_buf_puts(&u->out, "xref\n");
  for (size_t i = 0; i < u->n;) {
    size_t j = i;
    while (j + 1 < u->n && u->numbers[j + 1] == u->numbers[j] + 1) j++;
    lp_buf_printf(&u->out, "%d %zu\n", u->numbers[i], j - i + 1);
    for (size_t k = i; k <= j; k++)
      lp_buf_printf(&u->out, "%010lld %05d n\r\n", u->offsets[k], u->gens[k]);
    i = j + 1;
  }
  lp_buf_printf(&u->out, "trailer\n<< /Size %d%s >>\nstartxref\n%lld\n%%%%EOF\n",
                size, (char *)tail->data, at);
}

/* A cross-reference stream (ISO 32000-1 7.5.8), which lists itself too
 * (object number size). */
static void write_stream(lp_update *u, int size, const lp_buf *tail) {
  long long at = (long long)u->out.len;
  int self = size;
  note_obj(u, self, 0, at);
  lp_buf rows = {0}, index = {0};
  for (size_t i = 0; i < u->n;) {
    size_t j = i;
    while (j + 1 < u->n && u->numbers[j + 1] == u->numbers[j] + 1) j++;
    lp_buf_printf(&index, "%s%d %zu", index.len ? " " : "", u->numbers[i], j - i + 1);
    for (size_t k = i; k <= j; k++) {
      unsigned char row[7] = {1, (unsigned char)(u->offsets[k] >> 24),
                              (unsigned char)(u->offsets[k] >> 16),
                              (unsigned char)(u->offsets[k] >> 8),
                              (unsigned char)u->offsets[k],
                              (unsigned char)(u->gens[k] >> 8),
                              (unsigned char)u->gens[k]};
      lp_buf_append(&rows, row, sizeof row);
    }
    i = j + 1;
  }
  lp_buf_printf(&u->out,
                "%d 0 obj\n<< /Type /XRef /Size %d /Index [%s] /W [1 4 2]%s "
                "/Length %zu >>\nstream\n",
                self, size + 1, (char *)index.data, (char *)tail->data, rows.len);
  lp_buf_append(&u->out, rows.data, rows.len);
  lp_buf_printf(&u->out, "\nendstream\nendobj\nstartxref\n%lld\n%%%%EOF\n", at);
  lp_buf_free(&rows);
  lp_buf_free(&index);
}

bool lp_update_finish(lp_update *u, qpdf_data q, int last, lp_error *err) {
  if (last <= 0 || last >= LP_UPDATE_MAX_OBJECTS)
    return lp_fail(err, LP_ERR_INPUT, NULL, 0, 0,
                   "this PDF has too many objects to add to it");
  double trailer_size = qp->qpdf_oh_get_numeric_value(
      q, qp->qpdf_oh_get_key(q, qp->qpdf_get_trailer(q), "/Size"));
  int size = trailer_size > last && trailer_size < LP_UPDATE_MAX_OBJECTS
                 ? (int)trailer_size : last + 1;
  lp_buf tail = {0};
  trailer_tail(u, q, &tail);
  sort_objects(u);
  if (u->xref_stream) write_stream(u, size, &tail);
  else write_table(u, size, &tail);
  lp_buf_free(&tail);
  return true;
}

void lp_update_ranges(lp_update *u, const lp_update_sig *sig,
                      lp_buf *signed_data) {
  size_t contents_end = sig->contents_at + 2 + sig->reserve * 2; /* past '>' */
  long long r[4] = {0, (long long)sig->contents_at, (long long)contents_end,
                    (long long)(u->out.len - contents_end)};
  char ranges[4 * (LP_UPDATE_RANGE_DIGITS + 1) + 1];
  int n = snprintf(ranges, sizeof ranges, "%lld %lld %lld %lld", r[0], r[1],
                   r[2], r[3]);
  memcpy(u->out.data + sig->range_at, ranges, (size_t)n);
  lp_buf_append(signed_data, u->out.data, (size_t)r[1]);
  lp_buf_append(signed_data, u->out.data + r[2], (size_t)r[3]);
}

bool lp_update_put_contents(lp_update *u, const lp_update_sig *sig,
                            const lp_buf *der, const char *what,
                            lp_error *err) {
  if (der->len > sig->reserve)
    return lp_fail(err, LP_ERR_SIGN, NULL, 0, 0,
                   "the %s (%zu bytes) is larger than the room reserved "
                   "for it (%zu)", what, der->len, sig->reserve);
  static const char hex[] = "0123456789ABCDEF";
  unsigned char *at = u->out.data + sig->contents_at;
  for (size_t i = 0; i < der->len; i++) {
    at[1 + 2 * i] = (unsigned char)hex[der->data[i] >> 4];
    at[2 + 2 * i] = (unsigned char)hex[der->data[i] & 15];
  }
  return true;
}

void lp_update_take(lp_update *u, unsigned char **out, size_t *out_len) {
  *out = u->out.data;
  *out_len = u->out.len;
  u->out = (lp_buf){0};
  lp_update_free(u);
}

void lp_update_free(lp_update *u) {
  lp_buf_free(&u->out);
  free(u->offsets);
  free(u->numbers);
  free(u->gens);
  OPENSSL_cleanse(u, sizeof *u); /* the file key too */
}
