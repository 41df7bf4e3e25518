"""A list of ids in SQL as one bound parameter, which the two backends write differently."""

from __future__ import annotations

import json

from peewee import OP, SQL, Expression, Value, fn

from db.dialects import dialect_of


def among_ids(column, ids: list[int]):
    """`column IN ids`, the ids one bound parameter (a JSON array on SQLite, an array on PostgreSQL): one
    statement however many ids and whichever, where ids written into the SQL made each call a statement of its
    own for the driver to prepare and keep."""
    if dialect_of().name == "postgresql":
        return Expression(column, OP.EQ, fn.ANY(Value([int(i) for i in ids], unpack=False)))
    return column.in_(SQL("(SELECT value FROM json_each(?))", [json.dumps([int(i) for i in ids])]))
