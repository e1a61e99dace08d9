/* encrypt.c - password-protected PDFs: AES-256 through qpdf, and the file
 * key and encrypted objects that signing one needs. */
#include "encrypt.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "pdfobj.h"

/* What a permissions list allows (lp_encrypt_options.permissions). */
enum {
  PERMIT_PRINT = 1 << 0,     /* high quality (bits 3 and 12, 7.6.4.2) */
  PERMIT_PRINT_LOW = 1 << 1, /* bit 3 only */
  PERMIT_FILL = 1 << 2,      /* bit 9: fill in fields, sign them */
  PERMIT_ANNOTATE = 1 << 3,  /* bit 6 */
  PERMIT_COPY = 1 << 4,      /* bit 5 */
  PERMIT_ASSEMBLE = 1 << 5,  /* bit 11 */
  PERMIT_MODIFY = 1 << 6,    /* bit 4 */
  PERMIT_ALL = (1 << 7) - 1
};

/* The words of a permissions list and what each allows. */
static const struct {
  const char *word;
  unsigned bits;
} permit_words[] = {
    {"print", PERMIT_PRINT},       {"print-low", PERMIT_PRINT_LOW},
    {"fill", PERMIT_FILL},         {"annotate", PERMIT_ANNOTATE},
    {"copy", PERMIT_COPY},         {"assemble", PERMIT_ASSEMBLE},
    {"modify", PERMIT_MODIFY},     {"all", PERMIT_ALL},
    {"none", 0},
};

/* What a recipient needs: print the letter, fill it in and sign it. */
#define DEFAULT_PERMISSIONS "print,fill"
/* Random bytes of an owner password nobody is told (as hex). */
#define OWNER_RANDOM_BYTES 24

/* Parses a permissions list (NULL: the default) into *bits. */
static bool parse_permissions(const char *list, unsigned *bits, lp_error *err) {
  if (!list) list = DEFAULT_PERMISSIONS;
  *bits = 0;
  const char *p = list;
  for (;;) {
    size_t n = strcspn(p, ",");
    while (n && p[0] == ' ') p++, n--;
    while (n && p[n - 1] == ' ') n--;
    bool known = false;
    for (size_t k = 0; k < sizeof permit_words / sizeof permit_words[0]; k++)
      if (strlen(permit_words[k].word) == n && !strncmp(p, permit_words[k].word, n)) {
        *bits |= permit_words[k].bits;
        known = true;
      }
    if (!known)
      return lp_fail(err, LP_ERR_INPUT, "--permissions", 0, 0,
                     "'%.*s' is not a permission: give a comma-separated list "
                     "of print, print-low, fill, annotate, copy, assemble, "
                     "modify, or all or none",
                     (int)n, p);
    p = strchr(p, ',');
    if (!p) return true;
    p++;
  }
}

bool lp_encrypt_check_permissions(const char *permissions, lp_error *err) {
  unsigned bits;
  return parse_permissions(permissions, &bits, err);
}

bool lp_encrypt_read_password(const char *source, const char *option,
                              char **password, lp_error *err) {
  return lp_read_secret(source, option, password, err);
}

/* Fails with qpdf's pending error, saying what was being done. */
static bool fail_with_qpdf(const lp_qpdf_api *qp, qpdf_data q, lp_status code,
                           const char *what, lp_error *err) {
  const char *msg = "qpdf failed";
  if (qp->qpdf_has_error(q))
    msg = qp->qpdf_get_error_full_text(q, qp->qpdf_get_error(q));
  return lp_fail(err, code, NULL, 0, 0, "%s: %s", what, msg);
}

/* Sets q to be written encrypted with AES-256 (revision 6) as o says;
 * owner is the owner password to use. */
