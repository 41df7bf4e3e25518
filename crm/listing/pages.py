"""The deal list, one page at a time: keyset-paged queries, counts and totals.

A list of a million deals never loads the whole ledger. A screen asks for
the rows it shows, by position; `DealWindow` turns a position into a query
that starts from a neighbouring row it already holds (keyset pagination:
`WHERE (sort value, id) > (the last row's)`), and falls back to OFFSET only
for a jump into the middle (a scrollbar drag). Counts, CNY totals and the
per-stage / per-region sums are computed by the database.

Each sort is a few segments (see Segment), each ordered by a column and the
deal id as tie-breaker, so that every page walks an index: deals with no
value for a nullable column (no signing date, no exchange rate, no event)
always come last, in either direction; the stage sort walks stage by stage.

Every query here is one statement for a whole page: no query per row.
Nothing here knows about the terminal; the TUI calls it from a worker thread.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from decimal import Decimal

from peewee import JOIN, Asc, Case, Desc, fn

from crm.deals.stages import STAGES, parse_stage
from crm.listing import kept_totals as cohort_totals
from crm.listing import search
from crm.listing.filters import DealFilter
from crm.reference.names_in_use import industries, regions  # noqa: F401  (the list's filter choices)
from db.dialects import dialect_of
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

    def unarchived(self):
        """Archived deals left out, but for one whose code is searched exactly: a code typed whole finds its deal."""
        code = (self.search or "").strip()
        if not code:
            return super().unarchived()
        return super().unarchived() | Deal.code.in_(sorted({code, code.upper()}))

    def condition(self):
        base = super().condition()
        if self.event_id is None:
            return base
        exact = Deal.event == self.event_id
        return exact if base is None else base & exact


@dataclass(frozen=True)
class SortSpec:
    key: str
    descending: bool  # the direction the list opens with when sorted by this column


# In the order of the list's columns.
SORTS: dict[str, SortSpec] = {
    s.key: s
    for s in (
        SortSpec("code", False),
        SortSpec("name", False),
        SortSpec("region", False),
        SortSpec("event", False),
        SortSpec("signed", True),
        SortSpec("amount", True),
        SortSpec("stage", False),
        SortSpec("days", True),
        SortSpec("blockers", True),
        SortSpec("lead", False),
    )
}
DEFAULT_SORT = "signed"


def _is_open():
    """A blocker open (unresolved) and not voided: a voided one counts nowhere."""
    return Blocker.resolved_on.is_null(True) & Blocker.voided_at.is_null(True)


def _open_blockers():
    """The number of open blockers of the deal in the outer query (a correlated subquery, per row of a page)."""
    return Blocker.select(fn.COUNT(Blocker.id)).where((Blocker.deal == Deal.id) & _is_open())


def _open_counts():
    """Deals with open blockers and how many: a derived table, as small as the open blockers are few."""
    return (
        Blocker.select(Blocker.deal.alias("deal_id"), fn.COUNT(Blocker.id).alias("n"))
        .where(_is_open())
        .group_by(Blocker.deal)
        .alias("open_counts")
    )


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
    key: tuple = field(repr=False, compare=False, default=())  # (segment, sort value, id)
    # Filled by crm.listing.marks (and the light by the screen, from crm.reporting.lights) for the rows shown:
    progress: str | None = None  # the newest progress entry's text
    quiet_days: int | None = None  # set when the deal is stale: days since its last event
    light: str | None = None  # "yellow" or "red"; None when green or without a light
    archived: bool = False  # listed with archived deals (ListFilter.archived, or its code searched exactly)
    signed_on_month: bool = False  # the signing date names its month only (shown as 2025-12)

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


@dataclass(frozen=True)
class Segment:
    """A run of the list: the deals `where` selects, ordered by `expr` then id (by id alone when expr is None).

    Every sort is a few segments, each of which pages through an index:
    a nullable column is its values, then the deals without one (always
    last); the stage sort is one segment per stage, in stage order; the
    open-blockers sort is the deals with open blockers (counted in a small
    derived table), then the deals without.
    """

    where: object = None
    expr: object = None
    counts: object = None  # the derived table of open-blocker counts to join, for that sort


def _segments(order: Order) -> list[Segment]:
    key, desc = order.key, order.is_descending
    if key == "stage":
        stages = [Segment(Deal.stage == s.key) for s in STAGES]
        return stages[::-1] if desc else stages
    if key == "blockers":
        counts = _open_counts()
        with_open = Segment(expr=counts.c.n, counts=counts)
        without = Segment(where=Deal.id.not_in(Blocker.select(Blocker.deal).where(_is_open())))
        return [with_open, without] if desc else [without, with_open]
    simple = {"code": Deal.code, "name": Deal.name, "region": Deal.region, "days": Deal.stage_since}
    if key in simple:
        return [Segment(expr=simple[key])]
    # The values are selected by the value itself (so the planner walks its index, e.g. event names
    # then their deals), the rest by the deal's own column (its index holds the NULLs).
    value, column = {
        "event": (Event.name, Deal.event),
        "signed": (Deal.signed_on, Deal.signed_on),
        "amount": (Deal.amount_cny, Deal.amount_cny),
        "lead": (Lead.name, Deal.lead_unit),
    }[key]
    return [Segment(where=value.is_null(False), expr=value), Segment(where=column.is_null(True))]


def ordering(order: Order, event_name=Event.name, lead_name=Lead.name, open_blockers=None) -> list:
    """ORDER BY terms that give, in one query, the order the list's segments give page by page.

    The CLI's whole-list output (`crm deals --sort KEY [--reverse]`) streams one
    query in this order, so it lists the deals exactly as the TUI's list does.
    `event_name`, `lead_name` and `open_blockers` are the caller's expressions for
    those columns (its joins); `open_blockers` defaults to a correlated count.
    """
    desc, key = _direction(order), order.key
    by_id = Deal.id.desc() if desc else Deal.id.asc()

    def directed(expr):
        return Desc(expr) if desc else Asc(expr)

    if key == "stage":
        return [directed(Case(Deal.stage, [(s.key, i) for i, s in enumerate(STAGES)])), by_id]
    if key == "blockers":
        return [directed(open_blockers if open_blockers is not None else _open_blockers()), by_id]
    simple = {"code": Deal.code, "name": Deal.name, "region": Deal.region, "days": Deal.stage_since}
    if key in simple:
        return [directed(simple[key]), by_id]
    value = {"event": event_name, "signed": Deal.signed_on, "amount": Deal.amount_cny, "lead": lead_name}[key]
    if desc == (dialect_of().name == "sqlite"):
        # The backend puts NULLs last this way already (SQLite's are lowest, PostgreSQL's highest): without
        # the IS NULL term an index on the column gives the order, and no sort is needed.
        return [directed(value), by_id]
    return [value.is_null().asc(), directed(value), by_id]  # the deals without a value last, as their segment is


def _direction(order: Order) -> bool:
    """True when the SQL runs descending (the days column sorts its date the other way: most days first)."""
    return order.is_descending != (order.key == "days")


def _columns(segment: Segment) -> list:
    """The columns of a page's rows (and the segment's sort value, for the key)."""
    columns = [
        Deal.id,
        Deal.code,
        Deal.name,
        Deal.region,
        Deal.signed_on,
        Deal.signed_on_month,
        Deal.amount,
        Deal.currency,
        Deal.amount_approximate,
        Deal.amount_cny,
        Deal.stage,
        Deal.stage_since,
        Deal.archived_on,
        Event.name.alias("event_name"),
        Lead.name.alias("lead_name"),
        _open_blockers().alias("open_blockers"),
    ]
    if segment.expr is not None:
        columns.append(segment.expr.alias("sort_value"))
    return columns


def _joins(query, segment: Segment):
    """`query` on Deal with the event and lead unit joined (the names shown and sorted by), and the segment's counts."""
    query = (
        query.join(Event, JOIN.LEFT_OUTER, on=(Deal.event == Event.id))
        .switch(Deal)
        .join(Lead, JOIN.LEFT_OUTER, on=(Deal.lead_unit == Lead.id))
    )
    if segment.counts is not None:
        query = query.switch(Deal).join(segment.counts, on=(segment.counts.c.deal_id == Deal.id))
    return query


