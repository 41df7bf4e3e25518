"""Deals: creating, editing under optimistic locking, the audit trail, the
detail view; and the records hanging off a deal (blockers, funds, departments, events)."""

import datetime
from decimal import Decimal

import pytest

from crm.audit import log as audit
from crm.deals import blockers, funds, stages
from crm.deals import records as deals
from crm.foundation.errors import Conflict, InvalidInput, MissingRate, NotFound
from crm.listing import views as deal_views
from crm.listing.filters import DealFilter
from crm.reference import fx, registry
from db.models import MODELS, Deal, Department, Person

D = datetime.date
FAGAI = "保定市发展和改革委员会"
SHANGWU = "保定市商务局"
ZHUOZHOU = "涿州市人民政府"


def snapshot():
    """Every row of every table, to show that a refused command wrote nothing."""
    return {m.__name__: list(m.select().order_by(m.id).tuples()) for m in MODELS}


@pytest.fixture
def base(ledger):
    for name, kind in ((FAGAI, "department"), (SHANGWU, "department"), (ZHUOZHOU, "county")):
        registry.add_department(name, kind=kind, actor="管理员")
    registry.add_event("中国·廊坊国际经济贸易洽谈会", D(2020, 5, 18), "online")
    fx.set_rate("USD", D(2020, 5, 18), "7.1030")
    return ledger


def _create(**extra):
    values = {"name": "涿州现代供应链金融创新示范基地项目", "amount": "1.8亿美元", "signed_on": "2020-05-18"}
    values.update(extra)
    return deals.create_deal(values, actor="招商局甲")


# ---- create ---------------------------------------------------------------------


def test_create_reads_every_field(base):
    deal = _create(
        investor="某供应链集团",
        region="涿州市",
        industry="新一代信息技术",
        sub_industry="大数据",
        event="廊坊",
        approval="备案",
        liaison="李建国",
        lead_unit=ZHUOZHOU,
        planned_start="2020年9月1日",
        planned_completion="2022.5.18",
        responsibility_plan="按月调度",
        floor_area="81.9万平方米",
        notes="来源:河北日报",
    )
    deal = Deal.get_by_id(deal.id)
    assert deal.code == "ZS2020-0001"
    assert (deal.amount, deal.currency, deal.amount_cny) == (Decimal("180000000.00"), "USD", Decimal("1278540000.00"))
    assert deal.fx_rate.on == D(2020, 5, 18)
    assert (deal.event.name, deal.lead_unit.name, deal.liaison.name) == (
        "中国·廊坊国际经济贸易洽谈会",
        ZHUOZHOU,
        "李建国",
    )
    assert (deal.approval, deal.floor_area) == ("filing", Decimal("819000.00"))
    assert (deal.planned_start, deal.planned_completion) == (D(2020, 9, 1), D(2022, 5, 18))
    assert (deal.stage, deal.version, deal.updated_by) == ("signed", 1, "招商局甲")
    assert [(a.field, a.new, a.actor) for a in audit.history("deal", deal.id)] == [
        ("created", "ZS2020-0001", "招商局甲")
    ]


def test_codes_count_up_per_signing_year(base):
    assert [_create(name=f"项目{i}").code for i in range(3)] == ["ZS2020-0001", "ZS2020-0002", "ZS2020-0003"]
    assert _create(name="去年的项目", amount="5亿元", signed_on="2019-09-06").code == "ZS2019-0001"
    today = datetime.date.today()
    assert deals.create_deal({"name": "在谈项目", "amount": "5亿元"}).code == f"ZS{today.year}-0001"


def test_code_of_an_explicit_duplicate_is_refused(base):
    _create()
    with pytest.raises(InvalidInput, match="ZS2020-0001"):
        deals.create_deal({"name": "另一个", "amount": "1亿元"}, code="ZS2020-0001")


