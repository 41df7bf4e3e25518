"""The rows an import writes go by COPY on PostgreSQL (db.bulk_writes.CopyRows): values read back as given (text
with the characters COPY's format escapes, a text that reads like its NULL marker, NULL itself, every other type the
import writes), and a county sheet whose cells hold backslashes, a `\\N` and line breaks lands as written on both
backends."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from crm.importing import inserts
from db import connection
from db.bulk_writes import Ahead, CopyRows, statements_runner
from db.models import Deal, database

DATA = Path(__file__).resolve().parents[1] / "data" / "county_sheets"
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


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_connections_copy_lock_goes_when_it_closes(ledger):
    database.execute_sql("CREATE TEMP TABLE copied (t text)")
    conn = database.obj.connection()
    with database.atomic():
        statements_runner(database.obj)([(CopyRows("COPY copied (t) FROM STDIN", 1), "招商\n")])
        assert id(conn) in connection._COPY_LOCKS  # statements on it wait while a COPY's rows go
    database.obj.close()
    assert id(conn) not in connection._COPY_LOCKS  # a later connection at the same address finds none


def test_a_value_of_a_type_never_written_is_refused_before_anything_is_sent():
    with pytest.raises(TypeError, match="float"):
        CopyRows("COPY x (a) FROM STDIN", 1).payload([1.5])


@pytest.mark.parametrize("backend", ["postgresql"])
def test_an_import_writes_its_rows_by_copy(ledger):
    fields = inserts.fields_of(Deal, "code", "name")
    statements = inserts.insert_statements(Deal, fields, [("ZS2020-0001", "名称\t带制表符")])
    assert [type(sql) for sql, _values in statements] == [CopyRows]
    assert statements[0][0] == CopyRows('COPY "deal" ("code", "name") FROM STDIN', 2)


def test_a_county_sheet_with_backslashes_and_line_breaks_lands_as_written(db_url, run_cli, tmp_path):
    book = openpyxl.load_workbook(DATA / "county_weekly.xlsx")
    sheet = book.active
    sheet["C5"] = "华侨城涿州\\城市客厅项目"  # 项目名称
    sheet["D5"] = "\\N"  # 企业名称: COPY's NULL marker, as text
    sheet["I5"] = "正在办理前期手续\n规划已批复\t（续）\\"  # 项目进度: free text over lines
    book.save(tmp_path / "county.xlsx")
    assert run_cli("--db", db_url, "init")[0] == 0
    assert run_cli("--db", db_url, "import", str(tmp_path / "county.xlsx"))[0] == 0
    shown = json.loads(run_cli("--db", db_url, "show", "ZS2020-0001", "--format", "json")[1])
    assert (shown["name"], shown["investor"]) == ("华侨城涿州\\城市客厅项目", "\\N")
    assert [p["text"] for p in shown["progress"]] == ["正在办理前期手续\n规划已批复\t（续）\\"]
