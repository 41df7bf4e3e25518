"""The import log: every import written is recorded (`crm import list`) and can be undone (`crm import revert N`).

An import holds the ledger's write lock from start to end (holding_the_ledger: on
PostgreSQL the others' writes wait; SQLite has one writer), so the rows it added to
each table are those with ids between the table's last id before it and after it.
Deals it updated are kept as they were before (their columns and supporting
departments), so a revert puts them back exactly; a revert is refused (Conflict,
exit 3) when anyone has changed those deals since.
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
    Person,
    Progress,
    StageChange,
)

#: Tables an import adds rows to, children before the deals and the names they point at.
_ADDED = (StageChange, Blocker, FundsArrived, Progress, DealDepartment, Deal, Department, Event, Person)
_CHILDREN = (StageChange, Blocker, FundsArrived, Progress)
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


def record_import(report, header_key: str, overrides: dict, actor: str, before: dict, saved: dict) -> int:
    """Record the import `report` describes (written after `before` marks); remember its --map for its header row."""
    after = marks()
    record = ImportRecord.create(
        actor=actor,
        source=report.source,
        sheet=report.sheet or "",
        created=len(report.created),
        updated=len(report.updated),
        audit_before=before["audit"],
        audit_after=after["audit"],
        marks=json.dumps({"before": before, "after": after, "deals": saved}, default=str, ensure_ascii=False),
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
    return (model.id > ids["before"][name]) & (model.id <= ids["after"][name])


def revert_import(number: int, actor: str) -> ImportSummary:
    """Put the ledger back as it was before import `number`.

    Refused (Conflict) when it was reverted already or when any deal it created or updated has been changed
    since; NotFound when there is no such import.
    """
    with holding_the_ledger():
        record = ImportRecord.get_or_none(ImportRecord.id == number)
        if record is None:
            raise NotFound(_("No import {n}: `crm import list` shows them").format(n=number))
        if record.reverted_at is not None:
            raise Conflict(_("Import {n} was reverted on {at}").format(n=number, at=record.reverted_at))
        ids = json.loads(record.marks)
        saved = {int(k): v for k, v in ids["deals"].items()}
        created = [d for (d,) in Deal.select(Deal.id).where(_in(Deal, ids, "deal")).tuples()]
        touched = set(created) | set(saved)
        _refuse_changed_since(number, record, ids, touched)
        # Most of the ledger going: its totals computed again from what stays, not taken out row by row.
        most = 2 * len(created) >= Deal.select().count()
        with kept_totals.rebuilt_after() if most else contextlib.nullcontext():
            _put_back(ids, saved)
        _record_put_back(record, saved, actor)
        for model in (Department, Event, Person):
            _delete_unused(model, _in(model, ids, model._meta.table_name))
        record.reverted_at = datetime.datetime.now()
        record.save()
        audit.record("import_record", record.id, {"reverted": (None, record.reverted_at.isoformat(sep=" "))}, actor)
    return list_imports_by_id(number)


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


def _refuse_changed_since(number: int, record, ids: dict, touched: set) -> None:
    if not touched:
        return
    touched_list = sorted(touched)
    later = (
        AuditEntry.select()
        .where(
            (AuditEntry.id > record.audit_after) & (AuditEntry.table == "deal") & AuditEntry.row_id.in_(touched_list)
        )
        .exists()
    )
    for model in _CHILDREN:
        later = (
            later
            or model.select()
            .where((model.id > ids["after"][model._meta.table_name]) & model.deal.in_(touched_list))
            .exists()
        )
    if later:
        raise Conflict(
            _("Deals import {n} created or updated have been changed since; revert refused").format(n=number)
        )
