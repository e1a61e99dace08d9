#!/usr/bin/env python3
"""End-to-end tests of PAdES levels past B-B: time-stamps (B-T).

Everything runs on this machine: a test CA made with openssl, a signer and a
time-stamping authority (TSA) certified by it, and the TSA served by
`openssl ts -reply` behind a small HTTP server on 127.0.0.1 (a thread of
this script).  The server's path picks its behaviour: /tsa answers,
/refuse answers with a rejection, /other with a token for other data,
/auth wants HTTP basic authentication, /junk sends something that is not a
reply, /flaky answers HTTP 503 while Tsa.flaky is above 0 (counting it
down), then as /tsa.  Checks with pdfsig and with `openssl ts -verify` on the token taken
out of the CMS.

Uses the harness of tests/e2e.py; prints "N passed, N failed" last.
"""
import base64
import http.server
import os
import re
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check, lp, run  # noqa: E402

TEMPLATES = e2e.TEMPLATES

TS_CONFIG = """
[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
dir = {dir}
serial = {dir}/serial
signer_cert = {dir}/tsa.pem
certs = {dir}/ca.pem
signer_key = {dir}/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = {digests}
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


CA_CONFIG = """
[ ca ]
default_ca = test_ca
[ test_ca ]
database = {dir}/index.txt
crlnumber = {dir}/crlnumber
default_md = sha256
default_crl_days = 7
"""


class Pki:
    """A test CA; a TSA and signers it certifies (serials 10-13: the TSA,
    a signer, a revoked signer, a signer whose certificate names no OCSP
    responder); its index for OCSP and its CRL; the TSA's config.  url is
    the local server, whose /ocsp answers OCSP requests."""

    def __init__(self, tmp, url):
        self.dir = os.path.join(tmp, "pki")
        os.makedirs(self.dir)
        d = self.dir
        self.ca, self.ca_key = d + "/ca.pem", d + "/ca.key"
        self.key, self.cert = d + "/signer.key", d + "/signer.pem"
        ext = d + "/ext.cnf"
        aia = "authorityInfoAccess = OCSP;URI:%s/ocsp\n" % url
        with open(ext, "w") as f:
            f.write("[tsa]\nextendedKeyUsage = critical,timeStamping\n"
                    "keyUsage = critical,digitalSignature\n" + aia +
                    "[signer]\nkeyUsage = critical,digitalSignature,nonRepudiation\n" +
                    aia + "[revoked]\nkeyUsage = critical,digitalSignature\n" + aia +
                    "[noaia]\nkeyUsage = critical,digitalSignature\n")
        with open(d + "/serial", "w") as f:
            f.write("01\n")
        with open(d + "/crlnumber", "w") as f:
            f.write("01\n")
        with open(d + "/ca.cnf", "w") as f:
            f.write(CA_CONFIG.format(dir=d))
        steps = [
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
             "-keyout", self.ca_key, "-out", self.ca, "-days", "30", "-subj",
             "/CN=Test CA"],
        ]
        self.serials = {"tsa": 0x10, "signer": 0x11, "revoked": 0x12,
                        "noaia": 0x13}
        for name, serial in self.serials.items():
            steps += [
                ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout",
                 "%s/%s.key" % (d, name), "-out", "%s/%s.csr" % (d, name),
                 "-subj", "/CN=Test %s" % name],
                ["openssl", "x509", "-req", "-in", "%s/%s.csr" % (d, name),
                 "-CA", self.ca, "-CAkey", self.ca_key, "-set_serial",
                 str(serial), "-out", "%s/%s.pem" % (d, name), "-days", "30",
                 "-extfile", ext, "-extensions", name],
            ]
        self.ok = all(run(s).code == 0 for s in steps)
        # The CA's database: V(alid) or R(evoked), expiry, revocation time,
        # serial, file, subject (the format of `openssl ca`).
        with open(d + "/index.txt", "w") as f:
            for name, serial in self.serials.items():
                state, when = ("R", "231114221320Z") if name == "revoked" else ("V", "")
                f.write("%s\t301231000000Z\t%s\t%02X\tunknown\t/CN=Test %s\n"
                        % (state, when, serial, name))
        self.crl = d + "/crl.pem"
        r = run(["openssl", "ca", "-gencrl", "-config", d + "/ca.cnf",
                 "-keyfile", self.ca_key, "-cert", self.ca, "-out", self.crl])
        self.ok = self.ok and r.code == 0
        self.config = {}
        for mode, digests in (("tsa", "sha256"), ("refuse", "sha384")):
            path = "%s/ts-%s.cnf" % (d, mode)
            with open(path, "w") as f:
                f.write(TS_CONFIG.format(dir=d, digests=digests))
            self.config[mode] = path

    def ocsp(self, query, out=None):
        """The CA's OCSP response to a DER request (openssl ocsp, one shot)."""
        q = "%s/ocsp-%d.req" % (self.dir, threading.get_ident())
        out = out or q + ".resp"
        with open(q, "wb") as f:
            f.write(query)
        r = run(["openssl", "ocsp", "-index", self.dir + "/index.txt", "-CA",
                 self.ca, "-rsigner", self.ca, "-rkey", self.ca_key,
                 "-reqin", q, "-respout", out, "-ndays", "1"])
        if r.code != 0:
            return None
        with open(out, "rb") as f:
            return f.read()

    def reply(self, mode, query):
        """openssl ts -reply's answer to a DER query, as the server sends it
        (one at a time: openssl ts -reply takes the next serial number from
        a file)."""
        with self.serial_lock:
            return self.reply_now(mode, query)

    serial_lock = threading.Lock()

    def reply_now(self, mode, query):
        d = self.dir
        q = "%s/query-%d.tsq" % (d, threading.get_ident())
        out = q + ".tsr"
        if mode == "other":  # a genuine token, for other data
            with open(q + ".data", "wb") as f:
                f.write(b"something else")
            run(["openssl", "ts", "-query", "-data", q + ".data", "-sha256",
                 "-cert", "-out", q])
        else:
            with open(q, "wb") as f:
                f.write(query)
        cfg = self.config["refuse" if mode == "refuse" else "tsa"]
        r = run(["openssl", "ts", "-reply", "-config", cfg, "-queryfile", q,
                 "-out", out])
        if r.code != 0:
            return None
        with open(out, "rb") as f:
            return f.read()


