"""`crm export weekly` in every format, checked cell by cell on the demo ledger's week 2020-W21,
and the rule that no exported cell becomes a formula."""

import csv
import datetime
import io
import json
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook
from wcwidth import wcswidth

from crm.foundation.i18n import _, set_language
from exports.cells import neutralise, unneutralise

D = datetime.date
ZHUOZHOU = [
    # code, name, investor, amount in its currency (in 亿, as shown), in 亿元 (exact), supporting, liaison
    (
        "ZS2020-0001",
        "涿州现代供应链金融创新示范基地项目",
        "",
        Decimal("1.8"),
        "1.8亿美元",
        Decimal("12.7854"),
        "保定市发展和改革委员会、保定市商务局",
        "李建国",
    ),
    (
        "ZS2020-0002",
        "中国创投(涿州)总部项目",
        "",
        Decimal("25"),
        "25亿元",
        Decimal("25"),
        "保定市工业和信息化局",
        "张振华",
    ),
    (
        "ZS2020-0003",
        "华侨城涿州城市客厅项目",
        "华侨城集团",
        Decimal("80"),
        "80亿元",
        Decimal("80"),
        "保定市住房和城乡建设局、保定市自然资源和规划局",
        "刘晓明",
    ),
]
HEADERS_ZH = [
    "序号",
    "项目编号",
    "项目名称",
    "投资方",
    "县(市、区)",
    "产业类别",
    "签约活动",
    "签约日期",
    "总投资",
    "折合人民币(亿元)",
    "当前阶段",
    "本周进展",
    "存在问题",
    "牵头单位",
    "配合单位",
    "包联领导",
]


def export(run_cli, url, tmp_path, fmt, *more, name=None):
    path = tmp_path / (name or f"w21.{fmt}")
    code, out, err = run_cli("--db", url, "export", "weekly", "--week", "2020-W21", "--format", fmt, "-o", path, *more)
    assert code == 0, err
    return path


def kpi_json(run_cli, url, *args):
    code, out, err = run_cli("--db", url, "kpi", "--format", "json", *args)
    assert code == 0, err
    return json.loads(out)


# ---- xlsx -------------------------------------------------------------------


@pytest.fixture
def w21_xlsx(demo_url, run_cli, tmp_path):
    return load_workbook(export(run_cli, demo_url, tmp_path, "xlsx"))


def _header_row(ws):
    for row in ws.iter_rows(min_row=1, max_row=10):
        if row[0].value == "序号":
            return row[0].row
    raise AssertionError("no header row")


def test_xlsx_zhuozhou_rows_cell_by_cell(w21_xlsx):
    ws = w21_xlsx.worksheets[0]
    assert ws.title == "周报"
    h = _header_row(ws)
    assert [c.value for c in ws[h]] == HEADERS_ZH
    rows = {ws.cell(r, 2).value: [c for c in ws[r]] for r in range(h + 1, ws.max_row + 1) if ws.cell(r, 2).value}
    for code, name, investor, _own, shown, yi, supporting, liaison in ZHUOZHOU:
        cells = rows[code]
        values = [c.value for c in cells]
        assert values[2:7] == [
            name,
            investor or None,
            "涿州市",
            "文旅" if "华侨城" in name else "新一代信息技术/大数据",
            "中国·廊坊国际经济贸易洽谈会",
        ]
        assert values[7] == datetime.datetime(2020, 5, 18) and cells[7].number_format == "yyyy-mm-dd"
        assert values[8] == shown  # 总投资 as every other format writes it (1.8亿美元), not a number in 亿
        assert isinstance(values[9], (int, float)) and Decimal(str(values[9])) == yi
        assert cells[9].number_format == "#,##0.00"
        assert values[10] == "签约"
        assert values[11].startswith("2020-05-18 新增项目（签约）")
        assert values[13:16] == ["涿州市人民政府", supporting, liaison]
        assert cells[11].alignment.wrap_text and cells[12].alignment.wrap_text
    problems = rows["ZS2020-0003"][12].value
    assert (
        problems
        == "1. 拒马河综合整治段用地手续需市县联审【责任单位：保定市自然资源和规划局；提出：2020-05-20；时限：2020-06-30】"
    )
    assert "2020-05-20 新提出问题：拒马河综合整治段用地手续需市县联审" in rows["ZS2020-0003"][11].value


