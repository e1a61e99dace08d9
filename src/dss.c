/* dss.c - certificates and revocation data for PAdES B-LT. */
#include "dss.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509v3.h>

#include "http.h"

/* Seconds of clock difference allowed on an OCSP response's times. */
#define OCSP_SKEW 300

/* Appends the DER of an object to a list unless an equal one is there. */
static void add_unique(lp_buf **list, size_t *n, const unsigned char *der,
                       size_t len) {
  for (size_t i = 0; i < *n; i++)
    if ((*list)[i].len == len && !memcmp((*list)[i].data, der, len)) return;
  *list = realloc(*list, (*n + 1) * sizeof **list);
  if (!*list) abort();
  memset(&(*list)[*n], 0, sizeof **list);
  lp_buf_append(&(*list)[(*n)++], der, len);
}

void lp_dss_data_free(lp_dss_data *d) {
  for (size_t i = 0; i < d->ncerts; i++) lp_buf_free(&d->certs[i]);
  for (size_t i = 0; i < d->nocsps; i++) lp_buf_free(&d->ocsps[i]);
  for (size_t i = 0; i < d->ncrls; i++) lp_buf_free(&d->crls[i]);
  free(d->certs);
  free(d->ocsps);
  free(d->crls);
  memset(d, 0, sizeof *d);
}

/* The certificate's subject, for messages. */
static void subject(X509 *x, char *out, size_t size) {
  X509_NAME_oneline(X509_get_subject_name(x), out, (int)size);
}

/* Pushes x (taking it) onto set unless an equal certificate is there. */
static void push_unique(STACK_OF(X509) *set, X509 *x) {
  for (int i = 0; i < sk_X509_num(set); i++)
    if (!X509_cmp(sk_X509_value(set, i), x)) {
      X509_free(x);
      return;
    }
  sk_X509_push(set, x);
}

/* Adds to set the certificates of a CMS and of the time-stamp tokens in
 * its signers' unsigned attributes (RFC 3161 tokens carry the TSA's). */
static bool gather_certs(CMS_ContentInfo *cms, STACK_OF(X509) *set) {
  STACK_OF(X509) *certs = CMS_get1_certs(cms);
  while (certs && sk_X509_num(certs)) push_unique(set, sk_X509_shift(certs));
  sk_X509_free(certs);
  STACK_OF(CMS_SignerInfo) *signers = CMS_get0_SignerInfos(cms);
  for (int i = 0; i < sk_CMS_SignerInfo_num(signers); i++) {
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(signers, i);
    int at = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1);
    if (at < 0) continue;
    ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(CMS_unsigned_get_attr(si, at), 0);
    if (!t || t->type != V_ASN1_SEQUENCE) continue;
    const unsigned char *p = t->value.sequence->data;
    CMS_ContentInfo *tok =
        d2i_CMS_ContentInfo(NULL, &p, t->value.sequence->length);
    if (tok) gather_certs(tok, set);
    CMS_ContentInfo_free(tok);
  }
  return true;
}

/* The issuer of x among set, or NULL. */
static X509 *issuer_of(X509 *x, STACK_OF(X509) *set) {
  for (int i = 0; i < sk_X509_num(set); i++) {
    X509 *c = sk_X509_value(set, i);
    if (X509_check_issued(c, x) == X509_V_OK) return c;
  }
  return NULL;
}

/* Whether a basic OCSP response says x (issued by issuer) is good; err set
 * when it says revoked or unknown or is stale.  *found: it speaks of x. */
static bool ocsp_status(OCSP_BASICRESP *bs, X509 *x, X509 *issuer,
                        bool *found, const char *where, lp_error *err) {
  OCSP_CERTID *id = OCSP_cert_to_id(EVP_sha1(), x, issuer);
  int status = -1, reason = 0;
  ASN1_GENERALIZEDTIME *rev = NULL, *thisupd = NULL, *nextupd = NULL;
  *found = id && OCSP_resp_find_status(bs, id, &status, &reason, &rev,
                                       &thisupd, &nextupd);
  OCSP_CERTID_free(id);
  if (!*found) return true;
  char name[256];
  subject(x, name, sizeof name);
  if (status == V_OCSP_CERTSTATUS_REVOKED)
    return lp_fail(err, LP_ERR_SIGN, NULL, 0, 0,
                   "the certificate %s is revoked (OCSP response %s, reason: "
                   "%s): nothing was signed", name, where,
                   OCSP_crl_reason_str(reason));
  if (status != V_OCSP_CERTSTATUS_GOOD)
    return lp_fail(err, LP_ERR_SIGN, NULL, 0, 0,
                   "the OCSP responder does not know the certificate %s "
                   "(%s)", name, where);
  if (!OCSP_check_validity(thisupd, nextupd, OCSP_SKEW, -1)) {
    ERR_clear_error();
    return lp_fail(err, LP_ERR_SIGN, NULL, 0, 0,
                   "the OCSP response for %s (%s) is not current", name, where);
  }
  return true;
}

