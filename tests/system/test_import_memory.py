"""The import's memory does not grow with the ledger (issue #16): `crm import` of the same 3,000-row county
ledger into a ledger of 10,000 and of 50,000 synthetic deals peaks alike (test_import_rows_memory.py: nor with
the file).

What the import reads of the ledger (the deals a row may mean, the departments, events and people it names)
is read by name or in bounded windows, never the whole deal table. Each import runs in its own process, which
reports its peak resident size.
"""

import json
import shutil

from tests.perf.import_speed import build
from tests.system.conftest import LARGE, SMALL
from tests.system.test_export_memory import GROWTH_MIB, _peak_mib

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
