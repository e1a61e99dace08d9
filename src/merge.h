/* merge.h - the pieces of the mail merge (see lp_merge in letterpress.h)
 * that other modules share: output names filled from a record. */
#ifndef LP_MERGE_H
#define LP_MERGE_H

#include "letterpress.h"

/* Fills a file name template ("out/{{id}}.pdf", {{a.b}}, {{@record}}) with
 * record number `record` of rec, values made safe for file names exactly
 * as merge's -o names are.  malloc'd (caller frees); NULL, with err, when
 * the template is bad or the record lacks a value: err names option (its
 * file) and noun, what the template makes ("--attach", "the .eml name"). */
char *lp_merge_fill_name(const char *pattern, const lp_data *rec,
                         size_t record, const char *option, const char *noun,
                         lp_error *err);

/* The same with values as they are (for header lines, subjects, a
 * password): text from data is not made safe, so the caller checks what
 * it needs. */
char *lp_merge_fill_text(const char *pattern, const lp_data *rec,
                         size_t record, const char *option, const char *noun,
                         lp_error *err);

/* name with "-k" before its extension (k 0: a plain copy); malloc'd. */
char *lp_merge_with_suffix(const char *name, unsigned k);

#endif
