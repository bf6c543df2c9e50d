"""A page's form sent with a wrong CSRF token (a tab from before signing in again, cookies
cleared): a translated page with a 403 that says to reload and try again, not a problem document;
the API keeps its problem document."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser, BrowserContext, Route, expect

from .site import Site
from .test_live_count import mark, same_page
from .test_pages import open_petition, sign_in

WRONG_TOKEN = "0" * 128  # the shape of a token, signed by nobody


def with_wrong_token(route: Route) -> None:
    """Send the form on with another CSRF token than the cookie's."""
    route.continue_(post_data=f"_csrf_token={WRONG_TOKEN}")


class TestWithoutJavaScript:
    """The plain form."""

    def test_a_sign_form_with_a_wrong_token_gives_a_page_to_reload_and_try_again(
        self, site: Site, browser: Browser
    ) -> None:
        """403, a French page saying the form expired and nothing was recorded, whose link
        goes back to the petition, where signing then works."""
        petition_id, _ = open_petition(site)
        plain = browser.new_context(locale="fr-FR", java_script_enabled=False)
        try:
            page = plain.new_page()
            sign_in(page, site)
            page.goto(site.url(f"/web/petitions/{petition_id}"))
            page.route(f"**/web/petitions/{petition_id}/signature", with_wrong_token)
            with page.expect_response(lambda r: r.request.method == "POST") as refused:
                page.get_by_role("button", name="Signer cette pétition").click()

            assert refused.value.status == 403
            assert refused.value.headers["content-type"].startswith("text/html")
            expect(page.get_by_role("heading", name="Ce formulaire a expiré")).to_be_visible()
            expect(page.get_by_text("Rien n’a été enregistré.", exact=False)).to_be_visible()  # noqa: RUF001  # French apostrophe
            expect(page.locator("html")).to_have_attribute("lang", "fr")
            assert site.client.get(f"/petitions/{petition_id}").json()["signature_count"] == 1

            page.unroute(f"**/web/petitions/{petition_id}/signature")
            page.get_by_role("link", name="Recharger la page et réessayer").click()
            assert page.url == site.url(f"/web/petitions/{petition_id}")
            page.get_by_role("button", name="Signer cette pétition").click()
            expect(page.locator("#signature-count")).to_have_text("2 signatures")
        finally:
            plain.close()


class TestWithJavaScript:
    """The form sent by htmx."""

    def test_the_page_takes_the_place_of_the_main_content(
        self, site: Site, context: BrowserContext
    ) -> None:
        """htmx sends the wrong token: the 403 page's content replaces the page's, same window."""
        petition_id, _ = open_petition(site)
        page = context.new_page()
        sign_in(page, site)
        page.goto(site.url(f"/web/petitions/{petition_id}"))
        page.wait_for_function("window.htmx !== undefined")
        page.evaluate(
            """token => {
                document.body.setAttribute('hx-headers', JSON.stringify({'X-CSRFToken': token}));
                for (const input of document.querySelectorAll('input[name=_csrf_token]')) {
                    input.value = token;
                }
            }""",
            WRONG_TOKEN,
        )
        mark(page)

        with page.expect_response(lambda r: r.request.method == "POST") as refused:
            page.get_by_role("button", name="Signer cette pétition").click()

        assert refused.value.status == 403
        expect(page.get_by_role("heading", name="Ce formulaire a expiré")).to_be_visible()
        expect(page.get_by_role("button", name="Signer cette pétition")).to_have_count(0)
        assert same_page(page)


class TestPlainHttp:
    """Who gets a page, who gets a problem document."""

    def test_a_page_form_gets_a_page_in_the_visitor_language(self, site: Site) -> None:
        """A form post to a page with a wrong token: 403, an HTML page in English if asked."""
        petition_id, _ = open_petition(site)
        with httpx.Client(base_url=site.base_url) as browser:  # a cookie jar of its own
            browser.get(f"/web/petitions/{petition_id}")
            response = browser.post(
                f"/web/petitions/{petition_id}/signature",
                data={"_csrf_token": WRONG_TOKEN},
                headers={
                    "Accept-Language": "en",
                    "Referer": site.url(f"/web/petitions/{petition_id}"),
                },
            )

        assert response.status_code == 403
        assert response.headers["content-type"].startswith("text/html")
        assert "This form has expired" in response.text
        assert f'href="/web/petitions/{petition_id}"' in response.text

    def test_the_api_keeps_its_problem_document(self, site: Site) -> None:
        """A form post to the API without a token: 403 problem+json, as before."""
        petition_id, _ = open_petition(site)

        response = site.client.post(f"/petitions/{petition_id}/signatures", data={"a": "b"})

        assert response.status_code == 403
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["detail"] == "CSRF token verification failed"
