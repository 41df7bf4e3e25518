"""The weekly table as text: CSV for Excel/WPS, Markdown, an aligned text
table for terminals and printers, and an HTML page.

- csv: exports.weekly_csv;
- md: GitHub tables (tabulate), line breaks inside a cell as <br>;
- txt: a grid (tabulate) whose columns line up for Chinese text — wide
  characters count two columns (wcwidth) — with long cells wrapped, headers
  only between their words, the totals row's amounts one a line when they are
  wider than their column, and the notes under it wrapped at its width between
  clauses and words (crm.foundation.lines);
- html: a standalone page (tabulate's HTML table with our own escaping) that
  prints on A4 landscape: fixed column widths (HTML_WIDTHS), the page number
  at the foot of each page, the totals' amounts wrapping only after a 、.

Every format is written as the rows are read (md, txt and html through
exports.streamed_table), so memory does not grow with the table.
"""

from __future__ import annotations

import io
import re

from crm.foundation.i18n import _, current_language, list_sep
from crm.foundation.lines import cells as display_width
from crm.foundation.lines import wrap_cells
from crm.reporting.weekly import Row, WeeklyTable
from crm.values.money import format_money
from exports import streamed_table
from exports import weekly_layout as layout
from exports.cells import text_of
from exports.weekly_csv import total_of, write_csv

FORMATS = ("csv", "md", "txt", "html")


def render(table: WeeklyTable, fmt: str, progress=None) -> str:
    """The table in `fmt` (csv, md, txt, html) as one string (the CSV starts with a BOM)."""
    out = io.StringIO()
    write(table, fmt, out, progress)
    return out.getvalue()


def write(table: WeeklyTable, fmt: str, out, progress=None) -> None:
    """Write the table in `fmt` (csv, md, txt, html) to the text stream `out` as its rows are read.

    Memory stays that of a batch of rows whatever the table's size: md, txt and html, whose columns
    are as wide as their widest cell, keep the rows in a temporary file until every width is known
    (exports.streamed_table). `out` is opened with newline="" for csv.
    """
    writer = {"csv": write_csv, "md": write_md, "txt": write_txt, "html": write_html}[fmt]
    writer(table, out, progress)


def _report(progress, done, total):
    if progress and (done % 500 == 0 or done == total):
        progress(done, total)


def _spill(table: WeeklyTable, cells_of, progress, multiline: bool = False, extra=None) -> streamed_table.Spill:
    """The table's rows as `cells_of(row)` in a streamed_table.Spill (with `extra(row)` beside each)."""
    total = total_of(table)
    spill = streamed_table.Spill(len(layout.columns()), multiline)
    done = 0
    for done, row in enumerate(table.rows, 1):
        spill.add(cells_of(row), extra(row) if extra else None)
        _report(progress, done, total)
    if progress and done:
        progress(done, done)
    return spill


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
    if isinstance(value, layout.NUMBERS):
        return layout.shown(value)
    return text_of(value)


#: The summary cells aligned right, as numbers.
_NUMERIC = (int, *layout.NUMBERS)


def _aligns(keys_or_values) -> list[str]:
    return ["right" if k in ("seq", "amount", "amount_cny") else "left" for k in keys_or_values]


def _section_aligns(section) -> list[str]:
    first = section.rows[0] if section.rows else []
    return ["right" if isinstance(v, _NUMERIC) else "left" for v in first] or None


# ---- Markdown -------------------------------------------------------------


def _md_text(text: str) -> str:
    """Text for Markdown with HTML escaped: a viewer renders what a ledger cell says, never runs it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _md_cell(text: str) -> str:
    return _md_text(text).replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def write_md(table: WeeklyTable, out, progress=None) -> None:
    """The table as a GitHub Markdown document, written to `out` as it is read."""
    cols = layout.columns()
    spill = _spill(table, lambda row: [_md_cell(_shown(v)) for v in layout.cells(row)], progress)
    out.write("\n".join([*md_head(table), ""]))
    streamed_table.write(
        out,
        spill,
        [_md_cell(c.header) for c in cols],
        "github",
        colalign=_aligns([c.key for c in cols]),
        more=[([_md_cell(_shown(v)) for v in layout.totals(table)], None)],
    )
    out.write("\n".join(["", "", *md_tail(table)]).rstrip("\n") + "\n")


def md_head(table: WeeklyTable) -> list[str]:
    """The Markdown lines before the deal table: title, scope and as-of day."""
    return [
        f"# {_md_text(layout.title(table))}",
        "",
        _md_text(layout.scope_text(table)) + "  ",
        _md_text(layout.as_of_text(table)),
        "",
    ]


def md_tail(table: WeeklyTable) -> list[str]:
    """The Markdown lines after the deal table: its notes and the summary tables."""
    parts = [_md_text(note) + "\n" for note in layout.notes(table)]
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
    return parts


# ---- plain text -----------------------------------------------------------


def wrap(text: str, width: int, clauses: bool = False) -> str:
    """`text` wrapped at `width` display columns (crm.foundation.lines.wrap_cells), its lines joined by newlines for
    tabulate; `clauses` prefers breaks between clauses, then words (the notes)."""
    return "\n".join(wrap_cells(text, width, clauses=clauses))


_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def txt_cell(text: str) -> str:
    """A cell's text with its line breaks as \\n: tabulate measured lines split at \\r but padded them
    split at every line break, which pushed a grid's border out of line."""
    return "\n".join(text.splitlines()) if _BREAKS.search(text) else text