def test_xlsx_is_a_printable_table(w21_xlsx):
    ws = w21_xlsx.worksheets[0]
    h = _header_row(ws)
    title = ws["A1"].value
    assert title == "招商引资签约项目周报 2020年第21周(5月18日—5月24日)"
    assert any(str(r) == "A1:P1" for r in ws.merged_cells.ranges)
    assert "统计范围" in ws["A2"].value and "2020-05-24" in ws["A3"].value
    assert ws.freeze_panes == f"D{h + 1}"
    assert all(c.font.b for c in ws[h])
    assert ws.print_title_rows == f"${h}:${h}"
    assert ws.page_setup.orientation == "landscape"
    # One page wide: fitToWidth left out means 1, the OOXML default (XlsxWriter writes only other values).
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    widths = {c: ws.column_dimensions[c].width for c in "ABCDEFGHIJKLMNOP"}
    assert widths["C"] >= 16  # 项目名称: long Chinese names (wrapped beyond 7 characters)
    assert ws.page_setup.paperSize == 9  # A4, both sheets: 16 columns at 7 points or more (test_weekly_print_layout)
    assert widths["A"] < widths["C"]
    # No cell anywhere is a formula.
    for sheet in w21_xlsx.worksheets:
        for row in sheet.iter_rows():
            assert all(c.data_type != "f" for c in row)


def test_xlsx_totals_row_and_summary_match_crm_kpi(demo_url, run_cli, tmp_path):
    wb = load_workbook(export(run_cli, demo_url, tmp_path, "xlsx", "--region", "涿州"))
    ws = wb.worksheets[0]
    h = _header_row(ws)
    data = list(range(h + 1, h + 4))
    assert [ws.cell(r, 3).value for r in data] == [z[1] for z in ZHUOZHOU]
    total = h + 4
    assert ws.cell(total, 1).value == "合计"
    assert ws.cell(total, 3).value == "共 3 个项目"
    assert ws.cell(total, 9).value == "105亿元、\n1.8亿美元"  # too wide for its column: one amount a line
    k = kpi_json(run_cli, demo_url, "--region", "涿州")
    assert Decimal(str(ws.cell(total, 10).value)) == Decimal(k["total_cny"]) / 10**8 == Decimal("117.7854")
    assert ws.cell(total, 10).font.b
    summary = wb.worksheets[1]
    assert summary.title == "汇总"
    cells = {r[0].value: [c.value for c in r] for r in summary.iter_rows() if r[0].value}
    now_column = [i for i, v in enumerate(cells["指标"]) if v and str(v).startswith("截至今日")][0]
    assert cells["签约项目数"][now_column] == k["deals"] == 3
    assert Decimal(str(cells["总投资(亿元)"][now_column])) == Decimal(k["total_cny"]) / 10**8
    assert Decimal(str(cells["开工占比(开工及以后)"][now_column])) == Decimal(k["start_rate"])
    assert summary.cell(*_find(summary, "开工占比(开工及以后)")).offset(0, now_column).number_format == "0.00%"
    assert "USD" in [c.value for c in summary["A"]]


def _find(ws, text):
    for row in ws.iter_rows():
        for c in row:
            if c.value == text:
                return c.row, c.column
    raise AssertionError(text)


def test_xlsx_whole_w21_totals_equal_the_rows(w21_xlsx):
    ws = w21_xlsx.worksheets[0]
    h = _header_row(ws)
    rows, total = [], None
    for r in range(h + 1, ws.max_row + 1):
        if ws.cell(r, 1).value == "合计":
            total = r
            break
        rows.append(Decimal(str(ws.cell(r, 10).value)))
    assert len(rows) == 28
    assert Decimal(str(ws.cell(total, 10).value)) == sum(rows)


