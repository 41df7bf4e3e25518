"""KPIs period by period: each row is crm.reporting.asof on the period's last day, the last period's cut at
the series' last day (and at today: no row is as of a day still to come)."""

import contextlib
import datetime
from collections.abc import Iterator

from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.listing.filters import DealFilter
from crm.reporting import asof, kept_plans, month_ends
from crm.values.dates import month_end
from db.forking import SharedSnapshot

KINDS = ("weekly", "monthly")
MAX_PERIODS = 400  # eight years of weeks: a longer series is a typo in --from or --to


def period_ends(kind: str, first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The last days (Sundays, or month ends) of the periods from the one holding `first` to the one holding `last`."""
    if kind not in KINDS:
        raise InvalidInput(_("A series is weekly or monthly, not {value!r}").format(value=kind))
    if last < first:
        raise InvalidInput(_("--to ({last}) is before --from ({first})").format(first=first, last=last))
    ends = []
    if kind == "weekly":
        day = first + datetime.timedelta(days=6 - first.weekday())
        while day - datetime.timedelta(days=6) <= last:
            ends.append(day)
            day += datetime.timedelta(days=7)
    else:
        month = first.replace(day=1)
        while month <= last:
            ends.append(month_end(month))
            month = ends[-1] + datetime.timedelta(days=1)
    if len(ends) > MAX_PERIODS:
        raise InvalidInput(_("A series has at most {n} periods").format(n=MAX_PERIODS))
    return ends


def row_days(
    kind: str, first: datetime.date, last: datetime.date, today: datetime.date | None = None
) -> list[datetime.date]:
    """The days a series' rows are as of: period_ends, the last cut at `last` or at `today` (default today), the
    earlier of the two, and no period begun after it. InvalidInput when `first` is after today."""
    today = today or datetime.date.today()
    if first > today:
        raise InvalidInput(_("--from ({first}) is after today ({today})").format(first=first, today=today))
    cut = min(last, today)
    ends = period_ends(kind, first, cut)
    ends[-1] = min(ends[-1], cut)
    return ends


def series(
    kind: str, first: datetime.date, last: datetime.date, cohort: DealFilter | None = None, *, rates: bool = True
) -> list[asof.AsOf]:
    """One as-of result per period, oldest first, on the days of row_days; each names its rates in kpis.fx_used
    unless `rates` is false (a table names the rates of all its periods once: asof.rates_used)."""
    cohort = cohort or DealFilter()
    ends = row_days(kind, first, last)
    with reading(cohort, ends):
        results = [asof.compute(cohort, end, rates=False) for end in ends]
    if rates:
        for result, used in zip(results, rates_each(cohort, ends)):
            result.kpis.fx_used = used
    return results


def rates_each(cohort: DealFilter, days: list[datetime.date]) -> list[list]:
    """asof.rates_used(cohort, [day]) for each of `days`, in their order: a query per day (each tests every rate),
    every other day's run by a side thread at the same moment of the ledger, beside this thread's."""
    with SharedSnapshot() as shared:
        theirs = shared.side(lambda: [asof.rates_used(cohort, [day]) for day in days[1::2]])
        shared.alone()  # nothing is forked: writers need not wait for the rest of the reading
        mine = [asof.rates_used(cohort, [day]) for day in days[0::2]]
        found: list[list] = [[] for _day in days]
        found[0::2], found[1::2] = mine, theirs()
    return found


@contextlib.contextmanager
def reading(cohort: DealFilter, ends: list[datetime.date]) -> Iterator[None]:
    """A block in which the stage totals of `cohort` on each month end of `ends` come from one read
    (crm.reporting.month_ends), and its plan figures and late starts from one read per year (kept_plans):
    for what a caller computes per period beside series(), such as the lights."""
    answerable = bool(ends) and asof.dated_stage_rows(cohort, ends[0], probe=True) is not None
    with month_ends.read_once(cohort, ends, answerable), kept_plans.read_once(ends):
        yield
