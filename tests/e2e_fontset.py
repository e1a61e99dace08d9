#!/usr/bin/env python3
"""The font set: the same letter on every machine.

A letter is drawn only from the declared font set (the Noto, DejaVu and
Hanazono families of make deps), the families its template names, and the
font directories the user adds; another installed font never draws a
character, however well fontconfig ranks it.  The test makes such a font
(with fontTools): "LP Stray Symbols", which has U+E001 and U+E002 (the
private-use characters that LibreOffice's OpenSymbol has, and that no
declared font has), installs it for fontconfig through a configuration that
includes the project's own, and checks each way of letting it in.

Uses the harness of tests/e2e.py; prints "N passed, N failed" last.
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check, fonts, lp, poppler_text, short  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STRAY = "LP Stray Symbols"

# Writes a TrueType font with a square glyph for U+E001 and U+E002.
MAKE_FONT = r"""
import sys
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
def square():
    pen = TTGlyphPen(None)
    pen.moveTo((100, 0)); pen.lineTo((100, 700)); pen.lineTo((800, 700))
    pen.lineTo((800, 0)); pen.closePath()
    return pen.glyph()
fb = FontBuilder(1000, isTTF=True)
names = [".notdef", "uniE001", "uniE002"]
fb.setupGlyphOrder(names)
fb.setupCharacterMap({0xE001: "uniE001", 0xE002: "uniE002"})
fb.setupGlyf({n: square() for n in names})
fb.setupHorizontalMetrics({n: (900, 100) for n in names})
fb.setupHorizontalHeader(ascent=800, descent=-200)
fb.setupNameTable({"familyName": "LP Stray Symbols", "styleName": "Regular",
                  "psName": "LPStraySymbols-Regular"})
fb.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800,
            usWinDescent=200)
fb.setupPost()
fb.save(sys.argv[1])
"""

TEMPLATE = """---
lang: en
{front}---
# Notice

