#!/usr/bin/env python3
"""A merge as a real Slurm job array, on a one-node cluster of its own.

When slurmctld, slurmd and munged are installed (make deps installs
slurm-wlm and munge), this starts a cluster on 127.0.0.1 under a
temporary directory (its own slurm.conf through SLURM_CONF, its own munge
key and socket, free ports), submits a 4-task array running
`merge --shard auto --manifest`, proves the batch with manifest-check,
deletes one task's letters and re-runs that task alone (--array=2, so
--shard auto/4: Slurm's count is then 1, and --shard auto refuses), proves
the batch again, and stops every daemon it started, by PID.  Without the
daemons it says it skips, and passes.  Installs nothing; uses no system
service.  Pitfalls: slurmd needs -N when the node is called localhost;
there is no sacct without an accounting daemon (squeue is polled).

Uses the harness of tests/e2e.py; prints "N passed, N failed" last.
"""
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402
from e2e import EPOCH, LP, ROOT, check, short  # noqa: E402

DAEMONS = {"slurmctld": "/usr/sbin/slurmctld", "slurmd": "/usr/sbin/slurmd",
           "munged": "/usr/sbin/munged"}
CLIENTS = ("sbatch", "squeue", "sinfo", "scontrol")
RECORDS = 200
TASKS = 4
DEADLINE = 45  # seconds for each wait: the whole test stays under a minute


def find(name, path):
    return path if os.path.exists(path) else shutil.which(name)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """The daemons this test starts, stopped by PID."""

    def __init__(self, work):
        self.work = work
        self.procs = []
        self.env = dict(os.environ)
        for k in list(self.env):
            if k.startswith("SLURM_"):
                del self.env[k]
        self.env["SLURM_CONF"] = os.path.join(work, "slurm.conf")

    def start(self, name, args, user=None):
        log = open(os.path.join(self.work, name + ".out"), "wb")
        pre = None
        if user:
            pw = pwd.getpwnam(user)

            def pre():
                os.setgid(pw.pw_gid)
                os.setgroups([])
                os.setuid(pw.pw_uid)
        p = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                             env=self.env, preexec_fn=pre,
                             start_new_session=True)
        self.procs.append((name, p))
        return p

    def run(self, *args, timeout=30):
        return subprocess.run(list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=self.env,
                              timeout=timeout)

    def stop(self):
        """Stops each daemon it started (SIGTERM, then SIGKILL), by PID."""
        for name, p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for name, p in reversed(self.procs):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def log(self, name):
        try:
            with open(os.path.join(self.work, name + ".log"), "rb") as f:
                return f.read().decode("utf-8", "replace")[-1500:]
        except OSError:
            return ""


def write_conf(work, user, munge_socket):
    cpus = os.cpu_count() or 1
    conf = """ClusterName=lptest
SlurmctldHost=localhost(127.0.0.1)
SlurmUser={user}
SlurmdUser=root
SlurmctldPort={ctld}
SlurmdPort={slurmd}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={sock}
StateSaveLocation={w}/state
SlurmdSpoolDir={w}/spool
SlurmctldPidFile={w}/slurmctld.pid
SlurmdPidFile={w}/slurmd.pid
SlurmctldLogFile={w}/slurmctld.log
SlurmdLogFile={w}/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=5
Waittime=0
NodeName=localhost NodeAddr=127.0.0.1 CPUs={cpus} State=UNKNOWN
PartitionName=lp Nodes=localhost Default=YES MaxTime=INFINITE State=UP
""".format(user=user, ctld=free_port(), slurmd=free_port(), sock=munge_socket,
           w=work, cpus=cpus)
    if os.getuid() != 0:
        conf = conf.replace("SlurmdUser=root", "SlurmdUser=" + user)
    with open(os.path.join(work, "slurm.conf"), "w") as f:
        f.write(conf)
    os.makedirs(os.path.join(work, "state"))
    os.makedirs(os.path.join(work, "spool"))