/* Checks an OCSP response's status and signature: its signer must chain to
 * a root (self-signed certificate) of set and be the certificate's issuer
 * or a responder it delegated to (RFC 6960 4.2.2.2); returns its basic
 * response. */
static OCSP_BASICRESP *ocsp_basic(OCSP_RESPONSE *resp, STACK_OF(X509) *set,
                                  const char *where, lp_error *err) {
  int rs = OCSP_response_status(resp);
  if (rs != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    lp_fail(err, LP_ERR_SIGN, NULL, 0, 0,
            "the OCSP responder (%s) answered '%s'", where,
            OCSP_response_status_str(rs));
    return NULL;
  }
  OCSP_BASICRESP *bs = OCSP_response_get1_basic(resp);
  X509_STORE *store = X509_STORE_new();
  for (int i = 0; store && i < sk_X509_num(set); i++)
    if (X509_check_issued(sk_X509_value(set, i), sk_X509_value(set, i)) == X509_V_OK)
      X509_STORE_add_cert(store, sk_X509_value(set, i));
  if (!bs || !store || OCSP_basic_verify(bs, set, store, 0) <= 0) {
    unsigned long e = ERR_peek_last_error();
    char detail[200] = "";
    if (e) ERR_error_string_n(e, detail, sizeof detail);
    ERR_clear_error();
    lp_fail(err, LP_ERR_SIGN, NULL, 0, 0,
            "the OCSP response (%s) does not verify: %s", where, detail);
    OCSP_BASICRESP_free(bs);
    bs = NULL;
  }
  X509_STORE_free(store);
  return bs;
}

/* Asks x's OCSP responder (its AIA URL) about x; adds the response to out
 * when it says good.  *asked: x has an OCSP URL. */
static bool ocsp_online(X509 *x, X509 *issuer, STACK_OF(X509) *set,
                        bool *asked, lp_dss_data *out, lp_error *err) {
  STACK_OF(OPENSSL_STRING) *urls = X509_get1_ocsp(x);
  *asked = urls && sk_OPENSSL_STRING_num(urls) > 0;
  if (!*asked) {
    X509_email_free(urls);
    return true;
  }
  const char *url = sk_OPENSSL_STRING_value(urls, 0);
  OCSP_REQUEST *req = OCSP_REQUEST_new();
  OCSP_CERTID *id = OCSP_cert_to_id(EVP_sha1(), x, issuer);
  unsigned char *der = NULL;
  int der_len = -1;
  if (req && id && OCSP_request_add0_id(req, id)) {
    id = NULL;
    if (OCSP_request_add1_nonce(req, NULL, -1)) der_len = i2d_OCSP_REQUEST(req, &der);
  }
  OCSP_CERTID_free(id);
  lp_buf reply = {0};
  bool ok = der_len > 0 ||
            lp_fail(err, LP_ERR_SIGN, NULL, 0, 0, "cannot build an OCSP request");
  ok = ok && lp_http_post(url, "the OCSP responder", "application/ocsp-request",
                          der, (size_t)der_len, NULL, NULL, &reply, NULL, err);
  const unsigned char *p = reply.data;
  OCSP_RESPONSE *resp = ok ? d2i_OCSP_RESPONSE(NULL, &p, (long)reply.len) : NULL;
  if (ok && !resp)
    ok = lp_fail(err, LP_ERR_SIGN, NULL, 0, 0,
                 "the OCSP responder at %s sent something that is not an "
                 "OCSP response", url);
  OCSP_BASICRESP *bs = ok ? ocsp_basic(resp, set, url, err) : NULL;
  ok = ok && bs;
  if (ok && OCSP_check_nonce(req, bs) == 0)
    ok = lp_fail(err, LP_ERR_SIGN, NULL, 0, 0,
                 "the OCSP responder at %s answered with another nonce", url);
  bool found = false;
  ok = ok && ocsp_status(bs, x, issuer, &found, url, err);
  if (ok && !found)
    ok = lp_fail(err, LP_ERR_SIGN, NULL, 0, 0,
                 "the OCSP responder at %s said nothing of the certificate "
                 "asked about", url);
  if (ok) add_unique(&out->ocsps, &out->nocsps, reply.data, reply.len);
  OCSP_BASICRESP_free(bs);
  OCSP_RESPONSE_free(resp);
  lp_buf_free(&reply);
  OPENSSL_free(der);
  OCSP_REQUEST_free(req);
  X509_email_free(urls);
  return ok;
}

