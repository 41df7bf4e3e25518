"""What a reader of `crm export weekly` sees of the totals: every total that adds up an approximate amount
(约5亿元) says 约 in every format, as the 总投资 合计 does; the xlsx 汇总 sheet's rates are numbers and it prints
with its title rows on every page and the rates table kept whole; the txt grid keeps the 总投资 column narrow
(the 合计's amounts one a line) and its four-character headers whole. On both backends.

The ledger: 3亿元 (exact, 签约), 约5亿元 (开工), 2亿美元 and 1.3亿欧元 (签约), signed in 2026 and listed in
week 2026-W48: 32.67亿元 in all (3 + 5 + 2 × 7.2 + 1.3 × 7.9)."""

import csv
import datetime
import re

import pytest
from openpyxl import load_workbook

from crm.deals.records import create_deal
from crm.deals.stages import change_stage
from crm.reference import fx
from tests.conftest import filled_ledger

D = datetime.date
WEEK = "2026-W48"
TOTAL = "32.67"  # 3 + 5 + 2 × 7.2 + 1.3 × 7.9 亿元


@filled_ledger()
def mixed_amounts():
    """An exact, an approximate and two foreign amounts (written once, each test given a copy)."""
    fx.set_rate("USD", D(2026, 1, 2), "7.2000")
    fx.set_rate("EUR", D(2026, 1, 2), "7.9000")
    create_deal({"name": "精确项目", "amount": "3亿元", "signed_on": "2026-03-01", "region": "莲池区"})
    about = create_deal({"name": "约数项目", "amount": "约5亿元", "signed_on": "2026-03-02", "region": "徐水区"})
    create_deal({"name": "美元项目", "amount": "2亿美元", "signed_on": "2026-03-03", "region": "涿州市"})
    create_deal({"name": "欧元项目", "amount": "1.3亿欧元", "signed_on": "2026-03-04", "region": "涿州市"})
    change_stage(about.code, "registered", on=D(2026, 4, 1))
    change_stage(about.code, "construction", on=D(2026, 5, 1))


def _export(run_cli, db_url, path, *options):
    code, _out, err = run_cli("--db", db_url, *options, "export", "weekly", "--week", WEEK, "-o", path)
    assert code == 0, err
    return path


