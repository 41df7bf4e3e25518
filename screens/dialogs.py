"""Small dialogs: change stage, add / resolve a blocker, departments of a
deal, record funds, add an exchange rate. Each checks what is typed as it is
typed, saves through crm/ in the database thread (a save in flight shown as
screens.sending says), and dismisses with what it saved (None when
cancelled); an error stays in the dialog with the input."""

from __future__ import annotations

import calendar
import datetime
import functools

from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Input, Label, Select, SelectionList, Static

from crm.deals import blockers, funds, stages
from crm.deals import records as deals
from crm.deals.contexts import DepartmentContext, StageContext, currency_of, department_context, stage_context
from crm.foundation.errors import Conflict, CrmError, MissingRate
from crm.foundation.i18n import _
from crm.reference import fx
from crm.reference.views import department_names
from crm.runtime import saved
from crm.values.money import CURRENCIES
from screens import text
from screens.dialog_box import Dialog as Dialog  # the screens that build on it import it from here
from screens.forms import (
    FormRow,
    TickList,
    amount_hint,
    convert_amount,
    hint_date,
    missing_rate_text,
    read_amount,
    read_date,
    show_hint,
    unit_question,
)
from screens.sending import SavingDialog

# ---- change stage -------------------------------------------------------------


class StageDialog(SavingDialog):
    """Move a deal to another stage: the date defaults to today; a note is required backwards or off the line."""

    def __init__(self, code: str, target: str | None = None) -> None:
        super().__init__()
        self.code = code
        self.target = target
        self.context: StageContext | None = None

    def dialog_title(self) -> str:
        return _("Change stage") + f" · {self.code}"

    def fields(self) -> ComposeResult:
        yield Static("", id="stage-now", classes="dialog-line")
        yield FormRow(
            _("New stage"),
            Select(
                [(s.label(), s.key) for s in stages.STAGES], id="stage-to", prompt=_("Choose a stage"), compact=True
            ),
            "hint-to",
            required=True,
        )
        yield FormRow(
            _("Effective on"), Input(self.today.isoformat(), id="stage-on", compact=True), "hint-on", required=True
        )
        yield FormRow(_("Note"), Input(id="stage-note", compact=True, placeholder=_("why, what happened")), "hint-note")

    async def on_mount(self) -> None:
        if problem := await self._read_context():
            self.show_error(problem)
        else:
            self.set_focus(self.query_one("#stage-to", Select))

    async def _read_context(self) -> str:
        """Read the deal's stage now and show it (当前为…), the stages to choose from without it, the stage chosen
        (`target`) kept when it is still one of them; why not ("" when shown) when the deal cannot be read."""
        try:
            self.context = await self.db.run(stage_context, self.code)
        except CrmError as err:
            return str(err)
        c = self.context
        self.query_one("#stage-now", Static).update(
            _("{name}: now {stage} since {since}").format(
                name=text.shown(c.name), stage=text.stage(c.stage), since=c.stage_since
            )
        )
        select = self.query_one("#stage-to", Select)
        select.set_options([(s.label(), s.key) for s in stages.STAGES if s.key != c.stage])
        if self.target and self.target != c.stage:
            select.value = self.target
        self._check()
        return ""

    @on(Select.Changed)
    @on(Input.Changed)
    def _check(self) -> None:
        if self.context is None:
            return
        target = self.query_one("#stage-to", Select).value
        note_hint = self.query_one("#hint-note", Static)
        if target is Select.NULL:
            show_hint(note_hint, "")
        elif stages.needs_note(self.context.stage, target, self.context.before_stall):
            empty = not self.query_one("#stage-note", Input).value.strip()
            show_hint(note_hint, _("required: the move goes backwards or off the main line"), error=empty)
        else:
            show_hint(note_hint, _("optional"))
        on_day, hint, bad = read_date(self.query_one("#stage-on", Input).value, self.today)
        if on_day and on_day < self.context.stage_since:
            hint, bad = _("before {since}, when the current stage began").format(since=self.context.stage_since), True
        elif on_day and on_day > self.today:
            hint, bad = _("{day} is in the future").format(day=on_day), True
        show_hint(self.query_one("#hint-on", Static), hint, bad)

    def save(self) -> None:
        target = self.query_one("#stage-to", Select).value
        if target is Select.NULL:
            self.show_error(_("Choose the new stage"))
            return
        raw = self.query_one("#stage-on", Input).value
        on_day, hint, bad = read_date(raw, self.today)
        if bad or on_day is None:
            self.show_error(hint or _("Enter the effective date"))
            return
        note = self.query_one("#stage-note", Input).value
        self.run_worker(functools.partial(self._move, target, on_day, note), exclusive=True)

    async def _move(self, target: str, on_day: datetime.date, note: str) -> None:
        """Save the move from the stage the dialog shows; when someone moved the deal meanwhile, say who and when,
        and show the stage it is at now, the officer's choice and note kept to choose again."""
        had = self.context.stage if self.context is not None else None
        self.begin_save()
        try:
            result = await self.db.run(
                saved, stages.change_stage, self.code, target, on=on_day, note=note, expected=had
            )
        except Conflict as err:
            self.target = target
            problem = await self._read_context()  # read-only until the stage it is at now is shown
            self.save_ended()
            self.show_error(problem or str(err))
            return
        except CrmError as err:
            self.save_ended()
            self.show_error(self.error_text(err))
            if self._note_missing(target, note):
                # what is typed next is the note asked for (focus() queues it after save_ended's, which it overrides)
                self.query_one("#stage-note", Input).focus()
            return
        await self.finish(result)

    def _note_missing(self, target: str, note: str) -> bool:
        """True when the move to `target` needs a note (backwards or off the main line) and `note` is blank."""
        c = self.context
        return c is not None and not note.strip() and stages.needs_note(c.stage, target, c.before_stall)


