"""What an officer sends upward reads as prose and in one English unit: `crm brief` says a rate whose denominator
is zero in words (本年无计划开工项目，不计开工率; 存在问题0个，不计办结率), never a bare dash; the English brief
writes its date as ISO, its amounts as `crm kpi` does (CNY 1,288.03 million) and a space before its rates; and
the English headers of `crm report`, `crm kpi --series` and the weekly table name their 亿元 figures one way,
(100m CNY), with no Chinese left in them. The weekly table's note names the rates its rows used, its 汇总 sheet
the rates of all its figures.

The ledger: USD 7.1030 from 2020-05-18, EUR 7.7733 from 2019-09-02.
- 美元项目 (涿州市) 1亿美元 signed 2020-05-18 = 7.103亿, planned to start 2020-03-01 (not started), one open
  problem raised 2020-05-19;
- 欧元项目 (徐水区) 1000万欧元 signed 2019-09-02 = 0.77733亿, operating since 2020-01-10: in the cohort's KPIs,
  not among the weekly table's rows (it neither changed that week nor awaits a stage);
- 人民币项目 (涿州市) 5亿元 signed 2020-05-20.
Together 12.88033亿 = CNY 1,288.03 million.
"""

import csv
import datetime
import io
import re

from openpyxl import load_workbook

from crm.deals.blockers import add_blocker
from crm.deals.records import create_deal
from crm.deals.stages import change_stage
from crm.reference import fx
from crm.reference.entries import department_added
from tests.conftest import filled_ledger

D = datetime.date
AS_OF = "2020-05-31"
USD_RATE = "USD 2020-05-18 7.1030 (测试)"
EUR_RATE = "EUR 2019-09-02 7.7733 (测试)"
CJK = re.compile(r"[\u3400-\u9fff]")


@filled_ledger()
def upward_ledger():
    fx.set_rate("USD", D(2020, 5, 18), "7.1030", source="测试")
    fx.set_rate("EUR", D(2019, 9, 2), "7.7733", source="测试")
    department_added("涿州市发改局")
    usd = create_deal(
        {
            "name": "美元项目",
            "amount": "1亿美元",
            "signed_on": "2020-05-18",
            "region": "涿州市",
            "planned_start": "2020-03-01",
        }
    )
    add_blocker(usd.code, "用地指标未落实", "涿州市发改局", raised=D(2020, 5, 19))
    eur = create_deal({"name": "欧元项目", "amount": "1000万欧元", "signed_on": "2019-09-02", "region": "徐水区"})
    change_stage(eur.code, "operating", on=D(2020, 1, 10))
    create_deal({"name": "人民币项目", "amount": "5亿元", "signed_on": "2020-05-20", "region": "涿州市"})


def _ok(run_cli, *args) -> str:
    code, out, err = run_cli(*args)
    assert code == 0, err
    return out


# ---- the brief in words ---------------------------------------------------------------------------------


def test_the_brief_says_a_rate_without_a_denominator_in_words(upward_ledger, run_cli, db_url):
    xushui = _ok(run_cli, "--db", db_url, "brief", "--as-of", AS_OF, "--region", "徐水")
    assert xushui.startswith("截至2020年5月31日，签约项目1个，总投资0.78亿元；")
    assert "本年无计划开工项目，不计开工率；" in xushui and "开工率—" not in xushui
    assert "存在问题0个，不计办结率。" in xushui and "办结率—" not in xushui
    assert "—" not in xushui
    english = _ok(run_cli, "--db", db_url, "--lang", "en", "brief", "--as-of", AS_OF, "--region", "徐水")
    assert "no project was planned to start this year, so there is no start rate;" in english
    assert "0 problems raised, so there is no resolution rate. (Exchange rates: " + EUR_RATE in english
    assert "—" not in english


def test_the_brief_gives_rates_with_a_denominator_as_before(upward_ledger, run_cli, db_url):
    text = _ok(run_cli, "--db", db_url, "brief", "--as-of", AS_OF)
    assert text.startswith("截至2020年5月31日，签约项目3个，总投资12.88亿元；计划新开工1个，已开工0个，开工率0.00%；")
    assert "存在问题1个，已办结0个，办结率0.00%。（所用汇率：" in text
    assert EUR_RATE in text and USD_RATE in text


def test_the_english_brief_writes_the_date_amounts_and_rates_as_english_outputs_do(upward_ledger, run_cli, db_url):
    text = _ok(run_cli, "--db", db_url, "--lang", "en", "brief", "--as-of", AS_OF)
    assert text.startswith("As of 2020-05-31: 3 deals signed, total investment CNY 1,288.03 million; ")
    assert "1 planned to start this year, 0 started, start rate 0.00%; " in text
    assert "1 problems raised, 0 resolved, resolution rate 0.00%. (Exchange rates: " in text
    assert "hundred million" not in text and "2020/5/31" not in text and "%.(" not in text
    kpi = _ok(run_cli, "--db", db_url, "--lang", "en", "kpi", "--as-of", AS_OF)
    total = next(line for line in kpi.splitlines() if line.startswith("Total investment"))
    assert total.split()[-3:] == ["CNY", "1,288.03", "million"]  # the brief's figure, written the same way


