"""The Detail screen's timeline table: a deal's events (crm.deals.timeline) as lines, corrections coloured,
voided entries struck through, long texts wrapped at word and character bounds."""

from __future__ import annotations

from rich.style import Style
from textual.strip import Strip

from crm.deals import TimelineEvent
from crm.foundation.i18n import N_, _
from screens import text
from screens.line_table import LineColumn, LineTable

# What each kind of entry is called in the timeline's second column (English source).
KINDS = {
    "stage": N_("Stage"),
    "progress": N_("Progress"),
    "funds": N_("Funds"),
    "plan": N_("Plan"),
    "invest": N_("Invested"),
    "blocker": N_("Blocker"),
    "correction": N_("Correction"),
}
_STYLES = {"correction": Style(color="magenta"), "voided": Style(dim=True, strike=True), "current": Style(bold=True)}


def rows(events: list[TimelineEvent]) -> list[tuple[str, ...]]:
    """The timeline as a TimelineTable's rows: mark, date, kind, by, what."""
    kinds = {kind: _(label) for kind, label in KINDS.items()}
    return [
        ("●" if e.mark == "current" else ("○" if e.kind == "stage" else ""), e.shown_on or text.day(e.on))
        + (kinds[e.kind], text.actor(e.by), e.what)
        for e in events
    ]


class TimelineTable(LineTable):
    """A LineTable whose lines take their event's look: corrections coloured, voided entries struck through."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            [LineColumn(""), LineColumn(_("Date")), LineColumn(_("Kind")), LineColumn(_("By")), LineColumn(_("What"))],
            id=id,
        )
        self.events: list[TimelineEvent] = []

    def show(self, events: list[TimelineEvent]) -> None:
        """Show `events` (from timeline())."""
        self.events = events
        self.set_rows(rows(events))

    def wrap(self, text: str, width: int) -> list[str]:
        """Lines of at most `width` cells, broken between Chinese characters or at a space, never inside a
        word, number or date (one longer than a line excepted): crm.foundation.lines.wrap_cells."""
        from crm.foundation.lines import wrap_cells  # here: the first screen wraps nothing

        return wrap_cells(text, width)

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if y < len(self._lines):
            index = self._lines[y][0]
            if 0 <= index < len(self.events) and self.events[index].mark in _STYLES:
                return strip.apply_style(_STYLES[self.events[index].mark])
        return strip
