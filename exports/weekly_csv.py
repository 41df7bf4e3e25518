"""The weekly table as CSV for Excel/WPS (exports.weekly_text.write dispatches to it): UTF-8 with a byte-order
mark (Excel and WPS then read Chinese correctly), CRLF line ends, each deal's amount exact (1.8亿美元, 4565万元)
so the file imports back unchanged, 折合人民币 in 亿元 rounded to two decimals as every format shows it (the
importer only checks it), formula-like text neutralised.

The deal rows are written a RowBatch at a time, column by column (_CsvColumns), the same bytes csv.writer
writes of each row's cells; a large table's second range is written by a child process
(exports.weekly_csv_split) and appended after this process's rows.
"""

from __future__ import annotations

import csv
import re
from itertools import compress
from operator import not_
from typing import NamedTuple

from crm.foundation.i18n import current_language, list_sep
from crm.reporting.weekly import AMOUNTS_KEPT, RowBatch, WeeklyTable, batches_of_rows
from crm.values.dates import date_text
from exports import weekly_layout as layout
from exports.cells import FORMULA_STARTS, QUOTE, neutralise, text_of
from exports.weekly_csv_split import SecondRange

BOM = "\ufeff"


def _csv_value(value):
    if type(value) is str:  # most cells: checked first, as neutralise() would
        return QUOTE + value if value.startswith(FORMULA_STARTS) else value
    if isinstance(value, layout.Own):
        return layout.own_exact(value.money)
    if isinstance(value, layout.NUMBERS):
        # an undefined share: an empty cell in CSV, — in the other formats
        return "" if isinstance(value, layout.Ratio) and value.value is None else layout.shown(value)
    if isinstance(value, str):
        return neutralise(value)
    return text_of(value)


def total_of(table: WeeklyTable) -> int:
    """The number of rows for progress reports: exact for a list, an upper bound for a stream."""
    return len(table.rows) if isinstance(table.rows, list) else table.expected_rows


def write_csv(table: WeeklyTable, out, progress=None, bom: bool = True) -> None:
    """Write the table as CSV to the text stream `out` (opened with newline=""), row by row as they are read."""
    writer = csv.writer(out, lineterminator="\r\n")
    width = len(layout.columns())

    def line(*cells):
        writer.writerow([_csv_value(c) for c in cells] + [""] * max(0, width - len(cells)))

    if bom:
        out.write(BOM)
    line(layout.title(table))
    line(layout.scope_text(table))
    line(layout.as_of_text(table))
    line(*[c.header for c in layout.columns()])
    total = total_of(table)
    second = SecondRange(table, progress, total, _write_batches)
    try:
        done = second.mine = _write_batches(table.row_batches(), out, progress, total, second.done)
        done += second.append_to(out)
    except BaseException:
        second.append_failed(out)  # a stream then holds the rows before the error, as one process writes them
        raise
    finally:
        second.close()
    if progress and done:
        progress(done, done)
    line(*layout.totals(table))
    line()
    csv_tail(table, line)


def csv_tail(table: WeeklyTable, line) -> None:
    """Write, through `line(*cells)`, what follows the deal table in CSV: its notes and the summary tables."""
    for note in layout.notes(table):
        line(note)
    for section in layout.summary_sections(table):
        line()
        line(section.title)
        line(*section.headers)
        for values in section.rows:
            line(*values)


class _Texts(dict):
    """Each distinct value's CSV text, made once by `make`: days, amounts, names and industries repeat from row
    to row. Memory stays bounded (emptied past `most` values)."""

    def __init__(self, make, most: int = 10_000) -> None:
        super().__init__()
        self.make, self.most = make, most

    def __missing__(self, value) -> str:
        if len(self) > self.most:
            self.clear()
        text = self[value] = self.make(value)
        return text


class _Industry(NamedTuple):
    """What layout.industry_text reads of a row."""

    industry: str
    sub_industry: str


class _Listed(NamedTuple):
    """What layout.progress_text and layout.problems_text read of a row."""

    progress: list
    problems: list


def _cell_text(value) -> str:
    """A text cell as CSV holds it: "" for none, formula-like text neutralised."""
    if not value:
        return ""
    return QUOTE + value if value.startswith(FORMULA_STARTS) else value


#: A cell that starts like a formula, in the cells of a column joined with NUL (and one before the first).
_FORMULA_AFTER_NUL = re.compile("\x00[" + re.escape("".join(FORMULA_STARTS)) + "]")


#: A character for which csv.writer (QUOTE_MINIMAL, CRLF line ends) quotes a cell.
_NEEDS_QUOTES = re.compile('[,"\r\n]')


def _quoted(text: str) -> str:
    """A cell's text as csv.writer writes it in a row of several cells: in quotes (its quotes doubled) when it
    holds a comma, a quote or a line break, else as it is."""
    if _NEEDS_QUOTES.search(text) is None:
        return text
    return '"' + text.replace('"', '""') + '"'


def _csv_cell(value) -> str:
    """One text cell as a CSV line holds it: _cell_text's text, quoted as _quoted quotes it."""
    return _quoted(_cell_text(value))


def _csv_column(values) -> list | tuple:
    """A column of text cells as a CSV line holds them: _text_column's cells, quoted as _quoted quotes them (one
    search of the column joined, in C, when none needs it)."""
    cells = _text_column(values)
    if _NEEDS_QUOTES.search("".join(cells)) is None:
        return cells
    return [_quoted(v) for v in cells]


def _text_column(values) -> list | tuple:
    """A column of text cells as _cell_text gives them: the column itself when no cell needs a change (one
    search of the cells joined, in C; csv.writer writes None as ""). A cell holding NUL before a formula sign
    only takes the cell-by-cell way."""
    try:
        if _FORMULA_AFTER_NUL.search("\x00" + "\x00".join(values)) is None:
            return values
    except TypeError:  # a cell that is not text (None)
        pass
    return [_cell_text(v) for v in values]


