/* sign.c - fills a PDF signature field: OpenSSL CMS, incremental update. */
#include "sign.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <qpdf/qpdf-c.h>

#include "engine.h"
#include "fonts.h"
#include "locales.h"
#include "pdfobj.h"
#include "qpdflib.h"
#include "pdfupdate.h"
#include "sigappear.h"
#include "dss.h"
#include "tsa.h"

/* Bytes reserved for the CMS signature beyond the certificates in it, and
 * for a time-stamp token (its TSA's certificates included). */
#define SIG_BASE_RESERVE 8192
#define TSA_TOKEN_RESERVE 16384
/* AcroForm /SigFlags: SignaturesExist | AppendOnly. */
#define SIG_FLAGS_SIGNED 3
/* Nesting of /Kids we follow when looking for the field, and fields we
 * look at in all (a form is a tree; a damaged one may loop). */
#define MAX_FIELD_DEPTH 32
#define MAX_FIELD_NODES 100000

/* The qpdf calls, set by have_qpdf before any is made. */
static const lp_qpdf_api *qp;

/* Loads qpdf (once per process); false, err set, if it cannot be. */
static bool have_qpdf(lp_error *err) {
  qp = lp_qpdf_load(LP_ERR_SIGN, "signing", err);
  return qp != NULL;
}

/* ---- Small helpers -------------------------------------------------------- */

/* Appends OpenSSL's first queued error to a message, and clears the queue. */
static bool ssl_fail(lp_error *err, lp_status code, const char *file,
                     const char *what) {
  unsigned long e = ERR_peek_last_error();
  char detail[256] = "";
  if (e) ERR_error_string_n(e, detail, sizeof detail);
  ERR_clear_error();
  return lp_fail(err, code, file, 0, 0, "%s%s%s", what, *detail ? ": " : "",
                 detail);
}

/* ---- Credentials ---------------------------------------------------------- */

typedef struct credentials {
  EVP_PKEY *key;
  X509 *cert;
  STACK_OF(X509) *chain;
} credentials;

static void credentials_free(credentials *c) {
  EVP_PKEY_free(c->key);
  X509_free(c->cert);
  sk_X509_pop_free(c->chain, X509_free);
  memset(c, 0, sizeof *c);
}

/* Credentials and options for many signatures (see lp_signer_new). */
struct lp_signer {
  const lp_sign_options *o;
  credentials c;
  lp_tsa_pace *pace; /* o->tsa_rate's, shared by forked workers */
  /* o->image, read once: as it is, and composed onto white for PDF/A-1
   * letters (no transparency there); flat is empty when image has no
   * alpha. */
  lp_sigimage image, flat;
};

/* The time-stamp authority of o, with its retry rule and pace. */
static lp_tsa tsa_of(const lp_sign_options *o, lp_tsa_pace *pace) {
  return (lp_tsa){o->tsa, o->tsa_user, o->tsa_pass, o->tsa_retries,
                  o->tsa_backoff, pace};
}

/* Reads every PEM certificate of a file onto chain. */
static bool read_certs(const char *path, STACK_OF(X509) *chain, X509 **first,
                       lp_error *err) {
  BIO *bio = BIO_new_file(path, "rb");
  if (!bio)
    return lp_fail(err, LP_ERR_INPUT, path, 0, 0, "cannot open: %s",
                   strerror(errno));
  int n = 0;
  X509 *x;
  while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
    if (first && !*first)
      *first = x;
    else
      sk_X509_push(chain, x);
    n++;
  }
  ERR_clear_error();
  BIO_free(bio);
  if (!n)
    return lp_fail(err, LP_ERR_INPUT, path, 0, 0,
                   "no PEM certificate in this file");
  return true;
}

/* Loads the key (PEM or PKCS#12), the certificate and the chain, and
 * checks that the key belongs to the certificate.  The passphrase is
 * cleared before returning. */
static bool load_credentials(const lp_sign_options *o, credentials *c,
                             lp_error *err) {
  char *pass = NULL;
  if (!o->key)
    return lp_fail(err, LP_ERR_INPUT, NULL, 0, 0,
                   "signing needs a key: give --key KEY.pem or a .p12 file "
                   "(--sign-key with render and merge)");
  if (o->pass && !lp_read_secret(o->pass, "--pass", &pass, err)) return false;
  lp_buf kb = {0};
  bool ok = lp_read_file(o->key, &kb, err);
  c->chain = sk_X509_new_null();
  if (ok) {
    bool pem = kb.len >= 10 && memmem(kb.data, kb.len, "-----BEGIN", 10);
    BIO *bio = BIO_new_mem_buf(kb.data, (int)kb.len);
    if (pem) {
      c->key = PEM_read_bio_PrivateKey(bio, NULL, NULL, pass ? pass : "");
      if (!c->key)
        ok = ssl_fail(err, LP_ERR_SIGN, o->key,
                      pass ? "cannot read the private key (wrong passphrase?)"
                           : "cannot read the private key (encrypted? give "
                             "--pass env:VAR or file:PATH; --sign-pass with render and merge)");
    } else {
      PKCS12 *p12 = d2i_PKCS12_bio(bio, NULL);
      STACK_OF(X509) *ca = NULL;
      if (!p12)
        ok = ssl_fail(err, LP_ERR_INPUT, o->key,
                      "not a PEM private key nor a PKCS#12 file");
      else if (!PKCS12_parse(p12, pass ? pass : "", &c->key, &c->cert, &ca))
        ok = ssl_fail(err, LP_ERR_SIGN, o->key,
                      "cannot open this PKCS#12 file (wrong passphrase?)");
      if (ok && !c->key)
        ok = lp_fail(err, LP_ERR_INPUT, o->key, 0, 0,
                     "this PKCS#12 file holds no private key");
      while (ca && sk_X509_num(ca)) sk_X509_push(c->chain, sk_X509_shift(ca));
      sk_X509_free(ca);
      PKCS12_free(p12);
    }
    BIO_free(bio);
  }
  if (kb.data) OPENSSL_cleanse(kb.data, kb.len);
  lp_buf_free(&kb);
  if (pass) {
    OPENSSL_cleanse(pass, strlen(pass));
    free(pass);
  }
  if (ok && o->cert) {
    X509_free(c->cert);
    c->cert = NULL;
    ok = read_certs(o->cert, c->chain, &c->cert, err);
  }
  if (ok && o->chain) ok = read_certs(o->chain, c->chain, NULL, err);
  if (ok && !c->cert)
    ok = lp_fail(err, LP_ERR_INPUT, o->key, 0, 0,
                 "no certificate: give --cert CERT.pem (--sign-cert with render and merge)");
  if (ok && !X509_check_private_key(c->cert, c->key))
    ok = ssl_fail(err, LP_ERR_SIGN, o->cert ? o->cert : o->key,
                  "the private key does not belong to this certificate");
  if (!ok) credentials_free(c);
  return ok;
}