# ---- blockers ---------------------------------------------------------------------


class BlockerFields(SavingDialog):
    """A dialog on one blocker's three fields: its text, the department that must clear it and its due date.

    The fields' ids are `<id_prefix>-text`, `-department` and `-due` (hints: hint-text, hint-department,
    hint-due), filled with `about`, `department` and `due` as given. Once mounted, the department list is the
    ledger's departments, `department` chosen when given, and the text has the focus; when the ledger cannot
    be read the dialog stays open and the reason is notified.
    """

    id_prefix = "blocker"

    def __init__(self, about: str = "", department: str | None = None, due: datetime.date | None = None) -> None:
        super().__init__()
        self.about, self.department, self.due = about, department, due

    def field_id(self, name: str) -> str:
        """The id of field `name` (text, department or due) in this dialog."""
        return f"{self.id_prefix}-{name}"

    def text_placeholder(self) -> str:
        """What the blocker's text field shows while it is empty."""
        return ""

    def fields(self) -> ComposeResult:
        yield FormRow(
            _("Blocker"),
            Input(self.about, id=self.field_id("text"), compact=True, placeholder=self.text_placeholder()),
            "hint-text",
            required=True,
        )
        known = [(self.department, self.department)] if self.department else []
        yield FormRow(
            _("Department"),
            Select(
                known,
                id=self.field_id("department"),
                prompt=_("Responsible department"),
                value=self.department if self.department else Select.NULL,
                compact=True,
            ),
            "hint-department",
            required=True,
        )
        due = self.due.isoformat() if self.due else ""
        # no placeholder: a date drawn in the field read as one filled in (and, being past, as overdue)
        yield FormRow(_("Due on"), Input(due, id=self.field_id("due"), compact=True), "hint-due")

    async def on_mount(self) -> None:
        try:
            names = await self.db.run(department_names)
        except CrmError as err:  # the server away: the dialog stays, with the reason (and the app's banner)
            self.notify(text.shown(err), severity="error")
            return
        select = self.query_one(f"#{self.field_id('department')}", Select)
        select.set_options([(n, n) for n in names])
        if self.department:
            select.value = self.department
        self.set_focus(self.query_one(f"#{self.field_id('text')}", Input))

    def typed(self) -> tuple[str, object, str]:
        """The fields as they are now: the text, the department chosen (Select.NULL when none) and the due date."""
        return (
            self.query_one(f"#{self.field_id('text')}", Input).value,
            self.query_one(f"#{self.field_id('department')}", Select).value,
            self.query_one(f"#{self.field_id('due')}", Input).value,
        )


