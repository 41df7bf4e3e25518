"""How much room ≤ 3× the reader leaves an import (issue 16): the least any import of the file can do, step by step.

    python -m tests.perf.import_floor FILE [--rounds 5]

Each step runs in a fresh process (as the floor of `make bench` does) and adds one thing every import must do
to the one before, none of it the project's code:

1. read: python-calamine reading every cell (the floor `make bench` divides by);
2. + one str() and strip() per cell (the least a check of a cell costs);
3. + the rows' values as one tuple a row, written with executemany into a new SQLite table of those columns in
   one transaction (no index, no trigger: the least a write costs);
4. + a second and a third row per deal (its first ledger entry and its audit entry, as an import must write).

Prints the median wall time of each step and its ratio to step 1. FILE: e.g. bench-data/county-100000.xlsx
(tests/perf/import_speed.py builds it).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time

STEPS = {
    "read every cell (python-calamine)": 1,
    "+ str() and strip() of each cell": 2,
    "+ executemany of the rows into SQLite": 3,
    "+ a ledger entry and an audit entry a row": 4,
}

#: One step in a fresh process: argv FILE STEP DB (timed from outside: the whole process, as the bench's floor).
SCRIPT = r"""
import sys
from python_calamine import CalamineWorkbook
path, step, db = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
if step >= 2:
    rows = [tuple(str(v).strip() for v in row) for row in rows]
if step >= 3:
    import sqlite3
    con = sqlite3.connect(db, isolation_level=None)
    width = max(len(r) for r in rows)
    rows = [r + ("",) * (width - len(r)) for r in rows]
    cols = ", ".join(f"c{i}" for i in range(width))
    marks = ", ".join("?" for _ in range(width))
    con.execute("BEGIN")
    con.execute(f"CREATE TABLE deal (id INTEGER PRIMARY KEY, {cols})")
    con.executemany(f"INSERT INTO deal ({cols}) VALUES ({marks})", rows)
    if step >= 4:
        con.execute("CREATE TABLE entry (id INTEGER PRIMARY KEY, deal INTEGER, stage TEXT, day TEXT, actor TEXT)")
        con.execute("CREATE TABLE audit (id INTEGER PRIMARY KEY, deal INTEGER, what TEXT, actor TEXT, at TEXT)")
        con.executemany(
            "INSERT INTO entry (deal, stage, day, actor) VALUES (?, ?, ?, ?)",
            ((n, r[9], r[7], "import") for n, r in enumerate(rows, 1)),
        )
        con.executemany(
            "INSERT INTO audit (deal, what, actor, at) VALUES (?, ?, ?, ?)",
            ((n, "created", "import", r[7]) for n, r in enumerate(rows, 1)),
        )
    con.execute("COMMIT")
"""


def measure(path: str, rounds: int) -> dict[str, float]:
    """{step: median wall seconds over `rounds` fresh processes}."""
    out = {}
    for label, step in STEPS.items():
        samples = []
        for _ in range(rounds):
            with tempfile.TemporaryDirectory(prefix="crm-floor-") as tmp:
                started = time.perf_counter()
                subprocess.run([sys.executable, "-c", SCRIPT, path, str(step), f"{tmp}/floor.sqlite3"], check=True)
                samples.append(time.perf_counter() - started)
        out[label] = statistics.median(samples)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    got = measure(args.file, args.rounds)
    first = next(iter(got.values()))
    for label, seconds in got.items():
        print(f"{label:45} {seconds:6.2f} s  {seconds / first:4.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
