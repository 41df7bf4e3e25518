"""A list of rows computed by the database inside another row's SELECT, as JSON text or a list of ids.

A report that shows, per deal, the names of its supporting departments or its
open blockers can read them in the deal's own row (a correlated subquery)
instead of looking them up per batch of deals. The two backends write it
differently — SQLite (3.40) has no ORDER BY inside an aggregate, so it
concatenates the rows of an ordered subquery; PostgreSQL orders inside
string_agg — and both give the same text to json.loads.
"""

from __future__ import annotations

from peewee import SQL, Select, fn

from db.dialects import dialect_of


def json_rows(query: Select, columns: list, order_by: list):
    """A scalar subquery: the rows of `query` (narrowed by its own WHERE, which may name the outer row) as
    JSON arrays of `columns` in `order_by` order, joined by commas — NULL when there is none.

    `"[" + text + "]"` is then a JSON list of lists, whatever the values hold (quotes, commas, line breaks).
    """
    if dialect_of().name == "postgresql":
        row = fn.json_build_array(*columns).cast("text")
        return query.select(fn.string_agg(row, ",").order_by(*order_by))
    inner = query.select(fn.json_array(*columns).alias("j")).order_by(*order_by)
    return Select([inner.alias("jr")], [fn.group_concat(SQL('"jr"."j"'), ",")])


def id_list(query: Select, column, order_by: list):
    """A scalar subquery: the integer `column` of the rows of `query` in `order_by` order, as decimal text
    joined by commas ("12,3,40") — NULL when there is none."""
    if dialect_of().name == "postgresql":
        return query.select(fn.string_agg(column.cast("text"), ",").order_by(*order_by))
    inner = query.select(column.alias("i")).order_by(*order_by)
    return Select([inner.alias("ir")], [fn.group_concat(SQL('"ir"."i"'), ",")])
