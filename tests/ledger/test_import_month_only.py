"""A 签约时间 that names a month alone (二〇二五年十二月): the import says once for the sheet which rows were recorded
as the month's 1st and flagged month-only, and wherever the deal is shown (crm show, crm deals) it reads as the
month, not as an invented day. --skip leaves a row out of both the import and that notice.

Each test checks what the officer sees and what lands, on SQLite and PostgreSQL."""

import datetime
import json
import re

from db.connection import open_database
from db.models import Deal
from tests.ledger.test_import_county import county_xlsx

D = datetime.date
NOTICE = "give the signing date as a month only"


def _sheet(path):
    """Title in row 1, header in row 2: the deals are rows 3–6."""
    return county_xlsx(
        path,
        headers=["序号", "项目名称", "总投资（万元）", "签约时间", "计划开工时间"],
        rows=[
            [1, "月份甲项目", 1000, "二〇二五年十二月", "2026年下半年"],
            [2, "日期乙项目", 2000, "2025-12-08", "2026年3月"],
            [3, "月份丙项目", 3000, "2025年11月", None],
            [4, "半年丁项目", 4000, "2025年下半年", None],
        ],
        title="定兴县2025年重点招商项目推进表",
        note=None,
    )


def _notices(out: str) -> list[str]:
    return [line for line in out.splitlines() if NOTICE in line]


def test_a_month_only_signing_date_is_said_once_for_the_sheet(ledger, db_url, run_cli, tmp_path):
    path = _sheet(tmp_path / "定兴.xlsx")
    code, out, err = run_cli("--db", db_url, "--lang", "en", "import", path)
    assert code == 0, err
    [notice] = _notices(out)
    # rows 3 and 5 named, with what the cell said and what was kept; row 6 (下半年) has its own warning instead
    assert "rows 3, 5 " in notice and "二〇二五年十二月" in notice and "2025-12" in notice, notice
    assert "1st of that month" in notice and "month-only" in notice and "shown as 2025-12" in notice, notice
    assert re.search(r"^warning: row 6, 签约时间.*2025年下半年", out, re.M), out
    assert re.search(r"^warning: row 3, 计划开工时间.*2026年下半年", out, re.M), out  # as before
    open_database(db_url)
    deals = {d.name: d for d in Deal.select()}
    assert (deals["月份甲项目"].signed_on, deals["月份甲项目"].signed_on_month) == (D(2025, 12, 1), True)
    assert (deals["月份丙项目"].signed_on, deals["月份丙项目"].signed_on_month) == (D(2025, 11, 1), True)
    assert (deals["日期乙项目"].signed_on, deals["日期乙项目"].signed_on_month) == (D(2025, 12, 8), False)


def test_the_notice_is_in_the_json_report_and_a_sheet_of_exact_days_says_nothing(ledger, db_url, run_cli, tmp_path):
    code, out, err = run_cli("--db", db_url, "--lang", "en", "import", _sheet(tmp_path / "a.xlsx"), "--format", "json")
    assert code == 0, err
    assert len([n for n in json.loads(out)["notices"] if NOTICE in n]) == 1
    exact = county_xlsx(
        tmp_path / "b.xlsx",
        headers=["序号", "项目名称", "总投资（万元）", "签约时间"],
        rows=[[1, "整日项目", 1000, "2025-12-08"]],
        note=None,
    )
    code, out, err = run_cli("--db", db_url, "--lang", "en", "import", exact)
    assert code == 0, err
    assert _notices(out) == [], out


def test_crm_show_and_crm_deals_print_the_month_not_an_invented_day(ledger, db_url, run_cli, tmp_path):
    code, out, err = run_cli("--db", db_url, "import", _sheet(tmp_path / "定兴.xlsx"))
    assert code == 0, err
    open_database(db_url)
    codes = {d.name: d.code for d in Deal.select()}
    code, out, err = run_cli("--db", db_url, "show", codes["月份甲项目"])
    assert code == 0, err
    assert re.search(r"^签约日期\s+2025-12$", out, re.M), out
    assert re.search(r"^计划开工\s+2026-12$", out, re.M), out
    assert "（自 2025-12 起，" in out, out  # 签约 since the signing month
    assert re.search(r"^2025-12\s+签约", out, re.M) and "2025-12-01" not in out, out
    code, out, err = run_cli("--db", db_url, "show", codes["日期乙项目"])
    assert re.search(r"^签约日期\s+2025-12-08$", out, re.M), out
    code, out, err = run_cli("--db", db_url, "deals")
    assert code == 0, err
    lines = {name: line for line in out.splitlines() for name in codes if name in line}
    assert re.search(r"\s2025-12\s", lines["月份甲项目"]) and "2025-12-01" not in lines["月份甲项目"], out
    assert re.search(r"\s2025-11\s", lines["月份丙项目"]), out
    assert "2025-12-08" in lines["日期乙项目"], out


def test_skip_leaves_a_row_out_of_the_import_and_of_the_notice(ledger, db_url, run_cli, tmp_path):
    path = _sheet(tmp_path / "定兴.xlsx")
    code, out, err = run_cli("--db", db_url, "--lang", "en", "import", path, "--skip", "3,6")
    assert code == 0, err
    [notice] = _notices(out)
    assert "rows 5 " in notice and "2025年11月" in notice and "二〇二五年十二月" not in notice, notice
    assert re.search(r"rows skipped 2$", out, re.M), out
    assert re.search(r"^Rows skipped as asked \(--skip\): 3, 6$", out, re.M), out
    assert "2025年下半年" not in out  # row 6's warning went with the row
    open_database(db_url)
    assert sorted(d.name for d in Deal.select()) == sorted(["日期乙项目", "月份丙项目"])


def test_the_tuis_list_rows_know_which_signing_dates_name_a_month(ledger, db_url, run_cli, tmp_path):
    from crm.listing import pages
    from crm.listing.filters import DealFilter
    from screens.deal_list import cell_texts

    code, out, err = run_cli("--db", db_url, "import", _sheet(tmp_path / "定兴.xlsx"))
    assert code == 0, err
    open_database(db_url)
    rows = {r.name: r for r in pages.page_after(DealFilter(), pages.Order("signed"))}
    signed = {name: cell_texts(row, D(2026, 6, 30))[4] for name, row in rows.items()}  # the 签约日期 column
    assert signed == {
        "月份甲项目": "2025-12",
        "日期乙项目": "2025-12-08",
        "月份丙项目": "2025-11",
        "半年丁项目": "2025-12",
    }
