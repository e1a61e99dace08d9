#!/usr/bin/env python3
"""Merged letters as email: .eml files read back with Python's email
package, and sending through a real SMTP server on 127.0.0.1 (aiosmtpd):
one message per record, resume without sending twice, retry after 451, a
550 recorded as a failure while the batch goes on, header injection refused.

Uses the harness of tests/e2e.py; prints "N passed, N failed" last.
"""
import email
import email.policy
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import check, lp, run, short  # noqa: E402

try:
    from aiosmtpd.controller import Controller
except ImportError:  # Debian's python3-aiosmtpd, seen from another python3
    sys.path.append("/usr/lib/python3/dist-packages")
    from aiosmtpd.controller import Controller

EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}
TEMPLATE = "---\nlang: ja\n---\n# {{name}} 様\n\nご契約書をお送りします。\n"
BODY = "{{name}} 様\n\nいつも**お世話に**なっております。契約番号：{{id}}\n"
FROM = "ミライテック株式会社 <letters@example.com>"
SUBJECT = "ご契約書の送付 — {{name}} 様"


class Server:
    """An SMTP server that keeps what it accepts; some addresses get 550
    at RCPT, some 451 at DATA a given number of times first."""

    def __init__(self):
        self.messages = []
        self.refuse = set()
        self.tempfail = {}
        self.attempts = {}
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address in self.refuse:
            return "550 5.1.1 <%s>: no such user" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for a in envelope.rcpt_tos:
            self.attempts[a] = self.attempts.get(a, 0) + 1
            if self.tempfail.get(a, 0) > 0:
                self.tempfail[a] -= 1
                return "451 4.3.0 try again later"
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                              envelope.content))
        return "250 2.0.0 queued"

    def url(self):
        return "smtp://127.0.0.1:%d" % self.port

    def stop(self):
        self.controller.stop()


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def jsonl(path, records):
    write(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


def merge(tmp, data, out, *extra, env=EPOCH):
    tpl = os.path.join(tmp, "letter.md")
    body = os.path.join(tmp, "body.md")
    return lp("merge", tpl, "-d", data, "-o", os.path.join(out, "{{name}}.pdf"),
              "--eml", os.path.join(out, "{{id}}.eml"), "--from", FROM,
              "--to", "{{name}} <{{email}}>", "--subject", SUBJECT,
              "--body", body, "--keep-going", *extra, env=env)


def read_log(path):
    import csv
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def check_emls(tmp):
    records = [
        {"id": "A1", "name": "山田 太郎", "email": "yamada@example.jp"},
        {"id": "A2", "name": "王小明", "email": "wang@example.cn"},
        {"id": "A3", "name": "Ann Lee", "email": "ann@example.com"},
        {"id": "X1", "name": "Eve", "email": "eve@example.com\r\nBcc: victim@example.com"},
        {"id": "X2", "name": "Mallory\nBcc: victim@example.com", "email": "m@example.com"},
        {"id": "X3", "name": "Nobody", "email": "not an address"},
        {"id": "X4", "name": "victim@example.org,", "email": "v@example.com"},
    ]
    data = os.path.join(tmp, "people.jsonl")
    jsonl(data, records)
    out = os.path.join(tmp, "eml")
    r = merge(tmp, data, out, "-j", "2")
    check("mail: a merge with bad records exits 2", r.code == 2, r.err)
    check("mail: a line break in an address is refused",
          "line break" in r.err and "record 4" in r.err, r.err)
    check("mail: a line break in a subject value is refused",
          "record 5" in r.err, r.err)
    check("mail: a bare word is not an address",
          "record 6" in r.err and "email address" in r.err, r.err)
    check("mail: a comma in a display name is no error",
          "record 7" not in r.err, r.err)
    x4 = os.path.join(out, "X4.eml")
    if os.path.exists(x4):
        msg = email.message_from_bytes(open(x4, "rb").read(),
                                       policy=email.policy.default)
        to = msg["to"].addresses
        check("mail: a comma in a display name cannot add a recipient",
              len(to) == 1 and to[0].addr_spec == "v@example.com" and
              to[0].display_name == "victim@example.org,", msg["to"])
    emls = sorted(f for f in os.listdir(out) if f.endswith(".eml"))
    check("mail: one .eml per good record, none for the bad ones",
          emls == ["A1.eml", "A2.eml", "A3.eml", "X4.eml"], emls)
    for rec in records[:3]:
        path = os.path.join(out, rec["id"] + ".eml")
        if not os.path.exists(path):
            continue
        raw = open(path, "rb").read()
        head = raw.split(b"\r\n\r\n", 1)[0]
        check("mail %s: headers are ASCII with CRLF line ends" % rec["id"],
              all(b < 128 for b in head) and b"\r\n" in head and
              b"\n" not in head.replace(b"\r\n", b""), head[:200])
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        want = "ご契約書の送付 — %s 様" % rec["name"]
        check("mail %s: subject decodes" % rec["id"], msg["subject"] == want,
              msg["subject"])
        frm = msg["from"].addresses
        check("mail %s: From name and address" % rec["id"],
              len(frm) == 1 and frm[0].display_name == "ミライテック株式会社" and
              frm[0].addr_spec == "letters@example.com", msg["from"])
        to = msg["to"].addresses
        check("mail %s: To name and address" % rec["id"],
              len(to) == 1 and to[0].display_name == rec["name"] and
              to[0].addr_spec == rec["email"], msg["to"])
        check("mail %s: Date, Message-ID, MIME-Version" % rec["id"],
              msg["date"] is not None and msg["date"].datetime.timestamp() == 1700000000
              and msg["message-id"].endswith("@example.com>") and
              msg["mime-version"] == "1.0", (msg["date"], msg["message-id"]))
        check("mail %s: multipart/mixed" % rec["id"],
              msg.get_content_type() == "multipart/mixed", msg.get_content_type())
        plain = msg.get_body(("plain",))
        html = msg.get_body(("html",))
        check("mail %s: text/plain body filled from the record" % rec["id"],
              plain is not None and rec["name"] in plain.get_content() and
              rec["id"] in plain.get_content(), plain and plain.get_content())
        check("mail %s: text/html alternative with the Markdown rendered" % rec["id"],
              html is not None and "<strong>お世話に</strong>" in html.get_content(),
              html and html.get_content())
        atts = list(msg.iter_attachments())
        pdf = os.path.join(out, rec["name"] + ".pdf")
        check("mail %s: the PDF attached under its own (decoded) name" % rec["id"],
              len(atts) == 1 and atts[0].get_filename() == rec["name"] + ".pdf" and
              atts[0].get_content_type() == "application/pdf",
              [(a.get_filename(), a.get_content_type()) for a in atts])
        check("mail %s: attachment bytes are the PDF's" % rec["id"],
              len(atts) == 1 and atts[0].get_content() == open(pdf, "rb").read())
    # The same input gives the same bytes (SOURCE_DATE_EPOCH).
    again = os.path.join(tmp, "eml2")
    merge(tmp, data, again, "-j", "1")
    same = all(open(os.path.join(out, f), "rb").read() ==
               open(os.path.join(again, f), "rb").read() for f in emls)
    check("mail: the same input gives the same .eml bytes", same)
    # Option errors.
    r = lp("merge", os.path.join(tmp, "letter.md"), "-d", data, "-o",
           os.path.join(tmp, "o", "{{id}}.pdf"), "--eml", "x/{{id}}.eml")
    check("mail: --eml without --from/--to/--subject is a usage error",
          r.code == 2 and "--from" in r.err, r.err)
    r = merge(tmp, data, os.path.join(tmp, "o2"), "--smtp", "smtp://127.0.0.1:1")
    check("mail: --smtp without --log is a usage error",
          r.code == 2 and "--log" in r.err, r.err)
    log = os.path.join(tmp, "nobody.csv")
    r = merge(tmp, data, os.path.join(tmp, "o3"), "--smtp", "smtp://127.0.0.1:1",
              "--log", log, "--retries", "0")
    check("mail: an unreachable server stops the sending after one record",
          "cannot be reached" in r.err and "1 failed" in r.err and
          [row["status"] for row in read_log(log)] == ["sending", "failed"],
          r.err)


def check_smtp(tmp):
    server = Server()
    try:
        people = [{"id": "B%d" % i, "name": "顧客%d" % i,
                   "email": "c%d@example.jp" % i} for i in range(1, 9)]
        data = os.path.join(tmp, "eight.jsonl")
        jsonl(data, people)
        out = os.path.join(tmp, "smtp")
        log = os.path.join(tmp, "results.csv")
        args = ["--smtp", server.url(), "--log", log]

        # Dry run: nothing goes out, nothing is logged.
        r = merge(tmp, data, out, "--smtp", server.url(), "--dry-run")
        check("smtp: --dry-run lists every message", r.code == 0 and
              r.text.count("record ") == 8 and "c3@example.jp" in r.text, r.err)
        check("smtp: --dry-run sends nothing", not server.messages and
              not os.path.exists(log), len(server.messages))

        # Interrupted (SIGTERM while rate-limited), then resumed.
        tpl = os.path.join(tmp, "letter.md")
        cmd = [e2e.LP, "merge", tpl, "-d", data, "-o",
               os.path.join(out, "{{name}}.pdf"), "--eml",
               os.path.join(out, "{{id}}.eml"), "--from", FROM, "--to",
               "{{email}}", "--subject", SUBJECT, "--body",
               os.path.join(tmp, "body.md"), "--rate", "4/s"] + args
        env = dict(os.environ, **EPOCH)
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=env)
        deadline = time.time() + 60
        while len(server.messages) < 2 and time.time() < deadline:
            time.sleep(0.02)
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=60)
        first = len(server.messages)
        check("smtp: an interrupted run stops early and says so",
              p.returncode == 1 and 2 <= first < 8 and b"stopped" in err,
              (p.returncode, first, err.decode(errors="replace")))
        r = merge(tmp, data, out, "--to", "{{email}}", *args)
        rcpts = sorted(m[1][0] for m in server.messages)
        check("smtp: the resumed run sends the rest",
              r.code == 0 and ("%d already sent" % first) in r.err, r.err)
        check("smtp: exactly one message per record after the resume",
              rcpts == sorted(p_["email"] for p_ in people), rcpts)
        r = merge(tmp, data, out, "--to", "{{email}}", *args)
        check("smtp: a third run sends nothing",
              len(server.messages) == 8 and "8 already sent" in r.err, r.err)
        got = email.message_from_bytes(server.messages[0][2],
                                       policy=email.policy.default)
        check("smtp: the server got the message with its subject and envelope",
              got["subject"].startswith("ご契約書の送付") and
              server.messages[0][0] == "letters@example.com", got["subject"])
        rows = read_log(log)
        sent = [row for row in rows if row["status"] == "sent"]
        check("smtp: the log has one 'sent' line per record with the reply",
              len(sent) == 8 and all("250" in row["reply"] for row in sent) and
              len({row["record"] for row in sent}) == 8, rows[:3])

        # 451, then 250: a retry; 550: a failure, and the batch goes on.
        server.messages.clear()
        server.tempfail["retry@example.jp"] = 1
        server.refuse.add("nobody@example.jp")
        mixed = [{"id": "R1", "name": "再送", "email": "retry@example.jp"},
                 {"id": "R2", "name": "不在", "email": "nobody@example.jp"},
                 {"id": "R3", "name": "最後", "email": "last@example.jp"}]
        data2 = os.path.join(tmp, "mixed.jsonl")
        jsonl(data2, mixed)
        log2 = os.path.join(tmp, "results2.csv")
        r = merge(tmp, data2, os.path.join(tmp, "smtp2"), "--smtp", server.url(),
                  "--log", log2)
        rcpts = [m[1][0] for m in server.messages]
        check("smtp: 451 then 250 is retried and delivered once",
              server.attempts.get("retry@example.jp") == 2 and
              rcpts.count("retry@example.jp") == 1, (server.attempts, rcpts))
        check("smtp: after a 550 the batch goes on",
              "last@example.jp" in rcpts and "nobody@example.jp" not in rcpts, rcpts)
        rows = read_log(log2)
        failed = [row for row in rows if row["status"] == "failed"]
        check("smtp: the 550 is logged as a failure with the server's reply",
              len(failed) == 1 and failed[0]["record"] == "2" and
              "550" in failed[0]["reply"] and failed[0]["to"] == "nobody@example.jp",
              rows)
        check("smtp: a failed send exits 1 and names the record",
              r.code == 1 and "record 2" in r.err and "550" in r.err, r.err)

        # A run killed mid-message leaves "sending" last: held, never resent.
        server.messages.clear()
        held = [{"id": "H1", "name": "保留", "email": "held@example.jp"},
                {"id": "H2", "name": "次", "email": "next@example.jp"}]
        data3 = os.path.join(tmp, "held.jsonl")
        jsonl(data3, held)
        out3 = os.path.join(tmp, "smtp3")
        log3 = os.path.join(tmp, "results3.csv")
        write(log3, 'record,file,to,status,reply\n1,"%s","held@example.jp",sending,""\n'
              % os.path.join(out3, "H1.eml"))
        r = merge(tmp, data3, out3, "--smtp", server.url(), "--log", log3)
        rcpts = [m[1][0] for m in server.messages]
        check("smtp: a record left 'sending' by a killed run is held, not resent",
              rcpts == ["next@example.jp"] and r.code == 1 and "1 held" in r.err,
              (rcpts, r.err))
    finally:
        server.stop()


