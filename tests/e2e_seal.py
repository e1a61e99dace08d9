#!/usr/bin/env python3
"""End-to-end tests of seals: the front matter's `seal` with `seal-size`
and `seal-offset`, the warning when no signature field takes it, and a
seal or handwritten signature image in a signature's visible appearance
(`sign --image`, `render --sign-image`, `merge --sign-image`); a signed
PDF/A-1b letter with a seal that has alpha still passes PDFBox Preflight.

Uses the harness of tests/e2e.py; prints "N passed, N failed" last.
"""
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check, lp, run, write_png, trace, render_md, MM  # noqa: E402
import e2e_tagged  # noqa: E402

TEMPLATES = e2e.TEMPLATES


def ring(x, y):
    """A red ring on a transparent ground, 120 px: a company seal."""
    r2 = (x - 60) ** 2 + (y - 60) ** 2
    return (200, 20, 20, 255) if 45 ** 2 <= r2 <= 58 ** 2 else (0, 0, 0, 0)


LETTER = ("---\nlang: zh-CN\nseal: seal.png\n%s---\n\n# 承诺书\n\n正文。\n\n"
          "承诺单位（盖章）：某公司\n\n签名：__________\n")


def seal_box(pdf):
    """(x, y, w, h) of the 120-px seal on page 1, in mutool's device space."""
    _, images = trace(pdf, 1)
    return images[0] if images else None


def test_front_matter(tmp):
    d = os.path.join(tmp, "fm")
    os.makedirs(d)
    write_png(os.path.join(d, "seal.png"), 120, 120, ring)
    r, plain = render_md(d, "plain", LETTER % "")
    base = seal_box(plain) if r.code == 0 else None
    check("seal: a letter with a seal renders", base is not None, r.err)
    r, sized = render_md(d, "sized", LETTER % "seal-size: 40mm\n")
    box = seal_box(sized) if r.code == 0 else None
    check("seal-size: 40mm draws the seal 40 mm across",
          box and abs(box[2] - 40 * MM) < 0.05 and abs(box[3] - 40 * MM) < 0.05,
          "%s %s" % (box, r.err))
    # The centre stays where it was: over the signature line.
    if box and base:
        check("seal-size: the centre does not move",
              abs(box[1] + box[3] / 2 - (base[1] + base[3] / 2)) < 0.05, (box, base))
    r, moved = render_md(d, "moved", LETTER % "seal-offset: 5mm -3mm\n")
    box = seal_box(moved) if r.code == 0 else None
    check("seal-offset: 5mm -3mm moves it 5 mm right and 3 mm down",
          box and base and abs(box[0] - base[0] - 5 * MM) < 0.05 and
          abs(box[1] - base[1] - 3 * MM) < 0.05, "%s %s %s" % (box, base, r.err))
    r, _ = render_md(d, "bad-size", LETTER % "seal-size: 400mm\n")
    check("seal-size: out of range is an error at the key", r.code == 2 and
          "bad-size.md:4:12: error:" in r.err and "10mm to 100mm" in r.err, r.err)

    # No signature field: the seal is not stamped, and the template says so
    # at its `seal:` key.
    src = os.path.join(d, "nofield.md")
    r, _ = render_md(d, "nofield", "---\nlang: zh-CN\ntitle: x\nseal: seal.png\n---\n\n正文。\n")
    check("seal: no signature field is a warning at the seal key",
          r.code == 0 and src + ":4:1: warning: the seal 'seal.png' is not stamped" in r.err,
          r.err)
    # A 0-byte image: an error at the key's line, not at 1:1.
    open(os.path.join(d, "empty.png"), "wb").close()
    src = os.path.join(d, "empty.md")
    r, _ = render_md(d, "empty", "---\nlang: zh-CN\ntitle: x\n\nseal: empty.png\n---\n\n签名：____\n")
    check("seal: a 0-byte image is an error at its key's line",
          r.code == 2 and src + ":5:1: error:" in r.err and "empty.png" in r.err, r.err)


def appearance(pdf):
    """The signature appearance's form XObject and the image it draws as
    /Seal (dictionaries from qpdf --json), or (None, None)."""
    r = run(["qpdf", "--json", "--json-key=qpdf", pdf])
    objs = json.loads(r.text)["qpdf"][1] if r.code == 0 else {}

    def dict_of(o):
        return (o.get("stream") or {}).get("dict") or o.get("value")
    for o in objs.values():
        d = dict_of(o)
        if isinstance(d, dict) and d.get("/Subtype") == "/Form" and \
                "/Seal" in d.get("/Resources", {}).get("/XObject", {}):
            img = objs.get("obj:" + d["/Resources"]["/XObject"]["/Seal"])
            return d, dict_of(img) if img else None
    return None, None


def keys(tmp):
    key, cert = os.path.join(tmp, "key.pem"), os.path.join(tmp, "cert.pem")
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
         key, "-out", cert, "-days", "30", "-subj", "/CN=Test Signer"])
    return key, cert


