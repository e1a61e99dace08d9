/* fuzz_data.c - the data readers: JSON, JSON Lines, CSV and TSV, record by
 * record, and the text of every value; as UTF-8 (BOMs seen), and CSV
 * converted from the encodings spreadsheets save in. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "data.h"

/* Reads every record of the input in one format and encoding (NULL:
 * UTF-8), with a delimiter (0: found in the header line). */
static void read_all(const uint8_t *data, size_t size, lp_data_format fmt,
                     const char *encoding, char delimiter) {
  lp_error err;
  lp_records_options o = {fmt, encoding, delimiter, 1 << 20};
  lp_records *r = lp_records_open_memory_with((const char *)data, size,
                                              "fuzz", &o, &err);
  if (!r) return;
  lp_data *rec;
  for (int n = 0; n < 10000 && lp_records_next(r, &rec, &err) == 1; n++) {
    const char *key;
    json_t *v;
    json_object_foreach(rec->root, key, v) free(lp_data_text(v));
    lp_data_set(rec, "a.b", "x", &err);
    lp_data_set(rec, "items.1.name", "x", &err); /* (a list where CSV made one) */
    lp_data_free(rec);
  }
  lp_records_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  read_all(data, size, LP_DATA_JSON, NULL, 0);
  read_all(data, size, LP_DATA_JSONL, NULL, 0);
  read_all(data, size, LP_DATA_CSV, NULL, 0);
  read_all(data, size, LP_DATA_TSV, NULL, 0);
  read_all(data, size, LP_DATA_CSV, NULL, ';');
  read_all(data, size, LP_DATA_CSV, "GB18030", 0);
  read_all(data, size, LP_DATA_CSV, "Shift_JIS", 0);
  read_all(data, size, LP_DATA_JSONL, "UTF-16LE", 0);
  return 0;
}
