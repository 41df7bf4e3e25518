"""The driven TUI session of `make bench` (tests/perf/tui_driver.py) from two or more trees on one ledger, alternated.

    python -m tests.perf.tui_ab --db URL --tree DIR --tree DIR [--rounds 2] [--actions search_]

Each round runs the driver once from each tree (its own code, this checkout's interpreter), with the arguments
`make bench` gives it for a 1,000,000-deal ledger (its heavy deal, its largest event, its searches), and prints
the median milliseconds of every action whose name contains one of `--actions` (the search rows by default),
with the load average before the run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def _driver_arguments(url: str, deals: int) -> list[str]:
    from crm.samples import synthetic
    from db.connection import open_database
    from db.models import Deal, database
    from tests.perf.bench import SEARCHES_TUI, _biggest_event

    heavy = synthetic.heavy_deal_ids(synthetic.Spec(deals=deals))
    open_database(url)
    code = Deal.get_by_id(heavy[len(heavy) // 2] if heavy else 1).code
    filters = {"stage": "construction", "region": "涿州市", "event": _biggest_event(database)}
    return ["--heavy-code", code, "--searches", json.dumps(SEARCHES_TUI), "--filters", json.dumps(filters)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--tree", action="append", required=True)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--actions", action="append", default=None)
    args = parser.parse_args(argv)
    wanted = args.actions or ["search_"]
    common = _driver_arguments(args.db, args.deals)
    for _ in range(args.rounds):
        for tree in args.tree:
            load = os.getloadavg()[0]
            argv_ = [sys.executable, "-m", "tests.perf.tui_driver", "--db", args.db, "--rounds", "10", *common]
            proc = subprocess.run(
                [*argv_, "--spawned-at", repr(time.time())],
                cwd=tree,
                env={**os.environ, "PYTHONPATH": tree, "CRM_USER": "bench"},
                capture_output=True,
                text=True,
                check=True,
            )
            actions = json.loads(proc.stdout.strip().splitlines()[-1])["actions"]
            medians = {
                name: round(statistics.median(samples) * 1000, 1)
                for name, samples in sorted(actions.items())
                if any(w in name for w in wanted)
            }
            print(f"{tree} (load {load:.2f}): {medians}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
