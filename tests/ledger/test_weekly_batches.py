"""The weekly table's rows read column by column (crm.reporting.weekly's RowBatch, which the CSV writer takes
whole columns of at a time) are the rows build() gives, in the same order, with the same summary; a table held
in a list gives the same batches and the same CSV as a streamed one; a deal without a CNY value stops the rows
where it stands; a write another connection commits while the rows are read is in none of them, nor in the
summary (the reading is one snapshot, its listed rows fetched by a reader thread). On both backends, batches of 3 (many) and 2,000 (one)."""

import datetime
import io
import threading

import pytest

from crm.deals import blockers
from crm.deals.funds import record_funds
from crm.deals.records import create_deal
from crm.foundation.errors import MissingRate
from crm.listing.filters import DealFilter
from crm.reporting import weekly
from crm.reporting.weekly_model import RowBatch, batches_of_rows
from db.models import Deal, database
from exports import weekly_csv, weekly_text
from tests.ledger.test_weekly_rows import W21, edges  # noqa: F401 — the fixture
from tests.ledger.test_weekly_streams import hostile_week  # noqa: F401 — the fixture

D = datetime.date
TODAY = D(2020, 7, 1)


@pytest.mark.parametrize("batch", [3, 2000])
@pytest.mark.parametrize("scope", [None, DealFilter(stage="签约"), DealFilter(region="涿州市")], ids=str)
def test_batches_are_the_rows_of_build(edges, monkeypatch, batch, scope):  # noqa: F811
    monkeypatch.setattr(weekly, "BATCH", batch)
    whole = weekly.build(W21, scope, TODAY)
    table = weekly.stream(W21, scope, TODAY)
    batches = list(table.row_batches())
    rows = [row for b in batches for row in b.rows()]
    assert rows == whole.rows and len(rows) >= 3
    assert [row.seq for row in rows] == list(range(1, len(rows) + 1))
    assert max(len(b) for b in batches) <= batch
    assert table.summary == whole.summary
    # a deal with several supporting departments: a list of each row's own, whatever the rows sharing it do
    many = [row for row in rows if row.name == "多个配合单位"]
    assert not many or sorted(many[0].supporting) == sorted(["Ａ局", "a局", "住建局", "供电公司", "自然资源局"])
    assert all(type(row.supporting) is list for row in rows)
    assert len({id(row.supporting) for row in rows}) == len(rows)


def test_rows_and_batches_are_one_reading(edges):  # noqa: F811
    table = weekly.stream(W21, None, TODAY)
    assert sum(len(b) for b in table.row_batches()) == len(weekly.build(W21, None, TODAY).rows)
    assert list(table.rows) == [] and table.summary.rows > 0  # read once, whichever way


def test_a_list_of_rows_gives_the_same_batches(edges):  # noqa: F811
    rows = weekly.build(W21, None, TODAY).rows
    batches = list(batches_of_rows(rows, 4))
    assert [len(b) for b in batches] == [4] * (len(rows) // 4) + ([len(rows) % 4] if len(rows) % 4 else [])
    assert [row for b in batches for row in b.rows()] == rows
    assert RowBatch.of_rows(rows).rows() == rows
    assert RowBatch.of_rows([]).rows() == []


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_csv_of_a_list_is_the_csv_of_a_stream(hostile_week, language):  # noqa: F811
    from crm.foundation.i18n import set_language

    set_language(language)
    try:
        streamed, whole = io.StringIO(), io.StringIO()
        weekly_text.write(weekly.stream(W21, None, TODAY), "csv", streamed)
        weekly_text.write(weekly.build(W21, None, TODAY), "csv", whole)
        assert streamed.getvalue() == whole.getvalue() and "'=SUM(A1:A9)" in whole.getvalue()
    finally:
        set_language("zh")


def test_a_missing_rate_stops_the_batches_at_its_row(edges, monkeypatch):  # noqa: F811
    monkeypatch.setattr(weekly, "BATCH", 3)
    rows = weekly.build(W21, None, TODAY).rows
    at = next(n for n, row in enumerate(rows) if row.id == edges["talks"].id)  # listed, not in the KPIs
    assert at % 3 and at > 3  # past the first batch, not a batch's first row
    Deal.update(amount_cny=None).where(Deal.id == edges["talks"].id).execute()
    seen = []
    with pytest.raises(MissingRate):
        for batch in weekly.stream(W21, None, TODAY).row_batches():
            seen += batch.rows()
    assert seen == rows[:at]


def _write_meanwhile(code: str) -> None:
    """From a connection of its own (this thread's), commit what would change the table's rows and summary: a
    problem raised that week and funds arrived that week on the deal `code`, and a deal signed that week."""

    def write():
        try:
            blockers.add_blocker(code, "周内新问题", "住建局", raised=D(2020, 5, 20))
            record_funds(code, "100万元", on=D(2020, 5, 21))
            create_deal({"name": "周内新签", "amount": "5亿元", "signed_on": "2020-05-19", "region": "涿州市"})
        finally:
            database.close()

    writer = threading.Thread(target=write)
    writer.start()
    writer.join()


@pytest.mark.parametrize("fmt", ["batches", "csv"])
def test_a_write_committed_during_the_reading_is_in_none_of_it(edges, monkeypatch, fmt):  # noqa: F811
    monkeypatch.setattr(weekly, "BATCH", 3)
    before = weekly.build(W21, None, TODAY)
    expected = io.StringIO()
    weekly_text.write(before, "csv", expected)
    table = weekly.stream(W21, None, TODAY)
    batches = table.row_batches()
    first = next(batches)  # the reading has begun: events, names and the first rows read
    _write_meanwhile(before.rows[-1].code)
    if fmt == "csv":
        rest = weekly.WeeklyTable(table.week, table.scope, [], table.generated_on, table.summary_of, batches=batches)
        out = io.StringIO()
        weekly_csv.write_csv(rest, out, bom=False)
        assert out.getvalue().split("\r\n")[4:] == expected.getvalue().split("\r\n")[4 + len(first) :]
    else:
        assert first.rows() + [row for b in batches for row in b.rows()] == before.rows
        assert table.summary == before.summary
    after = weekly.build(W21, None, TODAY)  # the write is there for the next reading
    assert len(after.rows) == len(before.rows) + 1 and after.rows[-1].problems != before.rows[-1].problems
