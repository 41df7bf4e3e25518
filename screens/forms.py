"""Pieces every form uses: a labelled row with a hint that says what was
understood (or what is wrong) as the user types, and the money preview."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Label, Static

from crm.reference import fx
from crm.values.dates import parse_date
from crm.foundation.errors import CrmError
from crm.foundation.i18n import _
from crm.values.money import Money, format_money, parse_amount
from screens import text


class FormRow(Horizontal):
    """Label | field | hint, on one line."""

    def __init__(self, label: str, field: Widget, hint_id: str | None = None, required: bool = False) -> None:
        super().__init__(classes="form-row")
        self._label = label + (" *" if required else "")
        self._field = field
        self._hint_id = hint_id

    def compose(self) -> ComposeResult:
        yield Label(self._label, classes="form-label")
        yield self._field
        yield Static("", id=self._hint_id, classes="form-hint")


def show_hint(hint: Static, message: str = "", error: bool = False) -> None:
    hint.update(message)
    hint.set_class(error, "-error")


def read_date(raw: str, today: datetime.date) -> tuple[datetime.date | None, str, bool]:
    """(date or None, hint, is_error) for a date field as typed; blank is allowed."""
    if not raw.strip():
        return None, "", False
    try:
        value = parse_date(raw, today=today)
    except CrmError as err:
        return None, str(err), True
    return value, value.isoformat(), False


@dataclass(frozen=True)
class AmountReading:
    """What an amount field understood: the money, and its CNY value at a dated rate (if one covers it)."""

    money: Money
    day: datetime.date
    cny: Decimal | None = None
    rate: object = None  # the FxRate used, None for CNY
    missing: str = ""  # why there is no CNY value


def read_amount(raw: str, default_currency: str = "CNY") -> tuple[Money | None, str]:
    """(money, error) for an amount as typed."""
    try:
        return parse_amount(raw, default_currency=default_currency), ""
    except CrmError as err:
        return None, str(err)


def convert_amount(money: Money, day: datetime.date) -> AmountReading:
    """The CNY value of `money` at the rate of `day` (runs in the database thread)."""
    if money.currency == fx.CNY:
        return AmountReading(money, day, money.amount)
    try:
        rate = fx.rate_on(money.currency, day)
    except CrmError as err:
        return AmountReading(money, day, missing=str(err))
    return AmountReading(money, day, fx.to_cny(money.amount, rate), rate)


def amount_hint(reading: AmountReading) -> tuple[str, bool]:
    """1.8亿美元 → USD 180,000,000.00 ≈ 12.79亿元 @ 7.1030 (and whether it is a warning)."""
    m = reading.money
    exact = f"{m.currency} {m.amount:,.2f}"
    shown = format_money(m)
    if reading.missing:
        return _("{typed} → {exact}; {problem}").format(typed=shown, exact=exact, problem=reading.missing), True
    if reading.rate is None:
        line = _("{typed} → {exact} = {yi}").format(typed=shown, exact=exact, yi=text.yi_label(reading.cny))
    else:
        line = _("{typed} → {exact} ≈ {yi} @ {rate}").format(
            typed=shown, exact=exact, yi=text.yi_label(reading.cny), rate=fx.rate_text(reading.rate.rate))
    if m.approximate:
        line += " " + _("(at least: written as approximate)")
    return line, False
