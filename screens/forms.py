"""Pieces every form uses: a labelled row with a hint that says what was
understood (or what is wrong) as the user types, and the money preview."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rich.cells import cell_len
from rich.segment import Segment
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widget import Widget
from textual.widgets import Checkbox, Label, SelectionList, Static
from textual.widgets.option_list import OptionDoesNotExist

from crm.foundation.errors import CrmError, MissingRate
from crm.foundation.i18n import _
from crm.reference import fx
from crm.values.dates import parse_date
from crm.values.money import Money, format_money, parse_amount
from screens import text


class FormRow(Horizontal):
    """Label | field | hint, on one line."""

    def __init__(self, label: str, field: Widget, hint_id: str | None = None, required: bool = False) -> None:
        super().__init__(classes="form-row")
        self._label = label + (" *" if required else "")
        self._field = field
        self._hint_id = hint_id

    def compose(self) -> ComposeResult:
        yield Label(self._label, classes="form-label")
        yield self._field
        yield Static("", id=self._hint_id, classes="form-hint")


class WrappedText(Visual):
    """Plain text drawn in lines that text.wrap_lines breaks: between Chinese characters and after punctuation,
    never inside a date, a number or a quoted value (Textual breaks only at spaces, so it cut a Chinese
    message anywhere: 不存在日期“2020年1 / 3月5日”)."""

    def __init__(self, value: str) -> None:
        self.value = value
        self._wrapped: tuple[int, Content] = (-1, Content(""))

    def __str__(self) -> str:
        return self.value

    def _at(self, width: int) -> Content:
        if self._wrapped[0] != width:
            self._wrapped = (width, Content("\n".join(text.wrap_lines(self.value, width))))
        return self._wrapped[1]

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        return self._at(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules, container_width: int) -> int:
        return max(cell_len(line) for line in self.value.split("\n"))

    def get_height(self, rules, width: int) -> int:
        return self._at(width).get_height(rules, width)


class Footnote(Static):
    """A screen's notes under its table (the status-line style), wrapped at punctuation onto as many lines as the
    width needs: cut at the right edge, a note lost its end."""

    def __init__(self, note: str = "", id: str | None = None) -> None:  # noqa: A002 — Textual's name
        super().__init__(WrappedText(text.plain(note)), id=id, classes="status-line footnote")

    def note(self, value: str) -> None:
        """Show `value` (plain text: ledger names in it are shown as typed)."""
        if str(self.content) != text.plain(value):
            self.update(WrappedText(text.plain(value)))


def show_hint(hint: Static, message: str = "", error: bool = False) -> None:
    """`message` under or beside a field (red when `error`), wrapped at punctuation; errors quote ledger and file
    text, so it is shown inert: controls as escapes, never read as markup."""
    hint.update(WrappedText(text.plain(message)))
    hint.set_class(error, "-error")


def missing_rate_text(currency: str, day: datetime.date) -> str:
    """The TUI's words for an amount no exchange rate converts: where on screen to add the rate (the command
    line's message names `crm fx set`)."""
    return _("No {currency} exchange rate on or before {day}: add one on the Rates screen (6, then a)").format(
        currency=currency, day=day.isoformat()
    )


def read_date(raw: str, today: datetime.date) -> tuple[datetime.date | None, str, bool]:
    """(date or None, hint, is_error) for a date field as typed; blank is allowed."""
    if not raw.strip():
        return None, "", False
    try:
        value = parse_date(raw, today=today)
    except CrmError as err:
        return None, str(err), True
    return value, value.isoformat(), False


def hint_date(hint: Static, raw: str, today: datetime.date) -> None:
    """Show under a date field what it reads as typed (its day, or why it is no date)."""
    _day, message, bad = read_date(raw, today)
    show_hint(hint, message, bad)


@dataclass(frozen=True)
class AmountReading:
    """What an amount field understood: the money, and its CNY value at a dated rate (if one covers it)."""

    money: Money
    day: datetime.date
    cny: Decimal | None = None
    rate: object = None  # the FxRate used, None for CNY
    missing: str = ""  # why there is no CNY value


def read_amount(raw: str, default_currency: str = "CNY") -> tuple[Money | None, str]:
    """(money, error) for an amount as typed."""
    try:
        return parse_amount(raw, default_currency=default_currency), ""
    except CrmError as err:
        return None, str(err)


_BARE_NUMBER = re.compile(r"^\s*[0-9][0-9,]*(\.[0-9]+)?\s*$")


