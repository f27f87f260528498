#!/usr/bin/env python3
"""A chaos soak: the app and two `spoolctl run` processes on one data directory, a mix of jobs
with known fates, while runners are killed (SIGKILL), frozen past their lease (SIGSTOP) and the
app is restarted. At the end every promise is checked and printed as a table; exit 1 if any broke.

Run by tools/soak.sh, which builds first. Standard library only."""

import argparse
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LEASE_MS = 2000


def server_bytes(size, seed=0):
    """The fault server's body: byte i is (i * 7 + seed) % 251."""
    return bytes((i * 7 + seed) % 251 for i in range(size))


class Soak:
    def __init__(self, args):
        self.args = args
        self.build = os.path.abspath(args.build)
        self.ctl_path = os.path.join(self.build, "bin", "spoolctl")
        self.app_path = os.path.join(self.build, "bin", "spool")
        self.tmp = tempfile.mkdtemp(prefix="spool-soak-")
        self.data = os.path.join(self.tmp, "data")
        self.out = os.path.join(self.tmp, "out")
        os.makedirs(self.out)
        self.rng = random.Random(args.seed)
        self.expect = {}  # job id -> (expected state, check)
        self.runners = []
        self.app = None
        self.died = []  # runners that ended by themselves
        self.counts = {"SIGKILL": 0, "SIGSTOP past the lease": 0, "app restarts": 0}

    # --- processes -------------------------------------------------------------------------
    def ctl(self, *args, check=True):
        p = subprocess.run([self.ctl_path, "--data-dir", self.data, *args],
                           capture_output=True, text=True, timeout=120)
        if check and p.returncode != 0:
            raise RuntimeError("spoolctl %s: %s" % (" ".join(args), p.stderr.strip()))
        return p.stdout

    def start_server(self):
        self.server = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "tests", "servers", "faultserver.py")],
            stdout=subprocess.PIPE, stderr=open(os.path.join(self.tmp, "server.log"), "w"),
            text=True)
        line = self.server.stdout.readline().split()
        self.port = int(line[1])

    def start_runner(self, slot):
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
        # The legacy plugin runs under the GIL in one runner, in worker processes in the other.
        mode = ["--gil", "on"] if slot == 0 else ["--plugin-mode", "legacytally=process"]
        return subprocess.Popen(
            [self.ctl_path, "--data-dir", self.data, "run", "--workers", "2",
             "--lease-ms", str(LEASE_MS), "--quiet", *mode],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)

    def start_app(self):
        env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
        self.app = subprocess.Popen([self.app_path, "--data-dir", self.data],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)

    def stop_app(self):
        self.app.send_signal(signal.SIGTERM)
        self.app.wait(timeout=60)

    # --- the jobs --------------------------------------------------------------------------
    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def add(self, expected, check, *args):
        job_id = self.ctl("add", *args).strip()
        self.expect[job_id] = (expected, check)

    def add_jobs(self):
        n = self.args.jobs
        for i in range(n):
            kind = i % 10
            name = "f%04d.bin" % i
            target = os.path.join(self.out, name)
            size = self.rng.choice([1000, 50000, 1500000])
            if kind in (0, 1):
                self.add("succeeded", ("bytes", target, size, 0), "download",
                         self.url("/file/%s?size=%d&drip=%d" % (name, size, self.rng.choice([0, 2]))),
                         "--out", target)
            elif kind == 2:
                self.add("succeeded", ("bytes", target, size, 0), "download",
                         self.url("/reset?key=r%d&size=%d&at=%d" % (i, size, size // 2)),
                         "--out", target)
            elif kind == 3:
                self.add("succeeded", ("bytes", target, size, 0), "download",
                         self.url("/truncate?key=t%d&size=%d&at=%d" % (i, size, size // 3)),
                         "--out", target)
            elif kind == 4:
                self.add("succeeded", ("bytes", target, 2000, 0), "download",
                         self.url("/retry?key=q%d&code=429&after=1&size=2000" % i), "--out", target)
            elif kind == 5:
                self.add("succeeded", ("bytes", target, 3000, 0), "download",
                         self.url("/flaky?key=e%d&fail=2&code=500&size=3000" % i), "--out", target)
            elif kind == 6:
                self.add("failed", ("absent", target), "download",
                         self.url("/status?code=404&n=%d" % i), "--out", target)
            elif kind == 7:
                png = os.path.join(self.out, "r%04d.png" % i)
                self.add("succeeded", ("png", png, 96, 72), "render",
                         "/usr/share/assimp/models/OFF/Wuson.off", "--out", png, "--width", "96",
                         "--height", "72", "--samples", "8")
            elif kind == 8:
                self.add("succeeded", None, self.rng.choice(["sleep", "busy"]), "--ms",
                         str(self.rng.choice([5, 50, 300, 1500])))
            else:
                self.add("succeeded", None, "plugin", "tally", "--param",
                         "steps=%d" % self.rng.choice([2000, 200000]))

    # --- chaos -----------------------------------------------------------------------------
    def pending(self):
        jobs = json.loads(self.ctl("list", "--json"))
        return sum(1 for j in jobs if j["state"] in ("queued", "running", "paused"))

    def chaos(self):
        self.runners = [self.start_runner(0), self.start_runner(1)]
        self.start_app()
        kills_left, freezes_left, restarts_left = self.args.kills, 2, 2
        deadline = time.monotonic() + self.args.timeout
        step = 0
        while time.monotonic() < deadline:
            time.sleep(self.rng.uniform(0.2, 0.8))
            step += 1
            for slot, r in enumerate(self.runners):  # only the soak may end a runner
                if r.poll() is not None:
                    self.died.append("runner %d exited with %s" % (slot, r.returncode))
                    self.runners[slot] = self.start_runner(slot)
            if step % 4 == 0 and self.pending() == 0:  # a look costs a process: not every step
                break
            i = self.rng.randrange(2)
            if freezes_left and step in (3, 10):
                self.runners[i].send_signal(signal.SIGSTOP)
                time.sleep(LEASE_MS / 1000 * 2)  # past the lease: the others take its jobs
                self.runners[i].send_signal(signal.SIGCONT)
                freezes_left -= 1
                self.counts["SIGSTOP past the lease"] += 1
            elif restarts_left and step in (5, 12):
                self.stop_app()
                self.start_app()
                restarts_left -= 1
                self.counts["app restarts"] += 1
            elif kills_left:
                self.runners[i].kill()
                self.runners[i].wait()
                self.runners[i] = self.start_runner(i)
                kills_left -= 1
                self.counts["SIGKILL"] += 1
        else:
            print("soak: timed out with %d jobs unfinished" % self.pending())
        # The last runners finish what is left, then everything stops.
        for r in self.runners:
            r.send_signal(signal.SIGCONT)
        while self.pending() and time.monotonic() < deadline + 300:
            time.sleep(1)
        for r in self.runners:
            r.terminate()
            r.wait(timeout=60)
        self.stop_app()

    # --- the verdict -----------------------------------------------------------------------
    def check(self):
        jobs = {j["id"]: j for j in json.loads(self.ctl("list", "--json"))}
        rows = []

        def row(promise, bad):
            rows.append((promise, "ok" if not bad else "BROKEN", "; ".join(bad[:3])))

        row("no runner ended by itself", self.died)
        row("every job queued is still there", [i for i in self.expect if i not in jobs])
        row("every job in the state its faults call for",
            ["%s %s (wanted %s: %s)" % (i[:8], jobs[i]["state"], want, jobs[i].get("error"))
             for i, (want, _) in self.expect.items() if i in jobs and jobs[i]["state"] != want])
        wrong_bytes, bad_png = [], []
        for i, (_, check) in self.expect.items():
            if not check:
                continue
            if check[0] == "bytes":
                try:
                    with open(check[1], "rb") as f:
                        ok = f.read() == server_bytes(check[2], check[3])
                except OSError:
                    ok = False
                if not ok:
                    wrong_bytes.append(check[1])
            elif check[0] == "absent" and os.path.exists(check[1]):
                wrong_bytes.append(check[1] + " exists")
            elif check[0] == "png" and not png_ok(check[1], check[2], check[3]):
                bad_png.append(check[1])
        row("every download holds the server's bytes", wrong_bytes)
        row("every render's PNG decodes", bad_png)
        names = os.listdir(self.out)
        row("no temporary or partial file left", [n for n in names if ".spool-" in n])
        row("no output written twice ('name (1)')", [n for n in names if re.search(r" \(\d+\)", n)])
        row("no job ran in two runners at once", self.overlaps(jobs))
        db = sqlite3.connect(os.path.join(self.data, "spool.db"))
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        row("PRAGMA integrity_check", [] if integrity == "ok" else [integrity])
        return rows

    def overlaps(self, jobs):
        """From the timelines: every start ends before the next one."""
        bad = []
        ends = {"recovered", "released", "succeeded", "failed", "retry scheduled", "canceled",
                "paused"}
        for job_id in jobs:
            detail = json.loads(self.ctl("show", job_id, "--json"))
            running = False
            for ev in detail["events"]:
                if ev["event"] == "started":
                    if running:
                        bad.append(job_id[:8])
                    running = True
                elif ev["event"] in ends:
                    running = False
        return bad


def png_ok(path, width, height):
    """Signature, IHDR size, and an IDAT stream that inflates to a whole image."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return False
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return False
    pos, idat, size = 8, b"", None
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            size = (int.from_bytes(body[0:4], "big"), int.from_bytes(body[4:8], "big"))
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    try:
        raw = zlib.decompress(idat)
    except zlib.error:
        return False
    return size == (width, height) and len(raw) >= height * (1 + width * 3)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--timeout", type=int, default=1800, help="seconds for the chaos phase")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    soak = Soak(args)
    soak.start_server()
    try:
        started = time.monotonic()
        soak.add_jobs()
        soak.chaos()
        rows = soak.check()
        took = time.monotonic() - started
    finally:
        soak.server.kill()
    print("soak: %d jobs, %s, %.0f s, data in %s (removed if all is ok)" % (
        len(soak.expect), ", ".join("%d %s" % (v, k) for k, v in soak.counts.items()), took,
        soak.tmp))
    width = max(len(r[0]) for r in rows)
    for promise, verdict, detail in rows:
        print("  %-*s  %-6s %s" % (width, promise, verdict, detail))
    if all(r[1] == "ok" for r in rows):
        shutil.rmtree(soak.tmp)  # kept when a promise broke, for a look
        sys.exit(0)
    sys.exit(1)


if __name__ == "__main__":
    main()
