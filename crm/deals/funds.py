"""Funds arrived (到位资金): one row per arrival; a deal's funds are their sum.

Each arrival is converted to CNY at its own date's rate, so 资金到位率 compares
like with like even for USD deals.
"""

import datetime
from collections.abc import Callable
from typing import Any

from crm.audit import log as audit
from crm.foundation.config import current_actor
from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.foundation.text import clean_text
from crm.reference import fx
from crm.reference.lookup import deal_by_code
from crm.values.money import parse_amount
from db.connection import writing
from db.models import FundsArrived


def money_columns(deal, amount_text: str, on: datetime.date, convert: Callable = fx.convert) -> dict[str, Any]:
    """The money columns of a row for `deal` (amount, currency, amount_cny, fx_rate) holding `amount_text`.

    An amount without a currency is in the deal's currency; it is converted at `on` by `convert`
    (fx.convert leaves amount_cny None while no rate covers the day, fx.convert_or_refuse raises MissingRate).
    """
    money = parse_amount(amount_text, default_currency=deal.currency)
    cny, rate = convert(money.amount, money.currency, on)
    return {"amount": money.amount, "currency": money.currency, "amount_cny": cny, "fx_rate": rate}


def money_text(columns: dict[str, Any]) -> str:
    """The amount of money_columns() as the audit trail writes it: "50000000.00 CNY"."""
    return f"{columns['amount']} {columns['currency']}"


def record_funds(
    code: str, amount_text: str, on: datetime.date | None = None, note: str = "", actor: str | None = None
) -> FundsArrived:
    """Record an arrival of funds for deal `code`. An amount without a currency is in the deal's currency."""
    note = clean_text(note, _("Note"), max_length=2000, multiline=True)
    actor = actor or current_actor()
    today = datetime.date.today()
    on = on or today
    if on > today:
        raise InvalidInput(
            _("Funds cannot have arrived on {day}, which is after today ({today})").format(
                day=on.isoformat(), today=today.isoformat()
            )
        )
    with writing():
        deal = deal_by_code(code)
        # Refused now, with the command that adds the rate, rather than breaking every later KPI and report.
        columns = money_columns(deal, amount_text, on, fx.convert_or_refuse)
        row = FundsArrived.create(deal=deal, arrived_on=on, **columns, note=note, recorded_by=actor)
        audit.record("funds_arrived", row.id, {"amount": (None, money_text(columns))}, actor)
    return row


def funds_of(deal) -> list[FundsArrived]:
    """A deal's arrivals, oldest first."""
    return list(
        FundsArrived.select().where(FundsArrived.deal == deal).order_by(FundsArrived.arrived_on, FundsArrived.id)
    )
