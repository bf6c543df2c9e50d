"""Projects the log into the SQL read models, with the library's tracking, and runs the policies.

One catch-up loop serves every case: it reads the notifications after the tracked position, applies
each in order, and stores the new position in the same transaction. `Ledger.record` calls it inside
the command's own transaction (writers are serialised by the event store's lock, so positions are
applied in order and exactly once); start-up and `civic projections rebuild` call it on their own.
Policies that react to events (a signature that reaches a threshold) append their events inside
the same loop, so the loop applies them too before the transaction commits.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from functools import partial
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Notification, Recording
from sqlalchemy import (
    Insert,
    Table,
    Update,
    bindparam,
    delete,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import Session

from application.consultation_views import CONSULTATION_EVENTS, apply_consultation_event
from application.errors import CharterNotFound, CommitteeNotFound, PetitionNotFound
from application.ledger import Ledger
from application.tables import (
    account_tokens,
    accounts,
    audit_events,
    ballots,
    charter_amendments,
    charter_signatures,
    charter_versions,
    charters,
    committee_members,
    committees,
    decision_answers,
    decisions,
    meetings,
    metadata,
    people,
    petitions,
    votes,
)
from application.territory_views import TERRITORY_EVENTS, apply_territory_event
from application.transparency import MerkleLog
from domain.account import Account, TokenKind
from domain.ballot import Ballot
from domain.charter import AmendmentStatus, Charter, apply_change, change_from_event
from domain.charter_diff import Article, CharterText
from domain.committee import Committee
from domain.consultation_answers import AnswerSet
from domain.consultation_contribution import Comment, Contribution, Endorsement
from domain.errors import IllegalTransition
from domain.events import SYSTEM_ACTOR_PREFIX, Cause, CivicAggregate
from domain.meeting import ItemKind, Meeting
from domain.personal import Personal
from domain.petition import COMMITTEE_AGENDA, Petition
from domain.signature import Signature
from domain.vote import Vote, VoteStatus, citizen_vote_id, citizen_vote_rules

TRACKING_NAME = "read-models"
log = logging.getLogger("civic.views")
BATCH_SIZE = 500
THRESHOLD_POLICY_ACTOR = f"{SYSTEM_ACTOR_PREFIX}thresholds"
AMENDMENT_POLICY_ACTOR = f"{SYSTEM_ACTOR_PREFIX}charter-amendments"
CHARTER_AMENDMENT = "charter_amendment"  # what a decision answers, as `domain.meeting` names it
CITIZEN_VOTE = "citizen_vote"  # a threshold's consequence that drafts a vote
ENVELOPE_FIELDS = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic"}
    | {"actor", "correlation_id", "reason"}
)

Progress = Callable[[int, int], None]
_PLAIN = frozenset({str, int, float, bool, type(None)})  # JSON already, as `jsonable` leaves them


def jsonable(value: Any) -> Any:  # noqa: PLR0911  # one return per kind of value reads best
    """An event attribute as plain JSON data (UUIDs and datetimes as strings)."""
    if type(value) in _PLAIN:  # most values, once per event of the log: the fast way out
        return value
    if type(value) is UUID:  # the next most: remembered, as the same ids recur event after event
        return _UUID_TEXTS.get(value.int) or _uuid_text(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Personal):  # never in clear outside the log: whose data it is
        return {"personal_data_of": str(value.subject)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


_UUID_TEXTS: dict[int, str] = {}  # `str` of the UUIDs `jsonable` met, by their number
_UUID_TEXTS_LIMIT = 10_000


def _uuid_text(value: UUID) -> str:
    """`str(value)`, remembered: a signature's petition id recurs in each of its signatures, and
    formatting one costs a microsecond. Keyed by the number (an int hashes in C, a UUID in
    Python); forgotten at the limit so the ids of a long log do not pile up."""
    if len(_UUID_TEXTS) >= _UUID_TEXTS_LIMIT:
        _UUID_TEXTS.clear()
    text = _UUID_TEXTS[value.int] = str(value)
    return text


def event_data(domain_event: DomainEventProtocol[UUID]) -> dict[str, Any]:
    """The event's own fields, without the envelope that has columns of its own."""
    return own_fields(vars(domain_event))


def own_fields(attributes: dict[str, Any]) -> dict[str, Any]:
    """The event's own fields of its attributes, as plain JSON data (`event_data`)."""
    return {
        name: value if type(value) in _PLAIN else jsonable(value)  # most are plain: no call
        for name, value in attributes.items()
        if name not in ENVELOPE_FIELDS
    }


def event_type(domain_event: DomainEventProtocol[UUID]) -> str:
    """The stable name of an event type, e.g. `Petition.Lodged`."""
    return type(domain_event).__qualname__


class Batch:
    """What one turn of the loop changes, written at its end in a few statements.

    Rows are built in memory (a petition's row is read once per batch, then changed in place)
    and written with one multi-row statement per table: projecting a batch of signatures costs
    a handful of round trips, not several per event.
    """

    def __init__(self) -> None:
        self.audited: list[CivicAggregate.Event] = []  # events whose audit rows are written
        self.audited_positions: list[int] = []
        self.petitions: dict[UUID, dict[str, Any]] = {}
        self.new_petitions: set[UUID] = set()
        self.changed_petitions: set[UUID] = set()
        self.votes: dict[UUID, dict[str, Any]] = {}
        self.new_votes: set[UUID] = set()
        self.new_ballots: dict[UUID, dict[str, Any]] = {}
        self.replaced_ballots: dict[UUID, dict[str, Any]] = {}
        self.committees: dict[UUID, dict[str, Any]] = {}
        self.new_committees: set[UUID] = set()
        self.members: dict[int, dict[str, Any]] = {}  # by the appointment's position
        self.new_members: set[int] = set()
        self.meetings: dict[UUID, dict[str, Any]] = {}
        self.new_meetings: set[UUID] = set()
        self.decisions: list[dict[str, Any]] = []
        self.answers: list[dict[str, Any]] = []
        self.charters: dict[UUID, dict[str, Any]] = {}
        self.new_charters: set[UUID] = set()
        self.charter_versions: list[dict[str, Any]] = []
        self.amendments: dict[UUID, dict[str, Any]] = {}
        self.new_amendments: set[UUID] = set()
        self.signings: dict[int, dict[str, Any]] = {}  # by the signing's position
        self.new_signings: set[int] = set()