static void set_r6(const lp_qpdf_api *qp, qpdf_data q, const lp_encrypt_options *o,
                   const char *owner, unsigned bits) {
  enum qpdf_r3_print_e print = bits & PERMIT_PRINT       ? qpdf_r3p_full
                               : bits & PERMIT_PRINT_LOW ? qpdf_r3p_low
                                                         : qpdf_r3p_none;
  /* Accessibility (bit 10) always: PDF 2.0 deprecates the bit and readers
   * must let assistive technology read the text anyway (7.6.4.2). */
  qp->qpdf_set_r6_encryption_parameters2(
      q, o->user_password, owner, QPDF_TRUE, !!(bits & PERMIT_COPY),
      !!(bits & PERMIT_ASSEMBLE), !!(bits & PERMIT_ANNOTATE),
      !!(bits & PERMIT_FILL), !!(bits & PERMIT_MODIFY), print, QPDF_TRUE);
}

bool lp_encrypt_memory(const unsigned char *pdf, size_t len,
                       const lp_encrypt_options *o, unsigned char **out,
                       size_t *out_len, lp_error *err) {
  unsigned bits;
  if (!o || !o->user_password || !*o->user_password)
    return lp_fail(err, LP_ERR_INPUT, NULL, 0, 0,
                   "a password-protected PDF needs a password that is not empty");
  if (!parse_permissions(o->permissions, &bits, err)) return false;
  const lp_qpdf_api *qp = lp_qpdf_load(LP_ERR_PDF, "password protection", err);
  if (!qp) return false;
  char owner[2 * OWNER_RANDOM_BYTES + 1] = "";
  if (!o->owner_password) { /* permissions nobody can lift */
    unsigned char r[OWNER_RANDOM_BYTES];
    if (RAND_bytes(r, sizeof r) != 1) abort();
    for (int i = 0; i < OWNER_RANDOM_BYTES; i++)
      snprintf(owner + 2 * i, 3, "%02x", r[i]);
    OPENSSL_cleanse(r, sizeof r);
  }
  qpdf_data q = lp_qpdf_quiet(qp);
  bool ok = true;
  bool read = !(qp->qpdf_read_memory(q, "letter", (const char *)pdf,
                                     (unsigned long long)len, NULL) & QPDF_ERRORS);
  qpdf_error e = read || !qp->qpdf_has_error(q) ? NULL : qp->qpdf_get_error(q);
  bool locked = e && qp->qpdf_get_error_code(q, e) == qpdf_e_password;
  if (!read && !locked)
    ok = lp_fail(err, LP_ERR_PDF, NULL, 0, 0, "cannot read the PDF to encrypt: %s",
                 e ? qp->qpdf_get_error_full_text(q, e) : "qpdf failed");
  else if (locked || qp->qpdf_is_encrypted(q))
    ok = lp_fail(err, LP_ERR_INPUT, NULL, 0, 0, "this PDF is encrypted already");
  if (ok) {
    qp->qpdf_init_write_memory(q);
    /* The streams as letterpress wrote them, only encrypted: qpdf's own
     * recompression gives an empty stream a /FlateDecode with no data,
     * which MuPDF reports as "premature end of data". */
    qp->qpdf_set_stream_data_mode(q, qpdf_s_preserve);
    set_r6(qp, q, o, o->owner_password ? o->owner_password : owner, bits);
    if (qp->qpdf_write(q) & QPDF_ERRORS)
      ok = fail_with_qpdf(qp, q, LP_ERR_PDF, "cannot write the encrypted PDF", err);
  }
  if (ok) {
    *out_len = qp->qpdf_get_buffer_length(q);
    *out = lp_xmalloc(*out_len ? *out_len : 1);
    memcpy(*out, qp->qpdf_get_buffer(q), *out_len);
  }
  OPENSSL_cleanse(owner, sizeof owner);
  if (qp->qpdf_has_error(q)) qp->qpdf_get_error(q);
  qp->qpdf_cleanup(&q);
  return ok;
}

