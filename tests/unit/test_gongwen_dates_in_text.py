"""A 公文 date without its year inside progress text (十一月二十日开工, 十月底完成注册) is read as its digits are
(11月20日开工, 10月底完成注册): the stage it names and the day the deal reached it are the same either way."""

from __future__ import annotations

import datetime

import pytest

from crm.importing.apply import run_import
from crm.importing.reached import text_day
from crm.values.dates import AsOf, digit_dates
from crm.values.stage_words import classify_progress
from tests.unit.test_import_stage_day import STATED, TODAY, _ledger_of, county_sheet

D = datetime.date


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("十一月二十日开工", "11月20日开工"),
        ("三月五日注册", "3月5日注册"),
        ("十二月三十一号投产", "12月31日投产"),
        ("十月十日", "10月10日"),
        ("十月底完成注册", "10月底完成注册"),
        ("五月上旬开工", "5月上旬开工"),
        ("二〇二五年十一月二十日开工", "2025年11月20日开工"),
        ("2025年十一月二十日开工", "2025年11月20日开工"),
        ("一期项目三月五日开工，二期十一月二十日开工", "一期项目3月5日开工，二期11月20日开工"),
        # no date: the numerals stay
        ("一期", "一期"),
        ("三月份开工", "三月份开工"),
        ("工期十一个月", "工期十一个月"),
        ("三月中开工", "三月中开工"),
        ("每月一日调度", "每月一日调度"),
        ("二十一月五日", "二十一月五日"),  # no such month: not 1月5日 cut out of it
        ("十三月五日", "十三月五日"),
        ("三月三十九日", "三月三十九日"),
    ],
)
def test_gongwen_dates_in_text_are_written_in_digits(text, digits):
    assert digit_dates(text) == digits


@pytest.mark.parametrize(
    ("gongwen", "digits", "stage"),
    [
        ("十一月二十日开工", "11月20日开工", "construction"),
        ("十二月三十一号投产", "12月31日投产", "operating"),
        ("十月底完成注册", "10月底完成注册", "registered"),  # a month's end passed by the sheet's day
        ("十月上旬开工", "10月上旬开工", "construction"),
        ("十一月二十日前开工", "11月20日前开工", "construction"),  # a deadline: no stage, no day
        ("十二月底投产", "12月底投产", "operating"),  # a month's end still ahead
    ],
)
def test_a_gongwen_date_names_the_stage_and_day_its_digits_do(gongwen, digits, stage):
    as_of = AsOf.of(STATED)
    assert classify_progress(gongwen, as_of) == classify_progress(digits, as_of)
    assert text_day(gongwen, stage, as_of) == text_day(digits, stage, as_of)


def test_the_gongwen_readings_are_those_of_the_sheet():
    as_of = AsOf.of(STATED)
    assert text_day("十一月二十日开工", "construction", as_of) == (D(2025, 11, 20), False)
    assert text_day("十二月二十日开工", "construction", as_of) == (D(2024, 12, 20), False)  # not after 数据截至
    assert classify_progress("十月底完成注册", as_of) == "registered"
    assert classify_progress("十一月二十日前开工", as_of) is None
    assert classify_progress("十二月底投产", as_of) is None


def test_a_new_deal_is_at_its_stage_from_the_gongwen_day(ledger, tmp_path):
    rows = {
        "公文日期项目": ("2025-03-01", None, None, "十一月二十日开工，主体施工中"),
        "数字日期项目": ("2025-03-01", None, None, "11月20日开工，主体施工中"),
        "公文月底项目": ("2025-02-01", None, None, "十月底完成注册"),
    }
    report = run_import(county_sheet(tmp_path / "定兴.xlsx", rows=rows), today=TODAY, actor="测试员")
    assert report.written, [str(p) for p in report.problems]
    started = [(None, "signed", D(2025, 3, 1)), ("signed", "construction", D(2025, 11, 20))]
    assert _ledger_of("公文日期项目") == _ledger_of("数字日期项目") == started
    assert _ledger_of("公文月底项目") == [(None, "signed", D(2025, 2, 1)), ("signed", "registered", D(2025, 10, 1))]
