"""`crm import` of a workbook that hides sheets: a county office's old copy (原表), its backup (备份) and a very hidden
lookup list (下拉选项) beside the sheet it means (台账).

A whole-workbook import reads only the visible sheets and names each hidden one once, with how to import it anyway
(--sheet); --sheet imports a hidden sheet as asked; a workbook whose every worksheet is hidden is refused in one line.
The same in xlsx, xls and ods: the .xls and .ods files are the xlsx converted by LibreOffice (scripts/ensure-office;
the tests skip only when it cannot be had), patched where LibreOffice cannot say it (a very hidden .xls sheet, no
visible sheet at all), and each is checked to carry the visibility it is meant to. Each test checks what lands, on
SQLite and PostgreSQL.
"""

import os
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal

import pytest
import xlrd
from openpyxl import Workbook, load_workbook

from tests.ledger.test_import_cell_words import _deals, _import
from tests.ledger.test_weekly_print import _soffice

HEADER = ["序号", "项目名称", "投资方", "总投资（万元）", "签约日期"]
#: sheet -> (its state in the xlsx, its deals: name -> 总投资（万元）), in workbook order.
COUNTY = {
    "下拉选项": ("veryHidden", {"下拉示例项目": 1}),  # a template row beside the drop-down lists
    "原表": ("hidden", {"定兴旧食品项目": 900, "定兴旧物流项目": 800}),
    "台账": ("visible", {"定兴食品项目": 1500, "定兴物流项目": 1200}),
    "备份": ("hidden", {"定兴备份项目": 700}),
}
HIDDEN = ["下拉选项", "原表", "备份"]


def _fill(ws, deals: dict) -> None:
    ws.append(["定兴县招商引资项目台账"])
    ws.append(HEADER)
    for i, (name, amount) in enumerate(deals.items(), 1):
        ws.append([i, name, "某公司", amount, "2020-05-06"])


def _county(path) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for name, (state, deals) in COUNTY.items():
        ws = wb.create_sheet(name)
        _fill(ws, deals)
        ws.sheet_state = state
    wb.active = list(COUNTY).index("台账")
    wb.save(path)