class Tsa(http.server.BaseHTTPRequestHandler):
    """The local TSA: the path picks the behaviour (see the module doc)."""

    pki = None
    requests = []
    times = []  # when each request came (time.monotonic)
    flaky = 0
    lock = threading.Lock()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        mode = self.path.strip("/")
        Tsa.requests.append((mode, self.headers.get("Content-Type"), body))
        Tsa.times.append(time.monotonic())
        if mode == "flaky":
            with Tsa.lock:
                busy = Tsa.flaky > 0
                Tsa.flaky -= busy
            if busy:
                self.send_response(503)
                self.end_headers()
                return
            mode = "tsa"
        if mode == "auth":
            want = "Basic " + base64.b64encode(b"alice:s3cret").decode()
            if self.headers.get("Authorization") != want:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="tsa"')
                self.end_headers()
                return
            mode = "tsa"
        if mode == "junk":
            reply = b"<html>not a TSA</html>"
        elif mode == "ocsp":
            reply = self.pki.ocsp(body)
        else:
            reply = self.pki.reply(mode, body)
        if reply is None:
            self.send_response(500)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/ocsp-response"
                         if mode == "ocsp" else "application/timestamp-reply")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


def serve():
    """Starts the local TSA and OCSP responder; returns its base URL (set
    Tsa.pki before the first request)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Tsa)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return "http://127.0.0.1:%d" % server.server_address[1]


def closed_port():
    """A local port nothing listens on."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def der_length(der, at=0):
    """The length of the DER element at der[at:] (tag, length, contents)."""
    n = der[at + 1]
    if n < 0x80:
        return 2 + n
    k = n & 0x7F
    return 2 + k + int.from_bytes(der[at + 2:at + 2 + k], "big")


def cms_of(pdf, which=-1):
    """The CMS (DER) of a signature, the last one by default."""
    with open(pdf, "rb") as f:
        data = f.read()
    ranges = list(re.finditer(
        rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data))
    a, b, c, d = map(int, ranges[which].groups())
    blob = bytes.fromhex(data[a + b + 1:c - 1].decode())
    return blob[:der_length(blob)]


def parse(tmp, der):
    """openssl asn1parse's lines of der: (offset, header length, length,
    rest of the line)."""
    path = os.path.join(tmp, "parse.der")
    with open(path, "wb") as f:
        f.write(der)
    out = []
    for line in run(["openssl", "asn1parse", "-inform", "DER", "-in",
                     path]).text.splitlines():
        m = re.match(r"\s*(\d+):d=\s*\d+\s+hl=\s*(\d+)\s+l=\s*(\d+)\s+(.*)", line)
        if m:
            out.append((int(m[1]), int(m[2]), int(m[3]), m[4]))
    return out


