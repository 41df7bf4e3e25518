"""Every message the program can show has a Chinese translation, and the
compiled catalogs are the ones in the .po files."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from crm.foundation.i18n import DOMAINS, LOCALE_DIR

ROOT = Path(__file__).resolve().parents[2]
SOURCES = {"cli": ["cli", "app.py"]}


def _extracted(domain):
    found = set()
    for source in SOURCES.get(domain, [domain]):
        path = ROOT / source
        if path.is_file():
            from babel.messages.extract import extract_from_file

            messages = extract_from_file("python", str(path), keywords={"_": None, "N_": None})
            found.update(m[1] for m in messages)
        else:
            for _file, _line, message, *_rest in extract_from_dir(
                str(path), method_map=[("**.py", "python")], keywords={"_": None, "N_": None}
            ):
                found.add(message)
    return {m for m in found if isinstance(m, str) and m}


def _catalog(domain, suffix):
    path = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / f"{domain}.{suffix}"
    if not path.exists():
        return None
    with open(path, "rb") as fh:
        return read_po(fh) if suffix == "po" else read_mo(fh)


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_message_has_a_chinese_translation(domain):
    messages = _extracted(domain)
    po = _catalog(domain, "po")
    if not messages:
        return
    assert po is not None, f"no catalog for {domain}: run make i18n"
    translated = {m.id: m.string for m in po if m.id}
    missing = sorted(m for m in messages if not translated.get(m))
    assert not missing, f"{domain}: untranslated (run make i18n and fill msgstr): {missing[:10]}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_compiled_catalog_matches_po(domain):
    po, mo = _catalog(domain, "po"), _catalog(domain, "mo")
    if po is None:
        return
    assert mo is not None, f"{domain}.mo missing: run make i18n"
    assert _pairs(po, translated=True) == _pairs(mo)


def _pairs(catalog, translated: bool = False) -> dict:
    """msgid → msgstr of `catalog`; a plural entry's forms as tuples (babel gives lists or tuples), without the
    empty forms a .po read with no locale pads them with (Chinese has one)."""

    def plain(value):
        return tuple(v for v in value if v) if isinstance(value, (list, tuple)) else value

    return {plain(m.id): plain(m.string) for m in catalog if m.id and (m.string or not translated)}


def test_cli_speaks_chinese_by_default_and_english_on_request(run_cli, tmp_path):
    db = tmp_path / "x.sqlite3"
    assert run_cli("--db", db, "init")[0] == 0
    code, _out, err = run_cli("--db", db, "stage", "NOPE-1", "开工")
    assert code == 2 and "NOPE-1" in err and "没有编号为" in err
    code, _out, err = run_cli("--db", db, "--lang", "en", "stage", "NOPE-1", "开工")
    assert code == 2 and "No deal has the code 'NOPE-1'" in err


def _translated_inside_f_strings(path: Path) -> list[str]:
    """The lines of `path` where `_(`, `N_(` or `ngettext(` is called inside an f-string's braces."""
    import io
    import re
    import tokenize

    call = re.compile(r"\{[^{}]*\b(?:_|N_|ngettext)\(")
    found = []
    with open(path, "rb") as fh:
        for token in tokenize.tokenize(io.BytesIO(fh.read()).readline):
            prefix = re.match(r"[rRbBuUfF]*", token.string).group()
            if token.type == tokenize.STRING and "f" in prefix.lower() and call.search(token.string):
                found.append(f"{path.relative_to(ROOT)}:{token.start[0]}")
    return found


def test_no_message_is_translated_inside_an_f_string():
    """Babel's extractor does not read inside an f-string: a message called there never reached a catalog
    and was shown in English (`crm show`'s "since … days")."""
    sources = [p for d in DOMAINS for p in (ROOT / d).rglob("*.py")] + [ROOT / "app.py"]
    assert [line for path in sources for line in _translated_inside_f_strings(path)] == []


def test_the_catalogs_are_read_once_however_often_the_language_is_set(monkeypatch):
    """A launch sets the language several times (the module, the command line, the app): the five catalogs are
    read the first time only, and switching back and forth keeps translating."""
    import gettext

    from crm.foundation import i18n

    read = []
    real = gettext.translation
    monkeypatch.setattr(gettext, "translation", lambda domain, *a, **k: read.append(domain) or real(domain, *a, **k))
    i18n._chain.cache_clear()
    try:
        for lang in ("zh", "en", "zh", None, "zh"):
            i18n.set_language(lang)
        assert sorted(read) == sorted(DOMAINS)
        assert i18n._("Deals") == "项目"
        i18n.set_language("en")
        assert i18n._("Deals") == "Deals"
    finally:
        i18n.set_language("zh")
