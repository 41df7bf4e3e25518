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
        return {(tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id): m.string for m in read_po(fh) if m.id}


def test_every_string_of_the_screens_is_in_the_catalog(catalog):
    used = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / "screens", keywords={"_": None, "N_": None, "ngettext": (1, 2)}, comment_tags=()
        )
    }
    missing = sorted(used - set(catalog))
    assert not missing, f"run `make i18n` and translate: {missing}"


def _shown(translations, key) -> str:
    """How `translations` words the catalog entry `key`: a message, or (singular, plural) for a plural one (its
    one Chinese form, asked with n = 2)."""
    return translations.ngettext(key[0], key[1], 2) if isinstance(key, tuple) else translations.gettext(key)


def _written(value) -> str:
    return value[0] if isinstance(value, (list, tuple)) else value


def test_every_string_is_translated_and_compiled(catalog):
    assert all(_written(v) for v in catalog.values()), [k for k, v in catalog.items() if not _written(v)]
    compiled = gettext.translation("screens", LOCALE_DIR, languages=["zh_CN"])
    stale = [k for k, v in catalog.items() if _shown(compiled, k) != _written(v)]
    assert not stale, f"screens.mo is older than screens.po: run `make i18n` ({stale[:5]})"


def test_no_other_catalog_shadows_a_screen_string(catalog):
    from crm.foundation import i18n

    set_language("zh")
    shadowed = {
        k: _shown(i18n._translation, k) for k, v in catalog.items() if _shown(i18n._translation, k) != _written(v)
    }
    assert not shadowed, f"an earlier catalog translates these differently: {shadowed}"


def test_english_is_the_source(catalog):
    set_language("en")
    assert _("Zhaoshang ledger") == "Zhaoshang ledger"
    set_language("zh")
    assert _("Zhaoshang ledger") == "招商台账"
