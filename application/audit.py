"""The audit trail: every event of the log with its envelope, filtered and paged by position."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select

from application.ledger import Ledger
from application.pages import Page, read_page
from application.tables import audit_events


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
    ) -> Page:
        """Entries matching every given filter, oldest first, after position `after`."""
        c = audit_events.c
        query = select(audit_events)
        if actor is not None:
            query = query.where(c.actor == actor)
        if aggregate_id is not None:
            query = query.where(c.aggregate_id == aggregate_id)
        if event_type is not None:
            query = query.where(c.type == event_type)
        if correlation_id is not None:
            query = query.where(c.correlation_id == correlation_id)
        return read_page(self._ledger.engine, query, c.position, after, limit)
