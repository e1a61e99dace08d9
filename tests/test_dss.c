/* test_dss.c - gathering a signature's certificates and revocation data
 * for the DSS (dss.c): a CA, a signer, CMS signatures and CRLs made here
 * with OpenSSL; CRLs given as files (no network). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "check.h"
#include "dss.h"

/* A certificate for key named cn, issued by issuer (NULL: self-signed). */
static X509 *make_cert(EVP_PKEY *key, const char *cn, long serial,
                       X509 *issuer, EVP_PKEY *issuer_key) {
  X509 *x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                             (const unsigned char *)cn, -1, -1, 0);
  X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x));
  X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256());
  return x;
}

/* The DER of a detached CMS signature by cert/key carrying certs. */
static lp_buf make_cms(X509 *cert, EVP_PKEY *key, STACK_OF(X509) *certs) {
  BIO *in = BIO_new_mem_buf("letter", 6);
  CMS_ContentInfo *cms =
      CMS_sign(cert, key, certs, in, CMS_DETACHED | CMS_BINARY);
  unsigned char *der = NULL;
  int len = i2d_CMS_ContentInfo(cms, &der);
  lp_buf b = {0};
  if (len > 0) lp_buf_append(&b, der, (size_t)len);
  OPENSSL_free(der);
  CMS_ContentInfo_free(cms);
  BIO_free(in);
  return b;
}

/* Writes a CRL by the CA listing the serials (PEM) to path. */
static void write_crl(const char *path, X509 *ca, EVP_PKEY *ca_key,
                      const long *revoked, int n) {
  X509_CRL *crl = X509_CRL_new();
  X509_CRL_set_version(crl, 1);
  X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca));
  ASN1_TIME *now = X509_gmtime_adj(NULL, 0), *next = X509_gmtime_adj(NULL, 86400);
  X509_CRL_set1_lastUpdate(crl, now);
  X509_CRL_set1_nextUpdate(crl, next);
  for (int i = 0; i < n; i++) {
    X509_REVOKED *r = X509_REVOKED_new();
    ASN1_INTEGER *s = ASN1_INTEGER_new();
    ASN1_INTEGER_set(s, revoked[i]);
    X509_REVOKED_set_serialNumber(r, s);
    X509_REVOKED_set_revocationDate(r, now);
    X509_CRL_add0_revoked(crl, r);
    ASN1_INTEGER_free(s);
  }
  X509_CRL_sort(crl);
  X509_CRL_sign(crl, ca_key, EVP_sha256());
  FILE *f = fopen(path, "w");
  PEM_write_X509_CRL(f, crl);
  fclose(f);
  ASN1_TIME_free(now);
  ASN1_TIME_free(next);
  X509_CRL_free(crl);
}

int main(void) {
  EVP_PKEY *ca_key = EVP_RSA_gen(2048), *key = EVP_RSA_gen(2048);
  X509 *ca = make_cert(ca_key, "Unit CA", 1, NULL, NULL);
  X509 *leaf = make_cert(key, "Unit Signer", 7, ca, ca_key);
  STACK_OF(X509) *with_ca = sk_X509_new_null();
  sk_X509_push(with_ca, ca);
  lp_buf sig = make_cms(leaf, key, with_ca);
  lp_buf alone = make_cms(leaf, key, NULL);
  char good[] = "/tmp/lp-dss-good-XXXXXX", bad[] = "/tmp/lp-dss-bad-XXXXXX";
  close(mkstemp(good));
  close(mkstemp(bad));
  long other = 99, mine = 7;
  write_crl(good, ca, ca_key, &other, 1);
  write_crl(bad, ca, ca_key, &mine, 1);

  /* A CRL of the issuer that does not list the signer: both certificates
   * (the root needs no revocation data) and the CRL. */
  lp_dss_data d = {0};
  lp_error err = {0};
  CHECK(lp_dss_collect(sig.data, sig.len, NULL, good, &d, &err));
  CHECK(d.ncerts == 2 && d.ncrls == 1 && d.nocsps == 0);
  lp_dss_data_free(&d);
  /* The CRL lists the signer: revoked, nothing gathered. */
  lp_error e2 = {0};
  CHECK(!lp_dss_collect(sig.data, sig.len, NULL, bad, &d, &e2));
  CHECK(strstr(e2.message, "revoked") && strstr(e2.message, "Unit Signer"));
  CHECK(d.ncerts == 0);
  /* No CRL and no OCSP responder in the certificate. */
  lp_error e3 = {0};
  CHECK(!lp_dss_collect(sig.data, sig.len, NULL, NULL, &d, &e3));
  CHECK(strstr(e3.message, "no revocation data") && strstr(e3.message, "--crl"));
  /* The issuer is not in the signature. */
  lp_error e4 = {0};
  CHECK(!lp_dss_collect(alone.data, alone.len, NULL, good, &d, &e4));
  CHECK(strstr(e4.message, "issuer") && strstr(e4.message, "--chain"));
  /* Not a CMS; a CRL file that holds none. */
  lp_error e5 = {0};
  CHECK(!lp_dss_collect((const unsigned char *)"junk", 4, NULL, good, &d, &e5));
  lp_error e6 = {0};
  CHECK(!lp_dss_collect(sig.data, sig.len, NULL, "tests/check.h", &d, &e6));
  CHECK(e6.code == LP_ERR_INPUT && strstr(e6.message, "no CRL"));

  unlink(good);
  unlink(bad);
  lp_buf_free(&sig);
  lp_buf_free(&alone);
  sk_X509_free(with_ca);
  X509_free(leaf);
  X509_free(ca);
  EVP_PKEY_free(key);
  EVP_PKEY_free(ca_key);
  return CHECK_DONE();
}
