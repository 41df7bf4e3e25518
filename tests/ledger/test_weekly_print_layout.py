"""The weekly table as a bureau prints it, on the ledger a reviewer printed: the demo ledger with a deal of a
long Chinese name and long progress and deals in US dollars and euros, week 2020-W38 (a week with progress)
and 2021-W30 (a week without).

Printed as a person prints it: the xlsx through LibreOffice (tests/ledger/test_weekly_print.py's converter),
the HTML page, in Chinese and in English, through WeasyPrint (its own @page rule, as a browser's print dialog
uses it; scripts/ensure-office installs the `weasyprint` command; skipped where it is not installed); then the
pages are read back with pdfplumber. The files' cells are checked against each other: 总投资 reads the same in every format, 折合人民币 is rounded in the CSV as
everywhere, and the Chinese the exports write has full-width punctuation.
"""

import csv
import datetime
import io
import random
import re
import shutil
import subprocess
from decimal import Decimal
from html.parser import HTMLParser

import pdfplumber
import pytest
from openpyxl import load_workbook
from wcwidth import wcswidth

from crm.deals.progress import record_progress
from crm.deals.records import create_deal
from crm.reference import fx
from exports import weekly_xlsx
from exports.weekly_xlsx_body import row_points
from tests.conftest import filled_ledger
from tests.ledger.test_weekly_print import _to_pdf

D = datetime.date
LONG_NAME = "保定市徐水区京津冀协同发展新一代信息技术与高端装备制造产业园暨国际创新合作示范基地建设项目（一期、二期）"
LONG_PROGRESS = (
    "项目用地已完成土地征收及地上附着物清表工作，施工图设计通过审查，正在办理建设工程规划许可证和施工许可证，"
    "计划于本月底前实现开工建设，同时积极对接电力、燃气、供水等配套设施建设单位，确保项目按期开工。"
)
HEADERS = ["序号", "项目编号", "项目名称", "投资方", "产业类别", "签约活动", "签约日期", "总投资", "当前阶段"]
HEADERS += ["本周进展", "存在问题", "牵头单位", "配合单位", "包联领导"]
FULL_WIDTH = "，：；（）"
#: Half-width punctuation beside a Chinese character: what Chinese text written by the exports never has.
HALF_WIDTH_IN_CHINESE = re.compile(r"[\u4e00-\u9fff][:;,]|[:;,][\u4e00-\u9fff]")


@filled_ledger("demo_ledger")
def reviewer_ledger():
    """The demo ledger with what the reviewer added: a deal of a long name and long progress in 2020-W38, one
    of 2500万美元 and one of 1.2亿欧元, and the rates of their days."""
    fx.set_rate("USD", D(2020, 6, 15), "7.0771")
    fx.set_rate("EUR", D(2020, 9, 7), "7.9880", source="人民银行中间价")
    long = create_deal(
        {
            "name": LONG_NAME,
            "investor": "北京中关村科技园区发展集团有限公司与香港国际投资控股（集团）有限公司联合体",
            "amount": "86.5亿元",
            "signed_on": "2020-05-18",
            "region": "徐水区",
            "industry": "新一代信息技术",
            "sub_industry": "大数据",
        }
    )
    record_progress(long.id, LONG_PROGRESS, D(2020, 9, 20), "张三")
    create_deal(
        {"name": "美资新能源储能电站及智能微电网综合示范项目", "amount": "2500万美元", "signed_on": "2020-06-15"}
    )
    create_deal(
        {"name": "中德（保定）高端汽车零部件智能制造产业园项目", "amount": "1.2亿欧元", "signed_on": "2020-09-08"}
    )