def header_block(raw):
    """The header lines of a message, unfolded."""
    return raw.split(b"\r\n\r\n", 1)[0].replace(b"\r\n\t", b" ").replace(
        b"\r\n ", b" ")


def check_display_names(tmp):
    """A display name with specials is quoted (RFC 5322 quoted-string,
    RFC 2047 when not ASCII), not refused; the address part still is."""
    records = [
        {"id": "N1", "name": "Wang, Fang", "email": "fang@example.cn"},
        {"id": "N2", "name": 'O"Neil', "email": "oneil@example.ie"},
        {"id": "N3", "name": "Acme (HK)", "email": "hk@example.hk"},
        {"id": "N4", "name": "王, 小明 (深圳)", "email": "xm@example.cn"},
        {"id": "N5", "name": "Back\\slash", "email": "bs@example.com"},
        {"id": "N6", "name": "Eve", "email": "eve@example.com, victim@example.org"},
        {"id": "N7", "name": "Eve", "email": "eve @example.com"},
    ]
    data = os.path.join(tmp, "names.jsonl")
    jsonl(data, records)
    out = os.path.join(tmp, "names")
    r = merge(tmp, data, out, "--from", "Acme (HK) <letters@acme.hk>")
    for i, rec in enumerate(records[:5]):
        path = os.path.join(out, rec["id"] + ".eml")
        check("names %s: %r is no error" % (rec["id"], rec["name"]),
              os.path.exists(path) and ("record %d " % (i + 1)) not in r.err,
              short(r.err))
        if not os.path.exists(path):
            continue
        raw = open(path, "rb").read()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        frm = msg["from"].addresses
        check("names %s: a parenthesis in --from's own text is the name's" %
              rec["id"], len(frm) == 1 and frm[0].display_name == "Acme (HK)" and
              b'From: "Acme (HK)" <letters@acme.hk>' in header_block(raw),
              msg["from"])
        got = msg["to"].addresses
        check("names %s: To is one mailbox with the name as given" % rec["id"],
              len(got) == 1 and got[0].display_name == rec["name"] and
              got[0].addr_spec == rec["email"], msg["to"])
        head = header_block(raw)
        if rec["name"].isascii():
            quoted = '"%s"' % rec["name"].replace("\\", "\\\\").replace('"', '\\"')
            check("names %s: quoted-string with escapes" % rec["id"],
                  ("To: %s <%s>" % (quoted, rec["email"])).encode() in head,
                  head[:300])
        else:
            check("names %s: non-ASCII name as RFC 2047 encoded-words" % rec["id"],
                  b"To: =?" in head and all(b < 128 for b in head), head[:300])
    check("names: a comma in the address part would add a recipient: refused",
          "record 6" in r.err and "would change the addresses" in r.err, r.err)
    check("names: a space in the address part is refused",
          "record 7" in r.err and not os.path.exists(os.path.join(out, "N7.eml")),
          r.err)


