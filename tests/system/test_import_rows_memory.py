"""A first import's memory does not grow with the file (issue #16): a 5,000-row and a 25,000-row county sheet,
their reading forced into the small parts a million rows are read in, peak alike. A large sheet's rows are
streamed and let go once applied, and what is kept of each row goes to disk past a bound. Each import runs in
its own process, which reports its peak resident size. (Its own file, apart from test_import_memory.py's shared
ledgers, so that the two run on different workers.)
"""

import sqlite3
import subprocess
import sys

from tests.perf.import_speed import build
from tests.system.test_export_memory import GROWTH_MIB, PEAK, ROOT

#: Run `crm ARGS` with a large sheet's reading forced small: slices of 256 KiB of XML, 2,000-row chunks, what is
#: remembered of the rows on disk past 2,000 entries, SQLite's page caches at 2 MiB (they fill up to their size as
#: the ledger grows, then stay), so that 5,000 and 25,000 rows show what a million do.
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
_small("remembered", SPILL_AT=2000, CACHE_KIB=512)
_small("report", KEPT=100)
_small("aside", IMPORT_CACHE_KIB=2048, APPENDING_CACHE_KIB=2048)  # SQLite's page cache fills up to its size
"""
FEW_ROWS, MANY_ROWS = 5_000, 25_000


def test_import_memory_does_not_grow_with_the_rows(tmp_path):
    """A first import of a 25,000-row county sheet peaks as one of 5,000 rows does: its rows are streamed from
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
