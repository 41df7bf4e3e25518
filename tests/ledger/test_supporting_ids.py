"""Each deal's supporting departments kept on its row (deal.supporting_ids, migration 0022, db/supporting_ids.py),
which the weekly table reads: after every way a ledger's departments change (a deal created, edited, given other
departments, deleted; an import and its revert; the migration over a filled ledger; two officers at once), each
deal's list is the ids of its deal_department rows, ascending, and the weekly table shows their names."""

import datetime

import pytest

from crm.deals.records import MOST_SUPPORTING, create_deal, edit_deal, set_supporting
from crm.foundation.errors import InvalidInput
from crm.importing import aside as import_aside
from crm.reference import add_department
from crm.reference.registry import edit_department
from crm.reporting import weekly
from db import supporting_ids
from db.migrate import runner
from db.models import Deal, DealDepartment, Department, database
from tests.ledger.test_import import run_import
from tests.ledger_checks import since, while_open

SHANGWU, FAGAI, ZIRAN = "保定市商务局", "保定市发展和改革委员会", "保定市自然资源和规划局"


def _kept(code: str) -> str:
    return Deal.select(supporting_ids.READ).where(Deal.code == code).scalar()


def _ids(*names: str) -> str:
    return ",".join(str(Department.get(Department.name == n).id) for n in sorted(names, key=_id_of))


def _id_of(name: str) -> int:
    return Department.get(Department.name == name).id


def _disagreeing() -> list[str]:
    """The codes of the deals whose kept list is not the ids of their deal_department rows, ascending."""
    rows: dict[int, list[int]] = {}
    for deal_id, department_id in DealDepartment.select(DealDepartment.deal, DealDepartment.department).tuples():
        rows.setdefault(deal_id, []).append(department_id)
    kept = Deal.select(Deal.id, Deal.code, supporting_ids.READ).tuples()
    return [code for deal_id, code, listed in kept if listed != supporting_ids.ids_text(rows.get(deal_id, ()))]


def _departments(*names: str) -> None:
    for name in names:
        add_department(name)


def test_a_deals_list_follows_every_change_of_its_departments(ledger):
    _departments(SHANGWU, FAGAI, ZIRAN)
    code = create_deal(
        {"name": "配合单位项目", "amount": "1亿元", "signed_on": "2020-05-18"}, supporting=[ZIRAN, SHANGWU]
    ).code
    assert _kept(code) == _ids(ZIRAN, SHANGWU) and "," in _kept(code)
    set_supporting(code, [FAGAI])
    assert _kept(code) == _ids(FAGAI)
    # an edit that saves the deal it read before its departments changed keeps the new list
    edit_deal(code, {"name": "改名的项目"}, supporting=[SHANGWU, FAGAI, ZIRAN])
    assert _kept(code) == _ids(SHANGWU, FAGAI, ZIRAN)
    edit_deal(code, {"investor": "某公司"})
    assert _kept(code) == _ids(SHANGWU, FAGAI, ZIRAN)
    other = create_deal({"name": "另一个项目", "amount": "1亿元"}, supporting=[ZIRAN]).code
    row = DealDepartment.get(DealDepartment.department == _id_of(FAGAI))
    DealDepartment.update(deal=Deal.get(Deal.code == other).id).where(DealDepartment.id == row.id).execute()
    assert (_kept(code), _kept(other)) == (_ids(SHANGWU, ZIRAN), _ids(FAGAI, ZIRAN))  # moved to the other deal
    set_supporting(code, [])
    assert _kept(code) == ""
    Deal.delete().where(Deal.code == code).execute()  # its rows go with it
    assert _kept(other) == _ids(FAGAI, ZIRAN) and _disagreeing() == []


def test_the_weekly_table_names_a_rows_departments_in_name_order_after_a_rename(ledger):
    _departments(SHANGWU, FAGAI, ZIRAN)
    code = create_deal(
        {"name": "周报项目", "amount": "1亿元", "signed_on": "2020-05-18"}, supporting=[ZIRAN, FAGAI]
    ).code
    edit_department(ZIRAN, new_name="阿自然资源局")  # now first in the name order: the kept ids need no change

    def supporting():
        table = weekly.build(weekly.resolve_week("2020-W21"), None, datetime.date(2020, 7, 1))
        return next(row.supporting for row in table.rows if row.code == code)

    assert supporting() == sorted(["阿自然资源局", FAGAI])
    set_supporting(code, [SHANGWU])
    assert supporting() == [SHANGWU]


def test_the_demo_ledger_and_the_migration_over_it_keep_every_list(demo_ledger):
    assert _disagreeing() == []
    assert Deal.select().where(supporting_ids.READ != "").count() > 10
    assert runner(demo_ledger).down("0022_deal_supporting_ids") == since("0022_deal_supporting_ids")[::-1]
    assert runner(demo_ledger).up() == since("0022_deal_supporting_ids")  # from deal_department
    assert _disagreeing() == [] and Deal.select().where(supporting_ids.READ != "").count() > 10


