"""The audit trail: every event of the log with its envelope, filtered and paged by position."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import select

from application.ledger import Ledger
from application.tables import audit_events
from domain.errors import InvalidCommand


@dataclass(frozen=True, slots=True)
class AuditPage:
    """Entries in log order and the cursor (a position) of the next page."""

    items: list[dict[str, Any]]
    next: int | None


class AuditTrail:
    """Queries over the audit view."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger

    def events(
        self,
        *,
        actor: str | None = None,
        aggregate_id: UUID | None = None,
        event_type: str | None = None,
        correlation_id: str | None = None,
        after: int | None = None,
        limit: int = 100,
    ) -> AuditPage:
        """Entries matching every given filter, oldest first, after position `after`."""
        c = audit_events.c
        if limit < 1:
            raise InvalidCommand("a page holds at least one item")
        query = select(audit_events).order_by(c.position).limit(limit + 1)
        if actor is not None:
            query = query.where(c.actor == actor)
        if aggregate_id is not None:
            query = query.where(c.aggregate_id == aggregate_id)
        if event_type is not None:
            query = query.where(c.type == event_type)
        if correlation_id is not None:
            query = query.where(c.correlation_id == correlation_id)
        if after is not None:
            query = query.where(c.position > after)
        with self._ledger.engine.connect() as connection:
            rows = [dict(r) for r in connection.execute(query).mappings()]
        more = len(rows) > limit
        rows = rows[:limit]
        return AuditPage(items=rows, next=rows[-1]["position"] if more else None)
