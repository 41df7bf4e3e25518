"""A stage change made from the stage the officer saw (change_stage(expected=…), `crm stage … --if-stage KEY`, the
TUI's stage dialog) is refused, nothing written, when someone moved the deal meanwhile: one line naming who moved
it, to what and when (from the stage ledger), exit 3 on the command line. SQLite and PostgreSQL."""

import pytest

from crm.deals.stages import change_stage, ledger
from crm.foundation.errors import Conflict
from crm.reference.lookup import deal_by_code
from db.models import StageChange

CODE = "ZS2020-0010"  # demo: 签约


def _entries() -> int:
    return len(ledger(deal_by_code(CODE)))


def test_a_change_from_a_stage_the_deal_has_left_is_refused_naming_who_and_when(demo_ledger):
    change_stage(CODE, "stalled", note="用地手续暂缓", actor="张敏")
    paused = StageChange.select().order_by(StageChange.id.desc()).first()
    before = _entries()
    with pytest.raises(Conflict) as refused:
        change_stage(CODE, "operating", expected="signed", actor="李明")
    message = str(refused.value)
    assert "张敏" in message and "暂停" in message and paused.recorded_at.strftime("%H:%M") in message
    assert "\n" not in message
    assert refused.value.current.stage == "stalled"
    assert (deal_by_code(CODE).stage, _entries()) == ("stalled", before)
    # from the stage it is at now, in either language's word for it
    change_stage(CODE, "operating", expected="暂停", actor="李明")
    assert deal_by_code(CODE).stage == "operating"


def test_the_stage_a_change_was_made_from_is_checked_before_the_rest(demo_ledger):
    change_stage(CODE, "registered", actor="张敏")
    with pytest.raises(Conflict):  # not "already at 注册": someone else moved it there
        change_stage(CODE, "registered", expected="signed")
    with pytest.raises(Conflict):
        change_stage(CODE, "negotiating", expected="signed")  # no note either: the conflict is what matters


def test_crm_stage_if_stage(demo_url, run_cli):
    assert run_cli("--db", demo_url, "stage", CODE, "registered", "--if-stage", "签约")[0] == 0
    code, out, err = run_cli("--db", demo_url, "stage", CODE, "operating", "--if-stage", "signed")
    assert code == 3 and out == ""
    assert len(err.strip().splitlines()) == 1 and "测试员" in err and "注册" in err
    code, _out, err = run_cli("--db", demo_url, "stage", CODE, "--undo", "--note", "误操作", "--if-stage", "注册")
    assert code == 2 and "--if-stage" in err
    code, _out, err = run_cli("--db", demo_url, "stage", CODE, "operating", "--if-stage", "不知道")
    assert code == 2 and "不知道" in err
    assert run_cli("--db", demo_url, "stage", CODE, "operating", "--if-stage", "registered")[0] == 0
