"""Projects the consultations' events into their views: each event is written at once, in order.

A consultation's events are a few per participant (a contribution, a comment, an endorsement, an
answer set), far fewer than signatures or ballots, so each is one or two statements; counts move
with expressions (`count + 1`), with no read. `ReadModels._apply` calls `apply_consultation_event`
for every event of `CONSULTATION_EVENTS`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from application.store import scratch_engine
from application.tables import (
    consultation_answers,
    consultation_comments,
    consultation_contributions,
    consultations,
    metadata,
)
from domain.consultation import Consultation, Phase, Schedule
from domain.consultation_answers import AnswerSet
from domain.consultation_contribution import Comment, Contribution, Endorsement

VIEWS = (consultations, consultation_contributions, consultation_comments, consultation_answers)
CONSULTATION_EVENTS = (
    Consultation.Event,
    Contribution.Event,
    Comment.Event,
    Endorsement.Event,
    AnswerSet.Event,
)

ConsultationEvent = (
    Consultation.Event | Contribution.Event | Comment.Event | Endorsement.Event | AnswerSet.Event
)


def schedule_of(row: dict[str, Any]) -> Schedule:
    """The schedule a consultations row describes, early changes included."""
    return Schedule(
        opens_at=row["opens_at"],
        phases=tuple(Phase.from_event(p) for p in row["phases"]),
        advances=tuple(
            (datetime.fromisoformat(a["at"]), int(a["to_phase"])) for a in row["advances"]
        ),
    )


def apply_consultation_event(session: Session, position: int, e: ConsultationEvent) -> None:
    """Write what the event changes in the consultation views."""
    if isinstance(e, Consultation.Event):
        _apply_consultation(session, position, e)
    elif isinstance(e, Contribution.Event):
        _apply_contribution(session, position, e)
    elif isinstance(e, Comment.Event):
        _apply_comment(session, position, e)
    elif isinstance(e, Endorsement.Event):
        step = -1 if isinstance(e, Endorsement.Withdrawn) else 1
        _count(session, consultation_contributions, e.contribution_id, endorsement_count=step)
    else:
        _apply_answer_set(session, position, e)


def _apply_consultation(session: Session, position: int, e: Consultation.Event) -> None:
    this = consultations.c.id == e.originator_id
    changes: dict[str, Any] = {"version": e.originator_version, "updated_at": e.timestamp}
    if isinstance(e, Consultation.Drafted):
        phases = [Phase.from_event(p) for p in e.phases]
        schedule = Schedule(e.opens_at, tuple(phases))
        session.execute(
            insert(consultations).values(
                id=e.originator_id,
                position=position,
                title=e.title,
                description=e.description,
                territory=e.territory,
                territory_id=e.territory_id,
                committee_id=e.committee_id,
                opens_at=e.opens_at,
                phases=[
                    {
                        "number": number,
                        "name": p.name,
                        "starts_at": schedule.starts_at(number).isoformat(),
                        "ends_at": p.ends_at.isoformat(),
                        "allows": sorted(p.allows),
                    }
                    for number, p in enumerate(phases, start=1)
                ],
                advances=[],
                questions=e.questions,
                closes_at=schedule.closes_at,
                response_days=e.response_days,
                response_due_at=schedule.closes_at + timedelta(days=e.response_days),
                contribution_count=0,
                hidden_count=0,
                answer_count=0,
                synthesis=None,
                synthesis_outcomes=None,
                synthesised_at=None,
                response=None,
                response_decision_ids=None,
                responded_at=None,
                drafted_by=e.actor,
                drafted_at=e.timestamp,
                **changes,
            )
        )
        return
    if isinstance(e, Consultation.PhaseAdvanced):
        row = session.execute(
            select(
                consultations.c.advances, consultations.c.phases, consultations.c.response_days
            ).where(this)
        ).one()
        advance = {
            "at": e.timestamp.isoformat(),
            "from_phase": e.from_phase,
            "to_phase": e.to_phase,
            "reason": e.reason,
        }
        changes["advances"] = [*row.advances, advance]
        if e.to_phase == len(row.phases) + 1:  # closed early
            changes["closes_at"] = e.timestamp
            changes["response_due_at"] = e.timestamp + timedelta(days=row.response_days)
    elif isinstance(e, Consultation.SynthesisPublished):
        changes.update(synthesis=e.text, synthesis_outcomes=e.outcomes, synthesised_at=e.timestamp)
        if e.outcomes:
            c = consultation_contributions.c
            session.execute(
                update(consultation_contributions)
                .where(c.id == bindparam("row_id"))
                .values(outcome=bindparam("outcome"), outcome_reason=bindparam("reason")),
                [
                    {
                        "row_id": UUID(o["contribution_id"]),
                        "outcome": o["outcome"],
                        "reason": o["reason"],
                    }
                    for o in e.outcomes
                ],
            )
    elif isinstance(e, Consultation.Responded):
        changes.update(
            response=e.text, response_decision_ids=e.decision_ids, responded_at=e.timestamp
        )
    session.execute(update(consultations).where(this).values(changes))


def _apply_contribution(session: Session, position: int, e: Contribution.Event) -> None:
    if isinstance(e, Contribution.Submitted):
        session.execute(
            insert(consultation_contributions).values(
                id=e.originator_id,
                consultation_id=e.consultation_id,
                position=position,
                kind=e.kind,
                title=e.title,
                text=e.text,
                themes=e.themes,
                author=e.actor,
                submitted_at=e.timestamp,
                hidden=False,
                hidden_reason=None,
                moderation=[],
                endorsement_count=0,
                comment_count=0,
                outcome=None,
                outcome_reason=None,
                version=e.originator_version,
                updated_at=e.timestamp,
            )
        )
        _count(session, consultations, e.consultation_id, contribution_count=1)
        return
    hide = isinstance(e, Contribution.Hidden)
    _moderate(session, consultation_contributions, e.originator_id, e, hide=hide)
    step = -1 if hide else 1
    _count(session, consultations, e.consultation_id, contribution_count=step, hidden_count=-step)


def _apply_comment(session: Session, position: int, e: Comment.Event) -> None:
    if isinstance(e, Comment.Posted):
        session.execute(
            insert(consultation_comments).values(
                id=e.originator_id,
                consultation_id=e.consultation_id,
                contribution_id=e.contribution_id,
                position=position,
                text=e.text,
                author=e.actor,
                posted_at=e.timestamp,
                hidden=False,
                hidden_reason=None,
                moderation=[],
                version=e.originator_version,
                updated_at=e.timestamp,
            )
        )
        _count(session, consultation_contributions, e.contribution_id, comment_count=1)
        return
    hide = isinstance(e, Comment.Hidden)
    _moderate(session, consultation_comments, e.originator_id, e, hide=hide)
    _count(session, consultation_contributions, e.contribution_id, comment_count=-1 if hide else 1)


def _apply_answer_set(session: Session, position: int, e: AnswerSet.Event) -> None:
    if isinstance(e, AnswerSet.Submitted):
        this = consultations.c.id == e.consultation_id
        count = session.execute(select(consultations.c.answer_count).where(this)).scalar_one()
        session.execute(
            insert(consultation_answers).values(
                id=e.originator_id,
                consultation_id=e.consultation_id,
                respondent=count + 1,
                position=position,
                participant=e.participant,
                answers=e.answers,
                submitted_at=e.timestamp,
                version=e.originator_version,
                updated_at=e.timestamp,
            )
        )
        session.execute(update(consultations).where(this).values(answer_count=count + 1))
        return
    assert isinstance(e, AnswerSet.Replaced)
    session.execute(
        update(consultation_answers)
        .where(consultation_answers.c.id == e.originator_id)
        .values(answers=e.answers, version=e.originator_version, updated_at=e.timestamp)
    )


def _moderate(
    session: Session,
    table: Table,
    item_id: UUID,
    e: Contribution.Event | Comment.Event,
    *,
    hide: bool,
) -> None:
    """Hide or show again a contribution or comment, adding the step to its moderation record."""
    this = table.c.id == item_id
    record = session.execute(select(table.c.moderation).where(this)).scalar_one()
    step = {
        "action": "hidden" if hide else "unhidden",
        "reason": e.reason,
        "at": e.timestamp.isoformat(),
    }
    session.execute(
        update(table)
        .where(this)
        .values(
            hidden=hide,
            hidden_reason=e.reason if hide else None,
            moderation=[*record, step],
            version=e.originator_version,
            updated_at=e.timestamp,
        )
    )


def _count(session: Session, table: Table, row_id: UUID, **steps: int) -> None:
    """Move the row's counts by `steps` (column name -> change), in the database."""
    values = {name: table.c[name] + step for name, step in steps.items()}
    session.execute(update(table).where(table.c.id == row_id).values(values))


def project_alone(events: Iterable[tuple[int, ConsultationEvent]]) -> dict[str, Any]:
    """The consultation's row as these events (its own and its contributions' and answer sets',
    in log order) make it: the projection above, run on a scratch database of its own. How
    `?version` and `?as_of` show a consultation as it stood."""
    engine = scratch_engine()
    try:
        metadata.create_all(engine, tables=list(VIEWS))
        with Session(engine) as session:
            for position, e in events:
                apply_consultation_event(session, position, e)
            return dict(session.execute(select(consultations)).mappings().one())
    finally:
        engine.dispose()
