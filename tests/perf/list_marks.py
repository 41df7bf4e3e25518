"""What the deal list's marks (最近进展, stale mark, light) add to a page fetch (issue 13), measured.

A copy of the benchmark ledger of N deals gets a progress log (3 entries a
deal), a year's investment plan for 40 % of the deals and a month of completed
investment for half of those; then each page request is timed three ways in
the same run, alternating: the page (crm.listing.pages.fetch: the list's call,
unchanged, after which the rows paint), the marks of its rows
(screens.deal_list.marked: the list's second call, whose answer fills in the
marks), and the page's own SQL replayed through the bare driver (the floor). Run: .venv/bin/python -m tests.perf.list_marks [--deals 100000] [--rounds 15] [--data DIR]
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import statistics
import time
from pathlib import Path

from tests.perf import ledgers
from tests.perf.timing import RawConnection, captured_sql

COPY_DIR = Path(os.environ.get("LIST_MARKS_DIR", "/tmp"))


def _ledger_with_marks(deals: int) -> Path:
    """A copy of the benchmark ledger with a progress log and plans (built once, reused)."""
    source, _meta = ledgers.sqlite_ledger(deals)
    path = COPY_DIR / f"list-marks-{deals}.sqlite3"
    if path.exists():
        return path
    shutil.copy(source, path)
    from db.connection import open_database
    from db.models import InvestmentDone, InvestmentPlan, Progress, database

    open_database(f"sqlite:///{path}")
    ids = [i for (i,) in database.execute_sql("SELECT id FROM deal ORDER BY id").fetchall()]
    day = ledgers.AS_OF
    with database.atomic():
        for at in range(0, len(ids), 5000):
            chunk = ids[at : at + 5000]
            Progress.insert_many(
                [
                    {
                        "deal": i,
                        "on": day - datetime.timedelta(days=(i * 7 + k * 40) % 400),
                        "text": f"进展{k} 施工图审查通过",
                    }
                    for i in chunk
                    for k in range(3)
                ]
            ).execute()
            planned = [i for i in chunk if i % 5 < 2]
            InvestmentPlan.insert_many(
                [{"deal": i, "year": day.year, "amount": 100_000_000, "amount_cny": 100_000_000} for i in planned]
            ).execute()
            InvestmentDone.insert_many(
                [
                    {"deal": i, "month": datetime.date(day.year, 3, 1), "amount": 10_000_000, "amount_cny": 10_000_000}
                    for i in planned
                    if i % 2
                ]
            ).execute()
    database.execute_sql("ANALYZE")
    database.close()
    return path


def _timed(into: list, fn) -> None:
    wall, cpu = time.perf_counter(), time.thread_time()
    fn()
    into.append((time.perf_counter() - wall, time.thread_time() - cpu))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--data", type=Path, help="where the benchmark ledgers are (default bench-data/)")
    args = parser.parse_args(argv)
    if args.data:
        ledgers.DATA = args.data
    path = _ledger_with_marks(args.deals)

    from crm.foundation.i18n import set_language
    from crm.listing import pages
    from db.connection import open_database
    from screens.deal_list import marked

    set_language("zh")
    open_database(f"sqlite:///{path}")
    day = ledgers.AS_OF
    flt = pages.ListFilter()
    raw = RawConnection(f"sqlite:///{path}")
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}; {args.deals} deals; {args.rounds} rounds")
    # Wall time and the thread's CPU time: on a loaded machine the wall time of a few-ms call is mostly waiting
    # for a core; SQLite runs in this thread, so its CPU time is what the work itself costs.
    print(
        "| request (ms: wall / CPU) | page (the rows paint) | marks (the call after) | floor (page SQL, bare driver) | marks ÷ page |"
    )
    print("|---|---|---|---|---|")
    for sort in ("signed", "amount", "stage"):
        order = pages.Order(sort)
        middle = pages.page_at(flt, order, args.deals // 2, 1)[0]
        requests = {
            "first page": pages.PageRequest("first", 0, pages.PAGE_SIZE),
            "next page (keyset, middle)": pages.PageRequest("after", args.deals // 2, pages.PAGE_SIZE, middle.key),
            "jump (offset, middle)": pages.PageRequest("offset", args.deals // 2, pages.PAGE_SIZE),
        }
        for name, request in requests.items():
            statements = captured_sql(lambda r=request, o=order: pages.fetch(flt, o, r))
            runs = {"page": [], "marks": [], "floor": []}
            rows = pages.fetch(flt, order, request)
            for _ in range(args.rounds):  # alternating, so that a burst of load hits all three alike
                _timed(runs["page"], lambda r=request, o=order: pages.fetch(flt, o, r))
                _timed(runs["marks"], lambda rows=rows: marked(rows, day, 30))
                _timed(runs["floor"], lambda s=statements: raw.run(s))
            cells = []
            for what in ("page", "marks", "floor"):
                wall, cpu = (statistics.median(v[i] for v in runs[what]) * 1000 for i in (0, 1))
                cells.append(f"{wall:.1f} / {cpu:.1f}")
            ratio = [
                statistics.median(v[i] for v in runs["marks"]) / statistics.median(v[i] for v in runs["page"])
                for i in (0, 1)
            ]
            print(f"| {sort}: {name} | {' | '.join(cells)} | {ratio[0]:.2f} / {ratio[1]:.2f} |")
    print(f"load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