# ---- csv ----------------------------------------------------------------------


def _csv_rows(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel and WPS need for Chinese
    assert b"\r\n" in raw
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_csv_zhuozhou_rows_cell_by_cell(demo_url, run_cli, tmp_path):
    rows = _csv_rows(export(run_cli, demo_url, tmp_path, "csv"))
    assert rows[0][0] == "招商引资签约项目周报 2020年第21周(5月18日—5月24日)"
    h = next(i for i, r in enumerate(rows) if r[0] == "序号")
    assert rows[h] == HEADERS_ZH
    by_code = {r[1]: r for r in rows[h + 1 :] if len(r) > 1 and r[1].startswith("ZS")}
    for code, name, investor, _own, shown, yi, supporting, liaison in ZHUOZHOU:
        r = by_code[code]
        assert r[2:8] == [
            name,
            investor,
            "涿州市",
            "文旅" if "华侨城" in name else "新一代信息技术/大数据",
            "中国·廊坊国际经济贸易洽谈会",
            "2020-05-18",
        ]
        assert r[8] == shown and r[9] == str(yi.quantize(Decimal("0.01"), ROUND_HALF_UP)) and r[10] == "签约"
        assert r[13:] == ["涿州市人民政府", supporting, liaison]
    assert len(by_code) == 28
    total = next(r for r in rows if r[0] == "合计")  # rounded from the exact sum, as its note says
    assert abs(Decimal(total[9]) - sum(Decimal(r[9]) for r in by_code.values())) <= Decimal("0.005") * len(by_code)


def test_csv_to_stdout_without_o(demo_url, run_cli):
    code, out, err = run_cli(
        "--db", demo_url, "export", "weekly", "--week", "2020-05-20", "--format", "csv", "--region", "涿州"
    )
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    assert [r[1] for r in rows if r and r[1].startswith("ZS")] == [z[0] for z in ZHUOZHOU]


# ---- md, txt, html --------------------------------------------------------------


def test_md_is_a_github_table_with_the_zhuozhou_rows(demo_url, run_cli, tmp_path):
    text = export(run_cli, demo_url, tmp_path, "md", "--region", "涿州").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "# 招商引资签约项目周报 2020年第21周(5月18日—5月24日)"
    table = [line for line in lines if line.startswith("|")]
    header = [c.strip() for c in table[0].strip("|").split("|")]
    assert header == HEADERS_ZH
    assert set(table[1].replace("|", "").replace(":", "")) == {"-"}
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in table[2:6]]
    assert [r[1] for r in rows[:3]] == [z[0] for z in ZHUOZHOU]
    assert [r[8] for r in rows[:3]] == ["1.8亿美元", "25亿元", "80亿元"]
    assert [r[9] for r in rows[:3]] == ["12.79", "25.00", "80.00"]
    assert rows[2][11] == (
        "2020-05-18 新增项目（签约）<br>2020-05-20 新提出问题：拒马河综合整治段用地手续需市县联审（保定市自然资源和规划局）"
    )
    assert rows[3][0] == "合计" and rows[3][9] == "117.79"
    assert "## 汇总 2020年第21周(5月18日—5月24日)" in lines


def test_txt_columns_line_up_for_chinese_text(demo_url, run_cli, tmp_path):
    text = export(run_cli, demo_url, tmp_path, "txt").read_text(encoding="utf-8")
    grid = [line for line in text.splitlines() if line.startswith(("+", "|"))]
    assert len(grid) > 60
    # Every line of the grid is as wide on screen as the first, wide characters counting two columns.
    assert {wcswidth(line) for line in grid} == {wcswidth(grid[0])}
    borders = [i for i, ch in enumerate(grid[0]) if ch == "+"]
    for line in grid:
        if line.startswith("|") and line.isascii():
            assert [i for i, ch in enumerate(line) if ch == "|"] == borders
    assert "涿州现代供应链金融创新示" in text and "12.79" in text and "1.8亿美元" in text
    assert "合计" in text and "432.11" in text


