"""Reading the cells of a bureau's ledger: amounts, dates, stages, names (problems: crm.importing.problems).

Each reader takes a cell as openpyxl or the CSV reader gives it (text, a
number, a datetime, None) and returns a value or raises CellError with a
stable `code` and a message; crm.importing.importer adds the row, column and the
quoted value.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from crm.deals.stages import parse_stage
from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.foundation.text import folded
from crm.importing.number_formats import format_says_about, format_shows_sign_only, format_unit
from crm.values.dates import MAX_YEAR, MIN_YEAR, PARTS_OF_A_MONTH, PARTS_OF_A_YEAR, parse_date, parse_month
from crm.values.money import CURRENCIES, MAX_AMOUNT, ZH_SUFFIX, Money, parse_amount
from crm.values.stage_words import classify_progress

#: Cells that mean "nothing" in Chinese ledgers.
BLANKS = {
    "",
    "无",
    "暂无",
    "没有",
    "/",
    "\\",
    "-",
    "--",
    "—",
    "——",
    "－",
    "无问题",
    "暂无问题",
    "n/a",
    "na",
    "none",
    "nil",
    "null",
    "nan",
    "—/—",
}
_BLANK_STARTS = frozenset(word[0] for word in BLANKS if word)
#: Distinct cell texts remembered per reader: a million-row file's names never repeat, and a larger cache only grew.
CACHED = 16384
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
CENT = Decimal("0.01")
# Serial day numbers Excel stores for 1949-01-01 … 2100-12-31 (1900 date system).
_SERIAL_MIN, _SERIAL_MAX = 17899, 73415


class CellError(Exception):
    """A cell that cannot be read; `code` is stable, the message is translated."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def unquote(text: str) -> str:
    """Text an export neutralised against formulas ('=abc), given back as written (=abc)."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(_FORMULA_STARTS):
        return text[1:]
    return text


def cell_text(value) -> str:
    """Any cell as trimmed text: 25.0 → 25, a date → 2020-05-18."""
    if value is None:
        return ""
    if type(value) is str:  # most cells: checked first, the import reads millions
        return unquote(value.strip())
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return unquote(str(value).strip())


def column_letter(index: int) -> str:
    """A spreadsheet column's letters from its 1-based index (1 → A, 27 → AA), without loading openpyxl (BENCHMARKS.md, "Import")."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """The 1-based index of a spreadsheet column from its letters (A → 1, AA → 27)."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index


def filled_cells(values: list) -> list:
    """The cells of a row that hold something: neither None nor a text of spaces only (无 and — are filled)."""
    return [v for v in values if v is not None and not (isinstance(v, str) and not v.strip())]


def is_blank(value) -> bool:
    """Whether a cell means "nothing" (empty, 无, /, — …: BLANKS, compared folded)."""
    text = cell_text(value)
    # cell_text strips: a long name is told by its first character, without folding it whole
    if text and not _may_start_blank(text[0]):
        return False
    return normal_key(text) in BLANKS


@functools.lru_cache(maxsize=CACHED)
def _may_start_blank(head: str) -> bool:
    """Whether a text starting with the character `head` may be one of BLANKS (folded, it starts one)."""
    if head in _BLANK_STARTS:
        return True
    first = unicodedata.normalize("NFKC", head)[:1].casefold()
    return first in _BLANK_STARTS or not first.strip()


@functools.lru_cache(maxsize=CACHED)
def normal_key(text: str) -> str:
    """`text` as compared with lists of words: crm.foundation.text.folded, cached (cells repeat)."""
    return folded(text)


def inline(text: str) -> str:
    """One-line text: line breaks people typed inside a cell (Alt+Enter) removed.

    Between two Chinese characters a break is dropped; elsewhere it becomes a space.
    """
    if "\n" not in text and "\r" not in text:
        return text.strip()  # what the rest gives for one line, without its regular expression

    def join(match):
        before, after = match.group(1), match.group(2)
        return before + after if (not before.isascii() and not after.isascii()) else before + " " + after

    text = re.sub(r"(\S)\s*[\r\n]+\s*(\S)", join, text)
    return text.replace("\r", "").replace("\n", "").strip()


# ---- currency and amounts ---------------------------------------------------

_CURRENCY_NAMES = {}
for _code, _name in CURRENCIES.items():
    for _word in (_code, _name, ZH_SUFFIX[_code]):
        _CURRENCY_NAMES[normal_key(_word)] = _code
_CURRENCY_NAMES.update({"rmb": "CNY", "美金": "USD", "港币": "HKD", "us$": "USD", "$": "USD", "¥": "CNY"})


