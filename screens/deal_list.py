"""The deal list: a virtual list that renders only the rows on screen.

It never holds the ledger: it asks crm.listing.pages for the page around what
is visible (keyset-paged from a row it already has), keeps a bounded window
of rows, and draws each visible line from it (the idea of Toolong's log
view). The count and total come from the database in a second worker, so
the first rows paint before the sums are known.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from crm.foundation import config
from crm.foundation.errors import Interrupted
from crm.foundation.i18n import N_, _, current_language
from crm.listing import marks
from crm.listing import pages as deal_pages
from crm.listing.pages import DealRow, DealWindow, ListFilter, Order, PageRequest, Totals
from crm.values.dates import date_text
from screens import text
from screens.base import translate_bindings


@dataclass(frozen=True)
class Column:
    key: str  # also the sort key in crm.listing.pages.SORTS (when sortable)
    label: str  # English source
    width_zh: int  # 0: takes the room left
    width_en: int
    align: str = "left"
    sortable: bool = True

    def width(self) -> int:
        return self.width_zh if current_language() == "zh" else self.width_en


COLUMNS = (
    Column("code", N_("Code"), 12, 12),
    Column("name", N_("Name"), 0, 0),
    Column("region", N_("Region"), 10, 10),
    # Chinese event and unit names are cut to six characters: at 140 columns the name keeps more than at 80
    Column("event", N_("Event"), 13, 14),
    Column("signed", N_("Signed"), 10, 10),
    Column("amount", N_("Amount"), 11, 17, "right"),
    Column("yi", N_("100m CNY"), 7, 8, "right"),
    Column("stage", N_("Stage"), 4, 12),
    Column("days", N_("Days"), 5, 5, "right"),
    Column("blockers", N_("Issues"), 4, 6, "right"),
    # The light (● yellow or red, crm.reporting.lights) and the stale mark; no heading: the status line explains them.
    Column("marks", "", 3, 3, sortable=False),
    Column("lead", N_("Lead unit"), 13, 12),
    Column("progress", N_("Latest progress"), 0, 0, sortable=False),
)
SORT_OF_COLUMN = {"yi": "amount"}  # the 亿元 column sorts like the amount
MIN_NAME = 12
# The latest progress shares the name's room when the name keeps its width at 80 columns (NAME_AT_80, at least
# NAME_WANT: a wider terminal never shows shorter names) and the progress gets its heading's width (at least
# PROGRESS_MIN); otherwise it goes first, before the name shrinks. Of the room they share the name takes all but
# that, up to NAME_FULL (few names are longer than twenty characters): names are what an officer reads a row by,
# and most rows have no recent progress, so a wide progress column is mostly empty.
NAME_WANT = 16
NAME_AT_80 = {"zh": 22, "en": 17}
NAME_FULL = 40
PROGRESS_MIN = 10


def _name_want() -> int:
    return max(NAME_WANT, NAME_AT_80.get(current_language(), NAME_WANT))


def _progress_want() -> int:
    return _progress_heading_cells(current_language())


@functools.lru_cache(maxsize=4)
def _progress_heading_cells(language: str) -> int:
    """The progress column's least width in `language`: its heading whole (asked at every line drawn)."""
    return max(PROGRESS_MIN, cell_len(_("Latest progress")))


# Where only the event's column stands between the name and the latest progress (English at 140 columns),
# the event gives way to the progress: what moved last week matters more at a desk than where it was signed.
GIVES_WAY_TO_PROGRESS = "event"
# On a narrower terminal these columns go, in this order, until the name has its NAME_AT_80, so that the stage,
# the days in stage, the open blockers and the marks always show (80×24 is a supported size); with all of them
# gone the name takes what is left, down to MIN_NAME and below (the keys panel open).
GIVE_WAY = ("region", "event", "yi", "lead", "signed")
# Columns are laid out as if the vertical scrollbar were always shown, so the
# rows line up with the header whether or not the list is long enough to scroll.
SCROLLBAR_GUTTER = 2
#: After a new filter or sort, the rows shown stay at most this long while the new ones are read.
EMPTIED_AFTER_SECONDS = 0.25
#: A search's totals wait at most this long for its first page to be in before they start.
PAGE_BEFORE_TOTALS_SECONDS = 1.0


