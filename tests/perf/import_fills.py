"""What a first import's fills cost by how many new deals each statement fills (crm.importing.aside.FILL_EVERY).

    python -m tests.perf.import_fills FILE [--steps 1000,5000,25000]

Imports FILE (an xlsx, e.g. one tests/perf/import_speed.py keeps with `--keep DIR`) into a new SQLite ledger in
a fresh process, then, in one transaction rolled back at the end, empties each table a first import fills after
its batches (the as-of stage steps, the blockers' days, the search index) and fills it again from the deals, a
statement per STEP deals, for each step: the CPU seconds of each. Also the deal INSERTs themselves, a batch of
1,000 at a time as the import writes them, with the search index's trigger and without it. Run from a tree, it
measures that tree's statements (cwd first on sys.path).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def fills() -> dict:
    """{name: SQL with :lo and :hi} of the fills compared."""
    from crm.importing import aside
    from db import stage_days

    return {
        "stage steps (deal_stage_days)": stage_days.new_deals_stage_fill(),
        "blockers' days (deal_event_days)": stage_days.events_fill_between(),
        "search index (deal_search)": aside._SEARCH_FILL + "WHERE id BETWEEN :lo AND :hi",
    }


_EMPTY = {
    "stage steps (deal_stage_days)": "DELETE FROM deal_stage_days",
    "blockers' days (deal_event_days)": "DELETE FROM deal_event_days",
    "search index (deal_search)": "INSERT INTO deal_search(deal_search) VALUES ('delete-all')",
}


def measure(ledger: Path, steps: list[int]) -> list[str]:
    """One line per fill and step: the CPU seconds of filling every deal of `ledger` a step at a time."""
    out = []
    db = sqlite3.connect(str(ledger), isolation_level=None)
    try:
        top = db.execute("SELECT max(id) FROM deal").fetchone()[0]
        db.execute("BEGIN IMMEDIATE")
        db.execute("PRAGMA cache_size = -16384")  # the import's while the deal indexes are set aside
        for name, sql in fills().items():
            for step in steps:
                db.execute("SAVEPOINT s")
                db.execute(_EMPTY[name])
                start = time.process_time()
                for lo in range(1, top + 1, step):
                    db.execute(sql, {"lo": lo, "hi": lo + step - 1})
                out.append(f"{name}, {step:,} deals a statement: {time.process_time() - start:.2f} CPU s")
                db.execute("ROLLBACK TO s")
                db.execute("RELEASE s")
        out += _inserts(db, top)
        db.execute("ROLLBACK")
    finally:
        db.close()
    return out


def _inserts(db, top: int) -> list[str]:
    """The deals written again, 1,000 a statement, with the search index's trigger and without."""
    columns = [r[1] for r in db.execute("PRAGMA table_info(deal)")]
    rows = db.execute(f"SELECT {', '.join(columns)} FROM deal ORDER BY id").fetchall()
    out = []
    for trigger in (True, False):
        db.execute("SAVEPOINT s")
        names = db.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('trigger', 'index') AND tbl_name = 'deal' "
            "AND sql IS NOT NULL AND name <> 'deal_code'" + (" AND name <> 'deal_search_insert'" if trigger else "")
        ).fetchall()
        for (name,) in names:  # as a first import writes them: plain indexes and the kept totals' triggers aside
            kind = db.execute("SELECT type FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
            db.execute(f'DROP {kind.upper()} "{name}"')
        db.execute("DELETE FROM deal")
        db.execute("INSERT INTO deal_search(deal_search) VALUES ('delete-all')")
        one = "(" + ", ".join("?" * len(columns)) + ")"
        start = time.process_time()
        for at in range(0, len(rows), 1000):
            part = rows[at : at + 1000]
            db.execute(
                f"INSERT INTO deal ({', '.join(columns)}) VALUES {', '.join([one] * len(part))}",
                [v for row in part for v in row],
            )
        took = time.process_time() - start
        out.append(
            f"deal INSERTs, 1,000 a statement, {'with' if trigger else 'without'} the search trigger: {took:.2f}"
        )
        db.execute("ROLLBACK TO s")
        db.execute("RELEASE s")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--steps", default="1000,5000,25000")
    args = parser.parse_args(argv)
    sys.path.insert(0, os.getcwd())  # the tree it is run from
    steps = [int(s) for s in args.steps.split(",")]
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "CRM_USER": "bench"}
    with tempfile.TemporaryDirectory(prefix="crm-fills-") as tmp:
        ledger = Path(tmp) / "ledger.sqlite3"
        for command in (["init"], ["import", str(args.file)]):
            subprocess.run(
                [sys.executable, "-m", "app", "--db", str(ledger), *command], check=True, env=env, capture_output=True
            )
        for line in measure(ledger, steps):
            print(line)
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
