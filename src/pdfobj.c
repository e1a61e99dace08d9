/* pdfobj.c - small PDF objects: numbers, text strings, dates, streams. */
#include "pdfobj.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <hpdf_objects.h>

/* Unicode: what an invalid UTF-8 byte becomes; UTF-16 surrogates. */
#define REPLACEMENT_CHARACTER 0xFFFDu
#define FIRST_ASTRAL 0x10000u
#define HIGH_SURROGATE 0xD800u
#define LOW_SURROGATE 0xDC00u
#define SURROGATE_BITS 10
/* The years a PDF date holds (four digits). */
#define TM_YEAR_BASE 1900
#define MAX_YEAR 9999

/* ---- Numbers ---------------------------------------------------------- */

long long lp_pdfobj_milli(double v) {
  return isfinite(v) ? llround(v * LP_PDF_MILLI) : 0;
}

void lp_pdfobj_put_milli(lp_buf *b, long long v) {
  /* Written by hand, not with printf: content streams are mostly numbers,
   * and formatting them was a tenth of the time of a merged letter. */
  char text[32];
  char *end = text + sizeof text, *p = end;
  unsigned long long a =
      v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
  unsigned long long whole = a / LP_PDF_MILLI, frac = a % LP_PDF_MILLI;
  if (frac) {
    int digits = 3;
    while (frac % 10 == 0) frac /= 10, digits--;
    for (int i = 0; i < digits; i++, frac /= 10) *--p = (char)('0' + frac % 10);
    *--p = '.';
  }
  do *--p = (char)('0' + whole % 10);
  while (whole /= 10);
  if (v < 0) *--p = '-';
  lp_buf_append(b, p, (size_t)(end - p));
}

HPDF_STATUS lp_pdfobj_array_add_milli(HPDF_Array a, long long v) {
  if (v % LP_PDF_MILLI == 0)
    return HPDF_Array_AddNumber(a, (HPDF_INT32)(v / LP_PDF_MILLI));
  return HPDF_Array_AddReal(a, (HPDF_REAL)((double)v / LP_PDF_MILLI));
}

void lp_pdfobj_put_hex(lp_buf *b, const unsigned char *p, size_t n) {
  static const char digits[] = "0123456789ABCDEF";
  LP_GROW(b->data, b->cap, b->len + 2 * n + 1);
  for (size_t i = 0; i < n; i++) {
    b->data[b->len++] = (unsigned char)digits[p[i] >> 4];
    b->data[b->len++] = (unsigned char)digits[p[i] & 0xF];
  }
}

/* ---- Text strings ----------------------------------------------------- */

bool lp_pdfobj_is_printable_ascii(unsigned char c) {
  return c >= ' ' && c <= '~';
}

void lp_pdfobj_put_utf16be(lp_buf *b, const char *s, size_t len,
                           size_t max_units) {
  size_t i = 0, units = 0;
  while (i < len) {
    int32_t cp = lp_utf8_next(s, len, &i);
    uint32_t c = cp < 0 ? REPLACEMENT_CHARACTER : (uint32_t)cp;
    unsigned char u[4];
    size_t n;
    if (c >= FIRST_ASTRAL) {
      uint32_t v = c - FIRST_ASTRAL;
      uint32_t hi = HIGH_SURROGATE + (v >> SURROGATE_BITS);
      uint32_t lo = LOW_SURROGATE + (v & ((1u << SURROGATE_BITS) - 1));
      u[0] = (unsigned char)(hi >> 8), u[1] = (unsigned char)hi;
      u[2] = (unsigned char)(lo >> 8), u[3] = (unsigned char)lo;
      n = 4;
    } else {
      u[0] = (unsigned char)(c >> 8), u[1] = (unsigned char)c;
      n = 2;
    }
    if (units + n / 2 > max_units) break;
    units += n / 2;
    lp_buf_append(b, u, n);
  }
}

/* True when s is printable ASCII, which reads the same in PDFDocEncoding;
 * with bare, also without the characters a literal string must escape. */
static bool is_plain_ascii(const char *s, bool bare) {
  for (; *s; s++) {
    if (!lp_pdfobj_is_printable_ascii((unsigned char)*s)) return false;
    if (bare && strchr("()\\", *s)) return false;
  }
  return true;
}

/* The byte order mark that opens a UTF-16BE text string. */
static const unsigned char utf16_bom[2] = {0xFE, 0xFF};

void *lp_pdfobj_text_string(HPDF_Doc pdf, const char *utf8) {
  if (is_plain_ascii(utf8, false))
    return HPDF_String_New(pdf->mmgr, utf8, NULL);
  lp_buf b = {0};
  lp_buf_append(&b, utf16_bom, sizeof utf16_bom);
  lp_pdfobj_put_utf16be(&b, utf8, strlen(utf8), SIZE_MAX);
  void *obj = HPDF_Binary_New(pdf->mmgr, b.data, (HPDF_UINT)b.len);
  lp_buf_free(&b);
  return obj;
}

