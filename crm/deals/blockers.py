"""Blockers: what holds a deal up, and the department that must clear it.

A blocker voided as entered by mistake (crm.deals.corrections.void_blocker) keeps its row, marked (voided_at,
voided_by, void_note): every list, count, export and report leaves it out (voided_at IS NULL), the deal's history
(voided_blockers, crm.deals.trail) keeps it, and nothing more can be done to it (locked_blocker).
"""

import datetime
from dataclasses import dataclass

from crm.audit import log as audit
from crm.foundation.config import current_actor
from crm.foundation.conflicts import stale
from crm.foundation.errors import InvalidInput, NotFound
from crm.foundation.i18n import _
from crm.foundation.text import clean_text, whole_number
from crm.reference.lookup import deal_by_code, department_by_name
from db.connection import lock_for_update, writing
from db.models import Blocker, Deal, Department

#: Passed for `due` to edit_blocker: keep the due date as it is.
KEEP = object()


def add_blocker(
    code: str,
    text: str,
    department: str,
    due: datetime.date | None = None,
    raised: datetime.date | None = None,
    actor: str | None = None,
) -> Blocker:
    """Record a blocker on deal `code`, owned by `department` (a name); returns it."""
    text = clean_text(text, _("Blocker"), max_length=2000, required=True, multiline=True)
    actor = actor or current_actor()
    raised = raised or datetime.date.today()
    _due_not_before_raised(due, raised)
    with writing():
        deal = deal_by_code(code)
        dept = department_by_name(department)
        blocker = Blocker.create(deal=deal, text=text, department=dept, raised_on=raised, due_on=due, updated_by=actor)
        audit.record("blocker", blocker.id, {"raised": (None, text)}, actor)
    return blocker


def resolve_blocker(
    blocker_id, note: str = "", on: datetime.date | None = None, if_version: int | None = None, actor: str | None = None
) -> Blocker:
    """Mark a blocker resolved with its resolution note; refuses one already resolved."""
    note = clean_text(note, _("Resolution"), max_length=2000, multiline=True)
    actor = actor or current_actor()
    on = on or datetime.date.today()
    with writing():
        blocker = locked_blocker(blocker_id)
        ident = blocker.id
        if if_version is not None and blocker.version != if_version:
            raise stale(_("Blocker {id}").format(id=blocker.id), blocker, if_version)
        if blocker.resolved_on is not None:
            raise InvalidInput(
                _("Blocker {id} was already resolved on {day}").format(id=ident, day=blocker.resolved_on)
            )
        if on < blocker.raised_on:
            raise InvalidInput(
                _("A blocker cannot be resolved ({on}) before it was raised ({raised})").format(
                    on=on.isoformat(), raised=blocker.raised_on.isoformat()
                )
            )
        blocker.resolved_on, blocker.resolution = on, note
        blocker.version += 1
        blocker.updated_at, blocker.updated_by = datetime.datetime.now().replace(microsecond=0), actor
        blocker.save()
        audit.record("blocker", blocker.id, {"resolved_on": (None, on), "resolution": ("", note)}, actor)
    return blocker


def list_blockers(open_only: bool = False, department: str | None = None, code: str | None = None) -> list[Blocker]:
    """Blockers with their deal and department, open ones first, overdue first, then by due date."""
    query = (
        Blocker.select(Blocker, Deal, Department)
        .join(Deal, on=(Blocker.deal == Deal.id))
        .switch(Blocker)
        .join(Department, on=(Blocker.department == Department.id))
        .where(Blocker.voided_at.is_null(True))
    )
    if open_only:
        query = query.where(Blocker.resolved_on.is_null(True))
    if department:
        query = query.where(Blocker.department == department_by_name(department))
    if code:
        query = query.where(Blocker.deal == deal_by_code(code))
    return _in_order(list(query))


def blockers_of(deal: Deal) -> list[Blocker]:
    """One deal's blockers (not voided) with their department, in the order of list_blockers (the deal is not
    read again)."""
    query = (
        Blocker.select(Blocker, Department)
        .join(Department, on=(Blocker.department == Department.id))
        .where((Blocker.deal == deal.id) & Blocker.voided_at.is_null(True))
    )
    return _in_order(list(query))


def _in_order(rows: list[Blocker]) -> list[Blocker]:
    """Open ones first, overdue first among them, then by due date."""
    today = datetime.date.today()
    rows.sort(key=lambda b: (b.resolved_on is not None, not is_overdue(b, today), b.due_on or datetime.date.max, b.id))
    return rows


def is_overdue(blocker: Blocker, today: datetime.date | None = None) -> bool:
    """Open and past its due date."""
    today = today or datetime.date.today()
    return blocker.resolved_on is None and blocker.due_on is not None and blocker.due_on < today


