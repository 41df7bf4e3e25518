"""The Textual app: its screens (one mode each), keys, command palette and the
threads that talk to the database.

The database is only touched from two worker threads, each with its own
connection: one for pages and writes (fast, in order), one for counts and
totals (which may take longer on a large ledger and must not hold up
scrolling). Screens await them from `@work`ers, so the screen never freezes.
"""

from __future__ import annotations

import asyncio
import datetime
import functools
import gc
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.events import DeliveryComplete, DeliveryFailed, Enter, Event, Key, MouseDown, Paste

from crm.foundation.i18n import N_, _, set_language
from crm.runtime import Database
from screens.base import translate_bindings
from screens.connection import ConnectionWatch
from screens.deal_list import FirstPage, read_first_page
from screens.stylesheet import KeptStylesheet
from screens.terminal_watch import TerminalWatch

HERE = Path(__file__).parent
#: How long a thread holds the interpreter while another waits (Python's default is 5 ms).
THREAD_SWITCH_SECONDS = 0.001


def _retrieve_error(task: asyncio.Task) -> None:
    if not task.cancelled():
        task.exception()


def _screen(module: str, name: str):
    def make():
        import importlib

        return getattr(importlib.import_module(module), name)()

    return make


# mode, key, label (English source), module, class
SCREENS = (
    ("deals", "1", N_("Deals"), "screens.deals", "DealsScreen"),
    ("board", "2", N_("Board"), "screens.board", "BoardScreen"),
    ("blockers", "3", N_("Blockers"), "screens.blocker_screen", "BlockersScreen"),
    ("events", "4", N_("Events"), "screens.events", "EventsScreen"),
    ("dashboard", "5", N_("Dashboard"), "screens.dashboard", "DashboardScreen"),
    ("rates", "6", N_("Rates"), "screens.rates", "RatesScreen"),
    ("report", "7", N_("Report"), "screens.report", "ReportScreen"),
)

# Screens whose figures are fetched as their key is pressed, before Textual switches to them:
# mode → the module whose prefetch(app) starts the query.
PREFETCH = {"board": "screens.board", "dashboard": "screens.dashboard"}
BUILD_AHEAD_IDLE = 0.5  # seconds without a key (and after the warm-up's imports) before a screen is built ahead
PREFETCH_WAIT = 0.15  # seconds; a slower query is shown when it comes, over the previous figures

# Palette entries that act on the current screen: action, title, help (English source).
SCREEN_COMMANDS = (
    ("new_deal", N_("New deal"), N_("Create a deal with the form (n)")),
    ("edit", N_("Edit deal"), N_("Edit the current deal (e)")),
    ("stage", N_("Change stage"), N_("Move the current deal to another stage (s)")),
    ("blocker", N_("Add blocker"), N_("Record a blocker on the current deal (b)")),
    ("funds", N_("Record funds"), N_("Record funds arrived for the current deal (f)")),
    ("departments", N_("Departments of the deal"), N_("Lead unit and supporting departments (d)")),
    ("open_deal", N_("Open deal"), N_("Show the current deal in full (enter)")),
    ("resolve", N_("Resolve blocker"), N_("Mark the selected blocker resolved (r)")),
    ("progress", N_("Write progress"), N_("Add a line to the deal's progress log (p)")),
    ("investment", N_("Record investment"), N_("Completed investment of a month, or a year's plan (i)")),
    ("reopen", N_("Reopen blocker"), N_("Reopen the selected resolved blocker (o)")),
    ("void", N_("Void entry"), N_("Void a funds or completed-investment entry, with a note (v)")),
    ("undo_stage", N_("Reverse stage change"), N_("Reverse the deal's latest stage change, with a note (u)")),
    ("archive", N_("Archive or restore deal"), N_("Archive the deal, or restore an archived one (a)")),
    ("search", N_("Search deals"), N_("Search by code, name, investor, region, lead unit or pinyin initials (/)")),
    ("clear", N_("Clear search and filters"), N_("Show every deal again (esc)")),
    ("bulk", N_("Bulk change"), N_("Change stage, lead unit, liaison or tag of the selected deals (space selects, B)")),
    ("save_view", N_("Save view"), N_("Save this filter and sort under a name (ctrl+w)")),
    ("manage_views", N_("Saved views"), N_("Show, rename or delete the saved views (V)")),
    ("copy_summary", N_("Copy line"), N_("Copy the deal's one-line summary to the clipboard (y)")),
    ("sort_next", N_("Sort by the next column"), N_("Cycle the sort column (o)")),
    ("sort_reverse", N_("Reverse the sort"), N_("Reverse the order of the list (r)")),
    (
        "toggle_archived",
        N_("Archived deals: show or hide, to restore one"),
        N_("List archived deals too, to open one and restore it with a (A)"),
    ),
    ("add_rate", N_("Set an exchange rate"), N_("Add or replace a dated rate (a)")),
    ("refresh", N_("Refresh"), N_("Fetch this screen again (ctrl+r)")),
)


