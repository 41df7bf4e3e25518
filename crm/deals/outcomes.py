"""What a deal command wrote, as plain data for the command line (no database row leaves crm/).

Each function here runs the crm/ write of the same meaning (create_deal, change_stage,
record_funds …) and hands back only the values the command prints: the rows stay in crm/.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from crm.deals import blockers, corrections, stages
from crm.deals.funds import record_funds
from crm.deals.investment import record_invest, set_plan
from crm.deals.progress import record_progress
from crm.deals.records import create_deal, edit_deal
from crm.reference import fx
from crm.reference.lookup import deal_by_code
from crm.values.money import Money


@dataclass(frozen=True)
class SavedDeal:
    """A deal as a command saved it."""

    code: str
    version: int
    archived_on: datetime.date | None
    missing_rate: str | None  # no rate converts its amount yet: the message naming `crm fx set`


def _saved(deal) -> SavedDeal:
    missing = None if deal.amount_cny is not None else str(fx.missing(deal.currency, fx.conversion_day(deal)))
    return SavedDeal(deal.code, deal.version, deal.archived_on, missing)


def new_deal(values: dict, stage: str | None = None, supporting: list[str] = ()) -> SavedDeal:
    """create_deal(values, stage, supporting), as saved."""
    return _saved(create_deal(values, stage=stage, supporting=supporting))


def changed_deal(
    code: str, values: dict, if_version: int | None = None, supporting: list[str] | None = None
) -> SavedDeal:
    """edit_deal(code, values, if_version, supporting): fields and departments in one transaction, as saved."""
    return _saved(edit_deal(code, values, if_version=if_version, supporting=supporting))


def archived_deal(code: str, note: str) -> SavedDeal:
    """corrections.archive_deal(code, note), as saved."""
    return _saved(corrections.archive_deal(code, note=note))


def restored_deal(code: str, note: str = "") -> SavedDeal:
    """corrections.unarchive_deal(code, note), as saved."""
    return _saved(corrections.unarchive_deal(code, note=note))


@dataclass(frozen=True)
class StageMove:
    """An entry of the stage ledger a command appended."""

    from_stage: str | None
    to_stage: str
    effective_on: datetime.date


def _move(entry) -> StageMove:
    return StageMove(entry.from_stage, entry.to_stage, entry.effective_on)


def moved_stage(
    code: str, to: str, on: datetime.date | None = None, note: str = "", expected: str | None = None
) -> StageMove:
    """stages.change_stage(code, to, on, note, expected): the entry appended."""
    return _move(stages.change_stage(code, to, on=on, note=note, expected=expected))


def undone_stage(code: str, note: str) -> StageMove:
    """corrections.undo_stage(code, note): the entry back to the stage before."""
    return _move(corrections.undo_stage(code, note=note))


@dataclass(frozen=True)
class BlockerEntry:
    """A blocker as `crm blocker list` shows it (its fields in the order of the JSON it prints)."""

    id: int
    deal: str  # the deal's code
    text: str
    department: str
    raised_on: datetime.date
    due_on: datetime.date | None
    resolved_on: datetime.date | None
    resolution: str
    overdue: bool


def _blocker(b, today: datetime.date | None = None) -> BlockerEntry:
    """`b` with its deal and department (joined by list_blockers, else read here)."""
    return BlockerEntry(
        id=b.id,
        deal=b.deal.code,
        text=b.text,
        department=b.department.name,
        raised_on=b.raised_on,
        due_on=b.due_on,
        resolved_on=b.resolved_on,
        resolution=b.resolution,
        overdue=blockers.is_overdue(b, today),
    )


def raised_blocker(
    code: str, text: str, department: str, due: datetime.date | None = None, raised: datetime.date | None = None
) -> BlockerEntry:
    """blockers.add_blocker(…): the blocker recorded."""
    return _blocker(blockers.add_blocker(code, text, department, due=due, raised=raised))


def resolved_blocker(
    blocker_id, note: str = "", on: datetime.date | None = None, if_version: int | None = None
) -> BlockerEntry:
    """blockers.resolve_blocker(…): the blocker as resolved."""
    return _blocker(blockers.resolve_blocker(blocker_id, note=note, on=on, if_version=if_version))


def reopened_blocker(blocker_id, note: str) -> BlockerEntry:
    """corrections.reopen_blocker(blocker_id, note): the blocker open again."""
    return _blocker(corrections.reopen_blocker(blocker_id, note=note))


def blocker_entries(
    open_only: bool = False, department: str | None = None, code: str | None = None
) -> list[BlockerEntry]:
    """blockers.list_blockers(…) in its order: open ones first, overdue first, then by due date."""
    today = datetime.date.today()
    return [_blocker(b, today) for b in blockers.list_blockers(open_only=open_only, department=department, code=code)]


@dataclass(frozen=True)
class MoneyEntry:
    """An amount a command recorded or voided: funds arrived, a year's plan, a month's completed investment."""

    id: int
    money: Money  # as recorded; for a voided entry, the amount it held
    on: datetime.date  # the day it is converted at: arrival, 1 January of the plan's year, the month's first day
    missing_rate: str | None  # no rate converts it yet: the message naming `crm fx set`


def _money(row, on: datetime.date, amount: Decimal | None = None) -> MoneyEntry:
    voided = amount is not None
    missing = None if voided or row.amount_cny is not None else str(fx.missing(row.currency, on))
    return MoneyEntry(row.id, Money(amount if voided else row.amount, row.currency), on, missing)


def funds_arrived(code: str, amount_text: str, on: datetime.date | None = None, note: str = "") -> MoneyEntry:
    """record_funds(code, amount_text, on, note): the arrival recorded."""
    row = record_funds(code, amount_text, on=on, note=note)
    return _money(row, row.arrived_on)


def funds_voided(funds_id, note: str) -> MoneyEntry:
    """corrections.void_funds(funds_id, note): the arrival voided, with the amount it had."""
    row = corrections.void_funds(funds_id, note=note)
    return _money(row, row.arrived_on, row.voided_amount)


def plan_set(code: str, year: int, amount_text: str) -> MoneyEntry:
    """set_plan(code, year, amount_text): the year's plan as set."""
    return _money(set_plan(code, year, amount_text), datetime.date(year, 1, 1))


def invest_recorded(code: str, amount_text: str, month: datetime.date) -> MoneyEntry:
    """record_invest(code, amount_text, month): the month's completed investment as set."""
    row = record_invest(code, amount_text, month)
    return _money(row, row.month)


def invest_voided(code: str, month: datetime.date, note: str) -> MoneyEntry:
    """corrections.void_invest(code, month, note): the month's completed investment voided, with what it held."""
    row = corrections.void_invest(code, month, note=note)
    return _money(row, row.month, row.voided_amount)


@dataclass(frozen=True)
class ProgressRecorded:
    """A progress entry a command appended, with its deal's code as stored."""

    code: str
    on: datetime.date


def progress_recorded(code: str, text: str, on: datetime.date, actor: str) -> ProgressRecorded:
    """record_progress for deal `code` (any case): the entry appended."""
    deal = deal_by_code(code)
    entry = record_progress(deal.id, text, on, actor)
    return ProgressRecorded(deal.code, entry.on)
