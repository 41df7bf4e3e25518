"""Summaries and rankings: one row of as-of KPIs per region, department, liaison, event, industry or tag.

Each row is crm.reporting.asof for the cohort narrowed to that group (a region's row: every region written
for one county-level division, 涿州 and 涿州市, named by the division's current name); the 合计
(total) row is asof.compute of the whole cohort, which is what `crm kpi --as-of`
prints. Regions, lead units (牵头单位), liaison leaders, events and industries
partition the deals (a deal without one is under "—"), so their rows add up to
the total; a deal may carry several tags, so tag rows may add up to more.
"""

import datetime
import functools
from dataclasses import dataclass, field, replace
from decimal import Decimal

from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.listing.filters import DealFilter
from crm.reference import regions
from crm.reporting import asof
from crm.reporting import lights as traffic
from crm.values.terms import name_order
from db.models import Deal, Department, Event, Person, Tag

DIMENSIONS = ("regions", "departments", "liaisons", "events", "industries", "tags")
NONE_LABEL = "—"


@dataclass
class SummaryRow:
    """One group's figures; `label` is the region, department … name (合计 for the total)."""

    label: str
    result: asof.AsOf
    total: bool = False
    lights: traffic.LightCounts = field(default_factory=lambda: traffic.LightCounts())


def _names(model, field) -> dict:
    return dict(model.select(model.id, field).tuples())


def _grouped(cohort: DealFilter, day: datetime.date, dimension: str) -> dict:
    """{label: (AsOf, LightCounts)} per group of `dimension`."""
    if dimension == "tags":
        out = {}
        for t in Tag.select().order_by(Tag.name):
            tagged = replace(cohort, tag=t.name)
            out[t.name] = (asof.compute(tagged, day), traffic.counts(tagged, day).get(None, traffic.LightCounts()))
        return out
    if dimension == "regions":
        return _regions(cohort, day)
    key, names = {
        "departments": (Deal.lead_unit, lambda: _names(Department, Department.name)),
        "liaisons": (Deal.liaison, lambda: _names(Person, Person.name)),
        "events": (Deal.event, lambda: _names(Event, Event.name)),
        "industries": (Deal.industry, None),
    }[dimension]
    grouped = asof.compute_grouped(cohort, day, key)
    lit = traffic.counts(cohort, day, key)
    lookup = names() if names else {}
    out = {}
    for value, result in grouped.items():
        label = lookup.get(value, value) if lookup else value
        out[label or NONE_LABEL] = (result, lit.get(value, traffic.LightCounts()))
    return out


def _regions(cohort: DealFilter, day: datetime.date) -> dict:
    """{division label: (AsOf, LightCounts)}: regions written differently for one division are one row."""
    label = functools.lru_cache(maxsize=None)(regions.division_label)
    grouped = asof.compute_grouped(cohort, day, Deal.region, label)
    lit: dict = {}
    for value, counts in traffic.counts(cohort, day, Deal.region).items():
        merged = lit.setdefault(label(value), traffic.LightCounts())
        merged.green, merged.yellow, merged.red = (
            merged.green + counts.green,
            merged.yellow + counts.yellow,
            merged.red + counts.red,
        )
    return {(name or NONE_LABEL): (result, lit.get(name, traffic.LightCounts())) for name, result in grouped.items()}


#: What --rank-by may name: a KPI of the plan figures or of the cohort KPIs.
RANKABLE = (
    "deals",
    "total_cny",
    "start_rate",
    "funds_rate",
    "resolution_rate",
    "start_plan_rate",
    "operating_plan_rate",
    "invest_plan_rate",
    "invest_done_cny",
    "schedule_gap",
)


def rank_value(result: asof.AsOf, name: str) -> Decimal:
    """The value --rank-by sorts on (undefined rates last)."""
    source = result.plan if hasattr(result.plan, name) else result.kpis
    value = getattr(source, name)
    return Decimal(-(10**18)) if value is None else Decimal(value)


def summarise(
    dimension: str, cohort: DealFilter | None = None, day: datetime.date | None = None, rank_by: str | None = None
) -> list[SummaryRow]:
    """One row per group of `dimension`, then the 合计 row of the whole cohort.

    Groups are in name order (pinyin), or by `rank_by` descending. InvalidInput for an unknown dimension or KPI.
    """
    if dimension not in DIMENSIONS:
        raise InvalidInput(
            _("A report is one of {choices}, not {value!r}").format(choices=", ".join(DIMENSIONS), value=dimension)
        )
    if rank_by is not None and rank_by not in RANKABLE:
        raise InvalidInput(
            _("--rank-by is one of {choices}, not {value!r}").format(choices=", ".join(RANKABLE), value=rank_by)
        )
    cohort = cohort or DealFilter()
    day = day or datetime.date.today()
    rows = [SummaryRow(label, result, lights=lit) for label, (result, lit) in _grouped(cohort, day, dimension).items()]
    if rank_by:
        rows.sort(key=lambda r: (-rank_value(r.result, rank_by), r.label))
    else:
        rows.sort(key=lambda r: (r.label == NONE_LABEL, name_order(r.label), r.label))
    rows.append(
        SummaryRow(
            _("Total"),
            asof.compute(cohort, day),
            total=True,
            lights=traffic.counts(cohort, day).get(None, traffic.LightCounts()),
        )
    )
    return rows
