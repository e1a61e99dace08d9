#!/usr/bin/env python3
"""End-to-end tests of `make install` and of the library as others use it.

Stages an install with `make install DESTDIR=TMP PREFIX=/usr` (built in
build/install, apart from the tree the other suites test), then checks the
staged tree: the program, the static and shared libraries (soname, exported
symbols), the header, letterpress.pc, the man pages (rendered by man and
groff without a warning), the fontconfig file and the bash completion.
Builds tests/example/render_from_memory.c against the staged library with
pkg-config (PKG_CONFIG_SYSROOT_DIR pointing into the staging tree), shared
and static, and runs it; runs the staged program; runs the completion in
bash; and checks that `make uninstall` removes every file install put.

Uses the harness of tests/e2e.py; prints "N passed, N failed" last.
"""
import fcntl
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check, run, short  # noqa: E402

ROOT = e2e.ROOT
BUILD = "build/install"
HEADER = os.path.join(ROOT, "src", "letterpress.h")
EXAMPLE = os.path.join(ROOT, "tests", "example", "render_from_memory.c")
EPOCH = e2e.EPOCH

# What install puts under DESTDIR with PREFIX=/usr.
FILES = [
    "usr/bin/letterpress",
    "usr/lib/letterpress/letterpress-mail.so",
    "usr/lib/libletterpress.a",
    "usr/lib/libletterpress.so.0.1.0",
    "usr/include/letterpress.h",
    "usr/lib/pkgconfig/letterpress.pc",
    "usr/share/letterpress/fonts.conf",
    "usr/share/man/man1/letterpress.1",
    "usr/share/man/man3/letterpress.3",
    "usr/share/bash-completion/completions/letterpress",
]
LINKS = {
    "usr/lib/libletterpress.so.0": "libletterpress.so.0.1.0",
    "usr/lib/libletterpress.so": "libletterpress.so.0",
}


def clean_env(**extra):
    """The environment without what the calling make or the other suites
    set (so the nested make builds with its defaults, and the staged
    program finds its own fonts.conf)."""
    e = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "CFLAGS", "LETTERPRESS",
              "LETTERPRESS_FONTCONFIG", "SOURCE_DATE_EPOCH",
              "PKG_CONFIG_PATH", "PKG_CONFIG_SYSROOT_DIR", "LD_LIBRARY_PATH"):
        e.pop(k, None)
    e.update(extra)
    return e


def sh(args, env, cwd=None, timeout=600, stdin=None):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env, cwd=cwd, timeout=timeout, input=stdin)
    return e2e.Result(p)


