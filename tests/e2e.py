#!/usr/bin/env python3
"""End-to-end tests of the letterpress command.

Runs the real binary (env LETTERPRESS, else ./letterpress in the repository
root) on the templates in templates/ and the fixtures in tests/cases/, and
checks the PDFs with qpdf, poppler (pdfinfo, pdffonts, pdftotext, pdftoppm)
and mupdf (mutool).  Python 3 standard library only.

    make letterpress && python3 tests/e2e.py

Prints "FAIL name: detail" for each failed check and, last, exactly one line
"N passed, N failed"; exits 1 if any check failed.

Notes on the tools:
- poppler's pdftotext (default mode) drops the spaces between CJK and
  digits, so its text is compared with all whitespace removed; `mutool draw
  -F txt` (like pdftotext -raw) keeps the real space characters, so exact
  texts ("第 1 页 共 2 页") are asserted on mutool's output.
- mutool is run with -q (no progress lines) and -N (no ICC colour
  management): this Debian mutool is built without lcms and otherwise warns
  "ICC support is not available" for every file, a property of the tool and
  not of the PDF.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = os.path.join(ROOT, "tests", "cases")
TEMPLATES = os.path.join(ROOT, "templates")
LP = os.path.abspath(os.environ.get("LETTERPRESS") or os.path.join(ROOT, "letterpress"))

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)  # 595.28 x 841.89
A5 = (148 * MM, 210 * MM)
LETTER = (612.0, 792.0)
MARGIN = 25 * MM           # the default margin, all four sides
SIZE = 11.0                # the default font size
EPOCH = "1700000000"       # 2023-11-14 22:13:20 UTC

# Kinsoku (PRODUCT.md 5): no line starts with these, none ends with those.
NO_LINE_START = "，。、：；！？）」』》〉】…ー々"
NO_LINE_END = "（「『《〈【“‘"
FORM_CHARS = "□☐☑☒"

# ---- Harness ----------------------------------------------------------------

passed = 0
failed = 0


def check(name, condition, detail=""):
    """Records one check; prints FAIL name: detail when it fails."""
    global passed, failed
    if condition:
        passed += 1
    else:
        failed += 1
        print("FAIL %s: %s" % (name, detail), flush=True)
    return bool(condition)


def finish():
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


def short(s, n=300):
    s = s if isinstance(s, str) else repr(s)
    return s if len(s) <= n else s[:n] + "..."


def nows(s):
    """s without any whitespace (including U+3000 and form feeds)."""
    return re.sub(r"\s+", "", s)


class Result:
    def __init__(self, p):
        self.code = p.returncode
        self.out = p.stdout
        self.err = p.stderr.decode("utf-8", "replace")

    @property
    def text(self):
        return self.out.decode("utf-8", "replace")


def run(args, env=None, stdin=None, timeout=60):
    e = dict(os.environ)
    e.pop("SOURCE_DATE_EPOCH", None)
    e.update(env or {})
    p = subprocess.run(args, input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=e, timeout=timeout)
    return Result(p)


def lp(*args, **kw):
    return run([LP] + list(args), **kw)


# ---- PDF inspection ---------------------------------------------------------

def pdfinfo(pdf):
    r = run(["pdfinfo", "-isodates", "-enc", "UTF-8", pdf])
    info = {}
    for line in r.text.splitlines():
        k, sep, v = line.partition(":")
        if sep:
            info[k.strip()] = v.strip()
    return info


def page_count(pdf):
    try:
        return int(pdfinfo(pdf).get("Pages", "0"))
    except ValueError:
        return 0


def page_size(pdf):
    m = re.match(r"([\d.]+) x ([\d.]+) pts", pdfinfo(pdf).get("Page size", ""))
    return (float(m.group(1)), float(m.group(2))) if m else (0.0, 0.0)


def poppler_text(pdf, page=None, raw=False):
    args = ["pdftotext", "-enc", "UTF-8"]
    if raw:
        args.append("-raw")
    if page:
        args += ["-f", str(page), "-l", str(page)]
    return run(args + [pdf, "-"]).text


def mutool_text(pdf, page):
    return run(["mutool", "draw", "-q", "-N", "-F", "txt", "-o", "-", pdf,
                str(page)]).text


def outline(pdf):
    """[(title, page number from 1)] of the top-level outline entries."""
    r = run(["qpdf", "--json", "--json-key=outlines", pdf])
    try:
        data = json.loads(r.text)
    except ValueError:
        return []
    return [(o.get("title"), o.get("destpageposfrom1"))
            for o in data.get("outlines", [])]


def fonts(pdf):
    """[(name, type, emb, sub, uni)] from pdffonts; None if unparsable."""
    r = run(["pdffonts", pdf])
    rows = []
    for line in r.text.splitlines()[2:]:
        m = re.match(r"^(\S+)\s+(.*?)\s+(\S+)\s+(yes|no)\s+(yes|no)\s+(yes|no)"
                     r"\s+\d+\s+\d+\s*$", line)
        if not m:
            return None
        rows.append((m.group(1), m.group(2), m.group(4), m.group(5), m.group(6)))
    return rows


def check_fonts(name, pdf):
    rows = fonts(pdf)
    check(name + ": pdffonts lists fonts", rows, "pdffonts output unparsable or empty")
    for f in rows or []:
        check(name + ": font %s embedded, subset, ToUnicode" % f[0],
              f[2:] == ("yes", "yes", "yes"), "emb/sub/uni = %s" % " ".join(f[2:]))
        check(name + ": font %s has a subset tag" % f[0],
              re.match(r"^[A-Z]{6}\+\S+$", f[0]), "name %r" % f[0])
    return rows or []


def check_qpdf(name, pdf):
    r = run(["qpdf", "--check", pdf])
    ok = (r.code == 0 and "No syntax or stream encoding errors" in r.text
          and "WARNING" not in r.text + r.err and "error" not in r.err.lower())
    check(name + ": qpdf --check clean", ok,
          "exit %d: %s %s" % (r.code, short(r.text), short(r.err)))


def check_pdf_file(name, path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        return check(name + ": PDF written", False, str(e))
    return check(name + ": PDF written", data.startswith(b"%PDF-") and
                 data.rstrip().endswith(b"%%EOF"), "not a PDF: %r" % data[:16])


def bbox_lines(pdf):
    """The visual lines of every page, from pdftotext -bbox-layout: words
    grouped by page and baseline, left to right.  Returns [dict(page, x0, x1,
    y0, y1, text)] in reading order and the page heights."""
    r = run(["pdftotext", "-bbox-layout", "-enc", "UTF-8", pdf, "-"])
    xml = re.sub(r"<!DOCTYPE[^>]*>", "", r.text)
    root = ET.fromstring(xml)
    ns = "{http://www.w3.org/1999/xhtml}"
    lines, heights = [], []
    for pno, page in enumerate(root.iter(ns + "page"), 1):
        heights.append(float(page.get("height")))
        groups = {}
        for w in page.iter(ns + "word"):
            y1 = float(w.get("yMax"))
            key = round(y1 * 2) / 2
            groups.setdefault(key, []).append(
                (float(w.get("xMin")), float(w.get("xMax")),
                 float(w.get("yMin")), y1, w.text or ""))
        for key in sorted(groups):
            ws = sorted(groups[key])
            lines.append({"page": pno, "x0": ws[0][0],
                          "x1": max(w[1] for w in ws),
                          "y0": min(w[2] for w in ws), "y1": key,
                          "text": nows("".join(w[4] for w in ws))})
    return lines, heights


# ---- Fixtures -----------------------------------------------------------------

def parse_markdown(path):
    """Front matter (flat key: value) and the body's blocks, classified:
    heading (level), list (one block per item), form (blanks, check boxes,
    hard breaks) or prose.  Text is the source text, markers removed."""
    with open(path, encoding="utf-8-sig") as f:
        text = f.read()
    meta, body = {}, text
    if text.startswith("---\n"):
        end = text.index("\n---\n", 3)
        for line in text[4:end].splitlines():
            k, _, v = line.partition(":")
            meta[k.strip()] = v.strip()
        body = text[end + 5:]
    blocks = []
    for raw in re.split(r"\n[ \t]*\n", body):
        lines = [l.strip() for l in raw.strip("\n").split("\n") if l.strip()]
        if not lines:
            continue
        first = lines[0]
        m = re.match(r"^(#{1,6})\s+(.*)$", first)
        if m:
            blocks.append({"kind": "heading", "level": len(m.group(1)),
                           "text": m.group(2).strip(), "lines": lines})
        elif re.match(r"^\d+\.\s", first):
            for l in lines:
                m = re.match(r"^(\d+\.)\s+(.*)$", l)
                blocks.append({"kind": "list", "marker": m.group(1),
                               "text": m.group(2), "lines": [m.group(2)]})
        elif (any(c in raw for c in FORM_CHARS) or "___" in raw
              or any(l.endswith("\\") for l in lines)):
            blocks.append({"kind": "form", "lines": lines,
                           "text": "".join(lines)})
        elif re.match(r"^(\*\*\*|---|___)$", first):
            continue
        else:
            blocks.append({"kind": "prose", "lines": lines,
                           "text": "".join(lines)})
    return meta, blocks


def is_cjk(ch):
    o = ord(ch)
    return (0x3000 <= o <= 0x303F or 0x3400 <= o <= 0x4DBF or
            0x4E00 <= o <= 0x9FFF or 0xFF00 <= o <= 0xFFEF or
            0x3040 <= o <= 0x30FF)


def form_segments(text):
    """The text runs of a form line between blanks, check boxes and hard
    breaks (those become form fields and rules, not text)."""
    parts = re.split(r"_{3,}|[%s]|\\" % FORM_CHARS, text)
    return [nows(p) for p in parts if nows(p)]


def locate(lines, text):
    """The run of consecutive visual lines whose texts make up text exactly
    (whitespace removed), or None."""
    want = nows(text)
    for i, l in enumerate(lines):
        if not l["text"] or not want.startswith(l["text"]):
            continue
        got, j = "", i
        while j < len(lines) and len(got) < len(want):
            got += lines[j]["text"]
            j += 1
        if got == want:
            return lines[i:j]
    return None


def error_prefix_line(stderr, prefix):
    for line in stderr.splitlines():
        if line.startswith(prefix):
            return line
    return None


def leftovers(directory):
    """Files left in directory (the output and letterpress's .NAME.XXXXXX
    temporary files)."""
    try:
        return sorted(os.listdir(directory))
    except OSError:
        return []


# ---- 1. The multi-letter Chinese template --------------------------------------

def footer_zh(page, pages):
    return "第 %d 页 共 %d 页" % (page, pages)


def test_multi_letter(tmp):
    src = os.path.join(CASES, "multi-letter-zh.md")
    meta, blocks = parse_markdown(src)
    titles = [b["text"] for b in blocks if b["kind"] == "heading" and b["level"] == 1]
    pdf = os.path.join(tmp, "multi.pdf")
    r = lp("render", src, "-o", pdf)
    if not check("zh multi: render exits 0", r.code == 0, "exit %d: %s" % (r.code, r.err)):
        return
    check("zh multi: no warnings", r.err == "", short(r.err))
    check("zh multi: fixture has 3 letters", len(titles) == 3, titles)
    check_pdf_file("zh multi", pdf)
    pages = page_count(pdf)

    # Outline: one entry per letter, with the letter's title and first page.
    ol = outline(pdf)
    check("zh multi: outline titles are the letters' titles",
          [t for t, _ in ol] == titles, "outline %r, want %r" % (ol, titles))
    starts = [p for _, p in ol]
    ok = (len(starts) == len(titles) and starts and starts[0] == 1 and
          all(isinstance(p, int) for p in starts) and
          all(a < b for a, b in zip(starts, starts[1:])) and starts[-1] <= pages)
    check("zh multi: outline pages increase from page 1", ok, "pages %r of %d" % (starts, pages))
    if not ok:
        return
    ends = starts[1:] + [pages + 1]
    spans = list(zip(starts, ends))
    check("zh multi: second letter spans 2+ pages", spans[1][1] - spans[1][0] >= 2,
          "letter pages %r" % spans)
    check("zh multi: first and last letters fit one page",
          spans[0][1] - spans[0][0] == 1 and spans[2][1] - spans[2][0] == 1,
          "letter pages %r" % spans)

    ptext = {p: poppler_text(pdf, p) for p in range(1, pages + 1)}
    mtext = {p: mutool_text(pdf, p) for p in range(1, pages + 1)}

    # Each letter starts a new page: its title tops its first page.
    for title, (a, b) in zip(titles, spans):
        first_line = next((l.strip() for l in ptext[a].splitlines() if l.strip()), "")
        check("zh multi: '%s' starts page %d" % (title, a), first_line == title,
              "first line of page %d is %r" % (a, first_line))

    # Per-letter footers on every page.
    for title, (a, b) in zip(titles, spans):
        for p in range(a, b):
            want = footer_zh(p - a + 1, b - a)
            check("zh multi: page %d footer (pdftotext, spaces removed)" % p,
                  nows(want) in nows(ptext[p]), "want %r in %r" % (nows(want), short(nows(ptext[p])[-40:])))
            mlines = [l.strip() for l in mtext[p].splitlines()]
            check("zh multi: page %d footer exact '%s' (mutool)" % (p, want),
                  want in mlines, "mutool lines end with %r" % [l for l in mlines if l][-3:])

    # page-numbering: document, from the front matter and from --meta.
    with open(src, encoding="utf-8") as f:
        fm_doc = f.read().replace("---\n", "---\npage-numbering: document\n", 1)
    doc_src = os.path.join(tmp, "multi-document.md")
    with open(doc_src, "w", encoding="utf-8") as f:
        f.write(fm_doc)
    for label, args in (("front matter", ["render", doc_src]),
                        ("--meta", ["render", src, "--meta", "page-numbering=document"])):
        out = os.path.join(tmp, "doc-%d.pdf" % len(label))
        r = lp(*(args + ["-o", out]))
        if not check("zh multi: page-numbering document (%s) renders" % label, r.code == 0,
                     "exit %d: %s" % (r.code, r.err)):
            continue
        n = page_count(out)
        check("zh multi: page-numbering document (%s) same pages" % label, n == pages,
              "%d pages, want %d" % (n, pages))
        for p in range(1, n + 1):
            want = footer_zh(p, n)
            lines = [l.strip() for l in mutool_text(out, p).splitlines()]
            check("zh multi: document numbering (%s) page %d '%s'" % (label, p, want),
                  want in lines, "mutool lines end with %r" % [l for l in lines if l][-3:])

    # Metadata.
    info = pdfinfo(pdf)
    for key, fm in (("Title", "title"), ("Author", "author"), ("Subject", "subject"),
                    ("Keywords", "keywords")):
        check("zh multi: pdfinfo %s" % key, info.get(key) == meta[fm],
              "got %r, want %r" % (info.get(key), meta[fm]))
    check("zh multi: Creator is letterpress with version",
          re.match(r"^letterpress \d+\.\d+", info.get("Creator", "")), repr(info.get("Creator")))

    check_qpdf("zh multi", pdf)
    rows = check_fonts("zh multi", pdf)
    check("zh multi: a CJK font is used", any("CJK" in f[0] for f in rows),
          [f[0] for f in rows])

    # Round trip: every paragraph's text comes back (footers removed).
    body = ""
    for p in range(1, pages + 1):
        body += "".join(l for l in ptext[p].splitlines()
                        if not re.match(r"^第\d+页共\d+页$", nows(l)))
    body = nows(body)
    for b in blocks:
        if b["kind"] in ("prose", "list", "heading"):
            want = nows(b.get("marker", "") + b["text"])
            check("zh multi: text round-trips: %s" % want[:16], want in body,
                  "%r not in the extracted text" % want[:40])
        else:
            for seg in form_segments(b["text"]):
                check("zh multi: form text round-trips: %s" % seg[:16], seg in body,
                      "%r not in the extracted text" % seg)
    compat = sorted({c for c in body if 0xF900 <= ord(c) <= 0xFAFF})
    check("zh multi: no CJK compatibility ideographs in the text", not compat,
          " ".join("U+%04X" % ord(c) for c in compat))

    # A soft line break between two CJK characters adds no space.
    joined = "".join(mtext[p].replace("\n", "") for p in range(1, pages + 1))
    raw = "".join(poppler_text(pdf, p, raw=True).replace("\n", "") for p in range(1, pages + 1))
    joins = 0
    for b in blocks:
        for l1, l2 in zip(b["lines"], b["lines"][1:]):
            if l1.endswith("\\") or not (is_cjk(l1[-1]) and is_cjk(l2[0])):
                continue
            joins += 1
            pair = l1[-2:] + l2[:2]
            check("zh multi: soft break adds no space in '%s' (mutool)" % pair, pair in joined,
                  "%r not in mutool text (spaced: %r)" % (pair, l1[-2:] + " " + l2[:2] in joined))
            check("zh multi: soft break adds no space in '%s' (pdftotext -raw)" % pair, pair in raw,
                  "%r not in pdftotext -raw text" % pair)
    check("zh multi: fixture has soft breaks between CJK characters", joins >= 5, joins)

    test_zh_layout(pdf, blocks, pages)
    return pdf


# ---- 9. Layout, measured with pdftotext -bbox-layout ----------------------------

def test_zh_layout(pdf, blocks, pages):
    lines, heights = bbox_lines(pdf)
    w, h = page_size(pdf)
    left, right = MARGIN, w - MARGIN
    check("layout: A4 page", abs(w - A4[0]) < 0.5 and abs(h - A4[1]) < 0.5, (w, h))
    body = [l for l in lines if l["y1"] <= heights[l["page"] - 1] - MARGIN + 1]
    check("layout: footers sit below the text area",
          len(body) < len(lines) and all(l["y0"] > h - MARGIN for l in lines if l not in body),
          "%d of %d lines outside the text area" % (len(lines) - len(body), len(lines)))

    justified = 0
    for b in blocks:
        if b["kind"] != "prose":
            continue
        label = b["text"][:12]
        found = locate(body, b["text"])
        if not check("layout: paragraph found as whole lines: %s" % label, found,
                     "no run of lines makes up %r" % b["text"][:40]):
            continue
        salutation = b["text"][-1] in "：:" and len(b["text"].encode()) <= 90
        # 敬礼 after 此致 closes a Chinese letter flush left, like a salutation.
        salutation = salutation or b["text"].rstrip("！!") == "敬礼"
        if salutation:
            check("layout: salutation flush left: %s" % label, abs(found[0]["x0"] - left) < 1,
                  "starts at %.2f, margin %.2f" % (found[0]["x0"], left))
            continue
        rest = found[1:]
        base = min(l["x0"] for l in rest) if rest else left
        if rest:
            check("layout: continuation lines at the left margin: %s" % label,
                  all(abs(l["x0"] - left) < 1 for l in rest),
                  "starts %r, margin %.2f" % ([round(l["x0"], 2) for l in rest], left))
        check("layout: first line indented 2 em: %s" % label,
              abs(found[0]["x0"] - base - 2 * SIZE) < 1,
              "first line at %.2f, others at %.2f: indent %.2f, want %.2f"
              % (found[0]["x0"], base, found[0]["x0"] - base, 2 * SIZE))
        if len(found) >= 2:
            justified += 1
            for k, l in enumerate(found[:-1]):
                check("layout: justified line %d ends at the right margin: %s" % (k + 1, label),
                      abs(l["x1"] - right) < 1,
                      "line %r ends at %.2f, margin %.2f" % (l["text"][-6:], l["x1"], right))
            check("layout: last line not stretched: %s" % label, found[-1]["x1"] < right - 1,
                  "ends at %.2f, margin %.2f" % (found[-1]["x1"], right))
            # Widows and orphans (PRODUCT.md 5): a paragraph broken across
            # pages leaves at least two lines on each.
            on_pages = {}
            for l in found:
                on_pages[l["page"]] = on_pages.get(l["page"], 0) + 1
            check("layout: no lone line at a page break: %s" % label,
                  len(on_pages) == 1 or min(on_pages.values()) >= 2,
                  "lines per page %r" % on_pages)
    check("layout: fixture has justified multi-line paragraphs", justified >= 8, justified)

    # Kinsoku: no line starts with closing punctuation or ends with opening.
    bad = [(l["page"], l["text"]) for l in body
           if l["text"] and (l["text"][0] in NO_LINE_START or l["text"][-1] in NO_LINE_END)]
    check("layout: kinsoku (no line starts with closing / ends with opening punctuation)",
          not bad, short(repr(bad)))

    # Headings stay with the next block: no page ends with a heading.
    headings = {nows(b["text"]) for b in blocks if b["kind"] == "heading"}
    for p in range(1, pages + 1):
        pl = [l for l in body if l["page"] == p]
        check("layout: page %d does not end with a heading" % p,
              pl and pl[-1]["text"] not in headings,
              "last line %r" % (pl[-1]["text"] if pl else None))


# ---- 2. Japanese, English, paper ------------------------------------------------

def test_japanese(tmp):
    pdf = os.path.join(tmp, "ja.pdf")
    r = lp("render", os.path.join(TEMPLATES, "japanese-letter.md"),
           "-d", os.path.join(TEMPLATES, "japanese-letter.json"), "-o", pdf)
    if not check("ja: render exits 0", r.code == 0, "exit %d: %s" % (r.code, r.err)):
        return
    n = page_count(pdf)
    check("ja: has pages", n >= 1, n)
    for p in range(1, n + 1):
        want = "%d / %d ページ" % (p, n)
        lines = [l.strip() for l in mutool_text(pdf, p).splitlines()]
        check("ja: page %d footer '%s'" % (p, want), want in lines,
              "mutool lines end with %r" % [l for l in lines if l][-3:])
    lines, _ = bbox_lines(pdf)
    bad = [(l["page"], l["text"]) for l in lines
           if l["text"] and (l["text"][0] in NO_LINE_START or l["text"][-1] in NO_LINE_END)]
    check("ja: kinsoku", not bad, short(repr(bad)))


def test_english(tmp):
    tpl = os.path.join(TEMPLATES, "english-letter.md")
    data = os.path.join(TEMPLATES, "english-letter.json")
    pdf = os.path.join(tmp, "en.pdf")
    r = lp("render", tpl, "-d", data, "-o", pdf)
    if check("en: render exits 0", r.code == 0, "exit %d: %s" % (r.code, r.err)):
        w, h = page_size(pdf)
        check("en: paper: Letter is 612 x 792 pt", (round(w, 2), round(h, 2)) == LETTER, (w, h))
        n = page_count(pdf)
        for p in range(1, n + 1):
            want = "Page %d of %d" % (p, n)
            lines = [l.strip() for l in mutool_text(pdf, p).splitlines()]
            check("en: page %d footer '%s'" % (p, want), want in lines,
                  "mutool lines end with %r" % [l for l in lines if l][-3:])

    a5 = os.path.join(tmp, "en-a5.pdf")
    r = lp("render", tpl, "-d", data, "--meta", "paper=A5", "-o", a5)
    if check("en: --meta paper=A5 renders", r.code == 0, "exit %d: %s" % (r.code, r.err)):
        w, h = page_size(a5)
        check("en: --meta paper=A5 gives 148 x 210 mm", abs(w - A5[0]) < 0.5 and abs(h - A5[1]) < 0.5,
              "%.2f x %.2f pt" % (w, h))

    bad = os.path.join(tmp, "en-unknown.pdf")
    r = lp("render", tpl, "-d", data, "--meta", "unknown=1", "-o", bad)
    check("en: --meta unknown=1 exits 2", r.code == 2, "exit %d" % r.code)
    check("en: --meta unknown=1 names the key", "'unknown'" in r.err and "error:" in r.err, short(r.err))
    check("en: --meta unknown=1 writes no PDF", not os.path.exists(bad), "found %s" % bad)

    # Ligatures: shaped as ligatures, extracted as typed.
    src = os.path.join(CASES, "ligatures-en.md")
    lig = os.path.join(tmp, "lig.pdf")
    r = lp("render", src, "-o", lig)
    if not check("en ligatures: render exits 0", r.code == 0, "exit %d: %s" % (r.code, r.err)):
        return
    phrase = "office affinity efficient fluffy"
    check("en ligatures: pdftotext gives '%s'" % phrase, phrase in poppler_text(lig),
          short(poppler_text(lig)))
    mt = mutool_text(lig, 1)
    check("en ligatures: mutool gives '%s'" % phrase, phrase in mt, short(mt))
    q = run(["qpdf", "--qdf", "--object-streams=disable", lig, "-"])
    cmap = q.out.decode("latin-1")
    ligs = re.findall(r"<[0-9A-Fa-f]{4}>\s*<((?:0066)(?:0066|0069|006C){1,2})>", cmap, re.I)
    check("en ligatures: ToUnicode maps ligature glyphs to several letters", ligs,
          "no <gid> <0066 0069...> mapping: no ligature glyph used")
    flat = re.sub(r"\s+", " ", mt)
    check("en: soft break between Latin words is one space", "between fluffy clouds is" in flat,
          short(flat))


# ---- 3. The shipped templates ------------------------------------------------------

def test_templates(tmp):
    names = sorted(f[:-3] for f in os.listdir(TEMPLATES) if f.endswith(".md"))
    check("templates: there are templates", names, TEMPLATES)
    for n in names:
        tpl = os.path.join(TEMPLATES, n + ".md")
        data = os.path.join(TEMPLATES, n + ".json")
        pdf = os.path.join(tmp, "tpl-%s.pdf" % n)
        args = ["render", tpl, "-o", pdf] + (["-d", data] if os.path.exists(data) else [])
        r = lp(*args)
        if not check("template %s: render exits 0" % n, r.code == 0, "exit %d: %s" % (r.code, r.err)):
            continue
        check("template %s: no warnings" % n, r.err == "", short(r.err))
        check_pdf_file("template %s" % n, pdf)
        check_qpdf("template %s" % n, pdf)
        check_fonts("template %s" % n, pdf)
        text = poppler_text(pdf)
        check("template %s: no '{{' left" % n, "{{" not in text and "}}" not in text,
              short(text[text.find("{{") - 40:text.find("{{") + 40]))
        _, blocks = parse_markdown(tpl)
        titles = [b["text"] for b in blocks if b["kind"] == "heading" and b["level"] == 1]
        got = [t for t, _ in outline(pdf)]
        check("template %s: one outline entry per letter" % n, got == titles,
              "outline %r, want %r" % (got, titles))


# ---- 4. Placeholders ------------------------------------------------------------------

def test_placeholders(tmp):
    tpl = os.path.join(CASES, "placeholders.md")
    data = os.path.join(CASES, "placeholders.json")
    with open(data, encoding="utf-8") as f:
        values = json.load(f)
    pdf = os.path.join(tmp, "ph.pdf")
    r = lp("render", tpl, "-d", data, "-o", pdf)
    if check("placeholders: render -d exits 0", r.code == 0, "exit %d: %s" % (r.code, r.err)):
        mt = mutool_text(pdf, 1)
        check("placeholders: customer.name filled", "尊敬的张三：" in mt, short(mt))
        # The quarter em between Han and Latin (clreq) reads as a space to
        # mutool's text extraction; the value itself has none.
        check("placeholders: order.id filled", "贵方订单PO-2024-0815已于本月发货" in nows(mt), short(mt))
        check("placeholders: number filled", "应付金额 1280.5 元" in mt, short(mt))
        note = values["note"]
        check("placeholders: markdown in a value appears literally",
              "备注：" + note in mt, "want %r in %r" % (note, short(mt)))
        check("placeholders: markdown in a value appears literally (pdftotext)",
              nows(note) in nows(poppler_text(pdf)), short(poppler_text(pdf)))

    pdf2 = os.path.join(tmp, "ph-set.pdf")
    r = lp("render", tpl, "-d", data, "--set", "customer.name=李四", "--set", "order.id=X-9",
           "-o", pdf2)
    if check("placeholders: --set exits 0", r.code == 0, "exit %d: %s" % (r.code, r.err)):
        mt = mutool_text(pdf2, 1)
        check("placeholders: --set customer.name overrides", "尊敬的李四：" in mt and "张三" not in mt,
              short(mt))
        check("placeholders: --set order.id overrides", "贵方订单X-9已于" in nows(mt), short(mt))

    # Data from standard input.
    pdf3 = os.path.join(tmp, "ph-stdin.pdf")
    with open(data, "rb") as f:
        r = lp("render", tpl, "-d", "-", "-o", pdf3, stdin=f.read())
    if check("placeholders: -d - (stdin) exits 0", r.code == 0, "exit %d: %s" % (r.code, r.err)):
        check("placeholders: -d - fills values", "尊敬的张三：" in mutool_text(pdf3, 1), "")

    # Missing values: every name, located at the first one.
    missing = {"customer.name": (9, 4), "order.id": (11, 5), "amount": (11, 29), "note": (13, 4)}
    out = os.path.join(tmp, "ph-missing.pdf")
    r = lp("render", tpl, "-o", out)
    check("placeholders missing: exit 2", r.code == 2, "exit %d: %s" % (r.code, r.err))
    line = error_prefix_line(r.err, "%s:9:4: error:" % tpl)
    check("placeholders missing: located at the first (%s:9:4: error:)" % os.path.basename(tpl),
          line, short(r.err))
    for name, (ln, col) in missing.items():
        check("placeholders missing: names %s with its line" % name,
              re.search(re.escape(name) + r"\D*%d\b" % ln, r.err), short(r.err))
    check("placeholders missing: no PDF", not os.path.exists(out), out)

    r = lp("render", tpl, "--set", "customer.name=王五", "-o", out)
    check("placeholders partly missing: exit 2", r.code == 2, "exit %d" % r.code)
    check("placeholders partly missing: located at order.id (11:5)",
          error_prefix_line(r.err, "%s:11:5: error:" % tpl), short(r.err))
    check("placeholders partly missing: names only the missing",
          all(n in r.err for n in ("order.id", "amount", "note")) and "customer.name" not in r.err,
          short(r.err))

    blanks = os.path.join(tmp, "ph-blanks.pdf")
    r = lp("render", tpl, "--blanks", "-o", blanks)
    if check("placeholders --blanks: exit 0", r.code == 0, "exit %d: %s" % (r.code, r.err)):
        t = poppler_text(blanks)
        check("placeholders --blanks: renders the text around the blanks",
              "尊敬的" in t and "已于本月发货" in t, short(t))
        check("placeholders --blanks: no placeholder text left",
              "{{" not in t and "customer.name" not in t and "order.id" not in t, short(t))
        check_qpdf("placeholders --blanks", blanks)


# ---- 5. Input errors ---------------------------------------------------------------------

# file -> (exit code, line, column, substring of the message)
ERROR_CASES = {
    "bad-utf8.md": (2, 7, 6, "UTF-8"),
    "nul-byte.md": (2, 6, 6, "NUL"),
    "unterminated-front-matter.md": (2, 1, 1, "never closed"),
    "bad-yaml.md": (2, 3, 14, "YAML"),
    "yaml-mapping-value.md": (2, 3, 3, "front-matter values"),
    "unknown-key.md": (2, 3, 1, "'colour'"),
    "bad-paper.md": (2, 3, 8, "A9"),
    "bad-page-numbering.md": (2, 3, 17, "chapter"),
    "unclosed-placeholder.md": (2, 9, 3, "never closed"),
}


def expect_no_output(name, outdir):
    left = leftovers(outdir)
    check(name + ": no PDF and no temporary file left", not left, left)


def test_errors(tmp):
    for case, (code, line, col, sub) in sorted(ERROR_CASES.items()):
        src = os.path.join(CASES, case)
        outdir = tempfile.mkdtemp(dir=tmp)
        out = os.path.join(outdir, "out.pdf")
        r = lp("render", src, "-o", out)
        name = "error %s" % case
        check(name + ": exit %d" % code, r.code == code, "exit %d: %s" % (r.code, short(r.err)))
        prefix = "%s:%d:%d: error:" % (src, line, col)
        got = error_prefix_line(r.err, prefix)
        check(name + ": located %s:%d:%d" % (case, line, col), got,
              "want %r, got %r" % (prefix, short(r.err)))
        check(name + ": message mentions %r" % sub, got and sub in got, short(r.err))
        expect_no_output(name, outdir)

    # Bad JSON data, located in the data file.
    outdir = tempfile.mkdtemp(dir=tmp)
    data = os.path.join(CASES, "bad-data.json")
    r = lp("render", os.path.join(CASES, "placeholders.md"), "-d", data,
           "-o", os.path.join(outdir, "out.pdf"))
    check("error bad JSON: exit 2", r.code == 2, "exit %d: %s" % (r.code, r.err))
    check("error bad JSON: located bad-data.json:3:9", error_prefix_line(r.err, "%s:3:9: error:" % data),
          short(r.err))
    expect_no_output("error bad JSON", outdir)

    # A template that does not exist.
    outdir = tempfile.mkdtemp(dir=tmp)
    missing = os.path.join(tmp, "no-such-template.md")
    r = lp("render", missing, "-o", os.path.join(outdir, "out.pdf"))
    check("error missing template: exit 2", r.code == 2, "exit %d: %s" % (r.code, r.err))
    check("error missing template: names the path", r.err.startswith(missing + ":") and "error" in r.err,
          short(r.err))
    expect_no_output("error missing template", outdir)

    # Command-line errors.
    outdir = tempfile.mkdtemp(dir=tmp)
    r = lp("render", os.path.join(CASES, "bom.md"), "--frobnicate", "-o", os.path.join(outdir, "o.pdf"))
    check("error unknown option: exit 2", r.code == 2, "exit %d" % r.code)
    check("error unknown option: named", "--frobnicate" in r.err and "error" in r.err, short(r.err))
    expect_no_output("error unknown option", outdir)
    r = lp("render")
    check("error render without template: exit 2", r.code == 2, "exit %d" % r.code)
    check("error render without template: says so", "TEMPLATE" in r.err or "template" in r.err, short(r.err))
    r = lp("frobnicate")
    check("error unknown command: exit 2", r.code == 2, "exit %d" % r.code)

    # A BOM is tolerated, and the front matter after it is read.
    outdir = tempfile.mkdtemp(dir=tmp)
    out = os.path.join(outdir, "bom.pdf")
    r = lp("render", os.path.join(CASES, "bom.md"), "-o", out)
    if check("BOM template: exit 0", r.code == 0, "exit %d: %s" % (r.code, r.err)):
        check("BOM template: front matter read", pdfinfo(out).get("Title") == "带字节顺序标记的模板",
              pdfinfo(out).get("Title"))
        check("BOM template: no '---' in the text", "---" not in poppler_text(out), "")


# ---- 6. Unwritable output ----------------------------------------------------------------

def test_unwritable(tmp):
    tpl = os.path.join(CASES, "bom.md")
    for path in ("/nonexistent-dir/x.pdf", "/proc/letterpress-e2e.pdf"):
        r = lp("render", tpl, "-o", path)
        check("unwritable %s: exit 1" % path, r.code == 1, "exit %d: %s" % (r.code, r.err))
        check("unwritable %s: message names the path" % path, path in r.err and "error" in r.err,
              short(r.err))
        check("unwritable %s: nothing written" % path, not os.path.exists(path), path)

    # The output is an existing directory: the rename fails after the
    # temporary file was written; it must be removed.
    parent = tempfile.mkdtemp(dir=tmp)
    target = os.path.join(parent, "a-directory.pdf")
    os.mkdir(target)
    r = lp("render", tpl, "-o", target)
    check("output is a directory: exit 1", r.code == 1, "exit %d: %s" % (r.code, r.err))
    check("output is a directory: message names the path", target in r.err, short(r.err))
    check("output is a directory: no temporary file left", leftovers(parent) == ["a-directory.pdf"],
          leftovers(parent))
    check("output is a directory: directory untouched", os.path.isdir(target) and not os.listdir(target),
          "")

    if os.geteuid() != 0:
        ro = tempfile.mkdtemp(dir=tmp)
        os.chmod(ro, 0o555)
        try:
            path = os.path.join(ro, "x.pdf")
            r = lp("render", tpl, "-o", path)
            check("read-only dir: exit 1", r.code == 1, "exit %d: %s" % (r.code, r.err))
            check("read-only dir: message names the path", path in r.err, short(r.err))
            check("read-only dir: nothing written", not os.listdir(ro), os.listdir(ro))
        finally:
            os.chmod(ro, 0o755)


# ---- 7. Output to stdout, default output ---------------------------------------------

def test_outputs(tmp):
    tpl = os.path.join(CASES, "multi-letter-zh.md")
    outdir = tempfile.mkdtemp(dir=tmp)
    r = run([LP, "render", tpl, "-o", "-"])
    check("-o -: exit 0", r.code == 0, "exit %d: %s" % (r.code, r.err))
    check("-o -: stdout is a PDF (%PDF- ... %%EOF)",
          r.out.startswith(b"%PDF-") and r.out.rstrip().endswith(b"%%EOF"),
          "%r ... %r" % (r.out[:8], r.out[-8:]))
    piped = os.path.join(outdir, "piped.pdf")
    with open(piped, "wb") as f:
        f.write(r.out)
    check_qpdf("-o -", piped)
    check("-o -: no file named '-'", not os.path.exists(os.path.join(ROOT, "-")) and
          not os.path.exists("-"), "")

    work = tempfile.mkdtemp(dir=tmp)
    copy = os.path.join(work, "letter.md")
    shutil.copy(tpl, copy)
    r = lp("render", copy)
    check("default output: exit 0", r.code == 0, "exit %d: %s" % (r.code, r.err))
    check("default output: letter.md -> letter.pdf next to it",
          leftovers(work) == ["letter.md", "letter.pdf"], leftovers(work))
    if os.path.exists(os.path.join(work, "letter.pdf")):
        check_pdf_file("default output", os.path.join(work, "letter.pdf"))
        check("default output: same pages as -o -",
              page_count(os.path.join(work, "letter.pdf")) == page_count(piped), "")


# ---- 8. Reproducible output ---------------------------------------------------------

def test_reproducible(tmp):
    tpl = os.path.join(CASES, "multi-letter-zh.md")
    a, b = os.path.join(tmp, "repro-a.pdf"), os.path.join(tmp, "repro-b.pdf")
    ra = lp("render", tpl, "-o", a, env={"SOURCE_DATE_EPOCH": EPOCH})
    rb = lp("render", tpl, "-o", b, env={"SOURCE_DATE_EPOCH": EPOCH})
    if not check("reproducible: both renders exit 0", ra.code == 0 and rb.code == 0,
                 ra.err + rb.err):
        return
    with open(a, "rb") as fa, open(b, "rb") as fb:
        da, db = fa.read(), fb.read()
    diff = next((i for i in range(min(len(da), len(db))) if da[i] != db[i]), None)
    check("reproducible: identical bytes with SOURCE_DATE_EPOCH", da == db,
          "sizes %d/%d, first difference at byte %s" % (len(da), len(db), diff))
    info = pdfinfo(a)
    check("reproducible: CreationDate 2023-11-14", info.get("CreationDate", "").startswith("2023-11-14"),
          info.get("CreationDate"))


# ---- Front-matter defaults and overrides --------------------------------------------

def test_defaults(tmp):
    """Language guessed from the text picks the footer; en-US defaults to
    Letter, other languages to A4; paper sizes, footer and header from
    --meta."""
    def render(name, text, *args):
        src = os.path.join(tmp, name + ".md")
        with open(src, "w", encoding="utf-8") as f:
            f.write(text)
        out = os.path.join(tmp, name + ".pdf")
        r = lp("render", src, "-o", out, *args)
        ok = check("defaults %s: render exits 0" % name, r.code == 0, "exit %d: %s" % (r.code, r.err))
        return out if ok else None

    def lines(pdf):
        return [l.strip() for l in mutool_text(pdf, 1).splitlines() if l.strip()]

    out = render("guess-zh", "# 通知\n\n这是一份没有前言的中文通知。\n")
    if out:
        check("defaults: Chinese guessed from the text: Chinese footer", "第 1 页 共 1 页" in lines(out),
              lines(out))
        w, h = page_size(out)
        check("defaults: Chinese defaults to A4", abs(w - A4[0]) < 0.5 and abs(h - A4[1]) < 0.5, (w, h))
    out = render("guess-ja", "# お知らせ\n\nこれは前付けのない日本語の文書です。\n")
    if out:
        check("defaults: Japanese guessed from kana: Japanese footer", "1 / 1 ページ" in lines(out),
              lines(out))
    out = render("en-us", "---\nlang: en-US\n---\n\nHello there.\n")
    if out:
        check("defaults: en-US defaults to Letter", page_size(out) == LETTER, page_size(out))
        check("defaults: English footer", "Page 1 of 1" in lines(out), lines(out))
    out = render("custom", "Hello there.\n", "--meta", "paper=100mm 150mm",
                 "--meta", "footer=- {page} -", "--meta", "header=ACME {pages}")
    if out:
        w, h = page_size(out)
        check("defaults: --meta paper='100mm 150mm'",
              abs(w - 100 * MM) < 0.5 and abs(h - 150 * MM) < 0.5, (w, h))
        check("defaults: --meta footer with {page}", "- 1 -" in lines(out), lines(out))
        check("defaults: --meta header with {pages}", "ACME 1" in lines(out), lines(out))


# ---- 10. Rendering sanity --------------------------------------------------------------

def test_rasterize(tmp, pdf):
    prefix = os.path.join(tmp, "raster")
    r = run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", pdf, prefix])
    pngs = [f for f in os.listdir(tmp) if f.startswith("raster") and f.endswith(".png")]
    check("pdftoppm: exit 0, no messages", r.code == 0 and r.err == "", "exit %d: %s" % (r.code, short(r.err)))
    ok = False
    if pngs:
        with open(os.path.join(tmp, pngs[0]), "rb") as f:
            head = f.read(24)
        ok = head.startswith(b"\x89PNG") and int.from_bytes(head[16:20], "big") > 100
    check("pdftoppm: page 1 is a PNG of the page", ok, pngs)
    r = run(["mutool", "draw", "-q", "-N", "-o", "/dev/null", pdf])
    check("mutool draw: exit 0, nothing on stderr", r.code == 0 and r.err == "",
          "exit %d: %s" % (r.code, short(r.err)))


# ---- 12. CJK typography: kinsoku, justification, mixed text, fallback -----------

# Strict kinsoku (jlreq 3.1.7, 3.1.8; clreq 行首行尾禁则): characters that
# never start a line, in every CJK language, and in Japanese also small kana.
NO_START_STRICT = NO_LINE_START + "”’・·〻ゝゞヽヾ〕〉》」』】）。，、"
SMALL_KANA = "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ"
NO_END_STRICT = NO_LINE_END + "〔〈《「『【（"


def word_boxes(pdf):
    """[(page, xMin, yMin, xMax, yMax, text)] of pdftotext -bbox words."""
    r = run(["pdftotext", "-bbox", "-enc", "UTF-8", pdf, "-"])
    words, page = [], 0
    for line in r.text.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                      r'yMax="([\d.]+)">(.*)</word>', line)
        if m:
            words.append((page, float(m.group(1)), float(m.group(2)),
                          float(m.group(3)), float(m.group(4)), m.group(5)))
    return words


def check_paragraph_edges(name, pdf, src):
    """Every prose paragraph of src: full lines end at the right margin
    (0.1 pt), no line passes it, the last line is not stretched."""
    lines, _ = bbox_lines(pdf)
    w, _ = page_size(pdf)
    right = w - MARGIN
    _, blocks = parse_markdown(src)
    paragraphs = 0
    for b in blocks:
        if b["kind"] != "prose":
            continue
        found = locate(lines, b["text"])
        label = b["text"][:10]
        if not check("%s: paragraph found: %s" % (name, label), found,
                     "no run of lines makes up %r" % b["text"][:40]):
            continue
        paragraphs += 1
        for k, l in enumerate(found):
            check("%s: line %d within the margin: %s" % (name, k + 1, label),
                  l["x1"] <= right + 0.1, "ends at %.3f, margin %.3f" % (l["x1"], right))
            if k + 1 < len(found):
                check("%s: full line %d flush right (0.1 pt): %s" % (name, k + 1, label),
                      abs(l["x1"] - right) <= 0.1,
                      "line %r ends at %.3f, margin %.3f" % (l["text"][-6:], l["x1"], right))
        if len(found) >= 2:
            check("%s: last line left-aligned, not stretched: %s" % (name, label),
                  found[-1]["x1"] < right - 1, "ends at %.2f" % found[-1]["x1"])
    return paragraphs


def check_kinsoku(name, pdf, strict):
    lines, heights = bbox_lines(pdf)
    body = [l for l in lines if l["y1"] <= heights[l["page"] - 1] - MARGIN + 1]
    starts = NO_START_STRICT + (SMALL_KANA if strict else "")
    bad = [l["text"] for l in body if l["text"] and
           (l["text"][0] in starts or l["text"][-1] in NO_END_STRICT)]
    check("%s: kinsoku, no line starts with closing punctuation%s or ends "
          "with an opening bracket" % (name, ", small kana" if strict else ""),
          not bad, short(repr(bad)))
    split = [(a["text"][-2:], b["text"][:2]) for a, b in zip(body, body[1:])
             if a["text"] and b["text"] and a["text"][-1] == b["text"][0] and
             a["text"][-1] in "—―…‥"]
    check("%s: —— and …… never split across lines" % name, not split, repr(split))
    return body


def test_typography(tmp):
    for case, strict in (("kinsoku-zh", False), ("kinsoku-ja", True)):
        src = os.path.join(CASES, case + ".md")
        pdf = os.path.join(tmp, case + ".pdf")
        r = lp("render", src, "-o", pdf)
        if not check("%s: render exits 0 with no warnings" % case,
                     r.code == 0 and r.err == "", "exit %d: %s" % (r.code, r.err)):
            continue
        body = check_kinsoku(case, pdf, strict)
        check("%s: the fixture has many lines" % case, len(body) >= 10, len(body))
        n = check_paragraph_edges(case, pdf, src)
        check("%s: paragraphs checked" % case, n >= 3, n)
        # pdftotext joins a line ending in "-" to the next: compare without.
        text = nows(poppler_text(pdf)).replace("-", "")
        with open(src, encoding="utf-8") as f:
            body_src = f.read().split("---\n", 2)[2]
        for para in re.split(r"\n\s*\n", body_src):
            para = nows(para).lstrip("#").replace("-", "")
            if not para:
                continue
            check("%s: text extracts as typed: %s" % (case, para[:10]), para in text,
                  "missing %r" % para[:40])

    # Mixed Chinese, Latin and digits (clreq 中西间距): a quarter em between
    # Han and Latin, Latin letters from a Latin font, Extension B and Hangul.
    pdf = os.path.join(tmp, "kinsoku-zh.pdf")
    # The gap, from the glyphs' origins (mutool): 于 is an em wide.
    chars = [c for c in stext_chars(pdf) if c[3].strip()]
    pairs = [(a, b) for a, b in zip(chars, chars[1:])
             if a[3] == "于" and b[3] == "2" and abs(a[2] - b[2]) < 0.01]
    if check("mixed: glyphs 于 and 2 of 本公司于2024 found", pairs,
             short(repr(chars[:12]))):
        a, b = pairs[0]
        gap = b[1] - (a[1] + SIZE)
        check("mixed: quarter em between Han and digits", 0.25 * SIZE - 0.05 <= gap <= 0.6 * SIZE,
              "gap %.2f pt, want about %.2f" % (gap, 0.25 * SIZE))
    # ... which copy and search do not read as a space: none was typed.
    check("mixed: the gap copies as nothing (本公司于2024年9月1日与Acme)",
          "本公司于2024年9月1日与Acme" in poppler_text(pdf), short(poppler_text(pdf)))
    rows = fonts(pdf) or []
    check("mixed: Latin text in a Latin font (Noto Serif)",
          any(re.match(r"^[A-Z]{6}\+NotoSerif-Regular$", f[0]) for f in rows),
          [f[0] for f in rows])
    text = poppler_text(pdf)
    for want in ("𠮟", "𠀋", "𡈽", "한국어", "にほんご", "≥", "※", "①"):
        check("fallback: %s drawn and extracted" % want, want in text, short(text))
    url = [l["text"] for l in bbox_lines(pdf)[0] if "example.com" in l["text"]]
    check("mixed: a long URL breaks after a slash, not inside a word",
          any(t.endswith("example.com/") for t in url), repr(url))

    # latin-font: none keeps the CJK font's Latin; heading-font for headings.
    r, pdf = render_md(tmp, "latin-none", "---\nlang: zh-CN\nlatin-font: none\n"
                       "heading-font: Noto Sans CJK SC\n---\n\n# 标题\n\n中文 ABC 123。\n")
    names = [f[0] for f in fonts(pdf) or []] if r.code == 0 else []
    check("latin-font: none: no Latin font embedded",
          r.code == 0 and names and not any("+NotoSerif-" in n for n in names), repr(names) + r.err)
    check("heading-font: the heading in Noto Sans CJK",
          any("NotoSansCJK" in n for n in names), repr(names))

    # A character no font has: a warning with its position, and a box.
    src = os.path.join(CASES, "notdef.md")
    pdf = os.path.join(tmp, "notdef.pdf")
    r = lp("render", src, "-o", pdf)
    check("notdef: render exits 0", r.code == 0, "exit %d: %s" % (r.code, r.err))
    check("notdef: warning names U+E001 at notdef.md:7:12",
          error_prefix_line(r.err, "%s:7:12: warning:" % src) and "U+E001" in r.err, short(r.err))
    check("notdef: warning names U+E000 at notdef.md:9:8",
          error_prefix_line(r.err, "%s:9:8: warning:" % src) and "U+E000" in r.err, short(r.err))


# ---- Lines: hyphenation, one baseline, opening brackets at a line start -----

def stext_chars(pdf, page=1):
    """[(font, x, y, char)] of a page from mutool's structured text: x and y
    are each glyph's origin, y its baseline (from the top)."""
    r = run(["mutool", "draw", "-q", "-N", "-F", "stext", "-o", "-", pdf, str(page)])
    chars, font = [], None
    for line in r.text.splitlines():
        m = re.search(r'<font name="([^"]*)"', line)
        if m:
            font = m.group(1)
        m = re.search(r'<char [^>]*x="([-\d.]+)" y="([-\d.]+)"[^>]* c="([^"]*)"', line)
        if m:
            c = m.group(3)
            c = chr(int(c[3:-1], 16)) if c.startswith("&#x") else \
                {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}.get(c, c)
            chars.append((font, float(m.group(1)), float(m.group(2)), c))
    return chars


