"""Fixtures for the end-to-end tests: the real `civic serve` in a subprocess, driven over HTTP.

``api`` is one server per backend for the whole session, on a database of its own, with four
accounts opened by `civic accounts create` (run in the test process: see `server.civic_in_process`;
test_cli runs the console script). The accounts are shared, and the committee member and the
auditor are citizens too (three signers are needed); each test lodges fresh petitions, which is all
the state a scenario needs.
The restart test starts servers of its own on the function-scoped ``database_url``, in ``workdir``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import POSTGRES, SQLITE, _backend, _fresh_database

from .api import CivicApi
from .server import civic, create_account, serving

CLIENT_TIMEOUT = 30.0


@contextmanager
def running_api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CivicApi]:
    """A running server on a fresh database of the requested backend, a client, the accounts."""
    workdir = tmp_path_factory.mktemp("api")
    with (
        _fresh_database(_backend(request), workdir) as database_url,
        serving(database_url, workdir) as server,
    ):
        # Opened while the server runs: it must see accounts it did not create itself.
        ada = create_account(database_url, workdir, "ada", "citizen")
        bea = create_account(database_url, workdir, "bea", "citizen", "committee")
        cyd = create_account(database_url, workdir, "cyd", "citizen", "auditor")
        moderator = create_account(database_url, workdir, "mo", "moderator")
        with httpx.Client(base_url=server.base_url, timeout=CLIENT_TIMEOUT) as client:
            yield CivicApi(
                client=client,
                database_url=database_url,
                workdir=workdir,
                citizens=(ada, bea, cyd),
                moderator=moderator,
            )


@pytest.fixture(scope="session", params=[SQLITE, POSTGRES])
def api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CivicApi]:
    """A running server on a fresh database of each backend, a client on it, and the accounts.
    It has no territory, so every process belongs to none (see `application.scope`)."""
    with running_api(request, tmp_path_factory) as running:
        yield running


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """Where a test's servers and commands run and keep their logs."""
    return tmp_path


@dataclass(frozen=True, slots=True)
class PlayedDemo:
    """`civic demo` played once for the session (it takes half a minute): where, and its output."""

    workdir: Path
    database: Path
    output: str


@pytest.fixture(scope="session")
def played_demo(tmp_path_factory: pytest.TempPathFactory) -> PlayedDemo:
    """The demo on a fresh SQLite file, over an old file it must replace; read-only for tests."""
    workdir = tmp_path_factory.mktemp("demo")
    database = workdir / "demo.sqlite"
    database.write_bytes(b"an old file the demo must replace")
    output = civic("sqlite:///unused.sqlite", workdir, "demo", "--database", str(database))
    return PlayedDemo(workdir, database, output)
