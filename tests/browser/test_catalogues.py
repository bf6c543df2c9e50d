"""The pages' catalogues cover every string the templates and the code mark, in French and in
English, with the same placeholders (no browser needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from interfaces.web.i18n import LANGUAGES, catalogue_path, translations

WEB = Path(__file__).parents[2] / "interfaces" / "web"
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]


def marked() -> set[str]:
    """The msgids `make messages` extracts (a plural form by its singular)."""
    found = extract_from_dir(
        str(WEB), METHODS, keywords={"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
    )
    return {m[2] if isinstance(m[2], str) else m[2][0] for m in found}


def catalogue(language: str) -> Catalog:
    """The `.po` file of `language`, parsed."""
    with catalogue_path(language).open("rb") as po:
        return read_po(po, locale=language)


@pytest.mark.parametrize("language", LANGUAGES)
class TestCatalogues:
    """Each language's `.po` file."""

    def test_has_every_marked_string(self, language: str) -> None:
        """No string is shown untranslated for want of an entry (`make messages` adds them)."""
        ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue(language) if m.id}
        assert marked() - ids == set()

    def test_placeholders_match_and_nothing_is_fuzzy(self, language: str) -> None:
        """Babel's checks pass (same `%(name)s` placeholders) and no entry awaits review."""
        entries = [m for m in catalogue(language) if m.id]
        assert [(m.id, errors) for m, errors in catalogue(language).check()] == []
        assert [m.id for m in entries if m.fuzzy] == []

    def test_loads_for_the_pages(self, language: str) -> None:
        """The catalogue compiles when the server reads it."""
        assert translations(language).gettext("Sign in")


def test_french_translates_every_string() -> None:
    """French is the default language: every entry has its translation."""
    assert [m.id for m in catalogue("fr") if m.id and not m.string] == []