def check_summary(tmp):
    """Letters and messages are counted apart: a record whose message fails
    still has its PDF, and the summary says so."""
    records = [{"id": "S1", "name": "One", "email": "not an address"},
               {"id": "S2", "name": "Two", "email": "also not"}]
    data = os.path.join(tmp, "summary.jsonl")
    jsonl(data, records)
    out = os.path.join(tmp, "summary")
    r = merge(tmp, data, out)
    pdfs = sorted(f for f in os.listdir(out) if f.endswith(".pdf"))
    check("summary: both PDFs are written though both messages fail",
          pdfs == ["One.pdf", "Two.pdf"] and r.code == 2, (pdfs, r.code))
    check("summary: never '0 of 2 letters written' when both PDFs are there",
          "0 of 2 letters" not in r.err and "2 of 2 letters written" in r.err,
          r.err)
    check("summary: messages are counted apart",
          "0 of 2 messages made" in r.err and "2 failed" in r.err, r.err)
    log = os.path.join(tmp, "summary.csv")
    r = merge(tmp, data, os.path.join(tmp, "summary2"), "--smtp",
              "smtp://127.0.0.1:1", "--log", log)
    check("summary: with --smtp, '2 letters written, 0 of 2 messages sent'",
          "2 of 2 letters written" in r.err and
          "send: 0 of 2 messages sent, 2 not made" in r.err, r.err)