def due_example(today: datetime.date) -> str:
    """How a due date may be typed, shown beside the blank field: a day ahead that its short form reads as (the
    end of next month, or of December), so the example is neither past nor another year's."""
    month = min(today.month + 1, 12)
    day = calendar.monthrange(today.year, month)[1]
    return _("e.g. {month}.{day} or {iso}").format(
        month=month, day=day, iso=datetime.date(today.year, month, day).isoformat()
    )


class BlockerDialog(BlockerFields):
    """Record a blocker on a deal, owned by the department that must clear it."""

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code

    def dialog_title(self) -> str:
        return _("Add a blocker") + f" · {self.code}"

    def text_placeholder(self) -> str:
        return _("what holds the deal up")

    def on_mount(self) -> None:
        self._show_due(self.query_one("#blocker-due", Input).value)

    @on(Input.Changed, "#blocker-due")
    def _check_due(self, event: Input.Changed) -> None:
        self._show_due(event.value)

    def _show_due(self, raw: str) -> None:
        """Beside the due date: how to type one while it is blank, else the day it reads as or why it is none."""
        if not raw.strip():
            show_hint(self.query_one("#hint-due", Static), due_example(self.today))
            return
        due, hint, bad = read_date(raw, self.today)
        if due and due < self.today:
            hint, bad = _("{day} is already past").format(day=due), True
        show_hint(self.query_one("#hint-due", Static), hint, bad)

    def save(self) -> None:
        blocker_text, department, due_text = self.typed()
        if department is Select.NULL:
            self.show_error(_("Choose the responsible department"))
            return
        due, hint, bad = read_date(due_text, self.today)
        if bad:
            self.show_error(hint)
            return
        self.run_worker(
            functools.partial(
                self.run_save, blockers.add_blocker, self.code, blocker_text, department, due=due, raised=self.today
            ),
            exclusive=True,
        )


class ResolveDialog(SavingDialog):
    """Mark an open blocker resolved, saying how."""

    def __init__(self, blocker_id: int, blocker_text: str, version: int | None = None, deal: str = "") -> None:
        """`deal`: the deal's code and name, shown before the blocker's text (with the language's colon)."""
        super().__init__()
        self.blocker_id = blocker_id
        self.blocker_text = _("{deal}: {blocker}").format(deal=deal, blocker=blocker_text) if deal else blocker_text
        self.version = version

    def dialog_title(self) -> str:
        return _("Resolve blocker {id}").format(id=self.blocker_id)

    def fields(self) -> ComposeResult:
        yield Static(text.shown(self.blocker_text), classes="dialog-line")
        yield FormRow(
            _("Resolution"), Input(id="resolve-note", compact=True, placeholder=_("how it was cleared")), "hint-note"
        )
        yield FormRow(
            _("Resolved on"), Input(self.today.isoformat(), id="resolve-on", compact=True), "hint-on", required=True
        )

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#resolve-note", Input))

    @on(Input.Changed, "#resolve-on")
    def _check_on(self, event: Input.Changed) -> None:
        hint_date(self.query_one("#hint-on", Static), event.value, self.today)

    def save(self) -> None:
        on_day, hint, bad = read_date(self.query_one("#resolve-on", Input).value, self.today)
        if bad or on_day is None:
            self.show_error(hint or _("Enter the date it was resolved"))
            return
        note = self.query_one("#resolve-note", Input).value
        self.run_worker(functools.partial(self._save, note, on_day), exclusive=True)

    async def _save(self, note: str, on_day: datetime.date) -> None:
        self.begin_save()
        try:
            result = await self.db.run(
                blockers.close_blocker, self.blocker_id, note=note, on=on_day, if_version=self.version
            )
        except Conflict as err:
            self.save_ended()
            current = err.current
            self.version = current.version
            state = (
                _("resolved on {day}: {text}").format(day=current.resolved_on, text=current.resolution)
                if current.resolved_on
                else _("still open")
            )
            self.show_error(str(err) + "\n" + _("Now: {state}. Save again to resolve it anyway.").format(state=state))
            return
        except CrmError as err:
            self.save_ended()
            self.show_error(str(err))
            return
        await self.finish(result)


# ---- departments --------------------------------------------------------------------


