"""What `crm kpi`, `crm brief` and `crm report` tell a reader about a small ledger whose figures are worked out by
hand: a total that includes an approximate amount (约5亿元) says so in every format, every exchange rate behind a
figure is named, the plan and completed investment as of a day count only the deals in the ledger by then (as the
deal counts do), a series ends at --to (never after today), and the printed and Markdown tables fit their names.

The dated ledger (_dated), rates: USD 6.50 from 2025-01-01 and 7.20 from 2026-03-02; EUR 7.70 from 2025-01-01,
7.80 from 2026-04-01, 7.90 from 2026-08-03.

- ZS2026-0001 涿州市, 2亿美元 signed 2026-03-10 at 7.20 = 14.40亿; plan 2026 5000万美元 at the rate of 1 January
  (6.50) = 3.25亿; 1000万美元 completed in 2026-05 at 7.20 = 0.72亿;
- ZS2026-0002 涿州市, 5000万欧元 signed 2026-08-10 at 7.90 = 3.95亿; plan 2026 1000万欧元 at 7.70 = 0.77亿;
  300万欧元 completed in 2026-05 at 7.80 = 0.234亿;
- ZS2026-0003 徐水区, 约5亿元 signed 2026-02-01.
"""

import csv
import datetime
import io
import json

from openpyxl import load_workbook
from wcwidth import wcswidth

LONG_UNIT = "保定高新技术产业开发区管委会"  # 14 characters: 28 columns


def _ok(run_cli, *args) -> str:
    code, out, err = run_cli(*args)
    assert code == 0, err
    return out


def _dated(run_cli, url) -> None:
    for rate in (
        ("USD", "2025-01-01", "6.5"),
        ("USD", "2026-03-02", "7.2"),
        ("EUR", "2025-01-01", "7.7"),
        ("EUR", "2026-04-01", "7.8"),
        ("EUR", "2026-08-03", "7.9"),
    ):
        _ok(run_cli, "--db", url, "fx", "set", *rate)
    _ok(run_cli, "--db", url, "department", "add", LONG_UNIT)
    for name, amount, signed, region in (
        ("美元项目", "2亿美元", "2026-03-10", "涿州市"),
        ("欧元项目", "5000万欧元", "2026-08-10", "涿州市"),
        ("约数项目", "约5亿元", "2026-02-01", "徐水区"),
    ):
        args = ("--name", name, "--amount", amount, "--signed", signed, "--region", region)
        _ok(run_cli, "--db", url, "add", *args, "--lead-unit", LONG_UNIT)
    _ok(run_cli, "--db", url, "plan", "ZS2026-0001", "2026", "5000万美元")
    _ok(run_cli, "--db", url, "invest", "ZS2026-0001", "1000万美元", "--month", "2026-05")
    _ok(run_cli, "--db", url, "plan", "ZS2026-0002", "2026", "1000万欧元")
    _ok(run_cli, "--db", url, "invest", "ZS2026-0002", "300万欧元", "--month", "2026-05")


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_a_total_with_an_approximate_amount_is_marked_in_every_format(ledger, db_url, run_cli, tmp_path):
    """On 2026-12-06: 徐水区 约5.00 (its one deal is 约5亿元), 涿州市 14.40 + 3.95 = 18.35 exact, 合计 约23.35;
    the brief says 总投资约23.35亿元; a monthly series is exact in January (no deal yet) and 约 from February."""
    _dated(run_cli, db_url)
    report = ("--db", db_url, "report", "regions", "--as-of", "2026-12-06")
    table = _ok(run_cli, *report)
    rows = {
        line.split()[0]: line.split()
        for line in table.splitlines()
        if line.split()[:1] in (["徐水区"], ["涿州市"], ["合计"])
    }
    assert (rows["徐水区"][2], rows["涿州市"][2], rows["合计"][2]) == ("约5.00", "18.35", "约23.35")
    md = _ok(run_cli, *report, "--format", "md")
    cells = {
        line.split("|")[1].strip(): line.split("|")[3].strip() for line in md.splitlines() if line.startswith("| ")
    }
    assert (cells["徐水区"], cells["涿州市"], cells["合计"]) == ("约5.00", "18.35", "约23.35")
    header, *body = _csv_rows(_ok(run_cli, *report, "--format", "csv"))[1:-1]
    flags = {row[0]: (row[2], row[-1]) for row in body}
    assert flags == {"徐水区": ("5", "是"), "涿州市": ("18.35", ""), "合计": ("23.35", "是")}, (
        "the total stays a number"
    )
    plain = {row["group"]: row["approximate"] for row in json.loads(_ok(run_cli, *report, "--format", "json"))}
    assert plain == {"徐水区": True, "涿州市": False, "合计": True}
    path = tmp_path / "地区.xlsx"
    _ok(run_cli, *report, "-o", path)
    sheet = load_workbook(path).active
    shown = {row[0].value: (row[2].value, row[2].number_format) for row in sheet.iter_rows(min_row=3) if row[1].value}
    assert shown["徐水区"] == (5, '"约"#,##0.00') and shown["合计"] == (23.35, '"约"#,##0.00')
    assert shown["涿州市"] == (18.35, "#,##0.00")

    brief = _ok(run_cli, "--db", db_url, "brief", "--as-of", "2026-12-06")
    assert "签约项目3个，总投资约23.35亿元" in brief

    series = ("--db", db_url, "kpi", "--series", "monthly", "--from", "2026-01-01", "--to", "2026-03-31")
    lines = _ok(run_cli, *series).split("\n\n")[0].splitlines()[2:]
    assert [line.split()[:3] for line in lines] == [
        ["2026-01-31", "0", "0.00"],
        ["2026-02-28", "1", "约5.00"],
        ["2026-03-31", "2", "约19.40"],  # 5 + 14.40
    ]
    got = [
        (row["as_of"], row["approximate"])
        for row in csv.DictReader(io.StringIO(_ok(run_cli, *series, "--format", "csv")))
    ]
    assert got == [("2026-01-31", "False"), ("2026-02-28", "True"), ("2026-03-31", "True")]


