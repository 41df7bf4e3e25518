"""Whole CLI commands timed beside their floors, in the same run, with their peak memory.

- `crm deals --format csv|json` ↔ the sqlite3 CLI (psql's \\copy on PostgreSQL)
  running the SELECT of the same rows with the values as stored (for csv
  crm.listing.views.records_query, in CSV mode; for json
  crm.listing.deal_text.json_data_query, which adds the latest progress entry,
  in JSON mode): the database reads the same rows and its own client writes
  them, while crm has the database write each value as the text it prints;
- `crm export weekly --format csv` ↔ csv.writer writing the rows of the file it wrote;
- `crm export weekly --format md|txt|html`: once each, for the peak memory (≤ 300 MiB) and the time;
- `crm export weekly --format xlsx` ↔ XlsxWriter's constant-memory mode writing every
  cell of the workbook the export wrote, read back from its sheets' XML: blanks with
  their formats, each cell's own format, the row heights, merged ranges and column
  widths (tests/ledger/test_weekly_floor.py: byte for byte the export's);
- `crm kpi --as-of`, `crm kpi --series`, `crm report regions`, `crm brief` ↔ the
  interpreter's own start-up (the issue's target for them is absolute: ≤ 1 s).

Each command runs in a process of its own under GNU time, which gives its peak
resident memory and its CPU time; a command and its floor run in turn, round by
round, and the note gives both CPU times (the floors of the weekly export run in
this process: no interpreter start-up in theirs).
"""

from __future__ import annotations

import csv
import datetime
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from tests.perf.ledgers import AS_OF, ROOT, log
from tests.perf.timing import Result

MEMORY_TARGET = 300 * 2**20  # every export, at any ledger size
TARGET_FACTORS = {"deals csv": 2.0, "deals json": 2.0, "weekly csv": 3.0, "weekly xlsx": 1.3}
REPORT_TARGET = 1.0  # seconds, the reporting paths
WEEK = "2026-W43"


def run(argv: list[str]) -> tuple[float, int, float]:
    """(seconds, peak resident bytes, CPU seconds) of `argv` run to completion; raises on a non-zero exit.

    The peak and the CPU time (user + system) come from GNU time (wait4 of a
    small parent): a child forked from this process would inherit this
    process's own high-water mark. On a machine shared with other work the CPU
    time says what the wall time cannot: how much work the command itself did.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CRM_USER": "bench"}
    with tempfile.NamedTemporaryFile("r") as peak, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%M %U %S", "-o", peak.name, *argv],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        seconds = time.perf_counter() - t0
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError((err.read().decode(errors="replace").strip().splitlines() or ["failed"])[-1][:200])
        kib, user, system = peak.read().split()[-3:]
    return seconds, int(kib) * 1024, float(user) + float(system)


def _timed(argv: list[str], rounds: int) -> tuple[list[float], int]:
    samples, peak = [], 0
    for _ in range(rounds):
        seconds, rss, _cpu = run(argv)
        samples.append(seconds)
        peak = max(peak, rss)
    return samples, peak


def _crm(path: Path | str, *args: str) -> list[str]:
    return [sys.executable, "-m", "app", "--db", str(path), *args]


def _data_sql(url: str, fmt: str) -> str:
    """The SELECT of the rows `crm deals --format FMT` writes, values as stored, parameters written in."""
    from peewee import query_to_string

    from crm.listing import deal_text
    from crm.listing.views import records_query
    from db.connection import open_database
    from db.models import database

    db = open_database(url)
    try:
        return query_to_string(records_query() if fmt == "csv" else deal_text.json_data_query())
    finally:
        db.close()
        database.initialize(None)


def _memory_note(peak: int) -> str:
    verdict = "within" if peak <= MEMORY_TARGET else "OVER"
    return f"peak {peak / 2**20:.0f} MiB ({verdict} {MEMORY_TARGET // 2**20} MiB)"


def _floor_argv(url: str, fmt: str) -> tuple[list[str], str]:
    """The database's own client writing the same rows, and how the note names it."""
    sql = _data_sql(url, fmt)
    if url.startswith("postgres"):
        if fmt == "json":  # psql writes no JSON itself: the server makes each row's object, as sqlite3 -json does
            sql = f"SELECT row_to_json(r) FROM ({sql}) AS r"
            return ["psql", "-X", "-q", url, "-c", f"\\copy ({sql}) TO STDOUT"], "psql \\copy of row_to_json"
        return ["psql", "-X", "-q", url, "-c", f"\\copy ({sql}) TO STDOUT WITH (FORMAT csv)"], "psql \\copy (csv)"
    return ["sqlite3", f"-{fmt}", url, sql], f"sqlite3 CLI (-{fmt})"


