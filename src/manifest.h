/* manifest.h - what a merge did, record by record, as JSON Lines (written
 * by lp_merge with --manifest; read back by lp_manifest_check).
 *
 * A manifest is FILE.part while its merge runs, each line flushed as it
 * is written, so a task that is killed leaves a readable prefix; at the
 * end a last line sums it up and FILE.part is renamed FILE.  Lines:
 *   {"manifest": 1, "letterpress": VERSION, "template": PATH,
 *    "template_sha256": HEX, "data": PATH, "data_sha256": HEX,
 *    "records": RECORDS IN THE DATA, "shard": K, "shards": N,
 *    "output": -o, "cwd": DIR}                       (the header, first)
 *   {"record": K, "key": VALUES OF -o, "path": FILE, "status":
 *    "written"|"skipped"|"failed", "bytes": N, "sha256": HEX,
 *    "error": TEXT}                                  (one per record)
 *   {"end": true, "written": N, "skipped": N, "failed": N,
 *    "not_done": N, "seconds": S}                    (the last line)
 */
#ifndef LP_MANIFEST_H
#define LP_MANIFEST_H

#include <stdint.h>

#include "letterpress.h"

/* The version of the manifest format (the header's "manifest"). */
#define LP_MANIFEST_FORMAT 1

typedef struct lp_manifest lp_manifest;

/* What the header says. */
typedef struct lp_manifest_header {
  const char *template_path, *template_sha256;
  const char *data_path, *data_sha256;
  size_t records;
  unsigned shard, shards;
  const char *output;
} lp_manifest_header;

/* One record's line. */
typedef struct lp_manifest_entry {
  size_t record;
  const char *key, *path, *status;
  uint64_t bytes;
  const char *sha256; /* "" when there is no file */
  const char *error;  /* "" when none */
} lp_manifest_entry;

/* Creates path.part and writes the header; NULL with err. */
lp_manifest *lp_manifest_create(const char *path, const lp_manifest_header *h,
                                lp_error *err);

/* Appends a record's line and flushes it; false with err. */
bool lp_manifest_add(lp_manifest *mf, const lp_manifest_entry *e,
                     lp_error *err);

/* Writes the last line, syncs and renames path.part to path; frees mf.
 * False with err when the file cannot be finished. */
bool lp_manifest_finish(lp_manifest *mf, const lp_merge_progress *sum,
                        lp_error *err);

/* Removes path.part (a merge that did not start) and frees mf. */
void lp_manifest_discard(lp_manifest *mf);

/* The SHA-256 of a file (hex, 64 digits and a NUL) and its size; false
 * with err when it cannot be read. */
bool lp_manifest_hash_file(const char *path, uint64_t *bytes, char hex[65],
                           lp_error *err);

/* The SHA-256 of len bytes at p, in hex. */
void lp_manifest_hash(const void *p, size_t len, char hex[65]);

#endif