def test_initial_stage(base):
    assert _create().stage == "signed"
    assert deals.create_deal({"name": "在谈项目", "amount": "5亿元"}).stage == "negotiating"
    assert (
        deals.create_deal({"name": "导入项目", "amount": "5亿元", "signed_on": "2019-01-01"}, stage="在建").stage
        == "construction"
    )


BAD_CREATES = [  # (values, what the one-line message must quote)
    ({"amount": "25亿元"}, "--name"),
    ({"name": "   ", "amount": "25亿元"}, "--name"),
    ({"name": "项目"}, "--amount"),
    ({"name": "项目", "amount": "二十五亿亿"}, "二十五亿亿"),
    ({"name": "项目", "amount": "25亿元", "signed_on": "2020-13-45"}, "2020-13-45"),
    ({"name": "项目", "amount": "25亿元", "lead_unit": "不存在的局"}, "不存在的局"),
    ({"name": "项目", "amount": "25亿元", "event": "不存在的会"}, "不存在的会"),
    ({"name": "项目", "amount": "25亿元", "approval": "批准"}, "批准"),
    ({"name": "项目", "amount": "25亿元", "floor_area": "很大"}, "很大"),
    ({"name": "项目", "amount": "25亿元", "colour": "红"}, "colour"),
    ({"name": "项目\x00", "amount": "25亿元"}, "U+0000"),
    ({"name": "项" * 201, "amount": "25亿元"}, "200"),
    ({"name": "项目", "amount": "25亿元", "liaison": "新领导", "lead_unit": "不存在的局"}, "不存在的局"),
]


def test_create_refuses_bad_values_and_writes_nothing(base):
    before = snapshot()
    for values, quoted in BAD_CREATES:
        with pytest.raises((InvalidInput, NotFound)) as err:
            deals.create_deal(values)
        assert quoted in str(err.value), values
        assert "\n" not in str(err.value), values
        assert snapshot() == before, values  # not even the new liaison leader


def test_unknown_supporting_department_writes_nothing(base):
    before = snapshot()
    with pytest.raises(NotFound, match="不存在的局"):
        deals.create_deal({"name": "项目", "amount": "1亿元", "liaison": "新领导"}, supporting=["不存在的局"])
    assert snapshot() == before


# ---- edit and optimistic locking --------------------------------------------------


def test_edit_changes_fields_bumps_version_and_audits(base):
    code = _create(region="涿州市").code
    deals.edit_deal(
        code, {"region": "高碑店市", "liaison": "张振华", "lead_unit": "涿州", "notes": ""}, actor="招商局乙"
    )
    deal = Deal.get(Deal.code == code)
    assert (deal.region, deal.liaison.name, deal.lead_unit.name) == ("高碑店市", "张振华", ZHUOZHOU)
    assert (deal.version, deal.updated_by) == (2, "招商局乙")
    trail = {(a.field, a.old, a.new, a.actor) for a in audit.history("deal", deal.id)[1:]}
    assert trail == {
        ("region", "涿州市", "高碑店市", "招商局乙"),
        ("liaison", None, "张振华", "招商局乙"),
        ("lead_unit", None, ZHUOZHOU, "招商局乙"),
    }  # notes was already empty: no entry


def test_edit_that_changes_nothing_is_not_a_new_version(base):
    code = _create(region="涿州市").code
    before = snapshot()
    deal = deals.edit_deal(code, {"region": " 涿州市 ", "amount": "1.8亿美元"})
    assert deal.version == 1
    assert snapshot() == before


def test_clearing_optional_fields(base):
    code = _create(event="廊坊", lead_unit=ZHUOZHOU, planned_start="2020-09-01").code
    deals.edit_deal(code, {"event": "", "lead_unit": "", "planned_start": ""})
    deal = Deal.get(Deal.code == code)
    assert (deal.event, deal.lead_unit, deal.planned_start) == (None, None, None)
    with pytest.raises(InvalidInput):
        deals.edit_deal(code, {"name": ""})  # the name is required


