#!/usr/bin/env python3
"""A local RFC 3161 time-stamping authority for the benchmark: the test CA,
signer and TSA of tests/e2e_pades.py (openssl ts -reply behind an HTTP
server on 127.0.0.1), made in DIR.  Prints one line, "URL KEY CERT", then
serves until killed.

    python3 tests/bench/tsa_server.py DIR
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import e2e_pades  # noqa: E402


def main():
    tmp = sys.argv[1]
    url = e2e_pades.serve()
    pki = e2e_pades.Tsa.pki = e2e_pades.Pki(tmp, url)
    if not pki.ok:
        sys.exit("tsa_server: cannot make the test CA")
    e2e_pades.Tsa.requests = _Nothing()  # keep no request bodies
    e2e_pades.Tsa.times = _Nothing()
    print("%s/tsa %s %s" % (url, pki.key, pki.cert), flush=True)
    while True:
        time.sleep(3600)


class _Nothing(list):
    """A list that keeps nothing (the server's request log)."""

    def append(self, item):
        pass


if __name__ == "__main__":
    main()