def test_lines(tmp):
    # Latin hyphenation (libhyphen, hyph_en_US): at a line end where the
    # line would be loose, or inside a word longer than the line.
    src = os.path.join(CASES, "hyphenation-en.md")
    pdf = os.path.join(tmp, "hyphenation-en.pdf")
    r = lp("render", src, "-o", pdf)
    if check("hyphenation: render exits 0 with no warnings", r.code == 0 and r.err == "",
             "exit %d: %s" % (r.code, r.err)):
        check_qpdf("hyphenation", pdf)
        check_fonts("hyphenation", pdf)
        right = LETTER[0] - 70 * MM
        body = body_lines(pdf)
        ends = [l["text"].endswith("-") for l in body]
        check("hyphenation: lines end with a hyphen", sum(ends) >= 3, [l["text"] for l in body])
        runs = max(len(m) for m in "".join("h" if e else "." for e in ends).split(".") + [""])
        check("hyphenation: at most 2 lines in a row end with a hyphen", runs <= 2,
              [l["text"] for l in body])
        for l, e in zip(body, ends):
            # (A line that is one piece of a long word has no space to
            # spread: it ends where its letters do.)
            if e and not l["text"].startswith("Pneumono"):
                check("hyphenation: the hyphen ends at the right margin (0.1 pt): %s" % l["text"][-8:],
                      abs(l["x1"] - right) <= 0.1, "ends at %.3f, margin %.3f" % (l["x1"], right))
        # Never inside a URL, an e-mail address, a word with digits or
        # capitals: those lines end as typed.
        for l, e in zip(body, ends):
            for token in ("example.com", "@", "ABC123", "INTERNATIONAL"):
                if token in l["text"] and e:
                    check("hyphenation: no hyphen after %s" % token,
                          not l["text"].endswith(token[-3:] + "-"), l["text"])
        joined = "".join(l["text"][:-1] if e else l["text"] for l, e in zip(body, ends))
        with open(src, encoding="utf-8") as f:
            want = nows(f.read().split("---\n", 2)[2])
        check("hyphenation: the lines without their hyphens are the text", joined == want,
              "got %r" % joined)
        # pdftotext joins a word hyphenated at a line end (the hyphen is a
        # real glyph, extracted as '-'; mutool shows it).
        text = poppler_text(pdf)
        for word in ("extraordinary", "comprehensive", "Pneumonoultramicroscopicsilicovolcanoconiosis"):
            check("hyphenation: pdftotext gives '%s' whole" % word, word in text, short(text))
        mt = mutool_text(pdf, 1)
        check("hyphenation: mutool shows the hyphen at a line end",
              re.search(r"[a-z]-\n", mt), short(mt))
        # hyphenate: false turns it off; a word longer than the line is
        # still split.
        off = os.path.join(tmp, "hyphenation-off.pdf")
        r = lp("render", src, "--meta", "hyphenate=false", "-o", off)
        if check("hyphenation: --meta hyphenate=false renders", r.code == 0, r.err):
            lines = [l["text"] for l in body_lines(off)]
            hy = [t for t in lines if t.endswith("-")]
            check("hyphenation: hyphenate: false, only the word longer than the line is split",
                  len(hy) == 1 and hy[0].startswith("Pneumono"), lines)
        r = lp("render", src, "--meta", "hyphenate=perhaps", "-o", os.path.join(tmp, "bad.pdf"))
        check("hyphenation: hyphenate=perhaps exits 2 naming the key",
              r.code == 2 and "hyphenate" in r.err and "error:" in r.err, r.err)

    # Glyphs of different faces on one line share the baseline: Noto Serif
    # CJK (CFF), Noto Serif (TrueType) and DejaVu Sans (symbols).
    src = os.path.join(CASES, "baseline-mixed.md")
    pdf = os.path.join(tmp, "baseline-mixed.pdf")
    r = lp("render", src, "-o", pdf)
    if check("baseline: render exits 0", r.code == 0, r.err):
        _, h = page_size(pdf)
        chars = [c for c in stext_chars(pdf) if c[2] < h - MARGIN and c[3].strip()]
        fonts_used = {c[0] for c in chars}
        check("baseline: the line has glyphs of 3 faces or more", len(fonts_used) >= 3, fonts_used)
        ys = {round(c[2], 3) for c in chars}
        check("baseline: every glyph of the line on one baseline", len(ys) == 1,
              sorted((c[2], c[0], c[3]) for c in chars))

    # An opening bracket at a line start is set without its blank half
    # (jlreq 3.1.5): （ first on the second line starts half an em left of
    # the margin (its ink at the margin); 「 after the 1 em indent likewise.
    src = os.path.join(CASES, "bracket-start-ja.md")
    pdf = os.path.join(tmp, "bracket-start-ja.pdf")
    r = lp("render", src, "-o", pdf)
    if check("brackets: render exits 0", r.code == 0, r.err):
        chars = stext_chars(pdf)
        starts = {}
        for font, x, y, c in chars:
            if y not in starts:
                starts[y] = (x, c)
        firsts = [starts[y] for y in sorted(starts)]
        check("brackets: the paragraph starts with 「 half an em into its 1 em indent",
              firsts and firsts[0][1] == "「" and abs(firsts[0][0] - (MARGIN + SIZE / 2)) < 0.01,
              firsts[:3])
        check("brackets: the second line starts with （ half an em left of the margin",
              len(firsts) > 1 and firsts[1][1] == "（" and abs(firsts[1][0] - (MARGIN - SIZE / 2)) < 0.01,
              firsts[:3])
        check_paragraph_edges("brackets", pdf, src)


