/* http.h - one HTTP request over libcurl, which is loaded (dlopen) on
 * first use: the time-stamp, OCSP and CRL requests of signing. */
#ifndef LP_HTTP_H
#define LP_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "letterpress.h"
#include "util.h"

/* Seconds an HTTP exchange may take in all before it is given up. */
#define LP_HTTP_TIMEOUT 30

/* POSTs body (content_type) to url (a GET when body is NULL) and stores the reply body in *reply.
 * user/pass (may be NULL) are sent as HTTP basic authentication.  Fails,
 * naming what: libcurl not loadable, the server unreachable, or an HTTP
 * status other than 200.  `what` names the server in messages ("the
 * time-stamp authority").  *temporary (may be NULL) tells whether a
 * failure may pass if asked again: no answer, a time-out, HTTP 408, 429
 * or 5xx (as a 4xx reply is for SMTP, lp_mail_send). */
bool lp_http_post(const char *url, const char *what, const char *content_type,
                  const unsigned char *body, size_t len, const char *user,
                  const char *pass, lp_buf *reply, bool *temporary,
                  lp_error *err);

#endif
