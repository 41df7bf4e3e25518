"""Deal totals by stage, effective-dated, for the as-of KPIs (issues #13 and #16): table deal_stage_days.

What the rows mean and the invariant the triggers keep are in db/stage_days.py.
SQLite: one row per key (upserts), row triggers before and after each change of
a deal or a ledger entry. PostgreSQL: rows of differences (folded now and then
by db.kept_totals.compact), statement triggers with transition tables (a
multi-row insert of ledger entries counts each deal once), and a row trigger
before a deal's delete (its ledger entries still there).
"""

from peewee import PostgresqlDatabase

from db import stage_days as sd

_DEAL_COLUMNS = ("id", "stage_since", "stage", "region", "currency", "amount", "amount_cny", "amount_approximate")


def _row(record: str) -> str:
    """A one-row relation of the deal values of trigger record `record` (NEW or OLD)."""
    columns = ", ".join(f"{record}.{c} AS {c}" for c in (*_DEAL_COLUMNS, "archived_on"))
    return f"(SELECT {columns})"


def _entries_of(deal_id: str) -> str:
    return f"(SELECT * FROM stage_change WHERE deal_id = {deal_id})"


def _sqlite() -> list[str]:
    def ins(deals, deal_id, sign):
        return sd.insert(deals, _entries_of(deal_id), sign, postgres=False) + ";"

    def of_entry(*records):
        ids = ", ".join(f"{r}.deal_id" for r in records)
        return f"(SELECT * FROM deal WHERE id IN ({ids}))", f"(SELECT * FROM stage_change WHERE deal_id IN ({ids}))"

    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in sd.COUNTED)
    statements = [
        "CREATE TABLE deal_stage_days (grain INTEGER NOT NULL, day DATE NOT NULL, region VARCHAR(100) NOT NULL, "
        "stage VARCHAR(20) NOT NULL, currency VARCHAR(3) NOT NULL, deals INTEGER NOT NULL, amount INTEGER NOT NULL, "
        "amount_cny INTEGER NOT NULL, converted INTEGER NOT NULL, approximate INTEGER NOT NULL, "
        "PRIMARY KEY (grain, day, region, stage, currency)) WITHOUT ROWID",
        f"CREATE TRIGGER deal_stage_days_insert AFTER INSERT ON deal BEGIN {ins(_row('new'), 'new.id', '')} END",
        f"CREATE TRIGGER deal_stage_days_update AFTER UPDATE OF {', '.join(sd.COUNTED)} ON deal WHEN {changed} "
        f"BEGIN {ins(_row('old'), 'old.id', '-')} {ins(_row('new'), 'new.id', '')} END",
        f"CREATE TRIGGER deal_stage_days_delete BEFORE DELETE ON deal BEGIN {ins(_row('old'), 'old.id', '-')} END",
    ]
    for event, records in (("INSERT", ("new",)), ("UPDATE", ("old", "new")), ("DELETE", ("old",))):
        deals, entries = of_entry(*records)
        for when, sign in (("before", "-"), ("after", "")):
            statements.append(
                f"CREATE TRIGGER deal_stage_days_entry_{event.lower()}_{when} {when.upper()} {event} ON stage_change "
                f"BEGIN {sd.insert(deals, entries, sign, postgres=False)}; END"
            )
    statements.append(sd.FILL_SQLITE)
    return statements


_NEW_DEALS_ENTRIES = "(SELECT * FROM stage_change WHERE deal_id IN (SELECT id FROM new_deals))"


def _pg_changed(old: str, new: str) -> str:
    return " OR ".join(f"{old}.{c} IS DISTINCT FROM {new}.{c}" for c in sd.COUNTED)


