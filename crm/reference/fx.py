"""Dated exchange rates and conversion to CNY.

A conversion uses the latest rate on or before the date asked for. When
none exists the error names the currency and date and says how to add one —
never a silent 0 or 1. Converted amounts are rounded to the fen (四舍五入)
when the conversion is made, so that stored CNY equivalents sum exactly.

Deals convert at their signing date (the date entered for deals not yet
signed), funds at their arrival date. Adding or changing a rate re-converts
every deal and arrival it now covers, in the same transaction.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from crm.foundation.errors import InvalidInput, MissingRate
from crm.foundation.i18n import _
from crm.values.dates import month_end
from crm.values.money import CURRENCIES
from db.connection import hold_name, writing
from db.models import Deal, FundsArrived, FxRate, InvestmentDone, InvestmentPlan

CNY = "CNY"
FEN = Decimal("0.01")
# No currency the ledger knows is worth more than a few dozen yuan; the cap
# also keeps the largest amount money.py accepts (10^13 units) storable in
# CNY fen in a 64-bit column (10^13 × 1000 × 100 = 10^18 < 9.2 × 10^18).
MAX_RATE = Decimal("1000")


def check_currency(code: str) -> str:
    """The ISO code in upper case, refusing currencies the ledger does not know."""
    cur = (code or "").strip().upper()
    if cur not in CURRENCIES:
        raise InvalidInput(
            _("Unknown currency {code!r}; use one of: {codes}").format(code=code, codes=", ".join(CURRENCIES))
        )
    return cur


def parse_rate(text) -> Decimal:
    """A rate typed by a user: a positive number of CNY per unit, at most 6 decimals."""
    try:
        rate = Decimal(str(text).strip())
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or rate <= 0 or rate > MAX_RATE or rate.as_tuple().exponent < -6:
        raise InvalidInput(
            _(
                "Cannot read the rate {text!r}: write CNY per one unit, a positive number with at most 6 decimals, e.g. 7.1030"
            ).format(text=str(text))
        )
    return rate


def hold_rates(currency: str, alone: bool = False) -> None:
    """Until the transaction ends, keep `currency`'s rates as this transaction reads them (PostgreSQL).

    A conversion holds them shared; a rate set or voided holds them `alone` and re-converts what it covers.
    Either the rate change waits for a conversion to commit and re-converts what it wrote, or the conversion
    waits for the change and reads the new rate: else a deal whose amount an officer edited while another
    set its currency's rate kept the CNY amount of the rate replaced.
    """
    hold_name(f"fx rates {currency}", shared=not alone)


def rate_on(currency: str, day: datetime.date) -> FxRate | None:
    """The latest rate for `currency` on or before `day`, or None (CNY needs none)."""
    if currency == CNY:
        return None
    hold_rates(currency)
    rate = (
        FxRate.select()
        .where((FxRate.currency == currency) & (FxRate.on <= day) & FxRate.voided_at.is_null(True))
        .order_by(FxRate.on.desc())
        .first()
    )
    if rate is None:
        raise missing(currency, day)
    return rate


def missing(currency: str, day: datetime.date) -> MissingRate:
    """The error for a conversion no rate covers."""
    return MissingRate(
        _("No {currency} exchange rate on or before {day}; add one with: crm fx set {currency} {day} RATE").format(
            currency=currency, day=day.isoformat()
        )
    )


def to_cny(amount: Decimal, rate: FxRate | None) -> Decimal:
    """`amount` in CNY at `rate` (None for an amount already in CNY), rounded to the fen."""
    if rate is None:
        return amount
    return (amount * rate.rate).quantize(FEN, rounding=ROUND_HALF_UP)


def convert(amount: Decimal, currency: str, day: datetime.date) -> tuple[Decimal | None, FxRate | None]:
    """(CNY amount, rate used) for a record; (None, None) when no rate covers the day yet."""
    try:
        rate = rate_on(currency, day)
    except MissingRate:
        return None, None
    return to_cny(amount, rate), rate


def convert_or_refuse(amount: Decimal, currency: str, day: datetime.date) -> tuple[Decimal, FxRate | None]:
    """(CNY amount, rate used); MissingRate naming the `crm fx set` command when no rate covers the day.

    Used where an amount is entered (a deal, funds): an amount no rate covers
    would leave every KPI and report of the shared ledger unable to total it.
    """
    rate = rate_on(currency, day)
    return to_cny(amount, rate), rate


def conversion_day(deal: Deal) -> datetime.date:
    """The date a deal's amount is converted at: its signing date, else the day it was entered."""
    return deal.signed_on or deal.created_at.date()


