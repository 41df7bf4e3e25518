"""The DataTable every screen uses: lines drawn before its columns were measured are drawn again."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widgets import DataTable
from textual.widgets._data_table import RowKey


class MeasuredTable(DataTable):
    """A DataTable whose auto-width columns always show at their measured width.

    Textual measures the cells of new rows when the table next runs idle, but keys
    its line caches by content, not by column width: a line the screen drew in
    between kept label-wide columns (保定高 for 保定高新区) until something else
    changed. On a loaded machine that in-between draw happens.
    """

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        super()._update_dimensions(new_rows)
        self._clear_caches()