def close_blocker(
    blocker_id, note: str = "", on: datetime.date | None = None, if_version: int | None = None, actor: str | None = None
) -> int:
    """resolve_blocker for screens and the CLI: the resolved blocker's id."""
    return resolve_blocker(blocker_id, note=note, on=on, if_version=if_version, actor=actor).id


def _due_not_before_raised(due: datetime.date | None, raised: datetime.date) -> None:
    if due is not None and due < raised:
        raise InvalidInput(
            _("The due date {due} is before the day the blocker was raised ({raised})").format(
                due=due.isoformat(), raised=raised.isoformat()
            )
        )


def locked_blocker(blocker_id) -> Blocker:
    """Blocker number `blocker_id` (any text naming a whole number), locked until the transaction ends; refuses
    (NotFound) a number no blocker has and a voided blocker (saying when, by whom and why), which nothing more
    can be done to: not resolved, reopened, edited or voided again."""
    ident = whole_number(blocker_id, _("A blocker's number"), minimum=1)
    blocker = lock_for_update(Blocker.select().where(Blocker.id == ident)).first()
    if blocker is None:
        raise NotFound(_("No blocker has the number {id}; `crm blocker list` shows them").format(id=ident))
    if blocker.voided_at is not None:
        raise NotFound(
            _("Blocker {id} was voided on {at} by {by} ({note}): nothing more can be done to it").format(
                id=ident, at=blocker.voided_at, by=blocker.voided_by, note=blocker.void_note
            )
        )
    return blocker


def edit_blocker(
    blocker_id,
    text: str | None = None,
    department: str | None = None,
    due=KEEP,
    if_version: int | None = None,
    actor: str | None = None,
) -> Blocker:
    """Correct a blocker's text, department (a name) and due date (None clears it; KEEP leaves it).

    Each changed field gets an audit entry (old → new, department by name);
    refuses a change of nothing and a due date before the day it was raised.
    """
    actor = actor or current_actor()
    new_text = None if text is None else clean_text(text, _("Blocker"), max_length=2000, required=True, multiline=True)
    with writing():
        blocker = locked_blocker(blocker_id)
        if if_version is not None and blocker.version != if_version:
            raise stale(_("Blocker {id}").format(id=blocker.id), blocker, if_version)
        changes: dict = {}
        if new_text is not None and new_text != blocker.text:
            changes["text"] = (blocker.text, new_text)
            blocker.text = new_text
        if department is not None:
            dept = department_by_name(department)
            if dept.id != blocker.department_id:
                changes["department"] = (Department.get_by_id(blocker.department_id).name, dept.name)
                blocker.department = dept
        if due is not KEEP and due != blocker.due_on:
            _due_not_before_raised(due, blocker.raised_on)
            changes["due_on"] = (blocker.due_on, due)
            blocker.due_on = due
        if not changes:
            raise InvalidInput(_("Blocker {id} already reads so: nothing to change").format(id=blocker.id))
        blocker.version += 1
        blocker.updated_at, blocker.updated_by = datetime.datetime.now().replace(microsecond=0), actor
        blocker.save()
        audit.record("blocker", blocker.id, changes, actor)
    return blocker


@dataclass(frozen=True)
class VoidedBlocker:
    """A blocker voided as entered by mistake: as it was (days as ISO text), and who voided it, when and why."""

    id: int
    deal: str
    text: str
    department: str
    raised_on: str
    due_on: str | None
    resolved_on: str | None
    resolution: str
    voided_at: datetime.datetime
    voided_by: str
    note: str


def as_it_was(blocker: Blocker, deal_code: str, department: str) -> dict:
    """The blocker's values as VoidedBlocker has them, its void marks aside (plain JSON values)."""

    def day(value: datetime.date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": blocker.id,
        "deal": deal_code,
        "text": blocker.text,
        "department": department,
        "raised_on": blocker.raised_on.isoformat(),
        "due_on": day(blocker.due_on),
        "resolved_on": day(blocker.resolved_on),
        "resolution": blocker.resolution,
    }


def voided_blockers(deal: Deal | None = None, department: str | None = None) -> list[VoidedBlocker]:
    """The blockers voided on `deal` (or on any deal), oldest void first; `department` narrows by name part."""
    query = (
        Blocker.select(Blocker, Deal.code, Department.name)
        .join(Deal, on=(Blocker.deal == Deal.id))
        .switch(Blocker)
        .join(Department, on=(Blocker.department == Department.id))
        .where(Blocker.voided_at.is_null(False))
    )
    if deal is not None:
        query = query.where(Blocker.deal == deal.id)
    if department:
        query = query.where(Blocker.department == department_by_name(department))
    return [
        VoidedBlocker(
            **as_it_was(b, b.deal.code, b.department.name),
            voided_at=b.voided_at,
            voided_by=b.voided_by,
            note=b.void_note,
        )
        for b in query.order_by(Blocker.voided_at, Blocker.id)
    ]
