"""Annual investment plans (年度计划投资) and investment completed per month (完成投资).

完成投资 is what a project has built (from its monthly statistics), not money
arrived (到位资金, crm.deals.funds). A deal has at most one plan per year and one
completed figure per month: setting either again replaces it, and the audit
trail keeps the old value. Amounts are converted to CNY at the rate in force
on the last day of the month, and plans at the rate in force when their year
begins (1 January), so that a plan does not move with later rates; rounded to
the fen.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from crm.audit import log as audit
from crm.deals.funds import money_columns, money_text
from crm.deals.investment_fields import done_field, plan_field
from crm.foundation.config import current_actor
from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.reference.lookup import locked_deal
from crm.values.dates import month_end
from db.connection import writing
from db.models import InvestmentDone, InvestmentPlan

_MONTH = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")


def parse_month(text: str) -> datetime.date:
    """The first day of the month written as YYYY-MM (or 2020年4月); InvalidInput otherwise."""
    m = _MONTH.match(text or "")
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
        raise InvalidInput(_("A month is written YYYY-MM (2020-04), not {text!r}").format(text=text))
    return datetime.date(int(m.group(1)), int(m.group(2)), 1)


def check_year(year: int) -> int:
    """`year` if it is a plausible plan year; InvalidInput otherwise."""
    if not isinstance(year, int) or not 1900 <= year <= 2200:
        raise InvalidInput(_("A plan year is a year such as 2020, not {year!r}").format(year=year))
    return year


def _put(model, deal, key: dict, amount_text: str, on: datetime.date, actor: str) -> tuple:
    """The row of `model` for `deal` at `key` (created, or changed but not yet saved) holding `amount_text`
    converted at `on`; the amount it held before (None for a new row); and the amount it holds now."""
    columns = money_columns(deal, amount_text, on)
    field, value = next(iter(key.items()))
    row = model.get_or_none((model.deal == deal) & (getattr(model, field) == value))
    if row is None:
        row = model.create(deal=deal, **key, **columns, recorded_by=actor)
        return row, None, money_text(columns)
    old = f"{row.amount} {row.currency}"
    for name, column_value in columns.items():
        setattr(row, name, column_value)
    row.recorded_by, row.recorded_at = actor, datetime.datetime.now().replace(microsecond=0)
    return row, old, money_text(columns)


def set_plan(code: str, year: int, amount_text: str, actor: str | None = None) -> InvestmentPlan:
    """Set deal `code`'s planned investment for `year` (replacing any earlier plan for that year), audited."""
    year = check_year(year)
    actor = actor or current_actor()
    with writing():
        deal = locked_deal(code)  # a colleague setting the same year at once waits, then replaces this figure
        row, old, new = _put(InvestmentPlan, deal, {"year": year}, amount_text, datetime.date(year, 1, 1), actor)
        row.save()
        audit.record("investment_plan", row.id, {plan_field(year): (old, new)}, actor)
    return row


def record_invest(code: str, amount_text: str, month: datetime.date, actor: str | None = None) -> InvestmentDone:
    """Set the investment deal `code` completed in `month` (replacing that month's figure), audited."""
    month = month.replace(day=1)
    actor = actor or current_actor()
    with writing():
        deal = locked_deal(code)
        row, old, new = _put(InvestmentDone, deal, {"month": month}, amount_text, month_end(month), actor)
        if row.voided_at is not None:  # a voided month set again is a new figure, no longer voided
            old = None
            row.voided_at, row.voided_by, row.void_note = None, "", ""
            row.voided_amount = row.voided_amount_cny = None
        row.save()
        label = done_field(month)
        audit.record("investment_done", row.id, {label: (old, new)}, actor)
    return row


@dataclass(frozen=True)
class YearInvestment:
    """One year of a deal's plan against what it completed: cumulative month by month."""

    year: int
    plan_cny: Decimal | None  # None: no plan for the year, or no rate to convert it yet
    done_cny: Decimal
    rate: Decimal | None  # done ÷ plan, to 4 places, in `rate_currency`
    months: tuple  # ((month, amount Money-like (amount, currency), amount_cny, cumulative_cny), …)
    rate_currency: str = "CNY"  # the plan's currency when it and every month are in it, else CNY


def _ratio(part: Decimal, whole: Decimal | None) -> Decimal | None:
    if not whole:
        return None
    return (part / whole).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def investment_of(deal_id: int) -> list[YearInvestment]:
    """The deal's plans and completed investment per year, oldest year first, with cumulative completion."""
    return investment_and_voided(deal_id)[0]


def investment_and_voided(deal_id: int) -> tuple[list[YearInvestment], list[InvestmentDone]]:
    """investment_of(deal_id), and the deal's voided months of completed investment (crm.deals.corrections)."""
    plans = {p.year: p for p in InvestmentPlan.select().where(InvestmentPlan.deal == deal_id)}
    done: dict[int, list] = {}
    voided = []
    for d in InvestmentDone.select().where(InvestmentDone.deal == deal_id).order_by(InvestmentDone.month):
        if d.voided_at is not None:
            voided.append(d)
        else:
            done.setdefault(d.month.year, []).append(d)
    years = []
    for year in sorted(set(plans) | set(done)):
        cumulative = Decimal("0.00")
        months = []
        for d in done.get(year, []):
            cumulative += d.amount_cny or 0
            months.append((d.month, d.amount, d.currency, d.amount_cny, cumulative))
        plan = plans[year].amount_cny if year in plans else None
        rate, currency = _own_rate(plans.get(year), done.get(year, []), cumulative)
        years.append(
            YearInvestment(
                year=year,
                plan_cny=plan,
                done_cny=cumulative,
                rate=rate,
                months=tuple(months),
                rate_currency=currency,
            )
        )
    return years, voided


def _own_rate(plan: InvestmentPlan | None, done: list, done_cny: Decimal) -> tuple[Decimal | None, str]:
    """(done ÷ plan, the currency) in the plan's currency when it is not CNY and every month is in it too: the
    plan is converted at 1 January's rate and each month at its month-end's, so in CNY a rate's move between
    them would change how much of its plan a deal completed (800万 of a 5000万欧元 plan is 16.00%, not 16.44%).
    Else done_cny ÷ the plan in CNY."""
    if plan is None or plan.currency == "CNY" or any(d.currency != plan.currency for d in done):
        return _ratio(done_cny, plan.amount_cny if plan else None), "CNY"
    return _ratio(sum((d.amount for d in done), start=Decimal(0)), plan.amount), plan.currency
