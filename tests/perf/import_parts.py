"""Where a `crm import` spends its time, part by part (issues 12 and 16): what BENCHMARKS.md's import sections cite.

    python -m tests.perf.import_parts FILE [--rounds 3]

Run from a tree, it measures that tree's code (cwd first on sys.path), in this process with the cycle
collector off as the import runs it: the CPU seconds of reading the workbook into a grid, of sorting and
reading its rows (crm.importing.scan._Scan), of the whole read_plan (and its wall time), of the names'
pinyin initials and of the survey a sheet read in slices starts with; then, in a fresh
process, a whole import into a new SQLite database with the wall-clock time at which each phase ends and
the CPU seconds of the SQLite writer thread (crm.importing.bulk._Behind), in all, at the end alone
(the fills, triggers and indexes it runs once the rows are written, while the importing thread waits) and
by statement (its SQL up to the first parenthesis: the table written). `--import-only`: the import alone.
FILE is e.g. the ledger tests/perf/import_speed.py builds (`--keep DIR` leaves it in DIR).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: A whole import in a fresh process: prints when each phase ends (wall s, process CPU s) and the writer's CPU.
PHASES = r"""
import contextlib, sys, time
sys.argv[0] = "crm"
start = time.perf_counter()
marks = []
def mark(label):
    marks.append((label, time.perf_counter() - start, time.process_time()))
from crm.importing import apply, bulk
read_plan = apply.read_plan
def timed_read_plan(*a, **k):
    try:
        return read_plan(*a, **k)
    finally:
        mark("sheet read, rows sorted out (each chunk is read and checked as it is applied)")
apply.read_plan = timed_read_plan
from crm.importing import records
holding = records.holding_the_ledger
@contextlib.contextmanager
def timed_holding():
    with holding():
        yield
        mark("rows, fills and indexes written")
    mark("committed")
records.holding_the_ledger = timed_holding
finish = apply._Applying.finish
def timed_finish(self, on):
    mark("rows applied, their INSERTs and batch fills written")
    finish(self, on)
apply._Applying.finish = timed_finish
writer, tail = [], []
run = bulk._Behind._run
def timed_run(self):
    try:
        run(self)
    finally:
        writer.append(time.thread_time())
bulk._Behind._run = timed_run
import re
kinds = {}
def timed(run):
    # the writer's statements (db.bulk_writes.statements_runner): each one's thread CPU added up by its kind (its
    # SQL up to the first '(')
    def run_timed(statements):
        for sql, params in statements:
            kind = re.sub(r"\s+", " ", sql.split("(")[0])[:60].strip() or sql[:60]
            if kind.startswith("CREATE INDEX"):
                kind = "CREATE INDEX (the indexes set aside)"
            elif kind.startswith("CREATE TRIGGER"):
                kind = "CREATE TRIGGER (the triggers set aside)"
            start = time.thread_time()
            try:
                run([(sql, params)])
            finally:
                kinds[kind] = kinds.get(kind, 0.0) + time.thread_time() - start
    return run_timed
behind_init = bulk._Behind.__init__
def timed_init(self, db):
    behind_init(self, db)
    self.run = timed(self.run)
bulk._Behind.__init__ = timed_init
submit = bulk._Behind.submit
def timed_submit(self, statements):
    if statements and not statements[0][1]:  # the end's fills, triggers and indexes (no parameters)
        # The writer is idle here (the rows were waited for): its CPU so far is what it spent before the end.
        tail.append(time.clock_gettime(time.pthread_getcpuclockid(self.thread.ident)))
        mark("the end's fills, triggers and indexes handed to the writer")
    submit(self, statements)
bulk._Behind.submit = timed_submit
import app
mark("started")
code = app.main(["--db", sys.argv[1], "import", sys.argv[2]])
mark("done")
for label, wall, cpu in marks:
    print("PHASE %.2f %.2f %s" % (wall, cpu, label), file=sys.stderr)
for kind, took in sorted(kinds.items(), key=lambda kv: -kv[1]):
    print("STATEMENT %.2f %s" % (took, kind), file=sys.stderr)
