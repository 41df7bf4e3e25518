"""crm.deals.bulk: one change to several deals, audited per deal, all or nothing."""

import datetime

import pytest

from crm.deals.bulk import bulk_change
from crm.foundation.errors import InvalidInput
from db.models import AuditEntry, Deal, DealTag, StageChange, Tag

SIGNED = ["ZS2020-0010", "ZS2020-0004"]  # both at 签约 in the demo


def test_a_bulk_stage_change_moves_every_deal_with_one_date_and_note(demo_ledger):
    result = bulk_change(SIGNED, "stage", "registered", on=datetime.date(2021, 3, 1), note="集中注册", actor="测试")
    assert set(result.changed) == set(SIGNED)
    for code in SIGNED:
        deal = Deal.get(Deal.code == code)
        assert deal.stage == "registered" and deal.stage_since == datetime.date(2021, 3, 1)
        entry = StageChange.select().where(StageChange.deal == deal).order_by(StageChange.id.desc()).first()
        assert entry.note == "集中注册" and entry.recorded_by == "测试"


def test_one_refusing_deal_leaves_every_deal_as_it_was(demo_ledger):
    before = {d.code: (d.stage, d.version) for d in Deal.select()}
    audits = AuditEntry.select().count()
    # ZS2020-0001 is at 投产: a move back to 注册 needs a note, none is given
    with pytest.raises(InvalidInput, match="ZS2020-0001"):
        bulk_change([*SIGNED, "ZS2020-0001"], "stage", "registered", on=datetime.date(2021, 3, 1))
    assert {d.code: (d.stage, d.version) for d in Deal.select()} == before
    assert AuditEntry.select().count() == audits


def test_bulk_lead_unit_liaison_and_tag_are_audited_per_deal(demo_ledger):
    bulk_change(SIGNED, "lead_unit", "保定市商务局", actor="测试")
    bulk_change(SIGNED, "liaison", "王副市长", actor="测试")
    result = bulk_change(SIGNED, "tag", "市重点", actor="测试")
    again = bulk_change(SIGNED, "tag", "市重点", actor="测试")
    assert set(result.changed) == set(SIGNED) and set(again.unchanged) == set(SIGNED)
    tag = Tag.get(Tag.name == "市重点")
    for code in SIGNED:
        deal = Deal.get(Deal.code == code)
        assert deal.lead_unit.name == "保定市商务局" and deal.liaison.name == "王副市长"
        assert DealTag.get_or_none((DealTag.deal == deal) & (DealTag.tag == tag)) is not None
        fields = {
            a.field
            for a in AuditEntry.select().where(
                (AuditEntry.table == "deal") & (AuditEntry.row_id == deal.id) & (AuditEntry.actor == "测试")
            )
        }
        assert {"lead_unit", "liaison", "tag"} <= fields
