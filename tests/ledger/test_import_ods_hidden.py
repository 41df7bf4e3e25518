"""`crm import` of .ods sheets with hidden and filtered-out rows and hidden columns, as LibreOffice saves them.

An .ods says what it hides on its rows and columns (table:visibility="collapse" or "filter"); the import takes a
sheet's hidden rows and columns as it does an xlsx's (tests/ledger/test_import_hidden.py): a hidden or filtered
row is not imported and is named, a visible column wins over a hidden one. The .ods files are the workbooks
written with openpyxl, converted by LibreOffice (scripts/ensure-office; the tests skip only when it cannot be
had), and each is checked to carry the visibility it is meant to. Each test checks what lands, on SQLite and
PostgreSQL.
"""

import subprocess
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook

from tests.ledger.test_import_cell_words import _deals, _import
from tests.ledger.test_weekly_print import _soffice

QINGYUAN = [
    ["清苑区2020年招商项目台账"],
    ["项目名称", "投资方", "旧总投资（万元）", "总投资（万元）", "签约日期", "项目状态", "备注"],
    ["清苑食品加工项目", "丰益国际", 1, 1500, "2020年9月10日", "已签约", None],
    ["清苑作废重复项目", "某公司", 2, 200, "2020年9月1日", "已签约", "重复录入，已作废"],
    ["清苑光伏组件项目", "晶澳太阳能", 3, 1200, "2020/9/12", "已投产", None],
    ["清苑筛掉项目", "某公司乙", 4, 300, "2020/9/13", "已签约", None],
    ["清苑末行项目", "某公司丙", 5, 400, "2020/9/14", "已签约", None],
]


def _filtered(wb):
    """清苑区: 旧总投资 hidden; an autofilter on 投资方 that filters out row 6; row 4 hidden under the filter."""
    ws = wb.create_sheet("清苑区")
    for row in QINGYUAN:
        ws.append(row)
    ws.column_dimensions["C"].hidden = True
    ws.auto_filter.ref = "A2:G7"
    ws.auto_filter.add_filter_column(1, ["丰益国际", "某公司", "晶澳太阳能", "某公司丙"])
    ws.row_dimensions[4].hidden = True
    ws.row_dimensions[6].hidden = True


def _dingxing(wb):
    """封面 hides its row 3; 台账 repeats its title rows on every page, hides rows 5–6 in a collapsed group, and
    row 9."""
    cover = wb.create_sheet("封面")
    for i in range(1, 6):
        cover.append([f"说明{i}"])
    cover.row_dimensions[3].hidden = True
    ws = wb.create_sheet("台账")
    ws.append(["定兴县项目台账"])
    ws.append(["项目名称", "投资方", "总投资（万元）", "签约日期"])
    for i in range(1, 9):
        ws.append([f"定兴第{i}号项目", "某公司", 100 * i, "2020-05-06"])
    ws.print_title_rows = "1:2"
    ws.row_dimensions.group(5, 6, hidden=True)
    ws.row_dimensions[9].hidden = True


def _alone(wb):
    """A hidden 总投资 column, the only one giving the amount."""
    ws = wb.create_sheet("定兴")
    for row in (
        ["项目名称", "投资方", "总投资（万元）", "签约时间"],
        ["定兴食品项目", "定兴食品公司", 1200, "2020-05-06"],
    ):
        ws.append(row)
    ws.column_dimensions["C"].hidden = True


BOOKS = {"清苑区": _filtered, "定兴县": _dingxing, "定兴": _alone}


