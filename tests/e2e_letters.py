#!/usr/bin/env python3
"""The letters lawyers and offices write, through the CLI.

- Typographic punctuation: an English letter's quotes, dashes and
  ellipses come out typographic, German and French ones in their own
  quotes; code and data values stay as typed; `smart-punctuation: false`
  keeps everything as typed; Japanese is left alone.
- Continuation pages: with `header-first: false` the header is off the
  first page of each letter and on the pages after, with {page}, {title}
  and a record value filled in.
- Japanese letters: the project's template has 拝啓 at the margin and 敬具
  and 以上 flush right (without {.right}); B5 is JIS B5 in Japanese.
- Paper sizes: A6, ISO-B5, JIS-B5, landscape, checked with pdfinfo.
- YAML mistakes: `title: Re: Notice` says how to quote it.

Uses the harness of tests/e2e.py; prints "N passed, N failed" last.
"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import (MARGIN, ROOT, bbox_lines, check, lp, page_size,  # noqa: E402
                 poppler_text, render_md, short)

MM = 72 / 25.4


def render_with(tmp, name, text, data):
    """Renders text with the record data (a dict); (result, pdf path)."""
    src = os.path.join(tmp, name + ".md")
    with open(src, "w", encoding="utf-8") as f:
        f.write(text)
    dat = os.path.join(tmp, name + ".json")
    with open(dat, "w", encoding="utf-8") as f:
        json.dump(data, f)
    pdf = os.path.join(tmp, name + ".pdf")
    return lp("render", src, "-d", dat, "-o", pdf), pdf


def flat(text):
    """pdftotext's text with its line breaks as spaces."""
    return " ".join(text.split())


ENGLISH = """---
lang: en-GB
---
# Re: "Notice to quit"

Dear {{name}},

We refer to your letter of 3 May -- the "notice" you call it -- and to
clauses 3--5 of the lease. It's the tenant's duty... "Quiet enjoyment" is
the 'covenant' at issue, as in the '90s. See `"code" -- as typed`.
He is 6'2\\" tall, option \\-\\-force.

The note you sent reads "{{quote}}".
"""


def test_english(tmp):
    r, pdf = render_with(tmp, "en", ENGLISH,
                         {"name": "Ms O'Brien", "quote": "pay -- \"now\"..."})
    check("English letter renders", r.code == 0, short(r.err))
    t = flat(poppler_text(pdf))
    for want in ("Re: “Notice to quit”", "3 May – the “notice” you call it –",
                 "clauses 3–5", "It’s the tenant’s duty…",
                 "“Quiet enjoyment”", "the ‘covenant’ at issue", "the ’90s",
                 "Dear Ms O'Brien,"):
        check("English: %s" % want, want in t, short(t))
    check("English: code stays as typed", '"code" -- as typed' in t, short(t))
    check("English: a backslash keeps a character as typed",
          "He is 6’2\" tall, option --force." in t, short(t))
    check("English: a data value stays as typed, quoted typographically",
          'reads “pay -- "now"...”.' in t, short(t))
    r, pdf = render_with(tmp, "en-off",
                         ENGLISH.replace("lang: en-GB", "lang: en-GB\nsmart-punctuation: false"),
                         {"name": "X", "quote": "y"})
    t = flat(poppler_text(pdf))
    check("smart-punctuation: false keeps the text as typed",
          r.code == 0 and '3 May -- the "notice"' in t and "duty..." in t
          and "“" not in t and "’" not in t, short(t))


def test_other_languages(tmp):
    r, pdf = render_md(tmp, "de", "---\nlang: de\n---\n"
                       "Er sagte \"Vertrag\" und 'Kündigung' -- so geht's.\n")
    t = flat(poppler_text(pdf))
    check("German quotes „…“ ‚…‘", r.code == 0 and
          "Er sagte „Vertrag“ und ‚Kündigung‘ – so geht’s." in t, short(t))
    r, pdf = render_md(tmp, "fr", "---\nlang: fr\n---\n"
                       "Il a dit \"oui\" : l'accord est signé !\n")
    t = flat(poppler_text(pdf))
    check("French: no warning (the fonts have U+00A0 and U+202F)",
          r.code == 0 and not r.err.strip(), short(r.err))
    check("French « … »", r.code == 0 and
          "Il a dit « oui » : l’accord est signé !" in t, short(t))
    # The spaces inside « » and before : ! ? are no-break spaces: in a
    # long paragraph no line starts with » : ! ? or ends with «.
    r, pdf = render_md(tmp, "fr-long", "---\nlang: fr\n---\n" +
                       " ".join(["Le \"bail\" est-il signé ? Oui : il l'est !"] * 40)
                       + "\n")
    lines = [l["text"] for l in e2e.body_lines(pdf)]
    bad = [l for l in lines if l[:1] in "»:!?" or l.endswith("«")]
    check("French: no line starts with » : ! ? or ends with «",
          r.code == 0 and len(lines) > 5 and not bad, short(repr(bad or lines[:3])))
    r, pdf = render_md(tmp, "ja-q", "---\nlang: ja\n---\n"
                       "「引用」と \"quoted\" -- そのまま...\n")
    t = poppler_text(pdf)
    check("Japanese: punctuation left as typed",
          r.code == 0 and '「引用」と "quoted" -- そのまま...' in t, short(t))


