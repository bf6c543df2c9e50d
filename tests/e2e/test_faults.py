"""Load and faults (slow): 64 citizens sign one petition and vote in one vote at once, through the
real server, while it runs undisturbed, is killed (SIGKILL) and started again, or loses its
PostgreSQL server for a while. Clients retry what got no answer or a 503.

Whatever happens, every request that got a 2xx is in the log and in the views exactly once, no
signature or ballot is counted twice, a retried signature is refused or counted once, and the
server answers a database outage with a 503 problem, never a 500. Each test prints its figures.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from .api import every_page, json_of
from .crowd import Crowd, duplicated, logged_events, prepare
from .postgres_instance import PostgresInstance, cannot_run
from .server import Server, serving
from .store import stored_events

pytestmark = pytest.mark.slow

CITIZENS = 64
BALLOTS_EACH = 4  # a first ballot and three replacements
FAULT_AT = 0.3  # the share of the operations acknowledged when the fault strikes
OUTAGE_SECONDS = 2.0  # how long PostgreSQL stays down, at least
WAIT_LIMIT = 60.0
PAGE = 500


@dataclass(frozen=True, slots=True)
class Figures:
    """What the closing note quotes: requests sent, acknowledged (2xx), found in the log after
    the run, refused as duplicates (409), unanswered, 503s and other 5xx, duplicates in the log,
    and the requests recorded although their client never heard so (retried, they counted once)."""

    sent: int
    acknowledged: int
    found: int
    refused: int
    unanswered: int
    unavailable: int
    other_5xx: int
    duplicates: int
    recorded_unacknowledged: int

    def line(self, label: str) -> str:
        """One line for the test output."""
        return (
            f"{label}: sent={self.sent} acknowledged={self.acknowledged} found={self.found} "
            f"refused_409={self.refused} unanswered={self.unanswered} "
            f"503={self.unavailable} other_5xx={self.other_5xx} duplicates={self.duplicates} "
            f"recorded_unacknowledged={self.recorded_unacknowledged}"
        )


def report(request: pytest.FixtureRequest, line: str) -> None:
    """Write `line` to the terminal even while pytest captures output (no `-s` needed)."""
    request.node.user_properties.append(("figures", line))
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        print(line)  # no terminal reporter: leave it to the captured output
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(f"\n[figures] {line}")


def check_log(crowd: Crowd, database_url: str) -> tuple[int, int, int]:
    """The store holds one signature per citizen and one ballot per elector, each event made by
    one request that was acknowledged or went unanswered (never one that was refused), every
    acknowledged request exactly once, and each ballot's last paper the citizen's last choice.
    Returns the acknowledged requests found, the duplicates, and the requests recorded although
    their client got no 2xx."""
    scene = crowd.scene
    electors = {elector for elector, _ in scene.citizens}
    events = logged_events(database_url)
    signatures = [
        e
        for e in events
        if e.type.startswith("Signature.") and e.names("petition_id") == scene.petition_id
    ]
    ballots = [
        e for e in events if e.type.startswith("Ballot.") and e.names("vote_id") == scene.vote_id
    ]
    assert {e.type for e in signatures} == {"Signature.Signed"}  # none withdrawn or re-signed
    signers = [e.names("signer") for e in signatures]
    cast = [e for e in ballots if e.type == "Ballot.Cast"]
    tags = [e.names("tag") for e in cast]
    logged = [e.correlation_id for e in signatures + ballots]
    duplicates = duplicated(signers) + duplicated(tags) + duplicated(logged)
    assert duplicates == 0, (duplicated(signers), duplicated(tags), duplicated(logged))
    assert set(signers) == electors
    assert set(tags) == electors

    made_by = {a.correlation_id: (op, a) for op in crowd.operations for a in op.attempts}
    owners = {e.originator_id: e.names("tag") for e in cast}
    made = [(e, "sign", e.names("signer")) for e in signatures]
    made += [(e, "ballot", owners[e.originator_id]) for e in ballots]
    for event, kind, owner in made:  # by the owner's own request, one that may have applied
        op, attempt = made_by[event.correlation_id]
        assert (op.kind, op.elector) == (kind, owner), (event, op)
        assert attempt.acknowledged or attempt.ambiguous, (event, attempt)

    acknowledged = [a.correlation_id for a in crowd.attempts if a.acknowledged]
    found = len(set(acknowledged) & set(logged))
    assert found == len(acknowledged), "an acknowledged request is missing from the log"

    by_version = sorted(ballots, key=lambda e: e.version)
    assert {owners[e.originator_id]: e.data["paper"] for e in by_version} == crowd.last_papers()
    recorded_unacknowledged = len(set(logged) - set(acknowledged))
    return found, duplicates, recorded_unacknowledged


def check_views(crowd: Crowd, database_url: str, base_url: str) -> None:
    """The petition, its signatories, the vote and (once closed) its ballots and result show each
    citizen once with their last choice; the audit view has one entry per stored event."""
    scene = crowd.scene
    electors = {elector for elector, _ in scene.citizens}
    organiser = {"Authorization": f"Bearer {scene.organiser}"}
    with httpx.Client(base_url=base_url, timeout=30) as client:
        petition = json_of(client.get(f"/petitions/{scene.petition_id}"), 200)
        assert petition["signature_count"] == len(electors)
        signatories = every_page(
            client, f"/petitions/{scene.petition_id}/signatures", limit=PAGE, headers=organiser
        )
        assert sorted(s["signer"] for s in signatories) == sorted(electors)

        vote = json_of(client.get(f"/votes/{scene.vote_id}"), 200)
        assert vote["ballot_count"] == len(electors)
        closing = {"reason": "the load test is over"}
        response = client.post(f"/votes/{scene.vote_id}/close", json=closing, headers=organiser)
        closed = json_of(response, 200)
        assert closed["result"]["ballots"] == len(electors)
        standing = every_page(client, f"/votes/{scene.vote_id}/ballots", limit=PAGE)
        assert {b["tag"]: b["paper"] for b in standing} == crowd.last_papers()
        assert len(standing) == len(electors)

        audit = every_page(client, "/audit/events", limit=1000, headers=organiser)
        assert len(audit) == stored_events(database_url)


def check_answers(crowd: Crowd) -> None:
    """Each operation ended with the answer it should: a signature 201, or 409 if an earlier try
    went unanswered (it was recorded then); a ballot 201 or 200; signing again 409. Every 503 is
    a problem document with `Retry-After`."""
    for op in crowd.operations:
        retried = any(a.ambiguous for a in op.attempts[:-1])
        allowed = {
            "sign": {201, 409} if retried else {201},
            "ballot": {200, 201},
            "sign-again": {409},
        }[op.kind]
        assert op.final in allowed, op
    for attempt in crowd.attempts:
        if attempt.status == 503:
            assert attempt.problem, attempt
            assert attempt.retry_after is not None, attempt


def figures_of(crowd: Crowd, logged: tuple[int, int, int]) -> Figures:
    """Count what the crowd sent and got."""
    statuses = [a.status for a in crowd.attempts]
    found, duplicates, recorded_unacknowledged = logged
    return Figures(
        sent=len(statuses),
        acknowledged=sum(a.acknowledged for a in crowd.attempts),
        found=found,
        refused=statuses.count(409),
        unanswered=statuses.count(None),
        unavailable=statuses.count(503),
        other_5xx=sum(s is not None and s >= 500 and s != 503 for s in statuses),
        duplicates=duplicates,
        recorded_unacknowledged=recorded_unacknowledged,
    )


def check(crowd: Crowd, database_url: str, base_url: str) -> Figures:
    """Every check above, then the figures."""
    check_answers(crowd)
    logged = check_log(crowd, database_url)
    check_views(crowd, database_url, base_url)
    return figures_of(crowd, logged)


async def until(condition: Callable[[], bool], load: asyncio.Future[None], what: str) -> None:
    """Wait for `condition`, failing if the load ends first or it takes too long."""
    give_up = time.monotonic() + WAIT_LIMIT
    while not condition():
        if load.done():
            load.result()
            pytest.fail(f"the load ended before {what}")
        if time.monotonic() > give_up:
            pytest.fail(f"waited {WAIT_LIMIT} s for {what}")
        await asyncio.sleep(0.005)


def fault_time(crowd: Crowd) -> Callable[[], bool]:
    """True once FAULT_AT of the crowd's operations are acknowledged."""
    return lambda: crowd.acknowledged() >= FAULT_AT * crowd.planned()