def test_edit_at_the_current_version(base):
    code = _create().code
    deals.edit_deal(code, {"region": "涿州市"}, if_version=1)
    deals.edit_deal(code, {"region": "高碑店市"}, if_version=2)
    assert Deal.get(Deal.code == code).version == 3


def test_stale_edit_is_refused_naming_who_and_when(base):
    code = _create().code
    deals.edit_deal(code, {"region": "涿州市"}, actor="招商局乙")  # version 1 → 2 behind our back
    changed = Deal.get(Deal.code == code)
    before = snapshot()
    with pytest.raises(Conflict) as err:
        deals.edit_deal(
            code, {"region": "高碑店市", "liaison": "新领导"}, if_version=1, supporting=[FAGAI], actor="招商局甲"
        )
    message = str(err.value)
    assert err.value.exit_code == 3
    assert "招商局乙" in message and str(changed.updated_at) in message and code in message
    assert "\n" not in message
    assert snapshot() == before  # no field, no department, no audit entry, no new Person
    assert err.value.current.version == 2


def test_supporting_departments_are_saved_with_the_fields(base):
    code = _create().code
    deal = deals.edit_deal(code, {"region": "涿州市"}, supporting=[FAGAI, "商务"], actor="招商局乙")
    assert deal.version == 2  # one edit, one version
    assert [d.name for d in deals.supporting_departments(deal)] == sorted([FAGAI, SHANGWU])
    assert ("supporting", "", f"{FAGAI}、{SHANGWU}") in [
        (a.field, a.old, a.new) for a in audit.history("deal", deal.id)
    ]
    before = snapshot()
    with pytest.raises(NotFound, match="不存在的局"):
        deals.edit_deal(code, {"region": "高碑店市"}, supporting=["不存在的局"])
    assert snapshot() == before  # the region was not saved either
    deals.edit_deal(code, {}, supporting=[])
    assert deals.supporting_departments(deal) == []
    assert Deal.get(Deal.code == code).version == 3


def test_set_supporting(base):
    code = _create().code
    deals.set_supporting(code, [FAGAI])
    deals.set_supporting(code, [SHANGWU, SHANGWU])
    assert [d.name for d in deals.supporting_departments(Deal.get(Deal.code == code))] == [SHANGWU]


def test_edit_unknown_deal_or_field(base):
    _create()
    with pytest.raises(NotFound, match="ZS1999-0001"):
        deals.edit_deal("ZS1999-0001", {"region": "涿州市"})
    with pytest.raises(InvalidInput, match="stage"):
        deals.edit_deal("ZS2020-0001", {"stage": "operating"})  # stages move only through the ledger


def test_codes_are_found_in_any_case(base):
    code = _create().code
    assert deal_views.detail(code.lower())["code"] == code


# ---- the detail view ----------------------------------------------------------------


def test_detail_has_everything_about_a_deal(base):
    code = _create(lead_unit=ZHUOZHOU, event="廊坊").code
    deals.edit_deal(code, {"region": "涿州市"}, supporting=[FAGAI])
    stages.change_stage(code, "注册", on=D(2020, 7, 1), actor="招商局乙")
    b = blockers.add_blocker(code, "环评批复尚未取得", "发展和改革", raised=D(2020, 6, 1), due=D(2020, 6, 30))
    funds.record_funds(code, "3600万", on=D(2020, 9, 1))
    d = deal_views.detail(code)
    assert (d["code"], d["version"], d["stage"], d["event"]) == (code, 2, "registered", "中国·廊坊国际经济贸易洽谈会")
    assert d["departments"] == [{"name": ZHUOZHOU, "role": "lead"}, {"name": FAGAI, "role": "support"}]
    assert [(e["from"], e["to"], e["on"], e["by"]) for e in d["ledger"]] == [
        (None, "signed", D(2020, 5, 18), "招商局甲"),
        ("signed", "registered", D(2020, 7, 1), "招商局乙"),
    ]
    assert [(x["id"], x["department"], x["overdue"]) for x in d["blockers"]] == [(b.id, FAGAI, True)]
    # 3600万 without a currency is in the deal's currency (USD), converted at the arrival date's rate
    assert [(f["amount"], f["currency"], f["amount_cny"]) for f in d["funds"]] == [
        (Decimal("36000000.00"), "USD", Decimal("255708000.00"))
    ]
    assert d["funds_cny"] == Decimal("255708000.00")
    assert d["funds_rate"] == Decimal("0.2000")
    assert [a["field"] for a in d["audit"]] == ["created", "region", "supporting", "stage"]