CONTINUATION = """---
lang: en-GB
header: "{{client}} -- {title} -- page {page}"
header-first: false
footer: ""
---
"""


def test_continuation(tmp):
    para = ("This paragraph of the letter is long enough to take a few lines "
            "of the page, so that the letter runs over several pages. ")
    body = "".join("%s\n\n" % (para * 3) for _ in range(14))
    text = CONTINUATION + "# Lease of 12 Hill Road\n\n" + body + \
        "# Second letter\n\n" + body
    r, pdf = render_with(tmp, "cont", text, {"client": "Ms Walsh"})
    check("continuation letter renders", r.code == 0, short(r.err))
    pages = int(e2e.pdfinfo(pdf).get("Pages", "0"))
    texts = [poppler_text(pdf, p) for p in range(1, pages + 1)]
    header = "Ms Walsh – Lease of 12 Hill Road – page"
    check("two letters of several pages", pages >= 4, pages)
    check("page 1: no header", header not in texts[0], short(texts[0]))
    check("page 2: the header with the letter's title and page 2",
          header + " 2" in texts[1], short(texts[1]))
    second = [i for i, t in enumerate(texts, 1) if "Second letter" in t]
    s = second[0] if second else 0
    check("second letter's first page: no header",
          s and "Ms Walsh –" not in texts[s - 1], short(texts[s - 1] if s else ""))
    check("second letter's next page: its own title, page 2",
          s and s < pages and "Ms Walsh – Second letter – page 2" in texts[s],
          short(texts[s] if s and s < pages else ""))
    # Without header-first the first page has it too.
    r, pdf = render_with(tmp, "cont-all", text.replace("header-first: false\n", ""),
                         {"client": "Ms Walsh"})
    check("header-first left out: the header on page 1 too",
          header + " 1" in poppler_text(pdf, 1), short(poppler_text(pdf, 1)))


def line_of(lines, needle):
    return next((l for l in lines if needle in l["text"]), None)


def test_japanese(tmp):
    tpl = os.path.join(ROOT, "templates", "japanese-letter.md")
    with open(tpl, encoding="utf-8") as f:
        src = f.read()
    check("the template relies on no {.right} for 敬具 and 以上",
          "敬具 {.right}" not in src and "以上 {.right}" not in src)
    pdf = os.path.join(tmp, "ja.pdf")
    r = lp("render", tpl, "-d", os.path.join(ROOT, "templates", "japanese-letter.json"),
           "-o", pdf)
    check("Japanese template renders", r.code == 0, short(r.err))
    lines, _ = bbox_lines(pdf)
    w, _ = page_size(pdf)
    opening, closing, ijou = (line_of(lines, "拝啓"), line_of(lines, "敬具"),
                              line_of(lines, "以上"))
    check("拝啓 starts at the margin", opening and abs(opening["x0"] - MARGIN) < 1,
          opening)
    check("敬具 is flush right", closing and abs(closing["x1"] - (w - MARGIN)) < 1,
          closing)
    check("以上 is flush right", ijou and abs(ijou["x1"] - (w - MARGIN)) < 1, ijou)
    ki = line_of(lines, "記")
    check("記 is centred", ki and abs((ki["x0"] + ki["x1"]) / 2 - w / 2) < 2, ki)
    r, pdf = render_md(tmp, "ja-close", "---\nlang: ja\n---\n\n"
                       "拝啓　本文です。\n\n敬具\n\n草々とは結語です。\n")
    lines, _ = bbox_lines(pdf)
    closing, other = line_of(lines, "敬具"), line_of(lines, "草々とは")
    check("a closing alone is flush right, in any letter",
          closing and abs(closing["x1"] - (w - MARGIN)) < 1, closing)
    check("a paragraph that only starts with a closing word keeps its indent",
          other and other["x0"] > MARGIN + 5, other)


