"""An app whose terminal has gone exits instead of living on.

A closed tmux pane or a dropped ssh connection does not always send SIGHUP (the app is not always in the
terminal's foreground process group). Textual's input thread then reads the dead terminal's end of file in
a busy loop, and the orphaned app keeps a core busy until somebody kills it. The app looks at its terminal
once a second and, once the terminal has hung up, quits as if `q` had been pressed.
"""

from __future__ import annotations

import select
import sys

#: Seconds between looks at the terminal.
EVERY = 1.0
#: What poll reports for a terminal whose other end has closed, whatever was asked.
_GONE = getattr(select, "POLLHUP", 0) | getattr(select, "POLLERR", 0) | getattr(select, "POLLNVAL", 0)


def terminal_gone(poller) -> bool:
    """True when `poller` (a select.poll with the terminal registered) says the terminal has hung up.

    poll(0) only looks: it reads nothing, so no key the input thread has yet to read is taken.
    """
    return any(event & _GONE for _fd, event in poller.poll(0))


class TerminalWatch:
    """Mixin for the App: `watch_terminal()` starts the once-a-second look (where the platform has poll)."""

    def watch_terminal(self) -> None:
        """Quit the app once its terminal hangs up; nothing to watch without a terminal (tests, pipes) or poll."""
        stream = sys.__stdin__
        if stream is None or not hasattr(select, "poll") or not stream.isatty():
            return
        poller = select.poll()
        poller.register(stream.fileno(), select.POLLIN)

        def look() -> None:
            if terminal_gone(poller):
                self.exit()  # type: ignore[attr-defined]

        self.set_interval(EVERY, look, name="terminal-watch")  # type: ignore[attr-defined]