void lp_pdfobj_put_text_string(lp_buf *b, const char *utf8) {
  if (is_plain_ascii(utf8, true)) {
    lp_buf_printf(b, "(%s)", utf8);
    return;
  }
  lp_buf utf16 = {0};
  lp_buf_append(&utf16, utf16_bom, sizeof utf16_bom);
  lp_pdfobj_put_utf16be(&utf16, utf8, strlen(utf8), SIZE_MAX);
  lp_buf_puts(b, "<");
  lp_pdfobj_put_hex(b, utf16.data, utf16.len);
  lp_buf_puts(b, ">");
  lp_buf_free(&utf16);
}

/* ---- Dates ------------------------------------------------------------ */

/* Breaks epoch seconds into UTC fields; false outside years 0 to 9999. */
static bool utc_time(long long epoch, struct tm *tm) {
  time_t t = (time_t)epoch;
  return gmtime_r(&t, tm) && tm->tm_year + TM_YEAR_BASE >= 0 &&
         tm->tm_year + TM_YEAR_BASE <= MAX_YEAR;
}

bool lp_pdfobj_date(long long epoch, HPDF_Date *date) {
  struct tm tm;
  if (!utc_time(epoch, &tm)) return false;
  *date = (HPDF_Date){.year = tm.tm_year + TM_YEAR_BASE,
                      .month = tm.tm_mon + 1,
                      .day = tm.tm_mday,
                      .hour = tm.tm_hour,
                      .minutes = tm.tm_min,
                      .seconds = tm.tm_sec,
                      .ind = '+',
                      .off_hour = 0,
                      .off_minutes = 0};
  return true;
}

/* Writes v as exactly width decimal digits at p (v is in range). */
static char *put_digits(char *p, int v, int width) {
  for (int i = width - 1; i >= 0; i--, v /= 10) p[i] = (char)('0' + v % 10);
  return p + width;
}

bool lp_pdfobj_date_string(long long epoch, char out[32]) {
  struct tm tm;
  out[0] = '\0';
  if (!utc_time(epoch, &tm)) return false;
  char *p = out;
  *p++ = 'D', *p++ = ':';
  p = put_digits(p, tm.tm_year + TM_YEAR_BASE, 4);
  p = put_digits(p, tm.tm_mon + 1, 2);
  p = put_digits(p, tm.tm_mday, 2);
  p = put_digits(p, tm.tm_hour, 2);
  p = put_digits(p, tm.tm_min, 2);
  p = put_digits(p, tm.tm_sec, 2);
  memcpy(p, "+00'00'", sizeof "+00'00'");
  return true;
}

/* ---- Streams and dictionaries ------------------------------------------ */

HPDF_Dict lp_pdfobj_stream(HPDF_Doc pdf, const void *data, size_t len) {
  /* Form appearances are a few bytes each: libharu's own Flate (zlib) is
   * cheaper here than setting up a deflater. */
  HPDF_Dict s = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
  if (!s) return NULL;
  /* An empty Flate stream comes out truncated (see lp_embed_put_flate). */
  s->filter = len ? HPDF_STREAM_FILTER_FLATE_DECODE : HPDF_STREAM_FILTER_NONE;
  if (len && HPDF_Stream_Write(s->stream, data, (HPDF_UINT)len) != HPDF_OK)
    return NULL;
  return s;
}

HPDF_Dict lp_pdfobj_indirect_dict(HPDF_Doc pdf) {
  HPDF_Dict dict = HPDF_Dict_New(pdf->mmgr);
  if (!dict || HPDF_Xref_Add(pdf->xref, dict) != HPDF_OK) return NULL;
  return dict;
}

/* ---- libharu errors ----------------------------------------------------- */

void lp_pdfobj_on_haru_error(HPDF_STATUS error_no, HPDF_STATUS detail_no,
                             void *user_data) {
  lp_haru_status *s = user_data;
  if (s->error) return;
  s->error = error_no;
  s->detail = detail_no;
}

bool lp_pdfobj_haru_fail(HPDF_Doc pdf, const lp_haru_status *status,
                         lp_error *err, const char *what) {
  HPDF_STATUS code = status ? status->error : 0;
  HPDF_STATUS detail = status ? status->detail : 0;
  if (!code && pdf) {
    code = HPDF_GetError(pdf);
    detail = HPDF_GetErrorDetail(pdf);
  }
  return lp_fail(err, LP_ERR_PDF, NULL, 0, 0,
                 "PDF writer: libharu error 0x%04lX (detail %lu) while %s",
                 (unsigned long)code, (unsigned long)detail, what);
}
