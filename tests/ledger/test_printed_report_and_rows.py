"""The report and the weekly table printed as a person prints them (LibreOffice to PDF, read back with pdfplumber):
the regions report's headers break between their words (总投资 / (亿元), 超序时进度 / (百分点), 逾期未开工 whole),
in Chinese and in English; the weekly table's rows are as tall as their lines, not a line or two taller.
Printed from the demo ledger (SQLite: the printed layout does not depend on the database)."""

import shutil

import pdfplumber
import pytest
from openpyxl import load_workbook

from exports import summary_xlsx
from tests.ledger.test_weekly_print import _to_pdf, _weekly_pages, w21  # noqa: F401 — w21 is a fixture

AS_OF = "2020-05-31"


@pytest.fixture(scope="module")
def printed_report(request, tmp_path_factory, _templates):
    """The demo ledger's regions report as xlsx in Chinese and English, and each printed: {lang: (xlsx, pdf)}."""
    from app import main

    folder = tmp_path_factory.mktemp("report")
    ledger = folder / "demo.sqlite3"
    shutil.copyfile(_templates("demo", "sqlite", request)[0], ledger)
    files = {}
    for lang in ("zh", "en"):
        xlsx = folder / f"regions-{lang}.xlsx"
        args = ["--db", str(ledger), "--lang", lang, "report", "regions", "--as-of", AS_OF, "-o", str(xlsx)]
        assert main(args) == 0
        files[lang] = xlsx, _to_pdf(xlsx)
    return files


def _printed_lines(page) -> list[str]:
    """The runs of text printed on one line of `page`, a cell's lines each its own (spaces kept)."""
    words = page.extract_words(keep_blank_chars=True, x_tolerance=1.5, y_tolerance=1)
    return [w["text"].strip() for w in words]


@pytest.mark.parametrize(
    "lang, words",
    [
        ("zh", ["总投资", "(亿元)", "逾期未开工", "计划内已开工", "超序时进度", "(百分点)", "资金到位率", "开工占比"]),
        ("en", ["Total (100m CNY)", "(100m CNY)", "Overdue", "Operating", "resolved", "Resolution"]),
    ],
)
def test_the_report_headers_break_between_words(printed_report, lang, words):
    xlsx, pdf = printed_report[lang]
    headers = [c.value for c in load_workbook(xlsx).worksheets[0][2]]
    # every word of every header is printed whole, on one line …
    every = {w.group() for h in headers for w in summary_xlsx._WORDS.finditer(h)}
    with pdfplumber.open(pdf) as printed:
        lines = _printed_lines(printed.pages[0])
    for word in [*words, *sorted(every)]:
        assert any(word in line for line in lines), (word, lines[:40])
    # … and the columns stay narrower than their headers on one line: 总投资 over (亿元)
    if lang == "zh":
        assert "总投资" in lines and "超序时进度" in lines and "(百分点)" in lines


def test_weekly_rows_are_as_tall_as_their_lines(w21):  # noqa: F811 — the fixture imported above
    """Under the last line of a deal row's tallest cell there is at most a line and the cell's padding: the rows
    are counted in lines as Excel wraps them, which LibreOffice sometimes fits in one fewer."""
    _xlsx, pdf_path = w21
    gaps = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in _weekly_pages(pdf):
            edges = sorted({round(e["top"], 1) for e in page.edges if e["orientation"] == "h"})
            tops = [e for i, e in enumerate(edges) if i == 0 or e - edges[i - 1] > 2]
            for top, bottom in zip(tops, tops[1:]):
                chars = [c for c in page.chars if top < c["top"] and c["bottom"] < bottom and c["text"].strip()]
                if any(c["text"] == "Z" for c in chars):  # a deal row: its code ZS2020-…
                    size = max(c["size"] for c in chars)
                    gaps.append((bottom - max(c["bottom"] for c in chars)) / size)
    assert len(gaps) == 28
    assert max(gaps) < 2.4, max(gaps)  # a line of 7-point text is about 1.3 of its size
    assert min(gaps) > 0.25  # and the last line still clears the border
