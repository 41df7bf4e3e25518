"""The garbage collector's full collections moved to the moments the user is not waiting for the screen.

A full collection walks every object the collector tracks: in a session, the rows read, the lines painted and
Textual's caches, 30–250 ms at a time. Left to itself it runs whenever enough objects have outlived two younger
collections, often between a key and its rows. So the app makes it rare (its threshold 10× Python's) and runs
it itself once QUIET_SECONDS have passed without a key, paste or mouse event, when the collector would have
run by Python's own count: the rows of the last key are on screen by then, and the user is reading them. Under
unbroken input the collector still runs by the raised count, so memory stays bounded. Nothing is frozen but
what start-up made, which lives as long as the app (freezing more kept dead cycles: 76 → 319 MiB in a search
session, BENCHMARKS.md).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

from textual import events

#: Seconds between looks.
EVERY = 0.1
#: Seconds without input after which a full collection no longer stands between a key and its rows.
QUIET_SECONDS = 0.3
#: Younger (generation 1) collections after which a full one is due: Python's own threshold.
DUE_AFTER = 10
#: The full collection's threshold while the app runs: Python's own, times ten.
RARE_AFTER = 100


class QuietCollector:
    """When to run the full collection, from the times of the user's input (`clock` is time.monotonic)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last_input = clock()

    def touched(self) -> None:
        """The user pressed a key, pasted or used the mouse."""
        self._last_input = self._clock()

    def tick(self) -> bool:
        """Called every EVERY seconds: runs the full collection when one is due and the user is quiet; True if it ran."""
        if gc.get_count()[2] < DUE_AFTER or self._clock() - self._last_input < QUIET_SECONDS:
            return False
        gc.collect()
        return True


class CollectorWatch:
    """Mixin for the App: `watch_collector()` (once the first frame is painted) takes the collector's full runs."""

    _collector: QuietCollector | None = None
    _thresholds: tuple[int, int, int] | None = None

    def watch_collector(self) -> None:
        """Freeze what start-up made, turn the collector on with full collections rare, and look every EVERY s."""
        gc.freeze()  # start-up's styles, widgets and modules live as long as the app: no collection walks them
        self._thresholds = young, middle, _full = gc.get_threshold()
        gc.set_threshold(young, middle, RARE_AFTER)
        gc.enable()  # run_tui turned the collector off until the first frame
        self._collector = collector = QuietCollector()
        self.set_interval(EVERY, collector.tick, name="quiet-collector")  # type: ignore[attr-defined]

    async def on_event(self, event: events.Event) -> None:
        if self._collector is not None and isinstance(event, (events.InputEvent, events.Paste)):
            self._collector.touched()
        await super().on_event(event)  # type: ignore[misc]

    def release_collector(self) -> None:
        """As the app ends: Python's thresholds back, and what start-up froze given back (its cycles are garbage)."""
        self._collector = None
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
        gc.unfreeze()
