"""PostgreSQL: the prefix index of pinyin initials also holds the id.

Initials typed from the start of a name (zzgf → 涿州…高…服…) match the
pattern z%z%g%f%, from which pg_trgm has only the first letter to go on: it
gave every deal whose initials start with z (~60,000 of a million) to be
read and tried, ~130 ms. The prefix index of 0002 holds the initials; with
the id beside them it answers "which deals" without reading one (~18 ms):
crm/listing/search.py tries the pattern on it. SQLite's indexes already end with the
rowid.
"""

from peewee import PostgresqlDatabase

NAME = "deal_pinyin_initials_prefix"
COLUMNS = "pinyin_initials text_pattern_ops, amount_cny, amount_approximate"


def up(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        return
    migrator.migrate(migrator.sql(f"DROP INDEX IF EXISTS {NAME}"))
    migrator.migrate(migrator.sql(f"CREATE INDEX {NAME} ON deal ({COLUMNS}) INCLUDE (id)"))


def down(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        return
    migrator.migrate(migrator.sql(f"DROP INDEX IF EXISTS {NAME}"))
    migrator.migrate(migrator.sql(f"CREATE INDEX {NAME} ON deal ({COLUMNS})"))
