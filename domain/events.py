"""The event envelope shared by every aggregate: who acted, why, and which request caused it.

The library adds the originator id, version and timestamp; `CivicAggregate.Event` adds the rest,
so no event can be recorded without an actor and a correlation id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventsourcing.domain import Aggregate

SYSTEM_ACTOR_PREFIX = "system:"


@dataclass(frozen=True, slots=True)
class Cause:
    """Why an event happens: the acting account (or a `system:` process), the request, a reason."""

    actor: str
    correlation_id: str
    reason: str | None = None

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
