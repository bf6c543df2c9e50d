"""The committee, charter and audit pages against the real server: the chair of a meeting
records the attendance and a roll call from the meeting's page and sees the named votes and the
outcome; an auditor finds the decision in the audit trail and follows its request; the pages
speak English when asked; a charter shows its versions' diff; the checkpoint page is public."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.server import Account

from .site import CITIZEN_EMAIL, CITIZEN_PASSWORD, Site

START = "2020-01-01"
DAY = datetime.now(UTC).date().isoformat()  # the members sit today, as the committee page shows


@dataclass(frozen=True, slots=True)
class Scene:
    """A committee chaired by the site's citizen (who signs in on the web), a meeting of it with
    one agenda item, and its organiser, an auditor too, who signs in with `auditor_email`."""

    committee_id: str
    committee_name: str
    meeting_id: str
    organiser: Account
    auditor_email: str
    members: tuple[Account, ...]  # the chair first


def call(site: Site, method: str, path: str, who: Account, body: object = None) -> Any:
    """A JSON API call as `who` that must succeed; its JSON answer."""
    response = site.client.request(method, path, json=body, headers=who.headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


@pytest.fixture(scope="module")
def scene(site: Site) -> Scene:
    """The committee, its members (the citizen as chair, the neighbour and the moderator as
    members), and a meeting convened by the chair, set up through the JSON API."""
    tag = uuid4().hex[:8]
    # One account organises and audits: each `civic accounts create` costs seconds.
    auditor_email = f"audit-{tag}@example.org"
    organiser = site.account(f"Audra {tag}", "committee", "auditor", email=auditor_email)
    name = f"Comité mobilité {tag}"
    committee = call(
        site,
        "POST",
        "/committees",
        organiser,
        {
            "name": name,
            "serves": {"kind": "territory", "name": "Grenoble-Alpes"},
            "colleges": [
                {"id": "public", "name": "Élus", "seats": 2},
                {"id": "citizens", "name": "Habitants", "seats": 3},
            ],
            "quorum": {"share": "1/2", "per_college": 1},
            "majority": {"kind": "simple"},
        },
    )
    members = (site.citizen, site.neighbour, site.moderator)
    for member, college, role in zip(
        members, ["public", "citizens", "citizens"], ["chair", "member", "member"], strict=True
    ):
        call(
            site,
            "POST",
            f"/committees/{committee['id']}/members",
            organiser,
            {"member": member.id, "college": college, "role": role, "start": START},
        )
    meeting = call(
        site,
        "POST",
        f"/committees/{committee['id']}/meetings",
        site.citizen,
        {"held_on": DAY, "agenda": ["Étude d'un tramway"]},
    )
    return Scene(
        str(committee["id"]),
        name,
        str(meeting["id"]),
        organiser,
        auditor_email,
        members,
    )


def sign_in(page: Page, site: Site, email: str, then: str) -> None:
    """Sign in with the form, in French, and land on `then`."""
    page.goto(site.url(f"/web/sign-in?next={then}"))
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(CITIZEN_PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()


class TestARollCall:
    """A meeting's chair records a decision from the page; an auditor traces it."""

    def test_the_chair_records_a_roll_call_and_an_auditor_traces_it(
        self, site: Site, scene: Scene, context: BrowserContext, browser: Browser
    ) -> None:
        """The chair ticks who is present, answers the roll call (a fieldset per member) and
        sees the outcome and the named votes (a tab opened before gets a 409 and the reason);
        the auditor filters the trail by the chair's actor and the decision's type, and follows
        its request."""
        chair, neighbour, moderator = scene.members
        page = context.new_page()
        sign_in(page, site, CITIZEN_EMAIL, "/web/committees")
        page.get_by_role("link", name=scene.committee_name).click()
        expect(page.get_by_role("heading", name="Élus")).to_be_visible()
        expect(page.get_by_role("row", name=re.compile(chair.id))).to_contain_text("Président·e")
        page.get_by_role("link", name=re.compile("^Séance du ")).click()
        assert page.url == site.url(f"/web/meetings/{scene.meeting_id}")

        attendance = page.get_by_role("group", name="Membres présents")
        for member in scene.members:
            attendance.get_by_label(member.id).check()
        page.get_by_role("button", name="Enregistrer les présences").click()

        stale = context.new_page()  # a tab opened before the decision
        stale.goto(page.url)

        votes = {chair: "Pour", neighbour: "Pour", moderator: "Contre"}
        for tab in (page, stale):
            for member, choice in votes.items():
                tab.get_by_role("group", name=member.id).get_by_label(choice).check()
            tab.get_by_label("Motivation").fill("Une étude du tramway s'impose.")
        page.get_by_role("button", name="Enregistrer la décision").click()

        expect(page.locator("#outcome-1")).to_contain_text("Adoptée le")
        roll_call = page.locator("#roll-call-1")
        expect(roll_call.locator("caption")).to_have_text(
            "Appel nominal : 2 pour, 1 contre, 0 abstention"
        )
        for member, choice in votes.items():
            expect(roll_call.get_by_role("row", name=member.id)).to_contain_text(choice)
        with stale.expect_response(lambda r: r.request.method == "POST") as refused:
            stale.get_by_role("button", name="Enregistrer la décision").click()
        assert refused.value.status == 409
        expect(stale.get_by_role("alert")).to_have_text("Ce point est déjà décidé.")
        expect(stale.locator("#outcome-1")).to_contain_text("Adoptée le")
        meeting = site.client.get(f"/meetings/{scene.meeting_id}").json()
        assert meeting["decisions"][0]["votes"] == {
            chair.id: "for",
            neighbour.id: "for",
            moderator.id: "against",
        }

        audit = browser.new_context(locale="fr-FR")  # the auditor's own browser
        try:
            page = audit.new_page()
            sign_in(page, site, scene.auditor_email, "/web/audit")
            page.get_by_label("Acteur").fill(chair.id)
            page.get_by_label("Type d’événement").fill("Meeting.Decided")  # noqa: RUF001
            page.get_by_role("button", name="Filtrer").click()
            entries = page.locator(".audit-entry")
            expect(entries.first.locator(".event-type")).to_have_text("Meeting.Decided")
            expect(entries.first.locator(".actor")).to_have_text(chair.id)
            entries.first.locator("a.correlation").click()
            expect(page.get_by_role("heading", level=1)).to_have_text(
                "Tout ce qu’une requête a causé"  # noqa: RUF001  # French apostrophe
            )
            expect(page.locator(".event-type")).to_have_text(["Meeting.Decided"])
        finally:
            audit.close()


