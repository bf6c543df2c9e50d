"""A crowd of citizens signing one petition and voting in one vote at once, over HTTP, each
retrying what got no answer; and what the log holds afterwards, read straight from the store.

Every request carries its own correlation id, which the events it records carry too, so each
acknowledged request can be found in the log, and each event traced to the request that made it.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
from sqlalchemy import create_engine, text

from application.settings import DEFAULT_SIGNING_KEY, Settings
from application.system import CivicLedger
from domain.account import Role
from domain.events import Cause
from domain.vote import Option, VoteRules

OPTIONS = ("tram", "bus", "bike", "walk")
REQUEST_TIMEOUT = 30.0
NO_ANSWER_PAUSE = 0.1  # between tries while the server is down or restarting
LONGEST_WAIT = 1.0  # the most a client waits on a 503's Retry-After
PROBLEM_JSON = "application/problem+json"
SIGNATURE = "domain.signature:Signature."
BALLOT = "domain.ballot:Ballot."


@dataclass(frozen=True, slots=True)
class Scene:
    """An open petition and an open public plurality vote (replaceable ballots), the citizens'
    ids and tokens, and an organiser (committee and auditor) who closes the vote and audits."""

    petition_id: str
    vote_id: str
    citizens: tuple[tuple[str, str], ...]
    organiser: str


def settings_for(database_url: str, workdir: Path) -> Settings:
    """The settings `civic serve` run in `workdir` uses (its signing key included)."""
    on_sqlite = database_url.startswith("sqlite")
    return Settings(
        database_url, signing_key_file=None if on_sqlite else workdir / DEFAULT_SIGNING_KEY
    )


def prepare(database_url: str, workdir: Path, citizens: int) -> Scene:
    """Open the accounts, a petition and a vote in-process (a CLI call per account is seconds)."""
    civic = CivicLedger(settings_for(database_url, workdir))
    try:
        cause = Cause(actor="system:test", correlation_id=f"scene-{uuid4()}")
        with civic.ledger.transaction():
            crowd = tuple(
                (str(account), token)
                for account, token in (
                    civic.accounts.open(name=f"c{n}", roles=[Role.CITIZEN], cause=cause)
                    for n in range(citizens)
                )
            )
            _, organiser = civic.accounts.open(
                name="org", roles=[Role.COMMITTEE, Role.AUDITOR], cause=cause
            )
            petition_id = civic.petitions.lodge(
                title="A crowd at once",
                text="Signed in a rush.",
                deadline=None,
                thresholds=[],
                cause=cause,
            )
            civic.petitions.decide_admissibility(petition_id, admissible=True, cause=cause)
        now = datetime.now(UTC)
        rules = VoteRules(
            question="How should people cross the river?",
            options=tuple(Option(o, o.title(), None) for o in OPTIONS),
            method="plurality",
            opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(hours=1),
            electorate={"kind": "role", "role": Role.CITIZEN.value},
            secret=False,  # a public vote: its ballots carry the elector and the request id
            replaceable=True,
        )
        vote_id = civic.votes.draft(rules=rules, cause=cause)
        civic.votes.open(vote_id, cause=cause)
        return Scene(str(petition_id), str(vote_id), crowd, organiser)
    finally:
        civic.close()


def choice(citizen: int, turn: int) -> str:
    """What citizen number `citizen` votes at their `turn`-th ballot (0: the first)."""
    return OPTIONS[(citizen + turn) % len(OPTIONS)]


def paper(option: str) -> list[int]:
    """A plurality paper: a 1 at the option chosen."""
    return [int(o == option) for o in OPTIONS]


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try of a request: its correlation id and the status it got (None: no answer)."""

    correlation_id: str
    status: int | None
    problem: bool = False
    retry_after: str | None = None

    @property
    def acknowledged(self) -> bool:
        """A 2xx: the client was told it was done."""
        return self.status is not None and 200 <= self.status < 300

    @property
    def ambiguous(self) -> bool:
        """No answer, or a 503: the server may or may not have recorded it."""
        return self.status is None or self.status == 503


@dataclass(slots=True)
class Operation:
    """One thing a citizen means to do, tried until it gets an answer that is not a 503."""

    kind: str  # "sign", "ballot" or "sign-again"
    citizen: int
    elector: str
    option: str | None = None
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def final(self) -> int | None:
        """The status of the last try."""
        return self.attempts[-1].status if self.attempts else None


