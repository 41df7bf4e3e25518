"""Dialog: the box every form of the TUI is drawn in, a title, its fields, an error line and Save / Cancel.

Esc and ctrl+q ask before throwing typed text away; ctrl+e writes a long text
field in $EDITOR; run_save is a crm/ write in the database thread that
dismisses with what it saved. screens.sending.SavingDialog adds what a save
in flight shows; screens.dialogs holds the small dialogs built on them.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from crm.foundation.errors import CrmError
from crm.foundation.i18n import N_, _
from crm.runtime import saved
from screens.base import CrmDialog
from screens.forms import show_hint
from screens.keys_footer import KeysFooter


class Dialog(CrmDialog):
    """A titled box with fields, an error line and Save / Cancel."""

    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save")),
        Binding("escape", "cancel", N_("Cancel")),
        # priority: a field's own ctrl+e (go to end) would take it first; on a short field it still does that
        Binding("ctrl+e", "edit_in_editor", N_("Editor"), priority=True, tooltip=N_("Write this long text in $EDITOR")),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.dialog_title(), classes="dialog-title")
            yield from self.fields()
            yield Static("", id="dialog-error", classes="dialog-error -empty")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Save"), id="save", variant="primary")
                yield Button(_("Cancel"), id="cancel")
        yield KeysFooter()

    _opened_with: tuple | None = None  # the fields' values once opened and filled: leaving with others asks first

    async def _on_mount(self) -> None:
        # Textual runs a subclass's on_mount (which fills the fields, awaiting the database) before this one.
        from screens.confirm import field_values

        self._opened_with = field_values(self)

    def typed_something(self) -> bool:
        """True when a field holds something other than what the dialog opened with."""
        from screens.confirm import field_values

        return self._opened_with is not None and field_values(self) != self._opened_with

    def action_cancel(self) -> None:
        """Esc: close; with typed text, after asking 放弃已输入的内容？"""
        self.leave(self.dismiss, None)

    def confirm_quit(self) -> bool:
        """ctrl+q (the app asks first): True when this dialog asks before the app quits, and quits on yes."""
        if not self.typed_something():
            return False
        self.leave(lambda _result: self.app.exit(), None)
        return True

    def leave(self, then, result) -> None:
        """then(result) at once when nothing was typed, else after the officer says to discard it."""
        if not self.typed_something():
            then(result)
            return
        from screens.confirm import DiscardDialog

        def answered(discard: bool | None) -> None:
            if discard:
                then(result)

        self.app.push_screen(DiscardDialog(), answered)

    def dialog_title(self) -> str:
        raise NotImplementedError

    def fields(self) -> ComposeResult:
        yield from ()

    def show_error(self, message: str) -> None:
        line = self.query_one("#dialog-error", Static)
        show_hint(line, message, error=bool(message))
        line.set_class(not message, "-empty")  # a dialog short of rows hides the line while it says nothing

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Input.Changed)
    def _edited(self) -> None:
        # An error about what was typed before is no longer true once it is changed.
        self.show_error("")

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        # ctrl+e (editor) only where a long-text field is: elsewhere it is not in the footer and fields keep their own
        if action == "edit_in_editor":
            from screens.editor import LONG_TEXT_FIELDS

            return any(field.id in LONG_TEXT_FIELDS for field in self.query(Input))
        return super().check_action(action, parameters)

    def action_edit_in_editor(self) -> None:
        """ctrl+e: the focused long-text field in $EDITOR; elsewhere the field's own ctrl+e (end of line)."""
        from screens.editor import LONG_TEXT_FIELDS, edit_text

        field = self.focused
        if not isinstance(field, Input):
            return
        if field.id not in LONG_TEXT_FIELDS:
            field.action_end()
            return
        try:
            edited = edit_text(self.app, field.value)
        except CrmError as err:
            self.show_error(str(err))
            return
        if edited is not None:
            field.value = edited.replace("\n", " ") if "\n" in edited and not _multiline(field) else edited
            field.focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.submit()

    def submit(self) -> None:
        """Enter in a field: save (a dialog may do something else first, e.g. preview)."""
        self.action_save()

    def action_save(self) -> None:
        self.show_error("")
        self.save()

    def save(self) -> None:
        raise NotImplementedError

    async def run_save(self, fn, *args, **kwargs):
        """Run a crm/ write in the database thread; on success dismiss with what it says (True, or its text), else show the error."""
        try:
            result = await self.db.run(saved, fn, *args, **kwargs)
        except CrmError as err:
            self.show_error(self.error_text(err))
            return None
        self.dismiss(result)
        return result

    def error_text(self, err: CrmError) -> str:
        """What the dialog says when crm refuses the save: crm's message, unless the dialog words it in its own
        terms (crm's messages are also the command line's, which name its commands and flags)."""
        return str(err)


def _multiline(field: Input) -> bool:
    """Fields whose value may hold line breaks (the deal's notes and plan); others get one line."""
    return field.id in ("f-notes", "f-responsibility_plan")
