"""When each step of a split weekly CSV happens, from the process's start (crm.reporting.weekly_split).

    python -m tests.perf.weekly_timeline LEDGER [--rounds 3] [--tree DIR …] [--week 2026-W43]

Each round runs `crm export weekly --format csv` in a fresh process of each checkout given (this one by default,
alternated when several are given) with the split forced (CRM_WEEKLY_SPLIT=1), and prints the seconds since the
process was spawned at which: the entry point was imported, the child was forked (what both processes need was
read by then), the parent's rows and the child's were done, the child's result was taken, and app.main returned;
and the wall time. Nothing is written to LEDGER (a SQLite file or a PostgreSQL URL).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.perf import bench
from tests.perf.commands import WEEK
from tests.perf.timing import load_line

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json, os, sys, time
marks = {}
sys.argv[0] = "crm"
from crm.reporting import weekly_split
from db import forking
child_file = os.environ["TIMELINE_CHILD"]
fork = forking.SharedSnapshot.fork
def timed_fork(self):
    marks["forked"] = time.time()
    pid = fork(self)
    if pid == 0:
        marks.clear()
    return pid
forking.SharedSnapshot.fork = timed_fork
run_child = weekly_split.Part.run_child
def timed_run_child(self, *args, **kwargs):
    try:
        return run_child(self, *args, **kwargs)
    finally:
        with open(child_file, "w") as out:
            json.dump({"child rows done": time.time()}, out)
weekly_split.Part.run_child = timed_run_child
ready, result = weekly_split.Part.ready, weekly_split.Part.result
def timed_ready(self):
    marks["parent rows done"] = time.time()
    return ready(self)
def timed_result(self):
    found = result(self)
    marks["child's result taken"] = time.time()
    return found
weekly_split.Part.ready, weekly_split.Part.result = timed_ready, timed_result
import app
marks["imported"] = time.time()
code = app.main(sys.argv[1:])
marks["main returned"] = time.time()
sys.stderr.write("TIMELINE " + json.dumps(marks) + "\n")
sys.exit(code)
"""

STEPS = ["imported", "forked", "parent rows done", "child rows done", "child's result taken", "main returned"]


def _round(tree: Path, ledger: str, week: str, folder: Path) -> dict[str, float]:
    child_file = folder / "child.json"
    child_file.unlink(missing_ok=True)
    argv = ["--db", ledger, "export", "weekly", "--week", week, "--format", "csv", "-o", str(folder / "w.csv")]
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "CRM_USER": "bench",
        "CRM_WEEKLY_SPLIT": "1",
        "TIMELINE_CHILD": str(child_file),
    }
    spawned = time.time()
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *argv, "--force"], cwd=tree, env=env, capture_output=True, text=True
    )
    wall = time.time() - spawned
    if done.returncode != 0:
        raise SystemExit(done.stderr.strip()[-300:])
    marks = json.loads([x for x in done.stderr.splitlines() if x.startswith("TIMELINE ")][-1][9:])
    if child_file.exists():
        marks.update(json.loads(child_file.read_text()))
    return {**{k: v - spawned for k, v in marks.items()}, "wall": wall}


def checkout_arguments(parser: argparse.ArgumentParser) -> None:
    """The ledger, --rounds, --tree (repeated) and --week: what the tools that time checkouts' weekly CSV take."""
    parser.add_argument("ledger")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tree", action="append", type=Path, help="a checkout to run (repeat; default: this one)")
    parser.add_argument("--week", default=WEEK)


def checkouts(args: argparse.Namespace) -> list[Path]:
    """The checkouts given (this one by default), each with its bytecode written: a fresh worktree has none, and
    each run would compile every module."""
    trees = [t.resolve() for t in args.tree] if args.tree else [ROOT]
    for tree in trees:
        bench.compile_bytecode(tree)
    return trees


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    checkout_arguments(parser)
    args = parser.parse_args(argv)
    trees = checkouts(args)
    ledger = args.ledger if "://" in args.ledger else str(Path(args.ledger).resolve())
    print(load_line(), flush=True)
    found: dict[Path, list[dict[str, float]]] = {t: [] for t in trees}
    with tempfile.TemporaryDirectory(prefix="weekly-timeline-") as tmp:
        for n in range(args.rounds):
            for tree in trees:
                steps = _round(tree, ledger, args.week, Path(tmp))
                found[tree].append(steps)
                shown = "  ".join(f"{k} {steps[k]:.2f}" for k in STEPS if k in steps)
                print(f"round {n + 1} {tree}: {shown}  wall {steps['wall']:.2f} s", flush=True)
    for tree, rounds in found.items():
        medians = "  ".join(
            f"{k} {statistics.median(r[k] for r in rounds if k in r):.2f}"
            for k in [*STEPS, "wall"]
            if any(k in r for r in rounds)
        )
        print(f"median {tree}: {medians}")
    print(load_line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