@pytest.fixture(scope="module")
def printed(request, tmp_path_factory, _templates):
    """The reviewer's ledger's 周报 of 2020-W38 and 2021-W30 in every format, and the xlsx of each printed by
    LibreOffice: {(week, format): path, (week, "pdf"): path} (made once; the tests only read them)."""
    from app import main

    folder = tmp_path_factory.mktemp("reviewer")
    ledger = folder / "l.sqlite3"
    shutil.copyfile(_templates("reviewer_ledger", "sqlite", request)[0], ledger)
    files = {}
    for week in ("2020-W38", "2021-W30"):
        for fmt in ("xlsx", "csv", "md", "txt", "html"):
            path = files[week, fmt] = folder / f"{week}.{fmt}"
            assert main(["--db", str(ledger), "export", "weekly", "--week", week, "-o", str(path)]) == 0
        files[week, "pdf"] = _to_pdf(files[week, "xlsx"])
    return files


def _weekly_pages(pdf) -> list:
    return [p for p in pdf.pages if p.width > p.height]  # the 周报 prints landscape, the 汇总 portrait


def _found_whole(page, text: str) -> bool:
    """`text` is printed on one line of `page` (pdfplumber finds it as one run of characters)."""
    return bool(page.search(re.escape(text)))


def _csv(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def _csv_deals(rows) -> dict[str, list[str]]:
    header = next(i for i, r in enumerate(rows) if r[0] == "序号")
    return {r[1]: r for r in rows[header + 1 :] if len(r) > 1 and r[1].startswith("ZS")}


def _border_gaps(page) -> list[tuple[float, float]]:
    """(points between a character's box and the first cell border under it, the character's size) for every
    character of the tables on `page`."""
    edges = [e for e in page.edges if e["orientation"] == "h"]
    if not edges:
        return []
    top = min(e["top"] for e in edges)
    gaps = []
    for c in page.chars:
        if c["top"] < top or not c["text"].strip():
            continue
        below = [
            e["top"] - c["bottom"]
            for e in edges
            if e["x0"] <= c["x0"] and e["x1"] >= c["x1"] and e["top"] > c["top"] + 0.5
        ]
        if below:
            gaps.append((min(below), c["size"]))
    return gaps


# ---- 1. the HTML page prints ---------------------------------------------------------------------------


def _weasyprint(html):
    """`html` printed by WeasyPrint through the page's own @page rule (a skip where it is not installed)."""
    command = shutil.which("weasyprint")
    if command is None:
        pytest.skip("weasyprint is not installed (apt-get install weasyprint; scripts/ensure-office installs it)")
    pdf = html.with_suffix(".html.pdf")
    subprocess.run([command, str(html), str(pdf)], check=True, capture_output=True, timeout=300)
    return pdf


@pytest.fixture(scope="module")
def html_pdf(printed):
    """The 2020-W38 HTML page printed by WeasyPrint."""
    return _weasyprint(printed["2020-W38", "html"])


@pytest.fixture(scope="module")
def english_html(printed):
    """The 2020-W38 HTML page in English (crm --lang en export weekly), from the same ledger."""
    from app import main
    from crm.foundation.i18n import set_language

    html = printed["2020-W38", "html"].with_name("2020-W38.en.html")
    ledger = printed["2020-W38", "html"].with_name("l.sqlite3")
    command = ["--lang", "en", "--db", str(ledger), "export", "weekly", "--week", "2020-W38", "-o", str(html)]
    try:
        assert main(command) == 0
    finally:
        set_language("zh")
    return html


def _overprinted(page) -> list[str]:
    """Pairs of characters printed over one another on `page` (more than a kerned pair like To): a cell's text run
    into its neighbour's."""
    chars = sorted((c for c in page.chars if c["text"].strip()), key=lambda c: c["x0"])
    found = []
    for i, a in enumerate(chars):
        for b in chars[i + 1 :]:
            if b["x0"] >= a["x1"] - 0.3 * a["size"]:
                break
            if min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 0.5 * min(a["size"], b["size"]):
                found.append(a["text"] + b["text"])
    return found


def _check_pages(pages, page_words: str) -> None:
    """Every page A4 landscape, its text within the page's width and clear of other text, and its page number
    (`page_words` with {n} and {total}) whole in the bottom margin."""
    for n, page in enumerate(pages, 1):
        assert (round(page.width), round(page.height)) == (842, 595)
        assert max(c["x1"] for c in page.chars) <= page.width - 20  # the table fits the page's width
        assert _found_whole(page, page_words.format(n=n, total=len(pages))), n
        foot = page.search(page_words.format(n=n, total=len(pages)))[0]
        assert foot["top"] > page.height - 1.3 * 72 / 2.54  # in the bottom margin
        assert not _overprinted(page), (n, _overprinted(page)[:5])


def test_the_html_prints_on_a4_landscape_with_readable_columns_and_page_numbers(printed, html_pdf):
    deals = _csv_deals(_csv(printed["2020-W38", "csv"]))
    with pdfplumber.open(html_pdf) as pdf:
        pages = pdf.pages
        # 34 deals on a few pages, not seventeen: no column is squeezed to a character a line
        assert 3 <= len(pages) <= 9, len(pages)
        _check_pages(pages, "第 {n} 页，共 {total} 页")
        first = pages[0]
        for header in [*HEADERS, "县(市、区)"]:
            assert _found_whole(first, header), header  # every header on one line
        for code in ("ZS2019-0001", "ZS2019-0002"):
            assert _found_whole(first, code)  # codes and dates are never cut
        assert _found_whole(first, "2019-05-17")
        text = "\n".join(p.extract_text() for p in pages)
        assert len(re.findall(r"^\d+ ZS20\d\d-\d{4}", text, re.M)) == len(deals)  # every deal printed
        # the 合计 amounts wrap after a 、, never inside an amount
        total = next(p for p in pages if p.search("合计"))
        parts = [p for p in _csv(printed["2020-W38", "csv"]) if p[0] == "合计"][0][8].split("、")
        assert len(parts) >= 2
        for part in parts:
            assert _found_whole(total, part), part


def test_the_english_html_prints_codes_dates_and_totals_whole_and_no_text_over_another(english_html):
    parser = _Rows()
    parser.feed(english_html.read_text(encoding="utf-8"))
    totals = next(r for r in parser.rows if r and r[0] == "Total")
    amounts = re.findall(r"\d[\d,.]*", totals[8])  # CNY 44,016.65 million, EUR 200 million, …
    assert len(amounts) >= 2
    with pdfplumber.open(_weasyprint(english_html)) as pdf:
        pages = pdf.pages
        assert 3 <= len(pages) <= 9, len(pages)
        _check_pages(pages, "Page {n} of {total}")
        first = pages[0]
        for word in ("ZS2019-0001", "ZS2019-0002", "2019-05-17", "Construction"):
            assert _found_whole(first, word), word  # neither broken nor hyphenated
        text = "\n".join(p.extract_text() for p in pages)
        deals = [r for r in parser.rows if len(r) > 9 and r[1].startswith("ZS")]
        assert len(re.findall(r"^\d+ ZS20\d\d-\d{4}", text, re.M)) == len(deals)  # every deal printed
        total = next(p for p in pages if re.search(r"^Total \d+ deals", p.extract_text(), re.M))  # Total not To-tal
        for amount in amounts:
            assert _found_whole(total, amount), amount  # a total's number is never cut


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_html_code_and_date_columns_hold_a_code_and_a_date_in_the_widest_fallback_font(language):
    from crm.foundation.i18n import set_language
    from exports import weekly_layout, weekly_text
    from tests.ledger.test_weekly_html_stage_width import EDGES_EM, PAGE_EM, _dejavu

    set_language(language)
    font = _dejavu()
    css = weekly_text.page_css()
    widths = dict(re.findall(r"div\.deals th:nth-child\((\d+)\) \{ width: ([0-9.]+)%; \}", css))
    keys = [col.key for col in weekly_layout.columns()]
    for key, text in (("code", "ZS2019-0001"), ("signed_on", "2019-05-17")):
        n = keys.index(key) + 1
        assert float(widths[str(n)]) / 100 * PAGE_EM - EDGES_EM >= font.getlength(text) / 1000, key
        assert f"div.deals td:nth-child({n}) {{ white-space: nowrap; }}" in css, key


def test_the_html_deal_table_has_its_column_widths_and_page_rule(printed):
    html = printed["2020-W38", "html"].read_text(encoding="utf-8")
    assert "@page { size: A4 landscape;" in html and "counter(page)" in html and "counter(pages)" in html
    assert '"第 " counter(page) " 页，共 " counter(pages) " 页"' in html
    assert "table-layout: fixed" in html
    widths = dict(re.findall(r"div\.deals th:nth-child\((\d+)\) \{ width: ([0-9.]+)%; \}", html))
    assert len(widths) == 16 and 99 < sum(map(float, widths.values())) < 101
    assert float(widths["12"]) >= 9 and float(widths["13"]) >= 9  # 本周进展, 存在问题: the widest
    assert '<span class="amount">' in html and "white-space: nowrap" in html


# ---- 2. the xlsx page number -----------------------------------------------------------------------------


def test_the_xlsx_page_number_prints_whole_in_a_band_of_its_own(printed):
    wb = load_workbook(printed["2020-W38", "xlsx"])
    for ws in wb.worksheets:
        margins = ws.page_margins
        assert margins.bottom - margins.footer >= 0.4  # room for the line of the page number
        assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
    with pdfplumber.open(printed["2020-W38", "pdf"]) as pdf:
        for n, page in enumerate(pdf.pages, 1):
            found = page.search(f"第 {n} 页，共 {len(pdf.pages)} 页")
            assert found, n
            foot = found[0]
            # under the table's last row, above the paper's edge, its whole height inside the bottom margin
            assert page.height - 0.8 * 72 - 1 <= foot["top"] and foot["bottom"] <= page.height - 0.3 * 72 + 1
            rows = [c for c in page.chars if c["bottom"] < page.height - 0.8 * 72]
            assert max(c["bottom"] for c in rows) < foot["top"]


# ---- 3. the 汇总 sheet --------------------------------------------------------------------------------------


def test_both_sheets_print_on_a4_and_the_summary_holds_its_headers_and_rows(printed):
    wb = load_workbook(printed["2020-W38", "xlsx"])
    table, summary = wb.worksheets
    assert table.page_setup.paperSize == summary.page_setup.paperSize == weekly_xlsx.A4
    assert table.page_setup.orientation == "landscape" and summary.page_setup.orientation == "portrait"
    # rows tall enough for CJK at 11 points (the 15-point default is not)
    assert summary.sheet_format.defaultRowHeight >= 19 and summary.sheet_format.customHeight
    for row, dim in summary.row_dimensions.items():
        assert dim.height is None or dim.height >= 19, row
    headers = [c for row in summary.iter_rows() for c in row if isinstance(c.value, str) and "截至" in c.value]
    assert len(headers) == 2
    for c in headers:
        assert (
            _column_width(summary, c.column) >= wcswidth(c.value) + 2
        )  # the header fits its column: no wrap into a one-line row
    with pdfplumber.open(printed["2020-W38", "pdf"]) as pdf:
        pages = [p for p in pdf.pages if p.width < p.height]
        assert pages and min(c["size"] for p in pages for c in p.chars) >= 9  # printed nearly as typed
        for c in headers:
            assert any(_found_whole(p, c.value) for p in pages), c.value
        for page in pages:
            for gap, size in _border_gaps(page):
                assert gap >= 0.25 * size, (page.page_number, gap)  # no text on or over a border


# ---- 4. layout: totals, headers, widths, row heights -----------------------------------------------------


@pytest.mark.parametrize("week", ["2020-W38", "2021-W30"])
def test_the_weekly_pages_keep_headers_whole_and_text_clear_of_the_borders(printed, week):
    with pdfplumber.open(printed[week, "pdf"]) as pdf:
        pages = _weekly_pages(pdf)
        for page in pages:
            assert min(c["size"] for c in page.chars if c["size"] < 10) >= 7.0  # A4, fitted: still readable
            for header in HEADERS:
                assert _found_whole(page, header), (page.page_number, header)  # 当前阶段, not 当前阶/段
            for gap, size in _border_gaps(page):
                assert gap >= 0.25 * size, (page.page_number, gap)  # a cell's last line clears its border
        last = next(p for p in pages if p.search("合计"))
        # the totals row is printed under deal rows, not alone under the header on a page of its own
        assert re.search(r"^\d+ ZS20\d\d-\d{4}", last.extract_text(), re.M)


def test_progress_keeps_its_width_in_a_week_without_progress(printed):
    ws = load_workbook(printed["2021-W30", "xlsx"]).worksheets[0]
    header = next(r[0].row for r in ws.iter_rows(max_row=10) if r[0].value == "序号")
    progress = [c for c in ws[header] if c.value == "本周进展"][0]
    assert not any(ws.cell(r, progress.column).value for r in range(header + 1, ws.max_row + 1))
    assert _column_width(ws, progress.column) >= weekly_xlsx.MIN_WIDTHS["progress"]
    for cell in ws[header]:  # 2-4 character headers whole: each column at least as wide as its header
        if wcswidth(cell.value) <= 8:
            assert _column_width(ws, cell.column) >= wcswidth(cell.value) + 2, cell.value


def test_rows_of_several_lines_are_tall_enough_for_them(printed):
    ws = load_workbook(printed["2020-W38", "xlsx"]).worksheets[0]
    assert ws.sheet_format.defaultRowHeight == row_points(1)
    long = next(r for r in ws.iter_rows() if r[2].value == LONG_NAME)
    lines = len(LONG_PROGRESS) * 2 * 1.1 / (_column_width(ws, 12) - 1.5)
    assert ws.row_dimensions[long[0].row].height >= row_points(int(lines))


def _column_width(ws, column: int) -> float:
    """The width of `column` (1-based): openpyxl keeps columns of one width as one range."""
    return next(d.width for d in ws.column_dimensions.values() if d.min <= column <= d.max)


def _pages(heights: list[float], room: float = 100, header: float = 10, heading: float = 30):
    pages = weekly_xlsx.Pages(room, header, heading)
    first = 4
    pages.add_rows(first, heights)
    return pages, first + len(heights)


def test_the_totals_row_goes_to_a_new_page_with_the_rows_above_it():
    # a first page of heading and 7 rows of 10 points: full, the totals row does not fit under them
    pages, totals = _pages([10.0] * 7)
    assert list(pages.breaks) == []
    pages.keep_with_rows_above(totals, 10.0)
    assert list(pages.breaks) == [totals - 2]  # the last two deal rows go with it
    # when it fits, nothing moves
    pages, totals = _pages([10.0] * 6)
    pages.keep_with_rows_above(totals, 10.0)
    assert list(pages.breaks) == []
    # rows that fill pages: each page starts with the row that did not fit; a row taller than a page is alone
    pages, _end = _pages([10.0] * 7 + [95.0, 200.0, 10.0])
    assert list(pages.breaks) == [11, 12, 13]
    # a page of one row keeps it: the totals row then starts the next page (nothing else can go with it)
    pages, totals = _pages([10.0] * 7 + [85.0])
    pages.keep_with_rows_above(totals, 10.0)
    assert list(pages.breaks) == [11, 12]


def test_the_totals_row_is_never_alone_on_a_page_however_many_deals(ledger, tmp_path):
    from crm.reporting import weekly

    week = weekly.resolve_week("2020-W21")
    stranded = 0
    for n in range(1, 41):
        create_deal({"name": f"测试项目{n}", "amount": "1亿元", "signed_on": "2020-05-19", "region": "涿州市"})
        path = tmp_path / f"{n}.xlsx"
        weekly_xlsx.write(weekly.build(week), path)
        ws = load_workbook(path).worksheets[0]
        total = next(r[0].row for r in ws.iter_rows() if r[0].value == "合计")  # 1-based
        breaks = [b.id for b in ws.row_breaks.brk]  # 0-based rows that start a page
        assert total - 1 not in breaks  # no page starts with the totals row …
        if breaks and breaks[-1] == total - 3:
            stranded += 1  # … where it would have: two deal rows moved onto its page
    assert stranded >= 1


# ---- 5. 总投资 in every format ----------------------------------------------------------------------------


class _Rows(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def test_total_investment_reads_the_same_in_every_format(printed):
    rows = _csv(printed["2020-W38", "csv"])
    deals = _csv_deals(rows)
    ws = load_workbook(printed["2020-W38", "xlsx"]).worksheets[0]
    xlsx = {r[1].value: r for r in ws.iter_rows() if isinstance(r[1].value, str) and r[1].value.startswith("ZS")}
    md = {}
    for line in printed["2020-W38", "md"].read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) > 9 and cells[1].startswith("ZS"):
            md[cells[1]] = cells
    parser = _Rows()
    parser.feed(printed["2020-W38", "html"].read_text(encoding="utf-8"))
    html = {r[1]: r for r in parser.rows if len(r) > 9 and r[1].startswith("ZS")}
    shown = {code: r[8] for code, r in deals.items()}
    assert {shown[c] for c in ("ZS2019-0012", "ZS2019-0004", "ZS2019-0002")} == {"8000万欧元", "4565万元", "1.5亿美元"}
    assert {"2500万美元", "1.2亿欧元", "86.5亿元"} <= set(shown.values())
    for code, text in shown.items():
        assert xlsx[code][8].value == md[code][8] == html[code][8] == text, code
        assert xlsx[code][8].data_type == "s" and xlsx[code][9].data_type == "n"  # 折合人民币 a number to sum
        assert f"{xlsx[code][9].value:.2f}" == deals[code][9] == md[code][9] == html[code][9]
    total = next(r for r in ws.iter_rows() if r[0].value == "合计")
    csv_total = next(r for r in rows if r[0] == "合计")
    assert total[8].value.replace("\n", "") == csv_total[8]  # 2亿欧元 under 8000万欧元 and 1.2亿欧元
    assert "2亿欧元" in csv_total[8].split("、")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_an_amount_is_shown_as_every_format_shows_it_and_reads_back_exactly(language):
    from crm.foundation.i18n import set_language
    from crm.values.money import Money, format_money, parse_amount
    from exports.weekly_layout import own_text

    set_language(language)
    try:
        rng = random.Random(38)
        amounts = [Decimal("99999999.99"), Decimal("45650000"), Decimal("4565"), Decimal("12345678.9")]
        amounts += [Decimal(rng.randrange(1, 10**12)).scaleb(-rng.choice([0, 2])) for _ in range(2000)]
        for amount in amounts:
            for currency, approximate in (("CNY", False), ("USD", False), ("EUR", True)):
                money = Money(amount.quantize(Decimal("0.01")), currency, approximate)
                text = own_text(money)
                assert parse_amount(text) == money, text  # the xlsx imports back unchanged
                if parse_amount(format_money(money)) == money:
                    assert text == format_money(money)  # … and shows what md, txt and html show
    finally:
        set_language("zh")


# ---- 6. the CSV's 折合人民币 ------------------------------------------------------------------------------------


def test_the_csv_rounds_amounts_in_yi_to_two_decimals_as_its_note_says(printed):
    rows = _csv(printed["2020-W38", "csv"])
    deals = _csv_deals(rows)
    assert deals and all(re.fullmatch(r"\d+\.\d\d", r[9]) for r in deals.values())
    assert deals["ZS2019-0002"][9] == "10.33"  # 1.5亿美元 at 6.8859: 10.32885
    total = next(r for r in rows if r[0] == "合计")
    assert re.fullmatch(r"\d+\.\d\d", total[9])
    assert abs(Decimal(total[9]) - sum(Decimal(r[9]) for r in deals.values())) <= Decimal("0.005") * len(deals)
    note = next(r[0] for r in rows if r and r[0].startswith("说明"))
    assert "合计由精确数求和后四舍五入，与各行舍入后数字之和可能略有出入。" in note
    stage_total = [r for r in rows if r[:1] == ["合计"]][-1]  # the summary's stage table
    assert re.fullmatch(r"\d+\.\d\d", stage_total[2])


# ---- 7. punctuation and the text file's notes -----------------------------------------------------------


def test_chinese_text_of_the_exports_has_full_width_punctuation(printed):
    rows = _csv(printed["2020-W38", "csv"])
    assert rows[1][0].startswith("统计范围：")
    assert re.fullmatch(r"数据截至2020-09-20（周日）日终；制表日期：\d{4}-\d\d-\d\d", rows[2][0])
    note = next(r[0] for r in rows if r and r[0].startswith("说明"))
    assert note.startswith("说明：1. 总投资按项目原币种列示，")
    written = [rows[1][0], rows[2][0], note]
    for r in _csv_deals(rows).values():
        for line in filter(None, r[12].split("\n")):  # 存在问题: 1. text【责任单位：…；提出：…；时限：…；已逾期】
            assert re.fullmatch(r"\d+\. .+【责任单位：[^【】]+；提出：[-\d]+(；时限：[-\d]+)?(；已逾期)?】", line), line
            written.append(line[line.index("【") :])
        for line in filter(None, r[11].split("\n")):  # 本周进展: the lines the export words
            if re.match(r"[-\d]+ (新增项目|新提出问题|问题已解决)", line):
                assert re.fullmatch(r"[-\d]+ (新增项目（[^()]+）|(新提出问题|问题已解决)：.+（[^()]+）)", line), line
                written.append(line)
    assert next(r for r in _csv_deals(rows).values() if r[2] == LONG_NAME)[11] == "2020-09-20 " + LONG_PROGRESS
    for text in written:
        assert not HALF_WIDTH_IN_CHINESE.search(text), text
    ws = load_workbook(printed["2020-W38", "xlsx"]).worksheets[0]
    assert ws["A2"].value == rows[1][0] and ws["A3"].value == rows[2][0]
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"


def test_the_text_file_wraps_its_notes_at_the_table_width_between_words(printed):
    text = printed["2020-W38", "txt"].read_text(encoding="utf-8")
    lines = text.split("\n")
    grid = max(wcswidth(line) for line in lines if line.startswith("+"))
    start = next(i for i, line in enumerate(lines) if line.startswith("说明"))
    end = next(i for i in range(start, len(lines)) if lines[i] == "")
    notes = lines[start:end]
    assert all(wcswidth(line) <= grid for line in notes)
    rates = next(i for i, line in enumerate(notes) if line.startswith("所用汇率"))
    for paragraph, words in ((notes[:rates], "标为“已逾期”"), (notes[rates:], "人民银行中间价")):
        for line in paragraph[:-1]:
            assert line[-1] in "，。；：、！？;" or line[-1].isascii(), line  # broken after a clause or a word
        # the words are never cut in two by a line's end
        assert "".join(paragraph).count(words) == sum(line.count(words) for line in paragraph) > 0
        for line in paragraph:
            assert line.count("“") == line.count("”")  # a quoted term on one line
    assert len(notes[rates:]) >= 2 and all(wcswidth(line) > grid * 0.6 for line in notes[rates:-1])
