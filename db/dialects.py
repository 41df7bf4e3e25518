"""What differs between SQLite and PostgreSQL, in one place.

crm/ asks `dialect_of(db)` for a capability (how a substring search is
written, whether totals are kept as rows of differences, whether a trigram
index answers searches) instead of testing the class of the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from peewee import SQL, Database, NodeList, PostgresqlDatabase

from db.models import database


def quoted(name: str) -> str:
    """An SQL identifier in double quotes, its own double quotes doubled (as SQLite and PostgreSQL both read it)."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class Dialect:
    """The behaviour of one backend that queries and upkeep depend on."""

    name: str
    #: The operator Peewee's `contains()` uses, and the parameter placeholder, for hand-written SQL.
    contains_operator: str
    placeholder: str
    #: LIKE differs from the case-folding match (PostgreSQL's LIKE is case-sensitive, ILIKE is not).
    like_is_case_sensitive: bool
    #: The planner misjudges a LIKE on search text; a CASE around it gets the walk along the sort order.
    hides_dense_conditions: bool
    #: Searches narrow through a trigram index (pg_trgm); otherwise through the initials' prefix index.
    trigram_search: bool
    #: Kept totals are appended rows of differences (folded now and then) rather than rows updated in place,
    #: and funds and blockers are kept per signing year, region and stage rather than per stage.
    totals_as_differences: bool
    #: The table of deal totals per stage and currency.
    kept_deal_totals: str
    #: The table of deal totals per signing year, region, stage and currency.
    kept_cohort_totals: str
    #: A query that gives a row when the search index of migration 0002 exists.
    search_index_exists_sql: str
    #: The search index is a table of its own (SQLite's), refilled after a bulk load; else plain indexes on deal.
    search_index_is_a_table: bool
    #: `+column` in a condition keeps the planner from choosing that column's index (SQLite's idiom).
    unary_plus_skips_index: bool
    #: The database runs inside this process (SQLite): tuned with PRAGMAs, its indexes set aside for a bulk load,
    #: and written from a thread of the program's own.
    in_process: bool
    #: The database is one file, copied and restored whole (SQLite); else a server's database (pg_dump/pg_restore).
    whole_file: bool
    #: One statement that says whether a table exists, taking its name as the parameter.
    table_exists_sql: str
    #: One statement that says whether a table has a column, taking the table's name and the column's.
    column_exists_sql: str
    #: Keys (event ids) a grouped read of their deals names at most: beyond a few dozen in an IN list, SQLite's
    #: planner leaves the index for a scan of every deal, and reads a few dozen at a time beat one grouped scan;
    #: None: PostgreSQL, whose one grouped scan of every deal beats reads by keys.
    keys_per_grouped_read: int | None

    def table_exists(self, db: Database, name: str) -> bool:
        """True when `db` has a table `name` (a driver error reaches the caller as the project's one-line error)."""
        row = db.execute_sql(self.table_exists_sql, (name,)).fetchone()
        return bool(row and row[0])

    def column_exists(self, db: Database, table: str, column: str) -> bool:
        """True when table `table` of `db` has a column `column`."""
        return db.execute_sql(self.column_exists_sql, (table, column)).fetchone() is not None


SQLITE = Dialect(
    name="sqlite",
    contains_operator="LIKE",
    placeholder="?",
    like_is_case_sensitive=False,
    hides_dense_conditions=False,
    trigram_search=False,
    totals_as_differences=False,
    kept_deal_totals="deal_totals",
    kept_cohort_totals="deal_cohort_totals",
    search_index_exists_sql="SELECT 1 FROM sqlite_master WHERE name = 'deal_search_terms'",
    search_index_is_a_table=True,
    unary_plus_skips_index=True,
    whole_file=True,
    in_process=True,
    table_exists_sql="SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
    column_exists_sql="SELECT 1 FROM pragma_table_info(?) WHERE name = ?",
    keys_per_grouped_read=40,
)
POSTGRES = Dialect(
    name="postgresql",
    contains_operator="ILIKE",
    placeholder="%s",
    like_is_case_sensitive=True,
    hides_dense_conditions=True,
    trigram_search=True,
    totals_as_differences=True,
    kept_deal_totals="deal_totals_delta",
    kept_cohort_totals="deal_cohort_totals_delta",
    search_index_exists_sql="SELECT 1 FROM pg_indexes WHERE indexname = 'deal_search_chars' AND schemaname = current_schema()",
    search_index_is_a_table=False,
    unary_plus_skips_index=False,
    whole_file=False,
    in_process=False,
    table_exists_sql="SELECT to_regclass(%s) IS NOT NULL",
    column_exists_sql="SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attname = %s AND NOT attisdropped",
    keys_per_grouped_read=None,
)


def dialect_of(db: Database | None = None) -> Dialect:
    """The dialect of `db` (default: the open ledger)."""
    return POSTGRES if isinstance(db or database.obj, PostgresqlDatabase) else SQLITE


def unindexed(column):
    """`column` as a condition or grouping reads it without leading the planner to its index: `+column` on SQLite
    (its idiom), the column itself on PostgreSQL, whose planner weighs its indexes by their statistics."""
    return NodeList((SQL("+"), column), glue="") if dialect_of().unary_plus_skips_index else column


def day_text(expression):
    """A DATE `expression` as SQLite hands it back, text "YYYY-MM-DD": cast on PostgreSQL, whose driver otherwise
    builds a date object for every row's value, where a caller that converts each distinct day once (as the
    weekly table does) has it parsed once (BENCHMARKS.md, twenty-fourth session)."""
    return expression.cast("text") if dialect_of().name == "postgresql" else expression
