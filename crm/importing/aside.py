"""What a large import sets aside while it writes, and puts back: SQLite's small page cache (db.page_cache), the deal
table's plain indexes and the triggers that keep the as-of totals (db/stage_days.py) deal by deal.

Into an empty SQLite ledger a bureau's first import writes tens of thousands
of deals: maintained row by row, indexes and kept totals cost more than the
rows. Set aside inside the import's transaction, the indexes are rebuilt from
the rows once at the end and the kept totals filled batch by batch as the
rows are written (KeptDaysAside), so a refused or failed import rolls the
setting aside back with everything else. PostgreSQL: the kept totals'
triggers stand aside for the import's transaction alone and its deals are
filled by their ids (KeptDaysLater); indexes stay.
"""

from __future__ import annotations

import contextlib

from crm.listing.search import SEARCH_DOCUMENT
from db import kept_totals, kept_triggers, page_cache, sqlite_schema, stage_days, supporting_ids
from db.dialects import dialect_of
from db.kept_later import KEPT_LATER, OWN_IDS
from db.models import database

#: SQLite page cache while importing, in KiB: a new deal goes into a dozen indexes at random places, and
#: the default 2 MiB cache re-reads their pages from disk (BENCHMARKS.md, "Import").
IMPORT_CACHE_KIB = 65536


@contextlib.contextmanager
def roomy_cache():
    """A larger SQLite page cache for the duration of an import (PostgreSQL: nothing to do)."""
    with page_cache.sized(IMPORT_CACHE_KIB):
        yield


#: SQLite page cache while importing with the deal table's indexes set aside, in KiB: its new rows and those of
#: the other tables are appended, and the larger cache only grew the process (BENCHMARKS.md, "Import").
APPENDING_CACHE_KIB = 16384


def appending_cache() -> None:
    """Shrink the import's page cache to APPENDING_CACHE_KIB (roomy_cache puts the usual size back at its end)."""
    page_cache.resize(APPENDING_CACHE_KIB)


#: Rows from which an import into an empty SQLite ledger builds the deal table's indexes after the deals.
REBUILD_AT = 5000


def set_indexes_aside(model) -> list[str]:
    """Drop the plain indexes of `model`'s SQLite table for now; returns the statements that re-create them.

    For an import into an empty ledger. Each new deal goes into some twenty
    indexes at scattered places (~50 µs a deal, 5 s of a 100,000-row
    import); built after the rows, by sorting, they take ~2 s. Unique
    indexes stay (they refuse a taken code as they go), and so does the
    whole lot where the planner has statistics (dropping an index drops its
    sqlite_stat1 row). The drop is part of the import's transaction: a
    refused or failed import rolls it back. PostgreSQL: nothing is set aside.
    """
    db = database.obj
    if not dialect_of(db).in_process:
        return []
    table = model._meta.table_name
    if sqlite_schema.has_statistics(db):
        return []
    plain = sqlite_schema.plain_indexes(db, table)
    # In the order they were made, which is the order the planner weighs them in: re-made in it, they are weighed
    # as before. Only those made after every unique index, so that none moves ahead of one.
    aside = []
    for name, sql in sqlite_schema.made(db, "index", tables=[table]):
        if name not in plain:
            aside = []
        else:
            aside.append((name, sql))
    sqlite_schema.drop(db, "index", [name for name, _sql in aside])
    return [sql for _name, sql in aside]


#: The kept tables whose triggers set_kept_days_aside drops (each fires per row and recomputes the deal's share).
_KEPT_DAYS = (stage_days.TABLE, stage_days.EVENTS_TABLE, stage_days.PLAN_TABLE)
#: The trigger adding each new deal to the SQLite search index (migration 0002), and what it indexes of a deal.
SEARCH_TRIGGER = "deal_search_insert"
_SEARCH_FILL = f"INSERT INTO deal_search(rowid, text) SELECT id, {SEARCH_DOCUMENT.format(row='deal')} FROM deal "
#: New deals whose kept totals and search index are filled by one statement each: a fill's cost is mostly per
#: statement and per key it adds to, fewer and larger fills cost less (BENCHMARKS.md, "Import speed", tenth session).
FILL_EVERY = 5000


def _reached_later_fills(postgres: bool) -> list[str]:
    """The as-of totals' share of the new deals that reached their stage after signing (签约, then their stage:
    crm.deals.records.first_entries), which stage_days.new_deals_stage_fill counts as one step from stage_since:
    their whole share added, that one step taken back (their share with no ledger entry before stage_since)."""
    own = OWN_IDS if postgres else "BETWEEN :lo AND :hi"
    later = (
        f"(SELECT * FROM deal WHERE id {own} AND id IN "
        f"(SELECT deal_id FROM stage_change WHERE deal_id {own} AND from_stage IS NOT NULL))"
    )
    none = "(SELECT * FROM stage_change WHERE 1 = 0)"
    return [stage_days.insert(later, "stage_change", "", postgres), stage_days.insert(later, none, "-", postgres)]


