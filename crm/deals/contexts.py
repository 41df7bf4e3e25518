"""What the deal dialogs start from, as plain values (no database rows leave crm/)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from crm.deals import records, stages
from crm.reference import registry
from crm.reference.lookup import deal_by_code


@dataclass(frozen=True)
class StageContext:
    """A deal about to change stage; `before_stall` is the main-line stage it left, when off the line."""

    code: str
    name: str
    stage: str
    stage_since: datetime.date
    before_stall: str | None


@dataclass(frozen=True)
class DepartmentContext:
    """A deal's lead and supporting departments, the names to choose from and the version a save is checked by."""

    names: list
    lead: str
    supporting: list
    version: int


def stage_context(code: str) -> StageContext:
    """The stage of deal `code` and, when it is off the main line, the main-line stage before."""
    deal = deal_by_code(code)
    before = None
    if stages.BY_KEY[deal.stage].order is None:
        main = [e.to_stage for e in stages.ledger(deal) if stages.BY_KEY[e.to_stage].order is not None]
        before = main[-1] if main else None
    return StageContext(deal.code, deal.name, deal.stage, deal.stage_since, before)


def department_context(code: str) -> DepartmentContext:
    """The departments of deal `code`, every department's name, and the deal's version."""
    deal = deal_by_code(code)
    return DepartmentContext(
        [d.name for d in registry.departments()],
        deal.lead_unit.name if deal.lead_unit_id else "",
        [d.name for d in records.supporting_departments(deal)],
        deal.version,
    )


def currency_of(code: str) -> str:
    """The currency of deal `code`'s amount."""
    return deal_by_code(code).currency
