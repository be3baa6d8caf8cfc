"""Languages of the web pages: Latvian (default) and English, strings from babel catalogues.

The `.po` catalogues under `locales/` are the source; they are compiled in memory when first used, so a fresh
clone needs no build step.
"""

from __future__ import annotations

from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = ("lv", "en")
DEFAULT_LANGUAGE = "lv"
LANGUAGE_COOKIE = "hub_lang"


def chosen_language(value: str | None) -> str:
    """The language a cookie names, or Latvian."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


@cache
def translations(language: str) -> Translations:
    """The compiled catalogue of one language (missing translations fall back to the English message id)."""
    with (LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalogue = read_po(source, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled)