class TestCrowd:
    """A crowd at once, nothing going wrong."""

    def test_every_signature_and_ballot_counts_exactly_once(
        self, database_url: str, workdir: Path, request: pytest.FixtureRequest
    ) -> None:
        """64 citizens sign and cast 4 ballots each at once: all acknowledged, each once."""
        scene = prepare(database_url, workdir, CITIZENS)
        with serving(database_url, workdir) as server:
            crowd = Crowd(server.base_url, scene, BALLOTS_EACH)
            asyncio.run(crowd.run())
            figures = check(crowd, database_url, server.base_url)
        report(request, figures.line(f"crowd ({request.node.callspec.id})"))
        assert figures.sent == crowd.planned()  # nothing needed a retry
        assert figures.acknowledged == crowd.planned() - CITIZENS  # all but signing again
        assert figures.refused == CITIZENS
        assert figures.other_5xx == figures.unavailable == 0


class TestServerKilled:
    """SIGKILL in the middle of the crowd, then a new server on the same database and port."""

    def test_every_acknowledged_request_survives_and_nothing_applies_twice(
        self, database_url: str, workdir: Path, request: pytest.FixtureRequest
    ) -> None:
        """The kill leaves requests unanswered; retried, they count once; 2xx all in the log."""
        scene = prepare(database_url, workdir, CITIZENS)
        server = Server(database_url, workdir)
        server.start()
        crowd = Crowd(server.base_url, scene, BALLOTS_EACH)

        async def scenario() -> int:
            load = asyncio.ensure_future(crowd.run())
            await until(fault_time(crowd), load, "the kill")
            server.kill()
            acknowledged_before = crowd.acknowledged()
            await asyncio.to_thread(server.restart)
            await load
            return acknowledged_before

        try:
            before = asyncio.run(scenario())
            figures = check(crowd, database_url, server.base_url)
        finally:
            server.stop()
        report(request, figures.line(f"SIGKILL ({request.node.callspec.id})"))
        assert 0 < before < figures.acknowledged
        assert figures.unanswered > 0  # the kill was felt
        assert figures.other_5xx == 0


