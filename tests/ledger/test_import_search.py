"""A first import into an empty SQLite ledger fills the search index every few batches instead of by a trigger per
deal (crm.importing.aside.KeptDaysAside): the index ends holding what the trigger would have put there, the search
finds the imported deals (those filled by the batches and those the end filled), and the trigger is back after it.
"""

from __future__ import annotations

import datetime

import pytest
from openpyxl import load_workbook

from crm.deals.records import create_deal, edit_deal
from crm.importing import apply as import_apply
from crm.importing import aside as import_aside
from crm.listing import search
from db.connection import open_database
from db.models import Deal
from tests.ledger.test_import_bulk import _import, _rates, ledger_workbook

ROWS = 300


def _index(url: str) -> tuple[list, list]:
    """(the search index's terms with their deal counts, the trigger names on deal) of the ledger at `url`."""
    db = open_database(url)
    try:
        terms = db.execute_sql("SELECT term, doc FROM deal_search_terms ORDER BY term").fetchall()
        triggers = db.execute_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'deal' ORDER BY name"
        ).fetchall()
        return terms, triggers
    finally:
        db.close()


def _found(url: str, query: str) -> list[str]:
    """The names of the deals a search for `query` finds, as the deal list asks."""
    db = open_database(url)
    try:
        search.forget(db)
        return sorted(d.name for d in Deal.select(Deal.name).where(search.matches(query)))
    finally:
        db.close()


@pytest.fixture
def setting_aside(monkeypatch):
    """Set things aside for any import, in batches of 40 filled every 80 deals; the fills counted."""
    monkeypatch.setattr(import_apply, "BATCH", 40)
    monkeypatch.setattr(import_aside, "FILL_EVERY", 80)
    filled = []
    batch = import_aside.KeptDaysAside.batch

    def counted(self, ids):
        statements = batch(self, ids)
        filled.extend(params for sql, params in statements if "deal_search" in sql)
        return statements

    monkeypatch.setattr(import_aside.KeptDaysAside, "batch", counted)

    def aside(on: bool) -> None:
        monkeypatch.setattr(import_aside, "REBUILD_AT", 1 if on else 10**9)

    return aside, filled


@pytest.mark.parametrize("changed_later", [False, True])
def test_the_search_index_of_a_first_import_is_what_its_trigger_would_have_written(
    tmp_path, setting_aside, changed_later
):
    aside, filled = setting_aside
    path = ledger_workbook(tmp_path / "台账.xlsx", rows=ROWS)
    if changed_later:  # row 250 names the deal of row 20 with another investor: the trigger's update changes the index
        wb = load_workbook(path)
        ws = wb["台账"]
        copied = [cell.value for cell in ws[20]]
        copied[1], copied[3], copied[6], copied[7] = None, "长江冷链投资集团", None, None
        for column, value in enumerate(copied, 1):
            ws.cell(250, column).value = value
        wb.save(path)
    urls = {on: str(tmp_path / f"{on}.sqlite3") for on in (True, False)}
    for on, url in urls.items():
        aside(on)
        report, _rows = _import(url, path, bulk=True, prepare=_rates)
        assert report.written and len(report.created) == ROWS - changed_later, report.problems[:2]
        assert bool(report.updated) is changed_later
    assert filled and len(filled) < ROWS // 80 + 1  # the batches filled some, the end the rest
    with_aside, without = _index(urls[True]), _index(urls[False])
    assert with_aside[0] == without[0] and len(with_aside[0]) > 500  # the same terms, each in as many deals
    assert with_aside[1] == without[1]  # the trigger is back, as it was
    last = f"项目{ROWS}"  # written after the last fill of the batches: filled by the end
    for query in ("项目17", last, "冷链物流"):
        assert _found(urls[True], query) == _found(urls[False], query) != []
    if changed_later:
        assert _found(urls[True], "长江冷链投资") == [ws[20][2].value]


def test_after_a_first_import_the_trigger_indexes_new_and_changed_deals(tmp_path, setting_aside):
    aside, _filled = setting_aside
    aside(True)
    path = ledger_workbook(tmp_path / "台账.xlsx", rows=ROWS)
    url = str(tmp_path / "a.sqlite3")
    report, _rows = _import(url, path, bulk=True, prepare=_rates)
    assert report.written
    db = open_database(url)
    try:
        made = create_deal(
            {"name": "石墨烯新材料产业园", "amount": "5亿元", "signed_on": datetime.date(2021, 3, 1)}, actor="测试员"
        )
        edit_deal(report.created[0][1], {"name": "光伏组件智能工厂"}, actor="测试员")
    finally:
        db.close()
    assert _found(url, "石墨烯新材料") == ["石墨烯新材料产业园"] and made.code
    assert _found(url, "光伏组件智能") == ["光伏组件智能工厂"]
    assert _found(url, report.created[0][2]) == []
