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
    e2e.finish()


if __name__ == "__main__":
    main()
