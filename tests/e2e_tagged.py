#!/usr/bin/env python3
"""End-to-end tests of tagged PDF (ISO 32000-1 14.7-14.8).

Renders letters with headings, lists, task lists, tables, quotes, images,
blanks and signature fields, then reads the PDF's objects through qpdf's
JSON (decoded content streams): the catalog's /MarkInfo and
/StructTreeRoot, the roles of the structure tree, that every MCID drawn is
reachable from the parent tree and points at an element that lists it,
that every widget is in the tree (OBJR) with a /TU, that headers and
footers are pagination artifacts and all other content is marked, and
that `pdfinfo -struct-text` reads the letter's text as pdftotext does.

Uses the harness of tests/e2e.py; prints "N passed, N failed" last.
"""
import base64
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check, lp, nows, run  # noqa: E402


class Pdf:
    """A PDF's objects, from `qpdf --json=2` with decoded streams."""

    def __init__(self, path):
        r = run(["qpdf", "--json=2", "--json-stream-data=inline",
                 "--decode-level=generalized", path])
        self.ok = r.code == 0
        objs = json.loads(r.text)["qpdf"][1] if self.ok else {}
        self.objs = {}
        self.data = {}
        for key, v in objs.items():
            if key == "trailer":
                self.trailer = v["value"]
                continue
            ref = key[4:]  # "obj:5 0 R" -> "5 0 R"
            if "stream" in v:
                self.objs[ref] = v["stream"]["dict"]
                self.data[ref] = base64.b64decode(v["stream"].get("data", ""))
            else:
                self.objs[ref] = v["value"]

    def get(self, v):
        """v, or the object it refers to."""
        while isinstance(v, str) and re.fullmatch(r"\d+ \d+ R", v):
            v = self.objs.get(v)
        return v

    def catalog(self):
        return self.get(self.trailer["/Root"])

    def pages(self):
        """The page references, in order."""
        out = []

        def walk(node_ref):
            node = self.get(node_ref)
            if node.get("/Type") == "/Pages":
                for kid in node["/Kids"]:
                    walk(kid)
            else:
                out.append(node_ref)
        walk(self.catalog()["/Pages"])
        return out

    def content(self, page_ref):
        c = self.get(page_ref)["/Contents"]
        refs = c if isinstance(c, list) else [c]
        return b"".join(self.data[r] for r in refs).decode("latin-1")


def elements(pdf):
    """Every structure element reachable from the root: (ref, dict)."""
    root = pdf.get(pdf.catalog()["/StructTreeRoot"])
    out = []

    def walk(k):
        if isinstance(k, list):
            for x in k:
                walk(x)
        elif isinstance(k, str) and k.endswith(" R"):
            d = pdf.get(k)
            if isinstance(d, dict) and "/S" in d and d.get("/Type", "/StructElem") == "/StructElem":
                out.append((k, d))
                walk(d.get("/K", []))
    walk(root["/K"])
    return out


def mcids_of(pdf, ref, el):
    """The (page ref, MCID) pairs an element lists in its /K."""
    pairs = []
    k = el.get("/K", [])
    for x in k if isinstance(k, list) else [k]:
        if isinstance(x, int):
            pairs.append((el.get("/Pg"), x))
        elif isinstance(x, dict) and x.get("/Type") == "/MCR":
            pairs.append((x["/Pg"], x["/MCID"]))
    return pairs


def parent_tree(pdf):
    root = pdf.get(pdf.catalog()["/StructTreeRoot"])
    nums = pdf.get(pdf.get(root["/ParentTree"])["/Nums"])
    return {nums[i]: nums[i + 1] for i in range(0, len(nums), 2)}, root


def marked_ops(content):
    """Walks a content stream: yields (operator, stack of open marked
    content tags with their property text)."""
    stack = []
    toks = re.finditer(
        r"<<.*?>>|\[.*?\]\s*TJ|/\w+|[-\d.]+|<[0-9A-Fa-f]*>|\((?:\\.|[^\\)])*\)|[A-Za-z*'\"]+",
        content, re.S)
    args = []
    for m in toks:
        t = m.group(0)
        if t.endswith("TJ"):
            yield "TJ", list(stack)
            args = []
        elif re.fullmatch(r"[A-Za-z*'\"]+", t):
            if t == "BDC":
                stack.append((args[0] if args else "", args[1] if len(args) > 1 else ""))
            elif t == "BMC":
                stack.append((args[0] if args else "", ""))
            elif t == "EMC":
                if stack:
                    stack.pop()
            else:
                yield t, list(stack)
            args = []
        else:
            args.append(t)


def struct_text(path):
    r = run(["pdfinfo", "-struct-text", path])
    return "".join(re.findall(r'^\s*"(.*)"$', r.text, re.M))


def write_png(path, w, h):
    e2e.write_png(path, w, h, lambda x, y: (x % 256, y % 256, 128, 255))


RICH = """---
lang: zh-CN
footer: "第 {page} 页"
header: "机密"
letterhead: head.png
letterhead-alt: 华东精密仪器股份有限公司
---

# 承诺书

## 一、范围

正文第一段，含 ISO 9001 与 30分钟。

1. 第一项；
2. 第二项：
   - 子项甲
   - 子项乙

- [ ] 同意
- [x] 已阅

| 项目 | 时限 |
|------|------|
| 响应 | 30分钟 |
| 到场 | 24小时 |

> 引用的一段话。

![示意图](chart.png)

```
code line
```

---

客户名称：____

签名：__________

# 第二封

第二封的正文。
"""


