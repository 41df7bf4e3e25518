"""A region nobody knows gets a gentle word: the likely meant names (crm.reference.regions.region_hint), and for an
import one line naming the file's unknown regions (crm.reference.region_notes.unknown_regions_note)."""

from __future__ import annotations

import pytest

from crm.foundation.i18n import set_language
from crm.reference.region_notes import unknown_regions_note
from crm.reference.regions import region_hint

BAODING = ["涿州市", "清苑区", "满城区", "定兴县", "易县", "保定高新区", "白沟新城"]


@pytest.fixture(autouse=True)
def _chinese():
    set_language("zh")


@pytest.mark.parametrize("in_use", [[], BAODING])
def test_a_typo_of_a_county_gets_the_county_it_sounds_like(in_use):
    assert region_hint("涿洲市", in_use) == ["涿州市"]
    assert region_hint("涿洲", in_use) == ["涿州市"]  # without its kind too
    assert region_hint("满成区", in_use)[0] == "满城区"


@pytest.mark.parametrize(
    "text", ["清苑县", "清苑", "涿州", "莲池", "莲池区", "定州市(省直管)", "鼓楼区", "保定市", "河北省"]
)
def test_what_the_table_knows_gets_no_word(text):
    assert region_hint(text, []) is None


def test_a_region_the_ledger_uses_gets_no_word_though_no_table_knows_it():
    assert region_hint("保定高新区", ["保定高新区"]) is None
    assert region_hint(" 保定高新区 ", ["保定高新区"]) is None  # compared as cleaned
    assert region_hint("白沟新城", BAODING) is None


def test_a_near_name_in_use_is_offered_before_the_table():
    assert region_hint("保定高薪区", BAODING) == ["保定高新区"]  # sounds the same
    assert region_hint("保定高新", BAODING) == ["保定高新区"]  # one character left out
    assert region_hint("白沟新成", BAODING) == ["白沟新城"]
    assert region_hint("益县", BAODING)[0] == "易县"  # the ledger's 易县 before other provinces' 义县


def test_a_made_up_name_is_unknown_with_nothing_close():
    assert region_hint("某某县", BAODING) == []
    assert region_hint("某某县", []) == []


def test_at_most_three_names_are_offered_and_a_short_name_is_near_by_its_sound_only():
    offered = region_hint("益县", [])  # the whole country's 义县, 易县, 黟县 sound the same
    assert len(offered) == 3 and "易县" in offered
    assert region_hint("安县", BAODING) == []  # not every 某安县 of the province


def test_a_ledgers_province_keeps_far_names_out():
    assert region_hint("涿洲市", ["定兴县"]) == ["涿州市"]
    assert "开州区" in region_hint("开发区", [])  # 重庆's
    assert region_hint("开发区", BAODING) == ["开平区"]  # 河北's only (唐山)


def test_an_imports_unknown_regions_are_named_once_each_with_their_likely_names():
    file_regions = ["涿洲市", "涿州市", "清苑县", "涿洲市", "保定高新区", "某某县", None, ""]
    line = unknown_regions_note(file_regions, BAODING)
    assert line is not None and "\n" not in line
    assert line.count("「涿洲市」") == 1 and "「涿州市」" in line
    assert "「某某县」" in line
    assert "清苑" not in line and "保定高新区" not in line


def test_an_import_of_known_regions_says_nothing():
    assert unknown_regions_note(["涿州市", "清苑县", "保定高新区"], BAODING) is None
    assert unknown_regions_note([], []) is None


def test_two_unknown_regions_of_one_file_are_offered_for_each_other():
    line = unknown_regions_note(["开发区东区", "开发区东曲"], [])
    assert line is not None and line.count("「开发区东区」") == 2 and line.count("「开发区东曲」") == 2
