"""The day an imported deal reached the stage its row gives (开工, 注册, 投产), as the sheet says it, and whether an
existing deal's stage moves at all.

County sheets say the day in a column (实际开工时间, 注册时间, 实际投产时间; an unqualified 开工时间 or 投产时间,
which crm.importing.headers reads as the plan, is the day done for a deal already at that stage) or in the
progress text, a date next to the stage's word: "2025年11月20日已开工", "11月20日开工建设", "已于3月开工",
"10月底完成注册", "开工时间：11月20日". A date without its year is the latest such day not after the sheet's
stated day (数据截至…), else the import's day; a month alone is its 1st, said in a notice (no deal column keeps
a stage's day as month-only). A date next to another stage's word, or a planned one (计划11月开工, 11月20日前开工),
is not the day.

A new deal whose day is on or after its signing date and not after today starts its ledger with 签约 on the
signing date, then its stage on that day (crm.deals.records.first_entries); an existing deal's stage moves on
that day when it is after the deal's stage_since. A day that fails is warned of and left unused, nothing refused.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from crm.deals.stages import BY_KEY
from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _, list_sep, ngettext
from crm.importing.cells import CellError, cell_text, inline, is_blank, parse_month_or_date_cell
from crm.importing.headers import PLAN_WORDS
from crm.importing.plan import MONTH_ROWS_NAMED, Plan, as_of
from crm.importing.row_labels import normalise
from crm.importing.rows import Problem, RowPlan
from crm.importing.tables_below import row_ranges
from crm.values.dates import MAX_YEAR, MIN_YEAR, date_text, digit_dates, parse_date

#: The words of each stage a day is read for (in progress text).
WORDS = {"construction": "开工|动工", "registered": "注册", "operating": "投产"}
#: The columns giving each stage's day, in order: its own, then the planned one when its header names the stage's
#: word and no plan (开工时间, not 计划开工时间).
COLUMNS = {
    "construction": ("started_on", "planned_start"),
    "registered": ("registered_on",),
    "operating": ("operating_on", "planned_completion"),
}
_PLANNED = {"planned_start": "开工", "planned_completion": "投产"}
#: Every stage's word: a date next to another stage's is not this stage's day.
_ANY_WORD = re.compile("开工|动工|注册|投产|签约")
_DATE = re.compile(
    r"(?<![\d.])(?:(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*[日号])?"
    r"|(?P<y2>\d{4})(?P<sep>[./-])(?P<m2>\d{1,2})(?:(?P=sep)(?P<d2>\d{1,2}))?(?![\d])"
    r"|(?P<m3>\d{1,2})\s*月(?:\s*(?P<d3>\d{1,2})\s*[日号])?)"
    r"(?:份|底|末|初|上旬|中旬|下旬|中)?"
)
#: Between a date and the stage's word (已, 正式, 完成 …): no clause's end, no number.
_GAP = r"[^,;。、!?\n\d]{0,6}?"
_PLAN_OR_NEGATION = r"未|没|不|待|拟|将|(?<!按)计划|预计|力争|争取|确保|预期|目标|准备|正在"
#: Before the date in its clause (after any 已): a plan or a negation (计划于, 预计, 尚未).
_PLAN_BEFORE = re.compile(_PLAN_OR_NEGATION)
#: In the gap between the date and the word: a deadline too (11月20日前开工), not a day reached.
_NOT_DONE = re.compile(rf"前|内|以后|{_PLAN_OR_NEGATION}")
#: After the stage's word: a step towards it (开工许可, 注册资本, 投产后), not the stage.
_NOT_STAGE = re.compile(r"准备|条件|前|手续|许可|审批|资本|资金|地址|后|办理中|申请中")
_CLAUSE_START = re.compile(r"[,;。!?\n][^,;。!?\n]*$")


def text_day(text: str, stage: str, reference: datetime.date) -> tuple[datetime.date, bool] | None:
    """(day, month_only) of the earliest date `text` puts next to `stage`'s word (11月20日已开工, 开工时间：11月20日),
    a date without its year the latest such day not after `reference`; None when it puts none there."""
    text = digit_dates(unicodedata.normalize("NFKC", text))  # 二〇二五年十一月二十日开工 as 2025年11月20日开工
    word = WORDS[stage]
    found = []
    for match in _DATE.finditer(text):
        clause = text[: match.start()]
        clause = clause[m.start() + 1 :] if (m := _CLAUSE_START.search(clause)) else clause
        if _PLAN_BEFORE.search(clause.rpartition("已")[2]):  # 计划于11月开工; 尚未验收但已于3月开工 is done
            continue
        if _word_after(text[match.end() :], word) or _word_before(clause, word):
            day = _day_of(match, reference)
            if day is not None:
                found.append(day)
    return min(found, default=None)


def _word_after(after: str, word: str) -> bool:
    """Whether the stage's word follows a date (已开工, 完成注册), with no other stage's word, plan or negation between."""
    match = re.match(rf"({_GAP})({word})", after)
    if match is None or _ANY_WORD.search(match.group(1)) or _NOT_DONE.search(match.group(1)):
        return False
    return _NOT_STAGE.match(after, match.end()) is None


def _word_before(clause: str, word: str) -> bool:
    """Whether the stage's word ends the clause before a date, as its time (开工时间：, 注册日期为, 投产于)."""
    return re.search(rf"(?:{word})(?:(?:时间|日期)\s*(?:为|是)?\s*:?|于)\s*$", clause) is not None


