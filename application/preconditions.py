"""Conditions a request puts on its write: the versions it expects (`If-Match`), and that nothing
was recorded yet under its correlation id (a request repeated with its `Idempotency-Key`).

The interface layer states them for the request (`expect_version`, `expect_unrecorded`);
`Ledger.transaction` checks them at the start of each of the request's write transactions until
one commits, holding the log's write lock: no other writer can come between the comparison and
the events it guards. A command retried after a conflict is checked again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy import Table, exists, func, select
from sqlalchemy.orm import Session

from application.errors import AlreadyApplied, PreconditionFailed
from application.tables import audit_events


@dataclass(slots=True)
class WriteConditions:
    """What one request's write must find; `None` as expected versions means "any" (`*`)."""

    versions: dict[UUID, frozenset[int] | None] = field(default_factory=dict)
    unrecorded: str | None = None  # a correlation id that must have caused no event yet
    written: bool = False  # a write transaction of the request has committed: no more checks


_current: ContextVar[WriteConditions | None] = ContextVar("civic_write_conditions", default=None)


@contextmanager
def write_conditions() -> Iterator[WriteConditions]:
    """The request's conditions, created for the block if none are set yet.

    The context is copied into the worker thread that runs a handler, and this object with it,
    so what the ledger marks there (`written`) is seen here.
    """
    conditions = _current.get()
    if conditions is not None:
        yield conditions
        return
    conditions = WriteConditions()
    token = _current.set(conditions)
    try:
        yield conditions
    finally:
        _current.reset(token)


def check_write_conditions(session: Session, events: Table) -> None:
    """Refuse the write if an aggregate is not at an expected version, or if the request's
    correlation id already caused events; called under the log's lock (`Ledger.transaction`)."""
    conditions = _current.get()
    if conditions is None or conditions.written:
        return
    c = events.c
    for aggregate_id, expected in conditions.versions.items():
        current = session.scalar(
            select(func.max(c.originator_version)).where(c.originator_id == aggregate_id)
        )
        if current is None or (expected is not None and current not in expected):
            raise PreconditionFailed(aggregate_id, expected, current)
    correlation_id = conditions.unrecorded
    if correlation_id is not None and session.scalar(
        select(exists().where(audit_events.c.correlation_id == correlation_id))
    ):
        raise AlreadyApplied(
            f"a request with this idempotency key was already recorded (correlation id "
            f"{correlation_id}); its response was not kept",
            correlation_id,
        )


def mark_written() -> None:
    """A write transaction of the request committed: later ones are not checked again (they
    would see the request's own events)."""
    conditions = _current.get()
    if conditions is not None:
        conditions.written = True
