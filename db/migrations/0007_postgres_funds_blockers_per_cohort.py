"""PostgreSQL: funds and blockers kept per signing year, region and stage of their deal.

Migration 0005 kept all funds and all blockers in one total each, whatever
their deal's stage, and the KPIs took away those of the deals still 在谈 with
a query over those deals (70,000 of a million: ~300 ms), and answered a
signing year's funds and blockers by joining them to the year's deals
(~450 ms). Kept per (year, region, stage) of their deal, like the deal totals
of 0006, the Dashboard of all deals or of a year sums a few thousand rows.

A deal whose year, region or stage changes moves its funds and blockers from
its old key to its new one. A payment recorded at that moment by another
officer must not be counted under a key the deal is leaving: the move and
the recording of a payment or blocker take a per-deal advisory lock
(exclusive for the move, shared for the recording) so that one reads what
the other wrote. An edit that changes none of the keys takes no such lock,
so payments and blockers still go in while an officer edits the deal.

A deal being deleted gives back its funds and blockers before its rows go
(a BEFORE trigger); the cascade that deletes them then finds no deal and
counts nothing twice.

SQLite keeps its totals per stage in shared rows (0002): one writer at a time.
"""

from peewee import PostgresqlDatabase

from db.kept_totals import POSTGRES_FUNDS_FILL as FUNDS_FILL
from db.kept_totals import postgres_blockers_fill

BLOCKERS_FILL = postgres_blockers_fill(voids=False)  # blockers had no void marks before migration 0023

#: (class, deal id) advisory lock key: the class keeps it apart from other uses ("zh").
LOCK_CLASS = 0x7A68
_KEY = "coalesce(extract(year FROM {row}.signed_on)::int, 0), {row}.region, {row}.stage"
_KEY_AS = "coalesce(extract(year FROM signed_on)::int, 0) AS year, region, stage"


def _count_under_its_deal(table: str, columns: str, row: str, values: str, row_locks: bool, reread: bool) -> str:
    """PL/pgSQL: add `values` to `table` under the key of the deal of funds/blocker `row` (OLD or NEW); the deal
    read under a shared advisory lock, or (`row_locks`, migration 0018) with its row locked FOR KEY SHARE (as the
    foreign key's check has it already), which waits only for a transaction moving or deleting the deal.

    With `reread` (migration 0019) the deal is read after its lock, by a statement of its own. A lock that
    waited for a move returns the deal's row as the wait began, before the move; the next statement's
    snapshot sees the move done."""
    if reread:
        lock, share = f"\n        PERFORM 1 FROM deal WHERE id = {row}.deal_id FOR KEY SHARE;", ""
    else:
        lock = "" if row_locks else f"\n        PERFORM pg_advisory_xact_lock_shared({LOCK_CLASS}, {row}.deal_id);"
        share = " FOR KEY SHARE" if row_locks else ""
    return f"""{lock}
        SELECT {_KEY_AS} INTO d FROM deal WHERE id = {row}.deal_id{share};
        IF FOUND THEN
            INSERT INTO {table} (year, region, stage, {columns}) VALUES (d.year, d.region, d.stage, {values});
        END IF;"""


def _row_trigger(
    name: str,
    unchanged: str,
    table: str,
    columns: str,
    old_values: str,
    new_values: str,
    row_locks: bool = False,
    reread: bool = False,
) -> str:
    """The trigger function that counts a funds or blocker row in, out, or over to another deal."""
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d record;
BEGIN
    IF TG_OP = 'UPDATE' AND {unchanged} THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN{_count_under_its_deal(table, columns, "OLD", old_values, row_locks, reread)}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN{_count_under_its_deal(table, columns, "NEW", new_values, row_locks, reread)}
    END IF;
    RETURN NULL;
END $$"""


def _move(row: str, sign: str) -> str:
    """PL/pgSQL: count the deal's funds `f` and blockers `b` under the key of deal `row`, with `sign`."""
    return f"""
    IF f.n > 0 THEN
        INSERT INTO funds_totals_delta (year, region, stage, arrivals, amount_cny, converted)
        VALUES ({_KEY.format(row=row)}, {sign}f.n, {sign}f.cny, {sign}f.converted);
    END IF;
    IF b.raised > 0 THEN
        INSERT INTO blocker_totals_delta (year, region, stage, raised, open)
        VALUES ({_KEY.format(row=row)}, {sign}b.raised, {sign}b.open);
    END IF;"""