_LATER_SQLITE = _reached_later_fills(postgres=False)
_LATER_POSTGRES = _reached_later_fills(postgres=True)


class KeptDaysAside:
    """The kept totals of a first import while their row triggers are set aside: filled batch by batch, then put back.

    The tables held no deal's share before (the ledger had no deals), and the
    fills add to each key, so the totals end as the triggers would have left
    them. The new deals are filled by the writer thread while the next rows
    are checked (`batch`): unless funds arrive later in the import
    (`events_later`), their blockers right after each batch is written; their
    stage steps (a new deal has one) every FILL_EVERY deals. What is left —
    the deals written since the last fill, the funds and blockers then, the
    plan figures — is filled by `catch_up`, which also puts the triggers
    back: at the end, or as soon as the import changes a deal it has written
    (a later row of the file naming it), whose share the fill counted as it
    was. The totals by stage and by cohort (deal_totals,
    deal_cohort_totals, blocker_totals) and the search index (`search`) are
    filled the same way: their insert triggers only (a new deal is never
    updated or deleted by the batches). Until caught up, the new deals are
    in neither: nothing reads them before (the import holds the write lock).
    PostgreSQL's counterpart: KeptDaysLater.
    """

    def __init__(self, tables: set[str], triggers: list[str], events_later: bool, search: bool = False):
        self.tables = tables
        self.triggers = triggers
        self.events_later = events_later
        self.search = search  # the search index's insert trigger is set aside too: filled here
        self.caught_up = False
        self.unfilled: int | None = None  # the first id of the deals written and not filled yet
        self.last = 0  # the last id of the deals written
        self.later = False  # whether a deal not filled yet reached its stage after signing (reached_later)

    def reached_later(self) -> None:
        """Told before `batch` when a deal of the batch reached its stage after signing (two ledger entries): its
        fill then adds what the one step from stage_since leaves out."""
        self.later = True

    def batch(self, ids: list[int]) -> list[tuple[str, dict]]:
        """The statements filling the shares of the new deals with ids `ids` (from first to last), just written
        with their ledger entries (one each, or two: reached_later) and their blockers: their blockers (unless
        `events_later`) at once, the rest (and the search index) for the deals from the first not filled yet to
        the last once they are FILL_EVERY deals (else nothing yet: `catch_up` fills what is left); nothing once
        caught up (the triggers count them). The batches' ids follow one another, the first the id after the last
        batch's."""
        if self.caught_up:
            return []
        first, last = ids[0], ids[-1]
        # The funds and blockers of the batch's deals at once: that fill grows faster than its deals.
        statements = []
        if stage_days.EVENTS_TABLE in self.tables and not self.events_later:
            statements.append((stage_days.events_fill_between(), {"lo": first, "hi": last}))
        if self.unfilled is None:
            self.unfilled = first
        self.last = last
        if last - self.unfilled + 1 >= FILL_EVERY:
            statements += self._fills(self.unfilled, last)
            self.unfilled = None
        return statements

    def _fills(self, first: int, last: int) -> list[tuple[str, dict]]:
        bounds = {"lo": first, "hi": last}
        statements = [(sql, bounds) for table, sql in kept_totals.SQLITE_FILLS_BETWEEN.items() if table in self.tables]
        if self.search:
            statements.append((_SEARCH_FILL + "WHERE id BETWEEN :lo AND :hi", bounds))
        if stage_days.TABLE in self.tables:
            statements.append((stage_days.new_deals_stage_fill(), bounds))
            if self.later:
                statements += [(sql, bounds) for sql in _LATER_SQLITE]
        self.later = False
        return statements

    def catch_up(self) -> list[tuple[str, tuple | dict]]:
        """The statements filling what `batch` left out for every deal written so far, then re-creating the
        triggers (once; afterwards nothing). To run after everything written so far is."""
        if self.caught_up:
            return []
        pending = self._fills(self.unfilled, self.last) if self.unfilled is not None else []
        self.caught_up = True
        fills = []
        if stage_days.EVENTS_TABLE in self.tables and self.events_later:
            fills.append(stage_days.EVENTS_FILL_SQLITE)
        if stage_days.PLAN_TABLE in self.tables:
            fills.append(stage_days.PLAN_FILL_PLANNED_SQLITE)
        return [*pending, *((sql, ()) for sql in [*fills, *self.triggers])]


