"""dated_stage_rows' last answers, kept on SQLite while nothing in the ledger changes: a report asks the same
question per region and in total, for the figures and again for the lights."""

from __future__ import annotations

import threading

from db.dialects import dialect_of
from db.models import database

#: dated_stage_rows' last answers on SQLite, per thread: .connection (the connection they were read on, held, so
#: that no new connection takes its id) and .rows {(version, question): rows}.
_REMEMBERED = threading.local()


def _version():
    """What changes whenever the ledger may have changed, on SQLite: this connection's count of changed rows and
    its data_version (other connections' commits); None elsewhere (nothing is remembered)."""
    if dialect_of().name != "sqlite":
        return None
    connection = database.connection()
    if getattr(_REMEMBERED, "connection", None) is not connection:
        _REMEMBERED.connection, _REMEMBERED.rows = connection, {}
    return connection.total_changes, connection.execute("PRAGMA data_version").fetchone()[0]


def remembered_rows(ask: tuple) -> list | None:
    """The rows kept for `ask` while nothing in the ledger changed, or None."""
    version = _version()
    return None if version is None else _REMEMBERED.rows.get((version, ask))


def remember_rows(ask: tuple, rows: list) -> None:
    """Keep `rows` for the next same question while nothing changed (a report asks per region and in total, for
    the figures and again for the lights)."""
    version = _version()
    if version is None:
        return
    if len(_REMEMBERED.rows) > 16:
        _REMEMBERED.rows = {}
    _REMEMBERED.rows[(version, ask)] = rows