class ReadModels:
    """The petition, account, audit and Merkle views, and the threshold policy."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        # Whether applying an event writes its audit row: the verifier's replay leaves some of
        # them to a second process (`verification.CompanionStore`).
        self.audit_trail = True
        self._create_views()
        ledger.attach(self)
        self.merkle = MerkleLog()
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
        self._insert_petition = insert(petitions)
        self._read_petition = select(petitions).where(petitions.c.id == bindparam("petition_id"))
        self._update_petition = (
            update(petitions)
            .where(petitions.c.id == bindparam("row_id"))
            .values({c.name: bindparam(c.name) for c in petitions.c if c.name != "id"})
        )
        self._insert_vote = insert(votes)
        self._read_vote = select(votes).where(votes.c.id == bindparam("vote_id"))
        self._update_vote = (
            update(votes)
            .where(votes.c.id == bindparam("row_id"))
            .values({c.name: bindparam(c.name) for c in votes.c if c.name != "id"})
        )
        self._insert_committee = insert(committees)
        self._read_committee = select(committees).where(
            committees.c.id == bindparam("committee_id")
        )
        self._update_committee = _update_by_id(committees)
        self._insert_member = insert(committee_members)
        m = committee_members.c
        self._read_open_tenure = select(committee_members).where(
            m.committee_id == bindparam("committee_id"),
            m.member == bindparam("member"),
            m.end.is_(None),
        )
        self._end_tenure = (
            update(committee_members)
            .where(m.position == bindparam("row_position"))
            .values(end=bindparam("end"))
        )
        self._insert_meeting = insert(meetings)
        self._read_meeting = select(meetings).where(meetings.c.id == bindparam("meeting_id"))
        self._update_meeting = _update_by_id(meetings)
        self._insert_decision = insert(decisions)
        self._insert_answer = insert(decision_answers)
        self._insert_charter = insert(charters)
        self._read_charter = select(charters).where(charters.c.id == bindparam("charter_id"))
        self._update_charter = _update_by_id(charters)
        self._insert_charter_version = insert(charter_versions)
        self._insert_amendment = insert(charter_amendments)
        self._read_amendment = select(charter_amendments).where(
            charter_amendments.c.amendment_id == bindparam("amendment_id")
        )
        self._update_amendment = (
            update(charter_amendments)
            .where(charter_amendments.c.amendment_id == bindparam("row_id"))
            .values(
                {
                    c.name: bindparam(c.name)
                    for c in charter_amendments.c
                    if c.name != "amendment_id"
                }
            )
        )
        self._insert_signing = insert(charter_signatures)
        g = charter_signatures.c
        self._read_standing_signing = select(charter_signatures).where(
            g.charter_id == bindparam("charter_id"),
            g.organisation_id == bindparam("organisation_id"),
            g.withdrawn_at.is_(None),
        )
        self._withdraw_signing = (
            update(charter_signatures)
            .where(g.position == bindparam("row_position"))
            .values(withdrawn_at=bindparam("withdrawn_at"))
            .values(withdrawal_reason=bindparam("withdrawal_reason"))
        )
        self._insert_ballot = insert(ballots)
        self._replace_ballot = (
            update(ballots)
            .where(ballots.c.id == bindparam("row_id"))
            .values(paper=bindparam("paper"), version=bindparam("version"))
            .values(updated_at=bindparam("updated_at"))
        )

    @property
    def ledger(self) -> Ledger:
        """The log these views follow."""
        return self._ledger

    def _create_views(self) -> None:
        """Create the views; views of an older shape (a column added or removed since) are
        dropped and created again, empty, so the start-up catch-up rebuilds them from the log."""
        engine = self._ledger.engine
        inspector = inspect(engine)
        stale = [
            table.name
            for table in metadata.sorted_tables
            if inspector.has_table(table.name)
            and {c["name"] for c in inspector.get_columns(table.name)} != set(table.c.keys())
        ]
        if stale:
            log.warning("views of an older shape (%s): rebuilding them", ", ".join(stale))
            tracking = self._ledger.tracking_recorder.tracking_table
            with engine.begin() as connection:
                metadata.drop_all(connection)
                connection.execute(
                    delete(tracking).where(tracking.c.application_name == TRACKING_NAME)
                )
        metadata.create_all(engine)

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
        self.merkle.follow(session, position)
        if recorded and int(before or 0) == position:  # nothing between: apply them as they are
            pending = deque(recorded)
            applied = 0
            batch = Batch()
            while pending:
                recording = pending.popleft()
                domain_event = recording.domain_event
                assert isinstance(domain_event, CivicAggregate.Event)  # all ours carry the envelope
                pending.extend(self._apply(session, batch, recording.notification, domain_event))
                position = recording.notification.id
                applied += 1
            self._flush(session, batch)
        else:
            position, applied = self._read_and_apply(session, position, progress)
        if applied:
            self.set_position(session, position)
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
            # Events a policy appends here are read by the next turn of the loop.
            self.apply_notifications(session, notifications)
            position = notifications[-1].id
            applied += len(notifications)
            if progress is not None:
                progress(position, max(last, position))
        return position, applied

    def apply_notifications(
        self, session: Session, notifications: Sequence[Notification]
    ) -> list[tuple[int, Recording[UUID]]]:
        """Apply the next notifications of the log as one batch (the caller tracks positions).

        Returns what the policies recorded in reaction, each with the position that caused it.
        """
        mapper = self._ledger.mapper
        batch = Batch()
        reactions: list[tuple[int, Recording[UUID]]] = []
        for notification in notifications:
            domain_event = mapper.to_domain_event(notification)
            assert isinstance(domain_event, CivicAggregate.Event)
            for reaction in self._apply(session, batch, notification, domain_event):
                reactions.append((notification.id, reaction))
        self._flush(session, batch)
        return reactions

    def set_position(self, session: Session, position: int) -> None:
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
            self.merkle.forget()
            tracking_table = self._ledger.tracking_recorder.tracking_table
            session.execute(
                delete(tracking_table).where(tracking_table.c.application_name == TRACKING_NAME)
            )
            return self.catch_up_in(session, progress)

    def forget(self) -> None:
        """Drop what is cached from the database (its transaction rolled back)."""
        self.merkle.forget()

    # -- dispatch ------------------------------------------------------------------------------

    def _apply(
        self,
        session: Session,
        batch: Batch,
        stored: Notification,
        domain_event: CivicAggregate.Event,
    ) -> list[Recording[UUID]]:
        """Apply one event to the batch; returns what the policies recorded in reaction."""
        position = stored.id
        self.merkle.append(position, stored)
        if self.audit_trail:
            batch.audited.append(domain_event)
            batch.audited_positions.append(position)
        if isinstance(domain_event, Signature.Event):
            return self._apply_signature(session, batch, position, domain_event)
        if isinstance(domain_event, Petition.Event):
            self._apply_petition(session, batch, position, domain_event)
        elif isinstance(domain_event, Ballot.Event):
            self._apply_ballot(session, batch, position, domain_event)
        elif isinstance(domain_event, Vote.Event):
            self._apply_vote(session, batch, position, domain_event)
        elif isinstance(domain_event, Committee.Event):
            self._apply_committee(session, batch, position, domain_event)
        elif isinstance(domain_event, Meeting.Event):
            self._apply_meeting(session, batch, position, domain_event)
            if isinstance(domain_event, Meeting.Decided):
                return self._decide_amendments(session, batch, position, domain_event)
        elif isinstance(domain_event, Charter.Event):
            self._apply_charter(session, batch, position, domain_event)
        elif isinstance(domain_event, Account.Event):
            _apply_account(session, domain_event)
        elif isinstance(domain_event, CONSULTATION_EVENTS):
            apply_consultation_event(session, position, domain_event)
        elif isinstance(domain_event, TERRITORY_EVENTS):
            apply_territory_event(session, position, domain_event)
        return []

    def _flush(self, session: Session, batch: Batch) -> None:
        """Write the batch: one statement per table (each a multi-row one)."""
        self.merkle.flush(session)
        if batch.audited:
            self.write_audit(session, audit_columns(batch.audited_positions, batch.audited))
        new = [batch.petitions[i] for i in batch.new_petitions]
        if new:
            session.execute(self._insert_petition, new)
        changed = batch.changed_petitions - batch.new_petitions
        if changed:
            session.execute(
                self._update_petition, [_update_parameters(batch.petitions[i]) for i in changed]
            )
        new_votes = [batch.votes[i] for i in batch.new_votes]
        if new_votes:
            session.execute(self._insert_vote, new_votes)
        changed_votes = batch.votes.keys() - batch.new_votes
        if changed_votes:
            session.execute(
                self._update_vote, [_update_parameters(batch.votes[i]) for i in changed_votes]
            )
        if batch.new_ballots:
            session.execute(self._insert_ballot, list(batch.new_ballots.values()))
        if batch.replaced_ballots:
            session.execute(
                self._replace_ballot,
                [_update_parameters(row) for row in batch.replaced_ballots.values()],
            )
        self._flush_committees(session, batch)
        self._flush_charters(session, batch)

    def write_audit(self, session: Session, columns: dict[str, list[Any]]) -> None:
        """Write audit rows, given column by column (`audit_columns`)."""
        session.execute(self._insert_audit, rows_of(columns))

    def _flush_committees(self, session: Session, batch: Batch) -> None:
        """Write the committee, membership, meeting and decision rows of the batch."""
        _write(
            session,
            self._insert_committee,
            self._update_committee,
            batch.committees,
            batch.new_committees,
        )
        new_members = [batch.members[p] for p in batch.new_members]
        if new_members:
            session.execute(self._insert_member, new_members)
        ended = [
            {"row_position": p, "end": row["end"]}
            for p, row in batch.members.items()
            if p not in batch.new_members
        ]
        if ended:
            session.execute(self._end_tenure, ended)
        _write(
            session, self._insert_meeting, self._update_meeting, batch.meetings, batch.new_meetings
        )
        if batch.decisions:
            session.execute(self._insert_decision, batch.decisions)
        if batch.answers:
            session.execute(self._insert_answer, batch.answers)

    # -- petitions -----------------------------------------------------------------------------

    def _petition(self, session: Session, batch: Batch, petition_id: UUID) -> dict[str, Any]:
        """The petition's row, read once per batch and then changed in memory."""
        row = batch.petitions.get(petition_id)
        if row is None:
            found = session.execute(self._read_petition, {"petition_id": petition_id})
            row = dict(found.mappings().one())
            batch.petitions[petition_id] = row
        batch.changed_petitions.add(petition_id)
        return row

    def _apply_petition(
        self, session: Session, batch: Batch, position: int, e: Petition.Event
    ) -> None:
        if isinstance(e, Petition.Lodged):
            batch.petitions[e.originator_id] = {
                "id": e.originator_id,
                "position": position,
                "title": e.title,
                "territory_id": e.territory_id,
                "text": e.text,
                "deadline": e.deadline,
                "status": "lodged",
                "lodged_by": e.actor,
                "lodged_at": e.timestamp,
                "signature_count": 0,
                "thresholds": [
                    {**t, "reached_at": None, "signature_id": None} for t in e.thresholds
                ],
                "admissibility_reason": None,
                "outside_competence": None,
                "closed_reason": None,
                "closed_at": None,
                "response": None,
                "response_decision_id": None,
                "responded_at": None,
                "version": e.originator_version,
                "updated_at": e.timestamp,
            }
            batch.new_petitions.add(e.originator_id)
            batch.changed_petitions.add(e.originator_id)
            return
        row = self._petition(session, batch, e.originator_id)
        row["version"], row["updated_at"] = e.originator_version, e.timestamp
        if isinstance(e, Petition.AdmissibilityDecided):
            row["status"] = "open" if e.admissible else "rejected"
            row["admissibility_reason"] = e.reason
            row["outside_competence"] = e.outside_competence
        elif isinstance(e, Petition.ThresholdReached):
            row["thresholds"] = [
                {**t, "reached_at": e.timestamp.isoformat(), "signature_id": e.signature_id}
                if t["signatures"] == e.signatures
                else t
                for t in row["thresholds"]
            ]
        elif isinstance(e, Petition.Closed):
            row["status"], row["closed_reason"], row["closed_at"] = "closed", e.reason, e.timestamp
        elif isinstance(e, Petition.Responded):
            row["response"], row["responded_at"] = e.text, e.timestamp
            row["response_decision_id"] = e.decision_id

    # -- votes and ballots ---------------------------------------------------------------------

    def _vote(self, session: Session, batch: Batch, vote_id: UUID) -> dict[str, Any]:
        """The vote's row, read once per batch and then changed in memory."""
        row = batch.votes.get(vote_id)
        if row is None:
            row = dict(session.execute(self._read_vote, {"vote_id": vote_id}).mappings().one())
            batch.votes[vote_id] = row
        return row

    def _apply_vote(self, session: Session, batch: Batch, position: int, e: Vote.Event) -> None:
        if isinstance(e, Vote.Drafted):
            batch.votes[e.originator_id] = {
                "id": e.originator_id,
                "position": position,
                "territory_id": e.territory_id,
                "drafted_by": e.actor,
                "drafted_at": e.timestamp,
                "status": VoteStatus.DRAFT.value,
                "electorate_size": None,
                "tie_order": None,
                "ballot_count": 0,
                "quorum": None,
                "result": None,
                "outcome": None,
                **_rules_columns(e.rules),
            }
            batch.new_votes.add(e.originator_id)
        row = self._vote(session, batch, e.originator_id)
        row["version"], row["updated_at"] = e.originator_version, e.timestamp
        if isinstance(e, Vote.Redrafted):
            row.update(_rules_columns(e.rules))
        elif isinstance(e, Vote.Opened):
            row["status"] = VoteStatus.OPEN.value
            row["electorate_size"], row["tie_order"] = len(e.electorate), e.tie_order
        elif isinstance(e, Vote.Closed):
            row["status"], row["quorum"] = VoteStatus.CLOSED.value, e.quorum
            row["result"] = e.result
        elif isinstance(e, Vote.Certified):
            row["status"], row["outcome"] = VoteStatus.CERTIFIED.value, e.outcome
        elif isinstance(e, Vote.Cancelled):
            row["status"] = VoteStatus.CANCELLED.value

    def _apply_ballot(self, session: Session, batch: Batch, position: int, e: Ballot.Event) -> None:
        if isinstance(e, Ballot.Cast):
            batch.new_ballots[e.originator_id] = {
                "id": e.originator_id,
                "vote_id": e.vote_id,
                "position": position,
                "tag": e.tag,
                "paper": e.paper,
                "version": e.originator_version,
                "cast_at": e.timestamp,
                "updated_at": e.timestamp,
            }
            self._vote(session, batch, e.vote_id)["ballot_count"] += 1
            return
        assert isinstance(e, Ballot.Replaced)
        change = {"paper": e.paper, "version": e.originator_version, "updated_at": e.timestamp}
        if e.originator_id in batch.new_ballots:  # cast in this same batch
            batch.new_ballots[e.originator_id].update(change)
        else:
            batch.replaced_ballots[e.originator_id] = {"id": e.originator_id, **change}

    # -- committees, members, meetings and decisions -------------------------------------------

    def _committee(self, session: Session, batch: Batch, committee_id: UUID) -> dict[str, Any]:
        """The committee's row, read once per batch and then changed in memory."""
        row = batch.committees.get(committee_id)
        if row is None:
            found = session.execute(self._read_committee, {"committee_id": committee_id})
            row = dict(found.mappings().one())
            batch.committees[committee_id] = row
        return row

    def _apply_committee(
        self, session: Session, batch: Batch, position: int, e: Committee.Event
    ) -> None:
        if isinstance(e, Committee.Created):
            batch.committees[e.originator_id] = {
                "id": e.originator_id,
                "position": position,
                "name": e.name,
                "territory_id": e.territory_id,
                "serves": e.serves,
                "colleges": e.colleges,
                "quorum": e.quorum,
                "majority": e.majority,
                "referrals": [],
                "created_by": e.actor,
                "created_at": e.timestamp,
            }
            batch.new_committees.add(e.originator_id)
        row = self._committee(session, batch, e.originator_id)
        row["version"], row["updated_at"] = e.originator_version, e.timestamp
        if isinstance(e, Committee.RulesChanged):
            row["quorum"], row["majority"] = e.quorum, e.majority
        elif isinstance(e, Committee.MemberAppointed):
            batch.members[position] = {
                "position": position,
                "committee_id": e.originator_id,
                "member": e.member,
                "college": e.college,
                "role": e.role,
                "start": date.fromisoformat(e.start),
                "end": None,
                "organisation_id": e.organisation_id,
            }
            batch.new_members.add(position)
        elif isinstance(e, Committee.MemberDeparted):
            tenure = self._open_tenure(session, batch, e.originator_id, e.member)
            tenure["end"] = date.fromisoformat(e.end)
        elif isinstance(e, Committee.PetitionReferred):
            referral = {"petition_id": str(e.petition_id), "referred_at": e.timestamp.isoformat()}
            row["referrals"] = [*row["referrals"], referral]

    def _open_tenure(
        self, session: Session, batch: Batch, committee_id: UUID, member: str
    ) -> dict[str, Any]:
        """The member's current appointment: from this batch, else read from the view."""
        for row in batch.members.values():
            if (row["committee_id"], row["member"], row["end"]) == (committee_id, member, None):
                return row
        found = session.execute(
            self._read_open_tenure, {"committee_id": committee_id, "member": member}
        )
        row = dict(found.mappings().one())
        batch.members[row["position"]] = row
        return row

    def _meeting(self, session: Session, batch: Batch, meeting_id: UUID) -> dict[str, Any]:
        """The meeting's row, read once per batch and then changed in memory."""
        row = batch.meetings.get(meeting_id)
        if row is None:
            found = session.execute(self._read_meeting, {"meeting_id": meeting_id})
            row = dict(found.mappings().one())
            batch.meetings[meeting_id] = row
        return row

    def _apply_meeting(
        self, session: Session, batch: Batch, position: int, e: Meeting.Event
    ) -> None:
        if isinstance(e, Meeting.Convened):
            batch.meetings[e.originator_id] = {
                "id": e.originator_id,
                "position": position,
                "committee_id": e.committee_id,
                "held_on": date.fromisoformat(e.held_on),
                "status": "open",
                "agenda": [
                    _item(number, ItemKind.AGENDA, title=title)
                    for number, title in enumerate(e.agenda, start=1)
                ],
                "attendance": [],
                "minutes": None,
                "convened_by": e.actor,
                "convened_at": e.timestamp,
                "closed_at": None,
            }
            batch.new_meetings.add(e.originator_id)
        row = self._meeting(session, batch, e.originator_id)
        row["version"], row["updated_at"] = e.originator_version, e.timestamp
        if isinstance(e, Meeting.MotionTabled):
            item = _item(e.item, ItemKind.MOTION, title=e.title, text=e.text, tabled_by=e.actor)
            row["agenda"] = [*row["agenda"], item]
        elif isinstance(e, Meeting.PetitionTakenUp):
            item = _item(e.item, ItemKind.PETITION, tabled_by=e.actor, petition_id=e.petition_id)
            row["agenda"] = [*row["agenda"], item]
        elif isinstance(e, Meeting.AttendanceRecorded):
            row["attendance"] = list(e.present)
        elif isinstance(e, Meeting.ConflictDeclared):
            row["agenda"] = [
                {**i, "recused": sorted({*i["recused"], e.member})} if i["number"] == e.item else i
                for i in row["agenda"]
            ]
        elif isinstance(e, Meeting.Decided):
            self._apply_decision(batch, position, e)
            decision = str(e.decision_id)
            row["agenda"] = [
                {**i, "decision_id": decision} if i["number"] == e.item else i
                for i in row["agenda"]
            ]
        elif isinstance(e, Meeting.MinutesPublished):
            row["minutes"] = e.text
        elif isinstance(e, Meeting.Closed):
            row["status"], row["closed_at"] = "closed", e.timestamp

    def _apply_decision(self, batch: Batch, position: int, e: Meeting.Decided) -> None:
        batch.decisions.append(
            {
                "decision_id": e.decision_id,
                "position": position,
                "meeting_id": e.originator_id,
                "committee_id": e.committee_id,
                "item": e.item,
                "adopted": e.adopted,
                "counts": e.counts,
                "votes": e.votes,
                "rationale": e.rationale,
                "majority": e.majority,
                "quorum": e.quorum,
                "answers": e.answers,
                "decided_by": e.actor,
                "decided_at": e.timestamp,
            }
        )
        batch.answers.extend(
            {
                "answered_kind": answer["kind"],
                "answered_id": answer["id"],
                "decision_id": e.decision_id,
                "position": position,
            }
            for answer in e.answers
        )

    # -- charters, their versions, amendments and signatures -----------------------------------

    def _flush_charters(self, session: Session, batch: Batch) -> None:
        """Write the charter, version, amendment and signature rows of the batch."""
        _write(
            session, self._insert_charter, self._update_charter, batch.charters, batch.new_charters
        )
        if batch.charter_versions:
            session.execute(self._insert_charter_version, batch.charter_versions)
        new = [batch.amendments[i] for i in batch.new_amendments]
        if new:
            session.execute(self._insert_amendment, new)
        changed = batch.amendments.keys() - batch.new_amendments
        if changed:
            session.execute(
                self._update_amendment,
                [
                    {
                        "row_id" if k == "amendment_id" else k: v
                        for k, v in batch.amendments[i].items()
                    }
                    for i in changed
                ],
            )
        signings = [batch.signings[p] for p in batch.new_signings]
        if signings:
            session.execute(self._insert_signing, signings)
        withdrawn = [
            {
                "row_position": p,
                "withdrawn_at": row["withdrawn_at"],
                "withdrawal_reason": row["withdrawal_reason"],
            }
            for p, row in batch.signings.items()
            if p not in batch.new_signings
        ]
        if withdrawn:
            session.execute(self._withdraw_signing, withdrawn)

    def _charter(self, session: Session, batch: Batch, charter_id: UUID) -> dict[str, Any]:
        """The charter's row, read once per batch and then changed in memory."""
        row = batch.charters.get(charter_id)
        if row is None:
            found = session.execute(self._read_charter, {"charter_id": charter_id})
            row = dict(found.mappings().one())
            batch.charters[charter_id] = row
        return row

    def _amendment(
        self, session: Session, batch: Batch, amendment_id: UUID
    ) -> dict[str, Any] | None:
        """The amendment's row, read once per batch; None if no amendment has this id."""
        row = batch.amendments.get(amendment_id)
        if row is None:
            found = session.execute(self._read_amendment, {"amendment_id": amendment_id})
            mapping = found.mappings().one_or_none()
            if mapping is None:
                return None
            row = batch.amendments[amendment_id] = dict(mapping)
        return row

    def _version_text(
        self, session: Session, batch: Batch, charter_id: UUID, version: int
    ) -> dict[str, Any]:
        """An adopted version's text: from this batch, else read from the view."""
        for row in batch.charter_versions:
            if (row["charter_id"], row["version"]) == (charter_id, version):
                text: dict[str, Any] = row["text"]
                return text
        v = charter_versions.c
        query = select(v.text).where(v.charter_id == charter_id, v.version == version)
        stored: dict[str, Any] = session.execute(query).scalar_one()
        return stored

    def _standing_signing(
        self, session: Session, batch: Batch, charter_id: UUID, organisation_id: str
    ) -> dict[str, Any]:
        """The organisation's standing signature: from this batch, else read from the view."""
        for row in batch.signings.values():
            key = (row["charter_id"], row["organisation_id"], row["withdrawn_at"])
            if key == (charter_id, organisation_id, None):
                return row
        found = session.execute(
            self._read_standing_signing,
            {"charter_id": charter_id, "organisation_id": organisation_id},
        )
        row = dict(found.mappings().one())
        batch.signings[row["position"]] = row
        return row

    def _apply_charter(
        self, session: Session, batch: Batch, position: int, e: Charter.Event
    ) -> None:
        if isinstance(e, Charter.Drafted):
            batch.charters[e.originator_id] = {
                "id": e.originator_id,
                "position": position,
                "title": e.title,
                "territory_id": e.territory_id,
                "status": "draft",
                "latest_version": 0,
                "draft_version": 1,
                "draft": _charter_text(
                    {"title": e.title, "preamble": e.preamble, "articles": e.articles}
                ).as_data(),
                "next_article_id": len(e.articles) + 1,
                "drafted_by": e.actor,
                "drafted_at": e.timestamp,
            }
            batch.new_charters.add(e.originator_id)
        row = self._charter(session, batch, e.originator_id)
        row["version"], row["updated_at"] = e.originator_version, e.timestamp
        if isinstance(e, Charter.AmendmentProposed):
            batch.amendments[e.amendment_id] = {
                "amendment_id": e.amendment_id,
                "charter_id": e.originator_id,
                "position": position,
                "version": e.version,
                "change": e.change,
                "base_sha256": e.base_sha256,
                "proposer": e.actor,
                "rationale": e.rationale,
                "status": AmendmentStatus.PENDING.value,
                "decision_id": None,
                "article_id": None,
                "proposed_at": e.timestamp,
                "decided_at": None,
            }
            batch.new_amendments.add(e.amendment_id)
        elif isinstance(e, Charter.AmendmentAccepted | Charter.AmendmentRejected):
            amendment = self._amendment(session, batch, e.amendment_id)
            assert amendment is not None, "a decided amendment was proposed"
            amendment["decision_id"], amendment["decided_at"] = e.decision_id, e.timestamp
            if isinstance(e, Charter.AmendmentRejected):
                amendment["status"] = AmendmentStatus.REJECTED.value
                return
            amendment["status"], amendment["article_id"] = (
                AmendmentStatus.ACCEPTED.value,
                e.article_id,
            )
            # The domain's own function makes the change, so the view's draft is the aggregate's.
            draft = apply_change(
                _charter_text(row["draft"]),
                change_from_event(amendment["change"]),
                new_article_id=e.article_id,
            )
            row["draft"], row["title"] = draft.as_data(), draft.title
            if e.article_id is not None:
                row["next_article_id"] = max(row["next_article_id"], e.article_id + 1)
        elif isinstance(e, Charter.Adopted):
            batch.charter_versions.append(
                {
                    "charter_id": e.originator_id,
                    "version": e.version,
                    "position": position,
                    "adopted_at": e.timestamp,
                    "decision_id": e.decision_id,
                    "sha256": e.sha256,
                    "text": row["draft"],
                }
            )
            row["status"], row["latest_version"] = "adopted", e.version
            row["draft_version"], row["draft"] = None, None
        elif isinstance(e, Charter.RevisionOpened):
            row["draft"] = self._version_text(
                session, batch, e.originator_id, row["latest_version"]
            )
            row["status"], row["draft_version"] = "revision", e.version
        elif isinstance(e, Charter.Signed):
            batch.signings[position] = {
                "position": position,
                "charter_id": e.originator_id,
                "organisation_id": e.organisation_id,
                "name": e.name,
                "kind": e.kind,
                "commitments": e.commitments,
                "version": e.version,
                "signed_at": e.timestamp,
                "withdrawn_at": None,
                "withdrawal_reason": None,
                "directory_id": e.directory_id,
            }
            batch.new_signings.add(position)
        elif isinstance(e, Charter.SignatureWithdrawn):
            signing = self._standing_signing(session, batch, e.originator_id, e.organisation_id)
            signing["withdrawn_at"], signing["withdrawal_reason"] = e.timestamp, e.reason

    def _decide_amendments(
        self, session: Session, batch: Batch, position: int, e: Meeting.Decided
    ) -> list[Recording[UUID]]:
        """The policy: a decision answering charter amendments accepts them if it was adopted,
        rejects them if not, in its own transaction and once (an amendment already decided, by
        an explicit command or when the log is replayed, is left as it is).

        An adopted decision on an amendment the draft no longer fits (`AmendmentOutdated`,
        `ArticleLimit`) cannot be carried out: the amendment stays pending, and the committee
        rejects it, by a new decision or by citing this one."""
        by_charter: dict[UUID, list[UUID]] = {}
        for answer in e.answers:
            if answer["kind"] != CHARTER_AMENDMENT:
                continue
            try:
                amendment_id = UUID(answer["id"])
            except ValueError:  # not an amendment's id: nothing to decide
                continue
            row = self._amendment(session, batch, amendment_id)
            if row is not None:
                by_charter.setdefault(row["charter_id"], []).append(amendment_id)
        if not by_charter:
            return []
        return self._react(position, partial(self._decide_charters, e, by_charter))

    def _decide_charters(
        self, e: Meeting.Decided, by_charter: dict[UUID, list[UUID]]
    ) -> list[Recording[UUID]]:
        """The amendment policy's writes: each charter's amendments the decision answers."""
        cause = Cause(
            actor=AMENDMENT_POLICY_ACTOR,
            correlation_id=e.correlation_id,
            reason=f"committee decision {e.decision_id}",
        )
        decided: list[Charter] = []
        for charter_id, amendment_ids in by_charter.items():
            charter: Charter = self._ledger.get(charter_id, CharterNotFound)
            for amendment_id in amendment_ids:
                if charter.amendment(amendment_id).status is not AmendmentStatus.PENDING:
                    continue
                try:
                    if e.adopted:
                        charter.accept_amendment(
                            amendment_id=amendment_id, decision_id=e.decision_id, cause=cause
                        )
                    else:
                        charter.reject_amendment(
                            amendment_id=amendment_id, decision_id=e.decision_id, cause=cause
                        )
                except IllegalTransition as refused:
                    log.warning(
                        "decision %s cannot accept amendment %s: %s",
                        e.decision_id,
                        amendment_id,
                        refused,
                    )
            decided.append(charter)
        return self._ledger.save(*decided) if decided else []

    # -- one aggregate alone, as it was -------------------------------------------------------

    def project_alone(self, events: Iterable[tuple[int, CivicAggregate.Event]]) -> Batch:
        """The rows a committee's, a meeting's or a charter's own events make, projected by the
        code that keeps the views into an empty batch: how `?version` and `?as_of` show one as it
        stood (its rows at that point, its meetings' decisions and its adopted versions included).

        The first event creates every row the later ones change, and each lookup tries the batch
        before the views, so no view is read: the session is never touched."""
        batch, untouched = Batch(), cast(Session, None)
        for position, e in events:
            if isinstance(e, Committee.Event):
                self._apply_committee(untouched, batch, position, e)
            elif isinstance(e, Meeting.Event):
                self._apply_meeting(untouched, batch, position, e)
            elif isinstance(e, Charter.Event):
                self._apply_charter(untouched, batch, position, e)
            else:
                raise TypeError(f"{event_type(e)} is not projected alone")
        return batch

    # -- signatures and the threshold policy ---------------------------------------------------

    def _apply_signature(
        self, session: Session, batch: Batch, position: int, e: Signature.Event
    ) -> list[Recording[UUID]]:
        row = self._petition(session, batch, e.petition_id)
        if isinstance(e, Signature.Withdrawn):
            row["signature_count"] -= 1
            return []
        count = row["signature_count"] = row["signature_count"] + 1
        # The policy: a count that first reaches a threshold records it on the petition, once.
        if not any(t["signatures"] == count and t["reached_at"] is None for t in row["thresholds"]):
            return []
        return self._react(position, partial(self._reach_threshold, e.petition_id, e, count))

    def _react(
        self, position: int, action: Callable[[], list[Recording[UUID]]]
    ) -> list[Recording[UUID]]:
        """A policy's writes, in reaction to the event at `position`: carried out at once, in
        the projection's transaction (the verifier's replay defers them until the whole log is
        stored, `verification.ReplayReadModels`)."""
        return action()

    def _reach_threshold(
        self, petition_id: UUID, e: Signature.Event, count: int
    ) -> list[Recording[UUID]]:
        """The threshold policy's writes: the threshold on the petition, and its consequence."""
        petition: Petition = self._ledger.get(petition_id, PetitionNotFound)
        cause = Cause(
            actor=THRESHOLD_POLICY_ACTOR,
            correlation_id=e.correlation_id,
            reason=f"{count} signatures reached",
        )
        if not petition.record_threshold_reached(
            signature_count=count, signature_id=str(e.originator_id), cause=cause
        ):
            return []
        reached = next(t for t in petition.thresholds if t.signatures == count)
        if reached.consequence == COMMITTEE_AGENDA and reached.committee is not None:
            # Referred once: the committee records each petition on its standing agenda once.
            committee: Committee = self._ledger.get(reached.committee, CommitteeNotFound)
            committee.refer_petition(petition_id=petition.id, cause=cause)
            return self._ledger.save(petition, committee)
        if reached.consequence != CITIZEN_VOTE:
            return self._ledger.save(petition)
        # A citizen vote is drafted, once: its id derives from the petition and the threshold.
        vote = Vote.draft(
            rules=citizen_vote_rules(petition, now=e.timestamp),
            cause=cause,
            now=e.timestamp,
            vote_id=citizen_vote_id(petition.id, count),
            territory_id=petition.territory_id,
        )
        return self._ledger.save(petition, vote)