def set_kept_days_aside(events_later: bool = True) -> KeptDaysAside | KeptDaysLater | None:
    """Drop the SQLite triggers that keep the as-of totals (deal_stage_days, deal_event_days, deal_plan_days) for now,
    those adding new deals and blockers to the totals by stage and cohort, the one adding new deals to the
    search index and the one keeping a deal's supporting departments on its row as they are added.

    For an import into a ledger without deals (each new deal, ledger entry and
    blocker fired triggers that remove and re-add its deal's share: two thirds
    of the time the writer took). Returns what fills the kept tables from the
    rows and re-creates the triggers (see KeptDaysAside); `events_later`: the
    import records funds after its deals (the funds and blockers are then
    filled at the end). None when nothing was set aside: a ledger before
    migration 0012. PostgreSQL: its triggers stand aside for the import's
    transaction (KeptDaysLater); dropping one would lock the tables against
    every other user.
    """
    db = database.obj
    if not dialect_of(db).in_process:
        db.execute_sql(f"SET LOCAL {KEPT_LATER} = 'on'")
        return KeptDaysLater(events_later)
    # Since migration 0014 the row triggers hand their deals to the view kept_days_change, whose triggers write.
    names = [name.lower() for name in (*_KEPT_DAYS, kept_triggers.VIEW)]
    found = [(name, sql) for name, sql in sqlite_schema.made(db, "trigger") if any(n in sql.lower() for n in names)]
    if not found:
        return None  # a ledger before migration 0012: nothing kept
    tables = {table for table in _KEPT_DAYS if any(table in sql for _name, sql in found)}
    # The triggers adding each new deal and blocker to the totals by stage and by cohort (migrations 0002, 0006).
    inserting = kept_totals.SQLITE_INSERT_TRIGGERS
    found += sqlite_schema.made(db, "trigger", names=inserting)
    tables |= {inserting[name] for name, _sql in found if name in inserting}
    # The search index's: filled with the kept totals, a statement per FILL_EVERY deals instead of one per deal.
    search = sqlite_schema.made(db, "trigger", names=[SEARCH_TRIGGER])
    found += search
    # its deals' rows list their departments (crm.importing.bulk): the insert trigger would only look and skip
    found += sqlite_schema.made(db, "trigger", names=[supporting_ids.INSERT_TRIGGER])
    sqlite_schema.drop(db, "trigger", [name for name, _sql in found])
    return KeptDaysAside(tables, [sql for _name, sql in found], events_later, search=bool(search))


class KeptDaysLater:
    """PostgreSQL: the kept totals of a first import filled from its deals' rows while their triggers stand aside.

    The import's transaction has set KEPT_LATER, under which the triggers of
    the as-of totals and those counting new deals, funds and blockers in the
    totals by stage and cohort do nothing (migrations 0016, 0017; see
    db/kept_later.py): for no other session, and for this one until it
    commits or sets it back. Its new deals are filled FILL_EVERY at a time,
    by their ids (other sessions may add deals meanwhile: theirs are counted
    by their own triggers), with the triggers' and a rebuild's statements
    over those deals alone (one pass over a deal instead of the as-of
    triggers' remove and re-add for each of its rows, and no row lock per
    blocker); their blockers with them, and unless funds come later in the
    import (`events_later`), their share of the as-of funds and blockers.
    `catch_up` fills what is left (the funds) and sets the triggers back: at
    the end, or before the import changes a deal it has written. The
    search's indexes are kept as for any write.
    """

    def __init__(self, events_later: bool):
        self.events_later = events_later
        self.caught_up = False
        self.unfilled: list[int] = []  # ids of deals written and not filled yet
        self.written: list[int] = []  # ids of every deal written while standing aside (events_later: their events)
        self.later = False  # whether a deal not filled yet reached its stage after signing (reached_later)

    def reached_later(self) -> None:
        """Told before `batch` when a deal of the batch reached its stage after signing (two ledger entries): its
        fill then adds what the one step from stage_since leaves out."""
        self.later = True

    def batch(self, ids: list[int]) -> list[tuple[str, dict]]:
        """The statements after the batch of new deals `ids`: the fills of the deals not filled yet, once they
        are FILL_EVERY (else nothing yet); nothing once caught up (the triggers count them)."""
        if self.caught_up:
            return []
        self.unfilled += ids
        if self.events_later:
            self.written += ids
        if len(self.unfilled) < FILL_EVERY:
            return []
        return self._fills()

    def _fills(self) -> list[tuple[str, dict]]:
        ids, self.unfilled = self.unfilled, []
        if not ids:
            return []
        fills = stage_days.own_deals_fills() + (_LATER_POSTGRES if self.later else []) + kept_totals.own_deals_fills()
        self.later = False
        if not self.events_later:
            fills.append(stage_days.own_deals_events_fill())
        return [(sql, {"ids": ids}) for sql in fills]

    def catch_up(self) -> list[tuple[str, tuple | dict]]:
        """The statements filling what `batch` left out, then setting the triggers back (once; afterwards nothing).
        To run after everything written so far is."""
        if self.caught_up:
            return []
        self.caught_up = True
        statements = self._fills()
        later = (stage_days.own_deals_events_fill(), kept_totals.own_deals_funds_fill())
        for at in range(0, len(self.written), FILL_EVERY):
            statements += [(sql, {"ids": self.written[at : at + FILL_EVERY]}) for sql in later]
        self.written = []
        return [*statements, (f"SET LOCAL {KEPT_LATER} = 'off'", ())]
