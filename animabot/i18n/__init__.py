"""Translations through gettext catalogs: French by default, English complete.

Catalogs are ``.po`` files compiled in memory with Babel at first use, so no build step is
needed. Message ids are the English texts; ``fr`` is the default language.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable
from functools import cache
from importlib.resources import files

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "animabot"
LANGUAGES: tuple[str, ...] = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
LANGUAGE_NAMES: dict[str, str] = {"fr": "Français", "en": "English"}

Translate = Callable[[str], str]


def catalog_path(language: str) -> str:
    return f"locales/{language}/LC_MESSAGES/{DOMAIN}.po"


@cache
def translations(language: str) -> gettext.NullTranslations:
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    source = files(__package__).joinpath(catalog_path(language)).read_bytes()
    catalog = read_po(io.BytesIO(source), locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def translator(language: str | None) -> Translate:
    """``_ = translator("fr"); _("Thank you!")`` → "Merci !"."""
    return translations(language or DEFAULT_LANGUAGE).gettext


def normalise_language(hint: str | None) -> str:
    """A platform's language hint ("fr-FR", "en_GB") reduced to a supported language."""
    if not hint:
        return DEFAULT_LANGUAGE
    short = hint.replace("_", "-").split("-")[0].lower()
    return short if short in LANGUAGES else DEFAULT_LANGUAGE
