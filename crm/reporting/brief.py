"""The paragraph a bureau pastes into its report (截至…，签约项目N个…开工率…).

Every figure is crm.reporting.asof's for the same cohort and date, so the
paragraph says exactly what `crm kpi --as-of` says, and it names the exchange
rates behind its CNY totals.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from crm.foundation.i18n import _
from crm.listing.filters import DealFilter
from crm.reference import fx
from crm.reporting import asof
from crm.values.money import marked_about

YI = Decimal(100_000_000)


def yi(amount: Decimal) -> str:
    """Yuan as 亿元 with two decimals (146.54)."""
    return str((amount / YI).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def percent(rate: Decimal | None) -> str:
    """A ratio as the percentage `crm kpi` prints (82.24%), or — when undefined."""
    if rate is None:
        return "—"
    return f"{(rate * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def compose(result: asof.AsOf) -> str:
    """The paragraph for one as-of result."""
    k, p = result.kpis, result.plan
    text = _(
        "As of {year}/{month}/{day}: {deals} deals signed, total investment {total} hundred million yuan; "
        "{planned} planned to start this year, {started} started, start rate {start_rate}; "
    ).format(
        year=result.day.year,
        month=result.day.month,
        day=result.day.day,
        deals=k.deals,
        total=marked_about(yi(k.total_cny), k.approximate),
        planned=p.planned_starts,
        started=p.started_on_plan,
        start_rate=percent(p.start_plan_rate),
    )
    gap = p.schedule_gap
    if gap is None:
        text += _("investment completed {done} hundred million yuan, no annual plan recorded; ").format(
            done=yi(p.invest_done_cny)
        )
    else:
        ahead = _("ahead of") if gap >= 0 else _("behind")
        text += _(
            "investment completed {done} hundred million yuan, {rate} of the annual plan, "
            "{ahead} the schedule by {gap} percentage points; "
        ).format(
            done=yi(p.invest_done_cny),
            rate=percent(p.invest_plan_rate),
            ahead=ahead,
            gap=abs(gap).quantize(Decimal("0.01")),
        )
    text += _("{raised} problems raised, {resolved} resolved, resolution rate {rate}.").format(
        raised=k.blockers_raised, resolved=k.blockers_resolved, rate=percent(k.resolution_rate)
    )
    if k.fx_used:
        text += _("(Exchange rates: {rates})").format(rates="; ".join(fx.describe_rate(r) for r in k.fx_used))
    return text


def brief(cohort: DealFilter | None = None, day: datetime.date | None = None) -> str:
    """The paragraph for `cohort` as of `day` (default today)."""
    return compose(asof.compute(cohort, day or datetime.date.today()))
