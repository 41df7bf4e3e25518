"""The progress log: append-only dated entries with their author, audited."""

import datetime

import pytest

from crm.audit import log as audit
from crm.deals.progress import ProgressEntry, progress_of, record_progress
from crm.deals.records import create_deal
from crm.foundation.errors import InvalidInput, NotFound
from db.models import Progress

D = datetime.date


def _deal():
    return create_deal({"name": "涿州城市客厅项目", "amount": "80亿元", "signed_on": "2020-05-18"})


def test_entries_come_back_oldest_first_with_author(ledger):
    deal = _deal()
    second = record_progress(deal.id, "主体封顶", D(2020, 6, 10), "张三")
    first = record_progress(deal.id, "施工图审查通过", D(2020, 6, 1), "李四")
    assert isinstance(first, ProgressEntry)
    entries = progress_of(deal.id)
    assert [(e.on, e.by, e.text) for e in entries] == [
        (D(2020, 6, 1), "李四", "施工图审查通过"), (D(2020, 6, 10), "张三", "主体封顶")]
    assert entries[1] == second
    with pytest.raises(Exception):
        entries[0].text = "changed"  # frozen
    trail = audit.history("progress", Progress.get(Progress.text == "主体封顶").id)
    assert {(a.field, a.new, a.actor) for a in trail} == {("on", "2020-06-10", "张三"), ("text", "主体封顶", "张三")}


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_empty_or_too_long_text_is_refused_and_nothing_written(ledger, text):
    deal = _deal()
    with pytest.raises(InvalidInput):
        record_progress(deal.id, text, D(2020, 6, 1), "张三")
    assert progress_of(deal.id) == []


def test_unknown_deal_is_not_found(ledger):
    with pytest.raises(NotFound):
        record_progress(987654, "施工图审查通过", D(2020, 6, 1), "张三")
