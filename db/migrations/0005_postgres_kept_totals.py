"""PostgreSQL: totals kept in step with the ledger, as rows appended by triggers.

The KPIs of all deals (the Dashboard) need every deal's amount by stage and
currency, and the funds and blockers of all signed deals. SQLite keeps those in
a few rows updated by triggers (0002); on PostgreSQL, rows that every writer
updates would make concurrent writers wait for each other (and deadlock), so
here each change appends a row of differences instead (+1 deal here, −1
there): appending takes no lock anyone else needs. crm/reporting/kpi.py sums them (and
folds them into one row per key now and then).

- deal_totals_delta: per stage and currency, like SQLite's deal_totals;
- funds_totals_delta, blocker_totals_delta: all funds / all blockers, whatever
  their deal's stage (the KPIs take away those of deals still 在谈, a query over
  those few deals), so that a deal's change of stage never has to move its
  funds and blockers between rows that other writers are appending to.

SQLite needs none of this.
"""

from peewee import PostgresqlDatabase

SQL = [
    "CREATE TABLE deal_totals_delta (id BIGSERIAL PRIMARY KEY, stage VARCHAR(20) NOT NULL, "
    "currency VARCHAR(3) NOT NULL, deals BIGINT NOT NULL, amount BIGINT NOT NULL, amount_cny BIGINT NOT NULL, "
    "converted BIGINT NOT NULL, approximate BIGINT NOT NULL)",
    "CREATE TABLE funds_totals_delta (id BIGSERIAL PRIMARY KEY, arrivals BIGINT NOT NULL, amount_cny BIGINT NOT NULL, "
    "converted BIGINT NOT NULL)",
    "CREATE TABLE blocker_totals_delta (id BIGSERIAL PRIMARY KEY, raised BIGINT NOT NULL, open BIGINT NOT NULL)",
    """
CREATE FUNCTION crm_deal_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (OLD.stage, OLD.currency, OLD.amount, OLD.amount_cny, OLD.amount_approximate)
            IS NOT DISTINCT FROM (NEW.stage, NEW.currency, NEW.amount, NEW.amount_cny, NEW.amount_approximate) THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO deal_totals_delta (stage, currency, deals, amount, amount_cny, converted, approximate)
        VALUES (OLD.stage, OLD.currency, -1, -OLD.amount, -coalesce(OLD.amount_cny, 0),
                -(OLD.amount_cny IS NOT NULL)::int, -OLD.amount_approximate::int);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO deal_totals_delta (stage, currency, deals, amount, amount_cny, converted, approximate)
        VALUES (NEW.stage, NEW.currency, 1, NEW.amount, coalesce(NEW.amount_cny, 0),
                (NEW.amount_cny IS NOT NULL)::int, NEW.amount_approximate::int);
    END IF;
    RETURN NULL;
END $$""",
    """
CREATE FUNCTION crm_funds_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.amount_cny IS NOT DISTINCT FROM NEW.amount_cny THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO funds_totals_delta (arrivals, amount_cny, converted)
        VALUES (-1, -coalesce(OLD.amount_cny, 0), -(OLD.amount_cny IS NOT NULL)::int);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO funds_totals_delta (arrivals, amount_cny, converted)
        VALUES (1, coalesce(NEW.amount_cny, 0), (NEW.amount_cny IS NOT NULL)::int);
    END IF;
    RETURN NULL;
END $$""",
    """
CREATE FUNCTION crm_blocker_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (OLD.resolved_on IS NULL) = (NEW.resolved_on IS NULL) THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO blocker_totals_delta (raised, open) VALUES (-1, -(OLD.resolved_on IS NULL)::int);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO blocker_totals_delta (raised, open) VALUES (1, (NEW.resolved_on IS NULL)::int);
    END IF;
    RETURN NULL;
END $$""",
    "CREATE TRIGGER deal_totals AFTER INSERT OR DELETE OR UPDATE OF stage, currency, amount, amount_cny, "
    "amount_approximate ON deal FOR EACH ROW EXECUTE FUNCTION crm_deal_totals()",
    "CREATE TRIGGER funds_totals AFTER INSERT OR DELETE OR UPDATE OF amount_cny ON funds_arrived "
    "FOR EACH ROW EXECUTE FUNCTION crm_funds_totals()",
    "CREATE TRIGGER blocker_totals AFTER INSERT OR DELETE OR UPDATE OF resolved_on ON blocker "
    "FOR EACH ROW EXECUTE FUNCTION crm_blocker_totals()",
    # what is already there
    "INSERT INTO deal_totals_delta (stage, currency, deals, amount, amount_cny, converted, approximate) "
    "SELECT stage, currency, count(*), sum(amount), coalesce(sum(amount_cny), 0), count(amount_cny), "
    "count(*) FILTER (WHERE amount_approximate) FROM deal GROUP BY stage, currency",
    "INSERT INTO funds_totals_delta (arrivals, amount_cny, converted) "
    "SELECT count(*), coalesce(sum(amount_cny), 0), count(amount_cny) FROM funds_arrived",
    "INSERT INTO blocker_totals_delta (raised, open) "
    "SELECT count(*), count(*) FILTER (WHERE resolved_on IS NULL) FROM blocker",
]


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        for sql in SQL:
            migrator.migrate(migrator.sql(sql))


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        for sql in (
            "DROP TRIGGER IF EXISTS deal_totals ON deal",
            "DROP TRIGGER IF EXISTS funds_totals ON funds_arrived",
            "DROP TRIGGER IF EXISTS blocker_totals ON blocker",
            "DROP FUNCTION IF EXISTS crm_deal_totals()",
            "DROP FUNCTION IF EXISTS crm_funds_totals()",
            "DROP FUNCTION IF EXISTS crm_blocker_totals()",
            "DROP TABLE IF EXISTS deal_totals_delta",
            "DROP TABLE IF EXISTS funds_totals_delta",
            "DROP TABLE IF EXISTS blocker_totals_delta",
        ):
            migrator.migrate(migrator.sql(sql))
