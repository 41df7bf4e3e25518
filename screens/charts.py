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


@dataclass(frozen=True)
class MonthSeries:
    """Per month of `year` (1 … the last month shown): deals signed, net new starts, investment completed (亿元)."""

    year: int
    months: list[int]
    signings: list[int]
    starts: list[int]
    invest_yi: list[float]


# Colours of the three series, shared by the plots and the legend above them (plotext's own legend cannot hold
# Chinese: it counts a character as one cell).
SIGNINGS_COLOUR, STARTS_COLOUR, INVEST_COLOUR = "cyan", "green", "magenta"


def month_plots(series: MonthSeries) -> list:
    """Two plotext widgets: signings and starts by month (bars), completed investment by month (bars).

    textual_plotext is imported here, on the Dashboard's first use, never at launch.
    """
    from textual_plotext import PlotextPlot

    months = [str(m) for m in series.months]
    counts = PlotextPlot(classes="month-plot", id="plot-counts")
    plt = counts.plt
    plt.multiple_bar(months, [series.signings, series.starts], color=[SIGNINGS_COLOUR, STARTS_COLOUR])
    top = max([1, *series.signings, *series.starts])
    step = max(1, -(-top // 4))
    plt.yticks(list(range(min([0, *series.starts]), top + 1, step)))  # whole deals, not 0.67 of one
    invest = PlotextPlot(classes="month-plot", id="plot-invest")
    plt = invest.plt
    plt.bar(months, series.invest_yi, color=INVEST_COLOUR)
    if not any(series.invest_yi):
        plt.ylim(0, 1)  # nothing completed: a flat axis from 0, not one around it
    return [counts, invest]
