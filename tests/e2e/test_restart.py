"""A server killed outright and started again on the same database: the views pick up where they
stopped, every event applied exactly once."""

from __future__ import annotations

from pathlib import Path

import httpx

from .api import Json, audit_trail, every_petition, json_of, petition_body
from .server import Account, Server, create_account, serving
from .store import stored_events


def build_history(client: httpx.Client, operator: Account) -> dict[str, str]:
    """Petitions in each state, signed, withdrawn, closed and answered; their ids by state."""
    headers = operator.headers

    def lodge(**fields: object) -> str:
        response = client.post("/petitions", json=petition_body(**fields), headers=headers)
        petition_id: str = json_of(response, 201)["id"]
        return petition_id

    def post(path: str, body: Json | None = None, status: int = 200) -> None:
        json_of(client.post(path, json=body, headers=headers), status)

    answered = lodge(thresholds=[{"signatures": 1, "consequence": "citizen_vote"}])
    post(f"/petitions/{answered}/admissibility", {"admissible": True, "reason": "in remit"})
    post(f"/petitions/{answered}/signatures", status=201)
    assert client.delete(f"/petitions/{answered}/signatures/me", headers=headers).is_success
    post(f"/petitions/{answered}/signatures", status=201)
    post(f"/petitions/{answered}/close", {"reason": "the vote is scheduled"})
    post(f"/petitions/{answered}/response", {"text": "The vote is on 12 March."})
    unsigned = lodge()
    post(f"/petitions/{unsigned}/admissibility", {"admissible": True})
    rejected = lodge()
    post(f"/petitions/{rejected}/admissibility", {"admissible": False, "reason": "not ours"})
    lodged = lodge()
    return {"answered": answered, "unsigned": unsigned, "rejected": rejected, "lodged": lodged}


class TestRestart:
    """Kill the server (SIGKILL), start another on the same database."""

    def test_a_restarted_server_shows_the_same_views_and_applies_nothing_twice(
        self, database_url: str, workdir: Path
    ) -> None:
        """Same petitions and audit trail, an entry per stored event; the next write counts once."""
        operator = create_account(
            database_url, workdir, "olga", "citizen", "moderator", "committee", "auditor"
        )
        first = Server(database_url, workdir)
        first.start()
        try:
            with httpx.Client(base_url=first.base_url) as client:
                ids = build_history(client, operator)
                petitions = every_petition(client)
                audit = audit_trail(client, operator)
        finally:
            first.kill()

        with (
            serving(database_url, workdir) as second,
            httpx.Client(base_url=second.base_url) as client,
        ):
            assert every_petition(client) == petitions
            assert audit_trail(client, operator) == audit
            assert len(audit) == stored_events(database_url)

            signed = client.post(
                f"/petitions/{ids['unsigned']}/signatures", headers=operator.headers
            )

            json_of(signed, 201)
            after = audit_trail(client, operator)
            assert after[:-1] == audit
            assert after[-1]["type"] == "Signature.Signed"
            assert len(after) == stored_events(database_url)
            views = {p["id"]: p for p in every_petition(client)}
            assert views[ids["unsigned"]]["signature_count"] == 1
            assert views[ids["answered"]]["signature_count"] == 1
