"""Where the weekly CSV's time goes, in this process (CPU seconds, `time.process_time`; the collector off as the
export runs it), on a SQLite ledger:

    python -m tests.perf.weekly_parts bench-data/ledger-1000000-s1.sqlite3 [--week 2026-W43]
    python -m tests.perf.weekly_parts bench-data/ledger-100000-s1.sqlite3 --writers /tmp/base --rounds 5

It does not migrate the ledger (a migration of this checkout that main lacks would make main refuse bench-data's
ledger): the queries run without the indexes the ledger lacks, only slower. For the figures with migration 0015's
indexes, give it a COPY of the bench ledger migrated by this checkout.

The listed rows' SELECT (its plan; SQLite's own work, the same SELECT under count(*); fetched through the
driver; with the deal table scanned NOT INDEXED), the supporting departments' and the open problems' queries,
the week's events, the week-end KPIs (the three aggregates over the deal table; from crm.reporting.asof's kept
totals, as the table takes them), the KPIs now, the rows as crm.reporting.weekly streams them (as Row objects and
as RowBatches), the whole CSV written to a file. CPU is the process's, and this (the main) thread's beside it:
what a reader thread took off the main thread's path.

With --writers DIR: only the deal rows' CSV writing (exports.weekly_csv._write_rows, to a file, from the table's
rows held in a list: use a ledger whose rows fit in memory), this checkout's and DIR's in turn on the same
rows, --rounds times; it stops if the two files differ.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.perf.commands import WEEK


def _timed(label: str, work) -> None:
    c0, t0, m0 = time.process_time(), time.perf_counter(), time.thread_time()
    work()
    cpu, main = time.process_time() - c0, time.thread_time() - m0
    print(f"{label}: CPU {cpu:.2f} s (this thread {main:.2f} s), wall {time.perf_counter() - t0:.2f} s", flush=True)


def _count(con, sql: str, params: list) -> int:
    return sum(1 for _ in con.execute(sql, params))


def main(argv=None) -> int:
    """Print the parts' times."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db")
    parser.add_argument("--week", default=WEEK)
    parser.add_argument("--writers", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    gc.disable()
    if args.writers:
        return _writers(args)
    from crm.listing.filters import DealFilter
    from crm.reporting import kpi, weekly
    from crm.reporting.weekly_queries import (
        _listed_rows,
        _signed_blockers,
        _signed_funds,
        _signed_groups,
    )
    from crm.reporting.weekly_sums import _kept_week_end_kpis
    from db.connection import open_database
    from exports import weekly_text

    open_database(args.db, migrate_schema=False)  # the ledger the crm queries below read
    week, cohort = weekly.resolve_week(args.week), DealFilter()
    sql, params = _listed_rows(cohort, week.sunday, None, []).sql()
    params = [p.isoformat() if isinstance(p, datetime.date) else p for p in params]
    con = sqlite3.connect(args.db)
    for step in con.execute("EXPLAIN QUERY PLAN " + sql, params):
        print("plan:", step[-1])
    _timed("listed rows, SQLite's own work (count(*))", lambda: con.execute(f"SELECT count(*) FROM ({sql})", params))
    _timed("listed rows fetched", lambda: _count(con, sql, params))
    scanned = sql.replace('FROM "deal" AS "t1"', 'FROM "deal" AS "t1" NOT INDEXED')
    _timed("listed rows, deal table NOT INDEXED", lambda: _count(con, scanned, params))
    _timed("the week's events", lambda: weekly._Builder(week, cohort, datetime.date.today())._week_progress())
    listed = [row[0] for row in con.execute(sql, params)]
    _timed(
        "open problems, a batch of listed rows at a time (those with a blocker unresolved by Sunday)",
        lambda: _problems(listed, week.sunday),
    )
    _timed("week-end KPIs: groups", lambda: _signed_groups(cohort, week.sunday))
    _timed("week-end KPIs: funds", lambda: _signed_funds(cohort, week.sunday))
    _timed("week-end KPIs: blockers", lambda: _signed_blockers(cohort, week.sunday, week.next_monday))
    _timed("week-end KPIs from the kept totals", lambda: _kept_week_end_kpis(cohort, week))
    _timed("KPIs now", lambda: kpi.compute(cohort, today=datetime.date.today()))
    _timed("rows streamed", lambda: sum(1 for _ in weekly.stream(week).rows))
    if hasattr(weekly.WeeklyTable, "row_batches"):
        _timed("rows streamed as batches", lambda: sum(len(b) for b in weekly.stream(week).row_batches()))
    with tempfile.TemporaryDirectory(prefix="weekly-parts-") as tmp:
        _timed("whole CSV, to a file", lambda: _csv_file(weekly_text, weekly.stream(week), Path(tmp) / "w.csv"))
    return 0


def _problems(listed: list[int], sunday: datetime.date) -> None:
    """The open problems as crm.reporting.weekly asks for them: a batch of listed deals at a time, only those with
    a blocker not resolved by Sunday."""
    from crm.reporting import weekly
    from crm.reporting.weekly_queries import _fetch, _open_blockers, _unresolved_deals

    maybe = _unresolved_deals(sunday)
    for i in range(0, len(listed), weekly.BATCH):
        _fetch(_open_blockers(list(filter(maybe, listed[i : i + weekly.BATCH])), sunday))


def _csv_file(weekly_text, table, path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as out:
        weekly_text.write(table, "csv", out)


def _writers(args) -> int:
    """This checkout's and `args.writers`' _write_rows on the same rows, in turn."""
    import csv
    import importlib.util
    import inspect

    from crm.reporting import weekly
    from db.connection import open_database
    from exports import weekly_csv

    # the CSV writer's module: exports/weekly_csv.py since the twenty-third session, weekly_text.py before
    writer = next(p for p in ("weekly_csv.py", "weekly_text.py") if (args.writers / "exports" / p).exists())
    spec = importlib.util.spec_from_file_location("other_text", args.writers / "exports" / writer)
    other = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(other)
    open_database(args.db, migrate_schema=False)
    rows = weekly.build(weekly.resolve_week(args.week)).rows
    times: dict[str, list[float]] = {"this checkout": [], str(args.writers): []}
    with tempfile.TemporaryDirectory(prefix="weekly-writers-") as tmp:
        for _round in range(args.rounds):
            files = []
            for (name, module), path in zip(zip(times, (weekly_csv, other)), ("a.csv", "b.csv")):
                files.append(Path(tmp) / path)
                with open(files[-1], "w", encoding="utf-8", newline="") as out:
                    c0 = time.process_time()
                    # a stream since the eleventh session (lines joined), a csv.writer before
                    takes_stream = "out" in inspect.signature(module._write_rows).parameters
                    target = out if takes_stream else csv.writer(out, lineterminator="\r\n")
                    module._write_rows(rows, target, None, len(rows))
                    times[name].append(time.process_time() - c0)
            if files[0].read_bytes() != files[1].read_bytes():
                raise SystemExit("the two writers wrote different files")
    for name, runs in times.items():
        print(
            f"{name}: deal rows written, CPU median {statistics.median(runs):.3f} s ({len(rows)} rows, "
            f"{' '.join(f'{r:.3f}' for r in runs)})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
