"""Fuzzing the readers of typed and imported values with Hypothesis.

The amount reader, the date reader and the importer's reader of ledger rows
(cells of any type under a real header; raw bytes as a CSV file) either give
a valid value or raise the project's own error (CrmError) — never anything
else, and never a value that breaks the rules (a negative, zero or huge
amount, fractions of a fen, a year outside 1949–2100).
"""

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crm.foundation.errors import CrmError
from crm.values.dates import parse_date
from crm.values.money import CURRENCIES, MAX_AMOUNT, Money, parse_amount

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TODAY = datetime.date(2020, 5, 18)

# Pieces amounts and dates are made of, so the fuzzer reaches past the first check.
AMOUNT_PIECES = [
    "1",
    "0",
    "25",
    "1.8",
    "117",
    "4565",
    ",",
    ".",
    "-",
    "+",
    "亿",
    "万",
    "千",
    "百万",
    "万亿",
    "元",
    "美元",
    "人民币",
    "USD",
    "usd",
    "$",
    "¥",
    "€",
    "HK$",
    "M",
    "m",
    "k",
    "余",
    "约",
    "多",
    "（",
    "）",
    "(",
    ")",
    " ",
    "\u3000",
    "１２",
    "．",
    "e5",
    "NaN",
    "Infinity",
    "0.005",
    "00",
    "9" * 15,
    "\x00",
]
DATE_PIECES = [
    "2020",
    "05",
    "5",
    "18",
    "-",
    "/",
    ".",
    "年",
    "月",
    "日",
    "号",
    "公元前",
    "20200",
    "02",
    "30",
    "29",
    "May",
    "Jun",
    " ",
    "第",
    "周",
    "W21",
    "Q2",
    "上旬",
    "0000",
    "9999",
    "1949",
    "2100",
    "２０２０",
    "\x1b",
]


def _pieces(words):
    return st.lists(st.sampled_from(words), max_size=8).map("".join)


def _check_money(m: Money) -> None:
    assert isinstance(m, Money)
    assert isinstance(m.amount, Decimal) and m.amount.is_finite()
    assert 0 < m.amount <= MAX_AMOUNT
    assert m.amount == m.amount.quantize(Decimal("0.01"))
    assert m.currency in CURRENCIES


@FUZZ
@given(st.one_of(st.text(), _pieces(AMOUNT_PIECES)))
@example("1.8亿亿")
@example("10" + "0" * 19 + "元")
@example("-0")
@example("1e400")
@example("٣٤٥")  # Arabic-Indic digits
@example("1" * 5000)
def test_parse_amount_gives_a_valid_amount_or_its_own_error(text):
    try:
        m = parse_amount(text)
    except CrmError:
        return
    _check_money(m)


@FUZZ
@given(
    _pieces(AMOUNT_PIECES),
    st.sampled_from(sorted(CURRENCIES)),
    st.sampled_from([Decimal(1), Decimal(10) ** 4, Decimal(10) ** 8, Decimal("0.0001")]),
)
def test_parse_amount_with_column_defaults(text, currency, multiplier):
    try:
        m = parse_amount(text, default_currency=currency, default_multiplier=multiplier)
    except CrmError:
        return
    _check_money(m)


@FUZZ
@given(st.one_of(st.text(), _pieces(DATE_PIECES)))
@example("2020-02-30")
@example("20200")
@example("公元前221年")
@example("99999999999999999999")
@example("5月32日")
def test_parse_date_gives_a_real_date_in_range_or_its_own_error(text):
    try:
        day = parse_date(text, today=TODAY)
    except CrmError:
        return
    assert isinstance(day, datetime.date) and not isinstance(day, datetime.datetime)
    assert 1949 <= day.year <= 2100


# ---- the importer's row reader -------------------------------------------------------

HEADER = [
    "序号",
    "项目名称",
    "投资方",
    "所在地",
    "行业",
    "签约日期",
    "投资额（万元）",
    "币种",
    "当前阶段",
    "存在问题",
    "责任单位",
    "包联领导",
    "计划开工",
    "占地面积",
]

CELL_TEXT = st.one_of(
    st.text(max_size=30),
    _pieces(AMOUNT_PIECES),
    _pieces(DATE_PIECES),
    st.sampled_from(
        [
            "合计",
            "小计",
            "总计",
            "项目名称",
            "已开工",
            "在谈",
            "终止",
            "暂停",
            "1.8亿美元",
            "25亿元",
            "涿州市人民政府、保定市商务局",
            "1.土地指标不足(自然资源规划局,6月底前)2.环评未批",
            "=SUM(G3:G9)",
            "#VALUE!",
            "—",
            "/",
            "81.9万平方米",
        ]
    ),
)
CELL = st.one_of(
    st.none(),
    CELL_TEXT,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.dates(),
    st.datetimes(),
    st.booleans(),
    st.times(),
)


def _plan_rows(rows, kind):
    from crm.importing import importer
    from crm.importing.headers import find_header
    from crm.importing.workbook import Grid

    grid_rows = [(1, list(HEADER))] + [(i + 2, row) for i, row in enumerate(rows)]
    grid = Grid(source=f"fuzz.{kind}", sheet="Sheet1", kind=kind, rows=grid_rows)
    header = find_header(grid.rows)
    assert header is not None
    return importer._plan(grid, header, TODAY, None)


@pytest.fixture(scope="module")
def _bound_sqlite(tmp_path_factory):
    """A ledger to bind the models to, in case reading a row looks a name up."""
    from db.connection import open_database
    from db.models import database

    db = open_database(str(tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite3"))
    yield db
    db.close()
    database.initialize(None)


@FUZZ
@given(st.lists(st.lists(CELL, min_size=0, max_size=len(HEADER) + 2), min_size=1, max_size=6))
@example(rows=[[None, "0", None, None, None, None, Decimal("1E+22")]])  # found by this test: amount beyond 28 digits
@example(rows=[[None, "项目", None, None, None, None, Decimal("-1E+22")]])
@example(rows=[[None, "项目", None, None, None, None, float("inf")]])
@example(rows=[[None, None, None, "合计", None, None, 1e76]])  # found by this test: a totals row beyond 28 digits
def test_the_row_reader_reports_problems_never_crashes_xlsx_cells(_bound_sqlite, rows):
    try:
        plan = _plan_rows(rows, "xlsx")
    except CrmError:
        return
    for problem in plan.problems:
        assert isinstance(problem.message, str) and problem.message


@FUZZ
@given(st.lists(st.lists(st.one_of(st.none(), CELL_TEXT), max_size=len(HEADER) + 2), min_size=1, max_size=6))
def test_the_row_reader_reports_problems_never_crashes_csv_cells(_bound_sqlite, rows):
    try:
        _plan_rows([[c if c is not None else "" for c in row] for row in rows], "csv")
    except CrmError:
        return


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(
        st.binary(max_size=400),
        st.lists(st.lists(CELL_TEXT, max_size=6).map(",".join), max_size=6)
        .map(lambda lines: "\n".join([",".join(HEADER)] + lines))
        .flatmap(
            lambda text: st.sampled_from(["utf-8", "gbk", "utf-16", "utf-8-sig", "latin-1"]).map(
                lambda enc: text.encode(enc, errors="replace")
            )
        ),
    )
)
def test_reading_any_bytes_as_a_csv_ledger_gives_a_plan_or_its_own_error(_bound_sqlite, tmp_path, data):
    from crm.importing import importer

    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    try:
        importer.read_plan(path, today=TODAY)
    except CrmError:
        return
