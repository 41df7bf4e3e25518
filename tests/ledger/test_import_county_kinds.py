"""`crm import` of three more kinds of county sheet: a 亿元 header with some cells typed in 万元 (3000万元), a second
table of deals below the first with a header of its own, and a .xls saved by LibreOffice whose dates are 公文
text (二〇二〇年五月十二日). What lands is checked cell by cell."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from db.connection import open_database
from db.models import Deal, FundsArrived
from tests.ledger.test_import_layouts import read_as, run_import, sheet  # noqa: F401  (read_as: a fixture)

WAN = Decimal(10) ** 4
YI = Decimal(10) ** 8
D = datetime.date
DATA = Path(__file__).resolve().parents[1] / "data" / "import_sheets"


def test_wan_cells_in_a_yi_column_land_as_written(ledger, db_url, run_cli, tmp_path, read_as):  # noqa: F811
    """总投资（亿元）: a bare number is 亿元, a cell that says 万元 (3000万元, 5000万, 8000 万元) is 万元; the same in
    the 到位资金 column; the 合计 in 亿元 adds them up."""
    rows = [
        ["填报单位：清苑区商务局", None, None, None, None, "单位：亿元"],
        ["序号", "项目名称", "投资方", "总投资（亿元）", "到位资金（亿元）", "签约时间", "所在地", "进展情况"],
        [1, "清苑区汽车零部件项目", "某汽车集团有限公司", 12, 2, "2020.3.5", "清苑区", "已开工"],
        [2, "清苑区冷链物流项目", "某物流有限公司", "3000万元", "500万元", "2020.3.18", "清苑区", "已签约"],
        [3, "清苑区农产品深加工项目", "某食品公司", 0.8, None, "2020.4.2", "清苑区", "已注册"],
        [4, "清苑区光伏发电项目", "某新能源公司", "5000万", None, "2020年4月20日", "清苑区", "前期手续办理中"],
        [5, "清苑区智能仓储项目", "某科技公司", "1.2亿元", None, "2020-05-06", "清苑区", "已签约"],
        [6, "清苑区服装产业园项目", "某服饰公司", "8000 万元", "0.1", "2020/5/15", "清苑区", "已开工"],
        ["合计", None, None, 15.6, 2.15, None, None, None],
        ["注：部分项目投资额以万元填报。"],
    ]
    path = sheet(tmp_path / "清苑.xlsx", rows, title="清苑区2020年1-5月招商引资签约项目情况表", merges=["A1:H1"])
    code, report, err = run_import(run_cli, db_url, path)
    assert code == 0, err
    assert [(t["total"], t["sum"]) for t in report["totals_checked"]] == [("15.6", "15.6")]
    assert not report["warnings"] and not report["problems"]
    open_database(db_url)
    got = {d.name: d for d in Deal.select()}
    assert {n: (d.amount, d.currency, d.signed_on, d.stage) for n, d in got.items()} == {
        "清苑区汽车零部件项目": (12 * YI, "CNY", D(2020, 3, 5), "construction"),
        "清苑区冷链物流项目": (3000 * WAN, "CNY", D(2020, 3, 18), "signed"),
        "清苑区农产品深加工项目": (Decimal("0.8") * YI, "CNY", D(2020, 4, 2), "registered"),
        "清苑区光伏发电项目": (5000 * WAN, "CNY", D(2020, 4, 20), "signed"),
        "清苑区智能仓储项目": (Decimal("1.2") * YI, "CNY", D(2020, 5, 6), "signed"),
        "清苑区服装产业园项目": (8000 * WAN, "CNY", D(2020, 5, 15), "construction"),
    }
    funds = {f.deal.name: f.amount for f in FundsArrived.select()}
    assert funds == {
        "清苑区汽车零部件项目": 2 * YI,
        "清苑区冷链物流项目": 500 * WAN,
        "清苑区服装产业园项目": Decimal("0.1") * YI,
    }


def test_a_second_deal_table_with_other_columns_is_named_not_misread(
    ledger,
    db_url,
    run_cli,
    tmp_path,
    read_as,  # noqa: F811
):
    """二、在谈项目 under its own header (投资方 where the first table has 总投资): its rows are not read through the
    first header (investors as amounts, amounts as dates); the first table lands, the second is named."""
    rows = [
        ["一、签约项目"],
        ["序号", "项目名称", "总投资（亿元）", "签约时间", "责任单位", "进展情况"],
        [1, "满城纸业升级改造项目", 5, "2020.4.15", "满城区发改局", "已开工"],
        [2, "满城新材料项目", 3, "2020.4.20", "满城区工信局", "已签约"],
        [3, "满城文旅小镇项目", 10, "2020.5.1", "满城区文旅局", "已注册"],
        ["合计", None, 18, None, None, None],
        [],
        ["二、在谈项目"],
        ["序号", "项目名称", "投资方", "拟投资额（亿元）", "洽谈进展", "责任单位"],
        [1, "满城生物医药项目", "某药业集团", 6, "洽谈中", "满城区卫健局"],
        [2, "满城数据中心项目", "某云计算公司", 20, "已达成意向", "满城区工信局"],
        ["合计", None, None, 26, None, None],
    ]
    path = sheet(tmp_path / "满城.xlsx", rows, title="满城区2020年招商引资项目台账", merges=["A1:F1"])
    code, report, err = run_import(run_cli, db_url, path)
    assert code == 0, err
    assert [(c["row"], c["name"]) for c in report["created"]] == [
        (4, "满城纸业升级改造项目"),
        (5, "满城新材料项目"),
        (6, "满城文旅小镇项目"),
    ]
    assert not report["problems"] and not report["warnings"]
    assert [(t["row"], t["total"], t["sum"]) for t in report["totals_checked"]] == [(7, "18", "18")]
    assert [s["row"] for s in report["skipped"] if s["reason"] == "other_table"] == [10, 11, 12, 13]
    named = [n for n in report["notices"] if "10–13" in n]
    assert len(named) == 1 and "--sheet" in named[0], report["notices"]
    open_database(db_url)
    assert {d.name: (d.amount, d.signed_on, d.stage) for d in Deal.select()} == {
        "满城纸业升级改造项目": (5 * YI, D(2020, 4, 15), "construction"),
        "满城新材料项目": (3 * YI, D(2020, 4, 20), "signed"),
        "满城文旅小镇项目": (10 * YI, D(2020, 5, 1), "registered"),
    }


def test_a_libreoffice_xls_with_official_dates(ledger, db_url, run_cli):
    """公文 dates in a .xls (二〇二〇年五月十二日, ○ and 零 for zero, 二〇二〇年六月 as a month) land as dates; the
    signature line after the 合计 (唐县招商局 | 二〇二〇年七月三日) is a note, no table of its own."""
    path = DATA / "tangxian_official_dates.xls"
    assert path.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # BIFF in an OLE file, as Excel 97 saves it
    code, report, err = run_import(run_cli, db_url, path)
    assert code == 0, err
    assert [(t["row"], t["total"], t["sum"]) for t in report["totals_checked"]] == [(7, "75500", "75500")]
    assert report["skipped"] == [{"row": 8, "reason": "after_totals"}]
    # no county column, and none named above the table (唐县 is in the names and the signature line only)
    assert not report["problems"] and [w["code"] for w in report["warnings"]] == ["no_region"]
    open_database(db_url)
    got = {
        d.name: (
            d.amount,
            d.signed_on,
            d.planned_start,
            d.planned_start_month,
            d.lead_unit.name if d.lead_unit else None,
        )
        for d in Deal.select()
    }
    assert got == {
        "唐县新型建材项目": (20000 * WAN, D(2020, 5, 12), D(2020, 6, 1), True, "唐县工信局"),
        "唐县中药材加工项目": (8500 * WAN, D(2020, 3, 1), D(2020, 5, 1), True, "唐县农业农村局"),
        "唐县全域旅游项目": (35000 * WAN, D(2020, 4, 30), D(2020, 7, 1), True, "唐县文旅局"),
        "唐县物流园项目": (12000 * WAN, D(2020, 6, 18), None, False, "唐县商务局"),
    }
