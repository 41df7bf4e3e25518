"""Open blockers by department (crm.listing.blocker_board), as the Blockers screen shows them."""

import datetime

from crm.deals.blockers import add_blocker, resolve_blocker
from crm.deals.records import create_deal
from crm.listing.blocker_board import open_by_department
from crm.reference.registry import add_department

DAY = datetime.date(2026, 6, 30)


def test_grouped_most_overdue_first_and_limited_per_department(ledger):
    for name in ("甲局", "乙局", "丙局"):
        add_department(name)
    code = create_deal({"name": "测试项目", "amount": "1亿元", "signed_on": "2020-01-01"}).code
    raised = datetime.date(2026, 1, 1)
    add_blocker(code, "乙一", "乙局", due=datetime.date(2026, 7, 30), raised=raised)
    add_blocker(code, "乙二", "乙局", due=datetime.date(2026, 2, 1), raised=raised)
    for n in range(5):
        add_blocker(code, f"甲{n}", "甲局", due=datetime.date(2026, 3, 1 + n), raised=raised)
    add_blocker(code, "甲无期限", "甲局", raised=raised)
    done = add_blocker(code, "丙已办", "丙局", raised=raised)
    resolve_blocker(done.id, note="好了", on=raised)

    groups = open_by_department(DAY, per_department=3)
    assert [(g.department, g.open, g.overdue) for g in groups] == [("甲局", 6, 5), ("乙局", 2, 1)]
    assert [b.text for b in groups[0].blockers] == ["甲0", "甲1", "甲2"]
    assert [b.text for b in groups[1].blockers] == ["乙二", "乙一"]
    assert groups[1].blockers[0].overdue_days(DAY) == 149
    assert groups[1].blockers[1].overdue_days(DAY) == 0
