"""Deals as plain data for lists, the detail view, JSON and exports.

Values keep their types (Decimal, date); the CLI's JSON encoder and the
exporters turn them into text. Keys are stable English names.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from peewee import JOIN, fn

from crm.audit import log as audit
from crm.deals import stages
from crm.deals.blockers import blockers_of, is_overdue
from crm.listing.filters import DealFilter
from crm.deals.records import supporting_departments
from crm.deals.funds import funds_of
from crm.reference.lookup import deal_by_code
from db.models import Blocker, Deal, Department, Event, Person

SORTS = {
    "signed": (Deal.signed_on, True),
    "code": (Deal.code, False),
    "name": (Deal.name, False),
    "amount": (Deal.amount_cny, True),
    "stage": (Deal.stage, False),
    "region": (Deal.region, False),
}


def _listing(flt: DealFilter):
    open_blockers = (
        Blocker.select(fn.COUNT(Blocker.id))
        .where((Blocker.deal == Deal.id) & Blocker.resolved_on.is_null(True))
    )
    query = (
        Deal.select(Deal, Event.name.alias("event_name"), Department.name.alias("lead_name"),
                    Person.name.alias("liaison_name"), open_blockers.alias("open_blockers"))
        .join(Event, JOIN.LEFT_OUTER, on=(Deal.event == Event.id))
        .switch(Deal)
        .join(Department, JOIN.LEFT_OUTER, on=(Deal.lead_unit == Department.id))
        .switch(Deal)
        .join(Person, JOIN.LEFT_OUTER, on=(Deal.liaison == Person.id))
    )
    return flt.apply(query)


def list_deals(flt: DealFilter | None = None, sort: str = "signed", limit: int | None = None) -> list[dict]:
    """Summaries of the deals in `flt`, newest signing first by default."""
    column, descending = SORTS.get(sort, SORTS["signed"])
    order = column.desc(nulls="LAST") if descending else column.asc(nulls="LAST")
    query = _listing(flt or DealFilter()).order_by(order, Deal.id.desc()).objects()
    if limit:
        query = query.limit(limit)
    today = datetime.date.today()
    return [summary(d, today) for d in query]


def summary(deal: Deal, today: datetime.date | None = None) -> dict:
    """One deal as a list row; `deal` comes from _listing(), which joins the names shown."""
    today = today or datetime.date.today()
    return {
        "code": deal.code,
        "name": deal.name,
        "investor": deal.investor,
        "region": deal.region,
        "industry": deal.industry,
        "sub_industry": deal.sub_industry,
        "event": deal.event_name,
        "signed_on": deal.signed_on,
        "amount": deal.amount,
        "currency": deal.currency,
        "amount_approximate": deal.amount_approximate,
        "amount_cny": deal.amount_cny,
        "stage": deal.stage,
        "stage_since": deal.stage_since,
        "days_in_stage": (today - deal.stage_since).days,
        "open_blockers": deal.open_blockers,
        "lead_unit": deal.lead_name,
        "liaison": deal.liaison_name,
    }


def detail(code: str) -> dict:
    """Everything about one deal: fields, departments, ledger, blockers, funds, audit trail."""
    deal = _listing(DealFilter()).where(Deal.id == deal_by_code(code).id).objects().get()
    today = datetime.date.today()
    out = summary(deal, today)
    out.update(
        id=deal.id,
        version=deal.version,
        approval=deal.approval,
        planned_start=deal.planned_start,
        planned_completion=deal.planned_completion,
        responsibility_plan=deal.responsibility_plan,
        # SQLite's NUMERIC column hands back 819000 where PostgreSQL gives 819000.00.
        floor_area=None if deal.floor_area is None else Decimal(deal.floor_area).quantize(Decimal("0.01")),
        notes=deal.notes,
        fx_rate=None if deal.fx_rate is None else {"currency": deal.fx_rate.currency, "on": deal.fx_rate.on, "rate": deal.fx_rate.rate},
        created_at=deal.created_at,
        updated_at=deal.updated_at,
        updated_by=deal.updated_by,
    )
    out["departments"] = ([{"name": deal.lead_unit.name, "role": "lead"}] if deal.lead_unit else []) + [
        {"name": d.name, "role": "support"} for d in supporting_departments(deal)
    ]
    out["ledger"] = [
        {"from": e.from_stage, "to": e.to_stage, "on": e.effective_on, "by": e.recorded_by, "note": e.note,
         "recorded_at": e.recorded_at}
        for e in stages.ledger(deal)
    ]
    out["blockers"] = [
        {"id": b.id, "text": b.text, "department": b.department.name, "raised_on": b.raised_on, "due_on": b.due_on,
         "resolved_on": b.resolved_on, "resolution": b.resolution, "overdue": is_overdue(b, today), "version": b.version}
        for b in blockers_of(deal)
    ]
    # Dates that name a month only (计划开工 2020年7月): shown as the month.
    out["month_only"] = [f for f in ("signed_on", "planned_start", "planned_completion") if getattr(deal, f + "_month")]
    funds = funds_of(deal)
    out["funds"] = [
        {"on": f.arrived_on, "amount": f.amount, "currency": f.currency, "amount_cny": f.amount_cny, "note": f.note}
        for f in funds
    ]
    # A Decimal even with no arrivals (JSON "0.00", not the number 0), and the
    # rate rounded like the KPIs' ("0.3000", not "0E+2" or 28 digits).
    arrived = sum((f.amount_cny or Decimal(0) for f in funds), start=Decimal("0.00"))
    out["funds_cny"] = arrived
    out["funds_rate"] = (arrived / deal.amount_cny).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) if deal.amount_cny else None
    out["audit"] = [
        {"at": a.at, "by": a.actor, "field": a.field, "old": a.old, "new": a.new} for a in audit.history("deal", deal.id)
    ]
    return out
