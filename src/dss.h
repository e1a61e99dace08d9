/* dss.h - what PAdES B-LT puts in a PDF's Document Security Store (ETSI
 * EN 319 142-1 5.4): the certificates a signature needs and their
 * revocation data (OCSP responses, CRLs), gathered and checked. */
#ifndef LP_DSS_H
#define LP_DSS_H

#include <stdbool.h>
#include <stddef.h>

#include "letterpress.h"
#include "util.h"

/* DER objects for the DSS, each list without repeats. */
typedef struct lp_dss_data {
  lp_buf *certs, *ocsps, *crls;
  size_t ncerts, nocsps, ncrls;
} lp_dss_data;

/* Gathers, for the CMS signature cms (DER: a signature or a time-stamp
 * token), its certificates and those of its time-stamp tokens, and for
 * each certificate not self-signed the proof that it was not revoked: an
 * OCSP response or a CRL from ocsp_file / crl_file (may be NULL: DER, or
 * PEM for CRLs), else an OCSP response from the certificate's AIA URL, else
 * the CRL from its distribution point (over HTTP).  A revoked certificate,
 * a chain without its issuer, or a certificate with no revocation data is
 * an error naming the certificate. */
bool lp_dss_collect(const unsigned char *cms, size_t len,
                    const char *ocsp_file, const char *crl_file,
                    lp_dss_data *out, lp_error *err);

void lp_dss_data_free(lp_dss_data *d);

#endif
