/* test_tsa.c - the checks of RFC 3161 time-stamp replies (tsa.c): replies
 * made here by OpenSSL's own TSA code (TS_RESP_CTX) with a throwaway key,
 * and by hand for the broken ones. */
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include "check.h"
#include "tsa.h"

/* A self-signed certificate for key with the critical timeStamping
 * extended key usage a TSA certificate must have (RFC 3161 2.3). */
static X509 *tsa_cert(EVP_PKEY *key) {
  X509 *x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, key);
  X509_NAME *n = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
                             (const unsigned char *)"Test TSA", -1, -1, 0);
  X509_set_issuer_name(x, n);
  X509_EXTENSION *ext =
      X509V3_EXT_conf_nid(NULL, NULL, NID_ext_key_usage, "critical,timeStamping");
  X509_add_ext(x, ext, -1);
  X509_EXTENSION_free(ext);
  X509_sign(x, key, EVP_sha256());
  return x;
}

/* The DER of a TSA's reply to a request for imprint and nonce. */
static int make_reply(EVP_PKEY *key, X509 *cert, const unsigned char *imprint,
                      unsigned long long nonce, unsigned char **der) {
  TS_REQ *req = TS_REQ_new();
  TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
  X509_ALGOR *alg = X509_ALGOR_new();
  ASN1_INTEGER *n = ASN1_INTEGER_new();
  X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL);
  TS_MSG_IMPRINT_set_algo(mi, alg);
  TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)imprint, 32);
  TS_REQ_set_version(req, 1);
  TS_REQ_set_msg_imprint(req, mi);
  ASN1_INTEGER_set_uint64(n, nonce);
  TS_REQ_set_nonce(req, n);
  TS_REQ_set_cert_req(req, 1);
  BIO *in = BIO_new(BIO_s_mem());
  i2d_TS_REQ_bio(in, req);
  TS_RESP_CTX *ctx = TS_RESP_CTX_new();
  ASN1_OBJECT *policy = OBJ_txt2obj("1.2.3.4.1", 1);
  TS_RESP_CTX_set_signer_cert(ctx, cert);
  TS_RESP_CTX_set_signer_key(ctx, key);
  TS_RESP_CTX_set_def_policy(ctx, policy);
  TS_RESP_CTX_add_md(ctx, EVP_sha256());
  TS_RESP *resp = TS_RESP_create_response(ctx, in);
  int len = resp ? i2d_TS_RESP(resp, der) : -1;
  TS_RESP_free(resp);
  ASN1_OBJECT_free(policy);
  TS_RESP_CTX_free(ctx);
  BIO_free(in);
  ASN1_INTEGER_free(n);
  X509_ALGOR_free(alg);
  TS_MSG_IMPRINT_free(mi);
  TS_REQ_free(req);
  return len;
}

/* Whether checking reply for imprint and nonce fails with words in the
 * message (NULL: whether it succeeds with a token). */
static bool outcome(const unsigned char *reply, size_t len,
                    const unsigned char *imprint, unsigned long long nonce,
                    const char *words) {
  lp_buf token = {0};
  lp_error err = {0};
  bool ok = lp_tsa_check_reply(reply, len, imprint, nonce, "http://tsa.test",
                               &token, &err);
  bool want = words ? !ok && strstr(err.message, words) &&
                          strstr(err.message, "http://tsa.test") && !token.len
                    : ok && token.len > 100 && token.data[0] == 0x30;
  lp_buf_free(&token);
  return want;
}

int main(void) {
  unsigned char imprint[32], other[32];
  memset(imprint, 0xA5, sizeof imprint);
  memset(other, 0x5A, sizeof other);
  EVP_PKEY *key = EVP_RSA_gen(2048);
  X509 *cert = tsa_cert(key);
  unsigned char *der = NULL;
  int len = make_reply(key, cert, imprint, 12345, &der);
  CHECK(len > 0);
  /* A granted reply for this imprint and nonce gives its token. */
  CHECK(outcome(der, (size_t)len, imprint, 12345, NULL));
  /* RFC 3161 2.4.2: the imprint and the nonce must be the request's. */
  CHECK(outcome(der, (size_t)len, other, 12345, "imprint"));
  CHECK(outcome(der, (size_t)len, imprint, 12346, "nonce"));
  OPENSSL_free(der);
  /* PKIStatusInfo rejection (2); granted (0) with no token, which OpenSSL
   * refuses to decode. */
  static const unsigned char rejected[] = {0x30, 0x05, 0x30, 0x03,
                                           0x02, 0x01, 0x02};
  CHECK(outcome(rejected, sizeof rejected, imprint, 1, "rejection"));
  static const unsigned char empty[] = {0x30, 0x05, 0x30, 0x03,
                                        0x02, 0x01, 0x00};
  CHECK(outcome(empty, sizeof empty, imprint, 1, "not a time-stamp reply"));
  static const unsigned char html[] = "<html>";
  CHECK(outcome(html, sizeof html - 1, imprint, 1, "not a time-stamp reply"));
  /* Nobody listening: an I/O error naming the URL, nothing stamped. */
  lp_tsa tsa = {"http://127.0.0.1:1/tsr", NULL, NULL, 0, 0, NULL};
  lp_buf token = {0};
  lp_error err = {0};
  CHECK(!lp_tsa_stamp(&tsa, imprint, sizeof imprint, &token, &err));
  CHECK(err.code == LP_ERR_IO && strstr(err.message, "cannot reach") &&
        strstr(err.message, "127.0.0.1:1"));
  CHECK(token.len == 0);
  /* A password source that is not env: or file: is refused before asking. */
  lp_tsa bad = {"http://127.0.0.1:1/tsr", "alice", "s3cret", 0, 0, NULL};
  lp_error err2 = {0};
  CHECK(!lp_tsa_stamp(&bad, imprint, sizeof imprint, &token, &err2));
  CHECK(!strcmp(err2.file, "--tsa-pass") && err2.code == LP_ERR_INPUT);
  /* Retries: nobody listening is temporary, asked again retries times
   * (the message says how often); then the pace gives up for later
   * requests, which fail at once, not asking. */
  lp_tsa_pace *pace = lp_tsa_pace_new(0);
  CHECK(pace != NULL);
  lp_tsa again = {"http://127.0.0.1:1/tsr", NULL, NULL, 2, 0.01, pace};
  lp_error err3 = {0};
  CHECK(!lp_tsa_stamp(&again, imprint, sizeof imprint, &token, &err3));
  CHECK(strstr(err3.message, "(3 attempts)") != NULL);
  lp_error err4 = {0};
  CHECK(!lp_tsa_stamp(&again, imprint, sizeof imprint, &token, &err4));
  CHECK(strstr(err4.message, "was not asked") && strstr(err4.message, "3 attempts"));
  lp_tsa_pace_free(pace);
  /* A pace of 20/s: three requests take at least two slots (0.1 s). */
  lp_tsa_pace *paced = lp_tsa_pace_new(20);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int i = 0; i < 3; i++) lp_tsa_pace_wait(paced);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  CHECK(took >= 0.095 && took < 1.0);
  lp_tsa_pace_free(paced);
  lp_buf_free(&token);
  X509_free(cert);
  EVP_PKEY_free(key);
  return CHECK_DONE();
}
