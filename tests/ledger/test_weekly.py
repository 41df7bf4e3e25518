"""The weekly table's content (crm.reporting.weekly): week selection, which deals, their stage
at the end of the week, what happened that week, open problems, the summary."""

import datetime
from decimal import Decimal

import pytest

from crm.deals import blockers
from crm.deals.funds import record_funds
from crm.deals.records import create_deal
from crm.deals.stages import change_stage
from crm.foundation.errors import InvalidInput
from crm.listing.filters import DealFilter
from crm.reporting import kpi, weekly
from db.models import database

D = datetime.date
W21 = weekly.Week(D(2020, 5, 18), D(2020, 5, 24))
ZHUOZHOU = ["涿州现代供应链金融创新示范基地项目", "中国创投(涿州)总部项目", "华侨城涿州城市客厅项目"]


# ---- week selection (no database) ------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["2020-W21", "2020w21", "2020年第21周", "2020-05-18", "2020-05-24", "2020年5月20日", "2020.5.22", "2020/5/19"],
)
def test_a_week_is_named_by_its_iso_number_or_any_date_in_it(text):
    week = weekly.resolve_week(text)
    assert (week.monday, week.sunday) == (D(2020, 5, 18), D(2020, 5, 24))
    assert week.key == "2020-W21"


@pytest.mark.parametrize(
    "today, expected",
    [
        (D(2020, 5, 25), "2020-W21"),  # Monday: last week is complete
        (D(2020, 5, 26), "2020-W21"),
        (D(2020, 5, 31), "2020-W21"),  # Sunday: this week is not over yet
        (D(2021, 1, 4), "2020-W53"),  # ISO year 2020 has 53 weeks
    ],
)
def test_the_default_week_is_the_last_complete_one(today, expected):
    assert weekly.resolve_week(None, today=today).key == expected


@pytest.mark.parametrize("text", ["2020-W54", "2021-W53", "2020-W00", "next week", "2020-02-30"])
def test_weeks_that_do_not_exist_are_refused(text):
    with pytest.raises(InvalidInput):
        weekly.resolve_week(text)


# ---- the demo ledger, week 2020-W21 ------------------------------------------


@pytest.fixture
def w21(demo_ledger):
    return weekly.build(W21)


def test_w21_lists_the_three_zhuozhou_deals_at_the_stage_they_had_that_week(w21):
    rows = {r.name: r for r in w21.rows}
    assert all(name in rows for name in ZHUOZHOU)
    for name in ZHUOZHOU:
        row = rows[name]
        assert row.region == "涿州市"
        assert row.event == "中国·廊坊国际经济贸易洽谈会"
        assert row.signed_on == D(2020, 5, 18)
        # Today the first is operating and the second under construction; on 24 May 2020 all were just signed.
        assert row.stage == "signed"
        assert row.progress[0].kind == "new" and row.progress[0].on == D(2020, 5, 18)
        assert row.lead_unit == "涿州市人民政府"
    usd = rows[ZHUOZHOU[0]]
    assert (usd.amount.amount, usd.amount.currency) == (Decimal("180000000.00"), "USD")
    assert usd.amount_cny == Decimal("1278540000.00")  # at 7.1030, the rate of 2020-05-18
    assert usd.supporting == ["保定市发展和改革委员会", "保定市商务局"]
    assert usd.liaison == "李建国"
    ocity = rows[ZHUOZHOU[2]]
    assert [p.kind for p in ocity.progress] == ["new", "blocker_raised"]
    assert ocity.progress[1].on == D(2020, 5, 20)
    [problem] = ocity.problems
    assert (problem.text, problem.department, problem.due_on, problem.overdue) == (
        "拒马河综合整治段用地手续需市县联审",
        "保定市自然资源和规划局",
        D(2020, 6, 30),
        False,
    )


def test_w21_leaves_out_deals_signed_later_and_deals_finished_before(w21):
    codes = {r.code for r in w21.rows}
    signed_later = {"ZS2020-0007", "ZS2020-0008", "ZS2020-0009", "ZS2020-0010"}  # 2020-09-08
    assert not codes & signed_later
    assert all(r.stage not in ("operating", "terminated") or r.progress for r in w21.rows)
    assert [r.seq for r in w21.rows] == list(range(1, len(w21.rows) + 1))
    # Stable order: by signing date, then code.
    assert [(r.signed_on, r.code) for r in w21.rows] == sorted((r.signed_on, r.code) for r in w21.rows)


