"""Take the README's screenshots of the pages, in French: `.venv/bin/python -m
tests.browser.screenshots` (writes docs/screenshots/home-fr.png and petition-fr.png)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from playwright.sync_api import ViewportSize

from .site import Site, chromium, running_site

SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
VIEWPORT: ViewportSize = {"width": 1024, "height": 768}


def _scene(site: Site) -> str:
    """A few open petitions, one of them signed and past its first threshold; its id."""
    shown = site.open_petition(
        "Des arbres le long du boulevard circulaire",
        "De l'ombre, un air plus frais et moins d'îlots de chaleur.\n"
        "Nous demandons la plantation de 300 arbres d'ici 2027.",
        [
            {"signatures": 1, "consequence": "council_debate"},
            {"signatures": 500, "consequence": "citizen_vote"},
        ],
    )
    site.sign(shown, site.neighbour)
    site.open_petition("Une piste cyclable rue de la Gare", "Pour aller à l'école à vélo.", [])
    site.open_petition("Ouvrir la médiathèque le dimanche", "Le dimanche aussi.", [])
    return shown


def main() -> None:
    """Start a site, set the scene, and save the two screenshots."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as workdir,
        running_site(Path(workdir)) as site,
        chromium() as browser,
    ):
        petition_id = _scene(site)
        context = browser.new_context(locale="fr-FR", viewport=VIEWPORT)
        page = context.new_page()
        page.goto(site.url("/"))
        page.screenshot(path=SCREENSHOTS / "home-fr.png", full_page=True)
        page.goto(site.url(f"/web/petitions/{petition_id}"))
        page.screenshot(path=SCREENSHOTS / "petition-fr.png", full_page=True)
        context.close()


if __name__ == "__main__":
    main()
