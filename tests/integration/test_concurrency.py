"""Many people sign one petition at the same moment: every count and threshold stays exact.

Every command loads, decides and records under the log's write lock (`Ledger.transaction`:
`BEGIN IMMEDIATE` on SQLite, `LOCK TABLE` on PostgreSQL), so the same person signing twice at
once finds the first signature and is refused, and nothing is decided on a stale state.
"""

from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from threading import Barrier
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.read_models import TRACKING_NAME
from application.system import CivicLedger
from domain.errors import AlreadySigned, NotOpenForSignatures
from domain.events import Cause
from domain.petition import Threshold

Views = Callable[[CivicLedger], dict[str, list[dict[str, Any]]]]
Positions = Callable[[CivicLedger], list[int]]
OpenPetition = Callable[..., UUID]

THREADS = 8
SIGNERS_PER_THREAD = 25
CONTENDERS = 4  # threads that all sign as the same person at once
CONTESTED = "citizen:contested"
THRESHOLDS = [
    Threshold(1, "published"),
    Threshold(50, "agenda"),
    Threshold(100, "hearing"),
    Threshold(THREADS * SIGNERS_PER_THREAD + 1, "vote"),  # reached by the very last signature
    Threshold(1000, "referendum"),  # out of reach
]


@contextmanager
def starting_together(workers: int) -> Iterator[tuple[ThreadPoolExecutor, Barrier]]:
    """A pool of `workers` threads and a barrier that releases them all at once."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield pool, Barrier(workers, timeout=60)


def backend(request: pytest.FixtureRequest) -> str:
    """The backend this test instance runs on: "sqlite" or "postgres"."""
    node = request.node
    assert isinstance(node, pytest.Function)
    return str(node.callspec.params["database_url"])


def sign_many(civic: CivicLedger, petition_id: UUID, signers: list[str], start: Barrier) -> None:
    """Sign as each of `signers` in turn, once every thread is ready."""
    start.wait()
    for signer in signers:
        civic.petitions.sign(
            petition_id, signer=signer, cause=Cause(actor=signer, correlation_id=str(uuid4()))
        )


def sign_contested(civic: CivicLedger, petition_id: UUID, start: Barrier) -> str:
    """Sign as the contested person; returns "signed" or "refused"."""
    start.wait()
    try:
        civic.petitions.sign(
            petition_id, signer=CONTESTED, cause=Cause(actor=CONTESTED, correlation_id="contest")
        )
    except AlreadySigned:
        return "refused"
    return "signed"


def signers_of(thread: int) -> list[str]:
    """The distinct people one signing thread signs for."""
    return [f"citizen:{thread}-{n}" for n in range(SIGNERS_PER_THREAD)]


def assert_exact_log(
    civic: CivicLedger, petition_id: UUID, views: Views, positions: Positions
) -> None:
    """One signature per person, one event per threshold reached, each applied exactly once."""
    log = positions(civic)
    entries = civic.audit.events(limit=10_000).items
    assert [e["position"] for e in entries] == log
    assert civic.ledger.tracking_recorder.max_tracking_id(TRACKING_NAME) == log[-1]

    signed = [e for e in entries if e["type"] == "Signature.Signed"]
    per_signer = Counter(e["data"]["signer"] for e in signed)
    assert set(per_signer.values()) == {1}
    assert len({e["aggregate_id"] for e in signed}) == len(signed)
    assert not [e for e in entries if e["type"] == "Signature.SignedAgain"]
    view = civic.petitions.get(petition_id)
    assert view["signature_count"] == len(signed)

    reached = [e for e in entries if e["type"] == "Petition.ThresholdReached"]
    expected = [t.signatures for t in THRESHOLDS if t.signatures <= len(signed)]
    assert [e["data"]["signatures"] for e in reached] == expected
    signed_positions = [e["position"] for e in signed]
    by_id = {str(e["aggregate_id"]): e for e in signed}
    for event in reached:
        crossing = by_id[event["data"]["signature_id"]]
        # the crossing signature is the n-th in the log, and the policy followed it at once
        count = sum(1 for p in signed_positions if p <= crossing["position"])
        assert count == event["data"]["signatures"]
        assert event["correlation_id"] == crossing["correlation_id"]
        assert event["position"] == crossing["position"] + 1
    assert [t["signature_id"] is not None for t in view["thresholds"]] == [
        t.signatures in expected for t in THRESHOLDS
    ]

    incremental = views(civic)
    civic.read_models.rebuild()
    assert views(civic) == incremental
    assert positions(civic) == log


def run_signing_crowd(ledgers: list[CivicLedger], petition_id: UUID) -> list[str]:
    """THREADS threads sign distinct people while CONTENDERS sign as one; ledgers in turn."""
    results: list[Future[Any]] = []
    contests: list[Future[str]] = []
    with starting_together(THREADS + CONTENDERS) as (pool, start):
        for thread in range(THREADS):
            civic = ledgers[thread % len(ledgers)]
            results.append(pool.submit(sign_many, civic, petition_id, signers_of(thread), start))
        for thread in range(CONTENDERS):
            civic = ledgers[thread % len(ledgers)]
            contests.append(pool.submit(sign_contested, civic, petition_id, start))
    for result in results:
        result.result()  # re-raises whatever a thread raised
    return sorted(contest.result() for contest in contests)


class TestConcurrentSigning:
    """Signatures from many threads at once are all counted, once each."""

    @pytest.mark.timeout(120)
    def test_a_crowd_signing_at_once_is_counted_exactly(
        self,
        civic: CivicLedger,
        open_petition: OpenPetition,
        views: Views,
        positions: Positions,
    ) -> None:
        """8 threads x 25 people plus 4 threads as one person: 201 signatures, 4 thresholds."""
        petition_id = open_petition(thresholds=THRESHOLDS)
        outcomes = run_signing_crowd([civic], petition_id)
        assert outcomes == ["refused"] * (CONTENDERS - 1) + ["signed"]
        assert (
            civic.petitions.get(petition_id)["signature_count"] == THREADS * SIGNERS_PER_THREAD + 1
        )
        assert_exact_log(civic, petition_id, views, positions)

    @pytest.mark.timeout(120)
    def test_two_workers_on_the_same_database_count_exactly(
        self,
        civic: CivicLedger,
        open_civic: Callable[[], CivicLedger],
        open_petition: OpenPetition,
        views: Views,
        positions: Positions,
    ) -> None:
        """Two ledgers on one database, as two worker processes, share the crowd's signatures."""
        petition_id = open_petition(thresholds=THRESHOLDS)
        other = open_civic()
        outcomes = run_signing_crowd([civic, other], petition_id)
        assert outcomes == ["refused"] * (CONTENDERS - 1) + ["signed"]
        assert_exact_log(civic, petition_id, views, positions)
        assert views(other) == views(civic)

    @pytest.mark.timeout(120)
    def test_withdrawals_and_renewed_signatures_at_once_keep_the_count_exact(
        self,
        civic: CivicLedger,
        open_petition: OpenPetition,
        views: Views,
        positions: Positions,
    ) -> None:
        """Each thread signs, withdraws and signs again; thresholds are still reached once."""
        petition_id = open_petition(thresholds=[Threshold(10, "agenda"), Threshold(30, "vote")])

        def churn(thread: int, start: Barrier) -> None:
            start.wait()
            for signer in signers_of(thread)[:5]:
                for act in ("sign", "withdraw", "sign"):
                    cause = Cause(actor=signer, correlation_id=str(uuid4()))
                    if act == "sign":
                        civic.petitions.sign(petition_id, signer=signer, cause=cause)
                    else:
                        civic.petitions.withdraw_signature(petition_id, signer=signer, cause=cause)

        with starting_together(THREADS) as (pool, start):
            results = [pool.submit(churn, thread, start) for thread in range(THREADS)]
        for result in results:
            result.result()

        entries = civic.audit.events(limit=10_000).items
        reached = [e for e in entries if e["type"] == "Petition.ThresholdReached"]
        assert sorted(e["data"]["signatures"] for e in reached) == [10, 30]
        assert civic.petitions.get(petition_id)["signature_count"] == THREADS * 5
        assert [e["position"] for e in entries] == positions(civic)
        incremental = views(civic)
        civic.read_models.rebuild()
        assert views(civic) == incremental


