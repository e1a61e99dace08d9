/* decode.c - a data file's bytes as UTF-8 text: BOMs, ICU converters and
 * the charset detector (see decode.h). */
#include "decode.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>

#include "util.h"

/* UTF-16 units held between the source and the UTF-8 converter. */
#define PIVOT_UNITS 4096

struct lp_decode {
  FILE *raw;              /* the bytes */
  FILE *text;             /* the UTF-8 stream read by the caller */
  char *buf;              /* raw bytes read and not yet used */
  size_t buf_len, buf_pos;
  bool raw_eof;
  UConverter *from, *to;  /* NULL when the bytes are UTF-8 already */
  UChar pivot[PIVOT_UNITS];       /* a chunk of text as UTF-16 */
  char out[3 * PIVOT_UNITS];      /* the chunk as UTF-8 (3 bytes a unit at
                                     most) and how much was read of it */
  size_t out_len, out_pos;
  bool flushed;           /* the converters have given everything */
  bool bad;               /* bytes the encoding does not allow */
  char encoding[64];
};

/* Refills buf from raw when it is used up; false at the end of raw. */
static bool refill(lp_decode *d) {
  if (d->buf_pos < d->buf_len) return true;
  if (d->raw_eof) return false;
  d->buf_pos = 0;
  d->buf_len = fread(d->buf, 1, LP_DECODE_SAMPLE, d->raw);
  if (d->buf_len < LP_DECODE_SAMPLE) d->raw_eof = true;
  return d->buf_len > 0;
}

/* fopencookie: bytes as they are (UTF-8). */
static ssize_t read_plain(lp_decode *d, char *out, size_t size) {
  if (!refill(d)) return 0;
  size_t n = d->buf_len - d->buf_pos;
  if (n > size) n = size;
  memcpy(out, d->buf + d->buf_pos, n);
  d->buf_pos += n;
  return (ssize_t)n;
}

/* Converts the next chunk of bytes to UTF-8 (into d->out) through
 * UTF-16; notes bytes the encoding does not allow (the text before them
 * is kept). */
static void convert_chunk(lp_decode *d) {
  bool more = refill(d);
  const char *src = d->buf + d->buf_pos;
  UChar *u = d->pivot;
  UErrorCode st = U_ZERO_ERROR;
  ucnv_toUnicode(d->from, &u, d->pivot + PIVOT_UNITS, &src,
                 d->buf + d->buf_len, NULL, !more, &st);
  d->buf_pos = (size_t)(src - d->buf);
  if (st == U_BUFFER_OVERFLOW_ERROR) st = U_ZERO_ERROR; /* more next time */
  else if (U_FAILURE(st)) d->bad = true;
  else if (!more) d->flushed = true;
  /* (the UTF-8 converter keeps a surrogate pair cut between chunks) */
  const UChar *us = d->pivot;
  char *o = d->out;
  UErrorCode st8 = U_ZERO_ERROR;
  ucnv_fromUnicode(d->to, &o, d->out + sizeof d->out, &us, u, NULL,
                   d->flushed, &st8);
  if (U_FAILURE(st8)) d->bad = true;
  d->out_len = (size_t)(o - d->out);
  d->out_pos = 0;
}

/* fopencookie: bytes converted to UTF-8; -1 (after the text before them)
 * at bytes the encoding does not allow. */
static ssize_t read_converted(lp_decode *d, char *out, size_t size) {
  while (d->out_pos == d->out_len && !d->flushed && !d->bad)
    convert_chunk(d);
  if (d->out_pos == d->out_len) return d->bad ? -1 : 0;
  size_t n = d->out_len - d->out_pos;
  if (n > size) n = size;
  memcpy(out, d->out + d->out_pos, n);
  d->out_pos += n;
  return (ssize_t)n;
}

static ssize_t cookie_read(void *c, char *out, size_t size) {
  lp_decode *d = c;
  return d->from ? read_converted(d, out, size) : read_plain(d, out, size);
}

static int cookie_close(void *c) {
  (void)c; /* d is freed by lp_decode_close */
  return 0;
}

