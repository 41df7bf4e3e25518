"""`crm deals --format csv|json` are written by the database (crm.listing.deal_text), value by value
exactly what the CSV and JSON printers write for the same deals (cli.output.print_csv / print_json
of crm.listing.views.list_deals()): every sort, a filter, formula-looking, quoted, multi-line and
control-character text, negative amounts, deals without a signing date, event, lead unit or liaison,
and the latest progress entry (same-day entries decided by the later one)."""

import csv
import datetime
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from cli.output import print_json
from crm.deals.progress import record_progress
from crm.foundation.text import neutralise
from crm.listing import deal_text, pages, views
from crm.listing.filters import DealFilter
from crm.values.dates import date_text
from db.models import Deal, Department, Event, Person
from tests.conftest import filled_ledger

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = [
    "=SUM(A1:A9)",
    "+86 涿州",
    "-负数开头",
    "@招商",
    "\t制表开头",
    "\r回车开头",
    "＝全角等号",
    "逗号, 在中间",
    '引号 " 在中间',
    "换行\n在中间",
    "控制\x01字符\x1f与\x7f",
    "反斜杠 \\ 与 \u2028 分隔",
    "'已有撇号",
    "",
]


def _as_printed(r: dict) -> dict:
    """A list row with its dates as every output prints them: a month-only signing date (and a 签约 since it) as
    that month, 2019-09; the table's own flag, signed_on_month, left out."""
    out = {k: v for k, v in r.items() if k != "signed_on_month"}
    if r["signed_on_month"]:
        out["signed_on"] = date_text(r["signed_on"], True)
        if r["stage"] == "signed" and r["stage_since"] == r["signed_on"]:
            out["stage_since"] = out["signed_on"]
    return out


def _csv_oracle(rows: list[dict]) -> str:
    """What the deal list's CSV was before the database wrote it: each value as text, then neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(deal_text.CSV_KEYS)
    for r in map(_as_printed, rows):
        cells = [r[k] for k in deal_text.CSV_KEYS]
        writer.writerows([[neutralise(str(v)) if isinstance(v, (str, Decimal, datetime.date)) else v for v in cells]])
    return out.getvalue()


def _json_oracle(rows: list[dict]) -> str:
    """What the deal list's JSON was before the database wrote it: the rows as printed (_as_printed)."""
    out = io.StringIO()
    print_json([_as_printed(r) for r in rows], out)
    return out.getvalue()


@filled_ledger("demo_ledger")
def hostile_ledger():
    """The demo ledger with hostile text in every text column the lists show, and progress entries."""
    deals = list(Deal.select().order_by(Deal.id))
    for i, text in enumerate(HOSTILE):
        deal = deals[i]
        Deal.update(name=text or "空", investor=text, region=text or "涿州市", sub_industry=text).where(
            Deal.id == deal.id
        ).execute()
    if deals[0].event_id:
        Event.update(name=HOSTILE[0]).where(Event.id == deals[0].event_id).execute()
    Department.update(name='=牵头, "单位"').where(Department.id == deals[1].lead_unit_id).execute()
    Person.update(name="@包联\n领导").where(Person.id == deals[2].liaison_id).execute()
    Deal.update(amount=Decimal("-0.05"), amount_cny=Decimal("-1234.56")).where(Deal.id == deals[3].id).execute()
    Deal.update(signed_on=None, event=None, lead_unit=None, liaison=None, amount_cny=None).where(
        Deal.id == deals[4].id
    ).execute()
    # Month-only signing dates: one 签约 since that date, one in a later stage since another day.
    month = datetime.date(2019, 9, 1)
    Deal.update(signed_on=month, signed_on_month=True, stage="signed", stage_since=month).where(
        Deal.id == deals[6].id
    ).execute()
    Deal.update(signed_on=month, signed_on_month=True, stage="registered", stage_since=datetime.date(2020, 3, 2)).where(
        Deal.id == deals[7].id
    ).execute()
    day = datetime.date(2020, 6, 1)
    record_progress(deals[0].id, "早的一条", day, "张三")
    record_progress(deals[0].id, '同一天后记的 "一条"\n第二行', day, "=李四")
    record_progress(deals[5].id, "较早", day, "王五")
    record_progress(deals[5].id, "较晚", day + datetime.timedelta(days=3), "赵六")
    record_progress(deals[5].id, "补记更早的", day - datetime.timedelta(days=30), "孙七")
    return deals


