#!/usr/bin/env python3
"""Lines break where UAX #14 allows, through the command line.

An English lawyer's letter whose amounts, dates, times, versions and phone
numbers fall at line ends in columns of many widths (none is ever split,
nothing passes the margin); no-break spaces; soft hyphens (a hyphen where
the line breaks, nothing elsewhere); an 86-letter word hyphenated; URLs and e-mail addresses (no line
ends after a hyphen of a host name); Korean (breaks at spaces only,
justified at word spaces; `word-break: normal` for the other style);
Japanese (a typed ideographic-space indent is not doubled, 〒 stays with
its postal code, `：「` set as jlreq spaces the pair); and a line break
inside a data value, which keeps the paragraph's first-line indent.

Uses the harness of tests/e2e.py; prints "N passed, N failed" last.
"""
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import (A4, MARGIN, MM, SIZE, bbox_lines, check, lp, nows,  # noqa: E402
                 run, short, stext_chars)

LAWYER = (
    "Pursuant to Section\u00a04.2 of the Agreement and 15\u00a0U.S.C.\u00a0"
    "\u00a7\u00a01125, our client demands payment of the outstanding "
    "principal, namely $1,250,000.00 together with interest at 4.75% from "
    "2024-10-01, and a further $1,250 for costs. Payment is due by 12:30 on "
    "2024-11-15 to account +86-21-5555-0123 (ref. v2.4.1); amounts of "
    "\u00a53,000 or \u20ac12 paid to date, about 95% of the invoice, are "
    "credited. See https://www.whitfield-partners.example/notices/2024/"
    "payment-terms.html or write to claims.department@whitfield-partners."
    "example.com for the com\u00adpen\u00adsa\u00adtion sched\u00adule.")

# Written without spaces (as nows() gives the lines): none may be split.
TOKENS = ["$1,250,000.00", "4.75%", "2024-10-01", "$1,250", "12:30",
          "2024-11-15", "+86-21-5555-0123", "v2.4.1", "\u00a53,000",
          "\u20ac12", "95%", "Section4.2", "15U.S.C.\u00a71125"]

KOREAN = (
    "귀하의 개인정보는 개인정보보호법 제15조에 따라 수집되며, 본 계약의 이행을 "
    "위하여 필요한 범위 내에서만 이용됩니다. 당사는 귀하의 동의 없이 개인정보를 "
    "제3자에게 제공하지 않으며, 관련 법령에 따라 안전하게 관리합니다. 계약 해지 "
    "시에는 서면으로 통지하여 주시기 바랍니다. 문의 사항이 있으시면 담당자에게 "
    "연락하여 주십시오. 본 안내는 2024년 10월 1일부터 시행됩니다.")


