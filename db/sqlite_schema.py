"""SQLite's own indexes and triggers as its schema table (sqlite_master) holds them: what a bulk write drops for
its length and makes again from their SQL afterwards (crm/importing/aside.py, kept_totals.rebuilt_after,
crm/samples/synthetic.py). SQLite only: on PostgreSQL nothing is dropped while other sessions may write.
"""

from __future__ import annotations

from collections.abc import Iterable

import peewee

from db.dialects import quoted

KINDS = ("index", "trigger")


def has_statistics(db: peewee.Database) -> bool:
    """Whether ANALYZE has left the planner its statistics (sqlite_stat1), which dropping an index loses a row of."""
    return (
        db.execute_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'").fetchone()
        is not None
    )


def made(
    db: peewee.Database, kind: str, tables: Iterable[str] = (), names: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """(name, SQL) of the `kind` objects ('index' or 'trigger') the schema's own SQL made (not SQLite's automatic
    indexes), in the order they were made, which is the order the planner weighs indexes in: those on `tables`
    and those named `names` (every one of them when neither is given)."""
    _check(kind)
    tables, names = list(tables), list(names)
    which, params = [], [kind]
    if tables:
        which.append(f"tbl_name IN ({', '.join('?' * len(tables))})")
        params += tables
    if names:
        which.append(f"name IN ({', '.join('?' * len(names))})")
        params += names
    among = f" AND ({' OR '.join(which)})" if which else ""
    sql = f"SELECT name, sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL{among} ORDER BY rowid"
    return [(name, text) for name, text in db.execute_sql(sql, params).fetchall()]


def plain_indexes(db: peewee.Database, table: str) -> set[str]:
    """The names of `table`'s indexes that the schema made (CREATE INDEX) and that are not unique."""
    listed = db.execute_sql(f"PRAGMA index_list({quoted(table)})").fetchall()
    return {name for _seq, name, unique, origin, _partial in listed if not unique and origin == "c"}


def drop(db: peewee.Database, kind: str, names: Iterable[str]) -> None:
    """Drop the `kind` objects ('index' or 'trigger') named `names`, in the current transaction."""
    for name in names:
        db.execute_sql(drop_statement(kind, name))


def drop_statement(kind: str, name: str) -> str:
    """The statement that drops the `kind` object ('index' or 'trigger') named `name`."""
    _check(kind)
    return f"DROP {kind.upper()} {quoted(name)}"


def _check(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind is one of {KINDS}, not {kind!r}")
