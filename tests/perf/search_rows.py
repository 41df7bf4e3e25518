"""The search rows of `make bench` alone: a page and the count and total of each search, in process.

    python -m tests.perf.search_rows (--sqlite PATH | --postgresql) [--deals 1000000] [--rounds 10]
                                     [--tree DIR] [--queries Q,Q…] [--order signed|amount|code…]

Times `crm.listing.pages.first_rows(ListFilter(search=q), Order(…))` (what the list asks first) and
`pages.totals(…)` (what it asks beside it) for bench.py's searches and a few more (a region, a lead
unit), median and p95 of --rounds after one warm-up (what is learnt once per query is not counted),
with the CPU time of this process beside the wall time (the machine is shared: CPU time moves less
with the load). --tree runs another checkout's code (e.g. /work/main) on the same ledger, so that
before and after can be run in turn. --postgresql restores bench-data's dump into a throwaway
cluster (tests/perf/ledgers.py); a SQLite ledger is opened as it is (give a copy: opening migrates it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

QUERIES = [
    "ZS2023-0123",  # a deal code pasted
    "涿",
    "涿州",  # 2 characters, and a region
    "供应链",
    "石墨烯导热",
    "骊",
    "zzgf",  # pinyin initials in sequence
    "gyl",  # pinyin initials in a run
    "ZS2021",  # the broad prefix
    "ZS2025",
    "商务局",  # lead units
]


def _timed(fn, rounds: int) -> tuple[list[float], list[float]]:
    fn()  # warm up: a query's density and the names it matches are learnt once
    wall, cpu = [], []
    for _ in range(rounds):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return wall, cpu


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]


def measure(url: str, queries: list[str], rounds: int, order_key: str) -> list[tuple]:
    """(query, what, rows or deals, median ms, p95 ms, CPU median ms) per query and call."""
    from crm.listing import pages
    from crm.listing.pages import ListFilter, Order
    from db.connection import open_database
    from db.models import database

    db = open_database(url)
    order = Order(order_key)
    out = []
    try:
        for q in queries:
            flt = ListFilter(search=q)
            for what, fn, size in (
                ("page", lambda flt=flt: pages.first_rows(flt, order), len),
                ("totals", lambda flt=flt: pages.totals(flt), lambda t: t.deals),
            ):
                found = size(fn())
                wall, cpu = _timed(fn, rounds)
                out.append(
                    (q, what, found, statistics.median(wall) * 1e3, _p95(wall) * 1e3, statistics.median(cpu) * 1e3)
                )
                print(f"{q}\t{what}\t{out[-1][2]:,}\t{out[-1][3]:.1f}\t{out[-1][4]:.1f}\t{out[-1][5]:.1f}", flush=True)
    finally:
        db.close()
        database.initialize(None)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--sqlite", help="a SQLite ledger (a copy: opening it applies pending migrations)")
    where.add_argument("--postgresql", action="store_true", help="restore bench-data's dump into a throwaway server")
    where.add_argument("--url", help="a PostgreSQL URL already holding the ledger")
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--tree", help="run this checkout's code (default: the one this file is in)")
    parser.add_argument("--queries", help="comma-separated; default: bench.py's searches and a few more")
    parser.add_argument("--order", default="signed")
    args = parser.parse_args(argv)
    if args.tree:
        sys.path.insert(0, str(Path(args.tree).resolve()))
        for name in [m for m in sys.modules if m.split(".")[0] in ("crm", "db")]:
            del sys.modules[name]
    queries = args.queries.split(",") if args.queries else QUERIES
    print(f"load average at start: {os.getloadavg()[0]:.2f}", flush=True)
    print("query\tcall\tfound\tmedian ms\tp95 ms\tCPU ms", flush=True)
    cluster = None
    if args.postgresql:
        from tests.perf import ledgers

        cluster = ledgers.postgres_cluster()
        url, _meta = ledgers.postgres_ledger(cluster, args.deals)
    else:
        url = args.url or args.sqlite
    try:
        measure(url, queries, args.rounds, args.order)
    finally:
        if cluster is not None:
            cluster.stop()
    print(f"load average at end: {os.getloadavg()[0]:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
