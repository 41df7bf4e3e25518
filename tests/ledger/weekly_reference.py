"""The weekly table's text formats as they were written before they streamed (the whole table in
memory, one tabulate call): the reference the streamed writers of exports.weekly_text and exports.weekly_csv must equal
byte for byte. Copied from exports/weekly_text.py at e03e22c, not used by the program; changes since:
txt cells have their line breaks as \\n (exports.weekly_text.txt_cell), which the old grid misaligned; the txt
notes are wrapped at the grid's width; the HTML totals row is exports.weekly_text.html_totals (its amounts
wrap only after a 、)."""

from __future__ import annotations

import csv
import io

from crm.foundation.lines import cells as display_width
from exports import weekly_layout as layout
from exports.cells import FORMULA_STARTS, QUOTE

# What did not change with streaming (cells, and the lines before and after the deal table) is imported,
# so that this reference differs from the program only in how it lays out the deal table itself.
from exports.weekly_csv import BOM, _csv_value, csv_tail
from exports.weekly_text import (
    _aligns,
    _html_cell,
    _md_cell,
    _shown,
    html_head,
    html_tail,
    html_totals,
    md_head,
    md_tail,
    tabulate,
    txt_cell,
    txt_head,
    txt_header_width,
    txt_tail,
    txt_totals,
    wrap,
)


def render(table, fmt: str) -> str:
    """The table (its rows a list) in `fmt`, as the program wrote it at e03e22c."""
    return {"csv": render_csv, "md": render_md, "txt": render_txt, "html": render_html}[fmt](table, None)


def _report(progress, done, total):
    pass


def _rows(table, shown, progress):
    return [[shown(v) for v in layout.cells(row)] for row in table.rows]


def render_csv(table, progress=None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    width = len(layout.columns())

    def line(*cells):
        writer.writerow([_csv_value(c) for c in cells] + [""] * max(0, width - len(cells)))

    out.write(BOM)
    line(layout.title(table))
    line(layout.scope_text(table))
    line(layout.as_of_text(table))
    line(*[c.header for c in layout.columns()])
    for row in table.rows:
        writer.writerow(
            [
                (QUOTE + v if v.startswith(FORMULA_STARTS) else v) if type(v) is str else _csv_value(v)
                for v in layout.cells(row)
            ]
        )
    line(*layout.totals(table))
    line()
    csv_tail(table, line)
    return out.getvalue()


# ---- Markdown -------------------------------------------------------------


def render_md(table, progress=None) -> str:
    cols = layout.columns()
    rows = _rows(table, lambda v: _md_cell(_shown(v)), progress)
    rows.append([_md_cell(_shown(v)) for v in layout.totals(table)])
    body = tabulate(
        rows,
        headers=[_md_cell(c.header) for c in cols],
        tablefmt="github",
        disable_numparse=True,
        colalign=_aligns([c.key for c in cols]),
    )
    return "\n".join([*md_head(table), body, "", *md_tail(table)]).rstrip("\n") + "\n"


# ---- plain text -----------------------------------------------------------


def render_txt(table, progress=None) -> str:
    cols = layout.columns()
    rows = _rows(table, lambda v: txt_cell(_shown(v)), progress)
    wrapped = [[wrap(cell, col.width) if col.wrap else cell for cell, col in zip(row, cols)] for row in rows]
    at = [c.key for c in cols].index("amount")
    wrapped.append(txt_totals(table, max((display_width(row[at]) for row in rows), default=0)))
    headers = [wrap(c.header, txt_header_width(c)) for c in cols]
    body = tabulate(
        wrapped, headers=headers, tablefmt="grid", disable_numparse=True, colalign=_aligns([c.key for c in cols])
    )
    return "\n".join([*txt_head(table), body, "", *txt_tail(table, len(body.split("\n")[0]))]) + "\n"


# ---- HTML -----------------------------------------------------------------


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


def render_html(table, progress=None) -> str:
    cols = layout.columns()
    keys = [c.key for c in cols]
    rows = _rows(table, lambda v: _html_cell(_shown(v)), progress)
    overdue = [
        ["overdue" if k == "problems" and any(p.overdue for p in row.problems) else "" for k in keys]
        for row in table.rows
    ]
    rows.append(html_totals(table))
    overdue.append([""] * len(keys))
    classes = [""] * len(table.rows) + ["total"]
    numeric = [k in ("seq", "amount", "amount_cny") for k in keys]
    body = _html_table([_html_cell(c.header) for c in cols], rows, numeric, classes, overdue)
    return "\n".join([*html_head(table), body, *html_tail(table)])
