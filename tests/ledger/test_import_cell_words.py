"""`crm import` of county sheets whose single cells say more than a number or a stage's name: amounts carrying their
own magnitude word in a 万元 or 亿元 column (1亿2000万, 壹亿贰仟万), progress text about getting ready to build
(施工图审查通过, 正在办理施工许可证) or asking a question, and dates Excel kept as numbers (2020.5).

Each test checks what lands, cell by cell, on SQLite and PostgreSQL."""

import datetime
import json
from decimal import Decimal

from db.connection import open_database
from db.models import Deal, Progress
from tests.ledger.test_import_county import county_xlsx

D = datetime.date


def _import(run_cli, url, path, *more):
    code, out, err = run_cli("--db", url, "import", path, "--format", "json", *more)
    return code, json.loads(out) if out.strip() else None, err


def _deals(url) -> dict:
    open_database(url)
    return {d.name: d for d in Deal.select()}


def test_an_amount_with_its_own_magnitude_is_that_amount_in_a_wan_column(ledger, db_url, run_cli, tmp_path):
    """The tester's sheet (蠡县, 投资额（万元）): 1亿2000万 and 壹亿贰仟万 are 1.2亿元 each, 8000 is 8000万元, and the
    合计 of 32000 (万元) adds up."""
    path = county_xlsx(
        tmp_path / "蠡县.xlsx",
        headers=["序号", "项目名称", "投资额（万元）", "签约时间", "进展情况"],
        rows=[
            [1, "蠡县皮毛加工项目", "1亿2000万", "2020.5.21", "已签约"],
            [2, "蠡县纺织项目", "壹亿贰仟万", "2020.5.21", "已签约"],
            [3, "蠡县物流项目", 8000, "2020.5.21", "已签约"],
            [4, "蠡县食品项目", "一亿二千万", "2020.5.21", "已签约"],
            [5, "蠡县包装项目", "2亿3千万", "2020.5.21", "已签约"],
            [6, "蠡县化工项目", "1亿零500万", "2020.5.21", "已签约"],
            [7, "蠡县机械项目", "1亿2千万元", "2020.5.21", "已签约"],
            ["合计", "", 89500],
        ],
        title="蠡县2020年签约项目表",
        note=None,
    )
    code, report, err = _import(run_cli, db_url, path)
    assert code == 0, err
    assert not [w for w in report["warnings"] if w["code"] == "totals_mismatch"], report["warnings"]
    amounts = {name: (d.amount, d.currency) for name, d in _deals(db_url).items()}
    assert amounts == {
        "蠡县皮毛加工项目": (Decimal("120000000.00"), "CNY"),
        "蠡县纺织项目": (Decimal("120000000.00"), "CNY"),
        "蠡县物流项目": (Decimal("80000000.00"), "CNY"),
        "蠡县食品项目": (Decimal("120000000.00"), "CNY"),
        "蠡县包装项目": (Decimal("230000000.00"), "CNY"),
        "蠡县化工项目": (Decimal("105000000.00"), "CNY"),
        "蠡县机械项目": (Decimal("120000000.00"), "CNY"),
    }
    code, out, err = run_cli("--db", db_url, "show", Deal.get(Deal.name == "蠡县皮毛加工项目").code)
    assert code == 0 and "1.2亿元" in out, out


def test_an_amount_with_its_own_magnitude_is_that_amount_in_a_yi_column(ledger, db_url, run_cli, tmp_path):
    """In a 总投资（亿元） column the same cells were refused as too large; a bare 1.5 is still 1.5亿元."""
    path = county_xlsx(
        tmp_path / "易县.xlsx",
        headers=["序号", "项目名称", "总投资（亿元）", "签约时间", "进展情况"],
        rows=[
            [1, "易县甲项目", "1亿2000万", "2020.5.21", "已签约"],
            [2, "易县乙项目", "壹亿贰仟万", "2020.5.21", "已签约"],
            [3, "易县丙项目", 1.5, "2020.5.21", "已签约"],
            [4, "易县丁项目", "八千万", "2020.5.21", "已签约"],
        ],
        note=None,
    )
    code, report, err = _import(run_cli, db_url, path)
    assert code == 0, err
    amounts = {name: d.amount for name, d in _deals(db_url).items()}
    assert amounts == {
        "易县甲项目": Decimal("120000000.00"),
        "易县乙项目": Decimal("120000000.00"),
        "易县丙项目": Decimal("150000000.00"),
        "易县丁项目": Decimal("80000000.00"),
    }


PREPARING = [
    "施工图审查通过",
    "施工图设计中",
    "正在办理施工许可证",
    "已取得施工许可证，待开工",
    "正在进行施工招标",
    "开工准备",
    "完成基础设计",
    "项目取消了吗？否，正常推进",
]


