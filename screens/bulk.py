"""The bulk change dialog: one stage (with one date and note), lead unit,
liaison leader or tag for every deal selected in the list (crm.deals.bulk)."""

from __future__ import annotations

import functools

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Select, Static

from crm.deals import bulk
from crm.deals.stages import STAGES
from crm.foundation.i18n import N_, _
from screens import text
from screens.dialogs import Dialog
from screens.forms import FormRow, read_date, show_hint

KIND_LABELS = (
    ("stage", N_("Stage")),
    ("lead_unit", N_("Lead unit")),
    ("liaison", N_("Liaison leader")),
    ("tag", N_("Tag")),
)
PLACEHOLDERS = {"lead_unit": N_("a department's name"), "liaison": N_("a leader's name"), "tag": N_("e.g. 市重点")}


class BulkDialog(Dialog):
    """Change every deal of `codes` at once; dismisses with crm.deals.bulk.BulkResult (None when cancelled)."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__()
        self.codes = list(codes)

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
        yield FormRow(_("Effective on"), Input(self.today.isoformat(), id="bulk-on", compact=True), "hint-on")
        yield FormRow(
            _("Note"),
            Input(id="bulk-note", compact=True, placeholder=_("why, what happened (ctrl+e: editor)")),
            "hint-note",
        )

    def on_mount(self) -> None:
        self._kind_changed()
        self.query_one("#bulk-stage", Select).focus()

    @on(Select.Changed, "#bulk-kind")
    def _kind_changed(self) -> None:
        kind = self.query_one("#bulk-kind", Select).value
        is_stage = kind == "stage"
        for field_id in ("#bulk-stage", "#bulk-on", "#bulk-note"):
            self.query_one(field_id).parent.display = is_stage
        value = self.query_one("#bulk-value", Input)
        value.parent.display = not is_stage
        value.placeholder = _(PLACEHOLDERS.get(kind, ""))

    @on(Input.Changed, "#bulk-on")
    def _check_on(self, event: Input.Changed) -> None:
        _day, hint, bad = read_date(event.value, self.today)
        show_hint(self.query_one("#hint-on", Static), hint, bad)

    def save(self) -> None:
        kind = self.query_one("#bulk-kind", Select).value
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
            value = self.query_one("#bulk-value", Input).value
        self.run_worker(
            functools.partial(self.run_save, bulk.bulk_change, self.codes, kind, value, on=on_day, note=note),
            exclusive=True,
        )
