#!/usr/bin/env python3
"""The command line people expect: each command's --help, and a merge's
--dry-run that shows what it would write.

`letterpress CMD --help` (or -h) prints that command's usage on standard
output and exits 0, whatever else is on the line; `merge --dry-run` without
--eml lists each file the merge would write and writes nothing.

Uses the harness of tests/e2e.py; prints "N passed, N failed" last.
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check, lp, short  # noqa: E402

# Each command, and a word of its own paragraph in the usage text.
COMMANDS = {
    "render": "renders a Markdown letter template",
    "sign": "signs a signature field",
    "timestamp": "document time-stamp",
    "merge": "one letter per record",
    "manifest-check": "proves a batch",
    "fields": "placeholders and form fields",
    "fonts": "resolves to",
}

TEMPLATE = """---
title: Notice
---
Dear {{name}},

thank you.
"""


def check_help():
    for cmd, words in COMMANDS.items():
        for flag in ("--help", "-h"):
            r = lp(cmd, flag)
            others = [c for c in COMMANDS if c != cmd and
                      ("letterpress %s " % c) in r.text]
            check("%s %s: exit 0, its own usage on stdout" % (cmd, flag),
                  r.code == 0 and r.text.startswith("usage: letterpress %s" % cmd)
                  and words in r.text and not others and not r.err,
                  short(r.err or r.text))
    # Among other arguments, and as `letterpress help CMD`.
    r = lp("merge", "t.md", "-d", "x.csv", "--help")
    check("merge with arguments and --help: usage, exit 0",
          r.code == 0 and r.text.startswith("usage: letterpress merge"),
          short(r.err or r.text))
    r = lp("help", "sign")
    check("help sign: sign's usage", r.code == 0 and
          r.text.startswith("usage: letterpress sign"), short(r.err or r.text))
    r = lp("--help")
    check("--help: the whole usage still", r.code == 0 and
          all(("letterpress %s" % c) in r.text for c in COMMANDS), short(r.err))
    r = lp("render", "--helpme")
    check("an unknown option is still an error", r.code == 2 and
          "unknown option '--helpme'" in r.err, short(r.err))


def check_dry_run(tmp):
    tpl = os.path.join(tmp, "t.md")
    with open(tpl, "w", encoding="utf-8") as f:
        f.write(TEMPLATE)
    data = os.path.join(tmp, "d.csv")
    with open(data, "w", encoding="utf-8") as f:
        f.write("id,name\na,Ann\nb,Bob\nc,Cy\n")
    out = os.path.join(tmp, "out")
    os.makedirs(out)
    with open(os.path.join(out, "b.pdf"), "wb") as f:
        f.write(b"old")
    r = lp("merge", tpl, "-d", data, "-o", out + "/{{id}}.pdf", "--dry-run")
    want = ["record 1: would write %s/a.pdf" % out,
            "record 2: would write %s/b.pdf (replacing the file there)" % out,
            "record 3: would write %s/c.pdf" % out]
    check("merge --dry-run without --eml: accepted, exit 0", r.code == 0,
          short(r.err))
    check("merge --dry-run: lists each file it would write",
          r.text.splitlines() == want, short(r.text))
    check("merge --dry-run: says nothing is written",
          "3 letters would be written" in r.err and "nothing written" in r.err,
          short(r.err))
    check("merge --dry-run: writes nothing",
          sorted(os.listdir(out)) == ["b.pdf"] and
          open(os.path.join(out, "b.pdf"), "rb").read() == b"old",
          os.listdir(out))
    r = lp("merge", tpl, "-d", data, "-o", out + "/{{id}}.pdf", "--dry-run",
           "--skip-existing", "--combined", os.path.join(tmp, "all.pdf"))
    check("merge --dry-run --skip-existing: the file there is kept",
          r.code == 0 and
          "record 2: would keep %s/b.pdf (already there)" % out in r.text and
          "combined: would write %s/all.pdf (3 letters)" % tmp in r.text and
          not os.path.exists(os.path.join(tmp, "all.pdf")),
          short(r.text + r.err))
    r = lp("merge", tpl, "-d", data, "-o", out + "/{{id}}.pdf", "--smtp",
           "smtp://127.0.0.1:9", "--dry-run")
    check("merge --smtp --dry-run without --eml: asks for --eml only (-o "
          "was given)", r.code == 2 and "--eml" in r.err and
          "needs -o" not in r.err, short(r.err))
    # A record that would fail is told, and not listed.
    with open(data, "w", encoding="utf-8") as f:
        f.write('{"id": "a", "name": "Ann"}\n{"id": "b"}\n')
    r = lp("merge", tpl, "-d", data, "--format", "jsonl", "-o",
           out + "/{{id}}.pdf", "--dry-run")
    check("merge --dry-run: a record that would fail is an error, exit 2",
          r.code == 2 and "record 2" in r.err and "name" in r.err and
          r.text.splitlines() == ["record 1: would write %s/a.pdf" % out],
          short(r.text + r.err))


def main():
    check_help()
    with tempfile.TemporaryDirectory() as tmp:
        check_dry_run(tmp)
    e2e.finish()


if __name__ == "__main__":
    main()
