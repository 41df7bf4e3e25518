"""What a sheet says around its table: the unit a note row declares (单位：万元), the year its title names, the
day its data is as of (数据截至2020年6月30日, or 填报日期：… in the signature lines below it) and the counties its
title names (定兴县2026年第48周…推进表)."""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal

from crm.foundation.errors import InvalidInput
from crm.importing.cells import filled_cells
from crm.reference.regions import divisions_named_in
from crm.values.dates import parse_date, parse_month
from crm.values.money import unit_from_label

_UNIT_NOTE = re.compile(r"(?:金额)?单位\s*[:：]\s*([^\s,，;；)）]+)")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


def unit_note(text) -> tuple[Decimal, str] | None:
    """The unit a note row declares: 单位:万元 → (10^4, CNY)."""
    match = _UNIT_NOTE.search(unicodedata.normalize("NFKC", str(text or "")))
    return unit_from_label(match.group(1)) if match else None


def year_note(text) -> int | None:
    """A year a title names (2020年招商项目台账 → 2020)."""
    match = _YEAR.search(unicodedata.normalize("NFKC", str(text or "")))
    return int(match.group(1)) if match else None


_STATED = re.compile(
    r"(?:截至|截止|截止到|截止日期|数据截至|填报日期|填报时间|更新时间|更新日期|统计时间)\s*[:：]?\s*"
    r"((?:\d{4}|[〇○零一二三四五六七八九]{4})\s*[年./-][^，,；;）)\s]*?[日号]?)(?=$|[，,；;）)\s]|止|底)"
)


def stated_date(text) -> datetime.date | None:
    """The date a title or note row says the data is as of (数据截至2020年6月30日), or None."""
    match = _STATED.search(unicodedata.normalize("NFKC", str(text or "")))
    if not match:
        return None
    try:
        return parse_month(match.group(1)) or parse_date(match.group(1))
    except InvalidInput:
        return None


#: A signature or contact line below a table (审核人：王某某, 填报日期：2020年9月18日, 单位负责人：…): a label of one
#: and a colon.
_FOOTER = re.compile(
    r"(?:(?:单位|部门|科室)?(?:主要|分管|主管)?(?:负责人|领导)(?:签字|签名)?|(?:审核|审批|审定|复核|核对|填报|填表|制表|"
    r"统计|报送|经办|联系)(?:人|单位|日期|时间)?|联系(?:电话|方式)|电话|手机|日期|签字|签名|盖章|签章)\s*[:：]"
)
_FOOTER_STARTS = frozenset(  # the first characters of those labels
    "单部科主分负领审复核填制统报经联电手日签盖"
)


def footer_line(values: list) -> bool:
    """Whether a row is a signature or contact line (审核人：王某某 | 填报人：李某某 | 填报日期：…): its first filled
    cell starts with such a label and a colon. No deal's row does: its first cell is its number or its name."""
    for value in values:
        if value is None:
            continue
        if type(value) is not str:
            return False
        text = value.lstrip()
        if text:
            return text[0] in _FOOTER_STARTS and _FOOTER.match(text) is not None
    return False


def footer_date(rows: list, look: int = 12) -> datetime.date | None:
    """The date the signature lines at the end of `rows` ((number, cells) below the header) state (填报日期：…),
    read back from the last row up to the first row with two cells or more that is no such line."""
    for _number, values in reversed(rows[-look:]):
        filled = filled_cells(values)
        if not filled:
            continue
        if not footer_line(values):
            if len(filled) > 1:
                return None  # the table's last row: any date above it is a deal's
            continue  # a note line (说明：…) among the signatures
        for value in filled:
            if isinstance(value, str) and (day := stated_date(value)) is not None:
                return day
    return None


def title_regions(rows: list) -> list[str]:
    """The counties (county-level divisions) the rows above a table's header name, (number, cells) each: its title
    (定兴县2026年第48周…, 保定市定兴县…) and the unit filling it in (填报单位：定兴县商务局), each once by its current
    name (清苑县 → 清苑区), in order."""
    named: list[str] = []
    for _number, values in rows:
        for value in values:
            if isinstance(value, str):
                named += [d[2] for _name, d in divisions_named_in(value) if d[2] not in named]
    return named