def _postgres() -> list[str]:
    def ins(deals, entries, sign):
        return sd.insert(deals, entries, sign, postgres=True) + ";"

    deals_of = "(SELECT * FROM deal WHERE id IN (SELECT deal_id FROM {rows}))"
    now = "(SELECT * FROM stage_change WHERE deal_id IN (SELECT deal_id FROM {rows}))"
    entry_bodies = {
        "INSERT": (
            ins(
                deals_of.format(rows="new_rows"),
                "(SELECT * FROM stage_change WHERE deal_id IN (SELECT deal_id FROM new_rows) "
                "AND id NOT IN (SELECT id FROM new_rows))",
                "-",
            )
            + ins(deals_of.format(rows="new_rows"), now.format(rows="new_rows"), "")
        ),
        "DELETE": (
            ins(
                deals_of.format(rows="old_rows"),
                f"({now.format(rows='old_rows')[1:-1]} UNION ALL SELECT * FROM old_rows)",
                "-",
            )
            + ins(deals_of.format(rows="old_rows"), now.format(rows="old_rows"), "")
        ),
        "UPDATE": (
            ins(
                "(SELECT * FROM deal WHERE id IN (SELECT deal_id FROM new_rows UNION SELECT deal_id FROM old_rows))",
                "(SELECT * FROM stage_change WHERE deal_id IN (SELECT deal_id FROM new_rows UNION "
                "SELECT deal_id FROM old_rows) AND id NOT IN (SELECT id FROM new_rows) UNION ALL SELECT * FROM old_rows)",
                "-",
            )
            + ins(
                "(SELECT * FROM deal WHERE id IN (SELECT deal_id FROM new_rows UNION SELECT deal_id FROM old_rows))",
                "(SELECT * FROM stage_change WHERE deal_id IN (SELECT deal_id FROM new_rows UNION "
                "SELECT deal_id FROM old_rows))",
                "",
            )
        ),
    }
    referencing = {
        "INSERT": "REFERENCING NEW TABLE AS new_rows",
        "DELETE": "REFERENCING OLD TABLE AS old_rows",
        "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    }
    changed_old = f"(SELECT o.* FROM old_deals o JOIN new_deals n ON n.id = o.id WHERE {_pg_changed('o', 'n')})"
    changed_new = f"(SELECT n.* FROM old_deals o JOIN new_deals n ON n.id = o.id WHERE {_pg_changed('o', 'n')})"
    deal_bodies = {
        "INSERT": ins("new_deals", _NEW_DEALS_ENTRIES, ""),
        "UPDATE": ins(changed_old, _NEW_DEALS_ENTRIES, "-") + ins(changed_new, _NEW_DEALS_ENTRIES, ""),
    }
    statements = [
        "CREATE TABLE deal_stage_days (grain SMALLINT NOT NULL, day DATE NOT NULL, region VARCHAR(100) NOT NULL, "
        "stage VARCHAR(20) NOT NULL, currency VARCHAR(3) NOT NULL, deals BIGINT NOT NULL, amount BIGINT NOT NULL, "
        "amount_cny BIGINT NOT NULL, converted BIGINT NOT NULL, approximate BIGINT NOT NULL)",
    ]
    for event, body in entry_bodies.items():
        name = f"crm_stage_days_entry_{event.lower()}"
        statements.append(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$"
        )
        statements.append(
            f"CREATE TRIGGER {name} AFTER {event} ON stage_change {referencing[event]} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    for event, body in deal_bodies.items():
        name = f"crm_stage_days_deal_{event.lower()}"
        refs = referencing[event].replace("new_rows", "new_deals").replace("old_rows", "old_deals")
        statements.append(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$"
        )
        statements.append(
            f"CREATE TRIGGER {name} AFTER {event} ON deal {refs} FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    delete_body = ins(_row("OLD"), _entries_of("OLD.id"), "-")
    statements += [
        f"CREATE FUNCTION crm_stage_days_deal_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {delete_body} "
        "RETURN OLD; END $$",
        "CREATE TRIGGER crm_stage_days_deal_delete BEFORE DELETE ON deal FOR EACH ROW "
        "EXECUTE FUNCTION crm_stage_days_deal_delete()",
        sd.FILL_POSTGRES,
        "CREATE INDEX deal_stage_days_day ON deal_stage_days (grain, day)",
    ]
    return statements


def up(migrator, db):
    for sql in _postgres() if isinstance(db, PostgresqlDatabase) else _sqlite():
        migrator.migrate(migrator.sql(sql))


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        statements = [
            f"DROP TRIGGER IF EXISTS crm_stage_days_{what} ON {table}"
            for what, table in (
                ("entry_insert", "stage_change"),
                ("entry_update", "stage_change"),
                ("entry_delete", "stage_change"),
                ("deal_insert", "deal"),
                ("deal_update", "deal"),
                ("deal_delete", "deal"),
            )
        ]
        statements += [
            f"DROP FUNCTION IF EXISTS crm_stage_days_{what}()"
            for what in ("entry_insert", "entry_update", "entry_delete", "deal_insert", "deal_update", "deal_delete")
        ]
    else:
        statements = [
            f"DROP TRIGGER IF EXISTS deal_stage_days_{what}"
            for what in (
                "insert",
                "update",
                "delete",
                "entry_insert_before",
                "entry_insert_after",
                "entry_update_before",
                "entry_update_after",
                "entry_delete_before",
                "entry_delete_after",
            )
        ]
    for sql in [*statements, "DROP TABLE IF EXISTS deal_stage_days"]:
        migrator.migrate(migrator.sql(sql))
