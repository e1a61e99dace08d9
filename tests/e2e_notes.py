#!/usr/bin/env python3
"""End-to-end tests of footnotes and links.

Renders tests/cases/lawyer-en.md (an English lawyer's two-page letter with
footnotes, a long footnote that continues on the next page, links,
autolinks and a quotation; PDF/A-2a and PDF/UA-1) through the CLI, and
checks: each note on the page of its reference (pdftotext -f N -l N), the
long note's continuation, the text order (body, notes, footer), the /Link
annotations (qpdf --json: /URI actions, rectangles inside the page's text
area, /F 4, /Contents, in the structure tree as OBJRs of Link elements),
the Note elements' /ID and the /IDTree, print-urls, the warning for a
definition nothing references, data that makes neither links nor notes,
and PDFBox Preflight's PDF/A-1b verdict on the letter.

Uses the harness of tests/e2e.py; prints "N passed, N failed" last.
"""
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check, lp, nows, run  # noqa: E402
from e2e_tagged import Pdf, check_mcids, elements, parent_tree, preflight  # noqa: E402

LETTER = os.path.join(e2e.CASES, "lawyer-en.md")
URLS = {"https://www.example.com/terms", "mailto:office@example.com",
        "https://example.org/help", "https://www.citizensadvice.org.uk",
        "https://england.shelter.org.uk/"}


def render(tmp, name, *args, md=LETTER):
    path = os.path.join(tmp, name)
    r = lp("render", md, "-o", path, *args, env={"SOURCE_DATE_EPOCH": e2e.EPOCH})
    return path, r


def objects(path):
    """Every object of the PDF, from qpdf's JSON: {ref: value}."""
    r = run(["qpdf", "--json", path])
    try:
        objs = json.loads(r.text)["qpdf"][1]
    except (ValueError, KeyError, IndexError):
        return {}
    return {k[4:] if k.startswith("obj:") else k: (v.get("value") if isinstance(v, dict) else v)
            for k, v in objs.items()}


def links(path):
    """The /Link annotations: [(page number from 1, annotation dict)]."""
    objs = objects(path)
    pages = [ref for ref, v in objs.items()
             if isinstance(v, dict) and v.get("/Type") == "/Page"]
    out = []
    for ref, v in objs.items():
        if isinstance(v, dict) and v.get("/Subtype") == "/Link":
            page = pages.index(v.get("/P")) + 1 if v.get("/P") in pages else 0
            out.append((page, v, ref))
    return out


def test_letter(tmp):
    path, r = render(tmp, "lawyer.pdf")
    if not check("letter: renders", r.code == 0 and not r.err, r.err):
        return
    e2e.check_qpdf("letter", path)
    check("letter: two pages", e2e.page_count(path) == 2, e2e.page_count(path))
    pages = [e2e.poppler_text(path, p) for p in (1, 2)]
    # Each note is on the page of its reference.
    refs = {1: "property above.1", 2: "Housing Act 1988,2", 3: "approved scheme.3",
            4: "as the law requires.4", 5: "agreement provides.5"}
    starts = {1: "1 The assured shorthold", 2: "2 Housing Act 1988, s. 21",
              3: "3 The Deposit Protection", 4: "4 Housing Act 2004",
              5: "5 Deed of guarantee"}
    for n in refs:
        ref_page = [p for p in (0, 1) if refs[n] in pages[p].replace("\n", " ")]
        note_page = [p for p in (0, 1) if starts[n] in pages[p]]
        check("letter: note %d on the page of its reference" % n,
              len(ref_page) == 1 and ref_page == note_page, (ref_page, note_page))
    # The long note starts on page 1 and continues on page 2, above note 5.
    check("letter: the long note continues on the next page",
          "without recourse to litigation" not in nows(pages[0]) and
          nows("without recourse to litigation. A copy") in nows(pages[1]) and
          nows("4 Housing Act 2004, s. 213(3)") in nows(pages[0]),
          e2e.short(pages[1][-600:]))
    p2 = nows(pages[1])
    check("letter: the continuation comes before the next note",
          0 <= p2.find(nows("within seven days of hearing from you.")) < p2.find("5Deedofguarantee"),
          e2e.short(pages[1][-400:]))
    # Text order on a page: the text, its notes, the footer.
    p1 = nows(pages[0])
    check("letter: page 1 reads text, notes, footer",
          0 <= p1.find("DearMsWalsh") < p1.find("1Theassured")
          < p1.find("Page1of2"), e2e.short(pages[0]))
    check("letter: the inline address after a link's text",
          "our website (https://www" in pages[0], e2e.short(pages[0]))
    check("letter: an autolink's address is not printed twice",
          "office@example.com or" in pages[0].replace("\n", " ") and
          "(mailto:" not in pages[0] and "(office@" not in pages[0])
    check("letter: a soft break before an autolink is a space",
          "guidance at https://example.org/help" in pages[0].replace("\n", " "),
          e2e.short(pages[0]))
    test_annotations(path)
    test_structure(path)


