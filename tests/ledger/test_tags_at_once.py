"""Two officers putting the same tag on one deal at once (PostgreSQL; SQLite has one writer): the second waits
for the first (crm.reference.lookup.locked_deal), then finds the tag on and adds nothing. Before, both saw the
deal untagged and the second was refused by the unique index ("数据库拒绝了此操作")."""

from crm.deals.tags import tag_deal, tags_of, untag_deal
from db.models import AuditEntry, Deal
from tests.ledger_checks import one_deal, while_open


def test_the_same_tag_put_on_by_two_officers_at_once_is_put_on_once(ledger):
    code = one_deal("同时打标签的项目", "涿州市", "涿州市人民政府")
    while_open(lambda: tag_deal(code, ["市重点"], actor="甲"), lambda: tag_deal(code, ["市重点", "外资"], actor="乙"))
    deal = Deal.get(Deal.code == code)
    assert tags_of(deal.id) == ["外资", "市重点"]
    trail = [(a.actor, a.new) for a in AuditEntry.select().where(AuditEntry.field == "tag").order_by(AuditEntry.id)]
    assert trail == [("甲", "市重点"), ("乙", "外资")]


def test_a_tag_taken_off_by_two_officers_at_once_is_taken_off_once(ledger):
    code = one_deal("同时去标签的项目", "涿州市", "涿州市人民政府")
    tag_deal(code, ["市重点", "外资"])
    second = []
    while_open(
        lambda: untag_deal(code, ["市重点"]), lambda: second.append(_refused(lambda: untag_deal(code, ["市重点"])))
    )
    assert len(second) == 1 and code in second[0] and "市重点" in second[0]  # refused: it finds the tag off
    assert tags_of(Deal.get(Deal.code == code).id) == ["外资"]


def _refused(work) -> str:
    from crm.foundation.errors import InvalidInput

    try:
        work()
    except InvalidInput as refusal:
        return str(refusal)
    return ""
