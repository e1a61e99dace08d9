#!/usr/bin/env python3
"""Data as Excel, LibreOffice and Numbers write it; merges that say so.

Files are made here as the spreadsheets save them: CRLF line ends, a
byte order mark for UTF-16 ("Unicode text"), GB18030 for a CSV saved on
Chinese Windows, Shift_JIS, Big5, EUC-KR; semicolons for European Excel,
tabs for "Text (Tab delimited)"; TRUE/FALSE booleans; stray empty columns.
Each is merged through the CLI and the letters' text is read back with
pdftotext.  Also: JSON numbers as written, names with spaces, "did you
mean", a template/data mismatch told once before any letter, merge
--check, and Ctrl-C during a merge.

Uses the harness of tests/e2e.py; prints "N passed, N failed" last.
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import EPOCH, LP, check, lp, nows, poppler_text, short  # noqa: E402

ENV = {"SOURCE_DATE_EPOCH": EPOCH}


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def text_of(pdf):
    return nows(poppler_text(pdf)) if os.path.exists(pdf) else ""


def listing(d):
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def temporary(d):
    """letterpress's temporary files (.NAME.XXXXXX) left in d."""
    return [f for f in listing(d) if f.startswith(".")]


def test_encodings(tmp):
    tpl = write(os.path.join(tmp, "pay.md"),
                "---\nlang: zh-CN\n---\n{{姓名}}：人民币 {{金额}} 元\n".encode())
    # A payroll as Excel saves it on Chinese Windows: enough text for ICU's
    # charset detector to be sure.
    staff = ["张三", "李四", "王芳", "刘洋", "陈静", "杨磊", "赵敏", "黄勇",
             "周杰", "吴霞", "徐明", "孙丽"]
    rows = "姓名,金额,部门,备注\r\n" + "".join(
        "%s,\"%s\",财务部,本月按时发放\r\n" % (n, "1,250,000.00" if i == 0 else
                                           "%d" % (3000 + i)) for i, n in enumerate(staff))
    gb = write(os.path.join(tmp, "payroll.csv"), rows.encode("gb18030"))
    out = os.path.join(tmp, "gb")
    r = lp("merge", tpl, "-d", gb, "-o", out + "/{{姓名}}.pdf", env=ENV)
    check("GB18030 CSV without --encoding: exit 2, names GB18030 and the "
          "option, nothing written",
          r.code == 2 and r.err.startswith(gb + ":1:") and
          "GB18030" in r.err and "--encoding GB18030" in r.err and
          "record 0" not in r.err and not os.path.exists(out), short(r.err))
    short_gb = write(os.path.join(tmp, "short.csv"),
                     "姓名,金额\r\n张三,5\r\n".encode("gb18030"))
    r = lp("merge", tpl, "-d", short_gb, "-o", out + "/{{姓名}}.pdf", env=ENV)
    check("a GB18030 CSV too short to tell: the error lists the encodings it "
          "could be, GB18030 among them",
          r.code == 2 and "could be GB18030" in r.err and "--encoding" in r.err,
          short(r.err))
    r = lp("merge", tpl, "-d", gb, "--encoding", "GB18030",
           "-o", out + "/{{姓名}}.pdf", env=ENV)
    check("GB18030 CSV with --encoding GB18030: the letters say it",
          r.code == 0 and "张三：人民币1,250,000.00元" in text_of(out + "/张三.pdf")
          and "李四：人民币3001元" in text_of(out + "/李四.pdf"),
          short(r.err) + text_of(out + "/张三.pdf"))
    r = lp("merge", tpl, "-d", gb, "--encoding", "GBK",
           "-o", os.path.join(tmp, "gbk") + "/{{姓名}}.pdf", env=ENV)
    check("GBK is GB18030's alias", r.code == 0, short(r.err))

    cases = [
        ("Shift_JIS", "cp932", "氏名,基本給,備考", ["佐藤太郎", "鈴木花子", "高橋一郎",
         "田中次郎", "伊藤三郎", "渡辺四郎"], "今月の給与です", ["CP932"]),
        ("Big5", "big5", "姓名,金額,備註", ["陳大文", "林小美", "黃志明", "張家豪",
         "李淑芬", "王建國", "吳美玲", "劉俊傑"], "本月按時發放薪資", []),
        ("EUC-KR", "cp949", "이름,금액,비고", ["김민준", "이서연", "박지호", "최수아",
         "정예준", "강하은", "조도윤", "윤서준"], "이번 달 급여입니다", ["CP949"]),
    ]
    for enc, codec, header, people, note, aliases in cases:
        content = header + "\r\n" + "".join(
            "%s,%d,%s\r\n" % (p, 1000 + i, note) for i, p in enumerate(people))
        path = write(os.path.join(tmp, enc + ".csv"), content.encode(codec))
        key, amount = header.split(",")[:2]
        who = people[0]
        t = write(os.path.join(tmp, enc + ".md"),
                  ("{{%s}} {{%s}}\n" % (key, amount)).encode())
        o = os.path.join(tmp, "o-" + enc)
        r = lp("merge", t, "-d", path, "-o", o + "/{{@record}}.pdf", env=ENV)
        check("%s CSV without --encoding: exit 2, the error names %s and "
              "--encoding %s" % (enc, enc, enc),
              r.code == 2 and "--encoding %s " % enc in r.err and
              not os.path.exists(o), short(r.err))
        for name in [enc] + aliases:
            r = lp("merge", t, "-d", path, "--encoding", name,
                   "-o", o + name + "/{{@record}}.pdf", env=ENV)
            check("%s CSV with --encoding %s: the letter says %s" % (enc, name, who),
                  r.code == 0 and who in text_of(o + name + "/1.pdf"), short(r.err))

    # Excel's "Unicode text": UTF-16 LE with a BOM, tabs, CRLF, .txt.
    u16 = write(os.path.join(tmp, "unicode.txt"),
                "姓名\t金额\r\n王五\t88.00\r\n".encode("utf-16"))
    o = os.path.join(tmp, "u16")
    r = lp("merge", tpl, "-d", u16, "-o", o + "/{{姓名}}.pdf", env=ENV)
    check("UTF-16 LE with BOM, tab-separated .txt: read without options",
          r.code == 0 and "王五：人民币88.00元" in text_of(o + "/王五.pdf"), short(r.err))
    be = write(os.path.join(tmp, "be.csv"),
               b"\xfe\xff" + "姓名,金额\r\n赵六,1\r\n".encode("utf-16-be"))
    r = lp("merge", tpl, "-d", be, "-o", o + "/{{姓名}}.pdf", env=ENV)
    check("UTF-16 BE with BOM: read without options",
          r.code == 0 and "赵六：人民币1元" in text_of(o + "/赵六.pdf"), short(r.err))
    # A UTF-8 BOM: CSV and JSON alike (JSON used to be rejected).
    jb = write(os.path.join(tmp, "bom.json"),
               "\ufeff{\"姓名\": \"张三\", \"金额\": \"5\"}".encode("utf-8"))
    pdf = os.path.join(tmp, "bom.pdf")
    r = lp("render", tpl, "-d", jb, "-o", pdf, env=ENV)
    check("JSON with a UTF-8 BOM renders",
          r.code == 0 and "张三：人民币5元" in text_of(pdf), short(r.err))
    cb = write(os.path.join(tmp, "bom.csv"), "\ufeff姓名,金额\r\n张三,6\r\n".encode())
    r = lp("render", tpl, "-d", cb, "-o", pdf, env=ENV)
    check("CSV with a UTF-8 BOM renders",
          r.code == 0 and "张三：人民币6元" in text_of(pdf), short(r.err))
    # render takes --encoding too.
    one = write(os.path.join(tmp, "one.csv"), "姓名,金额\r\n钱七,7\r\n".encode("gb18030"))
    r = lp("render", tpl, "-d", one, "--encoding", "GB18030", "-o", pdf, env=ENV)
    check("render --encoding GB18030",
          r.code == 0 and "钱七：人民币7元" in text_of(pdf), short(r.err))
    r = lp("render", tpl, "-d", one, "--encoding", "klingon", "-o", pdf, env=ENV)
    check("an unknown --encoding: exit 2 naming it", r.code == 2 and
          "'klingon'" in r.err, short(r.err))


