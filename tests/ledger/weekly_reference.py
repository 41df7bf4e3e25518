"""The weekly table's text formats as they were written before they streamed (the whole table in
memory, one tabulate call): the reference the streamed writers of exports.weekly_text must equal
byte for byte. Copied from exports/weekly_text.py at e03e22c, not used by the program; one change since:
txt cells have their line breaks as \\n (exports.weekly_text.txt_cell), which the old grid misaligned."""

from __future__ import annotations

import csv
import html
import io

from crm.foundation.i18n import current_language
from crm.values.money import format_money
from exports import weekly_layout as layout
from exports.cells import FORMULA_STARTS, QUOTE, text_of
from exports.weekly_text import BOM, _csv_value, txt_cell


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
