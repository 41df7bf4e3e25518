"""Finding deals by what people type: a code, any part of a Chinese name or
investor, or pinyin initials (zzgyl finds 涿州现代供应链…).

Each deal keeps two search columns, written whenever its name changes:
`search_text` (code, name, investor; lower case) and `pinyin_initials`.

What matches is always decided by the same LIKE condition (matches() below).
On a large ledger a search index narrows the rows that condition is tried
on, without changing the result:

- SQLite: the FTS5 trigram table `deal_search` (db/migrations/0002) gives the
  deals holding every rare trigram of a 3+ character query, or a trigram that
  starts with a 1- or 2-character query; initials typed from the start of a
  name (zzgyl) take the range of pinyin_initials that starts with z.
- PostgreSQL: pg_trgm GIN indexes serve 3+ characters by themselves, except
  letters with digits (a deal code's year, zs2021): the index is asked only
  for the rare trigrams, as for SQLite, and the text tested with strpos; 1–2
  characters add "holds each of these characters" on a GIN index of the
  characters of search_text.

A query that most deals match (项目, a common character) is better served
without the index: the list walks its sort order and stops after a page, and
totals scan a covering index. Which way a query goes is estimated from the
deals the list shows first (the newest signings), once per query text; a
query the index narrows has its matches sorted rather than the sort order
walked (sorts_matches: ZS2021's deals were signed years before the newest).
"""

import contextlib
import contextvars
import functools
import operator
import re
import threading
import time
from collections import OrderedDict
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from peewee import OP, SQL, Case, Expression, Value, fn

from crm.foundation.text import LazyPattern
from crm.listing import search_join
from crm.listing.search_join import SearchJoin
from crm.reference.names_in_use import distinct_values
from crm.values.terms import index_terms, initials  # noqa: F401  (searched by what they give)
from db.dialects import dialect_of
from db.models import Deal, database

_ASCII_WORD = LazyPattern(r"^[a-z]+$")
_CODE_LIKE = LazyPattern(r"^(?=.*[0-9])[a-z0-9]+$")  # letters and digits, a digit among them: zs2021, 2021


def matches(query: str):
    """A condition on Deal for the search `query` (None when the query is blank).

    Text matches as a substring of code, name, investor, region or lead unit. A query of Latin
    letters also matches pinyin initials, either as a run (gyl → 供应链) or
    as a sequence that starts where the name starts (zzgyl → 涿州…供应链).
    """
    q = (query or "").strip().lower()
    if not q:
        return None
    condition = _own_condition(q)
    extra = _region_or_lead_unit(q)
    way = _way(q, extra)
    if way is _DENSE:
        # A region or a lead unit holds many deals, or most deals match: a page is found soonest by walking
        # the sort order.
        return _walking(condition if extra is None else condition | extra)
    narrowed = _narrowing(q, joinable=extra is None) if way is _NARROW else None
    if isinstance(narrowed, _Ids):
        found = narrowed.condition & _own_condition(q, indexed=False)
    else:
        found = condition if narrowed is None else narrowed & condition
    return found if extra is None else found | extra


def sorts_matches(query: str | None) -> bool:
    """True when a page of the search `query` is found through the search index: its matches are fetched and sorted.

    On SQLite always (the deals its search table gives are read by id and sorted
    whatever the order); on PostgreSQL when the estimate found no match among the
    deals the default order starts with: a walk of the sort order, which its planner
    would choose, passes over all of them and more before the first page (ZS2021,
    whose deals were signed years before the newest; BENCHMARKS.md, "Search: a broad
    prefix"). The deals found and their order are the same either way.
    """
    q = (query or "").strip().lower()
    if not q or _counting.get():
        return False
    extra = _region_or_lead_unit(q)
    if _way(q, extra) is not _NARROW:
        return False
    # SQLite reads the matches its search table gives by id and sorts them anyway
    return dialect_of().search_index_is_a_table or _none_at_the_head(q)


