"""Whether a larger GIN pending list speeds a PostgreSQL `crm import` (issue 16): the deal table's three GIN indexes
(search characters, trigrams of the search text and of the pinyin initials) take their new entries into a pending
list and merge it into the index whenever it passes gin_pending_list_limit (4 MB by default).

    python -m tests.perf.import_gin_pending FILE [--limits 0,64,512] [--rounds 1]

On a throwaway server (tests/perf/ledgers.PG_SETTINGS), for each limit in MB (0: the server's default), imports
FILE into a new initialised database whose gin_pending_list_limit is set to it, in a fresh process, then merges
what is still pending (gin_clean_pending_list) so that searches do not pay for it later; prints both times.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GIN = ("deal_search_chars", "deal_search_text_trgm", "deal_pinyin_initials_trgm")


def _crm(url: str, *args: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CRM_USER": "bench"}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "app", "--db", url, *args], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return time.perf_counter() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--limits", default="0,64,512")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    import psycopg2

    from tests.perf.ledgers import PG_SETTINGS
    from tests.pg_cluster import ThrowawayCluster

    cluster = ThrowawayCluster("crm_gin_pending", settings=PG_SETTINGS).start()
    try:
        for round_ in range(args.rounds):
            for limit in (int(x) for x in args.limits.split(",")):
                name = f"gin_{limit}_{round_}"
                url = cluster.create_database(name)
                _crm(url, "init")
                con = psycopg2.connect(url)
                con.autocommit = True
                cur = con.cursor()
                if limit:
                    cur.execute(f"ALTER DATABASE {name} SET gin_pending_list_limit = '{limit}MB'")
                took = _crm(url, "import", args.file)
                started = time.perf_counter()
                for index in GIN:
                    cur.execute("SELECT gin_clean_pending_list(%s::regclass)", (index,))
                merged = time.perf_counter() - started
                print(
                    f"limit {limit or 'default'} MB: import {took:.2f} s, pending merged after it in {merged:.2f} s, "
                    f"load {os.getloadavg()[0]:.2f}",
                    flush=True,
                )
                con.close()
                cluster.drop_database(name)
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