class CrmApp(ConnectionWatch, TerminalWatch, App):
    """招商台账: the ledger of investment-attraction deals, in the terminal."""

    CSS_PATH = [HERE / "app.tcss"]
    SCREEN_OF = {mode: _screen(module, name) for mode, _key, _label, module, name in SCREENS}  # mode → new screen
    MODES = dict(SCREEN_OF)
    DEFAULT_MODE = "deals"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        # The screens' keys are in the keys panel (?) and the palette: the footer keeps its room for the screen's own.
        *(Binding(key, f"show_screen('{mode}')", label, show=False) for mode, key, label, _m, _n in SCREENS),
        Binding("question_mark", "toggle_keys", N_("Keys"), tooltip=N_("Every key of this screen")),
        Binding(
            "q", "quit", N_("Quit"), show=False
        ),  # in the keys panel (?) and the palette: the footer keeps ? itself
        Binding(
            "ctrl+p",
            "command_palette",
            N_("Commands"),
            show=False,
            priority=True,
            tooltip=N_("Open the command palette"),
        ),
    ]

    def __init__(
        self,
        today: datetime.date | None = None,
        lang: str | None = None,
        demo: bool = False,
        home_page: Callable[[], tuple] | None = None,
    ) -> None:
        """`home_page`: what gives the list's first page (crm.listing.home_page's tuple), when the caller has read
        it already; by default it is read here."""
        if lang is not None:
            set_language(lang)
        # mode → its screen built ahead while the app was idle (_build_ahead), until the mode is first shown
        self._built_ahead: dict = {}
        self._last_input = 0.0  # time.monotonic() of the last key, paste or click: nothing is built ahead during typing
        # this app's modes (App.__init__ copies them): the Board and the Dashboard may have been built ahead
        self.MODES = {**self.SCREEN_OF, **{mode: functools.partial(self._screen_of, mode) for mode in PREFETCH}}
        super().__init__()
        self.stylesheet = KeptStylesheet(variables=self.get_css_variables())  # each source parsed once per theme
        translate_bindings(self)
        self._today = today
        self.db = Database()
        self.watch_connection()  # a lost server: a banner and retries (screens.connection), never an exit
        # The deal list's filter, which the board follows.
        self.deal_filter = None
        self.deal_filter_text = ""
        # mode → (what was asked, task) of figures fetched as the screen's key was pressed
        self._prefetched: dict[str, tuple] = {}
        # the modes whose screens have been built: a FiguresOnArrival screen adds its own as it mounts
        self.built_modes: set[str] = set()
        self.demo = demo
        self.title = self.ledger_title()
        self._first_page: FirstPage | None = read_first_page(home_page) if home_page else read_first_page()

    def take_first_page(self) -> FirstPage | None:
        """The deal list's first page, read as the app started: for the list's first load, once (then None)."""
        first, self._first_page = self._first_page, None
        return first

    def ledger_title(self) -> str:
        """The title bar's name of the ledger: the demo says so, so that nobody takes it for the real one."""
        return _("Demo ledger") if self.demo else _("Zhaoshang ledger")

    @property
    def COMMANDS(self):  # noqa: N802 — Textual reads the class attribute through the instance
        from screens.commands import DealSearchProvider, ImportsProvider

        return App.COMMANDS | {DealSearchProvider, ImportsProvider}

    @property
    def today(self) -> datetime.date:
        """The day the app treats as today (fixed in tests, so screens are the same every day)."""
        return self._today or datetime.date.today()

    def on_ready(self) -> None:
        # What start-up made (styles, widgets, modules) lives as long as the app. Frozen out of the
        # collector's view, it is not walked by every full collection, which paused the app visibly.
        gc.freeze()
        gc.enable()  # run_tui turned the collector off until the first frame
        # The database threads mostly wait on the server: handed the interpreter sooner, a key's page query (or
        # the cancel of the last key's) starts while the screen is still painting. Not before the first frame,
        # which the thread reading the first page would interrupt more often.
        sys.setswitchinterval(THREAD_SWITCH_SECONDS)
        self.watch_terminal()  # a closed terminal quits the app rather than leaving it busy

    def warm_up(self) -> None:
        """Import the modules of the Board and the Dashboard in a background thread (once the first rows are in),
        and read the national table of divisions the Dashboard groups regions by.

        The first visit of each screen then builds and draws it without first
        importing it; nothing the first screen needs waits for these imports.
        """
        if getattr(self, "_warmed", False):
            return
        self._warmed = True

        def load() -> None:
            import importlib

            for mode in PREFETCH:
                importlib.import_module(PREFETCH[mode])
            from crm.reference import regions

            regions.read_table()
            self.call_from_thread(self.set_timer, BUILD_AHEAD_IDLE, self._build_ahead)

        threading.Thread(target=load, name="crm-warm-up", daemon=True).start()

    async def on_event(self, event: Event) -> None:
        if isinstance(event, (Key, Paste, MouseDown)):
            self._last_input = time.monotonic()
        await super().on_event(event)

    def _build_ahead(self) -> None:
        """Build (compose, mount and style, off screen) the first of the Board and the Dashboard that is not
        built yet, once the officer has not typed for BUILD_AHEAD_IDLE, then the next: a first visit then only
        lays out and draws its screen, and no key waits for a screen being built."""
        mode = next((m for m in PREFETCH if m not in self.built_modes and m not in self._built_ahead), None)
        if mode is None or not self.is_running:
            return
        idle = time.monotonic() - self._last_input
        if idle < BUILD_AHEAD_IDLE:
            self.set_timer(BUILD_AHEAD_IDLE - idle, self._build_ahead)
            return
        screen = self.SCREEN_OF[mode]()
        self._register(self, screen)  # Textual's own mounting of a screen pushed, without pushing it
        self._built_ahead[mode] = screen
        self.set_timer(BUILD_AHEAD_IDLE, self._build_ahead)

    def _screen_of(self, mode: str):
        """The screen of `mode` as Textual first shows it: the one built ahead, else a new one."""
        return self._built_ahead.pop(mode, None) or self.SCREEN_OF[mode]()

    def on_unmount(self) -> None:
        self.db.close()

    def on_enter(self, event: Enter) -> None:
        # the mouse over a widget: Textual's English tooltips (the header icon's) shown in the current language
        from screens.textual_strings import translate_tooltip

        translate_tooltip(event.node)

    # ---- the command palette --------------------------------------------------

    def get_system_commands(self, screen):
        for mode, key, label, _m, _n in SCREENS:
            yield SystemCommand(
                _("Go to: {screen}").format(screen=_(label)),
                _("Switch screen ({key})").format(key=key),
                functools.partial(self.action_show_screen, mode),
            )
        for action, title, help_text in SCREEN_COMMANDS:
            if hasattr(screen, f"action_{action}"):
                yield SystemCommand(_(title), _(help_text), functools.partial(screen.run_action, action))
        sorter = getattr(screen, "sort_by", None)
        if sorter is not None:
            from screens.deals import SORT_LABELS

            for key, label in SORT_LABELS.items():
                yield SystemCommand(
                    _("Sort by {column}").format(column=_(label)),
                    _("Sort the deal list"),
                    functools.partial(sorter, key),
                )
        from crm.foundation.config import saved_views

        for name in saved_views():
            yield SystemCommand(
                _("View: {name}").format(name=name),
                _("Show the deal list with this saved filter and sort"),
                functools.partial(self.show_view, name),
            )
        from screens.commands import keyed  # the key only where this screen binds it (x exports the report on 7)

        yield SystemCommand(
            _("Export weekly table"),
            keyed(_("Write the weekly deal table to a file"), screen, "export"),
            self.action_export,
        )
        yield SystemCommand(
            _("Import a ledger"),
            keyed(_("Read an Excel/CSV ledger, preview, then import"), screen, "import_ledger"),
            self.action_import_ledger,
        )
        yield SystemCommand(_("Theme"), _("Change the colours"), self.action_change_theme)
        if screen.query("HelpPanel"):
            yield SystemCommand(_("Keys"), _("Hide the keys panel"), self.action_hide_help_panel)
        else:
            yield SystemCommand(_("Keys"), _("Show every key of this screen"), self.action_show_help_panel)
        yield SystemCommand(
            _("Screenshot"),
            _("Save an SVG screenshot of this screen"),
            lambda: self.set_timer(0.1, self.deliver_screenshot),
        )
        yield SystemCommand(_("Quit"), _("Leave the program (q)"), self.action_quit)

    # ---- app-wide actions ------------------------------------------------------------

    async def action_show_screen(self, mode: str) -> None:
        """Switch to `mode`'s screen (keys 1-6).

        The Board's and the Dashboard's figures are fetched first (see PREFETCH).
        On a later visit the switch waits for them, at most PREFETCH_WAIT: while
        this thread is idle the query runs at full speed (busy, it made the query's
        thread wait for the GIL at each row), and the screen's first frame shows
        them, instead of the figures of the previous visit, redrawn again a moment
        later. On the first visit the screen is built meanwhile instead: it has no
        earlier figures to show, and building it takes about as long as the query;
        unless it was built ahead while the app was idle (_build_ahead): then the
        first visit waits for its figures as a later one does.
        """
        if mode != self.current_mode and mode in PREFETCH:
            import importlib

            task = importlib.import_module(PREFETCH[mode]).prefetch(self)
            if mode in self.built_modes:
                await asyncio.wait([task], timeout=PREFETCH_WAIT)
        if mode == self.current_mode:
            # From a deal opened over the list, its key goes back to the list itself.
            while len(self.screen_stack) > 1:
                self.pop_screen()
            return
        self.switch_mode(mode)

    def prefetch(self, mode: str, what, fn, *args) -> asyncio.Task:
        """Start `fn(*args)` in the totals thread for `mode`'s screen, which takes it with prefetched(mode, what)."""
        task = asyncio.ensure_future(self.db.run_aggregate(fn, *args))
        task.add_done_callback(_retrieve_error)  # an error is reported by the screen's load that awaits it
        self._prefetched[mode] = (what, task)
        return task

    def prefetched(self, mode: str, what, done: bool = False) -> asyncio.Task | None:
        """The task prefetch() started for `mode` if it was for `what` (with `done`: and has finished).

        It is taken either way, so that a stale one is never used later; only an
        unfinished one asked for with `done` is left for the screen's load to await.
        """
        pending = self._prefetched.get(mode)
        if pending is None or (done and pending[0] == what and not pending[1].done()):
            return None
        del self._prefetched[mode]
        return pending[1] if pending[0] == what else None

    def open_deal(self, code: str) -> None:
        """Show the detail of deal `code` (read first, so its first frame is whole)."""
        from screens.detail import open_deal

        open_deal(self, code)

    def show_view(self, name: str) -> None:
        """Show the deal list with the saved view `name` (from the palette)."""
        from crm.foundation.config import saved_views
        from screens.saved_views import from_view

        view = saved_views().get(name)
        if view is None:
            self.notify(_("No view named {name}").format(name=name), severity="warning")
            return
        flt, order = from_view(view)
        if self.current_mode != "deals":
            self.switch_mode("deals")
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.screen.apply_view(flt, order)

    def action_command_palette(self) -> None:
        from screens.palette import CrmCommandPalette

        if self.use_command_palette and not CrmCommandPalette.is_open(self):
            self.push_screen(CrmCommandPalette(id="--command-palette"))

    def search_themes(self) -> None:
        """The theme picker (palette: Theme), its placeholder in the current language."""
        from textual.theme import ThemeProvider

        from screens.palette import CrmCommandPalette

        self.push_screen(CrmCommandPalette(providers=[ThemeProvider], placeholder=_("Search for themes…")))

    async def action_quit(self) -> None:
        """q / ctrl+q: quit, but a dialog holding typed text asks first (screens.dialogs.Dialog.confirm_quit)."""
        confirm = getattr(self.screen, "confirm_quit", None)
        if confirm is not None and confirm():
            return
        await super().action_quit()

    # ---- Textual's own notices, in the current language -----------------------------------------------------

    def action_help_quit(self) -> None:
        """ctrl+c: Textual's hint that it does not quit, and which key does (its own says so in English)."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(
                    _("Press {key} to quit the program").format(key=f"[b]{key}[/b]"), title=_("Quit the program?")
                )
                return

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        """The palette's Screenshot: saved by default where exports go (screens.transfer), a folder that exists,
        instead of Textual's ~/Downloads, which a fresh account lacks."""
        if path is None:
            from screens.transfer import default_export_directory

            path = str(default_export_directory())
        return super().deliver_screenshot(filename, path, time_format)

    def on_delivery_complete(self, event: DeliveryComplete) -> None:
        """A screenshot saved: where, in the current language (in place of Textual's English notice)."""
        if event.name == "screenshot":
            from screens.text import shown

            event.prevent_default()
            where = _("Saved to {path}").format(path=shown(event.path)) if event.path else _("Saved")
            self.notify(where, title=_("Screenshot"), timeout=8)

    def on_delivery_failed(self, event: DeliveryFailed) -> None:
        """A screenshot not saved: why, as one line in the current language (in place of Textual's English)."""
        if event.name == "screenshot":
            from crm.foundation.errors import as_crm_error
            from screens.text import shown

            event.prevent_default()
            reason = as_crm_error(event.exception) or event.exception
            self.notify(
                _("The screenshot was not saved: {reason}").format(reason=shown(reason)),
                title=_("Screenshot"),
                severity="error",
                timeout=10,
            )

    def action_show_help_panel(self) -> None:
        """The keys panel: ours (screens.keys_panel.KeysPanel), which leaves out Textual's own keys."""
        from screens.keys_panel import KeysPanel

        if not self.screen.query("HelpPanel"):
            self.screen.mount(KeysPanel())

    def action_toggle_keys(self) -> None:
        """?: show or hide the panel of every key of this screen (in the current language)."""
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_export(self) -> None:
        from screens.transfer import ExportDialog

        self.push_screen(ExportDialog(), self._done)

    def action_import_ledger(self) -> None:
        from screens.transfer import ImportDialog

        self.push_screen(ImportDialog(), self._done)

    def _done(self, message: str | None) -> None:
        from screens.text import shown as escaped  # here: screens.text loads crm/ modules the launch does not need

        if message:
            self.notify(escaped(message), timeout=8)