def _joined(query, flt: DealFilter, segment: Segment, join_search: bool = False):
    """`query` on Deal with its joins (see _joins), narrowed to a segment and the filter (DealFilter.apply)."""
    query = _joins(query, segment)
    if segment.where is not None:
        query = query.where(segment.where)
    return flt.apply(query, join_search)


def _rows(query, index: int) -> list[DealRow]:
    # Peewee converts the aliased sort column like its field (dates, cents → Decimal).
    out = []
    for r in query.dicts():
        out.append(
            DealRow(
                id=r["id"],
                code=r["code"],
                name=r["name"],
                region=r["region"],
                event=r["event_name"],
                signed_on=r["signed_on"],
                amount=r["amount"],
                currency=r["currency"],
                approximate=bool(r["amount_approximate"]),
                amount_cny=r["amount_cny"],
                stage=r["stage"],
                stage_since=r["stage_since"],
                open_blockers=int(r["open_blockers"] or 0),
                lead_unit=r["lead_name"],
                key=(index, r.get("sort_value"), r["id"]),
                archived=r["archived_on"] is not None,
                signed_on_month=bool(r["signed_on_month"]),
            )
        )
    return out


def _segment_query(flt, order: Order, segment: Segment, after: tuple | None, backwards: bool, limit: int, offset=0):
    """Up to `limit` rows of one segment from `offset`, after `after` = (value, id) in the walking direction.

    A search whose matches are found through the search index (search.sorts_matches) sorts them: its
    order is written so that no index can give it (the database would walk that index instead, past
    every deal ahead of the first match), and the page's ids are found first, so that its columns, the
    joined names and the open blockers are read for the page's rows alone, not for every match.
    """
    desc = _direction(order) != backwards
    sorted_matches = search.sorts_matches(flt.search)
    expr = segment.expr
    ident = fn.COALESCE(Deal.id, Deal.id) if sorted_matches else Deal.id
    by_id = ident.desc() if desc else ident.asc()
    if expr is None:
        terms = [by_id]
    else:
        sort = fn.COALESCE(expr, expr) if sorted_matches else expr
        terms = [sort.desc() if desc else sort.asc(), by_id]
    found = (
        _joined(Deal.select(Deal.id), flt, segment, join_search=True)
        if sorted_matches
        else _joined(Deal.select(*_columns(segment)), flt, segment)
    )
    if after is not None:
        found = found.where(_beyond(expr, after, desc))
    found = found.order_by(*terms).limit(limit)
    if offset:
        found = found.offset(offset)
    if not sorted_matches:
        return found
    order_by = [expr.desc() if desc else expr.asc()] if expr is not None else []
    order_by.append(Deal.id.desc() if desc else Deal.id.asc())
    return _joins(Deal.select(*_columns(segment)), segment).where(Deal.id.in_(found)).order_by(*order_by)


