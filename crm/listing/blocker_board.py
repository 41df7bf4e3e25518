"""Open blockers grouped by the department that must clear them, overdue first.

Two queries whatever the size of the ledger: the counts per department
(grouped by the database) and the most urgent blockers of each department
(ranked by the database with a window function, up to a limit per
department; the counts say how many there are in all).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from peewee import Case, fn

from db.models import Blocker, Deal, Department

PER_DEPARTMENT = 50


@dataclass(frozen=True)
class OpenBlocker:
    id: int
    text: str
    deal_code: str
    deal_name: str
    department: str
    raised_on: datetime.date
    due_on: datetime.date | None
    version: int

    def overdue_days(self, today: datetime.date) -> int:
        """Days past the due date (0 when not overdue)."""
        return max((today - self.due_on).days, 0) if self.due_on else 0


@dataclass
class DepartmentBlockers:
    department: str
    open: int
    overdue: int
    blockers: list = field(default_factory=list)


def open_by_department(
    today: datetime.date | None = None, per_department: int = PER_DEPARTMENT
) -> list[DepartmentBlockers]:
    """Departments with open blockers (most overdue first), each with its most urgent blockers: overdue first, then by due date."""
    today = today or datetime.date.today()
    is_open = Blocker.resolved_on.is_null(True) & Blocker.voided_at.is_null(True)  # a voided one counts nowhere
    late = is_open & (Blocker.due_on < today)
    counts = (
        Blocker.select(
            Department.name, fn.COUNT(Blocker.id).alias("n"), fn.SUM(Case(None, [(late, 1)], 0)).alias("late")
        )
        .join(Department, on=(Blocker.department == Department.id))
        .where(is_open)
        .group_by(Department.name)
        .tuples()
    )
    groups = {name: DepartmentBlockers(name, n, int(late or 0)) for name, n, late in counts}
    urgency = [
        Case(None, [(Blocker.due_on < today, 0)], 1),
        Case(None, [(Blocker.due_on.is_null(), 1)], 0),
        Blocker.due_on,
        Blocker.id,
    ]
    rank = fn.ROW_NUMBER().over(partition_by=[Blocker.department], order_by=urgency)
    ranked = Blocker.select(Blocker.id.alias("bid"), rank.alias("n")).where(is_open).alias("ranked")
    rows = (
        Blocker.select(
            Blocker.id,
            Blocker.text,
            Blocker.raised_on,
            Blocker.due_on,
            Blocker.version,
            Deal.code,
            Deal.name.alias("deal_name"),
            Department.name.alias("dept"),
        )
        .join(ranked, on=(ranked.c.bid == Blocker.id))
        .switch(Blocker)
        .join(Deal, on=(Blocker.deal == Deal.id))
        .switch(Blocker)
        .join(Department, on=(Blocker.department == Department.id))
        .where(ranked.c.n <= per_department)
        .order_by(Department.name, ranked.c.n)
        .dicts()
    )
    for r in rows:
        groups[r["dept"]].blockers.append(
            OpenBlocker(
                r["id"], r["text"], r["code"], r["deal_name"], r["dept"], r["raised_on"], r["due_on"], r["version"]
            )
        )
    return sorted(groups.values(), key=lambda g: (-g.overdue, -g.open, g.department))
