"""Departments, events and exchange rates as the command line writes and lists them (plain data, no rows).

Each function runs the crm/ call of the same meaning (registry.add_department, fx.set_rate …)
and hands back only the values the command prints. Events come back as views.EventInfo.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from crm.audit.log import trail as audit_trail
from crm.reference import fx, registry
from crm.reference.lookup import department_by_name
from crm.reference.views import EventInfo
from db.models import AuditEntry


@dataclass(frozen=True)
class DepartmentEntry:
    """A department with its version (its fields in the order of `crm department show --format json`)."""

    name: str
    kind: str  # a key of registry.DEPARTMENT_KINDS
    contact: str
    version: int
    updated_at: datetime.datetime
    updated_by: str


def _department(d) -> DepartmentEntry:
    return DepartmentEntry(d.name, d.kind, d.contact, d.version, d.updated_at, d.updated_by)


def department_entries() -> list[DepartmentEntry]:
    """Every department, by name."""
    return [_department(d) for d in registry.departments()]


def department_entry(name: str) -> DepartmentEntry:
    """The department whose name is, or uniquely contains, `name`; NotFound otherwise."""
    return _department(department_by_name(name))


def department_added(name: str, kind: str = "department", contact: str = "") -> DepartmentEntry:
    """registry.add_department(name, kind, contact): the department created."""
    return _department(registry.add_department(name, kind=kind, contact=contact))


def department_edited(
    name: str,
    new_name: str | None = None,
    kind: str | None = None,
    contact: str | None = None,
    if_version: int | None = None,
) -> DepartmentEntry:
    """registry.edit_department(…): the department as saved."""
    return _department(
        registry.edit_department(name, new_name=new_name, kind=kind, contact=contact, if_version=if_version)
    )


def event_added(name: str, held_on: datetime.date | None = None, place: str = "", organiser: str = "") -> EventInfo:
    """registry.add_event(…): the event created."""
    e = registry.add_event(name, held_on=held_on, place=place, organiser=organiser)
    return EventInfo(e.id, e.name, e.held_on, e.place)


@dataclass(frozen=True)
class RateEntry:
    """An exchange rate, voided or not, with the words reports name it by."""

    currency: str
    on: datetime.date
    rate: Decimal
    source: str
    voided_at: datetime.datetime | None
    voided_by: str
    void_note: str
    described: str  # fx.describe_rate: `USD 2020-05-18 7.1030 (source)`


def _rate(r) -> RateEntry:
    return RateEntry(r.currency, r.on, r.rate, r.source, r.voided_at, r.voided_by, r.void_note, fx.describe_rate(r))


def rate_entries(currency: str | None = None) -> list[RateEntry]:
    """fx.list_rates(currency): every rate, by currency then date."""
    return [_rate(r) for r in fx.list_rates(currency)]


def rate_set(currency: str, on: datetime.date, rate, source: str = "") -> RateEntry:
    """fx.set_rate(…): the rate as set (what it covers converted again)."""
    return _rate(fx.set_rate(currency, on, rate, source=source))


def rate_voided(currency: str, on: datetime.date, note: str) -> RateEntry:
    """fx.void_rate(…): the rate as voided (what it converted converted again at the rate before it)."""
    return _rate(fx.void_rate(currency, on, note=note))


def rate_trail() -> list[dict]:
    """The audit entries of the exchange rates (each set, replaced or voided), oldest first, shaped as a deal's
    trail (crm.deals.trail.deal_trail) is."""
    query = AuditEntry.select().where(AuditEntry.table == "fx_rate").order_by(AuditEntry.at, AuditEntry.id)
    return audit_trail(query)
