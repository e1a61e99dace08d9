/* pdfupdate.h - an incremental update of a PDF (ISO 32000-1 7.5.6): the
 * original bytes, then new or rewritten objects, then a cross-reference
 * section (a table, or a stream when the original uses streams) whose
 * trailer points back with /Prev.  Signing, the DSS and document
 * time-stamps all write one.
 *
 * The PDF is read with qpdf (src/qpdflib.h): lp_update_open gives the
 * handle the writers below take objects from.  An lp_update owns its
 * bytes (u->out) and its object list; lp_update_free frees both, unless
 * lp_update_take handed the bytes on.
 */
#ifndef LP_PDF_UPDATE_H
#define LP_PDF_UPDATE_H

#include <stdbool.h>
#include <stddef.h>

#include <qpdf/qpdf-c.h>

#include "letterpress.h"
#include "pdfcrypt.h"
#include "util.h"

/* Digits of each /ByteRange number (patched in place). */
#define LP_UPDATE_RANGE_DIGITS 10
/* Object numbers a PDF may use (ISO 32000-1, annex C). */
#define LP_UPDATE_MAX_OBJECTS 8388607

typedef struct lp_update {
  lp_buf out;         /* the original bytes, then the update */
  size_t base;        /* how many of them are the original's */
  long long prev;     /* offset of the original's last xref section */
  int next;           /* the next free object number */
  bool xref_stream;   /* the original uses cross-reference streams */
  long long *offsets; /* per object written: offset, number, generation */
  int *numbers;
  int *gens;
  size_t n, cap, cap2, cap3;
  /* A password-protected PDF's file key (pointing at key_bytes), else
   * NULL: the update's strings and streams are encrypted with it, as
   * every object of such a file is (ISO 32000-2 7.6.2). */
  const unsigned char *key;
  unsigned char key_bytes[LP_PDFCRYPT_KEY_LEN];
} lp_update;

/* Where a signature dictionary's placeholders are in u->out. */
typedef struct lp_update_sig {
  size_t range_at;    /* the blank numbers of /ByteRange */
  size_t contents_at; /* the '<' of /Contents */
  size_t reserve;     /* bytes of room in /Contents */
} lp_update_sig;

/* Opens pdf (which must outlive the handle) with qpdf, quietly, loading
 * qpdf first, with password when it is encrypted (NULL: none); NULL, err
 * set, when it cannot be read or the password is missing or wrong.  Close
 * with lp_update_close. */
qpdf_data lp_update_open(const unsigned char *pdf, size_t len,
                         const char *password, lp_error *err);

/* Closes a handle of lp_update_open (NULL is fine). */
void lp_update_close(qpdf_data q);

/* Starts an update of pdf (q, of lp_update_open with password, reads
 * it): finds its last cross-reference section, the first free object
 * number, the file key of an encrypted PDF, and copies its bytes into
 * u->out.  False, err set, when the PDF has no 'startxref' (damaged) or
 * is encrypted otherwise than with AES-256. */
bool lp_update_begin(lp_update *u, qpdf_data q, const unsigned char *pdf,
                     size_t len, const char *password, lp_error *err);

/* A free object number for a new object: past the trailer's /Size and
 * past every "N G obj" in the file (a damaged /Size cannot make a new
 * object overwrite another). */
int lp_update_new_number(lp_update *u);

/* Starts object num gen at the current end ("num gen obj"). */
void lp_update_obj(lp_update *u, int num, int gen);

/* Writes dict as it is (its strings encrypted with u's key, if any), but
 * with the keys of overrides (pairs of key and value text,
 * NULL-terminated) replaced or added, to out. */
void lp_update_dict(const lp_update *u, qpdf_data q, qpdf_oh dict,
                    const char *const *overrides, lp_buf *out);

/* Appends a text string (encrypted with u's key, if any) to u->out. */
void lp_update_text(lp_update *u, const char *utf8);

/* Appends a stream's dictionary keys (`keys`, without /Length), /Length,
 * its data (encrypted with u's key, if any) and "endobj" to u->out. */
void lp_update_stream(lp_update *u, const char *keys,
                      const unsigned char *data, size_t len);

/* Rewrites the indirect object obj (a dictionary) with overrides. */
void lp_update_rewrite(lp_update *u, qpdf_data q, qpdf_oh obj,
                       const char *const *overrides);

/* Writes a signature dictionary's start: "<< /Type type ... /SubFilter
 * subfilter /ByteRange [blank] /Contents <zeros>" with room for reserve
 * bytes; *sig tells where the placeholders are.  The caller writes the
 * other keys and the end of the dictionary. */
void lp_update_sig_placeholder(lp_update *u, const char *type,
                               const char *subfilter, size_t reserve,
                               lp_update_sig *sig);

/* Ends the update: the cross-reference section and the trailer, /Size
 * covering every object up to last (the highest new number), /ID with
 * the original's first string and a new second one (a hash of the bytes
 * so far).  False, err
 * set, when last is not a number a PDF may use. */
bool lp_update_finish(lp_update *u, qpdf_data q, int last, lp_error *err);

/* Sets the /ByteRange to everything but the hex digits of /Contents and
 * appends those bytes (what is signed) to *signed_data. */
void lp_update_ranges(lp_update *u, const lp_update_sig *sig,
                      lp_buf *signed_data);

/* Writes der as hex into /Contents; fails when it is larger than the room
 * reserved (what names it in the message). */
bool lp_update_put_contents(lp_update *u, const lp_update_sig *sig,
                            const lp_buf *der, const char *what,
                            lp_error *err);

/* Hands the bytes to the caller (*out malloc'd, caller frees) and frees
 * the rest. */
void lp_update_take(lp_update *u, unsigned char **out, size_t *out_len);

/* Frees the bytes and the object list, and wipes the key. */
void lp_update_free(lp_update *u);

#endif