def _day_of(match: re.Match, reference: datetime.date) -> tuple[datetime.date, bool] | None:
    """(day, month_only) a date match names; a year left out taken as the latest such day not after `reference`."""
    g = match.groupdict()
    year, month, day = g["y"] or g["y2"], g["m"] or g["m2"] or g["m3"], g["d"] or g["d2"] or g["d3"]
    try:
        if year:
            found = datetime.date(int(year), int(month), int(day or 1))
            return (found, day is None) if MIN_YEAR <= found.year <= MAX_YEAR else None
        if day:
            return parse_date(f"{int(month)}月{int(day)}日", today=reference), False
        first = datetime.date(reference.year, int(month), 1)
        return (first if first <= reference else first.replace(year=reference.year - 1)), True
    except (ValueError, InvalidInput):
        return None


@dataclass(slots=True)
class _Found:
    day: datetime.date
    month_only: bool
    field: str  # the column the day was read from: its own, a planned one, or the progress text's


class StageDays:
    """The days an import's rows say their deals reached their stages; counts what it found for the report."""

    def __init__(self, plan: Plan, report, today: datetime.date):
        self.report, self.today, self.labels = report, today, plan.labels
        self.stated_on = plan.stated_on
        self.reference = as_of(plan.stated_on, None, today)
        sheet = getattr(plan.chunks, "sheet", None)
        self.epoch = sheet.grid.epoch if sheet is not None else None
        header = plan.header
        self.columns = {
            stage: [f for f in fields if f in header.columns and _names_done(header.labels[header.columns[f]], f)]
            for stage, fields in COLUMNS.items()
        }
        self.texts = [f for f in ("stage", "progress") if f in header.columns]
        self.taken = 0  # new deals past 签约 given the day the sheet says
        self.wanting = 0  # new deals past 签约 left at their signing day: no usable day in the sheet
        self.months: list[tuple[int, str]] = []  # (row, the text) of days read as a month only

    def for_new(self, row: RowPlan, stage: str | None) -> datetime.date | None:
        """The day the new deal of `row` reached `stage` as the sheet says it: None for a stage no day is read for,
        or when the sheet gives none, or one before the signing date or after today (warned of)."""
        if stage not in WORDS:
            return None
        found = self._found(row, stage)
        if found is None or not self._fits_new(row, stage, found):
            self.wanting += 1
            return None
        self.taken += 1
        self._month(row, found)
        return found.day

    def move_day(self, row: RowPlan, saved, on: datetime.date) -> datetime.date:
        """The day `saved` (a deal) moves to the stage of `row`: the day the sheet says it reached it when after the
        deal's stage_since and not after today (else warned of), else `on`."""
        found = self._found(row, row.stage) if row.stage in WORDS else None
        if found is None:
            return on
        stage, day = BY_KEY[row.stage].label(), date_text(found.day, found.month_only)
        if found.day <= saved.stage_since:
            self._warn(
                row,
                found,
                _(
                    "The day it reached {stage} ({day}) is not after {code}'s last stage change ({since}): the "
                    "stage moves on {on}"
                ).format(stage=stage, day=day, code=saved.code, since=saved.stage_since, on=on),
            )
            return on
        if found.day > self.today:
            self._warn(
                row,
                found,
                _("The day it reached {stage} ({day}) is after today ({today}): the stage moves on {on}").format(
                    stage=stage, day=day, today=self.today, on=on
                ),
            )
            return on
        self._month(row, found)
        return found.day

    def lines(self) -> list[str]:
        """The report's lines: new deals given the sheet's day, those left at their signing day, month-only days."""
        out = []
        if self.taken:
            out.append(
                ngettext(
                    "{n} new deal past {signed} took the day it reached its stage from the sheet",
                    "{n} new deals past {signed} took the day they reached their stage from the sheet",
                    self.taken,
                ).format(n=self.taken, signed=BY_KEY["signed"].label())
            )
        if self.wanting:
            out.append(
                ngettext(
                    "{n} new deal past {signed} is at its stage from its signing date: the sheet gives no usable day "
                    "it reached it (a column such as 实际开工时间, or progress text such as “11月20日已开工”)",
                    "{n} new deals past {signed} are at their stage from their signing date: the sheet gives no usable "
                    "day they reached it (a column such as 实际开工时间, or progress text such as “11月20日已开工”)",
                    self.wanting,
                ).format(n=self.wanting, signed=BY_KEY["signed"].label())
            )
        if self.months:
            rows = [n for n, _text in self.months]
            named = row_ranges(rows[:MONTH_ROWS_NAMED])
            if len(rows) > MONTH_ROWS_NAMED:
                named += list_sep() + _("and {n} more rows").format(n=len(rows) - MONTH_ROWS_NAMED)
            out.append(
                _(
                    "Rows {rows} give the day they reached their stage as a month only (e.g. “{text}”): each is "
                    "counted from the 1st of that month; write the day where it is known"
                ).format(rows=named, text=self.months[0][1])
            )
        return out

    def _found(self, row: RowPlan, stage: str) -> _Found | None:
        """The day `row` says its deal reached `stage`: from its column, else from its progress text."""
        for f in self.columns[stage]:
            value = row.raw.get(f)
            if value is None or is_blank(value):
                continue
            try:
                read = parse_month_or_date_cell(value, self.epoch, self.reference)
            except CellError as err:
                if f not in _PLANNED:  # a planned column's date refuses the row already
                    self._warn(row, _Found(self.today, False, f), str(err))
                continue
            if read is not None:
                return _Found(read[0], read[1], f)
        for f in self.texts:
            value = row.raw.get(f)
            if value is not None and (read := text_day(cell_text(value), stage, self.reference)) is not None:
                return _Found(read[0], read[1], f)
        return None

    def _fits_new(self, row: RowPlan, stage: str, found: _Found) -> bool:
        """Whether a new deal's day is on or after its signing date and not after today; if not, warned of."""
        signed, label, day = row.signed_on, BY_KEY[stage].label(), date_text(found.day, found.month_only)
        if signed is None:
            message = _(
                "The row gives the day it reached {stage} ({day}) but no signing date: the deal is taken as signed "
                "today, at {stage} from today"
            )
        elif found.day < signed:
            message = _(
                "The day it reached {stage} ({day}) is before its signing date ({signed}): {stage} is counted from "
                "the signing date"
            )
        elif found.day > self.today:
            message = _(
                "The day it reached {stage} ({day}) is after today ({today}): {stage} is counted from the signing date"
            )
        else:
            return True
        self._warn(row, found, message.format(stage=label, day=day, signed=signed, today=self.today))
        return False

    def _warn(self, row: RowPlan, found: _Found, message: str) -> None:
        raw = row.raw.get(found.field)
        self.report.warnings.append(
            Problem(
                row.row, self.labels.get(found.field), cell_text(raw) if raw is not None else None, "stage_day", message
            )
        )

    def _month(self, row: RowPlan, found: _Found) -> None:
        if found.month_only:
            self.months.append((row.row, inline(cell_text(row.raw.get(found.field)))))


