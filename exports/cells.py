"""Values as they go into exported cells, and the rule that no cell becomes a formula.

Spreadsheet programs run text that starts with `=`, `+`, `-` or `@` (and,
after a tab or carriage return, that too) as a formula when they open a CSV
file or when someone edits the cell of an xlsx file. Following the OWASP
advice on CSV injection, such text is written with a leading apostrophe,
which Excel, WPS and LibreOffice show as text. Only text is changed:
numbers, dates and empty cells are written as they are, so amounts stay
numbers that sum. The full-width forms (＝＋－＠) are treated the same,
because some programs fold them to ASCII.
"""

import contextlib
import datetime
from collections.abc import Iterator
from decimal import Decimal

# One neutraliser for every CSV the program writes (the CLI's too); xlsx cells take formula-like text as string cells.
from crm.foundation.text import FORMULA_STARTS, QUOTE, looks_like_formula, neutralise  # noqa: F401 — re-exported


def is_neutralised(text: str) -> bool:
    """True for text `neutralise` has prefixed (what an importer should strip)."""
    return isinstance(text, str) and len(text) > 1 and text[0] == QUOTE and text[1:].startswith(FORMULA_STARTS)


def unneutralise(text):
    """The original text of a neutralised cell; anything else unchanged."""
    return text[1:] if is_neutralised(text) else text


def plain_decimal(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 12.78540000 → 12.7854, 25.00 → 25."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def text_of(value) -> str:
    """A plain value as text for CSV and text tables: dates in ISO form, None empty."""
    if value is None:
        return ""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return plain_decimal(value)
    return str(value)


@contextlib.contextmanager
def workbook(path, options: dict | None = None) -> Iterator:
    """An xlsxwriter Workbook writing `path`, assembled as the block ends without an error.

    Its temporary files go in a folder of its own, removed whatever happens: xlsxwriter writes every part
    of the workbook to a temporary file before zipping them, and a zip that fails (a full disk) left them
    all in the system's temporary folder, the table's sheet as large as the export. After an error inside
    the block the workbook is not assembled at all. When assembling fails, the zip file xlsxwriter leaves
    open is closed here: closed at garbage collection, it fails again and Python prints "Exception ignored
    … Traceback" after the command's one-line error.
    """
    import tempfile

    import xlsxwriter

    with tempfile.TemporaryDirectory(prefix="crm-xlsx-") as folder:
        book = xlsxwriter.Workbook(str(path), {**(options or {}), "tmpdir": folder})
        yield book
        try:
            book.close()
        except BaseException as exc:
            _close_zips(exc)
            raise


def _close_zips(exc: BaseException) -> None:
    """Close the zip files found in the frames of `exc` and of the exceptions it came from."""
    import zipfile

    seen: BaseException | None = exc
    while seen is not None:  # xlsxwriter raises FileCreateError from the OSError: the zip is in the OSError's frames
        tb = seen.__traceback__
        while tb is not None:
            for value in list(tb.tb_frame.f_locals.values()):
                if isinstance(value, zipfile.ZipFile):
                    with contextlib.suppress(Exception):  # its own write fails like the first: already reported
                        value.close()
            tb = tb.tb_next
        seen = seen.__cause__ or seen.__context__
