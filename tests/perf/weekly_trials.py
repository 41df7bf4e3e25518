"""The weekly CSV's trials of the ninth session (BENCHMARKS.md), in this process, on a SQLite ledger:

    python -m tests.perf.weekly_trials listed bench-data/ledger-1000000-s1.sqlite3 [--create-index SQL]
    python -m tests.perf.weekly_trials thread bench-data/ledger-100000-s1.sqlite3 --rounds 5
    python -m tests.perf.weekly_trials columns bench-data/ledger-1000000-s1.sqlite3 --rounds 3

listed: the listed rows' SELECT (its plan; SQLite's own work, under count(*); fetched through the driver), twice;
with --create-index, after running that CREATE INDEX on the ledger — give it a COPY of a bench ledger.
thread: the whole CSV with the listed rows fetched by db.reading's reader thread and in this thread, alternated.
columns: exports.weekly_text._write_batches against csv.writer.writerows over the same rows as lists of str,
alternated, then the time of each column's text (the table's RowBatches held in memory).
CPU is time.process_time; the collector is off, as the export runs it.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import gc
import os
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from tests.perf.commands import WEEK


def _listed(args) -> None:
    from crm.listing.filters import DealFilter
    from crm.reporting import weekly
    from crm.reporting.weekly_queries import _listed_rows

    week = weekly.resolve_week(args.week)
    sql, params = _listed_rows(DealFilter(), week.sunday, None, []).sql()
    params = [p.isoformat() if isinstance(p, datetime.date) else p for p in params]
    con = sqlite3.connect(args.db)
    if args.create_index:
        t0, c0 = time.perf_counter(), time.process_time()
        con.execute(args.create_index)
        con.commit()
        print(f"index made: {time.perf_counter() - t0:.1f} s wall, {time.process_time() - c0:.1f} s CPU")
    for step in con.execute("EXPLAIN QUERY PLAN " + sql, params):
        print("plan:", step[-1])
    for _round in range(args.rounds):
        c0 = time.process_time()
        con.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()
        own = time.process_time() - c0
        c0 = time.process_time()
        n = sum(1 for _ in con.execute(sql, params))
        print(f"listed rows: SQLite's own work {own:.2f} s, fetched {time.process_time() - c0:.2f} s CPU ({n} rows)")


def _thread(args) -> None:
    from crm.reporting import weekly
    from db import reading
    from exports import weekly_text

    week = weekly.resolve_week(args.week)
    ahead = reading.batches_ahead
    runs: dict[str, list[tuple[float, float]]] = {"reader thread": [], "this thread": []}
    for _round in range(args.rounds):
        for name, threaded in (("reader thread", True), ("this thread", False)):
            weekly.batches_ahead = lambda *a, threaded=threaded, **k: ahead(*a, threaded=threaded, **k)
            t0, c0 = time.perf_counter(), time.process_time()
            with open(Path(args.out), "w", encoding="utf-8", newline="") as out:
                weekly_text.write(weekly.stream(week), "csv", out)
            runs[name].append((time.perf_counter() - t0, time.process_time() - c0))
            print(f"{name}: {runs[name][-1][0]:.2f} s wall, CPU {runs[name][-1][1]:.2f} s", flush=True)
    weekly.batches_ahead = ahead
    for name, found in runs.items():
        wall, cpu = statistics.median(r[0] for r in found), statistics.median(r[1] for r in found)
        print(f"median {name}: {wall:.2f} s wall, CPU {cpu:.2f} s")


def _columns(args) -> None:
    from crm.reporting import weekly
    from exports import weekly_text as text

    batches = list(weekly.stream(weekly.resolve_week(args.week)).row_batches())
    rows = [list(r) for b in batches for r in text._CsvColumns().rows(b)]
    for _round in range(args.rounds):
        with open(Path(args.out), "w", encoding="utf-8", newline="") as out:
            c0 = time.process_time()
            text._write_batches(batches, csv.writer(out, lineterminator="\r\n"), None, 0)
            ours = time.process_time() - c0
        with open(Path(args.out), "w", encoding="utf-8", newline="") as out:
            c0 = time.process_time()
            csv.writer(out, lineterminator="\r\n").writerows(rows)
            print(f"deal rows' CSV: ours {ours:.3f} s, csv.writer {time.process_time() - c0:.3f} s CPU", flush=True)
    columns, spent = text._CsvColumns(), {}

    def timed(key, make):
        c0 = time.process_time()
        made = list(make())
        spent[key] = spent.get(key, 0) + time.process_time() - c0
        return made

    with open(Path(args.out), "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        for b in batches:
            _write_timed(b, columns, writer, timed)
    print(" ".join(f"{k} {v:.3f}" for k, v in spent.items()))


def _write_timed(b, columns, writer, timed) -> None:
    """One RowBatch written as _write_batches writes it, each column's text timed by `timed`."""
    from exports import weekly_layout as layout
    from exports import weekly_text as text

    names = columns.names.__getitem__
    made = [
        b.seq,
        *(timed(k, lambda k=k: text._text_column(getattr(b, k))) for k in ("code", "name", "investor")),
        timed("region", lambda: map(names, b.region)),
        timed("industry", lambda: map(columns.industries.__getitem__, zip(b.industry, b.sub_industry))),
        timed("event", lambda: map(names, b.event)),
        timed("signed_on", lambda: map(columns.days.__getitem__, b.signed_on)),
        timed("amount", lambda: columns.own.column(b.amount)),
        timed("amount_cny", lambda: map(columns.yi.__getitem__, b.amount_cny)),
        timed("stage", lambda: map(columns.stages.__getitem__, b.stage)),
        timed(
            "progress",
            lambda: (text._cell_text(layout.progress_text(text._Listed(p, []))) if p else "" for p in b.progress),
        ),
        timed(
            "problems",
            lambda: (text._cell_text(layout.problems_text(text._Listed([], p))) if p else "" for p in b.problems),
        ),
        timed("lead_unit", lambda: map(names, b.lead_unit)),
        timed("supporting", lambda: map(columns.supporting.__getitem__, b.supporting)),
        timed("liaison", lambda: map(names, b.liaison)),
    ]
    together = timed("zip", lambda: zip(*made))
    timed("csv.writer", lambda: [writer.writerows(together)])


def main(argv=None) -> int:
    """Run one trial; the figures go to stdout."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trial", choices=("listed", "thread", "columns"))
    parser.add_argument("db")
    parser.add_argument("--week", default=WEEK)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--create-index")
    parser.add_argument("--out", default="/tmp/weekly-trials.csv")
    args = parser.parse_args(argv)
    gc.disable()
    from db.connection import open_database

    open_database(args.db, migrate_schema=False)
    print(f"load average at start: {os.getloadavg()[0]:.2f}", flush=True)
    {"listed": _listed, "thread": _thread, "columns": _columns}[args.trial](args)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
