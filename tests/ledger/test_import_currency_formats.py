"""Amount cells styled with a currency format, as Excel's and LibreOffice's 货币 and 会计专用 buttons style them: the
format shows the currency's sign, and the column's header (总投资（万元）) still gives the magnitude. Before, ¥1,200 in
a 万元 column landed as 1,200 yuan, ten thousand times too little, and $1,200 as 1,200万元.

The format codes are the ones LibreOffice Calc 7 writes when it saves such a book as xlsx (its accounting format
escapes the sign: _ \\¥* #,##0.00_ ); each test checks what lands, on SQLite and PostgreSQL."""

from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles.numbers import BUILTIN_FORMATS

from db.connection import open_database
from db.models import Deal
from tests.ledger.test_import_county import run_import

ACCOUNTING_YUAN = r"_ \¥* #,##0.00_ ;_ \¥* \-#,##0.00_ ;_ \¥* \-??_ ;_ @_ "
DOLLAR = "[$$-409]#,##0.00"


def _book(path, header: str, rows: list[tuple[str, float, str]]):
    wb = Workbook()
    ws = wb.active
    ws.append(["满城区2020年签约项目表"])
    ws.append(["序号", "项目名称", "签约时间", header])
    for number, (name, value, number_format) in enumerate(rows, 1):
        ws.append([number, name, "2020年9月10日", value])
        ws.cell(row=ws.max_row, column=4).number_format = number_format
    wb.save(path)
    return path


def _amounts(url) -> dict:
    open_database(url)
    return {d.name: (d.amount, d.currency) for d in Deal.select()}


def test_a_currency_sign_keeps_the_columns_magnitude(ledger, db_url, run_cli, tmp_path):
    rows = [
        ("满城造纸项目", 1200, ACCOUNTING_YUAN),
        ("满城草莓项目", 800, r"\¥#,##0.00"),
        ("满城物流项目", 500, "#,##0.00"),
        ("满城会计格式项目", 600, BUILTIN_FORMATS[42]),  # built-in: "$" is the opening system's sign, ¥ in China
        ("满城外资项目", 1.5, '0.00"亿美元"'),  # a format that says its magnitude is read as shown
    ]
    code, report, err = run_import(run_cli, db_url, _book(tmp_path / "满城.xlsx", "总投资（万元）", rows))
    assert code == 0, err
    assert _amounts(db_url) == {
        "满城造纸项目": (Decimal("12000000.00"), "CNY"),
        "满城草莓项目": (Decimal("8000000.00"), "CNY"),
        "满城物流项目": (Decimal("5000000.00"), "CNY"),
        "满城会计格式项目": (Decimal("6000000.00"), "CNY"),
        "满城外资项目": (Decimal("150000000.00"), "USD"),
    }


def test_a_dollar_format_in_a_yuan_column_is_refused_and_nothing_written(ledger, db_url, run_cli, tmp_path):
    rows = [("满城造纸项目", 1200, ACCOUNTING_YUAN), ("满城外资项目", 1200, DOLLAR)]
    code, _report, err = run_cli(
        "--db", db_url, "--lang", "en", "import", _book(tmp_path / "满城.xlsx", "总投资（万元）", rows)
    )
    assert code != 0
    assert "row 4" in err.lower() and "USD" in err and "CNY" in err, err
    assert _amounts(db_url) == {}


def test_a_currency_sign_with_no_unit_in_the_header_is_that_currency(ledger, db_url, run_cli, tmp_path):
    rows = [("满城外资项目", 1200000, DOLLAR), ("满城造纸项目", 3000000, ACCOUNTING_YUAN)]
    code, report, err = run_import(run_cli, db_url, _book(tmp_path / "满城.xlsx", "总投资", rows))
    assert code == 0, err
    assert _amounts(db_url) == {
        "满城外资项目": (Decimal("1200000.00"), "USD"),
        "满城造纸项目": (Decimal("3000000.00"), "CNY"),
    }


def test_a_currency_sign_typed_before_the_number_keeps_the_columns_magnitude(ledger, db_url, run_cli, tmp_path):
    """The tester's sheet: ￥1,200 typed into 总投资（万元） is 1200万元, not 1,200 yuan; 1200元 still says yuan."""
    rows = [
        ("满城甲项目", "￥1,200", "General"),
        ("满城乙项目", "RMB1200", "General"),
        ("满城丙项目", "人民币1200", "General"),
        ("满城丁项目", "$300", "General"),
        ("满城戊项目", "3,000,000元", "General"),
    ]
    code, report, err = run_import(run_cli, db_url, _book(tmp_path / "满城.xlsx", "总投资（万元）", rows))
    assert code == 0, err
    assert _amounts(db_url) == {
        "满城甲项目": (Decimal("12000000.00"), "CNY"),
        "满城乙项目": (Decimal("12000000.00"), "CNY"),
        "满城丙项目": (Decimal("12000000.00"), "CNY"),
        "满城丁项目": (Decimal("3000000.00"), "USD"),
        "满城戊项目": (Decimal("3000000.00"), "CNY"),
    }
