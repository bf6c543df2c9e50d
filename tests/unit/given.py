"""The "given" steps of the unit scenarios: a fixed clock, causes, and petitions in each state.

Every builder hands back its aggregate with its history already collected, so that after a
command `collect_events()` holds only what that command recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest
from eventsourcing.domain import Aggregate

from domain.errors import DomainError
from domain.events import Cause, CivicAggregate
from domain.petition import Petition, Threshold
from domain.signature import Signature

A = TypeVar("A", bound=Aggregate)
E = TypeVar("E", bound=CivicAggregate.Event)

# A fixed, aware clock: no test reads the wall clock.
NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
DEADLINE = NOW + timedelta(days=30)
JUST_BEFORE_DEADLINE = DEADLINE - timedelta(microseconds=1)

THRESHOLDS = [
    Threshold(signatures=2, consequence="committee_hearing"),
    Threshold(signatures=3, consequence="citizen_vote"),
]

LODGING = Cause(actor="account:alice", correlation_id="corr-lodge")
ADMISSION = Cause(actor="account:moderator", correlation_id="corr-admit")
REJECTION = Cause(
    actor="account:moderator", correlation_id="corr-reject", reason="outside the city's remit"
)
CLOSURE = Cause(actor="system:deadline", correlation_id="corr-close", reason="deadline passed")
SIGNING = Cause(actor="account:bob", correlation_id="corr-sign")
POLICY = Cause(actor="system:thresholds", correlation_id="corr-sign", reason="2 signatures reached")


def drained(aggregate: A) -> A:
    """The aggregate with its pending events collected, as if just saved."""
    aggregate.collect_events()
    return aggregate


def lodged_petition(
    *, deadline: datetime | None = DEADLINE, thresholds: list[Threshold] | None = None
) -> Petition:
    """A petition lodged by alice, awaiting its admissibility decision."""
    return drained(
        Petition.lodge(
            title="More trees on the Rue Verte",
            text="We ask the council to plant twenty trees along the Rue Verte.",
            deadline=deadline,
            thresholds=THRESHOLDS if thresholds is None else thresholds,
            cause=LODGING,
            now=NOW,
        )
    )


def open_petition(
    *, deadline: datetime | None = DEADLINE, thresholds: list[Threshold] | None = None
) -> Petition:
    """A petition declared admissible: open for signatures until its deadline."""
    petition = lodged_petition(deadline=deadline, thresholds=thresholds)
    petition.decide_admissibility(admissible=True, cause=ADMISSION)
    return drained(petition)


def rejected_petition() -> Petition:
    """A petition declared inadmissible, with the moderator's reason."""
    petition = lodged_petition()
    petition.decide_admissibility(admissible=False, cause=REJECTION)
    return drained(petition)


def closed_petition() -> Petition:
    """A petition that was open and has been closed to signatures."""
    petition = open_petition()
    petition.close(cause=CLOSURE)
    return drained(petition)


def signed(petition: Petition, signer: str = "account:bob") -> Signature:
    """`signer`'s standing signature on the (open) petition."""
    return drained(Signature.sign(petition=petition, signer=signer, cause=SIGNING, now=NOW))


def withdrawn(petition: Petition, signer: str = "account:bob") -> Signature:
    """`signer`'s signature on the (open) petition, given then withdrawn."""
    signature = signed(petition, signer)
    signature.withdraw(petition=petition, cause=SIGNING, now=NOW)
    return drained(signature)


def only_event(aggregate: Aggregate, event_type: type[E]) -> E:
    """The single event the last command recorded, checked to be an `event_type`."""
    events = aggregate.collect_events()
    assert [type(e) for e in events] == [event_type]
    event = events[0]
    assert isinstance(event, event_type)
    return event


def assert_caused_by(event: CivicAggregate.Event, cause: Cause) -> None:
    """The event carries the envelope of `cause`: actor, correlation id and reason."""
    assert (event.actor, event.correlation_id, event.reason) == (
        cause.actor,
        cause.correlation_id,
        cause.reason,
    )


@contextmanager
def refused(error: type[DomainError], *aggregates: Aggregate) -> Iterator[None]:
    """The command in the block raises `error` and none of `aggregates` records an event."""
    for aggregate in aggregates:
        aggregate.collect_events()  # only what the refused command might record counts
    with pytest.raises(error) as raised:
        yield
    assert type(raised.value) is error  # the specific error, not a parent of the tree
    for aggregate in aggregates:
        assert aggregate.collect_events() == []