/* Checks x against a CRL of its issuer: signed by it, current, and not
 * listing x.  *applies: the CRL is the issuer's. */
static bool crl_status(X509_CRL *crl, X509 *x, X509 *issuer, bool *applies,
                       const char *where, lp_error *err) {
  *applies = !X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer));
  if (!*applies) return true;
  char name[256];
  subject(x, name, sizeof name);
  if (X509_CRL_verify(crl, X509_get0_pubkey(issuer)) <= 0) {
    ERR_clear_error();
    return lp_fail(err, LP_ERR_SIGN, NULL, 0, 0,
                   "the CRL %s for %s is not signed by its issuer", where, name);
  }
  const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);
  if (next && X509_cmp_current_time(next) < 0)
    return lp_fail(err, LP_ERR_SIGN, NULL, 0, 0,
                   "the CRL %s for %s is out of date (next update passed)",
                   where, name);
  X509_REVOKED *rev = NULL;
  if (X509_CRL_get0_by_cert(crl, &rev, x) == 1)
    return lp_fail(err, LP_ERR_SIGN, NULL, 0, 0,
                   "the certificate %s is revoked (CRL %s): nothing was "
                   "signed", name, where);
  return true;
}

/* Reads the CRLs of a file (PEM, several, or one DER) onto list. */
static bool read_crls(const char *path, STACK_OF(X509_CRL) *list,
                      lp_error *err) {
  lp_buf b = {0};
  if (!lp_read_file(path, &b, err)) return false;
  BIO *bio = BIO_new_mem_buf(b.data, (int)b.len);
  X509_CRL *crl;
  while ((crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL))) sk_X509_CRL_push(list, crl);
  ERR_clear_error();
  if (!sk_X509_CRL_num(list)) {
    const unsigned char *p = b.data;
    if ((crl = d2i_X509_CRL(NULL, &p, (long)b.len))) sk_X509_CRL_push(list, crl);
  }
  BIO_free(bio);
  lp_buf_free(&b);
  if (!sk_X509_CRL_num(list))
    return lp_fail(err, LP_ERR_INPUT, path, 0, 0, "no CRL (PEM or DER) in this file");
  return true;
}

/* Fetches the CRL at x's first HTTP distribution point, if it has one. */
static bool crl_online(X509 *x, STACK_OF(X509_CRL) *list, bool *fetched,
                       lp_error *err) {
  *fetched = false;
  STACK_OF(DIST_POINT) *dps = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);
  const char *url = NULL;
  for (int i = 0; !url && i < sk_DIST_POINT_num(dps); i++) {
    DIST_POINT *dp = sk_DIST_POINT_value(dps, i);
    if (!dp->distpoint || dp->distpoint->type != 0) continue;
    GENERAL_NAMES *names = dp->distpoint->name.fullname;
    for (int k = 0; !url && k < sk_GENERAL_NAME_num(names); k++) {
      GENERAL_NAME *g = sk_GENERAL_NAME_value(names, k);
      if (g->type == GEN_URI &&
          !strncmp((const char *)ASN1_STRING_get0_data(g->d.uniformResourceIdentifier), "http", 4))
        url = (const char *)ASN1_STRING_get0_data(g->d.uniformResourceIdentifier);
    }
  }
  bool ok = true;
  if (url) {
    lp_buf reply = {0};
    ok = lp_http_post(url, "the CRL server", NULL, NULL, 0, NULL, NULL, &reply, NULL, err);
    const unsigned char *p = reply.data;
    X509_CRL *crl = ok ? d2i_X509_CRL(NULL, &p, (long)reply.len) : NULL;
    if (ok && !crl)
      ok = lp_fail(err, LP_ERR_SIGN, NULL, 0, 0,
                   "%s sent something that is not a DER CRL", url);
    if (crl) sk_X509_CRL_push(list, crl), *fetched = true;
    lp_buf_free(&reply);
  }
  sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
  return ok;
}