def test_as_of_a_day_plan_and_completed_investment_leave_out_a_deal_signed_later(ledger, db_url, run_cli):
    """On 2026-06-25 the EUR deal (signed 08-10) is not in the ledger: 涿州市 1 deal, plan 3.25亿 (not 3.25 + 0.77
    = 4.02), completed 0.72亿 (not 0.72 + 0.234 = 0.954), 0.72 ÷ 3.25 = 22.15%; the rates named are USD 6.50 (the
    plan) and 7.20 (the deal, the month done), no EUR rate. On 2026-12-06 it is: 4.02, 0.954, 23.73%."""
    _dated(run_cli, db_url)
    for day, want in (
        ("2026-06-25", ["涿州市", "1", "14.4", "3.25", "0.72", "22.15"]),
        ("2026-12-06", ["涿州市", "2", "18.35", "4.02", "0.954", "23.73"]),
    ):
        rows = _csv_rows(_ok(run_cli, "--db", db_url, "report", "regions", "--as-of", day, "--format", "csv"))
        header, zhuozhou = rows[1], next(row for row in rows if row[0] == "涿州市")
        picked = [zhuozhou[header.index(name)] for name in ("年度计划(亿元)", "完成投资(亿元)", "完成年计划(%)")]
        assert zhuozhou[:3] + picked == want, day
    plain = json.loads(_ok(run_cli, "--db", db_url, "kpi", "--as-of", "2026-06-25", "--format", "json"))
    assert (plain["deals"], plain["invest_plan_cny"], plain["invest_done_cny"]) == (2, "325000000.00", "72000000.00")
    assert [(r["currency"], r["on"]) for r in plain["fx_used"]] == [("USD", "2025-01-01"), ("USD", "2026-03-02")]
    brief = _ok(run_cli, "--db", db_url, "brief", "--as-of", "2026-06-25")
    assert "完成投资0.72亿元，占年度计划22.15%" in brief and "EUR" not in brief


def test_kpi_now_names_the_rates_its_plan_and_completed_investment_were_converted_at(ledger, db_url, run_cli):
    """This year Y: USD 7.00 from Y-2-01-01 converts the 1亿美元 deal signed Y-2-06-01 (7.00亿); USD 6.50 from
    Y-1-01-01 only the Y plan of 5000万美元 (3.25亿); EUR 7.80 from Y-1-01-01 only the 300万欧元 completed in
    Y-01 (0.234亿 = 2340万元) of the 约5亿元 deal. All three are named, in every format; the total is 约12亿元."""
    y = datetime.date.today().year
    for currency, on, rate in (
        ("USD", f"{y - 2}-01-01", "7"),
        ("USD", f"{y - 1}-01-01", "6.5"),
        ("EUR", f"{y - 1}-01-01", "7.8"),
    ):
        _ok(run_cli, "--db", db_url, "fx", "set", currency, on, rate)
    dollar = _ok(
        run_cli, "--db", db_url, "add", "--name", "美元", "--amount", "1亿美元", "--signed", f"{y - 2}-06-01"
    ).strip()
    about = _ok(
        run_cli, "--db", db_url, "add", "--name", "约数", "--amount", "约5亿元", "--signed", f"{y - 2}-03-01"
    ).strip()
    _ok(run_cli, "--db", db_url, "plan", dollar, str(y), "5000万美元")
    _ok(run_cli, "--db", db_url, "invest", about, "300万欧元", "--month", f"{y}-01")
    named = [f"USD {y - 2}-01-01 7.0000", f"USD {y - 1}-01-01 6.5000", f"EUR {y - 1}-01-01 7.8000"]
    for cohort in ((), ("--year", str(y - 2))):
        table = _ok(run_cli, "--db", db_url, "kpi", *cohort)
        assert "约12亿元" in table and "3.25亿元" in table and "2340万元" in table
        assert all(rate in table for rate in named), table
        plain = json.loads(_ok(run_cli, "--db", db_url, "kpi", *cohort, "--format", "json"))
        assert sorted(f"{r['currency']} {r['on']} {r['rate']}" for r in plain["fx_used"]) == sorted(named)
        rows = _csv_rows(_ok(run_cli, "--db", db_url, "kpi", *cohort, "--format", "csv"))
        assert sorted(value for key, value in rows if key == "fx_used") == sorted(named)
        assert ["approximate", "True"] in rows
    assert "总投资约12.00亿元" in _ok(run_cli, "--db", db_url, "brief")


