"""The wire shapes of `/consultations`, refusing unknown fields."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from domain.consultation import (
    DECISIONS_MAX,
    DESCRIPTION_MAX,
    OUTCOMES_MAX,
    PHASE_NAME_MAX,
    PHASES_MAX,
    RESPONSE_DAYS_MAX,
    RESPONSE_MAX,
    SYNTHESIS_MAX,
    TERRITORY_MAX,
    TITLE_MAX,
    Activity,
    Outcome,
    OutcomeKind,
    Phase,
)
from domain.consultation_contribution import COMMENT_MAX, TEXT_MAX, THEMES_MAX, ContributionKind
from domain.consultation_contribution import TITLE_MAX as CONTRIBUTION_TITLE_MAX
from domain.consultation_questions import (
    LABEL_MAX,
    OPEN_ANSWER_MAX,
    OPTIONS_MAX,
    QUESTION_MAX,
    QUESTIONS_MAX,
    Question,
    QuestionKind,
)
from domain.events import REASON_MAX
from interfaces.http.schemas import AwareDatetime, Reason, Request

Slug = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
Answer = (
    Annotated[str, msgspec.Meta(min_length=1, max_length=OPEN_ANSWER_MAX)]
    | int
    | Annotated[list[Slug], msgspec.Meta(max_length=OPTIONS_MAX)]
)


class PhaseIn(Request):
    """A phase: it starts when the previous one ends (the first at `opens_at`); `allows` empty
    means information only."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=PHASE_NAME_MAX)]
    ends_at: AwareDatetime
    allows: Annotated[list[Activity], msgspec.Meta(max_length=len(Activity))] = msgspec.field(
        default_factory=list
    )

    def as_phase(self) -> Phase:
        """The domain's phase."""
        return Phase(self.name, self.ends_at, frozenset(self.allows))


class OptionIn(Request):
    """A choice offered by a question."""

    id: Slug
    label: Annotated[str, msgspec.Meta(min_length=1, max_length=LABEL_MAX)]


class QuestionIn(Request):
    """A question: options for single, multiple and ranking; bounds for a scale."""

    id: Slug
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=QUESTION_MAX)]
    kind: QuestionKind
    options: Annotated[list[OptionIn], msgspec.Meta(max_length=OPTIONS_MAX)] = msgspec.field(
        default_factory=list
    )
    scale_min: Annotated[int, msgspec.Meta(ge=0, le=100)] | None = None
    scale_max: Annotated[int, msgspec.Meta(ge=0, le=100)] | None = None
    required: bool = False

    def as_question(self) -> Question:
        """The domain's question."""
        return Question(
            id=self.id,
            text=self.text,
            kind=self.kind,
            options=tuple((o.id, o.label) for o in self.options),
            scale_min=self.scale_min,
            scale_max=self.scale_max,
            required=self.required,
        )


class DraftConsultation(Request):
    """A new consultation run by a committee, with its phases and questionnaire."""

    title: Annotated[str, msgspec.Meta(min_length=1, max_length=TITLE_MAX)]
    description: Annotated[str, msgspec.Meta(min_length=1, max_length=DESCRIPTION_MAX)]
    committee_id: UUID
    opens_at: AwareDatetime
    phases: Annotated[list[PhaseIn], msgspec.Meta(min_length=1, max_length=PHASES_MAX)]
    questions: Annotated[list[QuestionIn], msgspec.Meta(max_length=QUESTIONS_MAX)] = msgspec.field(
        default_factory=list
    )
    response_days: Annotated[int, msgspec.Meta(ge=0, le=RESPONSE_DAYS_MAX)] = 60
    territory_id: UUID | None = None  # default: the platform's territory, if it has one only
    # The territory in words: by default the name of `territory_id`'s; required without one.
    territory: Annotated[str, msgspec.Meta(min_length=1, max_length=TERRITORY_MAX)] | None = None


class PhaseChange(Request):
    """Why the next phase begins now (after the last one: why it closes now)."""

    reason: Reason


class ContributeIn(Request):
    """A proposal or observation, with optional theme tags."""

    kind: ContributionKind
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=CONTRIBUTION_TITLE_MAX)]
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=TEXT_MAX)]
    themes: Annotated[list[Slug], msgspec.Meta(max_length=THEMES_MAX)] = msgspec.field(
        default_factory=list
    )


