"""Fixtures for the browser tests: one site and one Chromium for the session, and a fresh
browser context (no cookies) per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext

from .site import Site, chromium, chromium_or_skip, running_site


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium (skipped without it, except on CI)."""
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The running server and its accounts."""
    chromium_or_skip()  # no server to start for tests that will not run
    with running_site(tmp_path_factory.mktemp("site")) as running:
        yield running


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A browser context of its own: no cookie yet, French preferred (as most visitors)."""
    fresh = browser.new_context(locale="fr-FR")
    try:
        yield fresh
    finally:
        fresh.close()