@pytest.mark.parametrize("sort", list(pages.SORTS))
@pytest.mark.parametrize("reverse", [False, True], ids=["default", "reverse"])
def test_csv_and_json_are_what_the_printers_write_for_every_sort(hostile_ledger, sort, reverse):
    rows = views.list_deals(DealFilter(), sort=sort, reverse=reverse)
    assert len(rows) > 30
    assert "".join(deal_text.csv_text(DealFilter(), sort=sort, reverse=reverse)) == _csv_oracle(rows)
    assert "".join(deal_text.json_text(DealFilter(), sort=sort, reverse=reverse)) == _json_oracle(rows)


def test_the_hostile_values_survive_a_round_trip(hostile_ledger):
    text = "".join(deal_text.json_text(DealFilter(), sort="code"))
    records = json.loads(text)
    by_code = {r["code"]: r for r in records}
    first, second, third, fourth, fifth, sixth = (by_code[d.code] for d in hostile_ledger[:6])
    assert first["name"] == HOSTILE[0] and second["investor"] == HOSTILE[1]
    assert second["lead_unit"] == '=牵头, "单位"' and third["liaison"] == "@包联\n领导"
    assert fourth["amount"] == "-0.05" and fourth["amount_cny"] == "-1234.56"
    assert fifth["signed_on"] is None and fifth["event"] is None and fifth["amount_cny"] is None
    assert first["latest_progress"]["text"] == '同一天后记的 "一条"\n第二行'  # same day: the later entry
    assert sixth["latest_progress"] == {"on": "2020-06-04", "by": "赵六", "text": "较晚"}
    seventh, eighth = (by_code[d.code] for d in hostile_ledger[6:8])
    assert (seventh["signed_on"], seventh["stage_since"]) == ("2019-09", "2019-09")  # a month, not an invented 1st
    assert (eighth["signed_on"], eighth["stage_since"]) == ("2019-09", "2020-03-02")
    cells = {r["code"]: r for r in csv.DictReader(io.StringIO("".join(deal_text.csv_text(DealFilter(), sort="code"))))}
    assert cells[hostile_ledger[6].code]["signed_on"] == "2019-09"
    assert cells[hostile_ledger[0].code]["name"] == "'" + HOSTILE[0]
    assert cells[hostile_ledger[3].code]["amount"] == "'-0.05"
    assert cells[hostile_ledger[9].code]["name"] == HOSTILE[9]  # the line break kept inside quotes


def test_a_filter_and_an_empty_list(hostile_ledger):
    flt = DealFilter(region="涿州").check_names()
    rows = views.list_deals(flt)
    assert 0 < len(rows) < 30
    assert "".join(deal_text.csv_text(flt)) == _csv_oracle(rows)
    assert "".join(deal_text.json_text(flt)) == _json_oracle(rows)
    nothing = DealFilter(search="没有这样的项目zzzz")
    assert "".join(deal_text.json_text(nothing)) == "[]\n" == _json_oracle([])
    assert "".join(deal_text.csv_text(nothing)) == ",".join(deal_text.CSV_KEYS) + "\r\n"


def test_the_command_streams_in_batches(hostile_ledger, run_cli, demo_url, monkeypatch):
    monkeypatch.setattr(deal_text, "BATCH", 7)  # several batches: the joins between them
    for fmt in ("csv", "json"):
        code, out, err = run_cli("--db", demo_url, "deals", "--format", fmt, "--sort", "amount")
        assert code == 0, err
        rows = views.list_deals(DealFilter(), sort="amount")
        assert out == (_csv_oracle(rows) if fmt == "csv" else _json_oracle(rows))


SHOW_DRIVER = """
import sys
import app
code = app.main(sys.argv[1:])
sys.stdout.flush()
sys.stderr.write("DRIVER %s\\n" % ("psycopg2" in sys.modules))
sys.exit(code)
"""


def test_postgresqls_driver_loads_with_a_postgresql_ledger_only(demo_url, backend):
    """Through the entry point peewee is imported without psycopg2; a PostgreSQL ledger loads it when opened."""
    done = subprocess.run(
        [sys.executable, "-c", SHOW_DRIVER, "--db", demo_url, "deals", "--format", "json", "--sort", "code"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert f"DRIVER {backend == 'postgresql'}" in done.stderr
    assert len(json.loads(done.stdout)) > 30


def test_the_encoded_pieces_are_the_same_text_in_utf8(hostile_ledger):
    """What the CLI writes to a pipe or file: SQLite's bytes undecoded, PostgreSQL's text encoded."""
    for text in (deal_text.csv_text, deal_text.json_text):
        pieces = list(text(DealFilter(), sort="amount", encoded=True))
        assert all(type(p) is bytes for p in pieces)
        assert b"".join(pieces).decode("utf-8") == "".join(text(DealFilter(), sort="amount"))
        assert Deal.select().count() > 30  # the connection reads text as text again afterwards
        assert type(Deal.select(Deal.name).scalar()) is str
