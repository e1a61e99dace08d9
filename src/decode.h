/* decode.h - a data file's bytes as UTF-8 text, read as a stream.
 *
 * Spreadsheets save text in the encoding of the user's system: UTF-8 with
 * or without a byte order mark, UTF-16 with one (Excel's "Unicode text"),
 * GB18030/GBK, Shift_JIS/CP932, Big5, EUC-KR/CP949 ...  lp_decode_open
 * wraps a FILE so that the reader above it always sees UTF-8:
 *   - a BOM (EF BB BF, FF FE, FE FF) is removed and names the encoding;
 *   - otherwise the encoding given (an ICU converter name or alias), whose
 *     bytes are converted through ICU (ucnv) chunk by chunk, so memory
 *     stays flat however long the file;
 *   - with no encoding (or UTF-8), the first LP_DECODE_SAMPLE bytes must
 *     be UTF-8; when they are not, opening fails naming the encoding they
 *     look like (ICU's charset detector) and the option to pass.
 * Bytes that the encoding does not allow end the stream early; the reader
 * asks lp_decode_bad and says so.
 */
#ifndef LP_DECODE_H
#define LP_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "letterpress.h"

/* Bytes looked at before any is read: for the BOM and the UTF-8 check. */
#define LP_DECODE_SAMPLE 65536

typedef struct lp_decode lp_decode;

/* Wraps raw (taken: closed by lp_decode_close, or here on failure).  name
 * is for error locations; encoding may be NULL.  NULL with err when the
 * encoding is unknown or the first bytes are not UTF-8 without one. */
lp_decode *lp_decode_open(FILE *raw, const char *name, const char *encoding,
                          lp_error *err);

/* The UTF-8 text stream (owned by d). */
FILE *lp_decode_stream(lp_decode *d);

/* The name of the encoding being read ("UTF-8", "UTF-16LE", "GB18030"). */
const char *lp_decode_encoding(const lp_decode *d);

/* Whether the stream ended at bytes its encoding does not allow. */
bool lp_decode_bad(const lp_decode *d);

/* Closes the stream and the file under it (NULL: nothing). */
void lp_decode_close(lp_decode *d);

/* What to tell a user whose data bytes (n of them) are not UTF-8: "it
 * looks like GB18030: pass --encoding GB18030" when ICU's charset detector
 * is sure, else the encodings of spreadsheets the bytes are valid in.
 * Written into out (cap bytes). */
void lp_decode_advice(const char *bytes, size_t n, char *out, size_t cap);

#endif
