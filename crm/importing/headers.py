"""How bureaus head the columns of their ledgers, and how to find the header row.

A header is normalised (NFKC, no spaces or line breaks, lower case) and
looked up whole, then without its bracketed parts (总投资(亿元) → 总投资),
then as containing a known name of three or more characters
(项目名称及建设内容 → 项目名称). The unit a header declares (亿元, 万美元)
is read by crm.values.money.unit_from_label; in a two-row header the other
row's unit applies to the column (投资情况（万元） merged over 总投资 and 已到位,
or （万元） under 总投资). A column of planned or completed investment
(2020年计划投资, 累计完成投资) names no field: it is neither the deal's total nor
funds arrived (DESIGN.md), and no guess offers either for it; the import reads
it as a plan or a month's completion (crm.importing.investment_columns).

Row labels (totals, subtotals, 其中 breakdowns, section numbers, note lines) are
read by crm.importing.row_labels and given from here too. Which of several
columns claiming one field gets it is crm.importing.claims's.

The names the weekly export writes (both languages) are here too, so that an
exported table imports back; tests/ledger/test_import.py checks the round trip.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal

from crm.deals.fields import FIELDS as DEAL_FIELDS
from crm.deals.trail import FIELD_LABELS
from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import N_, _, current_language, list_sep
from crm.importing.claims import TWIN, settle
from crm.importing.county import COUNTY_WORDS, county_alone, county_level
from crm.importing.row_labels import heads_a_section as heads_a_section
from crm.importing.row_labels import label_kind as label_kind
from crm.importing.row_labels import names_a_project as names_a_project
from crm.importing.row_labels import normalise
from crm.importing.row_labels import section_number as section_number
from crm.values.money import unit_from_label

# Columns a ledger has beside the deal's own fields (whose header words crm.deals.fields declares).
# "progress" and "amount_cny" are read only to be ignored or checked; "seq" is the 序号 column; "county_liaison" is
# the county's leader beside the city's (包联县领导 beside 包联市领导), kept in the deal's notes (crm.importing.county).
OTHER_COLUMNS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "序", "no.", "no", "#", "seq", "seq."),
    "code": ("项目编号", "项目代码", "编号", "code", "projectcode", "dealcode"),
    "currency": ("币种", "币别", "货币", "currency"),
    "amount_cny": ("折合人民币", "折合亿元", "折合", "亿元", "totalin亿元", "converted", "cny"),
    "stage": (
        "当前阶段",
        "项目阶段",
        "阶段",
        "项目状态",
        "状态",
        "进展",
        "项目进展",
        "进展情况",
        "推进情况",
        "目前进展",
        "currentstage",
        "stage",
        "status",
    ),
    "progress": ("本周进展", "本周动态", "本周工作", "progressthisweek"),
    "blockers": (
        "存在问题",
        "困难问题",
        "存在的问题",
        "问题",
        "困难和问题",
        "问题和困难",
        "存在困难",
        "需协调解决的问题",
        "存在问题及建议",
        "问题及建议",
        "openproblems",
        "problems",
        "issues",
        "blockers",
    ),
    "supporting": ("配合单位", "协同单位", "配合部门", "supportingdepartments", "supporting"),
    "funds": (
        "实际到位资金",
        "到位资金",
        "累计到位资金",
        "累计到位",
        "已到位资金",
        "实际利用资金",
        "fundsarrived",
        "funds",
    ),
    "county_liaison": COUNTY_WORDS,
    # The day a deal reached a stage, as done, not planned (crm.importing.reached): 计划开工 is planned_start.
    "started_on": ("实际开工时间", "实际开工日期", "实际开工", "startedon"),
    "registered_on": ("注册时间", "注册日期", "工商注册时间", "实际注册时间", "注册登记时间", "registeredon"),
    "operating_on": ("实际投产时间", "实际投产日期", "实际竣工投产时间", "operatingsince"),
}
#: Columns of the day a stage was reached: a header naming a plan (计划注册时间) is none of them.
REACHED_COLUMNS = frozenset(("started_on", "registered_on", "operating_on"))
#: Words of a plan or an intention in a header (计划, 预计, 拟 …).
PLAN_WORDS = re.compile(r"计划|预计|拟|力争|争取|目标|预期")
# field -> header names, most specific first: the deal's fields, then the other columns.
SYNONYMS: dict[str, tuple[str, ...]] = {
    **{f.key: f.header_words for f in DEAL_FIELDS if f.header_words},
    **OTHER_COLUMNS,
}

#: Words a header means a field by, for headers no list above names (所属县区, 需要协调解决的问题, 包保领导 …):
#: the first pattern found in the header wins, so the more specific come first.
MEANINGS: tuple[tuple[str, re.Pattern], ...] = tuple(
    (f, re.compile(p))
    for f, p in (
        ("funds", r"到位|实际利用"),
        ("blockers", r"问题|困难|诉求|需协调|需要协调|协调事项"),
        ("planned_start", r"(计划|预计|拟).*开工"),
        ("planned_completion", r"(计划|预计|拟).*(竣工|投产|完工|建成)"),
        ("liaison", r"包联|分包|联系领导|包保|联系人?领导|帮包"),
        ("supporting", r"配合|协同|协助"),
        ("lead_unit", r"责任|主责|牵头|负责单位|推进单位"),
        ("stage", r"进度|进展|阶段|状态|推进情况|建设情况"),
        ("signed_on", r"签约.*(时间|日期|年月)|签订.*(时间|日期)"),
        ("investor", r"企业|客商|签约主体|投资方|投资主体|项目单位|建设单位|业主|公司|投资商|合作方"),
        ("region", r"县|区|地点|属地|所在地|地区|区域|乡镇|地址"),
        ("industry", r"产业|行业|领域|类别|类型"),
        ("amount", r"投资|金额|签约额"),
        ("event", r"活动|平台|会议"),
        ("name", r"项目名称|项目全称"),
        ("notes", r"备注|说明"),
    )
)

_EXACT: dict[str, tuple[str, int]] = {}
for _field, _names in SYNONYMS.items():
    for _rank, _name in enumerate(_names):
        _EXACT.setdefault(_name, (_field, _rank))
_CONTAINED = sorted(
    ((n, f) for n, (f, _r) in _EXACT.items() if len(n) >= 3 and not n.isascii()), key=lambda item: -len(item[0])
)
_BRACKETS = re.compile(r"[(\[【][^()\[\]【】]*[)\]】]")
#: Contact details: a column of phone numbers or addresses is never a person's or a unit's name (包联领导电话,
#: 联系方式); one joining them to a person (包联领导及电话, 包联领导/联系电话) is still the person's.
_CONTACT_WORDS = r"电话|手机|联系方式|邮箱|e-?mail|传真|微信|qq|身份证|phone|mobile|fax"
_CONTACT = re.compile(_CONTACT_WORDS)
_WITH_CONTACT = re.compile(rf"[及和与、/](?:联系)?(?:{_CONTACT_WORDS})")


@dataclass(frozen=True)
class HeaderMatch:
    field: str
    rank: int  # -1: the user's word (--map), 0: exact, 1: without brackets, 2: contained, 3: by its words
    order: int  # position in the field's synonym list


#: A rate or share (到位率, 资金到位率, 完成率, 投资占比, 到位资金（%）): a percentage, never an amount of money.
_RATIO = re.compile(r"率|比例|占比|比重|百分比|%")
#: Fields holding an amount of money: a ratio column names none of them.
_MONEY_FIELDS = frozenset(("amount", "amount_cny", "funds"))


def match_header(text) -> HeaderMatch | None:
    """The field a header names, or None. A rate or share (到位率, 投资占比) names no amount (总投资, 到位资金)."""
    found = _match_header(text)
    if found is not None and found.field in _MONEY_FIELDS and _RATIO.search(normalise(text)):
        return None
    if found is not None and found.field in REACHED_COLUMNS and PLAN_WORDS.search(normalise(text)):
        return _by_meaning(_BRACKETS.sub("", normalise(text)))  # 计划注册时间: a plan, not the day it was done
    return found


def _match_header(text) -> HeaderMatch | None:
    key = normalise(text)
    if not key:
        return None
    if key in _EXACT:
        field, order = _EXACT[key]
        return HeaderMatch(field, 0, order)
    if county_level(key):  # before the brackets go: 包联领导（县级） is the county's
        return HeaderMatch("county_liaison", 1, 0)
    bare = _BRACKETS.sub("", key)
    if bare and bare in _EXACT:
        field, order = _EXACT[bare]
        return HeaderMatch(field, 1, order)
    if _investment_kind(bare or key):
        return None  # 计划投资 / 完成投资: neither the deal's total nor funds arrived (DESIGN.md)
    if _CONTACT.search(key) and not _WITH_CONTACT.search(key):
        return None  # 包联领导电话: a phone number is no field of a deal, and must not become its leader's name
    for name, field in _CONTAINED:
        if name in key:
            return HeaderMatch(field, 2, _EXACT[name][1])
    return _by_meaning(bare or key)


def _by_meaning(key: str) -> HeaderMatch | None:
    """The field a folded header means by its words (MEANINGS), or None."""
    for order, (field, pattern) in enumerate(MEANINGS):
        if pattern.search(key):
            return HeaderMatch(field, 3, order)
    return None


#: Columns of a year's planned investment (年度计划投资) and of investment completed (完成投资): what a project
#: plans to build or has built, not its total (总投资) nor money arrived (到位资金). The plan words come first:
#: 计划完成投资 is a plan.
_PLANNED = re.compile(r"计划投资|投资计划|计划完成(?:投资|额)|计划额")
_COMPLETED = re.compile(r"完成投资|投资完成|完成额|(?:累计|实际|已)完成(?!时间|日期|时限)")


def _investment_kind(key: str) -> str | None:
    """ "plan" or "done" for a folded header naming planned or completed investment, else None."""
    if "计划" in key and _PLANNED.search(key):
        return "plan"
    return "done" if "完成" in key and _COMPLETED.search(key) else None


def investment_key(text) -> str:
    """A header of planned or completed investment as its kind and period are read: folded, its bracketed unit
    (（万元）) left out unless that is all of it."""
    key = normalise(text)
    return _BRACKETS.sub("", key) or key


def investment_kind(text) -> str | None:
    """ "plan" for a column of planned investment (2020年计划投资), "done" for investment completed (累计完成投资,
    1-5月完成投资), else None: no field of the deal's; crm.importing.investment_columns reads them."""
    key = investment_key(text)
    return _investment_kind(key) if key else None


