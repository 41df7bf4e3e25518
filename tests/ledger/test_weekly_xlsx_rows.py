"""The weekly workbook's deal rows are written straight into the sheet's XML (exports.weekly_xlsx_rows); the
workbook is byte for byte the one XlsxWriter writes cell by cell, on the hostile week of test_weekly_streams with
more text XlsxWriter treats specially: text that looks like its rich strings or its _xHHHH_ escapes, text longer
than it checks cheaply, wide and non-BMP characters, ideographic spaces at the ends; both backends."""

import datetime
import zipfile

from crm.reporting import weekly
from db.models import Deal, Progress
from exports import weekly_xlsx, weekly_xlsx_rows
from tests.ledger.test_weekly_streams import W21, hostile_week  # noqa: F401 — the fixture

SPECIAL = ["<r>富文本</r>", "_x0041_ 与 _x005F_", "\u3000全角空格\u3000", "𠀀𪚥 非基本平面", "a&b<c>d"]


def _parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as book:
        return {name: book.read(name) for name in book.namelist() if name != "docProps/core.xml"}  # its time


def test_the_rows_are_the_xml_xlsxwriter_writes(hostile_week, monkeypatch, tmp_path):  # noqa: F811
    listed = [row.id for row in weekly.build(W21).rows]
    for deal_id, text in zip(listed[-len(SPECIAL) :], SPECIAL):
        Deal.update(name=text, investor=text).where(Deal.id == deal_id).execute()
    # a cell of 17,000 characters (past the checks of crm.deals.progress, as an old ledger may hold it)
    Progress.create(deal=listed[0], on=datetime.date(2020, 5, 20), text="长" * 17_000, author="王五")
    today = datetime.date(2026, 12, 4)
    weekly_xlsx.write(weekly.stream(W21, today=today), tmp_path / "direct.xlsx")
    written = []
    real_xml = weekly_xlsx_rows.DirectRows.cells_xml

    def cells_xml(self, r, cells):
        written.append(real_xml(self, r, cells) is not None)
        return real_xml(self, r, cells)

    monkeypatch.setattr(weekly_xlsx_rows.DirectRows, "cells_xml", cells_xml)
    weekly_xlsx.write(weekly.stream(W21, today=today), tmp_path / "counted.xlsx")
    monkeypatch.setattr(weekly_xlsx_rows.DirectRows, "usable", staticmethod(lambda ws: False))
    weekly_xlsx.write(weekly.stream(W21, today=today), tmp_path / "xlsxwriter.xlsx")
    direct, counted, reference = (_parts(tmp_path / f"{n}.xlsx") for n in ("direct", "counted", "xlsxwriter"))
    assert direct.keys() == reference.keys()
    for name in reference:
        assert direct[name] == reference[name], name
        assert counted[name] == reference[name], name
    # most rows went straight in; the rich-string-like and the long text through XlsxWriter
    assert written.count(True) > 10 and written.count(False) == 2
    sheet = reference["xl/worksheets/sheet1.xml"].decode()
    assert "_x005F_x0041_" in sheet and 'xml:space="preserve">\u3000全角空格' in sheet and "a&amp;b&lt;c&gt;d" in sheet
