"""The import log, remembered column mappings, and dates held to the month (issue #12).

ImportRecord: one row per import written — what it read, and the id of the
last row of each table before it, so `crm import revert N` knows which rows the
import added. ImportMapping: the --map chosen for a header row, used again for
the next file with the same headers. deal.*_month: the date beside it names a
month only (计划开工 2020年7月, 签约年月), shown as a month. Frozen copies of
the models, as in 0001.
"""

from peewee import *

MONTH_COLUMNS = ("signed_on_month", "planned_start_month", "planned_completion_month")


def _tables(db):
    class ImportRecord(Model):
        at = DateTimeField()
        actor = CharField(max_length=100, default="")
        source = CharField(max_length=500)
        sheet = CharField(max_length=200, default="")
        created = IntegerField(default=0)
        updated = IntegerField(default=0)
        marks = TextField(default="{}")
        audit_before = BigIntegerField(default=0)
        audit_after = BigIntegerField(default=0)
        reverted_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "import_record"

    class ImportMapping(Model):
        header_key = CharField(max_length=2000, unique=True)
        mapping = TextField()
        updated_at = DateTimeField()

        class Meta:
            database = db
            table_name = "import_mapping"

    return [ImportRecord, ImportMapping]


def up(migrator, db):
    db.create_tables(_tables(db))
    # Plain ADD COLUMN with its default: playhouse's add_column rebuilds a SQLite table to make it NOT NULL,
    # which breaks the triggers of 0006 that name the deal table.
    false = "FALSE" if isinstance(db, PostgresqlDatabase) else "0"
    for column in MONTH_COLUMNS:
        db.execute_sql(f"ALTER TABLE deal ADD COLUMN {column} BOOLEAN NOT NULL DEFAULT {false}")


def down(migrator, db):
    for column in MONTH_COLUMNS:
        db.execute_sql(f"ALTER TABLE deal DROP COLUMN {column}")
    for table in ("import_mapping", "import_record"):
        migrator.migrate(migrator.drop_table(table))