def test_detail_of_a_deal_without_funds(base):
    d = deal_views.detail(_create().code)
    assert d["funds"] == [] and d["funds_cny"] == Decimal(0) and isinstance(d["funds_cny"], Decimal)
    assert d["funds_rate"] == Decimal(0)


def test_list_filters_and_sorts(base):
    a = _create(name="甲项目", region="涿州市", event="廊坊").code
    b = _create(name="乙项目", amount="80亿元", region="高碑店市", lead_unit=FAGAI, signed_on="2019-09-06").code
    c = deals.create_deal({"name": "丙项目", "amount": "5亿元", "region": "涿州市"}, supporting=[FAGAI]).code
    codes = lambda **f: [r["code"] for r in deal_views.list_deals(DealFilter(**f))]  # noqa: E731
    assert codes(region="涿州") == [a, c]  # newest signing first, unsigned last
    assert codes(event="廊坊") == [a]
    assert codes(year=2019) == [b]
    assert sorted(codes(department="发展")) == sorted([b, c])  # lead or supporting
    assert codes(stage="在谈") == [c]
    assert [r["code"] for r in deal_views.list_deals(sort="amount")] == [b, a, c]
    assert [r["code"] for r in deal_views.list_deals(sort="signed")] == [a, b, c]  # unsigned last


# ---- blockers -------------------------------------------------------------------------


def test_blocker_lifecycle(base):
    code = _create().code
    b = blockers.add_blocker(
        code, "用地指标不足", "发展和改革", raised=D(2020, 6, 1), due=D(2020, 7, 1), actor="招商局甲"
    )
    assert (b.department.name, b.resolved_on) == (FAGAI, None)
    assert blockers.is_overdue(b, D(2020, 7, 2)) and not blockers.is_overdue(b, D(2020, 7, 1))
    done = blockers.resolve_blocker(b.id, note="指标落实", on=D(2020, 6, 20), actor="发改委")
    assert (done.resolved_on, done.resolution, done.version) == (D(2020, 6, 20), "指标落实", 2)
    assert not blockers.is_overdue(done, D(2021, 1, 1))
    trail = {(a.field, a.new, a.actor) for a in audit.history("blocker", b.id)}
    assert {
        ("raised", "用地指标不足", "招商局甲"),
        ("resolved_on", "2020-06-20", "发改委"),
        ("resolution", "指标落实", "发改委"),
    } <= trail


def test_blocker_rules(base):
    code = _create().code
    with pytest.raises(InvalidInput, match="2020-05-31"):
        blockers.add_blocker(code, "问题", FAGAI, raised=D(2020, 6, 1), due=D(2020, 5, 31))
    with pytest.raises(InvalidInput):
        blockers.add_blocker(code, "  ", FAGAI)
    with pytest.raises(NotFound, match="不存在的局"):
        blockers.add_blocker(code, "问题", "不存在的局")
    with pytest.raises(NotFound, match="保定市"):
        blockers.add_blocker(code, "问题", "保定市")  # two departments match: no guess
    b = blockers.add_blocker(code, "问题", FAGAI, raised=D(2020, 6, 1))
    with pytest.raises(InvalidInput, match="2020-05-01"):
        blockers.resolve_blocker(b.id, on=D(2020, 5, 1))
    blockers.resolve_blocker(b.id, on=D(2020, 6, 2))
    with pytest.raises(InvalidInput, match="2020-06-02"):
        blockers.resolve_blocker(b.id, on=D(2020, 6, 3))
    with pytest.raises(NotFound, match="999"):
        blockers.resolve_blocker(999)
    with pytest.raises(InvalidInput, match="abc"):
        blockers.resolve_blocker("abc")
    with pytest.raises(Conflict):
        blockers.resolve_blocker(blockers.add_blocker(code, "问题2", FAGAI).id, if_version=7)