def write_txt(table: WeeklyTable, out, progress=None) -> None:
    """The table as aligned plain text (a grid), written to `out` as it is read."""
    cols = layout.columns()
    wraps = [col.width if col.wrap else 0 for col in cols]

    def wrapped(row: Row) -> list[str]:
        cells = [txt_cell(_shown(v)) for v in layout.cells(row)]
        return [wrap(cell, w) if w else cell for cell, w in zip(cells, wraps)]

    spill = _spill(table, wrapped, progress, multiline=True)
    headers = [wrap(c.header, txt_header_width(c)) for c in cols]
    totals = txt_totals(table, spill.widths[[c.key for c in cols].index("amount")])
    out.write("\n".join([*txt_head(table), ""]))
    streamed_table.write(
        out,
        spill,
        headers,
        "grid",
        colalign=_aligns([c.key for c in cols]),
        more=[(totals, None)],
    )
    out.write("\n".join(["", "", *txt_tail(table, _grid_width(spill.widths, headers))]) + "\n")


def txt_totals(table: WeeklyTable, amounts_width: int) -> list[str]:
    """The text table's totals row, its deal rows' amounts at most `amounts_width` wide: its long cells wrapped
    as the rows', and its per-currency totals one a line when they are wider than that column's rows and header
    (the column then keeps the width of its widest amount)."""
    cols = layout.columns()
    out = []
    for col, value in zip(cols, layout.totals(table)):
        if col.key == "amount":
            room = max(amounts_width, col.width, txt_header_width(col))
            out.append(
                txt_cell(
                    layout.stacked(layout.currency_parts(table), lambda text, room=room: display_width(text) <= room)
                )
            )
        else:
            text = txt_cell(_shown(value))
            out.append(wrap(text, col.width) if col.wrap else text)
    return out


def txt_header_width(col: layout.Column) -> int:
    """The width a column's header wraps at in the text table: the column's, or its widest word when wider
    (layout.header_words: 当前阶段 on one line)."""
    return max(col.width, 4, *map(display_width, layout.header_words(col.header)))


def _grid_width(widths: list[int], headers: list[str]) -> int:
    """The display width of a tabulate grid whose cells are `widths` wide under `headers`: each column its
    widest line and two spaces, and a border between columns."""
    from wcwidth import wcswidth

    header_widths = [max(max(wcswidth(line), 0) for line in h.split("\n")) for h in headers]
    return sum(max(w, h) + 2 for w, h in zip(widths, header_widths)) + len(widths) + 1


def txt_head(table: WeeklyTable) -> list[str]:
    """The plain-text lines before the deal table: title, scope and as-of day."""
    return [layout.title(table), layout.scope_text(table), layout.as_of_text(table), ""]


def txt_tail(table: WeeklyTable, width: int = 100) -> list[str]:
    """The plain-text lines after the deal table: its notes, wrapped at `width` display columns (the table's),
    and the summary tables."""
    parts = [wrap(note, max(width, 60), clauses=True) for note in layout.notes(table)]
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
    return parts


# ---- HTML -----------------------------------------------------------------

_CSS = """
@page { size: A4 landscape; margin: 1cm 1cm 1.3cm; }
body { font-family: FONTS; font-size: 10pt; }
h1 { font-size: 16pt; text-align: center; margin: 0.3em 0; }
h2 { font-size: 13pt; margin-top: 1.5em; }
h3 { font-size: 11pt; margin-bottom: 0.3em; page-break-after: avoid; }
p.scope { margin: 0.2em 0; color: #333; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #808080; padding: 2px 4px; vertical-align: top; overflow-wrap: break-word; }
th { background: #ddebf7; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
body > table { page-break-inside: avoid; }
td.num { text-align: right; white-space: nowrap; }
tr.total td { font-weight: bold; background: #f2f2f2; }
tr.total td.num { white-space: normal; }
tr.total td { overflow-wrap: normal; }
span.amount { white-space: nowrap; }
td.overdue { color: #c00000; }
div.deals table { width: 100%; table-layout: fixed; font-size: 8pt; line-height: 1.3; }
div.deals th { vertical-align: middle; }
div.deals th, div.deals td { padding: 2px 3px; box-sizing: border-box; hyphens: auto; }
""".strip()
_FONTS = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "SimSun", sans-serif'