def test_delimiters(tmp):
    tpl = write(os.path.join(tmp, "d.md"),
                b"{{name}} owes {{amount}}{{#vip}} (VIP){{/vip}}.\n")
    semi = write(os.path.join(tmp, "eu.csv"),
                 b"name;amount;vip\r\nA;1.250,50;FALSE\r\nB;\"3;4\";TRUE\r\n"
                 b"C;5;False\r\nD;6;True\r\n")
    o = os.path.join(tmp, "semi")
    r = lp("merge", tpl, "-d", semi, "-o", o + "/{{name}}.pdf", env=ENV)
    t = {k: text_of(o + "/%s.pdf" % k) for k in "ABCD"}
    check("semicolon CSV (European Excel): found from the header line",
          r.code == 0 and "Aowes1.250,50." in t["A"] and "Bowes3;4(VIP)." in t["B"],
          short(r.err) + repr(t))
    check("Excel booleans: FALSE and False hide a section, TRUE and True "
          "show it",
          "VIP" not in t["A"] and "VIP" not in t["C"] and "VIP" in t["B"] and
          "VIP" in t["D"], repr(t))
    tsv = write(os.path.join(tmp, "list.tsv"),
                b"name\tamount\tvip\r\nE\t1,5\tfalse\r\n")
    r = lp("merge", tpl, "-d", tsv, "-o", o + "/{{name}}.pdf", env=ENV)
    check(".tsv is a known extension: tabs",
          r.code == 0 and "Eowes1,5." in text_of(o + "/E.pdf"), short(r.err))
    # A header of one name: nothing to find the delimiter by; --delimiter.
    odd = write(os.path.join(tmp, "odd.dat"), b"name;amount;vip\r\nF;1,2;\r\n")
    pdf = os.path.join(tmp, "odd.pdf")
    r = lp("render", tpl, "-d", odd, "--format", "csv", "--delimiter", ";",
           "-o", pdf, env=ENV)
    check("render --format csv --delimiter ';' on a file of any name",
          r.code == 0 and "Fowes1,2." in text_of(pdf), short(r.err))
    r = lp("render", tpl, "-d", odd, "--format", "xls", "-o", pdf, env=ENV)
    check("render --format xls: exit 2 naming the formats",
          r.code == 2 and "tsv" in r.err, short(r.err))
    # Trailing empty header cells (Excel's stray columns) are ignored.
    stray = write(os.path.join(tmp, "stray.csv"),
                  b"name,amount,vip,,\r\nG,9,,,\r\n")
    r = lp("merge", tpl, "-d", stray, "-o", o + "/{{name}}.pdf", env=ENV)
    check("trailing empty header cells and their columns are ignored",
          r.code == 0 and "Gowes9." in text_of(o + "/G.pdf"), short(r.err))


