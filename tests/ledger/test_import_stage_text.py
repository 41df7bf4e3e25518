"""`crm import` of a county's weekly sheets whose free progress text tells of plans, pauses that ended and cancelled
designs: a deal moves only to a stage the text says has happened (crm.values.stage_words), on SQLite and PostgreSQL.

The testers' sheets (满城区 调度表, then next week's progress-only update): 下周开工 does not start a deal, 现已复工
does not pause one, 取消原设计方案 does not end one, 年底前投产 does not make a new deal 投产, and 拟签约/意向 with a
(planned) signing date is still 在谈.
"""

import json

from db.connection import open_database
from db.models import Deal, Progress
from tests.ledger.test_import_county import county_xlsx


def _import(run_cli, url, path):
    code, out, err = run_cli("--db", url, "import", path, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def _stages(url) -> dict:
    open_database(url)
    return {d.name: d.stage for d in Deal.select()}


def test_progress_text_moves_a_deal_only_to_what_has_happened(ledger, db_url, run_cli, tmp_path):
    headers = ["序号", "项目名称", "总投资（亿元）", "签约时间", "当前阶段", "本周进展"]
    week_2 = county_xlsx(
        tmp_path / "第2周.xlsx",
        headers=headers,
        rows=[
            [1, "满城纸制品产业园项目", 1.2, "2020-09-10", "已开工", "本周完成土地摘牌，下周开工"],
            [2, "满城草莓小镇项目", 2.5, "2020-09-10", "拟签约", "正在洽谈合同条款"],
            [3, "满城新能源储能项目", 3, "2020-09-10", "前期", "年底前投产"],
            [4, "徐水汽车零部件项目", 10, "2020-09-01", "签约", "因疫情影响停工两周，现已复工"],
            [5, "徐水冷链物流园项目", 1.8, "2020-09-10", "在谈", "取消原方案，重新设计"],
            [6, "满城意向项目", 1, "2020-09-10", "意向", None],
            [7, "满城储备项目", 1, "2020-09-10", "储备", None],
            [8, "满城协议项目", 1, "2020-09-10", "已签订投资协议", None],
            [9, "满城供地项目", 1, "2020-09-10", "已供地", None],
            [10, "满城注销项目", 1, "2020-09-10", "已注销", None],
        ],
        title="满城区2020年重点招商项目推进情况调度表（9月第2周）",
        note="数据截至2020年9月11日",
    )
    _import(run_cli, db_url, week_2)
    assert _stages(db_url) == {
        "满城纸制品产业园项目": "construction",
        "满城草莓小镇项目": "negotiating",  # the signing date of a deal 拟签约 is the planned one
        "满城新能源储能项目": "signed",  # 年底前投产 is a plan: a new deal with a signing date is 签约
        "徐水汽车零部件项目": "signed",
        "徐水冷链物流园项目": "negotiating",
        "满城意向项目": "negotiating",
        "满城储备项目": "negotiating",
        "满城协议项目": "signed",
        "满城供地项目": "signed",
        "满城注销项目": "terminated",
    }

    week_3 = county_xlsx(
        tmp_path / "第3周.xlsx",
        headers=["序号", "项目名称", "本周进展情况"],
        rows=[
            [1, "满城纸制品产业园项目", "因疫情影响停工两周，现已复工"],
            [2, "满城草莓小镇项目", "本周完成土地摘牌，下周开工"],
            [3, "徐水汽车零部件项目", "取消原设计方案，重新设计厂房"],
            [4, "徐水冷链物流园项目", "双方就合同条款进行磋商，预计下月签约"],
            [5, "满城新能源储能项目", "6月18日正式投产"],
        ],
        title="满城区重点项目周进展（2020年9月第3周）",
        note="数据截至2020年9月18日",
    )
    report = _import(run_cli, db_url, week_3)
    moved = sorted((c["code"], c["old"], c["new"]) for c in report["changes"] if c["field"] == "stage")
    codes = {d.name: d.code for d in Deal.select()}
    assert moved == sorted(
        [
            (codes["满城草莓小镇项目"], "negotiating", "signed"),  # 摘牌 is done; 开工 is next week's
            (codes["满城新能源储能项目"], "signed", "operating"),  # a day that has come still moves a deal
        ]
    )
    stages = _stages(db_url)
    assert stages["满城纸制品产业园项目"] == "construction"  # resumed, not paused
    assert stages["徐水汽车零部件项目"] == "signed"  # a design was cancelled, not the project
    assert stages["徐水冷链物流园项目"] == "negotiating"
    # every text is kept whole as the deal's progress, whatever stage it named
    kept = {(p.deal.name, p.text) for p in Progress.select()}
    assert ("满城纸制品产业园项目", "因疫情影响停工两周，现已复工") in kept
    assert ("徐水汽车零部件项目", "取消原设计方案，重新设计厂房") in kept


def test_a_cell_that_starts_with_a_stage_is_read_whole(ledger, db_url, run_cli, tmp_path):
    """已开工，因资金问题暂停 is a stalled deal and 暂停，现已复工 a building one: the cell's first words are not its
    stage when later ones change it."""
    path = county_xlsx(
        tmp_path / "唐县.xlsx",
        headers=["序号", "项目名称", "总投资（万元）", "签约时间", "项目进展"],
        rows=[
            [1, "唐县甲项目", 1000, "2020-05-08", "已开工，因资金问题暂停"],
            [2, "唐县乙项目", 1000, "2020-05-08", "暂停，现已复工"],
        ],
        note=None,
    )
    code, out, err = run_cli("--db", db_url, "import", path)
    assert code == 0, err
    open_database(db_url)
    assert {d.name: d.stage for d in Deal.select()} == {"唐县甲项目": "stalled", "唐县乙项目": "construction"}