def _apply_account(session: Session, e: Account.Event) -> None:
    """Accounts change rarely: each event is written at once, in order.

    Their personal data goes to `people` only while it can be read: an event read after its
    subject's key was destroyed carries none, so a rebuild after an erasure writes no row."""
    account_id = e.originator_id
    if isinstance(e, Account.Opened):
        session.execute(
            insert(accounts).values(
                id=account_id,
                roles=e.roles,
                status="active",
                opened_at=e.timestamp,
                version=e.originator_version,
                updated_at=e.timestamp,
            )
        )
        if e.token_hash is not None:  # a version 1 account's first token: its id is the account's
            session.execute(
                insert(account_tokens).values(
                    token_hash=e.token_hash,
                    token_id=account_id,
                    account_id=account_id,
                    kind=TokenKind.API.value,
                    label="first token",
                    issued_at=e.timestamp,
                    expires_at=None,
                )
            )
        if e.name.value is not None:
            email = None if e.email is None else e.email.value
            session.execute(
                insert(people).values(account_id=account_id, name=e.name.value, email=email)
            )
        return
    changes: dict[str, Any] = {"version": e.originator_version, "updated_at": e.timestamp}
    this = accounts.c.id == account_id
    if isinstance(e, Account.PasswordSet):
        session.execute(
            update(people)
            .where(people.c.account_id == account_id)
            .values(password_hash=e.password_hash.value)
        )
    elif isinstance(e, Account.TokenIssued):
        session.execute(
            insert(account_tokens).values(
                token_hash=e.token_hash,
                token_id=e.token_id,
                account_id=account_id,
                kind=e.kind,
                label=e.label,
                issued_at=e.timestamp,
                expires_at=e.expires_at,
            )
        )
    elif isinstance(e, Account.TokenRevoked):
        session.execute(delete(account_tokens).where(account_tokens.c.token_id == e.token_id))
    elif isinstance(e, Account.RoleGranted | Account.RoleRevoked):
        roles: list[str] = session.execute(select(accounts.c.roles).where(this)).scalar_one()
        if isinstance(e, Account.RoleGranted):
            changes["roles"] = [*roles, e.role]
        else:
            changes["roles"] = [r for r in roles if r != e.role]
    elif isinstance(e, Account.Erased):
        session.execute(delete(people).where(people.c.account_id == account_id))
        session.execute(delete(account_tokens).where(account_tokens.c.account_id == account_id))
        changes["status"] = "erased"
    session.execute(update(accounts).where(this).values(changes))


