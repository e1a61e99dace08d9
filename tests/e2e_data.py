#!/usr/bin/env python3
"""Lists from a spreadsheet: CSV columns numbered by position.

A CSV header part that is a whole number (items.1.name, tags.2) makes a
list, so a template with {{#items}}...{{/items}} merges from a spreadsheet
as it does from JSON: the letters must be the same, byte for byte.  Items
whose cells are all empty are left out; a bad header is located at its
column and stops the merge before any letter is written.

Uses the harness of tests/e2e.py; prints "N passed, N failed" last.
"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import EPOCH, check, lp, nows, poppler_text, short  # noqa: E402

TEMPLATE = """---
title: 订单 {{id}}
lang: zh-CN
---
# 订单 {{id}}

{{#items}}
- {{name}}：{{qty}} 件{{#note}}（{{note}}）{{/note}}，{{company}}
{{/items}}
{{^items}}
本单无货品。
{{/items}}

标签：{{#tags}}[{{.}}]{{/tags}}{{^tags}}无{{/tags}}
"""

# The records as JSON; the CSV below says the same with numbered columns.
RECORDS = [
    {"id": "A1", "company": "华东公司",
     "items": [{"name": "钢笔", "qty": "2", "note": ""},
               {"name": "墨水", "qty": "1", "note": "蓝色"},
               {"name": "纸, \"A4\"", "qty": "10", "note": ""}],
     "tags": ["加急", "VIP"]},
    {"id": "A2", "company": "华南公司",
     "items": [{"name": "尺子", "qty": "3", "note": ""}],
     "tags": []},
    {"id": "A3", "company": "华北公司", "items": [], "tags": ["补发"]},
    {"id": "A4", "company": "西北公司",
     "items": [{"name": "第二项", "qty": "5", "note": ""},
               {"name": "第十项", "qty": "7", "note": "最后"}],
     "tags": [True]},
]

# Columns out of order (position 10 before 2: numbers, not text, order the
# items); record A1 has an empty note in a kept item; A2 leaves items 2 and
# 10 empty; A3 leaves every item empty; A4 leaves item 1 empty (dropped).
CSV = (
    "id,items.1.name,items.1.qty,items.1.note,items.10.name,items.10.qty,"
    "items.10.note,items.2.name,items.2.qty,items.2.note,company,tags.1,tags.2\n"
    "A1,钢笔,2,,\"纸, \"\"A4\"\"\",10,,墨水,1,蓝色,华东公司,加急,VIP\n"
    "A2,尺子,3,,,,,,,,华南公司,,\n"
    "A3,,,,,,,,,,华北公司,补发,\n"
    "A4,,,,第十项,7,最后,第二项,5,,西北公司,,true\n"
)


def files(d):
    return {f: open(os.path.join(d, f), "rb").read()
            for f in sorted(os.listdir(d))} if os.path.isdir(d) else {}


def main():
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    with tempfile.TemporaryDirectory() as tmp:
        tpl = os.path.join(tmp, "order.md")
        with open(tpl, "w", encoding="utf-8") as f:
            f.write(TEMPLATE)
        pc = os.path.join(tmp, "orders.csv")
        with open(pc, "w", encoding="utf-8", newline="") as f:
            f.write(CSV)
        pl = os.path.join(tmp, "orders.jsonl")
        with open(pl, "w", encoding="utf-8") as f:
            for r in RECORDS:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")

        # The same letters from CSV and JSON Lines, byte for byte.
        outs = {}
        for label, path in (("csv", pc), ("jsonl", pl)):
            d = os.path.join(tmp, "out-" + label)
            r = lp("merge", tpl, "-d", path, "-o", d + "/{{id}}.pdf", "-j", "2",
                   env=env)
            check("lists merge %s: exit 0" % label, r.code == 0,
                  "exit %d: %s" % (r.code, short(r.err)))
            outs[label] = files(d)
        check("lists: one letter per record",
              sorted(outs["csv"]) == ["A%d.pdf" % k for k in range(1, 5)],
              sorted(outs["csv"]))
        check("lists: CSV with numbered columns and JSON Lines give the same "
              "letters, byte for byte",
              outs["csv"] == outs["jsonl"] and outs["csv"],
              [f for f in outs["csv"] if outs["csv"][f] != outs["jsonl"].get(f)])

        # What the letters say: items in position order, empty items left
        # out, the record's values inside the section, scalar items.
        d = os.path.join(tmp, "out-csv")
        text = {k: nows(poppler_text(os.path.join(d, "A%d.pdf" % k)))
                for k in range(1, 5) if os.path.exists(os.path.join(d, "A%d.pdf" % k))}
        t1 = text.get(1, "")
        check("lists: A1's three items, in order 1, 2, 10, each with the "
              "record's company",
              t1.find("钢笔：2件，华东公司") < t1.find("墨水：1件（蓝色），华东公司")
              < t1.find("纸,\"A4\"：10件，华东公司") and t1.find("钢笔") >= 0,
              t1)
        check("lists: scalar items with {{.}}", "标签：[加急][VIP]" in t1, t1)
        t2 = text.get(2, "")
        check("lists: A2's empty items 2 and 10 are left out",
              "尺子：3件，华南公司" in t2 and t2.count("件") == 1 and "标签：无" in t2, t2)
        t3 = text.get(3, "")
        check("lists: A3, every item empty, is an empty list (inverted "
              "section)", "本单无货品。" in t3 and "件" not in t3, t3)
        t4 = text.get(4, "")
        check("lists: A4's empty item 1 is left out; 2 comes before 10",
              0 <= t4.find("第二项：5件") < t4.find("第十项：7件（最后）")
              and t4.count("件") == 2 and "标签：[true]" in t4, t4)

        # --set on list items works the same on both.
        for label, path in (("csv", pc), ("jsonl", pl)):
            d = os.path.join(tmp, "set-" + label)
            r = lp("merge", tpl, "-d", path, "-o", d + "/{{id}}.pdf",
                   "--set", "items.1.name=改名", "--set", "items.1.qty=9",
                   "--set", "items.1.note=", env=env)
            check("lists --set %s: exit 0" % label, r.code == 0, short(r.err))
            outs["set-" + label] = files(d)
        check("lists --set items.1.name: the same letters from CSV and JSONL",
              outs["set-csv"] == outs["set-jsonl"] and outs["set-csv"], "")
        p3 = os.path.join(tmp, "set-csv", "A3.pdf")
        if os.path.exists(p3):
            t = nows(poppler_text(p3))
            check("lists --set items.1.*: an empty list gets its first item",
                  "改名：9件，华北公司" in t and "本单无货品" not in t, t)
        # A position past one record's list fails that record (named), not
        # the merge: with --keep-going the others are written.
        xd = os.path.join(tmp, "x")
        r = lp("merge", tpl, "-d", pc, "-o", xd + "/{{id}}.pdf",
               "--set", "items.3.name=z", "--keep-going")
        check("lists --set beyond the end: exit 2, says how many items",
              r.code == 2 and "'items.3.name'" in r.err and "list of" in r.err,
              short(r.err))
        failed = [l for l in r.err.splitlines() if ": error: record " in l]
        written = files(xd) if os.path.isdir(xd) else {}
        # A2 has one item and A3 none: item 3 is past their ends.  A1 has
        # three (renamed); A4's new third item lacks the other values.
        check("lists --set beyond the end: each failing record named, the "
              "others written",
              any(l.startswith("--set: error: record 2 (") for l in failed) and
              any(l.startswith("--set: error: record 3 (") for l in failed) and
              len(failed) == 3 and sorted(written) == ["A1.pdf"],
              short(r.err) + " written: %r" % sorted(written))

        # A render reads the same one-record CSV as its JSON.
        one_csv = os.path.join(tmp, "one.csv")
        with open(one_csv, "w", encoding="utf-8") as f:
            f.write(CSV.split("\n")[0] + "\n" + CSV.split("\n")[4] + "\n")
        one_json = os.path.join(tmp, "one.json")
        with open(one_json, "w", encoding="utf-8") as f:
            json.dump(RECORDS[3], f, ensure_ascii=False)
        a, b = os.path.join(tmp, "one-csv.pdf"), os.path.join(tmp, "one-json.pdf")
        ra = lp("render", tpl, "-d", one_csv, "-o", a, env=env)
        rb = lp("render", tpl, "-d", one_json, "-o", b, env=env)
        check("lists render: CSV and JSON give the same PDF",
              ra.code == 0 and rb.code == 0 and
              open(a, "rb").read() == open(b, "rb").read(), ra.err + rb.err)

        # Bad headers: located at the column, nothing written.
        bad = {
            "mixed.csv": ("id,items.1.name,items.name\n1,a,b\n", 17,
                          ["columns 2 ('items.1.name') and 3 ('items.name')",
                           "both a list and an object"]),
            "mixed2.csv": ("id,tags.x,tags.1\n1,a,b\n", 11,
                           ["columns 2 ('tags.x') and 3 ('tags.1')"]),
            "padded.csv": ("id,items.01.name\n1,a\n", 4,
                           ["'items.01.name'", "leading zeros"]),
            "zero.csv": ("id,tags.0\n1,a\n", 4, ["count from 1"]),
            "huge.csv": ("id,tags.1001\n1,a\n", 4, ["at most 1000"]),
        }
        for name, (content, col, words) in bad.items():
            path = os.path.join(tmp, name)
            with open(path, "w", encoding="utf-8") as f:
                f.write(content)
            o = os.path.join(tmp, "bad-" + name)
            r = lp("merge", tpl, "-d", path, "-o", o + "/{{id}}.pdf")
            where = "%s:1:%d: error: " % (path, col)
            check("lists bad header %s: exit 2 at %s" % (name, where[len(tmp):]),
                  r.code == 2 and r.err.startswith(where)
                  and all(w in r.err for w in words), short(r.err))
            check("lists bad header %s: nothing written" % name,
                  not os.path.exists(o), "")
    e2e.finish()


if __name__ == "__main__":
    main()