def check_resend_keeps_archive(tmp, server):
    """A re-run after a partial send leaves the .eml of every message
    already sent as it was: the archive is what went out."""
    server.messages.clear()
    server.refuse.add("later@example.jp")
    people = [{"id": "K1", "name": "送信済", "email": "first@example.jp"},
              {"id": "K2", "name": "後で", "email": "later@example.jp"}]
    data = os.path.join(tmp, "keep.jsonl")
    jsonl(data, people)
    out = os.path.join(tmp, "keep")
    log = os.path.join(tmp, "keep.csv")
    args = ["--smtp", server.url(), "--log", log]
    r = merge(tmp, data, out, *args)
    k1 = os.path.join(out, "K1.eml")
    k2 = os.path.join(out, "K2.eml")
    first = open(k1, "rb").read() if os.path.exists(k1) else b""
    check("keep: the first run sends one message and fails the other",
          r.code == 1 and len(server.messages) == 1 and first, r.err)
    sent_id = email.message_from_bytes(server.messages[0][2])["message-id"] \
        if server.messages else None
    server.refuse.discard("later@example.jp")
    # An hour later: without the fix, K1.eml got a new Date and Message-ID.
    r = merge(tmp, data, out, *args, env={"SOURCE_DATE_EPOCH": "1700003600"})
    check("keep: the re-run sends the other one",
          r.code == 0 and "1 already sent" in r.err and
          len(server.messages) == 2, r.err)
    again = open(k1, "rb").read() if os.path.exists(k1) else b""
    check("keep: the .eml of the message already sent is left as it was",
          again == first, header_block(again)[:200])
    check("keep: its Message-ID is the one the server got",
          email.message_from_bytes(again)["message-id"] == sent_id, sent_id)
    if len(server.messages) == 2 and os.path.exists(k2):
        got = email.message_from_bytes(server.messages[1][2])
        mine = email.message_from_bytes(open(k2, "rb").read())
        check("keep: the message sent now is archived as sent",
              got["message-id"] == mine["message-id"] and
              ".1700003600." in mine["message-id"], mine["message-id"])
    server.messages.clear()


