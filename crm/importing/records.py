"""The import log: every import written is recorded (`crm import list`) and can be undone (`crm import revert N`).

An import holds the ledger's write lock from start to end (holding_the_ledger: on
PostgreSQL the others' writes wait; SQLite has one writer), so the rows it added to
each table are those with ids between the table's last id before it and after it.
Deals it updated are kept as they were before (their columns and supporting
departments), and so are the problems it resolved, so a revert puts them back exactly;
a revert is refused (Conflict, exit 3) when anyone has changed since the deals it
created or changed (a deal it found unchanged holds nothing up). A later import that
was reverted, and its revert, are no change: imports revert newest first.
"""

from __future__ import annotations

import contextlib
import datetime
import json
from dataclasses import dataclass

from peewee import fn

from crm.audit import log as audit
from crm.foundation.errors import Conflict, NotFound
from crm.foundation.i18n import _
from crm.importing import invested
from db import kept_totals
from db.connection import hold_tables, writing
from db.models import (
    AuditEntry,
    Blocker,
    Deal,
    DealDepartment,
    Department,
    Event,
    FundsArrived,
    ImportMapping,
    ImportRecord,
    InvestmentDone,
    InvestmentPlan,
    Person,
    Progress,
    StageChange,
)

#: Tables an import adds a deal's rows to, and all it adds rows to: children before the deals and the names they
#: point at.
_CHILDREN = (StageChange, Blocker, FundsArrived, Progress, InvestmentPlan, InvestmentDone)
_ADDED = (*_CHILDREN, DealDepartment, Deal, Department, Event, Person)
#: The audit field that marks what a revert put back in a deal's trail; its new value is the import's number.
REVERTED = "import_reverted"


@dataclass(frozen=True)
class ImportSummary:
    """One line of `crm import list`."""

    id: int
    at: datetime.datetime
    actor: str
    source: str
    sheet: str
    created: int
    updated: int
    reverted_at: datetime.datetime | None


@contextlib.contextmanager
def holding_the_ledger():
    """The transaction of an import and of a revert: the others' writes wait until it ends (and the ones running
    end first), so that the ids between an import's marks are its own (db.connection.writing(alone=True), then
    the tables an import adds to and the trail held against any other write)."""
    with writing(alone=True) as txn:
        hold_tables((*_ADDED, AuditEntry, ImportRecord))
        yield txn


def marks() -> dict:
    """The last id of each table an import adds to, and of the audit trail (taken when an import starts)."""
    found = {m._meta.table_name: m.select(fn.MAX(m.id)).scalar() or 0 for m in _ADDED}
    found["audit"] = AuditEntry.select(fn.MAX(AuditEntry.id)).scalar() or 0
    return found


def snapshot(deal: Deal) -> dict:
    """A deal's columns and supporting departments as stored, to put back on revert."""
    data = deal.__data__  # column values as loaded (a foreign key's id, not the row it names)
    columns = {name: f.db_value(data.get(f.name)) for name, f in Deal._meta.columns.items() if name != "id"}
    supporting = [
        d
        for (d,) in DealDepartment.select(DealDepartment.department)
        .where(DealDepartment.deal == deal.id)
        .order_by(DealDepartment.id)
        .tuples()
    ]
    return {"columns": columns, "supporting": supporting}


def blocker_snapshot(blocker: Blocker) -> dict:
    """What resolving `blocker` changes, as stored, to put back on revert."""
    return {
        "resolved_on": blocker.resolved_on,
        "resolution": blocker.resolution,
        "version": blocker.version,
        "updated_at": blocker.updated_at,
        "updated_by": blocker.updated_by,
    }


def record_import(
    report,
    header_key: str,
    overrides: dict,
    actor: str,
    before: dict,
    saved: dict,
    resolved: dict | None = None,
    replaced: dict | None = None,
) -> int:
    """Record the import `report` describes (written after `before` marks); remember its --map for its header row.

    `saved`: the deals it changed as they were before (snapshot); `resolved`: the problems it resolved, as
    they were before (blocker_snapshot), by id; `replaced`: the plans and months it set again, as they were
    before (crm.importing.invested), by table and id.
    """
    after = marks()
    kept = {"before": before, "after": after, "deals": saved}
    if resolved:
        kept["blockers"] = resolved
    if replaced and any(replaced.values()):
        kept["investment"] = replaced
    record = ImportRecord.create(
        actor=actor,
        source=report.source,
        sheet=report.sheet or "",
        created=len(report.created),
        updated=len(report.updated),
        audit_before=before["audit"],
        audit_after=after["audit"],
        marks=json.dumps(kept, default=str, ensure_ascii=False),
    )
    if overrides and header_key:
        mapping = json.dumps(overrides, ensure_ascii=False)
        updated = (
            ImportMapping.update(mapping=mapping, updated_at=datetime.datetime.now())
            .where(ImportMapping.header_key == header_key)
            .execute()
        )
        if not updated:
            ImportMapping.create(header_key=header_key, mapping=mapping)
    return record.id


