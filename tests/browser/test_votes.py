"""The vote pages in headless Chromium against the real server: a citizen grades the options of a
majority-judgment vote on its page and sees the ballot recorded; once the organiser closes the
vote through the API, an auditor reads the result, the ballot counted in the merit profiles.
A ranking that gives two options the same rank is refused on the page; the page speaks English."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.server import Account

from .site import CITIZEN_EMAIL, CITIZEN_PASSWORD, Site

OPTIONS = [
    {"id": "north", "label": "North line"},
    {"id": "south", "label": "South line"},
    {"id": "none", "label": "No tram"},
]
GRADED = {"North line": "Très bien", "South line": "Passable", "No tram": "À rejeter"}


@dataclass(frozen=True, slots=True)
class People:
    """Who runs the votes of this file: an auditor who also sits on committees, so she drafts,
    opens and closes votes through the API and reads results on the pages (one account: each
    costs a run of the `civic` command, seconds of CPU)."""

    organiser: Account
    auditor: Account
    auditor_email: str


@pytest.fixture(scope="module")
def people(site: Site) -> People:
    """Accounts of their own for this file (the site is shared with other files)."""
    email = f"audit-{uuid4().hex[:8]}@example.org"
    auditor = site.account("Audrey", "auditor", "committee", email=email)
    return People(organiser=auditor, auditor=auditor, auditor_email=email)


def open_vote(site: Site, organiser: Account, method: str, **fields: Any) -> tuple[str, str]:
    """A vote open now for the citizen who signs in on the pages: its id and its question."""
    question = f"Which line should the new tram take? {uuid4().hex[:8]}"
    now = datetime.now(UTC)
    body = {
        "question": question,
        "options": OPTIONS,
        "method": method,
        "opens_at": (now - timedelta(minutes=1)).isoformat(),
        "closes_at": (now + timedelta(hours=1)).isoformat(),
        "electorate": {"kind": "roll", "accounts": [site.citizen.id]},
        **fields,
    }
    drafted = site.client.post("/votes", json=body, headers=organiser.headers)
    assert drafted.status_code == 201, drafted.text
    vote_id: str = drafted.json()["id"]
    opened = site.client.post(f"/votes/{vote_id}/open", headers=organiser.headers)
    assert opened.status_code in (200, 409), opened.text  # 409: the schedule opened it first
    return vote_id, question


def sign_in(page: Page, site: Site, email: str, target: str) -> None:
    """Sign in with the form (in French, the default), coming back to `target`."""
    page.goto(site.url(f"/web/sign-in?next={target}"))
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(CITIZEN_PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()


class TestMajorityJudgment:
    """From the ballot form to the certified count, on the pages."""

    def test_a_citizen_grades_the_options_and_an_auditor_sees_the_ballot_counted(
        self, site: Site, people: People, browser: Browser, context: BrowserContext
    ) -> None:
        """Graded on the page: recorded (not shown back, the ballot is secret); closed by the
        organiser through the API; the auditor's results page counts one ballot, North wins,
        and the merit profile (chart and table) holds the grades given."""
        vote_id, question = open_vote(site, people.organiser, "majority_judgment")
        page = context.new_page()
        sign_in(page, site, CITIZEN_EMAIL, "/web/votes")
        page.get_by_role("link", name=question).click()
        expect(page.locator("#vote-status")).to_have_text("Ouvert au vote")

        for option, grade in GRADED.items():
            page.get_by_role("group", name=option).get_by_label(grade, exact=True).check()
        page.get_by_role("button", name="Déposer mon bulletin").click()

        assert page.url == site.url(f"/web/votes/{vote_id}")  # back after a 303
        expect(page.locator("#ballot-recorded")).to_contain_text("Votre bulletin est enregistré.")
        expect(page.locator("#ballot-count")).to_have_attribute("data-count", "1")
        north = page.get_by_role("group", name="North line")
        expect(north.get_by_label("Très bien", exact=True)).not_to_be_checked()

        closed = site.client.post(
            f"/votes/{vote_id}/close",
            json={"reason": "the only elector has voted"},
            headers=people.organiser.headers,
        )
        assert closed.status_code == 200, closed.text
        auditing = browser.new_context(locale="fr-FR")
        try:
            page = auditing.new_page()
            sign_in(page, site, people.auditor_email, f"/web/votes/{vote_id}")
            expect(page.get_by_text("Connecté·e en tant que Audrey")).to_be_visible()

            expect(page.locator("#vote-status")).to_have_text("Clos, en attente de certification")
            expect(page.locator("#ballots-counted")).to_have_attribute("data-count", "1")
            expect(page.locator("#winners")).to_have_text("North line")
            chart = page.get_by_role("img", name="Profils de mérite")
            expect(chart).to_be_visible()
            expect(chart.locator("title", has_text="North line: Très bien 1")).to_have_count(1)
            row = page.get_by_role("row", name="North line")
            expect(row.get_by_role("cell")).to_have_text(
                ["0", "1", "0", "0", "0", "0", "0", "Très bien"]
            )
            expect(page.get_by_role("button", name="Déposer mon bulletin")).to_have_count(0)
        finally:
            auditing.close()


class TestRankedChoice:
    """A ranking with a select per option."""

    def test_two_options_with_the_same_rank_are_refused_then_a_ranking_is_recorded(
        self, site: Site, people: People, context: BrowserContext
    ) -> None:
        """Rank 1 twice: 422 and the page says which rank, the choices kept; fixed: recorded."""
        vote_id, _ = open_vote(site, people.organiser, "schulze")
        page = context.new_page()
        sign_in(page, site, CITIZEN_EMAIL, f"/web/votes/{vote_id}")
        page.get_by_label("North line").select_option("1")
        page.get_by_label("South line").select_option("1")

        with page.expect_response(lambda r: r.request.method == "POST") as refused:
            page.get_by_role("button", name="Déposer mon bulletin").click()

        assert refused.value.status == 422
        expect(page.get_by_role("alert")).to_have_text(
            "Deux options ont le même rang (1) : donnez à chaque option un rang différent."
        )
        expect(page.get_by_label("South line")).to_have_value("1")
        page.get_by_label("South line").select_option("2")
        page.get_by_role("button", name="Déposer mon bulletin").click()
        expect(page.locator("#ballot-recorded")).to_be_visible()
        expect(page.locator("#ballot-count")).to_have_attribute("data-count", "1")


class TestEnglish:
    """The vote's page in English for a visitor whose browser asks for it."""

    def test_the_page_speaks_english(self, site: Site, people: People, browser: Browser) -> None:
        """Status, method, ballot form invitation and headings are in English."""
        vote_id, question = open_vote(site, people.organiser, "approval")
        english = browser.new_context(locale="en-GB")
        try:
            page = english.new_page()
            page.goto(site.url(f"/web/votes/{vote_id}"))
            expect(page.locator("html")).to_have_attribute("lang", "en")
            expect(page.get_by_role("heading", name=question)).to_be_visible()
            expect(page.locator("#vote-status")).to_have_text("Open for ballots")
            expect(page.get_by_text("Approval voting")).to_be_visible()
            expect(page.get_by_role("heading", name="Your ballot")).to_be_visible()
            expect(page.get_by_role("link", name="Sign in to vote")).to_be_visible()
        finally:
            english.close()


class TestPlainHttp:
    """What the vote pages answer to a client that runs no script at all."""

    def test_an_unknown_vote_is_a_404_page(self, site: Site) -> None:
        """A page that says so, with a 404 (not a problem document)."""
        response = site.client.get(f"/web/votes/{uuid4()}", headers={"Accept-Language": "fr"})

        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")

    def test_a_ballot_without_a_session_leads_to_the_sign_in_page(self, site: Site) -> None:
        """A form post without a session: 303 to the sign-in form, which comes back to the vote."""
        vote_id = uuid4()
        with httpx.Client(base_url=site.base_url) as anonymous:  # a cookie jar of its own
            token = anonymous.get("/web/votes").cookies["csrftoken"]

            response = anonymous.post(
                f"/web/votes/{vote_id}/ballot", data={"_csrf_token": token, "choice": "north"}
            )

        assert response.status_code == 303
        assert response.headers["location"] == f"/web/sign-in?next=/web/votes/{vote_id}"
