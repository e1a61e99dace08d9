/* data.h - the values that fill placeholders, and data sets to read them
 * from: JSON (jansson), JSON Lines, CSV (libcsv).
 *
 * lp_data owns its jansson tree (always an object: one record).  Strings
 * returned by lp_data_text are malloc'd and the caller frees them.
 *
 * A data set is a stream of records (lp_records), read one at a time so
 * that memory stays flat however long the file:
 *   .json   an object (one record) or an array of objects
 *   .jsonl  one object per line (also .ndjson); blank lines are skipped
 *   .csv    a header row of names (dotted names make nested values:
 *           customer.name), then one record per row; RFC 4180 quoting
 *           (commas, quotes, line breaks inside "..."); cells are strings,
 *           except true and false, which are booleans.  A part of a name
 *           after the first that is a whole number is a position in a
 *           list (items.1.name, items.2.name; tags.1, tags.2): items are
 *           objects or cells, ordered by their numbers (1, 2, 10), and an
 *           item whose cells are all empty is left out, so that records
 *           with fewer items leave the last columns empty.  A position is
 *           written plainly, 1 to LP_DATA_MAX_POSITION (no 0, no leading
 *           zeros); a header that makes one name both a list and an
 *           object (items.1, items.name), or both a value and what holds
 *           values (customer, customer.name), is an error located at the
 *           column (file:line:col).  The cells are separated by commas,
 *           semicolons (European Excel) or tabs: the one of the three
 *           that the header line holds most often outside quotes (commas
 *           on a tie), unless a delimiter is given.  Empty names at the
 *           end of the header (Excel's stray columns) are dropped, with
 *           their cells, which must be empty.  Cells true/TRUE/True and
 *           false/FALSE/False (Excel's booleans) are booleans.
 *   .tsv    the same, cells separated by tabs; .txt (Excel's "Text (Tab
 *           delimited)" and "Unicode text") as CSV
 *   -       standard input, read whole (JSON unless a format is given)
 * Every file is read as UTF-8 unless a byte order mark (UTF-8, UTF-16 LE
 * or BE) or an encoding given says otherwise (see decode.h).  JSON numbers
 * keep the text they are written with (12.50 stays "12.50", 1e3 "1e3"):
 * they are read as strings of that text.
 */
#ifndef LP_DATA_H
#define LP_DATA_H

#include <stdbool.h>

#include <jansson.h>

#include "letterpress.h"
#include "util.h"

struct lp_data {
  json_t *root; /* an object */
};

/* The largest list position in a CSV header or --set name (items.1000). */
#define LP_DATA_MAX_POSITION 1000

/* The most columns a CSV header may name (a spreadsheet's own limit). */
#define LP_DATA_MAX_COLUMNS 16384

/* The most dotted parts of a CSV header name. */
#define LP_DATA_MAX_PARTS 64

/* Looks up a dotted name ("customer.name", "items.2.name"); NULL when
 * absent.  The JSON value is borrowed from data. */
json_t *lp_data_lookup(const lp_data *data, const char *name);

/* One step of a dotted name: member part[0..n) of an object, or, in a
 * list, the item at a position written as in CSV headers (1-based, plain
 * decimal: "2", not "02" or "0"); NULL when there is none. */
json_t *lp_data_member(const json_t *v, const char *part, size_t n);

/* The text a value renders as: strings as they are, numbers in their JSON
 * form, true/false, null as "".  Arrays and objects give NULL. */
char *lp_data_text(const json_t *value);

typedef enum {
  LP_DATA_AUTO, /* from the file name's extension; JSON for "-" */
  LP_DATA_JSON,
  LP_DATA_JSONL,
  LP_DATA_CSV,
  LP_DATA_TSV   /* CSV whose delimiter is a tab */
} lp_data_format;

/* Parses a format name: "json", "jsonl" (or "ndjson"), "csv", "tsv". */
bool lp_data_format_parse(const char *name, lp_data_format *fmt);

/* The closest name to `name` that the data has, looked for in the objects
 * ctx[0..n) (the innermost last) and, for a dotted name, inside the part
 * that resolves: by edit distance over code points (so 客户明称 finds
 * 客户名称), ASCII case ignored.  malloc'd; NULL when nothing is close. */
char *lp_data_closest(const json_t *const *ctx, size_t n, const char *name);

/* Appends the names of obj's members, ", "-separated, at most max of them
 * (then "... (N in all)"). */
void lp_data_list_names(const json_t *obj, lp_buf *out, size_t max);

typedef struct lp_records lp_records;

/* How to read a data set. */
typedef struct lp_records_options {
  lp_data_format fmt;   /* LP_DATA_AUTO: from the extension */
  const char *encoding; /* ICU converter name; NULL: UTF-8 (or the BOM's) */
  char delimiter;       /* CSV: ',', ';' or '\t'; 0: from the header line */
  size_t max_bytes;     /* a JSON file or a line at most (0: no limit) */
} lp_records_options;

/* Opens a data file ("-": standard input, read whole) as o says. */
lp_records *lp_records_open_with(const char *path,
                                 const lp_records_options *o, lp_error *err);

/* Opens text (len bytes, copied) as o says; name locates errors. */
lp_records *lp_records_open_memory_with(const char *text, size_t len,
                                        const char *name,
                                        const lp_records_options *o,
                                        lp_error *err);

/* Opens a data file ("-": standard input, read whole) as a stream of
 * records.  Close with lp_records_close. */
lp_records *lp_records_open(const char *path, lp_data_format fmt,
                            lp_error *err);

/* The same, with an input limit (a JSON file, or a line of JSON Lines or
 * CSV, of more than max_bytes is an error; 0: no limit).  lp_records_open
 * uses LP_DEFAULT_MAX_INPUT_BYTES. */
lp_records *lp_records_open_limited(const char *path, lp_data_format fmt,
                                    size_t max_bytes, lp_error *err);

/* Opens text (len bytes, copied) as a stream of records; name is used in
 * error locations and, with LP_DATA_AUTO, for the format. */
lp_records *lp_records_open_memory(const char *text, size_t len,
                                   const char *name, lp_data_format fmt,
                                   lp_error *err);

/* Reads the next record: returns 1 and sets *rec (the caller frees it with
 * lp_data_free), 0 at the end, -1 on bad data (err located: file, line,
 * column where known, and the record number in the message). */
int lp_records_next(lp_records *r, lp_data **rec, lp_error *err);

/* lp_records_next, but the record is made only of the values that the
 * dotted names only[0..nonly) start with (only NULL: all of them): a CSV
 * row's other cells are not made into values, a JSON Lines object's other
 * members are stepped over unparsed (a line that is not a plain object is
 * parsed whole); a JSON array is read whole.  For values that are needed
 * of every record (output names) when the rest is not. */
int lp_records_next_only(lp_records *r, const char *const *only,
                         size_t nonly, lp_data **rec, lp_error *err);

/* Skips the next record without making it: 1, 0 at the end, -1 on data
 * that cannot be read.  It parses only what it must to find where the
 * record ends (a JSON Lines line is not parsed; a CSV row's end is found
 * by its quotes), so a record's own errors (bad JSON, a wrong count of
 * cells) are not seen; it is counted as lp_records_next counts it. */
int lp_records_skip(lp_records *r, lp_error *err);

/* The number of records read so far (the last one's 1-based number). */
size_t lp_records_count(const lp_records *r);

/* The line of the data file where the last record read starts (0 when
 * unknown: elements of a JSON array). */
int lp_records_line(const lp_records *r);

void lp_records_close(lp_records *r);

#endif