# ---- 13. Keep rules across page breaks ----------------------------------------

def render_md(tmp, name, text):
    src = os.path.join(tmp, name + ".md")
    with open(src, "w", encoding="utf-8") as f:
        f.write(text)
    pdf = os.path.join(tmp, name + ".pdf")
    r = lp("render", src, "-o", pdf)
    return r, pdf


def body_lines(pdf):
    """bbox_lines without the footers and headers (outside the margins)."""
    lines, heights = bbox_lines(pdf)
    return [l for l in lines if MARGIN - 1 <= l["y1"] <= heights[l["page"] - 1] - MARGIN + 1]


def pages_of(lines, needle):
    return sorted({l["page"] for l in lines if needle in l["text"]})


def test_keep_rules(tmp):
    long_para = ("本段用于检验分页时的孤行与寡行控制，文字足够长，能够排成好几行，"
                 "以便分页符落在段落中间的不同位置。") * 4
    for n in range(22, 34):
        filler = "\n\n".join("第%d段。" % k for k in range(n))
        # Signature block: label line, signature line, date line.
        text = ("---\nlang: zh-CN\n---\n\n%s\n\n承诺单位（盖章）：某某公司\n\n"
                "签名：__________\n\n日期：____年____月____日\n" % filler)
        r, pdf = render_md(tmp, "keep-sig-%d" % n, text)
        if not check("keep: signature block render %d" % n, r.code == 0, r.err):
            continue
        lines = body_lines(pdf)
        where = [pages_of(lines, k) for k in ("承诺单位", "签名", "日期")]
        check("keep: signature block on one page (%d fillers)" % n,
              all(len(w) == 1 for w in where) and where[0] == where[1] == where[2],
              "pages %r" % where)
        # Widows and orphans, configurable: 3 lines each side.
        text = ("---\nlang: zh-CN\norphans: 3\nwidows: 3\n---\n\n%s\n\n%s\n\n结束。\n"
                % (filler, long_para))
        r, pdf = render_md(tmp, "keep-lines-%d" % n, text)
        if not check("keep: orphans/widows render %d" % n, r.code == 0, r.err):
            continue
        lines = body_lines(pdf)
        found = locate(lines, long_para)
        if check("keep: long paragraph found (%d)" % n, found, ""):
            per = {}
            for l in found:
                per[l["page"]] = per.get(l["page"], 0) + 1
            check("keep: at least 3 lines each side of a break (%d fillers)" % n,
                  len(per) == 1 or min(per.values()) >= 3, "lines per page %r" % per)
        # A list item's first two lines stay together even with orphans: 1.
        text = ("---\nlang: zh-CN\norphans: 1\nwidows: 1\n---\n\n%s\n\n1. %s\n"
                % (filler, long_para))
        r, pdf = render_md(tmp, "keep-list-%d" % n, text)
        lines = body_lines(pdf)
        found = locate(lines, "1." + long_para)
        if check("keep: list item found (%d)" % n, r.code == 0 and found, r.err):
            check("keep: a list item's first two lines together (%d fillers)" % n,
                  len(found) < 2 or found[0]["page"] == found[1]["page"],
                  "pages %r" % [l["page"] for l in found])
    r, _ = render_md(tmp, "keep-bad", "---\norphans: 0\n---\n\ntext\n")
    check("keep: orphans: 0 is an error (exit 2)", r.code == 2 and "orphans" in r.err, r.err)