def test_annotations(path):
    found = links(path)
    uris = {v.get("/A", {}).get("/URI", "")[2:] for _, v, _ in found}
    check("links: a /URI action for each link and autolink", uris == URLS, uris)
    w, h = e2e.page_size(path)
    for page, v, _ in found:
        rect = v.get("/Rect", [])
        inside = (len(rect) == 4 and e2e.MARGIN - 1 <= rect[0] < rect[2] <= w - e2e.MARGIN + 1
                  and e2e.MARGIN - 5 <= rect[1] < rect[3] <= h - e2e.MARGIN + 5)
        check("links: %s rect inside page %d's text area" % (v["/A"]["/URI"], page),
              inside, rect)
        check("links: %s is printable (/F 4), borderless, with /Contents" % v["/A"]["/URI"],
              v.get("/F") == 4 and v.get("/Border") == [0, 0, 0] and
              len(v.get("/Contents", "")) > 2 and v.get("/A", {}).get("/S") == "/URI", v)
    terms = [(p, v) for p, v, _ in found if v["/A"]["/URI"] == "u:https://www.example.com/terms"]
    check("links: a link that wraps has a rectangle per line, on one page",
          len(terms) == 2 and terms[0][0] == terms[1][0] == 1 and
          terms[0][1]["/Rect"][1] > terms[1][1]["/Rect"][3] - 1, terms)


def test_structure(path):
    pdf = Pdf(path)
    els = elements(pdf)
    check_mcids("structure", pdf, els)
    tree, _ = parent_tree(pdf)
    parents = []
    for _, v, ref in links(path):
        el = tree.get(v.get("/StructParent"))
        parents.append(pdf.get(el).get("/S") if el else None)
    check("structure: each link's /StructParent is its Link element",
          parents and all(p == "/Link" for p in parents), parents)
    roles = [d["/S"] for _, d in els]
    check("structure: Reference, Link and Note elements",
          roles.count("/Reference") == 5 and roles.count("/Link") == 5 and
          roles.count("/Note") == 5, roles)
    annots = {ref for _, _, ref in links(path)}
    objr = set()
    for _, d in els:
        if d["/S"] != "/Link":
            continue
        for k in d.get("/K", []):
            if isinstance(k, dict) and k.get("/Type") == "/OBJR":
                objr.add(k["/Obj"].split()[0])
    check("structure: every link annotation is an OBJR of a Link element",
          {a.split()[0] for a in annots} == objr, (annots, objr))
    ids = [d.get("/ID") for _, d in els if d["/S"] == "/Note"]
    check("structure: each Note has a unique /ID", all(ids) and len(set(ids)) == len(ids), ids)
    root = pdf.get(pdf.catalog()["/StructTreeRoot"])
    tree = pdf.get(root.get("/IDTree", {}))
    names = tree.get("/Names", []) if isinstance(tree, dict) else []
    check("structure: the /IDTree maps the Notes' /IDs",
          sorted(names[0::2]) == sorted(ids) and len(names) == 2 * len(ids), names)
    text = nows(run(["pdfinfo", "-struct-text", path]).text)
    check("structure: a note's text follows the paragraph that references it",
          0 <= text.find("propertyabove.") < text.find("Theassuredshorthold") <
          text.find("Ourclienthasasked"), e2e.short(text))