class DepartmentsDialog(SavingDialog):
    """The lead unit (牵头) and supporting departments (配合) of a deal."""

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code
        self.context: DepartmentContext | None = None

    def dialog_title(self) -> str:
        return _("Departments") + f" · {self.code}"

    def fields(self) -> ComposeResult:
        yield FormRow(_("Lead unit"), Select([], id="lead-unit", prompt=_("none"), compact=True), "hint-lead")
        yield Label(_("Supporting departments (space to tick)"), classes="dialog-line")
        yield TickList(id="supporting", classes="supporting-list")

    async def on_mount(self) -> None:
        try:
            self.context = await self.db.run(department_context, self.code)
        except CrmError as err:
            self.show_error(str(err))
            return
        c = self.context
        lead = self.query_one("#lead-unit", Select)
        lead.set_options([(n, n) for n in c.names])
        if c.lead:
            lead.value = c.lead
        chooser = self.query_one("#supporting", SelectionList)
        chooser.add_options([(text.shown(n), n, n in c.supporting) for n in c.names])
        self.set_focus(lead)

    def save(self) -> None:
        if self.context is None:
            return
        lead = self.query_one("#lead-unit", Select).value
        lead = "" if lead is Select.NULL else lead
        chosen = list(self.query_one("#supporting", SelectionList).selected)
        values = {"lead_unit": lead} if lead != self.context.lead else {}
        self.run_worker(functools.partial(self._save, values, chosen), exclusive=True)

    async def _save(self, values: dict, chosen: list) -> None:
        self.begin_save()
        try:
            result = await self.db.run(
                deals.save_deal, self.code, values, if_version=self.context.version, supporting=chosen
            )
        except Conflict as err:
            problem = await self._theirs(err)  # read-only until theirs are in: a save meanwhile would conflict again
            self.save_ended()
            self.show_error(problem)
            return
        except CrmError as err:
            self.save_ended()
            self.show_error(str(err))
            return
        await self.finish(result)

    async def _theirs(self, err: Conflict) -> str:
        """What the dialog says when someone saved the deal first: their departments now, read again (the version a
        second save is checked against), or why they cannot be read."""
        try:
            self.context = await self.db.run(department_context, self.code)
        except CrmError as failed:
            return str(err) + "\n" + str(failed)
        return (
            str(err)
            + "\n"
            + _("Now: lead unit {lead}; supporting {supporting}. Save again to keep yours.").format(
                lead=self.context.lead or "—", supporting="、".join(self.context.supporting) or "—"
            )
        )


# ---- funds ---------------------------------------------------------------------------


class FundsDialog(SavingDialog):
    """Record an arrival of funds (到位资金) for a deal."""

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code
        self.currency = "CNY"

    def dialog_title(self) -> str:
        return _("Record funds arrived") + f" · {self.code}"

    def fields(self) -> ComposeResult:
        yield FormRow(
            _("Amount"), Input(id="funds-amount", compact=True, placeholder="5000万元"), "hint-amount", required=True
        )
        yield FormRow(
            _("Arrived on"), Input(self.today.isoformat(), id="funds-on", compact=True), "hint-on", required=True
        )
        yield FormRow(_("Note"), Input(id="funds-note", compact=True), "hint-note")

    async def on_mount(self) -> None:
        try:
            self.currency = await self.db.run(currency_of, self.code)
        except CrmError as err:
            self.show_error(str(err))
        self.set_focus(self.query_one("#funds-amount", Input))

    @on(Input.Changed, "#funds-amount, #funds-on")
    def _check(self) -> None:
        on_day, hint, bad = read_date(self.query_one("#funds-on", Input).value, self.today)
        show_hint(self.query_one("#hint-on", Static), hint, bad)
        self.preview(self.query_one("#funds-amount", Input).value, on_day or self.today)

    @work(exclusive=True, group="preview")
    async def preview(self, raw: str, on_day: datetime.date) -> None:
        hint = self.query_one("#hint-amount", Static)
        if not raw.strip():
            show_hint(hint, "")
            return
        money, error = read_amount(raw, self.currency)
        if money is None or unit_question(raw):
            show_hint(hint, error or unit_question(raw), True)
            return
        reading = await self.db.run(convert_amount, money, on_day)
        show_hint(hint, *amount_hint(reading))

    def error_text(self, err: CrmError) -> str:
        """A missing rate: where on screen to add it, for the currency and day typed."""
        money, _error = read_amount(self.query_one("#funds-amount", Input).value, self.currency)
        on_day, _hint, bad = read_date(self.query_one("#funds-on", Input).value, self.today)
        if isinstance(err, MissingRate) and money is not None and on_day is not None and not bad:
            return missing_rate_text(money.currency, on_day)
        return str(err)

    def save(self) -> None:
        on_day, hint, bad = read_date(self.query_one("#funds-on", Input).value, self.today)
        if bad or on_day is None:
            self.show_error(hint or _("Enter the date the funds arrived"))
            return
        if question := unit_question(self.query_one("#funds-amount", Input).value):
            self.show_error(question)
            return
        self.run_worker(
            functools.partial(
                self.run_save,
                funds.record_funds,
                self.code,
                self.query_one("#funds-amount", Input).value,
                on=on_day,
                note=self.query_one("#funds-note", Input).value,
            ),
            exclusive=True,
        )


