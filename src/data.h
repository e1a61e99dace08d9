/* data.h - the values that fill placeholders: a JSON object (jansson).
 *
 * lp_data owns its jansson tree.  Strings returned by lp_data_text are
 * malloc'd and the caller frees them.
 */
#ifndef LP_DATA_H
#define LP_DATA_H

#include <stdbool.h>

#include <jansson.h>

#include "letterpress.h"

struct lp_data {
  json_t *root; /* an object */
};

/* Looks up a dotted name ("customer.name"); NULL when absent.  The JSON
 * value is borrowed from data. */
json_t *lp_data_lookup(const lp_data *data, const char *name);

/* The text a value renders as: strings as they are, numbers in their JSON
 * form, true/false, null as "".  Arrays and objects give NULL. */
char *lp_data_text(const json_t *value);

#endif
