"""`make bench`'s reports part on PostgreSQL alone: the ledger restored from its cached dump, no SQLite ledger needed.

    python -m tests.perf.report_postgres [--deals 1000000] [--rounds 3] [--data DIR]

bench.py's reports part opens (and migrates) the SQLite ledger before it turns to PostgreSQL; this measures the
same rows (tests/perf/commands.report_rows) on PostgreSQL only, with the load average before and after, and
prints them in bench.py's table.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tests.perf import bench, commands, ledgers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data", default=None, help="where the dump is kept (default: bench-data/)")
    args = parser.parse_args(argv)
    if args.data:
        ledgers.DATA = Path(args.data)
    bench.compile_bytecode()
    loads = [("start", os.getloadavg()[0])]
    cluster = ledgers.postgres_cluster()
    try:
        url, _meta = ledgers.postgres_ledger(cluster, args.deals)
        loads.append(("reports PostgreSQL", os.getloadavg()[0]))
        results = commands.report_rows(url, args.rounds, args.deals, backend="postgresql")
    finally:
        cluster.stop()
    loads.append(("end", os.getloadavg()[0]))
    from tabulate import tabulate

    print(tabulate(bench.table(results), headers=bench.HEADERS, tablefmt="github"))
    print("load average: " + ", ".join(f"{name} {value:.2f}" for name, value in loads))
    return 0


if __name__ == "__main__":
    sys.exit(main())