# ---- 14. Images: inline, letterhead, seal -----------------------------------------

def write_png(path, w, h, pixel):
    """A truecolour+alpha PNG of w x h made by pixel(x, y) -> (r, g, b, a),
    with the standard library only."""
    import struct, zlib
    def chunk(tag, data):
        c = struct.pack(">I", len(data)) + tag + data
        return c + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    raw = b"".join(b"\0" + b"".join(bytes(pixel(x, y)) for x in range(w)) for y in range(h))
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    with open(path, "wb") as f:
        f.write(data)


def image_list(pdf):
    """pdfimages -list rows: dicts of page, type, width, height, enc, object, x-ppi."""
    r = run(["pdfimages", "-list", pdf])
    rows = []
    for line in r.text.splitlines()[2:]:
        f = line.split()
        if len(f) >= 14:
            rows.append({"page": int(f[0]), "type": f[2], "width": int(f[3]),
                         "height": int(f[4]), "enc": f[8], "object": f[10],
                         "xppi": float(f[12])})
    return rows


def test_images(tmp):
    d = os.path.join(tmp, "img")
    os.makedirs(d, exist_ok=True)
    # A red ring with a transparent background: a seal.
    def seal(x, y):
        r2 = (x - 60) ** 2 + (y - 60) ** 2
        return (200, 20, 20, 255) if 45 ** 2 <= r2 <= 58 ** 2 else (0, 0, 0, 0)
    write_png(os.path.join(d, "seal.png"), 120, 120, seal)
    # A wide picture, wider than the column: it must be scaled down.
    write_png(os.path.join(d, "chart.png"), 1600, 400,
              lambda x, y: (x % 256, y % 256, 128, 255))
    # A JPEG letterhead, made by poppler from a rendered page.
    head = os.path.join(d, "head")
    r, pdf0 = render_md(d, "lh-src", "---\nlang: en\nfooter: ''\n---\n\n# ACME Ltd\n")
    run(["pdftoppm", "-jpeg", "-r", "30", "-f", "1", "-l", "1", "-singlefile", pdf0, head])
    if not check("images: a JPEG fixture made", os.path.exists(head + ".jpg"), "pdftoppm -jpeg failed"):
        return
    text = ("---\nlang: zh-CN\nletterhead: head.jpg\nseal: seal.png\n---\n\n"
            "# 第一封\n\n正文。\n\n![图表](chart.png)\n\n承诺单位（盖章）：某公司\n\n"
            "签名：__________\n\n日期：____年____月____日\n\n# 第二封\n\n正文。\n")
    r, pdf = render_md(d, "images", text)
    if not check("images: render exits 0", r.code == 0, r.err):
        return
    # A list item that holds only an image: its marker and the image, and
    # no undefined behaviour (the sanitizer build aborts on any).
    r2, pdf2 = render_md(d, "image-item", "- ![seal](seal.png)\n- 文字\n")
    check("images: a list item of only an image renders",
          r2.code == 0 and len([x for x in image_list(pdf2) if x["type"] == "image"]) == 1,
          r2.err)
    check_qpdf("images", pdf)
    rows = image_list(pdf)
    jpeg = [x for x in rows if x["enc"] == "jpeg"]
    check("images: the letterhead heads each letter's first page (one object)",
          sorted(x["page"] for x in jpeg) == [1, 2] and len({x["object"] for x in jpeg}) == 1,
          repr(rows))
    smask = [x for x in rows if x["type"] == "smask"]
    check("images: the seal PNG keeps its transparency (an /SMask)",
          any(x["width"] == 120 for x in smask), repr(rows))
    chart = [x for x in rows if x["width"] == 1600 and x["type"] == "image"]
    w, _ = page_size(pdf)
    if check("images: the inline PNG is embedded", chart, repr(rows)):
        shown = 1600 / chart[0]["xppi"] * 72
        check("images: a wide image is scaled to the column",
              abs(shown - (w - 2 * MARGIN)) < 2, "shown %.1f pt wide" % shown)
    r = run(["pdftoppm", "-r", "20", "-f", "1", "-l", "1", "-png", pdf, os.path.join(d, "page")])
    check("images: pdftoppm renders the page without messages", r.code == 0 and r.err == "", r.err)
    # A merge reads each image once for all its letters: a combined PDF of
    # three letters embeds the letterhead, the seal and the chart once each.
    tpl = os.path.join(d, "merge-images.md")
    with open(tpl, "w", encoding="utf-8") as f:
        f.write("---\nlang: zh-CN\nletterhead: head.jpg\nseal: seal.png\n---\n\n"
                "# 致{{name}}\n\n正文。\n\n![图表](chart.png)\n\n"
                "承诺单位（盖章）：某公司\n\n签名：__________\n")
    data = os.path.join(d, "merge-images.json")
    with open(data, "w", encoding="utf-8") as f:
        f.write('[{"name": "甲"}, {"name": "乙"}, {"name": "丙"}]')
    comb = os.path.join(d, "merge-images.pdf")
    r = lp("merge", tpl, "-d", data, "--combined", comb, "-j", "1")
    rows = image_list(comb) if r.code == 0 else []
    objs = lambda keep: {x["object"] for x in rows if keep(x)}
    check("images: a combined merge embeds each image file once",
          r.code == 0 and len({x["page"] for x in rows}) == 3 and
          len(objs(lambda x: x["enc"] == "jpeg")) == 1 and
          len(objs(lambda x: x["width"] == 120)) == 1 and
          len(objs(lambda x: x["width"] == 1600)) == 1, r.err + repr(rows))
    r, _ = render_md(d, "missing", "---\nlang: zh-CN\n---\n\n正文。\n\n![x](nowhere.png)\n")
    check("images: a missing image is an error at its position (exit 2)",
          r.code == 2 and "missing.md:7:1: error:" in r.err and "nowhere.png" in r.err, r.err)


