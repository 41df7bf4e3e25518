"""The least a SQLite import of FILE can take with this schema (issue 16): the database's own work, replayed.

    python -m tests.perf.import_engine FILE [--rounds 3] [--by-kind]

1. In a fresh process, `crm import FILE` into a new initialised ledger, recording every statement it runs, in
   the order they run, with their parameters: the importing thread's (peewee's execute_sql, the transaction's
   BEGIN, savepoints and COMMIT) and the writer thread's (crm.importing.bulk._Behind's batches, the fills,
   triggers and indexes after them).
2. `--rounds` times, in a fresh process each: the same statements run one after another on another new
   initialised ledger, opened as the import opens one (db.connection.open_database, its page cache as the
   import's, crm.importing.aside.roomy_cache), timed from the first to the last. No cell is read or checked
   and no Python builds a statement: what is left is SQLite writing the rows, their indexes (those set aside
   built after the rows, as the import builds them), triggers, kept tables and search index, plus sqlite3
   binding the parameters.
3. python-calamine reading every cell of FILE in a fresh process (the floor `make bench` divides by).

The first replay's ledger is compared with the imported one, table by table (the rows' count and a digest of
them, the migration history aside): a replay that wrote less than the import would time less than it did.

Prints the replay's median wall and CPU seconds, the reader's, and their ratio: the import can overlap the
database's work with reading and checking on a second core, but not finish before it. A replay above 3× the
reader means ≤ 3× is out of reach with these indexes and kept tables, whatever the Python costs.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pickle
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Step 1, in a fresh process: argv LEDGER FILE OUT. Writes [(sql, params)] to OUT.
RECORD = r"""
import pickle, sys, threading
sys.argv[0] = "crm"
import peewee
from crm.importing import bulk
ran, lock = [], threading.Lock()
def keep(sql, params):
    with lock:  # a dict binds by name (the fills' :lo and :hi): kept as it is
        ran.append((sql, params if isinstance(params, dict) else tuple(params or ())))
execute_cursor = peewee.Database._execute_cursor
def recorded_cursor(self, sql, params=None, *a, **k):
    keep(sql, params)
    return execute_cursor(self, sql, params, *a, **k)
peewee.Database._execute_cursor = recorded_cursor
begin = peewee.SqliteDatabase.begin
def recorded_begin(self, lock_type=None):
    keep("BEGIN " + (lock_type or self._lock_type or ""), ())
    return begin(self, lock_type)
peewee.SqliteDatabase.begin = recorded_begin
commit = peewee.Database.commit
def recorded_commit(self, *a, **k):
    keep("COMMIT", ())
    return commit(self, *a, **k)
peewee.Database.commit = recorded_commit
init = bulk._Behind.__init__
def recorded_init(self, db):
    init(self, db)
    run = self.run
    def run_recorded(statements):
        for sql, params in statements:
            keep(sql, params)
        run(statements)
    self.run = run_recorded
bulk._Behind.__init__ = recorded_init
import app
code = app.main(["--db", sys.argv[1], "import", sys.argv[2]])
with open(sys.argv[3], "wb") as out:
    pickle.dump(ran, out)
sys.exit(code)
"""

#: Step 2, in a fresh process: argv LEDGER STATEMENTS. Prints "wall cpu indexes": seconds of running them, and of
#: their CREATE INDEX statements alone (the indexes set aside, built once the rows are in).
REPLAY = r"""
import pickle, sys, time
sys.argv[0] = "crm"
from db.connection import open_database
from crm.importing.aside import roomy_cache
with open(sys.argv[2], "rb") as f:
    ran = pickle.load(f)
db = open_database(sys.argv[1])
connection = db.connection()
kinds = {}
def kind(sql):  # "INSERT INTO deal", "CREATE INDEX deal_stage", "UPDATE deal_totals" …: what the time is spent on
    words = sql.replace('"', "").replace("(", " ").split()
    if words[0] in ("SAVEPOINT", "RELEASE"):  # a savepoint's name is new each time
        return words[0]
    if words[:2] in (["INSERT", "INTO"], ["CREATE", "INDEX"], ["DELETE", "FROM"]):
        return " ".join(words[:3])
    return " ".join(words[:2])
with roomy_cache():
    start, cpu, indexes = time.perf_counter(), time.process_time(), 0.0
    for sql, params in ran:
        began = time.perf_counter()
        if sql.startswith("COMMIT"):
            connection.commit()
        else:
            connection.execute(sql, params)
        took = time.perf_counter() - began
        if sql.startswith("CREATE INDEX"):
            indexes += took
        key = kind(sql)
        kinds[key] = kinds.get(key, 0.0) + took
    connection.commit()
    print("%.3f %.3f %.3f" % (time.perf_counter() - start, time.process_time() - cpu, indexes))
    for key, took in sorted(kinds.items(), key=lambda kv: -kv[1]):
        print("%.3f %s" % (took, key))
