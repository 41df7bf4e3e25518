"""Which rows and columns of an .xls sheet are hidden, read with xlrd (crm.importing.xls_parts), on what the tests of
real files (tests/ledger/test_import_xls_hidden.py) do not reach: xlrd's notes kept off stdout, a workbook xlrd
cannot read, and xlrd loaded for an .xls only."""

import shutil
import subprocess
import sys
from pathlib import Path

from crm.importing.xls_parts import spans, xls_hidden

ROOT = Path(__file__).resolve().parents[2]
SHEETS = ROOT / "tests" / "data" / "county_sheets"


def test_xlrds_notes_on_an_odd_file_stay_off_stdout(tmp_path, capfd):
    """An .xls LibreOffice wrote, with bytes past its last sector (xlrd notes it, and reads on): nothing is printed
    where `crm import --format json` writes its report, and a sheet that hides nothing gives nothing."""
    path = tmp_path / "legacy.xls"
    shutil.copy(SHEETS / "legacy.xls", path)
    with path.open("ab") as f:
        f.write(bytes(100))
    assert xls_hidden(str(path), ["台账", "无此表"]) == {}
    assert capfd.readouterr().out == ""


def test_a_workbook_xlrd_cannot_read_hides_nothing(tmp_path, capfd):
    path = tmp_path / "坏.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    assert xls_hidden(str(path), ["Sheet1"]) == {}
    assert capfd.readouterr().out == ""


def test_runs_of_rows_are_numbered_from_one():
    assert spans([8, 0, 1, 2, 5, 7, 2]) == [range(1, 4), range(6, 7), range(8, 10)]
    assert spans([]) == []


def test_xlrd_is_loaded_for_an_xls_only():
    """Reading an xlsx or an ods does not import xlrd; reading an .xls does."""
    code = (
        "import sys; from crm.importing.workbook import read_grids; seen = []\n"
        f"for name in ('county_weekly.xlsx', 'legacy.ods', 'legacy.xls'):\n"
        f"    read_grids({str(SHEETS)!r} + '/' + name); seen.append('xlrd' in sys.modules)\n"
        "print(seen)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[False, False, True]"
