/* tsa.c - RFC 3161 time-stamp requests and the checks of their replies. */
#include "tsa.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ts.h>

#include "http.h"

/* RFC 3161 2.4.2 PKIStatus values that carry a token. */
#define TS_GRANTED 0
#define TS_GRANTED_WITH_MODS 1

/* The DER of a request for imprint (SHA-256) with nonce and certReq (the
 * token then carries the TSA's certificate, which a verifier needs). */
static bool build_request(const unsigned char imprint[32],
                          unsigned long long nonce, lp_buf *der) {
  TS_REQ *req = TS_REQ_new();
  TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
  X509_ALGOR *alg = X509_ALGOR_new();
  ASN1_INTEGER *n = ASN1_INTEGER_new();
  bool ok = req && mi && alg && n && TS_REQ_set_version(req, 1) &&
            X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) &&
            TS_MSG_IMPRINT_set_algo(mi, alg) &&
            TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)imprint, 32) &&
            TS_REQ_set_msg_imprint(req, mi) &&
            ASN1_INTEGER_set_uint64(n, nonce) && TS_REQ_set_nonce(req, n) &&
            TS_REQ_set_cert_req(req, 1);
  unsigned char *out = NULL;
  int len = ok ? i2d_TS_REQ(req, &out) : -1;
  if (len > 0) lp_buf_append(der, out, (size_t)len);
  OPENSSL_free(out);
  ASN1_INTEGER_free(n);
  X509_ALGOR_free(alg);
  TS_MSG_IMPRINT_free(mi);
  TS_REQ_free(req);
  return len > 0;
}

/* The reply's status text (RFC 3161 2.4.2 PKIFreeText), for a message. */
static void status_text(TS_STATUS_INFO *si, char *out, size_t size) {
  const STACK_OF(ASN1_UTF8STRING) *texts = TS_STATUS_INFO_get0_text(si);
  out[0] = '\0';
  for (int i = 0; texts && i < sk_ASN1_UTF8STRING_num(texts); i++) {
    const ASN1_UTF8STRING *t = sk_ASN1_UTF8STRING_value(texts, i);
    size_t used = strlen(out);
    snprintf(out + used, size - used, "%s\"%.*s\"", used ? ", " : ": ",
             ASN1_STRING_length(t), (const char *)ASN1_STRING_get0_data(t));
  }
}

bool lp_tsa_check_reply(const unsigned char *reply, size_t len,
                        const unsigned char imprint[32],
                        unsigned long long nonce, const char *url,
                        lp_buf *token, lp_error *err) {
  const unsigned char *p = reply;
  TS_RESP *resp = d2i_TS_RESP(NULL, &p, (long)len);
  if (!resp)
    return lp_fail(err, LP_ERR_SIGN, NULL, 0, 0,
                   "the time-stamp authority at %s sent something that is "
                   "not a time-stamp reply (is the URL right?)", url);
  TS_STATUS_INFO *si = TS_RESP_get_status_info(resp);
  long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(si));
  TS_TST_INFO *info = TS_RESP_get_tst_info(resp);
  PKCS7 *tok = TS_RESP_get_token(resp);
  bool ok = true;
  if (status != TS_GRANTED && status != TS_GRANTED_WITH_MODS) {
    char text[256];
    status_text(si, text, sizeof text);
    ok = lp_fail(err, LP_ERR_SIGN, NULL, 0, 0,
                 "the time-stamp authority at %s refused the request "
                 "(status %ld%s%s)%s", url, status,
                 status == 2 ? ", rejection" : status == 3 ? ", waiting" : "",
                 text, status == 2 ? "; nothing was signed" : "");
  } else if (!info || !tok) {
    ok = lp_fail(err, LP_ERR_SIGN, NULL, 0, 0,
                 "the time-stamp authority at %s granted a time-stamp but "
                 "sent no token", url);
  } else {
    TS_MSG_IMPRINT *mi = TS_TST_INFO_get_msg_imprint(info);
    ASN1_OCTET_STRING *got = TS_MSG_IMPRINT_get_msg(mi);
    X509_ALGOR *alg = TS_MSG_IMPRINT_get_algo(mi);
    const ASN1_INTEGER *n = TS_TST_INFO_get_nonce(info);
    uint64_t got_nonce = 0;
    if (OBJ_obj2nid(alg->algorithm) != NID_sha256 ||
        ASN1_STRING_length(got) != 32 ||
        memcmp(ASN1_STRING_get0_data(got), imprint, 32))
      ok = lp_fail(err, LP_ERR_SIGN, NULL, 0, 0,
                   "the time-stamp authority at %s sent a token for other "
                   "data than the signature (wrong message imprint): it "
                   "cannot be trusted", url);
    else if (!n || !ASN1_INTEGER_get_uint64(&got_nonce, n) || got_nonce != nonce)
      ok = lp_fail(err, LP_ERR_SIGN, NULL, 0, 0,
                   "the time-stamp authority at %s answered with another "
                   "nonce than the request's (a replayed or mixed-up reply)",
                   url);
  }
  unsigned char *der = NULL;
  int der_len = ok ? i2d_PKCS7(tok, &der) : -1;
  if (ok && der_len <= 0)
    ok = lp_fail(err, LP_ERR_SIGN, NULL, 0, 0, "cannot encode the token");
  if (ok) lp_buf_append(token, der, (size_t)der_len);
  OPENSSL_free(der);
  TS_RESP_free(resp);
  return ok;
}

