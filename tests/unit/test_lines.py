"""crm.foundation.lines.wrap_cells: Chinese and mixed text in lines of terminal cells, broken where a reader
expects (UAX #14 and the ledger's own rules), never wider than the width, nothing lost."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crm.foundation.lines import cells, wrap_cells

PROGRESS = "项目于2020-05-01签约，总投资3,000.5万元（约8000万欧元），目前处于施工阶段，环评批复尚未取得。"


def consumed(text: str, lines: list[str]) -> bool:
    """Whether `lines` are `text` in order with only whitespace between them (dropped at the line ends)."""
    at = 0
    for line in lines:
        start = at
        while not text.startswith(line, start):
            if start == len(text) or not text[start].isspace():
                return False
            start += 1
        at = start + len(line)
    return not text[at:].strip()


def test_numbers_dates_and_amounts_are_never_split():
    for width in range(14, 40):  # 8000万欧元）， takes 14 cells: a closing mark never starts a line
        lines = wrap_cells(PROGRESS, width)
        for whole in ("2020-05-01", "3,000.5万元", "8000万欧元"):
            assert any(whole in line for line in lines), (width, lines)
    message = "请写 2020-05-18、2020年5月18日 或 5月18日，金额如 1.8亿美元"
    for width in range(16, 30):
        lines = wrap_cells(message, width)
        for whole in ("2020年5月18日", "1.8亿美元", "2020-05-18、"):
            assert any(whole in line for line in lines), (width, lines)


def test_closing_punctuation_never_starts_a_line_and_an_opening_one_never_ends_one():
    for width in range(6, 40):
        lines = wrap_cells(PROGRESS + "他说：“已批复”。（见附件）", width)
        assert not any(line[0] in "，。、；：！？）》”%" for line in lines[1:]), (width, lines)
        assert not any(line[-1] in "（《“" for line in lines), (width, lines)


def test_a_quoted_value_that_fits_a_line_stays_whole():
    message = "不存在日期“2020年13月5日”：请写 2020-05-18"
    for width in (18, 24, 30):
        lines = wrap_cells(message, width)
        assert any("“2020年13月5日”" in line for line in lines), (width, lines)
    # a line may still end before the quote: 不存在日期 / “2020年13月5日”：
    assert wrap_cells(message, 18)[0] == "不存在日期"


def test_a_bracketed_value_that_fits_a_line_stays_whole():
    blocker = "提出问题 4：环评批复尚未取得（保定市生态环境局，时限 2020-01-16）"
    assert wrap_cells(blocker, 40) == ["提出问题 4：环评批复尚未取得", "（保定市生态环境局，时限 2020-01-16）"]
    assert wrap_cells("2026 week 26 (22 Jun – 28 Jun)", 18) == ["2026 week 26", "(22 Jun – 28 Jun)"]


def test_an_amount_keeps_its_currency_code_and_the_sign_before_it():
    hint = "1.8亿美元 → USD 180,000,000.00 ≈ 12.79亿元（按 2020-05-18 汇率 7.1030）"
    assert wrap_cells(hint, 20) == [
        "1.8亿美元",
        "→ USD 180,000,000.00",
        "≈ 12.79亿元（按",
        "2020-05-18 汇率",
        "7.1030）",
    ]


def test_latin_words_stay_whole_and_a_word_longer_than_a_line_is_cut():
    assert wrap_cells("CNY 60 million completed; 2026 so far", 20) == ["CNY 60 million", "completed; 2026 so", "far"]
    assert wrap_cells("导出到 /srv/exports/weekly-2020-W38.txt 失败", 34) == [
        "导出到",
        "/srv/exports/weekly-2020-W38.txt",
        "失败",
    ]
    assert wrap_cells("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    # a path longer than a line breaks at its slashes before it is cut
    assert wrap_cells("/srv/exports/weekly/2020", 14) == ["/srv/exports/", "weekly/2020"]


def test_a_short_chinese_word_is_carried_rather_than_split():
    # not 文件 /srv/exports 不 / 存在，请检查
    assert wrap_cells("文件 /srv/exports 不存在，请检查", 16) == ["文件", "/srv/exports", "不存在，请检查"]
    assert wrap_cells("已签约，总投资三千万元", 10) == ["已签约，", "总投资三千", "万元"]


def test_clauses_keep_a_clause_that_fits_whole_then_a_word():
    text = "汇率按中间价折算，每月第一个工作日更新；未覆盖的币种显示为问号。"
    lines = wrap_cells(text, 30, clauses=True)
    assert lines == ["汇率按中间价折算，", "每月第一个工作日更新；", "未覆盖的币种显示为问号。"]
    # without clauses the line is filled, as a table cell is
    assert wrap_cells(text, 30)[0] == "汇率按中间价折算，每月第一个工"
    words = "rates are the People's Bank of China central parity, updated monthly"
    assert all(line.split()[-1] in words.split() for line in wrap_cells(words, 24, clauses=True))


def test_paragraphs_are_kept():
    assert wrap_cells("第一段\n\n第二段很长很长很长", 8) == ["第一段", "", "第二段很", "长很长很", "长"]
    assert wrap_cells("", 10) == [""]


def test_a_text_that_fits_is_one_line_unchanged():
    assert wrap_cells("保定市高新区", 12) == ["保定市高新区"]
    assert wrap_cells("保定市高新区", 11) == ["保定市高新", "区"]


def test_a_name_of_chinese_characters_alone_breaks_where_uax_14_breaks_it():
    from crm.foundation.lines import _carry, _fill, _units

    name = "保定市高新区半导体封装测试项目"
    for width in range(2, 32):  # the shortcut for such text, against the units filled as any text is
        assert wrap_cells(name, width) == _fill(_units(name, width), width, _carry)
    assert wrap_cells(name, 9) == ["保定市高", "新区半导", "体封装测", "试项目"]


MIXED = st.lists(
    st.sampled_from(
        [*"项目签约投资万元年月日亿美（）《》“”，。、；：！？ -/.,:;%0123456789abcXYZ\u3000\t\n\u200b\u00a0·—…é😀"]
        + [
            "x" * 15,
            "2020年5月18日",
            "“长长长长长长长长长长长”",
            "e\u0301",
            "🇨🇳",
            "👨\u200d👩\u200d👧",
            "≈",
            "→",
            "USD 180,000.00",
        ]
    ),
    max_size=60,
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(MIXED, st.integers(min_value=2, max_value=40), st.booleans())
def test_no_line_is_wider_than_the_width_and_nothing_is_lost(text, width, clauses):
    lines = wrap_cells(text, width, clauses=clauses)
    assert all(cells(line) <= width for line in lines), lines
    assert consumed(text, lines), lines
    assert len(lines) >= text.count("\n") + 1
    assert not any(line != line.rstrip() for line in lines)


def test_a_paragraph_indented_by_spaces_starts_with_its_text_not_an_empty_line():
    assert wrap_cells("  缩进的段落，前面有两个空格", 8)[0].strip()


def test_a_count_stays_with_its_measure_word_as_the_messages_space_them():
    """第 3 行, 2 行, 5 个 and 470.16 亿元 are written with a space the line would otherwise break at."""
    assert wrap_cells("提示：第 3 行，总投资（亿元） (H)“abc亿”：跳过 2 行", 16)[-1] == "2 行"
    for width in range(14, 30):  # from where the widest, 470.16 亿元，, fits a line
        lines = wrap_cells("提示：第 3 行，跳过 2 行，共 5 个，合计 470.16 亿元", width)
        assert not any(line.endswith(("第", "3", "2", "5", "470.16")) for line in lines), (width, lines)