def test_an_import_gives_its_deals_their_lists_and_its_revert_leaves_the_others_right(
    ledger, db_url, run_cli, tmp_path
):
    _departments(SHANGWU, FAGAI, ZIRAN)
    code = create_deal({"name": "导入前的项目", "amount": "1亿元"}, supporting=[FAGAI]).code
    sheet = tmp_path / "台账.csv"
    sheet.write_text(
        "项目名称,所在地,签约时间,总投资（亿元）,牵头单位,配合单位\n"
        f"导入甲项目,涿州市,2020年5月18日,3,{SHANGWU},{ZIRAN}、{FAGAI}\n"
        f"导入乙项目,涿州市,2020年5月19日,2,{SHANGWU},{FAGAI}\n"
        f"导入丙项目,涿州市,2020年5月20日,1,{SHANGWU},\n",
        encoding="utf-8",
    )
    status, report, err = run_import(run_cli, db_url, str(sheet))
    assert status == 0, err
    kept = dict(Deal.select(Deal.name, supporting_ids.READ).tuples())
    assert kept["导入甲项目"] == _ids(ZIRAN, FAGAI) and kept["导入乙项目"] == _ids(FAGAI)
    assert kept["导入丙项目"] == "" and _disagreeing() == []
    status, _out, err = run_cli("--db", db_url, "import", "revert", "1")
    assert status == 0, err
    assert [name for (name,) in Deal.select(Deal.name).tuples()] == ["导入前的项目"]
    assert _kept(code) == _ids(FAGAI) and _disagreeing() == []


def test_a_first_import_sets_the_insert_trigger_aside_and_gives_it_back(ledger, db_url, run_cli, tmp_path, monkeypatch):
    """Into an empty ledger the import writes its deals' lists itself (the trigger dropped on SQLite, gated on
    PostgreSQL inside its transaction); afterwards a department added to one of them is in its list again."""
    monkeypatch.setattr(import_aside, "REBUILD_AT", 1)  # what a first import of thousands of rows does
    _departments(SHANGWU, FAGAI, ZIRAN)
    sheet = tmp_path / "首次导入.csv"
    rows = [f"首次导入{n}号项目,涿州市,2020年5月18日,{n},{SHANGWU},{ZIRAN}、{FAGAI}" for n in range(1, 40)]
    sheet.write_text(
        "项目名称,所在地,签约时间,总投资（亿元）,牵头单位,配合单位\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    status, _report, err = run_import(run_cli, db_url, str(sheet))
    assert status == 0, err
    assert {listed for (listed,) in Deal.select(supporting_ids.READ).tuples()} == {_ids(ZIRAN, FAGAI)}
    code = Deal.get(Deal.name == "首次导入7号项目").code
    DealDepartment.create(deal=Deal.get(Deal.code == code).id, department=_id_of(SHANGWU))
    assert _kept(code) == _ids(SHANGWU, ZIRAN, FAGAI) and _disagreeing() == []


def test_a_deal_is_refused_more_supporting_departments_than_one_row_can_keep(ledger, db_url, run_cli, tmp_path):
    """Past MOST_SUPPORTING a deal's list would outgrow PostgreSQL's limit of an index entry: refused in one line
    by every path (an import's row too), never a database error."""
    many = [f"第{n}配合单位" for n in range(1, MOST_SUPPORTING + 2)]
    _departments(SHANGWU, *many)
    refusal = f"最多有 {MOST_SUPPORTING} 个配合单位，这里给了 {MOST_SUPPORTING + 1} 个"
    with pytest.raises(InvalidInput, match=refusal):
        create_deal({"name": "太多配合单位", "amount": "1亿元"}, supporting=many)
    code = create_deal({"name": "正好一百个", "amount": "1亿元"}, supporting=many[:MOST_SUPPORTING]).code
    assert len(_kept(code).split(",")) == MOST_SUPPORTING
    for attempt in (lambda: set_supporting(code, many), lambda: edit_deal(code, {}, supporting=many)):
        with pytest.raises(InvalidInput, match=refusal):
            attempt()
    assert len(_kept(code).split(",")) == MOST_SUPPORTING
    sheet = tmp_path / "太多.csv"
    sheet.write_text(
        "项目名称,总投资（亿元）,牵头单位,配合单位\n"
        f"太多配合单位的项目,3,{SHANGWU},{'、'.join(many)}\n"
        f"一个配合单位的项目,2,{SHANGWU},{many[0]}\n",
        encoding="utf-8",
    )
    status, report, err = run_import(run_cli, db_url, str(sheet))
    # the file is refused whole, its row named, as for any row's mistake: the officer mends it and imports again
    assert (status, report["written"]) == (2, False)
    # on the row's 配合单位 cell, where the officer mends it
    assert [(p["row"], p["column"], p["message"]) for p in report["problems"]] == [
        (2, "配合单位", refusal.join(("一个项目", "")))
    ]
    assert err.splitlines()[0].startswith("crm: 第 2 行") and refusal in err.splitlines()[0] and "Traceback" not in err
    assert Deal.select().count() == 1 and _disagreeing() == []


def test_two_officers_adding_departments_to_one_deal_at_once_both_land_in_its_list(ledger):
    """Rows written without the deal's lock (crm.deals takes it; a trigger must not count on that): on PostgreSQL
    the second's trigger waits for the first to commit, then reads both departments."""
    _departments(SHANGWU, FAGAI)
    code = create_deal({"name": "同时加配合单位", "amount": "1亿元"}).code
    deal_id = Deal.get(Deal.code == code).id
    while_open(
        lambda: DealDepartment.create(deal=deal_id, department=_id_of(SHANGWU)),
        lambda: DealDepartment.create(deal=deal_id, department=_id_of(FAGAI)),
    )
    assert _kept(code) == _ids(SHANGWU, FAGAI)
    with database.atomic():
        assert _disagreeing() == []