def check_mcids(name, pdf, els):
    """Every MCID drawn is in the parent tree, pointing at an element that
    lists it; every MCID an element lists is drawn; pages have
    /StructParents and /Tabs /S."""
    tree, root = parent_tree(pdf)
    drawn = set()
    ok = True
    detail = ""
    for i, pref in enumerate(pdf.pages()):
        page = pdf.get(pref)
        check("%s: page %d /StructParents" % (name, i + 1), page.get("/StructParents") == i)
        check("%s: page %d /Tabs /S" % (name, i + 1), page.get("/Tabs") == "/S")
        arr = pdf.get(tree.get(page.get("/StructParents"), []))
        content = pdf.content(pref)
        for m in re.finditer(r"/MCID (\d+)", content):
            n = int(m.group(1))
            drawn.add((pref, n))
            el_ref = arr[n] if n < len(arr) else None
            el = pdf.get(el_ref) if el_ref else None
            if not el or (pref, n) not in mcids_of(pdf, el_ref, el):
                ok = False
                detail = "page %d MCID %d -> %s" % (i + 1, n, el_ref)
    check("%s: every MCID is reachable from the parent tree" % name, ok and drawn, detail)
    listed = set()
    for ref, el in els:
        listed.update(mcids_of(pdf, ref, el))
    check("%s: every MCID an element lists is drawn" % name, listed == drawn,
          sorted(listed ^ drawn)[:5])


def test_combined_merge(tmp):
    """A combined mail merge: one Sect per letter, ids that follow."""
    src = os.path.join(e2e.TEMPLATES, "commitment-letter.md")
    data = os.path.join(e2e.TEMPLATES, "commitment-letter.csv")
    path = os.path.join(tmp, "all.pdf")
    r = lp("merge", src, "-d", data, "--combined", path)
    if not check("merge: combined exits 0", r.code == 0, r.err):
        return
    e2e.check_qpdf("merge: combined", path)
    pdf = Pdf(path)
    els = elements(pdf)
    sects = [el for _, el in els if el["/S"] == "/Sect"]
    h1 = [el for _, el in els if el["/S"] == "/H1"]
    check("merge: one Sect per letter", len(sects) == len(h1) >= 2, (len(sects), len(h1)))
    check_mcids("merge", pdf, els)
    fields = pdf.get(pdf.get(pdf.catalog()["/AcroForm"])["/Fields"])
    check("merge: every widget has a /StructParent",
          fields and all("/StructParent" in pdf.get(w) for w in fields))


def test_rich(tmp):
    d = os.path.join(tmp, "rich")
    os.makedirs(d)
    write_png(os.path.join(d, "chart.png"), 400, 100)
    write_png(os.path.join(d, "head.png"), 600, 60)
    src = os.path.join(d, "rich.md")
    with open(src, "w", encoding="utf-8") as f:
        f.write(RICH)
    path = os.path.join(d, "rich.pdf")
    r = lp("render", src, "-o", path)
    if not check("tagged: render exits 0", r.code == 0, r.err):
        return
    e2e.check_qpdf("tagged: rich", path)
    pdf = Pdf(path)
    cat = pdf.catalog()
    check("tagged: /MarkInfo /Marked true",
          pdf.get(cat.get("/MarkInfo", {})).get("/Marked") is True, cat.get("/MarkInfo"))
    check("tagged: catalog /Lang", cat.get("/Lang") == "u:zh-CN", cat.get("/Lang"))
    els = elements(pdf)
    roles = [el["/S"] for _, el in els]
    for role in ["/Document", "/Sect", "/H1", "/H2", "/P", "/L", "/LI", "/Lbl",
                 "/LBody", "/Table", "/TR", "/TH", "/TD", "/BlockQuote",
                 "/Figure", "/Form"]:
        check("tagged: a %s element" % role, role in roles, sorted(set(roles)))
    check("tagged: one Sect per letter", roles.count("/Sect") == 2, roles.count("/Sect"))
    check("tagged: two H1", roles.count("/H1") == 2, roles.count("/H1"))
    ths = [el for _, el in els if el["/S"] == "/TH"]
    check("tagged: TH has /Scope /Column",
          ths and all(pdf.get(el.get("/A", {})).get("/Scope") == "/Column" for el in ths),
          ths)
    alts = [el.get("/Alt") for _, el in els if el["/S"] == "/Figure"]
    check("tagged: the image's Figure has the Markdown alt text",
          "u:示意图" in alts, alts)
    check("tagged: the letterhead's Figure has letterhead-alt",
          "u:华东精密仪器股份有限公司" in alts, alts)
    sects = [el for _, el in els if el["/S"] == "/Sect"]
    first_kid = pdf.get(sects[0]["/K"][0]) if sects else {}
    check("tagged: the letterhead comes first in its letter",
          first_kid.get("/S") == "/Figure", first_kid)
    nested = [el for _, el in els if el["/S"] == "/L"]
    check("tagged: the nested list is an L inside an LBody",
          any(pdf.get(el["/P"]).get("/S") == "/LBody" for el in nested))

    # The structure objects are packed into object streams (PDF 1.5), the
    # rest stays as libharu wrote it.
    xref = dict(re.findall(r"^(\d+)/0: (\w+);", run(["qpdf", "--show-xref", path]).text, re.M))
    root_ref = cat["/StructTreeRoot"]
    packed = [xref.get(ref.split()[0]) for ref in [root_ref] + [r for r, _ in els]]
    check("tagged: the structure tree is in object streams",
          packed and all(x == "compressed" for x in packed), packed[:5])
    check("tagged: the catalog and pages are not",
          xref.get(pdf.trailer["/Root"].split()[0]) == "uncompressed" and
          all(xref.get(p.split()[0]) == "uncompressed" for p in pdf.pages()))
    with open(path, "rb") as f:
        check("tagged: header %PDF-1.5 (object streams)", f.read(9) == b"%PDF-1.5\n")

    tree, root = parent_tree(pdf)
    pages = pdf.pages()
    check_mcids("tagged", pdf, els)
    # Widgets: each in the tree through an OBJR of a Form, with /TU.
    fields = pdf.get(pdf.get(cat["/AcroForm"])["/Fields"])
    ok = True
    detail = ""
    for wref in fields:
        w = pdf.get(wref)
        key = w.get("/StructParent")
        form = pdf.get(tree.get(key)) if key is not None else None
        objr = [k for k in (form or {}).get("/K", []) if isinstance(k, dict)
                and k.get("/Type") == "/OBJR" and k.get("/Obj") == wref]
        if not form or form.get("/S") != "/Form" or not objr or "/TU" not in w:
            ok = False
            detail = (wref, w.get("/T"), key)
    check("tagged: every widget is in the tree (Form, OBJR, /TU)", ok and fields, detail)
    tus = [pdf.get(w).get("/TU") for w in fields]
    check("tagged: a widget's /TU is its label", "u:签名" in tus, tus)
    check("tagged: /ParentTreeNextKey follows the keys",
          root.get("/ParentTreeNextKey") == max(tree) + 1,
          (root.get("/ParentTreeNextKey"), max(tree)))
    # Content: text and images inside marked content; headers and
    # footers pagination artifacts; strokes (rules) artifacts.
    bad = []
    kinds = set()
    for pref in pages:
        for op, stack in marked_ops(pdf.content(pref)):
            if op in ("TJ", "Do") and not stack:
                bad.append(op)
            if op == "S" and (not stack or stack[-1][0] != "/Artifact"):
                bad.append("S outside an artifact")
            if op == "TJ" and stack and stack[0][0] == "/Artifact" and stack[0][1]:
                kinds.add(re.sub(r"\s+", " ", stack[0][1]))
    check("tagged: all text and images in marked content, rules artifacts",
          not bad, bad[:5])
    check("tagged: footer and header are pagination artifacts",
          "<</Type /Pagination /Subtype /Footer>>" in kinds and
          "<</Type /Pagination /Subtype /Header>>" in kinds, kinds)
    st = struct_text(path)
    check("tagged: structure text leaves the footer out", "第1页" not in nows(st)
          and "机密" not in st, e2e.short(st))
    check("tagged: structure text has the letters' text in order",
          re.search("承诺书.*一、范围.*正文第一段.*第一项.*子项乙.*同意.*响应.*30分钟"
                    ".*引用的一段话.*codeline.*客户名称.*签名.*第二封的正文", nows(st)),
          e2e.short(st))


