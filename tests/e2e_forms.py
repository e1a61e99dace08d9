#!/usr/bin/env python3
"""End-to-end tests of form fields and signing.

Renders templates with blanks, checkboxes and signature fields and checks
them with qpdf (--json acroform), poppler's pdfsig (which also signs, as a
third-party signer, with a throwaway NSS database) and mupdf; then signs
with `letterpress sign` and checks the signatures with pdfsig.

Uses the harness of tests/e2e.py; prints "N passed, N failed" last.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check, lp, run  # noqa: E402

TEMPLATES = e2e.TEMPLATES
CASES = e2e.CASES


def acroform(pdf):
    """The fields qpdf sees: a list of (type, full name, value, page)."""
    r = run(["qpdf", "--json", "--json-key=acroform", pdf])
    if r.code != 0:
        return None
    form = json.loads(r.text)["acroform"]
    return [(f["fieldtype"], f["fullname"], f.get("value"), f["pageposfrom1"])
            for f in form["fields"]]


class Signer:
    """A throwaway certificate, key and NSS database."""

    def __init__(self, tmp, cn="Test Signer"):
        self.dir = os.path.join(tmp, "pki-" + cn.replace(" ", "_"))
        os.makedirs(self.dir)
        self.key = os.path.join(self.dir, "key.pem")
        self.cert = os.path.join(self.dir, "cert.pem")
        self.p12 = os.path.join(self.dir, "id.p12")
        self.nss = "sql:" + os.path.join(self.dir, "nss")
        os.makedirs(self.nss[4:])
        ok = [
            run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                 "-keyout", self.key, "-out", self.cert, "-days", "30",
                 "-subj", "/CN=" + cn]),
            run(["openssl", "pkcs12", "-export", "-inkey", self.key, "-in",
                 self.cert, "-out", self.p12, "-passout", "pass:", "-name",
                 "signer"]),
            run(["certutil", "-N", "-d", self.nss, "--empty-password"]),
            run(["pk12util", "-i", self.p12, "-d", self.nss, "-W", ""]),
        ]
        self.ok = all(r.code == 0 for r in ok)


def pdfsig(pdf, nss):
    return run(["pdfsig", "-nssdir", nss, pdf])


def test_fields(tmp):
    pdf = os.path.join(tmp, "letter.pdf")
    r = lp("render", os.path.join(TEMPLATES, "commitment-letter.md"), "-d",
           os.path.join(TEMPLATES, "commitment-letter.json"), "-o", pdf)
    check("forms: render", r.code == 0, r.err)
    fields = acroform(pdf) or []
    kinds = [f[0] for f in fields]
    names = [f[1] for f in fields]
    check("forms: text fields on blanks", kinds.count("/Tx") >= 5, kinds)
    check("forms: checkboxes on boxes", kinds.count("/Btn") >= 6, kinds)
    check("forms: a signature field per letter", kinds.count("/Sig") == 2,
          kinds)
    check("forms: names are unique", len(set(names)) == len(names), names)
    check("forms: a signature field named after its label",
          ("/Sig", "签名") in [(f[0], f[1]) for f in fields], fields)
    check("forms: a checkbox named after its label",
          ("/Btn", "企业", "/Off") in [f[:3] for f in fields], fields)
    check("forms: a checked box is on",
          any(f[0] == "/Btn" and f[2] == "/Yes" for f in fields), fields)
    check("forms: the signature field sits on page 3 (the end of letter 1)",
          any(f[0] == "/Sig" and f[3] == 3 for f in fields), fields)
    # `fields` lists the names the PDF holds, in the same order.
    r = lp("fields", os.path.join(TEMPLATES, "commitment-letter.md"))
    listed = [f["name"] for f in json.loads(r.text)["fields"]] if r.code == 0 else []
    check("fields: names are unique, as in the PDF (签名 and 签名_2)",
          "签名" in listed and "签名_2" in listed and
          len(set(listed)) == len(listed), listed)
    blanks_pdf = os.path.join(tmp, "blanks.pdf")
    r = lp("render", os.path.join(TEMPLATES, "commitment-letter.md"), "--blanks",
           "-o", blanks_pdf)
    check("fields: the same names as the rendered --blanks PDF, in order",
          r.code == 0 and [f[1] for f in (acroform(blanks_pdf) or [])] == listed,
          (listed, acroform(blanks_pdf)))
    r = run(["qpdf", "--check", pdf])
    check("forms: qpdf --check", r.code == 0, r.text + r.err)
    r = run(["mutool", "draw", "-q", "-N", "-o", os.devnull, pdf])
    check("forms: mupdf renders without warnings", r.code == 0 and not r.err,
          r.err)
    # The page shows an empty box; the check mark is the field's appearance.
    shown = run(["pdftoppm", "-r", "40", "-gray", "-f", "4", "-l", "4", pdf])
    hidden = run(["pdftoppm", "-r", "40", "-gray", "-f", "4", "-l", "4",
                  "-hide-annotations", pdf])
    check("forms: the check mark is drawn by the field",
          shown.code == 0 and hidden.code == 0 and shown.out != hidden.out)
    return pdf


def test_explicit_and_blanks(tmp):
    md = os.path.join(tmp, "explicit.md")
    with open(md, "w", encoding="utf-8") as f:
        f.write("# Agreement\n\nBuyer: [[signature]]\n\n"
                "Name: {{buyer.name}}\n\n- [ ] first option\n- [x] second\n")
    pdf = os.path.join(tmp, "explicit.pdf")
    r = lp("render", md, "--blanks", "-o", pdf)
    check("forms: --blanks render", r.code == 0, r.err)
    fields = acroform(pdf) or []
    check("forms: [[signature]] is a signature field",
          ("/Sig", "Buyer") in [f[:2] for f in fields], fields)
    check("forms: a missing placeholder's blank is named after it",
          ("/Tx", "buyer_name") in [f[:2] for f in fields], fields)
    check("forms: task list items are checkboxes",
          ("/Btn", "first", "/Off") in [f[:3] for f in fields] and
          ("/Btn", "second", "/Yes") in [f[:3] for f in fields], fields)
    text = run(["pdftotext", pdf, "-"]).text
    check("forms: the syntax itself is not printed", "[[" not in text, text)
    # Which labels make signature fields: dates are not signatures.
    md = os.path.join(tmp, "labels.md")
    labels = {"签名日期": "/Tx", "Date signed": "/Tx", "客户签字": "/Sig",
              "承诺单位（盖章）": "/Sig", "Signed": "/Sig",
              "Signature of the buyer": "/Sig", "Customer signature": "/Sig"}
    with open(md, "w", encoding="utf-8") as f:
        f.write("# T\n\n" + "".join("%s：____\n\n" % k for k in labels))
    pdf = os.path.join(tmp, "labels.pdf")
    r = lp("render", md, "-o", pdf)
    got = {f[1]: f[0] for f in acroform(pdf) or []}
    check("forms: signature labels", got == labels, got)
    # A long label is judged, and named, by its end: the words next to the
    # blank.
    md = os.path.join(tmp, "long-label.md")
    with open(md, "w", encoding="utf-8") as f:
        f.write("# T\n\n本单位已阅读并同意上述全部条款，现由经授权的客户代表签字：____\n")
    pdf = os.path.join(tmp, "long-label.pdf")
    r = lp("render", md, "-o", pdf)
    fields = acroform(pdf) or []
    check("forms: a long label ending in 签字 makes a signature field",
          len(fields) == 1 and fields[0][0] == "/Sig" and
          fields[0][1].endswith("客户代表签字"), fields)
    # Markdown decides what is code: a lazy continuation line keeps its
    # blank; a code span and a fenced block show underscores as typed.
    md = os.path.join(tmp, "code.md")
    with open(md, "w", encoding="utf-8") as f:
        f.write("Name: ____\n    Phone: ____\n\nUse `a___b` or:\n\n"
                "```\nx = ____ [[signature]]\n```\n")
    pdf = os.path.join(tmp, "code.pdf")
    r = lp("render", md, "-o", pdf)
    fields = acroform(pdf) or []
    check("forms: a lazy continuation line keeps its blank",
          [f[:2] for f in fields] == [("/Tx", "Name"), ("/Tx", "Phone")], fields)
    text = run(["pdftotext", pdf, "-"]).text
    check("forms: code shows underscores as typed",
          "a___b" in text and "x = ____ [[signature]]" in text, text)


def test_third_party_signer(tmp, pdf, signer):
    r = pdfsig(pdf, signer.nss)
    check("forms: pdfsig lists the unsigned fields",
          "not signed" in r.text, r.text + r.err)
    out = os.path.join(tmp, "poppler-signed.pdf")
    r = run(["pdfsig", "-nssdir", signer.nss, "-nick", "signer", "-sign",
             "签名", pdf, out])
    check("forms: poppler signs our field", r.code == 0 and
          os.path.exists(out), r.text + r.err)
    r = pdfsig(out, signer.nss)
    check("forms: poppler's signature is valid",
          "Signature is Valid." in r.text, r.text + r.err)


def sigs(pdf, nss):
    """pdfsig's verdict per signature field: name -> validation line."""
    r = pdfsig(pdf, nss)
    out, name = {}, None
    for line in r.text.splitlines():
        line = line.strip()
        if line.startswith("- Signature Field Name:"):
            name = line.split(":", 1)[1].strip()
            out[name] = "unsigned"
        elif line.startswith("- Signature Validation:") and name:
            out[name] = line.split(":", 1)[1].strip()
    return out