print("WRITER %.2f" % sum(writer), file=sys.stderr)
print("TAIL %.2f" % (sum(writer) - sum(tail)), file=sys.stderr)
sys.exit(code)
"""


def read_parts(book: Path) -> dict:
    """CPU seconds of the grid, the rows' scan and the whole read_plan of `book`, in this process."""
    from crm.importing import headers, plan, scan, workbook
    from crm.importing.columns import read_rows
    from crm.importing.rows import _Sheet

    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.process_time()
        grid = workbook.read_grids(book)[0]
        took_grid = time.process_time() - start
        header = headers.find_header(grid.rows)
        rows = grid.rows[header.index + 1 :]
        start = time.process_time()
        sheet, day = _Sheet(grid, header), datetime.date(2020, 12, 31)
        read_rows(sheet, scan._Scan(sheet, day).read(rows).data, [], day)
        took_scan = time.process_time() - start
        start, wall = time.process_time(), time.perf_counter()
        read = plan.read_plan(book)
        took_plan, wall_plan = time.process_time() - start, time.perf_counter() - wall
        from crm.listing.initials import MemoInitials

        names, memo = [r.values.get("name", "") for r in read.rows], MemoInitials()
        start = time.process_time()
        for name in names:
            memo.initials(name)
        took_initials = time.process_time() - start
        took_survey = _survey(book)
        start = time.process_time()
        workbook.read_grids(book)[0].all_rows()
        took_all = time.process_time() - start
    finally:
        if enabled:
            gc.enable()
    return {
        "survey of a sliced sheet's XML": took_survey,
        "grid of every row (a sliced sheet's slices all read)": took_all,
        "grid": took_grid,
        "scan": took_scan,
        "read_plan": took_plan,
        "read_plan wall": wall_plan,
        "pinyin initials of the names": took_initials,
    }


def _survey(book: Path) -> float:
    """CPU seconds of the first pass over the first sheet's XML that a sheet read in slices takes (0: an xlsx only,
    and only one large enough to be read in slices)."""
    import zipfile

    from crm.importing import workbook, xlsx_parts, xlsx_slices

    if book.suffix.lower() != ".xlsx":
        return 0.0
    with zipfile.ZipFile(book) as archive:
        parts = xlsx_parts.workbook_parts(archive)
        name = next(iter(parts.sheet_paths))
        if not xlsx_slices.sliced(archive, parts.sheet_paths[name]):
            return 0.0  # read whole: no survey
        start = time.process_time()
        xlsx_slices.survey(archive, parts, name, workbook.MAX_CELLS)
        return time.process_time() - start


def phases(book: Path) -> tuple[list, dict]:
    """([(wall s, CPU s, phase)], {"WRITER": the writer thread's CPU s, "TAIL": of it, after the rows were written})
    of a whole import into a new SQLite database."""
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "CRM_USER": "bench"}
    with tempfile.TemporaryDirectory(prefix="crm-parts-") as tmp:
        db = str(Path(tmp) / "ledger.sqlite3")
        subprocess.run([sys.executable, "-m", "app", "--db", db, "init"], check=True, env=env, capture_output=True)
        proc = subprocess.run(
            [sys.executable, "-c", PHASES, db, str(book)], env=env, capture_output=True, text=True, check=True
        )
    marks, writer = [], {}
    for line in proc.stderr.splitlines():
        if line.startswith("STATEMENT "):
            _tag, took, kind = line.split(" ", 2)
            writer.setdefault("STATEMENTS", []).append((float(took), kind))
        elif line.startswith("PHASE "):
            _tag, wall, cpu, label = line.split(" ", 3)
            marks.append((float(wall), float(cpu), label))
        elif line.startswith(("WRITER ", "TAIL ")):
            writer[line.split()[0]] = float(line.split()[1])
    return marks, writer


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--import-only", action="store_true", help="only the whole import's phases and statements")
    args = parser.parse_args(argv)
    sys.path.insert(0, os.getcwd())  # the tree it is run from
    parts: dict[str, list] = {}
    for _ in range(0 if args.import_only else args.rounds):
        for name, took in read_parts(args.file).items():
            parts.setdefault(name, []).append(took)
    if parts:
        print(
            f"reading, s (median of {args.rounds}, collector off): "
            + ", ".join(f"{name} {statistics.median(v):.2f}" for name, v in parts.items())
            + f"; load average {os.getloadavg()[0]:.2f}"
        )
    for _ in range(args.rounds):
        marks, writer = phases(args.file)
        print(
            "import phases (wall s / process CPU s at the end of each): "
            + "; ".join(f"{label} {wall:.2f} / {cpu:.2f}" for wall, cpu, label in marks)
            + f"; writer thread CPU {writer['WRITER']:.2f} s, of which after the rows {writer['TAIL']:.2f} s"
            + f"; load average {os.getloadavg()[0]:.2f}"
        )
        print(
            "writer thread CPU s by statement: "
            + "; ".join(f"{kind} {took:.2f}" for took, kind in writer.get("STATEMENTS", []) if took >= 0.01)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