def _rules_columns(rules: dict[str, Any]) -> dict[str, Any]:
    """The vote row's columns that come from its rules."""
    origin = rules.get("origin")
    return {
        "rules": jsonable(rules),
        "question": rules["question"],
        "method": rules["method"],
        "opens_at": rules["opens_at"],
        "closes_at": rules["closes_at"],
        "origin_id": UUID(origin["id"]) if origin else None,
    }


def _charter_text(data: dict[str, Any]) -> CharterText:
    """A charter text from the view's JSON (or a Drafted event's fields)."""
    return CharterText(
        title=data["title"],
        preamble=data["preamble"],
        articles=tuple(Article(int(a["id"]), str(a["text"])) for a in data["articles"]),
    )


def _item(number: int, kind: ItemKind, **fields: Any) -> dict[str, Any]:
    """An agenda item as the meetings view holds it."""
    petition_id = fields.get("petition_id")
    return {
        "number": number,
        "kind": kind.value,
        "title": fields.get("title"),
        "text": fields.get("text"),
        "tabled_by": fields.get("tabled_by"),
        "petition_id": None if petition_id is None else str(petition_id),
        "recused": [],
        "decision_id": None,
    }


def _update_by_id(table: Table) -> Update:
    """An UPDATE of every column of the row whose `id` is the parameter `row_id`."""
    return (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values({c.name: bindparam(c.name) for c in table.c if c.name != "id"})
    )


