"""`crm import` of .xls (Excel 97–2003) sheets with hidden and filtered-out rows and hidden columns, as LibreOffice
saves them.

An .xls says what it hides in its ROW and COLINFO records; the import takes a sheet's hidden rows and columns as it
does an xlsx's (tests/ledger/test_import_hidden.py) and an ods's (tests/ledger/test_import_ods_hidden.py): a hidden
or filtered row is not imported and is named, a visible column wins over a hidden one. The .xls files are workbooks
written with openpyxl, converted by LibreOffice (scripts/ensure-office; the tests skip only when it cannot be had),
and each is checked with xlrd to carry the visibility it is meant to. Each test checks what lands, on SQLite and
PostgreSQL.
"""

import os
from decimal import Decimal

import pytest
import xlrd

from tests.ledger.test_import_cell_words import _deals, _import
from tests.ledger.test_import_ods_hidden import _alone, _dingxing, office_books

ANXIN = [
    ["安新县2020年招商引资项目台账"],
    ["序号", "项目名称", "投资方", "旧总投资（万元）", "总投资（万元）", "签约日期", "项目状态"],
    [1, "安新食品加工项目", "丰益国际", 1, 1500, "2020年9月10日", "已签约"],
    [2, "安新作废重复项目", "某公司", 2, 200, "2020年9月1日", "已签约"],
    [3, "安新光伏组件项目", "晶澳太阳能", 3, 1200, "2020/9/12", "已投产"],
    [4, "安新放弃项目", "某公司乙", 4, 300, "2020/9/13", "已放弃"],
    [5, "安新末行项目", "某公司丙", 5, 400, "2020/9/14", "已签约"],
    ["合计", None, None, 9, 3100, None, None],
]


def _filtered(wb):
    """安新县: a merged title; 旧总投资 hidden; row 4 (a voided duplicate) hidden; an autofilter on 项目状态 that
    filters out row 6 (已放弃); a 合计 of the rows left in view."""
    ws = wb.create_sheet("台账")
    for row in ANXIN:
        ws.append(row)
    ws.merge_cells("A1:G1")
    ws.column_dimensions["D"].hidden = True
    ws.auto_filter.ref = "A2:G7"
    ws.auto_filter.add_filter_column(6, ["已签约", "已投产"])
    ws.row_dimensions[4].hidden = True
    ws.row_dimensions[6].hidden = True


BOOKS = {"安新县": _filtered, "定兴县": _dingxing, "定兴": _alone}


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict:
    """{name: (its .xlsx, the .xls LibreOffice saved it as)}, converted in one run of LibreOffice."""
    return office_books(tmp_path_factory.mktemp("xls"), BOOKS, "xls:MS Excel 97", "xls")


def _visibility(xls, sheet) -> tuple[list[int], list[int]]:
    """(hidden rows, hidden columns), 1-based, as the file itself says them: what LibreOffice wrote."""
    with open(os.devnull, "w") as quiet:
        book = xlrd.open_workbook(str(xls), formatting_info=True, logfile=quiet)
    ws = book.sheet_by_name(sheet)
    return (
        sorted(r + 1 for r, info in ws.rowinfo_map.items() if info.hidden),
        sorted(c + 1 for c, info in ws.colinfo_map.items() if info.hidden),
    )


def test_hidden_and_filtered_rows_of_an_xls_are_left_out_and_named(ledger, db_url, run_cli, books):
    """The county's .xls: row 4 hidden and row 6 filtered out are not imported, and the report names both; every
    visible row lands with its values; the hidden 旧总投资 loses to the visible 总投资; the 合计 of the rows in view
    adds up."""
    _xlsx, xls = books["安新县"]
    assert _visibility(xls, "台账") == ([4, 6], [4])
    code, report, err = _import(run_cli, db_url, xls)
    assert code == 0, err
    deals = _deals(db_url)
    assert {n: (d.amount, d.investor, d.signed_on.isoformat(), d.stage) for n, d in deals.items()} == {
        "安新食品加工项目": (Decimal("15000000.00"), "丰益国际", "2020-09-10", "signed"),
        "安新光伏组件项目": (Decimal("12000000.00"), "晶澳太阳能", "2020-09-12", "operating"),
        "安新末行项目": (Decimal("4000000.00"), "某公司丙", "2020-09-14", "signed"),
    }
    assert [c["row"] for c in report["created"]] == [3, 5, 7]
    assert report["columns"]["amount"] == "总投资（万元）"
    rows = [n for n in report["notices"] if "安新作废重复项目" in n]
    assert len(rows) == 1 and "第 6 行“安新放弃项目”" in rows[0] and "第 4 行" in rows[0], report["notices"]
    assert [n for n in report["notices"] if "旧总投资（万元）" in n and "--map" in n], report["notices"]
    assert not [w for w in report["warnings"] if "合计" in w], report["warnings"]


def test_an_xls_sheet_chosen_by_name_hides_its_own_rows(ledger, db_url, run_cli, books):
    """--sheet 台账 of a workbook whose first sheet hides its row 3: 台账's row 3 lands; its rows hidden in a
    collapsed group and alone (5, 6, 9) do not, below title rows repeated on every page."""
    _xlsx, xls = books["定兴县"]
    assert _visibility(xls, "封面") == ([3], []) and _visibility(xls, "台账")[0] == [5, 6, 9]
    code, report, err = _import(run_cli, db_url, xls, "--sheet", "台账")
    assert code == 0, err
    deals = _deals(db_url)
    assert {n: d.amount for n, d in deals.items()} == {
        f"定兴第{i}号项目": Decimal(100 * i * 10000).quantize(Decimal("0.01")) for i in (1, 2, 5, 6, 8)
    }
    named = [n for n in report["notices"] if "定兴第3号项目" in n]
    assert len(named) == 1 and "定兴第4号项目" in named[0] and "定兴第7号项目" in named[0], report["notices"]


def test_a_hidden_xls_column_alone_for_its_field_is_read_with_a_notice(ledger, db_url, run_cli, books):
    _xlsx, xls = books["定兴"]
    assert _visibility(xls, "定兴") == ([], [3])
    code, report, err = _import(run_cli, db_url, xls)
    assert code == 0, err
    assert _deals(db_url)["定兴食品项目"].amount == Decimal("12000000.00")
    assert [n for n in report["notices"] if "总投资（万元）" in n and "隐藏" in n], report["notices"]


@pytest.mark.parametrize("name", sorted(BOOKS))
def test_an_xls_reads_as_the_xlsx_it_was_saved_from(ledger, db_url, run_cli, books, name):
    """What the dry run says of an .xls is what it says of the xlsx LibreOffice converted: the same rows, columns,
    notices and warnings."""
    reports = []
    for path in books[name]:
        code, report, err = _import(run_cli, db_url, path, "--dry-run")
        assert code == 0, err
        reports.append({k: v for k, v in report.items() if k != "source"})
    assert reports[0] == reports[1]
    assert [n for n in reports[0]["notices"] if "隐藏" in n], reports[0]["notices"]
