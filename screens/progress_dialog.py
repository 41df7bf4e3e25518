"""p: write a line of the deal's progress log (本周进展), dated today unless changed.

Saved through crm.deals.progress.add_progress with the officer as author; the
timeline of the Detail screen and the list's 最近进展 show it at once.
"""

from __future__ import annotations

import functools

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Static

from crm.deals.progress import MAX_TEXT, add_progress
from crm.foundation.errors import CrmError, NotFound
from crm.foundation.i18n import _
from screens.deal_form import gone_text
from screens.forms import FormRow, read_date, show_hint
from screens.sending import SavingDialog


class ProgressDialog(SavingDialog):
    """Dismisses with the saved entry (a ProgressEntry), None when cancelled."""

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code

    def dialog_title(self) -> str:
        return _("Write progress") + f" · {self.code}"

    def fields(self) -> ComposeResult:
        yield FormRow(
            _("Progress"),
            Input(
                id="progress-text",
                compact=True,
                max_length=MAX_TEXT,
                # short enough for the field at 80 columns: a longer placeholder is cut (Textual wraps it)
                placeholder=_("what happened, e.g. 施工图审查通过"),
            ),
            "hint-text",
            required=True,
        )
        yield FormRow(
            _("Date"), Input(self.today.isoformat(), id="progress-on", compact=True), "hint-on", required=True
        )

    def on_mount(self) -> None:
        show_hint(self.query_one("#hint-text", Static), _("ctrl+e: write it in an editor"))
        self.set_focus(self.query_one("#progress-text", Input))

    @on(Input.Changed, "#progress-on")
    def _check_on(self, event: Input.Changed) -> None:
        day, hint, bad = read_date(event.value, self.today)
        if day and day > self.today:
            hint, bad = _("{day} is in the future").format(day=day), True
        show_hint(self.query_one("#hint-on", Static), hint, bad)

    def error_text(self, err: CrmError) -> str:
        """The deal gone (deleted, or its import reverted, meanwhile): said in the TUI's words, naming its code
        (crm's message names the command line's `crm deals`, or the deal's row id when it went during the save)."""
        return gone_text(self.code) if isinstance(err, NotFound) else str(err)

    def save(self) -> None:
        day, hint, bad = read_date(self.query_one("#progress-on", Input).value, self.today)
        if day and day > self.today:
            hint, bad = _("{day} is in the future").format(day=day), True
        if bad or day is None:
            self.show_error(hint or _("Enter the date of the progress"))
            return
        entry = self.query_one("#progress-text", Input).value
        if not entry.strip():
            self.show_error(_("Write what happened"))
            return
        self.run_worker(functools.partial(self.run_save, add_progress, self.code, entry, on=day), exclusive=True)
