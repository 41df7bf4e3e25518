"""A voided blocker keeps its row, marked (migration 0023): it counts nowhere, exactly as if it were deleted, and
stays in the deal's history marked voided; a ledger voided the old way (the row deleted, the blocker kept as JSON
on its deal) gets its voided blockers back as rows, with their history, when it is upgraded.

On SQLite and PostgreSQL, with tests.ledger.test_kpi's hand-built ledger (d3: blockers 1 环评批复尚未取得 open and
2 用地指标不足 resolved; d2: 3 双回路供电接入方案未定 open).
"""

import datetime
import json

import pytest

from crm.deals import blockers, corrections, outcomes
from crm.deals.records import edit_deal
from crm.deals.stages import change_stage
from crm.deals.timeline import deal_timeline
from crm.deals.trail import deal_trail
from crm.foundation.errors import NotFound
from crm.listing import blocker_board, views
from crm.listing.filters import DealFilter
from crm.reference.lookup import deal_by_code
from crm.reference.registry import edit_department
from db import kept_totals, stage_days
from db.dialects import dialect_of
from db.migrate import runner
from db.models import AuditEntry, Blocker, Deal, Department, database
from tests.ledger import test_corrections
from tests.ledger.test_blocker_corrections import open_on, week_problems
from tests.ledger.test_corrections import figures
from tests.ledger.test_kpi import FAGAI, ZIRAN
from tests.ledger_checks import earlier_blocker, since

D = datetime.date
MIGRATION = "0023_blocker_void_marks"
#: The migrations stepped down with it and up again: it and those after it.
SINCE = since(MIGRATION)
MISTAKE, WHY = "录错的问题", "录入错误，实无此问题"

small = test_corrections.small  # the small ledger's one template (two of one name would clash)


def _kept() -> list:
    """Every kept count of blockers, as the kept tables hold them: per stage (and cohort) and per day."""
    if dialect_of().totals_as_differences:
        per_stage = (
            "SELECT year, region, stage, sum(raised), sum(open) FROM blocker_totals_delta "
            "GROUP BY year, region, stage HAVING sum(raised) <> 0 OR sum(open) <> 0"
        )
    else:
        per_stage = "SELECT stage, raised, open FROM blocker_totals WHERE raised <> 0 OR open <> 0"
    rows = []
    for sql in (per_stage, stage_days.events_kept_query()):
        rows.append(sorted(tuple(str(v) for v in r) for r in database.execute_sql(sql).fetchall()))
    return rows


def _shown(code: str) -> dict:
    """What lists, counts and reports show of the blockers: the deal's open count in the deal list, the deals in
    the list's order by open blockers, each department's open and overdue ones, `crm blocker list`, the deal's
    blockers (`crm show`) and the weekly table's problems."""
    return {
        "open on the deal": open_on(code),
        "by open blockers": [d["code"] for d in views.list_deals(DealFilter(), sort="blockers")],
        "departments": {g.department: (g.open, g.overdue) for g in blocker_board.open_by_department()},
        "blocker list": [(b.id, b.text) for b in outcomes.blocker_entries()],
        "the deal's": [b["text"] for b in views.detail(code)["blockers"]],
        "weekly": week_problems(code),
    }


def a_mistake(code: str) -> Blocker:
    """An open, overdue blocker on `code`, owned by 发改: raised 2020-05-25, due 2020-06-05."""
    return blockers.add_blocker(code, MISTAKE, FAGAI, raised=D(2020, 5, 25), due=D(2020, 6, 5), actor="测试")


def test_a_voided_blocker_counts_nowhere_exactly_as_if_deleted(small):
    code = small["d3"]
    kept, shown, kpis = _kept(), _shown(code), figures()
    b = a_mistake(code)
    assert _kept() != kept and _shown(code) != shown and figures() != kpis

    corrections.void_blocker(b.id, note=WHY, actor="王科长")

    assert _kept() == kept  # per stage, per cohort and per day, as before it was raised
    assert _shown(code) == shown
    assert figures() == kpis
    assert kept_totals.agree()
    Blocker.delete().where(Blocker.id == b.id).execute()  # deleted now: nothing changes any more
    assert _kept() == kept and kept_totals.agree()


def test_a_voided_blockers_deal_moving_or_going_keeps_it_out(small):
    code = small["d3"]
    b = a_mistake(code)
    resolved = Blocker.get(Blocker.text == "用地指标不足")
    corrections.void_blocker(b.id, note=WHY)
    corrections.void_blocker(resolved.id, note="重复录入")
    change_stage(code, "注册", on=D(2020, 7, 1))
    edit_deal(code, {"region": "涿州市", "signed_on": "2019-12-01"})
    assert kept_totals.agree()
    kept_totals.rebuild()  # computed afresh from the rows: the same
    assert kept_totals.agree()
    Deal.delete().where(Deal.code == code).execute()
    assert kept_totals.agree()


