"""SQLite queries in threads of one process, with the library's memory statistics on and off (db/drivers.py).

    python -m tests.perf.sqlite_threads LEDGER [--rounds 3] [--threads 1,2]

Times the weekly table's supporting departments (crm.reporting.weekly_queries._supporting: every deal's
combination of departments, grouped) read whole by one thread, then in halves (thirds …) of the deal ids, each
part by a thread of its own on its own connection, all started together: the wall time until the last part is
in. Each setting runs in a fresh interpreter, once with SQLite's memory statistics as the library starts (on)
and once after db.drivers.sqlite_without_memory_statistics() (off). With the statistics on, every allocation
takes one mutex for the whole process, so the threads' queries take turns. Nothing is written to LEDGER.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from tests.perf.timing import load_line

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, sqlite3, sys, threading, time
ledger, parts, off, rounds = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "off", int(sys.argv[4])
from db.drivers import sqlite_without_memory_statistics
if off and not sqlite_without_memory_statistics():
    raise SystemExit("the statistics could not be turned off here")
from db.connection import open_database
open_database(ledger, migrate_schema=False, create=False)
from crm.reporting.weekly_queries import _supporting, _last_deal_id
from db.models import database
last = _last_deal_id()
cuts = [last * n // parts + 1 for n in range(parts + 1)]  # 2 parts: the halves crm.reporting.weekly reads
sql = [_supporting(None, from_id=cuts[n], below=cuts[n + 1]).sql() for n in range(parts)]
database.close()
uri = "file:" + ledger + "?mode=ro"
def read(query, out):
    con = sqlite3.connect(uri, uri=True)
    out.append(len(con.execute(*query).fetchall()))
    con.close()
times = []
for _ in range(rounds):
    out = []
    threads = [threading.Thread(target=read, args=(q, out)) for q in sql]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times.append(time.perf_counter() - t0)
print(json.dumps({"seconds": times, "combinations": sum(out)}))
"""


def _run(ledger: str, parts: int, statistics_off: bool, rounds: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, ledger, str(parts), "off" if statistics_off else "on", str(rounds)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr.strip().splitlines()[-1])
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ledger", help="a SQLite ledger (read only)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", default="1,2")
    args = parser.parse_args(argv)
    ledger = str(Path(args.ledger).resolve())
    print(load_line(), flush=True)
    for parts in (int(n) for n in args.threads.split(",")):
        for off in (False, True):
            found = _run(ledger, parts, off, args.rounds)
            runs = ", ".join(f"{s * 1000:.0f}" for s in found["seconds"])
            print(
                f"{parts} thread(s), memory statistics {'off' if off else 'on '}: "
                f"median {statistics.median(found['seconds']) * 1000:.0f} ms ({runs}); "
                f"{found['combinations']} combination rows",
                flush=True,
            )
    print(load_line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
