"""Departments and events: the names deals, blockers and reports refer to."""

import datetime

from peewee import IntegrityError

from crm.audit import log as audit
from crm.foundation.config import current_actor
from crm.foundation.conflicts import stale
from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.foundation.text import clean_text
from crm.reference.lookup import department_by_name
from db.connection import lock_for_update, writing
from db.models import Department, Event

DEPARTMENT_KINDS = {
    "department": ("政府部门", "Government department"),
    "county": ("县(市、区)政府", "County/district government"),
    "zone": ("开发区", "Development zone"),
    "utility": ("公用事业", "Utility"),
}


def add_department(name: str, kind: str = "department", contact: str = "", actor: str | None = None) -> Department:
    """Create a department; refuses a name that exists or an unknown kind."""
    name = clean_text(name, _("Department"), max_length=100, required=True)
    if kind not in DEPARTMENT_KINDS:
        raise InvalidInput(
            _("Unknown department kind {kind!r}; use one of: {kinds}").format(
                kind=kind, kinds=", ".join(DEPARTMENT_KINDS)
            )
        )
    actor = actor or current_actor()
    try:
        with writing():
            dept = Department.create(name=name, kind=kind, contact=clean_text(contact, _("Contact")), updated_by=actor)
            audit.record("department", dept.id, {"created": (None, name)}, actor)
    except IntegrityError:
        raise InvalidInput(_("The department {name} already exists").format(name=name)) from None
    return dept


def add_event(name: str, held_on: datetime.date | None = None, place: str = "", organiser: str = "") -> Event:
    """Create a signing event; refuses one with the same name and date."""
    name = clean_text(name, _("Event"), max_length=200, required=True)
    try:
        with writing():
            # The unique index does not see two NULL dates as equal: check those by hand.
            if held_on is None and Event.select().where((Event.name == name) & Event.held_on.is_null()).exists():
                raise IntegrityError(name)
            return Event.create(
                name=name,
                held_on=held_on,
                place=clean_text(place, _("Place")),
                organiser=clean_text(organiser, _("Organiser")),
            )
    except IntegrityError:
        raise InvalidInput(_("The event {name} on {day} already exists").format(name=name, day=held_on)) from None


def departments() -> list[Department]:
    """All departments by name."""
    return list(Department.select().order_by(Department.name))


def events() -> list[Event]:
    """All events, newest first."""
    return list(Event.select().order_by(Event.held_on.desc(nulls="LAST"), Event.name))


def edit_department(
    name: str,
    new_name: str | None = None,
    kind: str | None = None,
    contact: str | None = None,
    if_version: int | None = None,
    actor: str | None = None,
) -> Department:
    """Rename a department or change its kind or contact; returns it as saved.

    `name` finds the department as everywhere else (exact, or a unique part).
    With `if_version`, refuses (Conflict, exit 3) when someone else has saved
    the department since that version; nothing is written. Each changed field
    goes into the audit trail and the version goes up by one.
    """
    values = {}
    if new_name is not None:
        values["name"] = clean_text(new_name, _("Department"), max_length=100, required=True)
    if kind is not None:
        if kind not in DEPARTMENT_KINDS:
            raise InvalidInput(
                _("Unknown department kind {kind!r}; use one of: {kinds}").format(
                    kind=kind, kinds=", ".join(DEPARTMENT_KINDS)
                )
            )
        values["kind"] = kind
    if contact is not None:
        values["contact"] = clean_text(contact, _("Contact"))
    actor = actor or current_actor()
    try:
        with writing():
            dept = lock_for_update(Department.select().where(Department.id == department_by_name(name).id)).get()
            if if_version is not None and dept.version != if_version:
                raise stale(_("Department {name}").format(name=dept.name), dept, if_version)
            changes = {
                field: (getattr(dept, field), new) for field, new in values.items() if getattr(dept, field) != new
            }
            if not changes:
                return dept
            for field, (_old, new) in changes.items():
                setattr(dept, field, new)
            dept.version += 1
            dept.updated_at, dept.updated_by = datetime.datetime.now().replace(microsecond=0), actor
            dept.save()
            audit.record("department", dept.id, changes, actor)
    except IntegrityError:
        raise InvalidInput(_("The department {name} already exists").format(name=values.get("name"))) from None
    return dept