/* Compares two DER encodings in the order DER gives a SET OF (X.690
 * 11.6: as octet strings, the shorter one padded with zeros). */
static int der_order(const void *a, const void *b) {
  const lp_buf *x = a, *y = b;
  size_t n = x->len < y->len ? x->len : y->len;
  int c = memcmp(x->data, y->data, n);
  if (c) return c;
  return x->len < y->len ? -1 : x->len > y->len;
}

/* The DER of the signer's signed attributes as a SET OF Attribute: the
 * bytes the signature covers (RFC 5652 5.4).  The encoder writes the same
 * set in the same (DER) order into the SignerInfo. */
static bool signed_attrs_der(CMS_SignerInfo *si, lp_buf *der) {
  int n = CMS_signed_get_attr_count(si);
  if (n <= 0) return false;
  lp_buf *parts = calloc((size_t)n, sizeof *parts);
  size_t total = 0;
  bool ok = parts != NULL;
  for (int i = 0; ok && i < n; i++) {
    unsigned char *enc = NULL;
    int len = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i), &enc);
    ok = len > 0;
    if (ok) lp_buf_append(&parts[i], enc, (size_t)len), total += (size_t)len;
    OPENSSL_free(enc);
  }
  if (ok) {
    qsort(parts, (size_t)n, sizeof *parts, der_order);
    unsigned char head[6] = {0x31};
    size_t hl = 1;
    if (total < 128) {
      head[hl++] = (unsigned char)total;
    } else {
      int bytes = total > 0xFFFFFF ? 4 : total > 0xFFFF ? 3 : total > 0xFF ? 2 : 1;
      head[hl++] = (unsigned char)(0x80 | bytes);
      for (int b = bytes - 1; b >= 0; b--)
        head[hl++] = (unsigned char)(total >> (8 * b));
    }
    lp_buf_append(der, head, hl);
    for (int i = 0; i < n; i++) lp_buf_append(der, parts[i].data, parts[i].len);
  }
  for (int i = 0; parts && i < n; i++) lp_buf_free(&parts[i]);
  free(parts);
  return ok;
}

/* Adds the signed attributes PAdES baseline B-B wants (ETSI EN 319 142-1
 * 6.3): content-type, message-digest and signing-certificate-v2 (EN 319
 * 122-1 5.2.2.3), and no signing-time (the time is the dictionary's /M). */
static bool add_signed_attrs(CMS_SignerInfo *si, const credentials *c,
                             const unsigned char *data, size_t len) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned md_len = 0;
  ESS_SIGNING_CERT_V2 *scv2 =
      OSSL_ESS_signing_cert_v2_new_init(EVP_sha256(), c->cert, NULL, 0);
  unsigned char *enc = NULL;
  int enc_len = scv2 ? i2d_ESS_SIGNING_CERT_V2(scv2, &enc) : -1;
  ASN1_STRING *seq = ASN1_STRING_new();
  bool ok = enc_len > 0 && seq && ASN1_STRING_set(seq, enc, enc_len) &&
            EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL) &&
            CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType,
                                        V_ASN1_OBJECT,
                                        OBJ_nid2obj(NID_pkcs7_data), -1) &&
            CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest,
                                        V_ASN1_OCTET_STRING, md, (int)md_len) &&
            CMS_signed_add1_attr_by_NID(si,
                                        NID_id_smime_aa_signingCertificateV2,
                                        V_ASN1_SEQUENCE, seq, -1);
  ASN1_STRING_free(seq);
  OPENSSL_free(enc);
  ESS_SIGNING_CERT_V2_free(scv2);
  return ok;
}

/* Signs the signer's signed attributes with its key and sets the
 * SignerInfo's signature value.  Done here rather than by CMS_final,
 * which would add a signingTime attribute PAdES forbids. */
static bool sign_attrs(CMS_SignerInfo *si, const credentials *c) {
  lp_buf tbs = {0};
  EVP_MD_CTX *mctx = EVP_MD_CTX_new();
  unsigned char *sig = NULL;
  size_t sig_len = 0;
  bool ok = mctx && signed_attrs_der(si, &tbs) &&
            EVP_DigestSignInit(mctx, NULL, EVP_sha256(), NULL, c->key) > 0 &&
            EVP_DigestSign(mctx, NULL, &sig_len, tbs.data, tbs.len) > 0 &&
            (sig = OPENSSL_malloc(sig_len)) != NULL &&
            EVP_DigestSign(mctx, sig, &sig_len, tbs.data, tbs.len) > 0;
  if (ok) {
    ASN1_STRING_set0(CMS_SignerInfo_get0_signature(si), sig, (int)sig_len);
    sig = NULL;
  }
  OPENSSL_free(sig);
  EVP_MD_CTX_free(mctx);
  lp_buf_free(&tbs);
  return ok;
}

/* PAdES B-T (ETSI EN 319 142-1 6.3, EN 319 122-1 5.3): asks the TSA for a
 * token over the signature value and adds it as the signature-time-stamp
 * unsigned attribute (id-aa-signatureTimeStampToken, RFC 3161 annex A). */
static bool add_signature_timestamp(CMS_SignerInfo *si, const lp_signer *s,
                                    lp_error *err) {
  ASN1_OCTET_STRING *value = CMS_SignerInfo_get0_signature(si);
  lp_tsa tsa = tsa_of(s->o, s->pace);
  lp_buf token = {0};
  if (!lp_tsa_stamp(&tsa, ASN1_STRING_get0_data(value),
                    (size_t)ASN1_STRING_length(value), &token, err)) {
    lp_buf_free(&token);
    return false;
  }
  ASN1_STRING *seq = ASN1_STRING_new();
  bool ok = seq && ASN1_STRING_set(seq, token.data, (int)token.len) &&
            CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken,
                                          V_ASN1_SEQUENCE, seq, -1);
  ASN1_STRING_free(seq);
  lp_buf_free(&token);
  return ok || ssl_fail(err, LP_ERR_SIGN, NULL,
                        "OpenSSL cannot add the time-stamp token");
}

/* The DER CMS signature of data: detached, SHA-256, signed attributes as
 * PAdES B-B wants them (see add_signed_attrs), and with o->tsa the
 * signature time-stamp of B-T. */