@pytest.fixture
def private_postgres() -> Iterator[PostgresInstance]:
    """A PostgreSQL server of the test's own, started (skipped if this process cannot run one)."""
    reason = cannot_run()
    if reason is not None:
        pytest.skip(f"cannot stop and start a PostgreSQL server: {reason}")
    instance = PostgresInstance()
    try:
        instance.start()
        yield instance
    finally:
        instance.remove()


@pytest.mark.postgres
class TestDatabaseRestart:
    """PostgreSQL stops abruptly (as in a crash) in the middle of the crowd, then starts again."""

    def test_the_outage_answers_503_and_everything_counts_once_after(
        self, private_postgres: PostgresInstance, workdir: Path, request: pytest.FixtureRequest
    ) -> None:
        """During the outage: 503 problems with Retry-After, never a 500; after: all succeed."""
        database_url = private_postgres.url
        scene = prepare(database_url, workdir, CITIZENS)
        with serving(database_url, workdir) as server:
            crowd = Crowd(server.base_url, scene, BALLOTS_EACH)

            def unavailable() -> int:
                return sum(a.status == 503 for a in crowd.attempts)

            async def scenario() -> None:
                load = asyncio.ensure_future(crowd.run())
                await until(fault_time(crowd), load, "the outage")
                await asyncio.to_thread(private_postgres.stop, "immediate")
                back_at = time.monotonic() + OUTAGE_SECONDS
                await until(
                    lambda: unavailable() >= CITIZENS and time.monotonic() >= back_at,
                    load,
                    "503 answers during the outage",
                )
                await asyncio.to_thread(private_postgres.start)
                await load

            asyncio.run(scenario())
            figures = check(crowd, database_url, server.base_url)
            log = server.stderr()
        report(request, figures.line("PostgreSQL stopped and started (postgres)"))
        assert figures.unavailable >= CITIZENS
        assert figures.other_5xx == 0
        assert "unhandled error" not in log
        assert "database unavailable" in log
