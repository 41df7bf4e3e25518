"""The keys panel (?): this screen's keys and the app's, in the current language, and nothing of Textual's.

Imported when the panel first opens (screens.app.CrmApp.action_show_help_panel): Textual's HelpPanel brings
its Markdown widget (markdown-it, pygments), which the first screen does not need.
"""

from __future__ import annotations

from itertools import groupby, zip_longest
from operator import itemgetter

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import HelpPanel, KeyPanel, Markdown
from textual.widgets._key_panel import BindingsTable

from screens.keys_footer import our_bindings

# Below this many terminal lines the keys panel cannot list a screen's keys one a line: it lists them in two
# columns, without the tooltips, and takes more of the width (80×24 is a supported size).
TWO_COLUMNS_BELOW = 40
# A screen laid out in fewer columns than this breaks (values one character a line, columns cut): the panel then
# takes the whole width until it is closed. Laid over the screen instead, it lost characters (Textual blanks a
# Chinese character that straddles the edge of a widget under it); the screen's widgets hidden lost the focus.
SCREEN_NEEDS = 80


class Wrapped:
    """A table cell's Text in the lines screens.text.wrap_lines breaks it into at the column's width (between Chinese
    characters, never before a 、 or ）), its styles kept: Rich breaks only at spaces and cut a description with …"""

    #: The narrowest a column of descriptions gets: about four Chinese characters a line.
    NARROWEST = 8

    def __init__(self, content: Text) -> None:
        self.content = content

    def __str__(self) -> str:
        return self.content.plain

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        longest = cell_len(self.content.plain)
        return Measurement(min(longest, self.NARROWEST), longest)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from screens.text import wrap_lines

        plain, starts, at = self.content.plain, [], 0
        for line in wrap_lines(plain, options.max_width):
            at = plain.find(line, at) if line else at  # a line is the text from there, less the spaces at the break
            starts.append(at)
            at += len(line)
        lines = self.content.divide(starts[1:])
        for line in lines:
            line.rstrip()
        yield Text("\n", end="").join(lines)


class OurBindingsTable(BindingsTable):
    """Textual's table of keys (the same look), fed only our bindings, already translated by screens.base."""

    def _entries(self) -> list[list[tuple[str, str, str]]]:
        """(keys, description, tooltip) of each action, in groups (the focused widget's, the screen's, the app's)."""
        groups = []
        for _namespace, group in groupby(our_bindings(self.screen.active_bindings).values(), key=itemgetter(0)):
            by_action: dict[str, list[Binding]] = {}
            for _node, binding, _enabled, _tooltip in group:
                if not binding.system:
                    by_action.setdefault(binding.action, []).append(binding)
            groups.append(
                [
                    (
                        " ".join(dict.fromkeys(self.app.get_key_display(b) for b in same)),
                        same[0].description,
                        same[0].tooltip,
                    )
                    for same in by_action.values()
                ]
            )
        return [g for g in groups if g]

    def render_bindings_table(self) -> Table:
        divider_transparent = self.get_component_styles("bindings-table--divider").color.a == 0
        table = Table(
            padding=(0, 0),
            show_header=False,
            box=box.SIMPLE if divider_transparent else box.HORIZONTALS,
            border_style=self.get_component_rich_style("bindings-table--divider"),
        )
        key_style = self.get_component_rich_style("bindings-table--key")
        description_style = self.get_component_rich_style("bindings-table--description")
        groups = self._entries()
        if self.app.size.height < TWO_COLUMNS_BELOW:
            return self._two_columns(table, [e for g in groups for e in g], key_style, description_style)
        table.add_column("", justify="right")
        table.add_column("")
        for group in groups:
            for keys, text, tooltip in group:
                description = Text(text, end="", style=description_style)
                if tooltip:
                    description.append((" " if text else "") + tooltip, "dim")
                table.add_row(Text(keys, style=key_style), Wrapped(description))
            table.add_section()
        return table

    def _two_columns(self, table: Table, entries: list, key_style, description_style) -> Table:
        for _ in range(2):
            table.add_column("", justify="right")
            table.add_column("")
        half = (len(entries) + 1) // 2
        for left, right in zip_longest(entries[:half], entries[half:]):
            cells = []
            for entry in (left, right):
                keys, text, _tooltip = entry or ("", "", "")
                cells += [Text(keys, style=key_style), Wrapped(Text(text, end="", style=description_style))]
            table.add_row(*cells)
        return table


class OurKeyPanel(KeyPanel):
    def compose(self) -> ComposeResult:
        yield OurBindingsTable(shrink=True, expand=False)


class KeysPanel(HelpPanel):
    """The keys panel (?): this screen's keys and the app's, in the current language, and nothing of Textual's."""

    DEFAULT_CSS = """
    KeysPanel.-two-columns {
        width: 62%;
        max-width: 76;
    }
    KeysPanel.-whole-width {
        width: 100%;
        max-width: 100%;
    }
    """

    def compose(self) -> ComposeResult:
        yield Markdown(id="widget-help")
        yield OurKeyPanel(id="keys-help")

    def on_mount(self) -> None:
        super().on_mount()
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        width, height = self.app.size
        two_columns = height < TWO_COLUMNS_BELOW
        self.set_class(two_columns, "-two-columns")
        beside = min(76, width * 62 // 100) if two_columns else max(30, min(60, width * 33 // 100))  # as the CSS
        whole = width - beside < SCREEN_NEEDS
        self.set_class(whole, "-whole-width")
        # The screen beside the panel keeps its widgets (and the focus: the focused widget's keys are listed), with
        # no width; its footer, docked over the panel, is hidden (app.tcss).
        self.screen.set_class(whole, "-keys-whole-width")

    def on_unmount(self) -> None:
        self.screen.remove_class("-keys-whole-width")
