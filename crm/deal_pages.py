"""The deal list, one page at a time: keyset-paged queries, counts and totals.

A list of a million deals never loads the whole ledger. A screen asks for
the rows it shows, by position; `DealWindow` turns a position into a query
that starts from a neighbouring row it already holds (keyset pagination:
`WHERE (sort value, id) > (the last row's)`), and falls back to OFFSET only
for a jump into the middle (a scrollbar drag). Counts, CNY totals and the
per-stage / per-region sums are computed by the database.

Each sort is a column expression plus the deal id as tie-breaker. Deals with
no value for a nullable sort column (no signing date, no exchange rate, no
event) always come last, in either direction: they form a second segment
that is fetched by id, so that both segments page through plain indexes.

Every query here is one statement for a whole page: no query per row.
Nothing here knows about the terminal; the TUI calls it from a worker thread.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from decimal import Decimal

from peewee import JOIN, Case, fn

from crm.deal_query import DealFilter
from crm.stages import STAGES
from db.models import Blocker, Deal, Department, Event

PAGE_SIZE = 100

Lead = Department.alias("lead")


@dataclass(frozen=True)
class ListFilter(DealFilter):
    """A DealFilter that can also name one event exactly (by id).

    DealFilter.event matches by substring, so 中国·廊坊国际经济贸易洽谈会 also
    finds its 2019 edition; a quick filter picked from a list means exactly one.
    """

    event_id: int | None = None

    def condition(self):
        base = super().condition()
        if self.event_id is None:
            return base
        exact = Deal.event == self.event_id
        return exact if base is None else base & exact


@dataclass(frozen=True)
class SortSpec:
    key: str
    nullable: bool
    descending: bool  # the direction the list opens with when sorted by this column


# In the order of the list's columns. "days" sorts by stage_since, inverted:
# most days in stage first means the oldest stage_since first.
SORTS: dict[str, SortSpec] = {
    s.key: s
    for s in (
        SortSpec("code", False, False),
        SortSpec("name", False, False),
        SortSpec("region", False, False),
        SortSpec("event", True, False),
        SortSpec("signed", True, True),
        SortSpec("amount", True, True),
        SortSpec("stage", False, False),
        SortSpec("days", False, True),
        SortSpec("blockers", False, True),
        SortSpec("lead", True, False),
    )
}
DEFAULT_SORT = "signed"


def _open_blockers():
    return Blocker.select(fn.COUNT(Blocker.id)).where(
        (Blocker.deal == Deal.id) & Blocker.resolved_on.is_null(True)
    )


def _sort_expr(key: str):
    """(expression, inverted): the column a sort orders by."""
    if key == "code":
        return Deal.code, False
    if key == "name":
        return Deal.name, False
    if key == "region":
        return Deal.region, False
    if key == "event":
        return Event.name, False
    if key == "signed":
        return Deal.signed_on, False
    if key == "amount":
        return Deal.amount_cny, False
    if key == "stage":
        return Case(Deal.stage, [(s.key, n) for n, s in enumerate(STAGES)], len(STAGES)), False
    if key == "days":
        return Deal.stage_since, True
    if key == "blockers":
        return fn.COALESCE(_open_blockers(), 0), False
    if key == "lead":
        return Lead.name, False
    raise ValueError(f"unknown sort {key!r}")


@dataclass(frozen=True)
class DealRow:
    """One line of the deal list."""

    id: int
    code: str
    name: str
    region: str
    event: str | None
    signed_on: datetime.date | None
    amount: Decimal
    currency: str
    approximate: bool
    amount_cny: Decimal | None
    stage: str
    stage_since: datetime.date
    open_blockers: int
    lead_unit: str | None
    key: tuple = field(repr=False, compare=False, default=())

    def days_in_stage(self, today: datetime.date) -> int:
        return (today - self.stage_since).days


@dataclass(frozen=True)
class Order:
    """A sort of the list: a column of SORTS and a direction."""

    key: str = DEFAULT_SORT
    descending: bool | None = None  # None: the column's own default

    @property
    def spec(self) -> SortSpec:
        return SORTS[self.key]

    @property
    def is_descending(self) -> bool:
        return self.spec.descending if self.descending is None else self.descending

    def reversed(self) -> Order:
        return Order(self.key, not self.is_descending)


def _select(flt: DealFilter, sort_expr):
    query = (
        Deal.select(
            Deal.id, Deal.code, Deal.name, Deal.region, Deal.signed_on, Deal.amount, Deal.currency,
            Deal.amount_approximate, Deal.amount_cny, Deal.stage, Deal.stage_since,
            Event.name.alias("event_name"), Lead.name.alias("lead_name"),
            _open_blockers().alias("open_blockers"), sort_expr.alias("sort_value"),
        )
        .join(Event, JOIN.LEFT_OUTER, on=(Deal.event == Event.id))
        .switch(Deal)
        .join(Lead, JOIN.LEFT_OUTER, on=(Deal.lead_unit == Lead.id))
    )
    return flt.apply(query)


def _rows(query) -> list[DealRow]:
    # Peewee converts the aliased sort column like its field (dates, cents → Decimal).
    out = []
    for r in query.dicts():
        out.append(
            DealRow(
                id=r["id"], code=r["code"], name=r["name"], region=r["region"], event=r["event_name"],
                signed_on=r["signed_on"], amount=r["amount"], currency=r["currency"],
                approximate=bool(r["amount_approximate"]), amount_cny=r["amount_cny"], stage=r["stage"],
                stage_since=r["stage_since"], open_blockers=int(r["open_blockers"] or 0), lead_unit=r["lead_name"],
                key=(r["sort_value"], r["id"]),
            )
        )
    return out


def _direction(order: Order) -> bool:
    """True when the SQL runs descending (the days column sorts its date the other way)."""
    _expr, inverted = _sort_expr(order.key)
    return order.is_descending != inverted


def _segment_query(flt, order: Order, nulls: bool, after: tuple | None, backwards: bool):
    """Rows of one segment (non-null sort values, or null ones) after `after` in the walking direction."""
    expr, _inverted = _sort_expr(order.key)
    desc = _direction(order) != backwards
    query = _select(flt, expr)
    if order.spec.nullable:
        query = query.where(expr.is_null(nulls))
    if nulls:
        ordering = [Deal.id.desc() if desc else Deal.id.asc()]
        if after is not None:
            query = query.where(Deal.id < after[1] if desc else Deal.id > after[1])
    else:
        ordering = [expr.desc() if desc else expr.asc(), Deal.id.desc() if desc else Deal.id.asc()]
        if after is not None:
            value, ident = after
            beyond = (expr < value) if desc else (expr > value)
            tie = (Deal.id < ident) if desc else (Deal.id > ident)
            query = query.where(beyond | ((expr == value) & tie))
    return query.order_by(*ordering)


def page_after(flt: DealFilter, order: Order, key: tuple | None = None, limit: int = PAGE_SIZE) -> list[DealRow]:
    """Up to `limit` rows following the row with sort key `key` (from the top when None)."""
    nullable = order.spec.nullable
    in_nulls = key is not None and nullable and key[0] is None
    rows: list[DealRow] = []
    if not in_nulls:
        rows = _rows(_segment_query(flt, order, False, key, False).limit(limit))
    if nullable and len(rows) < limit:
        after = key if in_nulls else None
        rows += _rows(_segment_query(flt, order, True, after, False).limit(limit - len(rows)))
    return rows


def page_before(flt: DealFilter, order: Order, key: tuple | None = None, limit: int = PAGE_SIZE) -> list[DealRow]:
    """Up to `limit` rows preceding the row with sort key `key` (the end of the list when None), in list order."""
    nullable = order.spec.nullable
    in_values = key is not None and (not nullable or key[0] is not None)
    rows: list[DealRow] = []
    if nullable and not in_values:
        rows = _rows(_segment_query(flt, order, True, key, True).limit(limit))
    if len(rows) < limit:
        after = key if in_values else None
        rows += _rows(_segment_query(flt, order, False, after, True).limit(limit - len(rows)))
    rows.reverse()
    return rows


def page_at(flt: DealFilter, order: Order, offset: int, limit: int = PAGE_SIZE) -> list[DealRow]:
    """Up to `limit` rows from position `offset`: OFFSET, for a jump far from any row already fetched."""
    if offset <= 0:
        return page_after(flt, order, None, limit)
    expr, _inverted = _sort_expr(order.key)
    if order.spec.nullable:
        valued = flt.apply(
            Deal.select(fn.COUNT(Deal.id))
            .join(Event, JOIN.LEFT_OUTER, on=(Deal.event == Event.id))
            .switch(Deal)
            .join(Lead, JOIN.LEFT_OUTER, on=(Deal.lead_unit == Lead.id))
            .where(expr.is_null(False))
        ).scalar()
        if offset >= valued:
            return _rows(_segment_query(flt, order, True, None, False).limit(limit).offset(offset - valued))
    rows = _rows(_segment_query(flt, order, False, None, False).limit(limit).offset(offset))
    if order.spec.nullable and len(rows) < limit:
        rows += _rows(_segment_query(flt, order, True, None, False).limit(limit - len(rows)))
    return rows


def first_rows(flt: DealFilter, order: Order = Order(), limit: int = PAGE_SIZE) -> list[DealRow]:
    """The first `limit` rows of the list."""
    return page_after(flt, order, None, limit)


# ---- counts and totals ------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    """How many deals a filter shows and their total in CNY."""

    deals: int
    total_cny: Decimal
    unconverted: int  # deals with no exchange rate for their date: not in total_cny
    approximate: bool = False  # some amount was written as 117亿余元


def count(flt: DealFilter) -> int:
    """The number of deals `flt` lets through."""
    return flt.apply(Deal.select(fn.COUNT(Deal.id))).scalar() or 0


def totals(flt: DealFilter) -> Totals:
    """Count and CNY total of the deals `flt` lets through, in one query."""
    row = flt.apply(
        Deal.select(fn.COUNT(Deal.id).alias("n"), fn.SUM(Deal.amount_cny).alias("cny"),
                    fn.COUNT(Deal.amount_cny).alias("converted"),
                    fn.MAX(Case(None, [(Deal.amount_approximate, 1)], 0)).alias("approx"))
    ).namedtuples().get()
    n = row.n or 0
    return Totals(n, Deal.amount_cny.python_value(row.cny) or Decimal(0), n - (row.converted or 0), bool(row.approx))


@dataclass(frozen=True)
class Group:
    """A group of deals (a stage, a region) with its count and CNY total."""

    key: str
    deals: int
    total_cny: Decimal
    unconverted: int


def _grouped(flt: DealFilter, column, signed_only: bool) -> list[Group]:
    query = Deal.select(column.alias("k"), fn.COUNT(Deal.id).alias("n"), fn.SUM(Deal.amount_cny).alias("cny"),
                        fn.COUNT(Deal.amount_cny).alias("converted"))
    if signed_only:
        query = query.where(Deal.stage != "negotiating")
    query = flt.apply(query).group_by(column)
    return [
        Group(r.k, r.n, Deal.amount_cny.python_value(r.cny) or Decimal(0), r.n - r.converted)
        for r in query.namedtuples()
    ]


def stage_totals(flt: DealFilter) -> dict[str, Group]:
    """Count and CNY total per stage (every stage present, in stage order), for the board."""
    found = {g.key: g for g in _grouped(flt, Deal.stage, signed_only=False)}
    return {s.key: found.get(s.key, Group(s.key, 0, Decimal(0), 0)) for s in STAGES}


def region_totals(flt: DealFilter, signed_only: bool = True) -> list[Group]:
    """Count and CNY total per region, largest total first (signed deals only, as in the KPIs)."""
    groups = _grouped(flt, Deal.region, signed_only)
    return sorted(groups, key=lambda g: (-g.total_cny, g.key))


# ---- what the quick filters offer ----------------------------------------


def regions() -> list[str]:
    """Every region a deal names, in order."""
    return [r for (r,) in Deal.select(Deal.region).distinct().where(Deal.region != "").order_by(Deal.region).tuples()]


def industries() -> list[str]:
    """Every industry a deal names, in order."""
    return [r for (r,) in Deal.select(Deal.industry).distinct().where(Deal.industry != "").order_by(Deal.industry).tuples()]


# ---- the window a list shows ------------------------------------------------


@dataclass(frozen=True)
class PageRequest:
    """Which query fills which positions: 'after' / 'before' a key, 'first', 'last', or 'offset'."""

    kind: str
    start: int  # the first position the rows fill ('before' and 'last': the one after the last)
    limit: int
    key: tuple | None = None


def fetch(flt: DealFilter, order: Order, request: PageRequest) -> list[DealRow]:
    """Run `request` (in the thread that owns the database connection)."""
    if request.kind in ("after", "first"):
        return page_after(flt, order, request.key, request.limit)
    if request.kind in ("before", "last"):
        return page_before(flt, order, request.key, request.limit)
    return page_at(flt, order, request.start, request.limit)


class DealWindow:
    """The rows of one list (a filter and an order) that have been fetched, by position.

    Not thread-safe on purpose: the screen asks `request_for` and `store` from
    its own thread and runs `fetch` elsewhere. At most `max_rows` rows are
    kept; the ones farthest from the last fetch are dropped first.
    """

    def __init__(self, flt: DealFilter, order: Order, page_size: int = PAGE_SIZE, max_rows: int = 5000):
        self.filter = flt
        self.order = order
        self.page_size = page_size
        self.max_rows = max_rows
        self.count: int | None = None
        self.rows: dict[int, DealRow] = {}

    def get(self, index: int) -> DealRow | None:
        return self.rows.get(index)

    def request_for(self, start: int, stop: int) -> PageRequest | None:
        """The query that fills the first gap in positions [start, stop), or None when all are held."""
        if self.count is not None:
            stop = min(stop, self.count)
        missing = [i for i in range(max(start, 0), stop) if i not in self.rows]
        if not missing:
            return None
        first, last = missing[0], missing[-1]
        # Only the first contiguous gap: the next call fills the rest.
        gap_end = first
        while gap_end + 1 <= last and gap_end + 1 not in self.rows:
            gap_end += 1
        size = max(self.page_size, gap_end - first + 1)
        if first - 1 in self.rows:
            return PageRequest("after", first, size, self.rows[first - 1].key)
        if gap_end + 1 in self.rows:
            return PageRequest("before", gap_end + 1, size, self.rows[gap_end + 1].key)
        if first == 0:
            return PageRequest("first", 0, size)
        if self.count is not None and gap_end >= self.count - 1:
            return PageRequest("last", self.count, max(size, self.count - first))
        return PageRequest("offset", first, size)

    def store(self, request: PageRequest, rows: list[DealRow]) -> range:
        """Put the rows a request returned at their positions; returns the positions filled."""
        if request.kind in ("before", "last"):
            start = request.start - len(rows)
        else:
            start = request.start
        for i, row in enumerate(rows, start):
            self.rows[i] = row
        if request.kind in ("after", "first", "offset") and len(rows) < request.limit and self.count is None:
            self.count = start + len(rows)  # reached the end: now we know how many there are
        self._trim(start)
        return range(start, start + len(rows))

    def _trim(self, centre: int) -> None:
        if len(self.rows) <= self.max_rows:
            return
        for index in sorted(self.rows, key=lambda i: -abs(i - centre))[: len(self.rows) - self.max_rows]:
            del self.rows[index]

    def refreshed(self, flt: DealFilter | None = None, order: Order | None = None) -> DealWindow:
        """An empty window for the same list (or another filter / order): after a change, fetch again."""
        return DealWindow(flt or self.filter, order or self.order, self.page_size, self.max_rows)


def with_stage(flt: DealFilter, stage: str) -> DealFilter:
    """`flt` narrowed to one stage (a board column)."""
    return replace(flt, stage=stage)


@dataclass(frozen=True)
class BoardColumn:
    """One stage of the board: its count and CNY total, and its first cards."""

    stage: str
    totals: Group
    rows: list


def board(flt: DealFilter, per_stage: int = 50, order: Order = Order()) -> list[BoardColumn]:
    """Every stage with its totals (one grouped query) and up to `per_stage` deals (one page query each)."""
    groups = stage_totals(flt)
    return [
        BoardColumn(key, group, first_rows(with_stage(flt, key), order, per_stage) if group.deals else [])
        for key, group in groups.items()
    ]
