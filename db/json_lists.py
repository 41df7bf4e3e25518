"""Lists of ids in SQL, which the two backends write differently: a group's ids joined into one text (SQLite's
group_concat, PostgreSQL's string_agg, which takes text), and a list of ids as one bound parameter."""

from __future__ import annotations

import json

from peewee import OP, SQL, Expression, Value, fn

from db.dialects import dialect_of


def joined_ids(column):
    """An aggregate: the group's integer `column` as decimal text joined by commas ("12,3,40"), in no particular
    order — NULL for no rows."""
    if dialect_of().name == "postgresql":
        return fn.string_agg(column.cast("text"), ",")
    return fn.group_concat(column, ",")


def among_ids(column, ids: list[int]):
    """`column IN ids`, the ids one bound parameter (a JSON array on SQLite, an array on PostgreSQL): one
    statement however many ids and whichever, where ids written into the SQL made each call a statement of its
    own for the driver to prepare and keep."""
    if dialect_of().name == "postgresql":
        return Expression(column, OP.EQ, fn.ANY(Value([int(i) for i in ids], unpack=False)))
    return column.in_(SQL("(SELECT value FROM json_each(?))", [json.dumps([int(i) for i in ids])]))
