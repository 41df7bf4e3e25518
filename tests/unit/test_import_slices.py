"""A large xlsx sheet read slice by slice (crm/importing/xlsx_slices.py) gives the grid the whole sheet gives:
the same rows with their numbers, number formats, error cells and merged ranges, whatever the slices' size."""

import datetime
from pathlib import Path

import pytest
import xlsxwriter

from crm.importing import workbook, xlsx_slices

SHEETS = Path(__file__).parents[1] / "data" / "county_sheets"


def _odd_sheet(path: Path) -> Path:
    """A table below and right of A1, with a merged county, unit formats, an error cell, blank rows and a note."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("台账")
    yi = book.add_format({"num_format": '0.00"亿元"'})
    when = book.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(2, 1, ["项目名称", "所在地", "总投资", "签约时间", "备注"])
    for n in range(1, 400):
        r = 2 + n + (n // 50)  # a blank row every 50
        ws.write(r, 1, f"第{n}号项目 ")
        if n % 7:
            ws.write(r, 2, "涿州市")
        ws.write_number(r, 3, 1.5 * n, yi)
        ws.write_datetime(r, 4, datetime.datetime(2020, 5, 1 + n % 28), when)
        if n == 123:
            ws.write_formula(r, 5, "=1/0", None, "#DIV/0!")
    ws.merge_range(10, 2, 12, 2, "定兴县")
    ws.write(500, 1, "  备注：单位万元  ")
    book.close()
    return path


def _both(path: Path, monkeypatch, size: int = 2000) -> tuple:
    whole = workbook.read_grids(path)
    monkeypatch.setattr(xlsx_slices, "SLICE_AT", 0)
    monkeypatch.setattr(xlsx_slices, "SLICE_BYTES", size)  # a few rows a slice
    sliced = [grid.all_rows() for grid in workbook.read_grids(path)]  # a sliced sheet is streamed
    return whole, sliced


@pytest.mark.parametrize(
    "name", ["county_weekly.xlsx", "usd_total.xlsx", "chinese_numerals.xlsx", "stale.xlsx", "funds_cumulative_v1.xlsx"]
)
@pytest.mark.parametrize("size", [100, 2000])  # 100: the sheet's head is longer than a slice
def test_the_county_sheets_read_in_slices_as_whole(name, size, monkeypatch):
    whole, sliced = _both(SHEETS / name, monkeypatch, size)
    assert [(g.sheet, g.rows, g.formats, g.merged, g.one_line) for g in sliced] == [
        (g.sheet, g.rows, g.formats, g.merged, g.one_line) for g in whole
    ]


def test_merged_cells_formats_and_errors_survive_the_slicing(tmp_path, monkeypatch):
    (whole,), (sliced,) = _both(_odd_sheet(tmp_path / "odd.xlsx"), monkeypatch)
    assert sliced.rows == whole.rows
    assert sliced.formats == whole.formats and sliced.formats  # the unit formats were found
    assert sliced.merged == whole.merged == [(11, 3, 13, 3)]
    assert any("#DIV/0!" in v for _n, v in sliced.rows)
    assert sliced.rows[0][0] == 3 and sliced.rows[-1] == (501, [None, "备注：单位万元"])


def test_a_stray_far_cell_still_leaves_the_sheet_to_openpyxl(monkeypatch):
    whole, sliced = _both(SHEETS / "huge_dimension.xlsx", monkeypatch)
    assert [g.rows for g in sliced] == [g.rows for g in whole]


def test_a_long_narrow_sheet_is_read_by_calamine_not_openpyxl(tmp_path, monkeypatch):
    """A 1,000,000-row sheet of 14 columns counted as 26 wide went over MAX_CELLS and was read by openpyxl,
    about ten times slower (BENCHMARKS.md, seventh session); here the same at a thousandth of the size."""
    from tests.perf.import_speed import build

    book = build(tmp_path / "county.xlsx", 1000)
    monkeypatch.setattr(workbook, "MAX_CELLS", 20_000)  # 1,003 rows × 26 > 20,000 > 1,003 × 14
    monkeypatch.setattr(xlsx_slices, "SLICE_AT", 0)
    monkeypatch.setattr(xlsx_slices, "SLICE_BYTES", 64 << 10)

    def refused(*args):
        raise AssertionError("read with openpyxl")

    monkeypatch.setattr(workbook, "_read_xlsx_openpyxl", refused)
    (grid,) = workbook.read_grids(book)
    assert len(grid.all_rows().rows) == 1003 and grid.rows[-1][1][1].endswith("-001000")


def test_cells_that_do_not_say_where_they_are_are_read_whole(tmp_path, monkeypatch):
    """r="…" is optional: a slice's cells without it would be counted from the slice's first row."""
    import re
    import zipfile

    plain = _odd_sheet(tmp_path / "plain.xlsx")
    bare = tmp_path / "bare.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(bare, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'(<(?:row|c)) r="[A-Z]*[0-9]+"', rb"\1", data)
            out.writestr(info, data)
    (whole,), (sliced,) = _both(bare, monkeypatch)
    assert sliced.rows == whole.rows and whole.rows[0][0] == 1  # counted, as calamine counts a whole sheet


def test_a_workbook_with_many_shared_strings_is_read_whole(tmp_path, monkeypatch):
    """Each slice would read the shared strings again (Excel and LibreOffice write them): such a sheet is read whole."""
    path = tmp_path / "shared.xlsx"
    book = xlsxwriter.Workbook(str(path))  # not constant-memory: text goes to the shared strings, as Excel's does
    ws = book.add_worksheet("台账")
    ws.write_row(0, 0, ["项目名称", "所在地", "总投资"])
    for n in range(1, 200):
        ws.write_row(n, 0, [f"第{n}号项目", "涿州市", n])
    book.close()
    sliced_reads = []
    real = xlsx_slices.slices

    def counted(*args, **kwargs):
        sliced_reads.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(xlsx_slices, "slices", counted)
    monkeypatch.setattr(xlsx_slices, "SLICE_AT", 0)
    monkeypatch.setattr(xlsx_slices, "SLICE_BYTES", 2000)
    workbook.read_grids(path)
    assert sliced_reads, "small shared strings: read in slices"
    sliced_reads.clear()
    monkeypatch.setattr(xlsx_slices, "SHARED_AT", 0)
    assert workbook.read_grids(path)[0].rows
    assert not sliced_reads, "read whole: its shared strings are larger than SHARED_AT"


@pytest.mark.parametrize("slice_at", [None, 0])  # read whole, and in slices of a few rows
def test_an_oversized_cell_far_down_is_refused_naming_its_cell(tmp_path, monkeypatch, slice_at):
    from crm.foundation.errors import InvalidInput

    path = tmp_path / "long.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("台账")
    ws.write_row(0, 0, ["项目名称", "总投资", "备注"])
    for n in range(1, 300):
        ws.write_row(n, 0, [f"第{n}号项目", "5亿元", "y" * 32767 if n == 5 else ""])  # the most a cell holds
    ws.write(250, 2, "LONG")
    book.close()
    import zipfile

    with zipfile.ZipFile(path) as src:  # xlsxwriter writes no more than a cell holds: made longer in the XML
        parts = [(info, src.read(info).replace(b">LONG<", b">" + b"x" * 32768 + b"<")) for info in src.infolist()]
    with zipfile.ZipFile(path, "w") as out:
        for info, data in parts:
            out.writestr(info, data)
    if slice_at is not None:
        monkeypatch.setattr(xlsx_slices, "SLICE_AT", slice_at)
        monkeypatch.setattr(xlsx_slices, "SLICE_BYTES", 2000)
    with pytest.raises(InvalidInput, match=r"251\D.*\bC\b.*32768"):
        for grid in workbook.read_grids(path):
            grid.all_rows()