def check_bcc_attach(tmp, server):
    """--bcc (envelope only), --reply-to, --attach FILE (repeatable, filled
    per record, non-ASCII names also as RFC 2047 name=)."""
    server.messages.clear()
    people = [{"id": "T1", "name": "田中", "email": "tanaka@example.jp",
               "boss": "部長 <boss@example.jp>"},
              {"id": "T2", "name": "Lee", "email": "lee@example.com",
               "boss": "boss2@example.com"}]
    data = os.path.join(tmp, "attach.jsonl")
    jsonl(data, people)
    att = os.path.join(tmp, "att")
    os.makedirs(att, exist_ok=True)
    for p_ in people:
        write(os.path.join(att, "%s.txt" % p_["id"]), "contract of %s\n" % p_["id"])
    common = os.path.join(att, "利用規約.pdf")
    with open(common, "wb") as f:
        f.write(b"%PDF-1.4 not really\n")
    out = os.path.join(tmp, "attach")
    log = os.path.join(tmp, "attach.csv")
    r = merge(tmp, data, out, "--bcc", "{{boss}}",
              "--reply-to", "Office, {{name}} <office@example.com>",
              "--attach", os.path.join(att, "{{id}}.txt"),
              "--attach", common, "--smtp", server.url(), "--log", log)
    check("attach: the merge sends both", r.code == 0 and
          len(server.messages) == 2, r.err)
    by_rcpt = {tuple(sorted(m[1])): m for m in server.messages}
    check("attach: --bcc is in the envelope",
          ("boss@example.jp", "tanaka@example.jp") in by_rcpt and
          ("boss2@example.com", "lee@example.com") in by_rcpt, list(by_rcpt))
    for m in server.messages:
        check("attach: no Bcc header goes out",
              b"\nbcc:" not in m[2].lower() and b"boss" not in m[2].lower(),
              header_block(m[2])[:300])
    rows = [row for row in (read_log(log) if os.path.exists(log) else [])
            if row["status"] == "sent"]
    check("attach: the log lists the Bcc recipients",
          sorted(row["to"] for row in rows) ==
          ["lee@example.com,boss2@example.com",
           "tanaka@example.jp,boss@example.jp"], rows)
    for p_ in people:
        path = os.path.join(out, p_["id"] + ".eml")
        raw = open(path, "rb").read() if os.path.exists(path) else b""
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        check("attach %s: the .eml has no Bcc" % p_["id"],
              raw and msg["bcc"] is None and b"boss" not in raw.lower())
        reply = msg["reply-to"].addresses if raw and msg["reply-to"] else ()
        check("attach %s: Reply-To filled per record" % p_["id"],
              len(reply) == 1 and reply[0].addr_spec == "office@example.com" and
              reply[0].display_name == "Office, " + p_["name"], msg["reply-to"])
        atts = list(msg.iter_attachments()) if raw else []
        names = [a.get_filename() for a in atts]
        check("attach %s: the letter, then the files in order" % p_["id"],
              names == [p_["name"] + ".pdf", p_["id"] + ".txt", "利用規約.pdf"],
              names)
        if len(atts) == 3:
            check("attach %s: the record's own file, as text/plain" % p_["id"],
                  atts[1].get_content() == "contract of %s\n" % p_["id"] and
                  atts[1].get_content_type() == "text/plain",
                  atts[1].get_content_type())
            part = atts[2]
            ctype = part.get("content-type", "")
            check("attach %s: RFC 2047 name= next to RFC 2231 filename*=" % p_["id"],
                  part.get_content_type() == "application/pdf" and
                  b'name="=?UTF-8?' in raw and b"filename*=UTF-8''" in raw and
                  part.get_content() == b"%PDF-1.4 not really\n", ctype)
    # A missing file fails its record, by name; the other goes on.
    os.remove(os.path.join(att, "T2.txt"))
    out2 = os.path.join(tmp, "attach2")
    r = merge(tmp, data, out2, "--attach", os.path.join(att, "{{id}}.txt"))
    check("attach: a missing file fails that record and names the file",
          r.code == 2 and "record 2" in r.err and
          os.path.join(att, "T2.txt") in r.err and "record 1 " not in r.err,
          r.err)
    check("attach: the other record's message is made",
          os.path.exists(os.path.join(out2, "T1.eml")) and
          not os.path.exists(os.path.join(out2, "T2.eml")))
    r = merge(tmp, data, os.path.join(tmp, "attach3"), "--bcc", "not an address")
    check("attach: a bad --bcc fails the record",
          r.code == 2 and "--bcc" in r.err, r.err)
    server.messages.clear()