def parse_currency(value) -> str | None:
    """人民币 / 元 / 美元 / USD → ISO code; blank → None."""
    text = cell_text(value)
    if is_blank(text):
        return None
    code = _CURRENCY_NAMES.get(normal_key(text))
    if code is None:
        raise CellError(
            "currency",
            _("Unknown currency; write one of {codes} or its Chinese name (美元, 欧元 …)").format(
                codes=", ".join(CURRENCIES)
            ),
        )
    return code


_BARE_NUMBER = re.compile(r"[0-9][0-9, ]*(\.[0-9]+)?")
# What most ledgers write (4500万元, 1.8亿元, 3000000元): read without parse_amount's tokenizer.
_PLAIN_YUAN = re.compile(r"(0|[1-9][0-9]{0,12})(\.[0-9]{1,2})?(亿|万)?元")
_PLAIN_UNITS = {"亿": Decimal(10) ** 8, "万": Decimal(10) ** 4, None: Decimal(1)}


def parse_amount_cell(
    value,
    number_format: str | None,
    column_unit: tuple[Decimal, str] | None,
    note_unit: tuple[Decimal, str] | None,
    currency: str | None,
    allow_zero: bool = False,
) -> Money | None:
    """An amount cell: text with units (1.8亿美元) or a number whose unit the cell's format,
    the column header (总投资(亿元)) or a 单位 note says. `currency` comes from a 币种 column."""
    if type(value) is str:
        return _text_amount(value, column_unit, note_unit, currency, allow_zero)
    return _amount(value, number_format, column_unit, note_unit, currency, allow_zero)


# A long ledger repeats its amounts (25亿元) and dates: text cells are read once each. Only
# text: 1 == 1.0 == True as keys, and a number's format is part of what it says.
@functools.lru_cache(maxsize=CACHED)
def _text_amount(value: str, column_unit, note_unit, currency, allow_zero=False) -> Money | None:
    plain = _plain_yuan(value.strip(), currency, allow_zero)
    if plain is not None:
        return plain
    return _amount(value, None, column_unit, note_unit, currency, allow_zero)


def _amount(value, number_format, column_unit, note_unit, currency, allow_zero=False) -> Money | None:
    if value is None or (isinstance(value, str) and is_blank(value)):
        return None
    unit = column_unit or note_unit
    default_currency = currency or (unit[1] if unit else "CNY")
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        shown = _number_unit(number_format, unit, currency)
        multiplier, cur, approximate = shown.amount, shown.currency, shown.approximate
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            raise CellError("amount", _("Not an amount")) from None
        if not number.is_finite():
            raise CellError("amount", _("Not an amount"))
        amount = number * multiplier
        if allow_zero and amount == 0:
            return Money(Decimal("0.00"), cur, approximate)
        # Check before rounding: quantizing a huge number to cents overflows the context.
        if amount <= 0:
            raise CellError("amount", _("An amount must be greater than zero"))
        if amount > Decimal(10) ** 13:
            raise CellError("amount", _("The amount is too large; check the unit"))
        amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
        if amount <= 0:
            raise CellError("amount", _("An amount must be greater than zero"))
        return Money(amount, cur, approximate)
    text = inline(cell_text(value))
    if _BARE_NUMBER.fullmatch(unicodedata.normalize("NFKC", text)) and unit is None:
        raise CellError(
            "amount_unit",
            _("A bare number with no unit: write the unit in the cell (25亿元) or in the header (总投资(亿元))"),
        )
    try:
        money = parse_amount(
            text,
            default_currency=default_currency,
            default_multiplier=unit[0] if unit else Decimal(1),
            allow_zero=allow_zero,
        )
    except InvalidInput as err:
        raise CellError("amount", str(err)) from None
    if currency and money.currency != currency:
        raise CellError(
            "currency", _("The amount is in {a} but the currency column says {b}").format(a=money.currency, b=currency)
        )
    return money


def _number_unit(number_format: str | None, unit: tuple | None, currency: str | None) -> Money:
    """The unit a number cell is in, as Money of one: what its format shows (0.00"亿美元"), with the column's
    magnitude where the format shows only a sign (¥#,##0), else the column's unit (总投资(亿元), 单位：万元)."""
    shown = format_unit(number_format)
    if shown is not None and unit is not None and format_shows_sign_only(number_format):
        return _sign_in_column(shown, currency or unit[1], unit[0])
    if shown is not None:
        if currency and shown.currency != currency:
            raise CellError(
                "currency",
                _("The cell's format says {a} but the currency column says {b}").format(a=shown.currency, b=currency),
            )
        return shown
    if unit is None:
        raise CellError(
            "amount_unit",
            _("A bare number with no unit: write the unit in the cell (25亿元) or in the header (总投资(亿元))"),
        )
    return Money(unit[0], currency or unit[1], format_says_about(number_format))