def column_widths(total: int) -> list[int]:
    """The width of each column for a list `total` cells wide (one space between shown columns; 0: not shown)."""
    fixed = {c.key: c.width() for c in COLUMNS}

    def room() -> int:
        return total - sum(fixed.values()) - (len(fixed) - 1)

    name_want, progress_want = _name_want(), _progress_want()
    both = name_want + progress_want
    if room() < both and room() + fixed[GIVES_WAY_TO_PROGRESS] + 1 >= both:
        del fixed[GIVES_WAY_TO_PROGRESS]
    if room() >= both:
        name = min(NAME_FULL, room() - progress_want)
        fixed["progress"] = room() - name
        return [0 if c.key not in fixed else (fixed[c.key] or name) for c in COLUMNS]
    del fixed["progress"]
    for key in GIVE_WAY:
        if room() >= name_want:
            break
        del fixed[key]
    # Narrower still (the keys panel open at 80 columns): the name goes too, so the marks are not cut off at the edge.
    name = room() if room() >= 4 else 0
    return [0 if c.key not in fixed else (fixed[c.key] or name) for c in COLUMNS]


STALE_MARK = N_("Zz")  # beside the light: nothing recorded on the deal for the stale days (one or two cells)


ARCHIVED_MARK = N_("[archived] ")  # before the name of an archived deal (listed when asked for, or its code searched)


def cell_texts(row: DealRow, today) -> list[str]:
    return [
        row.code,
        _(ARCHIVED_MARK) + row.name if row.archived else row.name,
        row.region,
        row.event or "",
        date_text(row.signed_on, row.signed_on_month),
        text.money(row.amount, row.currency, row.approximate),
        text.yi(row.amount_cny),
        text.stage(row.stage),
        str(row.days_in_stage(today)),
        str(row.open_blockers) if row.open_blockers else "",
        ("●" if row.light else " ") + (_(STALE_MARK) if row.quiet_days is not None else ""),
        row.lead_unit or "",
        " ".join((row.progress or "").split()),  # one line: a multi-line entry's breaks become spaces
    ]


def marked(rows: list[DealRow], day, stale_days: int) -> list[DealRow]:
    """`rows` with what each shows beside its columns: latest progress, stale mark, light on `day`.

    Runs in the database thread, as a call of its own after the page's: the rows paint as fast as
    before, and the marks follow (a few indexed statements over the page's ids).
    """
    from crm.reporting import lights  # the KPI machinery it brings loads after the first rows, not before

    lit = {code: light.light for code, light in lights.deal_lights([r.code for r in rows], day).items()}
    return marks.with_marks(
        rows, day, stale_days, {code: light for code, light in lit.items() if light != lights.GREEN}
    )


def fetch_page(flt: ListFilter, order: Order, request: PageRequest, day, stale_days: int) -> list[DealRow]:
    """A page with its marks in one call (what the list's two calls come to; for benchmarks and scripts)."""
    return marked(deal_pages.fetch(flt, order, request), day, stale_days)


@dataclass(frozen=True)
class FirstPage:
    """The home list's first page, read as the app starts: the first frame shows it."""

    filter: ListFilter
    order: Order
    request: PageRequest
    rows: list[DealRow]

    def answers(self, flt: ListFilter, order: Order, request: PageRequest) -> bool:
        """Whether these rows are what `request` (for `flt` in `order`) asks for: the same list from its top."""
        return request.kind == "first" and (flt, order) == (self.filter, self.order)