def fails_cleanly(name, r, out, code, words):
    """A failure: the exit code, a message with words, and no output."""
    check(name + ": exit %d" % code, r.code == code, "%d %s" % (r.code, r.err))
    check(name + ": message", all(w in r.err for w in words), r.err)
    check(name + ": no output file", not os.path.exists(out), out)


def der_length(der):
    """The length of the DER element at the start of der (tag, length,
    contents)."""
    n = der[1]
    if n < 0x80:
        return 2 + n
    k = n & 0x7F
    return 2 + k + int.from_bytes(der[2:2 + k], "big")


def cms_of(pdf, which=-1):
    """The CMS of a signature (the last one by default) and the bytes it
    signs (its /ByteRange)."""
    import re
    with open(pdf, "rb") as f:
        data = f.read()
    ranges = list(re.finditer(
        rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data))
    a, b, c, d = map(int, ranges[which].groups())
    blob = bytes.fromhex(data[a + b + 1:c - 1].decode())
    return blob[:der_length(blob)], data[a:a + b] + data[c:c + d]


def cms_print(tmp, der):
    """openssl's dump of a CMS (attribute names and all)."""
    path = os.path.join(tmp, "cms.der")
    with open(path, "wb") as f:
        f.write(der)
    return run(["openssl", "cms", "-inform", "DER", "-in", path, "-cmsout",
                "-print"]).text