def office_books(folder, books: dict, convert_to: str, suffix: str) -> dict:
    """{name: (its .xlsx, the file LibreOffice saved it as)}: each of `books` (name -> a function filling a new
    workbook) written with openpyxl into `folder`, then converted in one run of LibreOffice (`convert_to`: "ods",
    "xls:MS Excel 97") to `suffix`."""
    made = {}
    for name, fill in books.items():
        wb = Workbook()
        wb.remove(wb.active)
        fill(wb)
        wb.save(folder / f"{name}.xlsx")
        made[name] = (folder / f"{name}.xlsx", folder / f"{name}.{suffix}")
    subprocess.run(
        [
            _soffice(),
            f"-env:UserInstallation=file://{folder / 'lo-profile'}",
            "--headless",
            "--convert-to",
            convert_to,
            "--outdir",
            str(folder),
            *(str(xlsx) for xlsx, _converted in made.values()),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return made


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict:
    """{name: (its .xlsx, the .ods LibreOffice saved it as)}, converted in one run of LibreOffice."""
    return office_books(tmp_path_factory.mktemp("ods"), BOOKS, "ods", "ods")


def _content(ods) -> str:
    with zipfile.ZipFile(ods) as archive:
        return archive.read("content.xml").decode()


def test_hidden_and_filtered_rows_of_an_ods_are_left_out_and_named(ledger, db_url, run_cli, books):
    """The tester's sheet C saved by LibreOffice: row 4 hidden and row 6 filtered out are not imported, and the
    report names both; the hidden 旧总投资 loses to the visible 总投资."""
    _xlsx, ods = books["清苑区"]
    content = _content(ods)
    assert 'table:visibility="filter"' in content and 'table:visibility="collapse"' in content
    code, report, err = _import(run_cli, db_url, ods)
    assert code == 0, err
    deals = _deals(db_url)
    assert {n: d.amount for n, d in deals.items()} == {
        "清苑食品加工项目": Decimal("15000000.00"),
        "清苑光伏组件项目": Decimal("12000000.00"),
        "清苑末行项目": Decimal("4000000.00"),
    }
    assert [c["row"] for c in report["created"]] == [3, 5, 7]
    assert report["columns"]["amount"] == "总投资（万元）"
    rows = [n for n in report["notices"] if "清苑作废重复项目" in n]
    assert len(rows) == 1 and "第 6 行“清苑筛掉项目”" in rows[0], report["notices"]
    assert [n for n in report["notices"] if "旧总投资（万元）" in n and "--map" in n], report["notices"]


def test_an_ods_sheet_chosen_by_name_hides_its_own_rows(ledger, db_url, run_cli, books):
    """--sheet 台账 of a workbook whose first sheet hides its row 3: 台账's row 3 lands; its rows hidden in a
    collapsed group and alone (5, 6, 9) do not, below title rows repeated on every page."""
    _xlsx, ods = books["定兴县"]
    assert "<table:table-header-rows>" in _content(ods) and "<table:table-row-group>" in _content(ods)
    code, report, err = _import(run_cli, db_url, ods, "--sheet", "台账")
    assert code == 0, err
    assert sorted(_deals(db_url)) == [f"定兴第{i}号项目" for i in (1, 2, 5, 6, 8)]
    named = [n for n in report["notices"] if "定兴第3号项目" in n]
    assert len(named) == 1 and "定兴第4号项目" in named[0] and "定兴第7号项目" in named[0], report["notices"]


def test_a_hidden_ods_column_alone_for_its_field_is_read_with_a_notice(ledger, db_url, run_cli, books):
    _xlsx, ods = books["定兴"]
    assert 'table:visibility="collapse"' in _content(ods)
    code, report, err = _import(run_cli, db_url, ods)
    assert code == 0, err
    assert _deals(db_url)["定兴食品项目"].amount == Decimal("12000000.00")
    assert [n for n in report["notices"] if "总投资（万元）" in n], report["notices"]


@pytest.mark.parametrize("name", sorted(BOOKS))
def test_an_ods_reads_as_the_xlsx_it_was_saved_from(ledger, db_url, run_cli, books, name):
    """What the dry run says of an .ods is what it says of the xlsx LibreOffice converted: the same rows, columns,
    notices and warnings."""
    reports = []
    for path in books[name]:
        code, report, err = _import(run_cli, db_url, path, "--dry-run")
        assert code == 0, err
        reports.append({k: v for k, v in report.items() if k != "source"})
    assert reports[0] == reports[1]
    assert [n for n in reports[0]["notices"] if "隐藏" in n], reports[0]["notices"]