class _OwnTexts:
    """layout.own_exact made once per Money object (crm.reporting.weekly gives rows one Money per distinct
    amount), looked up by the object's id; each Money is kept while its text is, so that its id is not reused."""

    def __init__(self) -> None:
        self.texts: dict[int, str] = {}
        self.kept: dict[int, object] = {}

    def column(self, amounts) -> list[str]:
        """The texts of a column of Money objects: a lookup in C per cell, own_exact once per new object."""
        texts, ids = self.texts, list(map(id, amounts))
        found = list(map(texts.get, ids))
        if None not in found:
            return found
        new = compress(amounts, map(not_, found))
        if len(texts) > AMOUNTS_KEPT:
            texts.clear()
            self.kept.clear()
            new = amounts  # the batch's texts found before went too
        for money in {id(m): m for m in new}.values():
            texts[id(money)] = _quoted(layout.own_exact(money))
            self.kept[id(money)] = money
        return list(map(texts.__getitem__, ids))


class _ProblemTexts:
    """layout.problems_text of a row's problems, its wording (layout's translations, the brackets and separator
    of the language) looked up once, and each department's and day's part of a line made once."""

    def __init__(self) -> None:
        sep = layout.semicolon()
        opening, self.closing = ("【", "】") if current_language() == "zh" else (" [", "]")
        responsible, raised = layout._("Responsible: {department}"), layout._("raised: {day}")
        due, self.overdue = layout._("due: {day}"), sep + layout._("overdue")
        self.departments = _Texts(lambda name: opening + responsible.format(department=name) + sep)
        self.raised = _Texts(lambda day: raised.format(day=day.isoformat()))
        self.due = _Texts(lambda day: "" if day is None else sep + due.format(day=day.isoformat()))

    def text(self, problems: list) -> str:
        """The cell's text: layout.problems_text of a row with these problems (neutralised, as _cell_text)."""
        departments, raised, due, closing = self.departments, self.raised, self.due, self.closing
        overdue = self.overdue
        lines = [
            f"{n}. {p.text}{departments[p.department]}{raised[p.raised_on]}{due[p.due_on]}"
            f"{overdue if p.overdue else ''}{closing}"
            for n, p in enumerate(problems, 1)
        ]
        return _csv_cell("\n".join(lines))


class _CsvColumns:
    """A RowBatch's cells as CSV text, column by column: what csv.writer writes of _csv_value(layout.cells(row))
    for each cell of a row (quoted where it quotes), so that a line is the cells joined with commas."""

    def __init__(self) -> None:
        sep = list_sep()
        self.own = _OwnTexts()
        self.yi = _Texts(lambda yuan: _quoted(layout.yi_text(yuan)), AMOUNTS_KEPT)
        self.days = _Texts(lambda day: "" if day is None else day.isoformat())
        self.industries = _Texts(lambda pair: _csv_cell(layout.industry_text(_Industry(*pair))))
        self.names = _Texts(_csv_cell)  # events, regions, departments, people
        self.stages = _Texts(lambda key: _csv_cell(layout.stage_label(key)))
        self.supporting = _Texts(lambda names: _csv_cell(sep.join(names)))
        self.problems = _ProblemTexts()

    def signing_days(self, batch: RowBatch):
        """The texts of the batch's signing dates: each day's, made once, and a month-only date's month (date_text:
        2025-12), looked for only in a batch that has one."""
        days = map(self.days.__getitem__, batch.signed_on)
        if batch.signed_on_month is None:
            return days
        texts = list(days)
        for i in compress(range(len(texts)), batch.signed_on_month):
            texts[i] = date_text(batch.signed_on[i], True)
        return texts

    def rows(self, batch: RowBatch):
        """The batch's rows as tuples of their cells' CSV text."""
        names, problems = self.names.__getitem__, self.problems.text
        return zip(
            map(str, batch.seq),
            _csv_column(batch.code),
            _csv_column(batch.name),
            _csv_column(batch.investor),
            map(names, batch.region),
            map(self.industries.__getitem__, zip(batch.industry, batch.sub_industry)),
            map(names, batch.event),
            self.signing_days(batch),
            self.own.column(batch.amount),
            map(self.yi.__getitem__, batch.amount_cny),
            map(self.stages.__getitem__, batch.stage),
            [_csv_cell(layout.progress_text(_Listed(p, []))) if p else "" for p in batch.progress],
            [problems(p) if p else "" for p in batch.problems],
            map(names, batch.lead_unit),
            map(self.supporting.__getitem__, batch.supporting),
            map(names, batch.liaison),
        )


def _write_rows(rows, out, progress, total: int) -> int:
    """_write_batches for rows given one by one (Row objects). Returns the number of rows."""
    return _write_batches(batches_of_rows(rows), out, progress, total)


def _write_batches(batches, out, progress, total: int, elsewhere=None) -> int:
    """Write the table's rows, given in RowBatches, to the text stream `out` as csv.writer (QUOTE_MINIMAL, CRLF)
    would write _csv_value(layout.cells(row)).

    The same bytes without a call and a type test per cell: each column is made into CSV text at once, each
    distinct amount, day, name and industry once, and each line is its cells joined. Returns the number of rows;
    progress reports add `elsewhere()` (the rows another process has written meanwhile).
    """
    columns = _CsvColumns()
    done = 0
    for batch in batches:
        if len(batch):
            out.write("\r\n".join(map(",".join, columns.rows(batch))) + "\r\n")
        done += len(batch)
        if progress:
            progress(done + (elsewhere() if elsewhere else 0), total)
    return done