def write(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def render(tmp, name, text, *args):
    src = write(tmp, name + ".md", text)
    pdf = os.path.join(tmp, name + ".pdf")
    r = lp("render", src, "-o", pdf, *args)
    check("%s: render exits 0, no warnings" % name, r.code == 0 and not r.err,
          "exit %d: %s" % (r.code, short(r.err)))
    return pdf if r.code == 0 else None


def body(pdf):
    """The lines of page 1 inside the margins: [dict(x0, x1, text)]."""
    lines, heights = bbox_lines(pdf)
    return [l for l in lines if l["page"] == 1 and
            MARGIN - 1 <= l["y1"] <= heights[0] - MARGIN + 1]


def split_tokens(lines):
    """(token, end of a line, start of the next) for each token split."""
    out = []
    for a, b in zip(lines, lines[1:]):
        for t in TOKENS:
            for k in range(1, len(t)):
                if a["text"].endswith(t[:k]) and b["text"].startswith(t[k:]):
                    out.append((t, a["text"][-12:], b["text"][:12]))
    return out


def test_lawyer(tmp):
    """Amounts at line ends in 11 column widths: whole, inside the margin."""
    splits, outside, hyphen_ends, shown = [], [], [], 0
    for m in range(40, 95, 5):
        pdf = render(tmp, "lawyer-%d" % m, "---\nlang: en\nmargin: 25mm %dmm 25mm 25mm\n"
                     "---\n\nDear Ms Whitfield,\n\n%s\n\nYours sincerely,\n" % (m, LAWYER))
        if not pdf:
            continue
        lines = body(pdf)
        right = A4[0] - m * MM
        splits += [(m,) + s for s in split_tokens(lines)]
        outside += [(m, l["text"][-10:]) for l in lines if l["x1"] > right + 0.1]
        # The host name's own hyphen never ends a line (it would read as a
        # hyphenation): "whitfield-" / "partners".
        hyphen_ends += [(m, l["text"][-14:]) for l in lines
                        if l["text"].endswith("whitfield-")]
        text = run(["mutool", "draw", "-q", "-F", "txt", "-o", "-", pdf, "1"]).text
        # A soft hyphen shows a hyphen where the line breaks, else nothing
        # (not even a space in the extracted text).
        for line in text.splitlines():
            if re.search(r"(com|pen|sa|sched)-$", line.strip()):
                shown += 1
        words = re.sub(r"-\n", "", text)
        check("lawyer %d: 'compensation schedule' reads whole, nothing shown "
              "at its soft hyphens" % m, "compensation schedule" in
              re.sub(r"\s+", " ", words) and "\u00ad" not in text, short(text))
    check("lawyer: amounts, dates, times, versions, phone numbers and "
          "NBSP-joined words never split (11 widths)", not splits, splits)
    check("lawyer: nothing passes the right margin", not outside, outside)
    check("lawyer: no line ends after a host name's hyphen", not hyphen_ends,
          hyphen_ends)
    check("lawyer: a soft hyphen shows a hyphen when the line breaks there",
          shown >= 1, shown)


def test_long_word(tmp):
    """An 86-letter chemical name is hyphenated (the patterns reach far
    past 64 letters): the line before it ends with part of it and a
    hyphen at the margin, instead of being spread."""
    word = ("methylenedioxymethamphetaminehydrochloridemonohydrate"
            "dimethylaminoethylbenzoylecgonine")
    pdf = render(tmp, "long-word", "---\nlang: en-US\nmargin: 25mm 70mm\n---\n\n"
                 "The laboratory report names %s as the compound.\n" % word)
    if not pdf:
        return
    lines = body(pdf)
    right = 612 - 70 * MM
    first = lines[0] if lines else {"text": "", "x1": 0}
    check("long word: the first line ends with the word's first part and a "
          "hyphen, at the margin",
          first["text"].startswith("Thelaboratoryreportnames") and
          first["text"].endswith("-") and abs(first["x1"] - right) <= 0.1,
          [l["text"] for l in lines])
    joined = "".join(l["text"][:-1] if l["text"].endswith("-") else l["text"]
                     for l in lines)
    check("long word: the lines without their hyphens are the text",
          joined == nows("The laboratory report names %s as the compound." % word),
          joined)


def test_korean(tmp):
    """Breaks at spaces only; syllables of a word keep their advance."""
    pdf = render(tmp, "ko", "---\nlang: ko\n---\n\n%s\n" % KOREAN)
    if pdf:
        lines = body(pdf)
        words = KOREAN.split(" ")
        # Each line is a run of whole words.
        at, ok = 0, True
        for l in lines:
            got = ""
            while at < len(words) and len(got) < len(l["text"]):
                got += words[at]
                at += 1
            ok = ok and got == l["text"]
        check("ko: every line ends at a space (keep-all)",
              ok and at == len(words) and len(lines) >= 4, [l["text"] for l in lines])
        chars = [c for c in stext_chars(pdf) if "\uac00" <= c[3] <= "\ud7a3"]
        gaps = {}
        for a, b in zip(chars, chars[1:]):
            if a[2] == b[2]:
                gaps.setdefault(round(b[1] - a[1], 2), 0)
                gaps[round(b[1] - a[1], 2)] += 1
        # Adjacent syllables of a word are one syllable's advance apart
        # (the commonest distance); justification widens only the spaces
        # (a distance of more than an advance and a space).
        step = max(gaps, key=gaps.get) if gaps else 0
        check("ko: syllables inside words are not spread (justified at "
              "word spaces)", 0.9 * SIZE < step <= SIZE and
              not [g for g in gaps if step + 0.01 < g < step + 0.3 * SIZE], gaps)
    pdf = render(tmp, "ko-normal", "---\nlang: ko\n---\n\n%s\n" % KOREAN,
                 "--meta", "word-break=normal")
    if pdf:
        lines = body(pdf)
        words = set(KOREAN.split(" "))
        check("ko word-break=normal: some line breaks inside a word",
              any(l["text"] and not any(l["text"].endswith(w) for w in words)
                  for l in lines[:-1]), [l["text"] for l in lines])
    r = lp("render", write(tmp, "bad.md", "---\nword-break: all\n---\n\nx\n"),
           "-o", os.path.join(tmp, "bad.pdf"))
    check("word-break: all is an error at its line naming the values",
          r.code == 2 and ":2:" in r.err and "keep-all" in r.err and
          "normal" in r.err, short(r.err))


def test_japanese(tmp):
    kana = "\u3042" * 39
    pdf = render(tmp, "ja", "---\nlang: ja\n---\n\n"
                 "\u3000\u3000拝啓　名称：「レタープレス」と申します。\n\n"
                 "%s〒100-0001 東京都千代田区。\n" % kana)
    if not pdf:
        return
    chars = [c for c in stext_chars(pdf) if c[3].strip() and c[2] < A4[1] - MARGIN]
    first = next((c for c in chars if c[3] == "拝"), None)
    check("ja: two typed ideographic spaces are the whole indent (no "
          "automatic em on top)", first and abs(first[1] - (MARGIN + 2 * SIZE)) < 0.01,
          first)
    colon = next((c for c in chars if c[3] == "："), None)
    bracket = next((c for c in chars if c[3] == "「"), None)
    # jlreq: the colon keeps its full em (its quarter em after it), the
    # bracket loses its blank half: its glyph origin half an em after the
    # colon's (it was a whole em).
    check("ja: ：「 set as jlreq spaces the pair (the bracket's blank half "
          "gone)", colon and bracket and abs(bracket[1] - colon[1] - SIZE / 2) < 0.01,
          (colon, bracket))
    lines = body(pdf)
    check("ja: 〒 never ends a line; it starts the line of its postal code",
          not any(l["text"].endswith("〒") for l in lines) and
          any(l["text"].startswith("〒100-0001") for l in lines),
          [l["text"] for l in lines])


def test_value_newline(tmp):
    src = write(tmp, "note.md", "---\nlang: zh-CN\n---\n\n备注：{{note}}本函自即日起生效。\n\n"
                "地址：北京市\\\n邮编：100000\n")
    data = write(tmp, "note.json", json.dumps({"note": "第一行说明。\n第二行说明。"},
                                              ensure_ascii=False))
    pdf = os.path.join(tmp, "note.pdf")
    r = lp("render", src, "-d", data, "-o", pdf)
    if not check("note: render exits 0", r.code == 0, short(r.err)):
        return
    lines = body(pdf)
    texts = [l["text"] for l in lines]
    first = next((l for l in lines if l["text"].startswith("备注")), None)
    check("note: a line break in a data value keeps the paragraph's 2 em "
          "first-line indent", first and abs(first["x0"] - (MARGIN + 2 * SIZE)) < 0.5,
          first)
    check("note: the value's newline is a line break",
          "备注：第一行说明。" in texts and "第二行说明。本函自即日起生效。" in texts, texts)
    addr = next((l for l in lines if l["text"].startswith("地址")), None)
    check("note: a hard break typed in the template still sets the block "
          "flush left", addr and abs(addr["x0"] - MARGIN) < 0.5, addr)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        test_lawyer(tmp)
        test_long_word(tmp)
        test_korean(tmp)
        test_japanese(tmp)
        test_value_newline(tmp)
    e2e.finish()


if __name__ == "__main__":
    main()