def _names_done(label, field_name: str) -> bool:
    """Whether a column of `field_name` gives the day a stage was reached: its own, or a planned one whose header
    names the stage's word and no plan (开工时间, 竣工投产时间; not 计划开工时间, 竣工时间)."""
    word = _PLANNED.get(field_name)
    if word is None:
        return True
    key = normalise(label)
    return word in key and not PLAN_WORDS.search(key)


def stage_moves(saved, row: RowPlan, report, stated_on: datetime.date | None) -> bool:
    """Whether the file's stage for `saved` is taken; when not, a warning says why (nothing is refused)."""
    src, dst = BY_KEY[saved.stage], BY_KEY[row.stage]
    label = report.columns.get("stage") or report.columns.get("progress")
    raw = row.raw.get("stage") if row.raw.get("stage") is not None else row.raw.get("progress")
    value = cell_text(raw) if raw is not None else dst.label()
    last_change = saved.stage_since  # the ledger's own date of its stage, not when a record was written
    if stated_on is not None and stated_on < last_change:
        report.warnings.append(
            Problem(
                row.row,
                label,
                value,
                "stale_sheet",
                _(
                    "The sheet's data is as of {stated}, older than the ledger's last change to {code} ({changed}): its stage "
                    "stays {src}"
                ).format(stated=stated_on, code=saved.code, changed=last_change, src=src.label()),
            )
        )
        return False
    if saved.stage == "terminated" or (src.order is not None and dst.order is not None and dst.order < src.order):
        report.warnings.append(
            Problem(
                row.row,
                label,
                value,
                "stage_backwards",
                _(
                    "The file says {dst} but the ledger has {code} at {src} since {since}; an import does not move a deal "
                    "back: use `crm stage {code} …` with a note"
                ).format(dst=dst.label(), code=saved.code, src=src.label(), since=saved.stage_since),
            )
        )
        return False
    return True
