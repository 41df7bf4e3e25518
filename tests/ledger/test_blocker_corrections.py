"""A blocker entered wrongly is corrected (text, department, due date) or voided, never left to inflate 办结率.

On SQLite and PostgreSQL, with tests.ledger.test_kpi's hand-built ledger (d3: blocker 环评批复尚未取得 open, due
2020-06-30, and 用地指标不足 resolved; d2: 双回路供电接入方案未定 open, due 2099).
"""

import datetime
import json

import pytest

from crm.deals import blockers, corrections
from crm.deals.trail import deal_trail
from crm.foundation.errors import Conflict, InvalidInput, NotFound
from crm.listing import blocker_board, views
from crm.listing.filters import DealFilter
from crm.reference.lookup import deal_by_code
from crm.reporting import weekly
from db import kept_totals as upkeep
from db.models import Blocker, Department
from tests.ledger import test_corrections
from tests.ledger.test_corrections import all_figures, figures
from tests.ledger.test_kpi import FAGAI, SHENGTAI, ZIRAN

D = datetime.date

small = test_corrections.small  # the small ledger's one template (two of one name would clash)


def open_on(code: str) -> int:
    return next(d for d in views.list_deals(DealFilter()) if d["code"] == code)["open_blockers"]


def week_problems(code: str) -> list[str]:
    """The 存在问题 of deal `code` in the weekly table of the week of 2020-06-01."""
    table = weekly.build(weekly.resolve_week("2020-06-01"))
    return [p.text for row in table.rows if row.code == code for p in row.problems]


def a_blocker_raised_by_mistake(code: str) -> Blocker:
    """A second open, overdue blocker on `code`: raised 2020-05-25, due 2020-06-05."""
    return blockers.add_blocker(
        code, "录错的问题", "发展和改革", raised=D(2020, 5, 25), due=D(2020, 6, 5), actor="测试"
    )


def test_voided_blocker_leaves_every_count_and_stays_in_the_history(small):
    code = small["d3"]
    before = all_figures()
    open_before = open_on(code)
    board_before = {g.department: (g.open, g.overdue) for g in blocker_board.open_by_department()}
    b = a_blocker_raised_by_mistake(code)
    assert figures()["blockers_open"] == before["all"]["blockers_open"] + 1
    assert "录错的问题" in week_problems(code)

    voided = corrections.void_blocker(b.id, note="录入错误，实无此问题", actor="王科长")

    assert voided["text"] == "录错的问题"
    assert all_figures() == before  # open, resolved, 办结率, overdue, and as of a past day
    assert open_on(code) == open_before
    assert {g.department: (g.open, g.overdue) for g in blocker_board.open_by_department()} == board_before
    assert "录错的问题" not in week_problems(code)
    assert [x.text for x in blockers.list_blockers(code=code)] == ["环评批复尚未取得", "用地指标不足"]
    assert upkeep.agree()
    (kept,) = blockers.voided_blockers(deal_by_code(code))
    assert (kept.id, kept.text, kept.department, kept.due_on) == (b.id, "录错的问题", FAGAI, "2020-06-05")
    assert (kept.voided_by, kept.note) == ("王科长", "录入错误，实无此问题")
    trail = [(e["table"], e["row_id"], e["field"], e["new"]) for e in deal_trail(code)]
    assert ("blocker", b.id, "raised", "录错的问题") in trail
    assert ("blocker", b.id, "voided", "录入错误，实无此问题") in trail


def test_voiding_a_resolved_blocker_takes_it_out_of_the_resolution_rate(small):
    before = figures()
    b = Blocker.get(Blocker.text == "用地指标不足")
    corrections.void_blocker(b.id, note="重复录入")
    after = figures()
    assert after["blockers_raised"] == before["blockers_raised"] - 1
    assert after["blockers_resolved"] == before["blockers_resolved"] - 1
    assert after["blockers_open"] == before["blockers_open"]
    assert after["resolution_rate"] != before["resolution_rate"]
    assert upkeep.agree()


