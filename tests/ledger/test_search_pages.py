"""A search whose matches the index finds and the list sorts (issue 16: a broad prefix such as ZS2021).

On a large ledger a search whose matches are absent from the head of the list (an old year's codes) is
narrowed through the search index, its matches sorted rather than the sort order walked, and a page's ids
found before its columns (crm.listing.pages._segment_query). These tests make a small synthetic ledger
take that path (the thresholds lowered) and check that every sort, page and total is what the plain
search gives: the same deals, in the same order.
"""

import contextlib
import datetime
from pathlib import Path

import pytest
from playhouse.test_utils import count_queries

from crm.listing import pages as deal_pages
from crm.listing import search
from crm.listing.filters import DealFilter
from crm.listing.pages import ListFilter, Order
from crm.samples import synthetic
from db.connection import is_postgres
from db.models import Deal, Department
from tests.ledger_checks import opened, synthetic_ledger

AS_OF = datetime.date(2026, 6, 30)
PAGE = 15


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def small_url(request, tmp_path_factory):
    """A synthetic ledger of 1,200 deals per backend, built once for the module."""
    spec = synthetic.Spec(deals=1_200, seed=7, as_of=AS_OF)
    return synthetic_ledger(request.param, "search_pages", spec, request, tmp_path_factory)


@pytest.fixture
def small(small_url):
    with opened(small_url) as db:
        yield db


def _plain(monkeypatch):
    monkeypatch.setattr(search, "INDEXED_FROM", 10**12)  # never the index
    search.forget()


def _sorted_through_the_index(monkeypatch):
    monkeypatch.setattr(search, "INDEXED_FROM", 0)
    monkeypatch.setattr(search, "SAMPLE", 40)  # the head of the list: the 40 newest signings
    monkeypatch.setattr(search, "DENSE_MATCHES", 10**12)  # never walk for density
    monkeypatch.setattr(search, "DENSE_MATCHES_COUNTING", 10**12)
    search.forget()


def _oldest_year_prefix() -> str:
    """The code prefix of the oldest year (ZS2015…): many deals, none among the newest signings."""
    return Deal.select(Deal.code).order_by(Deal.id).first().code[:6]


def _pages(flt, order: Order) -> dict:
    """The ids of every way the list fetches a page: first, after, before the end, at an offset, the totals."""
    first = deal_pages.first_rows(flt, order, PAGE)
    after = deal_pages.page_after(flt, order, first[-1].key, PAGE) if first else []
    return {
        "first": [(r.id, r.key) for r in first],
        "after": [(r.id, r.key) for r in after],
        "last": [r.id for r in deal_pages.page_before(flt, order, None, PAGE)],
        "before": [r.id for r in deal_pages.page_before(flt, order, after[0].key, PAGE)] if after else [],
        "offset": [r.id for r in deal_pages.page_at(flt, order, 2 * PAGE + 3, PAGE)],
        "totals": deal_pages.totals(flt),
    }


ORDERS = [Order(key) for key in deal_pages.SORTS] + [Order(key).reversed() for key in deal_pages.SORTS]


@pytest.mark.parametrize("order", ORDERS, ids=lambda o: f"{o.key}-{'desc' if o.is_descending else 'asc'}")
def test_a_broad_prefix_sorted_through_the_index_pages_as_the_plain_search(small, monkeypatch, order):
    prefix = _oldest_year_prefix()
    flt = ListFilter(search=prefix)
    _plain(monkeypatch)
    expected = _pages(flt, order)
    assert expected["totals"].deals > 3 * PAGE  # a broad prefix: several pages
    _sorted_through_the_index(monkeypatch)
    assert search.sorts_matches(prefix)  # the path under test
    assert _pages(flt, order) == expected


@pytest.mark.parametrize("query", ["供应链", "gyl", "zzgy", "zs20", "骊"])
def test_other_searches_through_the_index_page_as_the_plain_search(small, monkeypatch, query):
    flt = ListFilter(search=query)
    _plain(monkeypatch)
    expected = _pages(flt, Order())
    _sorted_through_the_index(monkeypatch)
    assert _pages(flt, Order()) == expected


