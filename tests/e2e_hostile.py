#!/usr/bin/env python3
"""The hostile-input corpus: inputs that try to crash, hang or trick
letterpress.  Each case is generated here (some are megabytes), run through
the real binary, and must give either a located error (its exit code, a
message naming the file and what to do) and no output file, or a correct
PDF (qpdf --check clean, the expected page count).  A case that takes more
than TIMEOUT seconds is a hang and fails.

Uses the harness of tests/e2e.py; prints "N passed, N failed" last.
"""
import os
import re
import struct
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check, lp, run  # noqa: E402

TIMEOUT = 120


def png(width, height, truncate=False, bad_filter=False):
    """A PNG of width x height gray pixels (a 20 000 x 20 000 one
    compresses to a few hundred kilobytes)."""
    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    # Beyond 10 megapixels the pixel data is left out: such an image must be
    # refused by its size, before anything reads the data.
    raw = zlib.compress(b"\0" * (width + 1) * height, 9) if width * height <= 1e7 else b""
    if bad_filter:  # every row's filter byte 9: valid zlib, bad rows
        raw = zlib.compress((b"\x09" + b"\0" * width) * height, 9)
    data = (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)) +
            chunk(b"IDAT", raw) + chunk(b"IEND", b""))
    return data[:len(data) // 2] if truncate else data


def nested_list(depth):
    return "".join("  " * i + "- item %d\n" % i for i in range(depth))


# name: (file contents, extra arguments, expected exit, message words,
#        pages when it succeeds or None)
def cases():
    return {
        "empty": (b"", [], 0, [], 1),
        "binary": (bytes(range(256)) * 20, [], 2, ["invalid UTF-8", ":2:"], None),
        "invalid-utf8": ("第一行\n第二行".encode() + b"\xff\n", [], 2,
                         [":2:4:", "invalid UTF-8"], None),
        "bom-crlf": (b"\xef\xbb\xbf---\r\ntitle: x\r\n---\r\n# T\r\n\r\n"
                     b"one\r\ntwo\r\n", [], 0, [], 1),
        "unterminated-front-matter": (b"---\ntitle: x\n\n# T\n", [], 2,
                                      [":1:1:", "never closed"], None),
        "bad-yaml": (b"---\ntitle: [unclosed\n---\n", [], 2, [":3:1:", "YAML"],
                     None),
        "unterminated-tag": (b"Dear {{name\n", ["--blanks"], 2,
                             [":1:6:", "never closed"], None),
        "mismatched-tags": (b"{{#a}}x{{/b}}\n", ["--blanks"], 2,
                            [":1:8:", "{{/b}}"], None),
        "long-paragraph": (b"a" * 500000 + b"\n", [], 0, [], None),
        "long-word": (b"Start " + b"x" * 3000 + b" end.\n", [], 0, [], 1),
        "long-cjk-paragraph": (("汉字" * 100000 + "\n").encode(), [], 0, [],
                               None),
        "nested-lists-1000": (nested_list(1000).encode(), [], 2,
                              ["--max-depth", "nested"], None),
        "nested-lists-raised": (nested_list(1000).encode(),
                                ["--max-depth", "0"], 0, [], None),
        "nested-quotes-1000": (b">" * 1000 + b" deep\n", [], 2,
                               [":1:65:", "--max-depth"], None),
        "letters-3000": ("".join("# Letter %d\n\nBody.\n\n" % i
                                 for i in range(3000)).encode(), [], 0, [], 3000),
        "pages-limit": ("".join("# L%d\n\nx\n\n" % i for i in range(50)).encode(),
                        ["--max-pages", "20"], 2, ["20 pages", "--max-pages"],
                        None),
        "input-limit": (b"x" * 5000, ["--max-input-size", "1000"], 2,
                        ["1000 bytes", "--max-input-size"], None),
        "table-200-columns": (("|" + "|".join("c%d" % i for i in range(200)) +
                               "|\n|" + "|".join("-" for _ in range(200)) +
                               "|\n|" + "|".join("v%d" % i for i in range(200)) +
                               "|\n").encode(), [], 0, [], None),
        "deep-emphasis": (("*a **b " * 20000 + "x" + "** c*" * 20000 +
                           "\n").encode(), [], 0, [], None),
        "deep-brackets": (b"[" * 20000 + b"a" + b"]" * 20000 + b"\n", [], 0,
                          [], None),
        "not-an-image": (b"# T\n\n![x](fake.png)\n", [], 2,
                         [":3:", "fake.png"], None),
        "truncated-png": (b"# T\n\n![x](half.png)\n", [], 2,
                          [":3:", "half.png", "damaged PNG"], None),
        "bad-png-filter": (b"# T\n\n![x](filter.png)\n", [], 2,
                           [":3:", "filter.png", "damaged PNG"], None),
        "good-png": (b"# T\n\n![x](good.png)\n", [], 0, [], 1),
        "huge-png": (b"# T\n\n![x](huge.png)\n", [], 2,
                     [":3:", "--max-image-pixels"], None),
        "deep-sections": (b"{{#a}}" * 500 + b"x" + b"{{/a}}" * 500 + b"\n",
                          ["--blanks"], 2, ["nested too deep"], None),
    }


def data_cases():
    """Data files against a template with {{name}}: (contents, suffix,
    command, expected exit, message words)."""
    return {
        "ragged-csv": (b"id,name\n1,Li\n2\n3,Wang,extra\n", ".csv", "merge", 2,
                       ["ragged-csv.csv"]),
        "broken-json": (b'{"name": "Li",\n "x": }\n', ".json", "render", 2,
                        ["broken-json.json:2:"]),
        "number-for-string": (b'{"name": 42}\n', ".json", "render", 0, []),
        "object-for-string": (b'{"name": {"a": 1}}\n', ".json", "render", 2,
                              ["name"]),
        "megabyte-value": (b'{"name": "' + b"x" * (1 << 20) + b'"}\n', ".json",
                           "render", 0, []),
    }


def pages(pdf):
    info = e2e.pdfinfo(pdf)
    try:
        return int(info.get("Pages", "0"))
    except ValueError:
        return 0


def main():
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "fake.png"), "wb") as f:
            f.write(b"this is not a PNG at all")
        with open(os.path.join(tmp, "half.png"), "wb") as f:
            f.write(png(40, 40, truncate=True))
        with open(os.path.join(tmp, "huge.png"), "wb") as f:
            f.write(png(20000, 20000))
        with open(os.path.join(tmp, "good.png"), "wb") as f:
            f.write(png(40, 40))
        with open(os.path.join(tmp, "filter.png"), "wb") as f:
            f.write(png(40, 40, bad_filter=True))
        for name, (content, args, code, words, npages) in cases().items():
            md = os.path.join(tmp, name + ".md")
            out = os.path.join(tmp, name + ".pdf")
            with open(md, "wb") as f:
                f.write(content)
            try:
                r = lp("render", md, "-o", out, *args, timeout=TIMEOUT)
            except Exception as ex:  # a hang
                check("hostile %s: finishes" % name, False, repr(ex))
                continue
            check("hostile %s: exit %d" % (name, code), r.code == code,
                  "exit %d: %s" % (r.code, e2e.short(r.err)))
            if code == 0:
                ok = os.path.exists(out) and run(["qpdf", "--check", out]).code == 0
                check("hostile %s: a valid PDF" % name, ok)
                if ok and npages:
                    check("hostile %s: %d pages" % (name, npages),
                          pages(out) == npages, pages(out))
            else:
                check("hostile %s: message" % name,
                      r.err.startswith(md) and all(w in r.err for w in words),
                      e2e.short(r.err))
                check("hostile %s: no output" % name, not os.path.exists(out))
            leftovers = [f for f in os.listdir(tmp) if f.startswith(".")]
            check("hostile %s: no temporary files" % name, not leftovers,
                  leftovers)
        tpl = os.path.join(tmp, "t.md")
        with open(tpl, "w") as f:
            f.write("# Letter\n\nDear {{name}},\n")
        for name, (content, suffix, cmd, code, words) in data_cases().items():
            data = os.path.join(tmp, name + suffix)
            with open(data, "wb") as f:
                f.write(content)
            outdir = os.path.join(tmp, "out-" + name)
            if cmd == "merge":
                args = ["merge", tpl, "-d", data, "-o",
                        os.path.join(outdir, "{{id}}.pdf")]
            else:
                args = ["render", tpl, "-d", data, "-o",
                        os.path.join(tmp, name + ".pdf")]
            r = lp(*args, timeout=TIMEOUT)
            check("hostile data %s: exit %d" % (name, code), r.code == code,
                  "exit %d: %s" % (r.code, e2e.short(r.err)))
            check("hostile data %s: message" % name,
                  all(w in r.err for w in words), e2e.short(r.err))
        # Data may name an image beside the template, never one elsewhere.
        pic = os.path.join(tmp, "pic.md")
        with open(pic, "w") as f:
            f.write("# Pic\n\n![logo]({{logo}})\n")
        for value, code in (("good.png", 0), ("/etc/passwd", 2),
                            ("../" + os.path.basename(tmp) + "/good.png", 2),
                            ("sub/../../good.png", 2)):
            out = os.path.join(tmp, "pic.pdf")
            r = lp("render", pic, "--set", "logo=" + value, "-o", out)
            check("hostile: image path %r from data: exit %d" % (value, code),
                  r.code == code, r.err)
            if code:
                check("hostile: image path %r: located message" % value,
                      r.err.startswith(pic + ":3:") and "directory" in r.err,
                      r.err)
            if os.path.exists(out):
                os.remove(out)
        # A limit must be a plain number: no sign, no space, no overflow.
        for opt, value in (("--max-image-pixels", " -1"), ("--max-pages", "+7"),
                           ("--max-input-size", "9" * 30)):
            r = lp("render", tpl, "-o", os.path.join(tmp, "lim.pdf"), opt, value)
            check("hostile: %s %r is refused" % (opt, value),
                  r.code == 2 and opt in r.err, r.err)
        # Data files are held to --max-input-size too.
        big_json = os.path.join(tmp, "big.json")
        with open(big_json, "w") as f:
            f.write('{"name": "%s"}\n' % ("x" * 3000))
        big_csv = os.path.join(tmp, "big.csv")
        with open(big_csv, "w") as f:
            f.write("name\n%s\n" % ("y" * 3000))
        r = lp("render", tpl, "-d", big_json, "-o", os.path.join(tmp, "b.pdf"),
               "--max-input-size", "1000")
        check("hostile: a data file over the limit", r.code == 2 and
              r.err.startswith(big_json) and "--max-input-size" in r.err, r.err)
        r = lp("merge", tpl, "-d", big_csv, "-o",
               os.path.join(tmp, "big-out", "{{@record}}.pdf"),
               "--max-input-size", "1000")
        check("hostile: a CSV line over the limit", r.code == 2 and
              r.err.startswith(big_csv + ":2:") and "--max-input-size" in r.err
              and not os.path.exists(os.path.join(tmp, "big-out")), r.err)
        # {.right} and {.center} come from the template, never from data.
        al = os.path.join(tmp, "align.md")
        with open(al, "w", encoding="utf-8") as f:
            f.write("# T\n\n右寄せ {.right}\n\n中央 {.center}\n\n{{v}}\n\n"
                    "`kept {.right}`\n")
        out = os.path.join(tmp, "align.pdf")
        r = lp("render", al, "--set", "v=data {.right}", "-o", out)
        words = {}
        if r.code == 0:
            xml = run(["pdftotext", "-bbox-layout", out, "-"]).text
            for m in re.finditer(r'<word xMin="([\d.]+)"[^>]*xMax="([\d.]+)"[^>]*>([^<]*)<', xml):
                words[m.group(3)] = (float(m.group(1)), float(m.group(2)))
        right = 595.28 - e2e.MARGIN
        check("align: {.right} ends at the right margin",
              abs(words.get("右寄せ", (0, 0))[1] - right) < 1, words)
        check("align: {.center} is centred",
              abs(sum(words.get("中央", (0, 0))) / 2 - 595.28 / 2) < 1, words)
        check("align: the attribute is not printed", "{.right}" not in
              run(["pdftotext", out, "-"]).text.split("data")[0], words)
        check("align: data cannot align (its {.right} is text)",
              "{.right}" in words and words.get("data", (0, 0))[0] < 100, words)
        # The look from front matter: heading sizes and paragraph spacing.
        look = os.path.join(tmp, "look.md")
        tops = {}
        for name, fm in (("default", ""),
                         ("custom", "paragraph-spacing: 2\nheading-sizes: 2.5\n")):
            with open(look, "w", encoding="utf-8") as f:
                f.write("---\n%s---\n# Title\n\nfirst\n\nsecond\n" % fm)
            out = os.path.join(tmp, "look-%s.pdf" % name)
            r = lp("render", look, "-o", out)
            xml = run(["pdftotext", "-bbox-layout", out, "-"]).text
            w = {m.group(5): (float(m.group(1)), float(m.group(2)),
                              float(m.group(3)), float(m.group(4)))
                 for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" '
                                      r'xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', xml)}
            tops[name] = w
        d, c = tops["default"], tops["custom"]
        try:
            check("look: heading-sizes makes the title bigger",
                  (c["Title"][3] - c["Title"][1]) > 1.5 * (d["Title"][3] - d["Title"][1]),
                  (d["Title"], c["Title"]))
            check("look: paragraph-spacing opens the space between paragraphs",
                  (c["second"][1] - c["first"][1]) - (d["second"][1] - d["first"][1])
                  > 10, (d, c))
        except KeyError as ex:
            check("look: words found", False, repr(ex))
        # The output is an ordinary file: 0666 less the umask.
        um = os.path.join(tmp, "umask.pdf")
        p = subprocess.run([e2e.LP, "render", tpl, "--set", "name=x", "-o", um],
                           preexec_fn=lambda: os.umask(0o027),
                           stderr=subprocess.PIPE)
        check("hostile: the output mode follows the umask",
              p.returncode == 0 and (os.stat(um).st_mode & 0o777) == 0o640,
              oct(os.stat(um).st_mode) if os.path.exists(um) else p.stderr)
        # --force: the output may not overwrite an input unless asked.
        copy = os.path.join(tmp, "self.md")
        with open(copy, "w") as f:
            f.write("# Self\n")
        r = lp("render", copy, "-o", copy)
        check("hostile: -o naming the template is refused", r.code == 2 and
              "--force" in r.err, r.err)
        with open(copy) as f:
            check("hostile: the template is intact", f.read() == "# Self\n")
        r = lp("render", copy, "-o", copy, "--force")
        with open(copy, "rb") as f:
            check("hostile: --force overwrites", r.code == 0 and
                  f.read(5) == b"%PDF-", r.err)
    e2e.finish()


if __name__ == "__main__":
    main()