def regions_containing(text: str):
    """A subquery of the region names that contain `text`, matched as `Deal.region.contains(text)` would.

    `region IN (these)` keeps exactly the deals `region LIKE '%text%'` keeps, but a
    database answers it from the region index (a count or a total of one county
    reads that county's entries, not the whole ledger).
    """
    db = database.obj
    return SQL(f"({distinct_values('region')} AND x {_like_op(db)} {_param(db)} ESCAPE '\\')", [f"%{_escaped(text)}%"])


def _region_or_lead_unit(q: str):
    """Deals whose region or lead unit contains `q`, or None when no region or department name does.

    Both are a few dozen distinct names, matched here first (a loose index scan
    of the regions, the small department table): a query that names neither,
    the usual case, adds nothing to the condition, so it keeps its index plan;
    one that does adds `region IN (…)` and `lead_unit IN (…)`, each answered by its index.
    """
    regions, units = _names_containing(q)
    if not regions and not units:
        return None
    extra = Deal.region.in_(regions) if regions else None
    if units:
        extra = Deal.lead_unit.in_(units) if extra is None else extra | Deal.lead_unit.in_(units)
    return extra


def _names_containing(q: str) -> tuple[list[str], list[int]]:
    """The regions and the ids of the departments whose names contain `q`: one query, remembered RECOUNT_SECONDS.

    A list's page, the pages around it and its totals each build the search
    condition; they share the answer instead of asking again.
    """
    db = database.obj
    state = _state(db)
    now = time.monotonic()
    with _lock:
        known = state.names.get(q)
    if known is not None and now - known[0] <= RECOUNT_SECONDS:
        return known[1], known[2]
    op, param = _like_op(db), _param(db)
    pattern = f"%{_escaped(q)}%"
    sql = (
        f"SELECT x, NULL FROM ({distinct_values('region')} AND x {op} {param} ESCAPE '\\') AS regions "
        f"UNION ALL SELECT NULL, id FROM department WHERE name {op} {param} ESCAPE '\\'"
    )
    rows = db.execute_sql(sql, [pattern, pattern]).fetchall()
    regions = [region for region, _id in rows if region is not None]
    units = [ident for _region, ident in rows if ident is not None]
    with _lock:
        state.names[q] = (now, regions, units)
        if len(state.names) > 256:
            state.names.popitem(last=False)
    return regions, units


def _like_op(db) -> str:
    return dialect_of(db).contains_operator  # what Peewee's contains() uses


def _param(db) -> str:
    return dialect_of(db).placeholder


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _sequence_pattern(q: str) -> str:
    """The LIKE pattern of initials typed from the start of a name, with gaps: zzgyl → z%z%g%y%l%."""
    return "%".join(q) + "%"


def _walking(condition):
    """`condition` for a query most deals match, in a form the list answers by walking its sort order.

    PostgreSQL's planner estimates a LIKE on the search text from a sample
    of it, and for a common pair of characters can guess a few dozen rows
    where there are thousands: it then reads every deal and sorts the
    matches instead of walking the sort order's index to the first page.
    Inside a CASE the condition gets the default selectivity of a comparison
    (a third), and the walk.
    SQLite walks the sort order as it is.
    """
    if dialect_of().hides_dense_conditions:
        return Case(None, [(condition, 1)], 0) > 0
    return condition


def _uncased_beyond_ascii(q: str) -> bool:
    return not any(ord(c) > 127 and c.lower() != c.upper() for c in q)


def _case_sensitive_is_same(q: str) -> bool:
    """True when LIKE finds exactly what ILIKE would: PostgreSQL, and nothing to fold.

    The search columns are stored lower case and `q` is lower case; with no
    cased letters beyond ASCII in `q`, folding case changes no match. PostgreSQL's
    ILIKE lower-cases every row it tries (about 2.5 times slower than LIKE).
    """
    return dialect_of().like_is_case_sensitive and _uncased_beyond_ascii(q)