def _beyond(expr, after: tuple, desc: bool):
    """The rows past `after` = (sort value, id) in the walking direction (by id alone when `expr` is None)."""
    value, ident = after
    tie = (Deal.id < ident) if desc else (Deal.id > ident)
    if expr is None:
        return tie
    beyond = (expr < value) if desc else (expr > value)
    return beyond | ((expr == value) & tie)


def page_after(flt: DealFilter, order: Order, key: tuple | None = None, limit: int = PAGE_SIZE) -> list[DealRow]:
    """Up to `limit` rows following the row with sort key `key` (from the top when None)."""
    segments = _segments(order)
    first = key[0] if key else 0
    rows: list[DealRow] = []
    for index in range(first, len(segments)):
        after = key[1:] if key and index == first else None
        rows += _rows(_segment_query(flt, order, segments[index], after, False, limit - len(rows)), index)
        if len(rows) >= limit:
            break
    return rows


def page_before(flt: DealFilter, order: Order, key: tuple | None = None, limit: int = PAGE_SIZE) -> list[DealRow]:
    """Up to `limit` rows preceding the row with sort key `key` (the end of the list when None), in list order."""
    segments = _segments(order)
    last = key[0] if key else len(segments) - 1
    rows: list[DealRow] = []
    for index in range(last, -1, -1):
        after = key[1:] if key and index == last else None
        rows += _rows(_segment_query(flt, order, segments[index], after, True, limit - len(rows)), index)
        if len(rows) >= limit:
            break
    rows.reverse()
    return rows


