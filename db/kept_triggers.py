"""SQLite's row triggers that keep deal_stage_days, deal_event_days and deal_plan_days (migration 0014).

SQLite parses every statement of the schema whenever a connection first reads it, triggers included. Migrations
0012 and 0013 wrote the statements of db/stage_days.py into each of 31 row triggers: about 300 KB of SQL, some
12 ms of every connection's CPU. Here each row trigger only hands its deal's values, and whether they are
removed (-1) or added (+1), to the view kept_days_change; the view's INSTEAD OF triggers hold those statements
once. The invariant, what is kept and when, is the one db/stage_days.py states; only where the SQL lives moved.

`row_triggers(inline=True)` writes the same triggers with the statements inside each (the form of 0012 and 0013),
which 0014's down() puts back. PostgreSQL keeps its statement triggers (migrations 0012 and 0013).

A voided blocker (migration 0023) counts nowhere: its row triggers fire on every update, so the view's events
trigger, which reads only the blockers not voided, takes a blocker being voided out as if it were deleted.
`voids=False` writes the statements as they were before 0023, for the migrations before it.
"""

from __future__ import annotations

from typing import NamedTuple

from db import stage_days as sd

VIEW = "kept_days_change"
#: Which kept tables a change touches (the view's `kinds`, a bit each).
STAGES, EVENTS, PLAN = 1, 2, 4
_ALL = STAGES | EVENTS | PLAN
#: The deal values the three contributions read.
_COLUMNS = (
    "id",
    "stage_since",
    "stage",
    "region",
    "currency",
    "amount",
    "amount_cny",
    "amount_approximate",
    "archived_on",
    "planned_start",
    "planned_completion",
)
#: The tables whose rows count for a deal, and the kept tables a change of theirs touches.
_CHILDREN = {"stage_change": _ALL, "funds_arrived": EVENTS, "blocker": EVENTS}
_EVENTS = (("INSERT", ("new",)), ("UPDATE", ("old", "new")), ("DELETE", ("old",)))


class _Trigger(NamedTuple):
    name: str
    when: str  # e.g. "AFTER UPDATE OF stage, region ON deal WHEN …"
    deals: tuple[tuple[str, int], ...]  # (record, direction): the deal of NEW or OLD removed (-1) or added (+1)
    kinds: int
    child: bool  # the record is a row of a child table: its deal is read from the deal table


def _specs() -> list[_Trigger]:
    def changed(columns) -> str:
        return " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)

    specs = [_Trigger("deal_kept_insert", "AFTER INSERT ON deal", (("new", 1),), _ALL, False)]
    for suffix, columns, kinds in (
        ("stages", sd.COUNTED, STAGES),
        ("events", sd.EVENT_COUNTED, EVENTS),
        ("plan", sd.PLAN_COUNTED, PLAN),
    ):
        when = f"AFTER UPDATE OF {', '.join(columns)} ON deal WHEN {changed(columns)}"
        specs.append(_Trigger(f"deal_kept_update_{suffix}", when, (("old", -1), ("new", 1)), kinds, False))
    specs.append(_Trigger("deal_kept_delete", "BEFORE DELETE ON deal", (("old", -1),), _ALL, False))
    for table, kinds in _CHILDREN.items():
        for event, records in _EVENTS:
            for timing, direction in (("BEFORE", -1), ("AFTER", 1)):
                name = f"{table}_kept_{event.lower()}_{timing.lower()}"
                deals = tuple((r, direction) for r in records)
                specs.append(_Trigger(name, f"{timing} {event} ON {table}", deals, kinds, True))
    return specs


def _bodies(deals: str, ids: str, sign: str, kinds: int, voids: bool) -> list[str]:
    """The statements that remove (sign '-') or add ('' or 'new.direction * ') the contributions of `deals`;
    `voids`: a voided blocker counts nowhere (migration 0023; before it blockers had no void marks)."""

    def of(table: str, counted: str = "") -> str:
        return f"(SELECT * FROM {table} WHERE deal_id IN ({ids}){counted})"

    entries = of("stage_change")
    blockers = of("blocker", f" AND {sd.COUNTED_BLOCKER}" if voids else "")
    statements = []
    if kinds & STAGES:
        statements.append(sd.insert(deals, entries, sign, False))
    if kinds & EVENTS:
        statements.append(sd.event_insert(deals, entries, of("funds_arrived"), blockers, sign, False))
    if kinds & PLAN:
        statements.append(sd.plan_insert(deals, entries, sign, False))
    return statements


def _record(record: str) -> str:
    return "SELECT " + ", ".join(f"{record}.{c} AS {c}" for c in _COLUMNS)


def view_statements(voids: bool = True) -> list[str]:
    """The view kept_days_change and its INSTEAD OF triggers, one per kept table (`voids`: as _bodies)."""
    columns = ", ".join(_COLUMNS)
    statements = [f"CREATE VIEW {VIEW} AS SELECT 0 AS direction, 0 AS kinds, {columns} FROM deal WHERE 0"]
    return statements + list(view_triggers(voids).values())


def view_triggers(voids: bool = True) -> dict[str, str]:
    """The view's INSTEAD OF triggers by name, one per kept table (`voids`: as _bodies)."""
    triggers = {}
    for kind, name in ((STAGES, "stages"), (EVENTS, "events"), (PLAN, "plan")):
        (body,) = _bodies(f"({_record('new')})", "new.id", "new.direction * ", kind, voids)
        triggers[f"{VIEW}_{name}"] = (
            f"CREATE TRIGGER {VIEW}_{name} INSTEAD OF INSERT ON {VIEW} WHEN new.kinds & {kind} BEGIN {body}; END"
        )
    return triggers


def _inline(spec: _Trigger, voids: bool) -> str:
    statements = []
    for record, direction in spec.deals:
        sign = "-" if direction < 0 else ""
        if spec.child:
            ids = ", ".join(f"{r}.deal_id" for r, _d in spec.deals)
            deals = f"(SELECT * FROM deal WHERE id IN ({ids}))"
            statements += _bodies(deals, ids, sign, spec.kinds, voids)
            break  # a child's trigger removes or adds every deal it names at once
        statements += _bodies(f"({_record(record)})", f"{record}.id", sign, spec.kinds, voids)
    return "; ".join(statements)


def _handed(spec: _Trigger) -> str:
    columns = ", ".join(_COLUMNS)
    inserts = []
    for record, direction in spec.deals:
        if spec.child:
            source = f"SELECT {direction}, {spec.kinds}, {columns} FROM deal WHERE id = {record}.deal_id"
            if record == "new" and len(spec.deals) > 1:
                source += " AND old.deal_id IS NOT new.deal_id"  # a row moved within its deal names it once
        else:
            source = f"SELECT {direction}, {spec.kinds}, " + ", ".join(f"{record}.{c}" for c in _COLUMNS)
        inserts.append(f"INSERT INTO {VIEW} (direction, kinds, {columns}) {source}")
    return "; ".join(inserts)


def row_triggers(inline: bool = False, voids: bool = True) -> list[str]:
    """The row triggers on deal and its child tables: handing their deals to the view, or (`inline`) the
    statements themselves inside each (`voids`: as _bodies)."""
    return [
        f"CREATE TRIGGER {spec.name} {spec.when} BEGIN {_inline(spec, voids) if inline else _handed(spec)}; END"
        for spec in _specs()
    ]


def names() -> list[str]:
    """The names of the row triggers and of the view's triggers (those row_triggers and view_statements create)."""
    return [spec.name for spec in _specs()] + [f"{VIEW}_{name}" for name in ("stages", "events", "plan")]
