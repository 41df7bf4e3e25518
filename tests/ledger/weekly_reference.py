"""The weekly table's text formats as they were written before they streamed (the whole table in
memory, one tabulate call): the reference the streamed writers of exports.weekly_text must equal
byte for byte. Copied from exports/weekly_text.py at e03e22c, not used by the program; one change since:
txt cells have their line breaks as \\n (exports.weekly_text.txt_cell), which the old grid misaligned."""

from __future__ import annotations

import csv
import html
import io

from crm.foundation.i18n import current_language
from exports import weekly_layout as layout
from exports.cells import FORMULA_STARTS, QUOTE

# What did not change with streaming is imported, so that this reference differs only in how the table is laid out.
from exports.weekly_text import (
    _CSS,
    BOM,
    _aligns,
    _csv_value,
    _html_cell,
    _md_cell,
    _md_text,
    _section_aligns,
    _shown,
    tabulate,
    txt_cell,
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
    for note in layout.notes(table):
        line(note)
    for section in layout.summary_sections(table):
        line()
        line(section.title)
        line(*section.headers)
        for values in section.rows:
            line(*values)
    return out.getvalue()


# ---- Markdown -------------------------------------------------------------


def render_md(table, progress=None) -> str:
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


def render_txt(table, progress=None) -> str:
    cols = layout.columns()
    rows = _rows(table, lambda v: txt_cell(_shown(v)), progress)
    rows.append([txt_cell(_shown(v)) for v in layout.totals(table)])
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