def _csv_rows(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def _row(rows: list[list[str]], label: str, after: str | None = None) -> list[str]:
    """The first row whose first cell is `label` (below the row whose first cell is `after`)."""
    start = next(i for i, r in enumerate(rows) if r and r[0] == after) if after else 0
    return next(r for r in rows[start:] if r and r[0] == label)


def test_the_csv_marks_every_total_that_adds_up_an_approximate_amount(mixed_amounts, db_url, run_cli, tmp_path):
    rows = _csv_rows(_export(run_cli, db_url, tmp_path / "w.csv"))
    header = _row(rows, "序号")
    totals = _row(rows, "合计")
    assert totals[header.index("总投资")].startswith("约8亿元")  # as it was
    assert totals[header.index("折合人民币(亿元)")] == f"约{TOTAL}"
    assert _row(rows, "开工", after="表内项目分阶段情况")[2] == "约5.00"
    assert _row(rows, "签约", after="表内项目分阶段情况")[2] == "27.67"  # exact amounts only: no 约
    assert _row(rows, "合计", after="表内项目分阶段情况")[2] == f"约{TOTAL}"
    assert _row(rows, "总投资(亿元)")[1:3] == [f"约{TOTAL}", f"约{TOTAL}"]  # at the week's end and today
    # a deal's own row is not a total: its amount keeps the 约 it was written with, its 亿元 figure is as computed
    deal = next(r for r in rows if len(r) > 2 and r[header.index("项目名称")] == "约数项目")
    assert [deal[header.index("总投资")], deal[header.index("折合人民币(亿元)")]] == ["约5亿元", "5.00"]


def test_english_says_about(mixed_amounts, db_url, run_cli, tmp_path):
    rows = _csv_rows(_export(run_cli, db_url, tmp_path / "w.csv", "--lang", "en"))
    header = _row(rows, "No.")
    assert _row(rows, "Total")[header.index("Converted (100m CNY)")] == f"about {TOTAL}"
    assert _row(rows, "Total investment (100m CNY)")[1:3] == [f"about {TOTAL}"] * 2


@pytest.mark.parametrize("fmt", ["md", "txt", "html"])
def test_the_text_formats_mark_the_same_totals(mixed_amounts, db_url, run_cli, tmp_path, fmt):
    text = _export(run_cli, db_url, tmp_path / f"w.{fmt}").read_text(encoding="utf-8")
    numbers = re.findall(r"约?\d+\.\d\d(?![0-9亿万%])", text)  # the 亿元 figures, as printed
    # 约32.67: the totals row, the stage split's total and the KPI twice; 5.00: the deal's row, 约 its stage's
    assert numbers.count(f"约{TOTAL}") == 4 and TOTAL not in numbers
    assert numbers.count("约5.00") == 1 and numbers.count("5.00") == 1
    assert "27.67" in numbers and "约27.67" not in numbers  # 签约: exact amounts only


def _summary(path):
    return load_workbook(path).worksheets[1]


def _cell(ws, label: str, column: int = 2):
    row = next(r for r in ws.iter_rows() if r[0].value == label)
    return row[column - 1]


def test_the_xlsx_totals_stay_numbers_shown_with_about(mixed_amounts, db_url, run_cli, tmp_path):
    path = _export(run_cli, db_url, tmp_path / "w.xlsx")
    wb = load_workbook(path)
    table, summary = wb.worksheets
    totals = next(r for r in table.iter_rows() if r[0].value == "合计")
    header = [c.value for c in next(r for r in table.iter_rows() if r[0].value == "序号")]
    yi = totals[header.index("折合人民币(亿元)")]
    assert yi.data_type == "n" and f"{yi.value:.2f}" == TOTAL
    assert yi.number_format == '"约"#,##0.00'  # Excel shows 约32.67
    kpi = _cell(summary, "总投资(亿元)")
    assert kpi.data_type == "n" and kpi.number_format == '"约"#,##0.00'
    stages = {r[0].value: r[2] for r in summary.iter_rows(min_row=1, max_row=12) if isinstance(r[1].value, int)}
    assert stages["开工"].number_format == '"约"#,##0.00'
    assert stages["签约"].number_format == "#,##0.00"


def test_the_xlsx_rates_are_numbers_with_four_decimals(mixed_amounts, db_url, run_cli, tmp_path):
    summary = _summary(_export(run_cli, db_url, tmp_path / "w.xlsx"))
    rates = [r for r in summary.iter_rows() if r[0].value in ("USD", "EUR")]
    assert len(rates) == 2
    for rate in rates:
        assert rate[2].data_type == "n" and rate[2].number_format == "0.0000"  # not "number stored as text"
    assert sorted(r[2].value for r in rates) == [7.2, 7.9]


@pytest.fixture
def many_rates(mixed_amounts):
    """Ten more USD rates, each used by a deal: the 汇总 sheet is then longer than a page."""
    for month in range(1, 11):
        fx.set_rate("USD", D(2025, month, 1), f"7.{month:02d}00")
        create_deal({"name": f"美元{month}", "amount": "1亿美元", "signed_on": f"2025-{month:02d}-15"})


def test_a_long_summary_repeats_its_title_rows_and_keeps_the_rates_table_on_one_page(
    many_rates, db_url, run_cli, tmp_path
):
    summary = _summary(_export(run_cli, db_url, tmp_path / "w.xlsx"))
    assert summary.print_title_rows == "$1:$2"  # the title and scope head every printed page
    assert summary.page_setup.fitToHeight == 0  # too long to shrink onto one page: as many pages as it takes
    rates_title = next(r[0].row for r in summary.iter_rows() if r[0].value == "所用汇率")
    # the page breaks before the rates table (its title, header and rows together), nowhere else
    assert [b.id for b in summary.row_breaks.brk] == [rates_title - 1]


def test_a_summary_a_little_longer_than_a_page_is_shrunk_onto_one(mixed_amounts, db_url, run_cli, tmp_path):
    for month in range(1, 4):  # a few rows more than a page holds
        fx.set_rate("USD", D(2025, month, 1), f"7.{month:02d}00")
        create_deal({"name": f"美元{month}", "amount": "1亿美元", "signed_on": f"2025-{month:02d}-15"})
    summary = _summary(_export(run_cli, db_url, tmp_path / "w.xlsx"))
    assert summary.print_title_rows == "$1:$2"
    assert summary.sheet_properties.pageSetUpPr.fitToPage
    assert (summary.page_setup.fitToWidth or 1, summary.page_setup.fitToHeight or 1) == (1, 1)  # absent: 1
    assert not summary.row_breaks.brk


def _grid(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.startswith(("|", "+"))]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_the_txt_grid_puts_the_long_totals_one_a_line_and_keeps_headers_whole(mixed_amounts, db_url, run_cli, tmp_path):
    from wcwidth import wcswidth

    grid = _grid(_export(run_cli, db_url, tmp_path / "w.txt").read_text(encoding="utf-8"))
    first_header = next(i for i, line in enumerate(grid) if "序号" in line)
    header_end = next(i for i in range(first_header, len(grid)) if grid[i].startswith("+"))
    header_lines = [_cells(line) for line in grid[first_header:header_end]]
    headers = ["".join(parts) for parts in zip(*header_lines)]
    at = headers.index("总投资")
    assert "当前阶段" in _cells(grid[first_header])  # on one line, not 当前阶/段
    start = next(i for i, line in enumerate(grid) if _cells(line)[0] == "合计")
    end = next(i for i in range(start, len(grid)) if grid[i].startswith("+"))
    amounts = [_cells(line)[at] for line in grid[start:end]]
    assert amounts == ["约8亿元、", "1.3亿欧元、", "2亿美元"]
    # the column is as wide as its widest line, not the three amounts side by side
    column = grid[start].split("|")[at + 1]
    assert wcswidth(column) == max(wcswidth(a) for a in amounts) + 2
