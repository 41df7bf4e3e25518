"""What an import's remembering costs a million rows (issue 16): the three stores of a first import, alone.

    python -m tests.perf.import_remembered [--rows 1000000] [--scattered]

Run from a tree, it measures that tree's crm/importing/remembered.py as a first import of a county
ledger uses it, chunk by chunk (plan.STREAMED_CHUNK rows): each row's code asked and kept, its deal
key kept (plan._check_duplicates), the deals created so far kept by name and the chunk's names asked
(existing._Deals). Keys run in the file's order (codes and names numbered as the rows), or with
`--scattered` in no order at all. Prints the CPU seconds.
"""

from __future__ import annotations

import argparse
import datetime
import time

from crm.importing import existing
from crm.importing.plan import STREAMED_CHUNK
from crm.importing.remembered import Remembered


def run(rows: int, scattered: bool) -> float:
    """CPU seconds of remembering `rows` rows as a first import does."""
    number = (lambda n: (n * 2654435761) % 2**32) if scattered else (lambda n: n)
    packing = {"pack": existing._packed, "unpack": existing._unpacked} if hasattr(existing, "_packed") else {}
    seen, codes, names = Remembered(), Remembered(), Remembered(**packing)
    made: dict = {}
    start = time.process_time()
    for first in range(0, rows, STREAMED_CHUNK):
        chunk = range(first, min(rows, first + STREAMED_CHUNK))
        keys = {(f"第{number(n)}号先进制造项目", datetime.date(2020, 1, 1 + n % 28)): n for n in chunk}
        given = {f"ZS2020-{number(n):010d}": n for n in chunk}
        codes.lookup(set(given))
        seen.update(keys)
        codes.update(given)
        names.update(made)
        names.lookup({key[0] for key in keys})
        made = {key[0]: existing.Made(f"ZS2020-{number(n):010d}", key[1], None, None) for key, n in keys.items()}
    for kept in (seen, codes, names):
        kept.close()
    return time.process_time() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--scattered", action="store_true", help="keys in no order (else in the rows' order)")
    args = parser.parse_args(argv)
    took = run(args.rows, args.scattered)
    order = "scattered" if args.scattered else "in order"
    print(f"remembering {args.rows:,} rows (keys {order}): {took:.2f} CPU s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