static bool cms_sign(const lp_signer *s, const unsigned char *data,
                     size_t len, lp_buf *der, lp_error *err) {
  const credentials *c = &s->c;
  unsigned flags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;
  CMS_ContentInfo *cms = CMS_sign(NULL, NULL, c->chain, NULL, flags);
  CMS_SignerInfo *si =
      cms ? CMS_add1_signer(cms, c->cert, c->key, EVP_sha256(), flags) : NULL;
  bool ok = si && add_signed_attrs(si, c, data, len) && sign_attrs(si, c);
  if (!ok) {
    CMS_ContentInfo_free(cms);
    return ssl_fail(err, LP_ERR_SIGN, NULL, "OpenSSL could not sign");
  }
  if (s->o->tsa && !add_signature_timestamp(si, s, err)) {
    CMS_ContentInfo_free(cms);
    return false;
  }
  unsigned char *out = NULL;
  int out_len = i2d_CMS_ContentInfo(cms, &out);
  if (out_len > 0) lp_buf_append(der, out, (size_t)out_len);
  OPENSSL_free(out);
  CMS_ContentInfo_free(cms);
  if (out_len <= 0)
    return ssl_fail(err, LP_ERR_SIGN, NULL, "OpenSSL could not encode the signature");
  return true;
}

/* ---- Reading the PDF ------------------------------------------------------ */

/* What we learn of the PDF before writing the update. */
typedef struct target {
  qpdf_oh field, widget; /* the same object for a merged field/widget */
  qpdf_oh form;          /* the AcroForm dictionary */
  double rect[4];
  char *full_name;
} target;

/* The value of key in dict, or in its /Parent chain (inheritable field
 * attributes such as /FT, PDF 32000-1 12.7.3.1). */
static qpdf_oh inherited(qpdf_data q, qpdf_oh dict, const char *key) {
  for (int depth = 0; depth < MAX_FIELD_DEPTH; depth++) {
    if (qp->qpdf_oh_has_key(q, dict, key)) return qp->qpdf_oh_get_key(q, dict, key);
    if (!qp->qpdf_oh_has_key(q, dict, "/Parent")) break;
    dict = qp->qpdf_oh_get_key(q, dict, "/Parent");
  }
  return qp->qpdf_oh_new_null(q);
}

typedef struct search {
  hb_set_t *seen;   /* object numbers of the fields looked at */
  const char *want; /* full name, or NULL for the first unsigned */
  target *found;
  bool signed_match; /* the named field exists but is signed */
  lp_buf names;      /* signature field names seen, for the message */
} search;

/* Walks the field tree under fields (an array) looking for the signature
 * field; prefix is the parent's full name. */
static void find_field(qpdf_data q, qpdf_oh fields, const char *prefix,
                       int depth, search *s) {
  int n = qp->qpdf_oh_get_array_n_items(q, fields);
  for (int i = 0; i < n && !s->found->full_name; i++) {
    qpdf_oh f = qp->qpdf_oh_get_array_item(q, fields, i);
    if (!qp->qpdf_oh_is_dictionary(q, f)) continue;
    int id = qp->qpdf_oh_get_object_id(q, f);
    if ((id && hb_set_has(s->seen, (hb_codepoint_t)id)) ||
        hb_set_get_population(s->seen) >= MAX_FIELD_NODES)
      continue; /* a loop in the tree, or a tree far too big */
    hb_set_add(s->seen, id ? (hb_codepoint_t)id : 0);
    lp_buf name = {0};
    lp_buf_puts(&name, prefix);
    if (qp->qpdf_oh_has_key(q, f, "/T")) {
      if (*prefix) lp_buf_puts(&name, ".");
      lp_buf_puts(&name, qp->qpdf_oh_get_utf8_value(q, qp->qpdf_oh_get_key(q, f, "/T")));
    }
    const char *full = name.data ? (char *)name.data : "";
    qpdf_oh kids = qp->qpdf_oh_get_key(q, f, "/Kids");
    bool has_field_kids = false;
    int nk = qp->qpdf_oh_is_array(q, kids) ? qp->qpdf_oh_get_array_n_items(q, kids) : 0;
    for (int k = 0; k < nk; k++)
      if (qp->qpdf_oh_has_key(q, qp->qpdf_oh_get_array_item(q, kids, k), "/T"))
        has_field_kids = true;
    if (has_field_kids && depth < MAX_FIELD_DEPTH) {
      find_field(q, kids, full, depth + 1, s);
    } else if (qp->qpdf_oh_is_name_and_equals(q, inherited(q, f, "/FT"), "/Sig")) {
      bool is_signed = qp->qpdf_oh_has_key(q, f, "/V") &&
                       !qp->qpdf_oh_is_null(q, qp->qpdf_oh_get_key(q, f, "/V"));
      lp_buf_printf(&s->names, "%s%s%s", s->names.len ? ", " : "", full,
                    is_signed ? " (signed)" : "");
      bool match = s->want ? strcmp(s->want, full) == 0 : !is_signed;
      if (match && is_signed) {
        s->signed_match = true;
      } else if (match) {
        s->found->field = f;
        s->found->widget = nk ? qp->qpdf_oh_get_array_item(q, kids, 0) : f;
        s->found->full_name = lp_buf_strdup(&name);
      }
    }
    lp_buf_free(&name);
  }
}

/* Finds the signature field to fill and reads its rectangle. */
static bool find_target(qpdf_data q, const char *file, const char *want,
                        target *t, lp_error *err) {
  qpdf_oh root = qp->qpdf_get_root(q);
  t->form = qp->qpdf_oh_get_key(q, root, "/AcroForm");
  qpdf_oh fields = qp->qpdf_oh_get_key(q, t->form, "/Fields");
  search s = {hb_set_create(), want, t, false, {0}};
  if (qp->qpdf_oh_is_array(q, fields)) find_field(q, fields, "", 0, &s);
  bool ok = true;
  if (!t->full_name) {
    if (s.signed_match)
      ok = lp_fail(err, LP_ERR_INPUT, file, 0, 0,
                   "the signature field '%s' is already signed: choose "
                   "another with --field (--sign-field with render and merge)",
                   want);
    else if (want)
      ok = lp_fail(err, LP_ERR_INPUT, file, 0, 0,
                   "no signature field named '%s'; the signature fields are: "
                   "%s",
                   want, s.names.len ? (char *)s.names.data : "none");
    else
      ok = lp_fail(err, LP_ERR_INPUT, file, 0, 0,
                   "no unsigned signature field in this PDF%s%s: add one to "
                   "the template ('签名：____', 'Signature: ____' or "
                   "[[signature]])",
                   s.names.len ? "; signed fields: " : "",
                   s.names.len ? (char *)s.names.data : "");
  }
  lp_buf_free(&s.names);
  hb_set_destroy(s.seen);
  if (!ok) return false;
  qpdf_oh rect = qp->qpdf_oh_get_key(q, t->widget, "/Rect");
  if (!qp->qpdf_oh_is_array(q, rect) || qp->qpdf_oh_get_array_n_items(q, rect) != 4)
    return lp_fail(err, LP_ERR_INPUT, file, 0, 0,
                   "the signature field '%s' has no /Rect", t->full_name);
  for (int i = 0; i < 4; i++)
    t->rect[i] = qp->qpdf_oh_get_numeric_value(q, qp->qpdf_oh_get_array_item(q, rect, i));
  if (t->rect[0] > t->rect[2]) {
    double v = t->rect[0];
    t->rect[0] = t->rect[2], t->rect[2] = v;
  }
  if (t->rect[1] > t->rect[3]) {
    double v = t->rect[1];
    t->rect[1] = t->rect[3], t->rect[3] = v;
  }
  return true;
}