def start_munge(cl, work):
    """munged with a key and socket of its own; as the munge user when
    this runs as root (munged may refuse root)."""
    mdir = os.path.join(work, "munge")
    os.makedirs(mdir)
    key = os.path.join(mdir, "munge.key")
    with open(key, "wb") as f:
        f.write(os.urandom(1024))
    os.chmod(key, 0o400)
    os.chmod(mdir, 0o755)
    user = None
    if os.getuid() == 0:
        try:
            pw = pwd.getpwnam("munge")
            user = "munge"
            os.chown(mdir, pw.pw_uid, pw.pw_gid)
            os.chown(key, pw.pw_uid, pw.pw_gid)
        except KeyError:
            user = None
    sock = os.path.join(mdir, "munge.socket")
    cl.start("munged", [DAEMONS["munged"], "-F", "--socket=" + sock,
                        "--key-file=" + key, "--log-file=" + mdir + "/log",
                        "--pid-file=" + mdir + "/pid",
                        "--seed-file=" + mdir + "/seed"], user=user)
    return sock


def wait_for(what, test, timeout=DEADLINE, step=0.2):
    end = time.time() + timeout
    while time.time() < end:
        if test():
            return True
        time.sleep(step)
    return False


def node_ready(cl):
    r = cl.run("sinfo", "-h", "-N", "-o", "%T")
    return r.returncode == 0 and r.stdout.decode().strip() in ("idle", "mixed")


def queue_empty(cl):
    r = cl.run("squeue", "-h", "-o", "%i")
    return r.returncode == 0 and not r.stdout.strip()


def submit(cl, *args):
    r = cl.run("sbatch", "--parsable", *args)
    return r.returncode, r.stdout.decode().strip(), r.stderr.decode()


def pdfs(root):
    found = []
    for d, _, files in os.walk(root):
        found += [os.path.join(d, f) for f in files if f.endswith(".pdf")]
    return sorted(found)


