#!/usr/bin/env python3
"""End-to-end tests of password-protected letters (AES-256, PDF 2.0 /R 6).

render --password / --owner-password / --permissions, merge with a
password per record (with -j and .eml attachments), PDF/A refusing
encryption, and sign --password on an encrypted letter: checked with
qpdf (--show-encryption, --check), pdftotext -upw/-opw and pdfsig -upw.
Passwords come from the environment (env:VAR) or a file (file:PATH).

Uses the harness of tests/e2e.py; prints "N passed, N failed" last.
"""
import email
import email.policy
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check, lp, run  # noqa: E402

PW = {"LP_PW": "sesame 开门", "LP_OWNER": "boss-only", "LP_WRONG": "sesame"}

LETTER = """---
title: Payslip
lang: en
---
# Payslip for {{name}}

Net pay this month: {{pay}}.

Employee: [[signature]]
"""


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def show_encryption(pdf, password):
    """qpdf --show-encryption's lines, opened with password."""
    return run(["qpdf", "--show-encryption", "--password=" + password, pdf]).text


def text_of(pdf, password, opt="-upw"):
    """pdftotext with a password: (exit code, text)."""
    args = ["pdftotext"] + ([opt, password] if password is not None else []) + [pdf, "-"]
    r = run(args)
    return r.code, r.text


def fails_cleanly(name, r, out, code, words):
    """A failure with exit code `code`, its message holding words, and no
    output file."""
    check(name + ": exit %d" % code, r.code == code, "%d %s" % (r.code, r.err))
    check(name + ": says why", all(w in r.err for w in words), r.err)
    check(name + ": nothing written", not os.path.exists(out), out)


class Signer:
    """A self-signed certificate and key, and an NSS database trusting
    nothing (pdfsig checks the signature, not the trust)."""

    def __init__(self, tmp):
        d = os.path.join(tmp, "pki")
        os.makedirs(d)
        self.key, self.cert = d + "/key.pem", d + "/cert.pem"
        self.nss = "sql:" + d + "/nss"
        os.makedirs(d + "/nss")
        rs = [run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                   "-keyout", self.key, "-out", self.cert, "-days", "30",
                   "-subj", "/CN=Crypt Signer"]),
              run(["certutil", "-N", "-d", self.nss, "--empty-password"])]
        self.ok = all(r.code == 0 for r in rs)

    def verdict(self, pdf, password):
        """pdfsig's signature validation lines, opened with password."""
        r = run(["pdfsig", "-upw", password, "-nssdir", self.nss, pdf])
        return [ln.split(":", 1)[1].strip() for ln in r.text.splitlines()
                if "Signature Validation:" in ln]