def test_w21_overdue_problems_are_those_past_due_before_the_week_ended(w21):
    overdue = [(r.code, p.due_on) for r in w21.rows for p in r.problems if p.overdue]
    assert overdue and all(due < D(2020, 5, 25) for _code, due in overdue)
    not_yet = [p for r in w21.rows for p in r.problems if not p.overdue]
    assert all(p.due_on is None or p.due_on >= D(2020, 5, 25) for p in not_yet)


def test_w21_summary_adds_up_and_names_the_rates(w21):
    s = w21.summary
    assert s.rows == len(w21.rows)
    assert s.total_cny == sum(r.amount_cny for r in w21.rows)
    assert sum(n for n, _cny in s.by_stage.values()) == s.rows
    assert sum(cny for _n, cny in s.by_stage.values()) == s.total_cny
    assert s.week.new_deals == 3 and s.week.blockers_raised == 2 and s.week.stage_changes == 0
    assert ("USD", D(2020, 5, 18)) in {(r.currency, r.on) for r in s.fx_used}
    # At the end of W21 the 2019 cohort and the April and May 2020 deals were signed: 29 of today's 33.
    assert s.kpis_week_end.deals == 29
    assert kpi.as_json(s.kpis_now) == kpi.as_json(kpi.compute(DealFilter()))


def test_the_zhuozhou_totals_match_crm_kpi(demo_ledger):
    table = weekly.build(W21, DealFilter(region="涿州"))
    assert [r.name for r in table.rows] == ZHUOZHOU
    k = kpi.compute(DealFilter(region="涿州"))
    assert table.summary.total_cny == k.total_cny == Decimal("11778540000.00")  # 117.79亿元
    assert table.summary.by_currency == {"CNY": Decimal("10500000000.00"), "USD": Decimal("180000000.00")}


def test_a_stage_filter_lists_the_deals_at_that_stage_at_the_end_of_the_week(demo_ledger):
    table = weekly.build(W21, DealFilter(stage="开工"))
    assert table.rows and all(r.stage == "construction" for r in table.rows)
    everything = weekly.build(W21)
    assert {r.code for r in table.rows} == {r.code for r in everything.rows if r.stage == "construction"}
    # The KPIs stay those of the whole cohort: a stage narrows the rows only.
    assert table.summary.kpis_week_end.deals == everything.summary.kpis_week_end.deals


def test_kpis_at_the_end_of_the_current_week_are_crm_kpi(demo_ledger):
    for flt in (DealFilter(), DealFilter(event="廊坊"), DealFilter(department="发展和改革")):
        table = weekly.build(weekly.week_containing(datetime.date.today()), flt)
        assert (
            kpi.as_json(table.summary.kpis_week_end)
            == kpi.as_json(table.summary.kpis_now)
            == kpi.as_json(kpi.compute(flt))
        )


# ---- a week with every kind of change -----------------------------------------


def _deal(name, amount="10亿元", signed="2020-05-11", lead="发改委"):
    return create_deal({"name": name, "amount": amount, "signed_on": signed, "lead_unit": lead, "region": "涿州市"})


@pytest.fixture
def busy_week(ledger):
    from crm.reference import fx, registry

    registry.add_department("发改委")
    registry.add_department("供电公司", kind="utility")
    fx.set_rate("USD", D(2020, 1, 2), "7.0000")
    a = _deal("甲项目")
    b = _deal("乙项目", amount="1亿美元")
    c = _deal("丙项目")
    d = _deal("丁项目")
    e = _deal("戊项目", signed="2020-06-01")  # signed after the week
    change_stage(a.code, "registered", on=D(2020, 5, 19), note="取得营业执照")
    change_stage(b.code, "registered", on=D(2020, 5, 12))
    change_stage(b.code, "construction", on=D(2020, 5, 20))
    change_stage(c.code, "registered", on=D(2020, 5, 12))
    change_stage(c.code, "construction", on=D(2020, 5, 13))
    change_stage(c.code, "operating", on=D(2020, 5, 14))  # finished before the week, no news: not listed
    change_stage(d.code, "registered", on=D(2020, 5, 26))  # after the week: still 签约 in the table
    old = blockers.add_blocker(b.code, "供电接入方案未定", "供电公司", raised=D(2020, 5, 12), due=D(2020, 5, 15))
    blockers.add_blocker(b.code, "围墙施工许可", "发改委", raised=D(2020, 5, 12), due=D(2020, 5, 25))
    done = blockers.add_blocker(a.code, "用地手续", "发改委", raised=D(2020, 5, 18), due=D(2020, 6, 1))
    blockers.resolve_blocker(done.id, note="已办结", on=D(2020, 5, 22))
    late = blockers.add_blocker(d.code, "环评", "发改委", raised=D(2020, 5, 20), due=D(2020, 5, 30))
    blockers.resolve_blocker(late.id, note="已批复", on=D(2020, 5, 27))  # resolved after the week: open in it
    record_funds(b.code, "2000万美元", on=D(2020, 5, 21))
    record_funds(a.code, "1亿元", on=D(2020, 5, 30))  # after the week
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "old": old}


