"""The domain side of the TUI review's fixes, on SQLite and PostgreSQL: a new deal's missing fields named each
(for a form to mark them) while the command line keeps its flags; an archived deal found by its exact code and
listed with archived deals; a day's timeline in the order it was recorded; `crm init` saying what it did."""

from __future__ import annotations

import datetime

import pytest

from crm.deals import blockers, corrections, records
from crm.deals.fields import MissingFields
from crm.deals.stages import change_stage
from crm.deals.timeline import deal_timeline
from crm.listing import pages, views
from db.models import AuditEntry, StageChange

CODE = "ZS2020-0004"  # demo: 轨道交通车辆关键零部件产业园项目


def test_a_new_deal_names_every_required_field_left_empty(ledger):
    with pytest.raises(MissingFields) as both:
        records.create_deal({"investor": "某公司"})
    assert both.value.keys == ("name", "amount")
    assert "（--name）" in str(both.value)  # the command line's message, as before
    with pytest.raises(MissingFields) as amount:
        records.create_deal({"name": "测试项目"})
    assert amount.value.keys == ("amount",) and "（--amount）" in str(amount.value)


def _codes(flt: pages.ListFilter) -> list[str]:
    return [row.code for row in pages.first_rows(flt, pages.Order(), 200)]


def test_an_archived_deal_is_found_by_its_exact_code_and_listed_with_archived_deals(demo_ledger):
    corrections.archive_deal(CODE, "重复录入", actor="测试")
    assert CODE not in _codes(pages.ListFilter())
    assert CODE not in _codes(pages.ListFilter(search="轨道交通车辆"))  # a search by name leaves it out
    for typed in (CODE, CODE.lower(), f" {CODE} "):
        rows = pages.first_rows(pages.ListFilter(search=typed), pages.Order(), 10)
        assert [(r.code, r.archived) for r in rows] == [(CODE, True)], typed
    assert pages.totals(pages.ListFilter(search=CODE)).deals == 1
    every = pages.first_rows(pages.ListFilter(archived=True), pages.Order(), 200)
    assert [r.code for r in every if r.archived] == [CODE]
    assert pages.totals(pages.ListFilter(archived=True)).deals == pages.totals(pages.ListFilter()).deals + 1
    corrections.unarchive_deal(CODE, actor="测试")
    assert CODE in _codes(pages.ListFilter())


def test_a_days_timeline_is_in_the_order_it_was_recorded(demo_ledger, english):
    today = datetime.date.today()
    at = datetime.datetime.combine(today, datetime.time(13, 7, 12))
    change_stage(CODE, "registered", on=today, actor="测试")  # typed first, recorded last (13:09:52)
    raised = blockers.add_blocker(CODE, "用地指标未落实", "保定市自然资源和规划局", raised=today, actor="测试")
    blockers.resolve_blocker(raised.id, note="已协调", on=today, actor="测试")
    newest = StageChange.select().order_by(StageChange.id.desc()).get()
    StageChange.update(recorded_at=at.replace(minute=9, second=52)).where(StageChange.id == newest.id).execute()
    mine = (AuditEntry.table == "blocker") & (AuditEntry.row_id == raised.id)
    AuditEntry.update(at=at).where(mine & (AuditEntry.field == "raised")).execute()
    AuditEntry.update(at=at.replace(second=24)).where(mine & (AuditEntry.field != "raised")).execute()
    day = [e for e in deal_timeline(views.detail(CODE)) if e.on == today]
    assert [e.kind for e in day] == ["blocker", "blocker", "stage"], day
    assert "raised" in day[0].what and "resolved" in day[1].what

    # recorded in one second: a blocker's raising still comes before its resolution
    AuditEntry.update(at=at).where(mine).execute()
    day = [e for e in deal_timeline(views.detail(CODE)) if e.on == today and e.kind == "blocker"]
    assert "raised" in day[0].what and "resolved" in day[1].what