#: Fields a user may name in --map (the English key, or the first Chinese header name of the field).
MAPPABLE = tuple(f for f in SYNONYMS if f not in ("seq", "amount_cny"))


def map_name(field: str) -> str:
    """What --map and the TUI's chooser write for `field`: its first Chinese header name (field_named reads it back);
    the amount's for the column giving it again (总投资（大写）: crm.importing.claims.TWIN)."""
    return SYNONYMS["amount" if field == TWIN else field][0]


# What each field the importer reads is called to the user (English source): no internal name reaches the screen
# or the command line's report.
IMPORT_FIELDS = {
    **FIELD_LABELS,
    "seq": N_("Row number (checked only)"),
    "code": N_("Code"),
    "amount_cny": N_("Amount in CNY (checked only)"),
    "progress": N_("Progress this week"),
    TWIN: N_("Total investment, written again (fills a blank, checked)"),
    "blockers": N_("Blockers"),
    "tags": N_("Tags"),
    "funds": N_("Funds arrived (cumulative)"),
    "county_liaison": N_("County liaison leader (kept in notes)"),
    "started_on": N_("Day construction started"),
    "registered_on": N_("Day registered"),
    "operating_on": N_("Day operation began"),
}


def field_label(field: str) -> str:
    """The name of an imported field as the user reads it (项目名称, 累计到位资金), in the current language."""
    label = IMPORT_FIELDS.get(field)
    return _(label) if label else field


