"""Where a PostgreSQL server spends a `crm import` (issue 16): its statements' time, and the deal table's indexes.

    python -m tests.perf.import_server FILE [--top 15]

On a throwaway server (tests/perf/ledgers.PG_SETTINGS, with pg_stat_statements loaded), imports FILE into a
new initialised database three ways, each in a fresh process: as `crm import` does it; with the deal table's
three GIN indexes dropped before and made again after; with all its indexes but the primary key and the
unique code dropped before and made again after. Prints each import's wall time and the time the indexes
took to make again, then the server's statements of the first import by their total time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEPT = ("deal_pkey", "deal_code")


def _import(url: str, file: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CRM_USER": "bench"}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "app", "--db", url, "import", file], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return time.perf_counter() - started


def _variant(cluster, name: str, file: str, drop, top: int = 0) -> None:
    import psycopg2

    url = cluster.create_database(name)
    con = psycopg2.connect(url)
    con.autocommit = True
    cur = con.cursor()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-m", "app", "--db", url, "init"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'deal'")
    dropped = [(n, d) for n, d in cur.fetchall() if n not in KEPT and drop(d)]
    for index, _definition in dropped:
        cur.execute(f'DROP INDEX "{index}"')
    if top:
        cur.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        cur.execute("SELECT pg_stat_statements_reset()")
    took = _import(url, file)
    started = time.perf_counter()
    for _index, definition in dropped:
        cur.execute(definition)
    print(
        f"{name}: {len(dropped)} indexes dropped, import {took:.2f} s, made again in {time.perf_counter() - started:.2f} s"
    )
    if top:
        cur.execute(
            "SELECT calls, total_exec_time / 1000, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) "
            "FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            f"ORDER BY total_exec_time DESC LIMIT {top}"
        )
        for calls, seconds, query in cur.fetchall():
            print(f"  {seconds:7.2f} s  {calls:7d}×  {query}")
    con.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tests.perf.ledgers import PG_SETTINGS
    from tests.pg_cluster import ThrowawayCluster

    settings = {**PG_SETTINGS, "shared_preload_libraries": "'pg_stat_statements'"}
    cluster = ThrowawayCluster("crm_import_server", settings=settings).start()
    try:
        _variant(cluster, "as_imported", args.file, lambda d: False, top=args.top)
        _variant(cluster, "without_gin", args.file, lambda d: " gin " in d)
        _variant(cluster, "without_indexes", args.file, lambda d: True)
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