def test_print_urls(tmp):
    md = os.path.join(tmp, "urls.md")
    with open(md, "w") as f:
        f.write("---\nlang: en\nprint-urls: footnote\n---\n"
                "Read [the terms](https://example.com/terms) at https://example.com/faq.\n")
    path, r = render(tmp, "urls.pdf", md=md)
    if check("print-urls: footnote renders", r.code == 0, r.err):
        text = e2e.poppler_text(path)
        check("print-urls: footnote prints the address as a note",
              "the terms1 at https://example.com/faq." in text and
              "1 https://example.com/terms" in text and "(https" not in text, text)
        check("print-urls: the link is clickable either way", len(links(path)) == 2)
    path, r = render(tmp, "none.pdf", "--meta", "print-urls=none", md=md)
    if check("print-urls: none renders", r.code == 0, r.err):
        text = e2e.poppler_text(path)
        check("print-urls: none prints no address",
              "Read the terms at https://example.com/faq." in text and
              "/terms" not in text, text)
    with open(md, "w") as f:
        f.write("---\nprint-urls: margin\n---\nx\n")
    r = lp("render", md, "-o", os.path.join(tmp, "bad.pdf"))
    check("print-urls: a wrong value is an error at its line naming the choices",
          r.code != 0 and "urls.md:2:" in r.err and "footnote" in r.err, r.err)


def test_warning_and_data(tmp):
    md = os.path.join(tmp, "data.md")
    with open(md, "w") as f:
        f.write("---\nlang: en\n---\nDear {{name}},\n\nSee {{site}}.[^a]\n\n"
                "[^a]: The note.\n\n[^b]: Forgotten.\n")
    data = os.path.join(tmp, "data.json")
    with open(data, "w") as f:
        json.dump({"name": "Ann [x](https://evil.example)",
                   "site": "https://site.example ann@mail.example [^b]"}, f)
    path, r = render(tmp, "data.pdf", "-d", data, md=md)
    if not check("data: renders", r.code == 0, r.err):
        return
    check("data: a definition nothing references is a located warning",
          re.search(r"data\.md:10:1: warning: the footnote \[\^b\] is never referenced",
                    r.err), r.err)
    text = e2e.poppler_text(path)
    check("data: URLs, links and references in values are text",
          "Dear Ann [x](https://evil.example)," in text and
          "See https://site.example ann@mail.example [^b].1" in text and
          "Forgotten" not in text, text)
    check("data: values make no link annotations", links(path) == [], links(path))


def test_combined(tmp):
    """A combined merge: each letter numbers its notes from 1; Note /IDs
    stay unique across letters; each letter's links are annotations."""
    md = os.path.join(tmp, "m.md")
    with open(md, "w") as f:
        f.write("---\nlang: en\n---\n# Letter to {{name}}\n\n"
                "Dear {{name}}, see [the terms](https://example.com/t).[^a]\n\n"
                "[^a]: A note for {{name}}.\n")
    csv = os.path.join(tmp, "m.csv")
    with open(csv, "w") as f:
        f.write("name\nAnn\nBob\n")
    out = os.path.join(tmp, "all.pdf")
    r = lp("merge", md, "-d", csv, "-o", os.path.join(tmp, "mo", "{{name}}.pdf"),
           "--combined", out)
    if not check("combined: merges", r.code == 0, r.err):
        return
    text = e2e.poppler_text(out)
    check("combined: each letter's notes are numbered from 1",
          "1 A note for Ann." in text and "1 A note for Bob." in text, text)
    ids = [d.get("/ID") for _, d in elements(Pdf(out)) if d["/S"] == "/Note"]
    check("combined: Note /IDs unique across letters",
          len(ids) == 2 and len(set(ids)) == 2, ids)
    check("combined: a link annotation per letter", len(links(out)) == 2, links(out))


def test_pdfa1b(tmp):
    md = os.path.join(tmp, "a1b.md")
    with open(LETTER) as f:
        text = f.read()
    with open(md, "w") as f:
        f.write(text.replace("pdf-standard: [a-2a, ua-1]", "pdf-standard: a-1b"))
    path, r = render(tmp, "a1b.pdf", md=md)
    if check("preflight: the letter as PDF/A-1b renders", r.code == 0, r.err):
        ok, report = preflight(path)
        check("preflight: links and notes keep the letter valid PDF/A-1b", ok,
              e2e.short(report, 800))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        test_letter(tmp)
        test_print_urls(tmp)
        test_warning_and_data(tmp)
        test_combined(tmp)
        test_pdfa1b(tmp)
    e2e.finish()


if __name__ == "__main__":
    main()
