/* qpdflib.h - the qpdf library, opened with dlopen on first use.
 *
 * qpdf is not linked: loading it (with the C++ runtime and GnuTLS it
 * brings) costs every start of the program about 4 ms, a seventh of
 * rendering a letter, and most runs never need it.  Modules that read or
 * rewrite a PDF (signing, time-stamping) call lp_qpdf_load and then go
 * through the table it returns, which lives as long as the process. */
#ifndef LP_QPDF_LIB_H
#define LP_QPDF_LIB_H

#include <qpdf/qpdf-c.h>

#include "letterpress.h"

/* The qpdf C functions letterpress uses; add a name here to use one more. */
#define LP_QPDF_FUNCTIONS(X) \
  X(qpdf_init) \
  X(qpdf_cleanup) \
  X(qpdf_silence_errors) \
  X(qpdf_set_suppress_warnings) \
  X(qpdf_set_logger) \
  X(qpdf_read_memory) \
  X(qpdf_is_encrypted) \
  X(qpdf_has_error) \
  X(qpdf_get_error) \
  X(qpdf_get_error_full_text) \
  X(qpdf_get_trailer) \
  X(qpdf_get_root) \
  X(qpdf_get_num_pages) \
  X(qpdf_get_page_n) \
  X(qpdf_make_indirect_object) \
  X(qpdf_oh_get_key) \
  X(qpdf_oh_has_key) \
  X(qpdf_oh_get_object_id) \
  X(qpdf_oh_get_generation) \
  X(qpdf_oh_unparse) \
  X(qpdf_oh_get_array_item) \
  X(qpdf_oh_get_array_n_items) \
  X(qpdf_oh_new_null) \
  X(qpdf_oh_new_name) \
  X(qpdf_oh_is_array) \
  X(qpdf_oh_is_null) \
  X(qpdf_oh_is_dictionary) \
  X(qpdf_oh_is_name_and_equals) \
  X(qpdf_oh_get_numeric_value) \
  X(qpdf_oh_get_utf8_value) \
  X(qpdf_oh_is_stream) \
  X(qpdf_oh_get_stream_data) \
  X(qpdf_oh_begin_dict_key_iter) \
  X(qpdf_oh_dict_more_keys) \
  X(qpdf_oh_dict_next_key) \
  X(qpdflogger_create) \
  X(qpdflogger_set_warn) \
  X(qpdflogger_set_error) \
  X(qpdflogger_cleanup) \
  X(qpdf_get_error_code) \
  X(qpdf_init_write_memory) \
  X(qpdf_set_r6_encryption_parameters2) \
  X(qpdf_set_stream_data_mode) \
  X(qpdf_write) \
  X(qpdf_get_buffer_length) \
  X(qpdf_get_buffer) \
  X(qpdf_oh_is_indirect) \
  X(qpdf_oh_is_string) \
  X(qpdf_oh_is_integer) \
  X(qpdf_oh_get_int_value) \
  X(qpdf_oh_get_binary_string_value)

/* One pointer per function, each with the type qpdf declares for it. */
typedef struct lp_qpdf_api {
#define LP_QPDF_MEMBER(name) __typeof__(name) *name;
  LP_QPDF_FUNCTIONS(LP_QPDF_MEMBER)
#undef LP_QPDF_MEMBER
} lp_qpdf_api;

/* Opens qpdf once per process (thread-safe) and returns its functions.
 * NULL, err set (code, with `purpose` such as "signing" in the message and
 * the package to install), when the library or a function is missing; a
 * later call says the same. */
const lp_qpdf_api *lp_qpdf_load(lp_status code, const char *purpose,
                                lp_error *err);

/* A new qpdf handle that reports nothing itself (library code never
 * prints; qpdf's warnings about odd objects in a damaged PDF go nowhere):
 * errors come back through qpdf_has_error.  Free with qpdf_cleanup. */
qpdf_data lp_qpdf_quiet(const lp_qpdf_api *qp);

#endif
