"""Official KPIs as of a date on hand-computed ledgers: 开工率 against plan, 完成投资 against the annual plan,
序时进度; series, summaries and the briefing paragraph agree with `crm kpi --as-of`."""

import datetime
import json
from decimal import Decimal

import pytest

from crm.deals.investment import record_invest, set_plan
from crm.deals.records import create_deal
from crm.deals.stages import change_stage
from crm.deals.tags import tag_deal
from crm.listing.filters import DealFilter
from crm.reference import fx
from crm.reporting import asof, kept_plans, kpi, lights, series, summaries
from crm.values.money import format_yi
from tests.conftest import filled_ledger

D = datetime.date


def _deal(name, planned_start=None, region="涿州市", signed="2019-12-01", amount="1亿元", completion=None):
    values = {"name": name, "amount": amount, "signed_on": signed, "region": region}
    if planned_start:
        values["planned_start"] = planned_start.isoformat()
    if completion:
        values["planned_completion"] = completion.isoformat()
    return create_deal(values)


@filled_ledger()
def start_plan_ledger():
    """107 deals planned to start in 2020; 88 start by 31 May, 5 more on 15 June.

    Noise that must not count: 4 deals planned for 2021 (2 of them started), one terminated deal planned
    for 2020, and 3 deals signed in June 2020 (not in the ledger on 31 May).
    """
    codes = []
    for i in range(107):
        start = D(2020, 1 + i % 12, 10)
        codes.append(_deal(f"计划项目{i:03d}", start, region="涿州市" if i % 2 else "定兴县").code)
    for i, code in enumerate(codes[:88]):
        change_stage(code, "construction", on=D(2020, 3 + i % 3, 1 + i % 28))
    for code in codes[88:93]:
        change_stage(code, "construction", on=D(2020, 6, 15))
    for i in range(4):
        code = _deal(f"明年项目{i}", D(2021, 3, 1)).code
        if i < 2:
            change_stage(code, "construction", on=D(2020, 4, 1))
    change_stage(_deal("终止项目", D(2020, 2, 1)).code, "terminated", on=D(2020, 3, 1), note="投资方撤资")
    for i in range(3):
        _deal(f"六月签约{i}", D(2020, 8, 1), signed="2020-06-10")
    return codes


def test_start_plan_rate_is_88_of_107_on_31_may(start_plan_ledger):
    p = asof.compute(day=D(2020, 5, 31)).plan
    assert (p.planned_starts, p.started_on_plan) == (107, 88)
    data = asof.as_json(asof.compute(day=D(2020, 5, 31)))
    assert data["start_plan_rate"] == "0.8224"
    # months Jan..May hold planned starts before 31 May: 9 each of 107 spread over 12 months (i % 12 < 5)
    planned_before = sum(1 for i in range(107) if i % 12 < 5)
    started_among_them = sum(1 for i in range(88) if i % 12 < 5)
    assert data["overdue_starts"] == planned_before - started_among_them
    assert data["started_early"] == sum(1 for i in range(88) if i % 12 >= 5)
    # 开工占比 is a different statistic: started ÷ all signed (88 + 2 started for 2021) / (107 + 4 + 1)
    assert data["start_rate"] == kpi.rate_text(Decimal(90) / Decimal(112))


def test_as_of_before_and_after_a_stage_change(start_plan_ledger):
    assert asof.compute(day=D(2020, 6, 14)).plan.started_on_plan == 88
    assert asof.compute(day=D(2020, 6, 15)).plan.started_on_plan == 93
    assert asof.compute(day=D(2020, 2, 29)).plan.started_on_plan == 0
    on_may = asof.compute(day=D(2020, 5, 31)).kpis
    assert on_may.deals == 112  # the June signings are not in the ledger yet
    assert asof.compute(day=D(2020, 6, 30)).kpis.deals == 115


def test_as_of_today_equals_kpi_now(start_plan_ledger):
    assert kpi.as_json(asof.compute().kpis) == kpi.as_json(kpi.compute())
    cohort = DealFilter(region="涿州")
    assert kpi.as_json(asof.compute(cohort).kpis) == kpi.as_json(kpi.compute(cohort))


