"""A stage cell that names a stage not yet reached (尚未注册, 计划明年开工) is said to be so in the import preview, not
called wordless: the row keeps its stage all the same and the text is kept as a progress entry."""

from __future__ import annotations

import datetime

import pytest
from openpyxl import Workbook

from crm.importing.plan import read_plan
from crm.values.stage_words import classify_progress, words_not_yet

pytestmark = pytest.mark.usefixtures("english")  # the warnings' English wording is read below
TODAY = datetime.date(2025, 12, 15)
WORDLESS = "No stage word in the progress text"
NOT_YET = "The progress text names a stage not yet reached"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("尚未注册", ["注册"]),
        ("计划明年开工", ["开工"]),
        ("拟于下月开工", ["开工"]),
        ("正在办理注册", ["注册"]),
        ("尚未注册，计划明年开工，尚未注册", ["注册", "开工"]),  # in the order written, each once
        ("十一月二十日前开工", ["开工"]),  # a 公文 deadline as 11月20日前
        ("研究中", []),
        ("施工图审查通过", []),  # getting ready to build names no stage at all
        ("项目取消了吗？否", []),  # a question's word is not one said not to have happened
        ("已开工建设", []),
    ],
)
def test_the_words_a_text_says_have_not_happened_yet(text, words):
    assert words_not_yet(text) == words


def test_the_words_not_yet_are_those_the_classifier_leaves_uncounted():
    for text in ("尚未注册", "计划明年开工", "正在办理注册"):
        assert classify_progress(text) is None, text
    assert classify_progress("尚未注册，已开工") == "construction"
    assert words_not_yet("尚未注册，已开工") == ["注册"]


def _sheet(path, progress: list[str]):
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "项目名称", "总投资（万元）", "签约时间", "当前阶段"])
    for n, text in enumerate(progress, start=1):
        ws.append([n, f"测试项目{n}", 1000 + n, "2025-03-01", text])
    wb.save(path)
    return path


def test_a_stage_not_yet_reached_is_told_from_text_without_a_stage_word(tmp_path):
    texts = ["尚未注册", "计划明年开工", "研究中", "正在对接中"]
    read = read_plan(_sheet(tmp_path / "s.xlsx", texts), today=TODAY)
    said = {w.value: w for w in read.warnings if w.code == "stage_words"}
    assert list(said) == ["尚未注册", "计划明年开工", "研究中"]  # 正在对接中 names 在谈: no warning
    assert said["尚未注册"].message.startswith(f"{NOT_YET} (注册): the deal keeps its stage"), said["尚未注册"].message
    assert said["计划明年开工"].message.startswith(f"{NOT_YET} (开工): "), said["计划明年开工"].message
    assert said["研究中"].message.startswith(f"{WORDLESS}: the deal keeps its stage"), said["研究中"].message
    assert all(w.column == "当前阶段 (E)" for w in said.values())
    # the rows are read all the same: no stage of their own, the text kept as progress
    rows = {r.raw["stage"]: r for r in read.rows}
    assert [rows[t].stage for t in texts] == [None, None, None, "negotiating"]
    assert [rows[t].progress for t in texts] == texts
