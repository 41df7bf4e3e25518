"""The imports recorded (`crm import list`), and reverting one (`crm import revert N`) after saying what it undoes.

Opened from the command palette (Revert an import) and from the Import dialog (ctrl+l). Reverting goes through
crm.importing.records.revert_import in the database thread; what crm refuses (a deal changed since, an import
reverted already) stays in the dialog as its message.
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, Label, OptionList, Static
from textual.widgets.option_list import Option

from crm.foundation.config import current_actor
from crm.foundation.errors import CrmError
from crm.foundation.i18n import N_, _
from crm.importing.records import ImportSummary, list_imports, revert_import
from screens import text
from screens.base import CrmDialog
from screens.forms import WrappedText, show_hint
from screens.keys_footer import KeysFooter
from screens.sending import SavingDialog


def open_imports(app: App) -> None:
    """Show the imports recorded over the current screen; a revert's result becomes a toast."""

    def done(message: str | None) -> None:
        if message:
            app.notify(text.shown(message), timeout=8)

    app.push_screen(ImportsDialog(), done)


def _source(summary: ImportSummary) -> str:
    """The file an import read (its name, not the path it was typed as) and its sheet."""
    return Path(summary.source).name + (f" [{summary.sheet}]" if summary.sheet else "")


def import_line(summary: ImportSummary) -> str:
    """One import as the list shows it: number, when, who, file, counts, and when it was reverted."""
    line = _("{n}  {at:%Y-%m-%d %H:%M}  {actor}  {source}  created {created}, updated {updated}").format(
        n=summary.id,
        at=summary.at,
        actor=summary.actor,
        source=_source(summary),
        created=summary.created,
        updated=summary.updated,
    )
    if summary.reverted_at:
        line += "  " + _("reverted {at:%Y-%m-%d %H:%M}").format(at=summary.reverted_at)
    return line


class ImportList(OptionList):
    """The imports, newest first; enter asks to revert the highlighted one."""

    BINDINGS = [Binding("enter", "select", N_("Revert"))]


class ImportsDialog(CrmDialog):
    """The imports recorded, newest first; enter on one that stands asks to revert it (RevertImportDialog).

    Dismisses with the revert's result line, or None."""

    DEFAULT_CSS = """
    ImportsDialog #imports-list { height: auto; max-height: 14; margin-bottom: 1; }
    ImportsDialog #imports-line { height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", N_("Close"))]

    def __init__(self) -> None:
        super().__init__()
        self.imports: list[ImportSummary] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Imports recorded"), classes="dialog-title")
            yield ImportList(id="imports-list", compact=True)
            yield Static("", id="imports-line", classes="dialog-line")
        yield KeysFooter()

    async def on_mount(self) -> None:
        try:
            self.imports = await self.db.run(list_imports)
        except CrmError as err:
            self._say(str(err), error=True)
            return
        listing = self.query_one("#imports-list", ImportList)
        listing.add_options(
            [Option(text.shown(import_line(s)), id=str(s.id), disabled=s.reverted_at is not None) for s in self.imports]
        )
        standing = [s for s in self.imports if s.reverted_at is None]
        if standing:
            listing.highlighted = self.imports.index(standing[0])
            self._say(_("Enter on an import asks before reverting it; imports are reverted newest first"))
        elif self.imports:
            self._say(_("Every import recorded has been reverted"))
        else:
            self._say(_("No imports recorded"))
        self.set_focus(listing)

    def _say(self, message: str, error: bool = False) -> None:
        show_hint(self.query_one("#imports-line", Static), message, error)

    @on(OptionList.OptionSelected, "#imports-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        chosen = next(s for s in self.imports if str(s.id) == event.option.id)
        self.app.push_screen(RevertImportDialog(chosen), self._reverted)

    def _reverted(self, message: str | None) -> None:
        if message:
            self.dismiss(message)


class RevertImportDialog(SavingDialog):
    """Says what reverting import `summary` undoes; Revert (ctrl+s) does it. Dismisses with the result line."""

    BINDINGS = [Binding("ctrl+s", "save", N_("Revert"))]

    def __init__(self, summary: ImportSummary) -> None:
        super().__init__()
        self.summary = summary

    def dialog_title(self) -> str:
        return _("Revert import {n}").format(n=self.summary.id)

    def fields(self) -> ComposeResult:
        s = self.summary
        what = _(
            "Import {n} read {source} on {at:%Y-%m-%d %H:%M} ({actor}). Reverting it deletes the deals it created "
            "({created}) and puts the deals it updated ({updated}) back as they were before it, with the stage "
            "changes, problems, funds and progress it recorded. It is refused when any of those deals has been "
            "changed since."
        ).format(n=s.id, source=_source(s), at=s.at, actor=s.actor, created=s.created, updated=s.updated)
        # wrapped between Chinese characters, never at the spaces around a number (它新建的 2 / 个项目); a file's name
        # may hold markup characters: shown as plain text
        yield Static(WrappedText(text.plain(what)), id="revert-what", classes="dialog-line")

    def on_mount(self) -> None:
        save = self.query_one("#save", Button)
        save.label = _("Revert")
        save.variant = "error"
        self.set_focus(self.query_one("#cancel", Button))  # a stray enter keeps the import

    def save(self) -> None:
        self.run_worker(self._revert, exclusive=True, group="revert-import")

    async def _revert(self) -> None:
        self.begin_save()
        try:
            done = await self.db.run(revert_import, self.summary.id, current_actor())
        except CrmError as err:
            self.save_ended()
            self.show_error(str(err))
            return
        await self.finish(
            _("Import {n} ({source}) reverted: {created} deals removed, {updated} put back").format(
                n=done.id, source=_source(done), created=done.created, updated=done.updated
            )
        )
