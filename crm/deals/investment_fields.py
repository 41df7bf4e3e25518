"""The audit fields of a deal's plans and completed investment: "plan 2026", "done 2026-03", "done 2026-03 voided".

Written by crm.deals.investment and crm.deals.corrections, read back by the trail and the timeline; a module of
its own so that naming them imports nothing more (the first screen imports the corrections).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class InvestmentField:
    """What an audit field of a plan or a month's investment names: "plan 2026", "done 2026-03 [voided]"."""

    kind: str  # "plan" or "done"
    period: str  # the year (2026) or the month (2026-03)
    voided: bool = False

    def __str__(self) -> str:
        return f"{self.kind} {self.period}" + (" voided" if self.voided else "")


_FIELD = re.compile(r"(plan) (\d{4})$|(done) (\d{4}-\d{2})( voided)?$")


def plan_field(year: int) -> str:
    """The audit field of deal's plan for `year`."""
    return str(InvestmentField("plan", str(year)))


def done_field(month: datetime.date, voided: bool = False) -> str:
    """The audit field of the investment completed in `month` (or of its void)."""
    return str(InvestmentField("done", f"{month:%Y-%m}", voided))


def investment_field(field: str) -> InvestmentField | None:
    """The plan or month an audit field names, or None for any other field."""
    found = _FIELD.match(field)
    if found is None:
        return None
    if found.group(1):
        return InvestmentField("plan", found.group(2))
    return InvestmentField("done", found.group(4), bool(found.group(5)))
