"""The paragraph a bureau pastes into its report (截至…，签约项目N个…开工率…).

Every figure is crm.reporting.asof's for the same cohort and date, so the
paragraph says exactly what `crm kpi --as-of` says, and it names the exchange
rates behind its CNY totals. A rate whose denominator is zero is said in words
(本年无计划开工项目，不计开工率), never as a bare dash.
"""

import datetime
from decimal import Decimal

from crm.foundation.i18n import _
from crm.listing.filters import DealFilter
from crm.reference import fx
from crm.reporting import asof, kpi
from crm.values.money import percent_text, yi_in_words


def _starts(p: asof.PlanFigures) -> str:
    """The 开工率 clause: started ÷ planned, or, with nothing planned to start this year, that in words."""
    if not p.planned_starts:
        return _("no project was planned to start this year, so there is no start rate; ")
    return _("{planned} planned to start this year, {started} started, start rate {start_rate}; ").format(
        planned=p.planned_starts, started=p.started_on_plan, start_rate=percent_text(p.start_plan_rate)
    )


def _investment(p: asof.PlanFigures) -> str:
    """The 完成投资 clause: against the annual plan and the schedule, or that no annual plan is recorded."""
    gap = p.schedule_gap
    if gap is None:
        return _("investment completed {done}, no annual plan recorded; ").format(done=yi_in_words(p.invest_done_cny))
    return _(
        "investment completed {done}, {rate} of the annual plan, {ahead} the schedule by {gap} percentage points; "
    ).format(
        done=yi_in_words(p.invest_done_cny),
        rate=percent_text(p.invest_plan_rate),
        ahead=_("ahead of") if gap >= 0 else _("behind"),
        gap=abs(gap).quantize(Decimal("0.01")),
    )


def _problems(k: kpi.Kpis) -> str:
    """The 办结率 clause: resolved ÷ raised, or, with no problem raised, that in words."""
    if not k.blockers_raised:
        return _("{raised} problems raised, so there is no resolution rate.").format(raised=k.blockers_raised)
    return _("{raised} problems raised, {resolved} resolved, resolution rate {rate}.").format(
        raised=k.blockers_raised, resolved=k.blockers_resolved, rate=percent_text(k.resolution_rate)
    )


def compose(result: asof.AsOf) -> str:
    """The paragraph for one as-of result."""
    k, p, day = result.kpis, result.plan, result.day
    text = _("As of {date}: {deals} deals signed, total investment {total}; ").format(
        date=day.isoformat(),
        year=day.year,
        month=day.month,
        day=day.day,
        deals=k.deals,
        total=yi_in_words(k.total_cny, k.approximate),
    )
    text += _starts(p) + _investment(p) + _problems(k)
    if k.fx_used:
        rates = "; ".join(fx.describe_rate(r) for r in k.fx_used)
        text = _("{paragraph} (Exchange rates: {rates})").format(paragraph=text, rates=rates)
    return text


def brief(cohort: DealFilter | None = None, day: datetime.date | None = None) -> str:
    """The paragraph for `cohort` as of `day` (default today)."""
    return compose(asof.compute(cohort, day or datetime.date.today()))
