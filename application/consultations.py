"""Consultation use cases ("concertation"): drafting, the phase schedule, contributions, comments,
endorsements, answer sets, moderation, synthesis and official response; and reading the views.

What a reader sees follows one rule, `Reader.sees`: an item hidden by moderation is left out of
every view but for its author (who sees why) and for moderators and auditors (who see all). The
running phase is computed from the schedule and the clock at each read and each command.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from sqlalchemy import ColumnElement, Select, Table, false, or_, select, true

from application.consultation_views import CONSULTATION_EVENTS, project_alone, schedule_of
from application.errors import (
    AnswerSetNotFound,
    CommentNotFound,
    ConsultationNotFound,
    ContributionNotFound,
)
from application.ledger import Ledger
from application.pages import Page, read_page
from application.scope import area_clause, scope_of
from application.tables import (
    audit_events,
    committees,
    consultation_answers,
    consultation_comments,
    consultation_contributions,
    consultations,
    decisions,
    territories,
)
from application.time_travel import locate, log_events, require_aware
from domain.consultation import (
    Consultation,
    InvalidConsultation,
    InvalidResponse,
    InvalidSynthesis,
    Outcome,
    Phase,
    status_of,
)
from domain.consultation_answers import AnswerSet, answer_set_id
from domain.consultation_contribution import (
    Comment,
    Contribution,
    ContributionKind,
    Endorsement,
    NotEndorsed,
    endorsement_id,
)
from domain.consultation_questions import Question, question_results
from domain.events import Cause

Clock = Callable[[], datetime]
A = TypeVar("A")


@dataclass(frozen=True, slots=True)
class Reader:
    """Who reads: an account (None: anonymous), and whether moderation hides nothing from it
    (moderators and auditors)."""

    account: str | None = None
    sees_hidden: bool = False

    def sees(self, table: Table) -> ColumnElement[bool]:
        """The rule, as SQL: the item is not hidden, or this reader sees hidden items, or wrote
        it."""
        if self.sees_hidden:
            return true()
        mine = table.c.author == self.account if self.account is not None else false()
        return or_(table.c.hidden.is_(False), mine)


class ConsultationService:
    """Running consultations and taking part in them; listing and reading them."""

    def __init__(self, ledger: Ledger, clock: Clock) -> None:
        self._ledger = ledger
        self._clock = clock

    # -- organisers ------------------------------------------------------------------------------

    def draft(
        self,
        *,
        title: str,
        description: str,
        territory: str | None,
        committee_id: UUID,
        opens_at: datetime,
        phases: list[Phase],
        questions: list[Question],
        response_days: int,
        cause: Cause,
        territory_id: UUID | None = None,
    ) -> UUID:
        """Draft a consultation run by an existing committee, in `territory_id` (by default the
        platform's territory: see `application.scope`); `territory` is its name unless given
        in other words. Returns its id."""
        with self._ledger.transaction() as session:
            connection = session.connection()
            territory_id = scope_of(connection, territory_id)
            if territory_id is not None and territory is None:
                territory = connection.scalar(
                    select(territories.c.name).where(territories.c.id == territory_id)
                )
            if territory is None:
                raise InvalidConsultation("name the territory the consultation concerns")
            consultation = Consultation.draft(
                title=title,
                description=description,
                territory=territory,
                committee_id=committee_id,
                opens_at=opens_at,
                phases=phases,
                questions=questions,
                response_days=response_days,
                cause=cause,
                now=self._clock(),
                territory_id=territory_id,
            )
            known = connection.scalar(
                select(committees.c.id).where(committees.c.id == committee_id)
            )
            if known is None:
                raise InvalidConsultation(f"no committee has the id {committee_id}")
            self._ledger.record(consultation)
        return consultation.id

    def advance_phase(self, consultation_id: UUID, *, cause: Cause) -> int:
        """Begin the next phase now (after the last: close), with the cause's reason; returns the
        number of the phase now running."""
        with self._ledger.transaction():
            consultation = self._consultation(consultation_id)
            number = consultation.advance_phase(cause=cause, now=self._clock())
            self._ledger.record(consultation)
        return number

    def publish_synthesis(
        self, consultation_id: UUID, *, text: str, outcomes: list[Outcome], cause: Cause
    ) -> None:
        """Publish the synthesis of a closed consultation; each outcome names one of its
        contributions."""
        with self._ledger.transaction():
            consultation = self._consultation(consultation_id)
            named = {o.contribution_id for o in outcomes}
            c = consultation_contributions.c
            with self._ledger.engine.connect() as connection:
                known = set(
                    connection.scalars(
                        select(c.id).where(c.consultation_id == consultation_id, c.id.in_(named))
                    )
                )
            unknown = sorted(str(i) for i in named - known)
            if unknown:
                raise InvalidSynthesis(
                    f"no contribution to this consultation has the id {', '.join(unknown)}"
                )
            consultation.publish_synthesis(
                text=text, outcomes=outcomes, cause=cause, now=self._clock()
            )
            self._ledger.record(consultation)

    def respond(
        self, consultation_id: UUID, *, text: str, decision_ids: list[UUID], cause: Cause
    ) -> None:
        """Record the official response, citing decisions of the consultation's committee."""
        with self._ledger.transaction():
            consultation = self._consultation(consultation_id)
            d = decisions.c
            with self._ledger.engine.connect() as connection:
                known = set(
                    connection.scalars(
                        select(d.decision_id).where(
                            d.decision_id.in_(decision_ids),
                            d.committee_id == consultation.committee_id,
                        )
                    )
                )
            unknown = sorted(str(i) for i in set(decision_ids) - known)
            if unknown:
                raise InvalidResponse(
                    f"no decision of the consultation's committee has the id {', '.join(unknown)}"
                )
            consultation.respond(text=text, decision_ids=decision_ids, cause=cause)
            self._ledger.record(consultation)

    # -- participants ----------------------------------------------------------------------------

    def contribute(
        self,
        consultation_id: UUID,
        *,
        kind: ContributionKind,
        title: str,
        text: str,
        themes: list[str],
        cause: Cause,
    ) -> UUID:
        """Submit a proposal or observation by the cause's actor; returns its id."""
        with self._ledger.transaction():
            contribution = Contribution.submit(
                consultation=self._consultation(consultation_id),
                kind=kind,
                title=title,
                text=text,
                themes=themes,
                cause=cause,
                now=self._clock(),
            )
            self._ledger.record(contribution)
        return contribution.id

    def comment(
        self, consultation_id: UUID, contribution_id: UUID, *, text: str, cause: Cause
    ) -> UUID:
        """Comment on a visible contribution; returns the comment's id."""
        with self._ledger.transaction():
            comment = Comment.post(
                consultation=self._consultation(consultation_id),
                contribution=self._contribution(consultation_id, contribution_id),
                text=text,
                cause=cause,
                now=self._clock(),
            )
            self._ledger.record(comment)
        return comment.id

    def endorse(
        self, consultation_id: UUID, contribution_id: UUID, *, participant: str, cause: Cause
    ) -> None:
        """`participant` endorses a visible contribution, once (again after a withdrawal)."""
        with self._ledger.transaction():
            consultation = self._consultation(consultation_id)
            contribution = self._contribution(consultation_id, contribution_id)
            now = self._clock()
            try:
                endorsement: Endorsement = self._ledger.repository.get(
                    endorsement_id(contribution_id, participant)
                )
            except AggregateNotFoundError:
                endorsement = Endorsement.give(
                    consultation=consultation,
                    contribution=contribution,
                    participant=participant,
                    cause=cause,
                    now=now,
                )
            else:
                endorsement.give_again(
                    consultation=consultation, contribution=contribution, cause=cause, now=now
                )
            self._ledger.record(endorsement)

    def withdraw_endorsement(
        self, consultation_id: UUID, contribution_id: UUID, *, participant: str, cause: Cause
    ) -> None:
        """`participant` withdraws an endorsement, while the phase takes endorsements."""
        with self._ledger.transaction():
            consultation = self._consultation(consultation_id)
            self._contribution(consultation_id, contribution_id)
            try:
                endorsement: Endorsement = self._ledger.repository.get(
                    endorsement_id(contribution_id, participant)
                )
            except AggregateNotFoundError:
                raise NotEndorsed("you do not endorse this contribution") from None
            endorsement.withdraw(consultation=consultation, cause=cause, now=self._clock())
            self._ledger.record(endorsement)

    def answer(
        self, consultation_id: UUID, *, participant: str, answers: dict[str, Any], cause: Cause
    ) -> bool:
        """Submit or replace `participant`'s answer set; True if it replaced one."""
        with self._ledger.transaction():
            consultation = self._consultation(consultation_id)
            now = self._clock()
            try:
                answer_set: AnswerSet = self._ledger.repository.get(
                    answer_set_id(consultation_id, participant)
                )
            except AggregateNotFoundError:
                answer_set = AnswerSet.submit(
                    consultation=consultation,
                    participant=participant,
                    answers=answers,
                    cause=cause,
                    now=now,
                )
                replaced = False
            else:
                answer_set.replace(consultation=consultation, answers=answers, cause=cause, now=now)
                replaced = True
            self._ledger.record(answer_set)
        return replaced

    # -- moderators ------------------------------------------------------------------------------

    def moderate_contribution(
        self, consultation_id: UUID, contribution_id: UUID, *, hide: bool, cause: Cause
    ) -> None:
        """Hide a contribution, or show it again, with the cause's reason."""
        with self._ledger.transaction():
            self._consultation(consultation_id)
            contribution = self._contribution(consultation_id, contribution_id)
            contribution.moderate(hide=hide, cause=cause)
            self._ledger.record(contribution)

    def moderate_comment(
        self, consultation_id: UUID, comment_id: UUID, *, hide: bool, cause: Cause
    ) -> UUID:
        """Hide a comment, or show it again, with the cause's reason; returns the id of the
        contribution it comments."""
        with self._ledger.transaction():
            self._consultation(consultation_id)
            comment = self._load(comment_id, Comment, CommentNotFound)
            if comment.consultation_id != consultation_id:
                raise CommentNotFound(comment_id)
            comment.moderate(hide=hide, cause=cause)
            self._ledger.record(comment)
        return comment.contribution_id

    # -- queries ---------------------------------------------------------------------------------

    def get(self, consultation_id: UUID) -> dict[str, Any]:
        """The consultation's view, with its phase and status now and whether its response is
        overdue."""
        row = self._row(select(consultations).where(consultations.c.id == consultation_id))
        if row is None:
            raise ConsultationNotFound(consultation_id)
        return self._present(row)

    def as_of(
        self,
        consultation_id: UUID,
        *,
        version: int | None = None,
        instant: datetime | None = None,
    ) -> dict[str, Any]:
        """The consultation's view right after its version `version`, or as it stood at
        `instant` (now, with neither): its own events and its contributions' and answer sets'
        up to there, through the projection; its phase and status as they were then."""
        if version is None and instant is None:
            return self.get(consultation_id)
        c = audit_events.c
        with self._ledger.engine.connect() as connection:
            recorded = locate(
                connection,
                consultation_id,
                version=version,
                as_of=instant,
                kind=Consultation,
                unknown=ConsultationNotFound,
            )
            if instant is None:
                then = c.position <= recorded.position
            else:
                then = c.timestamp <= require_aware(instant)
            mine = (c.aggregate_id == consultation_id) & (c.version <= recorded.version)
            theirs = (c.parent_id == consultation_id) & then
            events = []
            for position, e in log_events(self._ledger, connection, or_(mine, theirs)):
                assert isinstance(e, CONSULTATION_EVENTS)  # what names the consultation, or it
                events.append((position, e))
        row = project_alone(events)
        return self._present(row, at=recorded.timestamp if instant is None else instant)

    def committee_of(self, consultation_id: UUID) -> UUID | None:
        """The committee that runs the consultation (None: no such consultation)."""
        with self._ledger.engine.connect() as connection:
            committee_id: UUID | None = connection.scalar(
                select(consultations.c.committee_id).where(consultations.c.id == consultation_id)
            )
        return committee_id

    def list_consultations(
        self, *, overdue: bool, after: int | None, limit: int, territory_id: UUID | None = None
    ) -> Page:
        """Consultations in the order drafted; with `overdue`, only those whose official
        response is due and missing; with `territory_id`, those of its area."""
        query = select(consultations)
        if territory_id is not None:
            query = query.where(
                area_clause(self._ledger.engine, consultations.c.territory_id, territory_id)
            )
        if overdue:
            c = consultations.c
            query = query.where(c.responded_at.is_(None), c.response_due_at <= self._clock())
        page = read_page(self._ledger.engine, query, consultations.c.position, after, limit)
        return Page(items=[self._present(r) for r in page.items], next=page.next)

    def contributions(
        self,
        consultation_id: UUID,
        *,
        reader: Reader,
        mine: bool = False,
        theme: str | None = None,
        after: int | None,
        limit: int,
    ) -> Page:
        """The contributions `reader` may see, in the order submitted; with `mine`, only the
        reader's own (hidden ones included, with the reason)."""
        self.get(consultation_id)
        c = consultation_contributions.c
        query = select(consultation_contributions).where(
            c.consultation_id == consultation_id, reader.sees(consultation_contributions)
        )
        if mine:
            query = query.where(c.author == reader.account if reader.account else false())
        if theme is None:
            return read_page(self._ledger.engine, query, c.position, after, limit)
        # Themes are a JSON list: filtered here, the same on both backends, page after page.
        items: list[dict[str, Any]] = []
        while True:
            page = read_page(self._ledger.engine, query, c.position, after, limit)
            for row in page.items:
                if theme in row["themes"]:
                    items.append(row)
                if len(items) == limit:
                    last = page.items[-1]["position"]
                    more = row["position"] != last or page.next is not None
                    return Page(items=items, next=row["position"] if more else None)
            if page.next is None:
                return Page(items=items, next=None)
            after = page.next

    def contribution(
        self, consultation_id: UUID, contribution_id: UUID, *, reader: Reader
    ) -> dict[str, Any]:
        """One contribution, if `reader` may see it (a hidden one is not found, but by its
        author, moderators and auditors)."""
        c = consultation_contributions.c
        row = self._row(
            select(consultation_contributions).where(
                c.id == contribution_id,
                c.consultation_id == consultation_id,
                reader.sees(consultation_contributions),
            )
        )
        if row is None:
            self.get(consultation_id)
            raise ContributionNotFound(contribution_id)
        return row

    def comments(
        self, consultation_id: UUID, contribution_id: UUID, *, reader: Reader
    ) -> list[dict[str, Any]]:
        """The comments on a contribution that `reader` may see, in the order posted."""
        self.contribution(consultation_id, contribution_id, reader=reader)
        c = consultation_comments.c
        query = (
            select(consultation_comments)
            .where(c.contribution_id == contribution_id, reader.sees(consultation_comments))
            .order_by(c.position)
        )
        with self._ledger.engine.connect() as connection:
            return [dict(r) for r in connection.execute(query).mappings()]

    def answers_of(self, consultation_id: UUID, participant: str) -> dict[str, Any]:
        """`participant`'s answer set standing now."""
        self.get(consultation_id)
        a = consultation_answers.c
        row = self._row(
            select(a.answers, a.submitted_at, a.updated_at, a.version).where(
                a.id == answer_set_id(consultation_id, participant)
            )
        )
        if row is None:
            raise AnswerSetNotFound(consultation_id)
        return row

    def results(self, consultation_id: UUID) -> dict[str, Any]:
        """Per question: counts, a scale's distribution, a ranking's order, from the answer
        sets standing now."""
        view = self.get(consultation_id)
        a = consultation_answers.c
        query = select(a.answers).where(a.consultation_id == consultation_id)
        with self._ledger.engine.connect() as connection:
            answer_sets = list(connection.scalars(query))
        questions = [Question.from_event(q) for q in view["questions"]]
        return {
            "consultation_id": consultation_id,
            "respondents": len(answer_sets),
            "questions": [
                question_results(q, [s[q.id] for s in answer_sets if q.id in s], len(answer_sets))
                for q in questions
            ],
        }

    # -- helpers ---------------------------------------------------------------------------------

    def _present(self, row: dict[str, Any], *, at: datetime | None = None) -> dict[str, Any]:
        """The row with what the clock decides (now, or `at`): the phase running, the status,
        whether the response is overdue."""
        now = self._clock() if at is None else at
        schedule = schedule_of(row)
        number = schedule.number_at(now)
        phase = schedule.phase_at(now)
        synthesised, responded = row["synthesised_at"] is not None, row["responded_at"] is not None
        return {
            **row,
            "status": status_of(schedule, now, synthesised=synthesised, responded=responded).value,
            "phase": number,
            "phase_name": None if phase is None else phase.name,
            "allows_now": [] if phase is None else sorted(phase.allows),
            "overdue": not responded and row["response_due_at"] <= now,
        }

    def _row(self, query: Select[Any]) -> dict[str, Any] | None:
        with self._ledger.engine.connect() as connection:
            row = connection.execute(query).mappings().one_or_none()
        return None if row is None else dict(row)

    def _load(self, aggregate_id: UUID, kind: type[A], not_found: Callable[[UUID], Exception]) -> A:
        aggregate = self._ledger.get(aggregate_id, not_found)
        if not isinstance(aggregate, kind):  # another aggregate's id: not found
            raise not_found(aggregate_id)
        return aggregate

    def _consultation(self, consultation_id: UUID) -> Consultation:
        return self._load(consultation_id, Consultation, ConsultationNotFound)

    def _contribution(self, consultation_id: UUID, contribution_id: UUID) -> Contribution:
        contribution = self._load(contribution_id, Contribution, ContributionNotFound)
        if contribution.consultation_id != consultation_id:
            raise ContributionNotFound(contribution_id)
        return contribution
