/* fuzz_data.c - the data readers: JSON, JSON Lines and CSV, record by
 * record, and the text of every value. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "data.h"

/* Reads every record of the input in one format. */
static void read_all(const uint8_t *data, size_t size, lp_data_format fmt) {
  lp_error err;
  lp_records *r = lp_records_open_memory((const char *)data, size, "fuzz",
                                         fmt, &err);
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
  read_all(data, size, LP_DATA_JSON);
  read_all(data, size, LP_DATA_JSONL);
  read_all(data, size, LP_DATA_CSV);
  return 0;
}
