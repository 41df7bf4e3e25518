"""New deal / edit deal: one form, checked as it is typed.

Each field says what it understood (the amount: "1.8亿美元 → USD
180,000,000.00 ≈ 12.79亿元 @ 7.1030", at the rate of the signing date). An
edit sends only the fields the user changed, with the version the form was
opened at; when someone else saved the deal in between, the form says who
and when, takes their values into the fields the user did not touch, keeps
every field the user typed, and a second save writes the user's values.

The form can be typed in at once: the names it offers (events, departments)
and the deal being edited are read in a worker, read again while the server
cannot be reached. A save in flight is handled as screens.sending says.
"""

from __future__ import annotations

import functools

from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Select, SelectionList, Static

from crm.deals import records as deals
from crm.deals.fields import APPROVAL_LABELS, MissingFields, area_label, parse_approval, parse_floor_area
from crm.deals.fields import FIELDS as DEAL_FIELDS
from crm.deals.texts import FormChoices, form_choices, form_state
from crm.foundation.errors import Conflict, CrmError, MissingRate, NotFound
from crm.foundation.i18n import _, current_language
from crm.foundation.text import clean_text
from crm.reference.region_notes import region_note
from screens import text
from screens.connection import answered
from screens.forms import (
    FormRow,
    TickList,
    amount_hint,
    convert_amount,
    missing_rate_text,
    read_amount,
    read_date,
    show_hint,
    unit_question,
)
from screens.sending import SavingDialog

# field, label, kind (the form control): from the one declaration of a deal's fields
FIELDS = tuple((f.key, f.label, f.widget) for f in DEAL_FIELDS)
LABELS = {f: label for f, label, _kind in FIELDS}
LIMITS = {f.key: f.max_length for f in DEAL_FIELDS if f.max_length}
PLACEHOLDERS = {"amount": "25亿元 / 1.8亿美元 / 4565万元", "signed_on": "2020-05-18", "floor_area": "81.9万平方米"}


def _noted(region: str | None, save, *args, **kwargs) -> tuple[str, str | None]:
    """save(*args, **kwargs) (in the database thread), and what crm says of the region typed, asked before saving:
    once saved, the ledger uses it."""
    note = region_note(region) if region else None
    return save(*args, **kwargs), note


def gone_text(code: str, saving: bool = True) -> str:
    """What the form says when deal `code` is no longer in the ledger, as it saves (or opens): in the TUI's
    words, where crm's NotFound names the command line's `crm deals`."""
    if not saving:
        return _(
            "Deal {code} no longer exists: another officer deleted it, or reverted the import that made it"
        ).format(code=code)
    return _(
        "Not saved: deal {code} no longer exists: another officer deleted it, or reverted the import that made it, "
        "after this form was opened. What you typed stays in the form to copy."
    ).format(code=code)