def test_sign_image(tmp, nss):
    d = os.path.join(tmp, "si")
    os.makedirs(d)
    key, cert = keys(d)
    seal = os.path.join(d, "seal.png")
    write_png(seal, 120, 120, ring)
    letter = os.path.join(d, "letter.pdf")
    tpl = os.path.join(TEMPLATES, "commitment-letter.md")
    data = os.path.join(TEMPLATES, "commitment-letter.json")
    r = lp("render", tpl, "-d", data, "-o", letter)
    out = os.path.join(d, "signed.pdf")
    r = lp("sign", letter, "-o", out, "--key", key, "--cert", cert, "--image", seal)
    check("sign --image: exit 0", r.code == 0, r.err)
    v = run(["pdfsig", "-nssdir", nss, out]).text
    check("sign --image: pdfsig valid", "Signature is Valid." in v, v)
    form, img = appearance(out)
    check("sign --image: the appearance draws the image as /Seal, with its alpha (/SMask)",
          form and img and img.get("/Width") == 120 and "/SMask" in img, (form, img))
    # The page shows it: more red pixels (the seal's ring) than before.
    def red(pdf):
        prefix = os.path.join(d, os.path.basename(pdf))
        run(["pdftoppm", "-r", "40", pdf, prefix])
        n = 0
        for name in os.listdir(d):
            if name.startswith(os.path.basename(pdf) + "-") and name.endswith(".ppm"):
                with open(os.path.join(d, name), "rb") as f:
                    px = f.read().split(b"\n", 3)[3]
                n += sum(1 for i in range(0, len(px) - 2, 3)
                         if px[i] > 150 and px[i + 1] < 90 and px[i + 2] < 90)
        return n
    check("sign --image: the seal shows on the page", red(out) > red(letter) + 20,
          (red(out), red(letter)))
    r = lp("sign", letter, "-o", os.path.join(d, "none.pdf"), "--key", key,
           "--cert", cert, "--image", os.path.join(d, "missing.png"))
    check("sign --image missing: exit 2 naming the file, nothing written",
          r.code == 2 and "missing.png" in r.err and
          not os.path.exists(os.path.join(d, "none.pdf")), r.err)
    open(os.path.join(d, "zero.png"), "wb").close()
    r = lp("sign", letter, "-o", os.path.join(d, "none.pdf"), "--key", key,
           "--cert", cert, "--image", os.path.join(d, "zero.png"))
    check("sign --image empty: a clear error", r.code == 2 and "0 bytes" in r.err, r.err)
    # render --sign-image and merge --sign-image.
    one = os.path.join(d, "render.pdf")
    r = lp("render", tpl, "-d", data, "-o", one, "--sign-key", key, "--sign-cert",
           cert, "--sign-image", seal)
    check("render --sign-image: signed with the seal",
          r.code == 0 and appearance(one)[1] is not None and
          "Signature is Valid." in run(["pdfsig", "-nssdir", nss, one]).text, r.err)
    outdir = os.path.join(d, "m")
    recs = os.path.join(d, "recs.json")
    with open(data, encoding="utf-8") as f:
        base = json.load(f)
    with open(recs, "w", encoding="utf-8") as f:
        json.dump([dict(base, contract_no="A-%d" % i) for i in range(3)], f, ensure_ascii=False)
    r = lp("merge", tpl, "-d", recs, "-o", outdir + "/{{contract_no}}.pdf", "--sign-key",
           key, "--sign-cert", cert, "--sign-image", seal)
    files = sorted(os.listdir(outdir)) if os.path.isdir(outdir) else []
    check("merge --sign-image: every letter has the seal in its signature",
          r.code == 0 and len(files) == 3 and
          all(appearance(os.path.join(outdir, f))[1] for f in files), r.err)


def test_pdfa(tmp, nss):
    """A signed a-1b commitment letter, with a seal image that has alpha,
    is still valid PDF/A-1b: the seal composed onto white (no /SMask),
    DeviceRGB under the sRGB intent, /ID updated."""
    d = os.path.join(tmp, "pdfa")
    os.makedirs(d)
    key, cert = keys(d)
    seal = os.path.join(d, "seal.png")
    write_png(seal, 120, 120, ring)
    letter = os.path.join(d, "a1b.pdf")
    r = lp("render", os.path.join(TEMPLATES, "commitment-letter.md"), "-d",
           os.path.join(TEMPLATES, "commitment-letter.json"), "-o", letter,
           "--meta", "pdf-standard=a-1b")
    check("pdf/a: the a-1b letter renders", r.code == 0, r.err)
    plain = os.path.join(d, "a1b-signed.pdf")
    r = lp("sign", letter, "-o", plain, "--key", key, "--cert", cert)
    sealed = os.path.join(d, "a1b-sealed.pdf")
    r2 = lp("sign", letter, "-o", sealed, "--key", key, "--cert", cert, "--image", seal,
            "--reason", "同意")
    check("pdf/a: signed, with and without a seal", r.code == 0 and r2.code == 0, r.err + r2.err)
    _, img = appearance(sealed)
    check("pdf/a-1: the seal is composed onto white (no /SMask)",
          img and "/SMask" not in img and img.get("/ColorSpace") == "/DeviceRGB", img)
    with open(letter, "rb") as f:
        before = f.read()
    with open(sealed, "rb") as f:
        after = f.read()
    ids = re.findall(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", after)
    first = re.findall(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", before)
    check("pdf/a: the update's /ID keeps the first string and changes the second",
          len(ids) >= 2 and first and ids[-1][0].lower() == first[-1][0].lower() and
          ids[-1][1].lower() != first[-1][1].lower(), ids)
    for pdf in (plain, sealed):
        ok, report = e2e_tagged.preflight(pdf)
        check("pdf/a: Preflight: %s is valid PDF/A-1b" % os.path.basename(pdf), ok,
              report[-2000:])
        v = run(["pdfsig", "-nssdir", nss, pdf]).text
        check("pdf/a: %s: pdfsig valid" % os.path.basename(pdf), "Signature is Valid." in v, v)


def main():
    tmp = tempfile.mkdtemp(prefix="lp-seal-")
    nss = "sql:" + os.path.join(tmp, "nss")
    os.makedirs(nss[4:])
    run(["certutil", "-N", "-d", nss, "--empty-password"])
    test_front_matter(tmp)
    test_sign_image(tmp, nss)
    test_pdfa(tmp, nss)
    e2e.finish()


if __name__ == "__main__":
    main()