/* The encoding a BOM at the start of s (n bytes) names, and its length. */
static const char *bom_encoding(const char *s, size_t n, size_t *len) {
  const unsigned char *u = (const unsigned char *)s;
  if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
    return *len = 3, "UTF-8";
  if (n >= 2 && u[0] == 0xFF && u[1] == 0xFE) return *len = 2, "UTF-16LE";
  if (n >= 2 && u[0] == 0xFE && u[1] == 0xFF) return *len = 2, "UTF-16BE";
  return *len = 0, NULL;
}

/* Whether name is UTF-8 by any of its usual spellings. */
static bool is_utf8(const char *name) {
  return !strcasecmp(name, "UTF-8") || !strcasecmp(name, "UTF8");
}

/* Opens the converters for encoding; false with err when ICU knows no
 * such encoding. */
static bool open_converters(lp_decode *d, const char *name,
                            const char *encoding, lp_error *err) {
  UErrorCode st = U_ZERO_ERROR;
  d->from = ucnv_open(encoding, &st);
  if (U_FAILURE(st)) {
    d->from = NULL;
    return lp_fail(err, LP_ERR_INPUT, name, 0, 0,
                   "'%s' is not an encoding letterpress knows: try "
                   "--encoding GB18030, GBK, Big5, Shift_JIS, CP932, "
                   "EUC-KR, CP949, UTF-16LE or windows-1252",
                   encoding);
  }
  st = U_ZERO_ERROR;
  d->to = ucnv_open("UTF-8", &st);
  if (U_FAILURE(st))
    return lp_fail(err, LP_ERR_NOMEM, name, 0, 0, "cannot open ICU's UTF-8 "
                   "converter: %s", u_errorName(st));
  /* Stop at bytes the encoding does not allow: a wrong --encoding must
   * not print replacement characters in letters. */
  ucnv_setToUCallBack(d->from, UCNV_TO_U_CALLBACK_STOP, NULL, NULL, NULL,
                      &st);
  ucnv_setFromUCallBack(d->to, UCNV_FROM_U_CALLBACK_STOP, NULL, NULL, NULL,
                        &st);
  /* (named as the user wrote it: ICU's own names are ibm-943_P15A-2003) */
  snprintf(d->encoding, sizeof d->encoding, "%s", encoding);
  return true;
}

/* The length of s (n bytes, the first part of a longer text when cut)
 * without a last character that the cut may have split. */
static size_t whole_chars(const char *s, size_t n, bool cut) {
  if (!cut) return n;
  size_t k = n;
  while (k > 0 && n - k < 4 && ((unsigned char)s[k - 1] & 0xC0) == 0x80) k--;
  if (k > 0 && (unsigned char)s[k - 1] >= 0xC0) k--;
  return k;
}

/* Checks that the sampled bytes are UTF-8; fails naming their likely
 * encoding and the option to pass when they are not. */
static bool check_utf8(lp_decode *d, const char *name, lp_error *err) {
  const char *s = d->buf + d->buf_pos;
  size_t n = whole_chars(s, d->buf_len - d->buf_pos, !d->raw_eof);
  int line, col;
  if (lp_utf8_check(s, n, &line, &col)) return true;
  char advice[200];
  lp_decode_advice(s, d->buf_len - d->buf_pos, advice, sizeof advice);
  return lp_fail(err, LP_ERR_INPUT, name, line, col,
                 "the data is not UTF-8; %s (or save the file as UTF-8)",
                 advice);
}

lp_decode *lp_decode_open(FILE *raw, const char *name, const char *encoding,
                          lp_error *err) {
  lp_decode *d = lp_xcalloc(1, sizeof *d);
  d->raw = raw;
  d->buf = lp_xmalloc(LP_DECODE_SAMPLE);
  refill(d);
  size_t bom;
  const char *by_bom = bom_encoding(d->buf, d->buf_len, &bom);
  d->buf_pos = bom;
  const char *enc = by_bom ? by_bom : encoding && *encoding ? encoding
                                                           : "UTF-8";
  bool ok = true;
  if (!is_utf8(enc)) ok = open_converters(d, name, enc, err);
  else snprintf(d->encoding, sizeof d->encoding, "UTF-8");
  if (ok && !d->from) ok = check_utf8(d, name, err);
  cookie_io_functions_t io = {.read = cookie_read, .close = cookie_close};
  if (ok) d->text = fopencookie(d, "r", io);
  if (ok && !d->text)
    ok = lp_fail(err, LP_ERR_NOMEM, name, 0, 0, "out of memory");
  if (!ok) {
    lp_decode_close(d);
    return NULL;
  }
  return d;
}