def cms_verify(tmp, der, content):
    """Whether openssl verifies the CMS over content (the signature and the
    signed attributes; not the certificate's trust)."""
    path = os.path.join(tmp, "cms.der")
    body = os.path.join(tmp, "cms.content")
    with open(path, "wb") as f:
        f.write(der)
    with open(body, "wb") as f:
        f.write(content)
    return run(["openssl", "cms", "-verify", "-inform", "DER", "-in", path,
                "-binary", "-content", body, "-noverify", "-out",
                os.devnull]).code == 0


def test_sign(tmp, pdf, signer):
    nss = signer.nss
    out = os.path.join(tmp, "signed.pdf")
    r = lp("sign", pdf, "-o", out, "--key", signer.key, "--cert", signer.cert,
           "--reason", "同意", "--location", "上海")
    check("sign: exit 0", r.code == 0, r.err)
    v = sigs(out, nss)
    check("sign: pdfsig says valid", v.get("签名") == "Signature is Valid.", v)
    check("sign: the other field stays unsigned", v.get("签名_2") == "unsigned", v)
    r = run(["qpdf", "--check", out])
    check("sign: qpdf --check", r.code == 0, r.text + r.err)
    r = run(["pdfsig", "-nssdir", nss, out])
    check("sign: PAdES subfilter", "ETSI.CAdES.detached" in r.text, r.text)
    check("sign: SHA-256", "SHA-256" in r.text, r.text)
    with open(pdf, "rb") as f:
        original = f.read()
    with open(out, "rb") as f:
        signed = f.read()
    check("sign: an incremental update (the original bytes come first)",
          signed.startswith(original) and b"/Prev" in signed[len(original):])
    r = run(["mutool", "draw", "-q", "-N", "-o", os.devnull, out])
    check("sign: mupdf renders without warnings", not r.err, r.err)
    # PAdES baseline (ETSI EN 319 142-1 6.3): no CMS signingTime attribute;
    # the signing time is /M, which pdfsig shows as "Signing Time" and which
    # follows SOURCE_DATE_EPOCH.
    fixed = os.path.join(tmp, "signed-epoch.pdf")
    r = lp("sign", pdf, "-o", fixed, "--key", signer.key, "--cert", signer.cert,
           env={"SOURCE_DATE_EPOCH": "1700000000"})
    r2 = run(["pdfsig", "-nssdir", nss, fixed], env={"TZ": "UTC"})
    check("sign: SOURCE_DATE_EPOCH sets the signing time (/M, shown by pdfsig)",
          r.code == 0 and "Signing Time: Nov 14 2023 22:13:20" in r2.text, r2.text)
    with open(fixed, "rb") as f:
        check("sign: /M follows SOURCE_DATE_EPOCH",
              b"/M (D:20231114221320+00'00')" in f.read())
    der, content = cms_of(fixed)
    attrs = cms_print(tmp, der)
    check("sign: no CMS signingTime attribute (PAdES)",
          "signingTime" not in attrs and "messageDigest" in attrs, attrs)
    check("sign: content-type and signing-certificate-v2 are signed",
          "contentType" in attrs and "signingCertificateV2" in attrs, attrs)
    check("sign: openssl cms -verify accepts the signature",
          cms_verify(tmp, der, content), der[:16])

    # The appearance's words follow the letter's language (its /Lang):
    # 签署人 / 日期 / 原因 in this Chinese letter, "Signed" in English.
    def appearance(path):
        import re
        with open(path, "rb") as f:
            data = f.read()[len(original):]
        m = re.search(rb"/Subtype /Form /BBox \[[^\]]*\] /Resources << >> "
                      rb"/Length (\d+) >>\nstream\n", data)
        return data[m.end():m.end() + int(m[1])] if m else None
    with open(pdf, "rb") as f:
        original = f.read()
    english = os.path.join(tmp, "letter-en.pdf")
    with open(english, "wb") as f:
        f.write(original.replace(b"/Lang (zh-CN)", b"/Lang (en-US)"))
    looks = []
    for src in (pdf, english):
        dst = src[:-4] + "-lang.pdf"
        lp("sign", src, "-o", dst, "--key", signer.key, "--cert", signer.cert,
           "--reason", "同意", env={"SOURCE_DATE_EPOCH": "1700000000"})
        looks.append(appearance(dst))
    check("sign: the appearance's words follow the letter's /Lang",
          b"/Lang (zh-CN)" in original and None not in looks and
          looks[0] != looks[1] and len(looks[0]) > len(looks[1]),
          [len(x or b"") for x in looks])

    # Tampering inside the signed range breaks the signature.
    broken = os.path.join(tmp, "tampered.pdf")
    at = signed.find(b"/Title")
    with open(broken, "wb") as f:
        f.write(signed[:at + 3] + bytes([signed[at + 3] ^ 1]) + signed[at + 4:])
    v = sigs(broken, nss)
    check("sign: a flipped byte breaks the signature",
          v.get("签名") not in (None, "Signature is Valid."), v)
    at = len(original) + 10  # in the update itself, before /Contents
    with open(broken, "wb") as f:
        f.write(signed[:at] + bytes([signed[at] ^ 1]) + signed[at + 1:])
    v = sigs(broken, nss)
    check("sign: a flipped byte in the update breaks it too",
          v.get("签名") != "Signature is Valid.", v)

    # A second signature in the second field keeps the first valid.
    out2 = os.path.join(tmp, "signed2.pdf")
    r = lp("sign", out, "-o", out2, "--key", signer.p12, "--field", "签名_2",
           "--name", "李四")
    check("sign: second signature (PKCS#12, no passphrase)", r.code == 0, r.err)
    v = sigs(out2, nss)
    check("sign: both signatures valid",
          v.get("签名") == "Signature is Valid." and
          v.get("签名_2") == "Signature is Valid.", v)
    # Now nothing is left to sign.
    out3 = os.path.join(tmp, "signed3.pdf")
    r = lp("sign", out2, "-o", out3, "--key", signer.key, "--cert", signer.cert)
    fails_cleanly("sign: no unsigned field left", r, out3, 2,
                  ["no unsigned signature field"])
    r = lp("sign", out2, "-o", out3, "--key", signer.key, "--cert", signer.cert,
           "--field", "签名")
    fails_cleanly("sign: an already signed field", r, out3, 2,
                  ["already signed"])
    r = lp("sign", pdf, "-o", out3, "--key", signer.key, "--cert", signer.cert,
           "--field", "nope")
    fails_cleanly("sign: an unknown field", r, out3, 2, ["nope", "签名"])

    # A poppler-signed PDF can be signed again by letterpress.
    pop = os.path.join(tmp, "poppler-signed.pdf")
    if os.path.exists(pop):
        r = lp("sign", pop, "-o", out3, "--key", signer.key, "--cert",
               signer.cert)
        v = sigs(out3, nss)
        check("sign: after poppler's signature, both valid",
              r.code == 0 and set(v.values()) == {"Signature is Valid."}, v)
        os.remove(out3)

    # A PDF with cross-reference streams (rewritten by qpdf) signs too.
    streams = os.path.join(tmp, "streams.pdf")
    run(["qpdf", "--object-streams=generate", pdf, streams])
    r = lp("sign", streams, "-o", out3, "--key", signer.key, "--cert",
           signer.cert)
    v = sigs(out3, nss)
    check("sign: xref-stream PDF", r.code == 0 and
          v.get("签名") == "Signature is Valid.", (r.err, v))
    r = run(["qpdf", "--check", out3])
    check("sign: xref-stream PDF passes qpdf --check", r.code == 0, r.text)
    os.remove(out3)

    # render --sign-key signs in one step.
    tpl = os.path.join(TEMPLATES, "commitment-letter.md")
    data = os.path.join(TEMPLATES, "commitment-letter.json")
    r = lp("render", tpl, "-d", data, "-o", out3, "--sign-key", signer.key,
           "--sign-cert", signer.cert)
    v = sigs(out3, nss)
    check("sign: render --sign-key", r.code == 0 and
          v.get("签名") == "Signature is Valid.", (r.err, v))