def remembered_mapping(header_key: str) -> dict | None:
    """The --map chosen for this header row before (normalised header → field or None), or None."""
    found = ImportMapping.get_or_none(ImportMapping.header_key == header_key)
    return json.loads(found.mapping) if found else None


def list_imports() -> list[ImportSummary]:
    """Every import recorded, newest first."""
    return [
        ImportSummary(r.id, r.at, r.actor, r.source, r.sheet, r.created, r.updated, r.reverted_at)
        for r in ImportRecord.select().order_by(ImportRecord.id.desc())
    ]


def _in(model, ids: dict, name: str):
    if name not in ids["before"]:  # recorded before the import marked this table: it added nothing to it
        return model.id < 0
    return (model.id > ids["before"][name]) & (model.id <= ids["after"][name])


def revert_import(number: int, actor: str) -> ImportSummary:
    """Put the ledger back as it was before import `number`.

    Refused (Conflict) when it was reverted already or when any deal it created or changed has been changed
    since (a later import that was reverted, and its revert, are no change); NotFound when there is no such
    import.
    """
    with holding_the_ledger():
        record = ImportRecord.get_or_none(ImportRecord.id == number)
        if record is None:
            raise NotFound(_("No import {n}: `crm import list` shows them").format(n=number))
        if record.reverted_at is not None:
            raise Conflict(_("Import {n} was reverted on {at}").format(n=number, at=_minute(record.reverted_at)))
        audit_before = AuditEntry.select(fn.MAX(AuditEntry.id)).scalar() or 0
        ids = json.loads(record.marks)
        resolved = {int(k): v for k, v in ids.get("blockers", {}).items()}
        # Only the deals it changed are put back (a deal it found as the sheet has it may have changed since).
        changed = _changed_by(record, ids, resolved)
        saved = {k: v for k, v in _saved(ids).items() if k in changed}
        _refuse_changed_since(number, record, ids, sorted(saved), resolved)
        created = Deal.select().where(_in(Deal, ids, "deal")).count()
        # Most of the ledger going: its totals computed again from what stays, not taken out row by row.
        most = 2 * created >= Deal.select().count()
        with kept_totals.rebuilt_after() if most else contextlib.nullcontext():
            _put_back(ids, saved)
        _record_put_back(record, saved, actor)
        _reopen(resolved, actor)
        invested.put_back(ids.get("investment", {}), actor)
        for model in (Department, Event, Person):
            _delete_unused(model, _in(model, ids, model._meta.table_name))
        record.reverted_at = datetime.datetime.now().replace(microsecond=0)
        audit.record("import_record", record.id, {"reverted": (None, record.reverted_at.isoformat(sep=" "))}, actor)
        # The revert's own trail entries: no change to the deals of an import before it (see _undone).
        ids["revert_audit"] = [audit_before + 1, AuditEntry.select(fn.MAX(AuditEntry.id)).scalar() or 0]
        record.marks = json.dumps(ids, default=str, ensure_ascii=False)
        record.save()
    return list_imports_by_id(number)


