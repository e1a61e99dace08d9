/* tsa.h - RFC 3161 time-stamps: asks a time-stamping authority over HTTP
 * for a token over some bytes, and checks its reply. */
#ifndef LP_TSA_H
#define LP_TSA_H

#include <stdbool.h>
#include <stddef.h>

#include "letterpress.h"
#include "util.h"

/* Where to ask: the URL, and HTTP basic authentication (user may be NULL;
 * pass is a source, "env:VAR" or "file:PATH", read as lp_read_secret
 * does). */
typedef struct lp_tsa {
  const char *url, *user, *pass;
} lp_tsa;

/* Gets a time-stamp token (the DER of a CMS SignedData, RFC 3161 2.4.2)
 * over data: a request with its SHA-256 imprint, a random nonce and
 * certReq; the reply must grant it, for this imprint and this nonce.
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
