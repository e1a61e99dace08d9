#!/usr/bin/env python3
"""End-to-end tests of what makes a document's structure, through the CLI.

- Data never makes structure: each marker of the template language typed
  in a data value (blanks, checkboxes, signature labels and [[signature]],
  {.right}/{.center}, images, headings, list and task markers, section
  tags) stays literal text: no form field (qpdf --json), no image, no
  outline entry, and pdftotext shows what was typed.
- Front matter: an empty value means empty (footer: "" is no footer, not
  the value of the key before it); placeholders in title, author, subject,
  keywords, header and footer are filled from each record (pdfinfo), with
  the body's missing-value rules, in render and merge.
- Headings are aligned by {.right}/{.center}, and no C0 control character
  ever reaches a PDF string (metadata, outlines, field names), a ToUnicode
  map or the extracted text: checked on every PDF this suite makes and on
  every template of tests/cases and templates/.

Uses the harness of tests/e2e.py; prints "N passed, N failed" last.
"""
import glob
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check, lp, nows, run, short  # noqa: E402

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # C0 but tab and LF
TEXT_CONTROL = re.compile(r"[\x00-\x09\x0b\x0d-\x1f\x7f]")  # pdftotext: LF, FF
MM = 72 / 25.4


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def text_of(pdf):
    return run(["pdftotext", "-enc", "UTF-8", pdf, "-"]).text


def fields(pdf):
    """(field type, full name) of every AcroForm field qpdf sees."""
    r = run(["qpdf", "--json", "--json-key=acroform", pdf])
    if r.code != 0:
        return None
    return [(f["fieldtype"], f["fullname"])
            for f in json.loads(r.text)["acroform"]["fields"]]


def outlines(pdf):
    r = run(["qpdf", "--json", "--json-key=outlines", pdf])
    return [o["title"] for o in json.loads(r.text)["outlines"]] if r.code == 0 else None


def qpdf_strings(pdf):
    """Every text string of every object of pdf (qpdf JSON v2 "u:")."""
    r = run(["qpdf", "--json", "--json-key=qpdf", pdf])
    out = []

    def walk(v):
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, str) and v.startswith("u:"):
            out.append(v[2:])
    if r.code == 0:
        walk(json.loads(r.text))
    return out


def tounicode_targets(pdf, tmp):
    """The code points every ToUnicode map of pdf maps glyphs to."""
    qdf = os.path.join(tmp, "check.qdf")
    run(["qpdf", "--qdf", "--object-streams=disable", pdf, qdf])
    try:
        data = open(qdf, "rb").read().decode("latin-1")
    except OSError:
        return None
    cps = []
    for block in re.findall(r"beginbf(?:char|range)(.*?)endbf(?:char|range)", data, re.S):
        for line in block.strip().splitlines():
            hexes = re.findall(r"<([0-9A-Fa-f]*)>", line)
            if len(hexes) < 2:
                continue
            dst = hexes[-1]
            units = [int(dst[i:i + 4], 16) for i in range(0, len(dst), 4)]
            cps += units
    return cps


def check_no_controls(name, pdf, tmp):
    """No C0 control character in pdf's strings, ToUnicode maps or text."""
    bad = [s for s in qpdf_strings(pdf) if CONTROL.search(s)]
    check("%s: no control character in a PDF string" % name, not bad, short(bad))
    cps = tounicode_targets(pdf, tmp) or []
    bad_cps = sorted({c for c in cps if c < 0x20 or c == 0x7F})
    check("%s: no glyph maps to a control character" % name, not bad_cps,
          ["U+%04X" % c for c in bad_cps])
    text = text_of(pdf)
    check("%s: no control character in the text" % name,
          not TEXT_CONTROL.search(text), repr(text[:200]))


def render(tmp, name, template, data=None, args=()):
    """Renders template text (and data, a dict) to tmp/name.pdf; returns
    (Result, pdf path)."""
    md = write(os.path.join(tmp, name + ".md"), template)
    pdf = os.path.join(tmp, name + ".pdf")
    extra = []
    if data is not None:
        extra = ["-d", write(os.path.join(tmp, name + ".json"),
                             json.dumps(data, ensure_ascii=False))]
    return lp("render", md, "-o", pdf, *extra, *args), pdf


