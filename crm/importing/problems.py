"""The problems (存在问题) of a ledger's cell: their texts, and the department, raising day and deadline each names.

County offices write them in free text. Besides the details our weekly export writes after a problem
(【责任单位：…；提出：…；时限：…】), a problem may end in the name of the unit that must solve it, in parentheses
(环评审批（县生态环境分局）), and in a deadline in words, in its details or as its last clause
(用地指标不足，需12月底前解决). Those are taken out of the text; anything else stays part of it.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from crm.foundation.errors import InvalidInput
from crm.importing.cells import CellError, cell_text, is_blank, normal_key, parse_date_cell
from crm.values.dates import digit_dates, month_end, parse_month, plain_day


@dataclass
class ProblemItem:
    text: str
    department: str | None = None
    raised: datetime.date | None = None
    due: datetime.date | None = None
    #: The problem as the cell wrote it, before its end was read: the text an import before parentheses and
    #: deadlines were read kept (环评审批（县生态环境分局）), so importing that sheet again adds no second blocker.
    written: str | None = None


_ITEM_NUMBER = re.compile(r"(?:^|(?<=[\s;；。]))(?:\d{1,2}\s*[.、．)）]|[(（]\d{1,2}[)）]|[①-⑳])\s*")
#: What may hold a problem's details at its end: 【…】, […] or (…).
_DETAILS = re.compile(r"\s*(?:【([^【】]*)】|\[([^\[\]]*)\]|[(（]([^()（）]*)[)）])\s*$")
_KEYS = {
    "department": ("责任单位", "责任部门", "牵头单位", "单位", "responsible", "department"),
    "raised": ("提出", "提出时间", "提出日期", "raised"),
    "due": ("时限", "办结时限", "完成时限", "期限", "限期", "due", "duedate"),
}
_KEY_LOOKUP = {normal_key(w): k for k, words in _KEYS.items() for w in words}
_FLAGS = {"已逾期", "逾期", "超期", "overdue"}
_PAIR = re.compile(r"([^:：]+?)\s*[:：]\s*(.*)$")
#: A problem's last clause, after a comma or a semicolon (…，需12月底前解决。).
_LAST_CLAUSE = re.compile(r"[，,；;。]\s*([^，,；;。]+?)\s*[。.！!]?\s*$")

# ---- names of units --------------------------------------------------------

#: The end of a unit's name (局, 分局, 委员会, 中心, 公司, 镇 …).
UNIT_END = re.compile(
    r"(局|委|办|中心|公司|集团|政府|管委会|委员会|院|所|站|队|部|厅|处|科|室|会|行|社|馆|园区|街道|乡|镇)$"
)
#: A unit whose name ends in 会 is a body of members (委员会, 商会); 协调会, 调度会 … are meetings.
_MEMBERS = re.compile(r"(?:委员?会|协会|商会|联合会|工会|学会|基金会)$")
#: How text that is not a name starts: a state or an action (已上报市政府, 需县政府协调, 报市政府).
_NOT_A_NAME = re.compile(r"已|需|须|待|拟|未|尚|暂|无|不|请|报|约|因|涉及|正在|等待|要求|协调|上报|提交")


def names_a_unit(text: str) -> bool:
    """Whether `text` is the name of a unit, or of several separated by 、: each at least three characters long,
    ending as a unit's name does (局, 分局, 委员会, 中心, 公司, 镇 …: UNIT_END), with no digit, and not starting
    as a state or an action does (已上报市政府, 需县政府协调). 第二次, 约50亩, 已上报市政府 are no names."""
    return all(_one_unit(name.strip()) for name in re.split(r"[、/]", text))


def _one_unit(name: str) -> bool:
    if len(name) < 3 or any(ch.isdigit() for ch in name) or _NOT_A_NAME.match(name):
        return False
    end = UNIT_END.search(name)
    return end is not None and (end.group() != "会" or _MEMBERS.search(name) is not None)


# ---- deadlines in words ------------------------------------------------------

_DEADLINE = re.compile(
    r"(?:需要?|须|要|应当?|力争|争取|确保|计划|预计|拟|要求|限期?|务必)?\s*(?:在|于)?\s*"
    r"(?:(?:(?P<y>\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?:(?P<d>\d{1,2})\s*[日号]|(?P<part>底|末|上旬|中旬|下旬))"
    r"|(?:(?P<ye>\d{4})|[本今])?\s*年\s*(?:年\s*)?(?P<year_end>底|末|内)"
    r"|[本当]?月\s*(?P<month_end>底|末))"
    r"(?P<tail>\s*(?:之?前|以前)?\s*(?:(?:协调)?(?:解决|完成|办结|办理|落实|处理)(?:到位|完毕|完成)?|到位)?)"
)
#: The day a deadline in part of a month falls on (11月中旬前: the 20th); other parts are the month's end.
_PART_DAY = {"上旬": 10, "中旬": 20}


def deadline(text: str, today: datetime.date | None, bare: bool = False) -> datetime.date | None:
    """The day a deadline written in words falls on (11月底前解决, 12月15日前完成, 年底前, 2025年12月底前,
    本月底前办结, 年内解决), or None when `text` is not one. A date without its year is in the year of `today`
    (a deadline lies ahead of the sheet). Unless `bare` (a 时限's value), the words must say it is a deadline:
    前, 内 or a word of finishing (解决, 完成, 办结 …). Raises CellError for a day that does not exist (2月30日)."""
    match = _DEADLINE.fullmatch(digit_dates(unicodedata.normalize("NFKC", text)).strip())
    if match is None or not (bare or match.group("tail").strip() or match.group("year_end") == "内"):
        return None
    today = today or datetime.date.today()
    try:
        return _deadline_day(match, today)
    except InvalidInput as err:
        raise CellError("date", str(err)) from None


#: A deadline written without its year that falls more than this many days before the sheet's day is next year's
#: (1月底前 on a November sheet); a nearer one is this year's, and overdue (10月底前 on a November sheet).
PASSED_AT_MOST = 92


def _deadline_day(match: re.Match, today: datetime.date) -> datetime.date | None:
    g = match.groupdict()
    if g["d"]:
        day = parse_date_cell(f"{g['y'] + '年' if g['y'] else ''}{g['m']}月{g['d']}日", today=today)
        return day if g["y"] else _ahead(day, today)
    if g["part"]:
        first = _first_of(f"{g['y'] or today.year}年{g['m']}月{g['part']}")
        day = first.replace(day=_PART_DAY[g["part"]]) if g["part"] in _PART_DAY else month_end(first)
        return day if g["y"] else _ahead(day, today)
    if g["year_end"]:
        return month_end(_first_of(f"{g['ye'] or today.year}年底"))
    return month_end(today)


def _ahead(day: datetime.date, today: datetime.date) -> datetime.date:
    """A deadline read in `today`'s year, moved to the next year when it would have passed PASSED_AT_MOST days
    before (a month's end stays its month's end)."""
    if day >= today - datetime.timedelta(days=PASSED_AT_MOST):
        return day
    if day == month_end(day):
        return month_end(day.replace(year=day.year + 1, day=1))
    return day.replace(year=day.year + 1)


def _first_of(text: str) -> datetime.date:
    """The first day of the month parse_month reads in `text` (2025年11月底, 2025年底)."""
    first = parse_month(text)
    assert first is not None  # _DEADLINE lets through only a year and a month, or a year's end
    return first


# ---- problems ----------------------------------------------------------------


def parse_problems_cell(value, today: datetime.date | None = None) -> list[ProblemItem]:
    """The problems of one cell, one per line or numbered (1. … 2. …), each optionally ending in
    details the weekly export writes: 【责任单位:…；提出:2020-05-20；时限:2020-06-30；已逾期】, in the name of
    the unit that must solve it (环评审批（县生态环境分局）), or in a deadline in words (…，需12月底前解决)."""
    text = cell_text(value)
    if is_blank(text):
        return []
    if today is not None:
        today = plain_day(today)  # a 时限 is read in the sheet's year (or the next: _ahead), not on or before its day
    items = []
    for line in re.split(r"[\r\n]+", text):
        starts = [m for m in _ITEM_NUMBER.finditer(line)]
        pieces = []
        if len(starts) >= 1 and starts[0].start() == 0:
            bounds = [m.start() for m in starts] + [len(line)]
            for m, end in zip(starts, bounds[1:]):
                pieces.append(line[m.end() : end])
        else:
            pieces.append(line)
        for piece in pieces:
            piece = piece.strip().rstrip(";；")
            if is_blank(piece):
                continue
            items.append(_problem(piece, today))
    return items


def _problem(piece: str, today) -> ProblemItem:
    """A problem and what its end says: details, a unit's name in parentheses, a deadline clause; each taken out of
    the text once (a second unit's name stays in it), and never all of it."""
    item = ProblemItem(text=piece, written=piece)
    for _round in range(4):  # 用地指标不足（县自然资源局），需12月底前解决: a clause, then parentheses
        if not (_take_details(item, today) or _take_deadline_clause(item, today)):
            break
    return item


def _take_details(item: ProblemItem, today) -> bool:
    """Take the details at the end of `item.text` into `item`; whether there were (parentheses that say
    something else, or name what `item` already has, stay part of the text)."""
    match = _DETAILS.search(item.text)
    if match is None:
        return False
    text = item.text[: match.start()].strip()
    fields = _fields(next(g for g in match.groups() if g is not None), today)
    if not fields or not text or any(getattr(item, name) is not None for name in fields):
        return False
    item.text = text
    for name, found in fields.items():
        setattr(item, name, found)
    return True


def _take_deadline_clause(item: ProblemItem, today) -> bool:
    """Take a last clause that is only a deadline (…，需12月底前解决) out of `item.text` as its due day."""
    match = _LAST_CLAUSE.search(item.text)
    if match is None or item.due is not None:
        return False
    text = item.text[: match.start()].rstrip(" ，,；;。、")
    due = deadline(match.group(1), today)
    if due is None or not text:
        return False
    item.text, item.due = text, due
    return True


def _fields(details: str, today) -> dict | None:
    """The department, raised and due day details name (责任单位：…；时限：…, 县生态环境分局，11月底前完成),
    or None when they are not details. Between semicolons, text after a comma that is neither a field nor a
    deadline continues the field before it (责任单位：县发改局，县财政局)."""
    fields: dict = {}
    for part in re.split(r"[;；]", details):
        last = None
        for sub in re.split(r"[,，]", part):
            sub = sub.strip()
            if not sub or normal_key(sub) in _FLAGS:
                continue
            last = _field(fields, sub, last, today)
            if last is None:
                return None
    return _dated(fields, today) or None


def _field(fields: dict, sub: str, last: str | None, today) -> str | None:
    """Put what `sub` says into `fields`; what it was: a field's key, "deadline" or "unit" (None: not a detail).
    After a comma, a field's value goes on; a unit's name is followed only by other units' names."""
    pair = _PAIR.match(sub)
    key = _KEY_LOOKUP.get(normal_key(pair.group(1))) if pair else None
    if pair is not None and key is not None:
        fields[key] = pair.group(2).strip()
        return key
    if pair is None and "due" not in fields and (due := deadline(sub, today)) is not None:
        fields["due"] = due
        return "deadline"
    if last in _KEYS and isinstance(fields[last], str):
        fields[last] += "，" + sub
        return last
    if pair is None and names_a_unit(sub) and ("department" not in fields or last == "unit"):
        fields["department"] = f"{fields['department']}、{sub}" if "department" in fields else sub
        return "unit"
    return None


def _dated(fields: dict, today) -> dict:
    """`fields` with its blank values left out and its raised and due days read (时限：11月底前 as a deadline)."""
    out = {}
    for name, found in fields.items():
        if name == "due" and isinstance(found, str) and found:
            found = deadline(found, today, bare=True) or parse_date_cell(found, today=today)
        elif name == "raised" and found:
            found = parse_date_cell(found, today=today)
        if found:
            out[name] = found
    return out
