"""The event envelope shared by every aggregate: who acted, why, and which request caused it.

The library adds the originator id, version and timestamp; `CivicAggregate.Event` adds the rest,
so no event can be recorded without an actor and a correlation id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from domain.text import check_text

SYSTEM_ACTOR_PREFIX = "system:"
ID_MAX = 128  # actors and correlation ids: account UUIDs, `system:` names, request ids
REASON_MAX = 2_000


@dataclass(frozen=True, slots=True)
class Cause:
    """Why an event happens: the acting account (or a `system:` process), the request, a reason."""

    actor: str
    correlation_id: str
    reason: str | None = None

    def __post_init__(self) -> None:
        check_text(self.actor, what="the actor", max_length=ID_MAX)
        check_text(self.correlation_id, what="the correlation id", max_length=ID_MAX)
        if self.reason is not None and not self.reason.strip():
            object.__setattr__(self, "reason", None)  # a blank reason is no reason
        if self.reason is not None:
            check_text(self.reason, what="the reason", max_length=REASON_MAX)

    def fields(self) -> dict[str, Any]:
        """The envelope as keyword arguments for an event-triggering method."""
        return {"actor": self.actor, "correlation_id": self.correlation_id, "reason": self.reason}


class CivicAggregate(Aggregate):
    """Base of the governance aggregates; their events all carry the envelope."""

    class Event(Aggregate.Event):
        actor: str
        correlation_id: str
        reason: str | None

    class Created(Event, Aggregate.Created):
        """The first event of an aggregate, with the envelope."""


def event_time(timestamp: datetime | None) -> datetime:
    """The time of the event that an `@event` method is applying.

    A method whose first parameter is `timestamp: datetime | None = None` is given the event's own
    timestamp each time the event is applied, when it is recorded as on every replay. The default
    only lets the command call the method without one: the library then stamps the new event.
    """
    if timestamp is None:
        raise TypeError("an event method is applied with its event's timestamp")
    return timestamp
