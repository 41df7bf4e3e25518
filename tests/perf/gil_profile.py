"""Who holds Python's GIL while `crm import` runs, and in what (issue 16): py-spy sampling the GIL's holder.

    python -m tests.perf.gil_profile FILE [--rate 250] [--top 40]

Imports FILE into a new SQLite ledger in a fresh process under `py-spy record --gil --threads` (only the
thread holding the GIL is sampled: a thread in SQLite or calamine without it is not), then prints the
import's wall time, the seconds some thread held the GIL (samples ÷ rate) by thread, and the seconds under
each function of the project (inclusive, then its own). A GIL held for most of the wall time means the
import's threads take turns: its speed is the Python work of one thread.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _key(frame: str) -> str:
    """'function (file)' of a py-spy frame 'function (file:line)', the file relative to the checkout."""
    if " (" not in frame:
        return frame
    name, where = frame.split(" (", 1)
    return f"{name} ({where.rsplit(':', 1)[0].replace(str(ROOT) + '/', '')})"


def sampled(raw: Path) -> tuple[int, Counter, Counter, Counter]:
    """(samples, by thread, inclusive by function, own by function) of py-spy's raw output."""
    total, threads, inclusive, own = 0, Counter(), Counter(), Counter()
    for line in raw.read_text().splitlines():
        stack, count = line.rsplit(" ", 1)
        n = int(count)
        frames = stack.split(";")
        total += n
        threads[frames[0].split("): ", 1)[-1]] += n  # "thread (ID): NAME"
        own[_key(frames[-1])] += n
        for key in {_key(f) for f in frames[1:]}:
            inclusive[key] += n
    return total, threads, inclusive, own


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--rate", type=int, default=250, help="samples a second")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args(argv)
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not os.path.exists(spy):
        print("py-spy is not installed (pip install py-spy)", file=sys.stderr)
        return 2
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CRM_USER": "bench"}
    with tempfile.TemporaryDirectory(prefix="crm-gil-") as tmp:
        db, raw = f"{tmp}/new.sqlite3", Path(tmp) / "raw.txt"
        subprocess.run(
            [sys.executable, "-m", "app", "--db", db, "init"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        started = time.perf_counter()
        subprocess.run(
            [spy, "record", "--gil", "--threads", "-r", str(args.rate), "-f", "raw", "-o", str(raw), "--",
             sys.executable, "-m", "app", "--db", db, "import", args.file],
            cwd=ROOT, env=env, check=True, capture_output=True,
        )  # fmt: skip
        wall = time.perf_counter() - started
        total, threads, inclusive, own = sampled(raw)
    rate = args.rate
    print(f"wall {wall:.2f} s (sampled); the GIL held {total / rate:.2f} s ({total / rate / wall:.0%} of the wall)")
    print("by thread: " + ", ".join(f"{name} {n / rate:.2f} s" for name, n in threads.most_common()))
    print("inclusive (the project's functions):")
    ours = [(k, n) for k, n in inclusive.most_common() if any(f"({d}/" in k for d in PACKAGES)]
    for key, n in ours[: args.top]:
        print(f"  {n / rate:6.2f} s  {key}")
    print("own time (any function):")
    for key, n in own.most_common(args.top // 2):
        print(f"  {n / rate:6.2f} s  {key}")
    return 0


PACKAGES = ("crm", "db", "cli", "exports")

if __name__ == "__main__":
    sys.exit(main())