def read_first_page(read: Callable[[], tuple] = deal_pages.home_page) -> FirstPage | None:
    """The first page of every deal in the default order (crm.listing.home_page), read by `read` now.

    The one page query of the screens that does not run in a database thread: it runs
    before anything is drawn, where a few milliseconds of query cost less than a
    database thread's query while Textual builds the screen (that thread waits for the
    interpreter at every row); the entry point may have read it already, as the ledger
    opened (`read` then hands over those rows). None when it fails: the list then asks
    as always, and reports the error as always.
    """
    try:
        return FirstPage(*read())
    except Exception:  # noqa: BLE001 — asked again by the list, which shows the error
        return None


class DealListHeader(Widget):
    """The column headings; a click sorts by that column (again: the other way)."""

    class SortClicked(Message):
        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    order: reactive[Order] = reactive(Order, layout=False)

    def render(self) -> str:
        widths = column_widths(self.size.width - SCROLLBAR_GUTTER)
        parts = []
        for column, width in zip(COLUMNS, widths):
            if not width:
                continue
            label = _(column.label) if column.label else ""
            sort_key = SORT_OF_COLUMN.get(column.key, column.key)
            if column.sortable and sort_key == self.order.key and column.key != "yi":
                label += "▼" if self.order.is_descending else "▲"
            parts.append(text.fit(label, width, column.align))
        return " ".join(parts)

    def on_click(self, event: events.Click) -> None:
        x = event.x
        for column, width in zip(COLUMNS, column_widths(self.size.width - SCROLLBAR_GUTTER)):
            if not width:
                continue
            if x < width + 1:
                if column.sortable:
                    self.post_message(self.SortClicked(SORT_OF_COLUMN.get(column.key, column.key)))
                return
            x -= width + 1


