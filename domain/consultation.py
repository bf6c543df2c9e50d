"""The consultation ("concertation"): a territory's people are asked what they need before a
decision, in dated phases, and the process ends with a synthesis and an official response
("retour aux citoyens") citing the committee decisions that followed.

The phases follow one another: the first opens at `opens_at`, each ends when the next begins.
Which phase runs is a function of the clock and of the early changes recorded ("by decision,
with a reason"), so no process has to move the schedule on. Phase numbers count from 1; 0 is
before the opening and n + 1 the closure. Contributions, comments, endorsements and answer sets
are separate small aggregates (`consultation_contribution.py`, `consultation_answers.py`): the
consultation stays small however many people take part.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.consultation_questions import Question, validate_answers, validate_questions
from domain.errors import IllegalTransition, InvalidCommand, ReasonRequired
from domain.events import REASON_MAX, Cause, CivicAggregate, event_time
from domain.text import check_text

TITLE_MAX = 200
DESCRIPTION_MAX = 20_000
TERRITORY_MAX = 200
PHASE_NAME_MAX = 100
PHASES_MAX = 10
RESPONSE_DAYS_MAX = 365
SYNTHESIS_MAX = 50_000
RESPONSE_MAX = 20_000
OUTCOMES_MAX = 10_000
DECISIONS_MAX = 50
HORIZON = timedelta(days=3653)  # ten years: later is a typo, not a plan

# The consultation's errors, under the tree of `domain.errors`:
#   InvalidCommand (422): InvalidConsultation, InvalidSynthesis, InvalidResponse
#       (and ReasonRequired for an early phase change without a reason)
#   IllegalTransition (409): NotAllowedNow, AlreadyClosed, NotClosed, AlreadySynthesised,
#       SynthesisRequired, ConsultationAnswered


class InvalidConsultation(InvalidCommand):
    """A title, description, territory, schedule or deadline that cannot make a consultation."""


class InvalidSynthesis(InvalidCommand):
    """A synthesis without a text, or whose outcomes name a contribution twice or not of it."""


class InvalidResponse(InvalidCommand):
    """A response without a text, or citing no decision, or one that is not the committee's."""


class NotAllowedNow(IllegalTransition):
    """The phase running now does not allow this (or the consultation is not open)."""


class AlreadyClosed(IllegalTransition):
    """The consultation is closed: no phase is left to move on to."""


class NotClosed(IllegalTransition):
    """The synthesis is published once the consultation is closed."""


class AlreadySynthesised(IllegalTransition):
    """The synthesis is published once."""


class SynthesisRequired(IllegalTransition):
    """The official response follows the synthesis."""


class ConsultationAnswered(IllegalTransition):
    """The consultation already has its official response."""


class Activity(StrEnum):
    """What a phase lets participants do; a phase that allows none is for information only."""

    CONTRIBUTIONS = "contributions"
    COMMENTS = "comments"
    ENDORSEMENTS = "endorsements"
    ANSWERS = "answers"


class OutcomeKind(StrEnum):
    """What the synthesis did with a contribution."""

    TAKEN_UP = "taken_up"  # "retenue"
    MERGED = "merged"  # "fusionnée" with others
    SET_ASIDE = "set_aside"  # "écartée"


class Status(StrEnum):
    """Where a consultation stands at a given instant."""

    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"
    SYNTHESISED = "synthesised"
    ANSWERED = "answered"


@dataclass(frozen=True, slots=True)
class Phase:
    """A phase: its name, when it ends (it starts when the previous one ends) and what it
    allows."""

    name: str
    ends_at: datetime
    allows: frozenset[Activity] = frozenset()

    def as_event(self) -> dict[str, Any]:
        """The phase as the Drafted event holds it."""
        return {"name": self.name, "ends_at": self.ends_at, "allows": sorted(self.allows)}

    @classmethod
    def from_event(cls, data: dict[str, Any]) -> Phase:
        """The phase back from event (or view) data."""
        ends_at = data["ends_at"]
        if isinstance(ends_at, str):  # as a view's JSON holds it
            ends_at = datetime.fromisoformat(ends_at)
        return cls(data["name"], ends_at, frozenset(Activity(a) for a in data["allows"]))