# The deal table printed on A4 landscape, about 98 em of its 8-point text between the margins: each column's
# share of the width (in em, scaled to the page), so that the short columns hold their longest word or header
# (2-4 character headers whole, 合计 under 序号) and the long text columns, 本周进展 and 存在问题 the widest even
# in a week without progress, wrap in the rest. A code and a date never wrap (NO_WRAP): their columns hold
# ZS2019-0001 and 2019-05-17 in DejaVu Sans, the widest Latin font a printer falls back to for them.
# fmt: off
HTML_WIDTHS = {
    "seq": 3.0, "code": 7.3, "name": 6.1, "investor": 4.9, "region": 5.5, "industry": 5.0,
    "event": 5.0, "signed_on": 6.4, "amount": 6.0, "amount_cny": 5.8, "stage": 4.8,
    "progress": 9.5, "problems": 9.5, "lead_unit": 5.2, "supporting": 5.2, "liaison": 4.8,
}
# fmt: on
#: The columns whose cells print on one line whatever the font: a broken code or date reads as another one.
NO_WRAP = ("code", "signed_on")
#: The em a display cell of a stage label may take: half a Chinese glyph, or a Latin letter of the widest fallback
#: font (DejaVu Sans) with a little to spare.
_EM_PER_CELL = 0.55
#: What a deal-table cell takes besides its text, in em at 8 points: 3px of padding a side and the borders.
_CELL_EDGES_EM = 0.8


def html_widths() -> dict[str, float]:
    """HTML_WIDTHS (em of the page's 98) with the stage column wide enough for the current language's widest stage
    word on one line (Construction: it neither breaks nor hyphenates) and the number column for the totals row's
    label (Total), the room taken from the two long text columns, which wrap anyway; Chinese, whose words fit,
    keeps HTML_WIDTHS."""
    widths = dict(HTML_WIDTHS)
    # the seq column's word is the totals row's label (weekly_layout.totals)
    words = {"stage": layout.widest_stage_word(), "seq": display_width(_("Total"))}
    for key, cells in words.items():
        extra = max(0.0, cells * _EM_PER_CELL + _CELL_EDGES_EM - widths[key])
        widths[key] += extra
        widths["progress"] -= extra / 2
        widths["problems"] -= extra / 2
    return widths


def page_css() -> str:
    """The style sheet of the HTML page: _CSS, the deal table's column widths (shares of the page's width,
    table-layout fixed: a long cell wraps in its column, never widens it), and the page number printed at the
    foot of each page (the words of the xlsx footer)."""
    rules = [_CSS.replace("FONTS", _FONTS)]
    keys = [col.key for col in layout.columns()]
    widths = html_widths()
    total = sum(widths[key] for key in keys)
    for i, key in enumerate(keys, 1):
        rules.append(f"div.deals th:nth-child({i}) {{ width: {100 * widths[key] / total:.2f}%; }}")
    # an amount in English (CNY 2,000 million) wraps at its spaces rather than run into the next column
    rules.append(f"div.deals td:nth-child({keys.index('amount') + 1}) {{ white-space: normal; }}")
    for key in NO_WRAP:
        rules.append(f"div.deals td:nth-child({keys.index(key) + 1}) {{ white-space: nowrap; }}")
    if current_language() != "zh":
        # an English total (CNY 44,016.65 million) is wider than its column: it wraps at its spaces too
        rules.append("span.amount { white-space: normal; }")
    rules.append(
        f"@page {{ @bottom-center {{ content: {_css_page_number()}; font-family: {_FONTS}; font-size: 9pt; }} }}"
    )
    return "\n".join(rules)


def _css_page_number() -> str:
    """The page number's words (layout.page_number_words: 第 &P 页，共 &N 页) as a CSS content value."""
    counters = {"&P": "counter(page)", "&N": "counter(pages)"}
    parts = re.split("(&P|&N)", layout.page_number_words())
    quoted = [counters.get(part) or '"' + re.sub(r'(["\\<>])', r"\\\1", part) + '"' for part in parts if part]
    return " ".join(quoted)


def _html_cell(text: str) -> str:
    return _escape(text).replace("\n", "<br>")


def _escape(text: str) -> str:
    """html.escape, imported on first use: CSV, the format scripts export most, does not need it."""
    from html import escape

    return escape(text)