def test_a_code_like_query_that_names_a_lead_unit_or_a_region_still_finds_those_deals(small, monkeypatch):
    prefix = _oldest_year_prefix()
    newest = list(Deal.select().order_by(Deal.id.desc()).limit(2))
    unit = Department.create(name=f"{prefix}项目专班")
    Deal.update(lead_unit=unit.id).where(Deal.id == newest[0].id).execute()
    Deal.update(region=f"{prefix}新区").where(Deal.id == newest[1].id).execute()
    try:
        flt = ListFilter(search=prefix.lower())
        _sorted_through_the_index(monkeypatch)
        found = _every_id(flt)
        assert {newest[0].id, newest[1].id} <= found  # neither code holds the prefix
        _plain(monkeypatch)
        assert (
            _every_id(flt) == found == {d.id for d in Deal.select(Deal.id).where(DealFilter(search=prefix).condition())}
        )
    finally:
        Deal.update(lead_unit=newest[0].lead_unit, region=newest[0].region).where(Deal.id == newest[0].id).execute()
        Deal.update(region=newest[1].region).where(Deal.id == newest[1].id).execute()
        unit.delete_instance()
        search.forget()


def _sent(queries: count_queries) -> list[str]:
    """The SQL of the statements peewee logged inside `queries`."""
    return [record.msg[0] for record in queries.get_queries()]


def test_on_sqlite_a_page_and_its_totals_read_the_search_tables_matches_joined(small, monkeypatch):
    """SQLite: the page's ids and the totals walk what the search table yields, joined (written `id IN (…)`, every
    match's id was first copied into a temporary index); a search that also names a lead unit keeps `IN`, whose
    OR with the lead unit's deals a join would lose. The deals found are the plain search's (tests above)."""
    if is_postgres():
        pytest.skip("SQLite's search table")
    prefix = _oldest_year_prefix()
    _sorted_through_the_index(monkeypatch)
    with count_queries() as queries:
        deal_pages.first_rows(ListFilter(search=prefix), Order(), PAGE)
        deal_pages.totals(ListFilter(search=prefix))
    searched = [sql for sql in _sent(queries) if "MATCH" in sql]
    assert len(searched) == 2
    assert all('JOIN "deal_search" AS "search_hit"' in sql and "rowid FROM deal_search" not in sql for sql in searched)
    unit = Department.create(name=f"{prefix}项目专班")
    try:
        search.forget()
        with count_queries() as queries:
            deal_pages.totals(ListFilter(search=prefix))
        assert any("rowid FROM deal_search" in sql for sql in _sent(queries))
        assert not any('JOIN "deal_search"' in sql for sql in _sent(queries))
    finally:
        unit.delete_instance()
        search.forget()


def _every_id(flt) -> set[int]:
    """Every deal the list shows for `flt`, page by page."""
    ids, rows = [], deal_pages.first_rows(flt, Order(), 100)
    while rows:
        ids += [r.id for r in rows]
        rows = deal_pages.page_after(flt, Order(), rows[-1].key, 100)
    assert len(ids) == len(set(ids)) == deal_pages.totals(flt).deals
    return set(ids)


def test_the_narrowing_reads_only_the_trigrams_few_deals_hold(small, monkeypatch):
    prefix = _oldest_year_prefix().lower()  # zs2015: zs2 and s20 are in every code
    _sorted_through_the_index(monkeypatch)
    telling = search._telling_trigrams(prefix)
    assert "zs2" not in telling and "s20" not in telling
    if is_postgres():  # what its trigram index is asked for: a LIKE for each telling trigram, the text by strpos
        for counting in (False, True):
            with search.counting() if counting else contextlib.nullcontext():
                _sql, params = Deal.select(Deal.id).where(search.matches(prefix)).sql()
            assert {p for p in params if str(p).startswith("%")} == {f"%{t}%" for t in telling}
    assert telling  # and what is left still narrows: the finds are the plain search's (tests above)


def test_a_word_narrowed_to_ids_is_tested_on_those_rows_without_an_index(small, monkeypatch):
    """PostgreSQL: a page of a word of a-z reads its candidates' ids first; the page's own test of the word is then
    written so that pg_trgm's indexes cannot serve it (the planner, misjudging the initials' pattern, read those
    instead of the ids), and finds what the plain search finds (tests above)."""
    if not is_postgres():
        pytest.skip("PostgreSQL's trigram indexes")
    _sorted_through_the_index(monkeypatch)
    sql, params = Deal.select(Deal.id).where(search.matches("zzgy")).sql()
    assert "= ANY" in sql and "strpos" in sql
    assert "%zzgy%" not in params and "z%z%g%y%" in params  # no LIKE the index serves; the sequence on `initials || ''`
    with search.counting():  # counted: the candidates as a subquery, which the planner joins
        sql, params = Deal.select(Deal.id).where(search.matches("zzgy")).sql()
    assert "= ANY" not in sql and "%zzgy%" in params