class _Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.meta, self.cell, self.title = [], [], None, ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append("\n")
        elif tag == "meta":
            self.meta.append(dict(attrs))
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)
        if self._in_title:
            self.title += data


def test_html_page_with_the_zhuozhou_rows(demo_url, run_cli, tmp_path):
    text = export(run_cli, demo_url, tmp_path, "html", "--region", "涿州").read_text(encoding="utf-8")
    page = _Cells()
    page.feed(text)
    assert {"charset": "utf-8"} in page.meta
    assert page.title == "招商引资签约项目周报 2020年第21周(5月18日—5月24日)"
    assert page.rows[0] == HEADERS_ZH
    assert [r[1] for r in page.rows[1:4]] == [z[0] for z in ZHUOZHOU]
    assert page.rows[1][8:11] == ["1.8亿美元", "12.79", "签约"]
    assert page.rows[3][11].split("\n")[1].startswith("2020-05-20 新提出问题")
    assert page.rows[4][0] == "合计" and page.rows[4][9] == "117.79"


def test_english_headers_with_lang_en(demo_url, run_cli, tmp_path):
    path = export(run_cli, demo_url, tmp_path, "csv", "--lang", "en", "--region", "涿州")
    rows = _csv_rows(path)
    assert rows[0][0] == "Weekly report on signed investment deals 2020 week 21 (18 May – 24 May)"
    header = next(r for r in rows if r[0] == "No.")
    assert header[:3] == ["No.", "Project code", "Project name"]
    first = next(r for r in rows if r[1] == "ZS2020-0001")
    assert first[8] == "USD 180 million" and first[10] == "Signed"
    wb = load_workbook(export(run_cli, demo_url, tmp_path, "xlsx", "--lang", "en", name="en.xlsx"))
    ws = wb.worksheets[0]
    assert ws.title == "Weekly table"
    amount = next(r for r in ws.iter_rows() if r[1].value == "ZS2020-0001")[8]
    assert amount.value == "USD 180 million"


# ---- formula injection --------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "＝1+1", '=HYPERLINK("http://x")'])
def test_text_that_could_be_a_formula_is_neutralised(text):
    assert neutralise(text) == "'" + text
    assert unneutralise(neutralise(text)) == text


@pytest.mark.parametrize("value", [-5, 3, Decimal("-1.5"), 2.5, D(2020, 5, 18), None, "涿州", "a=b", "1-2", "'x"])
def test_numbers_dates_and_harmless_text_stay_as_they_are(value):
    assert neutralise(value) is value


@pytest.fixture
def hostile(ledger, run_cli, db_url):
    from crm.deals import blockers
    from crm.deals.records import create_deal
    from crm.reference import registry

    registry.add_department("=cmd|' /C calc'!A0")
    create_deal(
        {
            "name": '=HYPERLINK("http://evil","点我")',
            "investor": "+SUM(1,2)",
            "region": "-2+3",
            "amount": "25亿元",
            "signed_on": "2020-05-18",
            "lead_unit": "=cmd|' /C calc'!A0",
            "liaison": "@SUM(A1)",
        }
    )
    deal = create_deal({"name": "正常项目", "amount": "3亿元", "signed_on": "2020-05-19"})
    blockers.add_blocker(deal.code, "=1+1 用地", "=cmd|' /C calc'!A0", raised=D(2020, 5, 20))
    return db_url


def test_csv_and_xlsx_neutralise_formula_text_and_keep_numbers(hostile, run_cli, tmp_path):
    rows = _csv_rows(export(run_cli, hostile, tmp_path, "csv"))
    deal = next(r for r in rows if r[1] == "ZS2020-0001")
    assert deal[2] == '\'=HYPERLINK("http://evil","点我")'
    assert deal[3] == "'+SUM(1,2)" and deal[4] == "'-2+3"
    assert deal[13] == "'=cmd|' /C calc'!A0" and deal[15] == "'@SUM(A1)"
    assert deal[9] == "25.00"  # numbers stay numbers
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r)
    wb = load_workbook(export(run_cli, hostile, tmp_path, "xlsx"))
    ws = wb.worksheets[0]
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    # A string cell, shown as typed: no apostrophe for the reader to see.
    name = next(c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value)
    assert name.value == '=HYPERLINK("http://evil","点我")' and name.data_type == "s"
    amount = next(r for r in ws.iter_rows() if r[1].value == "ZS2020-0001")[9]
    assert amount.data_type == "n" and amount.value == 25
    problems = next(r for r in ws.iter_rows() if r[1].value == "ZS2020-0002")[12]
    assert problems.value.startswith("1. =1+1 用地")  # only a cell's first character matters


