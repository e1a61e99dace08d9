#!/usr/bin/env python3
"""Merges split across the tasks of a scheduler's array.

--shard auto takes the task's index from SLURM_ARRAY_TASK_ID,
JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX (from 0) and the count
from /N or the array; the shards of a batch make every letter exactly once.
--manifest records what a shard did (JSON Lines) and `letterpress
manifest-check` proves a batch complete, naming what is missing or doubled.
Output names may hold directories from the data, never outside DIR.

Uses the harness of tests/e2e.py; prints "N passed, N failed" last.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import EPOCH, LP, check, short  # noqa: E402

SCHEDULER_VARS = ("SLURM_", "JOB_COMPLETION_INDEX", "AWS_BATCH_")

TEMPLATE = "# Letter {{id}}\n\nDear {{name}}, region {{region}}.\n"


class R:
    def __init__(self, p):
        self.code = p.returncode
        self.out = p.stdout.decode("utf-8", "replace")
        self.err = p.stderr.decode("utf-8", "replace")


def lpx(*args, env=None, cwd=None):
    """Runs letterpress with no scheduler variable but those in env."""
    e = {k: v for k, v in os.environ.items()
         if not k.startswith(SCHEDULER_VARS)}
    e["SOURCE_DATE_EPOCH"] = EPOCH
    e.update(env or {})
    p = subprocess.run([LP] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=e, cwd=cwd, timeout=120)
    return R(p)


def pdfs(root):
    """The PDF files under root, as paths relative to it."""
    found = []
    for d, _, files in os.walk(root):
        found += [os.path.relpath(os.path.join(d, f), root)
                  for f in files if f.endswith(".pdf")]
    return sorted(found)


def slurm_env(task, lo, hi):
    return {"SLURM_ARRAY_TASK_ID": str(task), "SLURM_ARRAY_TASK_MIN": str(lo),
            "SLURM_ARRAY_TASK_MAX": str(hi),
            "SLURM_ARRAY_TASK_COUNT": str(hi - lo + 1),
            "SLURM_ARRAY_TASK_STEP": "1"}


def test_shard_auto(tmp, tpl, data):
    out = os.path.join(tmp, "auto")
    for task in range(4):
        r = lpx("merge", tpl, "-d", data, "-o", out + "/{{id}}.pdf", "-j", "1",
                "--shard", "auto", env=slurm_env(task, 0, 3))
        check("shard auto: Slurm task %d of 0-3 runs" % task, r.code == 0,
              short(r.err))
    check("shard auto: four Slurm tasks make every letter once",
          pdfs(out) == sorted("%d.pdf" % i for i in range(1, 11)), pdfs(out))
    # A re-run of task 2 alone: Slurm's count is 1, so auto alone refuses.
    r = lpx("merge", tpl, "-d", data, "-o", out + "/{{id}}.pdf",
            "--shard", "auto", env=slurm_env(2, 2, 2))
    check("shard auto: a partial Slurm array without /N is exit 2",
          r.code == 2 and "SLURM_ARRAY_TASK_ID" in r.err
          and "auto/N" in r.err, short(r.err))
    for f in ("3.pdf", "7.pdf"):
        os.remove(os.path.join(out, f))
    r = lpx("merge", tpl, "-d", data, "-o", out + "/{{id}}.pdf",
            "--shard", "auto/4", "--skip-existing", env=slurm_env(2, 2, 2))
    check("shard auto/4: the re-run task remakes its letters only",
          r.code == 0 and "2 of 2 letters written" in r.err
          and len(pdfs(out)) == 10, short(r.err))
    cases = [
        ({}, "auto", "none is set"),
        ({"SLURM_ARRAY_TASK_ID": "0", "AWS_BATCH_JOB_ARRAY_INDEX": "0"},
         "auto/2", "SLURM_ARRAY_TASK_ID and AWS_BATCH_JOB_ARRAY_INDEX"),
        ({"JOB_COMPLETION_INDEX": "4"}, "auto/4", "JOB_COMPLETION_INDEX is 4"),
        ({"JOB_COMPLETION_INDEX": "1"}, "auto", "JOB_COMPLETION_INDEX gives no"),
        ({"AWS_BATCH_JOB_ARRAY_INDEX": "1"}, "auto",
         "AWS_BATCH_JOB_ARRAY_SIZE is not"),
    ]
    for env, spec, words in cases:
        r = lpx("merge", tpl, "-d", data, "-o", out + "/{{id}}.pdf",
                "--shard", spec, env=env)
        check("shard %s with %s: exit 2 naming the variable" % (spec, env),
              r.code == 2 and words in r.err and "--shard" in r.err,
              short(r.err))
    k8s = os.path.join(tmp, "k8s")
    for i in range(3):
        lpx("merge", tpl, "-d", data, "-o", k8s + "/{{id}}.pdf",
            "--shard", "auto/3", env={"JOB_COMPLETION_INDEX": str(i)})
    aws = os.path.join(tmp, "aws")
    for i in range(2):
        lpx("merge", tpl, "-d", data, "-o", aws + "/{{id}}.pdf",
            "--shard", "auto", env={"AWS_BATCH_JOB_ARRAY_INDEX": str(i),
                                    "AWS_BATCH_JOB_ARRAY_SIZE": "2"})
    check("shard auto: Kubernetes and AWS Batch indexes make every letter",
          len(pdfs(k8s)) == 10 and len(pdfs(aws)) == 10,
          "%s %s" % (pdfs(k8s), pdfs(aws)))


def load_manifest(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def test_manifest(tmp, tpl, data):
    out = os.path.join(tmp, "man")
    mans = [os.path.join(tmp, "man-%d.jsonl" % k) for k in (1, 2, 3)]
    for k in (1, 2, 3):
        r = lpx("merge", tpl, "-d", data, "-o", out + "/{{region}}/{{id}}.pdf",
                "--shard", "%d/3" % k, "--manifest", mans[k - 1], "-j", "2")
        check("manifest: shard %d/3 runs" % k, r.code == 0, short(r.err))
    lines = load_manifest(mans[0])
    head, recs, end = lines[0], lines[1:-1], lines[-1]
    check("manifest: a header with version, hashes, records and shard",
          head.get("manifest") == 1 and head.get("letterpress")
          and len(head.get("template_sha256", "")) == 64
          and len(head.get("data_sha256", "")) == 64
          and head.get("records") == 10 and head.get("shard") == 1
          and head.get("shards") == 3, lines[0])
    want = [r["record"] for r in recs]
    check("manifest: one line per record of the shard, then the end",
          sorted(want) == [1, 4, 7, 10] and end.get("end") is True
          and end.get("written") == 4, lines)
    rec = [r for r in recs if r["record"] == 4][0]
    pdf = os.path.join(out, "north", "4.pdf")
    import hashlib
    with open(pdf, "rb") as f:
        body = f.read()
    check("manifest: a record's line has key, path, status, bytes, SHA-256",
          rec["key"] == "north/4" and rec["path"] == out + "/north/4.pdf"
          and rec["status"] == "written" and rec["bytes"] == len(body)
          and rec["sha256"] == hashlib.sha256(body).hexdigest()
          and rec["error"] == "", rec)
    check("manifest: no .part left", not os.path.exists(mans[0] + ".part"), "")
    r = lpx("manifest-check", *mans)
    check("manifest-check: the three shards are the whole batch (exit 0)",
          r.code == 0 and "10 records: 10 made, 0 missing" in r.out
          and "complete" in r.out, short(r.out + r.err))
    r = lpx("manifest-check", mans[0], mans[2])
    check("manifest-check: a missing shard is named (exit 1)",
          r.code == 1 and "3 records in no manifest: 2, 5, 8" in r.err
          and "shard 2 of 3" in r.err, short(r.out + r.err))
    r = lpx("manifest-check", mans[0], mans[1], mans[2], mans[1])
    check("manifest-check: a doubled shard is told (exit 1)",
          r.code == 1 and "record 2 is also in" in r.err
          and "3 doubled" in r.out, short(r.out + r.err))
    os.remove(pdf)
    r = lpx("manifest-check", *mans)
    check("manifest-check: a deleted letter is told (exit 1)",
          r.code == 1 and "4.pdf cannot be read" in r.err, short(r.err))
    # Resume: the shard again with --skip-existing; its new manifest holds
    # the skipped letters with their hashes too.
    r = lpx("merge", tpl, "-d", data, "-o", out + "/{{region}}/{{id}}.pdf",
            "--shard", "1/3", "--manifest", mans[0], "--skip-existing")
    st = sorted(x["status"] for x in load_manifest(mans[0])[1:-1])
    r2 = lpx("manifest-check", *mans)
    check("manifest: a resumed shard records written and skipped letters",
          r.code == 0 and st == ["skipped"] * 3 + ["written"]
          and r2.code == 0, short(r.err + r2.out + r2.err))
    # Another data file in one shard: told, as the shards are not one batch.
    other = os.path.join(tmp, "other.csv")
    with open(data, encoding="utf-8") as f:
        text = f.read()
    with open(other, "w", encoding="utf-8") as f:
        f.write(text.replace("Name 3,", "Name three,"))
    r = lpx("merge", tpl, "-d", other, "-o", out + "/{{region}}/{{id}}.pdf",
            "--shard", "3/3", "--manifest", mans[2])
    r = lpx("manifest-check", *mans)
    check("manifest-check: a shard run on other data is told (exit 1)",
          r.code == 1 and "data_sha256" in r.err, short(r.err))
    # A task killed while it ran: its .part holds the lines written so far.
    part = os.path.join(tmp, "killed.jsonl")
    with open(mans[1], encoding="utf-8") as f:
        first_lines = f.readlines()[:2]
    with open(part + ".part", "w", encoding="utf-8") as f:
        f.write("".join(first_lines) + '{"record": 5, "ke')
    r = lpx("manifest-check", mans[0], part + ".part", mans[2])
    check("manifest-check: a manifest cut short is told, not trusted",
          r.code == 1 and "cut short" in r.err and "did not finish" in r.err,
          short(r.err))
    # Failed records: recorded with their error, and the check fails.
    bad = os.path.join(tmp, "bad.jsonl")
    with open(bad, "w", encoding="utf-8") as f:
        f.write('{"id": "1", "name": "a", "region": "x"}\n'
                '{"id": "2", "region": "x"}\n')
    fm = os.path.join(tmp, "failed.jsonl")
    r = lpx("merge", tpl, "-d", bad, "-o", out + "/f/{{id}}.pdf",
            "--manifest", fm, "--keep-going")
    lines = load_manifest(fm)
    failed = [x for x in lines[1:-1] if x["status"] == "failed"]
    r2 = lpx("manifest-check", fm)
    check("manifest: a failed record is recorded with its error",
          r.code == 2 and len(failed) == 1 and failed[0]["record"] == 2
          and "name" in failed[0]["error"] and r2.code == 1
          and "record 2 failed" in r2.err, short(r.err + r2.err))
    # Letters of a combined PDF only: no file of their own to check.
    cm = os.path.join(tmp, "combined.jsonl")
    r = lpx("merge", tpl, "-d", data, "--combined",
            os.path.join(tmp, "all.pdf"), "--manifest", cm)
    r2 = lpx("manifest-check", cm)
    check("manifest: a combined-only merge is proved complete",
          r.code == 0 and r2.code == 0 and "10 made" in r2.out,
          short(r.err + r2.out + r2.err))
    r = lpx("manifest-check")
    check("manifest-check without a file: exit 2", r.code == 2, short(r.err))


def test_skip_records(tmp, tpl):
    """A shard does not read other shards' records: bad JSON there is
    none of its business (the shard that owns it fails)."""
    jl = os.path.join(tmp, "skip.jsonl")
    with open(jl, "w", encoding="utf-8") as f:
        for i in range(1, 9):
            if i == 4:
                f.write('{"id": "4", "name": oops}\n')
            else:
                f.write('{"id": "%d", "name": "N%d", "region": "r"}\n' % (i, i))
    out = os.path.join(tmp, "skip")
    r1 = lpx("merge", tpl, "-d", jl, "-o", out + "/{{@record}}.pdf",
             "--shard", "1/2", "-j", "2")
    r2 = lpx("merge", tpl, "-d", jl, "-o", out + "/{{@record}}.pdf",
             "--shard", "2/2")
    check("skip: shard 1/2 never parses record 4 (shard 2's)",
          r1.code == 0 and pdfs(out) == ["1.pdf", "3.pdf", "5.pdf", "7.pdf"],
          short(r1.err) + str(pdfs(out)))
    check("skip: shard 2/2 owns record 4 and stops at its bad JSON",
          r2.code == 2 and ":4:" in r2.err and "bad JSON" in r2.err,
          short(r2.err))
    # CSV with quoted line breaks: every shard counts records alike.
    csv = os.path.join(tmp, "multi.csv")
    with open(csv, "w", encoding="utf-8", newline="") as f:
        f.write("id,name,region\r\n")
        for i in range(1, 13):
            name = '"Line one\r\nline ""%d"", two"' % i if i % 3 == 0 else "N%d" % i
            f.write("%d,%s,r\r\n" % (i, name))
    out = os.path.join(tmp, "multi")
    for k in range(1, 5):
        lpx("merge", tpl, "-d", csv, "-o", out + "/{{@record}}-{{id}}.pdf",
            "--shard", "%d/4" % k, "-j", "2")
    check("skip: CSV shards with quoted line breaks agree on the records",
          pdfs(out) == sorted("%02d-%d.pdf" % (i, i) for i in range(1, 13)),
          pdfs(out))


def test_names_agree(tmp, tpl):
    """Names repeated across shards get the same -2, -3 as in one run, from
    CSV and JSON Lines (other shards' records made of their name's values
    only)."""
    rows = [(str(i % 4), "N%d" % i, ["n", "s"][i % 2]) for i in range(1, 15)]
    csv = os.path.join(tmp, "rep.csv")
    with open(csv, "w", encoding="utf-8") as f:
        f.write("id,name,region,other\n")
        f.writelines("%s,%s,%s,\"x, {y}\"\n" % r for r in rows)
    jl = os.path.join(tmp, "rep.jsonl")
    with open(jl, "w", encoding="utf-8") as f:
        for i, (id_, name, region) in enumerate(rows):
            f.write(json.dumps({"other": {"a": ["}", i]}, "id": int(id_),
                                "name": name, "region": region}) + "\n")
    for data in (csv, jl):
        one = os.path.join(tmp, "one-" + os.path.basename(data))
        many = os.path.join(tmp, "many-" + os.path.basename(data))
        lpx("merge", tpl, "-d", data, "-o", one + "/{{region}}/{{id}}.pdf")
        for k in (1, 2, 3):
            lpx("merge", tpl, "-d", data, "-o", many + "/{{region}}/{{id}}.pdf",
                "--shard", "%d/3" % k)
        a, b = pdfs(one), pdfs(many)
        same = a == b and len(a) == 14 and all(
            open(os.path.join(one, p), "rb").read() ==
            open(os.path.join(many, p), "rb").read() for p in a)
        check("shards name repeated values as one run does (%s)"
              % os.path.basename(data), same, "%s %s" % (a, b))


def test_directories(tmp, tpl):
    """Names from data may make directories, always inside DIR."""
    csv = os.path.join(tmp, "dirs.csv")
    with open(csv, "w", encoding="utf-8") as f:
        f.write("id,name,region\n1,a,north\n2,b,../evil\n3,c,..\n"
                "4,d,\n5,e,a/b\n6,f,CON\n7,g,.hidden\n8,h,north\n")
    out = os.path.join(tmp, "dirs")
    r = lpx("merge", tpl, "-d", csv, "-o", out + "/{{region}}/{{id}}.pdf")
    got = pdfs(out)
    check("directories: names from data make directories inside DIR",
          r.code == 0 and got == sorted([
              "north/1.pdf", "___evil/2.pdf", "__/3.pdf", "_/4.pdf",
              "a_b/5.pdf", "_CON/6.pdf", "_hidden/7.pdf", "north/8.pdf"]),
          short(r.err) + str(got))
    check("directories: nothing outside DIR",
          sorted(os.listdir(tmp)).count("evil") == 0
          and not os.path.exists(os.path.join(tmp, "dirs.pdf")), "")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        tpl = os.path.join(tmp, "t.md")
        with open(tpl, "w", encoding="utf-8") as f:
            f.write(TEMPLATE)
        data = os.path.join(tmp, "d.csv")
        with open(data, "w", encoding="utf-8") as f:
            f.write("id,name,region\n")
            for i in range(1, 11):
                f.write("%d,Name %d,%s\n" % (i, i, ["north", "south"][i % 2]))
        test_shard_auto(tmp, tpl, data)
        test_manifest(tmp, tpl, data)
        test_skip_records(tmp, tpl)
        test_names_agree(tmp, tpl)
        test_directories(tmp, tpl)
    e2e.finish()


if __name__ == "__main__":
    main()
