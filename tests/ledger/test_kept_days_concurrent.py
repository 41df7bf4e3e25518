"""PostgreSQL (migration 0020): the as-of totals (deal_stage_days, deal_event_days) stay equal to their rows
while officers write to the same deal side by side: each trigger reads what it takes away and what it adds in
one snapshot (with two, four officers recording payments for one deal drifted every time), and a payment waits
for a colleague archiving its deal."""

import itertools

import pytest

from crm.deals.blockers import add_blocker, resolve_blocker
from crm.deals.corrections import archive_deal, reopen_blocker, undo_stage, void_funds
from crm.deals.funds import record_funds
from crm.deals.stages import change_stage
from crm.foundation.errors import InvalidInput
from db import kept_totals
from tests.ledger_checks import in_a_second_connection, one_deal, while_open

pytestmark = pytest.mark.parametrize("backend", ["postgresql"])

DEPARTMENT = "安国市人民政府"


def _side_by_side(*works, each: int = 30) -> list:
    """Run each of `works` `each` times in a connection of its own, all at once; the errors they ended with."""
    started = [in_a_second_connection(lambda work=work: [work() for _ in range(each)]) for work in works]
    for thread, _outcome in started:
        thread.join(120)
    assert not any(thread.is_alive() for thread, _outcome in started)
    return [outcome[0] for _thread, outcome in started if isinstance(outcome[0], Exception)]


def _deal() -> str:
    return one_deal("并发写入项目", "安国市", DEPARTMENT)


def test_payments_recorded_side_by_side_for_one_deal_are_each_counted_once(ledger):
    code = _deal()
    assert _side_by_side(*[lambda: record_funds(code, "42万元")] * 4) == []
    assert kept_totals.agree()


def test_blockers_raised_and_resolved_side_by_side_while_the_stage_moves_keep_the_totals(ledger):
    code = _deal()
    raised: list[int] = []

    def raise_one() -> None:
        raised.append(add_blocker(code, "用地指标不足", DEPARTMENT).id)

    def resolve_one() -> None:
        if raised:
            resolve_blocker(raised.pop(0), "已协调")

    stages = itertools.cycle(["注册", "开工", "注册"])

    def move() -> None:
        try:
            change_stage(code, next(stages), note="并发检查")
        except InvalidInput:  # already there: another thread's turn of the cycle
            pass

    assert _side_by_side(raise_one, raise_one, resolve_one, move, lambda: record_funds(code, "5万元")) == []
    assert kept_totals.agree()


def test_a_payment_recorded_while_a_colleague_archives_the_deal_waits_and_is_not_counted(ledger):
    # Archiving moves no key of the funds' totals, so it locked nothing the payment waited for: the payment
    # was counted by the deal as it was before, while the archive counted the deal's payments without it.
    code = _deal()
    while_open(lambda: archive_deal(code, "重复录入"), lambda: record_funds(code, "42万元"))
    assert kept_totals.agree()


def test_a_payment_voided_and_a_blocker_reopened_while_a_colleague_takes_back_a_stage_change(ledger):
    # The corrections update the payment and the blocker, which checks no foreign key: the totals triggers'
    # own locks order them after the undo (its deal's stage and the day it began change back). Before 0019
    # they waited, then read the deal as it was before the undo.
    code = _deal()
    paid = record_funds(code, "42万元")
    blocker = add_blocker(code, "环评未批", DEPARTMENT)
    resolve_blocker(blocker.id, "已批")
    change_stage(code, "注册")
    while_open(
        lambda: undo_stage(code, "误操作"),
        lambda: void_funds(paid.id, "重复录入"),
        lambda: reopen_blocker(blocker.id, "批复被撤回"),
    )
    assert kept_totals.agree()