class TestLanguages:
    def test_the_committee_page_in_english(
        self, site: Site, scene: Scene, browser: Browser
    ) -> None:
        """Accept-Language en: the committee's page speaks English."""
        english = browser.new_context(locale="en-GB")
        try:
            page = english.new_page()
            page.goto(site.url(f"/web/committees/{scene.committee_id}"))
            expect(page.locator("html")).to_have_attribute("lang", "en")
            expect(page.get_by_role("heading", name="Members", exact=True)).to_be_visible()
            expect(page.get_by_role("heading", name="Rules")).to_be_visible()
            expect(page.get_by_text("More than 1/2 of the voting members present")).to_be_visible()
            expect(page.get_by_role("link", name=re.compile("^Meeting of ")).first).to_be_visible()
        finally:
            english.close()


class TestPlainHttp:
    """What the pages answer a client that runs no script."""

    def test_the_audit_trail_is_for_auditors_and_the_checkpoint_for_everyone(
        self, site: Site, scene: Scene
    ) -> None:
        """Anonymous: to the sign-in form; the checkpoint page shows the log's verifier key."""
        with httpx.Client(base_url=site.base_url, headers={"Accept-Language": "fr"}) as anonymous:
            refused = anonymous.get("/web/audit?actor=x&type=y")
            checkpoint = anonymous.get("/web/audit/checkpoint")

        assert refused.status_code == 303
        assert refused.headers["location"] == "/web/sign-in?next=/web/audit%3Factor%3Dx%26type%3Dy"
        assert checkpoint.status_code == 200
        key = site.client.get("/audit/key").json()["verifier_key"]
        assert key in checkpoint.text
        assert "civic audit verify" in checkpoint.text

    def test_a_charter_shows_the_diff_of_its_draft(self, site: Site, scene: Scene) -> None:
        """Version 1 adopted, a revision amended: `?from=1&to=draft` shows the words changed."""
        organiser, chair = scene.organiser, scene.members[0]
        charter = call(
            site,
            "POST",
            "/charters",
            organiser,
            {
                "title": f"Charte {uuid4().hex[:8]}",
                "preamble": "Nous, habitants.",
                "articles": ["Chacun peut participer.", "Les séances sont publiques."],
            },
        )
        meeting = f"/meetings/{scene.meeting_id}"
        present = {"present": [m.id for m in scene.members]}
        call(site, "POST", f"{meeting}/attendance", chair, present)
        votes = {m.id: "for" for m in scene.members}

        def decided(answers: list[dict[str, str]]) -> str:
            item = call(site, "POST", f"{meeting}/items", chair, {"title": "Sur la charte"})
            decision = call(
                site,
                "POST",
                f"{meeting}/items/{item['item']}/decision",
                chair,
                {"votes": votes, "rationale": "Débattu.", "answers": answers},
            )
            return str(decision["decision_id"])

        base = f"/charters/{charter['id']}"
        call(site, "POST", f"{base}/adoption", organiser, {"decision_id": decided([])})
        call(site, "POST", f"{base}/revision", organiser)
        change = {"kind": "replace", "article_id": 2, "text": "Les séances sont ouvertes à tous."}
        amendment = call(
            site, "POST", f"{base}/amendments", chair, {"change": change, "rationale": "Mieux."}
        )
        answer = {"kind": "charter_amendment", "id": str(amendment["amendment_id"])}
        decision_id = decided([answer])
        amendments = call(site, "GET", f"{base}/amendments", chair)["items"]
        if amendments[0]["status"] == "pending":  # unless the policy carried the decision out
            call(
                site,
                "POST",
                f"{base}/amendments/{amendment['amendment_id']}/decision",
                organiser,
                {"accepted": True, "decision_id": decision_id},
            )

        page = site.client.get(f"/web/charters/{charter['id']}?from=1&to=draft")
        wrong = site.client.get(f"/web/charters/{charter['id']}?from=9&to=draft")

        assert page.status_code == 200, page.text
        assert "<del>" in page.text
        assert "publiques.</del>" in page.text
        assert "ouvertes à tous.</ins>" in page.text
        assert "Chacun peut participer." in page.text  # the text in force
        assert wrong.status_code == 422


