"""The deal list's paged queries (crm.listing.pages): every sort, both directions,
walked forwards, backwards and by offset, must give the same rows as one big
page — including deals with no signing date, no rate and no event, which
always come last."""

import datetime
from decimal import Decimal

import pytest
from playhouse.test_utils import count_queries

from crm.deals.blockers import add_blocker, resolve_blocker
from crm.deals.records import create_deal
from crm.deals.stages import STAGES, change_stage
from crm.listing import groups
from crm.listing import pages as dp
from crm.reference.fx import set_rate
from crm.reference.registry import add_department, add_event
from db.models import Deal
from tests.conftest import filled_ledger


@filled_ledger()
def mixed_ledger():
    """17 deals; some with no signing date, no exchange rate (JPY), no event or no lead unit."""
    set_rate("USD", datetime.date(2020, 1, 1), "7.0")
    set_rate("JPY", datetime.date(2019, 1, 1), "0.065")  # entry needs a rate; the JPY deals lose theirs below
    add_event("春季洽谈会", datetime.date(2020, 4, 1))
    add_event("秋季洽谈会", datetime.date(2020, 9, 1))
    add_department("甲局")
    add_department("乙局")
    for n in range(17):
        values = {
            "name": f"项目{n % 5}号{n}",
            "amount": ["3亿元", "1亿美元", "5000万日元", "3亿元"][n % 4],
            "region": ["甲县", "乙县", "丙县"][n % 3],
        }
        if n % 3:
            values["signed_on"] = f"2020-0{1 + n % 9}-1{n % 10}"
        if n % 5:
            values["event"] = "春季" if n % 2 else "秋季"
        if n % 4:
            values["lead_unit"] = "甲局" if n % 2 else "乙局"
        deal = create_deal(values)
        if n % 4 == 2:  # as a ledger imported before its rates were known: no amount in CNY yet
            Deal.update(amount_cny=None, fx_rate=None).where(Deal.id == deal.id).execute()
        if n % 3 == 1:
            change_stage(deal.code, "registered", on=datetime.date(2021, 1, 1 + n))
        if n % 5 == 2 and n % 3:
            change_stage(deal.code, "stalled", on=datetime.date(2021, 2, 1 + n), note="暂缓")
        for b in range(n % 4):
            blocker = add_blocker(deal.code, f"问题{b}", "甲局", raised=datetime.date(2021, 3, 1))
            if b == 2:
                resolve_blocker(blocker.id, note="已解决", on=datetime.date(2021, 3, 2))


STAGE_ORDER = {s.key: n for n, s in enumerate(STAGES)}
VALUE = {
    "code": lambda r: r.code,
    "name": lambda r: r.name,
    "region": lambda r: r.region,
    "event": lambda r: r.event,
    "signed": lambda r: r.signed_on,
    "amount": lambda r: r.amount_cny,
    "stage": lambda r: STAGE_ORDER[r.stage],
    "days": lambda r: r.stage_since,
    "blockers": lambda r: r.open_blockers,
    "lead": lambda r: r.lead_unit,
}


def expected_ids(rows, key, descending):
    """The order the list promises: by the column (days: most days first), empty values last, then by id."""
    sign = descending != (key == "days")
    present = [r for r in rows if VALUE[key](r) is not None]
    empty = [r for r in rows if VALUE[key](r) is None]
    present.sort(key=lambda r: (VALUE[key](r), r.id), reverse=sign)
    empty.sort(key=lambda r: r.id, reverse=sign)
    return [r.id for r in present + empty]


def _walk_after(flt, order, size):
    rows, key = [], None
    while True:
        page = dp.page_after(flt, order, key, size)
        rows += page
        if len(page) < size:
            return rows
        key = page[-1].key


def _walk_before(flt, order, size):
    rows, key = [], None
    while True:
        page = dp.page_before(flt, order, key, size)
        rows = page + rows
        if len(page) < size:
            return rows
        key = page[0].key


