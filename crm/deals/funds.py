"""Funds arrived (到位资金): one row per arrival; a deal's funds are their sum.

Each arrival is converted to CNY at its own date's rate, so 资金到位率 compares
like with like even for USD deals.
"""

import datetime

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
        money = parse_amount(amount_text, default_currency=deal.currency)
        # Refused now, with the command that adds the rate, rather than breaking every later KPI and report.
        cny, rate = fx.convert_or_refuse(money.amount, money.currency, on)
        row = FundsArrived.create(
            deal=deal,
            arrived_on=on,
            amount=money.amount,
            currency=money.currency,
            amount_cny=cny,
            fx_rate=rate,
            note=note,
            recorded_by=actor,
        )
        audit.record("funds_arrived", row.id, {"amount": (None, f"{money.amount} {money.currency}")}, actor)
    return row


def funds_of(deal) -> list[FundsArrived]:
    """A deal's arrivals, oldest first."""
    return list(
        FundsArrived.select().where(FundsArrived.deal == deal).order_by(FundsArrived.arrived_on, FundsArrived.id)
    )
