"""The pages' small decisions, without a browser: which language, and where a sign-in returns."""

from __future__ import annotations

import pytest

from interfaces.web.i18n import choose_language
from interfaces.web.sign_in import local_path


class TestChooseLanguage:
    """`?lang=`, then the cookie, then Accept-Language, then French."""

    @pytest.mark.parametrize(
        ("asked", "remembered", "accept", "expected"),
        [
            ("en", "fr", "fr", "en"),
            (None, "en", "fr-FR", "en"),
            ("de", None, "en-GB,en;q=0.9", "en"),
            (None, None, "de-DE,en;q=0.5,fr;q=0.8", "fr"),
            (None, None, "de-DE,en;q=0.5", "en"),
            (None, None, "en;q=0,de", "fr"),
            (None, None, "", "fr"),
            (None, "xx", "*", "fr"),
            (None, None, "en;q=abc, ,;", "fr"),
        ],
    )
    def test_chooses(
        self, asked: str | None, remembered: str | None, accept: str, expected: str
    ) -> None:
        """The first of the asked, remembered and preferred languages that the site speaks."""
        assert choose_language(asked, remembered, accept) == expected


class TestLocalPath:
    """A sign-in goes back to a page of this site, never elsewhere."""

    @pytest.mark.parametrize("target", ["/", "/web/petitions/1?lang=en"])
    def test_keeps_a_path_of_the_site(self, target: str) -> None:
        """A path on this site is kept."""
        assert local_path(target) == target

    @pytest.mark.parametrize(
        "target",
        [
            None,
            "",
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "web/petitions",
        ],
    )
    def test_sends_anything_else_home(self, target: str | None) -> None:
        """Another site, a scheme-relative or odd path: the home page instead."""
        assert local_path(target) == "/"