def test_paper(tmp):
    cases = [("lang: ja\npaper: B5", (182, 257)), ("lang: en\npaper: B5", (176, 250)),
             ("lang: ja\npaper: ISO-B5", (176, 250)), ("paper: JIS-B5", (182, 257)),
             ("paper: A6", (105, 148)), ("paper: A4 landscape", (297, 210)),
             ("lang: ja\npaper: B5 landscape", (257, 182))]
    for front, (wmm, hmm) in cases:
        r, pdf = render_md(tmp, "paper", "---\n%s\n---\nText.\n" % front)
        w, h = page_size(pdf)
        check("paper %r: %d x %d mm" % (front, wmm, hmm),
              r.code == 0 and abs(w - wmm * MM) < 0.5 and abs(h - hmm * MM) < 0.5,
              "%s %.1f x %.1f pt" % (short(r.err), w, h))


def test_yaml(tmp):
    r, _ = render_md(tmp, "yaml", "---\ntitle: Re: Notice\n---\nText.\n")
    check("title: Re: Notice says where and how to quote it",
          r.code == 2 and "yaml.md:2:10: error:" in r.err and
          'put the value in quotes: title: "Re: Notice"' in r.err, short(r.err))
    r, _ = render_md(tmp, "yaml", "---\ntitle: x\n\tlang: en\n---\nText.\n")
    check("a tab indent says to use spaces",
          r.code == 2 and "yaml.md:3:1:" in r.err and "spaces" in r.err, short(r.err))
    r, _ = render_md(tmp, "yaml", "---\ntitle: \"Re: x\nlang: en\n---\nText.\n")
    check("an unclosed quote is reported at the quote",
          r.code == 2 and "yaml.md:2:8:" in r.err and "never closed" in r.err,
          short(r.err))


def test_escape_and_lang(tmp):
    """A kept quote (\\") and a {lang=TAG} in one paragraph: each keeps
    its own meaning (their marks once shared a control byte)."""
    r, pdf = render_md(tmp, "esclang", "---\nlang: en\n---\n# L\n\n"
                       'He said \\"no\\" and "yes" {lang=de}\n')
    text = flat(poppler_text(pdf)) if r.code == 0 else ""
    check("an escaped quote stays straight beside {lang=de}",
          r.code == 0 and 'He said "no" and' in text and "{" not in text,
          short(r.err) + " " + text)
    tree = lp_json(pdf) if r.code == 0 else ""
    check("the paragraph with {lang=de} gets /Lang (de)", "u:de" in tree, tree[:200])
    check("a paragraph marked {lang=de} takes German quotes",
          "„yes“" in text, text)
    r, pdf = render_md(tmp, "langquotes", "---\nlang: en\n---\n# L\n\n"
                       'She said "yes".\n\nEr sagte "ja". {lang=de}\n\n'
                       'Il a dit "oui". {lang=fr}\n\n'
                       '他说"好"。 {lang=zh}\n')
    text = flat(poppler_text(pdf)) if r.code == 0 else ""
    check("each paragraph's {lang=TAG} picks its quotes; the letter's elsewhere",
          "She said “yes”." in text and "Er sagte „ja“." in text and
          "« oui »" in text and '他说"好"' in text, short(r.err) + " " + text)


def test_escapes_in_links(tmp):
    """A backslash in a link's title or an autolink is Markdown's, not a
    kept quote: the link still parses, and the URL keeps its characters."""
    r, pdf = render_md(tmp, "esclink", "---\nlang: en\n---\n# L\n\n"
                       'See [the site](https://example.com "say \\"hi\\"") '
                       'and <http://x.org/a\\-b>, \\"kept\\".\n')
    text = flat(poppler_text(pdf)) if r.code == 0 else ""
    tree = lp_json(pdf) if r.code == 0 else ""
    check("an escaped quote in a link's title leaves the link a link",
          "See the site (https://example.com)" in text and
          "u:https://example.com" in tree, short(r.err) + " " + text)
    check("an autolink keeps its backslash, and a kept quote elsewhere stays",
          "u:http://x.org/a\\\\-b" in tree and '"kept"' in text, text + tree[:300])


def lp_json(pdf):
    """qpdf's JSON of the file, as text."""
    import subprocess
    return subprocess.run(["qpdf", "--json", pdf], capture_output=True,
                          text=True).stdout


def main():
    with tempfile.TemporaryDirectory() as tmp:
        test_escape_and_lang(tmp)
        test_escapes_in_links(tmp)
        test_english(tmp)
        test_other_languages(tmp)
        test_continuation(tmp)
        test_japanese(tmp)
        test_paper(tmp)
        test_yaml(tmp)
    e2e.finish()


if __name__ == "__main__":
    main()
