"""The conditions a request puts on its write (`application/preconditions.py`), checked by the
ledger in the write transaction: the version `If-Match` expects, and a correlation id that must
not have recorded anything yet (an `Idempotency-Key` repeated after its response was lost)."""

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from uuid import UUID, uuid4

import pytest

from application.errors import AlreadyApplied, PreconditionFailed
from application.preconditions import write_conditions
from application.system import CivicLedger
from domain.events import Cause

Unchanged = Callable[[], AbstractContextManager[None]]
OpenPetition = Callable[..., UUID]


def cause(correlation_id: str | None = None) -> Cause:
    """A committee member's request."""
    return Cause(actor="citizen:bea", correlation_id=correlation_id or str(uuid4()), reason="done")


def version_of(civic: CivicLedger, petition_id: UUID) -> int:
    """The petition's version as its view shows it."""
    version: int = civic.petitions.get(petition_id)["version"]
    return version


class TestExpectedVersion:
    """`If-Match`: the aggregate must be at an expected version when the command is decided."""

    def test_a_command_at_the_expected_version_is_recorded(
        self, civic: CivicLedger, open_petition: OpenPetition
    ) -> None:
        """Version 2 expected, version 2 found: the petition closes, at version 3."""
        petition_id = open_petition()

        with write_conditions() as conditions:
            conditions.versions[petition_id] = frozenset({2})
            civic.petitions.close(petition_id, cause=cause())

        assert civic.petitions.get(petition_id)["status"] == "closed"
        assert version_of(civic, petition_id) == 3

    def test_a_command_on_a_stale_version_is_refused_and_records_nothing(
        self, civic: CivicLedger, open_petition: OpenPetition, unchanged: Unchanged
    ) -> None:
        """Version 1 expected, version 2 found: `PreconditionFailed`, no event, no view change."""
        petition_id = open_petition()

        with unchanged(), write_conditions() as conditions:
            conditions.versions[petition_id] = frozenset({1})
            with pytest.raises(PreconditionFailed, match="version 2"):
                civic.petitions.close(petition_id, cause=cause())

    def test_any_version_is_an_existing_one(
        self, civic: CivicLedger, open_petition: OpenPetition
    ) -> None:
        """`*` (None) admits any version of an aggregate that exists, not one that does not."""
        petition_id = open_petition()
        with write_conditions() as conditions:
            conditions.versions[petition_id] = None
            civic.petitions.close(petition_id, cause=cause())
        other = uuid4()

        with write_conditions() as conditions:
            conditions.versions[other] = None
            with pytest.raises(PreconditionFailed):
                civic.petitions.close(petition_id, cause=cause())

    def test_the_version_compared_is_the_named_aggregate_s_whichever_is_written(
        self, civic: CivicLedger, open_petition: OpenPetition, unchanged: Unchanged
    ) -> None:
        """A signature is its own aggregate: the petition's version is what is compared."""
        petition_id = open_petition()
        with write_conditions() as conditions:
            conditions.versions[petition_id] = frozenset({2})
            civic.petitions.sign(petition_id, signer="citizen:ada", cause=cause())
        civic.petitions.close(petition_id, cause=cause())

        with unchanged(), write_conditions() as conditions:
            conditions.versions[petition_id] = frozenset({2})
            with pytest.raises(PreconditionFailed):
                civic.petitions.sign(petition_id, signer="citizen:cyd", cause=cause())

    def test_the_check_and_the_write_are_one_transaction(
        self, civic: CivicLedger, open_petition: OpenPetition
    ) -> None:
        """A change that lands while the request waits for the log's lock is seen by the check."""
        petition_id = open_petition()
        holding = threading.Event()
        outcome: list[BaseException | None] = []

        def expecting_version_two() -> None:
            holding.wait()
            try:
                with write_conditions() as conditions:
                    conditions.versions[petition_id] = frozenset({2})
                    civic.petitions.respond(petition_id, text="We will.", cause=cause())
            except PreconditionFailed as exc:
                outcome.append(exc)
            else:
                outcome.append(None)

        waiter = threading.Thread(target=expecting_version_two)
        waiter.start()
        with civic.ledger.transaction():  # another writer holds the lock, and changes it
            holding.set()
            time.sleep(0.2)  # the request now waits for the lock, its check not yet made
            civic.petitions.close(petition_id, cause=cause())
        waiter.join()

        assert isinstance(outcome[0], PreconditionFailed)
        assert civic.petitions.get(petition_id)["response"] is None

    def test_a_command_retried_after_a_conflict_is_checked_again(
        self, civic: CivicLedger, open_petition: OpenPetition
    ) -> None:
        """The conditions hold for every write transaction of the request until one commits."""
        petition_id = open_petition()
        with write_conditions() as conditions:
            conditions.versions[petition_id] = frozenset({2})
            with pytest.raises(RuntimeError), civic.ledger.transaction():
                raise RuntimeError  # a first attempt that rolled back
            assert not conditions.written
            civic.petitions.close(petition_id, cause=cause())
            assert conditions.written
            civic.petitions.respond(petition_id, text="Later.", cause=cause())  # not re-checked

        assert version_of(civic, petition_id) == 4


class TestUnrecordedCorrelation:
    """A repeated request's correlation id must not have recorded anything yet."""

    def test_a_request_whose_events_are_recorded_is_not_applied_again(
        self, civic: CivicLedger, open_petition: OpenPetition, unchanged: Unchanged
    ) -> None:
        """The first attempt signed; the repetition under its id raises `AlreadyApplied`."""
        petition_id = open_petition()
        correlation_id = str(uuid4())
        civic.petitions.sign(petition_id, signer="citizen:ada", cause=cause(correlation_id))
        civic.petitions.withdraw_signature(petition_id, signer="citizen:ada", cause=cause())

        with unchanged(), write_conditions() as conditions:
            conditions.unrecorded = correlation_id
            with pytest.raises(AlreadyApplied) as refused:
                civic.petitions.sign(petition_id, signer="citizen:ada", cause=cause(correlation_id))

        assert refused.value.correlation_id == correlation_id

    def test_a_request_that_recorded_nothing_runs(
        self, civic: CivicLedger, open_petition: OpenPetition
    ) -> None:
        """A fresh correlation id: the command is recorded under it."""
        petition_id = open_petition()
        correlation_id = str(uuid4())

        with write_conditions() as conditions:
            conditions.unrecorded = correlation_id
            civic.petitions.sign(petition_id, signer="citizen:ada", cause=cause(correlation_id))

        (signed,) = civic.audit.events(correlation_id=correlation_id, limit=10).items
        assert signed["type"] == "Signature.Signed"
