"""The weekly CSV written by two processes (crm.reporting.weekly_split), each process on its own.

    python -m tests.perf.weekly_split LEDGER [--rounds N] [--share 0.5,0.55] [--week 2026-W43] [--auto]

Each round runs `crm export weekly --format csv -o FILE` in a fresh process (from this checkout) that prints,
once the export is done: its own peak resident memory and CPU (RUSAGE_SELF), the forked child's (RUSAGE_CHILDREN:
the child is the only process it waits for), how long the parent waited for its side threads once it had read the
names (`side`) and for the child's end after its own rows (`result`), the child's rows, and how many idle cores the
split's check judged there were (`idle`). The split rounds split whatever the machine's load (CRM_WEEKLY_SPLIT=1),
or with `--auto` as the check decides; the others never (=0). `--share` runs the rounds at each PARENT_SHARE given
(alternated), `--one` adds rounds in one process (SPLIT_FROM above the ledger), and the files of every round are
checked to be the same bytes. Nothing is written to LEDGER (a SQLite file or a PostgreSQL URL).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.perf.commands import WEEK
from tests.perf.timing import load_line, medians

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, resource, sys, time
sys.argv[0] = "crm"
share, one = float(sys.argv[1]), sys.argv[2] == "1"
from crm.reporting import weekly_split
weekly_split.PARENT_SHARE = share
if one:
    weekly_split.SPLIT_FROM = 10**12
waits = {"side": 0.0, "result": 0.0, "child_rows": 0, "idle": None}
idle = weekly_split.Load.idle
def recorded_idle(self):
    waits["idle"] = idle(self)
    return waits["idle"]
weekly_split.Load.idle = recorded_idle
from db import forking
side, result = forking.SharedSnapshot.side, weekly_split.Part.result
def timed_side(self, work):
    wait = side(self, work)
    def timed_wait():
        t0 = time.perf_counter()
        try:
            return wait()
        finally:
            waits["side"] += time.perf_counter() - t0
    return timed_wait
def timed_result(self):
    t0 = time.perf_counter()
    try:
        return result(self)
    finally:
        waits["result"] += time.perf_counter() - t0
        waits["child_rows"] = self.rows
forking.SharedSnapshot.side, weekly_split.Part.result = timed_side, timed_result
import app
code = app.main(sys.argv[3:])
me, child = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write("SPLIT " + json.dumps({
    **waits,
    "peak_mib": me.ru_maxrss / 1024, "cpu": me.ru_utime + me.ru_stime,
    "child_peak_mib": child.ru_maxrss / 1024, "child_cpu": child.ru_utime + child.ru_stime,
}) + "\\n")
sys.exit(code)
"""


def _idle_text(idle: float | None) -> str:
    return "— (not asked)" if idle is None else f"{idle:.2f}"


def _round(ledger: str, share: float, one: bool, out: Path, week: str, auto: bool = False) -> dict:
    argv = ["export", "weekly", "--week", week, "--format", "csv", "-o", str(out), "--force"]
    # the split rounds split whatever the load, the others never: the rounds compare the two ways
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CRM_USER": "bench", "CRM_WEEKLY_SPLIT": "0" if one else "1"}
    if auto and not one:
        del env["CRM_WEEKLY_SPLIT"]  # the check decides
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(share), "1" if one else "0", "--db", ledger, *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip()[-300:])
    line = [x for x in done.stderr.splitlines() if x.startswith("SPLIT ")][-1]
    return {"wall": wall, **json.loads(line[6:])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ledger")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--share", default="", help="PARENT_SHARE values, comma-separated (default: the module's)")
    parser.add_argument("--one", action="store_true", help="also rounds in one process")
    parser.add_argument("--week", default=WEEK)
    parser.add_argument("--auto", action="store_true", help="split rounds as the idle check decides, not forced")
    args = parser.parse_args(argv)
    from crm.reporting import weekly_split

    shares = args.share.split(",") if args.share else [str(weekly_split.PARENT_SHARE)]
    sides: list[tuple[str, float, bool]] = [(f"split {s}", float(s), False) for s in shares]
    if args.one:
        sides.append(("one process", 0.5, True))
    print(load_line(), flush=True)
    figures: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="weekly-split-") as folder:
        files = []
        for n in range(args.rounds):
            for name, share, one in sides:
                out = Path(folder) / f"{n}-{len(files)}.csv"
                found = _round(args.ledger, share, one, out, args.week, args.auto)
                figures.setdefault(name, []).append(found)
                files.append(out)
                print(
                    f"round {n + 1} {name}: {found['wall']:.2f} s wall; parent CPU {found['cpu']:.2f} s, "
                    f"{found['peak_mib']:.0f} MiB; child CPU {found['child_cpu']:.2f} s, "
                    f"{found['child_peak_mib']:.0f} MiB, {found['child_rows']} rows; parent waited "
                    f"{found['side']:.2f} s for the side threads, {found['result']:.2f} s for the child's end; "
                    f"idle cores judged {_idle_text(found['idle'])}",
                    flush=True,
                )
                if len(files) > 1:
                    assert filecmp.cmp(files[0], out, shallow=False), f"{out} differs from {files[0]}"
                    out.unlink()
    for name, runs in figures.items():
        med = medians(runs, ("wall", "cpu", "child_cpu"))
        print(
            f"median {name}: {med['wall']:.2f} s wall, CPU {med['cpu'] + med['child_cpu']:.2f} s "
            f"(parent {med['cpu']:.2f}, child {med['child_cpu']:.2f}); peaks parent "
            f"{max(r['peak_mib'] for r in runs):.0f} MiB, child {max(r['child_peak_mib'] for r in runs):.0f} MiB"
        )
    print(load_line() + "; same bytes every round")
    return 0


if __name__ == "__main__":
    sys.exit(main())
