"""The `civic` console script itself: `accounts create` on a live database (the other tests open
their accounts with the same command run in their own process), `projections rebuild` (the read
models come back the same), the demo, and a wrong database setting."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from .api import CivicApi, every_petition, json_of
from .conftest import PlayedDemo
from .server import CIVIC, civic, create_account_by_cli
from .store import stored_events

REBUILT = re.compile(r"rebuilt the read models from (\d+) events")


class TestAccountsCreate:
    """`civic accounts create`, run as the operator runs it, while the server runs."""

    def test_the_account_it_opens_signs_in_on_the_running_server(self, api: CivicApi) -> None:
        """Printed `account <id> (<roles>) token: <token>`: the token authenticates the account
        with its roles, and the password read from stdin signs it in with its e-mail; the server
        did not open it, yet sees it."""
        email = f"cli-{uuid4().hex[:12]}@example.org"
        password = "correct horse battery staple"

        account = create_account_by_cli(
            *(api.database_url, api.workdir, "Olga", "citizen", "auditor"),
            email=email,
            password=password,
        )

        me = json_of(api.client.get("/accounts/me", headers=account.headers), 200)
        assert (me["id"], me["name"], me["email"]) == (account.id, "Olga", email)
        assert sorted(me["roles"]) == ["auditor", "citizen"]
        with httpx.Client(base_url=str(api.client.base_url)) as web:
            session = web.post("/session", json={"email": email, "password": password})
            assert json_of(session, 201)["account_id"] == account.id


class TestProjectionsRebuild:
    """Empty every read model and apply the whole log again."""

    def test_a_rebuild_reports_the_events_applied_and_changes_nothing_visible(
        self, api: CivicApi
    ) -> None:
        """Exit 0 and `N events`, N the log's length; same views after; the next write counts."""
        petition = api.open_petition(thresholds=[{"signatures": 2, "consequence": "citizen_vote"}])
        for citizen in api.citizens[:2]:
            json_of(api.sign(petition["id"], citizen), 201)
        api.closed_petition()
        petitions = every_petition(api.client)
        audit = api.audit()

        output = civic(api.database_url, api.workdir, "projections", "rebuild")

        match = REBUILT.search(output)
        assert match, output
        assert int(match[1]) == len(audit) == stored_events(api.database_url)
        assert every_petition(api.client) == petitions
        assert api.audit() == audit

        # The rebuilt views resume from the end of the log: the next event is applied once.
        json_of(api.sign(petition["id"], api.citizens[2]), 201)
        assert api.petition(petition["id"])["signature_count"] == 3
        assert api.audit()[:-1] == audit


class TestDemo:
    """`civic demo`, the main job: Grenoble's scenario on a fresh SQLite file."""

    def test_the_demo_plays_the_grenoble_scenario(self, played_demo: PlayedDemo) -> None:
        """Grenoble: 26 lodged, 16 rejected with their reason (two naming the Metropolis as
        competent), 3 at the quorum, a citizen vote
        by majority judgment certified; the Sillon Lorrain: a petition referred to the
        committee and answered by a roll-call decision; on a fresh file."""
        database, output = played_demo.database, played_demo.output
        assert "28 lodged: 11 open, 17 rejected" in output
        assert len(re.findall(r"^\s+2,\d{3} signatures  ", output, re.MULTILINE)) == 3
        assert output.count("Petition.ThresholdReached") == 4  # 3 citizen votes, 1 referral
        assert "outside the municipality's competence" in output
        assert "petitions addressed to Grenoble or its members: 26" in output
        assert (
            "to Metz: rejected as outside its competences (mobilite: Organisation de la mobilité"
            " (AOM)); competent: Eurométropole de Metz (parent)"
        ) in output
        assert "1,500 secret ballots of 2,240 electors (quorum 560): elected" in output
        assert "decided: adopted, 6 for, 1 against, 1 abstaining" in output
        assert "lists 1 decision(s) that answered it" in output
        assert "version 1 adopted after 2 accepted amendments; 6 signatories" in output

        events = re.search(r"(\d+) events in the log", output)
        assert events is not None
        assert stored_events(f"sqlite:///{database}") == int(events[1])


class TestBadDatabaseSetting:
    """A wrong CIVIC_DATABASE_URL is a one-line error and exit status 1, never a traceback."""

    @pytest.mark.parametrize(
        ("url", "message"),
        [
            ("nonsense", "is not a database URL"),
            ("mysql://someone@somewhere/db", "names 'mysql'"),
            ("postgresql+psycopg://civic:wrong@127.0.0.1:1/civic", "cannot open the database"),
        ],
        ids=["not-a-url", "unsupported", "unreachable"],
    )
    def test_a_command_refuses_it_clearly(self, tmp_path: Path, url: str, message: str) -> None:
        """`civic accounts list` says what is wrong with the setting and exits 1."""
        completed = subprocess.run(
            [str(CIVIC), "accounts", "list"],
            env={**os.environ, "CIVIC_DATABASE_URL": url},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert completed.returncode == 1
        assert message in completed.stderr
        assert "Traceback" not in completed.stderr
