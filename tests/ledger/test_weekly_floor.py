"""The bench's floor for the weekly workbook (tests/perf/commands._xlsx_floor) writes with XlsxWriter every cell
the export wrote, as the export wrote it: each sheet's cells (blanks with their formats, dates, amounts, hostile
text), row heights, merged ranges and column widths are byte for byte the export's, on the hostile week of
test_weekly_streams, in Chinese and English, on both backends. Only the sheets' view and print settings differ."""

import datetime
import re
import zipfile

import pytest

from crm.foundation.i18n import set_language
from crm.reporting import weekly
from exports import weekly_xlsx
from tests.ledger.test_weekly_streams import W21, hostile_week  # noqa: F401 — the fixture
from tests.perf import commands


def _contents(path) -> dict[str, list[bytes]]:
    """Each sheet's column widths, rows with their cells, and merged ranges, as the XML holds them."""
    with zipfile.ZipFile(path) as book:
        names = sorted(n for n in book.namelist() if n.startswith("xl/worksheets/sheet"))
        sheets = {n: book.read(n) for n in names}
    return {
        n: [re.search(rb"<cols>.*</cols>", xml).group(), re.search(rb"<sheetData>.*</sheetData>", xml, re.S).group()]
        + re.findall(rb"<mergeCells.*</mergeCells>", xml)
        for n, xml in sheets.items()
    }


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_floor_writes_every_cell_the_export_wrote(hostile_week, tmp_path, language):  # noqa: F811
    set_language(language)
    try:
        path = tmp_path / "weekly.xlsx"
        weekly_xlsx.write(weekly.stream(W21, today=datetime.date(2026, 12, 4)), path)
    finally:
        set_language("zh")
    (rows, columns), write = commands._xlsx_floor(path)
    write()
    export, floor = _contents(path), _contents(path.with_suffix(".floor.xlsx"))
    assert export.keys() == floor.keys() and len(export) == 2
    for name in export:
        assert floor[name] == export[name], name
    sheet = export["xl/worksheets/sheet1.xml"][1]
    assert (rows, columns) == (sheet.count(b"<row "), 16)
    # what the floor skipped before: blank bordered cells, row heights, a date, a hostile control character
    assert b'"/><c r=' in sheet and b' ht="' in sheet and b"_x0001_" in sheet and b"_x000D_" in sheet