def test_reading_order(tmp):
    """pdfinfo -struct-text reads the templates as pdftotext -raw does
    (without headers and footers): all the text, in the order drawn.
    (pdftotext's layout order puts the right-aligned 部長 line of the
    Japanese letter after 拝啓; the source order, which the tree keeps, has
    it before.)"""
    for name in ["commitment-letter", "english-letter", "japanese-letter"]:
        md = os.path.join(e2e.TEMPLATES, name + ".md")
        data = os.path.join(e2e.TEMPLATES, name + ".json")
        path = os.path.join(tmp, name + ".pdf")
        r = lp("render", md, "-d", data, "-o", path, "--meta", "footer=")
        if not check("tagged: %s renders" % name, r.code == 0, r.err):
            continue
        e2e.check_qpdf("tagged: " + name, path)
        pdf = Pdf(path)
        check("tagged: %s is tagged by default" % name,
              "/StructTreeRoot" in pdf.catalog())
        # poppler's -struct-text reads glyphs through ToUnicode and not
        # /ActualText (pdftotext does): a ticked box drawn with a glyph
        # whose map says another box character differs there only.
        boxes = str.maketrans({c: "□" for c in e2e.FORM_CHARS})
        st = nows(struct_text(path)).translate(boxes)
        text = nows(e2e.poppler_text(path, raw=True)).translate(boxes)
        check("tagged: %s structure text equals pdftotext" % name, st == text,
              "%s\n---\n%s" % (e2e.short(st), e2e.short(text)))


def test_untagged(tmp):
    src = os.path.join(tmp, "untagged.md")
    with open(src, "w", encoding="utf-8") as f:
        f.write("---\nlang: en\ntagged: false\n---\n\n# Title\n\nText.\n\nName: ____\n")
    path = os.path.join(tmp, "untagged.pdf")
    r = lp("render", src, "-o", path)
    if not check("untagged: render exits 0", r.code == 0, r.err):
        return
    pdf = Pdf(path)
    cat = pdf.catalog()
    content = "".join(pdf.content(p) for p in pdf.pages())
    check("untagged: no structure tree, no /MarkInfo",
          "/StructTreeRoot" not in cat and "/MarkInfo" not in cat, sorted(cat))
    check("untagged: no marked content", "BDC" not in content and "BMC" not in content)
    r = lp("render", src, "-o", path, "--meta", "tagged=maybe")
    check("untagged: a bad value is an error naming the key",
          r.code != 0 and "tagged" in r.err, r.err)


def test_decorative_images(tmp):
    """A letterhead and a seal without alt text are artifacts."""
    d = os.path.join(tmp, "deco")
    os.makedirs(d)
    write_png(os.path.join(d, "head.png"), 600, 60)
    write_png(os.path.join(d, "seal.png"), 100, 100)
    src = os.path.join(d, "deco.md")
    with open(src, "w", encoding="utf-8") as f:
        f.write("---\nlang: zh-CN\nletterhead: head.png\nseal: seal.png\n---\n\n"
                "# 函\n\n正文。\n\n签名：__________\n")
    path = os.path.join(d, "deco.pdf")
    r = lp("render", src, "-o", path)
    if not check("decorative: render exits 0", r.code == 0, r.err):
        return
    pdf = Pdf(path)
    roles = [el["/S"] for _, el in elements(pdf)]
    check("decorative: no Figure without alt text", "/Figure" not in roles, roles)
    ops = [(op, stack) for p in pdf.pages() for op, stack in marked_ops(pdf.content(p))]
    dos = [stack for op, stack in ops if op == "Do"]
    check("decorative: both images drawn as artifacts",
          len(dos) == 2 and all(s and s[0][0] == "/Artifact" for s in dos), dos)
    with open(src, "w", encoding="utf-8") as f:
        f.write("---\nlang: zh-CN\nseal: seal.png\nseal-alt: 公司印章\n---\n\n"
                "# 函\n\n正文。\n\n签名：__________\n")
    r = lp("render", src, "-o", path)
    pdf = Pdf(path)
    alts = [el.get("/Alt") for _, el in elements(pdf) if el["/S"] == "/Figure"]
    check("decorative: seal-alt makes the seal a Figure", alts == ["u:公司印章"], alts)


