"""The site as a browser meets it: the real `civic serve` on a fresh SQLite database, with a
citizen who signs in with an e-mail and a password, petitions opened through the API, and headless
Chromium (Debian's, never a browser Playwright would download) driven by Playwright."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.e2e.server import Account, create_account, create_account_with_password, serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CITIZEN_EMAIL = "ada@example.org"
CITIZEN_PASSWORD = "correct horse battery staple"  # a test account's password


def chromium_or_skip() -> Path:
    """Debian's Chromium; without it the tests skip on a developer's machine and fail on CI."""
    if CHROMIUM.exists():
        return CHROMIUM
    reason = f"{CHROMIUM} is missing: install Debian's `chromium` package (.ci/run does)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Chromium, closed when the block ends."""
    executable = chromium_or_skip()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass(frozen=True, slots=True)
class Site:
    """A running server, a client on its API, and its accounts."""

    base_url: str
    client: httpx.Client
    citizen: Account  # signs in with CITIZEN_EMAIL and CITIZEN_PASSWORD
    neighbour: Account  # another citizen, who signs through the API
    moderator: Account
    database_url: str
    workdir: Path

    def account(self, name: str, *roles: str, email: str | None = None) -> Account:
        """Open another account as `civic accounts create` does (signing in with `email` and
        CITIZEN_PASSWORD when an e-mail is given), for tests that need other roles."""
        if email is None:
            return create_account(self.database_url, self.workdir, name, *roles)
        return create_account_with_password(
            self.database_url, self.workdir, name, email, CITIZEN_PASSWORD, *roles
        )

    def open_petition(self, title: str, text: str, thresholds: list[dict[str, Any]]) -> str:
        """Lodge a petition as the neighbour, have it declared admissible; its id."""
        lodged = self.client.post(
            "/petitions",
            json={"title": title, "text": text, "thresholds": thresholds},
            headers=self.neighbour.headers,
        )
        assert lodged.status_code == 201, lodged.text
        petition_id: str = lodged.json()["id"]
        admitted = self.client.post(
            f"/petitions/{petition_id}/admissibility",
            json={"admissible": True, "reason": "within the town's remit"},
            headers=self.moderator.headers,
        )
        assert admitted.status_code == 200, admitted.text
        return petition_id

    def sign(self, petition_id: str, account: Account) -> None:
        """`account` signs the petition through the API."""
        signed = self.client.post(f"/petitions/{petition_id}/signatures", headers=account.headers)
        assert signed.status_code == 201, signed.text

    def url(self, path: str) -> str:
        """The absolute URL of `path`."""
        return f"{self.base_url}{path}"


@contextmanager
def running_site(workdir: Path) -> Iterator[Site]:
    """`civic serve` on a fresh SQLite database in `workdir`, with its accounts."""
    database_url = f"sqlite:///{workdir}/civic.sqlite"
    with serving(database_url, workdir) as server:
        citizen = create_account_with_password(
            database_url, workdir, "Ada", CITIZEN_EMAIL, CITIZEN_PASSWORD, "citizen"
        )
        neighbour = create_account(database_url, workdir, "Bea", "citizen")
        moderator = create_account(database_url, workdir, "Mo", "moderator")
        with httpx.Client(base_url=server.base_url, timeout=30.0) as client:
            yield Site(
                server.base_url, client, citizen, neighbour, moderator, database_url, workdir
            )
