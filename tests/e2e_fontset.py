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

Office fonts that are not installed (Times New Roman, Calibri, 宋体, ...)
are drawn with the Debian fonts that stand for them, and a named font that
is not installed is a warning at its key.

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


# Office fonts (not installed here) and the faces that stand for them:
# (lang, font, PostScript name prefix of the body face).
OFFICE = [
    ("en", "Times New Roman", "LiberationSerif"),
    ("en", "Arial", "LiberationSans"),
    ("en", "Courier New", "LiberationMono"),
    ("en", "Calibri", "Carlito"),
    ("en", "Cambria", "Caladea"),
    ("zh-CN", "宋体", "NotoSerifCJKsc"),
    ("zh-CN", "SimHei", "NotoSansCJKsc"),
    ("zh-TW", "PMingLiU", "NotoSerifCJKtc"),
    ("ja", "ＭＳ 明朝", "NotoSerifCJKjp"),
    ("ja", "MS Gothic", "NotoSansCJKjp"),
    ("ko", "Batang", "NotoSerifCJKkr"),
    ("ko", "Malgun Gothic", "NotoSansCJKkr"),
]

OFFICE_TEMPLATE = """---
lang: {lang}
title: Office
{front}---
{text}
"""

SAMPLE = {"en": "Dear Ms Walsh, thank you.", "zh-CN": "尊敬的客户：您好。",
          "zh-TW": "敬啟者：您好。", "ja": "拝啓　時下ますます。",
          "ko": "안녕하십니까. 감사합니다."}


def body_face(pdf, text_font):
    """The subset names of the PDF's fonts that start with text_font."""
    return [row[0] for row in (fonts(pdf) or [])
            if row[0].split("+")[-1].startswith(text_font)]


def check_office_fonts(tmp):
    """An office font is drawn with its stand-in; a font that is not
    installed is a warning at its key naming what is used instead."""
    def render(name, lang, front, env=None):
        tpl = os.path.join(tmp, name + ".md")
        with open(tpl, "w", encoding="utf-8") as f:
            f.write(OFFICE_TEMPLATE.format(lang=lang, front=front,
                                           text=SAMPLE[lang]))
        pdf = os.path.join(tmp, name + ".pdf")
        return tpl, pdf, lp("render", tpl, "-o", pdf, env=env)

    for k, (lang, font, face) in enumerate(OFFICE):
        tpl, pdf, r = render("office%d" % k, lang, "font: %s\n" % font)
        check("font: %s (%s): drawn with %s, no warning" % (font, lang, face),
              r.code == 0 and body_face(pdf, face) and "warning" not in r.err,
              short(r.err) + str(fonts(pdf)))
    # The stand-ins are installed, but a letter that names no font keeps
    # its Noto faces: they join the set only when called for.
    tpl, pdf, r = render("plain", "en", "")
    check("no font named: Liberation, Carlito and Caladea draw nothing",
          r.code == 0 and not any(body_face(pdf, f) for f in
                                  ("Liberation", "Carlito", "Caladea")) and
          body_face(pdf, "NotoSerif"), str(fonts(pdf)))
    tpl, pdf, r = render("garamond", "en", "font: Garamond, Noto Sans\n")
    w = [l for l in r.err.splitlines() if ": warning: " in l]
    check("font: Garamond (not installed): one warning at its key, naming "
          "the font and the one used instead",
          r.code == 0 and len(w) == 1 and
          w[0].startswith(tpl + ":4:1: warning: font 'Garamond' is not "
                          "installed: Noto Sans is used instead"),
          short(r.err))
    tpl, pdf, r = render("heading", "en", "heading-font: Futura Nope\n")
    check("heading-font not installed: a warning naming it",
          r.code == 0 and "warning: heading-font 'Futura Nope' is not "
          "installed: Noto Serif is used instead" in r.err, short(r.err))
    # A machine without the stand-ins: only the Noto and DejaVu fonts.
    conf_dir = os.path.join(tmp, "bare")
    os.makedirs(conf_dir)
    with open(os.path.join(conf_dir, "fonts.conf"), "w") as f:
        f.write('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM '
                '"urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
                '  <dir>/usr/share/fonts/opentype/noto</dir>\n'
                '  <dir>/usr/share/fonts/truetype/noto</dir>\n'
                '  <dir>/usr/share/fonts/truetype/dejavu</dir>\n'
                '  <cachedir>%s</cachedir>\n</fontconfig>\n'
                % os.path.join(tmp, "bare-cache"))
    env = {"LETTERPRESS_FONTCONFIG": os.path.join(conf_dir, "fonts.conf")}
    tpl, pdf, r = render("bare", "en", "font: Calibri\n", env=env)
    check("font: Calibri without Carlito: a warning naming the package",
          r.code == 0 and "warning: font 'Calibri' stands for Carlito" in r.err
          and "install fonts-crosextra-carlito" in r.err and
          "Noto Serif is used instead" in r.err and
          body_face(pdf, "NotoSerif"), short(r.err))
    r = lp("fonts")
    check("fonts: states the office fonts and their stand-ins",
          r.code == 0 and "Times New Roman" in r.text and
          "-> Liberation Serif (fonts-liberation2)" in r.text and
          "-> Carlito (fonts-crosextra-carlito)" in r.text and
          "宋体" in r.text and "-> Noto Serif CJK SC" in r.text,
          short(r.text[-600:]))
    r = lp("fonts", env=env)
    check("fonts: says which stand-ins are not installed",
          r.code == 0 and "-> Caladea (fonts-crosextra-caladea, not installed)"
          in r.text, short(r.text[-600:]))


def main():
    py = python_with_fonttools()
    check("fontTools is installed (python3-fonttools, make deps)", py is not None)
    if not py:
        return e2e.finish()
    with tempfile.TemporaryDirectory() as tmp:
        check_office_fonts(tmp)
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
