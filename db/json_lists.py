"""A group's ids joined into one text by the database, which the two backends write differently: SQLite's
group_concat, PostgreSQL's string_agg (which takes text)."""

from __future__ import annotations

from peewee import fn

from db.dialects import dialect_of


def joined_ids(column):
    """An aggregate: the group's integer `column` as decimal text joined by commas ("12,3,40"), in no particular
    order — NULL for no rows."""
    if dialect_of().name == "postgresql":
        return fn.string_agg(column.cast("text"), ",")
    return fn.group_concat(column, ",")
