"""Stage rules (crm/deals/stages.py): wording, which moves need a note, and the ledger."""

import datetime

import pytest

from crm.audit import log as audit
from crm.deals import records as deals
from crm.deals import stages
from crm.deals.stages import BY_KEY, STAGES, at_or_beyond, needs_note, parse_stage
from crm.foundation.errors import InvalidInput, NotFound
from crm.reference import fx
from db.models import AuditEntry, Deal, StageChange

D = datetime.date
MAIN = ["negotiating", "signed", "registered", "construction", "operating"]


# ---- wording (no database) -------------------------------------------------------


@pytest.mark.parametrize(
    "text, key",
    [
        *[(s.key, s.key) for s in STAGES],
        *[(s.zh, s.key) for s in STAGES],
        *[(s.en, s.key) for s in STAGES],  # "Negotiating", "Construction" …
        ("洽谈中", "negotiating"),
        ("谈判中", "negotiating"),
        ("已签约", "signed"),
        ("SIGNED", "signed"),
        ("已注册", "registered"),
        ("落地", "registered"),
        ("开工建设", "construction"),
        ("在建", "construction"),
        ("started", "construction"),
        ("竣工投产", "operating"),
        ("已投产", "operating"),
        ("In Operation", "operating"),
        ("搁置", "stalled"),
        ("暂缓", "stalled"),
        ("on hold", "stalled"),
        ("已 签约", "signed"),
        ("取消", "terminated"),
        ("已终止", "terminated"),
        ("cancelled", "terminated"),
        ("canceled", "terminated"),
        ("  开工 ", "construction"),
        ("　投产　", "operating"),  # spaces, full-width spaces
    ],
)
def test_stage_wording(text, key):
    assert parse_stage(text).key == key


@pytest.mark.parametrize("text", ["", "   ", "开工了", "done", "签 约x", "5", None])
def test_unknown_stage_is_refused_naming_the_choices(text):
    with pytest.raises(InvalidInput) as err:
        parse_stage(text)
    message = str(err.value)
    assert "\n" not in message
    for s in STAGES:
        assert s.key in message


def test_stage_labels_follow_the_language():
    assert BY_KEY["construction"].label("zh") == "开工"
    assert BY_KEY["construction"].label("en") == "Construction"


def test_at_or_beyond():
    assert at_or_beyond("registered") == ("registered", "construction", "operating")
    assert at_or_beyond("construction") == ("construction", "operating")
    assert at_or_beyond("operating") == ("operating",)


@pytest.mark.parametrize("src, dst", [(a, b) for i, a in enumerate(MAIN) for b in MAIN[i + 1 :]])
def test_forward_moves_need_no_note(src, dst):
    assert not needs_note(src, dst)


@pytest.mark.parametrize("src, dst", [(a, b) for i, a in enumerate(MAIN) for b in MAIN[:i]])
def test_backward_moves_need_a_note(src, dst):
    assert needs_note(src, dst)


@pytest.mark.parametrize("src", MAIN + ["stalled"])
def test_off_line_moves_need_a_note(src):
    for dst in ("stalled", "terminated"):
        if dst != src:
            assert needs_note(src, dst)


@pytest.mark.parametrize("dst", MAIN + ["stalled"])
def test_leaving_terminated_needs_a_note(dst):
    assert needs_note("terminated", dst)


def test_resuming_from_stalled():
    assert not needs_note("stalled", "construction", before_stall="construction")
    assert not needs_note("stalled", "operating", before_stall="construction")
    assert needs_note("stalled", "signed", before_stall="construction")  # backwards behind the stall
    assert not needs_note(None, "signed")  # a new deal's first entry


# ---- the ledger (SQLite and PostgreSQL) --------------------------------------------


def _deal(signed="2020-05-18", amount="25亿元", name="中国创投(涿州)总部项目"):
    values = {"name": name, "amount": amount}
    if signed:
        values["signed_on"] = signed
    return deals.create_deal(values, actor="招商局甲").code


