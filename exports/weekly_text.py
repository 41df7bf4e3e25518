"""The weekly table as text: CSV for Excel/WPS, Markdown, an aligned text
table for terminals and printers, and an HTML page.

- csv: UTF-8 with a byte-order mark (Excel and WPS then read Chinese
  correctly), CRLF line ends, exact amounts (1.8亿美元, 12.7854 亿元) so the
  file imports back unchanged, formula-like text neutralised;
- md: GitHub tables (tabulate), line breaks inside a cell as <br>;
- txt: a grid (tabulate) whose columns line up for Chinese text — wide
  characters count two columns (wcwidth) — with long cells wrapped;
- html: a standalone page (tabulate's HTML table with our own escaping), fit
  for printing in landscape.
"""

from __future__ import annotations

import csv
import html
import io

from crm.foundation.i18n import current_language
from crm.reporting.weekly import WeeklyTable
from crm.values.money import format_money
from exports import weekly_layout as layout
from exports.cells import FORMULA_STARTS, QUOTE, neutralise, text_of

BOM = "\ufeff"
FORMATS = ("csv", "md", "txt", "html")


def render(table: WeeklyTable, fmt: str, progress=None) -> str:
    """The table in `fmt` (csv, md, txt, html) as one string (the CSV starts with a BOM)."""
    renderer = {"csv": render_csv, "md": render_md, "txt": render_txt, "html": render_html}[fmt]
    if fmt != "csv" and not isinstance(table.rows, list):
        table.rows = list(table.rows)  # these layouts size their columns from every row
    return renderer(table, progress)


def _report(progress, done, total):
    if progress and (done % 500 == 0 or done == total):
        progress(done, total)


def _rows(table: WeeklyTable, shown, progress):
    total = len(table.rows)
    out = []
    for done, row in enumerate(table.rows, 1):
        out.append([shown(v) for v in layout.cells(row)])
        _report(progress, done, total)
    return out


# ---- CSV ------------------------------------------------------------------


def _csv_value(value):
    if type(value) is str:  # most cells: checked first, as neutralise() would
        return QUOTE + value if value.startswith(FORMULA_STARTS) else value
    if isinstance(value, layout.Own):
        return layout.own_exact(value.money)
    if isinstance(value, layout.Yi):
        return layout.yi_exact(value.yuan)
    if isinstance(value, layout.Ratio):
        number = layout.ratio_number(value)
        return "" if number is None else layout.ratio_text(value)
    if isinstance(value, str):
        return neutralise(value)
    return text_of(value)


def render_csv(table: WeeklyTable, progress=None) -> str:
    buffer = io.StringIO()
    write_csv(table, buffer, progress)
    return buffer.getvalue()


def _total_of(table: WeeklyTable) -> int:
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
    total = _total_of(table)
    done = 0
    for done, row in enumerate(table.rows, 1):
        # Most cells are text: neutralised here rather than through _csv_value, a call per cell.
        writer.writerow(
            [
                (QUOTE + v if v.startswith(FORMULA_STARTS) else v) if type(v) is str else _csv_value(v)
                for v in layout.cells(row)
            ]
        )
        _report(progress, done, total)
    if progress and done:
        progress(done, done)
    line(*layout.totals(table))
    line()
    for note in layout.notes(table):
        line(note)
    for section in layout.summary_sections(table):
        line()
        line(section.title)
        line(*section.headers)
        for values in section.rows:
            line(*values)


# ---- shared by md, txt, html ----------------------------------------------


def tabulate(*args, **kwargs) -> str:
    """tabulate.tabulate, imported on first use: CSV, the format scripts export most, does not need it."""
    import tabulate as module

    # Count East Asian wide characters as two columns when aligning.
    module.WIDE_CHARS_MODE = True
    return module.tabulate(*args, **kwargs)


