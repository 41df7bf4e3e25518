"""Synthetic ledgers of any size, for benchmarks and scale tests.

`generate(Spec(deals=1_000_000))` fills an empty, migrated database with a
ledger that looks like a province's: Chinese deal names built from realistic
parts (place + product + facility + 项目, 年产…万吨…, brand(place)…), investors,
Baoding's counties and the other Hebei cities, signing events, a realistic
spread of stages, CNY with some USD/EUR/HKD at monthly rates that cover every
date, 2015 to the as-of date, about 5 ledger entries and 0.5 blockers per
deal, supporting departments and funds arrived. A few "heavy" deals carry 200
ledger entries and 50 blockers (the deal-detail benchmark opens one).

The same Spec (seed, size, as-of date …) always gives the same database,
row for row.

Rows are bulk-inserted (executemany on SQLite, COPY on PostgreSQL) with
explicit ids, not through crm.create_deal, but they keep every invariant
the app relies on — tests/ledger/test_synthetic.py checks each one:

- deal codes are unique and follow crm.deals.records.next_code (ZS<year>-0001 …,
  numbered in order of entry within the year the deal was entered);
- Deal.stage / stage_since are those of the deal's newest StageChange; the
  ledger is in date order, starts from nothing, never repeats a stage and
  carries a note wherever crm.deals.stages.needs_note asks for one;
- amount_cny / fx_rate are what crm.reference.fx.convert gives at the conversion day
  (signing date, else the day the deal was entered); the same for funds;
- search_text / pinyin_initials are crm.listing.search.index_terms(code, name, investor);
- blockers are raised no earlier than their deal entered the ledger, due and
  resolved no earlier than raised, resolved no later than the as-of date.

There is no audit trail (AuditEntry) for synthetic rows: nobody edited them.
"""

from __future__ import annotations

import io
import sys
import time

from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.listing import search
from crm.samples.synthetic_rows import HEAVY_BLOCKERS, HEAVY_LEDGER, Spec, Stats, _Generator, heavy_deal_ids
from crm.samples.synthetic_words import GENERATOR_VERSION
from db.dialects import dialect_of

__all__ = [
    "GENERATOR_VERSION",
    "HEAVY_BLOCKERS",
    "HEAVY_LEDGER",
    "Spec",
    "Stats",
    "describe",
    "generate",
    "heavy_deal_ids",
]
from db import kept_totals, sqlite_schema
from db.models import Blocker, Deal, DealDepartment, Department, Event, FundsArrived, FxRate, Person, StageChange


class _SqliteWriter:
    def __init__(self, db):
        self.cursor = db.connection().cursor()

    def write(self, table, columns, rows):
        if rows:
            marks = ",".join("?" * len(columns))
            names = ",".join(f'"{c}"' for c in columns)
            self.cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    return str(value)


class _PostgresWriter:
    def __init__(self, db):
        self.cursor = db.cursor()

    def write(self, table, columns, rows):
        if not rows:
            return
        buf = io.StringIO()
        for row in rows:
            buf.write("\t".join([_copy_text(v) for v in row]))
            buf.write("\n")
        buf.seek(0)
        names = ",".join(f'"{c}"' for c in columns)
        self.cursor.copy_expert(f'COPY "{table}" ({names}) FROM STDIN', buf)


def _columns(model, names):
    """The column names of `model`'s fields `names`; a name no field declares is a column's (deal.supporting_ids)."""
    return [model._meta.fields[n].column_name if n in model._meta.fields else n for n in names]


def _empty(db) -> bool:
    return not any(m.select().exists() for m in (Deal, Department, Person, Event, FxRate))


def _bulk_schema(db):
    """SQL to drop and re-create the secondary indexes and triggers of the bulk-loaded tables."""
    tables = [m._meta.table_name for m in (Deal, StageChange, Blocker, FundsArrived, DealDepartment)]
    drops, creates = [], []
    if dialect_of(db).whole_file:  # SQLite: its schema is in sqlite_master
        for kind in sqlite_schema.KINDS:
            for name, sql in sqlite_schema.made(db, kind, tables=tables):
                drops.append(sqlite_schema.drop_statement(kind, name))
                creates.append(sql)
    else:
        for name, sql in db.execute_sql(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
            "AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            (tables,),
        ).fetchall():
            drops.append(f'DROP INDEX "{name}"')
            creates.append(sql)
    return drops, creates