def _state(code):
    deal = Deal.get(Deal.code == code)
    return deal, list(StageChange.select().where(StageChange.deal == deal).order_by(StageChange.id))


def _counts():
    return StageChange.select().count(), AuditEntry.select().count(), [tuple(d) for d in Deal.select().tuples()]


def test_new_deal_starts_its_ledger(ledger):
    code = _deal()
    deal, entries = _state(code)
    assert deal.stage == "signed" and deal.stage_since == D(2020, 5, 18)
    assert [(e.from_stage, e.to_stage, e.effective_on, e.recorded_by) for e in entries] == [
        (None, "signed", D(2020, 5, 18), "招商局甲")
    ]
    unsigned = _deal(signed=None, name="华侨城涿州城市客厅项目")
    assert Deal.get(Deal.code == unsigned).stage == "negotiating"


def test_forward_move_writes_ledger_and_audit(ledger):
    code = _deal()
    entry = stages.change_stage(code, "开工", on=D(2020, 9, 1), note="取得施工许可", actor="招商局乙")
    deal, entries = _state(code)
    assert (entry.from_stage, entry.to_stage) == ("signed", "construction")
    assert [(e.from_stage, e.to_stage, e.effective_on, e.recorded_by, e.note) for e in entries][-1] == (
        "signed",
        "construction",
        D(2020, 9, 1),
        "招商局乙",
        "取得施工许可",
    )
    assert (deal.stage, deal.stage_since, deal.updated_by) == ("construction", D(2020, 9, 1), "招商局乙")
    trail = [(a.field, a.old, a.new, a.actor) for a in audit.history("deal", deal.id)]
    assert trail[-1] == ("stage", "signed", "construction", "招商局乙")


def test_stage_is_always_the_last_ledger_entry(ledger):
    code = _deal()
    path = [
        ("注册", D(2020, 7, 1), ""),
        ("construction", D(2020, 9, 1), ""),
        ("暂停", D(2021, 1, 5), "资金链紧张"),
        ("在建", D(2021, 6, 1), ""),
        ("已投产", D(2022, 3, 1), ""),
        ("签约", D(2022, 3, 1), "误录,退回"),
        ("terminated", D(2022, 4, 1), "投资方撤资"),
        ("开工", D(2022, 5, 1), "重新启动"),
    ]
    for word, on, note in path:
        stages.change_stage(code, word, on=on, note=note)
        deal, entries = _state(code)
        assert deal.stage == entries[-1].to_stage == parse_stage(word).key
        assert deal.stage_since == entries[-1].effective_on == on
        assert entries[-1].from_stage == entries[-2].to_stage
    assert len(entries) == len(path) + 1


NEEDS_NOTE = [  # (moves to make first, the move that needs a note)
    (["registered", "construction"], "registered"),  # backwards
    (["registered"], "stalled"),  # off the line
    (["registered"], "terminated"),
    ([("terminated", "撤资")], "construction"),  # out of 终止, even forward
    ([("terminated", "撤资")], "stalled"),
    (["construction", ("stalled", "停工")], "signed"),  # resumed behind where it stalled
]


def test_moves_that_need_a_note(ledger):
    on = D(2020, 6, 1)
    for n, (start, target) in enumerate(NEEDS_NOTE):
        code = _deal(name=f"项目{n}")
        for step in start:
            word, note = step if isinstance(step, tuple) else (step, "")
            stages.change_stage(code, word, on=on, note=note)
        before = _counts()
        for note in ("", "   "):
            with pytest.raises(InvalidInput) as err:
                stages.change_stage(code, target, on=on, note=note)
            assert code in str(err.value), (start, target)
        assert _counts() == before, (start, target)  # nothing written
        stages.change_stage(code, target, on=on, note="经领导同意")
        assert _state(code)[0].stage == target