def test_render(tmp):
    tpl = write(os.path.join(tmp, "one.md"), LETTER)
    data = write(os.path.join(tmp, "one.json"), '{"name": "Ann", "pay": "1 234.56"}')
    out = os.path.join(tmp, "one.pdf")
    r = lp("render", tpl, "-d", data, "-o", out, "--password", "env:LP_PW", env=PW)
    check("render --password: exit 0", r.code == 0, r.err)
    enc = show_encryption(out, PW["LP_PW"])
    check("render --password: AES-256, revision 6",
          "R = 6" in enc and "file encryption method: AESv3" in enc, enc)
    # The default: print (high quality) and fill in and sign; no copying,
    # no changes, no page assembly; accessibility always.
    for line in ["print high resolution: allowed", "modify forms: allowed",
                 "extract for accessibility: allowed",
                 "extract for any purpose: not allowed",
                 "modify document assembly: not allowed",
                 "modify other: not allowed", "modify annotations: not allowed"]:
        check("render --password: default permission '%s'" % line, line in enc, enc)
    code, text = text_of(out, PW["LP_PW"])
    check("render --password: pdftotext -upw gives the text",
          code == 0 and "Net pay this month: 1 234.56" in text, text)
    code, text = text_of(out, None)
    check("render --password: without the password pdftotext fails",
          code != 0 and "Net pay" not in text, (code, text))
    code, _ = text_of(out, "not it")
    check("render --password: a wrong password fails", code != 0)
    r = run(["qpdf", "--check", "--password=" + PW["LP_PW"], out])
    check("render --password: qpdf --check", r.code == 0, r.text + r.err)
    r = run(["pdfinfo", "-upw", PW["LP_PW"], out])
    check("render --password: pdfinfo reads the title", "Payslip" in r.text, r.text)
    with open(out, "rb") as f:
        raw = f.read()
    check("render --password: the text is not in the file's bytes",
          b"Payslip" not in raw and b"Net pay" not in raw)

    # The streams as written, only encrypted: MuPDF reads the commitment
    # letter (empty appearance streams of its form fields) without a word.
    com = os.path.join(tmp, "commitment.pdf")
    r = lp("render", os.path.join(e2e.TEMPLATES, "commitment-letter.md"), "-d",
           os.path.join(e2e.TEMPLATES, "commitment-letter.json"), "-o", com,
           "--password", "env:LP_PW", env=PW)
    check("render --password, form fields: exit 0", r.code == 0, r.err)
    r = run(["mutool", "draw", "-q", "-N", "-p", PW["LP_PW"], "-F", "txt", "-o",
             os.devnull, com])
    check("render --password, form fields: mutool draws it without warnings",
          r.code == 0 and r.err == "", r.err)

    # An owner password and chosen permissions; file: sources.
    pwfile = write(os.path.join(tmp, "pw.txt"), "from a file\n")
    out2 = os.path.join(tmp, "two.pdf")
    r = lp("render", tpl, "-d", data, "-o", out2, "--password", "file:" + pwfile,
           "--owner-password", "env:LP_OWNER", "--permissions", "print-low,copy",
           env=PW)
    check("render --owner-password: exit 0", r.code == 0, r.err)
    enc = show_encryption(out2, "from a file")
    for line in ["print low resolution: allowed", "print high resolution: not allowed",
                 "extract for any purpose: allowed", "modify forms: not allowed"]:
        check("render --permissions print-low,copy: '%s'" % line, line in enc, enc)
    check("render --owner-password: the owner password opens it",
          "Supplied password is owner password" in show_encryption(out2, "boss-only"))
    code, text = text_of(out2, "boss-only", "-opw")
    check("render --owner-password: pdftotext -opw", code == 0 and "Ann" in text)

    # Mistakes: a password on the command line, a bad permission, options
    # without --password, an unset variable.
    bad = os.path.join(tmp, "bad.pdf")
    r = lp("render", tpl, "-d", data, "-o", bad, "--password", "sesame")
    fails_cleanly("render --password VALUE", r, bad, 2, ["env:", "file:"])
    r = lp("render", tpl, "-d", data, "-o", bad, "--password", "env:LP_PW",
           "--permissions", "print,fly", env=PW)
    fails_cleanly("render --permissions with a typo", r, bad, 2, ["fly", "print-low"])
    r = lp("render", tpl, "-d", data, "-o", bad, "--permissions", "print")
    fails_cleanly("render --permissions without --password", r, bad, 2, ["--password"])
    r = lp("render", tpl, "-d", data, "-o", bad, "--password", "env:LP_UNSET_VAR")
    fails_cleanly("render --password env: unset", r, bad, 2, ["LP_UNSET_VAR"])
    return out


def test_pdfa(tmp):
    bad = os.path.join(tmp, "pdfa.pdf")
    for std in ["a-2b", "a-3u", "a-2b, ua-1"]:
        tpl = write(os.path.join(tmp, "pdfa.md"),
                    "---\ntitle: T\nlang: en\npdf-standard: %s\n---\nHi.\n" % std)
        r = lp("render", tpl, "-o", bad, "--password", "env:LP_PW", env=PW)
        fails_cleanly("pdf-standard %s with --password" % std, r, bad, 2,
                      ["PDF/A", "encryption"])
    tpl = write(os.path.join(tmp, "ua.md"),
                "---\ntitle: T\nlang: en\npdf-standard: ua-1\n---\nHi there.\n")
    ok = os.path.join(tmp, "ua.pdf")
    r = lp("render", tpl, "-o", ok, "--password", "env:LP_PW", env=PW)
    check("pdf-standard ua-1 with --password: exit 0", r.code == 0, r.err)
    code, text = text_of(ok, PW["LP_PW"])
    check("pdf-standard ua-1 with --password: readable", "Hi there." in text, text)