class DealForm(SavingDialog):
    """Dismisses with the saved deal's code."""

    def __init__(self, code: str | None = None) -> None:
        super().__init__(classes="deal-form")
        self.code = code
        self.base: dict[str, str] = {}  # the values the form started from (for an edit)
        self.version: int | None = None
        self.choices: FormChoices | None = None
        self._waited = False  # a try to read the form's names found the server away: said so, to unsay

    def dialog_title(self) -> str:
        return _("Edit deal {code}").format(code=self.code) if self.code else _("New deal")

    def fields(self) -> ComposeResult:
        with VerticalScroll(classes="form-fields"):
            for field, label, kind in FIELDS:
                required = field in ("name", "amount")
                if kind in ("event", "lead"):
                    widget = Select([], id=f"f-{field}", prompt=_("none"), compact=True)
                elif kind == "approval":
                    options = [
                        (labels[0] if current_language() == "zh" else labels[1], key)
                        for key, labels in APPROVAL_LABELS.items()
                    ]
                    widget = Select(options, id=f"f-{field}", prompt=_("none"), compact=True)
                else:
                    widget = Input(id=f"f-{field}", compact=True, placeholder=PLACEHOLDERS.get(field, ""))
                yield FormRow(_(label), widget, f"hint-{field}", required=required)
            yield Label(_("Supporting departments (space to tick)"), classes="dialog-line")
            yield TickList(id="f-supporting", classes="supporting-list")
        yield Static("", id="conflict", classes="conflict")

    def on_mount(self) -> None:
        if self.code:
            # nothing to type over before the deal's values are in: they would replace it
            self.query_one(".form-fields").disabled = True
        else:
            self.set_focus(self.query_one("#f-name", Input))  # typing starts now, whatever the server does
        self.run_worker(self._load(), group="form-load", exclusive=True)

    async def _read(self) -> tuple[FormChoices, object]:
        choices = await self.db.run(form_choices)
        return choices, (await self.db.run(form_state, self.code) if self.code else None)

    def _unreadable(self, _err: Exception) -> None:
        """A try to read the form's names (and deal) found the server away: say so where it shows."""
        self._waited = True
        if self.code:
            self.show_error(
                _("Deal {code} cannot be read while the server cannot be reached: trying again").format(code=self.code)
            )
            return
        for field in ("event", "lead_unit"):
            show_hint(self.query_one(f"#hint-{field}", Static), _("not read yet: trying the server again"), True)
        self.show_error(
            _(
                "The events and departments to choose from cannot be read while the server cannot be reached: "
                "trying again; what you type is kept"
            )
        )

    async def _load(self) -> None:
        try:
            self.choices, loaded = await answered(self.app, self._read, self._unreadable)
        except NotFound as err:
            self.show_error(gone_text(self.code, saving=False) if self.code else str(err))
            return
        except CrmError as err:
            self.show_error(str(err))
            return
        c = self.choices
        self.query_one("#f-event", Select).set_options([(n, n) for n in c.events])
        self.query_one("#f-lead_unit", Select).set_options([(n, n) for n in c.departments])
        self.query_one("#f-region", Input).suggester = SuggestFromList(c.regions)
        self.query_one("#f-industry", Input).suggester = SuggestFromList(c.industries)
        self.query_one("#f-liaison", Input).suggester = SuggestFromList(c.people)
        if self._waited:
            for field in ("event", "lead_unit"):
                show_hint(self.query_one(f"#hint-{field}", Static), "")
            self.show_error("")
        supporting = set()
        if loaded:
            self.base = dict(loaded.texts)
            if self.base.get("approval"):
                self.base["approval"] = parse_approval(self.base["approval"])
            self.version = loaded.version
            self._fill(self.base)
            supporting = set(filter(None, self.base.get("supporting", "").split("、")))
        self.query_one("#f-supporting", SelectionList).add_options(
            [(text.shown(n), n, n in supporting) for n in c.departments]
        )
        if self.code:
            from screens.confirm import field_values

            self._opened_with = field_values(self)  # the deal as read: leaving it unchanged asks nothing
            self.query_one(".form-fields").disabled = False
            self.set_focus(self.query_one("#f-name", Input))

    def _fill(self, texts: dict, only: set | None = None) -> None:
        for field, _label, _kind in FIELDS:
            if only is not None and field not in only:
                continue
            value = texts.get(field, "")
            widget = self.query_one(f"#f-{field}")
            if isinstance(widget, Select):
                widget.value = value if value else Select.NULL
            else:
                widget.value = value

    # ---- reading the form ----------------------------------------------------

    def value_of(self, field: str) -> str:
        widget = self.query_one(f"#f-{field}")
        if isinstance(widget, Select):
            return "" if widget.value is Select.NULL else str(widget.value)
        return widget.value

    def typed(self) -> dict[str, str]:
        return {field: self.value_of(field) for field, _label, _kind in FIELDS}

    def supporting(self) -> list[str]:
        return list(self.query_one("#f-supporting", SelectionList).selected)

    def changed_fields(self) -> dict[str, str]:
        """Fields that differ from what the form started with (every filled field for a new deal)."""
        typed = self.typed()
        if not self.code:
            return {f: v for f, v in typed.items() if v.strip()}
        return {f: v for f, v in typed.items() if v.strip() != self.base.get(f, "").strip()}

    def supporting_changed(self) -> bool:
        before = set(filter(None, self.base.get("supporting", "").split("、")))
        return set(self.supporting()) != before

    # ---- checking as it is typed ------------------------------------------------

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        field = (event.input.id or "")[2:]
        if field == "signed_on":
            self._check("amount", self.value_of("amount"))
        self._check(field, event.value)

    def _check(self, field: str, raw: str) -> None:
        kind = dict((f, k) for f, _l, k in FIELDS).get(field)
        if kind is None:
            return
        hint = self.query_one(f"#hint-{field}", Static)
        if kind == "amount":
            self.preview_amount(raw)
            return
        if kind == "date":
            value, message, bad = read_date(raw, self.today)
            show_hint(hint, message, bad)
        elif kind == "area":
            try:
                area = parse_floor_area(raw) if raw.strip() else None
                show_hint(hint, area_label(area))
            except CrmError as err:
                show_hint(hint, str(err), True)
        elif kind in ("text", "suggest"):
            try:
                clean_text(
                    raw,
                    _(LABELS[field]),
                    max_length=LIMITS.get(field, 200),
                    required=field == "name",
                    multiline=field in ("responsibility_plan", "notes"),
                )
                show_hint(hint, "")
            except CrmError as err:
                show_hint(hint, str(err), True)

    @work(exclusive=True, group="amount-preview")
    async def preview_amount(self, raw: str) -> None:
        hint = self.query_one("#hint-amount", Static)
        if not raw.strip():
            show_hint(hint, _("required, e.g. 25亿元 or 1.8亿美元") if raw else "", bool(raw))
            return
        money, error = read_amount(raw)
        if money is None or unit_question(raw):
            show_hint(hint, error or unit_question(raw), True)
            return
        signed, _message, bad = read_date(self.value_of("signed_on"), self.today)
        reading = await self.db.run(convert_amount, money, signed if signed and not bad else self.today)
        show_hint(hint, *amount_hint(reading))

    # ---- saving -------------------------------------------------------------------

    def save(self) -> None:
        if self.code and self.version is None:
            self.show_error(_("Not saved: the form is still reading the deal; save again once its values are in"))
            return
        if "amount" in self.changed_fields() and (question := unit_question(self.value_of("amount"))):
            self.show_error(question)
            return
        values = self.changed_fields()
        supporting = self.supporting()
        if self.code:
            mine = supporting if self.supporting_changed() else None
            if not values and mine is None:
                self.dismiss(self.code)  # nothing changed: nothing to write
                return
            self.begin_save()
            self.run_worker(functools.partial(self._save_edit, values, mine), exclusive=True)
        else:
            self.begin_save()
            self.run_worker(functools.partial(self._save_new, values, supporting), exclusive=True)

    async def _save_new(self, values: dict, supporting: list) -> None:
        try:
            code, note = await self.db.run(_noted, values.get("region"), deals.add_deal, values, supporting=supporting)
        except CrmError as err:
            self.save_ended()
            self.refused(err)
            return
        self._say(note)
        await self.finish(code)

    def _say(self, note: str | None) -> None:
        """After a save: what crm says of the region typed (a name nobody knows may be a typo), as a warning."""
        if note:
            self.app.notify(text.shown(note), severity="warning", timeout=12)

    def refused(self, err: CrmError) -> None:
        """Say why crm refused the save in the form's words: the empty required fields marked each and named
        by their labels, a missing rate with where to add it (crm's own message names the command line's)."""
        if isinstance(err, MissingFields):
            for field in err.keys:
                show_hint(self.query_one(f"#hint-{field}", Static), _("required"), True)
            names = [_(LABELS[field]) for field in err.keys if field in LABELS]
            self.show_error(
                _("Fill in: {fields}").format(fields=("、" if current_language() == "zh" else ", ").join(names))
            )
            self.query_one(f"#f-{err.keys[0]}").focus()
            return
        money, _error = read_amount(self.value_of("amount"))
        if isinstance(err, MissingRate) and money is not None:
            signed, _message, bad = read_date(self.value_of("signed_on"), self.today)
            message = missing_rate_text(money.currency, signed if signed and not bad else self.today)
            show_hint(self.query_one("#hint-amount", Static), message, True)
            self.show_error(message)
            return
        self.show_error(str(err))

    async def _save_edit(self, values: dict, supporting: list | None) -> None:
        try:
            code, note = await self.db.run(
                _noted,
                values.get("region"),
                deals.save_deal,
                self.code,
                values,
                if_version=self.version,
                supporting=supporting,
            )
        except Conflict as err:
            problem = await self._conflict(err, set(values), supporting is not None)  # read-only until theirs are in
            self.save_ended()
            self.show_error(problem or _("Not saved: the deal was changed by someone else"))
            return
        except CrmError as err:
            gone = isinstance(err, NotFound) and await self._gone()
            self.save_ended()
            if gone:
                self.show_error(gone_text(self.code or ""))
            else:
                self.refused(err)
            return
        self._say(note)
        await self.finish(code)

    async def _gone(self) -> bool:
        """True when the deal edited is no longer in the ledger (the save's NotFound may name a department)."""
        try:
            await self.db.run(form_state, self.code)
        except NotFound:
            return True
        except CrmError:
            return False  # cannot tell now: crm's own message is shown
        return False

    async def _conflict(self, err: Conflict, mine: set, mine_supporting: bool) -> str:
        """Someone saved first: show their values, take them where the user typed nothing, keep the rest.
        What went wrong reading them ("" when they are shown)."""
        try:
            theirs = await self.db.run(form_state, self.code)
        except NotFound:
            return gone_text(self.code or "")
        except CrmError as failed:
            return str(failed)
        new = dict(theirs.texts)
        if new.get("approval"):
            new["approval"] = parse_approval(new["approval"])
        changed = [f for f in (*LABELS, "supporting") if new.get(f, "") != self.base.get(f, "")]
        untouched = {f for f in changed if f not in mine and f != "supporting"}
        self._fill(new, only=untouched)
        if "supporting" in changed and not mine_supporting:
            chooser = self.query_one("#f-supporting", SelectionList)
            chooser.deselect_all()
            for name in filter(None, new.get("supporting", "").split("、")):
                chooser.select(name)
        for f in changed:
            if f != "supporting":
                self.base[f] = new.get(f, "")
        self.base["supporting"] = new.get("supporting", "") if not mine_supporting else self.base.get("supporting", "")
        self.version = theirs.version
        lines = [str(err), _("Their values now:")]
        for f in changed:
            label = _(LABELS[f]) if f in LABELS else _("Supporting departments")
            marker = (
                _(" (you changed this too: yours is kept in the form)")
                if f in mine or (f == "supporting" and mine_supporting)
                else ""
            )
            lines.append(f"  {label}: {new.get(f, '') or '—'}{marker}")
        if not changed:
            lines.append("  " + _("(no field you can edit here; the stage or dates may have moved)"))
        lines.append(_("Save again to write your values over theirs, or Esc to leave without saving."))
        conflict = self.query_one("#conflict", Static)
        conflict.update(text.shown("\n".join(lines)))
        conflict.add_class("-shown")
        return ""
