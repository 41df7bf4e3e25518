"""Where the weekly xlsx export's CPU goes, in this process (`time.process_time`, the collector off as the export
runs it), against the floor in the same process, on a SQLite ledger:

    python -m tests.perf.weekly_xlsx_parts bench-data/ledger-1000000-s1.sqlite3 [--week 2026-W43] [--rounds 2]

First the whole export once (its workbook is what the floor writes again). Then each round: the rows as
crm.reporting.weekly streams them; the same with exports.weekly_layout.row_values; the first pass
(exports.weekly_xlsx_body.Body.lay_out on the streamed rows); and, from one spool of that pass, the second pass
with the workbook's close, then the floor (tests.perf.commands._xlsx_floor), in turn.
"""

from __future__ import annotations

import argparse
import gc
import io
import sys
import tempfile
import time
from pathlib import Path

from tests.perf import commands
from tests.perf.commands import WEEK


def _cpu(work, *args) -> tuple[float, object]:
    """(CPU seconds, result) of work(*args)."""
    c0 = time.process_time()
    result = work(*args)
    return time.process_time() - c0, result


def _count(rows, each) -> int:
    """How many rows there are, `each` called on every one."""
    return sum(1 for row in rows if each is None or each(row))


def main(argv=None) -> int:
    """Print the parts' CPU times."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db")
    parser.add_argument("--week", default=WEEK)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    gc.disable()
    import xlsxwriter

    from crm.reporting import weekly
    from db.connection import open_database
    from exports import weekly_layout as layout
    from exports import weekly_xlsx, weekly_xlsx_body

    open_database(args.db)
    week = weekly.resolve_week(args.week)
    keys = [c.key for c in layout.columns()]
    caps = [weekly_xlsx.MAX_WIDTHS.get(key, 16) for key in keys]
    options = {
        "constant_memory": True,
        "strings_to_numbers": False,
        "strings_to_formulas": False,
        "strings_to_urls": False,
    }
    with tempfile.TemporaryDirectory(prefix="weekly-xlsx-parts-") as tmp:
        book = Path(tmp) / "weekly.xlsx"
        print(f"whole export: CPU {_cpu(weekly_xlsx.write, weekly.stream(week), book)[0]:.2f} s", flush=True)
        _dims, floor = commands._xlsx_floor(book)
        floor()  # warm-up, as the bench does
        scratch = xlsxwriter.Workbook(str(Path(tmp) / "scratch.xlsx"))  # the first pass's formats, not written

        def laid_out():
            body = weekly_xlsx_body.Body(weekly_xlsx._Styles(scratch), keys, caps)
            body.lay_out(weekly.stream(week).rows)
            return body

        def second_pass(body, spooled: bytes):
            out = xlsxwriter.Workbook(str(Path(tmp) / "body.xlsx"), options)
            body.styles = weekly_xlsx._Styles(out)
            body.spool = io.BytesIO(spooled)
            body.write(out.add_worksheet(), weekly_xlsx.HEADER_ROW)
            out.close()

        for n in range(args.rounds):
            rows = _cpu(_count, weekly.stream(week).rows, None)[0]
            values = _cpu(_count, weekly.stream(week).rows, layout.row_values)[0]
            first, body = _cpu(laid_out)
            spooled = body.spool.read()
            second = _cpu(second_pass, body, spooled)[0]
            floor_cpu = _cpu(floor)[0]
            print(
                f"round {n + 1}: rows streamed {rows:.2f} s, with row_values {values:.2f} s, first pass {first:.2f} s"
                f" (its own {first - values:.2f} s), second pass and close {second:.2f} s, floor {floor_cpu:.2f} s",
                flush=True,
            )
        scratch.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