/* Finds the revocation data for x (see lp_dss_collect) and adds it. */
static bool revocation(X509 *x, X509 *issuer, STACK_OF(X509) *set,
                       OCSP_BASICRESP *offline, const unsigned char *offline_der,
                       size_t offline_len, STACK_OF(X509_CRL) *crls,
                       lp_dss_data *out, lp_error *err) {
  bool found = false;
  if (offline && !ocsp_status(offline, x, issuer, &found, "--ocsp", err))
    return false;
  if (found) {
    add_unique(&out->ocsps, &out->nocsps, offline_der, offline_len);
    return true;
  }
  for (int i = 0; i < sk_X509_CRL_num(crls); i++) {
    X509_CRL *crl = sk_X509_CRL_value(crls, i);
    bool applies = false;
    if (!crl_status(crl, x, issuer, &applies, "--crl", err)) return false;
    if (applies) {
      unsigned char *der = NULL;
      int n = i2d_X509_CRL(crl, &der);
      if (n > 0) add_unique(&out->crls, &out->ncrls, der, (size_t)n);
      OPENSSL_free(der);
      return true;
    }
  }
  bool asked = false;
  if (!ocsp_online(x, issuer, set, &asked, out, err)) return false;
  if (asked) return true;
  STACK_OF(X509_CRL) *fetched = sk_X509_CRL_new_null();
  bool got = false;
  bool ok = crl_online(x, fetched, &got, err);
  if (ok && got) {
    X509_CRL *crl = sk_X509_CRL_value(fetched, 0);
    bool applies = false;
    ok = crl_status(crl, x, issuer, &applies, "from the distribution point", err);
    unsigned char *der = NULL;
    int n = ok && applies ? i2d_X509_CRL(crl, &der) : -1;
    if (n > 0) add_unique(&out->crls, &out->ncrls, der, (size_t)n);
    OPENSSL_free(der);
    if (ok && !applies) got = false;
  }
  sk_X509_CRL_pop_free(fetched, X509_CRL_free);
  if (ok && !got) {
    char name[256];
    subject(x, name, sizeof name);
    ok = lp_fail(err, LP_ERR_SIGN, NULL, 0, 0,
                 "--ltv: no revocation data for the certificate %s (it names "
                 "no OCSP responder or CRL): give --ocsp FILE or --crl FILE",
                 name);
  }
  return ok;
}

bool lp_dss_collect(const unsigned char *cms_der, size_t len,
                    const char *ocsp_file, const char *crl_file,
                    lp_dss_data *out, lp_error *err) {
  const unsigned char *p = cms_der;
  CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
  if (!cms)
    return lp_fail(err, LP_ERR_SIGN, NULL, 0, 0, "cannot read the signature's CMS");
  STACK_OF(X509) *set = sk_X509_new_null();
  gather_certs(cms, set);
  CMS_ContentInfo_free(cms);
  STACK_OF(X509_CRL) *crls = sk_X509_CRL_new_null();
  lp_buf offline_der = {0};
  OCSP_RESPONSE *offline = NULL;
  OCSP_BASICRESP *offline_bs = NULL;
  bool ok = !crl_file || read_crls(crl_file, crls, err);
  if (ok && ocsp_file) {
    ok = lp_read_file(ocsp_file, &offline_der, err);
    p = offline_der.data;
    if (ok && !(offline = d2i_OCSP_RESPONSE(NULL, &p, (long)offline_der.len)))
      ok = lp_fail(err, LP_ERR_INPUT, ocsp_file, 0, 0,
                   "not a DER OCSP response");
    if (ok && !(offline_bs = ocsp_basic(offline, set, ocsp_file, err))) ok = false;
  }
  for (int i = 0; ok && i < sk_X509_num(set); i++) {
    X509 *x = sk_X509_value(set, i);
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    if (n > 0) add_unique(&out->certs, &out->ncerts, der, (size_t)n);
    OPENSSL_free(der);
    if (X509_check_issued(x, x) == X509_V_OK) continue; /* a root */
    X509 *issuer = issuer_of(x, set);
    if (!issuer) {
      char name[256];
      subject(x, name, sizeof name);
      ok = lp_fail(err, LP_ERR_SIGN, NULL, 0, 0,
                   "--ltv: the issuer of %s is not in the signature: give "
                   "the chain up to the root with --chain", name);
      break;
    }
    ok = revocation(x, issuer, set, offline_bs, offline_der.data,
                    offline_der.len, crls, out, err);
  }
  OCSP_BASICRESP_free(offline_bs);
  OCSP_RESPONSE_free(offline);
  lp_buf_free(&offline_der);
  sk_X509_CRL_pop_free(crls, X509_CRL_free);
  sk_X509_pop_free(set, X509_free);
  if (!ok) lp_dss_data_free(out);
  return ok;
}