def test_values(tmp):
    tpl = write(os.path.join(tmp, "v.md"),
                b"Pay {{amount}}, {{big}}, {{round}}; {{#items}}[{{price}}]{{/items}}"
                b" to {{Customer Name}}.\n")
    data = write(os.path.join(tmp, "v.json"),
                 b'{"amount": 12.50, "big": 1e3, "round": 1000.0,'
                 b' "items": [{"price": 0.10}, {"price": 2.500}],'
                 b' "Customer Name": "Li Lei"}')
    pdf = os.path.join(tmp, "v.pdf")
    r = lp("render", tpl, "-d", data, "-o", pdf, env=ENV)
    t = text_of(pdf)
    check("JSON numbers print as written: 12.50, 1e3, 1000.0, nested 0.10",
          r.code == 0 and "Pay12.50,1e3,1000.0;[0.10][2.500]" in t, short(r.err) + t)
    check("a header with a space is reachable as {{Customer Name}}",
          "toLiLei." in t, t)
    csv = write(os.path.join(tmp, "names.csv"),
                b"Customer Name,amount,big,round\r\nHan Meimei,1,2,3\r\n")
    r = lp("render", tpl, "-d", csv, "-o", pdf, "--blanks", env=ENV)
    check("a CSV header 'Customer Name' fills {{Customer Name}}",
          r.code == 0 and "toHanMeimei." in text_of(pdf), short(r.err))
    o = os.path.join(tmp, "named")
    r = lp("merge", tpl, "-d", csv, "-o", o + "/{{Customer Name}}.pdf", "--blanks",
           env=ENV)
    check("-o names a file by {{Customer Name}}",
          r.code == 0 and listing(o) == ["Han Meimei.pdf"], short(r.err) + repr(listing(o)))

    # Empty data is an error naming the file, not "0 of 0 letters".
    for name, content in (("empty.csv", b""), ("header-only.csv", b"name,amount\r\n"),
                          ("empty.jsonl", b""), ("empty.json", b"")):
        path = write(os.path.join(tmp, name), content)
        o = os.path.join(tmp, "none-" + name)
        r = lp("merge", tpl, "-d", path, "-o", o + "/{{@record}}.pdf", env=ENV)
        check("%s: exit 2, the error names the file, nothing written" % name,
              r.code == 2 and r.err.startswith(path + ":") and
              "0 of 0" not in r.err and not os.path.exists(o), short(r.err))


