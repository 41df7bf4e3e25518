"""Traffic lights: yellow beyond 10 points behind the 序时进度 or a planned start month passed without 开工,
red beyond 30 points or 3 months — at each boundary, on hand-made deals, and in `crm kpi`, `crm deals`
and `crm report`."""

import datetime
import json
from decimal import Decimal

import pytest

from crm.deals.investment import record_invest, set_plan
from crm.deals.records import create_deal
from crm.deals.stages import change_stage
from crm.reporting import lights
from crm.reporting.lights import GREEN, RED, YELLOW, classify, lag_points, months_late

D = datetime.date


@pytest.mark.parametrize(
    "lag, late, light",
    [
        (None, 0, GREEN),
        (Decimal(-20), 0, GREEN),
        (Decimal(10), 0, GREEN),
        (Decimal("10.01"), 0, YELLOW),
        (Decimal(30), 0, YELLOW),
        (Decimal("30.01"), 0, RED),
        (None, 1, YELLOW),
        (None, 3, YELLOW),
        (None, 4, RED),
        (Decimal(5), 3, YELLOW),
        (Decimal(31), 1, RED),
    ],
)
def test_classify_at_each_boundary(lag, late, light):
    assert classify(lag, late) == light


def test_months_late_counts_calendar_months_from_the_planned_start_month():
    assert months_late(D(2020, 3, 15), False, D(2020, 3, 31)) == 0  # the month has not passed
    assert months_late(D(2020, 3, 15), False, D(2020, 4, 1)) == 1
    assert months_late(D(2020, 3, 15), False, D(2020, 6, 30)) == 3
    assert months_late(D(2020, 3, 15), False, D(2020, 7, 1)) == 4
    assert months_late(D(2020, 3, 15), True, D(2021, 7, 1)) == 0  # started
    assert months_late(None, False, D(2021, 7, 1)) == 0


def test_lag_in_points_against_the_schedule():
    # June: 序时进度 50%; 40% done lags 10 points, 39.99% lags 10.01
    assert lag_points(Decimal(40), Decimal(100), D(2020, 6, 30)) == Decimal("10.0000")
    assert lag_points(Decimal("39.99"), Decimal(100), D(2020, 6, 30)) == Decimal("10.0100")
    assert lag_points(Decimal(0), None, D(2020, 6, 30)) is None


def _deal(name, planned_start=None, stage=None):
    values = {"name": name, "amount": "10亿元", "signed_on": "2020-01-10"}
    if planned_start:
        values["planned_start"] = planned_start
    code = create_deal(values).code
    if stage:
        change_stage(code, stage, on=D(2020, 2, 1))
    return code


def test_hand_made_deals_in_kpi_deals_and_report(ledger, run_cli, db_url):
    # As of 30 June 2020, 序时进度 = 50%.
    on_plan = _deal("按计划项目", "2020-03-01", "开工")
    set_plan(on_plan, 2020, "10亿元")
    record_invest(on_plan, "4亿元", D(2020, 5, 1))  # 40%: 10 points behind, green
    lagging = _deal("滞后项目", "2020-03-01", "开工")
    set_plan(lagging, 2020, "10亿元")
    record_invest(lagging, "3.99亿元", D(2020, 5, 1))  # 10.1 points behind: yellow
    far_behind = _deal("严重滞后项目", "2020-03-01", "开工")
    set_plan(far_behind, 2020, "10亿元")
    record_invest(far_behind, "1.99亿元", D(2020, 5, 1))  # 30.1 points behind: red
    late3 = _deal("三个月未开工项目", "2020-03-20")  # March → June: 3 months late, yellow
    late4 = _deal("四个月未开工项目", "2020-02-20")  # February → June: 4 months, red
    not_due = _deal("未到开工期项目", "2020-06-05")  # its month has not passed: green
    day = D(2020, 6, 30)
    found = lights.deal_lights([on_plan, lagging, far_behind, late3, late4, not_due], day)
    assert {c: found[c].light for c in found} == {
        on_plan: GREEN,
        lagging: YELLOW,
        far_behind: RED,
        late3: YELLOW,
        late4: RED,
        not_due: GREEN,
    }
    assert found[late4].months_late == 4 and found[far_behind].lag_points == Decimal("30.1000")
    assert lights.counts(None, day)[None] == lights.LightCounts(green=2, yellow=2, red=2)

    code, out, err = run_cli("--db", db_url, "kpi", "--as-of", "2020-06-30", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["lights"] == {"green": 2, "yellow": 2, "red": 2}
    code, out, err = run_cli("--db", db_url, "report", "regions", "--as-of", "2020-06-30", "--format", "json")
    assert code == 0, err
    total = json.loads(out)[-1]
    assert (total["green"], total["yellow"], total["red"]) == (2, 2, 2)
    code, out, err = run_cli("--db", db_url, "deals")
    assert code == 0, err
    assert "信号灯" in out.splitlines()[0]
    line = next(x for x in out.splitlines() if late4 in x)
    assert "红" in line  # red today too: still not started


@pytest.mark.parametrize("key", [None, "region"])
def test_counts_from_the_kept_totals_equal_the_deal_by_deal_counts(demo_ledger, monkeypatch, key):
    """The counts for the whole ledger and per region (kept totals, SQL for months late) equal the counts of
    classifying every deal, on days before, in and after planned start months, with plans and completion."""
    from crm.deals.corrections import archive_deal
    from crm.listing.filters import DealFilter
    from db.models import Deal

    key = Deal.region if key else None
    deals = list(Deal.select().where(Deal.stage != "negotiating").order_by(Deal.id).limit(4))
    set_plan(deals[0].code, 2020, "10亿元")
    record_invest(deals[0].code, "1亿元", D(2020, 5, 1))
    set_plan(deals[1].code, 2020, "1亿元")
    late = _deal("晚开工项目", "2020-01-15")
    archive_deal(deals[2].code, "重复录入")
    days = [D(2019, 12, 31), D(2020, 4, 30), D(2020, 5, 31), D(2020, 6, 30), D(2021, 1, 31), datetime.date.today()]
    lit_somewhere = False
    for cohort in (DealFilter(), DealFilter(region="涿州")):
        for day in days:
            assert lights._counted(cohort, cohort.condition(), day, key) is not None
            kept = lights.counts(cohort, day, key)
            with monkeypatch.context() as m:
                m.setattr(lights, "_counted", lambda *args: None)
                one_by_one = lights.counts(cohort, day, key)
            assert kept == one_by_one, (cohort, day)
            lit_somewhere |= any(c.yellow or c.red for c in kept.values())
    assert lit_somewhere and late
