"""One import of a workbook into a new SQLite ledger, read whole or forced into slices: wall, CPU and peak memory.

    python -m tests.perf.import_slicing BOOK [--slice-at MB --slice-bytes MB]

With --slice-at the sheet is read in slices of --slice-bytes (crm/importing/xlsx_slices.py) whatever its shared
strings, to see what slicing costs a workbook that has them (LibreOffice and Excel write them; each slice reads
them again). Run each way in a fresh process: the peak is the process's.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("book")
    parser.add_argument("--slice-at", type=int, help="MB of sheet XML from which it is sliced (forces slicing)")
    parser.add_argument("--slice-bytes", type=int, default=24, help="MB of XML a slice")
    args = parser.parse_args(argv)
    from crm.importing import xlsx_slices

    if args.slice_at is not None:
        xlsx_slices.SLICE_AT = args.slice_at << 20
        xlsx_slices.SLICE_BYTES = args.slice_bytes << 20
        xlsx_slices.SHARED_AT = 1 << 62
    import crm.importing as importer
    from db.connection import open_database

    os.environ.setdefault("CRM_USER", "bench")
    open_database(os.path.join(tempfile.mkdtemp(), "ledger.sqlite3"), create=True)
    t0, c0 = time.perf_counter(), time.process_time()
    report = importer.run_import(args.book, actor="bench")
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    way = "whole" if args.slice_at is None else f"slices of {args.slice_bytes} MB"
    print(
        f"{way}: {report.rows_read:,} rows written={report.written} {wall:.2f} s wall, {cpu:.2f} s CPU, peak {peak} MiB"
    )
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