def field_named(name: str) -> str | None:
    """The field `name` means in --map (region, 所在地, 总投资 …); None for "-" (leave the column unused)."""
    if name.strip() in ("-", "", "none", "无", "忽略"):
        return None
    key = normalise(name)
    if key in MAPPABLE:
        return key
    found = _EXACT.get(key) or _EXACT.get(_BRACKETS.sub("", key))
    if found and found[0] in MAPPABLE:
        return found[0]
    # In Chinese the fields' Chinese names (what the hints write: --map 下步计划=计划开工时间), else their keys.
    fields = MAPPABLE if current_language() == "en" else [map_name(f) for f in MAPPABLE]
    raise InvalidInput(
        _("Unknown field {name!r} for --map: use one of {fields} (or - to leave the column unused)").format(
            name=name, fields=list_sep().join(fields)
        )
    )


#: Guesses by word for headers no field claims; they are only offered, never applied.
_GUESS_WORDS: tuple[tuple[str, re.Pattern], ...] = (("investor", re.compile(r"合作单位|合作企业|合作伙伴|签约单位")),)


def best_guess(text) -> str | None:
    """The field a header most resembles (for a column left unused), or None.

    Contact details (电话, 手机, 邮箱 …) resemble no field; a few words name a field outright (合作单位 → investor);
    otherwise the field sharing most characters with one of its names, if at least half of that name's.
    """
    key = _BRACKETS.sub("", normalise(text))
    if _CONTACT.search(key) or _investment_kind(key):
        return None  # never offer 总投资 or 到位资金 for a plan or completed-investment column
    for field, words in _GUESS_WORDS:
        if words.search(key):
            return field
    chars = set(key)
    ratio = _RATIO.search(normalise(text)) is not None  # never offer an amount for a percentage (到位率)
    scored = [
        (len(chars & set(name)) / len(set(name)), f)
        for name, (f, _r) in _EXACT.items()
        if not name.isascii() and f not in ("seq",) and not (ratio and f in _MONEY_FIELDS)
    ]
    score, field = max(scored, default=(0, None))
    return field if score >= 0.5 else None