def _segment_count(flt: DealFilter, segment: Segment) -> int:
    return _joined(Deal.select(fn.COUNT(Deal.id)), flt, segment).scalar() or 0


def page_at(flt: DealFilter, order: Order, offset: int, limit: int = PAGE_SIZE) -> list[DealRow]:
    """Up to `limit` rows from position `offset`: OFFSET, for a jump far from any row already fetched."""
    if offset <= 0:
        return page_after(flt, order, None, limit)
    segments = _segments(order)
    for index, segment in enumerate(segments):
        size = _segment_count(flt, segment) if index < len(segments) - 1 else None
        if size is not None and offset >= size:
            offset -= size
            continue
        rows = _rows(_segment_query(flt, order, segment, None, False, limit, offset), index)
        if len(rows) < limit and rows:
            rows += page_after(flt, order, rows[-1].key, limit - len(rows))
        return rows
    return []


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
    kept = cohort_totals.grouped(flt)
    if kept is not None:
        return sum(s.deals for s in kept)
    with search.counting():
        query = flt.apply(Deal.select(fn.COUNT(Deal.id)), join_search=True)
    return query.scalar() or 0


def totals(flt: DealFilter) -> Totals:
    """Count and CNY total of the deals `flt` lets through, in one query."""
    kept = cohort_totals.grouped(flt)
    if kept is not None:
        return _summed(kept)
    with search.counting():
        query = flt.apply(
            Deal.select(
                fn.COUNT(Deal.id).alias("n"),
                fn.SUM(Deal.amount_cny).alias("cny"),
                fn.COUNT(Deal.amount_cny).alias("converted"),
                fn.MAX(Case(None, [(Deal.amount_approximate, 1)], 0)).alias("approx"),
            ),
            join_search=True,
        )
    row = query.namedtuples().get()
    n = row.n or 0
    return Totals(n, Deal.amount_cny.python_value(row.cny) or Decimal(0), n - (row.converted or 0), bool(row.approx))


def totals_and_negotiating(flt: DealFilter) -> tuple[Totals, int]:
    """totals(flt), and how many of its deals are 在谈 (the list counts deals not yet signed, which the Dashboard
    and the reports leave out): one query of the kept totals by stage where they answer `flt` (the first page's);
    a search's counts its 在谈 deals apart, and only when the ledger has any."""
    kept = cohort_totals.grouped(flt, by=("stage",))
    if kept is None:
        shown = totals(flt)
        if flt.stage:  # one stage shown: all or none of them are 在谈
            return shown, shown.deals if parse_stage(flt.stage).key == "negotiating" else 0
        if not shown.deals or not count(DealFilter(stage="negotiating")):
            return shown, 0
        return shown, count(with_stage(flt, "negotiating"))
    return _summed(kept), sum(s.deals for s in kept if s.key == ("negotiating",))


def _summed(kept: list) -> Totals:
    """The Totals of the kept totals' rows `kept` (crm.listing.kept_totals.grouped)."""
    n = sum(s.deals for s in kept)
    return Totals(
        n,
        Deal.amount_cny.python_value(sum(s.amount_cny for s in kept)),
        n - sum(s.converted for s in kept),
        any(s.approximate for s in kept),
    )


# ---- what the quick filters offer ----------------------------------------


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


def home_page() -> tuple[ListFilter, Order, PageRequest, list[DealRow]]:
    """The home list's first page: every deal in the default order, and the filter, order and request it answers."""
    flt, order = ListFilter(), Order()
    request = PageRequest("first", 0, PAGE_SIZE)
    return flt, order, request, fetch(flt, order, request)


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
