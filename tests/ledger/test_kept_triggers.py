"""SQLite's kept-total triggers hand their deals to one view (migration 0014, db/kept_triggers.py).

Every connection parses the whole schema, so the statements live once, in the view's triggers; a ledger
migrated before 0014 (the statements inside each trigger) is upgraded, and either form keeps the as-of totals
equal to the rows through every kind of change.
"""

import datetime

import pytest

from crm.deals.blockers import add_blocker, resolve_blocker
from crm.deals.corrections import archive_deal, void_blocker, void_funds
from crm.deals.funds import record_funds
from crm.deals.records import create_deal, edit_deal
from crm.deals.stages import change_stage
from db import kept_totals, kept_triggers
from db.migrate import runner
from db.models import Deal, Department, FundsArrived, StageChange, database
from tests.ledger_checks import earlier_blocker, since

D = datetime.date


def _trigger_sql(db) -> dict[str, str]:
    return dict(db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall())


def _blockers(code: str, voids: bool) -> None:
    """A blocker raised and resolved; with `voids` (migration 0023 applied) another raised and voided, else the
    first written as rows of the earlier table."""
    if voids:
        blocker = add_blocker(code, "用地指标未落实", "保定市商务局", due=D(2020, 9, 1), raised=D(2020, 8, 1))
        resolve_blocker(blocker.id, "已协调", on=D(2020, 11, 1))
        mistaken = add_blocker(code, "录错的问题", "保定市商务局", due=D(2020, 8, 5), raised=D(2020, 8, 2))
        void_blocker(mistaken.id, "录错")
        return
    deal, department = Deal.get(Deal.code == code).id, Department.get(Department.name == "保定市商务局").id
    ident = earlier_blocker(deal, "用地指标未落实", department, "2020-08-01", "2020-09-01")
    database.execute_sql("UPDATE blocker SET resolved_on = '2020-11-01', resolution = '已协调' WHERE id = ?", (ident,))


def _change_everything(tag: str, voids: bool = True) -> None:
    """A new deal, stage changes, an edit that moves it, funds voided, blockers raised, resolved and voided
    (`voids`, as _blockers), an archive."""
    code = create_deal(
        {"name": f"触发器检查{tag}", "amount": "3亿元", "signed_on": "2020-06-01", "region": "涿州市"}
    ).code
    change_stage(code, "注册", on=D(2020, 7, 1))
    change_stage(code, "开工", on=D(2020, 9, 1))
    edit_deal(code, {"region": "高碑店市", "planned_start": "2020-08-15", "amount": "4亿元"})
    record_funds(code, "1亿元", D(2020, 10, 1))
    void_funds(FundsArrived.select().where(FundsArrived.deal == Deal.get(Deal.code == code)).get().id, "录错")
    _blockers(code, voids)
    StageChange.update(effective_on=D(2020, 8, 20)).where(StageChange.to_stage == "registered").execute()
    other = Deal.select().where(Deal.code != code, Deal.archived_on.is_null()).order_by(Deal.id).first().code
    archive_deal(other, "重复录入")


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_ledger_from_before_0014_is_upgraded_and_both_forms_keep_the_totals(demo_ledger):
    handed = _trigger_sql(demo_ledger)
    assert {f"{kept_triggers.VIEW}_{k}" for k in ("stages", "events", "plan")} <= set(handed)
    # the row triggers only hand their deal over: the statements are in the view's three triggers
    big = {
        name
        for name, sql in handed.items()
        if any(t in sql for t in ("deal_stage_days", "deal_event_days", "deal_plan_days"))
    }
    assert big == {f"{kept_triggers.VIEW}_{k}" for k in ("stages", "events", "plan")}
    assert sum(len(sql) for sql in handed.values()) < 64_000  # every connection parses all of it (was ~320,000)

    # back through 0014 (0023's void marks, 0022's column, 0021 and 0015, only indexes, and 0020 to 0016,
    # PostgreSQL's only, are undone on the way)
    assert runner(demo_ledger).down("0014_kept_triggers_once") == since("0014_kept_triggers_once")[::-1]
    inline = _trigger_sql(demo_ledger)
    assert not any(kept_triggers.VIEW in sql for sql in inline.values())
    assert sum(len(sql) for sql in inline.values()) > 150_000  # the statements inside each trigger again
    _change_everything("甲", voids=False)
    assert kept_totals.agree()

    assert runner(demo_ledger).up() == since("0014_kept_triggers_once")
    assert _trigger_sql(demo_ledger) == handed
    _change_everything("乙")
    assert kept_totals.agree()
    Deal.delete().where(Deal.name == "触发器检查乙").execute()  # a deal deleted takes its rows with it
    assert kept_totals.agree()