def set_rate(currency: str, on: datetime.date, rate, source: str = "") -> FxRate:
    """Add or replace the rate for `currency` on `on`, then re-convert what it covers."""
    currency = check_currency(currency)
    if currency == CNY:
        raise InvalidInput(_("CNY is the reporting currency and needs no rate"))
    from crm.audit import log as audit
    from crm.foundation.config import current_actor

    value = parse_rate(rate)
    with writing():
        hold_rates(currency, alone=True)
        existing = FxRate.get_or_none((FxRate.currency == currency) & (FxRate.on == on))
        if existing:
            was = _audit_text(existing)
            existing.rate, existing.source = value, source or existing.source
            # setting a voided rate's day again brings it back with the new value
            existing.voided_at, existing.voided_by, existing.void_note = None, "", ""
            existing.save()
            row = existing
        else:
            was, row = None, FxRate.create(currency=currency, on=on, rate=value, source=source)
        reconvert(currency, on)
        audit.record("fx_rate", row.id, {"rate": (was, _audit_text(row))}, current_actor())
    return row


def _audit_text(row: FxRate) -> str:
    return f"{row.currency} {row.on.isoformat()} {rate_text(row.rate)}"


def record_rate(currency: str, on: datetime.date, rate, source: str = "") -> str:
    """set_rate for screens and the CLI: the saved rate as reports name it."""
    return describe_rate(set_rate(currency, on, rate, source))


#: A rate that differs from the currency's newest by more than this share is asked about before it is saved.
UNUSUAL_CHANGE = Decimal("0.20")


def rate_questions(currency: str, on: datetime.date, rate) -> list[str]:
    """What a person should confirm before set_rate(currency, on, rate): empty when nothing looks odd.

    Three slips are caught: a rate typed per 100 units (710.30, as the People's
    Bank quotes, for 7.1030), a rate more than UNUSUAL_CHANGE away from the
    currency's newest, and a rate that replaces the one already set for that day.
    """
    currency = check_currency(currency)
    value = parse_rate(rate)
    newest = FxRate.select().where(FxRate.currency == currency).order_by(FxRate.on.desc()).first()
    questions = []
    per_unit = value / 100
    if newest is not None and abs(per_unit - newest.rate) <= newest.rate * UNUSUAL_CHANGE:
        questions.append(
            _("{rate} looks like a rate per 100 {currency}; per unit that is {unit}").format(
                rate=rate_text(value), currency=currency, unit=rate_text(per_unit)
            )
        )
    elif newest is None and value >= 100:
        questions.append(
            _("{rate} CNY for one {currency} is unusually high: is it per 100 units ({unit})?").format(
                rate=rate_text(value), currency=currency, unit=rate_text(per_unit)
            )
        )
    elif newest is not None and abs(value - newest.rate) > newest.rate * UNUSUAL_CHANGE:
        questions.append(
            _("{rate} differs by more than {share:.0%} from the newest {currency} rate, {old} of {day}").format(
                rate=rate_text(value),
                share=UNUSUAL_CHANGE,
                currency=currency,
                old=rate_text(newest.rate),
                day=newest.on.isoformat(),
            )
        )
    same_day = FxRate.get_or_none((FxRate.currency == currency) & (FxRate.on == on))
    if same_day is not None and same_day.rate != value:
        questions.append(
            _("it replaces the rate {old} set for {day}").format(old=rate_text(same_day.rate), day=on.isoformat())
        )
    return questions


def reconvert(currency: str, since: datetime.date) -> int:
    """Re-convert deals, funds, year plans and completed investment in `currency` dated from `since` up to the next rate; return how many changed.

    MissingRate when no rate covers `since` and something dated from then on needs one.
    """
    try:
        rate = rate_on(currency, since)
    except MissingRate:
        rate = None
    following = (
        FxRate.select(FxRate.on)
        .where((FxRate.currency == currency) & (FxRate.on > since) & FxRate.voided_at.is_null(True))
        .order_by(FxRate.on)
        .first()
    )
    until = following.on if following else datetime.date.max
    start = datetime.datetime.combine(since, datetime.time.min)
    end = datetime.datetime.combine(until, datetime.time.min) if following else datetime.datetime.max
    signed_in_range = Deal.signed_on.between(since, until - datetime.timedelta(days=1))
    entered_in_range = Deal.signed_on.is_null(True) & (Deal.created_at >= start) & (Deal.created_at < end)
    changed, rate_id = 0, rate.id if rate else None
    for deal in (
        Deal.select(Deal.id, Deal.amount, Deal.amount_cny, Deal.fx_rate)
        .where((Deal.currency == currency) & (signed_in_range | entered_in_range))
        .iterator()
    ):
        if rate is None:
            raise missing(currency, since)  # a deal is never left without a rate (refused at entry too)
        cny = to_cny(deal.amount, rate)
        if cny != deal.amount_cny or deal.fx_rate_id != rate.id:
            Deal.update(amount_cny=cny, fx_rate=rate).where(Deal.id == deal.id).execute()
            changed += 1
    for funds in (
        FundsArrived.select(FundsArrived.id, FundsArrived.amount, FundsArrived.amount_cny, FundsArrived.fx_rate)
        .where(
            (FundsArrived.currency == currency) & (FundsArrived.arrived_on >= since) & (FundsArrived.arrived_on < until)
        )
        .iterator()
    ):
        if rate is None and funds.amount:  # a voided arrival holds 0 and needs no rate
            raise missing(currency, since)
        cny = to_cny(funds.amount, rate)
        if cny != funds.amount_cny or funds.fx_rate_id != rate_id:
            FundsArrived.update(amount_cny=cny, fx_rate=rate).where(FundsArrived.id == funds.id).execute()
            changed += 1
    return changed + _reconvert_investment(currency, rate, since, until)