def deals_rows(path: Path | str, rounds: int, deals: int, backend: str = "sqlite") -> list[Result]:
    """`crm deals --format csv|json` beside the database's client writing the same rows, alternated run by run."""
    out = []
    for fmt in ("csv", "json"):
        what = f"crm deals --format {fmt}, {deals:,} deals"
        target = TARGET_FACTORS["deals " + fmt]
        try:
            floor_argv, client = _floor_argv(str(path), fmt)
            samples, floor, peak, cpu, floor_cpu = [], [], 0, [], []
            for _ in range(rounds):  # alternated, so that both see the same load
                seconds, rss, used = run(_crm(path, "deals", "--format", fmt))
                samples.append(seconds)
                cpu.append(used)
                peak = max(peak, rss)
                seconds, _rss, used = run(floor_argv)
                floor.append(seconds)
                floor_cpu.append(used)
            cpu_note = (
                f"CPU (user+sys) {statistics.median(cpu):.2f} s against {statistics.median(floor_cpu):.2f} s: "
                f"{statistics.median(cpu) / max(statistics.median(floor_cpu), 0.01):.1f}×; "
            )
            out.append(
                Result(
                    backend,
                    what,
                    None,
                    samples,
                    floor,
                    max_ratio=target,
                    memory_limit=MEMORY_TARGET,
                    peak=peak,
                    note=f"floor: {client}, the same rows as stored; target ≤ {target}×; "
                    + cpu_note
                    + _memory_note(peak),
                )
            )
        except Exception as exc:  # noqa: BLE001 — one broken row must not hide the others
            out.append(Result(backend, what, None, error=str(exc)[:200]))
        log(f"{what}: {out[-1].median}")
    return out


WEEKLY_FORMATS = ("csv", "xlsx", "md", "txt", "html")


def weekly_rows(
    path: Path | str, rounds: int, deals: int, formats=WEEKLY_FORMATS, backend: str = "sqlite"
) -> list[Result]:
    """`crm export weekly` of the ledger at `path` (a file, or a PostgreSQL URL with `backend`) as csv and xlsx
    beside csv.writer / XlsxWriter writing the same cells; md, txt and html (one run each: their target is the
    peak memory only); those of `formats`."""
    out = []
    with tempfile.TemporaryDirectory(prefix="crm-bench-") as tmp:
        for fmt in (f for f in WEEKLY_FORMATS if f in formats):
            target = Path(tmp) / f"weekly.{fmt}"
            what = f"crm export weekly --format {fmt}, {deals:,} deals"
            argv = _crm(path, "export", "weekly", "--week", WEEK, "--format", fmt, "-o", str(target), "--force")
            try:
                if fmt not in ("csv", "xlsx"):
                    samples, peak = _timed(argv, 1)
                    note = f"{target.stat().st_size / 2**20:.0f} MiB written; no time target; " + _memory_note(peak)
                    out.append(Result(backend, what, None, samples, peak=peak, note=note))
                    log(f"{what}: {out[-1].median}")
                    continue
                samples, floor, peak, cpu, floor_cpu = _alternated(argv, target, fmt, rounds)
                rows, columns = floor.pop(0)
                cpu_note = (
                    f"CPU (user+sys) {statistics.median(cpu):.2f} s against {statistics.median(floor_cpu):.2f} s: "
                    f"{statistics.median(cpu) / max(statistics.median(floor_cpu), 0.01):.1f}×; "
                )
                out.append(
                    Result(
                        backend,
                        what,
                        None,
                        samples,
                        floor,
                        max_ratio=TARGET_FACTORS["weekly " + fmt],
                        memory_limit=MEMORY_TARGET,
                        peak=peak,
                        note=f"{rows:,} rows × {columns} columns; target ≤ "
                        f"{TARGET_FACTORS['weekly ' + fmt]}×; " + cpu_note + _memory_note(peak),
                    )
                )
            except Exception as exc:  # noqa: BLE001
                out.append(Result(backend, what, None, error=str(exc)[:200]))
            log(f"{what}: {out[-1].median}")
    return out


