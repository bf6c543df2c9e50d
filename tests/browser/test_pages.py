"""The web pages in headless Chromium against the real server: a citizen signs a petition and
sees its count rise; the pages speak French by default, English when asked."""

from __future__ import annotations

from uuid import uuid4

import httpx
from playwright.sync_api import Browser, BrowserContext, Page, expect

from .site import CITIZEN_EMAIL, CITIZEN_PASSWORD, Site

THRESHOLDS = [{"signatures": 2, "consequence": "council_debate"}]


def open_petition(site: Site) -> tuple[str, str]:
    """An open petition with a title of its own, signed once (by the neighbour): id, title."""
    title = f"Des arbres le long du boulevard {uuid4().hex[:8]}"
    petition_id = site.open_petition(title, "De l'ombre et un air plus frais.", THRESHOLDS)
    site.sign(petition_id, site.neighbour)
    return petition_id, title


def sign_in(page: Page, site: Site, password: str = CITIZEN_PASSWORD) -> None:
    """From the home page, sign in with the form (in French, the default)."""
    page.goto(site.url("/"))
    page.get_by_role("link", name="Se connecter", exact=True).click()
    page.get_by_label("Adresse e-mail").fill(CITIZEN_EMAIL)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter", exact=True).click()


class TestSigning:
    """Signing in and signing a petition with plain forms."""

    def test_a_citizen_signs_in_signs_a_petition_and_sees_the_count_rise(
        self, site: Site, context: BrowserContext
    ) -> None:
        """Signed in, the citizen opens the petition, signs it, and the count goes from 1 to 2."""
        petition_id, title = open_petition(site)
        page = context.new_page()
        sign_in(page, site)
        expect(page.get_by_text("Connecté·e en tant que Ada")).to_be_visible()

        page.get_by_role("link", name=title).click()
        count = page.locator("#signature-count")
        expect(count).to_have_text("1 signature")
        page.get_by_role("button", name="Signer cette pétition").click()

        expect(count).to_have_text("2 signatures")
        expect(count).to_have_attribute("data-count", "2")
        assert page.url == site.url(f"/web/petitions/{petition_id}")  # back after a 303
        expect(page.locator("progress")).to_have_attribute("value", "2")
        assert site.client.get(f"/petitions/{petition_id}").json()["signature_count"] == 2

    def test_a_second_signature_is_refused_with_a_message_on_the_page(
        self, site: Site, context: BrowserContext
    ) -> None:
        """Once signed, the page offers to withdraw instead; signing again from a tab opened
        before renders the page with the reason, a 409, and the count unchanged."""
        petition_id, _ = open_petition(site)
        page = context.new_page()
        sign_in(page, site)
        page.goto(site.url(f"/web/petitions/{petition_id}"))
        stale = context.new_page()
        stale.goto(site.url(f"/web/petitions/{petition_id}"))
        page.get_by_role("button", name="Signer cette pétition").click()
        expect(page.locator("#signature-count")).to_have_text("2 signatures")
        expect(page.locator("#signed")).to_have_text("Vous avez signé cette pétition.")
        expect(page.get_by_role("button", name="Signer cette pétition")).to_have_count(0)
        expect(page.get_by_role("button", name="Retirer ma signature")).to_have_count(1)

        page = stale
        with page.expect_response(lambda r: r.request.method == "POST") as refused:
            page.get_by_role("button", name="Signer cette pétition").click()

        assert refused.value.status == 409
        expect(page.get_by_role("alert")).to_have_text("Vous avez déjà signé cette pétition.")
        expect(page.locator("#signature-count")).to_have_text("2 signatures")

    def test_a_wrong_password_shows_the_form_again_with_the_reason(
        self, site: Site, context: BrowserContext
    ) -> None:
        """A wrong password: 401, the form again with the reason, and no session."""
        page = context.new_page()
        with page.expect_response(lambda r: r.request.method == "POST") as refused:
            sign_in(page, site, password="not the password")

        assert refused.value.status == 401
        expect(page.get_by_role("alert")).to_have_text(
            "L’adresse e-mail ou le mot de passe est incorrect."  # noqa: RUF001  # French apostrophe
        )
        assert "civic_session" not in {c["name"] for c in context.cookies()}

    def test_signing_out_ends_the_session(self, site: Site, context: BrowserContext) -> None:
        """The sign-out button ends the session: the page offers to sign in again."""
        page = context.new_page()
        sign_in(page, site)
        page.get_by_role("button", name="Se déconnecter").click()

        expect(page.get_by_role("link", name="Se connecter", exact=True)).to_be_visible()
        assert page.url == site.url("/")


