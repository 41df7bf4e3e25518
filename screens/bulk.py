"""The bulk change dialog: one stage (with one date and note), lead unit,
liaison leader or tag for every deal selected in the list (crm.deals.bulk).

A lead unit, liaison or tag is picked from the ledger's own names: typing
narrows the list below the field (up/down move in it, enter takes the
highlighted name); a tag may also be a new one.
"""

from __future__ import annotations

import functools

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from crm.deals import bulk
from crm.deals.stages import STAGES
from crm.foundation.i18n import N_, _
from screens import text
from screens.forms import FormRow, read_date, show_hint
from screens.sending import SavingDialog

KIND_LABELS = (
    ("stage", N_("Stage")),
    ("lead_unit", N_("Lead unit")),
    ("liaison", N_("Liaison leader")),
    ("tag", N_("Tag")),
)
PLACEHOLDERS = {
    "lead_unit": N_("type to narrow the departments"),
    "liaison": N_("type to narrow the leaders"),
    "tag": N_("type to narrow the tags, or a new tag"),
}
SHOWN = 200  # names listed at most; typing narrows the rest


def narrowed(names: list[str], typed: str) -> list[str]:
    """The names that hold every character group typed (case-insensitive), those starting with it first."""
    words = typed.lower().split()
    found = [n for n in names if all(w in n.lower() for w in words)]
    return sorted(found, key=lambda n: not n.lower().startswith(words[0])) if words else found


class BulkDialog(SavingDialog):
    """Change every deal of `codes` at once; dismisses with crm.deals.bulk.BulkResult (None when cancelled)."""

    DEFAULT_CSS = """
    BulkDialog #bulk-names {
        height: auto;
        max-height: 6;
        width: 44;
        margin: 0 0 1 20;
        background: $boost;
    }
    """
    BINDINGS = [
        Binding("down", "pick(1)", N_("Next name"), show=False),
        Binding("up", "pick(-1)", N_("Previous name"), show=False),
    ]

    def __init__(self, codes: list[str]) -> None:
        super().__init__()
        self.codes = list(codes)
        self.choices = bulk.BulkChoices([], [], [])

    def dialog_title(self) -> str:
        return _("Change {n} deals at once").format(n=len(self.codes))

    def fields(self) -> ComposeResult:
        shown = "、".join(self.codes[:6]) + (
            _(" and {n} more").format(n=len(self.codes) - 6) if len(self.codes) > 6 else ""
        )
        yield Static(text.shown(shown), classes="dialog-line")
        yield FormRow(
            _("Change"),
            Select(
                [(_(label), kind) for kind, label in KIND_LABELS],
                id="bulk-kind",
                value="stage",
                allow_blank=False,
                compact=True,
            ),
            "hint-kind",
            required=True,
        )
        yield FormRow(
            _("New stage"),
            Select([(s.label(), s.key) for s in STAGES], id="bulk-stage", compact=True, prompt=_("choose")),
            "hint-stage",
        )
        yield FormRow(_("Set to"), Input(id="bulk-value", compact=True), "hint-value")
        yield OptionList(id="bulk-names", compact=True)
        yield FormRow(_("Effective on"), Input(self.today.isoformat(), id="bulk-on", compact=True), "hint-on")
        yield FormRow(
            _("Note"),
            Input(id="bulk-note", compact=True, placeholder=_("why, what happened (ctrl+e: editor)")),
            "hint-note",
        )

    def on_mount(self) -> None:
        self._kind_changed()
        self.set_focus(self.query_one("#bulk-stage", Select))
        self.run_worker(self._load_choices, group="bulk-choices")

    async def _load_choices(self) -> None:
        self.choices = await self.db.run(bulk.bulk_choices)
        self._narrow()

    def _kind(self) -> str:
        return str(self.query_one("#bulk-kind", Select).value)

    def _names(self) -> list[str]:
        return {
            "lead_unit": self.choices.lead_units,
            "liaison": self.choices.liaisons,
            "tag": self.choices.tags,
        }.get(self._kind(), [])

    @on(Select.Changed, "#bulk-kind")
    def _kind_changed(self) -> None:
        kind = self._kind()
        is_stage = kind == "stage"
        for field_id in ("#bulk-stage", "#bulk-on", "#bulk-note"):
            self.query_one(field_id).parent.display = is_stage
        value = self.query_one("#bulk-value", Input)
        value.parent.display = not is_stage
        self.query_one("#bulk-names", OptionList).display = not is_stage
        value.placeholder = _(PLACEHOLDERS.get(kind, ""))
        value.value = ""
        self._narrow()

    @on(Input.Changed, "#bulk-value")
    def _narrow(self) -> None:
        typed = self.query_one("#bulk-value", Input).value.strip()
        names = self._names()
        found = narrowed(names, typed)
        options: list[Option] = [Option(name, id=name) for name in found[:SHOWN]]
        hint, bad = "", False
        if self._kind() == "tag" and typed and typed not in names:
            options.append(Option(_("a new tag: {name}").format(name=typed), id=typed))
        elif typed and not found:
            hint, bad = _("no such name in the ledger"), True
        if len(found) > SHOWN:
            hint = _("{n} more: type to narrow").format(n=len(found) - SHOWN)
        show_hint(self.query_one("#hint-value", Static), hint, error=bad)
        listing = self.query_one("#bulk-names", OptionList)
        listing.clear_options()
        listing.add_options(options)
        listing.highlighted = 0 if options else None

    def action_pick(self, step: int) -> None:
        """up/down in the name field: move the highlight in the list of names below it."""
        listing = self.query_one("#bulk-names", OptionList)
        if not listing.display or not listing.option_count:
            return
        current = listing.highlighted if listing.highlighted is not None else -step
        listing.highlighted = max(0, min(current + step, listing.option_count - 1))

    @on(OptionList.OptionSelected, "#bulk-names")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self._take(str(event.option.id))

    def _take(self, name: str) -> None:
        field = self.query_one("#bulk-value", Input)
        with self.prevent(Input.Changed):
            field.value = name
        field.cursor_position = len(name)
        field.focus()
        show_hint(self.query_one("#hint-value", Static), "")

    def _highlighted_name(self) -> str | None:
        listing = self.query_one("#bulk-names", OptionList)
        if listing.highlighted is None or not listing.option_count:
            return None
        return str(listing.get_option_at_index(listing.highlighted).id)

    def submit(self) -> None:
        """Enter: with a name half typed, take the highlighted one first; with a whole name (or a new tag), save."""
        if self._kind() != "stage":
            typed = self.query_one("#bulk-value", Input).value.strip()
            picked = self._highlighted_name()
            if typed not in self._names() and picked is not None and picked != typed:
                self._take(picked)
                return
        self.action_save()

    def save(self) -> None:
        kind = self._kind()
        on_day, note = None, ""
        if kind == "stage":
            stage = self.query_one("#bulk-stage", Select).value
            if stage is Select.NULL:
                self.show_error(_("Choose the new stage"))
                return
            value = str(stage)
            on_day, hint, bad = read_date(self.query_one("#bulk-on", Input).value, self.today)
            if bad:
                self.show_error(hint)
                return
            note = self.query_one("#bulk-note", Input).value
        else:
            value = self.query_one("#bulk-value", Input).value.strip()
            if kind != "tag" and value not in self._names():
                self.show_error(_("Pick one of the names listed (type to narrow them)"))
                return
        self.run_worker(
            functools.partial(self.run_save, bulk.bulk_change, self.codes, kind, value, on=on_day, note=note),
            exclusive=True,
        )
