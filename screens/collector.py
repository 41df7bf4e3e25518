"""The garbage collector's full walks kept for the moments the user is not waiting.

A full collection walks every object the collector tracks. In a session that is the rows read, the lines painted
and Textual's caches: 30–250 ms at a time, long enough to be seen when one lands between a key and its rows. So
while the user is at work, what lives is frozen out of the collector's view once a second (gc.freeze only moves
a list: cheap at any moment) and a collection walks at most what the last second made. What was frozen and has
since become garbage inside a reference cycle is reclaimed once the user is idle: after IDLE_SECONDS with no key,
paste or mouse, the collector is given everything back for one full collection, and what survives it is frozen
again. A user who never pauses gets that sweep after SWEEP_AT_LEAST_EVERY seconds all the same, so memory stays
bounded.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

from textual import events

#: Seconds between freezes while the user is at work.
FREEZE_EVERY = 1.0
#: Seconds without input after which the user is taken to be reading, not typing: the full sweep runs then.
IDLE_SECONDS = 3.0
#: The longest a session of unbroken input goes without the full sweep.
SWEEP_AT_LEAST_EVERY = 300.0


class IdleCollector:
    """When to freeze and when to sweep, from the times of the user's input (`clock` is time.monotonic)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last_input = self._last_sweep = clock()
        self._input_since_sweep = False

    def touched(self) -> None:
        """The user pressed a key, pasted or used the mouse."""
        self._last_input = self._clock()
        self._input_since_sweep = True

    def tick(self) -> str | None:
        """Called every FREEZE_EVERY seconds: "freeze", "sweep", or None when nothing came since the last sweep.

        With no input since the last sweep the collector is left to work as usual (an idle app makes little).
        """
        now = self._clock()
        if not self._input_since_sweep:
            return None
        if now - self._last_input >= IDLE_SECONDS or now - self._last_sweep >= SWEEP_AT_LEAST_EVERY:
            self._last_sweep, self._input_since_sweep = now, False
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            return "sweep"
        gc.freeze()
        return "freeze"


class CollectorWatch:
    """Mixin for the App: `watch_collector()` (once the first frame is painted) starts the freezes and sweeps."""

    _collector: IdleCollector | None = None

    def watch_collector(self) -> None:
        """Freeze what start-up made, turn the collector on and tick every FREEZE_EVERY seconds from now on."""
        gc.freeze()
        gc.enable()  # run_tui turned the collector off until the first frame
        self._collector = collector = IdleCollector()
        self.set_interval(FREEZE_EVERY, collector.tick, name="idle-collector")  # type: ignore[attr-defined]

    async def on_event(self, event: events.Event) -> None:
        if self._collector is not None and isinstance(event, (events.InputEvent, events.Paste)):
            self._collector.touched()
        await super().on_event(event)  # type: ignore[misc]

    def release_frozen(self) -> None:
        """Give the collector back what the app froze (as the app ends: its cycles are garbage then)."""
        self._collector = None
        gc.unfreeze()
