"""A moderator rejects a petition as outside its territory's competences on its page; the page
then says so, in French, with the territory that holds the competence."""

from __future__ import annotations

import re
from uuid import uuid4

from playwright.sync_api import BrowserContext, expect

from .site import CITIZEN_PASSWORD, Site


def test_the_page_names_the_territory_to_turn_to(site: Site, context: BrowserContext) -> None:
    """Metz does not organise buses, its Eurométropole does: the moderator's first try without
    a reason is refused on the page, the second is recorded, and the page gives the reason, the
    competence, and the Eurométropole as the one to address."""
    admin = site.account("Sig", "admin")
    email = f"modo-{uuid4().hex[:6]}@example.org"
    site.account("Modo", "moderator", email=email)
    suffix = uuid4().hex[:6]

    def register(name: str, kind: str, *members: str) -> str:
        body = {"name": name, "kind": kind, "members": list(members)}
        created = site.client.post("/territories", json=body, headers=admin.headers)
        assert created.status_code == 201, created.text
        territory_id: str = created.json()["id"]
        return territory_id

    metz = register(f"Metz {suffix}", "commune")
    em = register(f"Eurométropole de Metz {suffix}", "intercommunality", metz)
    competence = {"competence": "mobilite", "label": "Mobilité", "since": "2021-07-01"}
    added = site.client.post(
        f"/territories/{em}/competences", json=competence, headers=admin.headers
    )
    assert added.status_code == 201, added.text
    body = {
        "title": f"Un bus le dimanche {suffix}",
        "text": "Jusqu'à minuit.",
        "territory_id": metz,
    }
    lodged = site.client.post("/petitions", json=body, headers=site.neighbour.headers)
    assert lodged.status_code == 201, lodged.text
    petition_id = lodged.json()["id"]
    page = context.new_page()
    page.goto(site.url(f"/web/sign-in?next=/web/petitions/{petition_id}"))
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(CITIZEN_PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    decision = page.locator("#admissibility")
    decision.get_by_label("Rejetée").check()
    decision.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator("#admissibility").get_by_role("alert")).to_be_visible()
    assert site.client.get(f"/petitions/{petition_id}").json()["status"] == "lodged"

    decision.get_by_label("Rejetée").check()
    decision.get_by_label("Motif (obligatoire pour un rejet)").fill(
        "Le réseau de bus relève de l'Eurométropole."
    )
    decision.get_by_label(re.compile("^Hors des compétences")).fill("mobilite")
    decision.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator("#territory")).to_have_text(f"Metz {suffix}")
    refusal = page.locator("#refusal")
    expect(refusal.get_by_role("heading")).to_have_text(
        "Pourquoi elle n'a pas été déclarée recevable"
    )
    expect(refusal).to_contain_text("Le réseau de bus relève de l'Eurométropole.")
    expect(refusal).to_contain_text("ne relève pas des compétences de la collectivité : Mobilité")
    expect(refusal.get_by_role("listitem")).to_have_text(
        f"Eurométropole de Metz {suffix} (dont elle est membre)"
    )