# ---- one English unit for 亿元 ----------------------------------------------------------------------------


def _headers_with_units(headers: list[str]) -> list[str]:
    return [h for h in headers if "100m" in h]


def test_english_report_and_kpi_series_headers_say_100m_cny(upward_ledger, run_cli, db_url, tmp_path):
    report = ("--db", db_url, "--lang", "en", "report", "regions", "--as-of", AS_OF)
    header = next(csv.reader(io.StringIO(_ok(run_cli, *report, "--format", "csv").splitlines()[1])))
    assert _headers_with_units(header) == [
        "Total (100m CNY)",
        "Year plan (100m CNY)",
        "Completed (100m CNY)",
        "Funds arrived (100m CNY)",
    ]
    table = _ok(run_cli, *report)
    assert "Total (100m CNY)" in table and ", 100m" not in table
    _ok(run_cli, *report, "-o", tmp_path / "regions.xlsx")
    sheet = load_workbook(tmp_path / "regions.xlsx").worksheets[0]
    cells = [c.value for c in sheet[2]]
    assert "Total (100m CNY)" in cells and not any(CJK.search(c) for c in cells[1:])
    series = ("--db", db_url, "--lang", "en", "kpi", "--series", "monthly", "--from", "2020-04-01", "--to", AS_OF)
    first = _ok(run_cli, *series).splitlines()[0]
    assert "Total investment (100m CNY)" in first and "Funds arrived (100m CNY)" in first and ", 100m" not in first


def test_english_weekly_headers_say_100m_cny_and_no_chinese(upward_ledger, run_cli, db_url, tmp_path):
    path = tmp_path / "w21.csv"
    _ok(run_cli, "--db", db_url, "--lang", "en", "export", "weekly", "--week", "2020-W21", "-o", path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    header = next(r for r in rows if r and r[0] == "No.")
    assert header[8:10] == ["Total investment", "Converted (100m CNY)"] and not any(CJK.search(h) for h in header)
    stages = next(r for r in rows if r and r[0] == "Stage")
    assert stages[:3] == ["Stage", "Deals", "Converted (100m CNY)"]
    notes = next(r[0] for r in rows if r and r[0].startswith("Notes:"))
    assert "“Converted (100m CNY)” uses the rate of the signing date" in notes and not CJK.search(notes)
    # the Chinese table keeps its words
    _ok(run_cli, "--db", db_url, "export", "weekly", "--week", "2020-W21", "-o", path, "--force")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert next(r for r in rows if r and r[0] == "序号")[8:10] == ["总投资", "折合人民币(亿元)"]


# ---- the weekly table's rates, sheet by sheet -----------------------------------------------------------


def test_the_weekly_note_names_the_rows_rates_and_the_summary_all_of_its_own(upward_ledger, run_cli, db_url, tmp_path):
    path = tmp_path / "w21.xlsx"
    _ok(run_cli, "--db", db_url, "export", "weekly", "--week", "2020-W21", "-o", path)
    table, summary = load_workbook(path).worksheets
    texts = [c.value for row in table.iter_rows() for c in row if isinstance(c.value, str)]
    assert {"美元项目", "人民币项目"} <= set(texts) and "欧元项目" not in texts
    note = next(t for t in texts if t.startswith("所用汇率："))
    assert note == "所用汇率：" + USD_RATE  # the rows' one rate; EUR is only the KPIs'
    rates = [[c.value for c in row[:2]] for row in summary.iter_rows() if row[0].value in ("USD", "EUR")]
    assert sorted(r[0] for r in rates) == ["EUR", "USD"]  # the 汇总's KPIs count the euro deal
    # every format's note under the table says the same
    for fmt in ("csv", "md", "txt", "html"):
        other = tmp_path / f"w21.{fmt}"
        _ok(run_cli, "--db", db_url, "export", "weekly", "--week", "2020-W21", "-o", other)
        text = other.read_text(encoding="utf-8-sig")
        line = next(line for line in text.splitlines() if "所用汇率：" in line)
        assert USD_RATE in line and "EUR" not in line, (fmt, line)
        plain = re.sub(r"<[^>]+>", " ", text)  # the html's cells as text
        assert re.search(r"EUR\W+2019-09-02\W+7\.7733", plain), fmt  # in the summary's table of rates
