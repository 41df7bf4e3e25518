"""The weekly table's rows read column by column (crm.reporting.weekly's RowBatch, which the CSV writer takes
whole columns of at a time) are the rows build() gives, in the same order, with the same summary; a table held
in a list gives the same batches and the same CSV as a streamed one; a deal without a CNY value stops the rows
where it stands. On both backends, batches of 3 (many) and 2,000 (one)."""

import datetime
import io

import pytest

from crm.foundation.errors import MissingRate
from crm.listing.filters import DealFilter
from crm.reporting import weekly
from crm.reporting.weekly_model import RowBatch, batches_of_rows
from db.models import Deal
from exports import weekly_text
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