def _alternated(argv: list[str], target: Path, fmt: str, rounds: int):
    """The weekly export and its floor run by run in turn, so that both see the same load: (export seconds,
    [(rows, columns)] + floor seconds, peak, export CPU seconds, floor CPU seconds). The floor writes the cells
    of the file the first run wrote, in this process (its CPU time is this process's, start-up excluded)."""
    seconds, peak, used = run(argv)
    dims, write = (_csv_floor if fmt == "csv" else _xlsx_floor)(target)
    write()  # warm-up, as measure() does
    samples, floor, cpu, floor_cpu = [seconds], [dims], [used], []
    for n in range(rounds):
        if n:
            seconds, rss, used = run(argv)
            samples.append(seconds)
            cpu.append(used)
            peak = max(peak, rss)
        t0, c0 = time.perf_counter(), time.process_time()
        write()
        floor.append(time.perf_counter() - t0)
        floor_cpu.append(time.process_time() - c0)
    return samples, floor, peak, cpu, floor_cpu


def _csv_floor(path: Path):
    """(rows, columns) of the weekly CSV at `path`, and a function writing its rows with csv.writer."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))

    def write():
        with open(path.with_suffix(".floor.csv"), "w", newline="", encoding="utf-8-sig") as fh:
            csv.writer(fh).writerows(rows)

    return (len(rows), max((len(r) for r in rows), default=0)), write


def _xlsx_floor(path: Path):
    """(rows, columns) of the weekly workbook's first sheet at `path`, and a function writing with XlsxWriter's
    constant-memory mode every cell the workbook holds, read back from its sheets' XML (_sheets_of): blanks
    with their formats, each cell's own format (fonts, fills, borders, alignment, number formats as in
    xl/styles.xml), dates as dates, the row heights, merged ranges, column widths."""
    import xlsxwriter

    sheets, specs = _sheets_of(path)

    def write():
        out = xlsxwriter.Workbook(
            str(path.with_suffix(".floor.xlsx")),
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        formats = [None] + [out.add_format(spec) for spec in specs[1:]]
        for sheet in sheets:
            _write_sheet(out.add_worksheet(sheet.title), sheet, formats)
        out.close()

    first = sheets[0]
    return (len(first.rows), max((len(cols) for _r, _h, cols, _s, _v in first.rows), default=0)), write


def _write_sheet(ws, sheet, formats: list) -> None:
    """One sheet of _sheets_of written cell by cell, as a program writing those cells would."""
    writers = (ws.write_string, ws.write_number, ws.write_datetime, ws.write_blank)
    for first, last, pixels in sheet.cols:
        ws.set_column_pixels(first, last, pixels)
    merges = sheet.merges
    for r, pixels, cols, styles, values in sheet.rows:
        if pixels is not None:
            ws.set_row_pixels(r, pixels)
        merged = merges.get(r)
        for c, s, (kind, value) in zip(cols, styles, values):
            if merged and c in merged:
                last = merged[c]
                if last is not None:
                    ws.merge_range(r, c, r, last, "" if value is None else value, formats[s])
                continue
            writers[kind](r, c, value, formats[s])


class _Sheet:
    """A worksheet's content as _sheets_of reads it."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.cols: list[tuple[int, int, int]] = []  # (first, last, width in pixels)
        self.merges: dict[int, dict[int, int | None]] = {}  # row -> {first column: last, inner column: None}
        self.rows: list[tuple] = []  # (row, height in pixels or None, columns, format indices, (kind, value)s)