@dataclass(frozen=True, slots=True)
class Schedule:
    """The phases as drafted and the early changes recorded: which phase runs when."""

    opens_at: datetime
    phases: tuple[Phase, ...]
    advances: tuple[tuple[datetime, int], ...] = ()  # (when, the phase number reached early)

    @property
    def closure(self) -> int:
        """The number that stands for the closure: n + 1."""
        return len(self.phases) + 1

    def number_at(self, when: datetime) -> int:
        """The phase running at `when`: 0 before the opening, 1..n, n + 1 once closed."""
        scheduled = 0
        if when >= self.opens_at:
            scheduled = next(
                (n for n, p in enumerate(self.phases, start=1) if when < p.ends_at), self.closure
            )
        early = max((number for at, number in self.advances if at <= when), default=0)
        return max(scheduled, early)

    def phase_at(self, when: datetime) -> Phase | None:
        """The phase running at `when`, None before the opening and once closed."""
        number = self.number_at(when)
        return self.phases[number - 1] if 1 <= number <= len(self.phases) else None

    def allows(self, activity: Activity, when: datetime) -> bool:
        """Whether the phase running at `when` allows `activity`."""
        phase = self.phase_at(when)
        return phase is not None and activity in phase.allows

    @property
    def closes_at(self) -> datetime:
        """When it closes (or closed): early by a recorded change, else when the last phase
        ends."""
        early = [at for at, number in self.advances if number == self.closure]
        return min([*early, self.phases[-1].ends_at])

    def starts_at(self, number: int) -> datetime:
        """When phase `number` started (or is to start), early changes included."""
        scheduled = self.opens_at if number == 1 else self.phases[number - 2].ends_at
        early = [at for at, reached in self.advances if reached >= number]
        return min([*early, scheduled])

    def check_allows(self, activity: Activity, when: datetime) -> None:
        """Raise `NotAllowedNow` unless the phase running at `when` allows `activity`."""
        if self.allows(activity, when):
            return
        number = self.number_at(when)
        if number == 0:
            raise NotAllowedNow(f"the consultation opens at {self.opens_at.isoformat()}")
        if number == self.closure:
            raise NotAllowedNow(f"the consultation is closed: no more {activity}")
        phase = self.phases[number - 1]
        allowed = ", ".join(sorted(phase.allows)) or "information only"
        raise NotAllowedNow(f"the phase « {phase.name} » does not allow {activity} ({allowed})")


