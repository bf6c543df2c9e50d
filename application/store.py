"""The event store: eventsourcing-sqlalchemy's recorder with its two hottest statements in Core.

Every command loads aggregates (`select_events`) and saves events (`_insert_stored_events`).
The library builds an ORM query or flushes ORM objects each time; here the same statements on
the same table are built once and run through SQLAlchemy Core. Everything else (tables,
notifications, tracking, locking, NOTIFY) is the library's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.orm import Session


class CivicRecorder(SQLAlchemyApplicationRecorder):
    """Loads and appends with statements built once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        table: Table = self.events_record_cls.__table__
        c = table.c
        self._select_all = (
            select(c.originator_id, c.originator_version, c.topic, c.state)
            .where(c.originator_id == bindparam("originator_id"))
            .order_by(c.originator_version)
        )
        self._insert = insert(table).returning(c.id, sort_by_parameter_order=True)

    def select_events(
        self,
        originator_id: UUID | str,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,  # noqa: FBT001, FBT002  # the library's signature
        limit: int | None = None,
    ) -> list[StoredEvent]:
        """A whole aggregate's events (the common case) from the prebuilt statement."""
        if gt is not None or lte is not None or desc or limit is not None:
            events: list[StoredEvent] = super().select_events(originator_id, gt, lte, desc, limit)
            return events
        with self.transaction(commit=False) as session:
            rows = session.execute(self._select_all, {"originator_id": originator_id}).all()
        return [
            StoredEvent(
                originator_id=r.originator_id,
                originator_version=r.originator_version,
                topic=r.topic,
                state=bytes(r.state) if isinstance(r.state, memoryview) else r.state,
            )
            for r in rows
        ]

    def _insert_stored_events(
        self, session: Session, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int]:
        """Insert the events under the library's table lock; returns their positions in order."""
        if not stored_events:
            return []
        self._lock_table(session)
        ids = (
            session.execute(
                self._insert,
                [
                    {
                        "originator_id": e.originator_id,
                        "originator_version": e.originator_version,
                        "topic": e.topic,
                        "state": e.state,
                    }
                    for e in stored_events
                ],
            )
            .scalars()
            .all()
        )
        self._notify_channel(session)
        return list(ids)


class CivicFactory(SQLAlchemyFactory):
    """The library's SQLAlchemy factory, with `CivicRecorder` for the application's log."""

    application_recorder_class = CivicRecorder
