"""A stage change and its undo (crm stage --undo, `u` on Detail) are, to the weekly table and to the quiet days
(the deal list's 滞, crm deals --stale), as if neither had happened: the rule the Detail timeline marks them
by (crm.deals.reversals). A move back made as an ordinary change is still a change. SQLite and PostgreSQL."""

import datetime

from crm.deals.corrections import undo_stage
from crm.deals.stages import change_stage
from crm.deals.timeline import deal_timeline
from crm.listing.quiet import quiet_days
from crm.listing.stale import stale_deals
from crm.listing.views import detail
from crm.reference.lookup import deal_by_code
from crm.reporting import weekly

CODE = "ZS2020-0010"  # demo: 签约 since 2020-09-08, nothing recorded on it since
SIGNED_WEEK = weekly.week_containing(datetime.date(2020, 9, 8))


def _this_week() -> weekly.Week:
    return weekly.week_containing(datetime.date.today())


def _seen(week: weekly.Week) -> tuple:
    """What a reader of the week's table sees of CODE and of the week: its row's stage and 本周进展, and 本周动态."""
    table = weekly.build(week)
    row = next(r for r in table.rows if r.code == CODE)
    progress = [(p.kind, p.on, p.stage_from, p.stage_to) for p in row.progress or ()]
    return row.stage, progress, table.summary.week


def _quiet() -> dict:
    deal = deal_by_code(CODE)
    return quiet_days([(deal.id, deal.stage)], 30, datetime.date.today())


def test_a_change_and_its_undo_leave_every_week_as_it_was(demo_ledger):
    before = {week: _seen(week) for week in (_this_week(), SIGNED_WEEK)}
    change_stage(CODE, "operating")
    moved = _seen(_this_week())
    assert ("stage", datetime.date.today(), "signed", "operating") in moved[1]  # the change alone is progress
    assert moved[2].stage_changes == before[_this_week()][2].stage_changes + 1

    undo_stage(CODE, "点错了，仍为签约")
    for week, seen in before.items():
        assert _seen(week) == seen, week  # neither the change (this week) nor the undo (dated 2020-09-08)
    marks = [e.mark for e in deal_timeline(detail(CODE)) if e.kind == "stage" and e.on == datetime.date.today()]
    assert marks == ["voided"]  # and the Detail timeline still shows the change, as reversed


def test_a_move_back_made_as_a_change_is_still_progress(demo_ledger):
    week = _this_week()
    before = _seen(week)[2].stage_changes
    change_stage(CODE, "registered")
    change_stage(CODE, "signed", note="注册材料退回，重新办理")
    stage, progress, activity = _seen(week)
    assert stage == "signed"
    assert [(p[2], p[3]) for p in progress if p[0] == "stage"] == [("signed", "registered"), ("registered", "signed")]
    assert activity.stage_changes == before + 2


def test_an_undone_change_keeps_the_deal_quiet(demo_ledger):
    quiet = _quiet()
    assert set(quiet) == {deal_by_code(CODE).id}
    change_stage(CODE, "registered")
    assert _quiet() == {}  # a real change is news of the deal
    undo_stage(CODE, "误操作")
    assert _quiet() == quiet
    stale = {s.code: s for s in stale_deals(30)}
    assert stale[CODE].last_event == datetime.date(2020, 9, 8)
