"""The labels a ledger writes in its rows rather than its header: totals (合计, 全县合计, 合计3个, 共计3个项目, 累计),
subtotals (小计), breakdowns (其中：外资项目), section numbers in the 序号 column ((（一）, 一、, (1)), section names
(一、续建项目) and the note and signature lines below a table, none of which names a project.

crm.importing.headers gives these names too, for the modules that take them from there.
"""

from __future__ import annotations

import re
import unicodedata

from crm.foundation.text import folded


def normalise(text) -> str:
    """A header, label or key as compared: NFKC, no whitespace, lower case."""
    return folded(str(text or ""))


#: A totals label (folded): 合计, 全县合计, 以上合计, 合计3个, 共计三个项目, 累计 …; not the start of a name (合计划, 总计算).
_CJK = "\u3400-\u9fff"
_COUNTED = "(?:[0-9一二两三四五六七八九十百零〇]+[个项家宗]|[个项]数|金额|投资|项目数)"
_TOTAL = re.compile(
    rf"^(?:(?:全[县市区省州旗盟镇乡]|以上|本[页表期月年类]|总|累计|各[县市区]|全部|所有)?(?:合计|总计|共计)|累计)"
    rf"(?:(?![{_CJK}])|{_COUNTED})|^(?:total|grandtotal|sum)\b",
    re.I,
)
_SUBTOTAL = re.compile(rf"^(?:以上|本[页表类]|各类)?小计(?:(?![{_CJK}])|{_COUNTED})|^subtotal\b", re.I)
#: A breakdown of the rows above (其中：外资项目 …): neither a deal nor part of any total.
_BREAKDOWN = re.compile(r"^其中")


#: The first characters (folded) of a totals, subtotal or breakdown label: any other first character is none.
_KIND_STARTS = frozenset("合总共小累全以本各所其tgs")


def label_kind(text) -> str | None:
    """ "total" for a totals row's label (合计, 全县合计, 合计3个, 共计3个项目, 累计 …), "subtotal" for a subtotal's
    (小计 …), "breakdown" for a row breaking down the rows above (其中：外资项目), else None."""
    if not _may_start_a_kind(text):
        return None  # most cells (names, codes): told by their first character, without folding them whole
    key = normalise(text)
    if _TOTAL.match(key):
        return "total"
    if _SUBTOTAL.match(key):
        return "subtotal"
    return "breakdown" if _BREAKDOWN.match(key) else None


_NUMERALS = "[一二三四五六七八九十]+"
#: How sections are numbered in the 序号 column: （一） 一、 一 第一部分 (Chinese numerals), (1) （2） (bracketed).
_CHINESE_SECTION = re.compile(rf"第?{_NUMERALS}(?:部分|类|批)?[、.,]?|\({_NUMERALS}\)[、.]?")
#: A section's number written before its name in one cell (一、续建项目, （二）新建项目, 第三部分 …): with its mark
#: after it, as 一期工程's 一 has none.
_SECTION_BEFORE_NAME = re.compile(rf"第{_NUMERALS}(?:部分|类|批)|第?{_NUMERALS}[、.,]|\({_NUMERALS}\)")
_BRACKETED_SECTION = re.compile(r"\(\d{1,2}\)[、.]?")
_SECTIONS: dict[str, str | None] = {}


def section_number(text) -> str | None:
    """ "chinese" for a section's number written in Chinese numerals (（一）, 一、, 第一部分), "bracketed" for (1),
    else None (1, 2, 3 number deals)."""
    if type(text) is not str:
        return None
    found = _SECTIONS.get(text, "")
    if found == "":
        key = normalise(text)
        found = (
            "chinese" if _CHINESE_SECTION.fullmatch(key) else "bracketed" if _BRACKETED_SECTION.fullmatch(key) else None
        )
        if len(_SECTIONS) < 4096:
            _SECTIONS[text] = found
    return found


def heads_a_section(text) -> bool:
    """Whether a cell's text is a section's name after its number (一、续建项目, （二）新建项目, 第三部分 新建项目),
    as sections are written in the name column; not 一期工程, nor a number alone (section_number's)."""
    if type(text) is not str:
        return False
    key = normalise(text)
    found = _SECTION_BEFORE_NAME.match(key)
    return found is not None and found.end() < len(key.rstrip())


#: A note, signature or instruction line below a table (注：… 填表人：… 审核：…): never a project's name.
_NOTE_LABEL = re.compile(
    r"^(?:注[:：0-9一二三、.]|备注|附注|填表|填报|制表|审核人|负责人|联系人|联系电话|数据来源|附件[0-9:：]|签字|盖章|"
    r"经办人)|[:：]"
)


#: Text no project is named: a figure (6.00, 45%), or a column's header with its unit or day (折合人民币(亿元),
#: 截至今日(2026-12-06)) — what the summaries under a weekly table's 合计 hold in the name column.
_NOT_A_NAME = re.compile(r"[\d.,%％+-]+|.*[(（](?:亿元|万元|元|%|\d{4}-\d{2}-\d{2})[)）]")


def names_a_project(text) -> bool:
    """Whether a name cell's text may be a project's name: not a totals, subtotal or breakdown label, not a
    note, signature or instruction line (注：…, 填表人：…), not a figure or a header with its unit."""
    text = str(text or "").strip()
    return bool(text) and label_kind(text) is None and not _NOTE_LABEL.search(text) and not _NOT_A_NAME.fullmatch(text)


def _may_start_a_kind(text) -> bool:
    head = str(text or "").lstrip()[:1]
    if not head:
        return False
    known = _HEADS.get(head)
    if known is None:
        first = unicodedata.normalize("NFKC", head)[:1].casefold()
        known = _HEADS[head] = first in _KIND_STARTS or not first.strip()  # folding to a space: look at it whole
    return known


#: _may_start_a_kind by a label's first character (it depends on nothing else; a ledger has millions of cells).
_HEADS: dict[str, bool] = {}
