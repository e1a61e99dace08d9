#!/usr/bin/env python3
"""Letters of each East Asian locale, as their readers expect them.

The cases tests/cases/letter-{zh-TW,zh-HK,ko,ja}.md are business letters
with the recipient's address (and for Japanese the date and sender) above
the subject.  Each renders to one letter on one page with its own footer,
in the font of its region, without a word on stderr; its seal and
signature labels make signature fields; Chinese closings and the Japanese
頭語 sit where a typesetter puts them.  Then the lang tags: `_` read as
`-`, script subtags, and country codes taken for languages (a located
error naming the language meant).

Uses the harness of tests/e2e.py; prints "N passed, N failed" last.
"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import (CASES, MARGIN, SIZE, bbox_lines, check, fonts, lp, nows,  # noqa: E402
                 outline, page_count, poppler_text, render_md, run, short)

# case: (font of the region, other CJK fonts that must not appear, footer,
#        title, a line of the address, the signature fields)
LETTERS = {
    "letter-zh-TW": ("NotoSerifCJKtc", ("sc", "hk", "jp", "kr"), "第1頁共1頁",
                     "報價確認函", "宏達貿易股份有限公司", ["立書人（簽章）"]),
    "letter-zh-HK": ("NotoSerifCJKhk", ("sc", "tc", "jp", "kr"), "第1頁共1頁",
                     "續約通知書", "中港城第一座", ["客戶簽署", "公司蓋章"]),
    "letter-ko": ("NotoSerifCJKkr", ("sc", "tc", "hk", "jp"), "1/1",
                  "계약 갱신 안내", "한빛상사", ["서명 또는 날인"]),
    "letter-ja": ("NotoSerifCJKjp", ("sc", "tc", "hk", "kr"), "1/1ページ",
                  "請求書送付のご案内", "株式会社山田商事", ["記名押印"]),
}


def acroform(pdf):
    """[(name, field type)] of the PDF's form fields, from qpdf."""
    r = run(["qpdf", "--json", "--json-key=acroform", pdf])
    try:
        fields = json.loads(r.text)["acroform"]["fields"]
    except (ValueError, KeyError):
        return []
    return [(f.get("fullname"), f.get("fieldtype")) for f in fields]


def line_with(lines, needle):
    """The first visual line whose text (without spaces) holds needle."""
    for l in lines:
        if needle in l["text"]:
            return l
    return None


def cjk_fonts(pdf):
    return [f[0] for f in fonts(pdf) or [] if "CJK" in f[0]]


def test_letter(tmp, name, spec):
    font, others, footer, title, address, sigs = spec
    src = os.path.join(CASES, name + ".md")
    pdf = os.path.join(tmp, name + ".pdf")
    r = lp("render", src, "-o", pdf)
    check(name + ": exit 0", r.code == 0, short(r.err))
    check(name + ": nothing on stderr (no fontconfig warning)", r.err == "", short(r.err))
    names = cjk_fonts(pdf)
    check(name + ": set in " + font, any(font in n for n in names), names)
    check(name + ": no other region's CJK font",
          not any("NotoSerifCJK" + o in n or "NotoSansCJK" + o in n
                  for n in names for o in others), names)
    # The address before the subject is the letter's: one page, one
    # outline entry (the heading's), the footer counts one page.
    check(name + ": one page", page_count(pdf) == 1, page_count(pdf))
    check(name + ": one outline entry, the heading's", outline(pdf) == [(title, 1)],
          outline(pdf))
    text = nows(poppler_text(pdf))
    at_addr, at_title = text.find(nows(address)), text.find(nows(title))
    check(name + ": the address comes before the subject, on its page",
          0 <= at_addr < at_title, (at_addr, at_title))
    lines, _ = bbox_lines(pdf)
    last = max(lines, key=lambda l: l["y1"]) if lines else {"text": ""}
    check(name + ": footer " + footer, last["text"] == footer, last)
    fields = acroform(pdf)
    check(name + ": signature fields " + ", ".join(sigs),
          [n for n, t in fields if t == "/Sig"] == sigs, fields)
    r = lp("fields", src)
    try:
        listed = [f["name"] for f in json.loads(r.text)["fields"]
                  if f["kind"] == "signature"]
    except (ValueError, KeyError):
        listed = None
    check(name + ": `letterpress fields` lists them as signatures", listed == sigs,
          short(r.text + r.err))
    return pdf


def test_layouts(pdfs):
    """Where closings and openings sit on the line."""
    indent = MARGIN + 2 * SIZE
    lines, _ = bbox_lines(pdfs["letter-zh-TW"])
    a, b = line_with(lines, "此致"), line_with(lines, "敬禮")
    check("zh-TW: 此致 indented 2 em", a and abs(a["x0"] - indent) < 1.5, a)
    check("zh-TW: 敬禮 flush left on the next line",
          b and abs(b["x0"] - MARGIN) < 1.5 and a and b["y1"] > a["y1"], b)
    lines, _ = bbox_lines(pdfs["letter-zh-HK"])
    a, b = line_with(lines, "順頌"), line_with(lines, "商祺")
    check("zh-HK: 順頌 indented 2 em (one paragraph with a hard break)",
          a and abs(a["x0"] - indent) < 1.5, a)
    check("zh-HK: 商祺 flush left on the next line",
          b and abs(b["x0"] - MARGIN) < 1.5 and a and b["y1"] > a["y1"], b)
    lines, _ = bbox_lines(pdfs["letter-ja"])
    a, b = line_with(lines, "拝啓"), line_with(lines, "さて")
    check("ja: 拝啓 at the line head", a and abs(a["x0"] - MARGIN) < 1.5, a)
    check("ja: the next paragraph indented 1 em",
          b and abs(b["x0"] - (MARGIN + SIZE)) < 1.5, b)
    date, title = line_with(lines, "2025年4月1日"), line_with(lines, "請求書送付")
    check("ja: the date above the subject, flush right",
          date and title and date["y1"] < title["y1"] and
          abs(date["x1"] - (595.28 - MARGIN)) < 1.5, (date, title))