def test_the_deals_history_shows_it_voided(small, run_cli, db_url):
    code = small["d3"]
    b = a_mistake(code)
    corrections.void_blocker(b.id, note=WHY, actor="王科长")

    row = Blocker.get_by_id(b.id)
    assert (row.voided_by, row.void_note, row.voided_at is not None) == ("王科长", WHY, True)
    (voided,) = views.detail(code)["voided_blockers"]
    assert (voided["id"], voided["text"], voided["department"], voided["note"]) == (b.id, MISTAKE, FAGAI, WHY)
    trail = [(e["table"], e["row_id"], e["field"], e["new"]) for e in deal_trail(code)]
    assert ("blocker", b.id, "raised", MISTAKE) in trail and ("blocker", b.id, "voided", WHY) in trail
    said = [e.what for e in deal_timeline(views.detail(code))]
    assert any(MISTAKE in what and "发展和改革" in what for what in said), said  # its raising
    assert any(MISTAKE in what and WHY in what for what in said), said  # its void, with the reason
    status, out, err = run_cli("--db", db_url, "show", code)
    assert status == 0, err
    (line,) = [x for x in out.splitlines() if MISTAKE in x]
    assert WHY in line and "王科长" in line
    status, out, err = run_cli("--db", db_url, "log", code)
    assert status == 0 and WHY in out, err
    status, out, err = run_cli("--db", db_url, "blocker", "list", "--all", "--format", "json")
    assert [r["id"] for r in json.loads(out) if r.get("voided")] == [b.id]
    status, out, err = run_cli("--db", db_url, "blocker", "list")
    assert status == 0 and MISTAKE not in out


def test_nothing_more_is_done_to_a_voided_blocker_and_its_mark_stays(small):
    b = a_mistake(small["d3"])
    resolved = Blocker.get(Blocker.text == "用地指标不足")
    corrections.void_blocker(b.id, note=WHY)
    corrections.void_blocker(resolved.id, note="重复录入")
    for change in (
        lambda: blockers.resolve_blocker(b.id, note="已解决"),
        lambda: blockers.edit_blocker(b.id, text="改过的问题"),
        lambda: corrections.void_blocker(b.id, note="再次作废"),
    ):
        with pytest.raises(NotFound, match=f"作废（{WHY}）"):
            change()
    with pytest.raises(NotFound, match="作废（重复录入）"):
        corrections.reopen_blocker(resolved.id, note="重新打开")
    assert (Blocker.get_by_id(b.id).text, Blocker.get_by_id(resolved.id).resolution) == (MISTAKE, "指标落实")
    with pytest.raises(Exception, match="void mark"):  # the database itself keeps the mark
        Blocker.update(voided_at=None).where(Blocker.id == b.id).execute()
    with pytest.raises(Exception, match="void mark"):
        Blocker.update(void_note="").where(Blocker.id == b.id).execute()
    assert (Blocker.get_by_id(b.id).voided_at is not None, Blocker.get_by_id(b.id).void_note) == (True, WHY)


# ---- a ledger voided the old way, upgraded ------------------------------------------------------------------


def _one(sql: str, *params):
    return database.execute_sql(sql.replace("?", database.param), params).fetchone()


def _raise_the_old_way(deal_id: int, text: str, department_id: int, raised: str, ident: int | None = None) -> int:
    """A blocker as add_blocker wrote it before migration 0023: its row and its "raised" entry; its id."""
    ident = earlier_blocker(deal_id, text, department_id, raised, ident=ident)
    AuditEntry.insert(actor="测试", table="blocker", row_id=ident, field="raised", new=text).execute()
    return ident


def _void_the_old_way(ident: int, note: str, actor: str, at: datetime.datetime) -> None:
    """What void_blocker did before migration 0023: "voided" on the blocker, the blocker as JSON on its deal (as
    blockers.snapshot wrote it), the row deleted."""
    deal_id, code, text, department, raised, due, resolved, resolution = _one(
        "SELECT b.deal_id, d.code, b.text, p.name, b.raised_on, b.due_on, b.resolved_on, b.resolution FROM blocker b "
        "JOIN deal d ON d.id = b.deal_id JOIN department p ON p.id = b.department_id WHERE b.id = ?",
        ident,
    )

    def day(value):
        return None if value is None else str(value)[:10]

    kept = {
        "id": ident,
        "deal": code,
        "text": text,
        "department": department,
        "raised_on": day(raised),
        "due_on": day(due),
        "resolved_on": day(resolved),
        "resolution": resolution,
    }
    AuditEntry.insert(at=at, actor=actor, table="blocker", row_id=ident, field="voided", old=text, new=note).execute()
    entry = {"at": at, "actor": actor, "table": "deal", "row_id": deal_id, "field": "voided_blocker"}
    AuditEntry.insert(**entry, old=json.dumps(kept, ensure_ascii=False), new=note).execute()
    database.execute_sql(f"DELETE FROM blocker WHERE id = {database.param}", (ident,))


