"""The weekly workbook's deal rows are laid out per column (exports.weekly_xlsx._Body._row: each column's
type known, repeated texts and amounts measured once, row heights without a call per cell); the workbook is
byte for byte the one the per-cell layout wrote before (its code kept below, not in the program), on the
hostile week of test_weekly_streams, in Chinese and English, on both backends."""

import datetime
import zipfile
from decimal import Decimal

import pytest

from crm.foundation.i18n import set_language
from crm.reporting import weekly
from crm.values.money import format_money
from exports import weekly_layout as layout
from exports import weekly_xlsx
from exports.weekly_xlsx import _lines_of, _measure, _text
from tests.ledger.test_weekly_streams import W21, hostile_week  # noqa: F401 — the fixture


def _old_row(self, row):
    cells, shape, multi = [], [], []
    widest = self.widest
    for i, value in enumerate(layout.cells(row)):
        cell, w = _old_cell(self, i, value, row)
        cells.append(cell)
        if type(w) is int:
            shape.append(w)
            if w > widest[i]:
                widest[i] = w
        else:
            shape.append(0)
            multi.append((i, w))
            widest[i] = max(widest[i], *w)
    return cells, shape, multi


def _old_cell(self, i, value, row):
    if type(value) is str:
        if i == self.stage_at:
            fmt = self.centre
        elif i == self.problems_at and any(p.overdue for p in row.problems):
            fmt = self.alert
        else:
            fmt = self.text
        return ((self.STRING, _text(value), fmt) if value else (self.BLANK, None, fmt)), _measure(value)
    if isinstance(value, layout.Own):
        figure, own_format = layout.own_number(value.money)
        fmt = self.spooled(self.styles("w_yi", own_format))
        return (self.NUMBER, Decimal(layout.plain_decimal(figure)), fmt), _measure(format_money(value.money) + "00")
    if isinstance(value, layout.Yi):
        return (self.NUMBER, Decimal(layout.yi_exact(value.yuan)), self.yi), _measure(layout.yi_text(value.yuan))
    if isinstance(value, datetime.date):
        return (self.DAY, value, self.date), 10
    if value is None:
        return (self.BLANK, None, self.text), 0
    return (self.NUMBER, value, self.centre if i == self.seq_at else self.text), _measure(str(value))


def _old_lines(self, shape, multi):
    lines = 1
    for i, w in enumerate(shape):
        if w > self.fits[i]:
            lines = max(lines, _lines_of((w,), self.rooms[i] + 1.5))
    for i, widths in multi:
        lines = max(lines, _lines_of(widths, self.rooms[i] + 1.5))
    return lines


def _parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as book:
        return {name: book.read(name) for name in book.namelist() if name != "docProps/core.xml"}  # its time


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_workbook_is_the_one_the_per_cell_layout_wrote(hostile_week, monkeypatch, tmp_path, language):  # noqa: F811
    set_language(language)
    try:
        today = datetime.date(2026, 12, 4)
        weekly_xlsx.write(weekly.stream(W21, today=today), tmp_path / "new.xlsx")
        monkeypatch.setattr(weekly_xlsx._Body, "_row", _old_row)
        monkeypatch.setattr(weekly_xlsx._Lines, "__call__", _old_lines)
        weekly_xlsx.write(weekly.stream(W21, today=today), tmp_path / "old.xlsx")
    finally:
        set_language("zh")
    new, old = _parts(tmp_path / "new.xlsx"), _parts(tmp_path / "old.xlsx")
    assert new.keys() == old.keys()
    for name in old:
        assert new[name] == old[name], name
    sheet = new["xl/worksheets/sheet1.xml"].decode()
    assert sheet.count("<row ") > 10 and 'ht="' in sheet  # rows written, some of several lines