"""

READ = r"""
import sys
from python_calamine import CalamineWorkbook
CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()
"""


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "CRM_USER": "bench"}


def _new_ledger(path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "app", "--db", str(path), "init"], check=True, env=_env(), capture_output=True
    )


def record(book: Path, tmp: Path) -> tuple[Path, int]:
    """The statements a `crm import` of `book` runs (pickled to a file in `tmp`), and how many."""
    ledger, out = tmp / "recorded.sqlite3", tmp / "statements.pickle"
    _new_ledger(ledger)
    subprocess.run([sys.executable, "-c", RECORD, str(ledger), str(book), str(out)], check=True, env=_env())
    with out.open("rb") as f:
        count = len(pickle.load(f))
    return out, count


def replay(statements: Path, tmp: Path, round_: int, by_kind: dict | None = None) -> tuple[float, float, float]:
    """(wall s, CPU s, wall s of the CREATE INDEX statements) of the statements run on a new initialised ledger,
    in a fresh process; the first round's ledger must hold what the recorded import's does (SystemExit if not).
    `by_kind`, when given, gets each kind of statement's seconds appended ("INSERT INTO deal": [s, …])."""
    ledger = tmp / f"replay-{round_}.sqlite3"
    _new_ledger(ledger)
    proc = subprocess.run(
        [sys.executable, "-c", REPLAY, str(ledger), str(statements)],
        check=True,
        env=_env(),
        capture_output=True,
        text=True,
    )
    first, *kinds = proc.stdout.splitlines()
    wall, cpu, indexes = first.split()
    if by_kind is not None:
        for line in kinds:
            took, key = line.split(" ", 1)
            by_kind.setdefault(key, []).append(float(took))
    if round_ == 0:
        imported, replayed = _tables(tmp / "recorded.sqlite3"), _tables(ledger)
        differ = sorted(t for t in imported.keys() | replayed.keys() if imported.get(t) != replayed.get(t))
        if differ:
            raise SystemExit(f"the replay did not write what the import did: {', '.join(differ)}")
    ledger.unlink()
    return float(wall), float(cpu), float(indexes)


def _tables(path: Path) -> dict[str, tuple[int, str]]:
    """Each table of the SQLite ledger at `path` (but the migration history, whose times differ, and full-text
    indexes): (rows, a digest of them in order of their text)."""
    connection = sqlite3.connect(path)
    try:
        names = [
            name
            for (name,) in connection.execute(
                # a full-text index is compared by its own tables (deal_search_data …): it cannot be scanned itself
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name"
            )
            if not name.startswith("sqlite_") and name != "schema_migration"
        ]
        out = {}
        for name in names:
            rows = sorted(map(repr, connection.execute(f'SELECT * FROM "{name}"')))
            out[name] = (len(rows), hashlib.sha1("\n".join(rows).encode()).hexdigest())
        return out
    finally:
        connection.close()


def read(book: Path) -> float:
    """Wall seconds of python-calamine reading every cell of `book`, in a fresh process."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", READ, str(book)], check=True)
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--by-kind", action="store_true", help="also each kind of statement's median seconds")
    args = parser.parse_args(argv)
    by_kind: dict | None = {} if args.by_kind else None
    book = args.file.resolve()
    with tempfile.TemporaryDirectory(prefix="crm-engine-") as tmp_name:
        tmp = Path(tmp_name)
        statements, count = record(book, tmp)
        walls, cpus, indexes, reads = [], [], [], []
        for round_ in range(args.rounds):
            wall, cpu, index = replay(statements, tmp, round_, by_kind)
            walls.append(wall)
            cpus.append(cpu)
            indexes.append(index)
            reads.append(read(book))
    wall, cpu, floor = statistics.median(walls), statistics.median(cpus), statistics.median(reads)
    index = statistics.median(indexes)
    print(
        f"{count:,} statements of the import of {book.name} replayed on a new ledger: median {wall:.2f} s "
        f"({', '.join(f'{w:.2f}' for w in walls)}), CPU {cpu:.2f} s, of which the indexes set aside made after the "
        f"rows {index:.2f} s; python-calamine's read {floor:.2f} s "
        f"({', '.join(f'{r:.2f}' for r in reads)}): the replay alone is {wall / floor:.1f}× the read; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    for key, took in sorted((by_kind or {}).items(), key=lambda kv: -statistics.median(kv[1])):
        print(f"  {statistics.median(took):7.3f} s  {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
