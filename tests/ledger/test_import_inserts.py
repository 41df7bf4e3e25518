"""The bulk import's INSERTs (crm.importing.inserts) store each value as peewee's insert_many stores it: amounts
given as equal Decimals written differently, equal dates as distinct objects, references as ids or as rows, flags,
counts, times and empty cells, on SQLite and PostgreSQL (where the import's writer sends them by COPY)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from crm.deals.records import create_deal
from crm.importing.inserts import default_of, insert_statements
from db.bulk_writes import Ahead, statements_runner
from db.models import Deal, Event, database

NAMES = ("code", "name", "stage", "stage_since", "signed_on", "amount", "amount_cny", "amount_approximate")
NAMES += ("currency", "event", "version", "created_at", "updated_at", "updated_by", "floor_area", "notes")


def _rows(event: Event, prefix: str, fields: list) -> list[tuple]:
    rows = []
    at = datetime.datetime(2021, 6, 30, 9, 15, 7)
    for n, (amount, event_given, flag) in enumerate(
        [
            (Decimal("1.5"), event.id, True),
            (Decimal("1.50"), event, False),  # equal to the one before, and a row rather than its id
            (Decimal("120000"), None, True),
            (Decimal("0.07"), event.id, False),
            (Decimal("1.5"), None, False),
        ]
    ):
        day = datetime.date(2020, 3, 1 + n % 2)  # a new date object each row, the same two days
        given = (f"{prefix}-{n:04d}", f"项目{n}", "signed", day, datetime.date(2020, 3, 1 + n % 2), amount, amount)
        given += (flag, "CNY", event_given, n + 1, at, at.replace(second=n), "测试员", amount if n % 3 else None, "")
        values = {f.name: default_of(f) for f in fields} | dict(zip(NAMES, given))
        rows.append(tuple(values[f.name] for f in fields))
    return rows


def _stored(prefix: str) -> list:
    fields = [Deal._meta.fields[name] for name in NAMES]
    query = Deal.select(*fields).where(Deal.code.startswith(prefix)).order_by(Deal.code)
    return [(row[0][len(prefix) :], *row[1:]) for row in query.tuples()]  # the code without its prefix


def test_bulk_inserts_store_what_peewee_stores(ledger):
    create_deal({"name": "已有项目", "amount": "1亿元"}, actor="测试员")
    event = Event.create(name="集中签约", held_on=datetime.date(2020, 3, 1))
    fields = [f for f in Deal._meta.sorted_fields if not f.primary_key]  # every column, as the import gives them
    Deal.insert_many(_rows(event, "PW2020", fields), fields=fields).execute()
    ahead = Ahead(database.obj)
    try:
        with database.atomic():  # as the import's writer runs them
            statements_runner(database.obj)(ahead.bind(insert_statements(Deal, fields, _rows(event, "BK2020", fields))))
    finally:
        ahead.close()
    ours, peewees = _stored("BK2020"), _stored("PW2020")
    assert len(ours) == 5 and ours == peewees
    assert [row[5] for row in ours] == [Decimal("1.5"), Decimal("1.5"), Decimal("120000"), Decimal("0.07")] + [
        Decimal("1.5")
    ]
    sql = f"SELECT amount, signed_on, amount_approximate FROM deal WHERE code LIKE {database.obj.param} ORDER BY code"
    raw, peewee_raw = (database.execute_sql(sql, (f"{prefix}%",)).fetchall() for prefix in ("BK2020", "PW2020"))
    assert raw == peewee_raw and raw[0][0] == 150  # the cents, as the column holds them