def validate_schedule(opens_at: datetime, phases: list[Phase], now: datetime) -> None:
    """Raise `InvalidConsultation` unless the phases follow one another and end in the future."""
    if not 1 <= len(phases) <= PHASES_MAX:
        raise InvalidConsultation(f"a consultation has 1 to {PHASES_MAX} phases")
    if opens_at.utcoffset() is None or any(p.ends_at.utcoffset() is None for p in phases):
        raise InvalidConsultation("the dates must state their time zone")
    start = opens_at
    for number, phase in enumerate(phases, start=1):
        check_text(
            phase.name, what="a phase's name", max_length=PHASE_NAME_MAX, error=InvalidConsultation
        )
        if phase.ends_at <= start:
            raise InvalidConsultation(f"phase {number} must end after it starts")
        start = phase.ends_at
    if phases[-1].ends_at <= now:
        raise InvalidConsultation("the last phase must end in the future")
    if phases[-1].ends_at > now + HORIZON:
        raise InvalidConsultation("the consultation must end within ten years")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the synthesis did with one contribution, and why."""

    contribution_id: UUID
    outcome: OutcomeKind
    reason: str

    def as_event(self) -> dict[str, str]:
        """The outcome as the SynthesisPublished event holds it."""
        return {
            "contribution_id": str(self.contribution_id),
            "outcome": self.outcome.value,
            "reason": self.reason,
        }


class Consultation(CivicAggregate):
    """A consultation's own history: drafted, phases changed early, synthesis, response."""

    class Event(CivicAggregate.Event):
        """Any event of a consultation."""

    class Drafted(Event, CivicAggregate.Created):
        """Drafted with its schedule and questionnaire; `response_days` after the closure the
        official response is due."""

        title: str
        description: str
        class_version = 2
        territory: str
        committee_id: UUID
        opens_at: datetime
        phases: list[dict[str, Any]]
        questions: list[dict[str, Any]]
        response_days: int
        territory_id: UUID | None  # `territory` is then its name

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Consultations drafted before territories name theirs only in words."""
            state["territory_id"] = None

    class PhaseAdvanced(Event):
        """The next phase began early (`to_phase` n + 1: closed early); the reason is the
        event's."""

        from_phase: int
        to_phase: int

    class SynthesisPublished(Event):
        """The organisers' synthesis, with what became of the contributions it names."""

        text: str
        outcomes: list[dict[str, str]]

    class Responded(Event):
        """The official response ("retour"), citing the decisions that implement it."""

        text: str
        decision_ids: list[str]

    # -- drafting --------------------------------------------------------------------------------

    @classmethod
    def draft(
        cls,
        *,
        title: str,
        description: str,
        territory: str,
        committee_id: UUID,
        opens_at: datetime,
        phases: list[Phase],
        questions: list[Question],
        response_days: int,
        cause: Cause,
        now: datetime,
        territory_id: UUID | None = None,
    ) -> Consultation:
        """Draft a consultation run by the committee `committee_id` for `territory`."""
        check_text(title, what="the title", max_length=TITLE_MAX, error=InvalidConsultation)
        check_text(
            description,
            what="the description",
            max_length=DESCRIPTION_MAX,
            error=InvalidConsultation,
        )
        check_text(
            territory, what="the territory", max_length=TERRITORY_MAX, error=InvalidConsultation
        )
        validate_schedule(opens_at, phases, now)
        validate_questions(questions)
        if not 0 <= response_days <= RESPONSE_DAYS_MAX:
            raise InvalidConsultation(
                f"the response is due 0 to {RESPONSE_DAYS_MAX} days after the closure"
            )
        return cls(
            title=title,
            description=description,
            territory=territory,
            committee_id=committee_id,
            opens_at=opens_at,
            phases=[p.as_event() for p in phases],
            questions=[q.as_event() for q in questions],
            response_days=response_days,
            territory_id=territory_id,
            **cause.fields(),
        )

    @event(Drafted)
    def __init__(
        self,
        *,
        title: str,
        description: str,
        territory: str,
        committee_id: UUID,
        opens_at: datetime,
        phases: list[dict[str, Any]],
        questions: list[dict[str, Any]],
        response_days: int,
        territory_id: UUID | None,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.title = title
        self.territory_id = territory_id
        self.committee_id = committee_id
        self.schedule = Schedule(opens_at, tuple(Phase.from_event(p) for p in phases))
        self.questions = tuple(Question.from_event(q) for q in questions)
        self.response_days = response_days
        self.synthesised_at: datetime | None = None
        self.responded_at: datetime | None = None

    @property
    def response_due_at(self) -> datetime:
        """When the official response is due: `response_days` after the closure."""
        return self.schedule.closes_at + timedelta(days=self.response_days)

    def status_at(self, when: datetime) -> Status:
        """Where the consultation stands at `when`."""
        return status_of(
            self.schedule,
            when,
            synthesised=self.synthesised_at is not None,
            responded=self.responded_at is not None,
        )

    def check_allows(self, activity: Activity, now: datetime) -> None:
        """Raise `NotAllowedNow` unless the phase running now allows `activity`."""
        self.schedule.check_allows(activity, now)

    def check_answers(self, answers: dict[str, Any], now: datetime) -> None:
        """Raise unless answers are taken now and `answers` fits the questionnaire."""
        validate_answers(self.questions, answers)
        self.check_allows(Activity.ANSWERS, now)

    # -- the schedule ----------------------------------------------------------------------------

    def advance_phase(self, *, cause: Cause, now: datetime) -> int:
        """Begin the next phase now, by decision and with a reason (after the last: close).
        Returns the number of the phase now running (n + 1: closed)."""
        number = self.schedule.number_at(now)
        if number == self.schedule.closure:
            raise AlreadyClosed("the consultation is closed")
        if cause.reason is None:
            raise ReasonRequired("changing the phase before its date needs a reason")
        self._phase_advanced(from_phase=number, to_phase=number + 1, **cause.fields())
        return number + 1

    @event(PhaseAdvanced)
    def _phase_advanced(
        self,
        timestamp: datetime | None = None,
        *,
        from_phase: int,
        to_phase: int,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        at = event_time(timestamp)
        self.schedule = replace(self.schedule, advances=(*self.schedule.advances, (at, to_phase)))

    # -- synthesis and response ------------------------------------------------------------------

    def publish_synthesis(
        self, *, text: str, outcomes: list[Outcome], cause: Cause, now: datetime
    ) -> None:
        """Publish the synthesis once the consultation is closed (the caller checked that each
        outcome names one of its contributions)."""
        check_text(text, what="the synthesis", max_length=SYNTHESIS_MAX, error=InvalidSynthesis)
        if len(outcomes) > OUTCOMES_MAX:
            raise InvalidSynthesis(f"a synthesis names at most {OUTCOMES_MAX} contributions")
        if len({o.contribution_id for o in outcomes}) != len(outcomes):
            raise InvalidSynthesis("the synthesis names a contribution twice")
        for o in outcomes:
            check_text(o.reason, what="each reason", max_length=REASON_MAX, error=InvalidSynthesis)
        if self.schedule.number_at(now) != self.schedule.closure:
            raise NotClosed("the synthesis is published once the consultation is closed")
        if self.synthesised_at is not None:
            raise AlreadySynthesised("the synthesis is already published")
        self._synthesis_published(
            text=text, outcomes=[o.as_event() for o in outcomes], **cause.fields()
        )

    @event(SynthesisPublished)
    def _synthesis_published(
        self,
        timestamp: datetime | None = None,
        *,
        text: str,
        outcomes: list[dict[str, str]],
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.synthesised_at = event_time(timestamp)

    def respond(self, *, text: str, decision_ids: list[UUID], cause: Cause) -> None:
        """Record the official response, citing the decisions that implement it (the caller
        checked they are the committee's)."""
        check_text(text, what="the response", max_length=RESPONSE_MAX, error=InvalidResponse)
        if not 1 <= len(decision_ids) <= DECISIONS_MAX:
            raise InvalidResponse(f"the response cites 1 to {DECISIONS_MAX} decisions")
        if len(set(decision_ids)) != len(decision_ids):
            raise InvalidResponse("the response cites a decision twice")
        if self.synthesised_at is None:
            raise SynthesisRequired("the official response follows the synthesis")
        if self.responded_at is not None:
            raise ConsultationAnswered("the consultation already has its official response")
        self._responded(text=text, decision_ids=[str(d) for d in decision_ids], **cause.fields())

    @event(Responded)
    def _responded(
        self,
        timestamp: datetime | None = None,
        *,
        text: str,
        decision_ids: list[str],
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.responded_at = event_time(timestamp)


def status_of(schedule: Schedule, when: datetime, *, synthesised: bool, responded: bool) -> Status:
    """Where a consultation with this schedule stands at `when`."""
    if responded:
        return Status.ANSWERED
    if synthesised:
        return Status.SYNTHESISED
    number = schedule.number_at(when)
    if number == 0:
        return Status.UPCOMING
    return Status.CLOSED if number == schedule.closure else Status.OPEN
