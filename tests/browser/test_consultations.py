"""A consultation in headless Chromium against the real server: drafted through the API by a
committee's organiser, a citizen contributes, comments, endorses and answers the questionnaire
with plain forms, and sees each counted or recorded; a contribution hidden by the moderator is
shown as the API shows it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.server import Account

from .site import CITIZEN_EMAIL, CITIZEN_PASSWORD, Site

QUESTIONS: list[dict[str, Any]] = [
    {"id": "need", "text": "Que vous manque-t-il ?", "kind": "open", "required": True},
    {
        "id": "mode",
        "text": "Comment vous déplacez-vous ?",
        "kind": "single",
        "options": [{"id": "bus", "label": "En bus"}, {"id": "car", "label": "En voiture"}],
    },
    {
        "id": "when",
        "text": "Quand ?",
        "kind": "multiple",
        "options": [
            {"id": "week", "label": "En semaine"},
            {"id": "weekend", "label": "Le week-end"},
        ],
    },
    {
        "id": "first",
        "text": "Par quoi commencer ?",
        "kind": "ranking",
        "options": [
            {"id": "lanes", "label": "Des voies de bus"},
            {"id": "parking", "label": "Des parkings relais"},
            {"id": "bikes", "label": "Des pistes cyclables"},
        ],
    },
    {"id": "score", "text": "Satisfaction", "kind": "scale", "scale_min": 1, "scale_max": 5},
]


@pytest.fixture(scope="module")
def organiser(site: Site) -> tuple[Account, str]:
    """A committee account and the committee it created."""
    account = site.account(f"Organisatrice {uuid4().hex[:6]}", "committee")
    committee = site.client.post(
        "/committees",
        json={
            "name": f"Comité mobilité {uuid4().hex[:6]}",
            "serves": {"kind": "territory", "name": "Sillon Lorrain"},
            "colleges": [{"id": "citizens", "name": "Citizens", "seats": 3}],
        },
        headers=account.headers,
    )
    assert committee.status_code == 201, committee.text
    return account, committee.json()["id"]


def open_consultation(site: Site, organiser: tuple[Account, str], title: str) -> str:
    """A consultation open to everything for a day, then a day of analysis; its id."""
    account, committee_id = organiser
    now = datetime.now(UTC)
    drafted = site.client.post(
        "/consultations",
        json={
            "title": title,
            "description": "Que faut-il pour mieux se déplacer ?",
            "territory": "Sillon Lorrain",
            "committee_id": committee_id,
            "opens_at": (now - timedelta(minutes=1)).isoformat(),
            "phases": [
                {
                    "name": "Contributions",
                    "ends_at": (now + timedelta(days=1)).isoformat(),
                    "allows": ["contributions", "comments", "endorsements", "answers"],
                },
                {"name": "Analyse", "ends_at": (now + timedelta(days=2)).isoformat()},
            ],
            "questions": QUESTIONS,
        },
        headers=account.headers,
    )
    assert drafted.status_code == 201, drafted.text
    consultation_id: str = drafted.json()["id"]
    return consultation_id


def contribute(site: Site, consultation_id: str, who: Account, title: str) -> str:
    """`who` submits a proposal through the API; its id."""
    response = site.client.post(
        f"/consultations/{consultation_id}/contributions",
        json={"kind": "proposal", "title": title, "text": "Voilà."},
        headers=who.headers,
    )
    assert response.status_code == 201, response.text
    contribution_id: str = response.json()["id"]
    return contribution_id


def sign_in(page: Page, site: Site, path: str) -> None:
    """Sign in as the citizen with the form, coming back to `path`."""
    page.goto(site.url(f"/web/sign-in?next={path}"))
    page.get_by_label("Adresse e-mail").fill(CITIZEN_EMAIL)
    page.get_by_label("Mot de passe").fill(CITIZEN_PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()


def contribute_endorse_and_comment(page: Page) -> None:
    """Submit a proposal, endorse it (withdraw, endorse again) and comment on it, seeing each
    counted."""
    page.get_by_label("Proposition").check()
    page.get_by_label("Titre").fill("Des bus toutes les 10 minutes")
    page.get_by_label("Texte", exact=True).fill("Aux heures de pointe au moins.")
    page.get_by_label("Thèmes (facultatifs, séparés par des virgules)").fill("bus, Heures pointe")
    page.get_by_role("button", name="Déposer ma contribution").click()

    expect(page.locator("#contribution-count")).to_have_text("1 contribution")
    contribution = page.locator("article.contribution")
    expect(contribution).to_contain_text("Des bus toutes les 10 minutes")
    expect(contribution).to_contain_text("bus, heures-pointe")
    expect(contribution.locator(".endorsements")).to_have_text("0 soutien")

    contribution.get_by_role("button", name="Soutenir").click()
    expect(contribution.locator(".endorsements")).to_have_text("1 soutien")
    expect(contribution.get_by_text("Vous soutenez cette contribution.")).to_be_visible()
    contribution.get_by_role("button", name="Retirer mon soutien").click()
    expect(contribution.locator(".endorsements")).to_have_text("0 soutien")
    contribution.get_by_role("button", name="Soutenir").click()
    expect(contribution.locator(".endorsements")).to_have_text("1 soutien")
    contribution.get_by_label("Commenter « Des bus toutes les 10 minutes »").fill("Oui !")
    contribution.get_by_role("button", name="Publier le commentaire").click()
    expect(contribution.locator(".comments")).to_contain_text("Oui !")


def answer_the_questionnaire(page: Page) -> None:
    """Leave the required question blank (refused by the server), then answer every kind of
    question, then replace the answers, seeing them recorded."""
    form = page.locator("form.questionnaire")
    required = form.get_by_label("Que vous manque-t-il ? (obligatoire)")
    expect(required).to_have_attribute("required", "")
    form.evaluate("f => f.noValidate = true")  # past the browser's check: the server checks too
    form.get_by_label("En voiture").check()
    with page.expect_response(lambda r: r.request.method == "POST") as refused:
        form.get_by_role("button", name="Envoyer mes réponses").click()
    assert refused.value.status == 422
    expect(page.get_by_role("alert")).to_have_text(
        "Veuillez répondre à toutes les questions obligatoires."
    )
    expect(page.locator("#respondent-count")).to_have_text("0 participant·e")
    expect(form.get_by_label("En voiture")).to_be_checked()  # the form as it was sent

    required.fill("Un bus le soir.")
    form.get_by_label("En bus").check()
    form.get_by_label("En semaine").check()
    form.get_by_label("Le week-end").check()
    form.get_by_label("Des pistes cyclables").select_option("1")
    form.get_by_label("Des voies de bus").select_option("2")
    form.get_by_label("Satisfaction").fill("4")
    form.get_by_role("button", name="Envoyer mes réponses").click()

    expect(page.locator("#respondent-count")).to_have_text("1 participant·e")
    expect(page.locator("#answers-recorded")).to_be_visible()
    expect(form.get_by_label("En bus")).to_be_checked()
    expect(form.get_by_label("Des pistes cyclables")).to_have_value("1")
    form.get_by_label("Satisfaction").fill("2")
    form.get_by_role("button", name="Remplacer mes réponses").click()
    expect(form.get_by_label("Satisfaction")).to_have_value("2")


class TestTakingPart:
    """Contributing, commenting, endorsing and answering with plain forms."""

    def test_a_citizen_contributes_endorses_and_answers_and_sees_each_counted(
        self, site: Site, organiser: tuple[Account, str], context: BrowserContext
    ) -> None:
        """In the contribution phase: the contribution is listed, the endorsement counted, the
        comment shown; a required question left blank is refused by the server (422); the
        answers are recorded, then replaced, as the API reads them too."""
        title = f"Plan de mobilité {uuid4().hex[:8]}"
        page = context.new_page()
        sign_in(page, site, "/")
        expect(page.get_by_text("Connecté·e en tant que Ada")).to_be_visible()
        consultation_id = open_consultation(site, organiser, title)
        anonymous = site.client.get(f"/web/consultations/{consultation_id}").text
        assert "Connectez-vous pour participer" in anonymous
        assert "Déposer ma contribution" not in anonymous
        page.goto(site.url("/"))
        page.get_by_role("link", name=title).click()  # listed on the home page while open
        expect(page.locator("#current-phase")).to_contain_text("Contributions")
        expect(page.locator("li[aria-current=step]")).to_contain_text("en cours")

        contribute_endorse_and_comment(page)
        answer_the_questionnaire(page)

        base = f"/consultations/{consultation_id}"
        read = site.client.get(f"{base}/contributions").json()["items"]
        assert [(c["title"], c["endorsement_count"], c["comment_count"]) for c in read] == [
            ("Des bus toutes les 10 minutes", 1, 1)
        ]
        mine = site.client.get(f"{base}/answers/me", headers=site.citizen.headers).json()
        assert mine["answers"] == {
            "need": "Un bus le soir.",
            "mode": "bus",
            "when": ["week", "weekend"],
            "first": ["bikes", "lanes"],
            "score": 2,
        }
        assert site.client.get(f"{base}/results").json()["respondents"] == 1


class TestModeration:
    """What the page shows of a contribution hidden by the moderator: the API's rule."""

    def test_a_hidden_contribution_is_shown_only_to_its_author_and_moderators(
        self, site: Site, organiser: tuple[Account, str]
    ) -> None:
        """Anonymous visitors and other citizens do not see it; its author sees it with the
        reason, the moderator sees it too."""
        consultation_id = open_consultation(site, organiser, f"Plan vélo {uuid4().hex[:8]}")
        contribute(site, consultation_id, site.citizen, "Des arceaux partout")
        rude = contribute(site, consultation_id, site.neighbour, "Des mots grossiers")
        hidden = site.client.post(
            f"/consultations/{consultation_id}/contributions/{rude}/moderation",
            json={"hidden": True, "reason": "insultes"},
            headers=site.moderator.headers,
        )
        assert hidden.status_code == 200, hidden.text
        path = f"/web/consultations/{consultation_id}"
        french = {"Accept-Language": "fr"}

        def page_for(who: Account | None) -> str:
            headers = french if who is None else {**french, **who.headers}
            response = site.client.get(path, headers=headers)
            assert response.status_code == 200
            return response.text

        for reader in (None, site.citizen):
            assert "Des arceaux partout" in page_for(reader)
            assert "Des mots grossiers" not in page_for(reader)
        assert "Masqué par la modération : insultes" in page_for(site.neighbour)
        assert "Des mots grossiers" in page_for(site.moderator)