def test_blocker_list_order_and_filters(base):
    code = _create().code
    other = _create(name="另一个项目").code
    today = datetime.date.today()
    later = blockers.add_blocker(code, "晚到期", FAGAI, raised=D(2020, 6, 1), due=today + datetime.timedelta(days=60))
    overdue = blockers.add_blocker(code, "已逾期", SHANGWU, raised=D(2020, 6, 1), due=D(2020, 7, 1))
    done = blockers.add_blocker(other, "已办结", FAGAI, raised=D(2020, 6, 1))
    blockers.resolve_blocker(done.id, on=D(2020, 6, 5))
    assert [b.id for b in blockers.list_blockers()] == [overdue.id, later.id, done.id]
    assert [b.id for b in blockers.list_blockers(open_only=True)] == [overdue.id, later.id]
    assert [b.id for b in blockers.list_blockers(department="商务")] == [overdue.id]
    assert [b.id for b in blockers.list_blockers(code=other)] == [done.id]


# ---- funds -----------------------------------------------------------------------------


def test_funds_in_another_currency_and_without_a_rate(base):
    code = _create().code
    row = funds.record_funds(code, "5000万元", on=D(2020, 9, 1), note="首笔")
    assert (row.amount, row.currency, row.amount_cny, row.fx_rate) == (
        Decimal("50000000.00"),
        "CNY",
        Decimal("50000000.00"),
        None,
    )
    before = snapshot()
    with pytest.raises(MissingRate, match="crm fx set USD 2020-01-01"):  # USD, before the first USD rate
        funds.record_funds(code, "100万", on=D(2020, 1, 1))
    with pytest.raises(InvalidInput, match="很多"):
        funds.record_funds(code, "很多", on=D(2020, 9, 1))
    with pytest.raises(NotFound):
        funds.record_funds("ZS1999-0001", "1亿元")
    assert snapshot() == before
    assert [f.arrived_on for f in funds.funds_of(Deal.get(Deal.code == code))] == [D(2020, 9, 1)]


# ---- departments and events ------------------------------------------------------------


def test_departments_and_events(base):
    assert [d.name for d in registry.departments()] == sorted([FAGAI, SHANGWU, ZHUOZHOU])
    with pytest.raises(InvalidInput, match=FAGAI):
        registry.add_department(FAGAI)
    with pytest.raises(InvalidInput, match="ministry"):
        registry.add_department("新部门", kind="ministry")
    assert Department.select().count() == 3
    with pytest.raises(InvalidInput):
        registry.add_event("中国·廊坊国际经济贸易洽谈会", D(2020, 5, 18))
    registry.add_event("中国·廊坊国际经济贸易洽谈会", D(2021, 5, 18))  # next year's edition
    registry.add_event("线上推介会")
    with pytest.raises(InvalidInput, match="线上推介会"):
        registry.add_event("线上推介会")  # no date twice is still the same event
    assert [e.held_on for e in registry.events()] == [D(2021, 5, 18), D(2020, 5, 18), None]


def test_a_person_is_created_once(base):
    _create(liaison="李建国")
    _create(name="另一个", liaison=" 李建国 ")
    assert Person.select().where(Person.name == "李建国").count() == 1


def test_audit_history_only_for_the_row(base):
    a = _create().code
    b = _create(name="另一个").code
    deals.edit_deal(a, {"region": "涿州市"})
    assert [e.field for e in audit.history("deal", Deal.get(Deal.code == a).id)] == ["created", "region"]
    assert [e.field for e in audit.history("deal", Deal.get(Deal.code == b).id)] == ["created"]