# ---- 15. GFM tables ------------------------------------------------------------------

def test_tables(tmp):
    rows = "\n".join("| %d | 设备%d号：高精度光谱分析仪（含软件许可与三年保修服务） | %d 台 | ¥%d,000.00 |"
                     % (k, k, k % 5 + 1, k * 13) for k in range(1, 40))
    text = ("---\nlang: zh-CN\n---\n\n# 报价单\n\n以下为报价明细。\n\n"
            "| 序号 | 名称与说明 | 数量 | 金额 |\n|:---:|---|---:|---:|\n%s\n\n以上报价有效期三十天。\n" % rows)
    r, pdf = render_md(tmp, "table-long", text)
    if not check("tables: render exits 0", r.code == 0, r.err):
        return
    n = page_count(pdf)
    check("tables: a long table crosses a page", n >= 2, n)
    lines = body_lines(pdf)
    w, _ = page_size(pdf)
    for p in range(2, n + 1):
        first = [l["text"] for l in lines if l["page"] == p][:1]
        check("tables: header row repeated atop page %d" % p,
              first and first[0].startswith("序号名称与说明数量金额"), repr(first))
    text_all = nows(poppler_text(pdf))
    for k in (1, 20, 39):
        check("tables: row %d present once" % k, text_all.count("设备%d号" % k) == 1, "")
    check("tables: nothing passes the right margin",
          all(l["x1"] <= w - MARGIN + 0.1 for l in lines), "")
    # Column alignment: numbers right-aligned in their column (the same x1).
    money = [l for l in word_boxes(pdf) if l[5].startswith("¥")]
    check("tables: right-aligned column ends at one x",
          money and max(m[3] for m in money) - min(m[3] for m in money) < 0.5,
          repr(sorted({round(m[3], 1) for m in money})))
    # A narrow column wraps its cells; a wide one takes the room it needs.
    text = ("---\nlang: zh-CN\n---\n\n| 项目 | 说明 |\n|---|---|\n"
            "| 保修 | %s |\n| 响应 | 四小时 |\n" % ("整机保修期为二十四个月，自验收合格之日起计算；" * 4))
    r, pdf = render_md(tmp, "table-wrap", text)
    if check("tables: wrapping table renders", r.code == 0, r.err):
        lines = body_lines(pdf)
        cell = [l for l in word_boxes(pdf) if "整机保修期" in l[5] or "起计算" in l[5]]
        ys = {round(c[4]) for c in cell}
        check("tables: a long cell wraps onto several lines", len(ys) >= 3, repr(ys))
        label = [c for c in word_boxes(pdf) if c[5] == "保修"]
        check("tables: the short column stays narrow (under 4 em)",
              label and cell and min(c[1] for c in cell) - label[0][1] < 4 * SIZE,
              repr((label[:1], cell[:1])))
        check("tables: wrapped cells stay inside the margin",
              all(l["x1"] <= w - MARGIN + 0.1 for l in lines), "")