def test_sign(tmp, letter, signer):
    if not check("crypt: a test signer", signer.ok):
        return
    out = os.path.join(tmp, "signed.pdf")
    r = lp("sign", letter, "-o", out, "--key", signer.key, "--cert", signer.cert,
           "--password", "env:LP_PW", "--reason", "Received · 已收到",
           "--location", "Zürich", env=PW)
    check("sign --password: exit 0", r.code == 0, r.err)
    check("sign --password: pdfsig -upw says valid",
          signer.verdict(out, PW["LP_PW"]) == ["Signature is Valid."],
          signer.verdict(out, PW["LP_PW"]))
    r = run(["qpdf", "--check", "--password=" + PW["LP_PW"], out])
    check("sign --password: qpdf --check clean", r.code == 0 and "WARNING" not in r.text + r.err,
          r.text + r.err)
    enc = show_encryption(out, PW["LP_PW"])
    check("sign --password: still AES-256 R6", "R = 6" in enc, enc)
    code, text = text_of(out, None)
    check("sign --password: still needs the password", code != 0)
    # The signature dictionary's strings are encrypted with the file key
    # (read back through qpdf), its /Contents is not.
    j = json.loads(run(["qpdf", "--json", "--json-key=qpdf", "--password=" + PW["LP_PW"],
                        out]).text)
    sig = [o["value"] for o in j["qpdf"][1].values()
           if isinstance(o.get("value"), dict) and o["value"].get("/Type") == "/Sig"]
    check("sign --password: one signature dictionary", len(sig) == 1, sig)
    if sig:
        check("sign --password: /Reason decrypts",
              sig[0].get("/Reason") == "u:Received · 已收到", sig[0].get("/Reason"))
        check("sign --password: /Location decrypts",
              sig[0].get("/Location") == "u:Zürich", sig[0].get("/Location"))
        check("sign --password: /Contents is the CMS, not encrypted",
              sig[0].get("/Contents", "").startswith("b:3082"), sig[0].get("/Contents", "")[:20])
    with open(out, "rb") as f:
        raw = f.read()
    check("sign --password: no plain text string in the update",
          b"(Crypt Signer)" not in raw and b"(D:" not in raw)
    png = os.path.join(tmp, "signed")
    r = run(["pdftoppm", "-upw", PW["LP_PW"], "-r", "40", "-png", out, png])
    check("sign --password: pdftoppm renders it", r.code == 0, r.err)
    text = run(["pdftotext", "-upw", PW["LP_PW"], out, "-"]).text
    check("sign --password: the letter's text unchanged", "Net pay this month" in text, text)

    # Wrong and missing passwords: exit 2, nothing written.
    bad = os.path.join(tmp, "bad-signed.pdf")
    r = lp("sign", letter, "-o", bad, "--key", signer.key, "--cert", signer.cert,
           "--password", "env:LP_WRONG", env=dict(PW, LP_WRONG="nope"))
    fails_cleanly("sign with a wrong --password", r, bad, 2, ["wrong password"])
    r = lp("sign", letter, "-o", bad, "--key", signer.key, "--cert", signer.cert)
    fails_cleanly("sign an encrypted PDF without --password", r, bad, 2,
                  ["password-protected", "--password"])
    # The owner password opens it for signing too.
    out2 = os.path.join(tmp, "signed-owner.pdf")
    owner_letter = os.path.join(tmp, "two.pdf")
    r = lp("sign", owner_letter, "-o", out2, "--key", signer.key, "--cert", signer.cert,
           "--password", "env:LP_OWNER", env=PW)
    check("sign --password OWNER: exit 0", r.code == 0, r.err)
    check("sign --password OWNER: pdfsig -upw valid",
          signer.verdict(out2, "from a file") == ["Signature is Valid."],
          signer.verdict(out2, "from a file"))
    # Another handler: RC4 (R 3) is refused with how to re-encrypt.
    plain = os.path.join(tmp, "plain.pdf")
    rc4 = os.path.join(tmp, "rc4.pdf")
    lp("render", os.path.join(tmp, "one.md"), "-d", os.path.join(tmp, "one.json"),
       "-o", plain)
    run(["qpdf", "--allow-weak-crypto", "--encrypt", "u", "o", "128", "--use-aes=n",
         "--", plain, rc4])
    r = lp("sign", rc4, "-o", bad, "--key", signer.key, "--cert", signer.cert,
           "--password", "env:LP_U", env={"LP_U": "u"})
    fails_cleanly("sign an RC4-encrypted PDF", r, bad, 2, ["AES-256", "qpdf"])
    # A flipped byte breaks it (the signature covers the encrypted bytes).
    broken = os.path.join(tmp, "broken.pdf")
    data = bytearray(raw)
    at = data.index(b"stream\n", 2000) + 10
    data[at] ^= 0x01
    with open(broken, "wb") as f:
        f.write(data)
    v = signer.verdict(broken, PW["LP_PW"])
    check("sign --password: a flipped byte is caught", v and v[0] != "Signature is Valid.", v)

    # --ltv on an encrypted letter: the DSS streams are encrypted too.
    ltv = os.path.join(tmp, "ltv.pdf")
    r = lp("sign", letter, "-o", ltv, "--key", signer.key, "--cert", signer.cert,
           "--password", "env:LP_PW", "--ltv", env=PW)
    check("sign --password --ltv: exit 0", r.code == 0, r.err)
    check("sign --password --ltv: pdfsig -upw valid",
          signer.verdict(ltv, PW["LP_PW"]) == ["Signature is Valid."])
    r = run(["qpdf", "--check", "--password=" + PW["LP_PW"], ltv])
    check("sign --password --ltv: qpdf --check", r.code == 0, r.text + r.err)
    j = json.loads(run(["qpdf", "--json", "--json-key=qpdf", "--password=" + PW["LP_PW"],
                        ltv]).text)
    objs = j["qpdf"][1]
    dss = [o["value"] for o in objs.values()
           if isinstance(o.get("value"), dict) and o["value"].get("/Type") == "/DSS"]
    certs = dss[0].get("/Certs", []) if dss else []
    check("sign --password --ltv: a DSS with the certificate", len(certs) == 1, dss)
    if certs:
        der = run(["qpdf", "--password=" + PW["LP_PW"], "--show-object=" + certs[0],
                   "--filtered-stream-data", ltv]).out
        subj = run(["openssl", "x509", "-inform", "DER", "-noout", "-subject"],
                   stdin=der).text
        check("sign --password --ltv: the DSS certificate decrypts",
              "Crypt Signer" in subj, subj)


