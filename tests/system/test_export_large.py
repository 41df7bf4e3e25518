"""`crm export weekly` of a big table (a synthetic ledger of 3,000 deals): the xlsx and CSV files
hold every row of the table crm.reporting.weekly computes, in its order, with the same values.

Not a timing test: the speed is measured by `python -m tests.perf.bench --parts export`.
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from crm.foundation.i18n import list_sep
from crm.reporting import weekly
from crm.samples import synthetic
from crm.values.money import parse_amount
from exports import weekly_layout as layout
from exports.cells import neutralise
from tests.ledger_checks import opened, synthetic_ledger

AS_OF = datetime.date(2026, 6, 30)
DEALS = 3_000
WEEK = "2026-W26"  # the last complete week of the ledger: many deals changed, many problems open


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def big_ledger(request, tmp_path_factory):
    """(URL, the weekly table crm computes) of a synthetic ledger, built once per backend."""
    spec = synthetic.Spec(deals=DEALS, seed=11, heavy_every=1_000, as_of=AS_OF)
    url = synthetic_ledger(request.param, "export_large", spec, request, tmp_path_factory)
    with opened(url):
        table = weekly.build(weekly.resolve_week(WEEK), today=AS_OF)
    return url, table


def _export(run_cli, url, tmp_path, fmt):
    path = tmp_path / f"big.{fmt}"
    code, _out, err = run_cli("--db", url, "export", "weekly", "--week", WEEK, "--format", fmt, "-o", path)
    assert code == 0, err
    return path


def _text(value):
    """A text cell as the file holds it: neutralised, and an empty cell for empty text."""
    return neutralise(value) if value else None


def test_the_table_is_big_and_varied(big_ledger):
    _url, table = big_ledger
    rows = table.rows
    assert len(rows) > 1_500
    assert sum(1 for r in rows if len(r.progress) > 1) > 10  # cells of several lines
    assert sum(1 for r in rows if r.problems) > 100
    assert any(p.overdue for r in rows for p in r.problems)
    assert len({r.amount.currency for r in rows}) > 1


def test_xlsx_holds_every_row_of_the_table(big_ledger, run_cli, tmp_path):
    url, table = big_ledger
    wb = load_workbook(_export(run_cli, url, tmp_path, "xlsx"))
    ws = wb.worksheets[0]
    header = next(r[0].row for r in ws.iter_rows(max_row=10) if r[0].value == "序号")
    assert [c.value for c in ws[header]] == [c.header for c in layout.columns()]
    data = list(ws.iter_rows(min_row=header + 1, max_row=header + len(table.rows)))
    for row, cells in zip(table.rows, data, strict=True):
        values = [c.value for c in cells]
        assert values[0] == row.seq and values[1] == row.code
        assert values[2:7] == [
            _text(row.name),
            _text(row.investor),
            _text(row.region),
            _text(layout.industry_text(row)),
            _text(row.event),
        ]
        signed = values[7]
        assert (signed.date() if signed else None) == row.signed_on
        assert parse_amount(values[8]) == row.amount  # as every format writes it, and exact
        assert Decimal(str(values[9])) == row.amount_cny / 10**8
        assert values[10:] == [
            _text(layout.stage_label(row.stage)),
            _text(layout.progress_text(row)),
            _text(layout.problems_text(row)),
            _text(row.lead_unit),
            _text(list_sep().join(row.supporting)),
            _text(row.liaison),
        ]
        lines = max(len(layout.progress_text(row).split("\n")), len(layout.problems_text(row).split("\n")))
        if lines > 1:  # a wrapped row is tall enough for its lines
            assert ws.row_dimensions[cells[0].row].height >= 16 * lines
    total = ws.cell(header + len(table.rows) + 1, 1)
    assert total.value == "合计"
    assert Decimal(str(ws.cell(total.row, 10).value)) == table.summary.total_cny / 10**8
    assert ws.auto_filter.ref == f"A{header}:P{header + len(table.rows)}"


def test_csv_holds_every_row_of_the_table(big_ledger, run_cli, tmp_path):
    url, table = big_ledger
    text = _export(run_cli, url, tmp_path, "csv").read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(text, newline="")))
    header = next(i for i, r in enumerate(lines) if r[0] == "序号")
    data = lines[header + 1 : header + 1 + len(table.rows)]
    for row, cells in zip(table.rows, data, strict=True):
        assert cells[:8] == [
            str(row.seq),
            row.code,
            neutralise(row.name),
            neutralise(row.investor),
            neutralise(row.region),
            neutralise(layout.industry_text(row)),
            neutralise(row.event or ""),
            row.signed_on.isoformat() if row.signed_on else "",
        ]
        assert parse_amount(cells[8]) == row.amount  # exact, in its own currency
        assert cells[9] == layout.yi_text(row.amount_cny)  # in 亿元, rounded as every format shows it
        assert cells[10:] == [
            layout.stage_label(row.stage),
            neutralise(layout.progress_text(row)),
            neutralise(layout.problems_text(row)),
            neutralise(row.lead_unit or ""),
            neutralise(list_sep().join(row.supporting)),
            neutralise(row.liaison or ""),
        ]
    total = lines[header + 1 + len(table.rows)]
    shown = layout.shown(layout.Yi(table.summary.total_cny, table.summary.approximate))  # 约 when approximate
    assert total[0] == "合计" and total[9] == shown
