"""Files as offices keep them (issue #12): .xls and .ods written by a real office suite, a password-protected
workbook, a sheet whose cells reach the last cell of the sheet, an oversized cell."""

import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import Workbook

from db.connection import open_database
from db.models import Deal
from tests.ledger.test_import_county import COUNTY_ROWS, county_xlsx, run_import

OFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def as_xls_and_ods(source: Path) -> dict[str, Path]:
    """{"xls": …, "ods": …}: the workbook `source` saved by LibreOffice as .xls (Excel 97–2003) and .ods beside it;
    the test is skipped where no office suite can be had."""
    if OFFICE is None:
        pytest.skip("no office suite installed to write .xls and .ods")
    made = {}
    for suffix, filt in (("xls", "xls:MS Excel 97"), ("ods", "ods")):
        subprocess.run(
            [OFFICE, "--headless", "--convert-to", filt, "--outdir", str(source.parent), str(source)],
            check=True,
            capture_output=True,
            timeout=180,
            env={"HOME": str(source.parent), "PATH": "/usr/bin:/bin"},
        )
        made[suffix] = source.with_suffix(f".{suffix}")
        assert made[suffix].exists()
    return made


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """The county sheet saved by LibreOffice as .xls (Excel 97–2003) and .ods, once for the module."""
    return as_xls_and_ods(county_xlsx(tmp_path_factory.mktemp("office") / "county.xlsx"))


@pytest.mark.parametrize("suffix", ["xls", "ods"])
def test_xls_and_ods_written_by_an_office_suite_import(ledger, db_url, run_cli, converted, suffix):
    code, report, err = run_import(run_cli, db_url, converted[suffix])
    assert code == 0, err
    assert len(report["created"]) == len(COUNTY_ROWS)
    assert report["columns"]["region"] == "所属县区"
    open_database(db_url)
    zz = Deal.get(Deal.name == "涿州智能装备产业园")
    assert (str(zz.amount), zz.stage, zz.region) == ("8000000000.00", "construction", "涿州市")


def test_a_wps_et_saved_in_xls_format_imports(ledger, db_url, run_cli, converted, tmp_path):
    et = tmp_path / "县报.et"
    shutil.copy(converted["xls"], et)
    code, report, err = run_import(run_cli, db_url, et)
    assert code == 0, err and len(report["created"]) == len(COUNTY_ROWS)


def test_a_password_protected_workbook_is_named_as_such(ledger, db_url, run_cli, tmp_path):
    # What Excel writes for a password-protected xlsx: a compound file holding an EncryptedPackage stream.
    path = tmp_path / "加密.xlsx"
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptedPackage".encode("utf-16-le") + bytes(1024)
    )
    code, out, err = run_cli("--db", db_url, "import", path)
    assert code == 2 and "password" in err.lower() or "密码" in err
    assert "Traceback" not in err


def test_a_stray_cell_in_the_last_cell_of_the_sheet_is_no_crash(ledger, db_url, run_cli, tmp_path):
    path = county_xlsx(tmp_path / "远.xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb.active["XFD1048576"] = " "  # the used range reaches the sheet's last cell
    wb.save(path)
    code, report, err = run_import(run_cli, db_url, path)
    assert code == 0, err
    assert len(report["created"]) == len(COUNTY_ROWS)


def test_an_oversized_cell_is_refused_with_its_row_and_column(ledger, db_url, run_cli, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["项目名称", "总投资", "备注"])
    ws.append(["甲", "5亿元", "x" * 40000])
    wb.save(tmp_path / "大.xlsx")
    code, out, err = run_cli("--db", db_url, "import", tmp_path / "大.xlsx")
    assert code == 2 and "Traceback" not in err
    assert "2" in err and "(C)" in err  # the row and the column