def test_void_needs_a_reason_and_a_blocker_that_exists(small):
    b = Blocker.get(Blocker.text == "环评批复尚未取得")
    with pytest.raises(InvalidInput):
        corrections.void_blocker(b.id, note="  ")
    assert Blocker.get_or_none(Blocker.id == b.id) is not None
    corrections.void_blocker(b.id, note="录错")
    with pytest.raises(NotFound):
        corrections.void_blocker(b.id, note="again")
    with pytest.raises(NotFound, match="录错"):  # says it was voided, and why
        blockers.edit_blocker(b.id, text="x")
    with pytest.raises(NotFound, match="录错"):
        blockers.resolve_blocker(b.id)


def test_a_number_given_again_after_a_void_keeps_each_blocker_its_own_history(small):
    code, other = small["d3"], small["d2"]
    b = a_blocker_raised_by_mistake(code)
    corrections.void_blocker(b.id, note="录错")
    again = blockers.add_blocker(other, "新问题", "发展和改革", actor="测试")
    mine = {(e["row_id"], e["field"], e["new"]) for e in deal_trail(code) if e["table"] == "blocker"}
    theirs = {(e["row_id"], e["field"], e["new"]) for e in deal_trail(other) if e["table"] == "blocker"}
    assert (b.id, "raised", "录错的问题") in mine and (again.id, "raised", "新问题") not in mine
    assert (again.id, "raised", "新问题") in theirs and (b.id, "raised", "录错的问题") not in theirs


def test_edit_corrects_text_department_and_due_date_each_audited(small):
    code = small["d3"]
    b = Blocker.get(Blocker.text == "环评批复尚未取得")
    overdue_before = figures()["blockers_overdue"]
    edited = blockers.edit_blocker(
        b.id, text="环评批复待省厅出具", department="自然资源", due=D(2099, 1, 31), if_version=b.version, actor="王科长"
    )
    assert edited.version == b.version + 1
    again = Blocker.get_by_id(b.id)
    assert (again.text, Department.get_by_id(again.department_id).name, again.due_on) == (
        "环评批复待省厅出具",
        ZIRAN,
        D(2099, 1, 31),
    )
    assert figures()["blockers_overdue"] == overdue_before - 1  # no longer past its due date
    trail = {e["field"]: (e["old"], e["new"], e["by"]) for e in deal_trail(code) if e["row_id"] == b.id}
    assert trail["text"] == ("环评批复尚未取得", "环评批复待省厅出具", "王科长")
    assert trail["due_on"] == ("2020-06-30", "2099-01-31", "王科长")
    assert trail["department"] == (SHENGTAI, ZIRAN, "王科长")
    assert upkeep.agree()
    blockers.edit_blocker(b.id, due=None)
    assert Blocker.get_by_id(b.id).due_on is None


def test_edit_refuses_nothing_to_change_a_due_date_before_raising_and_a_stale_version(small):
    b = Blocker.get(Blocker.text == "环评批复尚未取得")
    with pytest.raises(InvalidInput):
        blockers.edit_blocker(b.id, text="环评批复尚未取得")
    with pytest.raises(InvalidInput):
        blockers.edit_blocker(b.id, due=D(2020, 5, 1))
    with pytest.raises(Conflict):
        blockers.edit_blocker(b.id, text="新", if_version=b.version + 5)
    assert Blocker.get_by_id(b.id).text == "环评批复尚未取得"


def test_the_voided_record_reads_back_as_it_was(small):
    b = Blocker.get(Blocker.text == "用地指标不足")
    kept = corrections.void_blocker(b.id, note="x")
    assert json.loads(json.dumps(kept))["resolved_on"] == "2020-06-10"
    (shown,) = blockers.voided_blockers(department="自然资源")
    assert shown.resolution == "指标落实"


def test_a_voided_blocker_stays_in_the_deals_timeline(small):
    """The Detail's history tells the blocker raised and then voided, with the reason, though its row is gone."""
    from crm.deals.timeline import deal_timeline

    code = small["d3"]
    b = a_blocker_raised_by_mistake(code)
    corrections.void_blocker(b.id, note="录入错误，实无此问题", actor="王科长")
    said = [(e.what, e.by) for e in deal_timeline(views.detail(code))]
    assert any("录错的问题" in what and "发展和改革" in what for what, _by in said), said  # its raising
    assert any("录错的问题" in what and "录入错误，实无此问题" in what and by == "王科长" for what, by in said), said