def test_progress_lists_stage_moves_blockers_and_funds_in_date_order(busy_week):
    table = weekly.build(W21)
    rows = {r.name: r for r in table.rows}
    assert set(rows) == {"甲项目", "乙项目", "丁项目"}
    a, b, d = rows["甲项目"], rows["乙项目"], rows["丁项目"]
    assert [(p.kind, p.on) for p in a.progress] == [
        ("blocker_raised", D(2020, 5, 18)),
        ("stage", D(2020, 5, 19)),
        ("blocker_resolved", D(2020, 5, 22)),
    ]
    assert (a.progress[1].stage_from, a.progress[1].stage_to, a.progress[1].note) == (
        "signed",
        "registered",
        "取得营业执照",
    )
    assert a.progress[2].note == "已办结" and a.problems == []
    assert [(p.kind, p.on) for p in b.progress] == [("stage", D(2020, 5, 20)), ("funds", D(2020, 5, 21))]
    assert (b.progress[1].money.amount, b.progress[1].money.currency) == (Decimal("20000000.00"), "USD")
    assert b.progress[1].amount_cny == Decimal("140000000.00")
    assert b.stage == "construction"
    assert [(p.text, p.overdue) for p in b.problems] == [("供电接入方案未定", True), ("围墙施工许可", False)]
    assert d.stage == "signed"  # registered only on 26 May
    assert [(p.kind, p.text) for p in d.progress] == [("blocker_raised", "环评")]
    assert [p.text for p in d.problems] == ["环评"]  # resolved after the week, so open in it
    w = table.summary.week
    assert (w.new_deals, w.stage_changes, w.blockers_raised, w.blockers_resolved, w.funds_arrivals) == (0, 2, 2, 1, 1)
    assert w.funds_cny == Decimal("140000000.00")


def test_kpis_at_the_end_of_a_past_week_use_the_ledger_of_that_week(busy_week):
    end = weekly.build(W21).summary.kpis_week_end
    assert end.deals == 4  # 戊 was signed in June
    assert end.by_stage == {"signed": 1, "registered": 1, "construction": 1, "operating": 1}
    assert end.funds_cny == Decimal("140000000.00")  # the 30 May arrival is later
    assert (end.blockers_raised, end.blockers_open, end.blockers_resolved, end.blockers_overdue) == (4, 3, 1, 1)
    now = kpi.compute(DealFilter())
    assert now.deals == 5 and now.funds_cny == Decimal("240000000.00")


def test_the_number_of_queries_does_not_grow_with_the_deals(busy_week):
    def queries(week):
        count = 0
        original = database.obj.execute_sql

        def counting(sql, params=None, *args, **kwargs):
            nonlocal count
            count += 1
            return original(sql, params, *args, **kwargs)

        database.obj.execute_sql = counting
        try:
            weekly.build(week)
        finally:
            del database.obj.execute_sql
        return count

    few = queries(W21)
    for n in range(30):
        deal = _deal(f"批量项目{n}", signed="2020-05-19")
        blockers.add_blocker(deal.code, f"问题{n}", "发改委", raised=D(2020, 5, 20))
        change_stage(deal.code, "registered", on=D(2020, 5, 21))
    assert len(weekly.build(W21).rows) >= 33
    assert queries(W21) == few