def check_module(tmp):
    """The program opens the mail code only when asked for mail."""
    d = run(["readelf", "-d", e2e.LP]).text
    check("module: the program does not link GMime or libcurl",
          "Shared library:" in d and "gmime" not in d and "curl" not in d,
          short(d))
    data = os.path.join(tmp, "module.jsonl")
    jsonl(data, [{"id": "M1", "name": "Ming", "email": "ming@example.com"}])
    out = os.path.join(tmp, "module-out")
    env = dict(EPOCH, LETTERPRESS_MAIL_MODULE=os.path.join(tmp, "no-such.so"))
    r = merge(tmp, data, out, env=env)
    check("module: a missing mail module is an error that names it",
          r.code == 1 and "no-such.so" in r.err and
          "cannot load the mail module" in r.err, short(r.err))
    check("module: nothing is written without it",
          not os.path.exists(out) or not os.listdir(out),
          os.listdir(out) if os.path.exists(out) else "")
    r = lp("render", os.path.join(tmp, "letter.md"), "--blanks", "-o",
           os.path.join(tmp, "module.pdf"), env=env)
    check("module: rendering never needs it", r.code == 0, short(r.err))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        write(os.path.join(tmp, "letter.md"), TEMPLATE)
        write(os.path.join(tmp, "body.md"), BODY)
        check_emls(tmp)
        check_smtp(tmp)
        check_display_names(tmp)
        check_summary(tmp)
        server = Server()
        try:
            check_resend_keeps_archive(tmp, server)
            check_bcc_attach(tmp, server)
        finally:
            server.stop()
        check_module(tmp)
    e2e.finish()


if __name__ == "__main__":
    main()