Symbols: \ue001 and \ue002, then Extension B: \U00020000\U00020001\U0002A6A5.
"""


def python_with_fonttools():
    """A Python that can import fontTools (Debian's python3-fonttools)."""
    for exe in (sys.executable, "/usr/bin/python3"):
        if os.path.exists(exe) and subprocess.run(
                [exe, "-c", "import fontTools"],
                stderr=subprocess.DEVNULL).returncode == 0:
            return exe
    return None


def stray_used(pdf):
    return any("LPStraySymbols" in row[0] for row in (fonts(pdf) or []))


def outside_set_used(pdf):
    """Whether a font outside the declared set (Noto, DejaVu, Hanazono)
    draws something: the stray font, or another installed one."""
    declared = ("NotoSerif", "NotoSans", "DejaVu", "HanaMin")
    return any(not row[0].split("+")[-1].startswith(declared)
               for row in (fonts(pdf) or []))


def main():
    py = python_with_fonttools()
    check("fontTools is installed (python3-fonttools, make deps)", py is not None)
    if not py:
        return e2e.finish()
    with tempfile.TemporaryDirectory() as tmp:
        system = os.path.join(tmp, "system", "stray")
        os.makedirs(system)
        subprocess.run([py, "-c", MAKE_FONT, os.path.join(system, "Stray.ttf")],
                       check=True)
        # A machine where the stray font is installed: the project's
        # configuration plus one more system font directory.
        confdir = os.path.join(tmp, "conf")
        os.makedirs(confdir)
        conf = os.path.join(confdir, "fonts.conf")
        with open(conf, "w") as f:
            f.write('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM '
                    '"urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
                    '  <include>%s</include>\n  <dir>%s</dir>\n'
                    '  <cachedir>%s</cachedir>\n</fontconfig>\n'
                    % (os.path.join(ROOT, "fonts", "fonts.conf"),
                       os.path.dirname(system), os.path.join(tmp, "cache")))
        env = {"LETTERPRESS_FONTCONFIG": conf}

        def render(name, front="", *args, extra_env=None):
            letters = os.path.join(tmp, "letters")
            os.makedirs(letters, exist_ok=True)
            tpl = os.path.join(letters, name + ".md")
            with open(tpl, "w", encoding="utf-8") as f:
                f.write(TEMPLATE.format(front=front))
            pdf = os.path.join(tmp, name + ".pdf")
            r = lp("render", tpl, "-o", pdf, *args,
                   env=dict(env, **(extra_env or {})))
            return tpl, pdf, r

        tpl, pdf, r = render("default")
        check("default: renders", r.code == 0, short(r.err))
        check("default: the installed stray font draws nothing",
              r.code == 0 and not stray_used(pdf), str(fonts(pdf)))
        check("default: U+E001 and U+E002 are reported as missing from the font set",
              "U+E001" in r.err and "U+E002" in r.err and
              "no font of the font set has" in r.err, short(r.err))
        check("default: the warning says how to add a font (--font-path)",
              "--font-path" in r.err, short(r.err))
        check("default: two missing characters (one .notdef glyph) copy back as typed",
              "Symbols: \ue001 and \ue002," in poppler_text(pdf),
              repr(poppler_text(pdf)[:80]))
        check("default: Extension B is drawn by the declared set (no warning)",
              "U+20000" not in r.err and "U+2A6A5" not in r.err, short(r.err))
        check("default: Extension B comes from Hanazono (HanaMinB)",
              any("HanaMinB" in row[0] for row in (fonts(pdf) or [])),
              str(fonts(pdf)))
        check("default: Extension B copies back as typed",
              "\U00020000\U00020001\U0002A6A5" in poppler_text(pdf), "")

        for label, args, extra, front in (
                ("--system-fonts", ["--system-fonts"], None, ""),
                ("--font-path", ["--font-path", system], None, ""),
                ("LETTERPRESS_FONT_PATH", [],
                 {"LETTERPRESS_FONT_PATH": "/nonexistent-is-checked:" + system}, None),
                ("LETTERPRESS_FONT_PATH", [], {"LETTERPRESS_FONT_PATH": system}, ""),
                ("font-path in the front matter", [], None,
                 "font-path: ../system/stray\n"),
                ("font naming the family", [], None, "font: %s, Noto Serif\n" % STRAY)):
            if front is None:  # a directory that is not one is an error
                tpl, pdf, r = render("bad-env", "", *args, extra_env=extra)
                check("%s naming no directory: exit 2, named" % label,
                      r.code == 2 and "/nonexistent-is-checked" in r.err and
                      "LETTERPRESS_FONT_PATH" in r.err, short(r.err))
                continue
            tpl, pdf, r = render("in", front, *args, extra_env=extra)
            # With every installed font, another one that has U+E001 (such
            # as LibreOffice's OpenSymbol) may come first.
            drawn = (outside_set_used(pdf) if label == "--system-fonts"
                     else stray_used(pdf))
            check("%s: %s draws U+E001 (no warning)" % (
                      label, "a font outside the declared set"
                      if label == "--system-fonts" else "the stray font"),
                  r.code == 0 and drawn and "U+E001" not in r.err,
                  short(r.err) + str(fonts(pdf)))

        tpl, pdf, r = render("bad-front", "font-path: no/such/dir\n")
        check("font-path naming no directory: exit 2 at its line",
              r.code == 2 and r.err.startswith(tpl + ":3:1: error: font-path 'no/such/dir'"),
              short(r.err))
        r = lp("render", tpl, "-o", pdf, "--font-path", os.path.join(tmp, "nope"), env=env)
        check("--font-path naming no directory: exit 2, named",
              r.code == 2 and os.path.join(tmp, "nope") in r.err and
              "no such font directory" in r.err, short(r.err))

        r = lp("fonts", "--lang", "zh-CN", "--font-path", system, env=env)
        check("fonts: names the font set and the added directory",
              r.code == 0 and "font set: the declared families" in r.text and
              "font directory: " + system in r.text, short(r.text))
        check("fonts: says where each face comes from",
              "[declared set]" in r.text, short(r.text))
        r = lp("fonts", "--lang", "jp", env=env)
        check("fonts --lang jp: exit 2, the tag meant is named",
              r.code == 2 and "'jp'" in r.err and "'ja'" in r.err, short(r.err))
        r = lp("fonts", "--lang", "zh_tw", env=env)
        check("fonts --lang zh_tw: read as zh-TW (the Traditional font)",
              r.code == 0 and r.text.startswith("lang zh-TW,") and
              "NotoSerifCJKtc" in r.text, short(r.text))
        r = lp("fonts", "--lang", "zh-CN", "--system-fonts", env=env)
        check("fonts --system-fonts: says every installed font takes part",
              r.code == 0 and "every installed font" in r.text, short(r.text))
    return e2e.finish()


if __name__ == "__main__":
    sys.exit(main())