COUNTY_SHEET = Path(__file__).resolve().parents[1] / "data" / "county_sheets" / "county_weekly.xlsx"


@pytest.mark.parametrize(
    "query, name",
    [("zzsw", "涿州生物医药产业园项目"), ("hkzb", "涿州航空装备维修基地项目"), ("zzylqx", "涿州医疗器械产业园项目")],
)
def test_pinyin_words_find_a_county_sheets_deals_through_the_index_as_the_plain_search(
    demo_ledger, monkeypatch, query, name
):
    """Deals a county office's sheet brought in (a merged title, a 合计 row, 万元 amounts; tests/data/county_sheets)
    are found by their names' initials, a run or a sequence, through the index (on PostgreSQL the candidates' ids
    first, then the word tested on those rows alone) exactly as the plain search finds them."""
    from crm.importing import run_import

    assert run_import(COUNTY_SHEET).written
    flt = ListFilter(search=query)
    _plain(monkeypatch)
    expected = _every_id(flt)
    assert name in {d.name for d in Deal.select(Deal.name).where(Deal.id.in_(list(expected)))}
    plain_pages = _pages(flt, Order())
    _sorted_through_the_index(monkeypatch)
    if is_postgres():  # the path under test: the candidates' ids, the word tested without an index
        sql, _params = Deal.select(Deal.id).where(search.matches(query)).sql()
        assert "= ANY" in sql and "strpos" in sql
    assert _every_id(flt) == expected
    assert _pages(flt, Order()) == plain_pages


@pytest.mark.parametrize(
    "query, name", [("航空装备", "涿州航空装备维修基地项目"), ("医疗器械产业", "涿州医疗器械产业园项目")]
)
def test_words_of_a_county_sheets_names_find_its_deals_through_the_joined_search_table(
    demo_ledger, monkeypatch, query, name
):
    """A county office's sheet (a merged title, a 合计 row, 万元 amounts; tests/data/county_sheets) imported, its
    deals are found by a word of their names through the index, on SQLite with the search table joined, exactly
    as the plain search finds them, page by page and in the totals."""
    from crm.importing import run_import

    assert run_import(COUNTY_SHEET).written
    flt = ListFilter(search=query)
    _plain(monkeypatch)
    expected, plain_pages = _every_id(flt), _pages(flt, Order())
    assert name in {d.name for d in Deal.select(Deal.name).where(Deal.id.in_(list(expected)))}
    _sorted_through_the_index(monkeypatch)
    with count_queries() as queries:
        assert _every_id(flt) == expected
    if not is_postgres():  # the path under test
        assert any('JOIN "deal_search" AS "search_hit"' in sql for sql in _sent(queries))
    assert _pages(flt, Order()) == plain_pages


@pytest.mark.parametrize("query", ["zs2015", "2016", "015", "zs2016-0", "ZS2015-00"])
def test_code_like_searches_find_exactly_the_deals_whose_text_holds_them(small, monkeypatch, query):
    """Letters and digits: PostgreSQL asks its index for the rare trigrams and tests the text itself (strpos)."""
    held = {i for i, text in Deal.select(Deal.id, Deal.search_text).tuples() if query.lower() in text}
    assert held
    for setting in (_plain, _sorted_through_the_index):
        setting(monkeypatch)
        assert _every_id(ListFilter(search=query)) == held
        with search.counting():
            assert Deal.select().where(search.matches(query)).count() == len(held)


def test_totals_and_negotiating_counts_the_deals_in_talks_a_list_shows(ledger):
    """The list's footer says how many of its deals are 在谈: from the kept totals when they answer the filter, by a
    count of its own for a search, none for a stage other than 在谈."""
    from crm.deals.records import create_deal
    from crm.listing.pages import totals_and_negotiating

    create_deal({"name": "氢能洽谈项目", "amount": "5亿元", "region": "涿州市"}, stage="negotiating")
    create_deal({"name": "氢能签约项目", "amount": "3亿元", "region": "涿州市", "signed_on": "2020-05-18"})
    shown, talks = totals_and_negotiating(DealFilter())
    assert (shown.deals, talks) == (2, 1)
    assert totals_and_negotiating(DealFilter(search="氢能"))[1] == 1
    assert totals_and_negotiating(DealFilter(search="氢能", stage="signed"))[1] == 0
    assert totals_and_negotiating(DealFilter(stage="negotiating"))[1] == 1
