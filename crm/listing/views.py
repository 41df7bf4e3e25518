"""Deals as plain data for lists, the detail view, JSON and exports.

Values keep their types (Decimal, date); the CLI's JSON encoder and the
exporters turn them into text. Keys are stable English names.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from peewee import JOIN, fn

from crm.deals import stages
from crm.deals.blockers import blockers_of, is_overdue, voided_blockers
from crm.deals.funds import funds_of
from crm.deals.investment import investment_and_voided
from crm.deals.progress import latest_progress, progress_of
from crm.deals.records import supporting_departments
from crm.deals.tags import tags_of
from crm.deals.trail import deal_trail
from crm.listing import pages
from crm.listing.filters import DealFilter
from crm.reference.lookup import deal_by_code
from db.models import Blocker, Deal, Department, Event, Person

#: The sorts of the deal list: the TUI's (crm.listing.pages.SORTS), so both list the deals in one order.
SORTS = tuple(pages.SORTS)


def _order(sort: str, reverse: bool, open_blockers) -> list:
    order = pages.Order(sort if sort in pages.SORTS else pages.DEFAULT_SORT)
    return pages.ordering(
        order.reversed() if reverse else order,
        event_name=Event.name,
        lead_name=Department.name,
        open_blockers=open_blockers,
    )


def _open_blockers():
    return Blocker.select(fn.COUNT(Blocker.id)).where(
        (Blocker.deal == Deal.id) & Blocker.resolved_on.is_null(True) & Blocker.voided_at.is_null(True)
    )


def _with_names(query):
    """`query` on Deal joined to the names a list row shows: its event, lead unit and liaison (any may be missing)."""
    return (
        query.join(Event, JOIN.LEFT_OUTER, on=(Deal.event == Event.id))
        .switch(Deal)
        .join(Department, JOIN.LEFT_OUTER, on=(Deal.lead_unit == Department.id))
        .switch(Deal)
        .join(Person, JOIN.LEFT_OUTER, on=(Deal.liaison == Person.id))
    )


def _listing(flt: DealFilter):
    open_blockers = _open_blockers()
    query = _with_names(
        Deal.select(
            Deal,
            Event.name.alias("event_name"),
            Department.name.alias("lead_name"),
            Person.name.alias("liaison_name"),
            open_blockers.alias("open_blockers"),
        )
    )
    return flt.apply(query)


def list_deals(
    flt: DealFilter | None = None, sort: str = "signed", limit: int | None = None, reverse: bool = False
) -> list[dict]:
    """Summaries of the deals in `flt` in the TUI list's order for `sort` (newest signing first by default), for
    `crm deals`' table: each with signed_on_month, whether its signing date names a month only (shown as 2025-12);
    the CSV and JSON (crm.listing.deal_text) give the stored date."""
    query = _listing(flt or DealFilter()).order_by(*_order(sort, reverse, _open_blockers())).objects()
    if limit:
        query = query.limit(limit)
    today = datetime.date.today()
    deals = list(query)
    rows = [summary(d, today) for d in deals]
    latest = latest_progress([d.id for d in deals])
    for d, row in zip(deals, rows):
        entry = latest.get(d.id)
        row["latest_progress"] = None if entry is None else {"on": entry.on, "by": entry.by, "text": entry.text}
        row["signed_on_month"] = d.signed_on_month  # the signing date names its month only: shown as 2025-12
    return rows


#: A list row's keys in the order records_query() selects them, each with the column it selects for it:
#: selects for it: a Deal column, a joined name, _OPEN_BLOCKERS (the count's subquery), or None (computed).
_OPEN_BLOCKERS = "open_blockers"
_ROW = (
    ("code", Deal.code),
    ("name", Deal.name),
    ("investor", Deal.investor),
    ("region", Deal.region),
    ("industry", Deal.industry),
    ("sub_industry", Deal.sub_industry),
    ("event", Event.name),
    ("signed_on", Deal.signed_on),
    ("amount", Deal.amount),
    ("currency", Deal.currency),
    ("amount_approximate", Deal.amount_approximate),
    ("amount_cny", Deal.amount_cny),
    ("stage", Deal.stage),
    ("stage_since", Deal.stage_since),
    ("days_in_stage", None),
    ("open_blockers", _OPEN_BLOCKERS),
    ("lead_unit", Department.name),
    ("liaison", Person.name),
    ("latest_progress", None),
)
# The keys of summary(), in the order records_query() selects their columns.
SUMMARY_KEYS = tuple(key for key, _column in _ROW)


def records_query(flt: DealFilter | None = None, sort: str = "signed", reverse: bool = False, columns=None):
    """The one SELECT of `crm deals` (crm.listing.deal_text): list_deals()'s rows and order, columns as stored.

    `columns(open_blockers)`, given the correlated count of open blockers the
    order may sort by, returns other columns to select over the same joins
    (crm.listing.deal_text's values as text).
    """
    open_blockers = _open_blockers()
    if columns:
        selected = list(columns(open_blockers))
    else:
        stored = (open_blockers if column is _OPEN_BLOCKERS else column for _key, column in _ROW if column is not None)
        selected = [Deal.id, *stored]
    query = _with_names(Deal.select(*selected))
    return (flt or DealFilter()).apply(query).order_by(*_order(sort, reverse, open_blockers))


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


def _funds_entry(f) -> dict:
    """One arrival of funds as `crm show` gives it; a voided one with the amounts it had and its void."""
    voided = f.voided_at is not None
    return {
        "id": f.id,
        "on": f.arrived_on,
        "amount": f.voided_amount if voided else f.amount,
        "currency": f.currency,
        "amount_cny": f.voided_amount_cny if voided else f.amount_cny,
        "note": f.note,
        "by": f.recorded_by,
        "voided": {"at": f.voided_at, "by": f.voided_by, "note": f.void_note} if voided else None,
    }


def detail(code: str) -> dict:
    """Everything about one deal: fields, departments, ledger, blockers, funds, audit trail."""
    deal = _listing(DealFilter(archived=True)).where(Deal.id == deal_by_code(code).id).objects().get()
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
        fx_rate=None
        if deal.fx_rate is None
        else {"currency": deal.fx_rate.currency, "on": deal.fx_rate.on, "rate": deal.fx_rate.rate},
        created_at=deal.created_at,
        updated_at=deal.updated_at,
        updated_by=deal.updated_by,
    )
    out["departments"] = ([{"name": deal.lead_unit.name, "role": "lead"}] if deal.lead_unit else []) + [
        {"name": d.name, "role": "support"} for d in supporting_departments(deal)
    ]
    out["ledger"] = [
        {
            "from": e.from_stage,
            "to": e.to_stage,
            "on": e.effective_on,
            "by": e.recorded_by,
            "note": e.note,
            "recorded_at": e.recorded_at,
        }
        for e in stages.ledger(deal)
    ]
    out["blockers"] = [
        {
            "id": b.id,
            "text": b.text,
            "department": b.department.name,
            "raised_on": b.raised_on,
            "due_on": b.due_on,
            "resolved_on": b.resolved_on,
            "resolution": b.resolution,
            "overdue": is_overdue(b, today),
            "version": b.version,
        }
        for b in blockers_of(deal)
    ]
    # Entered by mistake and voided: counted nowhere, kept here with who voided them and why.
    out["voided_blockers"] = [vars(v) for v in voided_blockers(deal)]
    # Dates that name a month only (计划开工 2020年7月): shown as the month.
    out["month_only"] = [f for f in ("signed_on", "planned_start", "planned_completion") if getattr(deal, f + "_month")]
    funds = funds_of(deal)
    out["archived"] = None if deal.archived_on is None else {"on": deal.archived_on, "note": deal.archive_note}
    out["funds"] = [_funds_entry(f) for f in funds]
    # A Decimal even with no arrivals (JSON "0.00", not the number 0), and the
    # rate rounded like the KPIs' ("0.3000", not "0E+2" or 28 digits).
    arrived = sum((f.amount_cny or Decimal(0) for f in funds), start=Decimal("0.00"))
    out["funds_cny"] = arrived
    out["funds_rate"] = (
        (arrived / deal.amount_cny).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) if deal.amount_cny else None
    )
    out["progress"] = [{"on": e.on, "by": e.by, "text": e.text} for e in progress_of(deal.id)]
    out["tags"] = tags_of(deal.id)
    years, voided = investment_and_voided(deal.id)
    out["investment"] = [
        {
            "year": y.year,
            "plan_cny": y.plan_cny,
            "done_cny": y.done_cny,
            "completion_rate": y.rate,
            "completion_currency": y.rate_currency,
            "months": [
                {
                    "month": m.strftime("%Y-%m"),
                    "amount": amount,
                    "currency": currency,
                    "amount_cny": cny,
                    "cumulative_cny": cumulative,
                }
                for m, amount, currency, cny, cumulative in y.months
            ],
        }
        for y in years
    ]
    out["investment_voided"] = [
        {
            "month": d.month.strftime("%Y-%m"),
            "amount": d.voided_amount,
            "currency": d.currency,
            "amount_cny": d.voided_amount_cny,
            "voided": {"at": d.voided_at, "by": d.voided_by, "note": d.void_note},
        }
        for d in voided
    ]
    # the deal's and its blockers', funds' and investment's entries (crm log); "audit" the deal's own
    out["trail"] = deal_trail(deal.code, deal)
    out["audit"] = [
        {key: e[key] for key in ("at", "by", "field", "old", "new")} for e in out["trail"] if e["table"] == "deal"
    ]
    return out
