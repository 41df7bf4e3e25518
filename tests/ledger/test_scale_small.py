"""The scale benchmark in small (10,000 synthetic deals), inside `make test`.

No timings here: the list, its totals, the Board and the KPIs must cost a
fixed number of queries and a fixed amount of memory whatever the size of the
ledger (a list that loads every row, or a query per row, fails), and the
search index must only ever narrow, never change, what a search finds.
The timed benchmark is `make bench` (tests/perf/).
"""

import datetime
import tracemalloc

import pytest
from playhouse.test_utils import count_queries

from crm.listing import groups, search
from crm.listing import pages as deal_pages
from crm.listing import views as deal_views
from crm.listing.filters import DealFilter
from crm.reporting import kpi
from crm.samples import synthetic
from db import kept_totals as db_kept_totals
from db.models import Deal, Department
from tests.ledger_checks import opened, synthetic_ledger

AS_OF = datetime.date(2026, 6, 30)
SIZES = {"small": 2_000, "large": 10_000}
HEAVY_EVERY = 5_000


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def scale_backend(request):
    """The backend of the synthetic ledgers (module-scoped: they are built once per backend)."""
    return request.param


@pytest.fixture(scope="module")
def ledgers(scale_backend, request, tmp_path_factory):
    """{size name: database URL} of synthetic ledgers, built once per backend."""
    backend = scale_backend
    urls = {}
    for label, deals in SIZES.items():
        spec = synthetic.Spec(deals=deals, seed=42, heavy_every=HEAVY_EVERY, as_of=AS_OF)
        urls[label] = synthetic_ledger(backend, f"scale_{label}", spec, request, tmp_path_factory)
    return urls


@pytest.fixture
def large(ledgers):
    with opened(ledgers["large"]) as db:
        yield db


ORDER = deal_pages.Order()
FILTERS = [
    DealFilter(),
    DealFilter(stage="construction"),
    DealFilter(region="涿州市"),
    deal_pages.ListFilter(event_id=3),
    DealFilter(search="涿州"),
    DealFilter(search="zs2020-001"),
    DealFilter(search="gyl"),
]


@pytest.mark.parametrize("flt", FILTERS, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.describe()) or "all")
def test_a_page_and_its_totals_cost_a_few_queries(large, flt):
    with count_queries() as first:
        rows = deal_pages.first_rows(flt, ORDER)
    assert rows and first.count <= 5
    with count_queries() as after:
        deal_pages.page_after(flt, ORDER, rows[-1].key)
    with count_queries() as last:
        deal_pages.page_before(flt, ORDER, None)
    with count_queries() as totals:
        deal_pages.totals(flt)
    assert max(after.count, last.count, totals.count) <= 4


def test_board_dashboard_and_kpis_cost_a_few_queries(large):
    with count_queries() as board:
        groups.stage_totals(DealFilter())
    with count_queries() as regions:
        groups.region_totals(DealFilter())
    with count_queries() as kpis:
        kpi.compute(DealFilter())
    with count_queries() as cohort:
        kpi.compute(DealFilter(year=2020))
    assert board.count == 1 and regions.count == 1
    assert kpis.count <= 8 and cohort.count <= 8


def test_opening_a_heavy_deal_costs_a_few_queries(large):
    code = Deal.get_by_id(HEAVY_EVERY).code
    with count_queries() as queries:
        detail = deal_views.detail(code)
    assert len(detail["ledger"]) == synthetic.HEAVY_LEDGER and len(detail["blockers"]) == synthetic.HEAVY_BLOCKERS
    # 12, and two for voided blockers: the voids the deal's trail keeps, and the numbers SQLite may give again
    assert queries.count <= 14


def _peak(work) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _list_session():
    for flt in (DealFilter(), DealFilter(stage="construction"), DealFilter(search="供应链")):
        rows = deal_pages.first_rows(flt, ORDER)
        deal_pages.page_after(flt, ORDER, rows[-1].key)
        deal_pages.page_before(flt, ORDER, None)
        deal_pages.totals(flt)
    groups.stage_totals(DealFilter())
    kpi.compute(DealFilter())


def test_memory_does_not_grow_with_the_ledger(ledgers):
    peaks = {}
    for label, url in ledgers.items():
        with opened(url):
            _list_session()  # warm up: imports, caches, prepared statements
            peaks[label] = _peak(_list_session)
    # Five times the deals: the same pages and totals, so about the same memory.
    assert peaks["large"] < peaks["small"] * 1.25 + 200_000, peaks
    assert peaks["large"] < 3_000_000, peaks