class TestConvening:
    """The chair convenes the next meeting from the committee's page."""

    def test_the_chair_convenes_a_meeting_with_its_agenda(
        self, site: Site, scene: Scene, context: BrowserContext
    ) -> None:
        """A day and two agenda lines: the new meeting's page lists both items, in order."""
        page = context.new_page()
        sign_in(page, site, CITIZEN_EMAIL, f"/web/committees/{scene.committee_id}")
        form = page.get_by_role("group", name="Convoquer une séance (présidence ou secrétariat)")
        form.get_by_label("Jour de la séance").fill(DAY)
        form.get_by_label("Ordre du jour, un point par ligne").fill(
            "Budget des pistes cyclables\n\nHoraires du tram de nuit\n"
        )
        form.get_by_role("button", name="Convoquer").click()

        expect(page).to_have_url(re.compile(r"/web/meetings/[0-9a-f-]{36}$"))
        meeting_id = page.url.rsplit("/", 1)[1]
        assert meeting_id != scene.meeting_id
        agenda = site.client.get(f"/meetings/{meeting_id}").json()["agenda"]
        assert [item["title"] for item in agenda] == [
            "Budget des pistes cyclables",
            "Horaires du tram de nuit",
        ]
        expect(page.get_by_text("Horaires du tram de nuit")).to_be_visible()
