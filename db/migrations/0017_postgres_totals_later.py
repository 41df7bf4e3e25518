"""PostgreSQL: the row triggers that count new deals, funds and blockers in the totals by stage and cohort (0005,
0006, 0007) stand aside too where the transaction has set `crm.kept_later` (db/kept_later.py, as 0016).

A first import of a million rows failed with "out of shared memory": the funds' and blockers' triggers take an
advisory lock per deal (0007), held to the transaction's end, and a hundred thousand blockers filled the
server's lock table. The import's own deals are new (no other session sees them, none can move them), so it
fills their totals itself without those locks. The triggers that move a deal's funds and blockers when its
key changes, or give them back when it is deleted, still fire: the import sets the setting back before it
changes or deletes a deal it wrote. SQLite: nothing changes.
"""

from db import kept_later

#: The insert-counting row triggers of 0005 (deal_totals), 0006 (deal_cohort_totals) and 0007 (funds, blockers).
_NAMES = "^(deal_totals|deal_cohort_totals|funds_totals|blocker_totals)$"


def up(migrator, db):
    kept_later.migrate(migrator, db, _NAMES, gated=True)


def down(migrator, db):
    kept_later.migrate(migrator, db, _NAMES, gated=False)
