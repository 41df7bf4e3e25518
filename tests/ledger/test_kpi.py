"""Cohort KPIs on a small ledger built by hand, with every expected figure
worked out here from the ledger below (not from the code under test).

The ledger (built once per backend for the whole module; the tests only read):

  deal  event  region   signed      amount        CNY at signing        stage         lead / supporting
  d1    廊坊   涿州市   2020-05-18  1亿美元       ×7.10 = 710,000,000   投产          发改 /
  d2    廊坊   涿州市   2020-05-18  25亿元        2,500,000,000         开工          自然资源 / 发改
  d3    廊坊   高碑店市 2020-05-18  5亿元         500,000,000           签约          生态环境 /
  d4    对接会 涿州市   2019-09-06  3亿元         300,000,000           终止          生态环境 / 自然资源
  d5    对接会 徐水区   2019-09-06  8000万元      80,000,000            暂停          发改 /
  d7    对接会 徐水区   2019-09-06  5000余万元    50,000,000 (approx.)  注册          自然资源 /
  d6    廊坊   涿州市   (none)      10亿元        —                     在谈 (never counts)

USD rates: 2020-01-02 6.90 (used by nothing), 2020-05-18 7.10 (d1), 2020-09-01 6.80.
Funds: d1 2000万美元 on 2020-09-01 → ×6.80 = 136,000,000; d2 5亿元 on 2020-08-01.
Blockers: b1 d3 open, due 2020-06-30 (overdue); b2 d3 resolved; b3 d2 open, due
2099-12-31; b4 d4 resolved; b5 d6 open and overdue (d6 is 在谈: never counts).
"""

import datetime
import json
from decimal import Decimal

import pytest

from crm.deals import blockers, funds, stages
from crm.deals import records as deals
from crm.foundation.errors import InvalidInput, MissingRate
from crm.listing.filters import DealFilter
from crm.reference import fx, registry
from crm.reporting import kpi
from crm.values.money import percent_text
from tests.conftest import BACKENDS

D = datetime.date
ACTOR = "台账员"
FAGAI = "保定市发展和改革委员会"
ZIRAN = "保定市自然资源和规划局"
SHENGTAI = "保定市生态环境局"
LANGFANG = "中国·廊坊国际经济贸易洽谈会"
DUIJIE = "京津冀产业协同发展(保定)对接会"


def build_small_ledger() -> dict:
    """Write the ledger of the module docstring into the open database; return {label: code}."""
    for name in (FAGAI, ZIRAN, SHENGTAI):
        registry.add_department(name, actor=ACTOR)
    registry.add_event(LANGFANG, D(2020, 5, 18), "online")
    registry.add_event(DUIJIE, D(2019, 9, 6), "北京")
    fx.set_rate("USD", D(2020, 1, 2), "6.9000")
    fx.set_rate("USD", D(2020, 5, 18), "7.1000")
    fx.set_rate("USD", D(2020, 9, 1), "6.8000")

    def deal(name, amount, signed, event, region, lead, supporting=()):
        values = {"name": name, "amount": amount, "event": event, "region": region, "lead_unit": lead}
        if signed:
            values["signed_on"] = signed
        return deals.create_deal(values, supporting=list(supporting), actor=ACTOR).code

    c = {
        "d1": deal("涿州现代供应链金融创新示范基地项目", "1亿美元", "2020-05-18", "廊坊", "涿州市", FAGAI),
        "d2": deal("中国创投(涿州)总部项目", "25亿元", "2020-05-18", "廊坊", "涿州市", ZIRAN, [FAGAI]),
        "d3": deal("轨道交通装备检测认证基地项目", "5亿元", "2020-05-18", "廊坊", "高碑店市", SHENGTAI),
        "d4": deal("碳纤维复合材料项目", "3亿元", "2019-09-06", "对接会", "涿州市", SHENGTAI, [ZIRAN]),
        "d5": deal("汽车零部件智能制造项目", "8000万元", "2019-09-06", "对接会", "徐水区", FAGAI),
        "d7": deal("冷链物流园项目", "5000余万元", "2019-09-06", "对接会", "徐水区", ZIRAN),
        "d6": deal("华侨城涿州城市客厅项目", "10亿元", None, "廊坊", "涿州市", FAGAI),
    }
    for label, moves in {
        "d1": [
            ("registered", D(2020, 7, 1), ""),
            ("construction", D(2020, 9, 1), ""),
            ("operating", D(2021, 5, 1), ""),
        ],
        "d2": [("registered", D(2020, 6, 15), ""), ("construction", D(2020, 10, 1), "")],
        "d4": [("registered", D(2019, 10, 1), ""), ("terminated", D(2020, 3, 1), "投资方撤资")],
        "d5": [("registered", D(2019, 11, 1), ""), ("stalled", D(2020, 2, 1), "资金链紧张")],
        "d7": [("registered", D(2019, 12, 1), "")],
    }.items():
        for stage, on, note in moves:
            stages.change_stage(c[label], stage, on=on, note=note, actor=ACTOR)
    funds.record_funds(c["d1"], "2000万美元", on=D(2020, 9, 1), actor=ACTOR)
    funds.record_funds(c["d2"], "5亿元", on=D(2020, 8, 1), actor=ACTOR)
    blockers.add_blocker(c["d3"], "环评批复尚未取得", SHENGTAI, raised=D(2020, 5, 20), due=D(2020, 6, 30), actor=ACTOR)
    b2 = blockers.add_blocker(c["d3"], "用地指标不足", ZIRAN, raised=D(2020, 5, 20), due=D(2020, 7, 31), actor=ACTOR)
    blockers.resolve_blocker(b2.id, note="指标落实", on=D(2020, 6, 10), actor=ACTOR)
    blockers.add_blocker(
        c["d2"], "双回路供电接入方案未定", FAGAI, raised=D(2020, 6, 1), due=D(2099, 12, 31), actor=ACTOR
    )
    b4 = blockers.add_blocker(
        c["d4"], "施工许可材料不全", FAGAI, raised=D(2019, 10, 10), due=D(2019, 11, 30), actor=ACTOR
    )
    blockers.resolve_blocker(b4.id, note="材料补齐", on=D(2019, 11, 15), actor=ACTOR)
    blockers.add_blocker(c["d6"], "意向未定", FAGAI, raised=D(2020, 1, 1), due=D(2020, 2, 1), actor=ACTOR)
    return c


