"""The printed HTML weekly table's stage column holds the longest stage word of the language on one line: English
"Construction" is neither broken nor hyphenated; the Chinese column keeps its width (its labels are two glyphs)."""

import re

import pytest

from crm.foundation.i18n import set_language
from exports import weekly_layout as layout
from exports import weekly_text

#: The deal table's width between the page's margins, in em of its 8-point text (A4 landscape less 2 cm).
PAGE_EM = (297 - 20) / 25.4 * 72 / 8
#: A cell's padding (3px a side, at 96px an inch) and its border, in em at 8 points.
EDGES_EM = (6 + 1) * 0.75 / 8


def _stage_em() -> float:
    """The stage column's width in em, from the width the page's style sheet gives it."""
    widths = dict(re.findall(r"div\.deals th:nth-child\((\d+)\) \{ width: ([0-9.]+)%; \}", weekly_text.page_css()))
    stage = [col.key for col in layout.columns()].index("stage") + 1
    return float(widths[str(stage)]) / 100 * PAGE_EM


def _dejavu():
    """DejaVu Sans, the widest Latin of the fonts the page falls back to, for measuring; a skip where absent."""
    from PIL import ImageFont

    try:
        return ImageFont.truetype("DejaVuSans.ttf", 1000)
    except OSError:
        pytest.skip("DejaVu Sans is not installed")


def test_the_english_stage_column_holds_construction_on_one_line():
    set_language("en")
    font = _dejavu()
    words = [word for label in layout.stage_labels() for word in label.split()]
    assert "Construction" in words
    widest = max(font.getlength(word) / 1000 for word in words)  # em
    assert _stage_em() - EDGES_EM >= widest, (_stage_em(), widest)


def test_the_chinese_stage_column_keeps_its_width_and_the_page_its_columns():
    set_language("zh")
    assert weekly_text.html_widths() == weekly_text.HTML_WIDTHS
    assert _stage_em() == pytest.approx(4.8 * PAGE_EM / sum(weekly_text.HTML_WIDTHS.values()), abs=0.01)


def test_the_english_widths_still_fill_the_page_with_progress_and_problems_the_widest():
    set_language("en")
    widths = weekly_text.html_widths()
    assert sum(widths.values()) == pytest.approx(sum(weekly_text.HTML_WIDTHS.values()))
    assert widths["stage"] > weekly_text.HTML_WIDTHS["stage"]
    others = [w for key, w in widths.items() if key not in ("progress", "problems")]
    assert min(widths["progress"], widths["problems"]) > max(others)
