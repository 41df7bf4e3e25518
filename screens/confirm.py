"""Asking before typed text is thrown away (放弃已输入的内容？): Esc or ctrl+q in a form or dialog.

A dialog remembers what its fields held once it was opened and filled
(defaults, the deal being edited); leaving it with anything different asks
first, leaving it untouched does not.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, SelectionList, TextArea

from crm.foundation.i18n import N_, _
from screens.base import CrmDialog
from screens.keys_footer import KeysFooter


def field_values(root: Widget) -> tuple:
    """What the fields under `root` hold, in order: the typing a dialog would lose."""
    values = []
    for widget in root.query("Input, TextArea, Select, SelectionList, Checkbox"):
        if isinstance(widget, Input):
            values.append(widget.value)
        elif isinstance(widget, TextArea):
            values.append(widget.text)
        elif isinstance(widget, SelectionList):
            values.append(tuple(sorted(map(str, widget.selected))))
        elif isinstance(widget, Select | Checkbox):
            values.append(widget.value)
    return tuple(values)


class DiscardDialog(CrmDialog):
    """放弃已输入的内容？ Dismisses with True (discard) or False (keep editing: Esc, n)."""

    BINDINGS = [
        Binding("y", "answer(True)", N_("Discard")),
        Binding("n", "answer(False)", N_("Keep editing")),
        Binding("escape", "answer(False)", N_("Keep editing"), show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Discard what you typed?"), classes="dialog-title", id="discard-question")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Discard (y)"), id="discard-yes", variant="error")
                yield Button(_("Keep editing (n)"), id="discard-no", variant="primary")
        yield KeysFooter()

    def on_mount(self) -> None:
        # a question, not a form: narrower than the dialogs' width in app.tcss (which outranks DEFAULT_CSS)
        self.query_one(".dialog").styles.width = 50
        self.set_focus(self.query_one("#discard-no", Button))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "discard-yes")

    def action_answer(self, discard: bool) -> None:
        self.dismiss(discard)
