"""What a row says beyond the deal's own fields: its progress text and its funds arrived so far."""

from __future__ import annotations

import datetime
from decimal import Decimal

from crm.deals.funds import record_funds
from crm.deals.progress import record_progress
from crm.foundation.text import folded
from crm.values.money import Money
from db.models import Deal, FundsArrived, Progress


def add_progress_once(deal_id: int, text: str, on: datetime.date, actor: str) -> int:
    """Record `text` as a progress entry of the deal dated `on` unless the deal already has that text; 1 if added."""
    key = folded(text)
    known = {folded(t) for (t,) in Progress.select(Progress.text).where(Progress.deal == deal_id).tuples()}
    if key in known:
        return 0
    record_progress(deal_id, text, on, actor)
    return 1


def record_cumulative_funds(deal_id: int, total: Money, on: datetime.date, actor: str) -> str | None:
    """Funds arrived up to now are `total`: record what the ledger does not hold yet, in `total`'s currency.

    Returns the amount recorded as text, or None when the ledger already holds as much (a file imported
    again adds nothing; a smaller figure than the ledger holds changes nothing either).
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
        return None
    code = Deal.select(Deal.code).where(Deal.id == deal_id).scalar()
    text = f"{difference}{total.currency}"
    record_funds(code, text, on=on, note="", actor=actor)
    return text