# ---- 1. Data never makes structure --------------------------------------------

MARKERS = {
    # name: (value, what pdftotext must show, whitespace removed)
    "checkboxes": ("☑ 同意 □ 不同意 ☐ 待定 ☒ 否", "☑同意□不同意☐待定☒否"),
    "blank": ("金额 _____ 元", "金额_____元"),
    "signature-label": ("签名：", "签名："),
    "signature-syntax": ("[[signature]]", "[[signature]]"),
    "right": ("落款 {.right}", "落款{.right}"),
    "center": ("居中 {.center}", "居中{.center}"),
    "image": ("![图](pic.png)", "![图](pic.png)"),
    "heading": ("# 第二封信\n## 小节", "#第二封信##小节"),
    "list": ("- 一\n1. 二\n* 三", "-一1.二*三"),
    "task": ("[ ] 同意 [x] 不同意", "[]同意[x]不同意"),
    "sections": ("{{#x}}三{{/x}} {{^x}}四{{/x}} {{! 注 }}", "{{#x}}三{{/x}}{{^x}}四{{/x}}{{!注}}"),
}


def test_data_markers(tmp):
    for name, (value, shown) in MARKERS.items():
        tpl = ("---\nlang: zh-CN\n---\n# 通知\n\n正文：{{v}}\n\n"
               "栏目：{{v}}____\n\n- {{v}}\n")
        r, pdf = render(tmp, "data-" + name, tpl, {"v": value, "x": True})
        if not check("data %s: renders" % name, r.code == 0, r.err):
            continue
        fs = fields(pdf)
        # The template's own blank after the value is its only field, and
        # a text field: the value's words never make it a signature field.
        check("data %s: no field from the data" % name,
              fs == [("/Tx", fs[0][1])] if fs and len(fs) == 1 else False, fs)
        check("data %s: the text as typed" % name,
              nows(text_of(pdf)).count(shown) >= 3, short(text_of(pdf)))
        check("data %s: one outline entry" % name, outlines(pdf) == ["通知"],
              outlines(pdf))
        images = run(["pdfimages", "-list", pdf]).text.splitlines()[2:]
        check("data %s: no image" % name, not images, images)
        check_no_controls("data " + name, pdf, tmp)
    # The template's own markers, beside the same values, still work.
    tpl = ("---\nlang: zh-CN\n---\n# 通知\n\n{{v}} 模板 ☐ 是\n\n"
           "{{who}}签名：____\n")
    r, pdf = render(tmp, "data-own", tpl, {"v": "☑ 同意", "who": "客户"})
    fs = fields(pdf) or []
    check("template markers beside values: one checkbox, one signature",
          sorted(t for t, _ in fs) == ["/Btn", "/Sig"], fs)


# ---- 2. Empty front-matter values ------------------------------------------------

def test_empty_values(tmp):
    for value in ['""', "''", "", "~", "null"]:
        tpl = "---\nlang: en\nfooter: %s\n---\nHello.\n" % value
        r, pdf = render(tmp, "empty-footer", tpl)
        text = text_of(pdf) if r.code == 0 else ""
        check("footer: %s after lang: en is no footer" % (value or "(nothing)"),
              r.code == 0 and nows(text) == "Hello.", r.err + short(text))
    tpl = "---\ntitle: Letter\nheader: \"\"\nauthor: ''\n---\nHello.\n"
    r, pdf = render(tmp, "empty-header", tpl)
    info = e2e.pdfinfo(pdf) if r.code == 0 else {}
    check("header: '' after title is no header", r.code == 0 and
          nows(text_of(pdf)).startswith("Hello.") and "Letter" not in text_of(pdf),
          short(text_of(pdf)) if r.code == 0 else r.err)
    check("author: '' is no author", r.code == 0 and not info.get("Author"), info)


# ---- 3. Placeholders in the front matter ------------------------------------------