def _contains(field, q: str):
    """`field.contains(q)`, as LIKE where that is the same."""
    if _case_sensitive_is_same(q):
        return Expression(field, OP.LIKE, field._escape_like_expr(q, "%%%s%%"))
    return field.contains(q)


def _like(field, pattern: str):
    """`field ** pattern` (ILIKE; LIKE on SQLite), as LIKE where that is the same."""
    if _case_sensitive_is_same(pattern):
        return Expression(field, OP.LIKE, pattern)
    return field**pattern


# ---- the search index --------------------------------------------------------------

#: Below this many deals a search simply scans: nothing to gain from the index.
INDEXED_FROM = 20_000
#: A query estimated to match more deals than this is "dense": no narrowing (the list walks its
#: sort order and stops after a page, sooner than it would fetch and sort every candidate); where
#: the two cross is measured in BENCHMARKS.md, "Search thresholds".
DENSE_MATCHES = 8_000
#: The same for counting and totals (inside `with counting():`), which read every match either
#: way: past it a scan of the covering index beats the search index (BENCHMARKS.md, "Search thresholds").
DENSE_MATCHES_COUNTING = 60_000
#: How many deals, the first of the list's default order (the newest signings), the density estimate looks at.
SAMPLE = 4_000
#: A 1–2 character query whose trigrams are more than this many is dense too.
MAX_TERMS = 400
#: Deals, in WINDOWS runs spread over the ledger, in which the narrowing counts how often a trigram is held.
TRIGRAM_SAMPLE = 2_000
WINDOWS = 20
#: A trigram held by more than this share of them is left out of the narrowing (see _telling_trigrams).
COMMON_TRIGRAM = 0.2
#: Candidates a PostgreSQL search by initials gives by their ids; more are left to the condition alone.
MAX_IDS = 20_000

# What the SQLite index holds for a deal: the text ends with two newlines so
# that every character starts a trigram. Keep in step with db/migrations.
SEARCH_DOCUMENT = "{row}.search_text || char(10) || {row}.pinyin_initials || char(10) || char(10)"

_lock = threading.Lock()
_counting = contextvars.ContextVar("crm_search_counting", default=False)


@contextlib.contextmanager
def counting():
    """Conditions built inside are for counting and totals, not for a page of the list.

    The deals found are the same; only how a large ledger narrows them differs
    (see DENSE_MATCHES_COUNTING). Per thread and task, so a count in one worker
    never changes a page fetched in another.
    """
    token = _counting.set(True)
    try:
        yield
    finally:
        _counting.reset(token)


#: How long the number of deals is taken as known (it only decides whether to use the index).
RECOUNT_SECONDS = 10.0


class _State:
    """What searching has learnt about one open database (one per open database)."""

    def __init__(self):
        self.indexed: bool | None = None  # has the search index of migration 0002?
        self.top = 0  # the highest deal id, about the number of deals
        self.top_at = float("-inf")
        self.dense: OrderedDict = OrderedDict()  # query -> (deals then, estimate, matches in the sample)
        self.names: OrderedDict = OrderedDict()  # query -> (when, regions, department ids) containing it
        self.head: tuple[int, list] | None = None  # (deals then, search columns of the list's first deals)
        self.documents: tuple[int, list[str]] | None = None  # (deals then, a sample of what the index holds)
        self.telling: OrderedDict = OrderedDict()  # query -> the trigrams that narrow it, in that sample

    def deals(self, db) -> int:
        now = time.monotonic()
        if now - self.top_at > RECOUNT_SECONDS:
            self.top = db.execute_sql("SELECT MAX(id) FROM deal").fetchone()[0] or 0
            self.top_at = now
        return self.top

    def has_index(self, db) -> bool:
        if self.indexed is None:
            self.indexed = db.execute_sql(dialect_of(db).search_index_exists_sql).fetchone() is not None
        return self.indexed


_states: WeakKeyDictionary = WeakKeyDictionary()


def _state(db) -> _State:
    state = _states.get(db)
    if state is None:
        state = _states[db] = _State()
    return state


