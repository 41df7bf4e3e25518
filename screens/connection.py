"""A lost database connection is a state of the app, not a crash (issue 14).

When a call in the database threads finds the server gone, the app shows a
banner at the top of the screen, tries the server again with growing pauses
(RETRY_PAUSES, then the last one for as long as it takes), and when it answers
removes the banner and reloads the screen shown. Whatever an officer was typing
stays where it was; the app never exits on a lost connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from textual.widgets import Static

from crm.foundation.i18n import _
from crm.runtime import connection_lost

T = TypeVar("T")

#: Seconds between tries; the last is repeated until the server answers.
RETRY_PAUSES = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)
BANNER_ID = "connection-banner"


async def answered(app: object, ask: Callable[[], Awaitable[T]], waiting: Callable[[Exception], None]) -> T:
    """`await ask()`, asked again while the database server cannot be reached: what a form needs before it is of
    use (the names it offers), which an outage at its opening left it without for good.

    `waiting(error)` after each try that found the server away, then a pause
    (the app's: RETRY_PAUSES, the last one repeated); any other error is raised.
    """
    pauses = getattr(app, "pauses", RETRY_PAUSES)
    tries = 0
    while True:
        try:
            return await ask()
        except Exception as err:  # noqa: BLE001 — a lost link may come as the driver's error, from connecting
            if not connection_lost(err):
                raise
            waiting(err)
        await asyncio.sleep(pauses[min(tries, len(pauses) - 1)])
        tries += 1


class ConnectionBanner(Static):
    """The line at the top of every screen while the database server cannot be reached."""

    DEFAULT_CSS = """
    ConnectionBanner {
        dock: top;
        height: 1;
        width: 100%;
        background: $error;
        color: $text;
        text-style: bold;
        padding: 0 1;
    }
    """


class ConnectionWatch:
    """Mixin for the App: `self.db` (crm.runtime.Database) reports lost connections here."""

    pauses: tuple[float, ...] = RETRY_PAUSES

    def watch_connection(self) -> None:
        """Start listening to the database threads (call once, after self.db exists)."""
        self.connection_down = False
        self._tries = 0
        self.db.on_lost = lambda _exc: self.connection_lost()

    def connection_lost(self) -> None:
        """Show the banner and, unless it is already trying, start trying the server again."""
        self._show_banner()
        if self.connection_down:
            return
        self.connection_down = True
        self._tries = 0
        self.run_worker(self._reconnect(), group="reconnect", exclusive=True, exit_on_error=False)

    def _banner_text(self) -> str:
        return _(
            "The database server cannot be reached; trying again (attempt {n}) — nothing you typed is lost"
        ).format(n=self._tries + 1)

    def _show_banner(self) -> None:
        screen = self.screen
        found = screen.query(ConnectionBanner)
        if found:
            found.first().update(self._banner_text())
        else:
            screen.mount(ConnectionBanner(self._banner_text(), id=BANNER_ID))

    async def _reconnect(self) -> None:
        while True:
            await asyncio.sleep(self.pauses[min(self._tries, len(self.pauses) - 1)])
            self._tries += 1
            try:
                await self.db.ping_all()
            except Exception as exc:  # noqa: BLE001 — anything but an answer: the server is still away
                if not connection_lost(exc):
                    self.log.warning(f"while reconnecting: {exc}")
                self._show_banner()  # on whichever screen is shown now
                continue
            break
        self.connection_down = False
        # every mode keeps its own stack of screens; a banner may be on any of them
        stacks = getattr(self, "_screen_stacks", None) or {None: self.screen_stack}
        for stack in stacks.values():
            for screen in stack:
                for banner in screen.query(ConnectionBanner):
                    banner.remove()
        self.notify(_("The database server answers again; this screen was reloaded"), timeout=6)
        refresh = getattr(self.screen, "action_refresh", None)
        if refresh is not None:
            refresh()

    def _handle_exception(self, error: Exception) -> None:
        """Textual exits on an unhandled error; a lost connection is a state instead."""
        if connection_lost(error):
            self.connection_lost()
            return
        super()._handle_exception(error)  # type: ignore[misc]