def _marked(lines: list[str], numeric: list[bool], extras: list | None = None) -> list[str]:
    """tabulate's HTML lines with classes for the style sheet: "num" on numeric cells, and for the r-th row
    line `extras[r]` = (the row's class, each cell's class), "" for none; tabulate writes plain <td>s in order."""
    out, r = [], -1
    for line in lines:
        if line.startswith("<tr>") and "<td" in line:
            r += 1
            row_class, cell_classes = extras[r] if extras and r < len(extras) else ("", None)
            cells = line.split("<td")
            rebuilt = [cells[0]]
            for c, cell in enumerate(cells[1:]):
                extra = []
                if c < len(numeric) and numeric[c]:
                    extra.append("num")
                if cell_classes and cell_classes[c]:
                    extra.append(cell_classes[c])
                if extra:
                    # tabulate may already have written a style attribute; a class sits beside it.
                    cell = f' class="{" ".join(extra)}"' + cell
                rebuilt.append(cell)
            line = "<td".join(rebuilt)
            if row_class:
                line = line.replace("<tr>", f'<tr class="{row_class}">', 1)
        out.append(line)
    return out


def _html_table(headers: list[str], rows: list[list[str]], numeric: list[bool]) -> str:
    """A table with escaped cells; tabulate's markup without its escaping, so that <br> survives."""
    body = tabulate(rows, headers=headers, tablefmt="unsafehtml", disable_numparse=True)
    return "\n".join(_marked(body.split("\n"), numeric))


def write_html(table: WeeklyTable, out, progress=None) -> None:
    """The table as a standalone HTML page, written to `out` as it is read."""
    cols = layout.columns()
    keys = [c.key for c in cols]
    problems_at = keys.index("problems")
    overdue_cells = ["overdue" if i == problems_at else "" for i in range(len(keys))]

    def overdue(row: Row):
        return ("", overdue_cells) if any(p.overdue for p in row.problems) else ("", None)

    spill = _spill(table, lambda row: [_html_cell(_shown(v)) for v in layout.cells(row)], progress, extra=overdue)
    numeric = [k in ("seq", "amount", "amount_cny") for k in keys]
    out.write("\n".join([*html_head(table), ""]))
    streamed_table.write(
        out,
        spill,
        [_html_cell(c.header) for c in cols],
        "unsafehtml",
        more=[(html_totals(table), ("total", None))],
        mark=lambda lines, _first, extras: _marked(lines, numeric, extras),
    )
    out.write("\n".join(["", *html_tail(table)]))


def html_totals(table: WeeklyTable) -> list[str]:
    """The totals row's cells as HTML: the per-currency totals (384.97亿元、2亿欧元、2.05亿美元) may wrap after a
    、, never inside an amount."""
    cells = [_html_cell(_shown(v)) for v in layout.totals(table)]
    at = [c.key for c in layout.columns()].index("amount")
    amounts = layout.currency_parts(table)
    if len(amounts) > 1:
        # each amount with its 、 in a span that does not wrap: the line may break between two spans
        ends = [list_sep()] * (len(amounts) - 1) + [""]
        cells[at] = "".join(f'<span class="amount">{_html_cell(a + end)}</span>' for a, end in zip(amounts, ends))
    return cells


def html_head(table: WeeklyTable) -> list[str]:
    """The page's lines before the deal table: the document head, title, scope and as-of day."""
    lang = "zh-CN" if current_language() == "zh" else "en"
    title = _escape(layout.title(table))
    return [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{title}</title>",
        f"<style>\n{page_css()}\n</style>",
        "</head>",
        "<body>",
        f"<h1>{title}</h1>",
        f'<p class="scope">{_html_cell(layout.scope_text(table))}</p>',
        f'<p class="scope">{_html_cell(layout.as_of_text(table))}</p>',
        '<div class="deals">',
    ]


def html_tail(table: WeeklyTable) -> list[str]:
    """The page's lines after the deal table: its notes, the summary tables and the end of the document."""
    parts = ["</div>", *(f'<p class="note">{_html_cell(note)}</p>' for note in layout.notes(table))]
    parts.append(f"<h2>{_escape(layout.summary_title(table))}</h2>")
    for section in layout.summary_sections(table):
        parts.append(f"<h3>{_escape(section.title)}</h3>")
        first = section.rows[0] if section.rows else []
        parts.append(
            _html_table(
                [_html_cell(h) for h in section.headers],
                [[_html_cell(_shown(v)) for v in values] for values in section.rows],
                [isinstance(v, _NUMERIC) for v in first],
            )
        )
    return [*parts, "</body>", "</html>", ""]
