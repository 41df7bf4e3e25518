"""The weekly CSV's trials of the ninth and tenth sessions (BENCHMARKS.md), in this process, on a SQLite ledger:

    python -m tests.perf.weekly_trials listed bench-data/ledger-1000000-s1.sqlite3 [--create-index SQL]
    python -m tests.perf.weekly_trials thread bench-data/ledger-100000-s1.sqlite3 --rounds 5
    python -m tests.perf.weekly_trials columns bench-data/ledger-1000000-s1.sqlite3 --rounds 3
    python -m tests.perf.weekly_trials events /tmp/COPY.sqlite3
    python -m tests.perf.weekly_trials problems /tmp/COPY.sqlite3 --rounds 2
    python -m tests.perf.weekly_trials amounts /tmp/COPY.sqlite3 --kept 10000,120000
    python -m tests.perf.weekly_trials pgplan bench-data/ledger-1000000-s1.pgdump

No trial migrates the ledger it is given (this checkout's queries run without the indexes of migration 0015, only
slower): bench-data's ledger shows them without those indexes, a COPY migrated by this checkout with them.

listed: the listed rows' SELECT (its plan; SQLite's own work, under count(*); fetched through the driver), twice;
with --create-index, after running that CREATE INDEX on the ledger — give it a COPY of a bench ledger.
thread: the whole CSV with the listed rows fetched by db.reading's reader thread and in this thread, alternated.
columns: exports.weekly_csv._write_batches against csv.writer.writerows over the same rows as lists of str (read back),
alternated, then the time of each column's text (the table's RowBatches held in memory).
events: each query of the week's events (stage entries, funds, progress, blockers) and the supporting
departments', with its plan and CPU time.
problems: the open problems of the listed rows a batch at a time, every listed deal asked against only those with
a blocker not resolved by Sunday (crm.reporting.weekly_queries._unresolved_deals), alternated; the same rows.
amounts: the whole CSV with crm.reporting.weekly's and exports.weekly_csv's AMOUNTS_KEPT at each --kept value,
counting the calls of layout.own_exact and layout.yi_exact (each distinct amount's text made again when its
cache had been emptied).
pgplan: the dump restored into a throwaway PostgreSQL server, migrated by this checkout and analysed; the plans
(EXPLAIN ANALYZE) of the listed rows, the week's funds and blockers and the unresolved blockers' deals.
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
            # the table passes its own `threaded` (crm.reporting.weekly_split.reader_threads): this one wins
            weekly.batches_ahead = lambda *a, _forced=threaded, **k: ahead(*a, **{**k, "threaded": _forced})
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
    from exports import weekly_csv as text

    batches = list(weekly.stream(weekly.resolve_week(args.week)).row_batches())
    rows: list[list[str]] = []
    for _round in range(args.rounds):
        with open(Path(args.out), "w", encoding="utf-8", newline="") as out:
            c0 = time.process_time()
            text._write_batches(batches, out, None, 0)
            ours = time.process_time() - c0
        if not rows:  # the cells csv.writer writes: the rows read back
            with open(Path(args.out), encoding="utf-8", newline="") as written:
                rows = list(csv.reader(written))
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
        for b in batches:
            _write_timed(b, columns, out, timed)
    print(" ".join(f"{k} {v:.3f}" for k, v in spent.items()))


def _plan_and_time(con, name: str, query) -> None:
    sql, params = query.sql()
    params = [p.isoformat() if isinstance(p, datetime.date) else p for p in params]
    for step in con.execute("EXPLAIN QUERY PLAN " + sql, params):
        print("  plan:", step[-1])
    c0 = time.process_time()
    n = len(con.execute(sql, params).fetchall())
    print(f"{name}: CPU {time.process_time() - c0:.3f} s ({n} rows)", flush=True)


def _events(args) -> None:
    from crm.reporting import weekly
    from crm.reporting import weekly_queries as q
    from db.models import Progress, StageChange

    week = weekly.resolve_week(args.week)
    monday, sunday = week.monday, week.sunday
    con = sqlite3.connect(args.db)
    entries = StageChange.select(StageChange.deal, StageChange.to_stage, StageChange.effective_on, StageChange.id)
    _plan_and_time(con, "stage entries", entries.where(StageChange.effective_on.between(monday, sunday)))
    _plan_and_time(con, "funds", q._week_funds(None, monday, sunday))
    _plan_and_time(
        con, "progress", Progress.select(Progress.deal, Progress.text).where(Progress.on.between(monday, sunday))
    )
    _plan_and_time(con, "blockers", q._week_blockers(None, monday, sunday))


def _problems(args) -> None:
    from crm.listing.filters import DealFilter
    from crm.reporting import weekly
    from crm.reporting.weekly_queries import _fetch, _listed_rows, _open_blockers, _unresolved_deals

    week = weekly.resolve_week(args.week)
    sql, params = _listed_rows(DealFilter(), week.sunday, None, []).sql()
    params = [p.isoformat() if isinstance(p, datetime.date) else p for p in params]
    listed = [row[0] for row in sqlite3.connect(args.db).execute(sql, params)]
    size = weekly.BATCH
    for _round in range(args.rounds):
        c0 = time.process_time()
        every = [_fetch(_open_blockers(listed[i : i + size], week.sunday)) for i in range(0, len(listed), size)]
        asked_all = time.process_time() - c0
        c0 = time.process_time()
        maybe = _unresolved_deals(week.sunday)
        some = [
            _fetch(_open_blockers(list(filter(maybe, listed[i : i + size])), week.sunday))
            for i in range(0, len(listed), size)
        ]
        print(
            f"open problems: every listed deal asked {asked_all:.3f} s, only those with a blocker unresolved by "
            f"Sunday {time.process_time() - c0:.3f} s CPU; the same rows: {every == some}",
            flush=True,
        )


def _amounts(args) -> None:
    from crm.reporting import weekly
    from exports import weekly_csv, weekly_layout, weekly_text

    made: dict[str, int] = {}
    for name in ("own_exact", "yi_exact"):
        original = getattr(weekly_layout, name)

        def counted(value, original=original, name=name):
            made[name] = made.get(name, 0) + 1
            return original(value)

        setattr(weekly_layout, name, counted)
    for kept in [int(k) for k in args.kept.split(",")]:
        weekly.AMOUNTS_KEPT = weekly_csv.AMOUNTS_KEPT = kept
        made.clear()
        c0 = time.process_time()
        with open(Path(args.out), "w", encoding="utf-8", newline="") as out:
            weekly_text.write(weekly.stream(weekly.resolve_week(args.week)), "csv", out)
        print(f"AMOUNTS_KEPT {kept}: {made}, whole CSV CPU {time.process_time() - c0:.2f} s", flush=True)


def _pg_plans(args) -> None:
    import subprocess

    from crm.listing.filters import DealFilter
    from crm.reporting import weekly
    from crm.reporting import weekly_queries as q
    from db.connection import open_database
    from db.models import Blocker, database
    from tests.perf.ledgers import postgres_cluster

    cluster = postgres_cluster()
    try:
        url = cluster.create_database("weekly_plans")
        target = ["-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "-d", "weekly_plans"]
        t0 = time.perf_counter()
        subprocess.run([str(cluster.bin_dir / "pg_restore"), *target, "-j", "2", "--no-owner", args.db], check=True)
        open_database(url)
        print(f"restored and migrated in {time.perf_counter() - t0:.1f} s", flush=True)
        subprocess.run([str(cluster.bin_dir / "psql"), *target, "-q", "-c", "VACUUM ANALYZE"], check=True)
        week = weekly.resolve_week(args.week)
        unresolved = Blocker.resolved_on.is_null(True) | (Blocker.resolved_on > week.sunday)
        for name, query in (
            ("listed rows", q._listed_rows(DealFilter(), week.sunday, None, [])),
            ("funds", q._week_funds(None, week.monday, week.sunday)),
            ("blockers", q._week_blockers(None, week.monday, week.sunday)),
            ("unresolved blockers' deals", Blocker.select(Blocker.deal).where(unresolved)),
        ):
            sql, params = query.sql()
            print(f"{name}:")
            for (line,) in database.execute_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).fetchall():
                print("  ", line)
    finally:
        database.close()
        cluster.stop()


def _write_timed(b, columns, out, timed) -> None:
    """One RowBatch written as _write_batches writes it, each column's text timed by `timed`."""
    from exports import weekly_csv as text
    from exports import weekly_layout as layout

    names = columns.names.__getitem__
    made = [
        timed("seq", lambda: map(str, b.seq)),
        *(timed(k, lambda k=k: text._csv_column(getattr(b, k))) for k in ("code", "name", "investor")),
        timed("region", lambda: map(names, b.region)),
        timed("industry", lambda: map(columns.industries.__getitem__, zip(b.industry, b.sub_industry))),
        timed("event", lambda: map(names, b.event)),
        timed("signed_on", lambda: map(columns.days.__getitem__, b.signed_on)),
        timed("amount", lambda: columns.own.column(b.amount)),
        timed("amount_cny", lambda: map(columns.yi.__getitem__, b.amount_cny)),
        timed("stage", lambda: map(columns.stages.__getitem__, b.stage)),
        timed(
            "progress",
            lambda: (
                text._quoted(text._cell_text(layout.progress_text(text._Listed(p, [])))) if p else ""
                for p in b.progress
            ),
        ),
        timed("problems", lambda: (columns.problems.text(p) if p else "" for p in b.problems)),
        timed("lead_unit", lambda: map(names, b.lead_unit)),
        timed("supporting", lambda: map(columns.supporting.__getitem__, b.supporting)),
        timed("liaison", lambda: map(names, b.liaison)),
    ]
    lines = timed("lines", lambda: map(",".join, zip(*made)))
    timed("write", lambda: [out.write("\r\n".join(lines) + "\r\n")])


def main(argv=None) -> int:
    """Run one trial; the figures go to stdout."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trial", choices=("listed", "thread", "columns", "events", "problems", "amounts", "pgplan"))
    parser.add_argument("db")
    parser.add_argument("--week", default=WEEK)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--create-index")
    parser.add_argument("--out", default="/tmp/weekly-trials.csv")
    parser.add_argument("--kept", default="10000,120000")
    args = parser.parse_args(argv)
    gc.disable()
    if args.trial == "pgplan":
        _pg_plans(args)
        return 0
    from db.connection import open_database

    open_database(args.db, migrate_schema=False)
    print(f"load average at start: {os.getloadavg()[0]:.2f}", flush=True)
    trials = {"listed": _listed, "thread": _thread, "columns": _columns, "events": _events}
    trials.update(problems=_problems, amounts=_amounts)
    trials[args.trial](args)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
