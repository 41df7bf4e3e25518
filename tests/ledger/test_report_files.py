"""`crm report` and the Report screen's file are for people (a county's leader reads the printout): Chinese
headers with their units, amounts in 亿元, rates in per cent, the as-of day in the title and the exchange rates
named below; the csv opens in Excel on Chinese Windows (a BOM). JSON keeps the plain values under stable keys
for scripts. Before, every format but JSON printed internal keys (group, total_cny …), yuan and fractions."""

import csv
import io
import json
from decimal import Decimal

from openpyxl import load_workbook

AS_OF = "2020-12-31"


def _report(run_cli, url, *args):
    code, out, err = run_cli("--db", url, "report", "regions", "--as-of", AS_OF, *args)
    assert code == 0, err
    return out


def _plain(run_cli, url) -> dict:
    return {row["group"]: row for row in json.loads(_report(run_cli, url, "--format", "json"))}


def test_the_terminal_table_is_titled_in_chinese_with_units_and_names_its_rates(demo_ledger, run_cli, demo_url):
    plain = _plain(run_cli, demo_url)
    title, table, rates = _report(run_cli, demo_url).strip().split("\n\n")
    assert title == f"按县(市、区)汇总（截至{AS_OF}）"
    header, _rule, *rows = table.splitlines()
    assert header.split()[:4] == ["县(市、区)", "项目数", "总投资(亿元)", "开工占比"]
    total = rows[-1].split()
    assert total[0] == "合计" and total[1] == str(plain["合计"]["deals"])
    yi = (Decimal(plain["合计"]["total_cny"]) / 100_000_000).quantize(Decimal("0.01"))
    assert total[2] == str(yi) and total[3] == f"{Decimal(plain['合计']['start_rate']) * 100:.2f}%"
    assert rates.startswith("所用汇率：") and "USD 2019-05-17 6.8859" in rates
    assert "total_cny" not in table and "group" not in table


def test_the_csv_opens_in_excel_with_numbers_in_yi_and_per_cent(demo_ledger, run_cli, demo_url, tmp_path):
    plain = _plain(run_cli, demo_url)
    path = tmp_path / "地区汇总.csv"
    _report(run_cli, demo_url, "-o", path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel on Chinese Windows reads UTF-8 only after a BOM"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [f"按县(市、区)汇总（截至{AS_OF}）"]
    header = rows[1]
    assert header[:4] == ["县(市、区)", "项目数", "总投资(亿元)", "开工占比(%)"] and "schedule_gap" not in header
    by_group = {r[0]: dict(zip(header, r)) for r in rows[2:-1]}
    for group, row in by_group.items():
        want = plain[group]
        assert Decimal(row["总投资(亿元)"]) * 100_000_000 == Decimal(want["total_cny"]), group  # exact
        assert row["开工占比(%)"] == f"{Decimal(want['start_rate']) * 100:.2f}"
        gap = want["schedule_gap"]
        assert row["超序时进度(百分点)"] == ("" if gap is None else f"{Decimal(gap):.2f}"), "a number, not '-82.67"
    assert rows[-1][0].startswith("所用汇率：USD") or "USD 2019-05-17 6.8859" in rows[-1][0]


def test_the_xlsx_prints_a_title_headers_with_units_numbers_and_the_rates(demo_ledger, run_cli, demo_url, tmp_path):
    plain = _plain(run_cli, demo_url)
    path = tmp_path / "地区汇总.xlsx"
    _report(run_cli, demo_url, "-o", path)
    sheet = load_workbook(path).worksheets[0]
    assert sheet.title == "按县(市、区)"
    assert sheet["A1"].value == f"按县(市、区)汇总（截至{AS_OF}）"
    header = [c.value for c in sheet[2]]
    assert header[:3] == ["县(市、区)", "项目数", "总投资(亿元)"] and sheet.print_title_rows == "$2:$2"
    total = next(row for row in sheet.iter_rows(min_row=3) if row[0].value == "合计")
    assert total[0].font.b and total[1].value == plain["合计"]["deals"]
    assert round(Decimal(str(total[2].value)), 2) == round(Decimal(plain["合计"]["total_cny"]) / 100_000_000, 2)
    assert total[2].number_format == "#,##0.00"
    below = [row[0].value for row in sheet.iter_rows(min_row=total[0].row + 1) if row[0].value]
    assert below[0] == "所用汇率" and any(line.startswith("USD 2019-05-17 6.8859") for line in below[1:])
    assert sheet.page_setup.orientation == "landscape" and sheet.sheet_properties.pageSetUpPr.fitToPage


def test_a_series_csv_writes_points_behind_schedule_as_numbers(demo_ledger, run_cli, demo_url):
    """A negative figure is no formula: `'-8.33` made the column text in Excel."""
    # a deal already in the ledger in January (a plan counts only from the deal's signing)
    code, _out, err = run_cli("--db", demo_url, "plan", "ZS2019-0001", "2020", "5亿元")
    assert code == 0, err
    args = ("--db", demo_url, "kpi", "--series", "monthly", "--from", "2020-01-01", "--to", "2020-03-31")
    code, out, err = run_cli(*args, "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    gaps = [row["schedule_gap"] for row in rows]
    assert gaps == ["-8.33", "-16.67", "-25.00"], "nothing completed: behind the schedule by a month a month"


def test_the_kpi_table_lists_its_rates_below_it_a_line_each(demo_ledger, run_cli, demo_url):
    code, out, err = run_cli("--db", demo_url, "kpi", "--as-of", AS_OF)
    assert code == 0, err
    table, rates = out.strip().split("\n\n")
    assert "所用汇率" not in table and max(len(line) for line in table.splitlines()) < 100
    label, *lines = rates.splitlines()
    assert label == "所用汇率：" and len(lines) > 1 and all(line.strip()[:3] in ("USD", "EUR", "HKD") for line in lines)


def test_groups_are_in_pinyin_order(demo_ledger, run_cli, demo_url):
    """Name order is the reader's (安国市, 保定高新区, 定兴县 …), not the characters' code points (保 before 安)."""
    groups = [row["group"] for row in json.loads(_report(run_cli, demo_url, "--format", "json"))][:-1]
    assert groups[:3] == ["安国市", "保定高新区", "定兴县"], groups
    assert groups.index("涞水县") < groups.index("蠡县") < groups.index("涿州市"), groups
