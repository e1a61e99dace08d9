#!/usr/bin/env python3
"""What a letter weighs: the size limits of the product (a merged one-page
CJK letter under 60 KB, a two-page one under 100 KB) on the benchmark's
letters, and the font-hinting key (hints left out by default: smaller,
drawn the same).

Uses the harness of tests/e2e.py; prints "N passed, N failed" last.
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check, lp, run, short  # noqa: E402

EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}
BENCH = os.path.join(e2e.ROOT, "tests", "bench")


def merged_sizes(tmp, tpl, data, name):
    out = os.path.join(tmp, name)
    r = lp("merge", tpl, "-d", data, "-o", os.path.join(out, "{{customer.id}}.pdf"),
           env=EPOCH)
    check("size: merge %s" % name, r.code == 0, short(r.err))
    if r.code != 0:
        return out, []
    return out, [os.path.getsize(os.path.join(out, f)) for f in sorted(os.listdir(out))]


def pages(pdf):
    return int(e2e.pdfinfo(pdf).get("Pages", "0"))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "r.csv")
        with open(data, "w") as f:
            subprocess.run([sys.executable, os.path.join(BENCH, "gen_data.py"), "20"],
                           check=True, stdout=f)
        for tpl, npages, limit_kb in (("notice.md", 1, 60), ("letter.md", 2, 100)):
            out, sizes = merged_sizes(tmp, os.path.join(BENCH, tpl), data, tpl)
            if sizes:
                check("size: %s is %d page(s)" % (tpl, npages),
                      pages(os.path.join(out, "C-000001.pdf")) == npages)
                check("size: every merged %d-page CJK letter is under %d KB"
                      % (npages, limit_kb), max(sizes) < limit_kb * 1024, max(sizes))

        # Tagging costs little: the structure tree's objects go into an
        # object stream (a hundred small dictionaries a letter).
        untagged = os.path.join(tmp, "untagged.md")
        with open(os.path.join(BENCH, "letter.md"), encoding="utf-8") as f:
            text = f.read()
        with open(untagged, "w", encoding="utf-8") as f:
            f.write(text.replace("lang: zh-CN\n", "lang: zh-CN\ntagged: false\n", 1))
        out, plain = merged_sizes(tmp, untagged, data, "untagged")
        _, tagged = merged_sizes(tmp, os.path.join(BENCH, "letter.md"), data, "letter.md")
        if plain and tagged:
            check("size: tagging the two-page letter costs under 2 %",
                  max(tagged) < max(plain) * 1.02, (max(plain), max(tagged)))
            check("size: the tagged two-page CJK letter is under 97 KB",
                  max(tagged) < 97 * 1024, max(tagged))

        # font-hinting: true keeps the CJK fonts' hints; the glyphs are
        # drawn the same either way, the file without them is smaller.
        src = open(os.path.join(BENCH, "notice.md"), encoding="utf-8").read()
        made = {}
        for hinting in ("true", "false"):
            tpl = os.path.join(tmp, "hint-%s.md" % hinting)
            with open(tpl, "w", encoding="utf-8") as f:
                f.write(src.replace("lang: zh-CN\n",
                                    "lang: zh-CN\nfont-hinting: %s\n" % hinting, 1))
            pdf = os.path.join(tmp, "hint-%s.pdf" % hinting)
            r = lp("render", tpl, "--blanks", "-o", pdf, env=EPOCH)
            check("size: render with font-hinting: %s" % hinting, r.code == 0,
                  short(r.err))
            e2e.check_qpdf("size: font-hinting: %s" % hinting, pdf)
            run(["pdftoppm", "-r", "72", "-png", pdf, os.path.join(tmp, "hint-" + hinting)])
            made[hinting] = pdf
        on, off = (os.path.getsize(made[k]) for k in ("true", "false"))
        check("size: hints left out make the file at least 8% smaller",
              off < on * 0.92, "%d with hints, %d without" % (on, off))
        png = [os.path.join(tmp, "hint-%s-1.png" % k) for k in ("true", "false")]
        check("size: the page is drawn the same with and without hints",
              all(os.path.exists(p) for p in png) and
              open(png[0], "rb").read() == open(png[1], "rb").read())
        r = lp("render", os.path.join(tmp, "hint-true.md"), "--blanks", "--meta",
               "font-hinting=maybe", "-o", os.path.join(tmp, "x.pdf"), env=EPOCH)
        check("size: font-hinting takes true or false only",
              r.code == 2 and "'font-hinting: maybe'" in r.err, short(r.err))
    e2e.finish()


if __name__ == "__main__":
    main()
