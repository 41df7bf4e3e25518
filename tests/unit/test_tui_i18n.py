"""The TUI's Chinese catalog (crm/foundation/locale/zh_CN/LC_MESSAGES/screens.po): every
string of screens/ is in it, translated, compiled, and not shadowed by a
different translation of the same English words in an earlier catalog."""

import gettext
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from crm.foundation.i18n import LOCALE_DIR, _, set_language

ROOT = Path(__file__).resolve().parents[2]
PO = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "screens.po"


@pytest.fixture(scope="module")
def catalog():
    with open(PO, "rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id}


def test_every_string_of_the_screens_is_in_the_catalog(catalog):
    used = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / "screens", keywords={"_": None, "N_": None}, comment_tags=()
        )
    }
    missing = sorted(used - set(catalog))
    assert not missing, f"run `make i18n` and translate: {missing}"


def test_every_string_is_translated_and_compiled(catalog):
    assert all(catalog.values()), [k for k, v in catalog.items() if not v]
    compiled = gettext.translation("screens", LOCALE_DIR, languages=["zh_CN"])
    stale = [k for k, v in catalog.items() if compiled.gettext(k) != v]
    assert not stale, f"screens.mo is older than screens.po: run `make i18n` ({stale[:5]})"


def test_no_other_catalog_shadows_a_screen_string(catalog):
    set_language("zh")
    shadowed = {k: _(k) for k, v in catalog.items() if _(k) != v}
    assert not shadowed, f"an earlier catalog translates these differently: {shadowed}"


def test_english_is_the_source(catalog):
    set_language("en")
    assert _("Zhaoshang ledger") == "Zhaoshang ledger"
    set_language("zh")
    assert _("Zhaoshang ledger") == "招商台账"