@pytest.mark.parametrize("descending", [False, True])
def test_every_sort_pages_the_same_rows_every_way(mixed_ledger, descending):
    flt = dp.ListFilter()
    for key in dp.SORTS:
        order = dp.Order(key, descending)
        whole = dp.page_after(flt, order, None, 1000)
        assert len(whole) == 17
        ids = [r.id for r in whole]
        assert [r.id for r in _walk_after(flt, order, 4)] == ids, key
        assert [r.id for r in _walk_before(flt, order, 3)] == ids, key
        assert [r.id for start in range(0, 17, 5) for r in dp.page_at(flt, order, start, 5)] == ids, key
        assert ids == expected_ids(whole, key, descending), key


def test_the_default_order_is_newest_signing_first(mixed_ledger):
    rows = dp.first_rows(dp.ListFilter())
    signed = [r.signed_on for r in rows if r.signed_on]
    assert signed == sorted(signed, reverse=True)
    assert rows[-1].signed_on is None


def test_open_blockers_sort_counts_only_open_ones(mixed_ledger):
    rows = dp.first_rows(dp.ListFilter(), dp.Order("blockers"), 100)
    assert [r.open_blockers for r in rows][:4] == [2, 2, 2, 2]  # n % 4 == 2 or 3: one of three resolved / two open
    assert rows[-1].open_blockers == 0


def test_a_page_is_one_query_and_totals_are_one(mixed_ledger):
    flt = dp.ListFilter(region="甲县")
    flt.condition()  # whether any deal is archived is asked once in a while, not for every page
    with count_queries() as counter:
        dp.page_after(flt, dp.Order("amount"), None, 3)  # stops within the valued segment
    assert counter.count == 1
    with count_queries() as counter:
        totals = dp.totals(flt)
    assert counter.count == 1
    assert totals.deals == 6
    # 5000万日元 has no rate: counted, not added, and said so.
    assert totals.unconverted == sum(1 for n in range(17) if n % 3 == 0 and n % 4 == 2)
    assert totals.total_cny == sum(
        (
            Decimal({0: "300000000", 1: "700000000", 3: "300000000"}[n % 4])
            for n in range(17)
            if n % 3 == 0 and n % 4 != 2
        ),
        Decimal(0),
    )


def test_the_window_fills_from_neighbours_and_jumps(mixed_ledger):
    window = dp.DealWindow(dp.ListFilter(), dp.Order(), page_size=4, max_rows=10)
    request = window.request_for(0, 3)
    assert request.kind == "first"
    window.store(request, dp.fetch(window.filter, window.order, request))
    assert window.request_for(0, 4) is None
    request = window.request_for(0, 6)
    assert (request.kind, request.start) == ("after", 4)
    window.store(request, dp.fetch(window.filter, window.order, request))
    window.count = dp.count(window.filter)
    request = window.request_for(15, 17)
    assert request.kind == "last"
    window.store(request, dp.fetch(window.filter, window.order, request))
    request = window.request_for(11, 13)
    assert request.kind == "before"
    window.store(request, dp.fetch(window.filter, window.order, request))
    assert len(window.rows) <= 10
    whole = dp.page_after(window.filter, window.order, None, 100)
    for index, row in window.rows.items():
        assert row.id == whole[index].id


def test_stage_and_region_totals(demo_ledger):
    stages = groups.stage_totals(dp.ListFilter())
    assert list(stages) == ["negotiating", "signed", "registered", "construction", "operating", "stalled", "terminated"]
    assert sum(g.deals for g in stages.values()) == 33
    regions = groups.region_totals(dp.ListFilter())
    assert regions[0].key == "涿州市"
    assert Decimal("11700000000") < regions[0].total_cny < Decimal("11800000000")


def test_event_id_filter_is_exact(demo_ledger):
    from db.models import Event

    latest = Event.get(Event.name == "中国·廊坊国际经济贸易洽谈会")
    assert dp.count(dp.ListFilter(event="中国·廊坊国际经济贸易洽谈会")) > 3  # substring: also the 2019 edition
    assert dp.count(dp.ListFilter(event_id=latest.id)) == 3


def test_the_quick_filters_offer_every_region_and_industry_once_in_order(mixed_ledger):
    create_deal({"name": "无地区项目", "amount": "1亿元", "region": "", "industry": ""})
    create_deal({"name": "新材料项目", "amount": "2亿元", "region": "甲县", "industry": "新材料"})
    assert dp.regions() == ["丙县", "甲县", "乙县"]  # in pinyin order: bing, jia, yi
    assert dp.industries() == ["新材料"]