/* The signer's name: --name, else the certificate's common name. */
static char *signer_name(const lp_sign_options *o, X509 *cert) {
  if (o->name) return lp_xstrdup(o->name);
  X509_NAME *subject = X509_get_subject_name(cert);
  int at = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  unsigned char *utf8 = NULL;
  if (at < 0 || ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(
                                               X509_NAME_get_entry(subject, at))) < 0)
    return lp_xstrdup("unknown signer");
  char *name = lp_xstrdup((char *)utf8);
  OPENSSL_free(utf8);
  return name;
}

/* ---- Writing the update --------------------------------------------------- */

static bool add_ltv(const unsigned char *pdf, size_t len,
                    const unsigned char *der, size_t der_len, size_t reserve,
                    const lp_sign_options *o, const char *password,
                    lp_buf *result, lp_error *err);

/* The field gets /V, the widget its appearance (one object or two). */
static bool put_field(lp_update *u, qpdf_data q, const target *t, int sig_num,
                      int ap_num, lp_error *err) {
  char v_ref[32], ap_val[48];
  snprintf(v_ref, sizeof v_ref, "%d 0 R", sig_num);
  snprintf(ap_val, sizeof ap_val, "<< /N %d 0 R >>", ap_num);
  if (!qp->qpdf_oh_get_object_id(q, t->field) || !qp->qpdf_oh_get_object_id(q, t->widget))
    return lp_fail(err, LP_ERR_INPUT, NULL, 0, 0,
                   "the signature field '%s' is not an indirect object; "
                   "this PDF cannot be signed by letterpress",
                   t->full_name);
  if (qp->qpdf_oh_get_object_id(q, t->field) == qp->qpdf_oh_get_object_id(q, t->widget)) {
    const char *ov[] = {"/V", v_ref, "/AP", ap_val, NULL};
    lp_update_rewrite(u, q, t->field, ov);
  } else {
    const char *ov[] = {"/V", v_ref, NULL};
    lp_update_rewrite(u, q, t->field, ov);
    const char *ow[] = {"/AP", ap_val, NULL};
    lp_update_rewrite(u, q, t->widget, ow);
  }
  return true;
}

/* /SigFlags 3 on the form (or on the catalog holding a direct form). */
static void put_sig_flags(lp_update *u, qpdf_data q, qpdf_oh form) {
  char flags[8];
  snprintf(flags, sizeof flags, "%d", SIG_FLAGS_SIGNED);
  const char *of[] = {"/SigFlags", flags, NULL};
  if (qp->qpdf_oh_get_object_id(q, form)) {
    lp_update_rewrite(u, q, form, of);
    return;
  }
  lp_buf text = {0};
  lp_update_dict(u, q, form, of, &text);
  const char *oc[] = {"/AcroForm", (char *)text.data, NULL};
  lp_update_rewrite(u, q, qp->qpdf_get_root(q), oc);
  lp_buf_free(&text);
}

/* The signature dictionary (ISO 32000 12.8.1) after its placeholders: the
 * time, the signer, the reasons, the application. */
static void put_sig_keys(lp_update *u, const char *date, const char *name,
                         const lp_sign_options *o) {
  lp_buf_puts(&u->out, "\n/M ");
  lp_update_text(u, date);
  lp_buf_puts(&u->out, " /Name ");
  lp_update_text(u, name);
  const char *texts[] = {"/Reason", o->reason, "/Location", o->location,
                         "/ContactInfo", o->contact};
  for (int i = 0; i < 6; i += 2)
    if (texts[i + 1]) {
      lp_buf_printf(&u->out, " %s ", texts[i]);
      lp_update_text(u, texts[i + 1]);
    }
  lp_buf_puts(&u->out, "\n/Prop_Build << /App << /Name /letterpress /REx ");
  lp_update_text(u, LP_VERSION_STRING);
  lp_buf_puts(&u->out, " >> >> >>\nendobj\n");
}

/* Writes the seal image as an image XObject numbered num (its soft mask,
 * when it has one, numbered smask_num). */
static void put_image(lp_update *u, const lp_sigimage *im, int num,
                      int smask_num) {
  lp_buf keys = {0};
  if (im->smask.len) {
    lp_update_obj(u, smask_num, 0);
    lp_buf_printf(&keys, "/Type /XObject /Subtype /Image /Width %d /Height %d "
                         "/ColorSpace /DeviceGray /BitsPerComponent 8 "
                         "/Filter /FlateDecode",
                  im->width, im->height);
    lp_update_stream(u, (char *)keys.data, im->smask.data, im->smask.len);
    lp_buf_free(&keys);
  }
  lp_update_obj(u, num, 0);
  lp_buf_printf(&keys, "/Type /XObject /Subtype /Image /Width %d /Height %d "
                       "/ColorSpace %s /BitsPerComponent 8 /Filter %s",
                im->width, im->height, im->colorspace, im->filter);
  if (im->invert) lp_buf_puts(&keys, " /Decode [1 0 1 0 1 0 1 0]");
  if (im->smask.len) lp_buf_printf(&keys, " /SMask %d 0 R", smask_num);
  lp_update_stream(u, (char *)keys.data, im->data.data, im->data.len);
  lp_buf_free(&keys);
}

/* The appearance form XObject: who signed, when, why (drawn as outlines),
 * in the letter's language (its /Lang), beside or below the seal image
 * when there is one (object img_num, and img_num + 1 its mask). */
static void put_appearance(lp_update *u, lp_engine *engine, qpdf_data q,
                           const target *t, int ap_num, const char *name,
                           long long now, const lp_sign_options *o,
                           const lp_sigimage *image, int img_num) {
  qpdf_oh lang = qp->qpdf_oh_get_key(q, qp->qpdf_get_root(q), "/Lang");
  char *tag = qp->qpdf_oh_is_null(q, lang) ? NULL
                                          : lp_xstrdup(qp->qpdf_oh_get_utf8_value(q, lang));
  lp_sigappear a = {name, now, o->reason, o->location, tag,
                    t->rect[2] - t->rect[0], t->rect[3] - t->rect[1], image};
  lp_buf draw = {0}, resources = {0};
  lp_sigappear_draw(lp_engine_fonts(engine), &a, &draw);
  if (image) {
    put_image(u, image, img_num, img_num + 1);
    lp_buf_printf(&resources, "/XObject << /Seal %d 0 R >> ", img_num);
  }
  lp_update_obj(u, ap_num, 0);
  lp_buf keys = {0};
  lp_buf_printf(&keys, "/Type /XObject /Subtype /Form /BBox [0 0 %.3f %.3f] "
                       "/Resources << %s>>",
                a.w, a.h, resources.len ? (char *)resources.data : "");
  lp_update_stream(u, (char *)keys.data, draw.data, draw.len);
  lp_buf_free(&keys);
  lp_buf_free(&draw);
  lp_buf_free(&resources);
  free(tag);
}

