"""What wrapping the txt export's cells costs (exports.weekly_text.wrap, on crm.foundation.lines), on a SQLite
ledger's weekly table:

    python -m tests.perf.wrap_cost bench-data/ledger-1000000-s1.sqlite3 [--deals 20000] [--base DIR] [--uniseg]

Takes the first --deals rows of the week's table (tests.perf.commands.WEEK unless --week), their cells as the
txt export writes them, and times wrapping every cell of a wrapped column at its width (CPU seconds, median of
--rounds, each from an empty cache), as `crm export weekly --format txt` does. With --base DIR, DIR's exports/weekly_text.py's wrap on the
same cells in turn (a checkout before the change). With --uniseg, uniseg's UAX #14 units alone for the cells wider
than their column (the other UAX #14 implementation on PyPI), when uniseg is installed. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import itertools
import json
import statistics
import time
from pathlib import Path

from tests.perf.commands import WEEK


def _cells(db: str, week: str, deals: int) -> list[tuple[str, int]]:
    """(cell text, column width) of every wrapped column of the first `deals` rows."""
    from crm.reporting import weekly
    from db.connection import open_database
    from exports import weekly_layout as layout
    from exports.weekly_text import _shown, txt_cell

    open_database(db, migrate_schema=False)
    widths = [col.width if col.wrap else 0 for col in layout.columns()]
    rows = itertools.islice(weekly.stream(weekly.resolve_week(week)).rows, deals)
    return [
        (txt_cell(_shown(value)), width) for row in rows for value, width in zip(layout.cells(row), widths) if width
    ]


def _timed(work, rounds: int) -> float:
    from crm.foundation import lines

    took = []
    for _ in range(rounds):
        lines._wrapped.cache_clear()  # each round as an export meets the cells: once, in order
        gc.collect()
        gc.disable()
        start = time.process_time()
        work()
        took.append(time.process_time() - start)
        gc.enable()
    return statistics.median(took)


def _module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("--week", default=WEEK)
    parser.add_argument("--deals", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--base", type=Path, help="a checkout whose exports/weekly_text.py's wrap to time too")
    parser.add_argument("--uniseg", action="store_true", help="time uniseg's line_break_units on the wide cells")
    args = parser.parse_args(argv)
    from crm.foundation.lines import cells as cell_width
    from exports import weekly_text

    cells = _cells(args.db, args.week, args.deals)
    wide = [(text, width) for text, width in cells if "\n" in text or cell_width(text) > width]
    result = {
        "deals": args.deals,
        "cells": len(cells),
        "wider_than_column": len(wide),
        "chars_of_those": sum(len(text) for text, _ in wide),
        "lines": sum(weekly_text.wrap(text, width).count("\n") + 1 for text, width in cells),
        "this_checkout_s": _timed(lambda: [weekly_text.wrap(t, w) for t, w in cells], args.rounds),
    }
    if args.base:
        base = _module(args.base / "exports" / "weekly_text.py", "base_weekly_text")
        result["base_s"] = _timed(lambda: [base.wrap(t, w) for t, w in cells], args.rounds)
        result["base_lines"] = sum(base.wrap(text, width).count("\n") + 1 for text, width in cells)
    if args.uniseg:
        from uniseg.linebreak import line_break_units

        result["uniseg_units_only_s"] = _timed(lambda: [list(line_break_units(t)) for t, _ in wide], 1)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