def _progress_sheet(path, texts, note="数据截至2020年6月30日"):
    rows = [[n + 1, f"满城测试项目{n + 1}", 3, "2020-04-20", text] for n, text in enumerate(texts)]
    headers = ["序号", "项目名称", "总投资（亿元）", "签约时间", "项目进展"]
    return county_xlsx(path, headers=headers, rows=rows, note=note)


def test_an_amount_written_as_a_bound_is_that_amount_about(ledger, db_url, run_cli, tmp_path):
    """超5000, 逾1亿元, 近8000万元, 3000万元以上, 不低于2亿元: what county sheets write of a deal not yet costed to
    the yuan is its number, kept as about it (shown 约…); 5亿元以下 says no number, and its row is refused."""
    rows = [
        [1, "曲阳石雕产业园项目", "超5000", "2020.5.21", "已签约"],
        [2, "曲阳文旅综合体项目", "逾1亿元", "2020.5.21", "已签约"],
        [3, "曲阳物流园项目", "近8000万元", "2020.5.21", "已签约"],
        [4, "曲阳食品加工项目", "3000万元以上", "2020.5.21", "已签约"],
        [5, "曲阳新材料项目", "不低于2亿元", "2020.5.21", "已签约"],
    ]
    headers = ["序号", "项目名称", "投资额（万元）", "签约时间", "进展情况"]
    path = county_xlsx(tmp_path / "曲阳县.xlsx", headers=headers, rows=rows, note=None)
    code, report, err = _import(run_cli, db_url, path)
    assert code == 0, err
    landed = {name: (d.amount, d.amount_approximate) for name, d in _deals(db_url).items()}
    assert landed == {
        "曲阳石雕产业园项目": (Decimal("50000000.00"), True),
        "曲阳文旅综合体项目": (Decimal("100000000.00"), True),
        "曲阳物流园项目": (Decimal("80000000.00"), True),
        "曲阳食品加工项目": (Decimal("30000000.00"), True),
        "曲阳新材料项目": (Decimal("200000000.00"), True),
    }
    code, out, err = run_cli("--db", db_url, "show", Deal.get(Deal.name == "曲阳文旅综合体项目").code)
    assert code == 0 and "约1亿元" in out, out

    below = county_xlsx(
        tmp_path / "曲阳县二.xlsx",
        headers=headers,
        rows=[[1, "曲阳陶瓷项目", "5亿元以下", "2020.5.21", "已签约"]],
        note=None,
    )
    code, report, err = _import(run_cli, db_url, below)
    assert code != 0
    assert [(p["row"], p["value"]) for p in report["problems"]] == [(3, "5亿元以下")], report["problems"]
    assert "曲阳陶瓷项目" not in _deals(db_url)


def test_funds_given_as_about_a_figure_are_recorded_and_warned_about(ledger, db_url, run_cli, tmp_path):
    """到位资金 of 近5000万元 or 约2000万元 is recorded as written (the funds table keeps exact amounts), and the
    report says which cells were no exact figure; an exact one is recorded without a word."""
    path = county_xlsx(
        tmp_path / "唐县.xlsx",
        headers=["序号", "项目名称", "总投资（万元）", "到位资金（万元）", "签约时间"],
        rows=[
            [1, "唐县新能源项目", 20000, "近5000万元", "2020.5.21"],
            [2, "唐县文旅项目", 8000, "约2000万元", "2020.5.21"],
            [3, "唐县物流项目", 6000, 1000, "2020.5.21"],
        ],
        note=None,
    )
    code, report, err = _import(run_cli, db_url, path)
    assert code == 0, err
    warned = [(w["row"], w["value"]) for w in report["warnings"] if w["code"] == "approximate_funds"]
    assert warned == [(3, "近5000万元"), (4, "约2000万元")], report["warnings"]
    assert "5000万元" in next(w["message"] for w in report["warnings"] if w["row"] == 3)
    open_database(db_url)
    funds = {name: sum((f.amount for f in d.funds), Decimal(0)) for name, d in _deals(db_url).items()}
    assert funds == {
        "唐县新能源项目": Decimal("50000000.00"),
        "唐县文旅项目": Decimal("20000000.00"),
        "唐县物流项目": Decimal("10000000.00"),
    }
    # The same file again (each deal matched, one by one): nothing more arrived, nothing recorded, nothing said.
    code, report, err = _import(run_cli, db_url, path)
    assert code == 0, err
    assert report["funds_added"] == [] and not [w for w in report["warnings"] if w["code"] == "approximate_funds"]