def test_lang(tmp):
    """{lang=TAG} at the end of a paragraph or heading: its element gets
    /Lang (only where it differs from the catalog's), in the structure
    tree qpdf reads; the mark is not on the page."""
    src = os.path.join(tmp, "lang.md")
    with open(src, "w", encoding="utf-8") as f:
        f.write("---\nlang: zh-CN\n---\n\n# 协议\n\n本协议以中英文写成。{lang=zh-CN}\n\n"
                "This Agreement is made in Chinese and English. {lang=en}\n\n"
                "## Signatures {.right} {lang=en}\n\n签名：__________\n")
    path = os.path.join(tmp, "lang.pdf")
    r = lp("render", src, "-o", path)
    if not check("lang: render exits 0", r.code == 0, r.err):
        return
    e2e.check_qpdf("lang", path)
    pdf = Pdf(path)
    check("lang: the catalog's /Lang is the letter's", pdf.catalog().get("/Lang") == "u:zh-CN")
    els = [el for _, el in elements(pdf)]
    langs = [(el["/S"], el.get("/Lang")) for el in els if el["/S"] in ("/P", "/H1", "/H2")]
    check("lang: the English paragraph and heading have /Lang (en), the others none",
          langs == [("/H1", None), ("/P", None), ("/P", "u:en"), ("/H2", "u:en"), ("/P", None)],
          langs)
    text = e2e.poppler_text(path)
    check("lang: the mark is not on the page", "{lang" not in text and "English." in text,
          e2e.short(text))
    check_mcids("lang", pdf, elements(pdf))


def xmp_of(pdf):
    """The catalog's XMP packet (bytes) and its stream dictionary."""
    ref = pdf.catalog().get("/Metadata")
    return pdf.data.get(ref, b""), pdf.get(ref) or {}


