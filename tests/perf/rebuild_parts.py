"""The statements of db.kept_totals.rebuild, each timed, on a copy of a SQLite ledger (the synthetic ledgers' and
a large revert's cost: `make bench` builds its million-deal ledger through it).

    python -m tests.perf.rebuild_parts LEDGER.sqlite3 [--rounds 3]

Copies LEDGER (it is not changed), opens the copy and runs the rebuild in one transaction, rolled back, `--rounds`
times; prints the median seconds of each statement that took over 10 ms, and of the whole rebuild.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ledger")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    from db import kept_totals
    from db.connection import open_database

    with tempfile.TemporaryDirectory(prefix="crm-rebuild-") as tmp:
        copy = f"{tmp}/ledger.sqlite3"
        shutil.copy(args.ledger, copy)
        db = open_database(copy)
        run = db.execute_sql
        took: dict[str, list[float]] = defaultdict(list)

        def timed(sql, *more, **named):
            started = time.perf_counter()
            try:
                return run(sql, *more, **named)
            finally:
                took[" ".join(sql.split())[:100]].append(time.perf_counter() - started)

        db.execute_sql = timed
        whole = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            with db.atomic() as txn:
                kept_totals.rebuild(db)
                txn.rollback()
            whole.append(time.perf_counter() - started)
        db.close()
    for sql, seconds in took.items():
        if statistics.median(seconds) > 0.01:
            print(f"{statistics.median(seconds):7.2f} s  {sql}")
    print(f"{statistics.median(whole):7.2f} s  the whole rebuild (median of {args.rounds})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