class TestLanguages:
    """French by default, English from the browser's preference or the switch, remembered."""

    def test_the_browser_preference_gives_english_and_the_switch_french(
        self, site: Site, browser: Browser
    ) -> None:
        """Accept-Language en: English labels; "Français" switches and the choice is kept."""
        petition_id, _ = open_petition(site)
        english = browser.new_context(locale="en-GB")
        try:
            page = english.new_page()
            page.goto(site.url(f"/web/petitions/{petition_id}"))
            expect(page.locator("html")).to_have_attribute("lang", "en")
            expect(page.get_by_role("heading", name="Official response")).to_be_visible()
            expect(page.locator("#signature-count")).to_have_text("1 signature")
            expect(page.get_by_text("Open for signatures")).to_be_visible()

            page.get_by_role("link", name="Français").click()
            expect(page.locator("html")).to_have_attribute("lang", "fr")
            expect(page.get_by_role("heading", name="Réponse officielle")).to_be_visible()
            expect(page.get_by_text("Ouverte aux signatures")).to_be_visible()

            page.goto(site.url(f"/web/petitions/{petition_id}"))  # the cookie remembers
            expect(page.get_by_role("heading", name="Décisions du comité")).to_be_visible()
            page.get_by_role("link", name="English").click()
            expect(page.get_by_role("heading", name="Committee decisions")).to_be_visible()
        finally:
            english.close()

    def test_french_is_the_default_for_a_language_the_site_does_not_speak(
        self, site: Site, browser: Browser
    ) -> None:
        """Accept-Language de: the page is in French."""
        petition_id, _ = open_petition(site)
        german = browser.new_context(locale="de-DE")
        try:
            page = german.new_page()
            page.goto(site.url(f"/web/petitions/{petition_id}"))
            expect(page.locator("html")).to_have_attribute("lang", "fr")
            expect(page.get_by_role("link", name="Connectez-vous pour signer cette pétition"))
        finally:
            german.close()


class TestPlainHttp:
    """What the pages answer to a client that runs no script at all."""

    def test_an_unknown_petition_is_a_404_page(self, site: Site) -> None:
        """A page that says so, in French, with a 404 (not a problem document)."""
        response = site.client.get(f"/web/petitions/{uuid4()}", headers={"Accept-Language": "fr"})

        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "Cette page n’existe pas." in response.text  # noqa: RUF001  # French apostrophe

    def test_signing_without_a_session_leads_to_the_sign_in_page(self, site: Site) -> None:
        """A form post without a session: 303 to the sign-in form, which comes back here."""
        petition_id, _ = open_petition(site)
        with httpx.Client(base_url=site.base_url) as browser:  # a cookie jar of its own
            token = browser.get(f"/web/petitions/{petition_id}").cookies["csrftoken"]

            response = browser.post(
                f"/web/petitions/{petition_id}/signature", data={"_csrf_token": token}
            )

        assert response.status_code == 303
        assert response.headers["location"] == f"/web/sign-in?next=/web/petitions/{petition_id}"

    def test_the_pages_are_not_in_the_api_document(self, site: Site) -> None:
        """The OpenAPI document describes the JSON API only."""
        paths = site.client.get("/schema/openapi.json").json()["paths"]

        assert [p for p in paths if p == "/" or p.startswith(("/web", "/static"))] == []
