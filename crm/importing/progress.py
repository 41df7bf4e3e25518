"""What a row says beyond the deal's own fields: its progress text and its funds arrived so far (and the warning
when the sheet gives those funds only as about a figure)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import NamedTuple

from crm.deals.funds import record_funds
from crm.deals.progress import record_progress
from crm.foundation.i18n import _
from crm.foundation.text import folded
from crm.importing.cells import cell_text
from crm.importing.rows import Problem, RowPlan, _cell_of
from crm.values.money import Money, format_money
from db.models import Deal, FundsArrived, Progress


def add_progress_once(deal_id: int, text: str, on: datetime.date, actor: str) -> int:
    """Record `text` as a progress entry of the deal dated `on` unless the deal already has that text; 1 if added."""
    key = folded(text)
    known = {folded(t) for (t,) in Progress.select(Progress.text).where(Progress.deal == deal_id).tuples()}
    if key in known:
        return 0
    record_progress(deal_id, text, on, actor)
    return 1


class CumulativeFunds(NamedTuple):
    """What record_cumulative_funds did: the amount recorded as text (None: nothing), and what the ledger held
    before in that currency."""

    added: str | None
    held: Decimal


def record_cumulative_funds(deal_id: int, total: Money, on: datetime.date, actor: str) -> CumulativeFunds:
    """Funds arrived up to now are `total`: record what the ledger does not hold yet, in `total`'s currency.

    Nothing is recorded when the ledger already holds as much (a file imported again adds nothing) or more
    (funds are corrected by voiding an entry, never by an import: lower_funds says so).
    """
    held = sum(
        (
            Decimal(a)
            for (a,) in FundsArrived.select(FundsArrived.amount)
            .where((FundsArrived.deal == deal_id) & (FundsArrived.currency == total.currency))
            .tuples()
        ),
        Decimal(0),
    )
    difference = total.amount - held
    if difference <= 0:
        return CumulativeFunds(None, held)
    code = Deal.select(Deal.code).where(Deal.id == deal_id).scalar()
    text = f"{difference}{total.currency}"
    record_funds(code, text, on=on, note="", actor=actor)
    return CumulativeFunds(text, held)


def lower_funds(row: RowPlan, funds: Money, code: str, held: Decimal, labels: dict) -> Problem:
    """The warning of `row`'s cumulative `funds` below what the ledger holds for deal `code` (`held`, in the
    funds' currency): the ledger keeps its figure, and the officer is told how to correct it if the sheet is right."""
    message = _(
        "The sheet gives {sheet} as the funds arrived so far, less than the {held} the ledger holds for {code}: the "
        "ledger keeps {held}; if the sheet is right, void the wrong entries (crm funds void ID --note WHY) and import "
        "the sheet again"
    ).format(
        sheet=format_money(Money(funds.amount, funds.currency)),
        held=format_money(Money(held, funds.currency)),
        code=code,
    )
    return _funds_problem(row, labels, "funds_lower", message)


def approximate_funds(row: RowPlan, funds: Money, labels: dict) -> Problem:
    """The warning of `row`'s `funds` recorded from a cell that gives them as about a figure (约5000万, 近5000万):
    the funds table keeps exact amounts, so the figure is recorded as written and the officer is told."""
    message = _(
        "The funds arrived are not given as an exact figure: recorded as {amount} in all; once the exact figure is "
        "known, void the entry (crm funds void) and record it"
    ).format(amount=format_money(Money(funds.amount, funds.currency)))
    return _funds_problem(row, labels, "approximate_funds", message)


def _funds_problem(row: RowPlan, labels: dict, code: str, message: str) -> Problem:
    """A warning `code` about `row`'s funds cell, saying `message`."""
    label, raw = _cell_of(row, labels, "funds") or (None, None)
    return Problem(row.row, label, cell_text(raw), code, message)
