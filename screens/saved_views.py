"""Named views of the deal list: a filter and a sort saved under a name (per
user, crm.foundation.config.views_path), recalled from the palette, and shown,
renamed or deleted in the views dialog (V on the deal list, or the palette)."""

from __future__ import annotations

from dataclasses import asdict, fields

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from crm.foundation import config
from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import N_, _
from crm.foundation.text import clean_text
from crm.listing.pages import SORTS, ListFilter, Order
from screens.base import CrmDialog
from screens.dialogs import Dialog
from screens.forms import FormRow, show_hint
from screens.keys_footer import KeysFooter


def view_of(flt: ListFilter, order: Order) -> dict:
    """What is saved of a list: its filter's fields that are set and its sort."""
    return {
        "filter": {k: v for k, v in asdict(flt).items() if v not in (None, "")},
        "order": {"key": order.key, "descending": order.descending},
    }


def from_view(view: dict) -> tuple[ListFilter, Order]:
    """The filter and sort of a saved view; what a newer or hand-edited file holds that this version lacks is left out."""
    known = {f.name for f in fields(ListFilter)}
    flt = ListFilter(**{k: v for k, v in (view.get("filter") or {}).items() if k in known})
    order = view.get("order") or {}
    key = order.get("key") if order.get("key") in SORTS else Order().key
    descending = order.get("descending")
    return flt, Order(key, descending if isinstance(descending, bool) else None)


class SaveViewDialog(Dialog):
    """Ask for the name to save the current filter and sort under; dismisses with the name."""

    def __init__(self, flt: ListFilter, order: Order) -> None:
        super().__init__()
        self.flt, self.order = flt, order

    def dialog_title(self) -> str:
        return _("Save this view of the deal list")

    def fields(self) -> ComposeResult:
        yield FormRow(
            _("View name"),
            Input(id="view-name", compact=True, placeholder=_("e.g. 涿州在谈")),
            "hint-name",
            required=True,
        )

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#view-name", Input))

    def save(self) -> None:
        try:
            name = clean_text(self.query_one("#view-name", Input).value, _("View name"), max_length=40, required=True)
        except InvalidInput as err:
            self.show_error(str(err))
            return
        try:
            config.save_view(name, view_of(self.flt, self.order))
        except OSError as err:
            self.show_error(_("Cannot save the view: {reason}").format(reason=err.strerror or err))
            return
        self.dismiss(name)


class ViewList(OptionList):
    """The list of saved views, whose enter says what it does."""

    BINDINGS = [Binding("enter", "select", N_("Show"))]


class ViewsDialog(CrmDialog):
    """The saved views: enter shows one, r renames it, d deletes it (after a second d). Dismisses with the name
    of the view to show, or None."""

    DEFAULT_CSS = """
    ViewsDialog #views-list { height: auto; max-height: 12; margin-bottom: 1; }
    ViewsDialog #view-rename { display: none; margin-bottom: 1; }
    ViewsDialog #view-rename.-renaming { display: block; }
    ViewsDialog #views-line { height: auto; }
    """
    BINDINGS = [
        Binding("r", "rename", N_("Rename")),
        Binding("d", "delete", N_("Delete"), tooltip=N_("Asks first: press d again to delete")),
        Binding("escape", "cancel", N_("Close")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._doomed: str | None = None  # the view a first d asked about
        self._renaming: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Saved views of the deal list"), classes="dialog-title")
            yield ViewList(id="views-list", compact=True)
            yield Input(id="view-rename", compact=True)
            yield Static("", id="views-line", classes="dialog-line")
        yield KeysFooter()

    def on_mount(self) -> None:
        self._fill()
        self.set_focus(self.query_one("#views-list", OptionList))

    def _fill(self, keep: str | None = None) -> None:
        names = list(config.saved_views())
        listing = self.query_one("#views-list", OptionList)
        listing.clear_options()
        listing.add_options([Option(name, id=name) for name in names])
        if names:
            listing.highlighted = names.index(keep) if keep in names else 0
        else:
            self._say(_("No saved views: ctrl+w on the deal list saves its filter and sort under a name"))

    def _say(self, message: str, error: bool = False) -> None:
        show_hint(self.query_one("#views-line", Static), message, error)

    def current(self) -> str | None:
        """The name of the highlighted view."""
        listing = self.query_one("#views-list", OptionList)
        if listing.highlighted is None or not listing.option_count:
            return None
        return str(listing.get_option_at_index(listing.highlighted).id)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("show", "rename", "delete"):
            return self._renaming is None and self.current() is not None
        return super().check_action(action, parameters)

    @on(OptionList.OptionHighlighted, "#views-list")
    def _moved(self) -> None:
        if self._doomed is not None and self._doomed != self.current():
            self._doomed = None
            self._say("")

    @on(OptionList.OptionSelected, "#views-list")
    def _selected(self) -> None:
        self.action_show()

    def action_show(self) -> None:
        """enter: show the deal list with this view."""
        if self.current() is not None:
            self.dismiss(self.current())

    def action_delete(self) -> None:
        """d: ask; d again on the same view: delete it."""
        name = self.current()
        if name is None:
            return
        if self._doomed != name:
            self._doomed = name
            self._say(_("Delete the view “{name}”? Press d again to delete it").format(name=name), error=True)
            return
        self._doomed = None
        try:
            config.delete_view(name)
        except OSError as err:
            self._say(_("Cannot save the views: {reason}").format(reason=err.strerror or err), error=True)
            return
        self._fill()
        if self.current() is not None:
            self._say(_("View “{name}” deleted").format(name=name))
        self.refresh_bindings()

    def action_rename(self) -> None:
        """r: type the new name in the field below the list; enter saves it, esc leaves it as it was."""
        name = self.current()
        if name is None:
            return
        self._renaming, self._doomed = name, None
        field = self.query_one("#view-rename", Input)
        field.value = name
        field.add_class("-renaming")
        field.focus()
        self._say(_("New name for “{name}”: enter to save, esc to keep it").format(name=name))
        self.refresh_bindings()

    @on(Input.Submitted, "#view-rename")
    def _renamed(self) -> None:
        old = self._renaming
        if old is None:
            return
        try:
            new = clean_text(self.query_one("#view-rename", Input).value, _("View name"), max_length=40, required=True)
            config.rename_view(old, new)
        except InvalidInput as err:
            self._say(str(err), error=True)
            return
        except ValueError:
            self._say(_("A view named “{name}” exists already").format(name=new), error=True)
            return
        except (KeyError, OSError):
            self._say(_("The view “{name}” could not be renamed").format(name=old), error=True)
            return
        self._end_rename(keep=new)
        self._say(_("View “{old}” renamed “{new}”").format(old=old, new=new))

    def _end_rename(self, keep: str | None) -> None:
        self._renaming = None
        self.query_one("#view-rename", Input).remove_class("-renaming")
        self._fill(keep)
        self.query_one("#views-list", OptionList).focus()
        self.refresh_bindings()

    def action_cancel(self) -> None:
        """esc: while renaming, keep the old name; else close."""
        if self._renaming is not None:
            keep = self._renaming
            self._end_rename(keep)
            self._say("")
            return
        self.dismiss(None)