def header_unit(text) -> tuple[Decimal, str] | None:
    """The (multiplier, currency) a header declares: 总投资(亿元) → (10^8, CNY)."""
    return unit_from_label(str(text or ""))


@dataclass
class Header:
    """The header row found, and which column holds which field."""

    row: int  # spreadsheet row number
    index: int  # position in Grid.rows
    columns: dict  # field -> 0-based column index
    labels: dict  # 0-based column index -> header text as written
    ignored: list  # header texts of columns the importer does not use
    duplicates: list  # (field, header text, the used column's header text) of second columns for a field
    guesses: dict | None = None  # header text of an unused column -> the field it most resembles, or None
    # 0-based column -> (unit, the header text saying it) of a two-row header's other row: the group header over
    # the column (投资情况（万元） over 总投资) or the unit under it (（万元） under 总投资)
    units: dict = dataclass_field(default_factory=dict)
    # Columns hidden in the sheet: (field, its label, the visible column's label) of those left unused for a
    # visible column that gives the field; (field, label) of those used, no visible column giving their field.
    hidden_unused: list = dataclass_field(default_factory=list)
    hidden_used: list = dataclass_field(default_factory=list)


def _matcher(overrides: dict | None):
    """match_header, with the user's word first: `overrides` maps a normalised header to a field or None (unused)."""
    if not overrides:
        return match_header

    def match(text):
        key = normalise(text)
        if key in overrides:
            return None if overrides[key] is None else HeaderMatch(overrides[key], -1, 0)
        return match_header(text)

    return match


def header_key(labels) -> str:
    """The key a header row is remembered by: its labels as compared, in order."""
    return "|".join(normalise(label) for label in labels if label is not None and normalise(label))


#: A field a visible column of another field gives when the sheet has no visible column of its own: the stage is
#: read from 本周进展 (columns._stages), so a hidden 上周进展 is not the stage beside a visible 本周进展.
_GIVEN_BY = {"stage": "progress"}


def _assign(labels: dict, match_header, overrides: dict | None, hidden: frozenset = frozenset()) -> tuple:
    """(field -> (match, column), duplicates, ignored labels, guesses, hidden columns left unused) of a header
    row's labels. Of the columns claiming a field one is chosen (crm.importing.claims: a visible one over a hidden
    one, `hidden` 0-based, unless the user named it with --map)."""
    claims: dict[str, list] = {}
    ignored, guesses, duplicates, left_out = [], {}, [], []
    for col, text in sorted(labels.items()):
        m = match_header(text)
        if m is None:
            ignored.append(text)
            guesses[text] = None if overrides and normalise(text) in overrides else best_guess(text)
        else:
            claims.setdefault(m.field, []).append((m, col))
    chosen, others = settle(claims, labels, hidden)
    for f, col in others:
        used = chosen[f][1]
        if col in hidden and used not in hidden:
            left_out.append((f, labels[col], labels[used]))
        else:
            duplicates.append((f, labels[col], labels[used]))
    for f, other in _GIVEN_BY.items():
        mine, theirs = chosen.get(f), chosen.get(other)
        if mine and theirs and mine[0].rank >= 0 and mine[1] in hidden and theirs[1] not in hidden:
            del chosen[f]
            left_out.append((f, labels[mine[1]], labels[theirs[1]]))
    for f, text, _used in duplicates + left_out:
        ignored.append(text)
        guesses[text] = f
    return chosen, duplicates, ignored, guesses, left_out


def _names_better(under: HeaderMatch | None, top: HeaderMatch | None) -> bool:
    """Whether the lower cell of a two-row header names its column better than the upper (a group's title)."""
    return under is not None and (top is None or (under.rank, under.order) < (top.rank, top.order))