FM_TEMPLATE = ("---\ntitle: \"{{name}} 的工资函\"\nauthor: \"{{hr}}\"\n"
               "subject: 工资 {{month}}\nkeywords: [工资, \"{{name}}\"]\n"
               "header: \"{{company}} 机密\"\n"
               "footer: \"{{company}} 第 {page} 页 共 {pages} 页\"\n"
               "lang: zh-CN\n---\n# 工资函\n\n{{name}}：您好。\n")


def test_front_matter_placeholders(tmp):
    record = {"id": 1, "name": "张三", "hr": "李四", "month": "十月",
              "company": "甲公司 {page}"}
    r, pdf = render(tmp, "fm", FM_TEMPLATE, record)
    if not check("front matter: renders", r.code == 0, r.err):
        return
    info = e2e.pdfinfo(pdf)
    check("front matter: title filled", info.get("Title") == "张三 的工资函", info)
    check("front matter: author filled", info.get("Author") == "李四", info)
    check("front matter: subject filled", info.get("Subject") == "工资 十月", info)
    check("front matter: keywords filled", info.get("Keywords") == "工资, 张三", info)
    text = nows(text_of(pdf))
    check("front matter: header filled, the data's {page} as typed",
          "甲公司{page}机密" in text, short(text))
    check("front matter: footer filled, the template's {page} a number",
          "甲公司{page}第1页共1页" in text, short(text))
    check("front matter: outline of the letter", outlines(pdf) == ["工资函"],
          outlines(pdf))
    # A footer whose only value is empty: no footer (and no crash).
    r, pdf = render(tmp, "fm-empty", "---\nlang: en\nfooter: \"{{co}}\"\n"
                    "header: \"{{co}}\"\n---\nHello.\n", {"co": ""})
    check("front matter: a footer filled with \"\" is no footer",
          r.code == 0 and nows(text_of(pdf)) == "Hello.", r.err)
    # Missing: an error at the placeholder's place in the front matter.
    r, pdf = render(tmp, "fm-missing", FM_TEMPLATE, {"name": "张三"})
    check("front matter: a missing name is a located error",
          r.code == 2 and "fm-missing.md:3:10:" in r.err and "hr (3:10)" in r.err
          and not os.path.exists(pdf), r.err)
    # --blanks: underscores where a value is missing.
    r, pdf = render(tmp, "fm-blanks", FM_TEMPLATE, None, ["--blanks"])
    info = e2e.pdfinfo(pdf) if r.code == 0 else {}
    check("front matter --blanks: underscores in the title",
          info.get("Title") == "____________ 的工资函", info)
    check("front matter --blanks: underscores in the footer",
          "____________第1页共1页" in nows(text_of(pdf)) if r.code == 0 else False,
          r.err)
    # merge: each letter its own title; -o names still from the record.
    data = os.path.join(tmp, "fm.jsonl")
    with open(data, "w", encoding="utf-8") as f:
        for k, name in enumerate(["张三", "王五"], 1):
            f.write(json.dumps({"id": k, "name": name, "hr": "李四", "month":
                                "十月", "company": "甲"}, ensure_ascii=False) + "\n")
    out = os.path.join(tmp, "fm-out")
    md = os.path.join(tmp, "fm.md")
    r = lp("merge", md, "-d", data, "-o", out + "/{{name}}-{{id}}.pdf",
           "--combined", out + "/all.pdf")
    check("front matter merge: exit 0", r.code == 0, r.err)
    for k, name in enumerate(["张三", "王五"], 1):
        pdf = os.path.join(out, "%s-%d.pdf" % (name, k))
        info = e2e.pdfinfo(pdf) if os.path.exists(pdf) else {}
        check("front matter merge: %s's title" % name,
              info.get("Title") == name + " 的工资函", (pdf, info))
    info = e2e.pdfinfo(os.path.join(out, "all.pdf"))
    check("front matter merge --combined: the first letter's title, no "
          "one record's author", info.get("Title") == "工资函" and
          not info.get("Author"), info)


# ---- 4. Headings aligned by their mark; no control characters ---------------------

