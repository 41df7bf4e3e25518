"""Screens whose figures are fetched as their key is pressed and shown in the visit's first frame."""

from __future__ import annotations


class FiguresOnArrival:
    """What the Board and the Dashboard share with CrmApp.action_show_screen.

    The app starts the screen's query as its key is pressed (`app.prefetch(MODE,
    what, …)`). If the figures are in when Textual switches to the screen, they
    are shown there, before the layout, so the visit's first frame has them;
    otherwise the first frame shows the previous visit's figures and the whole
    screen is drawn again a moment later. A screen names its MODE and defines
    `_wanted()` (what its figures are for now) and `_show(figures)`, calls
    `follow_arrivals()` when mounted, and loads on resume unless
    `shown_on_arrival()`.
    """

    MODE = ""
    _arrived = False

    def _wanted(self):
        raise NotImplementedError

    def _show(self, figures) -> None:
        raise NotImplementedError

    def follow_arrivals(self) -> None:
        # immediate: called inside App.switch_mode, before the layout and the first frame of the visit
        self.app.screen_change_signal.subscribe(self, self._switched_to, immediate=True)
        self.app.built_modes.add(self.MODE)  # a later visit waits for its figures, however this one came

    def _switched_to(self, screen) -> None:
        if screen is not self:
            return
        task = self.app.prefetched(self.MODE, self._wanted(), done=True)
        if task is None or task.cancelled() or task.exception() is not None:
            return  # the load on resume asks again, and reports the error
        self._show(task.result())
        self._arrived = True

    def shown_on_arrival(self) -> bool:
        """True while the figures fetched with the key are the ones shown, from the switch to the screen until it
        is left: its resumes have nothing to fetch (Textual resumes a screen twice on the first visit of its mode)."""
        return self._arrived

    def on_screen_suspend(self) -> None:
        self._arrived = False

    async def figures(self, what, fn, *args):
        """The figures for `what`: those fetched as the key was pressed, else `fn(*args)` in the totals thread."""
        pending = self.app.prefetched(self.MODE, what)
        return await (pending if pending is not None else self.db.run_aggregate(fn, *args))
