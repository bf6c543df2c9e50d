"""The event store: eventsourcing-sqlalchemy's recorder with its two hottest statements in Core.

Every command loads aggregates (`select_events`) and saves events (`_insert_stored_events`).
The library builds an ORM query or flushes ORM objects each time; here the same statements on
the same table are built once and run through SQLAlchemy Core. Everything else (tables,
notifications, tracking, locking, NOTIFY) is the library's own. The engine, shared by the read
models, tests a PostgreSQL connection before lending it, so a restarted server costs no request.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.persistence import StoredEvent
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import Engine, Table, bindparam, create_engine, insert, select
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


def json_serializer(value: Any) -> str:
    """The JSON columns' writer: msgspec, for the plain JSON the views hold (the standard
    library's writer costs several times more, once per row of every view)."""
    return _encode_json(value).decode()


def json_deserializer(text: str | bytes) -> Any:
    """The JSON columns' reader: msgspec, or the standard library for what msgspec refuses
    (`NaN`, written by an older version through `json.dumps`)."""
    try:
        return _decode_json(text)
    except msgspec.DecodeError:
        return json.loads(text)


_encode_json = msgspec.json.Encoder().encode
_decode_json = msgspec.json.Decoder().decode


def scratch_engine() -> Engine:
    """A private in-memory SQLite database with the same JSON columns' reader and writer: where
    time travel projects an aggregate's events as they stood."""
    return create_engine(
        "sqlite://", json_serializer=json_serializer, json_deserializer=json_deserializer
    )


class CivicDatastore(SQLAlchemyDatastore):
    """The library's datastore, its engine with SQLAlchemy's pessimistic disconnect handling
    and msgspec for its JSON columns.

    After a PostgreSQL restart every pooled connection is dead; `pool_pre_ping` has the pool test
    each one as it is checked out (a round trip) and replace it if it is gone, instead of the
    first request on each failing. While the server is down, the connection error reaches the
    HTTP layer, which answers 503 (`interfaces/http/problems.py`). A SQLite file cannot go away.
    """

    def __init__(self, *, url: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("json_serializer", json_serializer)
        kwargs.setdefault("json_deserializer", json_deserializer)
        if url is not None and not url.startswith("sqlite"):
            kwargs.setdefault("pool_pre_ping", True)
        super().__init__(url=url, **kwargs)


class CivicFactory(SQLAlchemyFactory):
    """The library's SQLAlchemy factory: `CivicRecorder` for the application's log, on an engine
    that survives a database restart (`CivicDatastore`)."""

    datastore_class = CivicDatastore
    application_recorder_class = CivicRecorder