def test_mismatch(tmp):
    tpl = write(os.path.join(tmp, "m.md"),
                "---\nlang: zh-CN\n---\n{{客户明称}}：{{金额}}\n".encode())
    rows = "客户名称,金额\r\n" + "".join("客户%d,%d\r\n" % (i, i) for i in range(300))
    data = write(os.path.join(tmp, "m.csv"), rows.encode())
    o = os.path.join(tmp, "mm", "letters")
    r = lp("merge", tpl, "-d", data, "-o", o + "/{{金额}}.pdf", "-j", "2",
           "--keep-going", env=ENV)
    errors = [l for l in r.err.splitlines() if "error" in l]
    check("template/header mismatch with -j 2 --keep-going: told once",
          r.code == 2 and len(errors) == 1, "%d error lines: %s" % (len(errors), short(r.err)))
    check("the mismatch names the closest field (客户明称 -> 客户名称) and "
          "the fields there are",
          "客户明称" in r.err and "did you mean 客户名称?" in r.err and
          "the data has: 客户名称, 金额" in r.err and
          r.err.startswith(tpl + ":4:1: error:"), short(r.err))
    check("the mismatch stops before any letter: no output directory",
          not os.path.exists(os.path.join(tmp, "mm")), listing(os.path.join(tmp, "mm")))

    # Letters that all fail while rendering (each too long for --max-pages)
    # leave no directory behind.
    lst = write(os.path.join(tmp, "list.md"),
                b"# {{id}}\n\n{{#items}}\nParagraph {{.}} of a long letter.\n\n{{/items}}\n")
    recs = "".join(json.dumps({"id": str(k), "items": [str(i) for i in range(300)]}) + "\n"
                   for k in range(2))
    bad = write(os.path.join(tmp, "long.jsonl"), recs.encode())
    o = os.path.join(tmp, "made", "here")
    r = lp("merge", lst, "-d", bad, "-o", o + "/{{id}}.pdf", "--keep-going",
           "--max-pages", "2", env=ENV)
    check("every letter failing: exit 2, the directories this run made are "
          "removed", r.code == 2 and "2 failed" in r.err and
          not os.path.exists(os.path.join(tmp, "made")),
          short(r.err) + repr(listing(os.path.join(tmp, "made"))))
    keep = os.path.join(tmp, "keep")
    os.mkdir(keep)
    r = lp("merge", lst, "-d", bad, "-o", keep + "/{{id}}.pdf", "--keep-going",
           "--max-pages", "2", env=ENV)
    check("a directory that was there before stays", r.code == 2 and
          os.path.isdir(keep), short(r.err))


