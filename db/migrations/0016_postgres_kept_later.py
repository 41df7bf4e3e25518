"""PostgreSQL: the triggers keeping the as-of totals (0012, 0013) stand aside in a transaction that says it fills them.

A bureau's first import into a PostgreSQL ledger spent a third of the server's time in these statement
triggers: each batch of new deals, and then their ledger entries, removed and re-added each deal's share.
Each trigger now fires only when its transaction has not set `crm.kept_later` to 'on' (db/kept_later.py): the
import sets it with SET LOCAL, fills the kept tables for its own deals, and sets it back, all in its
transaction. SQLite: nothing changes (its import drops its row triggers inside its transaction instead).
"""

from db import kept_later

#: The as-of totals' triggers of 0012 and 0013.
_NAMES = "^crm_(days|plan)_"


def up(migrator, db):
    kept_later.migrate(migrator, db, _NAMES, gated=True)


def down(migrator, db):
    kept_later.migrate(migrator, db, _NAMES, gated=False)