def make(target, stage, env):
    """Runs a make target on the staging tree, one make at a time: other
    test runs in this tree share build/install."""
    os.makedirs(os.path.join(ROOT, BUILD), exist_ok=True)
    with open(os.path.join(ROOT, BUILD, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return sh(["make", "--no-print-directory", "-s", "-j2", "-C", ROOT,
                   target, "DESTDIR=" + stage, "PREFIX=/usr",
                   "BUILD=" + BUILD], env)


def header_functions():
    names = set()
    with open(HEADER, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^[a-z_].*[ *](lp_[a-z0-9_]*)\(", line)
            if m:
                names.add(m.group(1))
    return names


def test_tree(stage):
    for f in FILES:
        check("installed " + f, os.path.isfile(os.path.join(stage, f)),
              "missing after make install")
    for link, target in LINKS.items():
        path = os.path.join(stage, link)
        check("symlink " + link, os.path.islink(path) and
              os.readlink(path) == target,
              os.readlink(path) if os.path.islink(path) else "not a link")
    binary = os.path.join(stage, "usr/bin/letterpress")
    check("program executable", os.access(binary, os.X_OK))
    shlib = os.path.join(stage, "usr/lib/libletterpress.so.0.1.0")
    d = run(["readelf", "-d", shlib]).text
    check("soname", "Library soname: [libletterpress.so.0]" in d, short(d))
    # The program carries the library; GMime and libcurl come with the mail
    # module it opens for --eml and --smtp.
    d = run(["readelf", "-d", binary]).text
    check("program needs neither the shared library nor GMime",
          "Shared library:" in d and "libletterpress" not in d and
          "gmime" not in d and "curl" not in d, short(d))
    d = run(["readelf", "-d", os.path.join(
        stage, "usr/lib/letterpress/letterpress-mail.so")]).text
    check("mail module needs GMime and libcurl",
          "libgmime" in d and "libcurl" in d, short(d))
    # qpdf is opened when something is signed, never linked.
    d = run(["readelf", "-d", shlib]).text
    check("library does not link qpdf", "libqpdf" not in d, short(d))
    syms = set(run(["nm", "-D", "--defined-only", "--format=just-symbols",
                    shlib]).text.split())
    wanted = header_functions()
    check("exports the header's functions", wanted <= syms,
          sorted(wanted - syms))
    check("exports nothing else", syms <= wanted, sorted(syms - wanted)[:10])
    with open(os.path.join(stage, "usr/include/letterpress.h"), "rb") as a, \
            open(HEADER, "rb") as b:
        check("installed header", a.read() == b.read())
    with open(os.path.join(stage, "usr/lib/pkgconfig/letterpress.pc"),
              encoding="utf-8") as f:
        pc = f.read()
    check("pc prefix", "prefix=/usr\n" in pc, short(pc))
    check("pc version", re.search(r"^Version: 0\.1\.0$", pc, re.M), short(pc))
    check("pc does not name qpdf (opened at run time)", "qpdf" not in pc,
          short(pc))
    for dep in ("harfbuzz", "harfbuzz-subset", "freetype2", "fontconfig",
                "icu-uc", "libcmark-gfm", "yaml-0.1", "jansson", "libcrypto",
                "libpng", "libdeflate"):
        check("pc requires " + dep,
              re.search(r"^Requires\.private:.*(^|\s)%s(\s|$)" % re.escape(dep),
                        pc, re.M), short(pc))
    for lib in ("-lcmark-gfm-extensions", "-lhpdf", "-lcsv", "-lhyphen", "-lz",
                "-lm"):
        check("pc libs.private " + lib,
              re.search(r"^Libs\.private:.*%s(\s|$)" % re.escape(lib), pc,
                        re.M), short(pc))


def test_man(stage):
    env = clean_env(MANWIDTH="80", LC_ALL="C.UTF-8")
    for page, words in (
            ("man1/letterpress.1",
             ["NAME", "SYNOPSIS", "EXIT STATUS", "ENVIRONMENT",
              "TEMPLATE SYNTAX", "render", "merge", "sign", "fields",
              "fonts", "--blanks", "--combined", "--pass", "--lang",
              "SOURCE_DATE_EPOCH", "LETTERPRESS_FONTCONFIG", "{{#name}}"]),
            ("man3/letterpress.3",
             ["NAME", "SYNOPSIS", "THREAD SAFETY", "OWNERSHIP",
              "pkg-config"] + sorted(header_functions()))):
        path = os.path.join(stage, "usr/share/man", page)
        r = sh(["man", "--warnings", "-l", path], env)
        check("man " + page, r.code == 0 and r.err == "", short(r.err))
        text = re.sub(r".\x08", "", r.text)
        missing = [w for w in words if w not in text]
        check("man %s mentions everything" % page, not missing, missing)
        r = sh(["groff", "-man", "-ww", "-z", path], env)
        check("groff " + page, r.code == 0 and r.err == "", short(r.err))


def test_example(tmp, stage):
    pc_env = clean_env(
        PKG_CONFIG_PATH=os.path.join(stage, "usr/lib/pkgconfig"),
        PKG_CONFIG_SYSROOT_DIR=stage)
    r = sh(["pkg-config", "--cflags", "--libs", "letterpress"], pc_env)
    flags = r.text.split()
    check("pkg-config letterpress", r.code == 0 and
          "-I" + stage + "/usr/include" in flags and
          "-L" + stage + "/usr/lib" in flags and "-lletterpress" in flags,
          short(r.text + r.err))
    fonts_conf = sh(["pkg-config", "--variable=fontsconf", "letterpress"],
                    pc_env).text.strip()
    check("pkg-config fontsconf", fonts_conf ==
          os.path.join(stage, "usr/share/letterpress/fonts.conf"), fonts_conf)
    static = sh(["pkg-config", "--static", "--libs", "letterpress"],
                pc_env).text.split()

    exe = os.path.join(tmp, "render_from_memory")
    r = sh(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", EXAMPLE, "-o",
            exe] + flags, pc_env)
    check("example builds against the shared library", r.code == 0,
          short(r.err))
    run_env = clean_env(LD_LIBRARY_PATH=os.path.join(stage, "usr/lib"))
    pdf = os.path.join(tmp, "example.pdf")
    r = sh([exe, pdf, fonts_conf], run_env)
    check("example runs", r.code == 0 and "bytes of PDF" in r.text,
          short(r.text + r.err))
    data = open(pdf, "rb").read() if os.path.exists(pdf) else b""
    check("example PDF", data.startswith(b"%PDF-"), data[:20])
    text = e2e.nows(e2e.poppler_text(pdf)) if data else ""
    check("example PDF text", "DearMsAdaLovelace" in text and
          "Analyticalengine" in text and "OrderA-1042" in text, short(text))
    e2e.check_qpdf("example PDF", pdf)
    r = sh([exe], clean_env())
    check("example needs the library path", r.code != 0)

    exe_static = exe + "-static"
    static = ["-l:libletterpress.a" if f == "-lletterpress" else f
              for f in static]
    cflags = sh(["pkg-config", "--cflags", "letterpress"], pc_env).text
    r = sh(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", EXAMPLE, "-o",
            exe_static] + cflags.split() + static, pc_env)
    check("example links statically with pkg-config --static", r.code == 0,
          short(r.err))
    r = sh([exe_static], clean_env())
    check("static example runs", r.code == 0 and "bytes of PDF" in r.text,
          short(r.text + r.err))
    d = run(["readelf", "-d", exe_static]).text
    check("static example has no libletterpress.so", "libletterpress" not in d)


def test_program(tmp, stage):
    binary = os.path.join(stage, "usr/bin/letterpress")
    env = clean_env(LD_LIBRARY_PATH=os.path.join(stage, "usr/lib"),
                    SOURCE_DATE_EPOCH=EPOCH)
    r = sh([binary, "--version"], env)
    check("staged --version", r.code == 0 and r.text.strip() ==
          "letterpress 0.1.0", short(r.text + r.err))
    tpl = os.path.join(e2e.TEMPLATES, "english-letter.md")
    data = os.path.join(e2e.TEMPLATES, "english-letter.json")
    out = os.path.join(tmp, "staged.pdf")
    r = sh([binary, "render", tpl, "-d", data, "-o", out], env)
    check("staged render", r.code == 0 and os.path.exists(out), short(r.err))
    if os.path.exists(out):
        e2e.check_pdf_file("staged render", out)
        # The same bytes as the program of the build tree, which reads
        # fonts/fonts.conf: the installed copy gives the same fonts.
        ref = os.path.join(tmp, "tree.pdf")
        r = sh([e2e.LP, "render", tpl, "-d", data, "-o", ref],
               clean_env(SOURCE_DATE_EPOCH=EPOCH,
                         LETTERPRESS_FONTCONFIG=os.path.join(
                             ROOT, "fonts", "fonts.conf")))
        check("staged render = tree render", r.code == 0 and
              open(out, "rb").read() == open(ref, "rb").read(), short(r.err))
    # It reads PREFIX/share/letterpress/fonts.conf: a broken one is an
    # error that names it.
    conf = os.path.join(stage, "usr/share/letterpress/fonts.conf")
    saved = open(conf, "rb").read()
    with open(conf, "wb") as f:
        f.write(b"<fontconfig><broken")
    r = sh([binary, "fonts"], env)
    with open(conf, "wb") as f:
        f.write(saved)
    check("staged program reads share/letterpress/fonts.conf",
          r.code == 1 and conf in r.err, short(r.err))
    # Mail through the installed module (its place is PREFIX/lib/letterpress:
    # in the stage, told by LETTERPRESS_MAIL_MODULE); without it, an error
    # that names the place the program looked.
    rec = os.path.join(tmp, "mail.json")
    with open(rec, "w", encoding="utf-8") as f:
        f.write('{"id": "m1"}')
    plain = os.path.join(tmp, "plain.md")
    with open(plain, "w", encoding="utf-8") as f:
        f.write("# Letter\n\nHello.\n")
    args = [binary, "merge", plain, "-d", rec, "-o",
            os.path.join(tmp, "mail", "{{id}}.pdf"), "--eml",
            os.path.join(tmp, "mail", "{{id}}.eml"), "--from", "a@example.com",
            "--to", "b@example.com", "--subject", "Hi"]
    r = sh(args, env)
    check("staged --eml looks for the module under PREFIX/lib/letterpress",
          r.code == 1 and "/usr/lib/letterpress/letterpress-mail.so" in r.err,
          short(r.err))
    env_mail = dict(env, LETTERPRESS_MAIL_MODULE=os.path.join(
        stage, "usr/lib/letterpress/letterpress-mail.so"))
    r = sh(args, env_mail)
    check("staged --eml through the installed module", r.code == 0 and
          os.path.exists(os.path.join(tmp, "mail", "m1.eml")), short(r.err))


COMPLETION_SCRIPT = r'''
source "$1"
t() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _letterpress;
      printf '%s|' "${COMPREPLY[@]}"; echo; }
t letterpress ''
t letterpress re
t letterpress render ''
t letterpress render letter.md --bl
t letterpress render letter.md -d ''
t letterpress sign ''
t letterpress merge letter.md --format ''
t letterpress render letter.md --sign-ce
t letterpress sign in.pdf --pass ''
t letterpress fonts --lang j
complete -p letterpress
'''


def test_completion(tmp, stage):
    work = os.path.join(tmp, "completion")
    os.makedirs(os.path.join(work, "drafts"))
    for name in ("letter.md", "data.json", "people.csv", "in.pdf",
                 "notes.txt", "with space.md"):
        open(os.path.join(work, name), "w").close()
    script = os.path.join(stage, "usr/share/bash-completion/completions",
                          "letterpress")
    r = sh(["bash", "--norc", "--noprofile", "-c", COMPLETION_SCRIPT, "bash",
            script], clean_env(), cwd=work)
    lines = r.text.split("\n")
    check("completion runs", r.code == 0 and r.err == "" and len(lines) >= 11,
          short(r.text + r.err))
    if len(lines) < 11:
        return

    def words(i):
        return sorted(w for w in lines[i].split("|") if w)
    check("complete commands", words(0) == sorted(
        ["render", "merge", "manifest-check", "sign", "timestamp", "fields", "fonts", "--help",
         "--version"]), words(0))
    check("complete a command prefix", words(1) == ["render"], words(1))
    check("complete templates", words(2) == ["drafts", "letter.md",
                                             "with space.md"], words(2))
    check("complete render options", words(3) == ["--blanks"], words(3))
    check("complete data files", words(4) == ["data.json", "drafts",
                                              "people.csv"], words(4))
    check("complete PDFs to sign", words(5) == ["drafts", "in.pdf"], words(5))
    check("complete formats", words(6) == ["csv", "json", "jsonl", "tsv"], words(6))
    check("complete --sign- options", words(7) == ["--sign-cert"], words(7))
    check("complete passphrase sources", words(8) == ["env:", "file:"],
          words(8))
    check("complete languages", words(9) == ["ja"], words(9))
    check("completion registered", "-F _letterpress letterpress" in lines[10],
          lines[10])


def main():
    with tempfile.TemporaryDirectory() as tmp:
        stage = os.path.join(tmp, "stage")
        r = make("install", stage, clean_env())
        check("make install", r.code == 0, short(r.err, 2000))
        if r.code == 0:
            test_tree(stage)
            test_man(stage)
            test_example(tmp, stage)
            test_program(tmp, stage)
            test_completion(tmp, stage)
        r = make("uninstall", stage, clean_env())
        check("make uninstall", r.code == 0, short(r.err))
        left = []
        for d, _, files in os.walk(stage):
            left += [os.path.join(d, f) for f in files]
        left += [d for d, _, _ in os.walk(stage)
                 if d.endswith("share/letterpress")]
        check("uninstall leaves nothing", not left, left)
    e2e.finish()


if __name__ == "__main__":
    main()