# ---- exchange rates --------------------------------------------------------------------


def rate_problem(raw: str) -> str:
    """What is wrong with a rate as typed, in the form's words ("" when it reads as a rate)."""
    if not raw.strip():
        return _("Enter the rate")
    try:
        fx.parse_rate(raw)
    except CrmError:
        return _(
            "“{text}” is not a rate: write CNY per one unit, a positive number with at most 6 decimals, e.g. 7.1030"
        ).format(text=raw.strip())
    return ""


class RateDialog(SavingDialog):
    """Add or replace a dated exchange rate (CNY per unit); deals and funds it covers are re-converted."""

    def dialog_title(self) -> str:
        return _("Set an exchange rate")

    def fields(self) -> ComposeResult:
        options = [(f"{code} {name}", code) for code, name in CURRENCIES.items() if code != fx.CNY]
        yield FormRow(
            _("Currency"),
            Select(options, id="rate-currency", value="USD", allow_blank=False, compact=True),
            "hint-currency",
            required=True,
        )
        yield FormRow(
            _("Valid from"), Input(self.today.isoformat(), id="rate-on", compact=True), "hint-on", required=True
        )
        yield FormRow(
            _("CNY per unit"), Input(id="rate-value", compact=True, placeholder="7.1030"), "hint-rate", required=True
        )
        yield FormRow(
            _("Source"), Input(id="rate-source", compact=True, placeholder=_("e.g. PBOC central parity")), "hint-source"
        )

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#rate-value", Input))

    @on(Input.Changed, "#rate-on")
    def _check_on(self, event: Input.Changed) -> None:
        hint_date(self.query_one("#hint-on", Static), event.value, self.today)

    @on(Input.Changed, "#rate-value")
    def _check_rate(self, event: Input.Changed) -> None:
        hint = self.query_one("#hint-rate", Static)
        if not event.value.strip():
            show_hint(hint, "")  # nothing typed yet: nothing to say
            return
        problem = rate_problem(event.value)
        show_hint(hint, problem or fx.rate_text(fx.parse_rate(event.value)), bool(problem))

    _confirmed: tuple | None = None  # the (currency, day, rate) whose questions were shown: a second save saves

    def save(self) -> None:
        on_day, hint, bad = read_date(self.query_one("#rate-on", Input).value, self.today)
        if bad or on_day is None:
            self.show_error(hint or _("Enter the date the rate applies from"))
            return
        if problem := rate_problem(self.query_one("#rate-value", Input).value):
            show_hint(self.query_one("#hint-rate", Static), problem, True)
            self.show_error(problem)
            return
        wanted = (self.query_one("#rate-currency", Select).value, on_day, self.query_one("#rate-value", Input).value)
        self.run_worker(functools.partial(self._save, wanted), exclusive=True)

    async def _save(self, wanted: tuple) -> None:
        currency, on_day, value = wanted
        if wanted != self._confirmed:
            try:
                questions = await self.db.run(fx.rate_questions, currency, on_day, value)
            except CrmError as err:
                self.show_error(str(err))
                return
            if questions:
                self._confirmed = wanted
                self.show_error("; ".join(questions) + _(". Press ctrl+s again to save it as typed."))
                return
        await self.run_save(fx.record_rate, currency, on_day, value, source=self.query_one("#rate-source", Input).value)