def _two_hidden(path) -> None:
    """原表 hidden, 台账 visible: patched below into a workbook with no visible sheet (Excel, openpyxl and
    LibreOffice each keep one visible; other programs do not)."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, state in (("原表", "hidden"), ("台账", "visible")):
        _fill(wb.create_sheet(name), COUNTY[name][1])
        wb[name].sheet_state = state
    wb.active = 1
    wb.save(path)


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict:
    """{(book, format): path} of the county's workbook and the all-hidden one as xlsx, xls and ods."""
    folder = tmp_path_factory.mktemp("hidden-sheets")
    _county(folder / "定兴.xlsx")
    _two_hidden(folder / "全隐藏.xlsx")
    for target in ("xls:MS Excel 97", "ods"):
        subprocess.run(
            [
                _soffice(),
                f"-env:UserInstallation=file://{folder / 'lo-profile'}",
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                str(folder),
                str(folder / "定兴.xlsx"),
                str(folder / "全隐藏.xlsx"),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    _xls_state(folder / "定兴.xls", "下拉选项", 2)  # LibreOffice writes very hidden as hidden
    _xlsx_hide(folder / "全隐藏.xlsx", "台账")
    _xls_state(folder / "全隐藏.xls", "台账", 1)
    _ods_hide(folder / "全隐藏.ods", "台账")
    return {(book, fmt): folder / f"{book}.{fmt}" for book in ("定兴", "全隐藏") for fmt in ("xlsx", "xls", "ods")}


# ---- making and checking the files' sheet visibility ---------------------------------------


def _xls_state(path, sheet: str, state: int) -> None:
    """Set the hsState of `sheet`'s BOUNDSHEET record (0 visible, 1 hidden, 2 very hidden) in the .xls `path`."""
    data = bytearray(path.read_bytes())
    name = bytes([len(sheet), 1]) + sheet.encode("utf-16-le")  # a name of CJK characters is stored as UTF-16
    (found,) = re.finditer(rb"\x85\x00..(?:....)(.)\x00" + re.escape(name), data, re.S)
    data[found.start(1)] = state
    path.write_bytes(bytes(data))


def _rezip(path, part: str, change) -> None:
    """Rewrite `part` of the zip `path` as `change(its text)`, every other part (and their order) kept."""
    shutil.move(path, path.with_suffix(".orig"))
    with zipfile.ZipFile(path.with_suffix(".orig")) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            out.writestr(info, change(data.decode()).encode() if info.filename == part else data)


def _xlsx_hide(path, sheet: str) -> None:
    own = re.compile(f'(<sheet name="{sheet}"[^>]*) state="visible"')
    _rezip(path, "xl/workbook.xml", lambda xml: own.sub(r'\1 state="hidden"', xml, count=1))


def _ods_hide(path, sheet: str) -> None:
    def change(xml: str) -> str:
        style = re.search(f'<table:table table:name="{sheet}" table:style-name="([^"]+)"', xml).group(1)
        own = re.compile(
            f'(<style:style style:name="{style}" style:family="table"[^>]*><style:table-properties '
            'table:display=)"true"'
        )
        return own.sub(r'\1"false"', xml)

    _rezip(path, "content.xml", change)


def _hidden_in(path) -> dict:
    """{sheet: 'hidden' | 'veryHidden'} of the sheets `path` hides, as the file itself says it."""
    if path.suffix == ".xlsx":
        wb = load_workbook(path, read_only=True)
        return {n: wb[n].sheet_state for n in wb.sheetnames if wb[n].sheet_state != "visible"}
    if path.suffix == ".xls":
        with open(os.devnull, "w") as quiet:
            book = xlrd.open_workbook(str(path), logfile=quiet, on_demand=True)
        states = {1: "hidden", 2: "veryHidden"}
        return {s.name: states[s.visibility] for s in book.sheets() if s.visibility}
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("content.xml").decode()
    off = set(
        re.findall(
            r'<style:style style:name="([^"]+)" style:family="table"[^>]*><style:table-properties '
            r'table:display="false"',
            xml,
        )
    )
    return {
        n: "hidden"
        for n, s in re.findall(r'<table:table table:name="([^"]+)" table:style-name="([^"]+)"', xml)
        if s in off
    }


def _amounts(db_url) -> dict:
    return {name: deal.amount for name, deal in _deals(db_url).items()}


def _wan(n: int) -> Decimal:
    return Decimal(n * 10000).quantize(Decimal("0.01"))


FORMATS = ["xlsx", "xls", "ods"]


# ---- the tests ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_hidden_sheets_are_left_out_and_each_named_once(ledger, db_url, run_cli, books, fmt):
    """The county's workbook: only 台账's deals land, though the very hidden 下拉选项 and the hidden 原表 come first
    and 备份 holds a deal table too; one notice names each hidden sheet once, with the --sheet that imports it; the
    dry run says the same."""
    path = books["定兴", fmt]
    very = "veryHidden" if fmt != "ods" else "hidden"  # an ods has no very hidden sheet: LibreOffice hides it
    assert _hidden_in(path) == {"下拉选项": very, "原表": "hidden", "备份": "hidden"}
    code, preview, err = _import(run_cli, db_url, path, "--dry-run")
    assert code == 0, err
    assert [c["name"] for c in preview["created"]] == ["定兴食品项目", "定兴物流项目"]
    assert _amounts(db_url) == {}
    code, report, err = _import(run_cli, db_url, path)
    assert code == 0, err
    assert report["sheet"] == "台账"
    assert _amounts(db_url) == {"定兴食品项目": _wan(1500), "定兴物流项目": _wan(1200)}
    for sheet in HIDDEN:
        assert sum(n.count(f"“{sheet}”") for n in report["notices"]) == 1, (sheet, report["notices"])
    (notice,) = [n for n in report["notices"] if "“原表”" in n]
    assert all(f"“{sheet}”" in notice for sheet in HIDDEN) and f"--sheet {HIDDEN[0]}" in notice, notice
    assert preview["notices"] == report["notices"]
    assert not report["warnings"] and not report["problems"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("sheet", ["原表", "下拉选项"])
def test_a_hidden_sheet_named_is_imported(ledger, db_url, run_cli, books, fmt, sheet):
    """--sheet 原表 (hidden) or 下拉选项 (very hidden): its deals land, and nothing is warned of."""
    code, report, err = _import(run_cli, db_url, books["定兴", fmt], "--sheet", sheet)
    assert code == 0, err
    assert report["sheet"] == sheet
    assert _amounts(db_url) == {name: _wan(amount) for name, amount in COUNTY[sheet][1].items()}
    assert not report["warnings"] and not report["problems"]
    assert not [n for n in report["notices"] if "--sheet" in n], report["notices"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_workbook_with_every_sheet_hidden_is_refused(ledger, db_url, run_cli, books, fmt):
    """No visible sheet at all: one line naming the hidden sheets and how to import one; nothing lands, and
    --sheet 台账 then imports it."""
    path = books["全隐藏", fmt]
    assert set(_hidden_in(path)) == {"原表", "台账"}
    code, out, err = run_cli("--db", db_url, "import", path)
    assert code == 2 and not out.strip(), out
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert "“原表”" in err and "“台账”" in err and f"crm import {path.name} --sheet 原表" in err, err
    assert _amounts(db_url) == {}
    code, _report, err = _import(run_cli, db_url, path, "--sheet", "台账")
    assert code == 0, err
    assert set(_amounts(db_url)) == set(COUNTY["台账"][1])


def test_a_visible_chart_sheet_beside_hidden_worksheets_is_refused(ledger, db_url, run_cli, tmp_path):
    """An xlsx whose one visible sheet is a chart (图表) and whose worksheets are all hidden: refused in one line."""
    wb = Workbook()
    wb.remove(wb.active)
    for name in ("原表", "备份"):
        _fill(wb.create_sheet(name), COUNTY[name][1])
        wb[name].sheet_state = "hidden"
    wb.create_chartsheet("图表")
    wb.active = 2
    wb.save(tmp_path / "图表.xlsx")
    code, _out, err = run_cli("--db", db_url, "import", tmp_path / "图表.xlsx")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "“原表”" in err and "“备份”" in err and "--sheet 原表" in err, err
    assert _amounts(db_url) == {}


def test_no_header_in_the_visible_sheets_names_the_hidden_ones(ledger, db_url, run_cli, tmp_path):
    """A visible cover sheet (说明) with no table, the ledger hidden: the error says the hidden 台账 was not read and
    how to import it, not merely that no header was found."""
    wb = Workbook()
    cover = wb.active
    cover.title = "说明"
    cover.append(["本表由县商务局填报"])
    _fill(wb.create_sheet("台账"), COUNTY["台账"][1])
    wb["台账"].sheet_state = "hidden"
    wb.save(tmp_path / "说明.xlsx")
    code, _out, err = run_cli("--db", db_url, "import", tmp_path / "说明.xlsx")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "“台账”" in err and "--sheet 台账" in err, err
    assert _amounts(db_url) == {}


def test_hidden_sheets_are_left_out_when_openpyxl_reads_the_workbook(ledger, db_url, run_cli, tmp_path):
    """台账 with a stray value in XFD1048576 is read by openpyxl, not calamine: the hidden sheets are left out and
    named all the same."""
    _county(tmp_path / "定兴.xlsx")
    wb = load_workbook(tmp_path / "定兴.xlsx")
    wb["台账"]["XFD1048576"] = "x"
    wb.save(tmp_path / "定兴.xlsx")
    code, report, err = _import(run_cli, db_url, tmp_path / "定兴.xlsx")
    assert code == 0, err
    assert _amounts(db_url) == {"定兴食品项目": _wan(1500), "定兴物流项目": _wan(1200)}
    (notice,) = [n for n in report["notices"] if "“原表”" in n]
    assert all(f"“{sheet}”" in notice for sheet in HIDDEN) and "--sheet 下拉选项" in notice, notice
