"""Aggregates as they were: the audit view finds the version asked for (by number, or the last one
recorded at or before an instant) and the library replays the aggregate's events up to it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, is_dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent
from sqlalchemy import ColumnElement, Connection, exists, select

from application.errors import AggregateNotFound, NotYetRecorded, VersionNotFound
from application.ledger import Ledger
from application.read_models import Batch, ReadModels, jsonable
from application.tables import audit_events
from domain.errors import InvalidCommand
from domain.personal import Personal

MAX_VERSION = 2**31 - 1  # the audit view's versions are 32-bit: beyond, no aggregate has one


@dataclass(frozen=True, slots=True)
class Recorded:
    """Where in the log, and when, one version of an aggregate was recorded."""

    version: int
    position: int
    timestamp: datetime


def require_aware(instant: datetime, what: str = "as_of") -> datetime:
    """`instant` in UTC, refused unless it states its time zone (a naive one names no instant)
    and falls within the calendar once in UTC."""
    if instant.utcoffset() is None:
        raise InvalidCommand(f"{what} must state its time zone, e.g. 2026-03-01T12:00:00Z")
    try:
        return instant.astimezone(UTC)
    except OverflowError:
        raise InvalidCommand(f"{what} is beyond the calendar once in UTC") from None


def locate(
    connection: Connection,
    aggregate_id: UUID,
    *,
    version: int | None = None,
    as_of: datetime | None = None,
    kind: type[Aggregate] | None = None,
    unknown: Callable[[UUID], Exception] = AggregateNotFound,
) -> Recorded:
    """The aggregate's version `version`, or its last one recorded at or before `as_of`, or with
    neither its current one; `kind` restricts it to one aggregate class.

    Raises `unknown(id)` for an id no aggregate (of that kind) has, `VersionNotFound` for a version
    it never had and `NotYetRecorded` for an instant before its first event.
    """
    if version is not None and as_of is not None:
        raise InvalidCommand("ask for a version or an instant (as_of), not both")
    c = audit_events.c
    this = c.aggregate_id == aggregate_id
    if kind is not None:
        this &= c.aggregate_type == kind.__name__
    query = select(c.version, c.position, c.timestamp).where(this)
    if version is not None:
        query = query.where(c.version == version)
    else:
        if as_of is not None:
            query = query.where(c.timestamp <= require_aware(as_of))
        query = query.order_by(c.position.desc()).limit(1)
    in_range = version is None or 1 <= version <= MAX_VERSION
    row = connection.execute(query).one_or_none() if in_range else None
    if row is not None:
        return Recorded(version=row.version, position=row.position, timestamp=row.timestamp)
    if not connection.scalar(select(exists().where(this))):
        raise unknown(aggregate_id)
    what = "aggregate" if kind is None else kind.__name__.lower()
    if version is not None:
        raise VersionNotFound(what, version)
    assert as_of is not None  # with neither, an aggregate that exists has a latest version
    raise NotYetRecorded(what, as_of)


def replay(ledger: Ledger, aggregate_id: UUID, recorded: Recorded) -> Any:
    """The aggregate as it was right after its version `recorded.version`."""
    return ledger.repository.get(aggregate_id, version=recorded.version)


def project_as_of(
    views: ReadModels,
    aggregate_id: UUID,
    kind: type[Aggregate],
    unknown: Callable[[UUID], Exception],
    *,
    version: int | None,
    instant: datetime | None,
) -> Batch:
    """The rows of the aggregate's views right after its version `version`, or as it stood at
    `instant`: its own events, up to there, through the projection code (`project_alone`)."""
    ledger = views.ledger
    with ledger.engine.connect() as connection:
        recorded = locate(
            connection, aggregate_id, version=version, as_of=instant, kind=kind, unknown=unknown
        )
        events = own_events(ledger, connection, aggregate_id, recorded)
    return views.project_alone(events)


def own_events(
    ledger: Ledger, connection: Connection, aggregate_id: UUID, recorded: Recorded
) -> list[tuple[int, Any]]:
    """The aggregate's events up to version `recorded.version`, each with its log position."""
    c = audit_events.c
    rows = connection.execute(
        select(c.version, c.position).where(
            c.aggregate_id == aggregate_id, c.version <= recorded.version
        )
    )
    positions: dict[int, int] = dict(rows.tuples().all())  # a Result has keys(): not a mapping
    events = ledger.events.get(aggregate_id, lte=recorded.version)
    return [(positions[e.originator_version], e) for e in events]


def log_events(
    ledger: Ledger, connection: Connection, which: ColumnElement[bool]
) -> list[tuple[int, Any]]:
    """The events whose audit rows match `which` (several aggregates' at once), in log order,
    each with its log position."""
    stored = ledger.events_table.c
    positions = select(audit_events.c.position).where(which)
    rows = connection.execute(
        select(stored.id, stored.originator_id, stored.originator_version)
        .add_columns(stored.topic, stored.state)
        .where(stored.id.in_(positions))
        .order_by(stored.id)
    ).all()
    return [
        (
            int(r.id),
            ledger.mapper.to_domain_event(
                StoredEvent(
                    originator_id=r.originator_id,
                    originator_version=r.originator_version,
                    topic=r.topic,
                    state=bytes(r.state),
                )
            ),
        )
        for r in rows
    ]


def state_of(aggregate: Aggregate) -> dict[str, Any]:
    """The aggregate's own attributes (not the library's `_` ones) as plain JSON data."""
    return {
        name: jsonable(_unpacked(value))
        for name, value in vars(aggregate).items()
        if not name.startswith("_")
    }


def _unpacked(value: Any) -> Any:
    """Value objects (dataclasses) as dicts, in lists and dicts too; `jsonable` does the rest."""
    if isinstance(value, Personal):  # `jsonable` says whose it is, never what it is
        return value
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, dict):
        return {key: _unpacked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_unpacked(item) for item in value]
    return value
