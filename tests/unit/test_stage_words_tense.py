"""Progress text moves a deal only to a stage it says has happened (crm.values.stage_words.classify_progress):

- a word of intent, a negation or a time ahead counts in its own clause only (本周完成土地摘牌，下周开工: 摘牌 is
  done, 开工 is not; 年底前投产, 9月底开工, 明年投产 are plans), while a day that has come still moves it
  (6月18日正式投产, 已于9月底开工);
- a later clause saying work goes on again ends an earlier pause (因疫情影响停工两周，现已复工 is building);
- 取消/终止 end the deal only when the project ends (项目取消, 取消合作, 已注销), not a design or a plan
  (取消原设计方案，重新设计厂房);
- a signing not yet done is talks (拟签约, 预计下月签约), as are 意向/储备/谋划/跟踪; a signed agreement is a signing
  (已签订投资协议) and land supplied is the same step as land won at auction (已供地 as 已摘牌: 签约).

The testers' texts are checked word for word, through the function and through the cell reader the import uses.
"""

from __future__ import annotations

import pytest

from crm.importing.cells import read_progress_cell
from crm.values.stage_words import classify_progress

# The texts the testers imported (/tmp/p1 sheets A, B, I) and the stage each says, or None (the deal keeps its own).
TESTERS = [
    ("因疫情影响停工两周，现已复工", "construction"),
    ("本周完成土地摘牌，下周开工", "signed"),
    ("取消原设计方案，重新设计厂房", None),
    ("取消原方案，重新设计", None),
    ("年底前投产", None),
    ("双方就合同条款进行磋商，预计下月签约", "negotiating"),
    ("拟签约", "negotiating"),
    ("意向", "negotiating"),
    ("储备", "negotiating"),
    ("谋划", "negotiating"),
    ("跟踪", "negotiating"),
    ("已签订投资协议", "signed"),
    ("已签框架协议", "signed"),
    ("已注销", "terminated"),
    ("已供地", "signed"),
    ("已摘牌", "signed"),
    ("开工前准备", None),  # getting ready to build names no stage (as 开工准备, 具备开工条件)
]

# Lines of the kind officers write, each way round: words that must still move a deal, and plans that must not.
OWN = [
    # done: these move a deal
    ("已开工建设", "construction"),
    ("主体封顶", "construction"),
    ("6月18日正式投产", "operating"),
    ("已完成工商注册", "registered"),
    ("已于9月底开工", "construction"),
    ("已于2020年底建成投产", "operating"),
    ("园区内厂房主体施工", "construction"),  # 园区内 is a place, not a time ahead
    ("本周完成土地摘牌，已进场施工", "construction"),
    ("停工整改后已复工", "construction"),
    ("二期扩建重新开工", "construction"),
    ("受环保督查影响暂停施工，目前已恢复施工", "construction"),
    ("项目一度终止，现重新启动洽谈", "negotiating"),
    ("主体施工中，下月封顶", "construction"),  # the plan in the second clause leaves the first one's fact
    ("已开工，因资金问题暂停", "stalled"),  # a pause after the start is the news
    ("4月复工，5月因资金链断裂再次停工", "stalled"),  # a pause after the restart stands
    ("已建成投产，后因环保问题停产", "stalled"),
    ("项目取消", "terminated"),
    ("项目已终止", "terminated"),
    ("企业取消投资计划", "terminated"),
    ("双方取消合作", "terminated"),
    ("企业已撤资", "terminated"),
    ("企业已退出", "terminated"),
    ("已签订投资协议，正在编制可研报告", "signed"),
    ("已签约，拟下月开工", "signed"),
    # not yet: these leave a deal where it is
    ("下周开工", None),
    ("下一步开工建设", None),
    ("计划9月底开工", None),
    ("9月底开工", None),
    ("10月底主体封顶", None),
    ("力争年底前投产", None),
    ("争取明年投产", None),
    ("近期开工", None),
    ("年内开工", None),
    ("6月30日前投产", None),
    ("本月底前主体封顶", None),
    ("计划6月开工、8月投产", None),  # 、 lists two plans; the intent covers both
    ("预计下半年竣工", None),
    ("拟于明年开工", None),
    ("取消原设计方案", None),
    ("原设计方案取消，重新报规", None),
    ("取消部分建设内容", None),
    ("完善项目退出机制", None),
    ("项目取消了吗？否，正常推进", None),
    # a step being applied for is not taken yet
    ("已签约，正在办理注册", "signed"),
    ("注册手续办理中", "signed"),
    ("营业执照办理中", None),
    ("已注册，正在办理施工许可", "registered"),
    ("正在办理土地手续", "signed"),
]


@pytest.mark.parametrize(("text", "stage"), TESTERS + OWN)
def test_progress_text_names_only_what_has_happened(text, stage):
    assert classify_progress(text) == stage


@pytest.mark.parametrize(("text", "stage"), TESTERS)
def test_the_import_reads_the_testers_cells_alike(text, stage):
    """read_progress_cell (the stage and progress columns of an import) takes the same stage and keeps the text."""
    assert read_progress_cell(text) == (stage, text)


def test_full_width_and_ascii_punctuation_split_clauses_alike():
    for comma in ("，", ",", "；", ";", "。"):
        assert classify_progress(f"因疫情影响停工两周{comma}现已复工") == "construction", comma
        assert classify_progress(f"本周完成土地摘牌{comma}下周开工") == "signed", comma


# A month's end is a time ahead only until it has passed: the sheet's day (数据截至) says which.
AS_OF = __import__("datetime").date(2025, 12, 10)


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("10月底完成注册", "registered"),  # October had ended by 10 December
        ("2025年10月底完成注册", "registered"),
        ("11月末开工", "construction"),
        ("12月底完成注册", None),  # December has not ended yet
        ("1月底投产", None),  # the January ahead, not the one eleven months back
        ("2026年10月底投产", None),
        ("计划10月底完成注册", None),  # a plan stays a plan, past or not
        ("10月底计划完成注册", None),
        ("年底前投产", None),
    ],
)
def test_a_months_end_that_has_passed_by_the_sheets_day_is_no_time_ahead(text, stage):
    assert classify_progress(text, AS_OF) == stage
    assert read_progress_cell(text, AS_OF) == (stage, text)
    assert classify_progress(text) == (None if "底" in text or "末" in text else stage)  # without a day: ahead