def _sign_in_column(sign: Money, column_currency: str, magnitude: Decimal) -> Money:
    """A cell showing only a currency's sign (¥1,200 in 总投资（万元）) is in the column's magnitude, and must be in
    its currency."""
    if sign.currency != column_currency:
        raise CellError(
            "currency",
            _("The cell's format shows {a} but the column is in {b}").format(a=sign.currency, b=column_currency),
        )
    return Money(magnitude, sign.currency, sign.approximate)


def _plain_yuan(text: str, currency: str | None, allow_zero: bool) -> Money | None:
    """The Money parse_amount reads from a plain yuan amount (4500万元), or None: any other text, or one it refuses."""
    match = _PLAIN_YUAN.fullmatch(text)
    if match is None or currency not in (None, "CNY"):
        return None
    whole, fraction, unit = match.groups()
    value = Decimal(whole + (fraction or "")) * _PLAIN_UNITS[unit]
    if value > MAX_AMOUNT or (value == 0 and not allow_zero):
        return None  # parse_amount says why
    return Money(value.quantize(CENT), "CNY", False)


def amount_text(money: Money) -> str:
    """Text crm.values.money.parse_amount reads back as exactly `money` (what create_deal and edit_deal take)."""
    return f"{money.amount}{'余' if money.approximate else ''}{money.currency}"


# ---- dates ----------------------------------------------------------------


def parse_date_cell(value, epoch=None, today: datetime.date | None = None) -> datetime.date | None:
    """A date cell: an Excel date, a serial number Excel stored, 20200518, or text (2020年5月18日, 2020.5.18 …)."""
    if type(value) is str:
        return _text_date_cell(value, epoch, today)
    return _date_cell(value, epoch, today)


@functools.lru_cache(maxsize=CACHED)
def _text_date_cell(value: str, epoch, today) -> datetime.date | None:
    return _date_cell(value, epoch, today)


