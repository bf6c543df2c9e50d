"""Projects the log into the SQL read models, with the library's tracking, and runs the policies.

One catch-up loop serves every case: it reads the notifications after the tracked position, applies
each in order, and stores the new position in the same transaction. `Ledger.record` calls it inside
the command's own transaction (writers are serialised by the event store's lock, so positions are
applied in order and exactly once); start-up and `civic projections rebuild` call it on their own.
Policies that react to events (a signature that reaches a threshold) append their events inside
the same loop, so the loop applies them too before the transaction commits.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Recording
from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from application.errors import PetitionNotFound
from application.ledger import Ledger
from application.tables import account_tokens, accounts, audit_events, metadata, petitions
from domain.account import Account
from domain.events import SYSTEM_ACTOR_PREFIX, Cause, CivicAggregate
from domain.petition import Petition
from domain.signature import Signature

TRACKING_NAME = "read-models"
BATCH_SIZE = 500
THRESHOLD_POLICY_ACTOR = f"{SYSTEM_ACTOR_PREFIX}thresholds"
ENVELOPE_FIELDS = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic"}
    | {"actor", "correlation_id", "reason"}
)

Progress = Callable[[int, int], None]


def jsonable(value: Any) -> Any:
    """An event attribute as plain JSON data (UUIDs and datetimes as strings)."""
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def event_data(domain_event: DomainEventProtocol[UUID]) -> dict[str, Any]:
    """The event's own fields, without the envelope that has columns of its own."""
    return {
        name: jsonable(value)
        for name, value in vars(domain_event).items()
        if name not in ENVELOPE_FIELDS
    }


def event_type(domain_event: DomainEventProtocol[UUID]) -> str:
    """The stable name of an event type, e.g. `Petition.Lodged`."""
    return type(domain_event).__qualname__