def test_sign_errors(tmp, pdf, signer):
    out = os.path.join(tmp, "never.pdf")
    other = Signer(tmp, "Someone Else")
    r = lp("sign", pdf, "-o", out, "--key", other.key, "--cert", signer.cert)
    fails_cleanly("sign: key of another certificate", r, out, 1,
                  ["does not belong"])
    r = lp("sign", pdf, "-o", out, "--key", os.path.join(tmp, "missing.pem"),
           "--cert", signer.cert)
    fails_cleanly("sign: missing key file", r, out, 2, ["missing.pem"])
    r = lp("sign", pdf, "-o", out, "--key", signer.key, "--cert", signer.cert,
           "--pass", "secret")
    fails_cleanly("sign: a passphrase on the command line is refused", r, out,
                  2, ["env:", "file:"])
    # An encrypted PKCS#12: the right passphrase from env or file, a wrong one.
    p12 = os.path.join(tmp, "enc.p12")
    run(["openssl", "pkcs12", "-export", "-inkey", signer.key, "-in",
         signer.cert, "-out", p12, "-passout", "pass:s3cret"])
    passfile = os.path.join(tmp, "pass.txt")
    with open(passfile, "w") as f:
        f.write("s3cret\n")
    r = lp("sign", pdf, "-o", out, "--key", p12, "--pass", "env:LP_TEST_PASS",
           env={"LP_TEST_PASS": "s3cret"})
    check("sign: PKCS#12 with env: passphrase", r.code == 0, r.err)
    check("sign: the passphrase is not printed", "s3cret" not in r.err, r.err)
    os.path.exists(out) and os.remove(out)
    r = lp("sign", pdf, "-o", out, "--key", p12, "--pass", "file:" + passfile)
    check("sign: PKCS#12 with file: passphrase", r.code == 0, r.err)
    os.path.exists(out) and os.remove(out)
    r = lp("sign", pdf, "-o", out, "--key", p12, "--pass", "env:LP_TEST_PASS",
           env={"LP_TEST_PASS": "Wr0ngPa55"})
    fails_cleanly("sign: wrong passphrase", r, out, 1, ["passphrase"])
    check("sign: the wrong passphrase is not printed",
          "Wr0ngPa55" not in r.err, r.err)
    # An encrypted PEM key.
    enc = os.path.join(tmp, "enc.pem")
    run(["openssl", "pkey", "-in", signer.key, "-out", enc, "-aes256",
         "-passout", "pass:pem-pass"])
    r = lp("sign", pdf, "-o", out, "--key", enc, "--cert", signer.cert,
           "--pass", "env:LP_TEST_PASS", env={"LP_TEST_PASS": "pem-pass"})
    check("sign: encrypted PEM key", r.code == 0, r.err)
    os.path.exists(out) and os.remove(out)
    r = lp("sign", pdf, "-o", out, "--key", enc, "--cert", signer.cert)
    fails_cleanly("sign: encrypted key without --pass", r, out, 1, ["--pass"])
    not_pdf = os.path.join(tmp, "not.pdf")
    with open(not_pdf, "w") as f:
        f.write("hello")
    r = lp("sign", not_pdf, "-o", out, "--key", signer.key, "--cert",
           signer.cert)
    fails_cleanly("sign: not a PDF", r, out, 2, ["not.pdf"])
    r = lp("sign", pdf, "-o", out)
    fails_cleanly("sign: no key", r, out, 2, ["--key"])
    # A field tree that loops, found by fuzzing: it used to hang the signer.
    looped = os.path.join(CASES, "sign", "fuzz-timeout-kids.pdf")
    try:
        r = lp("sign", looped, "-o", out, "--key", signer.key, "--cert",
               signer.cert, timeout=20)
        fails_cleanly("sign: a looping form found by fuzzing", r, out, 2,
                      ["fuzz-timeout-kids.pdf"])
    except Exception as ex:
        check("sign: a looping form found by fuzzing ends", False, repr(ex))
    # A damaged PDF found by fuzzing: qpdf used to print its own warning.
    damaged = os.path.join(CASES, "sign", "damaged-acroform.pdf")
    r = lp("sign", damaged, "-o", out, "--key", signer.key, "--cert",
           signer.cert)
    fails_cleanly("sign: a damaged form", r, out, 2, ["damaged-acroform.pdf"])
    check("sign: a damaged form gives one message and nothing else",
          len(r.err.strip().splitlines()) == 1 and "WARNING" not in r.err,
          r.err)