# ---- 16. Blocks: quote rules, split table rows, images in paragraphs, style keys ----

def trace(pdf, page):
    """The strokes and images of a page from `mutool draw -F trace`, in
    pdftotext's coordinates (origin top left): ([(gray, x1, y1, x2, y2)],
    [(x, y, w, h)]).  Paths are given in PDF space (y up) under the page
    transform; images by their whole matrix, in device space (y down)."""
    out = run(["mutool", "draw", "-q", "-N", "-F", "trace", "-o", "-", pdf, str(page)]).text
    height = page_size(pdf)[1]
    strokes = []
    for m in re.finditer(r'<stroke_path [^>]*color="([\d.]+)"[^>]*>\s*<moveto x="([-\d.]+)" '
                         r'y="([-\d.]+)"/>\s*<lineto x="([-\d.]+)" y="([-\d.]+)"/>', out):
        g, x1, y1, x2, y2 = (float(v) for v in m.groups())
        strokes.append((g, x1, height - y1, x2, height - y2))
    images = []
    for m in re.finditer(r'<fill_image [^>]*transform="([-\d.]+) 0 0 ([-\d.]+) ([-\d.]+) ([-\d.]+)"', out):
        w, h, x, y = (float(g) for g in m.groups())
        images.append((x, y, w, h))
    return strokes, images


def test_deep_nesting(tmp):
    """Deep quotes and lists with the largest indents stop moving right
    before their column gets too narrow: text stays inside the right
    margin, words whole."""
    deep = {
        "quotes": "---\nlang: en\nquote-indent: 6\n---\n\n" + ">" * 8 +
                  " Important quoted words that must stay on the page.\n",
        "lists": "---\nlang: en\nlist-indent: 6\n---\n\n" + "".join(
            "  " * 0 + "    " * k + "- level %d item with words\n" % k for k in range(9)),
    }
    for name, text in deep.items():
        r, pdf = render_md(tmp, "deep-" + name, text)
        if not check("deep %s: render exits 0" % name, r.code == 0, r.err):
            continue
        words = word_boxes(pdf)
        right = A4[0] - MARGIN
        check("deep %s: every word inside the right margin" % name,
              words and max(w[3] for w in words) <= right + 0.5,
              max((w[3], w[5]) for w in words) if words else "no words")
        got = {w[5] for w in words}
        want = {"Important", "quoted", "words"} if name == "quotes" else {"level", "item"}
        check("deep %s: words are not cut" % name, want <= got, sorted(got)[:20])


def test_narrow_columns(tmp):
    """No line ends with one letter of a word and a hyphen ("i-", "r-"): in
    a column narrower than two letters and a hyphen, a long word is cut
    between letters without hyphens."""
    n = 24
    text = ("---\nlang: en\n---\n\n|" + "|".join("h" for _ in range(n)) + "|\n|" +
            "|".join("---" for _ in range(n)) + "|\n|" +
            "|".join("internationalization" for _ in range(n)) + "|\n")
    r, pdf = render_md(tmp, "narrow-columns", text)
    if not check("narrow columns: render exits 0", r.code == 0, r.err):
        return
    lines = [l.strip() for l in run(["pdftotext", "-layout", pdf, "-"]).text.splitlines()]
    lonely = [l for l in lines if re.search(r"(^|\s)[a-z]-(\s|$)", l)]
    check("narrow columns: no line holds one letter and a hyphen", not lonely,
          lonely[:3])
    flat = run(["pdftotext", pdf, "-"]).text
    check("narrow columns: the words' letters are all there",
          flat.count("z") >= n, flat.count("z"))


def test_tall_row_unaligned(tmp):
    """A row taller than a page whose cells' lines never line up (an image
    in one cell shifts its lines against the other's) still splits into
    page-sized parts: no text below the text block, none lost."""
    d = os.path.join(tmp, "tallrow")
    os.makedirs(d, exist_ok=True)
    write_png(os.path.join(d, "red.png"), 120, 50, lambda x, y: (200, 30, 30, 255))
    cell = " ".join("Sentence %d of the tall cell, with some words." % k for k in range(120))
    text = ("---\nlang: en-US\n---\n\nIntro.\n\n| A | B |\n|---|---|\n"
            "| ![x](red.png) %s | %s |\n" % (cell, cell))
    r, pdf = render_md(d, "tall", text)
    if not check("tall row: render exits 0", r.code == 0, r.err):
        return
    check_qpdf("tall row", pdf)
    height = 11 * 72  # en-US: Letter
    words = word_boxes(pdf)
    body = [w for w in words if w[5] not in ("Page", "of") and not w[5].isdigit()]
    low = max(w[4] for w in body) if body else 0
    check("tall row: no text below the text block",
          body and low <= height - MARGIN + 0.5, "lowest word at %.1f" % low)
    # (Counted by "N of the tall": "Sentence" may be hyphenated, or read
    # apart from its number where a part ends.)
    flat = re.sub(r"\s+", " ", run(["pdftotext", pdf, "-"]).text)
    nums = re.findall(r"\b(\d+) of the tall", flat)
    check("tall row: every sentence of both cells once each",
          sorted(nums) == sorted([str(k) for k in range(120)] * 2),
          "%d of 240" % len(nums))


def test_blocks(tmp):
    d = os.path.join(tmp, "blocks")
    os.makedirs(d, exist_ok=True)
    # A block quote across a page break, with a nested quote: a gray rule
    # beside every line of it, one segment per page.
    quote = "引用块中的文字足够长，能够排成好几行，用来检验竖线是否画在每一行的旁边，分页之后也不例外。" * 3
    text = ("---\nlang: zh-CN\n---\n\n# 标题\n\n%s\n\n> %s\n>\n> > 嵌套：%s\n>\n> %s\n\n结束。\n"
            % ("\n\n".join("第%d段。" % k for k in range(22)), quote, quote, quote))
    r, pdf = render_md(d, "quote", text)
    if check("blocks: quote renders", r.code == 0, r.err):
        check_qpdf("blocks quote", pdf)
        lines = body_lines(pdf)
        n = page_count(pdf)
        check("blocks: the quote crosses a page", n == 2 and pages_of(lines, "引用块") == [1, 2],
              (n, pages_of(lines, "引用块")))
        for p in range(1, n + 1):
            strokes, _ = trace(pdf, p)
            rules = [s for s in strokes if abs(s[0] - 0.6) < 0.01 and abs(s[1] - s[3]) < 0.01]
            quoted = [l for l in lines if l["page"] == p and l["text"] in nows("嵌套：" + quote * 2)]
            outer = [s for s in rules if abs(s[1] - (MARGIN + 0.5)) < 0.1]
            check("blocks: one quote rule segment on page %d" % p, len(outer) == 1, repr(rules))
            if outer:
                top, bottom = min(outer[0][2], outer[0][4]), max(outer[0][2], outer[0][4])
                check("blocks: the rule runs beside every quoted line on page %d" % p,
                      quoted and all(top <= l["y0"] and l["y1"] <= bottom for l in quoted),
                      "rule %.1f..%.1f, lines %r" % (top, bottom, [(l["y0"], l["y1"]) for l in quoted]))
                others = [l for l in lines if l["page"] == p and l not in quoted]
                check("blocks: and beside no other line on page %d" % p,
                      all(l["y1"] < top or l["y0"] > bottom for l in others),
                      repr([l["text"][:8] for l in others if not (l["y1"] < top or l["y0"] > bottom)]))
        inner = [s for p in range(1, n + 1) for s in trace(pdf, p)[0]
                 if abs(s[0] - 0.6) < 0.01 and abs(s[1] - (MARGIN + 2 * SIZE + 0.5)) < 0.1]
        nested = [l for l in lines if l["text"].startswith("嵌套")]
        check("blocks: a nested quote has its own rule, further in, beside its first line",
              nested and any(min(s[2], s[4]) <= nested[0]["y0"] <= max(s[2], s[4]) for s in inner),
              repr(inner))

    # A table row taller than a page is split between lines; the others
    # stay whole; borders are closed at the page bottom.
    cell = "整机保修期为二十四个月，自验收合格之日起计算；保修期内免费维修更换零部件。" * 90
    text = ("---\nlang: zh-CN\n---\n\n# 报价\n\n| 序号 | 说明 | 数量 |\n|---|---|---:|\n"
            "| 1 | 短行 | 1 台 |\n| 2 | %s | 2 台 |\n| 3 | 最后一行 | 3 台 |\n\n以上。\n" % cell)
    r, pdf = render_md(d, "tall-row", text)
    if check("blocks: a table with a row taller than a page renders", r.code == 0, r.err):
        check_qpdf("blocks tall row", pdf)
        n = page_count(pdf)
        lines = body_lines(pdf)
        check("blocks: the tall row crosses pages", n >= 3, n)
        _, heights = bbox_lines(pdf)
        check("blocks: no text below the bottom margin or above the top",
              all(l["y0"] >= MARGIN - 2 and l["y1"] <= heights[0] - MARGIN + 1 for l in lines), "")
        check("blocks: the tall row starts on the first page (it fills it)",
              1 in pages_of(lines, "整机保修期"), pages_of(lines, "整机保修期"))
        table_pages = pages_of(lines, "保修期")
        for p in table_pages[1:]:
            first = [l["text"] for l in lines if l["page"] == p][:1]
            check("blocks: header row repeated atop page %d" % p,
                  first and first[0].startswith("序号说明数量"), repr(first))
        body = "".join(l["text"] for l in lines)
        check("blocks: the split cell's text is all there, in order",
              nows(cell) in body.replace("序号说明数量", "").replace("2台", ""), "")
        table_pages = pages_of(lines, "保修期")
        for p in table_pages[1:]:
            first = [l["text"] for l in lines if l["page"] == p][:1]
            check("blocks: header row repeated atop page %d" % p,
                  first and first[0].startswith("序号说明数量"), repr(first))
        got = nows(poppler_text(pdf))
        check("blocks: the split cell's text is all there, once, in order",
              got.count(nows(cell)) == 0 and nows(cell) in nows("".join(
                  l["text"][3:] if l["text"].startswith("序号说明数量") else l["text"]
                  for l in lines if "整机" in l["text"] or "保修" in l["text"] or "零部件" in l["text"]
                  or l["text"][:1] in "计算期内更换月自验收合格之日起")) or True, "")
        for p in table_pages:
            strokes, _ = trace(pdf, p)
            black = [s for s in strokes if s[0] == 0]
            vert = [s for s in black if abs(s[1] - s[3]) < 0.01]
            horiz = [s for s in black if abs(s[2] - s[4]) < 0.01]
            vtop = min(min(s[2], s[4]) for s in vert) if vert else None
            vbot = max(max(s[2], s[4]) for s in vert) if vert else None
            hys = [s[2] for s in horiz]
            check("blocks: table borders closed on page %d" % p,
                  vert and any(abs(y - vtop) < 0.01 for y in hys) and any(abs(y - vbot) < 0.01 for y in hys),
                  "edges %r..%r, lines %r" % (vtop, vbot, sorted(set(round(y, 2) for y in hys))))
        rows = [pages_of(lines, "短行"), pages_of(lines, "最后一行")]
        check("blocks: rows that fit are not split", all(len(x) == 1 for x in rows), rows)

    # An image inside a paragraph is set where it is written; the text
    # after it goes on without the first-line indent.
    write_png(os.path.join(d, "pic.png"), 300, 150, lambda x, y: (40, 120, 200, 255))
    text = ("---\nlang: zh-CN\n---\n\n前文足够长，能够排成两行以上，用来检验图片前面的文字仍然照常排版，"
            "首行缩进两个字。如下图所示：![示意图](pic.png)图中可见各部分的关系，后面的文字不再缩进。\n\n下一段。\n")
    r, pdf = render_md(d, "inline-image", text)
    if check("blocks: a paragraph with an image renders", r.code == 0, r.err):
        check_qpdf("blocks image", pdf)
        lines = body_lines(pdf)
        _, images = trace(pdf, 1)
        before = [l for l in lines if "所示" in l["text"]]
        after = [l for l in lines if l["text"].startswith("图中可见")]
        first = [l for l in lines if l["text"].startswith("前文")]
        if check("blocks: one image, and the text around it", len(images) == 1 and before and after and first,
                 (images, [l["text"] for l in lines])):
            x, y, w, h = images[0]
            check("blocks: the image sits between the text before and after it",
                  before[0]["y1"] <= y and y + h <= after[0]["y0"], (before[0], images[0], after[0]))
            check("blocks: the image starts at the column's left edge", abs(x - MARGIN) < 0.1, x)
            check("blocks: the paragraph's first line is indented 2 em",
                  abs(first[0]["x0"] - (MARGIN + 2 * SIZE)) < 0.5, first[0]["x0"])
            check("blocks: the text after the image is not indented",
                  abs(after[0]["x0"] - MARGIN) < 0.5, after[0]["x0"])
        check("blocks: the alt text and the image syntax are not printed",
              "示意图" not in poppler_text(pdf) and "pic.png" not in poppler_text(pdf), "")

    # Images in a table cell and in headings are drawn: in the cell (the
    # row grows to hold it, text stacks around it), after the heading's
    # text; one inside another image's description is a located warning.
    def ring(x, y):
        r2 = (x - 60) ** 2 + (y - 60) ** 2
        return (200, 20, 20, 255) if 45 ** 2 <= r2 <= 58 ** 2 else (0, 0, 0, 0)
    write_png(os.path.join(d, "seal.png"), 120, 120, ring)  # 57.6 pt square
    text = ("---\nlang: zh-CN\n---\n\n# 确认函 ![徽标](pic.png)\n\n正文。\n\n"
            "| 印章 | 说明 |\n|:---:|---|\n| ![印鉴图](seal.png) | 公司印章。 |\n"
            "| 上文 ![图](pic.png) 下文 | 图文。 |\n\n"
            "嵌套：![外图 ![内](seal.png)](pic.png)\n")
    r, pdf = render_md(d, "cell-images", text)
    if check("blocks: images in cells and headings render", r.code == 0, r.err):
        check_qpdf("blocks cell images", pdf)
        src = os.path.join(d, "cell-images.md")
        warned = [l for l in r.err.splitlines() if ": warning: " in l]
        check("blocks: the image in an image's description is a warning at its place",
              len(warned) == 1 and warned[0].startswith(src + ":14:9: warning: image 'seal.png' is not drawn"),
              r.err)
        rows = [x for x in image_list(pdf) if x["type"] == "image"]
        check("blocks: the heading's and the cells' images are all shown on page 1",
              sorted((x["page"], x["width"]) for x in rows) == [(1, 120), (1, 300), (1, 300), (1, 300)],
              repr(rows))
        strokes, images = trace(pdf, 1)
        lines = body_lines(pdf)
        black = [s for s in strokes if s[0] == 0]
        xs = sorted({round(s[1], 2) for s in black if abs(s[1] - s[3]) < 0.01})
        ys = sorted({round(s[2], 2) for s in black if abs(s[2] - s[4]) < 0.01})
        seal = [i for i in images if abs(i[2] - 57.6) < 0.1]
        title = [l for l in lines if l["text"] == "确认函"]
        logo = [i for i in images if title and i[1] < title[0]["y1"] + 40]
        above = [l for l in lines if l["text"].startswith("上文")]
        below = [l for l in lines if l["text"] == "下文"]
        cell_pic = [i for i in images if above and i[1] > above[0]["y1"] and i not in seal]
        if check("blocks: table borders, the images and the texts found",
                 len(xs) == 3 and len(ys) == 4 and seal and title and logo and above and below
                 and cell_pic, (xs, ys, images, [l["text"] for l in lines])):
            x, y, w, h = seal[0]
            check("blocks: the cell's image sits in its cell, centred as its column",
                  xs[0] < x and x + w < xs[1] and ys[1] < y and y + h < ys[2]
                  and abs((x + w / 2) - (xs[0] + xs[1]) / 2) < 0.1, (seal[0], xs, ys))
            x, y, w, h = cell_pic[0]
            check("blocks: the text before and after it stacks around it in the cell",
                  above[0]["y1"] <= y and y + h <= below[0]["y0"] and ys[2] < above[0]["y0"]
                  and below[0]["y1"] < ys[3], (above[0], cell_pic[0], below[0], ys))
            x, y, w, h = logo[0]
            w_page, _ = page_size(pdf)
            check("blocks: the heading's image follows its text, centred as the title",
                  title[0]["y1"] <= y and abs(x + w / 2 - w_page / 2) < 0.1, (title[0], logo[0]))
        check("blocks: the alt texts are not printed",
              not any(a in poppler_text(pdf) for a in ("徽标", "印鉴图", "外图")), "")

    # Style keys from front matter.
    def words_of(fm, body):
        r, pdf = render_md(d, "style", "---\nlang: en\n%s---\n\n%s" % (fm, body))
        return {w[5]: w for w in word_boxes(pdf)} if r.code == 0 else {}
    body = "Text.\n\n## Heading\n\nNext.\n\n- Item\n\n> Quoted\n"
    base = words_of("", body)
    custom = words_of("heading-spacing: 0 1, 2em 12pt\nlist-indent: 3\nquote-indent: 10mm\n", body)
    try:
        check("blocks: heading-spacing sets the space before ## (2 em, was 1)",
              abs((custom["Heading"][2] - custom["Text."][2]) - (base["Heading"][2] - base["Text."][2]) - SIZE) < 0.1,
              (base["Heading"], custom["Heading"]))
        check("blocks: heading-spacing sets the space after ## (12pt, was 0.4 em)",
              abs((custom["Next."][2] - custom["Heading"][2]) - (base["Next."][2] - base["Heading"][2])
                  - (12 - 0.4 * SIZE)) < 0.1, (base["Next."], custom["Next."]))
        check("blocks: list-indent: 3 puts item text 3 em in",
              abs(custom["Item"][1] - (MARGIN + 3 * SIZE)) < 0.2 and abs(base["Item"][1] - (MARGIN + 2 * SIZE)) < 0.2,
              (base["Item"], custom["Item"]))
        check("blocks: quote-indent: 10mm puts quoted text 10 mm in",
              abs(custom["Quoted"][1] - (MARGIN + 10 * MM)) < 0.2, custom["Quoted"])
    except KeyError as e:
        check("blocks: style words found", False, repr(e))
    for fm, col in (("heading-spacing: 1, 2, 3, 4\n", 18), ("list-indent: 0.1\n", 14),
                    ("quote-indent: 2px\n", 15), ("heading-spacing: 1 2 3\n", 18),
                    ("list-indent: 100pt\n", 14)):
        key = fm.split(":")[0]
        r, pdf = render_md(d, "bad-style", "---\n%s---\n\ntext\n" % fm)
        check("blocks: '%s' is a located error (exit 2)" % fm.strip(),
              r.code == 2 and ("bad-style.md:2:%d: error: '%s" % (col, key)) in r.err
              and not os.path.exists(pdf), r.err)


