"""Deal totals kept per signing year, region, stage and currency.

The Board's stage totals, the deal list's count and total when it is filtered
only by stage, region or signing year, and the Dashboard's KPIs and region
chart for all deals or for a signing year were each a scan of up to a million
deals (130-220 ms each at a million). Kept per (year, region, stage,
currency) they are a sum over at most a few thousand rows: 12 years × 37
regions × 7 stages × 4 currencies gave 10,470 rows at a million deals.

`year` is the signing year, 0 for a deal not signed yet.

- SQLite: `deal_cohort_totals`, one row per key, updated by triggers (SQLite
  has one writer at a time, so shared rows cost nothing).
- PostgreSQL: `deal_cohort_totals_delta`, rows of differences appended by a
  trigger (+1 deal here, −1 there), as in migration 0005: appending takes no
  lock another writer needs. crm/reporting/cohort_totals.py sums them, and
  db/kept_totals.compact folds them now and then.
"""

from peewee import PostgresqlDatabase

from db.kept_totals import POSTGRES_COHORT_FILL as POSTGRES_FILL
from db.kept_totals import SQLITE_COHORT_FILL as SQLITE_FILL

COUNTED = ("stage", "currency", "amount", "amount_cny", "amount_approximate", "region", "signed_on")
_SQLITE_YEAR = "coalesce(CAST(substr({row}.signed_on, 1, 4) AS INTEGER), 0)"


def _sqlite_count(sign: str, row: str) -> str:
    return (
        "INSERT INTO deal_cohort_totals (year, region, stage, currency, deals, amount, amount_cny, converted, "
        f"approximate) VALUES ({_SQLITE_YEAR.format(row=row)}, {row}.region, {row}.stage, {row}.currency, {sign}1, "
        f"{sign}{row}.amount, {sign}coalesce({row}.amount_cny, 0), "
        f"{sign}(CASE WHEN {row}.amount_cny IS NULL THEN 0 ELSE 1 END), "
        f"{sign}(CASE WHEN {row}.amount_approximate THEN 1 ELSE 0 END)) "
        "ON CONFLICT (year, region, stage, currency) DO UPDATE SET deals = deal_cohort_totals.deals + excluded.deals, "
        "amount = deal_cohort_totals.amount + excluded.amount, "
        "amount_cny = deal_cohort_totals.amount_cny + excluded.amount_cny, "
        "converted = deal_cohort_totals.converted + excluded.converted, "
        "approximate = deal_cohort_totals.approximate + excluded.approximate;"
    )


SQLITE = [
    "CREATE TABLE deal_cohort_totals (year INTEGER NOT NULL, region VARCHAR(100) NOT NULL, stage VARCHAR(20) NOT NULL, "
    "currency VARCHAR(3) NOT NULL, deals INTEGER NOT NULL, amount INTEGER NOT NULL, amount_cny INTEGER NOT NULL, "
    "converted INTEGER NOT NULL, approximate INTEGER NOT NULL, PRIMARY KEY (year, region, stage, currency))",
    f"CREATE TRIGGER deal_cohort_totals_insert AFTER INSERT ON deal BEGIN {_sqlite_count('', 'new')} END",
    f"CREATE TRIGGER deal_cohort_totals_update AFTER UPDATE OF {', '.join(COUNTED)} ON deal WHEN "
    + " OR ".join(f"old.{c} IS NOT new.{c}" for c in COUNTED)
    + f" BEGIN {_sqlite_count('-', 'old')} {_sqlite_count('', 'new')} END",
    f"CREATE TRIGGER deal_cohort_totals_delete AFTER DELETE ON deal BEGIN {_sqlite_count('-', 'old')} END",
    SQLITE_FILL,
]

POSTGRES = [
    "CREATE TABLE deal_cohort_totals_delta (id BIGSERIAL PRIMARY KEY, year INTEGER NOT NULL, "
    "region VARCHAR(100) NOT NULL, stage VARCHAR(20) NOT NULL, currency VARCHAR(3) NOT NULL, deals BIGINT NOT NULL, "
    "amount BIGINT NOT NULL, amount_cny BIGINT NOT NULL, converted BIGINT NOT NULL, approximate BIGINT NOT NULL)",
    """
CREATE FUNCTION crm_deal_cohort_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (OLD.stage, OLD.currency, OLD.amount, OLD.amount_cny, OLD.amount_approximate, OLD.region,
            OLD.signed_on) IS NOT DISTINCT FROM (NEW.stage, NEW.currency, NEW.amount, NEW.amount_cny,
            NEW.amount_approximate, NEW.region, NEW.signed_on) THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO deal_cohort_totals_delta (year, region, stage, currency, deals, amount, amount_cny, converted,
                                              approximate)
        VALUES (coalesce(extract(year FROM OLD.signed_on)::int, 0), OLD.region, OLD.stage, OLD.currency, -1,
                -OLD.amount, -coalesce(OLD.amount_cny, 0), -(OLD.amount_cny IS NOT NULL)::int,
                -OLD.amount_approximate::int);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO deal_cohort_totals_delta (year, region, stage, currency, deals, amount, amount_cny, converted,
                                              approximate)
        VALUES (coalesce(extract(year FROM NEW.signed_on)::int, 0), NEW.region, NEW.stage, NEW.currency, 1,
                NEW.amount, coalesce(NEW.amount_cny, 0), (NEW.amount_cny IS NOT NULL)::int,
                NEW.amount_approximate::int);
    END IF;
    RETURN NULL;
END $$""",
    f"CREATE TRIGGER deal_cohort_totals AFTER INSERT OR DELETE OR UPDATE OF {', '.join(COUNTED)} ON deal "
    "FOR EACH ROW EXECUTE FUNCTION crm_deal_cohort_totals()",
    POSTGRES_FILL,
]


def up(migrator, db):
    for sql in POSTGRES if isinstance(db, PostgresqlDatabase) else SQLITE:
        migrator.migrate(migrator.sql(sql))


def down(migrator, db):
    statements: tuple[str, ...]
    if isinstance(db, PostgresqlDatabase):
        statements = (
            "DROP TRIGGER IF EXISTS deal_cohort_totals ON deal",
            "DROP FUNCTION IF EXISTS crm_deal_cohort_totals()",
            "DROP TABLE IF EXISTS deal_cohort_totals_delta",
        )
    else:
        statements = (
            "DROP TRIGGER IF EXISTS deal_cohort_totals_insert",
            "DROP TRIGGER IF EXISTS deal_cohort_totals_update",
            "DROP TRIGGER IF EXISTS deal_cohort_totals_delete",
            "DROP TABLE IF EXISTS deal_cohort_totals",
        )
    for sql in statements:
        migrator.migrate(migrator.sql(sql))