@pytest.fixture(scope="module", params=BACKENDS)
def small_url(request, tmp_path_factory):
    """URL of a database holding the hand-built ledger (one per backend, shared by the module)."""
    from db.connection import open_database
    from db.models import database

    cluster = None
    if request.param == "sqlite":
        url = str(tmp_path_factory.mktemp("kpi") / "small.sqlite3")
    else:
        cluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database()
    db = open_database(url)
    request.module.CODES = build_small_ledger()
    db.close()
    database.initialize(None)
    yield url
    if cluster is not None:
        cluster.drop_database(url.rsplit("/", 1)[1])


@pytest.fixture
def small(small_url):
    """The hand-built ledger, opened; returns {label: code}."""
    from db.connection import open_database
    from db.models import database

    db = open_database(small_url)
    yield CODES
    db.close()
    database.initialize(None)


CODES: dict = {}


def figures(k) -> dict:
    return kpi.as_json(k)


# ---- whole ledger --------------------------------------------------------------


def test_all_signed_deals(small):
    k = figures(kpi.compute())
    assert k["deals"] == 6  # d6 is 在谈: not signed, not counted
    assert k["total_cny"] == "4140000000.00"
    assert k["by_currency"] == {"CNY": "3430000000.00", "USD": "100000000.00"}
    assert k["by_stage"] == {
        "signed": 1,
        "registered": 1,
        "construction": 1,
        "operating": 1,
        "stalled": 1,
        "terminated": 1,
    }
    assert k["approximate"] is True  # d7 was written 5000余万元


def test_stage_rates_count_current_main_line_stage(small):
    k = figures(kpi.compute())
    assert k["fulfilment_rate"] == "0.5000"  # d1 d2 d7 of 6
    assert k["start_rate"] == "0.3333"  # d1 d2 of 6
    assert k["operating_rate"] == "0.1667"  # d1 of 6


def test_funds_rate_compares_cny_at_each_date(small):
    k = figures(kpi.compute())
    # 2000万美元 at 2020-09-01's 6.80, not at the signing rate 7.10
    assert k["funds_cny"] == "636000000.00"
    assert k["funds_rate"] == "0.1536"  # 636,000,000 / 4,140,000,000 = 0.15362…