def word_boxes(pdf):
    """(text, xMin, xMax) of each word pdftotext -bbox finds."""
    r = run(["pdftotext", "-enc", "UTF-8", "-bbox", pdf, "-"])
    return [(m.group(3), float(m.group(1)), float(m.group(2))) for m in
            re.finditer(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" '
                        r'yMax="[\d.]+">([^<]*)</word>', r.text)]


def test_heading_marks(tmp):
    tpl = ("---\nlang: zh-CN\n---\n# 承诺书 {.right}\n\n## 一、说明 {.right}\n\n"
           "### 小节 {.center}\n\n正文。\n")
    r, pdf = render(tmp, "heading-marks", tpl)
    if not check("heading marks: render", r.code == 0, r.err):
        return
    info = e2e.pdfinfo(pdf)
    check("heading marks: the title without its mark", info.get("Title") == "承诺书",
          info)
    check("heading marks: the outline without its mark",
          outlines(pdf) == ["承诺书"], outlines(pdf))
    text = text_of(pdf)
    check("heading marks: no mark drawn", "{" not in text and
          nows(text).startswith("承诺书一、说明小节正文。"), short(text))
    right = 210 * MM - 25 * MM
    boxes = {w: (x0, x1) for w, x0, x1 in word_boxes(pdf)}
    for w in ["承诺书", "一、说明"]:
        check("heading marks: %s set right" % w,
              w in boxes and abs(boxes[w][1] - right) < 1.5, boxes.get(w))
    centre = 105 * MM
    check("heading marks: ### centred", "小节" in boxes and
          abs(sum(boxes["小节"]) / 2 - centre) < 1.5, boxes.get("小节"))
    check_no_controls("heading marks", pdf, tmp)


def test_controls(tmp):
    """Every way a control character could come in, none gets out."""
    tpl = ("---\nlang: zh-CN\ntitle: \"A\\eB\\tC\"\nauthor: \"x\\x01y\"\n"
           "footer: \"页\\x1b{page}\"\n---\n"
           "# 合同\t___ [[signature]] {.center}\n\n第一行 {.right}\n第二行\n\n"
           "| 甲 | 乙 {.center}\n|---|---|\n| 1 | 2 {.right}\n\n"
           "- 项目 {.right}\n\n> 引文 {.center}\n\n```\n\tcode\n```\n\n"
           "{{v}}\n\n# {{v}}\n\n标签{{v}}：___\n")
    r, pdf = render(tmp, "controls", tpl,
                    {"v": "a\tb\u001bc\u0001d\u001ce\u001ff\u001eg\u007fh\ni"})
    if check("controls: render", r.code == 0, r.err):
        check_no_controls("controls", pdf, tmp)
        titles = outlines(pdf) or []
        check("controls: titles as typed", titles[:1] == ["合同 ___ [[signature]]"],
              titles)
    md = write(os.path.join(tmp, "raw-control.md"), "正文\n第二\x1b行\n")
    r = lp("render", md, "-o", os.path.join(tmp, "raw-control.pdf"))
    check("controls: one in a template is an error at its place",
          r.code == 2 and "raw-control.md:2:3:" in r.err and "U+001B" in r.err,
          r.err)


def test_fixtures(tmp):
    """The check on every template of the e2e fixtures."""
    mds = sorted(glob.glob(os.path.join(e2e.CASES, "*.md")) +
                 glob.glob(os.path.join(e2e.TEMPLATES, "*.md")))
    made = 0
    for md in mds:
        name = os.path.splitext(os.path.basename(md))[0]
        data = os.path.splitext(md)[0] + ".json"
        args = ["-d", data] if os.path.exists(data) else ["--blanks"]
        pdf = os.path.join(tmp, "fixture-" + name + ".pdf")
        r = lp("render", md, "-o", pdf, *args)
        if r.code != 0:
            continue  # the fixtures of errors
        made += 1
        check_no_controls("fixture " + name, pdf, tmp)
    check("fixtures: rendered and checked", made >= 10, made)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        test_data_markers(tmp)
        test_empty_values(tmp)
        test_front_matter_placeholders(tmp)
        test_heading_marks(tmp)
        test_controls(tmp)
        test_fixtures(tmp)
    e2e.finish()


if __name__ == "__main__":
    main()
