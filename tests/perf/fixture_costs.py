"""What the suite's per-test ledgers cost: a SQLite copy in a temporary folder on disk and on the RAM disk, and a
PostgreSQL copy made with each CREATE DATABASE strategy.

    python -m tests.perf.fixture_costs [--rounds 30]

SQLite: each round copies the migrated template (as tests/conftest.py does), opens it, records 5 deals (5 commits)
and closes it, in a folder under /tmp and under /dev/shm. PostgreSQL: each round creates a database from the
migrated or the demo template (STRATEGY WAL_LOG, PostgreSQL 15's default, or FILE_COPY), opens it and drops it.
Prints one JSON line a case: wall and this process's CPU ms a round, and the server's CPU ms for PostgreSQL
(its processes' /proc times, the ones that ended included).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def _open_close(url: str, deals: int = 0) -> None:
    from crm.deals.records import create_deal
    from db.connection import open_database
    from db.models import database

    db = open_database(url, create=True)
    for n in range(deals):
        create_deal({"name": f"测试项目{n}", "amount": "1亿元"})
    db.close()
    database.initialize(None)


def _timed(rounds: int, one, server=None) -> dict:
    started, cpu, served = time.perf_counter(), time.process_time(), server() if server else 0.0
    for n in range(rounds):
        one(n)
    out = {
        "wall_ms": round((time.perf_counter() - started) / rounds * 1000, 1),
        "cpu_ms": round((time.process_time() - cpu) / rounds * 1000, 1),
    }
    if server:
        out["server_cpu_ms"] = round((server() - served) / rounds * 1000, 1)
    return out


def sqlite_cases(rounds: int) -> None:
    """A migrated ledger's copy with 5 commits, in a folder on the disk and on the RAM disk."""
    for parent in ("/tmp", "/dev/shm"):
        folder = Path(tempfile.mkdtemp(prefix="crm-fixture-costs-", dir=parent))
        try:
            template = str(folder / "migrated.sqlite3")
            _open_close(template)

            def one(n, folder=folder, template=template):
                path = folder / f"ledger-{n}.sqlite3"
                shutil.copyfile(template, path)
                _open_close(str(path), deals=5)

            print(json.dumps({"case": f"sqlite copy + 5 commits in {parent}", **_timed(rounds, one)}), flush=True)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def _server_seconds(cluster) -> float:
    """CPU seconds of the server's processes so far: the postmaster's own and its ended children's, and the live ones."""
    pid = int((cluster.data_dir / "postmaster.pid").read_text().split()[0])

    def fields(p) -> list[str]:
        return Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split()

    ticks = sum(int(x) for x in fields(pid)[11:15])
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = fields(entry)
            except OSError:
                continue
            if stat[1] == str(pid):
                ticks += int(stat[11]) + int(stat[12])
    return ticks / _TICK


def postgres_cases(rounds: int) -> None:
    """A copy of the migrated and of the demo template, by each strategy, opened and dropped."""
    from crm.samples.demo import load_demo
    from db.connection import open_database
    from db.models import database
    from tests.pg_cluster import ThrowawayCluster

    with ThrowawayCluster() as cluster:
        _open_close(cluster.create_database("migrated"))
        db = open_database(cluster.create_database("demo", template="migrated"))
        load_demo()
        db.close()
        database.initialize(None)
        for template in ("migrated", "demo"):
            for strategy in ("WAL_LOG", "FILE_COPY"):

                def one(n, template=template, strategy=strategy):
                    name = f"copy_{n}"
                    cluster._admin_execute(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY {strategy}")
                    _open_close(cluster.url_for(name))
                    cluster.drop_database(name)

                figures = _timed(rounds, one, server=lambda: _server_seconds(cluster))
                print(json.dumps({"case": f"postgresql {template} copy by {strategy}", **figures}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    print(json.dumps({"load_average": os.getloadavg()}), flush=True)
    sqlite_cases(args.rounds)
    postgres_cases(args.rounds)
    print(json.dumps({"load_average": os.getloadavg()}), flush=True)


if __name__ == "__main__":
    main()