/* Whether the PDF claims PDF/A part 1 (its catalog's XMP metadata says
 * pdfaid:part 1, as an element or an attribute). */
static bool is_pdfa1(qpdf_data q) {
  qpdf_oh meta = qp->qpdf_oh_get_key(q, qp->qpdf_get_root(q), "/Metadata");
  unsigned char *data = NULL;
  size_t len = 0;
  bool part1 = false;
  if (qp->qpdf_oh_is_stream(q, meta) &&
      !(qp->qpdf_oh_get_stream_data(q, meta, qpdf_dl_generalized, NULL, &data,
                                    &len) & QPDF_ERRORS))
    part1 = memmem(data, len, "<pdfaid:part>1<", 15) ||
            memmem(data, len, "pdfaid:part=\"1\"", 15) ||
            memmem(data, len, "pdfaid:part='1'", 15);
  free(data);
  if (qp->qpdf_has_error(q)) qp->qpdf_get_error(q);
  return part1;
}

/* The seal image for this PDF: composed onto white in a PDF/A-1 letter;
 * NULL without --image.  False, err set, when the letter cannot take it. */
static bool image_for(const lp_signer *s, qpdf_data q, const lp_sigimage **im,
                      lp_error *err) {
  *im = NULL;
  if (!s->o->image) return true;
  *im = &s->image;
  if (!is_pdfa1(q)) return true;
  if (s->flat.data.len) *im = &s->flat;
  if (!strcmp((*im)->colorspace, "/DeviceCMYK"))
    return lp_fail(err, LP_ERR_INPUT, s->o->image, 0, 0,
                   "a CMYK JPEG cannot go into a PDF/A letter whose output "
                   "intent is sRGB: give an RGB image");
  return true;
}

/* Bytes to reserve in /Contents for the CMS: its certificates, the rest of
 * it, and a time-stamp token when one is asked for. */
static size_t sig_reserve(const credentials *c, const lp_sign_options *o) {
  size_t reserve = SIG_BASE_RESERVE + (size_t)i2d_X509(c->cert, NULL) +
                   (o->tsa ? TSA_TOKEN_RESERVE : 0);
  for (int i = 0; i < sk_X509_num(c->chain); i++)
    reserve += (size_t)i2d_X509(sk_X509_value(c->chain, i), NULL);
  return reserve;
}

/* Appends the update and signs it: the signature dictionary (with
 * placeholders), the appearance, the field, the form, the xref; password
 * opened the PDF when it is encrypted. */
static bool write_update(lp_engine *engine, qpdf_data q, const unsigned char *pdf,
                         size_t len, const target *t, const lp_signer *s,
                         const char *password, lp_update *u, lp_error *err) {
  const credentials *c = &s->c;
  const lp_sign_options *o = s->o;
  long long now = lp_source_date();
  char date[32];
  if (!lp_pdfobj_date_string(now, date))
    return lp_fail(err, LP_ERR_INPUT, "SOURCE_DATE_EPOCH", 0, 0,
                   "%lld is not a date PDF can hold (up to the year 9999)",
                   now);
  if (!lp_update_begin(u, q, pdf, len, password, err)) return false;
  int sig_num = lp_update_new_number(u), ap_num = lp_update_new_number(u);
  if (sig_num <= 0 || ap_num <= 0 || ap_num >= LP_UPDATE_MAX_OBJECTS)
    return lp_fail(err, LP_ERR_INPUT, NULL, 0, 0,
                   "this PDF has too many objects to add a signature");
  const lp_sigimage *image;
  if (!image_for(s, q, &image, err)) return false;
  /* The image and its mask (when it has one): numbers in a row. */
  int img_num = image ? lp_update_new_number(u) : 0;
  int last = !image ? ap_num : image->smask.len ? lp_update_new_number(u) : img_num;
  char *name = signer_name(o, c->cert);
  lp_update_sig sig;
  lp_update_obj(u, sig_num, 0);
  lp_update_sig_placeholder(u, "/Sig", "/ETSI.CAdES.detached",
                            sig_reserve(c, o), &sig);
  put_sig_keys(u, date, name, o);
  put_appearance(u, engine, q, t, ap_num, name, now, o, image, img_num);
  free(name);
  if (!put_field(u, q, t, sig_num, ap_num, err)) return false;
  put_sig_flags(u, q, t->form);
  if (!lp_update_finish(u, q, last, err)) return false;

  lp_buf signed_data = {0}, der = {0};
  lp_update_ranges(u, &sig, &signed_data);
  bool ok = cms_sign(s, signed_data.data, signed_data.len, &der, err);
  lp_buf_free(&signed_data);
  ok = ok && lp_update_put_contents(u, &sig, &der, "signature", err);
  lp_buf next = {0};
  if (ok && o->ltv) {
    ok = add_ltv(u->out.data, u->out.len, der.data, der.len, sig.reserve, o,
                 password, &next, err);
    if (ok) lp_buf_free(&u->out), u->out = next;
  }
  lp_buf_free(&der);
  return ok;
}

/* ---- The Document Security Store (PAdES B-LT) ---------------------------- */

/* Writes the items of the array dss[key] (references stay references). */
static void put_old_items(qpdf_data q, qpdf_oh dss, const char *key,
                          lp_buf *out) {
  qpdf_oh a = qp->qpdf_oh_get_key(q, dss, key);
  int n = qp->qpdf_oh_is_array(q, a) ? qp->qpdf_oh_get_array_n_items(q, a) : 0;
  for (int i = 0; i < n; i++)
    lp_buf_printf(out, " %s", qp->qpdf_oh_unparse(q, qp->qpdf_oh_get_array_item(q, a, i)));
}

/* Finds an item of the array dss[key] that is a stream holding bytes
 * (decoded) and writes its reference into ref; false when there is none. */