def _date_cell(value, epoch, today) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return _checked(value.date())
    if isinstance(value, datetime.date):
        return _checked(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 19000101 <= value <= 21001231:
            return _text_date(str(int(value)), today)
        if _SERIAL_MIN <= value <= _SERIAL_MAX:
            return _serial(value, epoch)
        raise _number_not_a_date(value)
    text = inline(cell_text(value))
    if is_blank(text):
        return None
    if re.fullmatch(r"\d{5}(\.\d+)?", text) and _SERIAL_MIN <= float(text) <= _SERIAL_MAX:
        return _serial(float(text), epoch)
    return _text_date(text, today)


def parse_month_or_date_cell(value, epoch=None, today: datetime.date | None = None):
    """(date, month_only) of a date cell where a month alone is a value (计划开工 2020年7月); blank → None.

    A month alone is the first of that month with month_only true.
    """
    if type(value) is str:
        return _text_month_cell(value, epoch, today)
    month = _number_month(value)
    if month is not None:
        return month, True
    day = _date_cell(value, epoch, today)
    return None if day is None else (day, False)


# What Excel keeps of a year and month typed as 2020.5 or 2020.05 in a General cell: a number.
_YEAR_MONTH = re.compile(r"(\d{4})\.(\d{1,2})")
_FIRST_MONTH_YEAR = 1990  # below it, a number such as 1985.6 is more likely an amount typed in the wrong column


def _year_month(value) -> tuple[int, str] | None:
    """(year, month digits) of a float that reads as a plausible year.month (2020.5 → (2020, "5")), else None."""
    if not isinstance(value, float):
        return None
    match = _YEAR_MONTH.fullmatch(repr(value))
    if match is None or not _FIRST_MONTH_YEAR <= int(match.group(1)) <= MAX_YEAR:
        return None
    if not 1 <= int(match.group(2)) <= 12:
        return None
    return int(match.group(1)), match.group(2)


def _number_month(value) -> datetime.date | None:
    """The month a number names (2020.5, 2020.05, 2020.12 → that month's first day), or None.

    2020.1 is refused: it is January, or 2020.10 as Excel keeps it, and only the officer knows which.
    """
    read = _year_month(value)
    if read is None:
        return None
    if read[1] == "1":
        raise _number_not_a_date(value)
    return datetime.date(read[0], int(read[1]), 1)


def _number_not_a_date(value) -> CellError:
    """The refusal of a number in a date column, in words an officer understands (no serial numbers)."""
    read = _year_month(value)
    if read is not None and read[1] == "1":
        return CellError(
            "date",
            _(
                "{number} may be January or October (Excel keeps 2020.10 as 2020.1): "
                "write the date as 2020-10-01 or 2020年10月1日"
            ).format(number=cell_text(value)),
        )
    return CellError(
        "date",
        _("{number} does not look like a date: write it as 2020-10-01 or 2020年10月1日").format(
            number=cell_text(value)
        ),
    )


#: A date that names part of a month or year (2020年5月下旬, 2020年底): read as the month, and said so.
_PART_OF = re.compile(rf"[月年]\s*(?:{PARTS_OF_A_MONTH}|{PARTS_OF_A_YEAR})")


def names_part_of_a_month(value) -> bool:
    """Whether a date cell's text names part of a month or a year (上旬, 下旬, 月底, 年底 …), which is kept as a month."""
    return type(value) is str and _PART_OF.search(value) is not None


#: What a date cell says when there is no date yet.
UNDATED = {"待定", "未定", "暂定", "待确定", "不详", "tbd"}


@functools.lru_cache(maxsize=CACHED)
def _text_month_cell(value: str, epoch, today):
    text = inline(cell_text(value))
    if is_blank(text) or normal_key(text).rstrip("。.") in UNDATED:
        return None
    month = parse_month(text)
    if month is not None:
        return _checked(month), True
    day = _date_cell(value, epoch, today)
    return None if day is None else (day, False)


def _serial(value, epoch) -> datetime.date:
    from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900, from_excel

    return _checked(from_excel(value, epoch or CALENDAR_WINDOWS_1900).date())


def _text_date(text: str, today) -> datetime.date:
    try:
        return parse_date(text, today=today)
    except InvalidInput as err:
        raise CellError("date", str(err)) from None


def _checked(day: datetime.date) -> datetime.date:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise CellError("date", _("The date is outside the years {first}–{last}").format(first=MIN_YEAR, last=MAX_YEAR))
    return day


# ---- stages ---------------------------------------------------------------


def parse_stage_cell(value) -> str | None:
    """A stage as ledgers write it (已开工, 开工建设, 在建, 洽谈中 …), also at the start of a longer
    remark (已开工,主体施工中); blank → None."""
    return _text_stage(value) if type(value) is str else _stage(value)


@functools.lru_cache(maxsize=4096)
def _text_stage(value: str) -> str | None:
    return _stage(value)


def _stage(value) -> str | None:
    text = inline(cell_text(value))
    if is_blank(text):
        return None
    try:
        return parse_stage(text).key
    except InvalidInput:
        pass
    head = re.split(r"[,，;；。.、(（:：\s]", unicodedata.normalize("NFKC", text).strip(), maxsplit=1)[0]
    if head and head != text:
        try:
            return parse_stage(head).key
        except InvalidInput:
            pass
    raise CellError(
        "stage",
        _(
            "Unknown stage; write one of 在谈, 签约, 注册, 开工, 投产, 暂停, 终止 "
            "(or 洽谈中, 已签约, 已注册, 已开工, 在建, 已投产, 停滞, 取消 …)"
        ),
    )


def read_progress_cell(value, as_of: datetime.date | None = None) -> tuple[str | None, str | None]:
    """(stage, text to keep) of a stage or progress cell: the stage its words name (or None) and the text
    as written, kept whole; a stage's name alone (已开工) gives (stage, None), a blank cell (None, None).
    `as_of`: the sheet's day, against which a month it names is past or ahead (classify_progress). Never refuses."""
    text = inline(cell_text(value))
    if is_blank(text):
        return None, None
    try:
        return parse_stage(text).key, None  # a stage's name alone (已开工, 在建) says nothing more
    except InvalidInput:
        pass
    stage = classify_progress(text, as_of)  # the whole text: 已开工，因资金问题暂停 is stalled, not construction
    if stage is None:
        try:
            stage = _stage(text)  # a stage's name at its start the words do not know (English: "signed, …")
        except CellError:
            pass
    return stage, cell_text(value)


# ---- names ----------------------------------------------------------------


def split_names(value) -> list[str]:
    """Department names in one cell: 保定市商务局、保定市发改委 / one per line / separated by ; or ,"""
    text = cell_text(value)
    if is_blank(text):
        return []
    names = [n.strip() for n in re.split(r"[、,，;；/\n\r]+", text)]
    seen, out = set(), []
    for name in names:
        if name and not is_blank(name) and name not in seen:
            seen.add(name)
            out.append(name)
    return out