def test_standards(tmp):
    """pdf-standard: PDF/A-2 and PDF/UA-1's objects."""
    import xml.dom.minidom
    md = os.path.join(e2e.TEMPLATES, "commitment-letter.md")
    data = os.path.join(e2e.TEMPLATES, "commitment-letter.json")
    path = os.path.join(tmp, "a2a-ua.pdf")
    env = {"SOURCE_DATE_EPOCH": e2e.EPOCH}
    args = ["render", md, "-d", data, "-o", path, "--meta",
            "pdf-standard=a-2a, ua-1", "--meta", "title=A & B <C> \"D\"",
            "--meta", "tagged=false"]
    r = lp(*args, env=env)
    if not check("standards: [a-2a, ua-1] renders", r.code == 0, r.err):
        return
    e2e.check_qpdf("standards: a-2a ua-1", path)
    with open(path, "rb") as f:
        first = f.read()
    check("standards: header %PDF-1.7", first.startswith(b"%PDF-1.7"), first[:9])
    pdf = Pdf(path)
    cat = pdf.catalog()
    xmp, sd = xmp_of(pdf)
    check("standards: /Metadata is /Type /Metadata /Subtype /XML, unfiltered",
          sd.get("/Type") == "/Metadata" and sd.get("/Subtype") == "/XML"
          and "/Filter" not in sd, sd)
    raw = run(["qpdf", "--show-object=" + cat["/Metadata"].split()[0],
               "--raw-stream-data", path]).out
    check("standards: the XMP is readable in the file as UTF-8",
          "海外客户服务承诺书及客户确认回执".encode() in raw, e2e.short(raw))
    try:
        doc = xml.dom.minidom.parseString(xmp)
        parsed = True
    except Exception as e:  # noqa: BLE001
        parsed, doc = str(e), None
    check("standards: the XMP is well-formed XML (title escaped)", parsed is True, parsed)
    if doc is None:
        return

    def texts(tag):
        return ["".join(n.data for n in el.getElementsByTagName("rdf:li")[0].childNodes)
                if el.getElementsByTagName("rdf:li") else
                "".join(n.data for n in el.childNodes if n.nodeType == n.TEXT_NODE)
                for el in doc.getElementsByTagName(tag)]
    check("standards: pdfaid:part 2, conformance A",
          texts("pdfaid:part") == ["2"] and texts("pdfaid:conformance") == ["A"],
          (texts("pdfaid:part"), texts("pdfaid:conformance")))
    check("standards: pdfuaid:part 1 with its extension schema",
          texts("pdfuaid:part") == ["1"] and
          texts("pdfaSchema:prefix") == ["pdfuaid"], texts("pdfaSchema:prefix"))
    info = e2e.pdfinfo(path)
    check("standards: dc:title is the Info title", texts("dc:title") == ['A & B <C> "D"']
          and info.get("Title") == 'A & B <C> "D"', (texts("dc:title"), info.get("Title")))
    check("standards: dc:creator, dc:description, dc:language",
          texts("dc:creator") == [info.get("Author")] and
          texts("dc:description") == [info.get("Subject")] and
          texts("dc:language") == ["zh-CN"],
          (texts("dc:creator"), texts("dc:description"), texts("dc:language")))
    check("standards: xmp:CreateDate is the Info CreationDate",
          texts("xmp:CreateDate") == ["2023-11-14T22:13:20+00:00"] and
          info.get("CreationDate", "").startswith("2023-11-14T22:13:20"),
          (texts("xmp:CreateDate"), info.get("CreationDate")))
    intents = pdf.get(cat.get("/OutputIntents", []))
    oi = pdf.get(intents[0]) if intents else {}
    prof_ref = oi.get("/DestOutputProfile")
    icc = pdf.data.get(prof_ref, b"")
    check("standards: an sRGB GTS_PDFA1 output intent",
          oi.get("/S") == "/GTS_PDFA1" and pdf.get(prof_ref).get("/N") == 3, oi)
    check("standards: its profile is an ICC v2 RGB profile",
          icc[36:40] == b"acsp" and icc[8] == 2 and icc[16:20] == b"RGB ",
          icc[:40])
    check("standards: ua-1 sets DisplayDocTitle",
          pdf.get(cat.get("/ViewerPreferences", {})).get("/DisplayDocTitle") is True)
    check("standards: ua-1 is tagged even with tagged: false",
          "/StructTreeRoot" in cat and "/MarkInfo" in cat)
    ids = pdf.trailer.get("/ID", [])
    check("standards: trailer /ID of two 16-byte strings",
          len(ids) == 2 and ids[0] == ids[1] and len(ids[0]) == 2 + 32, ids)
    r = lp(*args, env=env)
    with open(path, "rb") as f:
        check("standards: the same input gives the same bytes", f.read() == first)
    other = os.path.join(tmp, "a2b.pdf")
    r = lp("render", md, "-d", data, "-o", other, "--meta", "pdf-standard=a-2b",
           env=env)
    if check("standards: a-2b renders", r.code == 0, r.err):
        p2 = Pdf(other)
        x2, _ = xmp_of(p2)
        check("standards: a-2b: conformance B, no pdfuaid, no DisplayDocTitle",
              b"<pdfaid:conformance>B<" in x2 and b"pdfuaid:part>" not in x2
              and "/ViewerPreferences" not in p2.catalog(), e2e.short(x2))
        check("standards: another content, another /ID",
              p2.trailer.get("/ID") != ids, p2.trailer.get("/ID"))
    plain = os.path.join(tmp, "plain.pdf")
    r = lp("render", md, "-d", data, "-o", plain)
    p3 = Pdf(plain)
    check("standards: a plain letter has an /ID and no /Metadata",
          len(p3.trailer.get("/ID", [])) == 2 and "/Metadata" not in p3.catalog())
    # Errors: a character no font has; an image without alt in UA; an
    # unknown standard.
    r = lp("render", os.path.join(e2e.CASES, "notdef.md"), "-o", plain,
           "--meta", "pdf-standard=a-2b")
    check("standards: a missing character is an error at its place",
          r.code != 0 and re.search(r"notdef\.md:\d+:\d+: error: .*U\+E001", r.err), r.err)
    d = os.path.join(tmp, "ua")
    os.makedirs(d)
    write_png(os.path.join(d, "c.png"), 10, 10)
    src = os.path.join(d, "ua.md")
    with open(src, "w", encoding="utf-8") as f:
        f.write("---\nlang: en\npdf-standard: ua-1\n---\n\n# T\n\nText.\n\n![](c.png)\n")
    r = lp("render", src, "-o", plain)
    check("standards: UA: an image without alt text is an error at its place",
          r.code != 0 and "ua.md:10:1: error" in r.err and "alt text" in r.err, r.err)
    r = lp("render", src, "-o", plain, "--meta", "pdf-standard=a-9z")
    check("standards: an unknown standard is an error naming the key",
          r.code != 0 and "pdf-standard" in r.err, r.err)


PREFLIGHT_CP = ":".join("/usr/share/java/%s.jar" % j for j in (
    "preflight", "pdfbox2", "fontbox2", "xmpbox", "commons-logging",
    "javax.activation", "jaxb-api"))


def preflight(path):
    """PDFBox Preflight's PDF/A-1b verdict on path: (valid, report).  One
    JVM per file (the validator takes one): about 1.5 s each."""
    r = run(["java", "-cp", PREFLIGHT_CP,
             "org.apache.pdfbox.preflight.Validator_A1b", path], timeout=120)
    return "is a valid PDF/A-1b file" in r.text, r.text + r.err


# Preflight validates PDF/A-1b only.  On a PDF/A-2 or -3 file its report
# is still worth reading once the rules that those parts relax are set
# aside (19005-2 and -3 against 19005-1): the part number in the XMP
# (7.11.2), /CIDSet (3.1.11: optional from part 2 on), and for part 3 the
# embedded files (1.2.9, 1.4.7); for part 2 and 3, transparency (2.2.x:
# soft masks, groups), which they allow.  What is left (fonts, colour
# spaces, annotations, actions, syntax) is the same rule in every part.
RELAXED = {2: ("7.11.2", "3.1.11", "2.2."),
           3: ("7.11.2", "3.1.11", "2.2.", "1.2.9", "1.4.7")}


def preflight_part(path, part):
    """Preflight's errors on a PDF/A-`part` file that are not PDF/A-1's
    own (see RELAXED): a list of report lines, empty when valid."""
    ok, report = preflight(path)
    if ok:
        return []
    lines = [ln for ln in report.splitlines() if re.match(r"\d+\.\d+(\.\d+)* : ", ln)]
    if not lines:
        return [e2e.short(report, 600)]
    return [ln for ln in lines if not ln.startswith(RELAXED[part])]


