"""SQLite's search table joined to a page's or a count's query, instead of asked for its ids (`id IN (…)`).

Joined, SQLite walks the ids the table yields; asked with IN, it first copies
them all into a temporary index (ZS2021: 91,279 of them) before reading a deal.
Only for a query that ANDs the search's condition with the rest (never ORs it),
as DealFilter.condition does: the deals found are the same either way.
"""

import contextlib
import contextvars
from collections.abc import Iterator

from peewee import Expression, Table

from db.models import Deal

_HITS = Table("deal_search", ("rowid", "deal_search"), alias="search_hit")


class SearchJoin:
    """Whether conditions built inside `joining()` matched in the search table: join it to their query then."""

    def __init__(self) -> None:
        self.used = False

    def matching(self, expression: str) -> Expression:
        """The condition "the joined search table matches the FTS5 `expression`" (each deal once: a row per deal)."""
        self.used = True
        return Expression(_HITS.deal_search, "MATCH", expression)

    def joined(self, query):
        """`query` (a select on Deal) with the search table joined, when a condition matched in it."""
        return query.switch(Deal).join(_HITS, on=(_HITS.rowid == Deal.id)) if self.used else query


_joining: contextvars.ContextVar[SearchJoin | None] = contextvars.ContextVar("crm_search_joining", default=None)


@contextlib.contextmanager
def joining() -> Iterator[SearchJoin]:
    """Conditions built inside may match in the search table rather than ask for its ids: join the one yielded."""
    join = SearchJoin()
    token = _joining.set(join)
    try:
        yield join
    finally:
        _joining.reset(token)


def current() -> SearchJoin | None:
    """The join of the innermost `joining()` (None outside one)."""
    return _joining.get()
