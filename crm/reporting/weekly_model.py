"""What a weekly table is made of (crm.reporting.weekly builds it): weeks, rows, progress, problems, the summary."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import repeat
from typing import Any

from crm.listing.filters import DealFilter
from crm.reporting import kpi
from crm.values.dates import last_complete_week, parse_week, week_of
from crm.values.money import Money
from db.models import Deal

#: Stages that leave the table unless something happened that week.

FINISHED = ("operating", "terminated")


@dataclass(frozen=True)
class Week:
    """An ISO week, Monday to Sunday."""

    monday: datetime.date
    sunday: datetime.date

    @property
    def year(self) -> int:
        return self.monday.isocalendar()[0]

    @property
    def number(self) -> int:
        return self.monday.isocalendar()[1]

    @property
    def key(self) -> str:
        """2020-W21."""
        return f"{self.year}-W{self.number:02d}"

    @property
    def next_monday(self) -> datetime.date:
        return self.sunday + datetime.timedelta(days=1)

    def __contains__(self, day: datetime.date) -> bool:
        return self.monday <= day <= self.sunday


def resolve_week(text: str | None = None, today: datetime.date | None = None) -> Week:
    """The week named by `text` (2020-W21, 2020年第21周 or any date in it); the last complete week when None."""
    if text is None or not str(text).strip():
        return Week(*last_complete_week(today))
    return Week(*parse_week(str(text), today))


def week_containing(day: datetime.date) -> Week:
    return Week(*week_of(day))


@dataclass
class Progress:
    """One thing that happened to a deal during the week.

    kind: "new" (the deal's first ledger entry), "stage", "blocker_raised",
    "blocker_resolved", "funds" or "log" (an entry of the progress log: `text`, by `note`).
    """

    on: datetime.date
    kind: str
    stage_from: str | None = None
    stage_to: str | None = None
    note: str = ""
    text: str = ""
    department: str = ""
    money: Money | None = None
    amount_cny: Decimal | None = None
    order: tuple = ()


@dataclass
class Problem:
    """A blocker open at the end of the week."""

    id: int
    text: str
    department: str
    raised_on: datetime.date
    due_on: datetime.date | None
    overdue: bool


@dataclass
class Row:
    seq: int
    id: int
    code: str
    name: str
    investor: str
    region: str
    industry: str
    sub_industry: str
    event: str | None
    event_on: datetime.date | None
    signed_on: datetime.date | None
    amount: Money
    amount_cny: Decimal | None
    fx_rate_id: int | None
    stage: str  # the stage key at the end of the week
    lead_unit: str | None
    supporting: list[str]
    liaison: str | None
    progress: list[Progress] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    signed_on_month: bool = False  # signed_on names its month only (shown as 2025-12, crm.values.dates.date_text)

    @property
    def changed(self) -> bool:
        return bool(self.progress)


#: RowBatch's fields: Row's, in Row's order.
ROW_FIELDS = tuple(Row.__dataclass_fields__)


@dataclass
class RowBatch:
    """Consecutive rows of the table column by column: each field holds, in the rows' order, the values of Row's
    field of that name, except that `supporting` holds tuples and `progress` and `problems` None for a row with
    none. Equal values are often one shared object (amounts, days, department lists), and nothing is made per row,
    so a writer can turn whole columns into text at once; rows() gives the same rows as Row objects.
    `signed_on_month` is None when no row's signing date names its month only (nearly every batch), so that a
    writer tests it once a batch."""

    seq: Sequence[int]
    id: Sequence[int]
    code: Sequence[str]
    name: Sequence[str]
    investor: Sequence[str]
    region: Sequence[str]
    industry: Sequence[str]
    sub_industry: Sequence[str]
    event: Sequence[str | None]
    event_on: Sequence[datetime.date | None]
    signed_on: Sequence[datetime.date | None]
    amount: Sequence[Money]
    amount_cny: Sequence[Decimal | None]
    fx_rate_id: Sequence[int | None]
    stage: Sequence[str]
    lead_unit: Sequence[str | None]
    supporting: Sequence[tuple[str, ...]]
    liaison: Sequence[str | None]
    progress: Sequence[list[Progress] | None]
    problems: Sequence[list[Problem] | None]
    signed_on_month: Sequence[bool] | None = None

    def __len__(self) -> int:
        return len(self.id)

    def rows(self) -> list[Row]:
        """The batch's rows as Row objects (each with lists of its own for supporting, progress and problems)."""
        columns = [getattr(self, name) for name in ROW_FIELDS[:-1]]  # but signed_on_month, the last: maybe None
        months = repeat(False) if self.signed_on_month is None else map(bool, self.signed_on_month)
        return [
            Row(*values[:16], list(values[16]), values[17], values[18] or [], values[19] or [], month)
            for *values, month in zip(*columns, months)
        ]

    @classmethod
    def of_rows(cls, rows: Sequence[Row]) -> RowBatch:
        """The rows `rows` as one batch."""
        columns = list(zip(*[[getattr(row, name) for name in ROW_FIELDS] for row in rows])) or [()] * len(ROW_FIELDS)
        batch = cls(*columns)
        batch.supporting = [tuple(names) for names in batch.supporting]
        batch.progress = [p or None for p in batch.progress]
        batch.problems = [p or None for p in batch.problems]
        batch.signed_on_month = batch.signed_on_month if any(batch.signed_on_month) else None
        return batch


def batches_of_rows(rows: Iterable[Row], size: int = 2000) -> Iterator[RowBatch]:
    """`rows` in batches of at most `size`."""
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield RowBatch.of_rows(chunk)
            chunk = []
    if chunk:
        yield RowBatch.of_rows(chunk)


@dataclass
class WeekActivity:
    """What happened to the cohort's deals during the week."""

    new_deals: int = 0
    stage_changes: int = 0
    blockers_raised: int = 0
    blockers_resolved: int = 0
    funds_arrivals: int = 0
    funds_cny: Decimal = Decimal(0)


@dataclass
class Summary:
    rows: int
    total_cny: Decimal
    by_currency: dict  # currency -> amount in that currency, over the rows
    approximate: bool  # some row's amount was written as 117亿余元
    by_stage: dict  # stage key -> (rows, CNY total), in stage order
    week: WeekActivity
    kpis_week_end: kpi.Kpis
    kpis_now: kpi.Kpis
    now: datetime.date
    fx_used: list  # fx.RateUsed: the rates used by the rows and by both sets of KPIs
    approximate_currencies: frozenset = frozenset()  # currencies of the rows written as 117亿余元
    approximate_stages: frozenset = frozenset()  # stages (by_stage's keys) of the rows written as 117亿余元
    rows_fx_used: list = field(default_factory=list)  # fx.RateUsed: the rates the listed rows (and 合计) used


@dataclass
class WeeklyTable:
    """A week's table: `rows` a list (build()) or an iterator read once (stream()).

    A streamed table's rows can be read as Row objects (`rows`) or as RowBatches (`row_batches()`), not both:
    either reads the same rows from the ledger once.
    """

    week: Week
    scope: DealFilter
    rows: Iterable[Row]
    generated_on: datetime.date
    summary_of: Callable[[], Summary]
    expected_rows: int = 0  # an upper bound of the number of rows, for progress reports
    batches: Iterator[RowBatch] | None = None  # stream()'s rows as batches, the source `rows` reads from
    #: stream()'s: split(write, waiting) asks for the rows' second range in a child process (crm.reporting.
    #: weekly_split), before the rows are read; the Part to append its text from, or None (one process).
    split: Callable[..., Any] | None = None

    def row_batches(self) -> Iterator[RowBatch]:
        """The rows in RowBatches, in order: a streamed table's as they are read from the ledger, else `rows`'."""
        if self.batches is not None:
            return self.batches
        return batches_of_rows(self.rows)

    @property
    def summary(self) -> Summary:
        """The summary under the table; with stream(), once every row has been read."""
        return self.summary_of()

    @property
    def as_of(self) -> datetime.date:
        """The day the table describes the end of."""
        return self.week.sunday


# ---- building -------------------------------------------------------------


# Rows are read straight from the cursor and only the columns that need it are converted: Peewee's
# per-column conversion of every fetched value cost more than the queries themselves on a ledger of
# 15,000 deals.
_cents = Deal.amount.python_value