def write_rgb_png(path, w, h):
    """An opaque truecolour PNG (colour type 2, no alpha)."""
    import struct
    import zlib

    def chunk(tag, data):
        c = struct.pack(">I", len(data)) + tag + data
        return c + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    raw = b"".join(b"\0" + b"".join(bytes((x % 256, y % 256, 128)) for x in range(w))
                   for y in range(h))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_pdfa1b(tmp):
    """a-1b: PDF 1.4, /CIDSet on every font descriptor, no transparency;
    PDFBox Preflight finds no error in the templates (fields, checkboxes,
    a signature field), a letter with a table, list and opaque images,
    and a signed letter."""
    import time
    d = os.path.join(tmp, "a1")
    os.makedirs(d)
    files = []
    for name in ["commitment-letter", "english-letter", "japanese-letter"]:
        path = os.path.join(d, name + ".pdf")
        r = lp("render", os.path.join(e2e.TEMPLATES, name + ".md"), "-d",
               os.path.join(e2e.TEMPLATES, name + ".json"), "-o", path,
               "--meta", "pdf-standard=a-1b")
        if check("a-1b: %s renders" % name, r.code == 0, r.err):
            files.append(path)
    write_rgb_png(os.path.join(d, "chart.png"), 300, 80)
    write_rgb_png(os.path.join(d, "head.png"), 600, 60)
    src = os.path.join(d, "rich.md")
    with open(src, "w", encoding="utf-8") as f:
        f.write(RICH.replace("lang: zh-CN\n", "lang: zh-CN\npdf-standard: a-1b\n"))
    rich = os.path.join(d, "rich.pdf")
    r = lp("render", src, "-o", rich)
    if check("a-1b: a letter with a table, lists and opaque images renders",
             r.code == 0, r.err):
        files.append(rich)
    if files:
        pdf = Pdf(files[0])
        with open(files[0], "rb") as f:
            check("a-1b: header %PDF-1.4", f.read(9).startswith(b"%PDF-1.4"))
        xmp, _ = xmp_of(pdf)
        check("a-1b: pdfaid:part 1, conformance B",
              b"<pdfaid:part>1<" in xmp and b"<pdfaid:conformance>B<" in xmp)
        shown = run(["qpdf", "--show-xref", files[0]]).text
        check("a-1b: no object streams (PDF 1.4)", ": compressed;" not in shown
              and ": uncompressed;" in shown)
        descs = [v for v in pdf.objs.values() if isinstance(v, dict)
                 and v.get("/Type") == "/FontDescriptor"]
        check("a-1b: every font descriptor has a /CIDSet",
              descs and all("/CIDSet" in x for x in descs), len(descs))
        signer_key = os.path.join(d, "k.pem")
        signer_cert = os.path.join(d, "c.pem")
        run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
             "-keyout", signer_key, "-out", signer_cert, "-days", "30",
             "-subj", "/CN=Test"])
        signed = os.path.join(d, "signed.pdf")
        r = lp("sign", files[0], "-o", signed, "--key", signer_key, "--cert", signer_cert)
        if check("a-1b: the letter signs", r.code == 0, r.err):
            files.append(signed)
    start = time.monotonic()
    for path in files:
        ok, report = preflight(path)
        check("a-1b: Preflight: %s is valid PDF/A-1b" % os.path.basename(path),
              ok, e2e.short(report, 600))
    print("a-1b: Preflight of %d files took %.1f s" % (len(files), time.monotonic() - start))
    # Transparency is refused, where the image is named.
    write_png(os.path.join(d, "seal.png"), 50, 50)
    with open(src, "w", encoding="utf-8") as f:
        f.write("---\nlang: zh-CN\npdf-standard: a-1b\nseal: seal.png\n---\n\n"
                "# 函\n\n签名：__________\n")
    r = lp("render", src, "-o", rich)
    check("a-1b: a seal with transparency is refused",
          r.code != 0 and "seal.png" in r.err and "transparency" in r.err, r.err)


def appearance_fonts(pdf):
    """(stream ref, font name, embedded) for every font that a widget's
    appearance streams set with Tf (their own resources, or the form's
    /DR, where a viewer looks a /DA font up)."""
    form = pdf.get(pdf.catalog().get("/AcroForm", {}))
    dr_fonts = pdf.get(pdf.get(form.get("/DR", {})).get("/Font", {}))
    out = []

    def embedded(font):
        font = pdf.get(font) or {}
        for d in [font] + [pdf.get(x) for x in pdf.get(font.get("/DescendantFonts", []))]:
            desc = pdf.get(d.get("/FontDescriptor", {})) or {}
            if any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                return True
        return False

    for w in pdf.get(form.get("/Fields", [])):
        ap = pdf.get(pdf.get(w).get("/AP", {}))
        for n in ap.values():
            n = pdf.get(n)
            refs = list(n.values()) if "/BBox" not in n else []
            for ref in refs or [pdf.get(w)["/AP"]["/N"]]:
                content = pdf.data.get(ref, b"").decode("latin-1")
                res = pdf.get(pdf.get(pdf.objs.get(ref, {})).get("/Resources", {}))
                fonts = pdf.get(res.get("/Font", {})) if res else {}
                for name in re.findall(r"(/\w+)\s+[\d.]+\s+Tf", content):
                    font = fonts.get(name) or dr_fonts.get(name)
                    out.append((ref, name, embedded(font) if font else False))
    return out


