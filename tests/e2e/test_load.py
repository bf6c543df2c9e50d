"""Load: a crowd of citizens signs one petition at once through the real server (slow).

Run with `make test-slow`. Every signature is counted exactly once, a second signature from the
same people is refused, each threshold is reached exactly once, and no request fails.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from uuid import uuid4

import httpx
import pytest

from application.settings import Settings
from application.system import CivicLedger
from domain.account import Role
from domain.events import Cause
from domain.petition import Threshold

from .server import serving

pytestmark = pytest.mark.slow

CITIZENS = 1_500
CONNECTIONS = 32


def prepare(database_url: str) -> tuple[str, list[str], str]:
    """A petition open for signatures, the citizens' tokens and an auditor's token."""
    civic = CivicLedger(Settings(database_url))
    try:
        cause = Cause(actor="system:test", correlation_id=f"load-{uuid4()}")
        tokens = []
        with civic.ledger.transaction():
            for n in range(CITIZENS):
                tokens.append(
                    civic.accounts.open(name=f"c{n}", roles=[Role.CITIZEN], cause=cause)[1]
                )
            _, auditor = civic.accounts.open(name="audit", roles=[Role.AUDITOR], cause=cause)
            petition_id = civic.petitions.lodge(
                title="Load",
                text="A crowd signs at once.",
                deadline=None,
                thresholds=[
                    Threshold(CITIZENS // 2, "citizen_vote"),
                    Threshold(CITIZENS, "debate"),
                ],
                cause=cause,
            )
            civic.petitions.decide_admissibility(petition_id, admissible=True, cause=cause)
        return str(petition_id), tokens, auditor
    finally:
        civic.close()


async def sign_all(base_url: str, petition_id: str, tokens: list[str]) -> list[int]:
    """Sign once with every token over CONNECTIONS keep-alive connections; the statuses."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for token in tokens:
        queue.put_nowait(token)
    statuses: list[int] = []

    async def connection() -> None:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
            while not queue.empty():
                token = queue.get_nowait()
                response = await client.post(
                    f"/petitions/{petition_id}/signatures",
                    headers={"Authorization": f"Bearer {token}"},
                )
                statuses.append(response.status_code)

    await asyncio.gather(*(connection() for _ in range(CONNECTIONS)))
    return statuses


class TestCrowdSigning:
    """Many citizens at once, through HTTP, on each backend."""

    def test_every_signature_counts_once_and_each_threshold_is_reached_once(
        self, database_url: str, workdir: Path
    ) -> None:
        """1,500 signatures over 32 connections: 1,500 x 201, then 100 repeats all 409."""
        petition_id, tokens, auditor = prepare(database_url)
        with serving(database_url, workdir) as server:
            statuses = asyncio.run(sign_all(server.base_url, petition_id, tokens))
            assert statuses.count(201) == CITIZENS, sorted(set(statuses))
            repeats = asyncio.run(sign_all(server.base_url, petition_id, tokens[:100]))
            assert repeats == [409] * 100

            with httpx.Client(base_url=server.base_url, timeout=30) as client:
                petition = client.get(f"/petitions/{petition_id}").json()
                reached = client.get(
                    "/audit/events",
                    params={"type": "Petition.ThresholdReached", "aggregate_id": petition_id},
                    headers={"Authorization": f"Bearer {auditor}"},
                ).json()["items"]
        assert petition["signature_count"] == CITIZENS
        assert [t["consequence"] for t in petition["thresholds_reached"]] == [
            "citizen_vote",
            "debate",
        ]
        assert [e["data"]["signatures"] for e in reached] == [CITIZENS // 2, CITIZENS]
