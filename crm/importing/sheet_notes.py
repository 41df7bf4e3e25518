"""What a sheet says around its table: the unit a note row declares (单位：万元), the year its title names, the
day its data is as of (数据截至2020年6月30日) and the counties its title names (定兴县2026年第48周…推进表)."""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal

from crm.foundation.errors import InvalidInput
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