def batch(cl, work):
    """The job array and its re-run; the checks."""
    data = os.path.join(work, "d.csv")
    with open(data, "w", encoding="utf-8") as f:
        f.write("id,name,region\n")
        for i in range(1, RECORDS + 1):
            f.write("%d,Name %d,%s\n" % (i, i, ("north", "south", "east")[i % 3]))
    tpl = os.path.join(work, "t.md")
    with open(tpl, "w", encoding="utf-8") as f:
        f.write("# Letter {{id}}\n\nDear {{name}} ({{region}}).\n")
    script = os.path.join(work, "job.sh")
    with open(script, "w") as f:
        f.write("#!/bin/sh\n"
                "cd %s || exit 1\n"
                "export SOURCE_DATE_EPOCH=%s\n"
                "exec %s merge t.md -d d.csv -o 'out/{{region}}/{{id}}.pdf' "
                "--shard \"${SHARD:-auto}\" --skip-existing -j 1 "
                "--manifest manifests/shard-$SLURM_ARRAY_TASK_ID.jsonl\n"
                % (work, EPOCH, LP))
    os.chmod(script, 0o755)
    os.makedirs(os.path.join(work, "manifests"))
    logs = os.path.join(work, "slurm-%A_%a.out")
    t0 = time.time()
    rc, job, err = submit(cl, "--array=0-%d" % (TASKS - 1), "-n", "1",
                          "-o", logs, script)
    check("slurm: the array is submitted", rc == 0 and job, err)
    done = wait_for("array", lambda: queue_empty(cl))
    check("slurm: the 4 tasks finish", done, cl.log("slurmctld"))
    outs = ""
    for i in range(TASKS):
        p = os.path.join(work, "slurm-%s_%d.out" % (job, i))
        outs += open(p).read() if os.path.exists(p) else "(no %s)" % p
    made = pdfs(os.path.join(work, "out"))
    check("slurm: --shard auto in 4 tasks makes every letter once",
          len(made) == RECORDS and outs.count("merge: 50 of 50") == TASKS,
          short(outs, 800) + cl.log("slurmd"))
    print("slurm: the 4-task array took %.1f s" % (time.time() - t0))
    mans = sorted(os.path.join(work, "manifests", m)
                  for m in os.listdir(os.path.join(work, "manifests")))
    r = subprocess.run([LP, "manifest-check"] + mans, cwd=work,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check("slurm: manifest-check proves the batch",
          r.returncode == 0 and len(mans) == TASKS
          and b"%d made, 0 missing" % RECORDS in r.stdout,
          short((r.stdout + r.stderr).decode()))
    heads = [json.loads(open(m).readline()) for m in mans]
    check("slurm: each task found its own shard (index + 1) and the count",
          sorted(h["shard"] for h in heads) == [1, 2, 3, 4]
          and all(h["shards"] == TASKS for h in heads), heads)

    # Task 2's letters are lost: it runs again alone.
    for p in made:
        if p.endswith(("/3.pdf", "/7.pdf", "/11.pdf")):
            os.remove(p)
    os.remove(os.path.join(work, "manifests", "shard-2.jsonl"))
    r = subprocess.run([LP, "manifest-check"] + mans[:2] + mans[3:], cwd=work,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check("slurm: manifest-check names the lost shard",
          r.returncode == 1 and b"shard 3 of 4" in r.stderr,
          short(r.stderr.decode()))
    rc, job2, err = submit(cl, "--array=2", "-n", "1", "-o", logs, script)
    wait_for("re-run", lambda: queue_empty(cl))
    out2 = os.path.join(work, "slurm-%s_2.out" % job2)
    text = open(out2).read() if os.path.exists(out2) else ""
    check("slurm: --shard auto in a re-run of one task refuses (exit 2)",
          rc == 0 and "SLURM_ARRAY_TASK_ID" in text and "auto/N" in text
          and not os.path.exists(os.path.join(work, "manifests",
                                              "shard-2.jsonl")),
          short(text))
    cl.env["SHARD"] = "auto/%d" % TASKS
    rc, job3, err = submit(cl, "--array=2", "-n", "1", "-o", logs,
                           "--export=ALL", script)
    wait_for("re-run", lambda: queue_empty(cl))
    del cl.env["SHARD"]
    out3 = os.path.join(work, "slurm-%s_2.out" % job3)
    text = open(out3).read() if os.path.exists(out3) else ""
    check("slurm: the re-run task with --shard auto/4 remakes its letters",
          "3 of 50 letters written" in text and "47 skipped" in text,
          short(text))
    r = subprocess.run([LP, "manifest-check"] + mans, cwd=work,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check("slurm: manifest-check proves the batch after the re-run",
          r.returncode == 0 and b"%d made, 0 missing" % RECORDS in r.stdout,
          short((r.stdout + r.stderr).decode()))


def main():
    t0 = time.time()
    missing = [n for n, p in DAEMONS.items() if not find(n, p)]
    missing += [n for n in CLIENTS if not shutil.which(n)]
    if missing:
        print("SKIP e2e_slurm: %s not installed (make deps installs "
              "slurm-wlm and munge)" % ", ".join(missing))
        e2e.finish()
    # slurmd (22.05) will not start without a control-group filesystem: a
    # chroot or container that does not mount /sys/fs/cgroup cannot run a
    # node at all.  Said, not hidden.
    if not os.path.ismount("/sys/fs/cgroup"):
        print("SKIP e2e_slurm: no cgroup filesystem at /sys/fs/cgroup, "
              "which slurmd needs (a chroot without /sys?)")
        e2e.finish()
    work = tempfile.mkdtemp(prefix="lp-slurm-")
    os.chmod(work, 0o755)  # the munge user reaches its directory
    cl = Cluster(work)
    try:
        user = pwd.getpwuid(os.getuid()).pw_name
        sock = start_munge(cl, work)
        ok = wait_for("munged", lambda: os.path.exists(sock), timeout=10)
        check("slurm: munged starts", ok,
              open(os.path.join(work, "munged.out"), "rb").read()[-500:])
        write_conf(work, user, sock)
        conf = os.path.join(work, "slurm.conf")
        cl.start("slurmctld", [DAEMONS["slurmctld"], "-D", "-i", "-f", conf])
        cl.start("slurmd", [DAEMONS["slurmd"], "-D", "-N", "localhost",
                            "-f", conf])
        ready = ok and wait_for("node", lambda: node_ready(cl))
        check("slurm: the one-node cluster is up", ready,
              cl.log("slurmctld") + cl.log("slurmd"))
        if ready:
            batch(cl, work)
    finally:
        cl.stop()
        alive = [n for n, p in cl.procs if p.poll() is None]
        check("slurm: every daemon started is stopped", not alive, alive)
        shutil.rmtree(work, ignore_errors=True)
    print("slurm: the test took %.1f s" % (time.time() - t0))
    e2e.finish()


if __name__ == "__main__":
    main()
