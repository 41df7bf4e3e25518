"""Multi-row INSERTs of many rows given as values, as peewee's insert_many would write them, at a fraction of its cost.

Used by the bulk path of an import (crm.importing.bulk): each value goes through its field's db_value as
peewee would convert it, converted once per distinct value or object of a column.
"""

from __future__ import annotations

import datetime
import decimal
import sqlite3
from itertools import chain

import peewee

from db.bulk_writes import CopyRows
from db.dialects import dialect_of, quoted
from db.fields import CentsField
from db.models import database


def default_of(f: peewee.Field):
    """The value a row given none takes in `f` (its default, called when callable)."""
    return f.default() if callable(f.default) else f.default


def fields_of(model, *names) -> list:
    """The fields of `model` named `names`, in that order."""
    return [model._meta.fields[n] for n in names]


#: Rows per INSERT statement at most (fewer where the bound parameters would exceed the limit below).
ROWS_PER_STATEMENT = 1000
#: Bound parameters one statement may have: SQLite 3.32+ allows 32766 (older ones 999).
_MAX_VARIABLES = 32766 if sqlite3.sqlite_version_info >= (3, 32, 0) else 999


def insert_statements(model, fields: list, rows: list) -> list[tuple[str | CopyRows, list]]:
    """(sql, parameters) of the multi-row INSERTs that write `rows`; on PostgreSQL a CopyRows in place of the
    sql, which the import's writer sends as COPY (db.bulk_writes).

    Peewee's insert_many builds each value through its query compiler, ~3 µs
    a value: 9 s for 100,000 deals of 29 columns. The statement here is the
    same (peewee quotes the names, the driver binds every value, converted
    by each field's db_value) with the placeholders simply repeated.
    """
    if not rows:
        return []
    db = database.obj
    names = ", ".join(quoted(f.column_name) for f in fields)
    head = f"INSERT INTO {quoted(model._meta.table_name)} ({names}) VALUES "
    one = "(" + ", ".join([db.param] * len(fields)) + ")"
    # Text columns given text need no conversion (db_value would return it as it is), nor does None in a
    # column whose db_value keeps None (all of peewee's); the rest go through it. Column by column, so that a
    # column needing none (most text columns) is passed on whole.
    as_is = [{str, type(None)} if f.db_value(None) is None else {str} for f in fields]
    for f, kept in zip(fields, as_is):
        if not isinstance(f, (peewee.CharField, peewee.TextField)):
            kept.discard(str)
        if isinstance(f, (peewee.IntegerField, peewee.ForeignKeyField)) and f.db_value(_PROBE) == _PROBE:
            kept.add(int)  # ids, counts, references: int(v) (not a scaled amount, whose db_value multiplies)
        if isinstance(f, peewee.BooleanField):
            kept.add(bool)
    in_process = dialect_of(db).in_process
    copy = None if in_process else CopyRows(f"COPY {quoted(model._meta.table_name)} ({names}) FROM STDIN", len(fields))
    # SQLite limits a statement's parameters; PostgreSQL's COPY has no limit (a statement more a batch costs the
    # server its statement triggers again).
    per_statement = max(1, min(ROWS_PER_STATEMENT, _MAX_VARIABLES // len(fields))) if in_process else ROWS_PER_STATEMENT
    # sqlite3 adapts a date or datetime through a Python function per value: given as the text it would make.
    as_text = _SQLITE_TEXT if in_process else {}
    out = []
    for part in (rows[at : at + per_statement] for at in range(0, len(rows), per_statement)):
        columns = []
        for f, kept, column in zip(fields, as_is, zip(*part)):
            types = set(map(type, column))
            if not types <= kept:  # no kept type is a date: a column with dates is converted here
                # db_value, then the text sqlite3 would make of a date it gives, in one pass
                convert = _then_text(f.db_value) if as_text else f.db_value
                column = _converted(column, kept, convert, isinstance(f, _BY_VALUE))
            columns.append(column)
        values = list(chain.from_iterable(zip(*columns)))
        out.append((copy or head + ", ".join([one] * len(part)), values))
    return out


def _converted(column, kept: set, convert, by_value: bool) -> list:
    """`column` with each value not of a `kept` type converted (a field's db_value, or the text sqlite3 would make).

    A batch's column repeats its values as shared objects (one Department, one Decimal per amount read, one
    date per date read): each distinct object is converted once; `by_value` (dates, times, amounts in cents,
    whose equal values convert alike): each distinct value.
    """
    if by_value and set(map(type, column)) <= _VALUES:
        # An amount of the file repeats in many rows as distinct objects; a day recurs in many deals' dates.
        done = {v: (v if type(v) in kept else convert(v)) for v in set(column)}
        return list(map(done.__getitem__, column))
    ids = list(map(id, column))
    firsts = dict(zip(ids, column))
    done = {i: (v if type(v) in kept else convert(v)) for i, v in firsts.items()}
    return list(map(done.__getitem__, ids))


#: Fields whose db_value converts equal values alike (1.5 and 1.50 are 150 cents), and those values' types,
#: of which no two compare equal.
_BY_VALUE = (peewee.DateField, peewee.DateTimeField, CentsField)
_VALUES = {datetime.date, datetime.datetime, decimal.Decimal, type(None)}
#: An id a reference or count field's db_value returns unchanged (a scaled amount's does not).
_PROBE = 1234567
#: The text sqlite3's default adapters make of a datetime and a date.
_SQLITE_TEXT = {datetime.datetime: lambda v: v.isoformat(" "), datetime.date: datetime.date.isoformat}


def _then_text(db_value):
    """db_value, its dates and datetimes given as the text sqlite3 would make of them."""

    def convert(value):
        value = db_value(value)
        as_text = _SQLITE_TEXT.get(type(value))
        return value if as_text is None else as_text(value)

    return convert
