"""KPIs period by period: each row is crm.reporting.asof on the period's last day."""

import datetime

from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.listing.filters import DealFilter
from crm.reporting import asof

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
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            nxt = datetime.date(year + month // 12, month % 12 + 1, 1)
            ends.append(nxt - datetime.timedelta(days=1))
            year, month = nxt.year, nxt.month
    if len(ends) > MAX_PERIODS:
        raise InvalidInput(_("A series has at most {n} periods").format(n=MAX_PERIODS))
    return ends


def series(kind: str, first: datetime.date, last: datetime.date, cohort: DealFilter | None = None) -> list[asof.AsOf]:
    """One as-of result per period, oldest first."""
    return [asof.compute(cohort, end) for end in period_ends(kind, first, last)]
