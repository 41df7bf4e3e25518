"""What a split weekly CSV does after its rows (crm.reporting.weekly_split, exports.weekly_csv_split), step by step.

    python -m tests.perf.weekly_tail LEDGER [--rounds 3] [--tree DIR …] [--week 2026-W43]

Each round runs `crm export weekly --format csv -o FILE --force` (FILE there from the round before, as in
`make bench`) in a fresh process of each checkout given (this one by default, alternated), the split forced
(CRM_WEEKLY_SPLIT=1), and prints the seconds each of these took, and when it ended from the process's start:
waiting for the child's result, appending the child's rows (SecondRange.append_to), the summary tables
(csv_tail), closing the file (weekly_files.write_weekly's `with`: the file system's writeback on close included),
its fsync and its os.replace over the old file. Nothing is written to LEDGER (a SQLite file or a PostgreSQL URL).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.perf.timing import load_line
from tests.perf.weekly_timeline import checkout_arguments, checkouts

#: One export: argv LEDGER WEEK OUT; prints {step: [start, seconds]} as JSON.
SCRIPT = r"""
import json, os, sys, time
sys.argv[0] = "crm"
start = time.perf_counter()
steps = {}
def timed(owner, name, step):
    inner = getattr(owner, name)
    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            steps.setdefault(step, [t - start, 0.0])[1] += time.perf_counter() - t
    setattr(owner, name, wrapper)
from crm.reporting import weekly_split
from exports import weekly_csv, weekly_csv_split, weekly_text
timed(weekly_split.Part, "result", "child's result")
timed(weekly_csv_split.SecondRange, "append_to", "append")
timed(weekly_csv, "csv_tail", "summary")
timed(os, "fsync", "fsync")
timed(os, "replace", "replace")
written = weekly_text.write
def write(*args, **kwargs):
    written(*args, **kwargs)
    steps["rows and summary written"] = [time.perf_counter() - start, 0.0]
weekly_text.write = write
import app
code = app.main(["--db", sys.argv[1], "export", "weekly", "--week", sys.argv[2], "--format", "csv", "-o", sys.argv[3], "--force"])
end = time.perf_counter() - start
closed = steps["fsync"][0] - steps["rows and summary written"][0]  # the file closed, the target checked
steps["close"] = [steps["rows and summary written"][0], closed]
steps["end"] = [end, 0.0]
print(json.dumps(steps))
sys.exit(code)
"""

ORDER = ("child's result", "append", "summary", "close", "fsync", "replace", "end")


def _round(tree: Path, ledger: str, week: str, out: Path) -> dict[str, list[float]]:
    env = {**os.environ, "CRM_WEEKLY_SPLIT": "1", "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, ledger, week, str(out)], cwd=tree, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"{tree}: the export failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _line(steps: dict[str, list[float]]) -> str:
    return "  ".join(f"{step} {steps[step][1]:.3f} (ends {sum(steps[step]):.2f})" for step in ORDER[:-1]) + (
        f"  end {steps['end'][0]:.2f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    checkout_arguments(parser)
    args = parser.parse_args(argv)
    trees = checkouts(args)
    print(load_line(), flush=True)
    found: dict[Path, list[dict[str, list[float]]]] = {t: [] for t in trees}
    with tempfile.TemporaryDirectory(prefix="weekly-tail-") as tmp:
        for n in range(args.rounds):
            for tree in trees:
                steps = _round(tree, args.ledger, args.week, Path(tmp) / "weekly.csv")
                found[tree].append(steps)
                print(f"round {n + 1} {tree}: {_line(steps)}", flush=True)
    for tree, rounds in found.items():
        medians = {step: [statistics.median(r[step][i] for r in rounds) for i in (0, 1)] for step in ORDER}
        print(f"median {tree}: {_line(medians)}")
    print(load_line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