static bool find_old_stream(qpdf_data q, qpdf_oh dss, const char *key,
                            const lp_buf *bytes, char ref[32]) {
  qpdf_oh a = qp->qpdf_oh_get_key(q, dss, key);
  int n = qp->qpdf_oh_is_array(q, a) ? qp->qpdf_oh_get_array_n_items(q, a) : 0;
  for (int i = 0; i < n; i++) {
    qpdf_oh item = qp->qpdf_oh_get_array_item(q, a, i);
    unsigned char *data = NULL;
    size_t len = 0;
    bool same = qp->qpdf_oh_is_stream(q, item) &&
                !(qp->qpdf_oh_get_stream_data(q, item, qpdf_dl_generalized, NULL,
                                             &data, &len) & QPDF_ERRORS) &&
                len == bytes->len && !memcmp(data, bytes->data, len);
    free(data);
    if (qp->qpdf_has_error(q)) qp->qpdf_get_error(q);
    if (same) {
      snprintf(ref, 32, "%d %d R", qp->qpdf_oh_get_object_id(q, item),
               qp->qpdf_oh_get_generation(q, item));
      return true;
    }
  }
  return false;
}

/* Writes an array entry of the DSS: the old items and the new refs;
 * nothing when both are empty. */
static void put_dss_array(qpdf_data q, qpdf_oh dss, const char *key,
                          const lp_buf *refs, lp_buf *out) {
  lp_buf items = {0};
  if (qp->qpdf_oh_is_dictionary(q, dss)) put_old_items(q, dss, key, &items);
  if (refs->len) lp_buf_append(&items, refs->data, refs->len);
  if (items.len) {
    lp_buf_printf(out, " %s [", key);
    lp_buf_append(out, items.data, items.len);
    lp_buf_puts(out, " ]");
  }
  lp_buf_free(&items);
}

/* The DSS's arrays and the items of the new /VRI entry (as "n 0 R" lists):
 * per kind, the new streams written, and the one already there reused. */
typedef struct dss_refs {
  lp_buf refs[3], vri_refs[3];
  int last; /* the highest new object number; 0: none */
} dss_refs;

static const char *const dss_keys[3] = {"/Certs", "/OCSPs", "/CRLs"};

/* Writes d's certificates, OCSP responses and CRLs as streams, but those
 * the DSS (old) already holds, which the VRI entry references instead. */
static void put_dss_streams(lp_update *u, qpdf_data q, qpdf_oh old,
                            const lp_dss_data *d, dss_refs *r) {
  const lp_buf *lists[3] = {d->certs, d->ocsps, d->crls};
  size_t counts[3] = {d->ncerts, d->nocsps, d->ncrls};
  bool had = qp->qpdf_oh_is_dictionary(q, old);
  for (int k = 0; k < 3; k++)
    for (size_t i = 0; i < counts[k]; i++) {
      char ref[32];
      if (had && find_old_stream(q, old, dss_keys[k], &lists[k][i], ref)) {
        lp_buf_printf(&r->vri_refs[k], " %s", ref);
        continue; /* already in the DSS */
      }
      r->last = lp_update_new_number(u);
      lp_update_obj(u, r->last, 0);
      lp_update_stream(u, "", lists[k][i].data, lists[k][i].len);
      lp_buf_printf(&r->refs[k], " %d 0 R", r->last);
      lp_buf_printf(&r->vri_refs[k], " %d 0 R", r->last);
    }
}

/* Writes the /VRI dictionary: the old entries but vri_key's (their
 * strings encrypted as u's, when the PDF is), then vri_key's with the
 * references of r. */
static void put_vri(const lp_update *u, lp_buf *out, qpdf_data q, qpdf_oh old,
                    const char *vri_key, const dss_refs *r) {
  lp_buf entry = {0}, name = {0};
  lp_buf_puts(&entry, "<<");
  static const char *const vri_keys[3] = {"/Cert", "/OCSP", "/CRL"};
  for (int k = 0; k < 3; k++)
    if (r->vri_refs[k].len) {
      lp_buf_printf(&entry, " %s [", vri_keys[k]);
      lp_buf_append(&entry, r->vri_refs[k].data, r->vri_refs[k].len);
      lp_buf_puts(&entry, " ]");
    }
  lp_buf_puts(&entry, " >>");
  lp_buf_printf(&name, "/%s", vri_key);
  lp_buf_puts(out, "\n/VRI ");
  qpdf_oh vri = qp->qpdf_oh_is_dictionary(q, old) ? qp->qpdf_oh_get_key(q, old, "/VRI")
                                                 : qp->qpdf_oh_new_null(q);
  if (qp->qpdf_oh_is_dictionary(q, vri)) {
    const char *ov[] = {(char *)name.data, (char *)entry.data, NULL};
    lp_update_dict(u, q, vri, ov, out);
  } else {
    lp_buf_printf(out, "<< %s %s >>", (char *)name.data, (char *)entry.data);
  }
  lp_buf_free(&entry);
  lp_buf_free(&name);
}

/* Appends to pdf an incremental update whose catalog has a /DSS (ISO
 * 32000-2 12.8.4.3) holding d's objects, merged with the DSS already there,
 * and a /VRI entry for the signature whose key is vri_key. */
static bool append_dss(const unsigned char *pdf, size_t len,
                       const lp_dss_data *d, const char *vri_key,
                       const char *password, lp_buf *result, lp_error *err) {
  lp_update u;
  qpdf_data q = lp_update_open(pdf, len, password, err);
  if (!q) return false;
  if (!lp_update_begin(&u, q, pdf, len, password, err)) {
    lp_update_close(q);
    return false;
  }
  qpdf_oh root = qp->qpdf_get_root(q);
  qpdf_oh old = qp->qpdf_oh_get_key(q, root, "/DSS");
  dss_refs r = {0};
  put_dss_streams(&u, q, old, d, &r);
  int dss_num = r.last = lp_update_new_number(&u);
  lp_update_obj(&u, dss_num, 0);
  lp_buf_puts(&u.out, "<< /Type /DSS");
  for (int k = 0; k < 3; k++) put_dss_array(q, old, dss_keys[k], &r.refs[k], &u.out);
  put_vri(&u, &u.out, q, old, vri_key, &r);
  lp_buf_puts(&u.out, " >>\nendobj\n");
  char dss_ref[32];
  snprintf(dss_ref, sizeof dss_ref, "%d 0 R", dss_num);
  const char *ov[] = {"/DSS", dss_ref, NULL};
  lp_update_rewrite(&u, q, root, ov);
  bool ok = lp_update_finish(&u, q, r.last, err);
  for (int k = 0; k < 3; k++) lp_buf_free(&r.refs[k]), lp_buf_free(&r.vri_refs[k]);
  lp_update_close(q);
  if (ok) *result = u.out, u.out = (lp_buf){0};
  lp_update_free(&u);
  return ok;
}

/* The /VRI key of a signature (ETSI EN 319 142-1 5.4.2.2): the SHA-1 of
 * its /Contents bytes (the padding included), in upper-case hex. */
static void vri_key_of(const unsigned char *contents, size_t len, char out[41]) {
  unsigned char md[20];
  unsigned n = 0;
  EVP_Digest(contents, len, md, &n, EVP_sha1(), NULL);
  for (int i = 0; i < 20; i++) snprintf(out + 2 * i, 3, "%02X", md[i]);
}