def _write(
    session: Session,
    insert_rows: Insert,
    update_rows: Update,
    rows: dict[UUID, dict[str, Any]],
    new: set[UUID],
) -> None:
    """Insert the batch's new rows of a view and update its changed ones: two statements."""
    if new:
        session.execute(insert_rows, [rows[i] for i in new])
    changed = rows.keys() - new
    if changed:
        session.execute(update_rows, [_update_parameters(rows[i]) for i in changed])


def _update_parameters(row: dict[str, Any]) -> dict[str, Any]:
    """An UPDATE's parameters: the key travels as `row_id`, not as a column to set."""
    return {"row_id" if k == "id" else k: v for k, v in row.items()}


# The aggregate whose list an event changes, by the attribute that names it: a signature's
# petition, a ballot's vote, a meeting's committee, a comment's or an endorsement's contribution,
# a contribution's or an answer set's consultation. The first class that matches wins.
PARENTS: tuple[tuple[type[CivicAggregate.Event], str], ...] = (
    (Signature.Event, "petition_id"),
    (Ballot.Event, "vote_id"),
    (Meeting.Event, "committee_id"),
    (Comment.Event, "contribution_id"),
    (Endorsement.Event, "contribution_id"),
    (Contribution.Event, "consultation_id"),
    (AnswerSet.Event, "consultation_id"),
)