def test_blockers_of_signed_deals(small):
    k = figures(kpi.compute())
    assert (k["blockers_raised"], k["blockers_open"], k["blockers_resolved"], k["blockers_overdue"]) == (4, 2, 2, 1)
    assert k["resolution_rate"] == "0.5000"


def test_overdue_depends_on_the_day(small):
    # On 2020-06-15 b1 (due 2020-06-30) was not yet overdue.
    assert kpi.compute(today=D(2020, 6, 15)).blockers_overdue == 0
    assert kpi.compute(today=D(2020, 7, 1)).blockers_overdue == 1


def test_fx_used_names_exactly_the_rates_used(small):
    k = figures(kpi.compute())
    assert [(r["currency"], r["on"], r["rate"]) for r in k["fx_used"]] == [
        ("USD", "2020-05-18", "7.1000"),
        ("USD", "2020-09-01", "6.8000"),
    ]


# ---- cohorts ----------------------------------------------------------------------


def test_event_cohort_by_substring(small):
    k = figures(kpi.compute(DealFilter(event="廊坊")))
    assert k["deals"] == 3  # d1 d2 d3; d6 is at the same event but 在谈
    assert k["total_cny"] == "3710000000.00"
    assert (k["fulfilment_rate"], k["start_rate"], k["operating_rate"]) == ("0.6667", "0.6667", "0.3333")
    assert k["funds_rate"] == "0.1714"  # 636,000,000 / 3,710,000,000
    assert (k["blockers_raised"], k["blockers_open"], k["blockers_resolved"], k["blockers_overdue"]) == (3, 2, 1, 1)
    assert k["resolution_rate"] == "0.3333"
    assert k["approximate"] is False


def test_year_cohort_is_the_signing_year(small):
    k = figures(kpi.compute(DealFilter(year=2019)))
    assert k["deals"] == 3  # d4 d5 d7
    assert k["total_cny"] == "430000000.00"
    assert (k["fulfilment_rate"], k["start_rate"], k["operating_rate"]) == ("0.3333", "0.0000", "0.0000")
    assert (k["funds_cny"], k["funds_rate"]) == ("0", "0.0000")
    assert (k["blockers_raised"], k["blockers_open"], k["blockers_resolved"], k["resolution_rate"]) == (
        1,
        0,
        1,
        "1.0000",
    )
    assert k["fx_used"] == []
    assert k["approximate"] is True
    assert figures(kpi.compute(DealFilter(year=2020))) == figures(kpi.compute(DealFilter(event="廊坊")))


def test_empty_cohort_has_no_rates(small):
    k = figures(kpi.compute(DealFilter(year=2021)))
    assert k["deals"] == 0
    assert Decimal(k["total_cny"]) == 0
    for key in ("fulfilment_rate", "start_rate", "operating_rate", "funds_rate", "resolution_rate"):
        assert k[key] is None, key


def test_region_cohort(small):
    k = figures(kpi.compute(DealFilter(region="涿州")))
    assert k["deals"] == 3  # d1 d2 d4
    assert k["total_cny"] == "3510000000.00"
    assert k["fulfilment_rate"] == "0.6667"
    assert (k["blockers_raised"], k["blockers_open"], k["blockers_overdue"]) == (2, 1, 0)
    assert figures(kpi.compute(DealFilter(region="徐水")))["total_cny"] == "130000000.00"


@pytest.mark.parametrize(
    "department, n, total",
    [
        ("发展和改革", 3, "3290000000.00"),  # lead of d1 d5, supporting d2
        ("自然资源", 3, "2850000000.00"),  # lead of d2 d7, supporting d4
        ("生态环境", 2, "800000000.00"),  # lead of d3 d4
    ],
)
def test_department_cohort_counts_lead_and_supporting(small, department, n, total):
    k = figures(kpi.compute(DealFilter(department=department)))
    assert (k["deals"], k["total_cny"]) == (n, total)


def test_filters_combine(small):
    k = figures(kpi.compute(DealFilter(event="廊坊", region="涿州")))
    assert (k["deals"], k["total_cny"]) == (2, "3210000000.00")


@pytest.mark.parametrize(
    "flt, overdue",
    [
        (DealFilter(), 1),
        (DealFilter(event="廊坊"), 1),
        (DealFilter(region="涿州"), 0),
        (DealFilter(department="发展和改革"), 0),
    ],
)
def test_negotiating_deal_never_counts(small, flt, overdue):
    # d6 matches each filter, but is 在谈: neither it nor its overdue blocker b5 counts.
    k = kpi.compute(flt)
    assert "negotiating" not in k.by_stage
    assert k.blockers_overdue == overdue


