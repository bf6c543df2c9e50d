"""A visitor opens a citizen account on the web and lodges a petition, in headless Chromium
against the real server."""

from __future__ import annotations

from uuid import uuid4

from playwright.sync_api import BrowserContext, expect

from .site import CITIZEN_PASSWORD, Site


class TestRegisteringAndLodging:
    """From the home page to a petition awaiting its admissibility decision."""

    def test_a_visitor_registers_then_lodges_a_petition_that_awaits_admissibility(
        self, site: Site, context: BrowserContext
    ) -> None:
        """Registered with the form, the visitor is signed in; the petition lodged with a
        deadline and one of three threshold rows is on its page, awaiting admissibility."""
        tag = uuid4().hex[:8]
        page = context.new_page()
        page.goto(site.url("/"))
        page.get_by_role("link", name="Créer un compte").click()
        page.get_by_label("Nom").fill(f"Chloé {tag}")
        page.get_by_label("Adresse e-mail").fill(f"chloe-{tag}@example.org")
        page.get_by_label("Mot de passe", exact=True).fill(CITIZEN_PASSWORD)
        page.get_by_label("Mot de passe, à nouveau").fill(CITIZEN_PASSWORD)
        page.get_by_role("button", name="Créer mon compte").click()

        expect(page.get_by_text(f"Connecté·e en tant que Chloé {tag}")).to_be_visible()
        assert page.url == site.url("/")

        page.get_by_role("link", name="Déposer une pétition").click()
        title = f"Un banc devant la médiathèque {tag}"
        page.get_by_label("Titre").fill(title)
        page.get_by_label("Texte").fill("Pour lire au soleil.")
        page.get_by_label("Date limite (facultative, fuseau Europe/Paris)").fill("2030-06-30T18:00")
        page.get_by_label("Signatures (seuil 1)").fill("50")
        page.get_by_label("Conséquence (seuil 1)").fill("council_debate")
        page.get_by_role("button", name="Déposer la pétition").click()

        expect(page.get_by_role("heading", name=title)).to_be_visible()
        expect(page.get_by_text("En attente de la décision de recevabilité")).to_be_visible()
        petition_id = page.url.rsplit("/", 1)[1]
        lodged = site.client.get(f"/petitions/{petition_id}").json()
        # 18:00 in Paris, in summer, is 16:00 UTC.
        assert (lodged["status"], lodged["deadline"]) == ("lodged", "2030-06-30T16:00:00Z")
        assert [(t["signatures"], t["consequence"]) for t in lodged["thresholds"]] == [
            (50, "council_debate")
        ]

    def test_different_passwords_show_the_form_again_with_the_reason(
        self, site: Site, context: BrowserContext
    ) -> None:
        """The second password differs: 422, the form again, filled, and no account."""
        page = context.new_page()
        page.goto(site.url("/web/register"))
        page.get_by_label("Nom").fill("Dan")
        page.get_by_label("Adresse e-mail").fill(f"dan-{uuid4().hex[:8]}@example.org")
        page.get_by_label("Mot de passe", exact=True).fill(CITIZEN_PASSWORD)
        page.get_by_label("Mot de passe, à nouveau").fill(CITIZEN_PASSWORD + "!")
        with page.expect_response(lambda r: r.request.method == "POST") as refused:
            page.get_by_role("button", name="Créer mon compte").click()

        assert refused.value.status == 422
        expect(page.get_by_role("alert")).to_have_text("Les deux mots de passe diffèrent.")
        expect(page.get_by_label("Nom")).to_have_value("Dan")
        assert "civic_session" not in {c["name"] for c in context.cookies()}