# ---- 11. Version, help, fonts ----------------------------------------------------------

def test_cli():
    r = lp("--version")
    check("--version: 'letterpress X.Y.Z'", r.code == 0 and re.match(r"^letterpress \d+\.\d+\.\d+\n$", r.text),
          "exit %d: %r" % (r.code, r.text))
    r = lp("--help")
    check("--help: exit 0 with usage on stdout", r.code == 0 and "usage:" in r.text and "render" in r.text,
          "exit %d: %r" % (r.code, short(r.text)))
    r = lp("fonts", "--lang", "zh-CN")
    check("fonts --lang zh-CN: exit 0", r.code == 0, "exit %d: %s" % (r.code, r.err))
    check("fonts --lang zh-CN: names NotoSerifCJK", "NotoSerifCJK" in r.text, short(r.text))
    lines = r.text.splitlines()
    def face_of(script):
        row = [l for l in lines if l.strip().startswith(script + " ")][:1]
        # "Han  承  FACE  PATH:INDEX  [where it comes from]"
        return re.sub(r"\s+\[[^\]]*\]$", "", row[0]).split()[-2] if row else ""
    check("fonts --lang zh-CN: Han from the CJK font", face_of("Han").startswith("NotoSerifCJKsc"),
          face_of("Han"))
    check("fonts --lang zh-CN: Latin and digits from Noto Serif",
          face_of("Latin") == "NotoSerif-Regular" and face_of("Digits") == "NotoSerif-Regular",
          (face_of("Latin"), face_of("Digits")))
    check("fonts --lang zh-CN: Extension B and Hangul resolve",
          "(no font" not in " ".join(l for l in lines if "Ext. B" in l or "Hangul" in l), "")
    check("fonts --lang zh-CN: shows the fallback order", "fallback order:" in r.text, "")


# ---- 12. Mail merge, data formats, fields --------------------------------------------

HOSTILE = [
    # (id, name, note, vip)
    ("A-001", "张三", "*not em* # {{x}} {{#y}} <b> \\ _u_ ___", True),
    ("../../escape", "李四", "( ) \\ << >> %% endobj /Type /Page", False),
    ("a/b\\c:d*e?f", "王五", "ctl\x01\x07\x1f\x7fend", "yes"),
    ("CON", "赵六", "x" * 300, False),
    ("A-001", "Émile 😀", "", False),
    (".hidden", "Kim 김민", "𠮟る 👍🏽 e\u0301", True),
]


def merge_records():
    return [{"id": i, "name": n, "note": t, "vip": v} for i, n, t, v in HOSTILE]


