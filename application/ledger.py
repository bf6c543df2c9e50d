"""The single eventsourcing Application that records every governance event in one ordered log.

`Ledger.record` is the one way commands write: it saves the aggregates' new events and, in the
same database transaction, brings the read models up to that position (see `read_models.py`).
So a command that returns has its effect visible to the next read, and a command that fails
leaves no trace.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder, Recording
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.datastore import transactions as current_transaction
from eventsourcing_sqlalchemy.recorders import (
    SQLAlchemyApplicationRecorder,
    SQLAlchemyTrackingRecorder,
)
from sqlalchemy import Engine, Table
from sqlalchemy.orm import Session

from application.fair_lock import FairLock
from application.personal_data import PersonalAsSealed, PersonalKeys
from application.preconditions import check_write_conditions, mark_written
from application.settings import Settings

if TYPE_CHECKING:
    from application.read_models import ReadModels

LOG_NAME = "civic"


class Ledger(Application[UUID]):
    """All aggregates of one deployment share this application and so one notification log."""

    name = LOG_NAME

    def __init__(self, settings: Settings) -> None:
        path = settings.sqlite_path()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        super().__init__(
            env={
                "PERSISTENCE_MODULE": "application.store:CivicFactory",
                "TRANSCODER_TOPIC": "application.transcoder:CivicTranscoder",
                "MAPPER_TOPIC": "application.transcoder:CivicMapper",
                "SQLALCHEMY_URL": settings.database_url,
                "CREATE_TABLE": "y",
            }
        )
        self.settings = settings
        self.personal_keys.create_table()
        self.tracking = self.factory.tracking_recorder()
        self._read_models: ReadModels | None = None
        self._writers = FairLock()

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        """The library's transcodings, and personal data sealed with its subject's key."""
        super().register_transcodings(transcoder)
        self.personal_keys = PersonalKeys(lambda: self.engine)
        transcoder.register(PersonalAsSealed(self.personal_keys))

    @property
    def datastore(self) -> SQLAlchemyDatastore:
        """The library's SQLAlchemy datastore: its transactions are shared by nested calls."""
        recorder = self.recorder
        assert isinstance(recorder, SQLAlchemyApplicationRecorder)
        datastore: SQLAlchemyDatastore = recorder.datastore
        return datastore

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine of the event store, shared by the read models."""
        engine = self.datastore.engine
        assert isinstance(engine, Engine)
        return engine

    @property
    def tracking_recorder(self) -> SQLAlchemyTrackingRecorder:
        """The library's tracking recorder, where read models keep their log position."""
        recorder = self.tracking
        assert isinstance(recorder, SQLAlchemyTrackingRecorder)
        return recorder

    @property
    def events_table(self) -> Table:
        """The library's table of stored events; its `id` is the position in the log."""
        recorder = self.recorder
        assert isinstance(recorder, SQLAlchemyApplicationRecorder)
        table: Table = recorder.events_record_cls.__table__
        return table

    def attach(self, read_models: ReadModels) -> None:
        """Have every recording bring `read_models` up to date in the same transaction."""
        self._read_models = read_models

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction holding the log's write lock from its first statement.

        Commands load, decide and record inside one, so every decision is taken on the state
        it is recorded against (no signature lands after a concurrent closure). Nested calls,
        the library's included, join the outermost transaction; it commits if the block succeeds.
        """
        if current_transaction.get(None) is not None:  # nested: join the outermost one
            with self.datastore.transaction(commit=True) as session:
                yield session
            return
        with self._writers:  # first come, first served, then the database's own lock
            try:
                with self.datastore.transaction(commit=True) as session:
                    self._lock_log(session)
                    check_write_conditions(session, self.events_table)  # If-Match, retries
                    yield session
            except BaseException:
                if self._read_models is not None:  # what they cached was rolled back
                    self._read_models.forget()
                raise
            mark_written()

    def _lock_log(self, session: Session) -> None:
        """Serialise writers across processes: the library locks only at insert (PostgreSQL) or
        within this process (SQLite)."""
        connection = session.connection()
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            table = self.events_table.name
            connection.exec_driver_sql(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        elif dialect == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    def record(self, *aggregates: Aggregate | None) -> list[Recording[UUID]]:
        """Save the aggregates' pending events and project them, atomically."""
        with self.transaction() as session:
            recordings = self.save(*aggregates)
            if self._read_models is not None:
                self._read_models.catch_up_in(session, recorded=recordings)
        return recordings

    def close(self) -> None:
        """Close the application and its database connections (the library's close keeps them)."""
        super().close()
        self.engine.dispose()

    def get(self, aggregate_id: UUID, not_found: Callable[[UUID], Exception]) -> Any:
        """Load an aggregate, raising `not_found(id)` if it has no events."""
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise not_found(aggregate_id) from None
