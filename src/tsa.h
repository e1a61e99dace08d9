/* tsa.h - RFC 3161 time-stamps: asks a time-stamping authority over HTTP
 * for a token over some bytes, and checks its reply. */
#ifndef LP_TSA_H
#define LP_TSA_H

#include <stdbool.h>
#include <stddef.h>

#include "letterpress.h"
#include "util.h"

/* A pace shared by processes: requests no closer together than 1/rate
 * seconds, whichever process makes them; and, once a TSA still failed
 * after its retries, it is not asked again (the rest of a merge would
 * wait for nothing).  It lives in shared memory, so a merge's forked
 * workers made after lp_tsa_pace_new share it. */
typedef struct lp_tsa_pace lp_tsa_pace;

/* A pace of rate requests per second (0: no limit); NULL when the memory
 * cannot be had.  Free with lp_tsa_pace_free (NULL is fine), once, in the
 * process that made it. */
lp_tsa_pace *lp_tsa_pace_new(double rate);
void lp_tsa_pace_free(lp_tsa_pace *pace);

/* Waits until the pace allows the next request (at once without a pace). */
void lp_tsa_pace_wait(lp_tsa_pace *pace);

/* Where to ask: the URL, and HTTP basic authentication (user may be NULL;
 * pass is a source, "env:VAR" or "file:PATH", read as lp_read_secret
 * does); how often to ask again after a temporary failure (no answer,
 * HTTP 408, 429, 5xx), the first wait (seconds, doubled each time; 0: 1
 * s), and the pace (may be NULL). */
typedef struct lp_tsa {
  const char *url, *user, *pass;
  int retries;
  double backoff;
  lp_tsa_pace *pace;
} lp_tsa;

/* Gets a time-stamp token (the DER of a CMS SignedData, RFC 3161 2.4.2)
 * over data: a request with its SHA-256 imprint, a random nonce and
 * certReq; the reply must grant it, for this imprint and this nonce.
 * Asks again (a new nonce each time) after a temporary failure, up to
 * tsa->retries times; a refusal or a wrong reply is not asked again.
 * Appends the token to *token. */
bool lp_tsa_stamp(const lp_tsa *tsa, const unsigned char *data, size_t len,
                  lp_buf *token, lp_error *err);

/* Checks a time-stamp reply (DER TimeStampResp) to a request with this
 * SHA-256 imprint and nonce, and appends its token to *token.  Apart for
 * the tests. */
bool lp_tsa_check_reply(const unsigned char *reply, size_t len,
                        const unsigned char imprint[32],
                        unsigned long long nonce, const char *url,
                        lp_buf *token, lp_error *err);

#endif