def find_header(
    rows: list[tuple[int, list]],
    scan: int = 40,
    overrides: dict | None = None,
    merged: list | tuple = (),
    hidden: frozenset | set = frozenset(),
) -> Header | None:
    """The row among the first `scan` non-empty ones that names the most known fields, with a project name.

    `overrides` (normalised header → field, or None to leave the column unused) come before any matching.
    `merged`: the sheet's merged ranges (1-based (min_row, min_col, max_row, max_col)), for a group header
    spanning columns (投资情况（万元） over 总投资 and 已到位), whose unit the columns under it take.
    `hidden`: the 0-based columns hidden in the sheet; a visible column giving a field wins over a hidden one.
    """
    match_header = _matcher(overrides)
    best = None
    for index, (number, values) in enumerate(rows[:scan]):
        matches = {}
        for _col, value in enumerate(values):
            if value is None or not isinstance(value, str):
                continue
            m = match_header(value)
            if m and m.field not in matches:
                matches[m.field] = m
        if "name" not in matches or len(matches) < 2:
            continue
        score = len(matches)
        if best is None or score > best[0]:
            best = (score, index, number)
    if best is None:
        return None
    _score, index, number = best
    values = rows[index][1]
    # A second header row under a merged group header ("投资情况" over 总投资 / 币种)
    # names the columns this row leaves blank.
    below = []
    if index + 1 < len(rows) and rows[index + 1][0] == number + 1:
        candidate = rows[index + 1][1]
        if all(v is None or isinstance(v, str) for v in candidate):
            below = candidate
    labels, units, second = _two_rows(values, below, match_header, _groups(values, number, merged))
    if second:
        index, number = index + 1, number + 1
    elif index > 0 and rows[index - 1][0] == number - 1:
        _units_above(rows[index - 1][1], number - 1, labels, units, merged)

    chosen, duplicates, ignored, guesses, left_out = _assign(labels, match_header, overrides, frozenset(hidden))
    chosen = county_alone(chosen)
    return Header(
        row=number,
        index=index,
        columns={f: col for f, (m, col) in chosen.items()},
        labels=labels,
        ignored=ignored,
        duplicates=duplicates,
        guesses=guesses,
        units=units,
        hidden_unused=left_out,
        hidden_used=[
            (f, labels[col]) for f, (m, col) in chosen.items() if col in hidden and m.rank >= 0 and f != "seq"
        ],
    )


def _groups(values: list, number: int, merged) -> dict:
    """0-based column -> the text of the range merged across columns that starts in row `number` over it."""
    groups = {}
    for min_row, min_col, _max_row, max_col in merged:
        if min_row == number and max_col > min_col and min_col <= len(values):
            text = values[min_col - 1]
            if isinstance(text, str):
                groups.update((col - 1, text) for col in range(min_col, max_col + 1))
    return groups


def _units_above(above: list, number: int, labels: dict, units: dict, merged) -> None:
    """Add to `units` the unit of the group header above each column whose label names none: the header row
    found is the lower of two (投资情况（万元） in row `number`, merged over 总投资 and 已到位 below it)."""
    if not all(v is None or isinstance(v, str) for v in above):
        return  # a data row, not a header's upper row
    groups = _groups(above, number, merged)
    for col, label in labels.items():
        if col in units or header_unit(label) is not None:
            continue
        text = above[col] if col < len(above) and above[col] is not None else groups.get(col)
        unit = header_unit(text) if isinstance(text, str) and text != label else None
        if unit is not None:
            units[col] = (unit, text)


def _two_rows(values: list, below: list, match_header, groups: dict) -> tuple[dict, dict, bool]:
    """(labels, units from the other row, whether the lower row is part of the header) of a header row `values`
    and the row `below` it (a second header row, or [])."""
    # The lower row is a header's when each of its cells is a label or a unit, never a data row's value.
    all_labels = bool(below) and all(v is None or match_header(v) or header_unit(v) for v in below)
    labels: dict[int, str] = {}
    units: dict[int, tuple] = {}
    second = False
    for col in range(max(len(values), len(below))):
        top = values[col] if col < len(values) else None
        under = below[col] if col < len(below) else None
        group = top if top is not None else groups.get(col)
        if under is not None and _names_better(match_header(under), None if top is None else match_header(top)):
            labels[col] = under  # 总投资（万元） under a merged 投资情况
            second = True
            other = group  # 投资情况（万元） over 总投资: the unit of the group
        elif top is not None:
            labels[col] = str(top)
            other = under if all_labels and under != top else None  # （万元） under 总投资
        else:
            continue
        unit = header_unit(other) if isinstance(other, str) and other != labels[col] else None
        if unit is not None:
            units[col] = (unit, other)
            second = second or other is under
    if second:  # the lower row is the header's: its labels under a group (项目 | 建设内容) name columns too
        for col, under in enumerate(below):
            if col not in labels and isinstance(under, str) and header_unit(under) is None:
                labels[col] = under
        labels = dict(sorted(labels.items()))
    return labels, units, second
