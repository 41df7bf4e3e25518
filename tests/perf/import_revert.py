"""`crm import revert` of a whole first import: its time, its peak memory, and the kept totals after it.

    python -m tests.perf.import_revert [--rows 100000] [--backends postgresql,sqlite] [--keep DIR]

Imports import_speed's county-style ledger of `--rows` rows into a new database (SQLite, or PostgreSQL on a
throwaway server), then reverts that import in a fresh process under GNU time, and checks that every deal is
gone and the kept totals equal the totals computed from the rows. On PostgreSQL before migration 0018, the
revert of 100,000 rows failed with "out of shared memory" (an advisory lock per deal deleted).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tests.perf.import_speed import _under_time, book_of, databases


def _crm(*args: str) -> tuple[float, int]:
    proc, took, peak = _under_time([sys.executable, "-m", "app", *args])
    if proc.returncode != 0:
        raise RuntimeError((proc.stderr or proc.stdout).strip()[-600:] or "crm failed")
    return took, peak


def _after(db: str) -> str:
    from db.connection import close_database, open_database
    from db.kept_totals import agree
    from db.models import Deal

    open_database(db, create=False)
    try:
        return f"deals left {Deal.select().count()}, kept totals agree: {agree()}"
    finally:
        close_database()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--keep", help="build the ledger in DIR (and reuse it when there)")
    args = parser.parse_args(argv)
    backends = args.backends.split(",")
    cluster = None
    if "postgresql" in backends:
        from tests.perf.ledgers import postgres_cluster

        cluster = postgres_cluster()
    try:
        with tempfile.TemporaryDirectory(prefix="crm-revert-") as tmp:
            book = book_of(args.rows, Path(args.keep or tmp))
            for backend in backends:
                db = databases(backend, tmp, cluster)()
                _crm("--db", db, "init")
                imported, _peak = _crm("--db", db, "import", str(book))
                took, peak = _crm("--db", db, "import", "revert", "1")
                print(
                    f"{backend}: {args.rows:,} rows imported in {imported:.1f} s, reverted in {took:.1f} s, "
                    f"peak {peak / 2**20:.0f} MiB; {_after(db)}",
                    flush=True,
                )
    finally:
        if cluster is not None:
            cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