_ROW = re.compile(r'<row r="(\d+)"([^>]*?)(/>|>(.*))', re.S)
_CELL = re.compile(r'<c r="([A-Z]+)\d+"(?: s="(\d+)")?(?: t="(\w+)")?(?:/>|>(.*?)</c>)', re.S)
_TEXT = re.compile(r"<t[^>]*>(.*)</t>", re.S)
_ESCAPED = re.compile(r"_x([0-9A-F]{4})_")


def _sheets_of(path: Path) -> tuple[list[_Sheet], list[dict]]:
    """Every sheet of the workbook at `path` (its cells as XlsxWriter wrote them), and the workbook's cell
    formats as XlsxWriter format properties, by their index in xl/styles.xml."""
    import zipfile

    with zipfile.ZipFile(path) as book:
        specs = _format_specs(book.read("xl/styles.xml"))
        titles = re.findall(r'<sheet name="([^"]*)"', book.read("xl/workbook.xml").decode())
        sheets = []
        for n, title in enumerate(titles, 1):
            sheet = _Sheet(_unescape(title))
            with book.open(f"xl/worksheets/sheet{n}.xml") as fh:
                _read_sheet(fh, sheet, specs)
            sheets.append(sheet)
    return sheets, specs


def _read_sheet(fh, sheet: _Sheet, specs: list[dict]) -> None:
    dates = {i for i, spec in enumerate(specs) if "y" in spec.get("num_format", "")}
    head, rest, shared = b"", b"", {}
    for chunk in iter(lambda: fh.read(1 << 20), b""):
        rest += chunk
        if head is not None:
            if b"<sheetData" not in rest:
                continue
            head, rest = rest.split(b"<sheetData", 1)
            _read_head(head.decode(), sheet)
            head = None
        *rows, rest = rest.split(b"</row>")
        for row in rows:
            _read_rows(row.decode(), sheet, dates, shared)
    body, _sep, tail = rest.partition(b"</sheetData>")
    _read_rows(body.decode(), sheet, dates, shared)
    for ref in re.findall(r'<mergeCell ref="([A-Z]+)(\d+):([A-Z]+)\d+"', tail.decode()):
        first, r, last = _column(ref[0]), int(ref[1]) - 1, _column(ref[2])
        sheet.merges.setdefault(r, {}).update({c: None for c in range(first + 1, last + 1)} | {first: last})


def _read_head(head: str, sheet: _Sheet) -> None:
    for first, last, width in re.findall(r'<col min="(\d+)" max="(\d+)" width="([\d.]+)"', head):
        sheet.cols.append((int(first) - 1, int(last) - 1, round(float(width) * 7)))  # Calibri 11's 7-pixel digit


def _read_rows(text: str, sheet: _Sheet, dates: set, shared: dict) -> None:
    """The rows in `text`: XML up to a row's end tag, with any rows of a height and no cells before it."""
    for part in text.split("<row ")[1:]:
        _read_row("<row " + part, sheet, dates, shared)


def _read_row(text: str, sheet: _Sheet, dates: set, shared: dict) -> None:
    found = _ROW.match(text)
    r, attrs, body = int(found[1]) - 1, found[2], found[4] or ""
    height = re.search(r' ht="([\d.]+)"', attrs)
    pixels = float(height[1]) * 4 / 3 if height else None
    cols, styles, values = [], [], []
    for ref, s, kind, content in _CELL.findall(body):
        s = int(s or 0)
        cols.append(_column(ref))
        styles.append(s)
        values.append(_value(kind, content, s in dates))
    key = (tuple(cols), tuple(styles))
    cols, styles = shared.setdefault(key[0], key[0]), shared.setdefault(key[1], key[1])
    sheet.rows.append((r, pixels, cols, styles, tuple(values)))


