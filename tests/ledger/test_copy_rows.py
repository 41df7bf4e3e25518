"""PostgreSQL: the rows an import writes go by COPY (db.bulk_writes.CopyRows) and read back as the values given —
text with the characters COPY's format escapes, a text that reads like its NULL marker, NULL itself, and every
other type the import writes — and an import writes its deals, ledger entries and audit that way."""

import datetime
from decimal import Decimal

import pytest

from crm.importing import inserts
from db.bulk_writes import Ahead, CopyRows, statements_runner
from db.models import AuditEntry, Deal, StageChange, database

TEXTS = [
    "a\tb",
    "line\nnext",
    "carriage\rreturn",
    "back\\slash",
    "\\N",
    "\\",
    "",
    "招商\t引资\\项目",
    "'quoted' \"too\"",
]


@pytest.mark.parametrize("backend", ["postgresql"])
def test_copied_rows_read_back_as_the_values_given(ledger):
    database.execute_sql(
        "CREATE TEMP TABLE copied (n int, t text, b boolean, d numeric(14, 2), day date, at timestamp, big bigint)"
    )
    rows = [
        (
            i,
            text,
            i % 2 == 0,
            Decimal("12345.67") if i % 3 else None,
            datetime.date(2020, 5, 18 + i % 5),
            datetime.datetime(2026, 12, 6, 1, 2, 3, 456789),
            2**40 + i,
        )
        for i, text in enumerate(TEXTS)
    ]
    rows.append((99, None, None, None, None, None, None))
    copy = CopyRows("COPY copied (n, t, b, d, day, at, big) FROM STDIN", 7)
    ahead = Ahead(database.obj)
    try:
        with database.atomic():  # the import's transaction
            statements_runner(database.obj)(ahead.bind([(copy, [v for row in rows for v in row])]))
            back = database.execute_sql("SELECT n, t, b, d, day, at, big FROM copied ORDER BY n").fetchall()
    finally:
        ahead.close()
    assert back == rows


def test_a_value_of_a_type_never_written_is_refused_before_anything_is_sent():
    with pytest.raises(TypeError, match="float"):
        CopyRows("COPY x (a) FROM STDIN", 1).payload([1.5])


@pytest.mark.parametrize("backend", ["postgresql"])
def test_an_import_writes_its_rows_by_copy(ledger):
    fields = inserts.fields_of(Deal, "code", "name")
    statements = inserts.insert_statements(Deal, fields, [("ZS2020-0001", "名称\t带制表符")])
    assert [type(sql) for sql, _values in statements] == [CopyRows]
    assert statements[0][0].sql.startswith('COPY "deal" ("code", "name") FROM STDIN')
    for model in (StageChange, AuditEntry):
        table = model._meta.table_name
        made = inserts.insert_statements(model, [model._meta.primary_key], [(1,), (2,)])
        assert made[0][0] == CopyRows(f'COPY "{table}" ("id") FROM STDIN', 1)
