"""Which rows and columns of an .ods sheet are hidden, read from content.xml (crm.importing.ods_parts), on the
shapes LibreOffice writes that the tests of real files (tests/ledger/test_import_ods_hidden.py) do not reach: a
million empty rows hidden in one element, a table inside a cell, the word visibility= split between two chunks."""

import zipfile

from crm.importing import ods_parts
from crm.importing.ods_parts import ods_hidden

NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def _ods(path, tables: str):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr(
            "content.xml",
            f'<?xml version="1.0"?><office:document-content {NS}><office:body><office:spreadsheet>{tables}'
            "</office:spreadsheet></office:body></office:document-content>",
        )
    return path


def _row(visibility=None, repeated=1, cells="<table:table-cell/>"):
    attributes = f' table:visibility="{visibility}"' if visibility else ""
    attributes += f' table:number-rows-repeated="{repeated}"' if repeated > 1 else ""
    return f"<table:table-row{attributes}>{cells}</table:table-row>"


def _hidden(path, names, last=(100, 50)) -> dict:
    return {
        name: (sorted(h.parts(*last).hidden_rows), sorted(h.parts(*last).hidden_columns))
        for name, h in ods_hidden(str(path), names).items()
    }


def test_rows_and_columns_repeated_and_hidden_count_as_many(tmp_path):
    """Repeats count; a million hidden rows below the table are cut at the sheet's last row."""
    sheet = (
        '<table:table table:name="台账">'
        '<table:table-column table:number-columns-repeated="2"/>'
        '<table:table-column table:visibility="collapse" table:number-columns-repeated="2"/>'
        '<table:table-column table:number-columns-repeated="16380"/>'
        f"<table:table-header-rows>{_row()}{_row()}</table:table-header-rows>"
        f"{_row(repeated=3)}{_row('filter', 2)}<table:table-row-group>{_row('collapse')}</table:table-row-group>"
        f"{_row()}{_row('collapse', 1048560)}"
        "</table:table>"
    )
    path = _ods(tmp_path / "a.ods", sheet)
    assert _hidden(path, ["台账"], last=(12, 6)) == {"台账": ([6, 7, 8, 10, 11, 12], [3, 4])}


def test_only_the_sheets_asked_for_and_not_a_table_in_a_cell(tmp_path):
    nested = (
        '<table:table-cell><table:table table:name="内嵌">'
        f"{_row('collapse')}{_row('collapse')}</table:table></table:table-cell>"
    )
    tables = (
        f'<table:table table:name="封面">{_row()}{_row("collapse")}</table:table>'
        f'<table:table table:name="台账">{_row(cells=nested)}{_row()}{_row("collapse")}</table:table>'
        f'<table:table table:name="空">{_row()}</table:table>'
    )
    path = _ods(tmp_path / "b.ods", tables)
    assert _hidden(path, ["台账", "空"]) == {"台账": ([3], [])}
    assert _hidden(path, ["封面", "台账"]) == {"封面": ([2], []), "台账": ([3], [])}


def test_the_word_split_between_two_chunks_is_found(tmp_path, monkeypatch):
    tables = f'<table:table table:name="台账">{_row()}{_row("collapse")}</table:table>'
    path = _ods(tmp_path / "c.ods", tables)
    with zipfile.ZipFile(path) as archive:
        content = archive.read("content.xml")
    at = content.index(b"visibility=")
    for size in range(at + 1, at + 11):  # every split of the word between the first chunk and the next
        monkeypatch.setattr(ods_parts, "_CHUNK", size)
        assert _hidden(path, ["台账"]) == {"台账": ([2], [])}, size


def test_a_workbook_that_hides_nothing_gives_nothing(tmp_path):
    path = _ods(tmp_path / "d.ods", f'<table:table table:name="台账">{_row(repeated=5)}</table:table>')
    assert ods_hidden(str(path), ["台账"]) == {}