def test_series_rows_equal_as_of(start_plan_ledger, run_cli, db_url):
    code, out, err = run_cli(
        "--db", db_url, "kpi", "--series", "monthly", "--from", "2020-01-15", "--to", "2020-07-01", "--format", "json"
    )
    assert code == 0, err
    rows = json.loads(out)
    assert [r["as_of"] for r in rows] == [
        "2020-01-31",
        "2020-02-29",
        "2020-03-31",
        "2020-04-30",
        "2020-05-31",
        "2020-06-30",
        "2020-07-01",  # the last month cut at --to: no row says 截至 a day after it
    ]
    for row in rows:
        code, out, err = run_cli("--db", db_url, "kpi", "--as-of", row["as_of"], "--format", "json")
        assert json.loads(out) == row
    weeks = series.period_ends("weekly", D(2020, 5, 27), D(2020, 6, 8))
    assert weeks == [D(2020, 5, 31), D(2020, 6, 7), D(2020, 6, 14)]


@pytest.mark.parametrize("region", [None, "涿州"])
def test_a_monthly_series_reads_the_kept_totals_once_and_equals_each_month_alone(demo_ledger, monkeypatch, region):
    """Two years of the demo's stage changes, currencies and regions: the series' one read (crm.reporting.month_ends)
    gives each month what asof.compute reads for that month alone."""
    cohort = DealFilter(region=region)
    ends = series.period_ends("monthly", D(2019, 1, 1), D(2020, 12, 31))
    alone = [asof.as_json(asof.compute(cohort, end)) for end in ends]
    reads = []
    real = asof._read_stage_rows
    monkeypatch.setattr(asof, "_read_stage_rows", lambda *a: reads.append(a) or real(*a))
    plan_reads = []
    real_plans = kept_plans._read_span
    monkeypatch.setattr(kept_plans, "_read_span", lambda *a: plan_reads.append(a) or real_plans(*a))
    together = [asof.as_json(r) for r in series.series("monthly", D(2019, 1, 1), D(2020, 12, 31), cohort)]
    assert together == alone
    assert reads == []  # no month read on its own
    assert len({r["total_cny"] for r in together}) > 1  # the months differ: the sums run
    # the plan figures: one read per kind and year (starts, completions; 2019, 2020), not one per month
    assert sorted((kind, year) for _region, kind, year, _first, _last in plan_reads) == [
        (0, 2019),
        (0, 2020),
        (1, 2019),
        (1, 2020),
    ]
    assert len({(r["planned_starts"], r["started_on_plan"], r["overdue_starts"]) for r in together}) > 2
    late_alone = [lights.counts(cohort, end) for end in ends]
    with series.reading(cohort, ends):
        late_together = [lights.counts(cohort, end) for end in ends]
    assert late_together == late_alone and len({str(c) for c in late_alone}) > 1