class ReadModels:
    """The petition, account and audit views, and the threshold policy."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        metadata.create_all(ledger.engine)
        ledger.attach(self)
        # Built once: on the write path, building and hashing statements costs more than running
        # them.
        tracking, events = ledger.tracking_recorder.tracking_table.c, ledger.events_table.c
        self._read_positions = select(
            select(tracking.notification_id)
            .where(tracking.application_name == TRACKING_NAME)
            .scalar_subquery(),
            select(func.max(events.id)).where(events.id < bindparam("first")).scalar_subquery(),
        )
        self._write_position = (
            update(ledger.tracking_recorder.tracking_table)
            .where(tracking.application_name == TRACKING_NAME)
            .values(notification_id=bindparam("position"))
        )
        self._insert_audit = insert(audit_events)
        self._count_signature = (
            update(petitions)
            .where(petitions.c.id == bindparam("petition_id"))
            .values(signature_count=petitions.c.signature_count + bindparam("delta"))
            .returning(petitions.c.signature_count, petitions.c.thresholds)
        )

    def catch_up(self) -> int:
        """Apply whatever the views have not seen yet, in a transaction of its own."""
        with self._ledger.transaction() as session:
            return self.catch_up_in(session)

    def catch_up_in(
        self,
        session: Session,
        progress: Progress | None = None,
        recorded: Sequence[Recording[UUID]] = (),
    ) -> int:
        """Apply, in `session`'s transaction, every notification after the tracked position.

        `recorded` are the events this transaction has just saved: when they directly follow the
        tracked position (the usual case, since every write projects), they are applied as they
        are, without reading them back from the log.
        """
        first = recorded[0].notification.id if recorded else 0
        position, before = session.execute(self._read_positions, {"first": first}).one()
        position = int(position or 0)
        if recorded and int(before or 0) == position:  # nothing between: apply them as they are
            pending = deque(recorded)
            applied = 0
            while pending:
                recording = pending.popleft()
                domain_event = recording.domain_event
                assert isinstance(domain_event, CivicAggregate.Event)  # all ours carry the envelope
                pending.extend(self._apply(session, recording.notification.id, domain_event))
                position = recording.notification.id
                applied += 1
        else:
            position, applied = self._read_and_apply(session, position, progress)
        if applied:
            self._set_position(session, position)
        return applied

    def _read_and_apply(
        self, session: Session, position: int, progress: Progress | None
    ) -> tuple[int, int]:
        """The general loop: read the log after `position` in batches and apply it."""
        recorder = self._ledger.recorder
        last = (recorder.max_notification_id() or 0) if progress else 0
        applied = 0
        while notifications := recorder.select_notifications(
            start=position, limit=BATCH_SIZE, inclusive_of_start=False
        ):
            for notification in notifications:
                domain_event = self._ledger.mapper.to_domain_event(notification)
                assert isinstance(domain_event, CivicAggregate.Event)
                # Events a policy appends here are read by the next turn of the loop.
                self._apply(session, notification.id, domain_event)
                position = notification.id
                applied += 1
            if progress is not None:
                progress(position, max(last, position))
        return position, applied

    def _set_position(self, session: Session, position: int) -> None:
        """Record the position reached, in the same transaction as the views' changes."""
        changed = session.execute(self._write_position, {"position": position})
        if not changed.rowcount:  # type: ignore[attr-defined]  # a CursorResult for an UPDATE
            table = self._ledger.tracking_recorder.tracking_table
            session.execute(
                insert(table).values(application_name=TRACKING_NAME, notification_id=position)
            )

    def rebuild(self, progress: Progress | None = None) -> int:
        """Empty the views and apply the whole log again, in one transaction."""
        with self._ledger.transaction() as session:
            for table in reversed(metadata.sorted_tables):
                session.execute(delete(table))
            tracking_table = self._ledger.tracking_recorder.tracking_table
            session.execute(
                delete(tracking_table).where(tracking_table.c.application_name == TRACKING_NAME)
            )
            return self.catch_up_in(session, progress)

    # -- dispatch ------------------------------------------------------------------------------

    def _apply(
        self, session: Session, position: int, domain_event: CivicAggregate.Event
    ) -> list[Recording[UUID]]:
        """Apply one event to the views; returns what the policies recorded in reaction."""
        self._audit(session, position, domain_event)
        if isinstance(domain_event, Petition.Event):
            self._apply_petition(session, position, domain_event)
        elif isinstance(domain_event, Signature.Event):
            return self._apply_signature(session, domain_event)
        elif isinstance(domain_event, Account.Event):
            self._apply_account(session, domain_event)
        return []

    def _audit(self, session: Session, position: int, domain_event: CivicAggregate.Event) -> None:
        aggregate_type, _, _ = event_type(domain_event).partition(".")
        session.execute(
            self._insert_audit,
            {
                "position": position,
                "timestamp": domain_event.timestamp,
                "aggregate_id": domain_event.originator_id,
                "aggregate_type": aggregate_type,
                "version": domain_event.originator_version,
                "type": event_type(domain_event),
                "actor": domain_event.actor,
                "reason": domain_event.reason,
                "correlation_id": domain_event.correlation_id,
                "data": event_data(domain_event),
            },
        )

    # -- petitions -----------------------------------------------------------------------------

    def _apply_petition(self, session: Session, position: int, e: Petition.Event) -> None:
        row = petitions.c
        common = {"version": e.originator_version, "updated_at": e.timestamp}
        where = row.id == e.originator_id
        if isinstance(e, Petition.Lodged):
            session.execute(
                insert(petitions).values(
                    id=e.originator_id,
                    position=position,
                    title=e.title,
                    text=e.text,
                    deadline=e.deadline,
                    status="lodged",
                    lodged_by=e.actor,
                    lodged_at=e.timestamp,
                    signature_count=0,
                    thresholds=[
                        {**t, "reached_at": None, "signature_id": None} for t in e.thresholds
                    ],
                    **common,
                )
            )
        elif isinstance(e, Petition.AdmissibilityDecided):
            status = "open" if e.admissible else "rejected"
            session.execute(
                update(petitions)
                .where(where)
                .values(status=status, admissibility_reason=e.reason, **common)
            )
        elif isinstance(e, Petition.ThresholdReached):
            (thresholds,) = session.execute(select(row.thresholds).where(where)).one()
            session.execute(
                update(petitions)
                .where(where)
                .values(
                    thresholds=[
                        {**t, "reached_at": e.timestamp.isoformat(), "signature_id": e.signature_id}
                        if t["signatures"] == e.signatures
                        else t
                        for t in thresholds
                    ],
                    **common,
                )
            )
        elif isinstance(e, Petition.Closed):
            session.execute(
                update(petitions)
                .where(where)
                .values(status="closed", closed_reason=e.reason, closed_at=e.timestamp, **common)
            )
        elif isinstance(e, Petition.Responded):
            session.execute(
                update(petitions)
                .where(where)
                .values(response=e.text, responded_at=e.timestamp, **common)
            )

    # -- signatures and the threshold policy ---------------------------------------------------

    def _apply_signature(self, session: Session, e: Signature.Event) -> list[Recording[UUID]]:
        petition_id = e.petition_id
        delta = -1 if isinstance(e, Signature.Withdrawn) else 1
        count, thresholds = session.execute(
            self._count_signature, {"petition_id": petition_id, "delta": delta}
        ).one()
        return self._reach_thresholds(petition_id, e, count, thresholds) if delta > 0 else []

    def _reach_thresholds(
        self, petition_id: UUID, e: Signature.Event, count: int, thresholds: list[dict[str, Any]]
    ) -> list[Recording[UUID]]:
        """The policy: a count that first reaches a threshold records it on the petition, once."""
        if not any(t["signatures"] == count and t["reached_at"] is None for t in thresholds):
            return []
        petition: Petition = self._ledger.get(petition_id, PetitionNotFound)
        cause = Cause(
            actor=THRESHOLD_POLICY_ACTOR,
            correlation_id=e.correlation_id,
            reason=f"{count} signatures reached",
        )
        if petition.record_threshold_reached(
            signature_count=count, signature_id=str(e.originator_id), cause=cause
        ):
            return self._ledger.save(petition)
        return []

    # -- accounts ------------------------------------------------------------------------------

    def _apply_account(self, session: Session, e: Account.Event) -> None:
        if isinstance(e, Account.Opened):
            session.execute(
                insert(accounts).values(
                    id=e.originator_id, name=e.name, roles=e.roles, opened_at=e.timestamp
                )
            )
            session.execute(
                insert(account_tokens).values(token_hash=e.token_hash, account_id=e.originator_id)
            )
