"""A save handed to the database is not pretended away (a frozen server: the tester's `kill -STOP`).

Once a form's write is in the database thread it cannot be taken back: a
cancel request is a new connection to the server, which a frozen server does
not answer either, and one that arrives after COMMIT undoes nothing. So while
the write is in flight the form says 正在保存…, keeps its fields read-only (a
later keystroke would not be in what is written), ignores a second save (a
second write of the same version, refused as a conflict with the first), and
on Esc says plainly that the save is sent and may still be written, staying
open until the server answers. ctrl+q asks before quitting without waiting; a save that fails while that
question is open turns it into what happened (nothing written, and why) before the officer answers it.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, Label, Static

from crm.foundation.errors import CrmError
from crm.foundation.i18n import N_, _
from crm.runtime import saved
from screens.base import CrmDialog
from screens.dialog_box import Dialog
from screens.forms import show_hint
from screens.keys_footer import KeysFooter

#: What a form holds that the officer types into or presses: read-only while its save is in flight.
CONTROLS = "Input, TextArea, Select, SelectionList, Checkbox, Button"


def sent_text() -> str:
    """What Esc in a form whose save is in flight says (it does not close the form)."""
    return _(
        "The save has been sent to the server and may still be written when it answers: the form stays open "
        "until the save is done or fails (ctrl+q quits without waiting)"
    )


class QuitWhileSavingDialog(CrmDialog):
    """ctrl+q while a save is in flight: dismisses with True (quit without waiting) or False (wait: Esc, n).

    When the save fails meanwhile, save_failed() makes it say so: nothing was written, why, and that n (Esc) goes
    back to the form, where what was typed is kept."""

    BINDINGS = [
        Binding("y", "answer(True)", N_("Quit")),
        # n waits for the save, or goes back to the form once it failed: the footer names the one that applies
        Binding("n", "answer(False)", N_("Wait")),
        Binding("n", "back", N_("Back")),
        Binding("escape", "answer(False)", N_("Wait"), show=False),
        Binding("escape", "back", N_("Back"), show=False),
    ]
    _failed = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                _("The save has been sent and may still be written when the server answers. Quit without waiting?"),
                classes="dialog-title",
                id="quit-saving-question",
            )
            yield Static("", id="quit-saving-why", classes="dialog-error")  # why a failed save was refused
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Quit (y)"), id="quit-yes", variant="error")
                yield Button(_("Wait (n)"), id="quit-no", variant="primary")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(".dialog").styles.width = 60  # a question, not a form
        self.query_one("#quit-saving-why", Static).display = False
        self.set_focus(self.query_one("#quit-no", Button))

    def save_failed(self, reason: str = "") -> None:
        """The save asked about failed: the question says nothing was written (and `reason`, when given) and n (Esc)
        now goes back to the form; y still quits."""
        self.query_one("#quit-saving-question", Label).update(
            _(
                "The save failed: nothing was written. Quit anyway, or go back to the form, where what you typed is kept?"
            )
        )
        self.query_one("#quit-no", Button).label = _("Back (n)")  # the button is 16 cells wide
        self._failed = True
        self.refresh_bindings()
        if reason:
            why = self.query_one("#quit-saving-why", Static)
            show_hint(why, reason, error=True)
            why.display = True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "quit-yes")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """n and Esc wait until the save failed, then go back to the form (Textual tries a key's next binding)."""
        if action == "answer" and parameters == (False,):
            return not self._failed
        if action == "back":
            return self._failed
        return super().check_action(action, parameters)

    def action_answer(self, quit_now: bool) -> None:
        self.dismiss(quit_now)

    def action_back(self) -> None:
        self.dismiss(False)


class SavingDialog(Dialog):
    """A dialog whose save is one write in the database thread.

    It calls begin_save() as it hands the write over, finish(result)
    when it is written, and save_ended() when it failed (before saying why);
    run_save does all three for a write that needs nothing more.
    """

    _in_flight = False
    _disabled: tuple[Widget, ...] = ()  # the controls begin_save made read-only
    _focused: Widget | None = None  # where the officer was, given back by save_ended

    def begin_save(self) -> None:
        """The write is handed over now: say so, and make the fields read-only until it answers."""
        self._in_flight = True
        self._focused = self.focused
        self._disabled = tuple(w for w in self.query(CONTROLS) if not w.disabled)
        for widget in self._disabled:
            widget.disabled = True
        self.show_error(_("Saving…"))
        self.query_one("#dialog-error", Static).set_class(False, "-error")  # news, not a problem

    def save_ended(self) -> None:
        """The write failed: the fields are the officer's again (the caller then says why); a quit question open
        over the form says the save failed, and shows why as the caller says it (show_error)."""
        self._in_flight = False
        for widget in self._disabled:
            widget.disabled = False
        self._disabled = ()
        self.show_error("")
        question = self._quit_question()
        if question is not None:
            question.save_failed()
        if self._focused is not None and self._focused.is_attached:
            self._focused.focus()

    def show_error(self, message: str) -> None:
        """The form's error line; after a failed save, also the reason in the quit question open over the form."""
        super().show_error(message)
        question = self._quit_question() if message and not self._in_flight else None
        if question is not None:
            question.save_failed(message)

    def _quit_question(self) -> QuitWhileSavingDialog | None:
        """The quit question (ctrl+q while the save was in flight) open over this form, if any."""
        stack = self.app.screen_stack
        if self not in stack:
            return None
        return next((s for s in stack[stack.index(self) + 1 :] if isinstance(s, QuitWhileSavingDialog)), None)

    async def run_save(self, fn, *args, **kwargs):
        """Dialog.run_save as this form's one save: in flight from the moment it is handed over, the fields given
        back with the error when crm refuses it."""
        self.begin_save()
        try:
            result = await self.db.run(saved, fn, *args, **kwargs)
        except CrmError as err:
            self.save_ended()
            self.show_error(self.error_text(err))
            return None
        await self.finish(result)
        return result

    async def finish(self, result: object) -> None:
        """The write is done: dismiss with `result`, first closing what was asked over the form meanwhile."""
        self._in_flight = False
        app = self.app
        while self in app.screen_stack and app.screen is not self:
            await app.screen.dismiss(None)  # the quit question: the save it asked about is written
        if app.screen is self:
            self.dismiss(result)

    def action_save(self) -> None:
        """ctrl+s: save, unless a save is in flight (it would be a second write of the same version)."""
        if self._in_flight:
            self.show_error(_("Already saving: the save sent is waited for, not sent again"))
            return
        super().action_save()

    def action_cancel(self) -> None:
        """Esc: close (asking first about typed text), unless a save is in flight: then say it is sent."""
        if self._in_flight:
            self.show_error(sent_text())
            return
        super().action_cancel()

    def confirm_quit(self) -> bool:
        """ctrl+q: with a save in flight, ask before quitting without waiting for it (True: asked)."""
        if not self._in_flight:
            return super().confirm_quit()

        def answered(quit_now: bool | None) -> None:
            if quit_now:
                self.app.exit()

        self.app.push_screen(QuitWhileSavingDialog(), answered)
        return True