def functions(row_locks: bool, reread: bool = False, voids: bool = False) -> list[str]:
    """The trigger functions: funds and blockers counted under their deal's key, and a deal's moved when its key
    changes or given back when it is deleted. Here (not `row_locks`) the deal's (class, id) advisory lock orders
    them: shared to count, exclusive to move; migration 0018 (`row_locks`) orders them by the deal's row lock:
    FOR KEY SHARE to count, FOR UPDATE to move (the two that conflict, while an edit's FOR NO KEY UPDATE
    conflicts with neither); migration 0019 (`reread`) reads the deal by a statement after its lock; migration
    0023 (`voids`) counts a voided blocker nowhere, as if it were deleted."""
    move_lock = (
        "\n    PERFORM 1 FROM deal WHERE id = OLD.id FOR UPDATE;"
        if row_locks
        else f"\n    PERFORM pg_advisory_xact_lock({LOCK_CLASS}, OLD.id);"
    )
    # whether the OLD or NEW blocker counts: a voided one (0023) counts as 0 raised and 0 open, as if deleted
    counted = "({row}.voided_at IS NULL)" if voids else "true"
    was, now = counted.format(row="OLD"), counted.format(row="NEW")
    return [
        _row_trigger(
            "crm_funds_totals",
            "(OLD.amount_cny, OLD.deal_id) IS NOT DISTINCT FROM (NEW.amount_cny, NEW.deal_id)",
            "funds_totals_delta",
            "arrivals, amount_cny, converted",
            "-1, -coalesce(OLD.amount_cny, 0), -(OLD.amount_cny IS NOT NULL)::int",
            "1, coalesce(NEW.amount_cny, 0), (NEW.amount_cny IS NOT NULL)::int",
            row_locks,
            reread,
        ),
        _row_trigger(
            "crm_blocker_totals",
            f"((OLD.resolved_on IS NULL), OLD.deal_id, {was}) IS NOT DISTINCT FROM "
            f"((NEW.resolved_on IS NULL), NEW.deal_id, {now})",
            "blocker_totals_delta",
            "raised, open",
            f"-({was})::int, -(OLD.resolved_on IS NULL AND {was})::int",
            f"({now})::int, (NEW.resolved_on IS NULL AND {now})::int",
            row_locks,
            reread,
        ),
        f"""
CREATE {"OR REPLACE " if row_locks else ""}FUNCTION crm_deal_moves_totals() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    f record;
    b record;
BEGIN
    IF TG_OP = 'UPDATE' AND ({_KEY.format(row="OLD")}) IS NOT DISTINCT FROM ({_KEY.format(row="NEW")}) THEN
        RETURN NULL;
    END IF;{move_lock}
    SELECT count(*) AS n, coalesce(sum(amount_cny), 0) AS cny, count(amount_cny) AS converted INTO f
      FROM funds_arrived WHERE deal_id = OLD.id;
    SELECT count(*) AS raised, count(*) FILTER (WHERE resolved_on IS NULL) AS open INTO b
      FROM blocker WHERE deal_id = OLD.id{" AND voided_at IS NULL" if voids else ""};{_move("OLD", "-")}
    IF TG_OP = 'UPDATE' THEN{_move("NEW", "")}
        RETURN NULL;
    END IF;
    RETURN OLD;
END $$""",
    ]


SQL = [
    "DROP TRIGGER IF EXISTS funds_totals ON funds_arrived",
    "DROP TRIGGER IF EXISTS blocker_totals ON blocker",
    "DROP TABLE funds_totals_delta",
    "DROP TABLE blocker_totals_delta",
    "CREATE TABLE funds_totals_delta (id BIGSERIAL PRIMARY KEY, year INTEGER NOT NULL, region VARCHAR(100) NOT NULL, "
    "stage VARCHAR(20) NOT NULL, arrivals BIGINT NOT NULL, amount_cny BIGINT NOT NULL, converted BIGINT NOT NULL)",
    "CREATE TABLE blocker_totals_delta (id BIGSERIAL PRIMARY KEY, year INTEGER NOT NULL, region VARCHAR(100) NOT NULL, "
    "stage VARCHAR(20) NOT NULL, raised BIGINT NOT NULL, open BIGINT NOT NULL)",
    *functions(row_locks=False),
    "CREATE TRIGGER funds_totals AFTER INSERT OR DELETE OR UPDATE OF amount_cny, deal_id ON funds_arrived "
    "FOR EACH ROW EXECUTE FUNCTION crm_funds_totals()",
    "CREATE TRIGGER blocker_totals AFTER INSERT OR DELETE OR UPDATE OF resolved_on, deal_id ON blocker "
    "FOR EACH ROW EXECUTE FUNCTION crm_blocker_totals()",
    "CREATE TRIGGER deal_moves_totals AFTER UPDATE OF signed_on, region, stage ON deal "
    "FOR EACH ROW EXECUTE FUNCTION crm_deal_moves_totals()",
    "CREATE TRIGGER deal_gives_back_totals BEFORE DELETE ON deal FOR EACH ROW EXECUTE FUNCTION crm_deal_moves_totals()",
    FUNDS_FILL,
    BLOCKERS_FILL,
]


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        for sql in SQL:
            migrator.migrate(migrator.sql(sql))


def down(migrator, db):
    """Back to migration 0005's single totals of funds and of blockers."""
    if not isinstance(db, PostgresqlDatabase):
        return
    import importlib

    earlier = importlib.import_module("db.migrations.0005_postgres_kept_totals").SQL
    restore = [sql for sql in earlier if "funds_totals" in sql or "blocker_totals" in sql]
    for sql in [
        "DROP TRIGGER IF EXISTS deal_moves_totals ON deal",
        "DROP TRIGGER IF EXISTS deal_gives_back_totals ON deal",
        "DROP FUNCTION IF EXISTS crm_deal_moves_totals()",
        "DROP TRIGGER IF EXISTS funds_totals ON funds_arrived",
        "DROP TRIGGER IF EXISTS blocker_totals ON blocker",
        "DROP FUNCTION IF EXISTS crm_funds_totals()",
        "DROP FUNCTION IF EXISTS crm_blocker_totals()",
        "DROP TABLE IF EXISTS funds_totals_delta",
        "DROP TABLE IF EXISTS blocker_totals_delta",
        *restore,
    ]:
        migrator.migrate(migrator.sql(sql))