def unit_question(raw: str) -> str:
    """The question to ask of an amount typed without a unit under 10,000 ("35": 35元 or 35万元?), else "".

    Ledgers count in 万元, so a bare 35 is far more often 35万元 than 35 yuan;
    such an amount is not saved until the unit is written.
    """
    if not _BARE_NUMBER.match(raw or ""):
        return ""
    number = Decimal(raw.replace(",", "").strip())
    if number >= 10_000:
        return ""
    shown = raw.strip()
    return _("{n} 元? 万元? Write the unit: {n}元 or {n}万元").format(n=shown)


def convert_amount(money: Money, day: datetime.date) -> AmountReading:
    """The CNY value of `money` at the rate of `day` (runs in the database thread)."""
    if money.currency == fx.CNY:
        return AmountReading(money, day, money.amount)
    try:
        rate = fx.rate_on(money.currency, day)
    except MissingRate:
        return AmountReading(money, day, missing=missing_rate_text(money.currency, day))
    except CrmError as err:
        return AmountReading(money, day, missing=str(err))
    return AmountReading(money, day, fx.to_cny(money.amount, rate), rate)


#: A rate more days older than the amount's date than this is pointed out: the officer may add the day's first.
OLD_RATE_DAYS = 31


def amount_hint(reading: AmountReading) -> tuple[str, bool]:
    """1.8亿美元 → USD 180,000,000.00 ≈ 12.79亿元 at the rate of 2020-05-18, 7.1030 (and whether it is a warning: a
    missing rate, or one more than OLD_RATE_DAYS older than the amount's date, which the amount is still saved at)."""
    m = reading.money
    exact = f"{m.currency} {m.amount:,.2f}"
    shown = format_money(m)
    if reading.missing:
        return _("{typed} → {exact}; {problem}").format(typed=shown, exact=exact, problem=reading.missing), True
    old = False
    if reading.rate is None:
        line = _("{typed} → {exact} = {yi}").format(typed=shown, exact=exact, yi=text.yi_label(reading.cny))
    else:
        on = reading.rate.on
        line = _("{typed} → {exact} ≈ {yi} at the rate of {on}, {rate}").format(
            typed=shown,
            exact=exact,
            yi=text.yi_label(reading.cny),
            on=on.isoformat(),
            rate=fx.rate_text(reading.rate.rate),
        )
        old = (reading.day - on).days > OLD_RATE_DAYS
        if old:
            line += " " + _(
                "(that rate is {days} days older than the date: add the day's on the Rates screen, 6 then a)"
            ).format(days=(reading.day - on).days)
    if m.approximate:
        line += " " + _("(approximate: counted as written)")
    return line, old


class CheckBox(Checkbox):
    """Textual's Checkbox with an empty box when unchecked: its dim X read as "checked" on many terminals."""

    @property
    def BUTTON_INNER(self) -> str:  # noqa: N802 — Textual reads the class attribute through the instance
        return "X" if self.value else " "

    def watch_value(self) -> None:
        super().watch_value()
        self.refresh()


class TickList(SelectionList[str]):
    """Textual's SelectionList with an empty box on unticked rows: its X on every row, ticked or not, told them
    apart only by colour."""

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        try:
            option = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return line
        segments = list(line)
        if option.value in self.selected or len(segments) < 2:
            return line
        box = segments[1]
        segments[1] = Segment(" " * cell_len(box.text), box.style, box.control)
        return Strip(segments, line.cell_length)


def path_hint(hint: Static, raw: str) -> None:
    """The hint under an output file's field: required, a missing folder, an existing file, or a new one."""
    path = Path(raw.strip()).expanduser() if raw.strip() else None
    if path is None:
        show_hint(hint, _("required"), True)
    elif not path.parent.exists():
        show_hint(hint, _("the folder {dir} does not exist").format(dir=path.parent), True)
    elif path.exists():
        show_hint(hint, _("exists: Save asks before replacing it"), True)
    else:
        show_hint(hint, _("a new file"))


class OutputChoice:
    """The file an export dialog is to write, checked when Save is pressed.

    An existing file is replaced only when Save is pressed again for the same path.
    """

    def __init__(self) -> None:
        self.confirmed: Path | None = None  # an existing file the officer said to replace

    def checked(self, raw: str, fmt: str, suffixes: dict[str, str]) -> tuple[Path | None, bool, str]:
        """(path, replace it, error): `raw` as typed, `fmt` the chosen format, `suffixes` {".csv": "csv", …}."""
        if not raw.strip():
            return None, False, _("Enter the file to write")
        path = Path(raw.strip()).expanduser()
        suffix = path.suffix.lower()
        if suffix in suffixes and suffixes[suffix] != fmt:
            return (
                None,
                False,
                _("The file name ends in {suffix} but the format is {fmt}").format(suffix=path.suffix, fmt=fmt),
            )
        force = self.confirmed == path
        if path.exists() and not force:
            self.confirmed = path
            return None, False, _("{path} exists: press Save again to replace it").format(path=path)
        return path, force, ""
