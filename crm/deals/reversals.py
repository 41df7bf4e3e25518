"""Which stage changes were reversed (crm.deals.corrections.undo_stage) — one rule for every reader.

undo_stage appends an entry back from the latest change's stage, dated when the
stage before it began, with the undo's note (also in the deal's audit trail,
field "undo"). The Detail timeline marks such a pair (crm.deals.timeline); the
weekly table and the quiet days leave both entries out, as if neither happened.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from peewee import SQL

from db.json_lists import among_ids
from db.models import AuditEntry, StageChange


def reversals(ledger: Sequence[dict], undo_notes: Iterable[str | None]) -> tuple[set[int], set[int]]:
    """(indexes of `ledger`'s entries that reversed the one before them, indexes of the entries reversed).

    `ledger` is one deal's entries oldest first, as dicts with "from", "to", "on" and "note"; `undo_notes` the
    notes of the deal's undos (its audit entries of field "undo"). An entry is an undo when it goes back exactly
    from the entry before it, is dated when the stage before that one began and carries an undo's note: a move
    back made as an ordinary change has no undo note, and cannot be dated before its stage began.
    """
    notes = [note or "" for note in undo_notes]
    undos: set[int] = set()
    undone: set[int] = set()
    for i in range(1, len(ledger)):
        entry, before = ledger[i], ledger[i - 1]
        if i - 1 in undone or entry["to"] != before["from"] or entry["from"] != before["to"]:
            continue
        if (entry["note"] or "") in notes and (i < 2 or entry["on"] == ledger[i - 2]["on"]):
            notes.remove(entry["note"] or "")
            undos.add(i)
            undone.add(i - 1)
    return undos, undone


def _undo_notes(deals) -> dict[int, list[str | None]]:
    """{deal id: the notes of its undos} of the deals `deals` (a list of ids) that have any; for a subquery (a
    cohort), of every deal that has any: the others' only name stage entries the caller does not read."""
    wanted = set(deals) if isinstance(deals, list) else None
    notes: dict[int, list[str | None]] = defaultdict(list)
    for table, deal_id, note in undo_query().tuples():
        if table == "deal" and (wanted is None or deal_id in wanted):
            notes[deal_id].append(note)
    return notes


def undo_query():
    """Every undo entry of the audit trail: (table, row_id, note). They are few: read through the partial index of
    migration 0024 for a page's deals, a week's and a whole cohort's alike, instead of each deal's entries (a
    week's changed deals are tens of thousands of ids). SQLite uses the index only for the literal written out,
    and only when the table is not named: the caller tells it apart."""
    return AuditEntry.select(AuditEntry.table, AuditEntry.row_id, AuditEntry.new).where(
        AuditEntry.field == SQL("'undo'")
    )


def reversed_entries(deals) -> set[int]:
    """The ids of the stage entries of `deals` (a list of deal ids, or a subquery of them) that count nowhere:
    those an undo reversed, and the undos. One indexed query of the audit trail; the ledgers read are those of
    the deals that have an undo."""
    if isinstance(deals, list) and not deals:
        return set()
    notes = _undo_notes(deals)
    if not notes:
        return set()
    entries: dict[int, list[dict]] = defaultdict(list)
    query = (
        StageChange.select(
            StageChange.id,
            StageChange.deal,
            StageChange.from_stage,
            StageChange.to_stage,
            StageChange.effective_on,
            StageChange.note,
        )
        .where(among_ids(StageChange.deal, list(notes)))
        .order_by(StageChange.deal, StageChange.id)
    )
    for e in query:
        entries[e.deal_id].append(
            {"id": e.id, "from": e.from_stage, "to": e.to_stage, "on": e.effective_on, "note": e.note}
        )
    found: set[int] = set()
    for deal_id, ledger in entries.items():
        undos, undone = reversals(ledger, notes[deal_id])
        found.update(ledger[i]["id"] for i in undos | undone)
    return found
