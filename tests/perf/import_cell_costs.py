"""What reading one cell of a county sheet costs the import, per kind of cell, in a checkout (issue 16's import row).

    python -m tests.perf.import_cell_costs [--tree CHECKOUT ...] [--cells 10000]

For each checkout (this one when none is given), in a fresh process with the checkout first on sys.path: the CPU
microseconds a cell of each kind takes, the same text read `--cells` times without the import's memo (a 存在问题
cell with its details, a progress text naming its stage's day), and the one-off cost of the import's check of a
sheet's counties against the national table of divisions (crm.reference.region_notes, absent before the
thirty-second session: then "—").
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Run in the checkout: prints "kind microseconds" lines.
SCRIPT = r"""
import datetime, sys, time
cells = int(sys.argv[1])
try:
    from crm.importing.problems import parse_problems_cell
except ImportError:  # before the problems had a module of their own
    from crm.importing.cells import parse_problems_cell
from crm.values.stage_words import classify_progress

def per_cell(read, text):
    start = time.process_time()
    for _ in range(cells):
        read(text)
    return (time.process_time() - start) / cells * 1e6

sheet_day = datetime.date(2020, 12, 31)
print("problem", per_cell(lambda c: parse_problems_cell(c, today=sheet_day), "用地指标不足(责任单位:涿州市人民政府)"))
print("progress", per_cell(classify_progress, "11月20日已开工，主体施工中"))
try:
    from crm.reference.region_notes import unknown_regions_note
except ImportError:
    print("counties -")
else:
    start = time.process_time()
    unknown_regions_note(["安国市", "定兴县", "徐水区", "易县", "涞水县", "涿州市", "清苑区", "满城区", "雄县", "高碑店市"], [])
    print("counties", (time.process_time() - start) * 1e6)
"""


def measure(tree: Path, cells: int) -> dict[str, str]:
    """{kind: microseconds} of the checkout `tree`, in a fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(cells)], cwd=tree, capture_output=True, text=True, check=True
    ).stdout
    return dict(line.split(" ", 1) for line in out.splitlines())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", type=Path, help="a checkout to measure (repeatable)")
    parser.add_argument("--cells", type=int, default=10_000)
    args = parser.parse_args(argv)
    print("| checkout | a 存在问题 cell | a progress text | the counties' check, once |")
    print("| --- | --- | --- | --- |")
    for tree in args.tree or [ROOT]:
        got = measure(tree, args.cells)
        counties = got["counties"]
        shown = counties if counties == "-" else f"{float(counties) / 1000:.1f} ms"
        print(f"| {tree} | {float(got['problem']):.1f} µs | {float(got['progress']):.1f} µs | {shown} |")


if __name__ == "__main__":
    main()
