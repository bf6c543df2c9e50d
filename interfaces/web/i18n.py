"""The pages' languages: French by default, English the other; the catalogues are the `.po` files
under `locales/`, read with Babel when first needed, so no compilation step is ever missed.

To add a string: write it in English in a template (`{% trans %}...{% endtrans %}`, `_("...")`)
or in Python (`N_("...")`, translated at render), then run `make messages` (extract and update the
catalogues) and fill its `msgstr` in `locales/fr/LC_MESSAGES/messages.po`; English needs none (an
empty `msgstr` shows the `msgid`). `tests/browser/test_catalogues.py` fails on a string missing.
"""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
LANGUAGE_COOKIE = "civic_lang"
LOCALES = Path(__file__).parent / "locales"
DOMAIN = "messages"


def catalogue_path(language: str) -> Path:
    """The `.po` file of `language`."""
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> gettext.GNUTranslations:
    """The catalogue of `language` (one of `LANGUAGES`), read once per process."""
    with catalogue_path(language).open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as msgfmt does
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def N_(message: str) -> str:  # noqa: N802  # gettext's name for "mark for extraction, translate later"
    """Mark `message` for the catalogues without translating it yet."""
    return message


def choose_language(asked: str | None, remembered: str | None, accept_language: str) -> str:
    """The page's language: asked for (`?lang=`), else remembered (cookie), else the browser's
    preference among ours, else French."""
    for language in (asked, remembered):
        if language in LANGUAGES:
            return language
    negotiated = negotiate_locale(_preferences(accept_language), LANGUAGES, sep="-")
    return negotiated if negotiated in LANGUAGES else DEFAULT_LANGUAGE


def _preferences(accept_language: str) -> list[str]:
    """The languages of an `Accept-Language` header, most preferred first (`q=0` left out)."""
    weighted: list[tuple[float, int, str]] = []
    for index, item in enumerate(accept_language.split(",")):
        tag, _, parameters = item.strip().partition(";")
        quality = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip() == "q":
            try:
                quality = float(value)
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(weighted)]