def test_resuming_a_stalled_deal_where_it_stopped_needs_no_note(ledger):
    code = _deal()
    stages.change_stage(code, "construction", on=D(2020, 9, 1))
    stages.change_stage(code, "stalled", on=D(2021, 1, 1), note="停工")
    stages.change_stage(code, "construction", on=D(2021, 6, 1))
    assert _state(code)[0].stage == "construction"


def test_same_stage_is_refused(ledger):
    code = _deal()
    before = _counts()
    for word in ("签约", "signed", "已签约"):
        with pytest.raises(InvalidInput) as err:
            stages.change_stage(code, word, on=D(2020, 6, 1), note="再次签约")
        assert code in str(err.value)
    assert _counts() == before


def test_date_before_current_stage_is_refused(ledger):
    code = _deal()
    stages.change_stage(code, "registered", on=D(2020, 7, 1))
    before = _counts()
    with pytest.raises(InvalidInput) as err:
        stages.change_stage(code, "construction", on=D(2020, 6, 30))
    assert "2020-06-30" in str(err.value) and "2020-07-01" in str(err.value)
    assert _counts() == before
    stages.change_stage(code, "construction", on=D(2020, 7, 1))  # the same day is fine


def test_default_date_is_today(ledger):
    code = _deal()
    entry = stages.change_stage(code, "registered")
    assert entry.effective_on == datetime.date.today()


def test_unknown_deal_and_unknown_stage(ledger):
    code = _deal()
    before = _counts()
    with pytest.raises(NotFound, match="ZS2099-0001"):
        stages.change_stage("ZS2099-0001", "开工")
    with pytest.raises(InvalidInput, match="开工了"):
        stages.change_stage(code, "开工了")
    with pytest.raises(InvalidInput):
        stages.change_stage(code, "terminated", note="撤资\x07")  # control character
    assert _counts() == before


def test_ledger_and_audit_are_one_transaction(ledger, monkeypatch):
    code = _deal()
    before = _counts()

    def broken(*args, **kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        stages.change_stage(code, "registered", on=D(2020, 7, 1))
    assert _counts() == before  # no ledger entry without its audit entry, stage unchanged


def test_signing_a_negotiated_deal_gives_it_a_signing_date(ledger):
    fx.set_rate("USD", D(2021, 1, 4), "6.5408")
    code = _deal(signed=None, amount="1000万美元", name="半导体封装测试项目")
    version = Deal.get(Deal.code == code).version
    today = datetime.date.today()
    stages.change_stage(code, "签约", on=today)
    deal = Deal.get(Deal.code == code)
    assert deal.signed_on == today  # so `--year` counts it in the year it was signed
    assert deal.amount_cny == 65408000  # converted at the signing date's rate
    assert deal.version == version + 1  # a form opened before cannot write signed_on back
    assert ("signed_on", None, today.isoformat()) in [(a.field, a.old, a.new) for a in audit.history("deal", deal.id)]


def test_a_stage_change_dated_in_the_future_is_refused(ledger):
    from datetime import date, timedelta

    from crm.deals.records import create_deal
    from crm.deals.stages import change_stage
    from crm.foundation.errors import InvalidInput
    from db.models import StageChange

    deal = create_deal({"name": "未来项目", "amount": "1亿元", "signed_on": "2020-05-18"})
    before = StageChange.select().count()
    with pytest.raises(InvalidInput) as caught:
        change_stage(deal.code, "registered", on=date.today() + timedelta(days=1))
    assert (date.today() + timedelta(days=1)).isoformat() in str(caught.value)
    assert StageChange.select().count() == before


def test_a_deal_added_past_negotiating_without_a_date_was_signed_today(ledger):
    from datetime import date

    from crm.deals.records import create_deal

    deal = create_deal({"name": "今日签约项目", "amount": "2亿元"}, stage="signed")
    assert deal.signed_on == date.today() and deal.stage == "signed"
