"""The petition page with JavaScript (htmx, served from /static): the count follows the
signatures as they come, signing and withdrawing swap the signatures' section in place of a
page load; without JavaScript the same forms post and come back after a 303."""

from __future__ import annotations

from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect

from .site import Site
from .test_pages import open_petition, sign_in

POLL_TIMEOUT_MS = 15_000  # the page polls every 5 s; the machine may be busy


def mark(page: Page) -> None:
    """Leave a mark on the page's window: a page load would wipe it."""
    page.evaluate("window.stillTheSamePage = true")


def same_page(page: Page) -> bool:
    """Whether the window marked by `mark` is still the one shown."""
    return bool(page.evaluate("window.stillTheSamePage === true"))


class TestWithJavaScript:
    """htmx enhances the page without a script of the page's own (the CSP forbids them)."""

    def test_signing_updates_the_count_without_loading_the_page(
        self, site: Site, context: BrowserContext
    ) -> None:
        """The sign button swaps the section: 2 signatures, the withdraw button (focused), the
        same window; withdrawing brings the count back to 1 and the sign button."""
        petition_id, _ = open_petition(site)
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: _keep_errors(m, problems))
        sign_in(page, site)
        page.goto(site.url(f"/web/petitions/{petition_id}"))
        expect(page.locator("#signature-count")).to_have_text("1 signature")
        page.wait_for_function("window.htmx !== undefined")
        mark(page)

        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.get_by_role("button", name="Signer cette pétition").click()

        assert posted.value.request.headers.get("hx-request") == "true"
        expect(page.locator("#signature-count")).to_have_text("2 signatures")
        expect(page.locator("#signed")).to_have_text("Vous avez signé cette pétition.")
        withdraw = page.get_by_role("button", name="Retirer ma signature")
        expect(withdraw).to_be_focused()
        assert same_page(page)
        assert site.client.get(f"/petitions/{petition_id}").json()["signature_count"] == 2

        withdraw.click()
        expect(page.locator("#signature-count")).to_have_text("1 signature")
        expect(page.get_by_role("button", name="Signer cette pétition")).to_be_visible()
        assert same_page(page)
        assert problems == []

    def test_the_count_follows_signatures_made_elsewhere(
        self, site: Site, context: BrowserContext
    ) -> None:
        """An open page, in a polite live region, shows a signature given through the API a few
        seconds later, with the thresholds' progress, and no page load."""
        petition_id, _ = open_petition(site)
        page = context.new_page()
        page.goto(site.url(f"/web/petitions/{petition_id}"))
        tally = page.locator("[aria-live=polite]")
        expect(tally.locator("#signature-count")).to_have_text("1 signature")
        page.wait_for_function("window.htmx !== undefined")
        mark(page)

        site.sign(petition_id, site.account("Cyd", "citizen"))

        expect(tally.locator("#signature-count")).to_have_text(
            "2 signatures", timeout=POLL_TIMEOUT_MS
        )
        expect(tally.locator("progress")).to_have_attribute("value", "2")
        assert same_page(page)

    def test_a_refused_signature_shows_its_reason_in_place(
        self, site: Site, context: BrowserContext
    ) -> None:
        """Signing again from a tab opened before: the 409 page's section is swapped in, with
        the reason in an alert, the count unchanged, the same window."""
        petition_id, _ = open_petition(site)
        page = context.new_page()
        sign_in(page, site)
        page.goto(site.url(f"/web/petitions/{petition_id}"))
        stale = context.new_page()
        stale.goto(site.url(f"/web/petitions/{petition_id}"))
        stale.wait_for_function("window.htmx !== undefined")
        mark(stale)
        page.get_by_role("button", name="Signer cette pétition").click()
        expect(page.locator("#signature-count")).to_have_text("2 signatures")

        with stale.expect_response(lambda r: r.request.method == "POST") as refused:
            stale.get_by_role("button", name="Signer cette pétition").click()

        assert refused.value.status == 409
        expect(stale.get_by_role("alert")).to_have_text("Vous avez déjà signé cette pétition.")
        expect(stale.locator("#signature-count")).to_have_text("2 signatures")
        assert same_page(stale)


class TestWithoutJavaScript:
    """The same page and forms in a browser that runs no script."""

    def test_signing_posts_the_form_and_comes_back(self, site: Site, browser: Browser) -> None:
        """No htmx: the form posts, the 303 brings the page back with the new count."""
        petition_id, _ = open_petition(site)
        plain = browser.new_context(locale="fr-FR", java_script_enabled=False)
        try:
            page = plain.new_page()
            sign_in(page, site)
            page.goto(site.url(f"/web/petitions/{petition_id}"))
            with page.expect_response(lambda r: r.request.method == "POST") as posted:
                page.get_by_role("button", name="Signer cette pétition").click()

            assert posted.value.status == 303
            assert "hx-request" not in posted.value.request.headers
            expect(page.locator("#signature-count")).to_have_text("2 signatures")
            assert page.url == site.url(f"/web/petitions/{petition_id}")
        finally:
            plain.close()


class TestCountFragment:
    """`GET /web/petitions/{id}/count`, what htmx polls."""

    def test_answers_the_count_and_nothing_while_it_is_unchanged(self, site: Site) -> None:
        """The fragment with the count and the next poll's `since`; 204 when nothing changed."""
        petition_id, _ = open_petition(site)
        path = f"/web/petitions/{petition_id}/count"

        fragment = site.client.get(path, headers={"Accept-Language": "fr"})
        unchanged = site.client.get(path, params={"since": 1})
        changed = site.client.get(path, params={"since": 0}, headers={"Accept-Language": "en"})

        assert fragment.status_code == 200
        assert fragment.headers["content-type"].startswith("text/html")
        assert "<html" not in fragment.text
        assert 'data-count="1"' in fragment.text
        assert f'hx-get="{path}?since=1"' in fragment.text
        assert unchanged.status_code == 204
        assert unchanged.content == b""
        assert changed.status_code == 200
        assert "1 signature" in changed.text

    def test_htmx_is_served_from_the_site_itself(self, site: Site) -> None:
        """The page loads htmx from /static (the CSP allows no other origin), and it is there."""
        petition_id, _ = open_petition(site)
        page = site.client.get(f"/web/petitions/{petition_id}")
        script = site.client.get("/static/vendor/htmx.min.js")

        assert '<script src="/static/vendor/htmx.min.js" defer></script>' in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert script.status_code == 200
        assert "javascript" in script.headers["content-type"]
        assert script.text.startswith("var htmx=")


def _keep_errors(message: ConsoleMessage, into: list[str]) -> None:
    """Console errors but the missing favicon's: a CSP violation or a script error shows there."""
    if message.type == "error" and "404" not in message.text:
        into.append(message.text)
