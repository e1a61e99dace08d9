#!/usr/bin/env python3
"""Warnings point at the template, and a merge tells each one once.

Sections repeat or drop lines of the template, so the lines of the expanded
text are not the template's: a warning after a section must still name the
template's line.  In a merge, a warning the template causes in every letter
is shown once (with the record that first met it) and counted after that;
a warning about one record's own data is shown for that record.

Uses the harness of tests/e2e.py; prints "N passed, N failed" last.
"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check, lp, short  # noqa: E402

# Line 10 of the file holds U+E000, which no font has, after a section
# that the data repeats or drops; a value's characters are placed at its
# placeholder (column 13).
TEMPLATE = """---
lang: zh-CN
---
# 通知

{{#items}}
项目：{{name}}

{{/items}}
第二段有一个字：\ue000，还有{{who}}。
"""


def warning_lines(err):
    return [l for l in err.splitlines() if ": warning: " in l]


# A name of 20 emoji, twice in the letter, after a longer value on the same
# line: its placeholder {{name}} is at line 5, column 16.
EMOJI_TEMPLATE = """---
title: Notice
---

Dear {{title}} {{name}},

thank you, {{name}}. A template's own \ue000 and \ue000 again.

\ue000
"""


def symbola(warning):
    """Whether the warning sends to Symbola: to install fonts-symbola, or
    (where it is installed already) to name it."""
    return ("install fonts-symbola" in warning or
            "name Symbola (installed)" in warning) and \
        'font: "Noto Serif, Symbola"' in warning


def check_emoji(tmp):
    """Missing characters: once per character per letter, grouped by place,
    at the placeholder for values, with advice that fits the character."""
    tpl = os.path.join(tmp, "e.md")
    with open(tpl, "w", encoding="utf-8") as f:
        f.write(EMOJI_TEMPLATE)
    data = os.path.join(tmp, "e.json")
    # U+1F970 and U+1F972 (Unicode 11, 13): no outline font in Debian;
    # U+1F32F (Unicode 8): Symbola has it.
    name = "\U0001F970\U0001F972" * 9 + "\U0001F32F\U0001F32F"
    with open(data, "w", encoding="utf-8") as f:
        json.dump({"title": "Professor", "name": name}, f)
    r = lp("render", tpl, "-d", data, "-o", os.path.join(tmp, "e.pdf"))
    w = warning_lines(r.err)
    check("emoji name: exit 0", r.code == 0, short(r.err))
    check("emoji name: 3 warnings, not 40 (new emoji, Symbola's, U+E000)",
          len(w) == 3, short(r.err, 2000))
    new = [l for l in w if "U+1F970" in l]
    check("emoji name: the new emoji in one warning, each named once",
          len(new) == 1 and new[0].count("U+1F970") == 1 and
          "U+1F972" in new[0] and "U+1F32F" not in new[0], short(r.err, 2000))
    check("emoji name: at the placeholder {{name}} (5:16), not the value's "
          "characters", bool(new) and new[0].startswith(tpl + ":5:16: warning:"),
          short(r.err, 2000))
    check("new emoji: no package named that lacks an outline glyph",
          bool(new) and "no Debian font package" in new[0] and
          "install fonts-noto-color-emoji" not in new[0], short(r.err, 2000))
    sym = [l for l in w if "U+1F32F" in l]
    check("Unicode 8 emoji: Symbola named, which has it",
          len(sym) == 1 and symbola(sym[0]) and
          sym[0].startswith(tpl + ":5:16:"), short(r.err, 2000))
    pua = [l for l in w if "U+E000" in l]
    check("the template's own character: once, at its first place (7:39)",
          len(pua) == 1 and pua[0].startswith(tpl + ":7:39: warning:"),
          short(r.err, 2000))
    # A sequence joined by U+200D, and a skin tone: told at the sequence's
    # start, with Symbola (which has them) named.
    seq = os.path.join(tmp, "seq.md")
    with open(seq, "w", encoding="utf-8") as f:
        f.write("Family \U0001F468\u200d\U0001F469\u200d\U0001F467, "
                "thumb \U0001F44D\U0001F3FD.\n")
    r = lp("render", seq, "-o", os.path.join(tmp, "seq.pdf"))
    w = warning_lines(r.err)
    check("emoji sequence: one warning at its start, naming Symbola",
          r.code == 0 and len(w) == 2 and w[0].startswith(seq + ":1:8:") and
          "U+1F468" in w[0] and "U+1F467" in w[0] and "U+200D" not in w[0]
          and symbola(w[0]), short(r.err, 2000))
    check("skin tone: Symbola named (it has U+1F3FD)",
          len(w) == 2 and "U+1F3FD" in w[1] and symbola(w[1]),
          short(r.err, 2000))
    # Two letters (level-1 headings) in one document: each is told.
    two = os.path.join(tmp, "two.md")
    with open(two, "w", encoding="utf-8") as f:
        f.write("# One\n\n\ue000\ue000\n\n# Two\n\n\ue000\n")
    r = lp("render", two, "-o", os.path.join(tmp, "two.pdf"))
    w = warning_lines(r.err)
    check("two letters: the character told once in each",
          r.code == 0 and len(w) == 2 and w[0].startswith(two + ":3:1:") and
          w[1].startswith(two + ":7:1:"), short(r.err, 2000))



def check_dropped(tmp):
    """Past 20 warnings in a letter, the rest are counted and told once."""
    lines = ["---", "title: Many", "---", ""]
    for k in range(25):  # 25 places, each with a character no font has
        lines += ["Line %d: %s." % (k, chr(0xE010 + k)), ""]
    tpl = os.path.join(tmp, "many.md")
    with open(tpl, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    r = lp("render", tpl, "-o", os.path.join(tmp, "many.pdf"))
    w = warning_lines(r.err)
    check("25 warnings: 20 shown, then one line counting the other 5",
          r.code == 0 and len(w) == 21 and
          "5 more warnings were not shown (the first 20 are)" in w[-1],
          short(r.err))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        check_dropped(tmp)
        check_emoji(tmp)
        tpl = os.path.join(tmp, "t.md")
        with open(tpl, "w", encoding="utf-8") as f:
            f.write(TEMPLATE)
        for n in (0, 1, 3):
            data = os.path.join(tmp, "d%d.json" % n)
            with open(data, "w", encoding="utf-8") as f:
                json.dump({"items": [{"name": "甲"}] * n, "who": "乙"}, f)
            r = lp("render", tpl, "-d", data, "-o", os.path.join(tmp, "o.pdf"))
            w = warning_lines(r.err)
            check("render, section repeated %d times: one warning at t.md:10:9" % n,
                  r.code == 0 and len(w) == 1 and
                  w[0].startswith(tpl + ":10:9: warning:") and "U+E000" in w[0],
                  short(r.err))

        # Six records: the template's own warning in every letter; record 3
        # and 5 carry U+E001 in their data, record 4 U+E002.
        who = ["甲", "乙", "\ue001", "\ue002", "\ue001", "丙"]
        data = os.path.join(tmp, "d.jsonl")
        with open(data, "w", encoding="utf-8") as f:
            for k, v in enumerate(who):
                f.write(json.dumps({"items": [{"name": "甲"}] * k, "who": v,
                                    "id": "r%d" % (k + 1)}) + "\n")
        for jobs in ("1", "2"):
            out = os.path.join(tmp, "out" + jobs)
            r = lp("merge", tpl, "-d", data, "-o", out + "/{{id}}.pdf", "-j", jobs)
            w = warning_lines(r.err)
            check("merge -j %s: exit 0" % jobs, r.code == 0, short(r.err))
            e000 = [l for l in w if "U+E000" in l]
            check("merge -j %s: the template's warning shown once, at its line" % jobs,
                  len(e000) == 1 and e000[0].startswith(tpl + ":10:9: warning: record "),
                  short(r.err))
            e001 = [l for l in w if "U+E001" in l]
            check("merge -j %s: a data warning shown once, naming its record" % jobs,
                  len(e001) == 1 and ("record 3 (" in e001[0] or "record 5 (" in e001[0])
                  and ":10:13: warning:" in e001[0], short(r.err))
            e002 = [l for l in w if "U+E002" in l]
            check("merge -j %s: another record's own warning is shown" % jobs,
                  len(e002) == 1 and "record 4 (%s/r4.pdf)" % out in e002[0],
                  short(r.err))
            # 6 letters x U+E000 + 2 x U+E001 + 1 x U+E002 = 9; 3 shown.
            check("merge -j %s: the summary counts the 6 not shown" % jobs,
                  "; 6 warnings repeated in later letters not shown" in r.err,
                  short(r.err))
            names = sorted(os.listdir(out))
            check("merge -j %s: every letter written" % jobs,
                  names == ["r%d.pdf" % k for k in range(1, 7)], names)
    e2e.finish()


if __name__ == "__main__":
    main()