def test_html_and_md_escape_markup(hostile, run_cli, tmp_path):
    from crm.deals.records import create_deal
    from db.connection import open_database

    open_database(hostile)
    create_deal({"name": "<script>alert(1)</script>项目 | 管道", "amount": "1亿元", "signed_on": "2020-05-19"})
    html_text = export(run_cli, hostile, tmp_path, "html").read_text(encoding="utf-8")
    assert "<script>" not in html_text and "&lt;script&gt;alert(1)&lt;/script&gt;项目" in html_text
    md = export(run_cli, hostile, tmp_path, "md").read_text(encoding="utf-8")
    assert "项目 \\| 管道" in md


# ---- command line ---------------------------------------------------------------


def test_xlsx_needs_an_output_file(demo_url, run_cli):
    code, out, err = run_cli("--db", demo_url, "export", "weekly", "--week", "2020-W21", "--format", "xlsx")
    assert code == 2 and "-o" in err and out == ""


def test_the_format_follows_the_file_name(demo_url, run_cli, tmp_path):
    for suffix in ("md", "html", "csv", "xlsx"):
        path = tmp_path / f"out.{suffix}"
        code, _out, err = run_cli("--db", demo_url, "export", "weekly", "--week", "2020-W21", "-o", path)
        assert code == 0, err
        head = path.read_bytes()[:20]
        assert {
            "md": head.startswith(b"# "),
            "html": head.startswith(b"<!DOCTYPE html>"),
            "csv": head.startswith(b"\xef\xbb\xbf"),
            "xlsx": head.startswith(b"PK"),
        }[suffix]


def test_a_bad_week_is_refused_with_exit_2(demo_url, run_cli, tmp_path):
    code, out, err = run_cli("--db", demo_url, "export", "weekly", "--week", "2020-W54", "-o", tmp_path / "x.xlsx")
    assert code == 2 and "2020-W54" in err and "Traceback" not in err
    assert not (tmp_path / "x.xlsx").exists()


def test_the_default_week_is_the_last_complete_one(demo_url, run_cli):
    from crm.values.dates import iso_week_label, last_complete_week

    code, out, err = run_cli("--db", demo_url, "export", "weekly", "--format", "md")
    assert code == 0, err
    assert out.splitlines()[0].endswith(iso_week_label(last_complete_week()[0]))


def test_headers_are_translated_through_the_exports_catalog():
    set_language("zh")
    assert _("Project name") == "项目名称" and _("Open problems") == "存在问题"
    set_language("en")
    assert _("Project name") == "Project name"
    set_language("zh")


def test_progress_goes_to_a_terminal_only_and_only_for_large_work():
    from cli.io_commands import PROGRESS_FROM, Progress

    class Stream(io.StringIO):
        def __init__(self, tty):
            super().__init__()
            self.tty = tty

        def isatty(self):
            return self.tty

    terminal, pipe = Stream(True), Stream(False)
    for stream in (terminal, pipe):
        progress = Progress("rows", stream)
        progress(10, 100)  # small: nothing
        progress(500, PROGRESS_FROM * 5)
        progress(PROGRESS_FROM * 5, PROGRESS_FROM * 5)
        progress.close()
    assert terminal.getvalue() == f"\rrows 500/{PROGRESS_FROM * 5}\rrows {PROGRESS_FROM * 5}/{PROGRESS_FROM * 5}\n"
    assert pipe.getvalue() == ""
