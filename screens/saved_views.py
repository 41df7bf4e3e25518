"""Named views of the deal list: a filter and a sort saved under a name (per
user, crm.foundation.config.views_path) and recalled from the palette."""

from __future__ import annotations

from dataclasses import asdict, fields

from textual.app import ComposeResult
from textual.widgets import Input

from crm.foundation import config
from crm.foundation.errors import InvalidInput
from crm.foundation.i18n import _
from crm.foundation.text import clean_text
from crm.listing.pages import SORTS, ListFilter, Order
from screens.dialogs import Dialog
from screens.forms import FormRow


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
            _("Name"), Input(id="view-name", compact=True, placeholder=_("e.g. 涿州在谈")), "hint-name", required=True
        )

    def on_mount(self) -> None:
        self.query_one("#view-name", Input).focus()

    def save(self) -> None:
        try:
            name = clean_text(self.query_one("#view-name", Input).value, _("Name"), max_length=40, required=True)
        except InvalidInput as err:
            self.show_error(str(err))
            return
        try:
            config.save_view(name, view_of(self.flt, self.order))
        except OSError as err:
            self.show_error(_("Cannot save the view: {reason}").format(reason=err.strerror or err))
            return
        self.dismiss(name)
