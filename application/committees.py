"""Steering committee use cases ("comité de pilotage"): the committee, its members, its meetings
and their decisions; and reading the views.

Commands load, decide and record in one transaction. Inside a meeting the acting account is the
`Cause.actor`: the domain checks, on the meeting's date, that it sits on the committee with the
role the act needs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, Select, or_, select

from application.errors import CommitteeNotFound, DecisionNotFound, MeetingNotFound
from application.ledger import Ledger
from application.pages import Page, read_page
from application.read_models import ReadModels
from application.scope import area_clause, directory_signatory, scope_of
from application.tables import committee_members, committees, decision_answers, decisions, meetings
from application.time_travel import project_as_of
from domain.committee import College, Committee, MemberRole, ServesKind
from domain.events import Cause
from domain.majority import Choice, MajorityRule, QuorumRule
from domain.meeting import Meeting

Clock = Callable[[], datetime]
DECISION_SUMMARY = (
    decisions.c.decision_id,
    decisions.c.meeting_id,
    decisions.c.committee_id,
    decisions.c.adopted,
    decisions.c.decided_at,
)


def decisions_answering(
    engine: Engine, kind: str, answered_id: str, *, until: datetime | None = None
) -> list[dict[str, Any]]:
    """The decisions that answered a petition (or amendment, vote...), oldest first; with
    `until`, only those taken by then."""
    a = decision_answers.c
    query = (
        select(*DECISION_SUMMARY)
        .join(decision_answers, a.decision_id == decisions.c.decision_id)
        .where(a.answered_kind == kind, a.answered_id == answered_id)
        .order_by(decisions.c.position)
    )
    if until is not None:
        query = query.where(decisions.c.decided_at <= until)
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


class CommitteeService:
    """Creating committees, appointing members, running meetings; listing and reading them."""

    def __init__(self, ledger: Ledger, clock: Clock, views: ReadModels) -> None:
        self._ledger = ledger
        self._clock = clock
        self._views = views

    # -- the committee -------------------------------------------------------------------------

    def create(
        self,
        *,
        name: str,
        serves: ServesKind,
        serves_name: str,
        colleges: list[College],
        quorum: QuorumRule,
        majority: MajorityRule,
        cause: Cause,
        territory_id: UUID | None = None,
    ) -> UUID:
        """Create a committee of `territory_id` (by default the platform's territory: see
        `application.scope`) with its colleges and rules; returns its id."""
        with self._ledger.transaction() as session:
            territory_id = scope_of(session.connection(), territory_id)
            committee = Committee.create(
                name=name,
                serves=serves,
                serves_name=serves_name,
                colleges=colleges,
                quorum=quorum,
                majority=majority,
                cause=cause,
                territory_id=territory_id,
            )
            self._ledger.record(committee)
        return committee.id

    def change_rules(
        self, committee_id: UUID, *, quorum: QuorumRule, majority: MajorityRule, cause: Cause
    ) -> None:
        """Set the quorum and majority rules for the decisions taken from now on."""
        with self._ledger.transaction():
            committee = self._committee(committee_id)
            committee.change_rules(quorum=quorum, majority=majority, cause=cause)
            self._ledger.record(committee)

    def appoint(
        self,
        committee_id: UUID,
        *,
        member: str,
        college: str,
        role: MemberRole,
        start: date,
        cause: Cause,
        organisation_id: UUID | None = None,
    ) -> None:
        """Appoint `member` (an account id) to a college with a role from `start`, sitting for
        the directory's organisation `organisation_id` if named (it must be registered)."""
        with self._ledger.transaction() as session:
            committee = self._committee(committee_id)
            if organisation_id is not None:
                directory_signatory(session.connection(), organisation_id)  # 422 if unknown
            committee.appoint(
                member=member,
                college=college,
                role=role,
                start=start,
                cause=cause,
                organisation_id=organisation_id,
            )
            self._ledger.record(committee)

    def depart(self, committee_id: UUID, *, member: str, end: date, cause: Cause) -> None:
        """Record that `member` no longer sits from `end`."""
        with self._ledger.transaction():
            committee = self._committee(committee_id)
            committee.depart(member=member, end=end, cause=cause)
            self._ledger.record(committee)

    # -- meetings ------------------------------------------------------------------------------

    def convene(
        self, committee_id: UUID, *, held_on: date, agenda: list[str], cause: Cause
    ) -> UUID:
        """The chair or secretary convenes a meeting; returns its id."""
        with self._ledger.transaction():
            committee = self._committee(committee_id)
            meeting = Meeting.convene(
                committee=committee, held_on=held_on, agenda=agenda, cause=cause
            )
            self._ledger.record(meeting)
        return meeting.id

    def table_motion(self, meeting_id: UUID, *, title: str, text: str | None, cause: Cause) -> int:
        """A voting member tables a motion; returns its item number."""
        with self._ledger.transaction():
            meeting, committee = self._meeting(meeting_id)
            number = meeting.table_motion(committee=committee, title=title, text=text, cause=cause)
            self._ledger.record(meeting)
        return number

    def take_up_petition(self, meeting_id: UUID, *, petition_id: UUID, cause: Cause) -> int:
        """Put a petition referred to the committee on the agenda; returns its item number."""
        with self._ledger.transaction():
            meeting, committee = self._meeting(meeting_id)
            number = meeting.take_up_petition(
                committee=committee, petition_id=petition_id, cause=cause
            )
            self._ledger.record(meeting)
        return number

    def record_attendance(self, meeting_id: UUID, *, present: list[str], cause: Cause) -> None:
        """Record who is present (replacing the previous list)."""
        with self._ledger.transaction():
            meeting, committee = self._meeting(meeting_id)
            meeting.record_attendance(committee=committee, present=present, cause=cause)
            self._ledger.record(meeting)

    def declare_conflict(self, meeting_id: UUID, *, item: int, cause: Cause) -> None:
        """The acting member declares a conflict of interest on an item and is recused."""
        with self._ledger.transaction():
            meeting, committee = self._meeting(meeting_id)
            meeting.declare_conflict(committee=committee, item=item, cause=cause)
            self._ledger.record(meeting)

    def decide(
        self,
        meeting_id: UUID,
        *,
        item: int,
        votes: Mapping[str, Choice],
        rationale: str,
        answers: list[dict[str, str]],
        cause: Cause,
    ) -> UUID:
        """Record the roll call on an item; returns the decision's id."""
        with self._ledger.transaction():
            meeting, committee = self._meeting(meeting_id)
            meeting.decide(
                committee=committee,
                item=item,
                votes=votes,
                rationale=rationale,
                answers=answers,
                cause=cause,
            )
            self._ledger.record(meeting)
        return meeting.decisions[item].id

    def publish_minutes(self, meeting_id: UUID, *, text: str, cause: Cause) -> None:
        """Publish (or correct, until closure) the minutes."""
        with self._ledger.transaction():
            meeting, committee = self._meeting(meeting_id)
            meeting.publish_minutes(committee=committee, text=text, cause=cause)
            self._ledger.record(meeting)

    def close_meeting(self, meeting_id: UUID, *, cause: Cause) -> None:
        """Close the meeting once its minutes are published."""
        with self._ledger.transaction():
            meeting, committee = self._meeting(meeting_id)
            meeting.close(committee=committee, cause=cause)
            self._ledger.record(meeting)

    # -- queries -------------------------------------------------------------------------------

    def get(self, committee_id: UUID) -> dict[str, Any]:
        """The committee's current view."""
        row = self._row(select(committees).where(committees.c.id == committee_id))
        if row is None:
            raise CommitteeNotFound(committee_id)
        return row

    def as_of(
        self, committee_id: UUID, *, version: int | None = None, instant: datetime | None = None
    ) -> dict[str, Any]:
        """The committee's view right after its version `version`, or as it stood at `instant`
        (now, with neither): its own events projected alone."""
        if version is None and instant is None:
            return self.get(committee_id)
        batch = project_as_of(
            self._views,
            committee_id,
            Committee,
            CommitteeNotFound,
            version=version,
            instant=instant,
        )
        return batch.committees[committee_id]

    def may_organise(self, committee_id: UUID, actor: str) -> bool:
        """Whether `actor` created the committee or sits on it today (an unknown committee: True,
        so that the request goes on to its 404)."""
        m = committee_members.c
        today = self._clock().date()
        sits = (
            select(m.member)
            .where(m.committee_id == committee_id, m.member == actor, m.start <= today)
            .where(or_(m.end.is_(None), m.end > today))
        )
        with self._ledger.engine.connect() as connection:
            created_by = connection.scalar(
                select(committees.c.created_by).where(committees.c.id == committee_id)
            )
            if created_by is None or created_by == actor:
                return True
            return connection.execute(sits.limit(1)).first() is not None

    def list_committees(
        self, *, after: int | None, limit: int, territory_id: UUID | None = None
    ) -> Page:
        """Committees in the order they were created; with `territory_id`, those of its area."""
        query = select(committees)
        if territory_id is not None:
            query = query.where(
                area_clause(self._ledger.engine, committees.c.territory_id, territory_id)
            )
        return read_page(self._ledger.engine, query, committees.c.position, after, limit)

    def members(self, committee_id: UUID, *, as_of: date | None = None) -> list[dict[str, Any]]:
        """Who sat on the committee on `as_of` (today by default), by college then member."""
        self.get(committee_id)
        day = as_of or self._clock().date()
        m = committee_members.c
        query = (
            select(m.member, m.college, m.role, m.start, m.end, m.organisation_id)
            .where(
                m.committee_id == committee_id,
                m.start <= day,
                or_(m.end.is_(None), m.end > day),
            )
            .order_by(m.college, m.member)
        )
        with self._ledger.engine.connect() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    def meetings(self, committee_id: UUID, *, after: int | None, limit: int) -> Page:
        """The committee's meetings in the order they were convened."""
        self.get(committee_id)
        query = select(meetings).where(meetings.c.committee_id == committee_id)
        return read_page(self._ledger.engine, query, meetings.c.position, after, limit)

    def meeting(self, meeting_id: UUID) -> dict[str, Any]:
        """The meeting's view with its decisions, in the order they were taken."""
        row = self._row(select(meetings).where(meetings.c.id == meeting_id))
        if row is None:
            raise MeetingNotFound(meeting_id)
        query = (
            select(decisions)
            .where(decisions.c.meeting_id == meeting_id)
            .order_by(decisions.c.position)
        )
        with self._ledger.engine.connect() as connection:
            row["decisions"] = [dict(r) for r in connection.execute(query).mappings()]
        return row

    def meeting_as_of(
        self, meeting_id: UUID, *, version: int | None = None, instant: datetime | None = None
    ) -> dict[str, Any]:
        """The meeting's view, with the decisions taken by then, right after its version
        `version` or as it stood at `instant` (now, with neither)."""
        if version is None and instant is None:
            return self.meeting(meeting_id)
        batch = project_as_of(
            self._views, meeting_id, Meeting, MeetingNotFound, version=version, instant=instant
        )
        return {**batch.meetings[meeting_id], "decisions": batch.decisions}

    def decision(self, decision_id: UUID) -> dict[str, Any]:
        """One decision, self-contained: votes, counts, rules, quorum, rationale, answers."""
        row = self._row(select(decisions).where(decisions.c.decision_id == decision_id))
        if row is None:
            raise DecisionNotFound(decision_id)
        return row

    def answering(self, kind: str, answered_id: str) -> list[dict[str, Any]]:
        """The decisions that answered a petition (or amendment, vote...), oldest first."""
        return decisions_answering(self._ledger.engine, kind, answered_id)

    def answers(self, decision_id: UUID, kind: str, answered_id: str) -> bool:
        """Whether the decision answered this petition (or amendment, vote...)."""
        a = decision_answers.c
        query = select(a.decision_id).where(
            a.decision_id == decision_id, a.answered_kind == kind, a.answered_id == answered_id
        )
        with self._ledger.engine.connect() as connection:
            return connection.execute(query).first() is not None

    # -- helpers -------------------------------------------------------------------------------

    def _row(self, query: Select[Any]) -> dict[str, Any] | None:
        with self._ledger.engine.connect() as connection:
            row = connection.execute(query).mappings().one_or_none()
        return None if row is None else dict(row)

    def _committee(self, committee_id: UUID) -> Committee:
        committee = self._ledger.get(committee_id, CommitteeNotFound)
        if not isinstance(committee, Committee):  # another aggregate's id: no such committee
            raise CommitteeNotFound(committee_id)
        return committee

    def _meeting(self, meeting_id: UUID) -> tuple[Meeting, Committee]:
        meeting = self._ledger.get(meeting_id, MeetingNotFound)
        if not isinstance(meeting, Meeting):  # another aggregate's id: no such meeting
            raise MeetingNotFound(meeting_id)
        return meeting, self._committee(meeting.committee_id)
