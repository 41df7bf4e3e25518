"""Finding deals by code, any part of a Chinese name or investor, or pinyin initials."""

import datetime

import pytest

from crm.deals import records as deals
from crm.listing import search
from crm.listing import views as deal_views
from crm.listing.filters import DealFilter
from crm.reference import fx

SUPPLY = "涿州现代供应链金融创新示范基地项目"
VC = "中国创投(涿州)总部项目"
OCT = "华侨城涿州城市客厅项目"
RAIL = "轨道交通车辆关键零部件产业园项目"
PCT = "100%绿色_建材项目"


# ---- no database ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (SUPPLY, "zzxdgyljrcxsfjdxm"),
        (VC, "zgctzzzbxm"),  # brackets dropped
        (OCT, "hqczzcsktxm"),
        ("5G智能终端产业园项目", "5gznzdcyyxm"),  # Latin letters and digits kept, lower case
        ("", ""),
    ],
)
def test_pinyin_initials(text, expected):
    assert search.initials(text) == expected


def test_index_terms():
    terms = search.index_terms("ZS2020-0003", OCT, "华侨城集团 OCT")
    assert terms["search_text"] == "zs2020-0003\n华侨城涿州城市客厅项目\n华侨城集团 oct"
    assert terms["pinyin_initials"] == "hqczzcsktxm"


# ---- against the database -----------------------------------------------------------


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_blank_query_matches_everything(ledger, blank):
    """A filter asks the ledger whether any deal is archived (whose deals it then leaves out): with none, a blank
    search is no condition at all."""
    assert search.matches(blank) is None
    assert DealFilter(search=blank).condition() is None


QUERIES = [  # (query, the names it must find, in any order)
    ("ZS2020-0001", {SUPPLY}),
    ("zs2020-0003", {OCT}),  # codes in any case
    ("ZS2019", {RAIL}),
    ("涿州", {SUPPLY, VC, OCT}),  # two characters
    ("涿", {SUPPLY, VC, OCT}),  # one character
    ("链", {SUPPLY}),
    ("客厅", {OCT}),
    ("华侨城集团", {OCT}),  # the investor
    ("京车", {RAIL}),
    ("zzgyl", {SUPPLY}),  # initials from the start of the name, with gaps
    ("gyl", {SUPPLY}),  # a run of initials anywhere
    ("ZZGYL", {SUPPLY}),
    ("hqc", {OCT}),
    ("zz", {SUPPLY, VC, OCT}),  # zgctzzzbxm and hqczzcsktxm hold zz too
    ("gdjt", {RAIL}),
    ("xyz", set()),
    ("上海", set()),
    ("%", {PCT}),  # LIKE wildcards are plain characters
    ("_", {PCT}),
    ("0%绿", {PCT}),
]


@pytest.fixture
def searchable(ledger):
    fx.set_rate("USD", datetime.date(2020, 5, 18), "7.1030")  # a deal in dollars needs its rate first
    for values in (
        {"name": SUPPLY, "amount": "1.8亿美元", "signed_on": "2020-05-18"},
        {"name": VC, "amount": "25亿元", "signed_on": "2020-05-18"},
        {"name": OCT, "amount": "80亿元", "signed_on": "2020-05-18", "investor": "华侨城集团"},
        {"name": RAIL, "amount": "12亿元", "signed_on": "2019-04-28", "investor": "河北京车轨道交通车辆装备有限公司"},
        {"name": PCT, "amount": "4亿元", "signed_on": "2021-01-01"},
    ):
        deals.create_deal(values)
    return ledger


def _names(query, **more):
    return {r["name"] for r in deal_views.list_deals(DealFilter(search=query, **more))}


def test_search(searchable):
    wrong = {q: _names(q) for q, expected in QUERIES if _names(q) != expected}
    assert wrong == {}


def test_search_combines_with_other_filters(searchable):
    assert _names("涿州", year=2020) == {SUPPLY, VC, OCT}
    assert _names("涿州", year=2019) == set()
    assert _names("gyl", stage="签约") == {SUPPLY}


def test_renaming_reindexes(searchable):
    deals.edit_deal("ZS2020-0001", {"name": "保定供应链金融中心项目", "investor": "某金融集团"})
    assert _names("zzgyl") == set()
    assert _names("bdgyl") == {"保定供应链金融中心项目"}
    assert _names("金融集团") == {"保定供应链金融中心项目"}
    assert _names("涿州") == {VC, OCT}
