"""The audit trail: who changed which field of which row, when, old → new."""

from peewee import fn

from db.models import AuditEntry


def _as_text(value):
    return None if value is None else str(value)


def record(table: str, row_id: int, changes: dict, actor: str) -> None:
    """Append one audit entry per changed field; `changes` maps field → (old, new)."""
    record_many(table, {row_id: changes}, actor)


#: Audit entries a statement inserts at most (SQLite allows 32,766 parameters; an entry takes six).
_PER_INSERT = 5000


def record_many(table: str, changes: dict[int, dict], actor: str) -> None:
    """record() for many rows of `table` at once: `changes` maps a row's id → {field: (old, new)}."""
    rows = [
        {"actor": actor, "table": table, "row_id": row_id, "field": field, "old": _as_text(old), "new": _as_text(new)}
        for row_id, fields in changes.items()
        for field, (old, new) in fields.items()
        if _as_text(old) != _as_text(new)
    ]
    for start in range(0, len(rows), _PER_INSERT):
        AuditEntry.insert_many(rows[start : start + _PER_INSERT]).execute()


def latest() -> int:
    """The id of the newest audit entry (0 with none): every audited change of the ledger raises it, so figures read
    at one value need not be computed again while it stays (one index lookup on either backend)."""
    return AuditEntry.select(fn.MAX(AuditEntry.id)).scalar() or 0


def history(table: str, row_id: int) -> list[AuditEntry]:
    """The audit entries of one row, oldest first."""
    return list(
        AuditEntry.select().where((AuditEntry.table == table) & (AuditEntry.row_id == row_id)).order_by(AuditEntry.id)
    )


def trail(query, currency: str | None = None) -> list[dict]:
    """The audit entries `query` selects as plain dicts (at, by, table, row_id, field, old, new, and the
    `currency` amounts in them are read in), in the query's order: what `crm log` and the timeline read."""
    return [
        {
            "at": a.at,
            "by": a.actor,
            "table": a.table,
            "row_id": a.row_id,
            "field": a.field,
            "old": a.old,
            "new": a.new,
            "currency": currency,
        }
        for a in query
    ]
