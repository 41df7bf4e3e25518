"""Imports and a revert while officers write to the same deals (a shared PostgreSQL ledger, or SQLite's one
writer at a time): each import and the revert go in whole, and afterwards every
kept total, stage ledger and audit trail agrees with the rows (tests/ledger_checks.check_ledger)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

from tests.ledger_checks import assert_clean_outcomes, check_ledger, opened, start_storm, wait_for
from tests.perf.import_speed import HEADERS, LEADS, PEOPLE, REGIONS

ROOT = Path(__file__).resolve().parents[2]
STAGE_WORDS = ["签约", "已注册", "已开工", "已投产", "停滞"]


def _sheet(path: Path, deals: dict, new: int, seed: int) -> Path:
    """A county sheet of the deals `deals` (code → name) and `new` more, shuffled, half with a problem."""
    import xlsxwriter

    rng = random.Random(seed)
    rows = [(code, name) for code, name in deals.items()]
    rows += [(f"ZS2021-{900000 + n}", f"新建第{n}号项目") for n in range(new)]
    rng.shuffle(rows)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("台账")
    sheet.write_row(0, 0, HEADERS)
    for r, (code, name) in enumerate(rows, 1):
        problem = f"用地问题{seed}-{r}(责任单位:{rng.choice(LEADS)})" if rng.random() < 0.5 else ""
        day = f"2021-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        sheet.write_row(
            r,
            0,
            [r, code, name, f"某集团{r}", rng.choice(REGIONS), "先进制造", "", day, f"{rng.randint(1, 90)}亿元",
             rng.choice(STAGE_WORDS), problem, rng.choice(LEADS), rng.choice(PEOPLE), ""],
        )  # fmt: skip
    book.close()
    return path


def _crm(url: str, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app", "--db", url, *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "CRM_USER": "导入员"},
        timeout=300,
    )


def test_imports_and_a_revert_beside_a_write_storm_leave_the_ledger_whole(demo_url, tmp_path):
    from db.models import AuditEntry, Deal, Department

    with opened(demo_url):
        signed = Deal.select().where(Deal.stage != "negotiating").order_by(Deal.code).limit(6)
        deals = {d.code: d.name for d in signed}
        departments = [d.name for d in Department.select().limit(4)]

    def written() -> int:
        with opened(demo_url):
            return AuditEntry.select().count()

    start = written()
    stop = start_storm(demo_url, list(deals), departments, tmp_path, workers=3)
    try:
        wait_for(lambda: written() > start + 30, timeout=60)
        # the first updates the storm's deals and creates 300; the second updates those 300; the third the storm's
        done = [_crm(demo_url, "import", _sheet(tmp_path / "1.xlsx", deals, 300, seed=1))]
        done.append(_crm(demo_url, "import", _sheet(tmp_path / "2.xlsx", {}, 300, seed=2)))
        done.append(_crm(demo_url, "import", _sheet(tmp_path / "3.xlsx", deals, 0, seed=3)))
        # the second import's deals (its updates of the first's) go back while the storm writes on
        done.append(_crm(demo_url, "import", "revert", "2"))
    finally:
        results = stop()
    assert_clean_outcomes(results)
    # each import goes in whole and the revert takes the second back, whatever the storm did meanwhile
    assert [(run.returncode, run.stderr) for run in done] == [(0, "")] * 4
    with opened(demo_url) as db:
        check_ledger(db)