def qpdf_check_output(pdf):
    r = run(["qpdf", "--check", pdf])
    return r.text + r.err


def tiny_pdf(path, objects, size=None):
    """Writes a PDF whose objects (number -> body text) are given, with a
    correct xref table; /Size is len+1 unless size says otherwise."""
    out = b"%PDF-1.4\n"
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (num, objects[num].encode())
    at = len(out)
    top = max(objects)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (top + 1)
    for num in range(1, top + 1):
        out += b"%010d 00000 n \n" % offsets.get(num, 0)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        size if size is not None else top + 1, at)
    with open(path, "wb") as f:
        f.write(out)


def test_hostile_pdfs(tmp, signer):
    """PDFs made to trick the signer (found by review and fuzzing)."""
    page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R] >>"
    base = {1: "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>",
            2: "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", 3: page}
    nss = signer.nss
    out = os.path.join(tmp, "hostile-out.pdf")
    # A field tree that loops: must end quickly, not hang.
    loop = os.path.join(tmp, "loop.pdf")
    tiny_pdf(loop, {**base, 4: "<< /FT /Sig /T (Signature) /Kids [4 0 R 4 0 R] "
                                    "/Rect [10 10 100 50] /P 3 0 R >>"})
    for field in ("nope", None):
        args = ["sign", loop, "-o", out, "--key", signer.key, "--cert", signer.cert]
        if field:
            args += ["--field", field]
        try:
            r = lp(*args, timeout=20)
            check("sign: a looping field tree ends (%s)" % field, r.code in (0, 2),
                  r.err)
        except Exception as ex:
            check("sign: a looping field tree ends (%s)" % field, False, repr(ex))
        if os.path.exists(out):
            os.remove(out)
    # A trailer /Size too small: new objects must not overwrite old ones.
    small = os.path.join(tmp, "small-size.pdf")
    tiny_pdf(small, {**base, 4: "<< /Type /Annot /Subtype /Widget /FT /Sig "
                                     "/T (Sig) /Rect [10 10 100 50] /P 3 0 R /F 4 >>"},
             size=2)
    r = lp("sign", small, "-o", out, "--key", signer.key, "--cert", signer.cert)
    v = sigs(out, nss) if r.code == 0 else {}
    check("sign: a PDF whose /Size is too small", r.code == 0 and
          v.get("Sig") == "Signature is Valid." and
          run(["qpdf", "--check", out]).code == 0, (r.err, v))
    if os.path.exists(out):
        os.remove(out)
    # A key that needs #xx escapes keeps them in the rewritten field.
    odd = os.path.join(tmp, "odd-key.pdf")
    tiny_pdf(odd, {**base, 4: "<< /Type /Annot /Subtype /Widget /FT /Sig "
                                   "/T (Sig) /Rect [10 10 100 50] /P 3 0 R /F 4 "
                                   "/Z#3E#3E 1 >>"})
    r = lp("sign", odd, "-o", out, "--key", signer.key, "--cert", signer.cert)
    v = sigs(out, nss) if r.code == 0 else {}
    check("sign: a field key with #xx escapes", r.code == 0 and
          v.get("Sig") == "Signature is Valid." and
          "premature" not in qpdf_check_output(out), (r.err, v))
    if os.path.exists(out):
        os.remove(out)
    # A signing time PDF cannot hold.
    r = lp("sign", odd, "-o", out, "--key", signer.key, "--cert", signer.cert,
           env={"SOURCE_DATE_EPOCH": "99999999999999999"})
    fails_cleanly("sign: an impossible SOURCE_DATE_EPOCH", r, out, 2,
                  ["SOURCE_DATE_EPOCH"])
    # Signing options without a key are refused, never silently dropped.
    tpl = os.path.join(TEMPLATES, "english-letter.md")
    r = lp("render", tpl, "-o", out, "--sign-reason", "Approved")
    fails_cleanly("sign: --sign-reason without --sign-key", r, out, 2,
                  ["--sign-key"])


def main():
    with tempfile.TemporaryDirectory() as tmp:
        signer = Signer(tmp)
        check("setup: test certificate and NSS database", signer.ok)
        pdf = test_fields(tmp)
        test_explicit_and_blanks(tmp)
        if signer.ok:
            test_third_party_signer(tmp, pdf, signer)
            test_sign(tmp, pdf, signer)
            test_sign_errors(tmp, pdf, signer)
            test_hostile_pdfs(tmp, signer)
    e2e.finish()


if __name__ == "__main__":
    main()
