"""Take the README's screenshots of the pages, in French: `.venv/bin/python -m
tests.browser.screenshots` (writes docs/screenshots/*.png: the home page and a petition on a
small site; then, on the demo's database, a vote's results, a meeting, a consultation, a charter,
a petition refused as outside its territory's competences and the checkpoint page)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import httpx
from playwright.sync_api import Page, ViewportSize

from tests.e2e.server import CIVIC, serving

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
    with tempfile.TemporaryDirectory() as workdir:
        _demo_pages(Path(workdir))


def _first_link(page: Page, prefix: str, *, with_chart: bool = False) -> str:
    """The first link of the page to a path under `prefix` (with `with_chart`, the first whose
    page draws a chart)."""
    links = page.locator(f"main a[href^='{prefix}']")
    hrefs = [links.nth(n).get_attribute("href") or "" for n in range(links.count())]
    for href in hrefs:
        if not with_chart:
            return href
        page.goto(href if href.startswith("http") else page.url.split("/web")[0] + href)
        if page.locator("main svg").count():
            return href
    raise LookupError(f"no link to {prefix} on {page.url}")


def _demo_pages(workdir: Path) -> None:
    """The demo's pages: every act of `civic demo`, served and shot."""
    database = workdir / "demo.sqlite"
    subprocess.run(
        [str(CIVIC), "demo", "--database", str(database)],
        cwd=workdir,
        check=True,
        capture_output=True,
    )
    url = f"sqlite:///{database}"
    with serving(url, workdir) as server, chromium() as browser:
        rejected = httpx.get(
            f"{server.base_url}/petitions", params={"status": "rejected", "limit": 100}
        ).json()["items"]
        outside = next(p for p in rejected if p["title"].startswith("Prolonger le Mettis"))
        context = browser.new_context(locale="fr-FR", viewport=VIEWPORT)
        page = context.new_page()

        def shoot(path: str, name: str) -> None:
            page.goto(path if path.startswith("http") else f"{server.base_url}{path}")
            page.screenshot(path=SCREENSHOTS / name, full_page=True)

        page.goto(f"{server.base_url}/web/votes")
        shoot(_first_link(page, "/web/votes/", with_chart=True), "vote-results-fr.png")
        page.goto(f"{server.base_url}/web/committees")
        committee = _first_link(page, "/web/committees/")
        shoot(committee, "committee-fr.png")
        shoot(_first_link(page, "/web/meetings/"), "meeting-fr.png")
        page.goto(f"{server.base_url}/web/consultations")
        shoot(_first_link(page, "/web/consultations/"), "consultation-fr.png")
        page.goto(f"{server.base_url}/web/charters")
        shoot(_first_link(page, "/web/charters/"), "charter-fr.png")
        shoot(f"/web/petitions/{outside['id']}", "petition-refused-fr.png")
        shoot("/web/audit/checkpoint", "checkpoint-fr.png")
        context.close()


if __name__ == "__main__":
    main()