def test_field_fonts(tmp):
    """Form fields in PDF/A: no appearance stream draws with a font that is
    not embedded (an unfilled text field draws nothing, a ticked box a
    stroked check mark), so letters with fields validate in a-1b (the /DR
    fonts of every language: SC, TC, JP, KR and Latin) and, beyond
    PDF/A-1's own rules, in a-2b; every placeholder a field (--blanks)."""
    from concurrent.futures import ThreadPoolExecutor
    d = os.path.join(tmp, "fieldfonts")
    os.makedirs(d)
    sources = [os.path.join(e2e.TEMPLATES, n + ".md")
               for n in ("commitment-letter", "english-letter", "japanese-letter")]
    sources += [os.path.join(e2e.CASES, n + ".md") for n in ("letter-ko", "letter-zh-TW")]
    jobs = []
    for src in sources:
        name = os.path.basename(src)[:-3]
        stds = ["a-2b"] + (["a-1b"] if "letter-" in name[:7] else [])
        for std in stds:
            path = os.path.join(d, "%s-%s.pdf" % (name, std))
            r = lp("render", src, "--blanks", "-o", path, "--meta", "pdf-standard=" + std)
            if not check("field fonts: %s %s renders" % (name, std), r.code == 0, r.err):
                continue
            pdf = Pdf(path)
            fields = pdf.get(pdf.get(pdf.catalog().get("/AcroForm", {})).get("/Fields", []))
            check("field fonts: %s %s has fields" % (name, std), len(fields) >= 1, len(fields))
            bad = [x for x in appearance_fonts(pdf) if not x[2]]
            check("field fonts: %s %s: no appearance draws with a font not embedded"
                  % (name, std), not bad, bad[:3])
            jobs.append((name, std, path))

    def verdict(job):
        name, std, path = job
        if std == "a-1b":
            ok, report = preflight(path)
            return job, [] if ok else [e2e.short(report, 600)]
        return job, preflight_part(path, 2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        for (name, std, _), errors in pool.map(verdict, jobs):
            check("field fonts: Preflight: %s %s with every field valid%s"
                  % (name, std, "" if std == "a-1b" else " beyond PDF/A-1's own rules"),
                  not errors, errors[:6])


def test_transparent_seal(tmp):
    """A seal with alpha in a-2b and a-3b: PDF/A-2 and -3 allow the soft
    mask, and with the output intent in effect a page needs no /Group to
    name the blending colour space (19005-2 6.2.10); Preflight finds
    nothing beyond PDF/A-1's own rules (its 2.2.2 names the soft mask)."""
    from concurrent.futures import ThreadPoolExecutor
    d = os.path.join(tmp, "seal")
    os.makedirs(d)
    e2e.write_png(os.path.join(d, "seal.png"), 100, 100,
                  lambda x, y: (200, 30, 30, 128 if (x - 50) ** 2 + (y - 50) ** 2 < 2500 else 0))
    paths = []
    for std in ("a-2b", "a-3b"):
        src = os.path.join(d, std + ".md")
        with open(src, "w", encoding="utf-8") as f:
            f.write("---\nlang: zh-CN\npdf-standard: %s\nseal: seal.png\n"
                    "seal-alt: 公司印章\n---\n\n# 函\n\n正文。\n\n签名：__________\n" % std)
        path = os.path.join(d, std + ".pdf")
        r = lp("render", src, "-o", path)
        if not check("transparent seal: %s renders" % std, r.code == 0, r.err):
            continue
        pdf = Pdf(path)
        smask = [v for v in pdf.objs.values() if isinstance(v, dict)
                 and v.get("/Subtype") == "/Image" and "/SMask" in v]
        check("transparent seal: %s: the seal has a soft mask, under an output intent"
              % std, smask and pdf.catalog().get("/OutputIntents"), smask)
        paths.append((int(std[2]), path))

    def verdict(job):
        part, path = job
        return path, preflight(path)[1], preflight_part(path, part)
    with ThreadPoolExecutor(max_workers=2) as pool:
        for path, report, errors in pool.map(verdict, paths):
            name = os.path.basename(path)
            check("transparent seal: Preflight sees the soft mask in %s" % name,
                  "2.2.2" in report, e2e.short(report, 300))
            check("transparent seal: Preflight: %s valid beyond PDF/A-1's own rules"
                  % name, not errors, errors[:6])


def test_pdfa3(tmp):
    """a-3b: the record's data attached as an associated file."""
    md = os.path.join(e2e.TEMPLATES, "commitment-letter.md")
    data = os.path.join(e2e.TEMPLATES, "commitment-letter.json")
    path = os.path.join(tmp, "a3.pdf")
    r = lp("render", md, "-d", data, "-o", path, "--meta", "pdf-standard=a-3b")
    if not check("a-3b: renders", r.code == 0, r.err):
        return
    e2e.check_qpdf("a-3b", path)
    pdf = Pdf(path)
    cat = pdf.catalog()
    af = pdf.get(cat.get("/AF", []))
    spec = pdf.get(af[0]) if af else {}
    check("a-3b: catalog /AF names a file spec with /AFRelationship /Data",
          spec.get("/AFRelationship") == "/Data" and spec.get("/UF") == "u:data.json", spec)
    r = run(["qpdf", "--show-attachment=data.json", path])
    with open(data, encoding="utf-8") as f:
        record = json.load(f)
    try:
        attached = json.loads(r.text)
    except ValueError:
        attached = None
    check("a-3b: the attachment is the record, as JSON", attached == record,
          e2e.short(r.text))
    ef = pdf.get(pdf.get(spec.get("/EF", {})).get("/F"))
    check("a-3b: the embedded file is application/json with its size",
          ef.get("/Subtype") == "/application/json" and
          pdf.get(ef.get("/Params", {})).get("/Size") == len(r.out), ef)
    xmp, _ = xmp_of(pdf)
    check("a-3b: pdfaid:part 3", b"<pdfaid:part>3<" in xmp)
    plain = os.path.join(tmp, "a2-noattach.pdf")
    r = lp("render", md, "-d", data, "-o", plain, "--meta", "pdf-standard=a-2b")
    check("a-2b: no attachment", "/AF" not in Pdf(plain).catalog())


def test_attach_data(tmp):
    """--attach-data (attach-data: true): any letter carries its record as
    data.json, in render and merge; PDF/A-1 and -2 refuse it."""
    md = os.path.join(e2e.TEMPLATES, "commitment-letter.md")
    data = os.path.join(e2e.TEMPLATES, "commitment-letter.json")
    with open(data, encoding="utf-8") as f:
        record = json.load(f)
    path = os.path.join(tmp, "attached.pdf")
    r = lp("render", md, "-d", data, "-o", path, "--attach-data")
    shown = run(["qpdf", "--show-attachment=data.json", path]) if r.code == 0 else None
    try:
        attached = json.loads(shown.text) if shown else None
    except ValueError:
        attached = None
    check("--attach-data: the letter carries its record as data.json",
          r.code == 0 and attached == record, r.err + (shown.text[:200] if shown else ""))
    if r.code == 0:
        e2e.check_qpdf("--attach-data", path)
    r = lp("render", md, "-d", data, "-o", path, "--meta", "attach-data=false")
    check("attach-data: false: nothing attached", r.code == 0 and
          "no embedded files" in run(["qpdf", "--list-attachments", path]).text, r.err)
    out = os.path.join(tmp, "attach-merge")
    csv = os.path.join(e2e.TEMPLATES, "commitment-letter.csv")
    r = lp("merge", md, "-d", csv, "-o", out + "/{{customer.id}}.pdf", "--attach-data")
    files = sorted(os.listdir(out)) if os.path.isdir(out) else []
    listed = [run(["qpdf", "--list-attachments", os.path.join(out, f)]).text
              for f in files]
    check("merge --attach-data: every letter carries data.json",
          r.code == 0 and files and all("data.json" in t for t in listed),
          r.err + repr(listed[:2]))
    # merge --combined: every record's data, one file per record named
    # after its number, in record order.
    combined = os.path.join(tmp, "attach-all.pdf")
    r = lp("merge", md, "-d", csv, "--combined", combined, "--attach-data")
    listed = run(["qpdf", "--list-attachments", combined]).text if r.code == 0 else ""
    names = re.findall(r"^(\S+) ->", listed, re.M)
    import csv as csvmod
    with open(csv, encoding="utf-8") as f:
        rows = list(csvmod.DictReader(f))
    check("merge --combined --attach-data: one data-N.json per record, in order",
          names == ["data-%d.json" % (i + 1) for i in range(len(rows))],
          r.err + listed)
    same = []
    for i, row in enumerate(rows):
        shown = run(["qpdf", "--show-attachment=data-%d.json" % (i + 1), combined]).text
        try:
            att = json.loads(shown)
        except ValueError:
            att = {}
        same.append(att.get("contract_no") == row["contract_no"] and
                    att.get("customer", {}).get("id") == row["customer.id"])
    check("merge --combined --attach-data: data-N.json is record N", same and all(same), same)
    if r.code == 0:
        e2e.check_qpdf("merge --combined --attach-data", combined)
        pdf = Pdf(combined)
        af = pdf.get(pdf.catalog().get("/AF", []))
        check("merge --combined --attach-data: the catalog's /AF lists every record",
              len(af) == len(rows) and all(pdf.get(x).get("/AFRelationship") == "/Data"
                                           for x in af), af)
    a3 = os.path.join(tmp, "a3-merge.md")
    with open(md, encoding="utf-8") as f:
        text = f.read()
    with open(a3, "w", encoding="utf-8") as f:
        f.write(text.replace("lang: zh-CN\n", "lang: zh-CN\npdf-standard: a-3b\n", 1))
    combined = os.path.join(tmp, "a3-all.pdf")
    r = lp("merge", a3, "-d", csv, "--combined", combined)
    if check("merge --combined with a-3b: renders", r.code == 0, r.err):
        listed = run(["qpdf", "--list-attachments", combined]).text
        check("merge --combined with a-3b: every record attached",
              len(re.findall(r"^data-\d+\.json ->", listed, re.M)) == len(rows), listed)
        errors = preflight_part(combined, 3)
        check("merge --combined with a-3b: Preflight finds no error beyond PDF/A-1's own rules",
              not errors, errors[:8])
    for std in ("a-1b", "a-2b"):
        bad = os.path.join(tmp, "attach-%s.pdf" % std)
        r = lp("render", md, "-d", data, "-o", bad, "--attach-data",
               "--meta", "pdf-standard=" + std)
        check("--attach-data with %s: refused (exit 2), a-3b named" % std,
              r.code == 2 and "a-3b" in r.err and not os.path.exists(bad), r.err)


def test_repeated_header(tmp):
    """A table header row repeated atop the next page is a pagination
    artifact: its cells are in the tree once."""
    rows = "".join("| 第%d行 | 内容%d |\n" % (i, i) for i in range(80))
    src = os.path.join(tmp, "long-table.md")
    with open(src, "w", encoding="utf-8") as f:
        f.write("---\nlang: zh-CN\nfooter: ''\n---\n\n# 表\n\n| 项目 | 说明 |\n|---|---|\n" + rows)
    path = os.path.join(tmp, "long-table.pdf")
    r = lp("render", src, "-o", path)
    if not check("repeated header: renders", r.code == 0, r.err):
        return
    pdf = Pdf(path)
    pages = pdf.pages()
    check("repeated header: the table takes several pages", len(pages) >= 2, len(pages))
    els = elements(pdf)
    ths = [el for _, el in els if el["/S"] == "/TH"]
    check("repeated header: two TH elements, once", len(ths) == 2, len(ths))
    second = [stack for op, stack in marked_ops(pdf.content(pages[1])) if op == "TJ"]
    check("repeated header: page 2 starts with a pagination artifact",
          second and second[0] and second[0][0][0] == "/Artifact"
          and "/Pagination" in second[0][0][1], second[:1])
    check_mcids("repeated header", pdf, els)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        test_rich(tmp)
        test_reading_order(tmp)
        test_untagged(tmp)
        test_lang(tmp)
        test_decorative_images(tmp)
        test_combined_merge(tmp)
        test_standards(tmp)
        test_pdfa1b(tmp)
        test_field_fonts(tmp)
        test_transparent_seal(tmp)
        test_pdfa3(tmp)
        test_attach_data(tmp)
        test_repeated_header(tmp)
    e2e.finish()


if __name__ == "__main__":
    main()