def _minute(at: datetime.datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M")


def _saved(ids: dict) -> dict:
    return {int(k): v for k, v in ids["deals"].items()}


def _changed_by(record, ids: dict, resolved: dict) -> set:
    """The deals (of those it kept as they were) that import `record` changed: a field in its trail, a row it added
    (a stage change, a problem, funds, progress), or a problem it resolved."""
    own = AuditEntry.id.between(record.audit_before + 1, record.audit_after)
    changed: set = set()
    for saved in _chunks(sorted(_saved(ids))):
        changed.update(
            AuditEntry.select(AuditEntry.row_id)
            .where(own & (AuditEntry.table == "deal") & AuditEntry.row_id.in_(saved))
            .distinct()
            .scalars()
        )
        for model in _CHILDREN:
            changed.update(
                model.select(model.deal)
                .where(_in(model, ids, model._meta.table_name) & model.deal.in_(saved))
                .distinct()
                .scalars()
            )
    if resolved:
        changed |= {d for (d,) in Blocker.select(Blocker.deal).where(Blocker.id.in_(list(resolved))).tuples()}
    return changed


def _reopen(resolved: dict, actor: str) -> None:
    """Put the problems the import resolved back as they were (open), each with its trail entry."""
    changes = {}
    # one voided since was entered by mistake: it stays as it is, voided
    kept = Blocker.select().where(Blocker.id.in_(list(resolved)) & Blocker.voided_at.is_null(True))
    standing = {b.id: b for b in kept} if resolved else {}
    for blocker_id, before in resolved.items():
        blocker = standing.get(blocker_id)
        if blocker is None:
            continue
        columns = {
            Blocker._meta.fields[name]: Blocker._meta.fields[name].python_value(value) for name, value in before.items()
        }
        Blocker.update(columns).where(Blocker.id == blocker_id).execute()
        changes[blocker_id] = {
            "resolved_on": (blocker.resolved_on, before["resolved_on"]),
            "resolution": (blocker.resolution, before["resolution"]),
        }
    if changes:
        audit.record_many("blocker", changes, actor)


def _put_back(ids: dict, saved: dict) -> None:
    """Delete what the import added (between its marks `ids`) and put the deals it updated back as `saved`."""
    for model in _CHILDREN + (DealDepartment,):
        model.delete().where(_in(model, ids, model._meta.table_name)).execute()
    for deal_id, before in saved.items():
        columns = {Deal._meta.columns[c]: Deal._meta.columns[c].python_value(v) for c, v in before["columns"].items()}
        Deal.update(columns).where(Deal.id == deal_id).execute()
        DealDepartment.delete().where(DealDepartment.deal == deal_id).execute()
        for department in before["supporting"]:
            DealDepartment.create(deal=deal_id, department=department)
    Deal.delete().where(_in(Deal, ids, "deal")).execute()


def _delete_unused(model, added) -> None:
    """Delete the rows of `model` (a department, event or person) that `added` selects and nothing refers to:
    one the import created and a colleague has named since (a blocker's department) stays."""
    unused = added
    for field in model._meta.backrefs:
        unused &= model.id.not_in(field.model.select(field).where(field.is_null(False)))
    model.delete().where(unused).execute()


def _record_put_back(record: ImportRecord, saved: dict, actor: str) -> None:
    """In the trail of each deal the import updated, what the revert put back: every field the import's audit
    entries changed, from the value it wrote to the one before it, and the import reverted.

    The import's own entries stay: the trail shows the change and its reversal, as an undone stage change
    does; the deal's stage ledger is put back as it was (the import's entries deleted), so that reports
    leave out a change that was taken back whole.
    """
    if not saved:
        return
    changed: dict[int, dict] = {deal_id: {} for deal_id in saved}
    entries = (
        AuditEntry.select(AuditEntry.row_id, AuditEntry.field, AuditEntry.old, AuditEntry.new)
        .where(AuditEntry.id.between(record.audit_before + 1, record.audit_after) & (AuditEntry.table == "deal"))
        .order_by(AuditEntry.id)
        .tuples()
    )
    for deal_id, field, old, new in entries:
        fields = changed.get(deal_id)
        if fields is not None:  # else a deal the import created: deleted with its trail's subject
            fields[field] = (new, fields[field][1] if field in fields else old)
    for fields in changed.values():
        fields[REVERTED] = (None, record.id)
    audit.record_many("deal", changed, actor)


def list_imports_by_id(number: int) -> ImportSummary:
    r = ImportRecord.get_by_id(number)
    return ImportSummary(r.id, r.at, r.actor, r.source, r.sheet, r.created, r.updated, r.reverted_at)


#: At most this many deals are named when a revert is refused (then how many in all).
NAMED = 3


def _refuse_changed_since(number: int, record, ids: dict, changed: list, resolved: dict) -> None:
    """Refuse (Conflict) when any deal import `record` created, or of those it `changed`, has been changed since:
    the deals named in one line."""
    since = _changes_since(record, ids, changed, resolved)
    if not since:
        return
    codes: dict = {}
    for chunk in _chunks(sorted(since)):
        codes.update(Deal.select(Deal.id, Deal.code).where(Deal.id.in_(chunk)).tuples())
    shown = sorted(since, key=lambda d: codes.get(d, ""))[:NAMED]
    named = "、".join(
        _("{code} ({what}, {who})").format(code=codes.get(d, d), what=since[d][0], who=since[d][1]) for d in shown
    )
    if len(since) > NAMED:
        named = _("{named} and others, {n} in all").format(named=named, n=len(since))
    raise Conflict(
        _("Deals import {n} created or updated have been changed since: {deals}; revert refused").format(
            n=number, deals=named
        )
    )


def _changes_since(record, ids: dict, changed: list, resolved: dict) -> dict:
    """{deal id: (what, who)} of a change since import `record` to each deal it created or `changed` that has one:
    a field in its trail (the first), else a row added (a stage change, a problem, funds, progress), else a change
    to a problem the import added or resolved.

    A later import that was reverted, and its revert, changed nothing (_undone).
    """
    from crm.deals.trail import field_label

    later = (AuditEntry.id > record.audit_after) & ~_undone(record)
    imports = _later_imports(record)
    found: dict = {}
    # The deals it created by their ids' range (a first import's million in one condition), the others in chunks.
    created = (ids["before"]["deal"] + 1, ids["after"]["deal"])
    for touched in [lambda f: f.between(*created)] + [lambda f, c=c: f.in_(c) for c in _chunks(changed)]:
        for entry_id, deal_id, field, who in (
            AuditEntry.select(AuditEntry.id, AuditEntry.row_id, AuditEntry.field, AuditEntry.actor)
            .where(later & (AuditEntry.table == "deal") & touched(AuditEntry.row_id))
            .order_by(AuditEntry.id)
            .tuples()
        ):
            found.setdefault(deal_id, (_by_import(entry_id, imports) or field_label(field), who))
        for model, who_column, what in _ADDED_SINCE:
            if model._meta.table_name not in ids["after"]:
                continue  # an import recorded before the table was marked
            for deal_id, who in (
                model.select(model.deal, getattr(model, who_column))
                .where((model.id > ids["after"][model._meta.table_name]) & touched(model.deal))
                .order_by(model.id)
                .tuples()
            ):
                found.setdefault(deal_id, (what(), who))
    theirs = _in(Blocker, ids, "blocker")
    if resolved:
        theirs |= Blocker.id.in_(list(resolved))
    for entry_id, deal_id, who in (
        AuditEntry.select(AuditEntry.id, Blocker.deal, AuditEntry.actor)
        .join(Blocker, on=(AuditEntry.row_id == Blocker.id))
        .where(later & (AuditEntry.table == "blocker") & theirs)
        .order_by(AuditEntry.id)
        .tuples()
    ):
        found.setdefault(deal_id, (_by_import(entry_id, imports) or _("Blockers"), who))
    for entry_id, deal_id, who in invested.later_entries(ids, later):
        found.setdefault(deal_id, (_by_import(entry_id, imports) or _("Planned and completed investment"), who))
    return found


#: Rows added to a deal since an import: (table, its column naming who, what it is called).
_ADDED_SINCE = (
    (StageChange, "recorded_by", lambda: _("Stage")),
    (Blocker, "updated_by", lambda: _("Blockers")),
    (FundsArrived, "recorded_by", lambda: _("Funds arrived")),
    (Progress, "author", lambda: _("Progress")),
    (InvestmentPlan, "recorded_by", lambda: _("Planned and completed investment")),
    (InvestmentDone, "recorded_by", lambda: _("Planned and completed investment")),
)


def _chunks(ids: list, size: int = 5000):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _later_imports(record) -> list:
    """(audit_before, audit_after, number) of the imports after `record` that stand (not reverted)."""
    return [
        (r.audit_before, r.audit_after, r.id)
        for r in ImportRecord.select()
        .where((ImportRecord.id > record.id) & ImportRecord.reverted_at.is_null(True))
        .order_by(ImportRecord.id)
    ]


def _by_import(entry_id: int, imports: list) -> str | None:
    """ "import N" when the trail entry `entry_id` is one of a later import's, else None."""
    for before, after, number in imports:
        if before < entry_id <= after:
            return _("import {n}").format(n=number)
    return None


def _undone(record):
    """The trail entries of each import after `record` that was reverted and of its revert (a condition).

    A revert made before its entries were recorded (no "revert_audit") is told by its last entry, the
    import_record "reverted" one: nothing else wrote to the deals that import kept between its entries and
    that one, else that revert had been refused; the entries of other deals in between stay changes.
    """
    undone = AuditEntry.id < 0  # none
    for later in ImportRecord.select().where((ImportRecord.id > record.id) & ImportRecord.reverted_at.is_null(False)):
        undone |= AuditEntry.id.between(later.audit_before + 1, later.audit_after)
        kept = json.loads(later.marks)
        if "revert_audit" in kept:
            undone |= AuditEntry.id.between(*kept["revert_audit"])
            continue
        end = (
            AuditEntry.select(fn.MAX(AuditEntry.id))
            .where(
                (AuditEntry.table == "import_record")
                & (AuditEntry.row_id == later.id)
                & (AuditEntry.field == "reverted")
            )
            .scalar()
        )
        if end and kept["deals"]:
            undone |= (
                AuditEntry.id.between(later.audit_after + 1, end)
                & (AuditEntry.table == "deal")
                & AuditEntry.row_id.in_(sorted(_saved(kept)))
            )
    return undone