def test_render_and_sign(tmp, signer):
    if not signer.ok:
        return
    out = os.path.join(tmp, "render-signed.pdf")
    r = lp("render", os.path.join(tmp, "one.md"), "-d", os.path.join(tmp, "one.json"),
           "-o", out, "--password", "env:LP_PW", "--sign-key", signer.key,
           "--sign-cert", signer.cert, env=PW)
    check("render --password --sign-key: exit 0", r.code == 0, r.err)
    check("render --password --sign-key: pdfsig -upw valid",
          signer.verdict(out, PW["LP_PW"]) == ["Signature is Valid."],
          signer.verdict(out, PW["LP_PW"]))
    check("render --password --sign-key: encrypted",
          "R = 6" in show_encryption(out, PW["LP_PW"]))
    r = run(["qpdf", "--check", "--password=" + PW["LP_PW"], out])
    check("render --password --sign-key: qpdf --check", r.code == 0, r.text + r.err)


def test_merge_and_sign(tmp, signer):
    """merge --password '{{field}}' --sign-key: each letter is protected
    with its record's password and signed, the signature opened with it."""
    if not signer.ok:
        return
    records = [{"id": "S1", "name": "Sue", "pay": "10", "birth_date": "1970-03-04"},
               {"id": "T2", "name": "Tom", "pay": "20", "birth_date": "1999-11-30"}]
    data = write(os.path.join(tmp, "signed-recs.json"), json.dumps(records))
    out = os.path.join(tmp, "merged-signed")
    r = lp("merge", os.path.join(tmp, "one.md"), "-d", data,
           "-o", os.path.join(out, "{{id}}.pdf"), "--password", "{{birth_date}}",
           "--sign-key", signer.key, "--sign-cert", signer.cert, "-j", "2")
    check("merge --password --sign-key: exit 0", r.code == 0, r.err)
    for rec in records:
        pdf = os.path.join(out, rec["id"] + ".pdf")
        v = signer.verdict(pdf, rec["birth_date"]) if os.path.exists(pdf) else []
        check("merge --password --sign-key: %s signed, pdfsig -upw valid" % rec["id"],
              v == ["Signature is Valid."], v)
        check("merge --password --sign-key: %s still AES-256" % rec["id"],
              os.path.exists(pdf) and "R = 6" in show_encryption(pdf, rec["birth_date"]))