def timestamp_token(tmp, der):
    """The signature-time-stamp token (DER) in a CMS and the signature value
    it stamps, or (None, None)."""
    lines = parse(tmp, der)
    token = value = None
    for i, (off, hl, n, rest) in enumerate(lines):
        if "id-smime-aa-timeStampToken" in rest and i + 2 < len(lines):
            t_off, t_hl, t_n, _ = lines[i + 2]  # after the SET
            token = der[t_off:t_off + t_hl + t_n]
            # The SignerInfo's signature value: the last OCTET STRING before
            # the unsigned attributes.
            for off2, hl2, n2, rest2 in reversed(lines[:i]):
                if "OCTET STRING" in rest2 and n2 >= 64:
                    value = der[off2 + hl2:off2 + hl2 + n2]
                    break
            break
    return token, value


def fails_cleanly(name, r, out, code, words):
    """A failure: the exit code, a message with words, and no output."""
    check(name + ": exit %d" % code, r.code == code, "%d %s" % (r.code, r.err))
    check(name + ": message", all(w in r.err for w in words), r.err)
    check(name + ": no output file", not os.path.exists(out), out)


def pdfsig(pdf, nss):
    return run(["pdfsig", "-nssdir", nss, pdf])


def test_timestamp(tmp, pki, url, letter, nss):
    out = os.path.join(tmp, "bt.pdf")
    sign = ["sign", letter, "-o", out, "--key", pki.key, "--cert", pki.cert]
    Tsa.requests.clear()
    r = lp(*sign, "--tsa", url + "/tsa")
    check("B-T: sign --tsa exit 0", r.code == 0, r.err)
    v = pdfsig(out, nss).text
    check("B-T: pdfsig says valid", "Signature is Valid." in v, v)
    check("B-T: one request, as application/timestamp-query",
          len(Tsa.requests) == 1 and
          Tsa.requests[0][1] == "application/timestamp-query", Tsa.requests)
    if Tsa.requests:
        q = os.path.join(tmp, "sent.tsq")
        with open(q, "wb") as f:
            f.write(Tsa.requests[0][2])
        text = run(["openssl", "ts", "-query", "-in", q, "-text"]).text
        check("B-T: the request has a SHA-256 imprint, a nonce and certReq",
              "sha256" in text and re.search(r"Nonce: 0x[0-9A-F]+", text) and
              "Certificate required: yes" in text, text)
    der = cms_of(out)
    token, value = timestamp_token(tmp, der)
    check("B-T: the CMS has a signature-time-stamp attribute", token is not None)
    if token:
        tok = os.path.join(tmp, "token.der")
        with open(tok, "wb") as f:
            f.write(token)
        import hashlib
        digest = hashlib.sha256(value or b"").hexdigest()
        r = run(["openssl", "ts", "-verify", "-in", tok, "-token_in",
                 "-digest", digest, "-CAfile", pki.ca, "-untrusted",
                 pki.dir + "/tsa.pem"])
        check("B-T: openssl ts -verify: the token stamps the signature value",
              r.code == 0 and "Verification: OK" in r.text, r.text + r.err)
    # The signature is still B-B underneath: the signed part is unchanged.
    with open(out, "rb") as f:
        signed = f.read()
    broken = os.path.join(tmp, "bt-broken.pdf")
    at = signed.find(b"/Title")
    with open(broken, "wb") as f:
        f.write(signed[:at + 3] + bytes([signed[at + 3] ^ 1]) + signed[at + 4:])
    v = pdfsig(broken, nss).text
    check("B-T: a flipped byte breaks it", "Signature is Valid." not in v, v)

    # render --sign-key ... --tsa in one step.
    one = os.path.join(tmp, "bt-render.pdf")
    r = lp("render", os.path.join(TEMPLATES, "commitment-letter.md"), "-d",
           os.path.join(TEMPLATES, "commitment-letter.json"), "-o", one,
           "--sign-key", pki.key, "--sign-cert", pki.cert, "--tsa", url + "/tsa")
    ok = r.code == 0 and timestamp_token(tmp, cms_of(one))[0] is not None
    check("B-T: render --sign-key --tsa", ok and
          "Signature is Valid." in pdfsig(one, nss).text, r.err)

    # HTTP basic authentication.
    authed = os.path.join(tmp, "bt-auth.pdf")
    r = lp("sign", letter, "-o", authed, "--key", pki.key, "--cert", pki.cert,
           "--tsa", url + "/auth", "--tsa-user", "alice", "--tsa-pass",
           "env:LP_TEST_TSA_PASS", env={"LP_TEST_TSA_PASS": "s3cret"})
    check("B-T: --tsa-user and --tsa-pass", r.code == 0, r.err)
    bad = os.path.join(tmp, "bt-noauth.pdf")
    r = lp("sign", letter, "-o", bad, "--key", pki.key, "--cert", pki.cert,
           "--tsa", url + "/auth")
    fails_cleanly("B-T: a TSA that wants a password", r, bad, 1, ["HTTP 401"])
    r = lp("sign", letter, "-o", bad, "--key", pki.key, "--cert", pki.cert,
           "--tsa-user", "alice")
    fails_cleanly("B-T: --tsa-user without --tsa", r, bad, 2, ["--tsa"])