def forget(db=None) -> None:
    """Forget what was learnt about the database (after a migration or a bulk load)."""
    db = db or database.obj
    if db is not None:
        _states.pop(db, None)


#: What _way gives for a query most deals match (walk the sort order), and for one the index narrows.
_DENSE = object()
_NARROW = object()


def _way(q: str, extra):
    """How a search finds its deals: _DENSE (walk the sort order), _NARROW (through the index), None (scan).

    `extra` is the search's condition on regions and lead units (None when it names none).
    """
    if extra is not None and not _counting.get():
        return _DENSE
    db = database.obj
    if db is None:
        return None
    if not _uncased_beyond_ascii(q):
        return None  # cased letters beyond ASCII: the index folds case its own way
    state = _state(db)
    top = state.deals(db)
    if top < INDEXED_FROM or not state.has_index(db):
        return None
    limit = DENSE_MATCHES_COUNTING if _counting.get() else DENSE_MATCHES
    return _DENSE if _estimated_matches(state, q, top) >= limit else _NARROW


def _own_condition(q: str, indexed: bool = True):
    """The search's condition on the deal's own search columns (the region and the lead unit aside); not
    `indexed`: the same test of a word of a-z written so that pg_trgm's indexes cannot serve it."""
    if _CODE_LIKE.match(q) and dialect_of().trigram_search:
        # The same test, written so that pg_trgm cannot serve it: the index is asked only for the trigrams
        # that narrow (see _postgres_narrowing), not for those of every deal code (zs2, s20 of zs2021).
        return _strpos(Deal.search_text, q)
    word = _ASCII_WORD.match(q)
    plain = word and not indexed  # a-z only: strpos is the same test as the LIKE, and no index serves it
    contains = _strpos if plain else _contains
    condition = contains(Deal.search_text, q)
    if word:
        # Only a-z reach here, so the LIKE pattern needs no escaping. `**` is
        # Peewee's ILIKE (LIKE on SQLite); its `%` operator would be GLOB on
        # SQLite, where "%" is no wildcard and the sequence never matched.
        initials = Deal.pinyin_initials
        sequence = _like(initials.concat("") if plain else initials, _sequence_pattern(q))
        condition |= contains(initials, q) | sequence
    return condition


def _strpos(field, q: str):
    """`field` holds `q` (case-sensitive), written so that pg_trgm's indexes cannot serve it."""
    return fn.strpos(field, q) > 0


def _narrowing(q: str, joinable: bool):
    """A condition that keeps every deal the search's own condition keeps and few others (None: that condition alone).

    `joinable`: the condition is ANDed with the rest, so it may match in a joined search table (crm.listing.search_join).
    """
    db = database.obj
    if dialect_of(db).trigram_search:
        return _postgres_narrowing(q)
    return _sqlite_narrowing(db, q, search_join.current() if joinable else None)


def _estimated_matches(state: _State, q: str, top: int) -> int:
    """How many deals the search `q` finds, estimated from the SAMPLE deals a list first shows (once per query text).

    The sample is the head of the list's default order (the newest signings): where a
    walk of that order starts, so that a query whose matches are few there (an old
    year's deal codes, ZS2021) is narrowed, not walked past every newer deal. Its
    search columns are read once and the query tried on them here: the estimate only
    chooses a plan, never what is found.
    """
    with _lock:
        known = state.dense.get(q)
    if known and abs(known[0] - top) <= top // 10:
        return known[1]
    head = _head_documents(state, top)
    hits = sum(map(_tried_here(q), head))
    estimate = hits * top // max(len(head), 1)
    with _lock:
        state.dense[q] = (top, estimate, hits)
        state.dense.move_to_end(q)
        while len(state.dense) > 1000:
            state.dense.popitem(last=False)
    return estimate


def _tried_here(q: str):
    """The search's own condition (see _own_condition) as a test of (search text, initials), for the estimate."""
    if not _ASCII_WORD.match(q):
        return lambda document: q in document[0]
    sequence = re.compile(".*".join(q))  # a-z only: nothing to escape
    return lambda document: q in document[0] or q in document[1] or sequence.match(document[1]) is not None