def test_merge(tmp):
    tpl = os.path.join(tmp, "one.md")
    records = [{"id": "A1", "name": "Ann", "pay": "100", "birth_date": "1990-01-02"},
               {"id": "B2", "name": "Bob", "pay": "200", "birth_date": "1985-12-31"},
               {"id": "C3", "name": "Cy", "pay": "300", "birth_date": "2001-07-04"}]
    data = write(os.path.join(tmp, "recs.json"), json.dumps(records))
    out = os.path.join(tmp, "merged")
    r = lp("merge", tpl, "-d", data, "-o", os.path.join(out, "{{id}}.pdf"),
           "--password", "{{birth_date}}", "-j", "2")
    check("merge --password: exit 0", r.code == 0, r.err)
    for rec in records:
        pdf = os.path.join(out, rec["id"] + ".pdf")
        code, text = text_of(pdf, rec["birth_date"])
        check("merge --password: %s opens with its own password" % rec["id"],
              code == 0 and "Payslip for %s" % rec["name"] in text, text)
        other = [x for x in records if x is not rec][0]["birth_date"]
        check("merge --password: %s does not open with another's" % rec["id"],
              text_of(pdf, other)[0] != 0)
        check("merge --password: %s is AES-256" % rec["id"],
              "R = 6" in show_encryption(pdf, rec["birth_date"]))
    # An empty password is an error naming the record; the others are made.
    records[1]["birth_date"] = ""
    data2 = write(os.path.join(tmp, "recs2.json"), json.dumps(records))
    out2 = os.path.join(tmp, "merged2")
    r = lp("merge", tpl, "-d", data2, "-o", os.path.join(out2, "{{id}}.pdf"),
           "--password", "{{birth_date}}", "-k")
    check("merge --password: an empty password fails (exit 2)", r.code == 2, r.err)
    check("merge --password: the error names the record",
          "record 2" in r.err and "B2" in r.err and "empty" in r.err, r.err)
    check("merge --password: no letter for the record without a password",
          sorted(os.listdir(out2)) == ["A1.pdf", "C3.pdf"], os.listdir(out2))
    # --check finds it first, naming the record, and writes nothing.
    r = lp("merge", tpl, "-d", data2, "-o", os.path.join(tmp, "chk", "{{id}}.pdf"),
           "--password", "{{birth_date}}", "--check")
    check("merge --password --check: the empty password is a problem (exit 2)",
          r.code == 2 and "record 2" in r.err and "empty" in r.err, r.err)
    check("merge --password --check: nothing written",
          not os.path.exists(os.path.join(tmp, "chk")))
    # A fixed password on the command line is refused; --combined too.
    r = lp("merge", tpl, "-d", data, "-o", os.path.join(tmp, "x", "{{id}}.pdf"),
           "--password", "hunter2")
    check("merge --password VALUE: usage error", r.code == 2 and "placeholder" in r.err, r.err)
    r = lp("merge", tpl, "-d", data, "--combined", os.path.join(tmp, "all.pdf"),
           "--password", "{{birth_date}}")
    check("merge --password --combined: usage error",
          r.code == 2 and "--combined" in r.err and not os.path.exists(
              os.path.join(tmp, "all.pdf")), r.err)
    # One password for all, from the environment, with chosen permissions.
    out3 = os.path.join(tmp, "merged3")
    r = lp("merge", tpl, "-d", data, "-o", os.path.join(out3, "{{id}}.pdf"),
           "--password", "env:LP_PW", "--permissions", "print", env=PW)
    check("merge --password env:: exit 0", r.code == 0, r.err)
    enc = show_encryption(os.path.join(out3, "A1.pdf"), PW["LP_PW"])
    check("merge --password env:, --permissions print",
          "print high resolution: allowed" in enc and "modify forms: not allowed" in enc, enc)

    # As .eml attachments: the attached PDF is the encrypted one.
    out4 = os.path.join(tmp, "mail")
    r = lp("merge", tpl, "-d", data, "-o", os.path.join(out4, "{{id}}.pdf"),
           "--password", "{{birth_date}}", "--eml", os.path.join(out4, "{{id}}.eml"),
           "--from", "HR <hr@example.com>", "--to", "{{name}} <x@example.com>",
           "--subject", "Payslip")
    check("merge --password --eml: exit 0", r.code == 0, r.err)
    path = os.path.join(out4, "A1.eml")
    if check("merge --password --eml: an .eml", os.path.exists(path)):
        with open(path, "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.default)
        pdfs = [p.get_content() for p in msg.iter_attachments()
                if p.get_content_type() == "application/pdf"]
        check("merge --password --eml: a PDF attached", len(pdfs) == 1)
        if pdfs:
            att = os.path.join(tmp, "att.pdf")
            with open(att, "wb") as f:
                f.write(pdfs[0])
            code, text = text_of(att, "1990-01-02")
            check("merge --password --eml: the attachment opens with its password",
                  code == 0 and "Payslip for Ann" in text, text)
            check("merge --password --eml: and not without", text_of(att, None)[0] != 0)


def test_preserved(tmp, letter):
    """B-LT then B-LTA on a protected letter: sign --tsa --ltv --password,
    then timestamp --password, with the local TSA, CA and OCSP responder
    of tests/e2e_pades.py."""
    import e2e_pades as pades
    url = pades.serve()
    pki = pades.Tsa.pki = pades.Pki(os.path.join(tmp, "pades"), url)
    if not check("crypt: the test CA, signer and TSA of e2e_pades", pki.ok):
        return
    nss = "sql:" + os.path.join(tmp, "pades", "nss")
    os.makedirs(nss[4:])
    run(["certutil", "-N", "-d", nss, "--empty-password"])
    blt = os.path.join(tmp, "blt.pdf")
    r = lp("sign", letter, "-o", blt, "--key", pki.key, "--cert", pki.cert,
           "--chain", pki.ca, "--tsa", url + "/tsa", "--ltv", "--password",
           "env:LP_PW", env=PW)
    check("B-LT with --password: exit 0", r.code == 0, r.err)
    lta = os.path.join(tmp, "lta.pdf")
    r = lp("timestamp", blt, "-o", lta, "--tsa", url + "/tsa", "--password",
           "env:LP_PW", env=PW)
    check("B-LTA with --password: exit 0", r.code == 0, r.err)
    v = run(["pdfsig", "-upw", PW["LP_PW"], "-nssdir", nss, lta]).text
    check("B-LTA with --password: pdfsig -upw: the signature valid, the "
          "time-stamp listed", v.count("Signature is Valid.") == 1 and "DocTimeStamp" in v, v)
    r = run(["qpdf", "--check", "--password=" + PW["LP_PW"], lta])
    check("B-LTA with --password: qpdf --check", r.code == 0, r.text + r.err)
    check("B-LTA with --password: still encrypted",
          "R = 6" in show_encryption(lta, PW["LP_PW"]))
    tok = os.path.join(tmp, "doc-token.der")
    with open(tok, "wb") as f:
        f.write(pades.cms_of(lta))
    data = os.path.join(tmp, "doc-data.bin")
    with open(data, "wb") as f:
        f.write(pades.signed_bytes(lta))
    r = run(["openssl", "ts", "-verify", "-data", data, "-in", tok, "-token_in",
             "-CAfile", pki.ca, "-untrusted", pki.dir + "/tsa.pem"])
    check("B-LTA with --password: openssl ts -verify", "Verification: OK" in r.text,
          r.text + r.err)
    j = json.loads(run(["qpdf", "--json", "--json-key=qpdf", "--password=" + PW["LP_PW"],
                        lta]).text)
    dss = [o["value"] for o in j["qpdf"][1].values()
           if isinstance(o.get("value"), dict) and o["value"].get("/Type") == "/DSS"]
    check("B-LT with --password: the DSS holds certificates and OCSP responses",
          dss and len(dss[0].get("/Certs", [])) >= 3 and len(dss[0].get("/OCSPs", [])) == 2,
          dss)
    bad = os.path.join(tmp, "lta-bad.pdf")
    r = lp("timestamp", blt, "-o", bad, "--tsa", url + "/tsa")
    fails_cleanly("timestamp a protected PDF without --password", r, bad, 2,
                  ["password-protected"])


def main():
    tmp = tempfile.mkdtemp(prefix="lp-crypt-")
    letter = test_render(tmp)
    test_pdfa(tmp)
    signer = Signer(tmp)
    test_sign(tmp, letter, signer)
    test_render_and_sign(tmp, signer)
    test_merge(tmp)
    test_merge_and_sign(tmp, signer)
    test_preserved(tmp, letter)
    e2e.finish()


if __name__ == "__main__":
    main()