def _value(kind: str, content: str, is_date: bool) -> tuple[int, object]:
    """(writer: 0 string, 1 number, 2 date, 3 blank; the value) of a cell's XML."""
    if kind == "inlineStr":
        text = _TEXT.search(content)[1].replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        return 0, _ESCAPED.sub(lambda m: chr(int(m[1], 16)), text)
    if not content:
        return 3, None
    number = content[3:-4]  # <v>…</v>
    if is_date:
        return 2, datetime.date(1899, 12, 30) + datetime.timedelta(days=int(number))
    return 1, int(number) if number.lstrip("-").isdigit() else Decimal(number)  # as the export writes them


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def _format_specs(styles_xml: bytes) -> list[dict]:
    """Each cell format (cellXfs) of xl/styles.xml as the XlsxWriter properties that make it."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS
    from openpyxl.styles.stylesheet import Stylesheet
    from openpyxl.xml.functions import fromstring

    book = Stylesheet.from_tree(fromstring(styles_xml))
    codes = {f.numFmtId: f.formatCode for f in book.numFmts.numFmt}
    specs = []
    for xf in book.cellXfs.xf:
        font, fill, border = book.fonts[xf.fontId], book.fills[xf.fillId], book.borders[xf.borderId]
        spec: dict = {"font_name": font.name, "font_size": font.sz}
        if font.b:
            spec["bold"] = True
        if font.color is not None and font.color.rgb and font.color.type == "rgb":
            spec["font_color"] = "#" + font.color.rgb[-6:]
        if getattr(fill, "patternType", None) == "solid":
            spec |= {"pattern": 1, "bg_color": "#" + fill.fgColor.rgb[-6:]}
        if border.left is not None and border.left.style == "thin":
            spec["border"] = 1
            if border.left.color is not None and border.left.color.rgb:
                spec["border_color"] = "#" + border.left.color.rgb[-6:]
        align = xf.alignment
        if align is not None:
            if align.horizontal:
                spec["align"] = align.horizontal
            if align.vertical:
                spec["valign"] = "vcenter" if align.vertical == "center" else align.vertical
            if align.wrapText:
                spec["text_wrap"] = True
        if xf.numFmtId:
            spec["num_format"] = codes.get(xf.numFmtId) or BUILTIN_FORMATS[xf.numFmtId]
        specs.append(spec)
    return specs


def report_rows(path: Path | str, rounds: int, deals: int, backend: str = "sqlite") -> list[Result]:
    """The reporting paths (≤ 1 s each at a million deals) beside the interpreter's start-up.

    `path` is the SQLite file or the PostgreSQL URL of the ledger; `backend` names it in the rows. The series
    is the whole year of the as-of date (12 as-of computations); the floor is `crm --help`, the program's own
    start-up, beside the bare interpreter's in the note.
    """
    as_of = (AS_OF - datetime.timedelta(days=120)).isoformat()
    year = AS_OF - datetime.timedelta(days=120)
    start, end = datetime.date(year.year, 1, 1).isoformat(), datetime.date(year.year, 12, 31).isoformat()
    bare, _peak = _timed([sys.executable, "-c", "pass"], rounds)
    floor, _peak = _timed([sys.executable, "-m", "app", "--help"], rounds)
    out = []
    for label, args in (
        ("crm kpi", ["kpi"]),
        ("crm kpi --as-of", ["kpi", "--as-of", as_of]),
        ("crm kpi --series monthly (a whole year)", ["kpi", "--series", "monthly", "--from", start, "--to", end]),
        (
            "crm kpi --series monthly --format json (each month's rates)",
            ["kpi", "--series", "monthly", "--from", start, "--to", end, "--format", "json"],
        ),
        ("crm report regions", ["report", "regions"]),
        ("crm report regions --as-of", ["report", "regions", "--as-of", as_of]),
        ("crm brief", ["brief"]),
        ("crm brief --as-of", ["brief", "--as-of", as_of]),
    ):
        what = f"{label}, {deals:,} deals"
        try:
            samples, peak = _timed(_crm(path, *args), rounds)
            out.append(
                Result(
                    backend,
                    what,
                    REPORT_TARGET,
                    samples,
                    floor,
                    peak=peak,
                    note=f"whole command; floor: crm --help (python -c pass: {statistics.median(bare):.2f} s); "
                    f"peak {peak / 2**20:.0f} MiB",
                )
            )
        except Exception as exc:  # noqa: BLE001
            out.append(Result(backend, what, REPORT_TARGET, error=str(exc)[:200]))
        log(f"{what}: {out[-1].median}")
    return out