def test_progress_about_getting_ready_to_build_does_not_start_a_new_deal(ledger, db_url, run_cli, tmp_path):
    """开工率 counts deals at 开工: a new deal whose progress is 施工图审查通过 is 签约, its text kept."""
    texts = [*PREPARING, "已开工建设，主体施工中", "主体封顶", "已完成土地平整，具备开工条件"]
    code, report, err = _import(run_cli, db_url, _progress_sheet(tmp_path / "满城.xlsx", texts))
    assert code == 0, err
    deals = _deals(db_url)
    stages = {deals[f"满城测试项目{n + 1}"].code: deals[f"满城测试项目{n + 1}"].stage for n in range(len(texts))}
    assert list(stages.values()) == ["signed"] * len(PREPARING) + ["construction", "construction", "signed"]
    kept = {p.deal.name: p.text for p in Progress.select()}
    assert [kept[f"满城测试项目{n + 1}"] for n in range(len(texts))] == texts
    code, out, err = run_cli("--db", db_url, "kpi", "--format", "json")
    assert code == 0, err
    kpi = json.loads(out)
    assert (kpi["by_stage"], kpi["start_rate"]) == ({"signed": 9, "construction": 2}, "0.1818")


def test_progress_about_getting_ready_to_build_leaves_an_existing_deals_stage(ledger, db_url, run_cli, tmp_path):
    """A deal already at 注册 or 在谈 stays there when this week's progress says 正在办理施工许可证: the text names no
    stage (not 开工, and no 签约 that would be a step back or a step it did not say)."""
    first = _progress_sheet(tmp_path / "五月.xlsx", ["已注册"] * 4 + ["洽谈中"] * 4, note="数据截至2020年5月31日")
    assert _import(run_cli, db_url, first)[0] == 0
    code, report, err = _import(run_cli, db_url, _progress_sheet(tmp_path / "六月.xlsx", PREPARING))
    assert code == 0, err
    deals = _deals(db_url)
    assert [deals[f"满城测试项目{n + 1}"].stage for n in range(8)] == ["registered"] * 4 + ["negotiating"] * 4
    assert report["stage_changes"] == 0 and not [c for c in report["changes"] if c["field"] == "stage"]
    assert not [w for w in report["warnings"] if w["code"] == "stage_backwards"], report["warnings"]
    texts = {p.text for p in Progress.select()}
    assert set(PREPARING) <= texts
    # and real construction words still move them on
    code, report, err = _import(
        run_cli, db_url, _progress_sheet(tmp_path / "七月.xlsx", ["已开工建设"] * 8, note="数据截至2020年7月31日")
    )
    assert code == 0, err
    assert {d.stage for d in _deals(db_url).values()} == {"construction"}


def test_dates_excel_kept_as_numbers(ledger, db_url, run_cli, tmp_path):
    """2020.5 and 2020.12 typed in a General cell are those months; 2020.1 (January, or 2020.10) is refused in words
    an officer understands; 2020年5月下旬 is the month, as 2020年8月底 is."""
    headers = ["序号", "项目名称", "总投资（亿元）", "签约时间", "计划开工时间"]
    rows = [
        [1, "易县月份项目一", 1, 2020.5, 2020.12],
        [2, "易县月份项目二", 1, "2020年5月下旬", "2020.10"],
    ]
    code, report, err = _import(run_cli, db_url, county_xlsx(tmp_path / "月份.xlsx", headers=headers, rows=rows))
    assert code == 0, err
    open_database(db_url)
    one, two = Deal.get(Deal.name == "易县月份项目一"), Deal.get(Deal.name == "易县月份项目二")
    assert (one.signed_on, one.signed_on_month, one.planned_start, one.planned_start_month) == (
        D(2020, 5, 1),
        True,
        D(2020, 12, 1),
        True,
    )
    assert (two.signed_on, two.signed_on_month, two.planned_start, two.planned_start_month) == (
        D(2020, 5, 1),
        True,
        D(2020, 10, 1),
        True,
    )
    code, out, err = run_cli("--db", db_url, "show", one.code, "--format", "json")
    assert sorted(json.loads(out)["month_only"]) == ["planned_start", "signed_on"]

    rows = [[3, "易县月份项目三", 1, 2020.1, None], [4, "易县月份项目四", 1, 5.21, None]]
    code, out, err = run_cli("--db", db_url, "import", county_xlsx(tmp_path / "歧义.xlsx", headers=headers, rows=rows))
    assert code == 2
    assert "2020.1 可能是1月，也可能是10月（Excel 把 2020.10 存成 2020.1）：请写成 2020-10-01 或 2020年10月1日" in err
    assert "5.21 不像日期：请写成 2020-10-01 或 2020年10月1日" in err
    assert "43969" not in err