def test_tsa_failures(tmp, pki, url, letter):
    out = os.path.join(tmp, "bt-fail.pdf")
    sign = ["sign", letter, "-o", out, "--key", pki.key, "--cert", pki.cert]
    r = lp(*sign, "--tsa", url + "/refuse")
    fails_cleanly("B-T: a TSA that says rejection", r, out, 1,
                  ["refused", "rejection"])
    r = lp(*sign, "--tsa", url + "/other")
    fails_cleanly("B-T: a token for another imprint", r, out, 1,
                  ["imprint"])
    r = lp(*sign, "--tsa", url + "/junk")
    fails_cleanly("B-T: a reply that is not a time-stamp reply", r, out, 1,
                  ["not a time-stamp reply"])
    r = lp(*sign, "--tsa", "http://127.0.0.1:%d/tsa" % closed_port())
    fails_cleanly("B-T: an unreachable TSA", r, out, 1, ["cannot reach"])
    r = lp("render", os.path.join(TEMPLATES, "commitment-letter.md"), "-d",
           os.path.join(TEMPLATES, "commitment-letter.json"), "-o", out,
           "--sign-key", pki.key, "--sign-cert", pki.cert, "--tsa",
           url + "/refuse")
    fails_cleanly("B-T: render --tsa, refused", r, out, 1, ["refused"])


def objects(pdf):
    """qpdf's JSON of a PDF's objects (latest versions), and the catalog's
    object key."""
    import json
    r = run(["qpdf", "--json=2", "--json-key=qpdf", "--json-stream-data=none",
             pdf])
    if r.code != 0:
        return {}, None
    doc = json.loads(r.text)["qpdf"][1]
    root = doc["trailer"]["value"]["/Root"]
    return doc, "obj:" + root


def dss_of(pdf):
    """The catalog's /DSS as {key: value} with references followed one level
    (arrays of references stay lists of object keys)."""
    doc, root = objects(pdf)
    if not root or root not in doc:
        return None, doc
    ref = doc[root]["value"].get("/DSS")
    if not ref:
        return None, doc
    dss = doc.get("obj:" + ref, {}).get("value") if isinstance(ref, str) else ref
    return dss, doc


def contents_of(pdf, which=-1):
    """The raw /Contents bytes (with their padding) of a signature."""
    with open(pdf, "rb") as f:
        data = f.read()
    ranges = list(re.finditer(
        rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data))
    a, b, c, d = map(int, ranges[which].groups())
    return bytes.fromhex(data[a + b + 1:c - 1].decode())