class TestSigningRacesClosure:
    """A signature decided while the petition was open must not land after its closure."""

    def test_no_signature_is_recorded_after_a_closure_that_overtook_it(
        self,
        civic: CivicLedger,
        open_civic: Callable[[], CivicLedger],
        open_petition: OpenPetition,
    ) -> None:
        """Signers in threads and a second worker closing meanwhile: nothing signed after."""
        petition_id = open_petition()
        other_worker = open_civic()
        workers = 4

        def sign_until_refused(worker: int, start: Barrier) -> None:
            start.wait()
            for n in range(200):
                try:
                    civic.petitions.sign(
                        petition_id, signer=f"s{worker}-{n}", cause=Cause(f"s{worker}", "sign")
                    )
                except NotOpenForSignatures:
                    return

        with starting_together(workers + 1) as (pool, start):
            futures = [pool.submit(sign_until_refused, w, start) for w in range(workers)]
            start.wait()
            other_worker.petitions.close(
                petition_id, cause=Cause(actor="moderator:mo", correlation_id="close", reason="x")
            )
            for future in futures:
                future.result()

        entries = civic.audit.events(aggregate_id=None, limit=100_000).items
        closed_at = next(e["position"] for e in entries if e["type"] == "Petition.Closed")
        signed = [e for e in entries if e["type"] == "Signature.Signed"]
        assert all(e["position"] < closed_at for e in signed)
        assert civic.petitions.get(petition_id)["signature_count"] == len(signed)


class TestRebuildWhileSigning:
    """A rebuild run while people sign must not lose their signatures from the views."""

    def test_a_signature_recorded_during_a_rebuild_is_counted(
        self,
        civic: CivicLedger,
        open_petition: OpenPetition,
        views: Views,
        positions: Positions,
        request: pytest.FixtureRequest,
    ) -> None:
        """A signing that starts while `rebuild()` is mid-way is in the views once both end."""
        petition_id = open_petition()
        civic.petitions.sign(petition_id, signer="bo", cause=Cause("bo", "req-bo"))
        with ThreadPoolExecutor(max_workers=1) as pool:
            meanwhile: list[Future[UUID]] = []

            def sign_meanwhile(done: int, total: int) -> None:
                if not meanwhile:  # inside the rebuild's transaction, after re-applying the log
                    meanwhile.append(
                        pool.submit(
                            civic.petitions.sign,
                            petition_id,
                            signer="cy",
                            cause=Cause("cy", "req-cy"),
                        )
                    )
                    wait([meanwhile[0]], timeout=0.5)  # let it reach the store and wait there

            civic.read_models.rebuild(progress=sign_meanwhile)
            meanwhile[0].result()

        assert civic.petitions.get(petition_id)["signature_count"] == 2
        assert civic.audit.events(limit=10_000).items[-1]["correlation_id"] == "req-cy"
        incremental = views(civic)
        civic.read_models.rebuild()
        assert views(civic) == incremental
        assert [row["position"] for row in incremental["audit_events"]] == positions(civic)