@dataclass(slots=True)
class Crowd:
    """The citizens and everything they sent."""

    base_url: str
    scene: Scene
    ballots_each: int
    deadline: float = 120.0
    operations: list[Operation] = field(default_factory=list)

    @property
    def attempts(self) -> list[Attempt]:
        """Every request sent, in no particular order."""
        return [a for op in self.operations for a in op.attempts]

    def acknowledged(self) -> int:
        """How many requests got a 2xx."""
        return sum(a.acknowledged for a in self.attempts)

    def last_papers(self) -> dict[str, list[int]]:
        """Each elector's paper as their last ballot (they are sent one after the other) has it."""
        return {op.elector: paper(op.option) for op in self.operations if op.option is not None}

    def planned(self) -> int:
        """How many operations the crowd means to carry out."""
        return len(self.scene.citizens) * (self.ballots_each + 2)

    async def run(self) -> None:
        """Every citizen at once: sign and cast a first ballot together, replace the ballot
        `ballots_each - 1` times, then sign again (which must be refused)."""
        started = asyncio.Event()
        citizens = [self._citizen(n, started) for n in range(len(self.scene.citizens))]
        tasks = [asyncio.ensure_future(c) for c in citizens]
        started.set()  # all connect at once: a race for the petition and the vote
        await asyncio.gather(*tasks)

    async def _citizen(self, number: int, started: asyncio.Event) -> None:
        elector, token = self.scene.citizens[number]
        headers = {"Authorization": f"Bearer {token}"}
        petition = f"/petitions/{self.scene.petition_id}/signatures"
        ballots = f"/votes/{self.scene.vote_id}/ballots"
        async with httpx.AsyncClient(base_url=self.base_url, timeout=REQUEST_TIMEOUT) as client:
            await started.wait()

            async def send(op: Operation, path: str, body: Any = None) -> None:
                self.operations.append(op)
                await self._until_answered(client, op, path, body, headers)

            first = choice(number, 0)
            await asyncio.gather(
                send(Operation("sign", number, elector), petition),
                send(Operation("ballot", number, elector, first), ballots, {"choice": first}),
            )
            for turn in range(1, self.ballots_each):
                option = choice(number, turn)
                await send(
                    Operation("ballot", number, elector, option), ballots, {"choice": option}
                )
            await send(Operation("sign-again", number, elector), petition)

    async def _until_answered(
        self,
        client: httpx.AsyncClient,
        op: Operation,
        path: str,
        body: Any,
        headers: dict[str, str],
    ) -> None:
        """Send until the server answers with anything but a 503; each try has its own id."""
        give_up = time.monotonic() + self.deadline
        while True:
            correlation_id = f"{op.kind}-{op.citizen}-{len(op.attempts)}-{uuid4().hex[:12]}"
            try:
                response = await client.post(
                    path, json=body, headers={**headers, "X-Correlation-Id": correlation_id}
                )
            except httpx.TransportError:  # refused, reset or cut off: the server is down
                op.attempts.append(Attempt(correlation_id, None))
                pause = NO_ANSWER_PAUSE
            else:
                op.attempts.append(
                    Attempt(
                        correlation_id,
                        response.status_code,
                        response.headers.get("content-type", "").startswith(PROBLEM_JSON),
                        response.headers.get("retry-after"),
                    )
                )
                if response.status_code != 503:  # unavailable: try again
                    return
                pause = min(float(response.headers.get("retry-after", "1")), LONGEST_WAIT)
            if time.monotonic() > give_up:
                raise TimeoutError(f"{op.kind} by citizen {op.citizen}: no answer in time")
            await asyncio.sleep(pause)


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """A signature's or a ballot's event as the store holds it."""

    originator_id: UUID
    version: int
    type: str  # e.g. "Signature.Signed"
    data: dict[str, Any]

    @property
    def correlation_id(self) -> str:
        """The id of the request that recorded it."""
        value: str = self.data["correlation_id"]
        return value

    def names(self, key: str) -> str:
        """A UUID or text field of the event, as text."""
        value = self.data[key]
        return str(UUID(value["_data_"])) if isinstance(value, dict) else str(value)


def logged_events(database_url: str) -> list[LoggedEvent]:
    """The signatures' and ballots' events, in log order, read from the store's table."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT originator_id, originator_version, topic, state FROM civic_events "
                    "WHERE topic LIKE 'domain.signature:%' OR topic LIKE 'domain.ballot:%' "
                    "ORDER BY id"
                )
            ).all()
    finally:
        engine.dispose()
    return [
        LoggedEvent(
            originator_id=UUID(bytes=row[0]) if isinstance(row[0], bytes) else UUID(str(row[0])),
            version=row[1],
            type=row[2].partition(":")[2],
            data=json.loads(bytes(row[3])),
        )
        for row in rows
    ]


def duplicated(values: list[str]) -> int:
    """How many values occur more than once, counting each extra occurrence."""
    return sum(n - 1 for n in Counter(values).values() if n > 1)