def test_ltv(tmp, pki, url, letter, nss):
    import hashlib
    out = os.path.join(tmp, "blt.pdf")
    chain = ["--key", pki.key, "--cert", pki.cert, "--chain", pki.ca]
    Tsa.requests.clear()
    r = lp("sign", letter, "-o", out, *chain, "--tsa", url + "/tsa", "--ltv")
    check("B-LT: sign --tsa --ltv exit 0", r.code == 0, r.err)
    modes = [m for m, _, _ in Tsa.requests]
    check("B-LT: asked the TSA once and the OCSP responder for the signer "
          "and the TSA", modes.count("tsa") == 1 and modes.count("ocsp") == 2,
          modes)
    check("B-LT: OCSP requests as application/ocsp-request",
          all(t == "application/ocsp-request" for m, t, _ in Tsa.requests
              if m == "ocsp"), Tsa.requests)
    v = pdfsig(out, nss).text
    check("B-LT: pdfsig still says valid", "Signature is Valid." in v, v)
    r = run(["qpdf", "--check", out])
    check("B-LT: qpdf --check", r.code == 0, r.text + r.err)
    with open(letter, "rb") as f:
        original = f.read()
    with open(out, "rb") as f:
        data = f.read()
    check("B-LT: two updates after the original (signature, then DSS)",
          data.startswith(original) and data.count(b"startxref") ==
          original.count(b"startxref") + 2)
    dss, doc = dss_of(out)
    check("B-LT: the catalog has a /DSS", dss is not None, dss)
    dss = dss or {}
    certs = dss.get("/Certs", [])
    ocsps = dss.get("/OCSPs", [])
    check("B-LT: /DSS /Certs: signer, CA and TSA", len(certs) == 3, certs)
    check("B-LT: /DSS /OCSPs: the signer's and the TSA's", len(ocsps) == 2,
          ocsps)
    key = "/" + hashlib.sha1(contents_of(out)).hexdigest().upper()
    vri = dss.get("/VRI", {})
    if isinstance(vri, str):
        vri = doc.get("obj:" + vri, {}).get("value", {})
    entry = vri.get(key, {})
    check("B-LT: /VRI keyed by the SHA-1 of the signature's /Contents",
          sorted(entry.get("/Cert", [])) == sorted(certs) and
          sorted(entry.get("/OCSP", [])) == sorted(ocsps), (key, vri))
    # The OCSP responses are real ones: openssl reads them, status good.
    good = 0
    for i, ref in enumerate(ocsps):
        raw = run(["qpdf", "--show-object=" + ref.split()[0], "--raw-stream-data",
                   out]).out
        path = os.path.join(tmp, "dss-ocsp-%d.der" % i)
        with open(path, "wb") as f:
            f.write(raw)
        t = run(["openssl", "ocsp", "-respin", path, "-resp_text", "-noverify"]).text
        good += "Cert Status: good" in t and "successful" in t
    check("B-LT: the DSS's OCSP responses say good", good == 2, good)

    # A second signature keeps the first's VRI entry and adds its own.
    out2 = os.path.join(tmp, "blt2.pdf")
    r = lp("sign", out, "-o", out2, *chain, "--ltv", "--field", "签名_2")
    dss2, doc2 = dss_of(out2)
    vri2 = (dss2 or {}).get("/VRI", {})
    key2 = "/" + hashlib.sha1(contents_of(out2)).hexdigest().upper()
    check("B-LT: a second signature's DSS keeps the first's entries",
          r.code == 0 and key in vri2 and key2 in vri2 and
          set(certs) <= set(dss2.get("/Certs", [])), (r.err, vri2))
    check("B-LT: certificates already in the DSS are not added again",
          len((dss2 or {}).get("/Certs", [])) == 3, dss2)
    v = pdfsig(out2, nss).text
    check("B-LT: both signatures still valid",
          v.count("Signature is Valid.") == 2, v)

    # Offline: --ocsp FILE (no request), --crl FILE.
    req = os.path.join(tmp, "signer.ocspreq")
    resp = os.path.join(tmp, "signer.ocsp")
    run(["openssl", "ocsp", "-issuer", pki.ca, "-cert", pki.cert, "-reqout", req,
         "-no_nonce"])
    with open(req, "rb") as f:
        pki.ocsp(f.read(), resp)
    Tsa.requests.clear()
    off = os.path.join(tmp, "blt-offline.pdf")
    r = lp("sign", letter, "-o", off, *chain, "--ltv", "--ocsp", resp)
    dss3, _ = dss_of(off)
    check("B-LT: --ocsp FILE, nothing asked over the network",
          r.code == 0 and not Tsa.requests and
          len((dss3 or {}).get("/OCSPs", [])) == 1, (r.err, Tsa.requests))
    noaia = ["--key", pki.dir + "/noaia.key", "--cert", pki.dir + "/noaia.pem",
             "--chain", pki.ca]
    r = lp("sign", letter, "-o", off, *noaia, "--ltv", "--crl", pki.crl)
    dss4, _ = dss_of(off)
    check("B-LT: --crl FILE for a certificate without an OCSP responder",
          r.code == 0 and len((dss4 or {}).get("/CRLs", [])) == 1 and
          not (dss4 or {}).get("/OCSPs"), (r.err, dss4))
    os.remove(off)
    r = lp("sign", letter, "-o", off, *noaia, "--ltv")
    fails_cleanly("B-LT: no revocation data", r, off, 1,
                  ["no revocation data", "Test noaia", "--crl"])
    revoked = ["--key", pki.dir + "/revoked.key", "--cert",
               pki.dir + "/revoked.pem", "--chain", pki.ca]
    r = lp("sign", letter, "-o", off, *revoked, "--ltv")
    fails_cleanly("B-LT: a revoked signer (OCSP)", r, off, 1,
                  ["revoked", "Test revoked"])
    r = lp("sign", letter, "-o", off, *chain, "--ltv", "--crl", pki.crl)
    check("B-LT: a CRL that does not list the signer is fine", r.code == 0,
          r.err)
    os.remove(off)
    r = lp("sign", letter, "-o", off, "--key", pki.key, "--cert", pki.cert,
           "--ltv")
    fails_cleanly("B-LT: a chain without the issuer", r, off, 1,
                  ["issuer", "--chain"])
    r = lp("sign", letter, "-o", off, *chain, "--ocsp", resp)
    fails_cleanly("B-LT: --ocsp without --ltv", r, off, 2, ["--ltv"])
    r = lp("render", os.path.join(TEMPLATES, "commitment-letter.md"), "-d",
           os.path.join(TEMPLATES, "commitment-letter.json"), "-o", off,
           "--sign-key", pki.key, "--sign-cert", pki.cert, "--sign-chain",
           pki.ca, "--ltv", "--ocsp", resp)
    dss5, _ = dss_of(off)
    check("B-LT: render --sign-key ... --ltv", r.code == 0 and
          len((dss5 or {}).get("/OCSPs", [])) == 1 and
          "Signature is Valid." in pdfsig(off, nss).text, r.err)


