"""The weekly xlsx printed as it is set up, checked the way a person would: LibreOffice converts it to PDF
(as its print dialog would print it) and the printed size of every character is measured.

scripts/ensure-office (run by `make test`) installs LibreOffice and the fonts; the test skips only when
soffice cannot be had at all.
"""

import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pytest
from openpyxl import load_workbook

from exports import weekly_xlsx

ROOT = Path(__file__).resolve().parents[2]
A4_LANDSCAPE = (841.89, 595.3)  # points
MIN_PT = 7.0  # the 16 columns fitted to A4's width (tests/ledger/test_weekly_print_layout.py: 7.2 or more)


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    try:
        done = subprocess.run([str(ROOT / "scripts" / "ensure-office")], capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as e:
        pytest.skip(f"LibreOffice cannot be installed here: {e}")
    if done.returncode != 0 or not done.stdout.strip():
        pytest.skip("LibreOffice cannot be installed here: " + done.stderr.strip()[-300:])
    return done.stdout.strip().splitlines()[-1]


def _to_pdf(xlsx: Path) -> Path:
    out = xlsx.parent
    # A profile of its own, so that a LibreOffice already running (or another test) does not take the job.
    profile = out / "lo-profile"
    subprocess.run(
        [
            _soffice(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(xlsx),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = xlsx.with_suffix(".pdf")
    assert pdf.exists()
    return pdf


@pytest.fixture(scope="module")
def w21(request, tmp_path_factory, _templates):
    """The demo ledger's 周报 of 2020-W21 (28 deals) as xlsx and as LibreOffice prints it, made once for the
    module's tests, which only read it (the printed layout does not depend on the database: SQLite only)."""
    from app import main

    folder = tmp_path_factory.mktemp("w21")
    ledger = folder / "demo.sqlite3"
    shutil.copyfile(_templates("demo", "sqlite", request)[0], ledger)
    xlsx = folder / "w21.xlsx"
    assert main(["--db", str(ledger), "export", "weekly", "--week", "2020-W21", "-o", str(xlsx)]) == 0
    return xlsx, _to_pdf(xlsx)


def _weekly_pages(pdf):
    # The 周报 sheet prints landscape, the 汇总 sheet portrait.
    return [p for p in pdf.pages if p.width > p.height]


def test_the_weekly_table_prints_on_a4_with_body_text_of_7_points_or_more(w21):
    _xlsx, pdf_path = w21
    with pdfplumber.open(pdf_path) as pdf:
        pages = _weekly_pages(pdf)
        assert len(pages) >= 2
        for page in pages:
            assert (round(page.width, 2), round(page.height, 2)) == A4_LANDSCAPE
            sizes = [c["size"] for c in page.chars]
            assert len(sizes) > 500
            assert min(sizes) >= MIN_PT, f"page {page.page_number}: smallest text {min(sizes):.1f} pt"
        summary = [p for p in pdf.pages if p.width < p.height]
        assert summary and min(c["size"] for p in summary for c in p.chars) >= MIN_PT


def test_every_printed_page_repeats_the_header_and_nothing_runs_off_the_paper(w21):
    _xlsx, pdf_path = w21
    with pdfplumber.open(pdf_path) as pdf:
        pages = _weekly_pages(pdf)
        for page in pages:
            text = page.extract_text()
            for header in ("序号", "项目名称", "本周进展", "存在问题", "包联领导"):
                assert header in text, (page.page_number, header)
            assert max(c["x1"] for c in page.chars) <= page.width - 20
            assert min(c["x0"] for c in page.chars) >= 20
        everything = "\n".join(p.extract_text() for p in pages)
    # Rows 1..28 and the totals row are all printed, none lost between pages.
    lines = everything.splitlines()
    for seq in (1, 14, 28):
        assert any(line.startswith(f"{seq} ZS20") for line in lines), seq
    assert "合计" in everything and "共 28 个项目" in everything


def test_long_text_wraps_inside_its_row(w21):
    xlsx, pdf_path = w21
    name = "涿州现代供应链金融创新示范基地项目"  # 34 display columns, in a column capped at 16
    with pdfplumber.open(pdf_path) as pdf:
        text = "\n".join(p.extract_text() for p in _weekly_pages(pdf))
    assert name not in text.replace(" ", "")  # not on one line …
    flat = text.replace("\n", "").replace(" ", "")
    assert "涿州现代供应" in flat and "基地项目" in flat  # … but wholly printed, over several
    ws = load_workbook(xlsx).worksheets[0]
    row = next(r for r in ws.iter_rows() if r[2].value == name)
    assert row[2].alignment.wrap_text
    assert ws.row_dimensions[row[0].row].height >= 2 * weekly_xlsx.LINE_HEIGHT


def test_the_totals_row_says_it_is_rounded_from_exact_sums(w21):
    xlsx, pdf_path = w21
    ws = load_workbook(xlsx).worksheets[0]
    notes = [c.value for c in ws["A"] if isinstance(c.value, str) and c.value.startswith("说明")]
    assert notes and "合计由精确数求和后四舍五入" in notes[0]
    with pdfplumber.open(pdf_path) as pdf:
        assert "合计由精确数求和后四舍五入" in "".join(p.extract_text() for p in pdf.pages).replace("\n", "")


def test_the_paper_is_a4_when_the_table_is_narrow_enough_else_a3():
    assert weekly_xlsx.paper_for([10] * 16) == weekly_xlsx.A4
    assert weekly_xlsx.paper_for([16] * 16) == weekly_xlsx.A3
    # A4 is chosen only while its body text still prints at MIN_PRINTED_PT or more.
    a4 = [w for w in range(150, 260) if weekly_xlsx.paper_for([w / 16] * 16) == weekly_xlsx.A4]
    assert a4 == list(range(150, max(a4) + 1))
    assert weekly_xlsx.print_scale(weekly_xlsx.A4, [max(a4) / 16] * 16) * 11 >= weekly_xlsx.MIN_PRINTED_PT
    assert weekly_xlsx.print_scale(weekly_xlsx.A4, [(max(a4) + 1) / 16] * 16) * 11 < weekly_xlsx.MIN_PRINTED_PT
    # Every column at its cap still prints on A4.
    assert weekly_xlsx.paper_for(list(weekly_xlsx.MAX_WIDTHS.values())) == weekly_xlsx.A4