/* PAdES B-LT after a signature: gathers its certificates and revocation
 * data and appends the DSS update to *pdf (replacing it), opened with
 * password when it is encrypted.  der is the CMS, padded with zeros to
 * reserve bytes in /Contents. */
static bool add_ltv(const unsigned char *pdf, size_t len,
                    const unsigned char *der, size_t der_len, size_t reserve,
                    const lp_sign_options *o, const char *password,
                    lp_buf *result, lp_error *err) {
  lp_dss_data d = {0};
  if (!lp_dss_collect(der, der_len, o->ocsp, o->crl, &d, err)) return false;
  unsigned char *contents = calloc(1, reserve);
  if (!contents) abort();
  memcpy(contents, der, der_len);
  char key[41];
  vri_key_of(contents, reserve, key);
  free(contents);
  bool ok = append_dss(pdf, len, &d, key, password, result, err);
  lp_dss_data_free(&d);
  return ok;
}

lp_signer *lp_signer_new(const lp_sign_options *opts, lp_error *err) {
  if (!have_qpdf(err)) return NULL;
  lp_signer *s = lp_xcalloc(1, sizeof *s);
  s->o = opts;
  if (!load_credentials(opts, &s->c, err)) {
    free(s);
    return NULL;
  }
  if (opts->image &&
      (!lp_sigimage_load(opts->image, false, &s->image, err) ||
       (s->image.smask.len && !lp_sigimage_load(opts->image, true, &s->flat, err)))) {
    lp_signer_free(s);
    return NULL;
  }
  if (opts->tsa && !(s->pace = lp_tsa_pace_new(opts->tsa_rate))) {
    lp_fail(err, LP_ERR_IO, NULL, 0, 0, "cannot share memory for the time-stamp requests");
    lp_signer_free(s);
    return NULL;
  }
  return s;
}

void lp_signer_free(lp_signer *s) {
  if (!s) return;
  credentials_free(&s->c);
  lp_tsa_pace_free(s->pace);
  lp_sigimage_free(&s->image);
  lp_sigimage_free(&s->flat);
  free(s);
}

bool lp_signer_sign(const lp_signer *s, lp_engine *engine,
                    const unsigned char *pdf, size_t len, const char *password,
                    unsigned char **out, size_t *out_len, lp_error *err) {
  if (!password) password = s->o->password;
  qpdf_data q = lp_update_open(pdf, len, password, err);
  target t = {0};
  lp_update u = {0};
  bool ok = q && find_target(q, NULL, s->o->field, &t, err) &&
            write_update(engine, q, pdf, len, &t, s, password, &u, err);
  if (ok) lp_update_take(&u, out, out_len);
  lp_update_free(&u);
  free(t.full_name);
  lp_update_close(q);
  return ok;
}

bool lp_sign_memory(lp_engine *engine, const unsigned char *pdf, size_t len,
                    const lp_sign_options *opts, unsigned char **out,
                    size_t *out_len, lp_error *err) {
  lp_signer *s = lp_signer_new(opts, err);
  bool ok = s && lp_signer_sign(s, engine, pdf, len, NULL, out, out_len, err);
  lp_signer_free(s);
  return ok;
}

/* Reads the PDF at in_path, signs it with engine or (timestamp) adds a
 * document time-stamp as opts say, and writes the result to out_path (through a
 * temporary file; nothing on failure).  Errors without a file name the
 * input. */
static bool update_file(lp_engine *engine, bool timestamp, const char *in_path,
                        const char *out_path, const lp_sign_options *opts,
                        lp_error *err) {
  lp_buf in = {0};
  if (!lp_read_file(in_path, &in, err)) {
    lp_buf_free(&in);
    return false;
  }
  unsigned char *out = NULL;
  size_t out_len = 0;
  bool ok = timestamp ? lp_timestamp_memory(in.data, in.len, opts, &out,
                                            &out_len, err)
                      : lp_sign_memory(engine, in.data, in.len, opts, &out,
                                       &out_len, err);
  if (!ok && err && !err->file[0])
    snprintf(err->file, sizeof err->file, "%s", in_path);
  if (ok) ok = lp_write_file_atomic(out_path, out, out_len, err);
  free(out);
  lp_buf_free(&in);
  return ok;
}

bool lp_sign_file(lp_engine *engine, const char *in_path, const char *out_path,
                  const lp_sign_options *opts, lp_error *err) {
  return update_file(engine, false, in_path, out_path, opts, err);
}

/* ---- Document time-stamps (PAdES B-LTA) ---------------------------------- */

/* The /Contents bytes (hex-decoded, padding included) of the last
 * signature or document time-stamp in pdf: the one whose /ByteRange comes
 * last, as incremental updates put the newest last.  False when none. */
static bool last_contents(const unsigned char *pdf, size_t len, lp_buf *out) {
  const unsigned char *at = NULL, *p = pdf;
  while ((p = memmem(p, len - (size_t)(p - pdf), "/ByteRange", 10))) at = p++;
  if (!at) return false;
  char text[128] = "";
  size_t n = len - (size_t)(at - pdf) - 10;
  memcpy(text, at + 10, n < sizeof text - 1 ? n : sizeof text - 1);
  long long r[4];
  if (sscanf(text, " [ %lld %lld %lld %lld", &r[0], &r[1], &r[2], &r[3]) != 4 ||
      r[1] < 0 || r[2] <= r[1] + 2 || (size_t)r[2] > len ||
      pdf[r[1]] != '<' || pdf[r[2] - 1] != '>')
    return false;
  for (long long i = r[1] + 1; i + 1 < r[2] - 1; i += 2) {
    unsigned v;
    char hex[3] = {(char)pdf[i], (char)pdf[i + 1], 0};
    if (sscanf(hex, "%2x", &v) != 1) return false;
    unsigned char byte = (unsigned char)v;
    lp_buf_append(out, &byte, 1);
  }
  return out->len > 0;
}

/* Writes the items of an array (a PDF array object) and one more ref. */
static void put_array_plus(qpdf_data q, qpdf_oh array, const char *ref,
                           lp_buf *out) {
  lp_buf_puts(out, "[");
  int n = qp->qpdf_oh_is_array(q, array) ? qp->qpdf_oh_get_array_n_items(q, array) : 0;
  for (int i = 0; i < n; i++)
    lp_buf_printf(out, " %s", qp->qpdf_oh_unparse(q, qp->qpdf_oh_get_array_item(q, array, i)));
  lp_buf_printf(out, " %s ]", ref);
}

/* Adds ref to the array dict[key]: rewrites the array object when it is an
 * indirect one, else returns the new array text in *direct (for the
 * caller's rewrite of dict). */