def test_year_out_of_range_is_refused(small):
    with pytest.raises(InvalidInput, match="99999"):
        kpi.compute(DealFilter(year=99999))


# ---- through the CLI ------------------------------------------------------------


def test_cli_kpi_json(small_url, run_cli):
    code, out, err = run_cli("--db", small_url, "kpi", "--event", "廊坊", "--format", "json")
    assert code == 0, err
    k = json.loads(out, parse_float=lambda s: pytest.fail(f"float in KPI JSON: {s}"))
    for key in (
        "deals",
        "total_cny",
        "fulfilment_rate",
        "start_rate",
        "operating_rate",
        "funds_rate",
        "blockers_open",
        "blockers_resolved",
        "resolution_rate",
        "fx_used",
    ):
        assert key in k, key
    assert (k["deals"], k["total_cny"], k["start_rate"]) == (3, "3710000000.00", "0.6667")
    assert [r["rate"] for r in k["fx_used"]] == ["7.1000", "6.8000"]


@pytest.mark.parametrize(
    "args, deals, total",
    [
        (["--year", "2019"], 3, "430000000.00"),
        (["--region", "徐水"], 2, "130000000.00"),
        (["--department", "自然资源"], 3, "2850000000.00"),
        (["--event", "廊坊", "--region", "涿州"], 2, "3210000000.00"),
    ],
)
def test_cli_kpi_cohorts(small_url, run_cli, args, deals, total):
    code, out, err = run_cli("--db", small_url, "kpi", *args, "--format", "json")
    assert code == 0, err
    k = json.loads(out)
    assert (k["deals"], k["total_cny"]) == (deals, total)


def test_cli_kpi_table_shows_percentages_and_rates(small_url, run_cli):
    code, out, err = run_cli("--db", small_url, "--lang", "en", "kpi", "--event", "廊坊")
    assert code == 0, err
    assert "66.67%" in out and "33.33%" in out and "17.14%" in out
    assert "USD 2020-05-18 7.1000" in out and "USD 2020-09-01 6.8000" in out
    assert "2 / 1 / 1" in out  # blockers open / resolved / overdue


# ---- a cohort that cannot be converted -------------------------------------------


def test_deal_without_a_rate_is_refused_at_entry_not_counted_as_zero(ledger):
    with pytest.raises(MissingRate) as err:
        deals.create_deal({"name": "光伏组件智能制造项目", "amount": "1.5亿美元", "signed_on": "2019-05-17"})
    assert "USD" in str(err.value) and "2019-05-17" in str(err.value) and "crm fx set" in str(err.value)
    assert kpi.compute().deals == 0  # nothing was written
    fx.set_rate("USD", D(2019, 5, 17), "6.8859")
    deals.create_deal({"name": "光伏组件智能制造项目", "amount": "1.5亿美元", "signed_on": "2019-05-17"})
    assert kpi.compute().total_cny == Decimal("1032885000.00")


def test_funds_without_a_rate_are_refused_at_entry_so_kpis_keep_working(ledger):
    code = deals.create_deal({"name": "储能电池生产项目", "amount": "10亿元", "signed_on": "2019-11-11"}).code
    with pytest.raises(MissingRate) as err:
        funds.record_funds(code, "1000万港元", on=D(2019, 12, 1))
    assert "HKD" in str(err.value) and "2019-12-01" in str(err.value)
    assert kpi.compute().deals == 1


# ---- pure helpers ----------------------------------------------------------------


@pytest.mark.parametrize(
    "value, text, percent",
    [
        (Decimal(88) / Decimal(107), "0.8224", "82.24%"),  # the seed's 开工率
        (Decimal("0.82245"), "0.8225", "82.25%"),  # half up, not half even
        (Decimal("0.00005"), "0.0001", "0.01%"),
        (Decimal(1), "1.0000", "100.00%"),
        (None, None, "—"),
    ],
)
def test_rate_and_percent_text(value, text, percent):
    assert kpi.rate_text(value) == text
    assert percent_text(value) == percent


def test_ratios_of_an_empty_cohort_are_undefined():
    k = kpi.Kpis()
    assert (k.fulfilment_rate, k.start_rate, k.operating_rate, k.funds_rate, k.resolution_rate) == (None,) * 5