@dataclass(frozen=True, slots=True)
class AuditKind:
    """What an audit row takes from an event's class: the same for each of its events."""

    type: str  # `event_type`
    aggregate_type: str  # its first part
    parent: str | None  # the attribute naming the parent aggregate (`PARENTS`), if any
    data: Callable[[dict[str, Any]], dict[str, Any]]  # `own_fields`, for this class (`_data`)

    @classmethod
    def of(cls, domain_event: CivicAggregate.Event) -> AuditKind:
        """The kind of the event's class, made from its first event and kept for the others."""
        name = event_type(domain_event)
        parent = next((a for base, a in PARENTS if isinstance(domain_event, base)), None)
        kind = cls(name, name.partition(".")[0], parent, _data(tuple(vars(domain_event))))
        _AUDIT_KINDS[type(domain_event)] = kind
        return kind


def _data(shape: tuple[str, ...]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """`own_fields` for the attributes of a class's events: for those of its first event's
    attributes (`shape`), in the same order (nearly every one), its fields taken by their names,
    in one dict display generated as dataclasses generate `__init__` (a third of the cost of
    testing every attribute's name); for any other, `own_fields` itself. The names are only
    written as string literals (`repr`)."""
    items = "".join(
        f"{name!r}: _value if type(_value := _attributes[{name!r}]) in _PLAIN "
        "else _jsonable(_value), "
        for name in shape
        if name not in ENVELOPE_FIELDS
    )
    source = (
        "def data(_attributes):\n"
        "    if tuple(_attributes) != _SHAPE:\n"
        "        return _own_fields(_attributes)\n"
        f"    return {{{items}}}"
    )
    namespace: dict[str, Any] = {
        "_SHAPE": shape,
        "_PLAIN": _PLAIN,
        "_jsonable": jsonable,
        "_own_fields": own_fields,
    }
    exec(source, namespace)  # noqa: S102  # generated from literals, see above
    return namespace["data"]  # type: ignore[no-any-return]


_AUDIT_KINDS: dict[type, AuditKind] = {}


def audit_columns(
    positions: list[int], domain_events: Sequence[CivicAggregate.Event]
) -> dict[str, list[Any]]:
    """The audit trail's rows for events at `positions`, column by column: a batch's rows are
    written in one statement, and building them a column at a time costs a third less than a
    dictionary per row (the replay binds them column by column too)."""
    kinds = [_AUDIT_KINDS.get(type(e)) or AuditKind.of(e) for e in domain_events]
    return {
        "position": positions,
        "timestamp": [e.timestamp for e in domain_events],
        "aggregate_id": [e.originator_id for e in domain_events],
        "aggregate_type": [kind.aggregate_type for kind in kinds],
        "version": [e.originator_version for e in domain_events],
        "type": [kind.type for kind in kinds],
        "actor": [e.actor for e in domain_events],
        "reason": [e.reason for e in domain_events],
        "correlation_id": [e.correlation_id for e in domain_events],
        "data": [kind.data(e.__dict__) for kind, e in zip(kinds, domain_events, strict=True)],
        "parent_id": [
            None if kind.parent is None else getattr(e, kind.parent)
            for kind, e in zip(kinds, domain_events, strict=True)
        ],
    }


def rows_of(columns: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Rows given column by column, a dictionary each."""
    return [
        dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)
    ]


def audit_row(position: int, domain_event: CivicAggregate.Event) -> dict[str, Any]:
    """The audit trail's row for an event."""
    (row,) = rows_of(audit_columns([position], [domain_event]))
    return row