bool lp_encrypt_read_error(const lp_qpdf_api *qp, qpdf_data q,
                           const char *password, lp_error *err) {
  if (!qp->qpdf_has_error(q))
    return lp_fail(err, LP_ERR_INPUT, NULL, 0, 0, "cannot read this PDF");
  qpdf_error e = qp->qpdf_get_error(q);
  if (qp->qpdf_get_error_code(q, e) != qpdf_e_password)
    return lp_fail(err, LP_ERR_INPUT, NULL, 0, 0, "cannot read this PDF: %s",
                   qp->qpdf_get_error_full_text(q, e));
  if (!password)
    return lp_fail(err, LP_ERR_INPUT, NULL, 0, 0,
                   "this PDF is password-protected: give its password with "
                   "--password env:VAR or file:PATH");
  return lp_fail(err, LP_ERR_INPUT, NULL, 0, 0,
                 "wrong password: this PDF does not open with the --password "
                 "given (neither its user nor its owner password); nothing "
                 "was written");
}

/* Copies the byte string dict[key] (at least n bytes; only n are used)
 * into dst; false when it is missing or short. */
static bool entry_bytes(const lp_qpdf_api *qp, qpdf_data q, qpdf_oh dict,
                        const char *key, unsigned char *dst, size_t n) {
  qpdf_oh v = qp->qpdf_oh_get_key(q, dict, key);
  size_t len = 0;
  if (!qp->qpdf_oh_is_string(q, v)) return false;
  const char *s = qp->qpdf_oh_get_binary_string_value(q, v, &len);
  if (len < n) return false;
  memcpy(dst, s, n);
  return true;
}

bool lp_encrypt_file_key(const lp_qpdf_api *qp, qpdf_data q,
                         const char *password,
                         unsigned char key[LP_PDFCRYPT_KEY_LEN],
                         lp_error *err) {
  qpdf_oh enc = qp->qpdf_oh_get_key(q, qp->qpdf_get_trailer(q), "/Encrypt");
  qpdf_oh v = qp->qpdf_oh_get_key(q, enc, "/V"), r = qp->qpdf_oh_get_key(q, enc, "/R");
  long long vv = qp->qpdf_oh_is_integer(q, v) ? qp->qpdf_oh_get_int_value(q, v) : 0;
  long long rv = qp->qpdf_oh_is_integer(q, r) ? qp->qpdf_oh_get_int_value(q, r) : 0;
  if (!qp->qpdf_oh_is_name_and_equals(q, qp->qpdf_oh_get_key(q, enc, "/Filter"), "/Standard") ||
      vv != 5 || rv != 6)
    return lp_fail(err, LP_ERR_INPUT, NULL, 0, 0,
                   "this PDF is encrypted with %s (/V %lld /R %lld), not "
                   "AES-256 (/V 5 /R 6): letterpress signs only AES-256 "
                   "password-protected PDFs; re-encrypt it (qpdf --password=PW "
                   "--decrypt, then qpdf --encrypt U O 256 --) and sign that",
                   qp->qpdf_oh_is_name_and_equals(q, qp->qpdf_oh_get_key(q, enc, "/Filter"), "/Standard")
                       ? "the standard handler" : "another security handler",
                   vv, rv);
  lp_pdfcrypt_entries e = {0};
  qpdf_oh p = qp->qpdf_oh_get_key(q, enc, "/P");
  if (!entry_bytes(qp, q, enc, "/O", e.o, 48) || !entry_bytes(qp, q, enc, "/U", e.u, 48) ||
      !entry_bytes(qp, q, enc, "/OE", e.oe, 32) || !entry_bytes(qp, q, enc, "/UE", e.ue, 32) ||
      !entry_bytes(qp, q, enc, "/Perms", e.perms, 16) || !qp->qpdf_oh_is_integer(q, p))
    return lp_fail(err, LP_ERR_INPUT, NULL, 0, 0,
                   "this PDF's /Encrypt dictionary lacks /O, /U, /OE, /UE, "
                   "/Perms or /P: it is damaged");
  e.p = (int32_t)qp->qpdf_oh_get_int_value(q, p);
  if (!lp_pdfcrypt_file_key(&e, password ? password : "", key))
    return lp_fail(err, LP_ERR_INPUT, NULL, 0, 0,
                   "wrong password: this PDF's key does not come from the "
                   "--password given (or its /Perms is damaged)");
  return true;
}