def _reconvert_investment(currency: str, rate: FxRate | None, since: datetime.date, until: datetime.date) -> int:
    """Re-convert the year plans (converted on 1 January) and the completed investment (converted at its
    month's end, crm.deals.investment) whose conversion day falls in [since, until); how many changed."""
    first_year = since.year if (since.month, since.day) == (1, 1) else since.year + 1
    plans = InvestmentPlan.select().where((InvestmentPlan.currency == currency) & (InvestmentPlan.year >= first_year))
    if until != datetime.date.max:
        plans = plans.where(InvestmentPlan.year <= until.year)
    # a month is stored as its first day; its conversion day, the month's end, is at most 30 days later
    done = InvestmentDone.select().where(
        (InvestmentDone.currency == currency)
        & (InvestmentDone.month >= since - datetime.timedelta(days=31))
        & (InvestmentDone.month < until)
    )
    changed = 0
    for query, day_of in (
        (plans, lambda row: datetime.date(row.year, 1, 1)),
        (done, lambda row: month_end(row.month)),
    ):
        for row in query.iterator():
            if not since <= day_of(row) < until:
                continue
            # plans and completed investment may wait for a rate (crm.deals.investment converts them so)
            cny = to_cny(row.amount, rate) if rate is not None or not row.amount else None
            if cny != row.amount_cny or row.fx_rate_id != (rate.id if rate else None):
                type(row).update(amount_cny=cny, fx_rate=rate).where(type(row).id == row.id).execute()
                changed += 1
    return changed


def void_rate(currency: str, on: datetime.date, note: str, actor: str | None = None) -> FxRate:
    """Void the rate for `currency` set on `on`: it stays listed, marked, and what it converted is re-converted
    at the rate before it, in one transaction with an audit entry.

    Refuses (InvalidInput) a missing note, a rate already voided, and a void
    that would leave deals, funds or investment with no rate at all (set
    the right rate first: `crm fx set` replaces it).
    """
    from crm.audit import log as audit
    from crm.foundation.config import current_actor
    from crm.foundation.errors import NotFound
    from crm.foundation.text import clean_text

    currency = check_currency(currency)
    note = clean_text(note, _("Note"), max_length=2000, required=True, multiline=True)
    actor = actor or current_actor()
    with writing():
        hold_rates(currency, alone=True)
        row = FxRate.get_or_none((FxRate.currency == currency) & (FxRate.on == on))
        if row is None:
            raise NotFound(
                _("No {currency} rate was set on {day}; `crm fx list` shows them").format(
                    currency=currency, day=on.isoformat()
                )
            )
        if row.voided_at is not None:
            raise InvalidInput(
                _("The {currency} rate of {day} was already voided on {at}").format(
                    currency=currency, day=on.isoformat(), at=row.voided_at
                )
            )
        row.voided_at, row.voided_by, row.void_note = datetime.datetime.now().replace(microsecond=0), actor, note
        row.save()
        try:
            reconvert(currency, on)
        except MissingRate:
            raise InvalidInput(
                _(
                    "Voiding the {currency} rate of {day} would leave entries with no rate: set the right rate "
                    "instead (on the Rates screen: a; on the command line: crm fx set {currency} {day} RATE)"
                ).format(currency=currency, day=on.isoformat())
            ) from None
        audit.record("fx_rate", row.id, {"voided": (None, f"{_audit_text(row)}: {note}")}, actor)
    return row


def list_rates(currency: str | None = None) -> list[FxRate]:
    """All rates, by currency then date."""
    query = FxRate.select().order_by(FxRate.currency, FxRate.on)
    if currency:
        query = query.where(FxRate.currency == check_currency(currency))
    return list(query)


def rate_text(rate: Decimal) -> str:
    """A rate as quoted: at least 4 decimals (7.1030), more only when it has them."""
    shown = rate.normalize()
    if -shown.as_tuple().exponent < 4:
        shown = shown.quantize(Decimal("0.0001"))
    return f"{shown:f}"


@dataclass(frozen=True)
class RateUsed:
    """An exchange rate a figure was converted at, as reports name it (plain data, not a database row)."""

    id: int
    currency: str
    on: datetime.date
    rate: Decimal
    source: str


def rates_used(condition) -> list[RateUsed]:
    """The rates `condition` (on FxRate) selects, by currency and date."""
    columns = (FxRate.id, FxRate.currency, FxRate.on, FxRate.rate, FxRate.source)
    query = FxRate.select(*columns).where(condition).order_by(FxRate.currency, FxRate.on)
    return [RateUsed(*row) for row in query.tuples()]


def describe_rate(rate: RateUsed | FxRate) -> str:
    """`USD 2020-05-18 7.1030 (source)` — how reports name the rate they used."""
    text = f"{rate.currency} {rate.on.isoformat()} {rate_text(rate.rate)}"
    return f"{text} ({rate.source})" if rate.source else text
