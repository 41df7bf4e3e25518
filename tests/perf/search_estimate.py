"""What choosing a search's way costs: building its condition with the estimate not yet known for its text.

    python -m tests.perf.search_estimate --db COPY_OR_URL [--tree DIR] [--rounds 5] [--cold] [QUERY…]

For each query, the search's remembered estimates and names are forgotten (what the database has learnt
otherwise, e.g. the sample the estimate is tried on, is kept, as in a running app), then
`DealFilter(search=q).condition()` is timed: the density estimate and the region / lead-unit names, what
each new key of a search pays before its page query (--cold: all that is learnt forgotten, as at a
process's first search). Median of --rounds. --tree runs another checkout's code.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--tree")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="forget everything learnt: a process's first search")
    parser.add_argument("queries", nargs="*", default=["z", "zs", "zs2", "zs20", "zs202", "zs2021", "涿州", "zzgf"])
    args = parser.parse_args(argv)
    if args.tree:
        sys.path.insert(0, str(Path(args.tree).resolve()))
    from crm.listing import search
    from crm.listing.filters import DealFilter
    from db.connection import open_database

    db = open_database(args.db)
    DealFilter(search="warm-up").condition()
    for q in args.queries:
        times = []
        for _ in range(args.rounds):
            if args.cold:
                search.forget(db)
            else:
                state = search._state(db)
                state.dense.clear()
                state.names.clear()
            t0 = time.perf_counter()
            DealFilter(search=q).condition()
            times.append(time.perf_counter() - t0)
        print(f"{q}\t{statistics.median(times) * 1e3:.1f} ms", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