def _series(run_cli, db_url, period: str, start: str, end: str, fmt: str) -> str:
    return _ok(run_cli, "--db", db_url, "kpi", "--series", period, "--from", start, "--to", end, "--format", fmt)


def test_a_series_ends_at_to_and_never_after_today(ledger, db_url, run_cli):
    """--to 2026-11-10 (a Tuesday): the monthly series' last row is as of 11-10, not 11-30, and is what `kpi --as-of
    2026-11-10` says; the weekly one's is 11-10 after Sunday 11-08. A --to next year stops at today."""
    _dated(run_cli, db_url)
    monthly = json.loads(_series(run_cli, db_url, "monthly", "2026-09-01", "2026-11-10", "json"))
    assert [row["as_of"] for row in monthly] == ["2026-09-30", "2026-10-31", "2026-11-10"]
    assert monthly[-1] == json.loads(_ok(run_cli, "--db", db_url, "kpi", "--as-of", "2026-11-10", "--format", "json"))
    weekly = _csv_rows(_series(run_cli, db_url, "weekly", "2026-11-02", "2026-11-10", "csv"))
    assert [row[0] for row in weekly[1:]] == ["2026-11-08", "2026-11-10"]
    assert (
        weekly[-1][weekly[0].index("fx_used")]
        == "EUR 2025-01-01 7.7000; EUR 2026-04-01 7.8000; EUR 2026-08-03 7.9000; USD 2025-01-01 6.5000; USD 2026-03-02 7.2000"
    )
    today = datetime.date.today()
    table = _series(run_cli, db_url, "monthly", f"{today.year}-01-01", f"{today.year + 1}-06-30", "table")
    assert table.split("\n\n")[0].splitlines()[-1].split()[0] == today.isoformat()


def test_the_printed_name_column_fits_the_longest_name_and_wraps_beyond_a_cap(ledger, db_url, run_cli, tmp_path):
    """保定高新技术产业开发区管委会 is 28 columns wide (a Chinese character two): the first column is as wide
    (it was 18, and the name printed cut off); a 30-character name would widen the whole page, so the column
    stops at 32 and that name wraps, its row two lines tall."""
    _dated(run_cli, db_url)
    path = tmp_path / "单位.xlsx"
    _ok(run_cli, "--db", db_url, "report", "departments", "--as-of", "2026-12-06", "-o", path)
    sheet = load_workbook(path).active
    assert 28 <= sheet.column_dimensions["A"].width <= 33
    longer = "保定市" + "某" * 24 + "管理委员会"
    _ok(run_cli, "--db", db_url, "department", "add", longer)
    _ok(run_cli, "--db", db_url, "edit", "ZS2026-0003", "--lead-unit", longer)
    _ok(run_cli, "--db", db_url, "report", "departments", "--as-of", "2026-12-06", "-o", path, "--force")
    sheet = load_workbook(path).active
    assert 28 <= sheet.column_dimensions["A"].width <= 33
    cell = next(row[0] for row in sheet.iter_rows(min_row=3) if row[0].value == longer)
    assert cell.alignment.wrap_text and sheet.row_dimensions[cell.row].height >= 28, "two lines tall"


def test_the_markdown_table_is_padded_to_the_display_width(ledger, db_url, run_cli):
    """Every line of the table is as wide on screen as the others and its bars fall in the same columns, a Chinese
    character counted two: the source reads as a table, as the weekly md does."""
    _dated(run_cli, db_url)
    md = _ok(run_cli, "--db", db_url, "report", "departments", "--as-of", "2026-12-06", "--format", "md")
    lines = [line for line in md.splitlines() if line.startswith("|")]
    assert len(lines) == 4  # header, rule, the one unit, 合计

    def bars(line: str) -> list[int]:
        return [wcswidth(line[:i]) for i, ch in enumerate(line) if ch == "|"]

    assert len({tuple(bars(line)) for line in lines}) == 1, md
    assert lines[2].startswith(f"| {LONG_UNIT} |")