def test_tags(tmp):
    """lang tags: script subtags, `_` for `-`, country codes."""
    body = "地址：臺北市\n\n# 通知\n\n本公司謹此通知。\n"
    for tag, font, footer in (("zh-Hant", "NotoSerifCJKtc", "第1頁共1頁"),
                              ("zh-Hant-HK", "NotoSerifCJKhk", "第1頁共1頁"),
                              ("zh-Hans", "NotoSerifCJKsc", "第1页共1页"),
                              ("zh_HK", "NotoSerifCJKhk", "第1頁共1頁"),
                              ("zh-MO", "NotoSerifCJKtc", "第1頁共1頁")):
        r, pdf = render_md(tmp, "tag", "---\nlang: %s\n---\n\n%s" % (tag, body))
        check("lang: %s: exit 0, nothing on stderr" % tag, r.code == 0 and r.err == "",
              short(r.err))
        names = cjk_fonts(pdf)
        check("lang: %s: %s" % (tag, font), names and all(font in n for n in names), names)
        check("lang: %s: footer %s" % (tag, footer),
              nows(poppler_text(pdf)).endswith(footer), short(poppler_text(pdf)))
        if tag == "zh_HK":
            r = run(["mutool", "show", pdf, "trailer/Root/Lang"])
            check("lang: zh_HK is written zh-HK in /Lang", "(zh-HK)" in r.text,
                  short(r.text))
    r, pdf = render_md(tmp, "tag", "---\nlang: zh_tw\n---\n\n%s" % body)
    r = run(["mutool", "show", pdf, "trailer/Root/Lang"])
    check("lang: zh_tw is written zh-TW in /Lang", "(zh-TW)" in r.text, short(r.text))
    r = lp("fonts", "--lang", "zh-Hant")
    check("fonts --lang zh-Hant: nothing on stderr", r.code == 0 and r.err == "",
          short(r.err))
    for tag, meant in (("jp", "ja"), ("kr", "ko"), ("ja-jp-x", None), ("xx", None)):
        src = os.path.join(tmp, "bad.md")
        with open(src, "w", encoding="utf-8") as f:
            f.write("---\ntitle: t\nlang:  %s\n---\n\n本文。\n" % tag)
        out = os.path.join(tmp, "bad.pdf")
        r = lp("render", src, "-o", out)
        first = r.err.splitlines()[0] if r.err else ""
        check("lang: %s: exit 2, error at the value (3:8)" % tag,
              r.code == 2 and first.startswith(src + ":3:8: error: 'lang: %s'" % tag),
              short(r.err))
        if meant:
            check("lang: %s: suggests %s" % (tag, meant), "'%s'" % meant in first, first)
        check("lang: %s: no PDF left" % tag, not os.path.exists(out), "")
    r = lp("render", os.path.join(tmp, "tag.md"), "-o", os.path.join(tmp, "m.pdf"),
           "--meta", "lang=kr")
    check("--meta lang=kr: exit 2, suggests ko", r.code == 2 and "'ko'" in r.err,
          short(r.err))


def test_letters(tmp):
    """Text before the first heading joins the first letter."""
    r, pdf = render_md(tmp, "two", "---\nlang: zh-CN\n---\n\n北京市海淀区\\\n某某公司\n\n"
                       "# 甲函\n\n正文。\n\n# 乙函\n\n正文。\n")
    check("address then two letters: two pages", page_count(pdf) == 2, page_count(pdf))
    check("address then two letters: outline entries on pages 1 and 2",
          outline(pdf) == [("甲函", 1), ("乙函", 2)], outline(pdf))
    for p in (1, 2):
        text = nows(poppler_text(pdf, p))
        check("address then two letters: page %d is 1 of 1" % p,
              text.endswith("第1页共1页"), short(text))
    r, pdf = render_md(tmp, "none", "---\ntitle: 通知\nlang: zh-CN\n---\n\n第一段。\n\n"
                       "第二段。\n")
    check("no heading: one letter named by the title",
          page_count(pdf) == 1 and outline(pdf) == [("通知", 1)], outline(pdf))
    r, pdf = render_md(tmp, "fm", "---\ntitle: 合集\nlang: zh-CN\n---\n\n# 甲函\n\n正文。\n")
    check("front matter only before the heading: one letter, the heading's entry",
          page_count(pdf) == 1 and outline(pdf) == [("甲函", 1)], outline(pdf))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        pdfs = {name: test_letter(tmp, name, spec) for name, spec in LETTERS.items()}
        test_layouts(pdfs)
        test_tags(tmp)
        test_letters(tmp)
    e2e.finish()


if __name__ == "__main__":
    main()
