"""The weekly workbook's deal rows are laid out a chunk of rows at a time, by column (exports.weekly_xlsx_body:
widths of ASCII and CJK text from their lengths, each row's lines at the columns' caps, the rows spooled with
marshal); the workbook is byte for byte the one the row-by-row layout wrote before (kept in
tests/ledger/weekly_xlsx_reference.py), on the hostile week of test_weekly_streams plus progress Excel cannot
hold in a cell and a name of several lines, in Chinese and English, on both backends, whether the rows are one chunk or
many, and when the cache of amounts is emptied on the way."""

import datetime
import zipfile

import pytest

from crm.foundation.i18n import set_language
from crm.reporting import weekly
from db.models import Deal, Progress
from exports import weekly_xlsx, weekly_xlsx_body
from tests.ledger import weekly_xlsx_reference
from tests.ledger.test_weekly_streams import W21, hostile_week  # noqa: F401 — the fixture


def _parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as book:
        return {name: book.read(name) for name in book.namelist() if name != "docProps/core.xml"}  # its time


@pytest.fixture
def week_to_lay_out(hostile_week):  # noqa: F811
    """The hostile week, with progress over Excel's 32,767 characters in a cell (past the program's checks)
    and a name of three lines, and a listed deal whose signing date names its month only."""
    deals = list(Deal.select().order_by(Deal.id))
    Progress.create(deal=deals[5].id, on=datetime.date(2020, 5, 19), text="长" * 33_000, author="张三")
    Deal.update(name="第一行\nsecond line\n第三行 “引号”").where(Deal.id == deals[6].id).execute()
    Deal.update(signed_on_month=True).where(Deal.code == "ZS2019-0016").execute()
    return hostile_week


def _written(monkeypatch, tmp_path, language: str) -> tuple[dict, dict]:
    """The workbook the program writes, and the reference's."""
    set_language(language)
    try:
        today = datetime.date(2026, 12, 4)
        weekly_xlsx.write(weekly.stream(W21, today=today), tmp_path / "new.xlsx")
        monkeypatch.setattr(weekly_xlsx, "_table_sheet", weekly_xlsx_reference._table_sheet)
        weekly_xlsx.write(weekly.stream(W21, today=today), tmp_path / "old.xlsx")
        monkeypatch.undo()
    finally:
        set_language("zh")
    return _parts(tmp_path / "new.xlsx"), _parts(tmp_path / "old.xlsx")


def _assert_same(new: dict, old: dict) -> None:
    assert new.keys() == old.keys()
    for name in old:
        assert new[name] == old[name], name
    sheet = new["xl/worksheets/sheet1.xml"].decode()
    assert sheet.count("<row ") > 10 and 'ht="' in sheet  # rows written, some of several lines
    assert "长" * 30_000 in sheet and "长…</t>" in sheet and "长" * 32_000 not in sheet  # cut to what Excel holds


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_workbook_is_the_one_the_row_by_row_layout_wrote(week_to_lay_out, monkeypatch, tmp_path, language):
    _assert_same(*_written(monkeypatch, tmp_path, language))


@pytest.mark.parametrize("language", ["zh", "en"])
def test_rows_in_many_chunks_and_a_cache_emptied_write_the_same_workbook(
    week_to_lay_out, monkeypatch, tmp_path, language
):
    monkeypatch.setattr(weekly_xlsx_body, "CHUNK", 3)
    monkeypatch.setattr(weekly_xlsx_body, "KEPT", 2)
    new = _parts_of_program(monkeypatch, tmp_path, language)
    _assert_same(new, _written(monkeypatch, tmp_path, language)[1])


def _parts_of_program(monkeypatch, tmp_path, language: str) -> dict:
    set_language(language)
    try:
        weekly_xlsx.write(weekly.stream(W21, today=datetime.date(2026, 12, 4)), tmp_path / "chunks.xlsx")
    finally:
        set_language("zh")
    return _parts(tmp_path / "chunks.xlsx")