def _shown(value) -> str:
    """A typed cell as a reader sees it: amounts rounded for display."""
    if isinstance(value, layout.Own):
        return format_money(value.money)
    if isinstance(value, layout.Yi):
        return layout.yi_text(value.yuan)
    if isinstance(value, layout.Ratio):
        return layout.ratio_text(value)
    return text_of(value)


def _aligns(keys_or_values) -> list[str]:
    return ["right" if k in ("seq", "amount", "amount_cny") else "left" for k in keys_or_values]


def _section_aligns(section) -> list[str]:
    first = section.rows[0] if section.rows else []
    return ["right" if isinstance(v, (int, layout.Yi, layout.Ratio)) else "left" for v in first] or None


# ---- Markdown -------------------------------------------------------------


def _md_text(text: str) -> str:
    """Text for Markdown with HTML escaped: a viewer renders what a ledger cell says, never runs it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _md_cell(text: str) -> str:
    return _md_text(text).replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def render_md(table: WeeklyTable, progress=None) -> str:
    cols = layout.columns()
    rows = _rows(table, lambda v: _md_cell(_shown(v)), progress)
    rows.append([_md_cell(_shown(v)) for v in layout.totals(table)])
    parts = [
        f"# {_md_text(layout.title(table))}",
        "",
        _md_text(layout.scope_text(table)) + "  ",
        _md_text(layout.as_of_text(table)),
        "",
        tabulate(
            rows,
            headers=[_md_cell(c.header) for c in cols],
            tablefmt="github",
            disable_numparse=True,
            colalign=_aligns([c.key for c in cols]),
        ),
        "",
    ]
    parts += [_md_text(note) + "\n" for note in layout.notes(table)]
    parts.append(f"## {_md_text(layout.summary_title(table))}\n")
    for section in layout.summary_sections(table):
        parts.append(f"### {_md_text(section.title)}\n")
        parts.append(
            tabulate(
                [[_md_cell(_shown(v)) for v in values] for values in section.rows],
                headers=[_md_cell(h) for h in section.headers],
                tablefmt="github",
                disable_numparse=True,
                colalign=_section_aligns(section),
            )
        )
        parts.append("")
    return "\n".join(parts).rstrip("\n") + "\n"


# ---- plain text -----------------------------------------------------------


def wrap(text: str, width: int) -> str:
    """`text` wrapped at `width` display columns; wide characters count two, Latin words stay whole."""
    from wcwidth import wcswidth, wcwidth

    out = []
    for paragraph in text.split("\n"):
        line, line_width = "", 0
        for ch in paragraph:
            w = max(wcwidth(ch), 0)
            if line_width + w > width and line:
                cut = line.rfind(" ")
                if ch != " " and cut > 0 and line[cut + 1 :].isascii():
                    # Carry the unfinished Latin word over to the next line.
                    out.append(line[:cut])
                    line = line[cut + 1 :]
                    line_width = max(wcswidth(line), 0)
                else:
                    out.append(line)
                    line, line_width = "", 0
                if ch == " ":
                    continue
            line += ch
            line_width += w
        out.append(line)
    return "\n".join(out)


def render_txt(table: WeeklyTable, progress=None) -> str:
    cols = layout.columns()
    rows = _rows(table, _shown, progress)
    rows.append([_shown(v) for v in layout.totals(table)])
    wrapped = [[wrap(cell, col.width) if col.wrap else cell for cell, col in zip(row, cols)] for row in rows]
    headers = [wrap(c.header, max(c.width, 4)) for c in cols]
    parts = [
        layout.title(table),
        layout.scope_text(table),
        layout.as_of_text(table),
        "",
        tabulate(
            wrapped, headers=headers, tablefmt="grid", disable_numparse=True, colalign=_aligns([c.key for c in cols])
        ),
        "",
    ]
    parts += [wrap(note, 100) for note in layout.notes(table)]
    parts += ["", layout.summary_title(table)]
    for section in layout.summary_sections(table):
        parts += [
            "",
            section.title,
            tabulate(
                [[_shown(v) for v in values] for values in section.rows],
                headers=section.headers,
                tablefmt="simple",
                disable_numparse=True,
                colalign=_section_aligns(section),
            ),
        ]
    return "\n".join(parts) + "\n"


# ---- HTML -----------------------------------------------------------------

_CSS = """
@page { size: A4 landscape; margin: 1cm; }
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "SimSun", sans-serif; font-size: 10pt; }
h1 { font-size: 16pt; text-align: center; margin: 0.3em 0; }
h2 { font-size: 13pt; margin-top: 1.5em; }
h3 { font-size: 11pt; margin-bottom: 0.3em; }
p.scope { margin: 0.2em 0; color: #333; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #808080; padding: 2px 4px; vertical-align: top; }
th { background: #ddebf7; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
td.num { text-align: right; white-space: nowrap; }
tr.total td { font-weight: bold; background: #f2f2f2; }
td.overdue { color: #c00000; }
""".strip()


def _html_cell(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _html_table(
    headers: list[str],
    rows: list[list[str]],
    numeric: list[bool],
    classes: list[str] | None = None,
    cell_classes: list[list[str]] | None = None,
) -> str:
    """A table with escaped cells; tabulate's markup without its escaping, so that <br> survives."""
    body = tabulate(rows, headers=headers, tablefmt="unsafehtml", disable_numparse=True)
    # Mark numeric cells and special rows for the style sheet; tabulate writes plain <td>s in order.
    lines = body.split("\n")
    out, r = [], -1
    for line in lines:
        if line.startswith("<tr>") and "<td" in line:
            r += 1
            cells = line.split("<td")
            rebuilt = [cells[0]]
            for c, cell in enumerate(cells[1:]):
                extra = []
                if c < len(numeric) and numeric[c]:
                    extra.append("num")
                if cell_classes and r < len(cell_classes) and cell_classes[r][c]:
                    extra.append(cell_classes[r][c])
                if extra:
                    # tabulate may already have written a style attribute; a class sits beside it.
                    cell = f' class="{" ".join(extra)}"' + cell
                rebuilt.append(cell)
            line = "<td".join(rebuilt)
            if classes and r < len(classes) and classes[r]:
                line = line.replace("<tr>", f'<tr class="{classes[r]}">', 1)
        out.append(line)
    return "\n".join(out)


def render_html(table: WeeklyTable, progress=None) -> str:
    cols = layout.columns()
    keys = [c.key for c in cols]
    rows = _rows(table, lambda v: _html_cell(_shown(v)), progress)
    overdue = [
        ["overdue" if k == "problems" and any(p.overdue for p in row.problems) else "" for k in keys]
        for row in table.rows
    ]
    rows.append([_html_cell(_shown(v)) for v in layout.totals(table)])
    overdue.append([""] * len(keys))
    classes = [""] * len(table.rows) + ["total"]
    numeric = [k in ("seq", "amount", "amount_cny") for k in keys]
    lang = "zh-CN" if current_language() == "zh" else "en"
    title = html.escape(layout.title(table))
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{title}</title>",
        f"<style>\n{_CSS}\n</style>",
        "</head>",
        "<body>",
        f"<h1>{title}</h1>",
        f'<p class="scope">{_html_cell(layout.scope_text(table))}</p>',
        f'<p class="scope">{_html_cell(layout.as_of_text(table))}</p>',
        _html_table([_html_cell(c.header) for c in cols], rows, numeric, classes, overdue),
    ]
    parts += [f'<p class="note">{_html_cell(note)}</p>' for note in layout.notes(table)]
    parts.append(f"<h2>{html.escape(layout.summary_title(table))}</h2>")
    for section in layout.summary_sections(table):
        parts.append(f"<h3>{html.escape(section.title)}</h3>")
        first = section.rows[0] if section.rows else []
        parts.append(
            _html_table(
                [_html_cell(h) for h in section.headers],
                [[_html_cell(_shown(v)) for v in values] for values in section.rows],
                [isinstance(v, (int, layout.Yi, layout.Ratio)) for v in first],
            )
        )
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