def _head_documents(state: _State, top: int) -> list[tuple[str, str]]:
    """The search columns of the SAMPLE deals first in the list's default order (kept while the ledger keeps its size)."""
    with _lock:
        known = state.head
    if known is not None and abs(known[0] - top) <= top // 10:
        return known[1]
    head = list(
        Deal.select(Deal.search_text, Deal.pinyin_initials)
        .where(Deal.signed_on.is_null(False))
        .order_by(Deal.signed_on.desc(), Deal.id.desc())
        .limit(SAMPLE)
        .tuples()
    )
    with _lock:
        state.head = (top, head)
    return head


def _none_at_the_head(q: str) -> bool:
    """True when the sample of _estimated_matches held no match of `q` (asked after it)."""
    db = database.obj
    with _lock:
        known = _state(db).dense.get(q) if db is not None else None
    return known is not None and known[2] == 0


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _sqlite_narrowing(db, q: str, join: SearchJoin | None):
    if len(q) >= 3:
        trigrams = _telling_trigrams(q)
        expression = " AND ".join(_fts_string(t) for t in trigrams)
    else:
        terms = [
            t
            for (t,) in db.execute_sql(
                "SELECT term FROM deal_search_terms WHERE term >= ? AND term < ? LIMIT ?",
                (q, q + "\U0010ffff", MAX_TERMS + 1),
            )
        ]
        if len(terms) > MAX_TERMS:
            return None
        expression = " OR ".join(_fts_string(t) for t in terms)
    parts, params = [], []
    if expression:
        parts.append("SELECT rowid FROM deal_search WHERE deal_search MATCH ?")
        params.append(expression)
    if _ASCII_WORD.match(q):
        # initials typed from the start of a name: only names whose initials start with q[0]
        parts.append(
            "SELECT id FROM deal WHERE pinyin_initials >= ? AND pinyin_initials < ? AND pinyin_initials LIKE ?"
        )
        params += [q[0], chr(ord(q[0]) + 1), _sequence_pattern(q)]
    if not parts:
        return Deal.id.in_([])
    if join is not None and len(parts) == 1 and expression:
        return join.matching(expression)
    return Deal.id.in_(SQL("(" + " UNION ALL ".join(parts) + ")", params))


def _telling_trigrams(q: str) -> list[str]:
    """The trigrams of `q` that narrow: those few deals hold, or the rarest one when most deals hold them all.

    Any of them keeps every deal the LIKE condition keeps; a trigram most deals
    hold (zs2 and s20 of ZS2021: every deal code) only makes the index read a
    list of nearly every deal to keep what the rare one (021) already keeps.
    How often each is held is counted in a sample of deals spread over the ledger.
    """
    trigrams = list(dict.fromkeys(q[i : i + 3] for i in range(len(q) - 2)))
    if len(trigrams) == 1:
        return trigrams
    db = database.obj
    documents = _sample_documents(db)
    state = _state(db)
    with _lock:
        known = state.telling.get(q)
    if known is not None:
        return known
    held = sorted((sum(t in d for d in documents), t) for t in trigrams)
    telling = [t for n, t in held if n <= len(documents) * COMMON_TRIGRAM] or [held[0][1]]
    with _lock:
        state.telling[q] = telling
        if len(state.telling) > 256:
            state.telling.popitem(last=False)
    return telling


