/* objstm.h - packs small objects of a saved PDF into compressed object
 * streams (ISO 32000-1 7.5.7), with a cross-reference stream (7.5.8).
 *
 * libharu writes every object on its own, uncompressed, with a 20-byte
 * line in a classic cross-reference table.  A tagged letter has about a
 * hundred small structure elements: as text they cost several kilobytes,
 * compressed together a few hundred bytes.  This pass takes libharu's
 * output (one revision, one classic xref table, unencrypted) and rewrites
 * it: the chosen objects go, in order, into object streams; every other
 * object is copied byte for byte; the table becomes a compressed
 * cross-reference stream carrying the trailer's entries.  The header is
 * raised to %PDF-1.5 when lower (object streams are PDF 1.5).  PDF/A-1
 * (PDF 1.4) must not use it.  Deterministic: the same input gives the same
 * bytes.
 */
#ifndef LP_OBJSTM_H
#define LP_OBJSTM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Rewrites the PDF in out->data[start, out->len) so that the objects
 * numbered ids[0..n) (non-stream objects, generation 0) are stored in
 * object streams.  Leaves out untouched, and fails with a message naming
 * the problem, when the file is not as libharu writes it (no classic xref
 * table, an /Encrypt entry, an id that is a stream or absent). */
bool lp_objstm_pack(lp_buf *out, size_t start, const uint32_t *ids, size_t n,
                    lp_error *err);

#endif
