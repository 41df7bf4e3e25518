"""How soon the deal list's CSV rows start to come back from PostgreSQL, held cursor declared outside or inside a
transaction (db/streaming.py reads inside one).

    python -m tests.perf.pg_first_rows URL [--rounds 2]

Prints, per round and way, (seconds to the last row, seconds to the first batch, rows).
"""

from __future__ import annotations

import argparse
import itertools
import time

from crm.listing import deal_text
from db.connection import open_database
from db.streaming import BATCH, sql_of

_names = itertools.count(1)


def _read(conn, sql: str, params, in_transaction: bool) -> tuple[float, float, int]:
    start = time.perf_counter()
    first, n = 0.0, 0
    if in_transaction:
        conn.cursor().execute("BEGIN")
    cursor = conn.cursor(name=f"first_rows_{next(_names)}", withhold=True)
    cursor.execute(sql, params)
    while rows := cursor.fetchmany(BATCH):
        first = first or time.perf_counter() - start
        n += len(rows)
    cursor.close()
    if in_transaction:
        conn.cursor().execute("COMMIT")
    return round(time.perf_counter() - start, 2), round(first, 2), n


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    db = open_database(args.url)
    sql, params = sql_of(deal_text.csv_query())
    for _round in range(args.rounds):
        for inside in (False, True):
            print("inside a transaction" if inside else "outside", _read(db.connection(), sql, params, inside))


if __name__ == "__main__":
    main()
