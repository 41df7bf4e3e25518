"""The actions on one deal, shared by every screen that has a current deal
(the list, the detail, the board): n new, e edit, s stage, b blocker,
p progress, f funds, d departments, y copy, enter open. A screen says which deal is current and what to
refresh after a change."""

from __future__ import annotations

from textual.actions import SkipAction
from textual.binding import Binding
from textual.widgets import Input, OptionList

from crm.foundation.i18n import N_, _

# The keys that open a form are priority bindings: taken as the app reads them, so the letters typed right after
# one (read from the terminal with it) go to the form it opens, not to the list behind it.
DEAL_BINDINGS = [
    Binding("n", "new_deal", N_("New"), priority=True),
    Binding("e", "edit", N_("Edit"), priority=True),
    Binding("s", "stage", N_("Stage"), priority=True),
    Binding("b", "blocker", N_("Blocker"), priority=True),
    Binding(
        "p",
        "progress",
        N_("Progress"),
        tooltip=N_("Write a line of the deal's weekly progress log"),
        priority=True,
    ),
    Binding("f", "funds", N_("Funds"), show=False, priority=True),
    Binding("d", "departments", N_("Departments"), show=False, priority=True),
    Binding(
        "y",
        "copy_summary",
        N_("Copy line"),
        show=False,
        tooltip=N_("Copy the deal's one-line summary to the clipboard"),
    ),
]


class DealActions:
    """Mixin for a Screen with a current deal."""

    def current_code(self) -> str | None:
        raise NotImplementedError

    def deal_changed(self, code: str | None) -> None:
        """Refresh after a dialog saved something about deal `code`."""

    def _letters_are_typed(self) -> None:
        """Raise SkipAction where the focused widget takes typed letters (a text box, an open list's search): there
        a key bound with priority (a form's, the search's '/') is the letter."""
        if isinstance(self.focused, Input | OptionList):  # type: ignore[attr-defined]  # the Screen's
            raise SkipAction()

    def _code_or_warn(self) -> str | None:
        """The current deal's code for an action on it (none where the key is a letter typed: _letters_are_typed),
        or None with a warning when no deal is chosen."""
        self._letters_are_typed()
        code = self.current_code()
        if not code:
            self.notify(_("Choose a deal first"), severity="warning")
        return code

    def _after(self, result) -> None:
        if result is not None:
            code = result if isinstance(result, str) else self.current_code()
            self.deal_changed(code)

    def action_new_deal(self) -> None:
        from screens.deal_form import DealForm

        self._letters_are_typed()

        def created(code: str | None) -> None:
            if code:
                self.notify(_("Deal {code} created").format(code=code))
                self.deal_changed(code)

        self.app.push_screen(DealForm(), created)

    def action_edit(self) -> None:
        from screens.deal_form import DealForm

        if code := self._code_or_warn():
            self.app.push_screen(DealForm(code), self._after)

    def action_stage(self, target: str | None = None) -> None:
        from screens.dialogs import StageDialog

        if code := self._code_or_warn():
            self.app.push_screen(StageDialog(code, target), self._after)

    def action_blocker(self) -> None:
        from screens.dialogs import BlockerDialog

        if code := self._code_or_warn():
            self.app.push_screen(BlockerDialog(code), self._after)

    def action_progress(self) -> None:
        from screens.progress_dialog import ProgressDialog

        def written(entry) -> None:
            if entry is not None:
                self.notify(_("Progress of {day} recorded").format(day=entry.on))
                self.deal_changed(self.current_code())

        if code := self._code_or_warn():
            self.app.push_screen(ProgressDialog(code), written)

    def action_funds(self) -> None:
        from screens.dialogs import FundsDialog

        if code := self._code_or_warn():
            self.app.push_screen(FundsDialog(code), self._after)

    def action_departments(self) -> None:
        from screens.dialogs import DepartmentsDialog

        if code := self._code_or_warn():
            self.app.push_screen(DepartmentsDialog(code), self._after)

    async def action_copy_summary(self) -> None:
        """y: the deal's one line to the clipboard, through the terminal (OSC 52: works over SSH too)."""
        from crm.listing import views as deal_views
        from screens import text

        if code := self._code_or_warn():
            deal = await self.app.db.run(deal_views.detail, code)
            line = text.deal_line(deal)
            self.app.copy_to_clipboard(line)
            self.notify(text.shown(_("Copied: {line}").format(line=line)))

    def action_open_deal(self) -> None:
        if code := self._code_or_warn():
            self.app.open_deal(code)