FILE *lp_decode_stream(lp_decode *d) { return d->text; }

const char *lp_decode_encoding(const lp_decode *d) { return d->encoding; }

bool lp_decode_bad(const lp_decode *d) { return d && d->bad; }

void lp_decode_close(lp_decode *d) {
  if (!d) return;
  if (d->text) fclose(d->text);
  if (d->raw) fclose(d->raw);
  if (d->from) ucnv_close(d->from);
  if (d->to) ucnv_close(d->to);
  free(d->buf);
  free(d);
}

/* Whether bytes (n) are text in encoding: they convert without a byte
 * the encoding does not allow (a last character cut short is allowed). */
static bool converts(const char *encoding, const char *bytes, size_t n) {
  UErrorCode st = U_ZERO_ERROR;
  UConverter *c = ucnv_open(encoding, &st);
  if (U_FAILURE(st)) return false;
  ucnv_setToUCallBack(c, UCNV_TO_U_CALLBACK_STOP, NULL, NULL, NULL, &st);
  UChar out[1024];
  const char *src = bytes, *end = bytes + n;
  while (U_SUCCESS(st) && src < end) {
    UChar *tgt = out;
    ucnv_toUnicode(c, &tgt, out + 1024, &src, end, NULL, false, &st);
    if (st == U_BUFFER_OVERFLOW_ERROR) st = U_ZERO_ERROR;
  }
  ucnv_close(c);
  return U_SUCCESS(st);
}

/* The best match of ICU's charset detector for bytes, with its
 * confidence (0-100); NULL when it has none. */
static const char *detect(const char *bytes, size_t n, int *confidence,
                          char *name, size_t cap) {
  UErrorCode st = U_ZERO_ERROR;
  UCharsetDetector *det = ucsdet_open(&st);
  if (U_FAILURE(st)) return NULL;
  ucsdet_setText(det, bytes, (int32_t)(n > INT32_MAX ? INT32_MAX : n), &st);
  const UCharsetMatch *m = ucsdet_detect(det, &st);
  const char *guess = U_SUCCESS(st) && m ? ucsdet_getName(m, &st) : NULL;
  *confidence = guess ? ucsdet_getConfidence(m, &st) : 0;
  if (guess) snprintf(name, cap, "%s", guess);
  ucsdet_close(det);
  return guess ? name : NULL;
}

/* A detector's guess at least this sure is named alone. */
#define SURE_CONFIDENCE 30

void lp_decode_advice(const char *bytes, size_t n, char *out, size_t cap) {
  char name[64];
  int conf;
  if (detect(bytes, n, &conf, name, sizeof name) && conf >= SURE_CONFIDENCE &&
      !is_utf8(name)) {
    snprintf(out, cap, "it looks like %s: pass --encoding %s", name, name);
    return;
  }
  /* Too little text to tell: the encodings spreadsheets use that these
   * bytes are valid in. */
  static const char *const cjk[] = {"GB18030", "Big5", "Shift_JIS",
                                    "EUC-KR"};
  const char *fit[4];
  int k = 0;
  for (int i = 0; i < 4; i++)
    if (converts(cjk[i], bytes, n)) fit[k++] = cjk[i];
  if (!k) {
    snprintf(out, cap, "pass its encoding with --encoding (e.g. "
             "windows-1252, GB18030, Shift_JIS)");
    return;
  }
  int w = snprintf(out, cap, "it could be ");
  for (int i = 0; i < k && w > 0 && (size_t)w < cap; i++)
    w += snprintf(out + w, cap - (size_t)w, "%s%s", fit[i],
                  i + 2 < k ? ", " : i + 1 < k ? " or " : "");
  if (w > 0 && (size_t)w < cap)
    snprintf(out + w, cap - (size_t)w, ": pass --encoding with the one it "
             "was saved in");
}