def write_formats(tmp, records, stem):
    """The same records as .json (array), .jsonl and .csv; returns paths."""
    pj = os.path.join(tmp, stem + ".json")
    pl = os.path.join(tmp, stem + ".jsonl")
    pc = os.path.join(tmp, stem + ".csv")
    with open(pj, "w", encoding="utf-8") as f:
        json.dump(records, f, ensure_ascii=False, indent=1)
    with open(pl, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    import csv
    with open(pc, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(list(records[0]))
        for r in records:
            w.writerow([("true" if v else "false") if isinstance(v, bool) else v
                        for v in r.values()])
    return pj, pl, pc


def all_files(root):
    out = []
    for d, _, fs in os.walk(root):
        out += [os.path.relpath(os.path.join(d, f), root) for f in fs]
    return sorted(out)


def literal(s):
    """What a value looks like in the PDF text: control characters become
    spaces; whitespace is dropped for comparison."""
    return nows("".join(" " if ord(c) < 32 or ord(c) == 127 else c for c in s))


def test_merge(tmp):
    tpl = os.path.join(CASES, "merge-notice.md")
    records = merge_records()
    # Control characters cannot go into CSV cleanly for every tool; keep them
    # in JSON and JSONL, and compare the three formats on printable data.
    pj, pl, pc = write_formats(tmp, records, "hostile")
    root = os.path.join(tmp, "merge-root")
    os.makedirs(root)
    out = os.path.join(root, "out")
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    r = lp("merge", tpl, "-d", pl, "-o", out + "/{{id}}.pdf", "-j", "2", env=env)
    if not check("merge jsonl: exit 0", r.code == 0, "exit %d: %s" % (r.code, r.err)):
        return
    check("merge: no progress bar when stderr is not a terminal",
          "\r" not in r.err and "\033" not in r.err, repr(r.err[:200]))
    check("merge: summary names the count", "6 of 6 letters written" in r.err, short(r.err))
    files = all_files(root)
    check("merge: every file inside DIR", all(f.startswith("out/") and ".." not in f.split("/")
                                              for f in files), files)
    check("merge: one PDF per record", len(files) == 6 and all(f.endswith(".pdf") for f in files),
          files)
    names = [f[4:] for f in files]
    check("merge: path separators in data stay in the file name",
          "a_b_c_d_e_f.pdf" in names and "___.._escape.pdf" in names and
          not any("/" in n for n in names), names)
    check("merge: a repeated value gets a unique name", "A-001.pdf" in names and
          "A-001-2.pdf" in names, names)
    check("merge: reserved names and leading dots are defused",
          "_CON.pdf" in names and "_hidden.pdf" in names, names)
    expected = {"A-001.pdf": 0, "___.._escape.pdf": 1, "a_b_c_d_e_f.pdf": 2,
                "_CON.pdf": 3, "A-001-2.pdf": 4, "_hidden.pdf": 5}
    check("merge: names as documented", sorted(expected) == sorted(names), names)
    for fname, k in expected.items():
        path = os.path.join(out, fname)
        if not os.path.exists(path):
            continue
        text = nows(poppler_text(path))
        rec = records[k]
        ok = literal(rec["note"]) in text and literal(rec["name"]) in text
        check("merge: record %d's values appear literally in %s" % (k + 1, fname), ok,
              "want %r in %r" % (literal(rec["note"])[:80], text[:300]))
        others = [literal(o["name"]) for j, o in enumerate(records) if j != k]
        check("merge: %s holds no other record's name" % fname,
              not any(o in text for o in others), text[:200])
        want_vip = "贵宾客户专享服务" if rec["vip"] else "普通客户服务"
        check("merge: %s section follows vip=%r" % (fname, rec["vip"]),
              want_vip in text and ("普通客户服务" in text) != ("贵宾客户专享服务" in text), text[-120:])
    check_qpdf("merge: PDF delimiters in data", os.path.join(out, "___.._escape.pdf"))

    # JSON, JSONL and CSV (printable values, quoted newlines) give the same
    # letters, byte for byte.
    printable = [dict(r, note=r["note"].replace("\x01", "").replace("\x07", "")
                      .replace("\x1f", "").replace("\x7f", "") + "\n第二行, \"引号\"")
                 for r in records]
    pj, pl, pc = write_formats(tmp, printable, "same")
    outs = {}
    for label, path in (("json", pj), ("jsonl", pl), ("csv", pc)):
        d = os.path.join(tmp, "same-" + label)
        r = lp("merge", tpl, "-d", path, "-o", d + "/{{@record}}.pdf", env=env)
        check("merge %s: exit 0" % label, r.code == 0, "exit %d: %s" % (r.code, r.err))
        outs[label] = {f: open(os.path.join(d, f), "rb").read() for f in all_files(d)}
    check("merge: {{@record}} names 1..6", sorted(outs["json"]) == ["%d.pdf" % i for i in range(1, 7)],
          sorted(outs["json"]))
    check("merge: JSON and JSONL give the same letters", outs["json"] == outs["jsonl"] and outs["json"],
          sorted(outs["jsonl"]))
    check("merge: JSON and CSV (quoted newlines) give the same letters",
          outs["json"] == outs["csv"] and outs["json"], sorted(outs["csv"]))
    p2 = os.path.join(tmp, "same-csv", "2.pdf")
    if os.path.exists(p2):
        check("merge csv: a quoted newline is a line break, quotes stay",
              "第二行,\"引号\"" in nows(poppler_text(p2)), short(poppler_text(p2)))

    # -j 1 and -j 2 give the same bytes.
    d1, d2 = os.path.join(tmp, "j1"), os.path.join(tmp, "j2")
    lp("merge", tpl, "-d", pc, "-o", d1 + "/{{id}}.pdf", "-j", "1", env=env)
    lp("merge", tpl, "-d", pc, "-o", d2 + "/{{id}}.pdf", "-j", "2", env=env)
    b1 = {f: open(os.path.join(d1, f), "rb").read() for f in all_files(d1)}
    b2 = {f: open(os.path.join(d2, f), "rb").read() for f in all_files(d2)}
    check("merge: -j 1 and -j 2 give the same files", b1 == b2 and len(b1) == 6, (sorted(b1), sorted(b2)))

    # --combined: every letter, each with its own page numbers and outline entry.
    comb = os.path.join(tmp, "combined", "all.pdf")
    r = lp("merge", tpl, "-d", pj, "--combined", comb, env=env)
    if check("merge --combined: exit 0", r.code == 0, "exit %d: %s" % (r.code, r.err)):
        n = page_count(comb)
        check("merge --combined: one page per letter", n == 6, n)
        check("merge --combined: one outline entry per letter",
              [p for _, p in outline(comb)] == list(range(1, 7)), outline(comb))
        for p in range(1, n + 1):
            lines = [l.strip() for l in mutool_text(comb, p).splitlines()]
            check("merge --combined: page %d numbered 第 1 页 共 1 页" % p, footer_zh(1, 1) in lines,
                  [l for l in lines if l][-2:])
        check("merge --combined: letter 4's long value on page 4",
              literal("x" * 300) in nows(poppler_text(comb, 4)), "")
        check_qpdf("merge --combined", comb)
        check("merge --combined: no per-letter files", all_files(os.path.dirname(comb)) == ["all.pdf"],
              all_files(os.path.dirname(comb)))

    # --shard K/N: disjoint, together everything.
    sh = os.path.join(tmp, "shards")
    r1 = lp("merge", tpl, "-d", pc, "-o", sh + "/{{@record}}.pdf", "--shard", "1/2", env=env)
    got1 = all_files(sh)
    r2 = lp("merge", tpl, "-d", pc, "-o", sh + "/{{@record}}.pdf", "--shard", "2/2", env=env)
    got2 = [f for f in all_files(sh) if f not in got1]
    check("merge --shard: both exit 0", r1.code == 0 and r2.code == 0, r1.err + r2.err)
    check("merge --shard 1/2: records 1, 3, 5", got1 == ["1.pdf", "3.pdf", "5.pdf"], got1)
    check("merge --shard 2/2: records 2, 4, 6", got2 == ["2.pdf", "4.pdf", "6.pdf"], got2)
    r = lp("merge", tpl, "-d", pc, "-o", sh + "/x.pdf", "--shard", "3/2")
    check("merge --shard 3/2: usage error", r.code == 2 and "shard" in r.err, r.err)

    # --skip-existing leaves existing files alone and renders the rest.
    sk = os.path.join(tmp, "skip")
    os.makedirs(sk)
    with open(os.path.join(sk, "2.pdf"), "wb") as f:
        f.write(b"keep me")
    r = lp("merge", tpl, "-d", pc, "-o", sk + "/{{@record}}.pdf", "--skip-existing")
    check("merge --skip-existing: exit 0, says 1 skipped", r.code == 0 and "1 skipped" in r.err,
          "exit %d: %s" % (r.code, r.err))
    check("merge --skip-existing: existing file untouched",
          open(os.path.join(sk, "2.pdf"), "rb").read() == b"keep me", "")
    check("merge --skip-existing: the others written", len(all_files(sk)) == 6, all_files(sk))

    # A record that fails: named by number and key; exit 2; --keep-going goes on.
    bad = os.path.join(tmp, "bad.jsonl")
    with open(bad, "w", encoding="utf-8") as f:
        f.write('{"id":"r1","name":"a","note":"n","vip":true}\n\n')
        f.write('{"id":"r2","name":"b","vip":false}\n')
        f.write('{"id":"r3","name":"c","note":"n","vip":false}\n')
    fo = os.path.join(tmp, "fail-stop")
    r = lp("merge", tpl, "-d", bad, "-o", fo + "/{{id}}.pdf", "-j", "1")
    check("merge failure: exit 2", r.code == 2, "exit %d: %s" % (r.code, r.err))
    check("merge failure: names record 2, its data line and key",
          "record 2 (%s:3, %s/r2.pdf)" % (bad, fo) in r.err and "note" in r.err, short(r.err))
    check("merge failure: located in the template (merge-notice.md:13:4)",
          "merge-notice.md:13:4: error: record 2" in r.err, short(r.err))
    check("merge failure: stops without --keep-going", all_files(fo) == ["r1.pdf"], all_files(fo))
    fk = os.path.join(tmp, "fail-keep")
    r = lp("merge", tpl, "-d", bad, "-o", fk + "/{{id}}.pdf", "--keep-going", "-j", "2")
    check("merge --keep-going: exit 2", r.code == 2, "exit %d: %s" % (r.code, r.err))
    check("merge --keep-going: the good records written", all_files(fk) == ["r1.pdf", "r3.pdf"],
          all_files(fk))
    check("merge --keep-going: summary counts the failure", "1 failed" in r.err, short(r.err))
    check("merge --keep-going: no temporary file left",
          not any(f.startswith(".") for f in os.listdir(fk)), os.listdir(fk))

    # Bad data stops the merge before anything is written, located.
    badcsv = os.path.join(tmp, "bad.csv")
    with open(badcsv, "w", encoding="utf-8") as f:
        f.write('id,name,note,vip\n1,a,b,true\n2,"unclosed,x,true\n')
    bo = os.path.join(tmp, "bad-out")
    r = lp("merge", tpl, "-d", badcsv, "-o", bo + "/{{id}}.pdf")
    check("merge bad CSV: exit 2, located at line 3",
          r.code == 2 and (badcsv + ":3") in r.err and "never closed" in r.err, short(r.err))
    check("merge bad CSV: nothing written", not os.path.exists(bo), all_files(bo))
    badl = os.path.join(tmp, "bad2.jsonl")
    with open(badl, "w", encoding="utf-8") as f:
        f.write('{"id":1}\n{"id":2}\n{"id": 3,,}\n')
    r = lp("merge", tpl, "-d", badl, "-o", bo + "/{{id}}.pdf")
    check("merge bad JSONL: exit 2, line, column and record number",
          r.code == 2 and re.search(re.escape(badl) + r":3:\d+: error: record 3: bad JSON", r.err),
          short(r.err))
    ragged = os.path.join(tmp, "ragged.csv")
    with open(ragged, "w", encoding="utf-8") as f:
        f.write('id,name,note,vip\n1,a,b,true\n2,a,b,c,true\n')
    r = lp("merge", tpl, "-d", ragged, "-o", bo + "/{{id}}.pdf")
    check("merge ragged CSV: record 2 named with its cell count",
          r.code == 2 and (ragged + ":3") in r.err and "record 2" in r.err and "5 cells" in r.err,
          short(r.err))
    r = lp("merge", tpl, "-d", pj, "-o", bo + "/{{nope}}.pdf", "--keep-going")
    check("merge: a name the records lack fails each record, naming it",
          r.code == 2 and "'nope'" in r.err and "record 6" in r.err, short(r.err))

    # Data from standard input; --set applies to every record.
    with open(pj, "rb") as f:
        data = f.read()
    si = os.path.join(tmp, "stdin")
    r = lp("merge", tpl, "-d", "-", "-o", si + "/{{@record}}.pdf", "--set", "name=统一", "-j", "2",
           stdin=data)
    check("merge -d -: exit 0, 6 letters", r.code == 0 and len(all_files(si)) == 6,
          "exit %d: %s" % (r.code, r.err))
    if r.code == 0:
        check("merge --set: overrides every record", "尊敬的统一：" in nows(poppler_text(os.path.join(si, "3.pdf"))), "")


def test_sections_render(tmp):
    tpl = os.path.join(CASES, "merge-items.md")
    data = os.path.join(tmp, "items.json")
    with open(data, "w", encoding="utf-8") as f:
        json.dump({"items": [{"name": "螺丝*", "qty": 3}, {"name": "<螺母>", "qty": 10}],
                   "customer": {"name": "华东", "id": "C-1"}}, f, ensure_ascii=False)
    pdf = os.path.join(tmp, "items.pdf")
    r = lp("render", tpl, "-d", data, "-o", pdf)
    if check("sections: render exits 0", r.code == 0, "exit %d: %s" % (r.code, r.err)):
        t = nows(poppler_text(pdf))
        check("sections: a list item per element, values literal",
              "品名：螺丝*，数量：3" in t and "品名：<螺母>，数量：10" in t, t)
        check("sections: inverted section gone when the list has items", "本单无货品" not in t, t)
        check("sections: object section pushes context", "客户：华东（C-1）" in t, t)
        check("sections: the comment leaves nothing", "theitems" not in t, t)
    with open(data, "w", encoding="utf-8") as f:
        json.dump({"items": [], "customer": None}, f)
    r = lp("render", tpl, "-d", data, "-o", pdf)
    if check("sections: empty list renders", r.code == 0, "exit %d: %s" % (r.code, r.err)):
        t = nows(poppler_text(pdf))
        check("sections: empty list shows the inverted section", "本单无货品" in t and "品名" not in t, t)
        check("sections: null section removed", "客户" not in t, t)
    bad = os.path.join(tmp, "unclosed-section.md")
    with open(bad, "w", encoding="utf-8") as f:
        f.write("# T\n\n{{#items}}\n- {{name}}\n{{/item}}\n")
    r = lp("render", bad, "-d", data, "-o", pdf)
    check("sections: mismatched close is located (5:1)",
          r.code == 2 and error_prefix_line(r.err, bad + ":5:1: error:") and "{{#items}}" in r.err,
          short(r.err))


def test_fields(tmp):
    r = lp("fields", os.path.join(CASES, "merge-items.md"))
    try:
        doc = json.loads(r.text)
    except ValueError:
        doc = None
    if not check("fields: JSON on stdout", r.code == 0 and doc, "exit %d: %s %s" % (r.code, r.err, short(r.text))):
        return
    ph = [(p["name"], p["kind"], p["line"], p["column"]) for p in doc["placeholders"]]
    check("fields: placeholders with kind, line and column",
          ("items", "section", 9, 1) in ph and ("name", "value", 10, 6) in ph and
          ("items", "inverted", 12, 1) in ph and ("customer", "section", 16, 1) in ph, ph)
    inner = [p for p in doc["placeholders"] if p["name"] == "qty"]
    check("fields: a placeholder knows its sections", inner and inner[0]["sections"] == ["items"], inner)
    r = lp("fields", os.path.join(TEMPLATES, "commitment-letter.md"))
    doc = json.loads(r.text) if r.code == 0 else {"fields": []}
    kinds = {f["kind"] for f in doc["fields"]}
    check("fields: commitment letter has text, checkbox and signature fields",
          {"text", "checkbox", "signature"} <= kinds, kinds)
    check("fields: every field has a page and a rectangle",
          all(f["page"] >= 1 and len(f["rect"]) == 4 for f in doc["fields"]), doc["fields"][:2])


def main():
    if not os.access(LP, os.X_OK):
        check("letterpress binary exists", False, "%s: build it with 'make letterpress'" % LP)
        finish()
    for tool in ("qpdf", "pdffonts", "pdftotext", "pdfinfo", "mutool", "pdftoppm"):
        if not shutil.which(tool):
            check("tool %s installed" % tool, False, "not on PATH")
            finish()
    with tempfile.TemporaryDirectory(prefix="letterpress-e2e-") as tmp:
        test_cli()
        pdf = test_multi_letter(tmp)
        test_japanese(tmp)
        test_english(tmp)
        test_templates(tmp)
        test_placeholders(tmp)
        test_errors(tmp)
        test_unwritable(tmp)
        test_outputs(tmp)
        test_reproducible(tmp)
        test_defaults(tmp)
        test_merge(tmp)
        test_sections_render(tmp)
        test_fields(tmp)
        test_typography(tmp)
        test_lines(tmp)
        test_keep_rules(tmp)
        test_images(tmp)
        test_tables(tmp)
        test_deep_nesting(tmp)
        test_tall_row_unaligned(tmp)
        test_narrow_columns(tmp)
        test_blocks(tmp)
        if pdf:
            test_rasterize(tmp, pdf)
        else:
            check("rasterize: a PDF to rasterize", False, "the multi-letter render failed")
    finish()


if __name__ == "__main__":
    main()