def generate(spec: Spec, db=None, progress=None) -> Stats:
    """Fill the open, migrated, empty database with the synthetic ledger of `spec`.

    `progress(done, total)` is called after each batch of deals. Returns
    row counts and timings. On SQLite the load runs with synchronous=OFF and
    an in-memory journal: a crash midway leaves a file to throw away.
    """
    from db.models import database

    db = db or database.obj
    if not _empty(db):
        raise InvalidInput(
            _(
                "This database already holds a ledger; generate a synthetic one into an empty database (crm --db big.sqlite3 synthetic N)"
            )
        )
    stats = Stats()
    t0 = time.perf_counter()
    gen = _Generator(spec)
    stats.seconds["setup"] = time.perf_counter() - t0
    sqlite = dialect_of(db).whole_file
    counts = {}
    if sqlite:
        saved = {
            p: db.execute_sql(f"PRAGMA {p}").fetchone()[0]
            for p in ("journal_mode", "synchronous", "foreign_keys", "cache_size")
        }
        db.execute_sql("PRAGMA foreign_keys = OFF")
        db.execute_sql("PRAGMA synchronous = OFF")
        db.execute_sql("PRAGMA cache_size = -262144")
        db.execute_sql("PRAGMA temp_store = MEMORY")
        try:
            db.execute_sql("PRAGMA journal_mode = MEMORY")
        except Exception:  # noqa: BLE001 — another connection holds the file: stay in WAL
            pass
        writer = _SqliteWriter(db)
    else:
        writer = _PostgresWriter(db)
    try:
        with db.atomic():
            if not sqlite:
                # Skip the per-row foreign-key triggers during COPY (the ids are consistent by
                # construction; tests check them on SQLite). Needs superuser: otherwise just slower.
                try:
                    with db.atomic():
                        db.execute_sql("SET LOCAL session_replication_role = replica")
                except Exception:  # noqa: BLE001 — not allowed: keep the checks
                    pass
            drops, creates = _bulk_schema(db)
            for sql in drops:
                db.execute_sql(sql)
            t1 = time.perf_counter()
            gen_seconds = 0.0
            mark = time.perf_counter()
            for model, names, rows in gen.rows():
                now = time.perf_counter()
                gen_seconds += now - mark
                writer.write(model._meta.table_name, _columns(model, names), rows)
                counts[model.__name__] = counts.get(model.__name__, 0) + len(rows)
                mark = time.perf_counter()
                if model is Deal and progress:
                    progress(counts["Deal"], spec.deals)
            stats.seconds["generate"] = gen_seconds
            stats.seconds["insert"] = time.perf_counter() - t1 - gen_seconds
            t2 = time.perf_counter()
            for sql in creates:
                db.execute_sql(sql)
            stats.seconds["indexes"] = time.perf_counter() - t2
            t2 = time.perf_counter()
            if not sqlite:
                for model in (
                    Department,
                    Person,
                    Event,
                    FxRate,
                    Deal,
                    StageChange,
                    Blocker,
                    FundsArrived,
                    DealDepartment,
                ):
                    table = model._meta.table_name
                    db.execute_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)'
                    )
            _after_load(db)
            stats.seconds["search index and totals"] = time.perf_counter() - t2
    finally:
        if sqlite:
            if saved["journal_mode"].lower() == "wal":
                db.execute_sql("PRAGMA journal_mode = WAL")
            db.execute_sql(f"PRAGMA synchronous = {saved['synchronous']}")
            db.execute_sql(f"PRAGMA foreign_keys = {saved['foreign_keys']}")
            db.execute_sql(f"PRAGMA cache_size = {saved['cache_size']}")
    t3 = time.perf_counter()
    db.execute_sql("ANALYZE")
    stats.seconds["analyze"] = time.perf_counter() - t3
    stats.counts = counts
    return stats


def _after_load(db):
    """Bring what the triggers keep in step (search index, totals) up to date after the bulk load."""
    search.rebuild_index(db)
    kept_totals.rebuild(db)


def describe(stats: Stats) -> str:
    parts = ", ".join(f"{name} {n:,}" for name, n in stats.counts.items())
    times = ", ".join(f"{k} {v:.1f}s" for k, v in stats.seconds.items())
    return f"{parts}\n{times} (total {stats.total_seconds():.1f}s)"


def _progress_printer(stream=sys.stderr):
    start = time.perf_counter()

    def show(done, total):
        if stream.isatty():
            rate = done / max(time.perf_counter() - start, 1e-9)
            stream.write(f"\r{done:,}/{total:,} deals ({rate:,.0f}/s)  ")
            stream.flush()
            if done == total:
                stream.write("\n")

    return show