/* The keys of dict, each ending with a NUL, into keys: qpdf has one key
 * iterator per handle, which a nested dictionary would take over. */
static void dict_keys(const lp_qpdf_api *qp, qpdf_data q, qpdf_oh dict,
                      lp_buf *keys) {
  qp->qpdf_oh_begin_dict_key_iter(q, dict);
  while (qp->qpdf_oh_dict_more_keys(q)) {
    const char *k = qp->qpdf_oh_dict_next_key(q);
    lp_buf_append(keys, k, strlen(k) + 1);
  }
}

void lp_encrypt_put_dict(const lp_qpdf_api *qp, qpdf_data q, qpdf_oh dict,
                         const char *const *overrides, const unsigned char *key,
                         lp_buf *out) {
  static const char *const none[] = {NULL};
  if (!overrides) overrides = none;
  lp_buf keys = {0};
  dict_keys(qp, q, dict, &keys);
  lp_buf_puts(out, "<<");
  for (size_t at = 0; at < keys.len; at += strlen((char *)keys.data + at) + 1) {
    const char *k = (const char *)keys.data + at;
    bool replaced = false;
    for (const char *const *o = overrides; *o; o += 2)
      if (!strcmp(*o, k)) replaced = true;
    if (replaced) continue;
    /* The key as PDF syntax again (#xx escapes): qpdf hands it decoded. */
    lp_buf_printf(out, " %s ", qp->qpdf_oh_unparse(q, qp->qpdf_oh_new_name(q, k)));
    lp_encrypt_put_value(qp, q, qp->qpdf_oh_get_key(q, dict, k), key, out);
  }
  for (const char *const *o = overrides; *o; o += 2)
    lp_buf_printf(out, " %s %s", o[0], o[1]);
  lp_buf_puts(out, " >>");
  lp_buf_free(&keys);
}

void lp_encrypt_put_value(const lp_qpdf_api *qp, qpdf_data q, qpdf_oh v,
                          const unsigned char *key, lp_buf *out) {
  if (!key || qp->qpdf_oh_is_indirect(q, v)) {
    lp_buf_puts(out, qp->qpdf_oh_unparse(q, v));
  } else if (qp->qpdf_oh_is_string(q, v)) {
    size_t len = 0;
    const char *s = qp->qpdf_oh_get_binary_string_value(q, v, &len);
    lp_pdfcrypt_put_string(key, (const unsigned char *)s, len, out);
  } else if (qp->qpdf_oh_is_array(q, v)) {
    lp_buf_puts(out, "[");
    int n = qp->qpdf_oh_get_array_n_items(q, v);
    for (int i = 0; i < n; i++) {
      lp_buf_puts(out, " ");
      lp_encrypt_put_value(qp, q, qp->qpdf_oh_get_array_item(q, v, i), key, out);
    }
    lp_buf_puts(out, " ]");
  } else if (qp->qpdf_oh_is_dictionary(q, v)) {
    lp_encrypt_put_dict(qp, q, v, NULL, key, out);
  } else {
    lp_buf_puts(out, qp->qpdf_oh_unparse(q, v));
  }
}

bool lp_encrypt_for_record(const lp_merge_options *o, char **password,
                           lp_encrypt_options *eo, lp_error *err) {
  if (!o->password) return true;
  if (!*password) return false; /* err set by the fill */
  if (!**password) {
    lp_encrypt_password_free(*password);
    *password = NULL;
    return lp_fail(err, LP_ERR_INPUT, "--password", 0, 0,
                   "the password '%s' is empty for this record: its letter "
                   "would open without one; give the record a value",
                   o->password);
  }
  eo->user_password = *password;
  eo->owner_password = o->owner_password;
  eo->permissions = o->permissions;
  return true;
}

void lp_encrypt_password_free(char *password) {
  if (!password) return;
  OPENSSL_cleanse(password, strlen(password));
  free(password);
}