def _blocker_entries(code: str) -> set:
    return {(e["row_id"], e["field"], e["new"]) for e in deal_trail(code) if e["table"] == "blocker"}


def test_a_ledger_voided_the_old_way_gets_its_voided_blockers_back_with_their_history(small, backend):
    d3, d2 = deal_by_code(small["d3"]), deal_by_code(small["d2"])
    fagai = Department.get(Department.name == FAGAI).id
    (resolved,) = _one("SELECT id FROM blocker WHERE text = ?", "用地指标不足")
    before = figures()
    assert runner(database.obj).down(MIGRATION) == SINCE[::-1]

    # a mistake on d3 voided; SQLite gives its number to the next blocker, raised on d2 (PostgreSQL: given here)
    mistaken = _raise_the_old_way(d3.id, MISTAKE, fagai, "2020-05-25")
    _void_the_old_way(mistaken, WHY, "王科长", datetime.datetime(2020, 6, 1, 10, 0))
    again = _raise_the_old_way(
        d2.id, "新发现的问题", fagai, "2020-06-02", ident=mistaken if backend != "sqlite" else None
    )
    assert again == mistaken
    # a resolved blocker voided, its department renamed since
    _void_the_old_way(resolved, "重复录入", "李科长", datetime.datetime(2020, 6, 12, 9, 30))
    edit_department(ZIRAN, new_name="保定市自然资源局")
    assert kept_totals.agree()

    assert runner(database.obj).up() == SINCE

    assert not AuditEntry.select().where(AuditEntry.field == "voided_blocker").exists()  # no JSON copy left
    first, second = blockers.voided_blockers(d3)
    assert first.id not in (mistaken, resolved) and second.id == resolved  # a number taken: a new one
    assert (first.text, first.department, first.raised_on, first.voided_by, first.note) == (
        MISTAKE,
        FAGAI,
        "2020-05-25",
        "王科长",
        WHY,
    )
    assert first.voided_at == datetime.datetime(2020, 6, 1, 10, 0)
    assert (second.department, second.resolved_on, second.resolution) == ("保定市自然资源局", "2020-06-10", "指标落实")
    # each blocker's history on its own deal
    mine, theirs = _blocker_entries(d3.code), _blocker_entries(d2.code)
    assert {(first.id, "raised", MISTAKE), (first.id, "voided", WHY), (resolved, "voided", "重复录入")} <= mine
    assert (resolved, "resolved_on", "2020-06-10") in mine
    assert (mistaken, "raised", "新发现的问题") in theirs and not any(MISTAKE in str(e) for e in theirs)
    assert not any("新发现的问题" in str(e) for e in mine)
    said = [e.what for e in deal_timeline(views.detail(d3.code))]
    assert any(MISTAKE in what and WHY in what for what in said), said
    # counted nowhere: the figures are the ledger's less the resolved one voided, plus the open one raised since
    after = figures()
    assert after["blockers_raised"] == before["blockers_raised"]
    assert (after["blockers_open"], after["blockers_resolved"]) == (
        before["blockers_open"] + 1,
        before["blockers_resolved"] - 1,
    )
    assert kept_totals.agree()
    assert [b.text for b in blockers.list_blockers(code=d3.code)] == ["环评批复尚未取得"]
    with pytest.raises(NotFound, match=WHY):
        blockers.resolve_blocker(first.id)


def test_down_turns_voided_blockers_back_into_entries_and_up_again_gives_them_back(small):
    code = small["d3"]
    b = a_mistake(code)
    corrections.void_blocker(b.id, note=WHY, actor="王科长")
    kept = _kept()
    assert runner(database.obj).down(MIGRATION) == SINCE[::-1]
    (entry,) = AuditEntry.select().where(AuditEntry.field == "voided_blocker")
    assert (json.loads(entry.old)["id"], json.loads(entry.old)["text"], entry.new) == (b.id, MISTAKE, WHY)
    assert _one("SELECT count(*) FROM blocker WHERE id = ?", b.id) == (0,)
    assert _kept() == kept and kept_totals.agree()
    assert runner(database.obj).up() == SINCE
    (voided,) = blockers.voided_blockers(deal_by_code(code))
    assert (voided.id, voided.text, voided.voided_by, voided.note) == (b.id, MISTAKE, "王科长", WHY)
    assert _kept() == kept and kept_totals.agree()
