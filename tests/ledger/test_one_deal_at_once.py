"""Two officers replacing the same thing of one deal at once (PostgreSQL; SQLite has one writer): its tags, a
year's planned investment, its supporting departments. The second waits for the first
(crm.reference.lookup.locked_deal), then reads what it wrote: the tag is found on, the plan and the departments
are replaced again with the trail naming the first officer's figure as the one replaced. Before, both read the
deal as it was: the second was refused by a unique index ("数据库拒绝了此操作"), a tag taken off twice was
audited twice, and two replacements of the supporting departments left both sets."""

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


def test_a_years_plan_set_by_two_officers_at_once_is_the_second_figure_and_its_trail_says_so(ledger):
    from crm.deals.investment import set_plan
    from db.models import InvestmentPlan

    code = one_deal("同时定计划的项目", "涿州市", "涿州市人民政府")
    while_open(lambda: set_plan(code, 2026, "1亿", actor="甲"), lambda: set_plan(code, 2026, "2亿", actor="乙"))
    assert [p.amount for p in InvestmentPlan.select()] == [200_000_000]
    trail = [(a.actor, a.old, a.new) for a in AuditEntry.select().where(AuditEntry.table == "investment_plan")]
    assert [(by, old is None) for by, old, _new in trail] == [("甲", True), ("乙", False)]
    assert trail[1][1].startswith("100000000")


def test_supporting_departments_replaced_by_two_officers_at_once_are_the_second_set(ledger):
    from crm.deals.records import set_supporting, supporting_departments
    from crm.reference import add_department

    code = one_deal("同时改配合单位的项目", "涿州市", "涿州市人民政府")
    for name in ("保定市商务局", "保定市自然资源和规划局"):
        add_department(name)
    while_open(
        lambda: set_supporting(code, ["保定市商务局"], actor="甲"),
        lambda: set_supporting(code, ["保定市自然资源和规划局"], actor="乙"),
    )
    deal = Deal.get(Deal.code == code)
    assert [d.name for d in supporting_departments(deal)] == ["保定市自然资源和规划局"]
    trail = [(a.actor, a.old, a.new) for a in AuditEntry.select().where(AuditEntry.field == "supporting")]
    assert trail == [("甲", "", "保定市商务局"), ("乙", "保定市商务局", "保定市自然资源和规划局")]