def test_check(tmp):
    tpl = write(os.path.join(tmp, "c.md"), b"Dear {{name}}, you owe {{amount}}.\n")
    good = write(os.path.join(tmp, "good.csv"),
                 b"id,name,amount\r\n1,Ann,5\r\n2,Bob,6\r\n")
    o = os.path.join(tmp, "chk")
    r = lp("merge", tpl, "-d", good, "-o", o + "/{{id}}.pdf", "--check", env=ENV)
    check("merge --check on good data: exit 0, says so, writes nothing",
          r.code == 0 and "2 records, 0 problems" in r.err and not os.path.exists(o),
          short(r.err))
    recs = [{"id": "1", "name": "Ann", "amount": "5"},
            {"id": "2", "name": "Bob"},
            {"id": "1", "name": "Cy", "amount": "7"},
            {"name": "Di", "amount": "8"},
            {"id": "5", "name": "Ed", "amount": 9}]
    bad = write(os.path.join(tmp, "bad.jsonl"),
                "".join(json.dumps(x) + "\n" for x in recs).encode())
    r = lp("merge", tpl, "-d", bad, "-o", o + "/{{id}}.pdf", "--check", env=ENV)
    lines = [l for l in r.err.splitlines() if ": error: " in l]
    check("merge --check: exit 2, every problem listed, nothing written",
          r.code == 2 and len(lines) == 3 and not os.path.exists(o) and
          "5 records, 3 problems" in r.err, short(r.err, 1500))
    check("merge --check: a missing value, at its record and data line",
          any("record 2 (%s:2)" % bad in l and "amount" in l for l in lines), short(r.err, 1500))
    check("merge --check: an output name made twice",
          any("record 3 (%s:3" % bad in l and "record 1 makes the output name" in l
              for l in lines), short(r.err, 1500))
    check("merge --check: a record without the -o value",
          any("record 4 (%s:4)" % bad in l and "'id'" in l for l in lines),
          short(r.err, 1500))
    gb = write(os.path.join(tmp, "gb.csv"),
               "id,name,amount\r\n1,张三,5\r\n".encode("gb18030"))
    r = lp("merge", tpl, "-d", gb, "-o", o + "/{{id}}.pdf", "--check", env=ENV)
    check("merge --check: an encoding problem, exit 2",
          r.code == 2 and "--encoding" in r.err and not os.path.exists(o), short(r.err))


def test_interrupt(tmp):
    tpl = write(os.path.join(tmp, "i.md"), b"# Letter {{id}}\n\nDear {{name}}.\n")
    n = 20000
    data = write(os.path.join(tmp, "i.csv"),
                 ("id,name\r\n" + "".join("%d,N%d\r\n" % (i, i) for i in range(n))).encode())
    o = os.path.join(tmp, "int")
    p = subprocess.Popen([LP, "merge", tpl, "-d", data, "-o", o + "/{{id}}.pdf", "-j", "2"],
                         stderr=subprocess.PIPE, env=dict(os.environ, **ENV),
                         start_new_session=True)
    deadline = time.time() + 30
    while time.time() < deadline and len(listing(o)) < 50:
        time.sleep(0.05)
    os.killpg(p.pid, signal.SIGINT)  # as Ctrl-C: the whole process group
    err = p.communicate(timeout=60)[1].decode()
    m = re.search(r"interrupted: (\d+) of %d letters written; run again with "
                  r"--skip-existing to resume" % n, err)
    made = [f for f in listing(o) if f.endswith(".pdf")]
    check("Ctrl-C during merge: exit 130 and says how far it got",
          p.returncode == 130 and m is not None, "exit %s: %s" % (p.returncode, short(err)))
    check("Ctrl-C: the count said is the letters there, no partial files",
          m is not None and int(m.group(1)) == len(made) and 0 < len(made) < n and
          not temporary(o), "%s said, %d there, %r" % (m and m.group(1), len(made),
                                                       temporary(o)))
    r = lp("merge", tpl, "-d", data, "-o", o + "/{{id}}.pdf", "--skip-existing",
           env=ENV, timeout=600)
    check("Ctrl-C: --skip-existing resumes", r.code == 0 and len(listing(o)) == n and
          ("%d skipped" % len(made)) in r.err, short(r.err))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for test in (test_encodings, test_delimiters, test_values,
                     test_mismatch, test_check, test_interrupt):
            d = os.path.join(tmp, test.__name__)
            os.mkdir(d)
            test(d)
    e2e.finish()


if __name__ == "__main__":
    main()
