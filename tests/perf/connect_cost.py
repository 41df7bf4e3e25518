"""What a new SQLite connection to a ledger costs, with its schema as it is and with the kept-total triggers
written as migrations 0012 and 0013 wrote them (the statements inside each row trigger).

    python -m tests.perf.connect_cost LEDGER [--rounds 50]

SQLite parses the whole schema when a connection first reads it. Each round opens a connection and reads one
row (one connection stays open throughout, as in the TUI, so no round pays for the WAL's recovery); prints the
CPU milliseconds a connection, for both schemas, and the trigger SQL's size, as one JSON line.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path


def _per_connection(path: str, rounds: int) -> float:
    keep = sqlite3.connect(path, isolation_level=None)
    keep.execute("SELECT 1 FROM deal LIMIT 1").fetchall()
    start = time.process_time()
    for _ in range(rounds):
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("SELECT 1 FROM deal LIMIT 1").fetchall()
        conn.close()
    keep.close()
    return (time.process_time() - start) / rounds * 1000


def _trigger_bytes(path: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT coalesce(sum(length(sql)), 0) FROM sqlite_master WHERE type = 'trigger'"
        ).fetchone()[0]
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("ledger")
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    from db import kept_triggers

    with tempfile.TemporaryDirectory() as tmp:
        inline = str(Path(tmp) / "inline.sqlite3")
        shutil.copyfile(args.ledger, inline)
        conn = sqlite3.connect(inline, isolation_level=None)
        for name in kept_triggers.names():
            conn.execute(f"DROP TRIGGER IF EXISTS {name}")
        conn.execute(f"DROP VIEW IF EXISTS {kept_triggers.VIEW}")
        for sql in kept_triggers.row_triggers(inline=True):
            conn.execute(sql)
        conn.close()
        result = {
            "ms_per_connection": round(_per_connection(args.ledger, args.rounds), 2),
            "trigger_sql_bytes": _trigger_bytes(args.ledger),
            "inline_ms_per_connection": round(_per_connection(inline, args.rounds), 2),
            "inline_trigger_sql_bytes": _trigger_bytes(inline),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