static void add_to_array(qpdf_data q, lp_update *u, qpdf_oh dict, const char *key,
                         const char *ref, lp_buf *direct) {
  qpdf_oh a = qp->qpdf_oh_get_key(q, dict, key);
  int id = qp->qpdf_oh_is_array(q, a) ? qp->qpdf_oh_get_object_id(q, a) : 0;
  if (id) {
    lp_update_obj(u, id, qp->qpdf_oh_get_generation(q, a));
    put_array_plus(q, a, ref, &u->out);
    lp_buf_puts(&u->out, "\nendobj\n");
  } else {
    put_array_plus(q, a, ref, direct);
  }
}

/* The time-stamp's widget in the page's /Annots. */
static void put_page_annot(lp_update *u, qpdf_data q, qpdf_oh page,
                           const char *ref) {
  lp_buf annots = {0};
  add_to_array(q, u, page, "/Annots", ref, &annots);
  if (annots.len) {
    const char *ov[] = {"/Annots", (char *)annots.data, NULL};
    lp_update_rewrite(u, q, page, ov);
  }
  lp_buf_free(&annots);
}

/* The time-stamp's field in the form's /Fields, and /SigFlags 3 (a new
 * form in the catalog when there is none). */
static void put_form_field(lp_update *u, qpdf_data q, const char *ref) {
  qpdf_oh root = qp->qpdf_get_root(q);
  qpdf_oh form = qp->qpdf_oh_get_key(q, root, "/AcroForm");
  lp_buf fields = {0};
  bool has_form = qp->qpdf_oh_is_dictionary(q, form);
  if (has_form) add_to_array(q, u, form, "/Fields", ref, &fields);
  else lp_buf_printf(&fields, "[ %s ]", ref);
  char flags[8];
  snprintf(flags, sizeof flags, "%d", SIG_FLAGS_SIGNED);
  const char *of[] = {"/SigFlags", flags, fields.len ? "/Fields" : NULL,
                      (char *)fields.data, NULL};
  if (has_form && qp->qpdf_oh_get_object_id(q, form)) {
    lp_update_rewrite(u, q, form, of);
  } else {
    lp_buf text = {0};
    if (has_form) lp_update_dict(u, q, form, of, &text);
    else lp_buf_printf(&text, "<< /Fields %s /SigFlags %s >>", (char *)fields.data, flags);
    const char *oc[] = {"/AcroForm", (char *)text.data, NULL};
    lp_update_rewrite(u, q, root, oc);
    lp_buf_free(&text);
  }
  lp_buf_free(&fields);
}

/* Appends the document time-stamp update (ETSI EN 319 142-1 5.5, ISO
 * 32000-2 12.8.5): a /DocTimeStamp dictionary with /SubFilter
 * /ETSI.RFC3161, an invisible signature field holding it on the first
 * page, the form (/SigFlags 3), the xref; then asks the TSA for a token
 * over the byte ranges and puts it in /Contents. */
static bool write_doc_timestamp(qpdf_data q, const unsigned char *pdf,
                                size_t len, const lp_sign_options *o,
                                lp_update *u, lp_error *err) {
  if (qp->qpdf_get_num_pages(q) < 1)
    return lp_fail(err, LP_ERR_INPUT, NULL, 0, 0, "this PDF has no page");
  qpdf_oh page = qp->qpdf_get_page_n(q, 0);
  if (!lp_update_begin(u, q, pdf, len, o->password, err)) return false;
  int sig_num = lp_update_new_number(u), field_num = lp_update_new_number(u);
  if (sig_num <= 0 || field_num >= LP_UPDATE_MAX_OBJECTS ||
      !qp->qpdf_oh_get_object_id(q, page))
    return lp_fail(err, LP_ERR_INPUT, NULL, 0, 0,
                   "this PDF cannot take a document time-stamp");
  char ref[32];
  snprintf(ref, sizeof ref, "%d 0 R", field_num);
  lp_update_sig sig;
  lp_update_obj(u, sig_num, 0);
  lp_update_sig_placeholder(u, "/DocTimeStamp", "/ETSI.RFC3161",
                            TSA_TOKEN_RESERVE, &sig);
  lp_buf_puts(&u->out, " >>\nendobj\n");
  lp_update_obj(u, field_num, 0);
  char title[32];
  snprintf(title, sizeof title, "DocTimeStamp%d", field_num);
  lp_buf_puts(&u->out, "<< /Type /Annot /Subtype /Widget /FT /Sig /T ");
  lp_update_text(u, title);
  lp_buf_printf(&u->out, " /V %d 0 R /Rect [0 0 0 0] /F 132 /P %s >>\nendobj\n",
                sig_num, qp->qpdf_oh_unparse(q, page));
  put_page_annot(u, q, page, ref);
  put_form_field(u, q, ref);
  if (!lp_update_finish(u, q, field_num, err)) return false;
  lp_buf signed_data = {0}, token = {0};
  lp_update_ranges(u, &sig, &signed_data);
  lp_tsa tsa = tsa_of(o, NULL);
  bool ok = lp_tsa_stamp(&tsa, signed_data.data, signed_data.len, &token, err) &&
            lp_update_put_contents(u, &sig, &token, "time-stamp token", err);
  lp_buf_free(&signed_data);
  lp_buf_free(&token);
  return ok;
}

bool lp_timestamp_memory(const unsigned char *pdf, size_t len,
                         const lp_sign_options *opts, unsigned char **out,
                         size_t *out_len, lp_error *err) {
  if (!opts || !opts->tsa)
    return lp_fail(err, LP_ERR_INPUT, NULL, 0, 0,
                   "a document time-stamp needs a time-stamping authority: "
                   "give --tsa URL");
  if (!have_qpdf(err)) return false;
  /* The bytes stamped: the input itself, or (--ltv) a copy with the
   * validation data of the latest signature added first. */
  lp_buf with_dss = {0};
  bool ok = true;
  if (opts->ltv) {
    lp_buf contents = {0};
    if (!last_contents(pdf, len, &contents))
      ok = lp_fail(err, LP_ERR_INPUT, NULL, 0, 0,
                   "--ltv: this PDF has no signature or time-stamp to add "
                   "validation data for");
    else
      ok = add_ltv(pdf, len, contents.data, contents.len, contents.len, opts,
                   opts->password, &with_dss, err);
    lp_buf_free(&contents);
    pdf = with_dss.data, len = with_dss.len;
  }
  qpdf_data q = ok ? lp_update_open(pdf, len, opts->password, err) : NULL;
  lp_update u = {0};
  ok = ok && q && write_doc_timestamp(q, pdf, len, opts, &u, err);
  if (ok) lp_update_take(&u, out, out_len);
  lp_update_free(&u);
  lp_update_close(q);
  lp_buf_free(&with_dss);
  return ok;
}

bool lp_timestamp_file(const char *in_path, const char *out_path,
                       const lp_sign_options *opts, lp_error *err) {
  return update_file(NULL, true, in_path, out_path, opts, err);
}