class DealList(ScrollView, can_focus=True):
    """The deals of a filter, in an order, drawn a line at a time."""

    BINDINGS = [
        Binding("enter", "open", N_("Open")),
        Binding(
            "space",
            "toggle_selected",
            N_("Select"),
            show=False,
            tooltip=N_("Select or unselect the deal for a bulk change (B)"),
        ),
        Binding("up", "cursor(-1)", N_("Cursor up"), show=False),
        Binding("down", "cursor(1)", N_("Cursor down"), show=False),
        Binding("pageup", "page(-1)", N_("Page up"), show=False),
        Binding("pagedown", "page(1)", N_("Page down"), show=False),
        Binding("home", "home", N_("Top"), show=False),
        Binding("end", "end", N_("Bottom"), show=False),
    ]
    COMPONENT_CLASSES = {
        "deal-list--cursor",
        "deal-list--even",
        "deal-list--muted",
        "deal-list--warn",
        "deal-list--loading",
        "deal-list--yellow",
        "deal-list--red",
    }
    DEFAULT_CSS = """
    DealList > .deal-list--yellow { color: $text-warning; text-style: bold; }
    DealList > .deal-list--red { color: $text-error; text-style: bold; }
    """

    cursor: reactive[int] = reactive(0, always_update=True)

    class Opened(Message):
        """Enter or a double click on a deal."""

        def __init__(self, row: DealRow) -> None:
            super().__init__()
            self.row = row

    class TotalsChanged(Message):
        """The count and CNY total of the list, once the database has them."""

        def __init__(self, totals: Totals) -> None:
            super().__init__()
            self.totals = totals

    class SelectionChanged(Message):
        """Deals were selected or unselected with space."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    class Failed(Message):
        def __init__(self, error: Exception) -> None:
            super().__init__()
            self.error = error

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        translate_bindings(self)
        self._window = DealWindow(ListFilter(), Order())
        self._generation = 0
        self._fetching: int | None = None  # the generation of the fetch in flight
        self._failed: int | None = None  # the generation whose fetch failed: not retried until the next load
        self._page_in = asyncio.Event()  # set when the first fetch of the current generation is over
        self._lines: LRUCache[tuple, Strip] = LRUCache(256)
        self.totals: Totals | None = None
        self.negotiating = 0  # of the deals counted in totals, those still 在谈 (the Dashboard counts signed ones)
        self._loaded = False
        self.selected: set[str] = set()  # codes chosen with space for a bulk change; kept across filters
        self.stale_days = config.stale_days(marks.DEFAULT_STALE_DAYS)
        self._first: FirstPage | None = None  # asked for as the app started, taken by the first load

    # ---- what the screen calls ------------------------------------------

    @property
    def order(self) -> Order:
        return self._window.order

    @property
    def filter(self) -> ListFilter:
        return self._window.filter

    @property
    def row_count(self) -> int:
        """Rows the list has (known or, until counted, fetched so far)."""
        if self._window.count is not None:
            return self._window.count
        return len(self._window.rows)

    def load(self, flt: ListFilter, order: Order, keep_cursor: bool = False) -> None:
        """Show the deals of `flt` in `order` (fetching anew; keep_cursor after an edit)."""
        # What was asked before is no longer wanted. Stopped first: moving the cursor below may already
        # ask for the new page, which a later stop would cancel.
        self.app.db.stop("deal-rows")
        self.app.db.stop("deal-marks")
        self.app.db.stop("deal-count")
        self._generation += 1
        self._page_in = asyncio.Event()
        self._first = self.app.take_first_page() if self._generation == 1 else None
        self._window = self._window.refreshed(flt, order)
        self._lines.clear()
        self.totals = None
        self._loaded = True
        if not keep_cursor and self.cursor:
            self.cursor = 0  # set only when it moves: setting it repaints the list (always_update)
        if not keep_cursor:
            self.scroll_to(y=0, animate=False)
        # The rows shown stay until the new ones come: a repaint of the emptied list now would take the frame
        # that the new rows need (Textual paints at most once per frame). Emptied only if they are slow.
        self.set_timer(EMPTIED_AFTER_SECONDS, functools.partial(self._emptied, self._generation))
        self._want_rows()
        self.run_worker(functools.partial(self._count, self._generation, flt), group="deal-count", exclusive=True)

    def _emptied(self, generation: int) -> None:
        """Show the new list's (still empty) size, when its first rows have not come in time."""
        if generation == self._generation and not self._window.rows:
            self._update_size()
            self.refresh()

    def current_row(self) -> DealRow | None:
        return self._window.get(self.cursor)

    # ---- fetching ----------------------------------------------------------

    def _visible(self) -> tuple[int, int]:
        top = int(self.scroll_offset.y)
        return top, top + max(self.size.height, 1)

    def _want_rows(self) -> None:
        if not self._loaded or self._generation in (self._fetching, self._failed):
            return
        top, bottom = self._visible()
        margin = self._window.page_size // 4
        request = self._window.request_for(max(0, top - margin), bottom + margin)
        if request is None:
            return
        first, self._first = self._first, None
        if first is not None and first.answers(self._window.filter, self._window.order, request):
            # read as the app started: the first frame shows them (a taller list asks for the rest next)
            self._stored(self._generation, self._window, first.request, first.rows, after_frame=True)
            self._page_in.set()
            return
        self._fetching = generation = self._generation
        window = self._window
        # asked for here, not when the worker's task first runs: the database reads while the screen repaints
        asked = self.app.db.run(
            deal_pages.fetch,
            window.filter,
            window.order,
            request,
            what="deal-rows",
            wanted=lambda: generation == self._generation,
        )
        self.run_worker(functools.partial(self._fetch, generation, window, request, asked), group="deal-rows")

    async def _fetch(self, generation: int, window: DealWindow, request, asked: Awaitable[list[DealRow]]) -> None:
        try:
            await self._fetched(generation, window, request, asked)
        finally:
            if generation == self._generation:
                self._page_in.set()

    async def _fetched(self, generation: int, window: DealWindow, request, asked: Awaitable[list[DealRow]]) -> None:
        try:
            rows = await asked
        except Interrupted:
            if self._fetching == generation:
                self._fetching = None
            if generation == self._generation:  # a stop meant for an older page reached this one: ask again
                self._want_rows()
            return
        except Exception as error:  # noqa: BLE001 — shown to the user, the list stays usable
            if self._fetching == generation:
                self._fetching = None
            self._failed = generation
            self.post_message(self.Failed(error))
            return
        if self._fetching == generation:
            self._fetching = None
        if generation != self._generation:
            self._want_rows()
            return
        self._stored(generation, window, request, rows)

    def _stored(
        self, generation: int, window: DealWindow, request: PageRequest, rows: list[DealRow], after_frame=False
    ) -> None:
        """Show the rows a request returned, then ask for their marks (`after_frame`: once they are painted)."""
        filled = window.store(request, rows)
        self._lines.clear()
        self._update_size()
        self.refresh()
        if rows:
            mark = functools.partial(self._mark, generation, window, filled, rows)
            if after_frame:  # the marks' module and query would hold up the first frame
                self.call_after_refresh(self.run_worker, mark, group="deal-marks")
            else:
                self.run_worker(mark, group="deal-marks")
        self._want_rows()

    async def _mark(self, generation: int, window: DealWindow, filled: range, rows: list[DealRow]) -> None:
        """Fetch the marks of rows just shown and put them in, where those rows still are."""
        try:
            with_marks = await self.app.db.run(
                marked,
                rows,
                self.app.today,
                self.stale_days,
                what="deal-marks",
                wanted=lambda: generation == self._generation,
            )
        except Interrupted:
            return
        except Exception as error:  # noqa: BLE001 — shown to the user; the rows stay, without their marks
            self.post_message(self.Failed(error))
            return
        if generation != self._generation:
            return
        for position, old, new in zip(filled, rows, with_marks):
            if window.rows.get(position) is old:
                window.rows[position] = new
        self._lines.clear()
        self.refresh()

    async def _count(self, generation: int, flt: ListFilter) -> None:
        # One query gives the count and the total: a search that matches many deals reads them all
        # once, not once to count and again to sum.
        if flt.search:
            # A search's totals read its matches as its page does: started together, each took the other's CPU
            # and the rows painted later (BENCHMARKS.md, "Search: a broad prefix").
            page_in = self._page_in
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(page_in.wait(), PAGE_BEFORE_TOTALS_SECONDS)
            if generation != self._generation:
                return
        try:
            totals, negotiating = await self.app.db.run_aggregate(
                deal_pages.totals_and_negotiating, flt, what="deal-count", wanted=lambda: generation == self._generation
            )
        except Exception as error:  # noqa: BLE001
            if not isinstance(error, Interrupted):
                self.post_message(self.Failed(error))
            return
        if generation == self._generation:
            self._window.count = totals.deals
            self._update_size()
            self.refresh()
            self.totals = totals
            self.negotiating = negotiating
            self.post_message(self.TotalsChanged(totals))
            if self.cursor >= max(totals.deals, 1):
                self.cursor = max(totals.deals - 1, 0)

    def _update_size(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self.row_count)

    # ---- drawing -------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= self.row_count:
            if index == 0 and self._window.count == 0:
                return Strip([Segment(text.fit(_("No deals match"), width, "center"), base)], width)
            return Strip.blank(width, base)
        row = self._window.get(index)
        is_cursor = index == self.cursor
        if row is None:
            self.call_later(self._want_rows)
            style = base + self.get_component_rich_style("deal-list--loading")
            return Strip([Segment(text.fit("…", width), style)], width)
        key = (self._generation, index, width, is_cursor, self.has_focus, row.code in self.selected)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._render_row(row, index, width, is_cursor)
            self._lines[key] = strip
        return strip

    def _render_row(self, row: DealRow, index: int, width: int, is_cursor: bool) -> Strip:
        style = self.rich_style
        if index % 2:
            style += self.get_component_rich_style("deal-list--even")
        if is_cursor and self.has_focus:
            style += self.get_component_rich_style("deal-list--cursor")
        elif is_cursor:
            style += self.get_component_rich_style("deal-list--cursor").without_color + Style(underline=True)
        muted = self.get_component_rich_style("deal-list--muted", partial=True)
        warn = self.get_component_rich_style("deal-list--warn", partial=True)
        segments: list[Segment] = []
        widths = column_widths(self.size.width - SCROLLBAR_GUTTER)
        for column, cell_width, value in zip(COLUMNS, widths, cell_texts(row, self.app.today)):
            if not cell_width:
                continue
            if segments:
                segments.append(Segment(" ", style))
            cell_style = style
            if column.key == "stage" and row.stage in ("stalled", "terminated"):
                cell_style = style + muted
            elif column.key == "blockers" and row.open_blockers:
                cell_style = style + warn
            elif column.key == "yi" and row.amount_cny is None:
                cell_style = style + warn
            elif column.key == "name" and row.archived:
                cell_style = style + muted
            if column.key == "code" and row.code in self.selected:
                value, cell_style = value + "✓", cell_style + Style(bold=True)
            if column.key == "marks":
                segments += self._marks(row, value, cell_width, style, warn)
                continue
            segments.append(Segment(text.fit(value, cell_width, column.align), cell_style))
        return Strip(segments).adjust_cell_length(width, style)

    def _marks(self, row: DealRow, value: str, width: int, style: Style, warn: Style) -> list[Segment]:
        """The light in its colour, then the stale mark."""
        light = style
        if row.light:
            light += self.get_component_rich_style(f"deal-list--{row.light}", partial=True)
        cell = text.fit(value, width)
        return [Segment(cell[:1], light), Segment(cell[1:], style + warn)]

    # ---- moving -----------------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        if not self._loaded:
            return
        self._lines.clear()
        self.refresh()
        top, bottom = self._visible()
        # Scrolled now, not after the next frame: the rows the cursor lands on are asked for at once
        # (a jump to the end otherwise painted a frame of empty rows first).
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= bottom:
            self.scroll_to(y=new - self.size.height + 1, animate=False, immediate=True)
        self._want_rows()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._want_rows()

    def on_resize(self) -> None:
        self._lines.clear()
        self._update_size()
        self._want_rows()

    def on_focus(self) -> None:
        self._lines.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._lines.clear()
        self.refresh()

    def _move_to(self, index: int) -> None:
        self.cursor = max(0, min(index, self.row_count - 1))

    def action_cursor(self, step: int) -> None:
        self._move_to(self.cursor + step)

    def action_page(self, step: int) -> None:
        self._move_to(self.cursor + step * max(self.size.height - 1, 1))

    def action_home(self) -> None:
        self._move_to(0)

    def action_end(self) -> None:
        self._move_to(self.row_count - 1)

    def action_toggle_selected(self) -> None:
        """space: select the deal under the cursor (or unselect it), then go to the next."""
        row = self.current_row()
        if row is None:
            return
        self.selected.symmetric_difference_update({row.code})
        self._lines.clear()
        self.post_message(self.SelectionChanged(len(self.selected)))
        self.action_cursor(1)
        self.refresh()

    def clear_selection(self) -> None:
        self.selected.clear()
        self._lines.clear()
        self.post_message(self.SelectionChanged(0))
        self.refresh()

    def action_open(self) -> None:
        row = self.current_row()
        if row is not None:
            self.post_message(self.Opened(row))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = int(self.scroll_offset.y) + offset.y
        if index < self.row_count:
            self._move_to(index)
            if event.chain >= 2:
                self.action_open()
