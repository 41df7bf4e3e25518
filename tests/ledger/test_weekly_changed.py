"""The week's changed deals (crm.reporting.weekly `_changed`: a deal with a stage entry that week is in the ledger by
Sunday without asking) against `_existing` asked for every deal with an event that week, and the whole table
against the reference reading (tests/ledger/weekly_old_rows), for every kind of cohort and three weeks, on a ledger
with a deal outside the cohort staged in the week, an archived deal staged in the week, undone changes (a ledger
out of date order), and a deal signed after the week with events in it. Written by a review of the change."""

import datetime

import pytest

from crm.deals import blockers
from crm.deals.corrections import archive_deal, undo_stage
from crm.deals.funds import record_funds
from crm.deals.progress import record_progress
from crm.deals.records import create_deal
from crm.deals.stages import change_stage
from crm.listing.filters import DealFilter
from crm.reference import registry
from crm.reporting import weekly, weekly_queries
from tests.conftest import filled_ledger
from tests.ledger import weekly_old_rows

D = datetime.date
WEEKS = [
    weekly.Week(D(2020, 5, 11), D(2020, 5, 17)),
    weekly.Week(D(2020, 5, 18), D(2020, 5, 24)),
    weekly.Week(D(2020, 5, 25), D(2020, 5, 31)),
]


def _deal(name, signed="2020-05-11", region="涿州市", stage=None):
    return create_deal(
        {"name": name, "amount": "1亿元", "signed_on": signed, "region": region, "lead_unit": "发改委"}, stage=stage
    )


@filled_ledger()
def changed_ledger():
    registry.add_department("发改委")
    a = _deal("区内周内变更")
    change_stage(a.code, "registered", on=D(2020, 5, 20))
    b = _deal("区外周内变更", region="高碑店市")
    change_stage(b.code, "registered", on=D(2020, 5, 21))
    c = _deal("归档周内变更")
    change_stage(c.code, "registered", on=D(2020, 5, 19))
    archive_deal(c.code, "重复")
    talks = _deal("签约后撤销", signed="2020-05-05", stage="negotiating")
    change_stage(talks.code, "signed", on=D(2020, 5, 20))
    undo_stage(talks.code, "误签")  # an entry dated 2020-05-05 after one dated 2020-05-20
    later = _deal("周后签约", signed="2020-06-01")
    blockers.add_blocker(later.code, "签约前", "发改委", raised=D(2020, 5, 20))
    record_funds(later.code, "1000万元", on=D(2020, 5, 21))
    record_progress(later.id, "周内进展", D(2020, 5, 22), "张三")
    _deal("周内新签", signed="2020-05-20")
    _deal("周内新签区外", signed="2020-05-19", region="高碑店市")
    regs = _deal("注册后撤销", signed="2020-05-12")
    change_stage(regs.code, "registered", on=D(2020, 5, 14))
    change_stage(regs.code, "construction", on=D(2020, 5, 22))
    undo_stage(regs.code, "误报")  # back to registered dated 2020-05-14


SCOPES = [
    DealFilter(),
    DealFilter(region="涿州市"),
    DealFilter(region="高碑店市"),
    DealFilter(year=2020),
    DealFilter(year=2019),
    DealFilter(department="发改委"),
    DealFilter(search="周内"),
    DealFilter(archived=True),
    DealFilter(archived=True, region="涿州市"),
    DealFilter(stage="注册"),
]


@pytest.mark.parametrize("week", WEEKS, ids=["W20", "W21", "W22"])
@pytest.mark.parametrize("scope", SCOPES, ids=[str(s.describe()) for s in SCOPES])
def test_changed_is_what_existing_says_for_every_deal(changed_ledger, scope, week):
    builder = weekly._Builder(week, scope, D(2020, 7, 1))
    progress, changed = builder._changed()
    asked = sorted(weekly_queries._existing(builder.cohort, week.sunday, list(progress)))
    assert changed == asked


@pytest.mark.parametrize("week", WEEKS, ids=["W20", "W21", "W22"])
@pytest.mark.parametrize("scope", SCOPES, ids=[str(s.describe()) for s in SCOPES])
def test_table_is_the_reference_table(changed_ledger, scope, week):
    today = D(2020, 7, 1)
    new, old = weekly.build(week, scope, today), weekly_old_rows.build(week, scope, today)
    assert [(r.code, r.stage, r.progress, r.problems) for r in new.rows] == [
        (r.code, r.stage, r.progress, r.problems) for r in old.rows
    ]
    assert new.summary == old.summary
    assert new.expected_rows == old.expected_rows


def test_the_edges_are_in_the_table(changed_ledger, backend):
    week = WEEKS[1]
    rows = {r.name: r for r in weekly.build(week, None, D(2020, 7, 1)).rows}
    talks = rows["签约后撤销"]
    # signed on 2020-05-20 and the signing undone: neither is the week's progress (crm.deals.reversals)
    assert [(p.kind, p.on) for p in talks.progress or () if p.kind == "stage"] == []
    assert talks.stage == "negotiating"
    assert "周后签约" not in rows and "归档周内变更" not in rows and "区外周内变更" in rows
    rows = {r.name: r for r in weekly.build(week, DealFilter(archived=True), D(2020, 7, 1)).rows}
    assert "归档周内变更" in rows