def signed_bytes(pdf, which=-1):
    """The bytes a signature's /ByteRange covers."""
    with open(pdf, "rb") as f:
        data = f.read()
    ranges = list(re.finditer(
        rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data))
    a, b, c, d = map(int, ranges[which].groups())
    return data[a:a + b] + data[c:c + d]


def test_lta(tmp, pki, url, nss):
    import hashlib
    blt = os.path.join(tmp, "blt.pdf")  # signed --tsa --ltv by test_ltv
    lta = os.path.join(tmp, "lta.pdf")
    r = lp("timestamp", blt, "-o", lta, "--tsa", url + "/tsa")
    check("B-LTA: timestamp exit 0", r.code == 0, r.err)
    with open(blt, "rb") as f:
        before = f.read()
    with open(lta, "rb") as f:
        after = f.read()
    check("B-LTA: an incremental update after the DSS",
          after.startswith(before) and b"/Type /DocTimeStamp" in after[len(before):] and
          b"/SubFilter /ETSI.RFC3161" in after[len(before):])
    # poppler 22.12 lists a document time-stamp but cannot verify one
    # ("Unable to validate this type of signature"): openssl does, below.
    v = pdfsig(lta, nss).text
    check("B-LTA: pdfsig: the signature stays valid, the time-stamp field "
          "covers the whole file",
          v.count("Signature is Valid.") == 1 and "DocTimeStamp" in v and
          v.rstrip().endswith("Signature has not yet been verified.") and
          v.count("Total document signed") == 1, v)
    r = run(["qpdf", "--check", lta])
    check("B-LTA: qpdf --check", r.code == 0, r.text + r.err)
    tok = os.path.join(tmp, "doc-token.der")
    with open(tok, "wb") as f:
        f.write(cms_of(lta))
    data = os.path.join(tmp, "doc-data.bin")
    with open(data, "wb") as f:
        f.write(signed_bytes(lta))
    r = run(["openssl", "ts", "-verify", "-data", data, "-in", tok, "-token_in",
             "-CAfile", pki.ca, "-untrusted", pki.dir + "/tsa.pem"])
    check("B-LTA: openssl ts -verify: the token covers the byte ranges",
          "Verification: OK" in r.text, r.text + r.err)
    check("B-LTA: the byte ranges cover the whole file but the token",
          len(signed_bytes(lta)) + 2 + 2 * len(contents_of(lta)) == len(after))
    # Running it again with --ltv: the DSS gets the first time-stamp's
    # validation data (VRI keyed by its hash), then a second time-stamp.
    again = os.path.join(tmp, "lta2.pdf")
    r = lp("timestamp", lta, "-o", again, "--tsa", url + "/tsa", "--ltv")
    check("B-LTA: timestamp --ltv again exit 0", r.code == 0, r.err)
    dss, _ = dss_of(again)
    key = "/" + hashlib.sha1(contents_of(lta)).hexdigest().upper()
    check("B-LTA: the DSS has a VRI entry for the first time-stamp",
          key in (dss or {}).get("/VRI", {}), dss)
    v = pdfsig(again, nss).text
    check("B-LTA: the signature still valid after re-preserving",
          v.count("Signature is Valid.") == 1 and v.count("DocTimeStamp") == 2, v)
    ok = 0
    for which in (-1, -2):
        with open(tok, "wb") as f:
            f.write(cms_of(again, which))
        with open(data, "wb") as f:
            f.write(signed_bytes(again, which))
        r = run(["openssl", "ts", "-verify", "-data", data, "-in", tok,
                 "-token_in", "-CAfile", pki.ca, "-untrusted",
                 pki.dir + "/tsa.pem"])
        ok += "Verification: OK" in r.text
    check("B-LTA: both document time-stamps verify (openssl ts -verify)",
          ok == 2, ok)
    out = os.path.join(tmp, "lta-fail.pdf")
    r = lp("timestamp", blt, "-o", out, "--tsa", url + "/refuse")
    fails_cleanly("B-LTA: a refusing TSA", r, out, 1, ["refused"])
    r = lp("timestamp", blt, "-o", out)
    fails_cleanly("B-LTA: timestamp without --tsa", r, out, 2, ["--tsa"])
    r = lp("timestamp", blt, "-o", out, "--tsa",
           "http://127.0.0.1:%d/" % closed_port())
    fails_cleanly("B-LTA: an unreachable TSA", r, out, 1, ["cannot reach"])


