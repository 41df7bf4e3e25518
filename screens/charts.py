"""A horizontal bar chart drawn with block characters (▏▎▍▌▋▊▉█), aligned
for Chinese labels."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rich.text import Text
from textual.widgets import Static

from screens.text import fit

EIGHTHS = " ▏▎▍▌▋▊▉"


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    note: str  # shown after the bar: the value as text


def bar_text(value: Decimal, largest: Decimal, width: int) -> str:
    """A bar of `width` cells at most, in eighths of a cell."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = int((Decimal(value) / Decimal(largest) * width * 8).to_integral_value())
    eighths = max(eighths, 1)
    return "█" * (eighths // 8) + (EIGHTHS[eighths % 8] if eighths % 8 else "")


class BarChart(Static):
    """Bars with labels on the left and values on the right."""

    def __init__(self, title: str = "", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self.chart_title = title
        self.bars: list[Bar] = []

    def set_bars(self, title: str, bars: list[Bar]) -> None:
        if (title, bars) == (self.chart_title, self.bars):
            return  # drawn already: nothing to lay out again
        self.chart_title = title
        self.bars = bars
        self.refresh(layout=True)
        self.update(self._draw())

    def on_resize(self) -> None:
        self.update(self._draw())

    def _draw(self) -> Text:
        width = max(self.content_size.width, 30)
        out = Text(self.chart_title + "\n", style="bold")
        if not self.bars:
            return out
        label_width = min(max((len(b.label) * 2 for b in self.bars), default=8), 16)
        note_width = max(len(b.note) for b in self.bars) + 1
        bar_width = max(width - label_width - note_width - 2, 5)
        largest = max(b.value for b in self.bars)
        for n, b in enumerate(self.bars):
            out.append(fit(b.label, label_width) + " ", style="dim")
            bar = bar_text(b.value, largest, bar_width)
            out.append(bar, style="bold cyan" if n % 2 == 0 else "bold blue")
            out.append(" " * (bar_width - len(bar)) + " " + b.note.rjust(note_width - 1))
            if n < len(self.bars) - 1:
                out.append("\n")
        return out
