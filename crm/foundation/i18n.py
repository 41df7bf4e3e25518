"""One translation mechanism for every label, message and error: gettext.

Source strings are English. Each top-level package has its own Chinese
catalog, crm/foundation/locale/zh_CN/LC_MESSAGES/<package>.po (compiled to .mo by
`make i18n`), so that work on the TUI and on the exports never edits the same
file; the catalogs are chained into one translation at start-up.
Chinese is the default language; English is chosen with `--lang en`, or when
the locale (LC_ALL / LC_MESSAGES / LANG) is English and no --lang is given.

Write `_("Unknown stage {value}").format(value=...)`: format after translating
so the catalog holds one entry per message, not one per value.
"""

import functools
import gettext
import os
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAINS = ("crm", "db", "cli", "screens", "exports")
LANGUAGES = ("zh", "en")

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "zh"


def language_from_environment() -> str:
    """The language the environment asks for: 'en' for an English locale, else 'zh'."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"


def set_language(lang: str | None) -> str:
    """Switch every later `_()` call to `lang` ('zh' or 'en'); None reads the locale."""
    global _translation, _language
    lang = lang or language_from_environment()
    if lang not in LANGUAGES:
        lang = "zh"
    _language = lang
    _translation = _chain(lang)
    return lang


@functools.cache
def _chain(lang: str) -> gettext.NullTranslations:
    """The catalogs of `lang`, chained in DOMAINS' order; read once (a launch sets the language several times)."""
    chain = gettext.NullTranslations()
    if lang == "zh":
        for domain in reversed(DOMAINS):
            catalog = gettext.translation(domain, LOCALE_DIR, languages=["zh_CN"], fallback=True)
            catalog.add_fallback(chain)
            chain = catalog
    return chain


def current_language() -> str:
    """'zh' or 'en'."""
    return _language


def _(message: str) -> str:
    """Translate `message` into the current language."""
    return _translation.gettext(message)


def N_(message: str) -> str:  # noqa: N802  (gettext's name for a string marked, not translated)
    """Mark `message` for the catalog without translating it yet (module-level tables); call _() on use."""
    return message


def list_sep() -> str:
    """How the items of a list are joined in running text: 、 in Chinese (第 5、6 行), ", " in English."""
    return "、" if _language == "zh" else ", "


def ngettext(singular: str, plural: str, n: int) -> str:
    """Plural-aware translation."""
    return _translation.ngettext(singular, plural, n)


set_language("zh")