def merge_data(tmp, n):
    """A JSON array of n commitment-letter records (contract_no HD-000...)."""
    import json
    with open(os.path.join(TEMPLATES, "commitment-letter.json"),
              encoding="utf-8") as f:
        base = json.load(f)
    records = [dict(base, contract_no="HD-%03d" % i) for i in range(n)]
    path = os.path.join(tmp, "merge-%d.json" % n)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(records, f, ensure_ascii=False)
    return path


def test_merge(tmp, pki, url, nss):
    """merge --sign-key ... --tsa: every letter signed and time-stamped,
    one request per letter; retries, the rate, failures per record."""
    data = merge_data(tmp, 20)
    tpl = os.path.join(TEMPLATES, "commitment-letter.md")
    sign = ["--sign-key", pki.key, "--sign-cert", pki.cert]
    out = os.path.join(tmp, "merged")
    Tsa.requests.clear()
    r = lp("merge", tpl, "-d", data, "-o", out + "/{{contract_no}}.pdf",
           "-j", "2", *sign, "--tsa", url + "/tsa")
    check("merge --sign-key --tsa: exit 0", r.code == 0, r.err)
    files = sorted(os.listdir(out)) if os.path.isdir(out) else []
    check("merge --sign-key: 20 letters", len(files) == 20, files)
    valid = [f for f in files if "Signature is Valid." in
             pdfsig(os.path.join(out, f), nss).text]
    check("merge --sign-key: pdfsig valid on each", len(valid) == 20,
          set(files) - set(valid))
    stamped = [f for f in files
               if timestamp_token(tmp, cms_of(os.path.join(out, f)))[0]]
    check("merge --tsa: a time-stamp in each (B-T)", len(stamped) == 20,
          set(files) - set(stamped))
    check("merge --tsa: one request per letter", len(Tsa.requests) == 20,
          len(Tsa.requests))

    # --shard: each shard signs its own letters.
    out_s = os.path.join(tmp, "merged-shard")
    r = lp("merge", tpl, "-d", merge_data(tmp, 3), "-o",
           out_s + "/{{contract_no}}.pdf", "--shard", "2/2", *sign)
    shard = sorted(os.listdir(out_s)) if os.path.isdir(out_s) else []
    check("merge --shard 2/2 --sign-key: its letter signed", r.code == 0 and
          shard == ["HD-001.pdf"] and "Signature is Valid." in
          pdfsig(os.path.join(out_s, shard[0]), nss).text, r.err + str(shard))

    # --combined: one document, one signature (its first field).
    combined = os.path.join(tmp, "merged-all.pdf")
    r = lp("merge", tpl, "-d", merge_data(tmp, 3), "--combined", combined,
           *sign)
    v = pdfsig(combined, nss).text if r.code == 0 else ""
    check("merge --combined --sign-key: one valid signature",
          v.count("Signature is Valid.") == 1 and
          "The signature form field is not signed." in v, r.err + v)

    # A TSA that answers 503 once: retried (as --smtp retries a 4xx).
    Tsa.flaky = 1
    Tsa.requests.clear()
    out2 = os.path.join(tmp, "merged-flaky")
    r = lp("merge", tpl, "-d", merge_data(tmp, 2), "-o",
           out2 + "/{{contract_no}}.pdf", "-j", "1", *sign, "--tsa",
           url + "/flaky")
    check("merge --tsa: a 503 is asked again", r.code == 0 and
          len(Tsa.requests) == 3 and len(os.listdir(out2)) == 2,
          r.err + str(len(Tsa.requests)))
    Tsa.flaky = 5
    out2b = os.path.join(tmp, "merged-flaky-0")
    r = lp("merge", tpl, "-d", merge_data(tmp, 2), "-o",
           out2b + "/{{contract_no}}.pdf", *sign, "--tsa", url + "/flaky",
           "--tsa-retries", "0")
    check("merge --tsa-retries 0: the 503 fails the record",
          r.code != 0 and "HTTP 503" in r.err and not os.path.exists(out2b),
          r.err)
    Tsa.flaky = 0

    # --tsa-rate 2/s over 2 workers: each request takes the next 0.5 s
    # slot, so the i-th comes no sooner than i * 0.5 s after the first
    # (give or take the HTTP exchange on a busy machine: up to 0.3 s seen);
    # unpaced, the four come in well under a second.
    Tsa.times.clear()
    out3 = os.path.join(tmp, "merged-rate")
    r = lp("merge", tpl, "-d", merge_data(tmp, 4), "-o",
           out3 + "/{{contract_no}}.pdf", "-j", "2", *sign, "--tsa",
           url + "/tsa", "--tsa-rate", "2/s")
    late = [t - Tsa.times[0] - i * 0.5 for i, t in enumerate(Tsa.times)]
    check("merge --tsa-rate 2/s: requests paced across workers",
          r.code == 0 and len(late) == 4 and min(late) > -0.3 and
          Tsa.times[-1] - Tsa.times[0] > 1.2, late)

    # A refusing TSA fails each record, located, nothing written for it.
    out4 = os.path.join(tmp, "merged-refused")
    r = lp("merge", tpl, "-d", merge_data(tmp, 3), "-o",
           out4 + "/{{contract_no}}.pdf", "-k", *sign, "--tsa",
           url + "/refuse")
    check("merge --tsa refused: each record fails clearly",
          r.code == 2 and r.err.count("refused the request") == 3 and
          "record 1 " in r.err and not os.path.exists(out4),
          "%d %s %s" % (r.code, r.err, os.path.exists(out4)))
    # An unreachable TSA: retried, then the rest is not asked (no 7 s
    # wait per letter).
    out5 = os.path.join(tmp, "merged-unreachable")
    t0 = time.monotonic()
    r = lp("merge", tpl, "-d", merge_data(tmp, 3), "-o",
           out5 + "/{{contract_no}}.pdf", "-k", *sign, "--tsa",
           "http://127.0.0.1:%d/tsa" % closed_port())
    took = time.monotonic() - t0
    check("merge --tsa unreachable: retried once per merge, then not asked",
          r.code == 2 and "4 attempts" in r.err and "was not asked" in r.err
          and took < 12 and not os.path.exists(out5), "%.1f s %s" % (took, r.err))
    # A wrong passphrase: the key is read once, before anything is written.
    out6 = os.path.join(tmp, "merged-nokey")
    r = lp("merge", tpl, "-d", data, "-o", out6 + "/{{contract_no}}.pdf",
           "--sign-key", pki.dir + "/missing.key")
    check("merge --sign-key missing: fails before any letter",
          r.code == 2 and "missing.key" in r.err and not os.path.exists(out6),
          r.err)
    r = lp("merge", tpl, "-d", data, "-o", out6 + "/x.pdf", "--tsa", url)
    check("merge --tsa without --sign-key: usage error", r.code == 2 and
          "--sign-key" in r.err, r.err)


def main():
    tmp = tempfile.mkdtemp(prefix="lp-pades-")
    url = serve()
    pki = Tsa.pki = Pki(tmp, url)
    check("pades: a test CA, signer and TSA", pki.ok)
    nss = "sql:" + os.path.join(tmp, "nss")
    os.makedirs(nss[4:])
    run(["certutil", "-N", "-d", nss, "--empty-password"])
    letter = os.path.join(tmp, "letter.pdf")
    r = lp("render", os.path.join(TEMPLATES, "commitment-letter.md"), "-d",
           os.path.join(TEMPLATES, "commitment-letter.json"), "-o", letter)
    check("pades: render", r.code == 0, r.err)
    test_timestamp(tmp, pki, url, letter, nss)
    test_tsa_failures(tmp, pki, url, letter)
    test_ltv(tmp, pki, url, letter, nss)
    test_lta(tmp, pki, url, nss)
    test_merge(tmp, pki, url, nss)
    e2e.finish()


if __name__ == "__main__":
    main()
