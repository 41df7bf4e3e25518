"""`crm import` of a large xlsx beside python-calamine reading the same file (issue #12, #16 import row).

    python -m tests.perf.import_speed [--rows 100000] [--rounds 3] [--keep DIR]

Builds a county-style ledger of `--rows` rows (title, note, header, data: codes, names, regions, investors,
industries, events, dates, amounts as text, stage words, problems, departments, leaders, notes), then times
`python -m app --db NEW.sqlite3 import FILE` in a fresh process `--rounds` times and the calamine read of
every cell of the file (the floor). Prints the medians and the ratio; targets: ≤ 10 s and ≤ 3× the floor.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEADERS = [
    "序号",
    "项目编号",
    "项目名称",
    "投资方",
    "所在地",
    "产业类别",
    "签约活动",
    "签约时间",
    "总投资",
    "项目进展",
    "存在问题",
    "牵头单位",
    "包联领导",
    "备注",
]
REGIONS = ["涿州市", "高碑店市", "定兴县", "安国市", "清苑区", "徐水区", "满城区", "易县", "涞水县", "雄县"]
INDUSTRIES = ["先进制造", "新一代信息技术", "生物医药健康", "现代物流", "文旅", "节能环保", "新能源"]
EVENTS = ["中国·廊坊国际经济贸易洽谈会", "保定市重点项目集中签约", "京津冀产业对接会", None]
STAGES = ["在谈", "签约", "已注册", "已开工", "在建", "已投产", "停滞"]
LEADS = [f"{r}人民政府" for r in REGIONS]
PEOPLE = ["李建国", "张振华", "刘晓明", "陈立新", "王志强"]


def build(path: Path, rows: int, seed: int = 3) -> Path:
    """Write the ledger with xlsxwriter (seconds, where openpyxl takes a minute)."""
    import xlsxwriter

    rng = random.Random(seed)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("项目台账")
    ws.write_row(0, 0, ["2020年重点招商项目台账"])
    ws.write_row(1, 0, ["单位:万元"])
    ws.write_row(2, 0, HEADERS)
    for n in range(1, rows + 1):
        year = rng.choice((2019, 2020))
        day = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        amount = f"{rng.randint(1, 900) / 10}亿元" if rng.random() < 0.7 else f"{rng.randint(500, 90000)}万元"
        problem = f"用地指标不足(责任单位:{rng.choice(LEADS)})" if rng.random() < 0.1 else ""
        ws.write_row(
            n + 2,
            0,
            [
                n,
                f"ZS{year}-{n:06d}",
                f"第{n}号{rng.choice(INDUSTRIES)}项目",
                f"某{rng.choice(INDUSTRIES)}集团{n % 5000}",
                rng.choice(REGIONS),
                rng.choice(INDUSTRIES),
                rng.choice(EVENTS) or "",
                day,
                amount,
                rng.choice(STAGES),
                problem,
                rng.choice(LEADS),
                rng.choice(PEOPLE),
                "",
            ],
        )
    book.close()
    return path


def _median(work, rounds: int) -> tuple[float, list[float]]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), samples


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", help="build the ledger in DIR (and reuse it when there)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="crm-import-") as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        book = folder / f"county-{args.rows}.xlsx"
        if not book.exists():
            build(book, args.rows)
        counter = iter(range(10**6))

        def run():
            db = Path(tmp) / f"import-{next(counter)}.sqlite3"
            proc = subprocess.run(
                [sys.executable, "-m", "app", "--db", str(db), "import", str(book)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHONPATH": str(ROOT), "CRM_USER": "bench"},
            )
            if proc.returncode != 0:
                raise SystemExit(proc.stderr[-2000:])

        def read_cells():
            from python_calamine import CalamineWorkbook

            wb = CalamineWorkbook.from_path(str(book))
            for name in wb.sheet_names:
                for _row in wb.get_sheet_by_name(name).iter_rows():
                    pass
            wb.close()

        floor, floor_samples = _median(read_cells, args.rounds)
        took, samples = _median(run, args.rounds)
    print(
        f"crm import of a {args.rows:,}-row xlsx: median {took:.2f} s of {args.rounds} "
        f"({', '.join(f'{s:.2f}' for s in samples)}); target ≤ 10 s"
    )
    print(
        f"python-calamine read of the same file: median {floor:.2f} s "
        f"({', '.join(f'{s:.2f}' for s in floor_samples)}); import / read = {took / floor:.1f}× (target ≤ 3×)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