def test_report_total_rows_equal_kpi(start_plan_ledger, run_cli, db_url):
    code, out, err = run_cli("--db", db_url, "report", "regions", "--as-of", "2020-05-31", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    total = rows[-1]
    assert total["total"] and [r["group"] for r in rows[:-1]] == ["定兴县", "涿州市"]
    code, out, err = run_cli("--db", db_url, "kpi", "--as-of", "2020-05-31", "--format", "json")
    k = json.loads(out)
    for key in (
        "deals",
        "total_cny",
        "start_rate",
        "planned_starts",
        "started_on_plan",
        "start_plan_rate",
        "invest_plan_rate",
        "blockers_raised",
    ):
        assert total[key] == k[key], key
    assert sum(r["deals"] for r in rows[:-1]) == total["deals"] == 112
    assert sum(r["planned_starts"] for r in rows[:-1]) == total["planned_starts"] == 107
    by_rank = summaries.summarise("regions", day=D(2020, 5, 31), rank_by="deals")
    assert by_rank[0].result.kpis.deals >= by_rank[1].result.kpis.deals


@filled_ledger()
def invest_ledger():
    """Plans 200亿 + 235.83亿 + 10亿美元 (at 7.0000, the rate in force on 1 January: 70亿) = 505.83亿; completed by 30 April:
    30 + 40 + 36.54 + 32.9亿元 + 1亿美元 (at April's month-end rate 7.1000: 7.1亿) = 146.54亿."""
    fx.set_rate("USD", D(2019, 11, 30), "7.0000", source="测试")
    fx.set_rate("USD", D(2020, 4, 30), "7.1000", source="测试")
    a = _deal("甲项目", D(2020, 3, 1), amount="300亿元").code
    b = _deal("乙项目", D(2020, 3, 1), amount="300亿元", region="定兴县").code
    c = _deal("丙项目", D(2020, 3, 1), amount="20亿美元").code
    set_plan(a, 2020, "200亿元")
    set_plan(b, 2020, "235.83亿元")
    set_plan(c, 2020, "10亿美元")
    set_plan(a, 2021, "99亿元")  # another year's plan
    for code, month, amount in (
        (a, "2020-01", "30亿元"),
        (a, "2020-02", "40亿元"),
        (b, "2020-03", "36.54亿元"),
        (b, "2020-04", "32.9亿元"),
        (c, "2020-04", "1亿美元"),
        (a, "2020-05", "10亿元"),
        (a, "2019-12", "5亿元"),
    ):
        record_invest(code, amount, datetime.date.fromisoformat(month + "-01"))
    tag_deal(a, ["市重点"])
    return a, b, c


def test_invest_plan_rate_is_146_54_of_505_83_on_30_april(invest_ledger):
    data = asof.as_json(asof.compute(day=D(2020, 4, 30)))
    assert data["invest_plan_cny"] == "50583000000.00"
    assert data["invest_done_cny"] == "14654000000.00"
    assert data["invest_plan_rate"] == "0.2897"
    assert data["schedule_rate"] == "0.3333"
    assert data["schedule_gap"] == "-4.36"
    assert {(r["currency"], r["on"]) for r in data["fx_used"]} == {("USD", "2019-11-30"), ("USD", "2020-04-30")}
    may = asof.as_json(asof.compute(day=D(2020, 5, 31)))
    assert may["invest_done_cny"] == "15654000000.00"
    tagged = asof.as_json(asof.compute(DealFilter(tag="市重点"), D(2020, 4, 30)))
    assert (tagged["invest_plan_cny"], tagged["invest_done_cny"]) == ("20000000000.00", "7000000000.00")


def test_brief_figures_equal_kpi(invest_ledger, run_cli, db_url):
    code, out, err = run_cli("--db", db_url, "kpi", "--as-of", "2020-04-30", "--format", "json")
    k = json.loads(out)
    code, text, err = run_cli("--db", db_url, "brief", "--as-of", "2020-04-30")
    assert code == 0, err
    assert text.startswith("截至2020年4月30日，签约项目3个，总投资")  # the year: a brief is pasted into later reports
    assert f"总投资{format_yi(Decimal(k['total_cny']))}亿元" in text
    assert f"计划新开工{k['planned_starts']}个，已开工{k['started_on_plan']}个" in text
    assert "完成投资146.54亿元，占年度计划28.97%，低于序时进度4.36个百分点" in text
    assert f"存在问题{k['blockers_raised']}个" in text
    assert "USD 2020-04-30 7.1000" in text and "USD 2019-11-30 7.0000" in text


def test_plan_and_invest_from_the_cli_show_in_detail(ledger, run_cli, db_url):
    code = _deal("丁项目", D(2020, 3, 1)).code
    assert run_cli("--db", db_url, "plan", code, "2020", "4亿元")[0] == 0
    assert run_cli("--db", db_url, "invest", code, "1亿元", "--month", "2020-01")[0] == 0
    assert run_cli("--db", db_url, "invest", code, "5000万元", "--month", "2020-02")[0] == 0
    assert run_cli("--db", db_url, "invest", code, "6000万元", "--month", "2020-02")[0] == 0  # replaces February
    status, out, err = run_cli("--db", db_url, "show", code, "--format", "json")
    year = json.loads(out)["investment"][0]
    assert (year["year"], year["plan_cny"], year["done_cny"], year["completion_rate"]) == (
        2020,
        "400000000.00",
        "160000000.00",
        "0.4000",
    )
    assert [m["cumulative_cny"] for m in year["months"]] == ["100000000.00", "160000000.00"]
    status, out, err = run_cli("--db", db_url, "invest", code, "1亿元", "--month", "2020/13")
    assert status == 2 and "2020/13" in err and "Traceback" not in err


@pytest.mark.parametrize("dimension", summaries.DIMENSIONS)
def test_every_report_has_a_total_equal_to_kpi(demo_ledger, run_cli, demo_url, dimension):
    status, out, err = run_cli("--db", demo_url, "report", dimension, "--as-of", "2020-05-31", "--format", "json")
    assert status == 0, err
    rows = json.loads(out)
    status, k_out, err = run_cli("--db", demo_url, "kpi", "--as-of", "2020-05-31", "--format", "json")
    k = json.loads(k_out)
    assert rows[-1]["group"] == "合计" and rows[-1]["deals"] == k["deals"] and rows[-1]["total_cny"] == k["total_cny"]
    if dimension != "tags":  # a deal may carry several tags, or none
        assert sum(r["deals"] for r in rows[:-1]) == k["deals"]
        assert sum(r["blockers_raised"] for r in rows[:-1]) == k["blockers_raised"]


def test_a_series_table_names_once_the_rates_its_periods_converted_at(demo_ledger, run_cli, demo_url):
    """The table of a series names below it every rate a period's figures used, and no other: the union of what
    each period names in JSON (and what `crm kpi --as-of` names for that day)."""
    args = ("--db", demo_url, "kpi", "--series", "monthly", "--from", "2019-01-01", "--to", "2020-06-30")
    code, out, err = run_cli(*args, "--format", "json")
    assert code == 0, err
    each = {f"{r['currency']} {r['on']} {r['rate']}" for row in json.loads(out) for r in row["fx_used"]}
    code, out, err = run_cli(*args)
    assert code == 0, err
    table, rates = out.strip().split("\n\n")
    header, *lines = table.splitlines()
    assert header.split()[:3] == ["截至", "签约项目数", "总投资(亿元)"] and "total_cny" not in header, header
    last = lines[-1].split()  # the last period, its figures as `crm kpi --as-of` shows them, in 亿元
    assert last[0] == "2020-06-30" and last[2].replace(".", "").isdigit() and last[3].endswith("%"), lines[-1]
    label, *named = rates.splitlines()
    assert label == "所用汇率："  # a rate a line: on one line they made the table hundreds of columns wide
    shown = {" ".join(rate.split()[:3]) for rate in named}
    assert each and shown == each
    later = {
        f"{r.currency} {r.on.isoformat()} {fx.rate_text(r.rate)}"
        for r in asof.rates_used(DealFilter(), [D(2026, 1, 1)])
    }
    assert later - each  # a rate of a later day is in the ledger but not named for these months


def test_a_weekly_series_gives_each_sunday_the_plan_figures_and_late_starts_of_that_day_alone(demo_ledger):
    """Weeks end mid-month: the one read of the plan rows (crm.reporting.kept_plans.read_once) sums the months
    before a Sunday's and the days of its month up to it, as each day's own queries do."""
    ends = series.row_days("weekly", D(2020, 2, 20), D(2020, 7, 10))  # the last week cut at --to
    alone = [(asof.as_json(asof.compute(day=end)), lights.counts(DealFilter(), end)) for end in ends]
    with series.reading(DealFilter(), ends):
        together = [
            (asof.as_json(r), lights.counts(DealFilter(), r.day))
            for r in series.series("weekly", D(2020, 2, 20), D(2020, 7, 10))
        ]
    assert together == alone
    assert len({(r["planned_starts"], r["started_on_plan"], r["overdue_starts"]) for r, _l in together}) > 2


def test_each_months_rates_are_read_side_by_side_in_the_months_order(demo_ledger):
    """`crm kpi --series --format json` names each month's rates: every other month's are read by a side thread
    (crm.reporting.series.rates_each); each month still gets its own, which differ from month to month here."""
    ends = series.period_ends("monthly", D(2019, 1, 1), D(2020, 12, 31))
    alone = [asof.rates_used(DealFilter(), [end]) for end in ends]
    assert series.rates_each(DealFilter(), ends) == alone
    assert len({tuple(r.id for r in used) for used in alone}) > 2  # a month given its neighbour's would show