struct lp_tsa_pace {
  _Atomic long long next;   /* CLOCK_MONOTONIC ns of the next free slot */
  long long interval;       /* ns between requests; 0: no limit */
  _Atomic int gave_up;      /* attempts of a request that still failed */
};

lp_tsa_pace *lp_tsa_pace_new(double rate) {
  /* Shared, anonymous: forked workers see the same slot. */
  lp_tsa_pace *p = mmap(NULL, sizeof *p, PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return NULL;
  atomic_init(&p->next, 0);
  atomic_init(&p->gave_up, 0);
  p->interval = rate > 0 ? (long long)(1e9 / rate) : 0;
  return p;
}

void lp_tsa_pace_free(lp_tsa_pace *pace) {
  if (pace) munmap(pace, sizeof *pace);
}

/* Now on the monotonic clock (shared by every process), in ns. */
static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Sleeps ns nanoseconds (again after a signal). */
static void sleep_ns(long long ns) {
  if (ns <= 0) return;
  struct timespec t = {(time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL)};
  while (nanosleep(&t, &t) != 0 && errno == EINTR) {}
}

void lp_tsa_pace_wait(lp_tsa_pace *pace) {
  if (!pace || !pace->interval) return;
  /* Takes the next slot (at the latest of now and the one after the last
   * taken) with a compare-and-swap, then sleeps until it comes. */
  long long slot, cur = atomic_load(&pace->next);
  do {
    long long now = now_ns();
    slot = cur > now ? cur : now;
  } while (!atomic_compare_exchange_weak(&pace->next, &cur, slot + pace->interval));
  sleep_ns(slot - now_ns());
}

/* One request for a token over imprint; *temporary when it may pass if
 * asked again. */
static bool stamp_once(const lp_tsa *tsa, const char *pass,
                       const unsigned char imprint[32], lp_buf *token,
                       bool *temporary, lp_error *err) {
  unsigned long long nonce = 0;
  /* A 63-bit nonce: positive as an ASN.1 INTEGER, and unguessable. */
  if (RAND_bytes((unsigned char *)&nonce, sizeof nonce) != 1)
    return lp_fail(err, LP_ERR_SIGN, NULL, 0, 0, "OpenSSL cannot make a nonce");
  nonce &= 0x7FFFFFFFFFFFFFFFull;
  lp_buf req = {0}, reply = {0};
  bool ok = build_request(imprint, nonce, &req) ||
            lp_fail(err, LP_ERR_SIGN, NULL, 0, 0,
                    "OpenSSL cannot build a time-stamp request");
  lp_tsa_pace_wait(tsa->pace);
  ok = ok && lp_http_post(tsa->url, "the time-stamp authority",
                          "application/timestamp-query", req.data, req.len,
                          tsa->user, pass, &reply, temporary, err);
  ok = ok && lp_tsa_check_reply(reply.data, reply.len, imprint, nonce,
                                tsa->url, token, err);
  lp_buf_free(&req);
  lp_buf_free(&reply);
  return ok;
}

bool lp_tsa_stamp(const lp_tsa *tsa, const unsigned char *data, size_t len,
                  lp_buf *token, lp_error *err) {
  unsigned char imprint[32];
  unsigned int md_len = 0;
  if (!EVP_Digest(data, len, imprint, &md_len, EVP_sha256(), NULL))
    return lp_fail(err, LP_ERR_SIGN, NULL, 0, 0, "OpenSSL cannot hash");
  int gave_up = tsa->pace ? atomic_load(&tsa->pace->gave_up) : 0;
  if (gave_up)
    return lp_fail(err, LP_ERR_IO, NULL, 0, 0,
                   "the time-stamp authority at %s was not asked: it still "
                   "failed for an earlier letter after %d attempts; check "
                   "the URL and the network, then run again with "
                   "--skip-existing", tsa->url, gave_up);
  char *pass = NULL;
  if (tsa->pass && !lp_read_secret(tsa->pass, "--tsa-pass", &pass, err)) {
    if (err) snprintf(err->file, sizeof err->file, "--tsa-pass");
    return false;
  }
  /* The retry rule of lp_mail_send: temporary failures again after a
   * wait, doubled each time. */
  double wait = tsa->backoff > 0 ? tsa->backoff : 1.0;
  bool ok = false, temporary = false;
  int attempts = 0;
  for (;;) {
    attempts++;
    ok = stamp_once(tsa, pass, imprint, token, &temporary, err);
    if (ok || !temporary || attempts > tsa->retries) break;
    sleep_ns((long long)(wait * 1e9));
    wait *= 2;
  }
  if (!ok && temporary && tsa->pace) atomic_store(&tsa->pace->gave_up, attempts);
  if (!ok && attempts > 1 && err) {
    size_t n = strlen(err->message);
    snprintf(err->message + n, sizeof err->message - n, " (%d attempts)", attempts);
  }
  if (pass) {
    OPENSSL_cleanse(pass, strlen(pass));
    free(pass);
  }
  return ok;
}