QUERIES = [
    "涿",
    "涿州",
    "州市",
    "供应链",
    "石墨烯导热",
    "zs2020",
    "zs2021-00",
    "gyl",
    "zzgy",
    "q",
    "xm",
    "骊",
    "产业园",
    "(",
    "0%",
    "华创",
    "有限公司",
    "新能源汽车零部件",
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_index_narrows_but_never_changes_what_a_search_finds(large, scale_backend, monkeypatch, query):
    def found():
        return {d.id for d in Deal.select(Deal.id).where(DealFilter(search=query).condition())}

    monkeypatch.setattr(search, "INDEXED_FROM", 10**12)  # never use the index
    expected = found()
    monkeypatch.setattr(search, "INDEXED_FROM", 0)
    monkeypatch.setattr(search, "DENSE_MATCHES", 10**12)  # always use it
    monkeypatch.setattr(search, "DENSE_MATCHES_COUNTING", 10**12)
    search.forget()
    assert found() == expected
    sql, _params = Deal.select(Deal.id).where(search.matches(query)).sql()
    if any(search._names_containing(query.strip().lower())):
        # it names a region or a lead unit, which hold many deals: a page walks the sort order instead
        assert '"region" IN' in sql or '"lead_unit_id" IN' in sql
    elif scale_backend == "sqlite":
        assert "deal_search" in sql or 'pinyin_initials" >= ' in sql or "(0 = 1)" in sql  # no trigram: nothing
    elif len(query) < 3:
        assert "string_to_array" in sql
    elif query.isascii() and query.isalpha():
        assert "ANY" in sql  # the candidates' ids, read first (initials in sequence off the prefix index)


# ---- totals kept in step -----------------------------------------------------------------


#: All deals and cohorts the kept totals answer (a year, a region, a stage), the new deal's among them.
COHORTS = [
    DealFilter(),
    DealFilter(year=2020),
    DealFilter(year=2021),
    DealFilter(region="涿州"),
    DealFilter(stage="construction"),
    DealFilter(year=2021, region="涿州市", stage="stalled"),
]


def _kpis_both_ways(monkeypatch):
    kept = [kpi.as_json(kpi.compute(cohort, today=AS_OF)) for cohort in COHORTS]
    monkeypatch.setattr(kpi, "_kept_in_step", lambda: False)
    scanned = [kpi.as_json(kpi.compute(cohort, today=AS_OF)) for cohort in COHORTS]
    monkeypatch.undo()
    return kept, scanned


def test_totals_kept_in_step_through_every_kind_of_change(demo_ledger, monkeypatch):
    from crm.deals import blockers, funds, stages
    from crm.deals import records as deals
    from crm.reference import fx
    from db.models import Deal

    assert db_kept_totals.agree()
    new = deals.create_deal(
        {"name": "合成测试项目", "amount": "3000万美元", "signed_on": "2020-05-19"}, supporting=["保定市商务局"]
    )
    stages.change_stage(new.code, "registered", on=datetime.date(2020, 6, 1))
    funds.record_funds(new.code, "500万美元", on=datetime.date(2020, 7, 1))
    b = blockers.add_blocker(
        new.code,
        "用地手续未办结",
        "保定市自然资源和规划局",
        raised=datetime.date(2020, 6, 2),
        due=datetime.date(2020, 7, 2),
    )
    stages.change_stage(new.code, "construction", on=datetime.date(2020, 8, 1))
    blockers.resolve_blocker(b.id, note="已办结", on=datetime.date(2020, 8, 2))
    deals.edit_deal(new.code, {"amount": "2.5亿元"})
    deals.edit_deal(new.code, {"region": "涿州市", "signed_on": "2021-03-02"})  # moves it to another cohort
    fx.set_rate("USD", datetime.date(2020, 5, 18), "7.2000")  # re-converts deals and funds it covers
    stages.change_stage(new.code, "stalled", on=datetime.date(2020, 9, 1), note="资金未到位")
    talks = deals.create_deal({"name": "在谈测试项目", "amount": "1亿元"})
    funds.record_funds(talks.code, "100万元", on=datetime.date(2020, 7, 1))
    blockers.add_blocker(talks.code, "尚未签约", "保定市商务局", raised=datetime.date(2020, 6, 2))
    assert db_kept_totals.agree()
    kept, scanned = _kpis_both_ways(monkeypatch)
    assert kept == scanned
    Deal.delete().where(Deal.id == talks.id).execute()  # cascades to its funds and blockers
    assert db_kept_totals.agree()
    kept, scanned = _kpis_both_ways(monkeypatch)
    assert kept == scanned


def test_totals_kept_in_step_after_a_synthetic_load(large, monkeypatch):
    assert db_kept_totals.agree()
    kept, scanned = _kpis_both_ways(monkeypatch)
    assert kept == scanned


# ---- faster forms of the filters find exactly what the plain forms find ----------------------


@pytest.mark.parametrize("text", ["涿州市", "州", "县", "高新", "%", "_", "\\", "ZS", "不存在"])
def test_region_filter_through_the_index_finds_what_contains_finds(large, text):
    fast = {d.id for d in Deal.select(Deal.id).where(DealFilter(region=text).condition())}
    plain = {d.id for d in Deal.select(Deal.id).where(Deal.region.contains(text))}
    assert fast == plain


@pytest.mark.parametrize("query", QUERIES + ["ZS2020-0001", "GYL"])
def test_search_finds_what_the_plain_conditions_find(large, query):
    q = query.strip().lower()
    plain = Deal.search_text.contains(q)
    if q.isascii() and q.isalpha():
        plain |= Deal.pinyin_initials.contains(q) | (Deal.pinyin_initials ** ("%".join(q) + "%"))
    # the region and the lead unit are searched too (issue 15)
    plain |= Deal.region.contains(q) | Deal.lead_unit.in_(
        Department.select(Department.id).where(Department.name.contains(q))
    )
    expected = {d.id for d in Deal.select(Deal.id).where(plain)}
    assert {d.id for d in Deal.select(Deal.id).where(DealFilter(search=query).condition())} == expected


def test_folding_the_rows_of_differences_changes_no_total(demo_ledger, backend, monkeypatch):
    from crm.deals import stages
    from db.models import database

    if backend != "postgresql":
        pytest.skip("SQLite keeps one row per key: nothing to fold")
    for code in ("ZS2020-0001", "ZS2020-0002"):
        stages.change_stage(code, "stalled", on=datetime.date(2026, 1, 1), note="测试")
    before = kpi.as_json(kpi.compute(DealFilter(), today=AS_OF))
    rows = database.obj.execute_sql("SELECT count(*) FROM deal_totals_delta").fetchone()[0]
    monkeypatch.setattr(kpi, "COMPACT_AFTER", 0)
    kpi.compute(DealFilter(), today=AS_OF)  # folds
    assert database.obj.execute_sql("SELECT count(*) FROM deal_totals_delta").fetchone()[0] < rows
    assert kpi.as_json(kpi.compute(DealFilter(), today=AS_OF)) == before
    assert db_kept_totals.agree()


@pytest.mark.parametrize("query", ["涿", "涿州", "供应链", "zzgy", "zs2021"])
def test_conditions_for_counting_find_the_same_deals(large, monkeypatch, query):
    monkeypatch.setattr(search, "INDEXED_FROM", 0)
    monkeypatch.setattr(search, "DENSE_MATCHES", 0)  # a page: never narrow
    monkeypatch.setattr(search, "DENSE_MATCHES_COUNTING", 10**12)  # a count: always narrow
    search.forget()
    listing = DealFilter(search=query).condition()
    with search.counting():
        counting = DealFilter(search=query).condition()
    assert "deal_search" not in Deal.select(Deal.id).where(listing).sql()[0]
    ids = lambda cond: {d.id for d in Deal.select(Deal.id).where(cond)}  # noqa: E731
    assert ids(counting) == ids(listing)
    with search.counting():
        assert (
            kpi.compute(DealFilter(search=query), today=AS_OF).deals
            == Deal.select().where((Deal.stage != "negotiating") & listing).count()
        )


def _cohort_figures(flt):
    from crm.listing import pages as deal_pages

    return (
        deal_pages.totals(flt),
        deal_pages.count(flt),
        groups.stage_totals(flt),
        groups.region_totals(flt),
        kpi.as_json(kpi.compute(flt, today=AS_OF)),
    )


@pytest.mark.parametrize(
    "flt",
    [
        DealFilter(),
        DealFilter(year=2020),
        DealFilter(region="涿州"),
        DealFilter(stage="开工"),
        DealFilter(year=2021, region="高新", stage="signed"),
        DealFilter(year=1999),
    ],
    ids=repr,
)
def test_cohort_totals_kept_in_step_give_the_figures_a_scan_gives(large, monkeypatch, flt):
    """The list's count and total, the Board's stage totals, the Dashboard's regions and KPIs of a cohort of
    signing year, region or stage: the same read from the kept totals as counted from the deals."""
    from crm.listing import kept_totals as cohort_totals

    kept = _cohort_figures(flt)
    monkeypatch.setattr(cohort_totals, "answerable", lambda flt: False)
    monkeypatch.setattr(kpi, "_kept_in_step", lambda: False)
    assert kept == _cohort_figures(flt)
