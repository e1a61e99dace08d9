#!/usr/bin/env python3
"""Font reuse across the letters of a merge: the template's own glyphs are
embedded as one subset per face made once, the record's other glyphs as a
second small subset.  A letter's bytes must not depend on which letters
came before it, on the worker that made it, or on the cache.

Uses the harness of tests/e2e.py; prints "N passed, N failed" last.
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check, lp, run  # noqa: E402

EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}


def main():
    tpl = os.path.join(e2e.TEMPLATES, "commitment-letter.md")
    gen = os.path.join(e2e.ROOT, "tests", "bench", "gen_data.py")
    with tempfile.TemporaryDirectory() as tmp:
        rows = subprocess.run([sys.executable, gen, "12"], check=True,
                              stdout=subprocess.PIPE).stdout.decode().splitlines()
        every = os.path.join(tmp, "all.csv")
        with open(every, "w") as f:
            f.write("\n".join(rows) + "\n")
        one = os.path.join(tmp, "one.csv")  # record 7 alone
        with open(one, "w") as f:
            f.write(rows[0] + "\n" + rows[7] + "\n")
        out = {}
        for name, data, jobs in (("all1", every, "1"), ("all2", every, "2"),
                                 ("one", one, "1")):
            d = os.path.join(tmp, name)
            r = lp("merge", tpl, "-d", data, "-o",
                   os.path.join(d, "{{customer.id}}.pdf"), "-j", jobs, env=EPOCH)
            check("cache: merge %s" % name, r.code == 0, r.err)
            out[name] = d
        files = sorted(os.listdir(out["all1"]))
        check("cache: 12 letters", len(files) == 12, files)
        same = all(open(os.path.join(out["all1"], f), "rb").read() ==
                   open(os.path.join(out["all2"], f), "rb").read() for f in files)
        check("cache: -j 1 and -j 2 give the same bytes", same)
        alone = os.listdir(out["one"])
        check("cache: a letter made alone equals the same letter in a batch",
              len(alone) == 1 and
              open(os.path.join(out["one"], alone[0]), "rb").read() ==
              open(os.path.join(out["all1"], alone[0]), "rb").read(), alone)
        pdf = os.path.join(out["all1"], files[5])
        fonts = run(["pdffonts", pdf]).text.splitlines()[2:]
        regular = [l for l in fonts if "NotoSerifCJKsc-Regular" in l]
        check("cache: the CJK face is split into template and record subsets",
              len(regular) == 2, fonts)
        check("cache: every font embedded, subset, with ToUnicode",
              all(l.split()[-5:-2] == ["yes", "yes", "yes"] for l in fonts), fonts)
        r = run(["qpdf", "--check", pdf])
        check("cache: qpdf --check", r.code == 0, r.text)
        r = run(["mutool", "draw", "-q", "-N", "-o", os.devnull, pdf])
        check("cache: mupdf renders without warnings", not r.err, r.err)
        # The record's own text (name, company) comes back from the page.
        fields = rows[0].split(",")
        record = dict(zip(fields, rows[6].split(",")))
        text = e2e.nows(run(["pdftotext", pdf, "-"]).text)
        check("cache: the record's company is in its letter",
              e2e.nows(record.get("company", "?")) in text or
              e2e.nows(record.get("customer.name", "?")) in text, record)
    e2e.finish()


if __name__ == "__main__":
    main()