def _sample_documents(db) -> list[str]:
    """What the index holds for TRIGRAM_SAMPLE deals in WINDOWS runs of ids spread over the ledger (kept a while).

    Spread, not the newest: how often a trigram is held follows the year (a
    deal code's), which the newest deals share.
    """
    state = _state(db)
    top = state.deals(db)
    with _lock:
        known = state.documents
    if known is not None and abs(known[0] - top) <= top // 10:
        return known[1]
    run = max(TRIGRAM_SAMPLE // WINDOWS, 1)
    starts = sorted({max(1, top * k // WINDOWS) for k in range(WINDOWS)})
    param = _param(db)
    sql = " UNION ALL ".join(
        f"SELECT search_text, pinyin_initials FROM deal WHERE id >= {param} AND id < {param}" for _ in starts
    )
    params = [p for start in starts for p in (start, start + run)]
    # as SEARCH_DOCUMENT makes them for SQLite's index
    documents = [f"{text}\n{letters or ''}\n\n" for text, letters in db.execute_sql(sql, params)]
    with _lock:
        state.documents = (top, documents)
        state.telling.clear()  # chosen from the sample before
    return documents


def _postgres_narrowing(q: str):
    if len(q) >= 3 and _CODE_LIKE.match(q):
        # the trigrams few deals hold: a LIKE on each (q's own letters and digits, so one trigram each)
        return functools.reduce(operator.and_, (_contains(Deal.search_text, t) for t in _telling_trigrams(q)))
    if len(q) >= 3:
        if not _ASCII_WORD.match(q):
            return None  # pg_trgm's GIN indexes serve the LIKE condition itself
        runs = Deal.select(Deal.id).where(_contains(Deal.search_text, q) | _contains(Deal.pinyin_initials, q))
        candidates = runs.union_all(_initials_in_sequence(q))
        if _counting.get():
            return Deal.id.in_(candidates)  # counted and summed whole: the planner joins them
        # For a page the ids are read first and the list asks for them by id: given the subquery, the
        # planner misjudges its size from pg_trgm's estimate (BENCHMARKS.md, "Search thresholds").
        ids = list({i for (i,) in candidates.tuples()})
        if len(ids) > MAX_IDS:
            return None
        return _Ids(Expression(Deal.id, OP.EQ, fn.ANY(Value(ids, unpack=False))))
    wanted = Value(list(dict.fromkeys(q)), unpack=False)
    chars = Expression(fn.string_to_array(Deal.search_text, SQL("NULL")), "@>", wanted)
    if _ASCII_WORD.match(q):
        return chars | _contains(Deal.pinyin_initials, q) | _like(Deal.pinyin_initials, _sequence_pattern(q))
    return chars


class _Ids(NamedTuple):
    """A narrowing to the ids of the deals found first (PostgreSQL, a word of a-z): the search's own condition is
    then tested on those rows alone, written so that no index serves it. Written as usual, the planner, misled by
    pg_trgm's far too low estimate of what the initials' pattern keeps, could read that index (every deal whose
    initials hold the pattern's first letter) instead of the ids (BENCHMARKS.md, twelfth session)."""

    condition: Any


def _initials_in_sequence(q: str):
    """The ids of the deals whose initials start with q's letters in order (zzgf: z%z%g%f%), PostgreSQL.

    pg_trgm has only the first letter of such a pattern to go on and reads
    every deal whose initials start with it (~60,000 of a million); the
    prefix index holds the initials and the id (migration 0008) and tries
    the pattern on its entries. The pattern is tried on `initials || ''`,
    which pg_trgm cannot serve, so that the planner does not choose it
    from its (far too low) estimate of what the pattern keeps.
    """
    column = Deal.pinyin_initials
    return Deal.select(Deal.id).where(
        Expression(column, "~>=~", q[0])
        & Expression(column, "~<~", chr(ord(q[0]) + 1))
        & Expression(column.concat(""), OP.LIKE, _sequence_pattern(q))
    )


def rebuild_index(db=None) -> None:
    """Fill the search index again from the deals (after a bulk load that bypassed the triggers)."""
    db = db or database.obj
    forget(db)
    if not dialect_of(db).search_index_is_a_table or not _state(db).has_index(db):
        return  # PostgreSQL's indexes are plain indexes on deal: always in step
    db.execute_sql("INSERT INTO deal_search(deal_search) VALUES ('delete-all')")
    db.execute_sql(f"INSERT INTO deal_search(rowid, text) SELECT id, {SEARCH_DOCUMENT.format(row='deal')} FROM deal")
