"""The Detail timeline built from a deal's detail (screens.timeline), on hand-made deals: no database."""

from __future__ import annotations

import datetime
from decimal import Decimal

from rich.cells import cell_len

from crm.deals import deal_timeline
from crm.foundation.i18n import set_language
from screens.timeline import TimelineTable, rows

D = datetime.date
AT = datetime.datetime(2026, 6, 29, 9, 30)


def entry(frm, to, on, note="", by="李明"):
    return {"from": frm, "to": to, "on": on, "by": by, "note": note, "recorded_at": AT}


def audit(table, row, field, old, new, at=AT, by="李明"):
    return {"at": at, "by": by, "table": table, "row_id": row, "field": field, "old": old, "new": new}


def deal(**parts) -> dict:
    base = {
        "ledger": [entry(None, "signed", D(2020, 1, 1))],
        "trail": [],
        "progress": [],
        "funds": [],
        "investment": [],
        "investment_voided": [],
        "blockers": [],
    }
    base.update(parts)
    return base


def test_a_backward_move_is_not_taken_for_a_reversal():
    set_language("zh")
    ledger = [
        entry(None, "signed", D(2020, 1, 1)),
        entry("signed", "registered", D(2020, 2, 1)),
        entry("registered", "signed", D(2020, 3, 1), note="退回"),  # a move back, made as a stage change
    ]
    events = deal_timeline(deal(ledger=ledger))
    assert [e.kind for e in events] == ["stage", "stage", "stage"]
    assert [e.mark for e in events] == ["", "", "current"]


def test_a_reversal_is_a_correction_on_its_day_and_the_change_it_reversed_is_struck():
    set_language("zh")
    ledger = [
        entry(None, "signed", D(2020, 1, 1)),
        entry("signed", "registered", D(2020, 2, 1)),
        entry("registered", "construction", D(2026, 5, 6)),
        entry("construction", "registered", D(2020, 2, 1), note="误操作"),  # undo_stage: dated when 注册 began
    ]
    trail = [audit("deal", 1, "stage", "construction", "registered"), audit("deal", 1, "undo", None, "误操作")]
    events = deal_timeline(deal(ledger=ledger, trail=trail))
    by_kind = [(e.kind, e.mark) for e in events]
    assert by_kind == [("stage", ""), ("stage", "current"), ("stage", "voided"), ("correction", "correction")]
    assert events[-1].on == AT.date() and "误操作" in events[-1].what
    assert "（已撤销）" in events[2].what


def test_resolved_then_reopened_in_the_same_second_both_show():
    set_language("en")
    blocker = {
        "id": 4,
        "text": "环评批复尚未取得",
        "department": "保定市生态环境局",
        "raised_on": D(2020, 1, 2),
        "due_on": None,
        "resolved_on": None,
        "resolution": "",
    }
    trail = [
        audit("blocker", 4, "raised", None, "环评批复尚未取得", by="演示数据"),
        audit("blocker", 4, "resolved_on", None, "2026-04-01"),
        audit("blocker", 4, "resolution", "", "环评已批复"),
        audit("blocker", 4, "resolved_on", "2026-04-01", None),
        audit("blocker", 4, "resolution", "环评已批复", ""),
        audit("blocker", 4, "reopened", None, "批复被退回"),
    ]
    lines = [e.what for e in deal_timeline(deal(blockers=[blocker], trail=trail))]
    assert "No. 4 resolved: 环评已批复" in lines
    assert "No. 4 reopened · note: 批复被退回" in lines


def test_completed_investment_carries_the_years_cumulative_completion():
    set_language("zh")
    months = [
        {"month": "2026-01", "amount": Decimal("60000000"), "currency": "CNY", "amount_cny": Decimal("60000000"),
         "cumulative_cny": Decimal("60000000")},
        {"month": "2026-02", "amount": Decimal("50000000"), "currency": "CNY", "amount_cny": Decimal("50000000"),
         "cumulative_cny": Decimal("110000000")},
    ]  # fmt: skip
    investment = [{"year": 2026, "plan_cny": Decimal("400000000"), "done_cny": Decimal("110000000"), "months": months}]
    events = [e for e in deal_timeline(deal(investment=investment)) if e.kind == "invest"]
    assert [e.shown_on for e in events] == ["2026-01", "2026-02"]
    assert [e.on for e in events] == [D(2026, 1, 31), D(2026, 2, 28)]
    assert "完成年计划27.50%" in events[-1].what.replace(" ", "")
    assert rows(events)[-1][1:3] == ("2026-02", "完成投资")


def test_the_last_column_breaks_between_chinese_characters_or_at_spaces_never_inside_a_date():
    wrap = TimelineTable.wrap
    lines = wrap(None, "提出问题 4:环评批复尚未取得(保定市生态环境局,时限 2020-01-16)", 40)
    assert all(cell_len(line) <= 40 for line in lines)
    assert "2020-01-16" in lines[-1]
    assert wrap(None, "CNY 60 million completed; 2026 so far", 20) == ["CNY 60 million", "completed; 2026 so", "far"]
    assert wrap(None, "x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_a_month_voided_and_recorded_again_keeps_its_void_in_the_timeline():
    set_language("zh")
    trail = [
        audit("investment_done", 9, "done 2026-03", None, "100000000.00 CNY"),
        audit("investment_done", 9, "done 2026-03 voided", "100000000.00 CNY", "0: 统计口径有误"),
        audit("investment_done", 9, "done 2026-03", None, "90000000.00 CNY"),
    ]
    corrections = [e for e in deal_timeline(deal(trail=trail)) if e.kind == "correction"]
    assert [(e.on, e.what) for e in corrections] == [(AT.date(), "作废 2026-03 完成投资：1亿元 · 说明：统计口径有误")]
