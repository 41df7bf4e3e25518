"""`crm export weekly` prints a signing date that names its month only (签约时间 2019年9月) as that month, 2019-09,
as `crm show`, the lists and the TUI do (crm.values.dates.date_text), in every format; the xlsx imports back as the
same month. And in English the stage column holds its longest word (Construction) unbroken, printed too."""

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook

from crm.values.dates import date_text
from exports import weekly_xlsx
from exports.weekly_xlsx_body import line_width, lines_of
from tests.ledger.test_import import empty_url  # noqa: F401 — the fixture

CODE = "ZS2019-0011"  # signed 2019-09-06, listed in 2020-W21
OTHER = "ZS2019-0009"  # signed the same day, its day kept
FORMATS = ("csv", "xlsx", "md", "txt", "html")


def _cli(run_cli, url, *args):
    code, out, err = run_cli("--db", url, *args)
    assert code == 0, err
    return out


def _export(run_cli, url, tmp_path, fmt, *more):
    path = tmp_path / f"w21.{fmt}"
    _cli(run_cli, url, *more, "export", "weekly", "--week", "2020-W21", "--format", fmt, "-o", path)
    return path


@pytest.fixture
def month_url(demo_url, run_cli):
    """The demo ledger with CODE's signing date corrected to name its month only."""
    _cli(run_cli, demo_url, "edit", CODE, "--signed", "2019-09")
    return demo_url


def _csv_rows(path) -> dict[str, list[str]]:
    rows = csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline=""))
    return {r[1]: r for r in rows if len(r) > 1 and r[1].startswith("ZS")}


def _xlsx_cells(path, column: str = "签约日期"):
    """{code: the cell of `column`} of the 周报 sheet's deal rows."""
    ws = load_workbook(path).worksheets[0]
    header = next(r for r in ws.iter_rows(max_row=10) if r[0].value in ("序号", "No."))
    at = [c.value for c in header].index(column)
    return {r[1].value: r[at] for r in ws.iter_rows(min_row=header[0].row + 1) if str(r[1].value).startswith("ZS")}


def test_the_csv_prints_a_month_only_signing_date_as_its_month(month_url, run_cli, tmp_path):
    rows = _csv_rows(_export(run_cli, month_url, tmp_path, "csv"))
    assert rows[CODE][7] == "2019-09"
    assert rows[OTHER][7] == "2019-09-06"


def test_the_xlsx_shows_a_month_only_signing_date_as_its_month_and_imports_it_back(
    month_url,
    empty_url,  # noqa: F811 — the fixture
    run_cli,
    tmp_path,
):
    path = _export(run_cli, month_url, tmp_path, "xlsx")
    cells = _xlsx_cells(path)
    month, day = cells[CODE], cells[OTHER]
    assert (month.value, month.data_type) == ("2019-09", "s")  # shown as 2019-09 whatever the number format
    assert month.alignment.horizontal == day.alignment.horizontal == "center"
    assert day.is_date and day.number_format == weekly_xlsx.DATE_FORMAT
    # imported into an empty ledger, the deal is signed in that month (a date cell would be read as its day)
    _cli(run_cli, empty_url, "init")
    code, out, err = run_cli("--db", empty_url, "import", path, "--format", "json")
    assert code == 0, err
    assert CODE in [deal["code"] for deal in json.loads(out)["created"]]
    assert re.search(r"^签约日期\s+2019-09$", _cli(run_cli, empty_url, "show", CODE), re.M)


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("fmt", ["md", "txt", "html"])
def test_the_text_formats_print_a_month_only_signing_date_as_its_month(month_url, run_cli, tmp_path, fmt):
    text = _export(run_cli, month_url, tmp_path, fmt).read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if CODE in line)
    assert "2019-09" in line and "2019-09-01" not in line and "2019-09-06" not in line
    assert "2019-09-06" in next(line for line in text.splitlines() if OTHER in line)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_deal_table_read_in_batches_or_as_rows_keeps_the_month(month_url):
    from crm.reporting import weekly
    from crm.reporting.weekly_model import RowBatch
    from db.connection import open_database

    db = open_database(month_url)
    try:
        table = weekly.stream(weekly.resolve_week("2020-W21"))
        batches = list(table.row_batches())
    finally:
        db.close()
    rows = [row for batch in batches for row in batch.rows()]
    assert [r.code for r in rows if r.signed_on_month] == [CODE]
    assert date_text(rows[[r.code for r in rows].index(CODE)].signed_on, True) == "2019-09"
    assert RowBatch.of_rows(rows).rows() == rows
    assert RowBatch.of_rows([r for r in rows if not r.signed_on_month]).signed_on_month is None


def test_the_english_stage_column_holds_construction_on_one_line(demo_url, run_cli, tmp_path):
    path = _export(run_cli, demo_url, tmp_path, "xlsx", "--lang", "en")
    cells = _xlsx_cells(path, "Current stage")
    assert "Construction" in {c.value for c in cells.values()}
    ws = load_workbook(path).worksheets[0]
    letter = next(iter(cells.values())).column_letter
    width = ws.column_dimensions[letter].width - 5 / 7  # XlsxWriter stores 5 pixels of padding beside the width
    assert lines_of((line_width("Construction"),), width) == 1  # counted one line, so rows are not made taller
    assert width >= len("Construction") + 2  # and room for its 12 letters in any font's digits, and padding


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_english_stage_prints_unbroken(demo_url, run_cli, tmp_path):
    import pdfplumber

    from tests.ledger.test_weekly_print import _to_pdf

    path = _export(run_cli, demo_url, tmp_path, "xlsx", "--lang", "en")
    with pdfplumber.open(_to_pdf(path)) as pdf:
        page = pdf.pages[0]
        assert page.search("Construction") and not page.search(r"Constructio$")
