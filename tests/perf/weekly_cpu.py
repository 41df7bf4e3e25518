"""Where the CPU of a weekly CSV on PostgreSQL goes: the export's own processes and the server's, round by round.

    python -m tests.perf.weekly_cpu URL [--rounds 5] [--readers-from 4,99] [--at-fork] [--week 2026-W43]

Each round runs `crm export weekly --format csv` in a fresh process from this checkout, the split forced
(CRM_WEEKLY_SPLIT=1), and prints its wall time, the CPU seconds (user + system) of the export's processes (the
parent and the child it forks) and of the PostgreSQL server's at URL (its postmaster and the processes it started,
with what it has reaped of the backends and workers that ended meanwhile; another server on the machine is not
counted). On a two-core machine the two sums
against twice the wall time say how busy the cores were. `--readers-from` runs the rounds at each value of
crm.reporting.weekly_split.READERS_FROM given, alternated (99: no reader thread in either process; 2: a reader
thread beside each, as before the twenty-third session). `--at-fork` stops each export when it forks (the same
sums for what is read before the rows: the week's events, the names, the supporting departments, the KPIs).
The rounds must write the same bytes. Nothing is written to the ledger. Run it on a server no one else uses (tests/perf/ledgers.py makes one).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.perf.commands import WEEK
from tests.perf.timing import load_line, medians

ROOT = Path(__file__).resolve().parents[2]

#: One export: argv READERS_FROM AT_FORK URL WEEK OUT; prints "FORK wall client" when stopped at the fork.
SCRIPT = r"""
import os, resource, sys, time
sys.argv[0] = "crm"
start = time.perf_counter()
readers_from, at_fork, url, week, out = sys.argv[1:6]
from crm.reporting import weekly_split
weekly_split.READERS_FROM = int(readers_from)
if at_fork == "1":
    from db import forking
    def stop(self):
        used = resource.getrusage(resource.RUSAGE_SELF)
        print("FORK %.3f %.3f" % (time.perf_counter() - start, used.ru_utime + used.ru_stime), flush=True)
        os._exit(0)
    forking.SharedSnapshot.fork = stop
import app
sys.exit(app.main(["--db", url, "export", "weekly", "--week", week, "--format", "csv", "-o", out, "--force"]))
"""


def _stat(pid: int | str) -> list[str]:
    """The fields of /proc/PID/stat after the command's name ([] once the process has ended)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return []


def postmaster_of(url: str) -> int:
    """The pid of the PostgreSQL server at `url` (on this machine): the parent of a backend serving it."""
    import psycopg2

    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
        fields = _stat(backend)
    conn.close()
    return int(fields[1])


def server_cpu(postmaster: int) -> float:
    """CPU seconds of the server `postmaster` and the processes it started, with what each has reaped."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        fields = _stat(pid)
        if fields and (int(pid) == postmaster or int(fields[1]) == postmaster):
            total += sum(int(f) for f in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")


def one_round(url: str, postmaster: int, readers_from: int, at_fork: bool, week: str, out: Path) -> dict[str, float]:
    """One export: {wall, client, server} seconds (to the fork with `at_fork`)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CRM_USER": "bench", "CRM_WEEKLY_SPLIT": "1"}
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server = server_cpu(postmaster)
    t0 = time.perf_counter()
    argv = [sys.executable, "-c", SCRIPT, str(readers_from), "1" if at_fork else "0", url, week, str(out)]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server = server_cpu(postmaster) - server
    if proc.returncode:
        raise SystemExit(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "the export failed")
    client = (after_children.ru_utime + after_children.ru_stime) - (before_children.ru_utime + before_children.ru_stime)
    for line in proc.stdout.splitlines():
        if line.startswith("FORK "):
            _tag, wall_s, client_s = line.split()
            wall, client = float(wall_s), float(client_s)
    return {"wall": wall, "client": client, "server": server}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="a PostgreSQL URL (the ledger)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--readers-from", default="4", help="READERS_FROM values, comma-separated, alternated")
    parser.add_argument("--at-fork", action="store_true", help="stop each export when it forks")
    parser.add_argument("--week", default=WEEK)
    args = parser.parse_args(argv)
    values = [int(v) for v in args.readers_from.split(",")]
    found: dict[int, list[dict[str, float]]] = {v: [] for v in values}
    postmaster = postmaster_of(args.url)
    written: set[str] = set()  # every round's file, by its digest: the same bytes whatever READERS_FROM
    print(load_line(), flush=True)
    with tempfile.TemporaryDirectory(prefix="weekly-cpu-") as tmp:
        for n in range(1, args.rounds + 1):
            for value in values:
                got = one_round(args.url, postmaster, value, args.at_fork, args.week, Path(tmp) / "w.csv")
                if not args.at_fork:
                    written.add(hashlib.sha256((Path(tmp) / "w.csv").read_bytes()).hexdigest())
                    if len(written) > 1:
                        raise SystemExit("the rounds wrote different files")
                found[value].append(got)
                print(
                    f"round {n} READERS_FROM={value}: wall {got['wall']:.2f} s, export CPU {got['client']:.2f} s, "
                    f"server CPU {got['server']:.2f} s",
                    flush=True,
                )
    for value, rounds in found.items():
        med = medians(rounds, ("wall", "client", "server"))
        print(
            f"median READERS_FROM={value}{' (to the fork)' if args.at_fork else ''}: wall {med['wall']:.2f} s, "
            f"export CPU {med['client']:.2f} s, server CPU {med['server']:.2f} s; "
            f"CPU / wall {(med['client'] + med['server']) / max(med['wall'], 0.01):.2f} of {os.cpu_count()} cores"
        )
    print(load_line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
