"""An index on the undo entries of the audit trail: which stage changes an undo reversed (crm/deals/reversals.py)
is asked for a whole cohort by the stale-deal reports (crm/listing/stale.py), and undos are few. Without it that
question reads every audit entry of every deal asked about: a bureau's ledger gathers several a deal.
"""

NAME = "audit_entry_undo"


def up(migrator, db):
    migrator.migrate(migrator.sql(f"CREATE INDEX {NAME} ON audit_entry (row_id) WHERE field = 'undo'"))


def down(migrator, db):
    migrator.migrate(migrator.sql(f"DROP INDEX IF EXISTS {NAME}"))