class CommentIn(Request):
    """A comment on a contribution."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=COMMENT_MAX)]


class Moderation(Request):
    """Hide (`hidden: true`) or show again, and why."""

    hidden: bool
    reason: Reason


class AnswersIn(Request):
    """The answers, question id -> answer: a text, an option id, a list of option ids (best
    first for a ranking) or an integer (scale)."""

    answers: Annotated[dict[Slug, Answer], msgspec.Meta(max_length=QUESTIONS_MAX)]


class OutcomeIn(Request):
    """What became of one contribution, and why."""

    contribution_id: UUID
    outcome: OutcomeKind
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=REASON_MAX)]

    def as_outcome(self) -> Outcome:
        """The domain's outcome."""
        return Outcome(self.contribution_id, self.outcome, self.reason)


class SynthesisIn(Request):
    """The synthesis: its text and the contributions taken up, merged or set aside."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=SYNTHESIS_MAX)]
    outcomes: Annotated[list[OutcomeIn], msgspec.Meta(max_length=OUTCOMES_MAX)] = msgspec.field(
        default_factory=list
    )


class ResponseIn(Request):
    """The official response ("retour"), citing the committee decisions that implement it."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=RESPONSE_MAX)]
    decision_ids: Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=DECISIONS_MAX)]


class ConsultationOut(msgspec.Struct, frozen=True):
    """A consultation: its schedule and, now, its phase (0 before the opening, n + 1 once
    closed), status, and whether its official response is overdue."""

    id: UUID
    position: int
    title: str
    description: str
    territory: str
    territory_id: UUID | None
    committee_id: UUID
    opens_at: datetime
    phases: list[dict[str, Any]]
    advances: list[dict[str, Any]]
    questions: list[dict[str, Any]]
    closes_at: datetime
    response_days: int
    response_due_at: datetime
    status: str
    phase: int
    phase_name: str | None
    allows_now: list[str]
    overdue: bool
    contribution_count: int
    hidden_count: int
    answer_count: int
    synthesis: str | None
    synthesis_outcomes: list[dict[str, Any]] | None
    synthesised_at: datetime | None
    response: str | None
    response_decision_ids: list[str] | None
    responded_at: datetime | None
    drafted_by: str
    drafted_at: datetime
    version: int
    updated_at: datetime

    @classmethod
    def from_view(cls, row: dict[str, Any]) -> ConsultationOut:
        """Build from a consultation as the service presents it."""
        return cls(**{f: row[f] for f in cls.__struct_fields__})


class ConsultationList(msgspec.Struct, frozen=True):
    """A page of consultations; `next` is the cursor to pass as `after`."""

    items: list[ConsultationOut]
    next: int | None


class ContributionOut(msgspec.Struct, frozen=True):
    """A contribution; `hidden_reason` says why moderation hid it (shown to its author,
    moderators and auditors only: the public does not see hidden ones)."""

    id: UUID
    consultation_id: UUID
    position: int
    kind: str
    title: str
    text: str
    themes: list[str]
    author: str
    submitted_at: datetime
    hidden: bool
    hidden_reason: str | None
    moderation: list[dict[str, Any]]
    endorsement_count: int
    comment_count: int
    outcome: str | None
    outcome_reason: str | None
    version: int
    updated_at: datetime

    @classmethod
    def from_view(cls, row: dict[str, Any]) -> ContributionOut:
        """Build from a consultation_contributions row."""
        return cls(**{f: row[f] for f in cls.__struct_fields__})


class ContributionList(msgspec.Struct, frozen=True):
    """A page of contributions; `next` is the cursor to pass as `after`."""

    items: list[ContributionOut]
    next: int | None


class CommentOut(msgspec.Struct, frozen=True):
    """A comment on a contribution, and its moderation."""

    id: UUID
    contribution_id: UUID
    position: int
    text: str
    author: str
    posted_at: datetime
    hidden: bool
    hidden_reason: str | None
    moderation: list[dict[str, Any]]
    version: int
    updated_at: datetime

    @classmethod
    def from_view(cls, row: dict[str, Any]) -> CommentOut:
        """Build from a consultation_comments row."""
        return cls(**{f: row[f] for f in cls.__struct_fields__})


class CommentList(msgspec.Struct, frozen=True):
    """The comments on a contribution, in the order posted."""

    items: list[CommentOut]


class EndorsementOut(msgspec.Struct, frozen=True):
    """The contribution's endorsements after the change."""

    contribution_id: UUID
    endorsement_count: int


class AnswersOut(msgspec.Struct, frozen=True):
    """The caller's answer set standing now; `replaced` after a replacement."""

    consultation_id: UUID
    answers: dict[str, Any]
    submitted_at: datetime
    updated_at: datetime
    version: int
    replaced: bool = False


class ResultsOut(msgspec.Struct, frozen=True):
    """Per question: `answered` of `respondents`; `counts` per option (single, multiple);
    `distribution`, `mean`, `median` (scale); `borda`, `first_places`, `ranking` (ranking)."""

    consultation_id: UUID
    respondents: int
    questions: list[dict[str, Any]]
