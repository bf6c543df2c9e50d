"""The audit trail: every event of the log with its envelope, filtered and paged by position, and
any aggregate as it was at a version or an instant."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, exists, func, select

from application.errors import CorrelationNotFound
from application.ledger import Ledger
from application.pages import Page, read_page, read_page_backwards
from application.tables import audit_events
from application.time_travel import locate, replay, require_aware, state_of


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
        parent_id: UUID | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after: int | None = None,
        limit: int = 100,
    ) -> Page:
        """Entries matching every given filter, oldest first, after position `after`.

        `since` and `until` bound the event's time, both inclusive; `parent_id` gives the events
        that change that aggregate's list (a petition's signatures).
        """
        query = self._matching(
            actor=actor,
            aggregate_id=aggregate_id,
            event_type=event_type,
            correlation_id=correlation_id,
            parent_id=parent_id,
            since=since,
            until=until,
        )
        return read_page(self._ledger.engine, query, audit_events.c.position, after, limit)

    def latest(
        self,
        *,
        actor: str | None = None,
        event_type: str | None = None,
        before: int | None = None,
        limit: int = 100,
    ) -> Page:
        """Entries of `actor` and of `event_type` (each if given), newest first, before position
        `before` (from the latest if None): an auditor's timeline; `next` pages further back."""
        query = self._matching(actor=actor, event_type=event_type)
        return read_page_backwards(
            self._ledger.engine, query, audit_events.c.position, before, limit
        )

    @staticmethod
    def _matching(
        *,
        actor: str | None = None,
        aggregate_id: UUID | None = None,
        event_type: str | None = None,
        correlation_id: str | None = None,
        parent_id: UUID | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Select[Any]:
        """The audit view's rows matching every filter given."""
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
        if parent_id is not None:
            query = query.where(c.parent_id == parent_id)
        if since is not None:
            query = query.where(c.timestamp >= require_aware(since, "since"))
        if until is not None:
            query = query.where(c.timestamp <= require_aware(until, "until"))
        return query

    def correlated(self, correlation_id: str, *, after: int | None, limit: int) -> Page:
        """Everything one request caused (e.g. a signature and the threshold it reached), in log
        order; `CorrelationNotFound` if it caused nothing."""
        page = self.events(correlation_id=correlation_id, after=after, limit=limit)
        if not page.items and (after is None or not self._caused_any(correlation_id)):
            raise CorrelationNotFound(correlation_id)
        return page

    def aggregate(
        self, aggregate_id: UUID, *, version: int | None = None, as_of: datetime | None = None
    ) -> dict[str, Any]:
        """Any aggregate as it was right after its version `version`, or at the instant `as_of`
        (now, with neither): `{id, type, version, state}`, its state as plain JSON data."""
        with self._ledger.engine.connect() as connection:
            recorded = locate(connection, aggregate_id, version=version, as_of=as_of)
        aggregate = replay(self._ledger, aggregate_id, recorded)
        return {
            "id": aggregate.id,
            "type": type(aggregate).__name__,
            "version": aggregate.version,
            "state": state_of(aggregate),
        }

    def _caused_any(self, correlation_id: str) -> bool:
        with self._ledger.engine.connect() as connection:
            return bool(
                connection.scalar(
                    select(exists().where(audit_events.c.correlation_id == correlation_id))
                )
            )

    def last_position(self) -> int:
        """The position of the last entry (0 while the log is empty): where "from now on" starts."""
        with self._ledger.engine.connect() as connection:
            return int(connection.scalar(select(func.max(audit_events.c.position))) or 0)
