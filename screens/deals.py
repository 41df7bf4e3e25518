"""Deals: the home screen. Search as you type, quick filters, sort by any
column, and a line with the count and 亿元 total of what is shown."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, replace

from rich.cells import cell_len
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widget import AwaitMount
from textual.widgets import Input, Select, Static

from crm.deals.archived import forget_archived
from crm.deals.stages import STAGES
from crm.foundation.i18n import N_, _
from crm.listing import pages as deal_pages
from crm.listing.pages import ListFilter, Order
from screens import text
from screens.base import CrmScreen
from screens.deal_actions import DEAL_BINDINGS, DealActions
from screens.deal_list import COLUMNS, SORT_OF_COLUMN, STALE_MARK, DealList, DealListHeader
from screens.first_header import FirstHeader
from screens.keys_footer import KeysFooter
from screens.quick_filter import QUICK_FILTERS, QuickFilterLine, quick_filters
from screens.search_box import SearchBox

SORT_CYCLE = [SORT_OF_COLUMN.get(c.key, c.key) for c in COLUMNS if c.key != "yi" and c.sortable]
# The search box's least width and the five quick filters, each with the cell after it: narrower, the filters
# go on a second line (on one, the third ran off the right edge without its ▼ and the others were out of reach).
FILTERS_ON_ONE_LINE = 24 + 1 + sum(width + 1 for _name, _prompt, width in QUICK_FILTERS)
SORT_LABELS = {SORT_OF_COLUMN.get(c.key, c.key): c.label for c in COLUMNS if c.key != "yi" and c.sortable}


STATUS_SEPARATOR = "  ·  "


def two_lines(line: str, width: int) -> str:
    """A status `line` too long for `width` cells broken after its last part (between two  ·  ) that fits the first
    line, so that no part is broken in two; as it is when it fits."""
    if cell_len(line) <= width:
        return line
    parts = line.split(STATUS_SEPARATOR)
    first = next((n for n in range(len(parts) - 1, 0, -1) if cell_len(STATUS_SEPARATOR.join(parts[:n])) <= width), 0)
    if not first:
        return line
    return STATUS_SEPARATOR.join(parts[:first]) + "\n" + STATUS_SEPARATOR.join(parts[first:])


@dataclass(frozen=True)
class FilterChoices:
    regions: list
    events: list  # (label, id)
    departments: list
    industries: list


def _filter_choices() -> FilterChoices:
    from crm.reference.views import department_names, event_infos  # here: read after the first rows are painted

    return FilterChoices(
        deal_pages.regions(),
        [(e.label, e.id) for e in event_infos()],
        department_names(),
        deal_pages.industries(),
    )


class DealsScreen(DealActions, CrmScreen):
    BINDINGS = [
        # e is in the keys panel (and on Detail): at 80 columns in English the footer keeps ? in sight
        *(dataclasses.replace(b, show=False) if b.key == "e" else b for b in DEAL_BINDINGS),
        Binding("x", "app.export", N_("Export")),
        Binding("i", "app.import_ledger", N_("Import"), show=False),
        # Priority: taken as the app reads it, so the letters typed right after it go to the box it opens.
        # In the footer when there is room only: the search box on screen already says "/ Search".
        Binding("slash", "search", N_("Search"), priority=True, show=False),
        Binding("o", "sort_next", N_("Sort"), show=False),  # in the keys panel (?); the header's click sorts too
        Binding("r", "sort_reverse", N_("Reverse"), show=False),
        # esc clears a selection first (shown while there is one: check_action), then the search and filters
        Binding("escape", "clear_selection", N_("Unselect"), tooltip=N_("Clear the selection made with space")),
        Binding("escape", "clear", N_("Clear search"), show=False),
        Binding(
            "F",
            "quick_filters",
            N_("Filters"),
            show=False,
            tooltip=N_("To the quick filters: stage, region, event, department, industry (tab to the next, esc back)"),
        ),
        Binding(
            "B",
            "bulk",
            N_("Bulk change"),
            show=False,
            tooltip=N_("Change stage, lead unit, liaison or tag of the selected deals"),
        ),
        Binding(
            "ctrl+w",
            "save_view",
            N_("Save view"),
            show=False,
            tooltip=N_("Save this filter and sort under a name, for the palette"),
        ),
        Binding(
            "V",
            "manage_views",
            N_("Saved views"),
            show=False,
            tooltip=N_("Show, rename or delete the saved views"),
        ),
        Binding(
            "A",
            "toggle_archived",
            N_("Archived"),
            show=False,
            tooltip=N_("Show archived deals in the list too (a on a deal's detail restores it), or hide them again"),
        ),
        Binding("ctrl+r", "refresh", N_("Refresh"), show=False),
    ]
    # shown in the footer as its width allows, in this order (screens.keys_footer)
    FOOTER_WHEN_ROOM = (
        "clear_selection",
        "app.import_ledger",
        "search",
        "quick_filters",
        "toggle_selected",
        "edit",
        "bulk",
        "toggle_archived",
        "save_view",
        "refresh",
    )

    def __init__(self) -> None:
        super().__init__(id="deals-screen")
        self.filter = ListFilter()
        self.order = Order()
        self._labels: dict[str, dict] = {"stage": {s.key: s.label() for s in STAGES}}
        self._away = False  # another screen was shown over this one since it last showed its list
        self._shown = False  # resumed (shown) at least once

    def compose(self) -> ComposeResult:
        yield FirstHeader()  # Header, its three parts mounted after the first frame
        with Horizontal(id="filter-bar"):
            yield SearchBox(
                self._searched,
                id="search",
                compact=True,
                placeholder=_("/ Search: code, name, investor, region, lead unit, initials"),
            )
            yield QuickFilterLine(id="quick-filters")  # the five Selects take its place after the first frame
        yield DealListHeader(id="deal-header")
        yield DealList(id="deal-list")
        yield Static("", id="deal-status")
        yield KeysFooter()

    def on_resize(self) -> None:
        self.query_one("#filter-bar").set_class(self.size.width < FILTERS_ON_ONE_LINE, "-two-lines")
        self.call_after_refresh(self._show_status)  # one line or two, for the status line's new width

    def on_mount(self) -> None:
        self.title = self.app.ledger_title()
        self.sub_title = _("Deals")
        deal_list = self.query_one(DealList)
        deal_list.load(self.filter, self.order)
        deal_list.focus()
        self._show_status()
        # The choices of the quick filters come after the first page and its count: reading them and
        # filling the five Selects (which lays the screen out again) do not belong before the first rows.
        self._filters_asked = False
        self.set_timer(1.0, self._ask_filters)  # in case the count never comes (an error was shown)
        self._quick_filters: AwaitMount | None = None
        self.call_after_refresh(self._put_quick_filters)

    def _put_quick_filters(self) -> AwaitMount | None:
        """Mount the five quick filters in place of their first-frame stand-in (once); await it for them to be in.

        They take the values of the current filter (a saved view applied before they were there).
        None when the stand-in has gone with the screen (the app closing).
        """
        if self._quick_filters is None:
            lines = self.query(QuickFilterLine)
            if not lines:
                return None
            line = lines.first()
            self._quick_filters = line.parent.mount_all(
                quick_filters([(s.label(), s.key) for s in STAGES]), after=self.query_one("#search")
            )
            line.remove()
            self.call_after_refresh(lambda: self._set_quick_filters(self.filter))
        return self._quick_filters

    def _set_quick_filters(self, flt: ListFilter) -> None:
        """Show `flt`'s values in the quick filters that are mounted."""
        with self.prevent(Select.Changed):
            for select in self.query("#filter-bar Select").results(Select):
                name = (select.id or "").removeprefix("filter-")
                value = getattr(flt, "event_id" if name == "event" else name)
                try:
                    select.value = value if value is not None else Select.NULL
                except Exception:  # noqa: BLE001 — not among the choices (yet): the filter still applies
                    pass

    def _ask_filters(self) -> None:
        if not self._filters_asked:
            self._filters_asked = True
            self.run_worker(self._fill_filters, group="filter-choices")
            self.app.warm_up()

    async def _fill_filters(self) -> None:
        choices = await self.db.run_aggregate(_filter_choices)
        if not self.query("#filter-bar"):
            return  # the app is closing: the screen's widgets went first
        mounted = self._put_quick_filters()
        if mounted is not None:
            await mounted
        if not self.query("#filter-region"):
            return
        self._labels["event"] = {ident: label for label, ident in choices.events}
        self.query_one("#filter-region", Select).set_options([(r, r) for r in choices.regions])
        self.query_one("#filter-event", Select).set_options(choices.events)
        self.query_one("#filter-department", Select).set_options([(d, d) for d in choices.departments])
        self.query_one("#filter-industry", Select).set_options([(i, i) for i in choices.industries])

    # ---- the list --------------------------------------------------------------

    def _load(self, keep_cursor: bool = False) -> None:
        self.app.deal_filter = self.filter
        self.app.deal_filter_text = _("; ").join(self._filter_words())
        self.query_one(DealListHeader).order = self.order
        self.query_one(DealList).load(self.filter, self.order, keep_cursor=keep_cursor)
        self._show_status()

    def _show_status(self) -> None:
        deal_list = self.query_one(DealList)
        totals = deal_list.totals
        direction = "▼" if self.order.is_descending else "▲"
        # The marks' legend before the sort, so that it still shows at 80 columns.
        legend = _("●behind plan {mark}:nothing for {days} days").format(mark=_(STALE_MARK), days=deal_list.stale_days)
        sort = (
            legend
            + "  ·  "
            + _("sorted by {column} {direction}").format(column=_(SORT_LABELS[self.order.key]), direction=direction)
        )
        if totals is None:
            line = _("Counting…") + "  ·  " + sort
        else:
            total = text.yi_label(totals.total_cny)
            if deal_list.negotiating:
                # the Dashboard and the reports count signed deals only: the list says why its count is larger
                line = _("{n} deals (including {negotiating} {stage})  ·  total {total}").format(
                    n=totals.deals, negotiating=deal_list.negotiating, stage=text.stage("negotiating"), total=total
                )
            else:
                line = _("{n} deals  ·  total {total}").format(n=totals.deals, total=total)
            if totals.approximate:
                line += _(" (some amounts are approximate)")
            if totals.unconverted:
                line += "  ·  " + _("{n} without an exchange rate, not in the total").format(n=totals.unconverted)
            line += "  ·  " + sort
        shown = self._filter_words()
        if shown:
            line += "  ·  " + _("filtered: {filters}").format(filters=_("; ").join(shown))

        selected = len(self.query_one(DealList).selected)
        if selected:
            line = _("{n} selected (B: bulk change)").format(n=selected) + "  ·  " + line
        # its size fixed by the stylesheet, no layout pass for it (one per key typed): one line, or two at a
        # width that cuts the line (English at 80 columns), its class changing only as that does
        status = self.query_one("#deal-status", Static)
        width = status.content_size.width
        if width:
            status.set_class(cell_len(line) > width, "-wrapped")
            line = two_lines(line, width)
        status.update(line, layout=False)

    def _filter_words(self) -> list[str]:
        words = []
        f = self.filter
        if f.search:
            words.append(f"“{f.search}”")
        if f.archived:
            words.append(_("archived deals too"))
        for select in self.query("#filter-bar Select").results(Select):  # none before the first frame
            select_id = (select.id or "").removeprefix("filter-")
            if select.value is not Select.NULL:
                words.append(str(self._labels.get(select_id, {}).get(select.value, select.value)))
        return words

    @on(DealList.TotalsChanged)
    def _totals(self) -> None:
        self._show_status()
        self.call_after_refresh(self._ask_filters)  # not before the frame that shows the first rows

    @on(DealList.SelectionChanged)
    def _selection(self) -> None:
        self._show_status()
        self.refresh_bindings()  # esc's 取消选择 in the footer while there is a selection

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "clear_selection":
            # hidden and passed over (esc then clears the search) unless deals are selected and the list has the
            # focus: in the search box or a quick filter esc first goes back to the list
            deal_list = self.query(DealList).first() if self.query(DealList) else None
            return deal_list is not None and self.focused is deal_list and bool(deal_list.selected)
        return super().check_action(action, parameters)

    def action_clear_selection(self) -> None:
        """Esc with deals selected: unselect them all (the search and filters stay)."""
        self.query_one(DealList).clear_selection()

    def action_quick_filters(self) -> None:
        """F: to the first quick filter (enter opens it, tab goes on to the next, esc back to the list)."""
        filters = self.query("#filter-bar Select")
        if filters:
            filters.first().focus()

    def action_bulk(self) -> None:
        """B: one change for every selected deal (or, with none selected, the deal under the cursor)."""
        from screens.bulk import BulkDialog

        deal_list = self.query_one(DealList)
        codes = sorted(deal_list.selected) or ([self.current_code()] if self.current_code() else [])
        if not codes:
            self.notify(_("Select deals with space first"), severity="warning")
            return

        def done(result) -> None:
            if result is not None:
                deal_list.clear_selection()
                self.notify(
                    _("{n} deals changed, {m} already so").format(n=len(result.changed), m=len(result.unchanged))
                )

        self.app.push_screen(BulkDialog(codes), done)

    def action_save_view(self) -> None:
        """ctrl+w: save the filter and sort under a name; the palette recalls it (View: name)."""
        from screens.saved_views import SaveViewDialog

        def saved(name: str | None) -> None:
            if name:
                self.notify(_("View “{name}” saved: ctrl+p and type its name to show it again").format(name=name))

        self.app.push_screen(SaveViewDialog(self.filter, self.order), saved)

    def action_manage_views(self) -> None:
        """V: the saved views, to show one, rename or delete them."""
        from screens.saved_views import ViewsDialog

        def chosen(name: str | None) -> None:
            if name:
                self.app.show_view(name)

        self.app.push_screen(ViewsDialog(), chosen)

    def apply_view(self, flt: ListFilter, order: Order) -> None:
        """Show the list with a saved filter and sort, the search box and quick filters set to match."""
        self.query_one("#search", SearchBox).set_quietly(flt.search or "")
        self._set_quick_filters(flt)
        self.filter, self.order = flt, order
        self._load()

    @on(DealList.Failed)
    def _failed(self, event: DealList.Failed) -> None:
        self.notify(text.shown(event.error), severity="error")

    @on(DealList.Opened)
    def _opened(self, event: DealList.Opened) -> None:
        self.action_open_deal()

    @on(DealListHeader.SortClicked)
    def _sort_clicked(self, event: DealListHeader.SortClicked) -> None:
        self.sort_by(event.key, toggle=True)

    def sort_by(self, key: str, toggle: bool = False, descending: bool | None = None) -> None:
        if toggle and key == self.order.key:
            self.order = self.order.reversed()
        else:
            self.order = Order(key, descending)
        self._load()

    # ---- search and filters ------------------------------------------------------

    def _searched(self, value: str) -> None:
        """The search box's text changed (called at the key, see SearchBox)."""
        search = value.strip() or None
        if search == self.filter.search:
            return  # spaces typed around it, or the box filled at mount
        self.filter = replace(self.filter, search=search)
        self._load()

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        self.query_one(DealList).focus()

    @on(Select.Changed)
    def _quick_filter(self, event: Select.Changed) -> None:
        name = (event.select.id or "").removeprefix("filter-")
        value = None if event.value is Select.NULL else event.value
        field = "event_id" if name == "event" else name
        if getattr(self.filter, field) == value:
            return
        self.filter = replace(self.filter, **{field: value})
        self._load()

    def action_refresh(self) -> None:
        """ctrl+r: fetch the list and its totals again (another officer's or a command's changes; the server back)."""
        # Whether any deal is archived is remembered for seconds: a deal archived elsewhere leaves the list now.
        # (A dictionary entry dropped, no query: safe from this thread.)
        forget_archived()
        self._load(keep_cursor=True)

    def action_toggle_archived(self) -> None:
        """A: list archived deals too (each marked), or leave them out again, as `crm deals --archived` does."""
        self.filter = replace(self.filter, archived=not self.filter.archived)
        self._load()
        if self.filter.archived:
            self.notify(_("Archived deals are listed too; A hides them"))

    def action_search(self) -> None:
        self._letters_are_typed()  # '/' typed in a text box is a character (the binding is a priority one)
        # At once, not as Widget.focus does (after the keys already read): the letters after '/' are the box's.
        self.set_focus(self.query_one("#search", SearchBox))

    def action_clear(self) -> None:
        """Esc: in the search box, clear the search and go back to the list; on the list, clear every filter."""
        search = self.query_one("#search", SearchBox)
        if self.focused is search:
            search.value = ""  # the box tells _searched, which clears the search from the filter
            self.query_one(DealList).focus()
            return
        if self.focused is not self.query_one(DealList):
            self.query_one(DealList).focus()
            return
        if self.filter.is_empty():
            return
        search.set_quietly("")
        with self.prevent(Select.Changed):
            for select in self.query("#filter-bar Select").results(Select):
                select.clear()
        self.filter = ListFilter()
        self._load()

    def action_sort_next(self) -> None:
        index = SORT_CYCLE.index(self.order.key)
        self.sort_by(SORT_CYCLE[(index + 1) % len(SORT_CYCLE)])

    def action_sort_reverse(self) -> None:
        self.order = self.order.reversed()
        self._load()

    # ---- deal actions --------------------------------------------------------------

    def current_code(self) -> str | None:
        row = self.query_one(DealList).current_row()
        return row.code if row else None

    def deal_changed(self, code: str | None) -> None:
        """Nothing to do: the list is fetched again whenever this screen is shown again (on_screen_resume)."""

    def on_screen_suspend(self) -> None:
        self._away = True

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self._shown:
            # The first showing: each widget was styled as it was mounted, and Textual would style them all again.
            self._shown = True
            event.refresh_styles = False
        # Back from a deal, a dialog or another screen: what it changed shows at once. (Not on
        # the first showing: on_mount has just asked for the list, and asking again would throw
        # that first page away.)
        if self._away:
            self._away = False
            self._load(keep_cursor=True)
