"""The import's memory does not grow with the ledger nor with the file (issue #16): `crm import` of the same
3,000-row county ledger into a ledger of 10,000 and of 50,000 synthetic deals peaks alike, and so does a first
import of a 10,000-row and of a 50,000-row county sheet.

What the import reads of the ledger (the deals a row may mean, the departments, events and people it names)
is read by name or in bounded windows, never the whole deal table; a large sheet's rows are streamed and let
go once applied. Each import runs in its own process, which reports its peak resident size.
"""

import json
import shutil
import sqlite3
import subprocess
import sys

from tests.perf.import_speed import build
from tests.system.conftest import LARGE, SMALL
from tests.system.test_export_memory import GROWTH_MIB, PEAK, ROOT, _peak_mib

ROWS = 3000


def test_import_memory_does_not_grow_with_the_ledger(ledgers, tmp_path):
    book = build(tmp_path / "county.xlsx", ROWS)
    peaks = {}
    for deals, path in ledgers.items():
        ledger = tmp_path / f"ledger-{deals}.sqlite3"
        shutil.copy(path, ledger)  # the import writes: the shared ledgers stay as they are
        out = tmp_path / f"report-{deals}.json"
        with open(out, "w") as stdout:
            peaks[deals] = _peak_mib(["--db", ledger, "import", book, "--format", "json"], stdout)
        report = json.loads(out.read_text(encoding="utf-8"))
        assert report["written"] and len(report["created"]) == ROWS, report["problems"][:3]
    assert peaks[LARGE] - peaks[SMALL] < GROWTH_MIB, (
        f"import: peak {peaks[SMALL]:.0f} MiB into {SMALL:,} deals, {peaks[LARGE]:.0f} MiB into {LARGE:,}"
    )


#: Run `crm ARGS` with a large sheet's reading forced small: slices of 256 KiB of XML, 2,000-row chunks, what is
#: remembered of the rows on disk past 5,000 entries, SQLite's page caches at 2 MiB (they fill up to their size as
#: the ledger grows, then stay), so that 10,000 and 50,000 rows show what a million do.
SMALL_PARTS = """
import importlib
def _small(module, **values):
    try:
        found = importlib.import_module("crm.importing." + module)
    except ModuleNotFoundError:  # a tree from before it (this test is run against main's too)
        return
    for name, value in values.items():
        setattr(found, name, value)
_small("xlsx_slices", SLICE_AT=0, SLICE_BYTES=256 << 10)
_small("plan", STREAMED_CHUNK=2000)
_small("remembered", SPILL_AT=5000, CACHE_KIB=512)
_small("report", KEPT=100)
_small("aside", IMPORT_CACHE_KIB=2048, APPENDING_CACHE_KIB=2048)  # SQLite's page cache fills up to its size
"""
FEW_ROWS, MANY_ROWS = 10_000, 50_000


def test_import_memory_does_not_grow_with_the_rows(tmp_path):
    """A first import of a 50,000-row county sheet peaks as one of 10,000 rows does: its rows are streamed from
    the file, applied a chunk at a time and dropped, and what is kept of each (its key, its code, the deal
    created, the report's line) goes to disk past a bound."""
    peaks = {}
    for rows in (FEW_ROWS, MANY_ROWS):
        book = build(tmp_path / f"county-{rows}.xlsx", rows)
        ledger = tmp_path / f"new-{rows}.sqlite3"
        subprocess.run([sys.executable, "-m", "app", "--db", str(ledger), "init"], cwd=ROOT, check=True)
        done = subprocess.run(
            [sys.executable, "-c", SMALL_PARTS + PEAK, "--db", str(ledger), "import", str(book)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        peaks[rows] = int([x for x in done.stderr.splitlines() if x.startswith("PEAK ")][-1].split()[1]) / 1024
        with sqlite3.connect(ledger) as db:
            assert db.execute("SELECT count(*) FROM deal").fetchone()[0] == rows
    assert peaks[MANY_ROWS] - peaks[FEW_ROWS] < GROWTH_MIB, (
        f"import: peak {peaks[FEW_ROWS]:.0f} MiB for {FEW_ROWS:,} rows, {peaks[MANY_ROWS]:.0f} MiB for {MANY_ROWS:,}"
    )
