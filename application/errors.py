"""Errors raised by the application layer, beside the domain's own tree (`domain.errors`).

ApplicationError
├── NotFound               no such aggregate, version or request (HTTP 404)
│   ├── PetitionNotFound
│   ├── VoteNotFound
│   ├── CommitteeNotFound
│   ├── MeetingNotFound
│   ├── DecisionNotFound
│   ├── CharterNotFound
│   ├── ConsultationNotFound
│   ├── ContributionNotFound   or hidden from whoever asks (moderation)
│   ├── CommentNotFound
│   ├── AnswerSetNotFound      the participant has not answered the questionnaire
│   ├── TerritoryNotFound
│   ├── OrganisationNotFound
│   ├── PartnershipNotFound
│   ├── AccountNotFound
│   ├── AggregateNotFound
│   ├── VersionNotFound    the aggregate exists, but never had this version
│   ├── NotYetRecorded     the aggregate did not exist yet at that instant
│   └── CorrelationNotFound
├── Unauthenticated        no account has this token (HTTP 401)
├── PreconditionFailed     `If-Match` named another version of the aggregate (HTTP 412)
└── IdempotencyError       a request repeated under its `Idempotency-Key` cannot run
    ├── KeyReused          the key was used for another request (HTTP 422)
    ├── RequestInProgress  the first request with the key has not answered yet (HTTP 409)
    └── AlreadyApplied     it was recorded, but its response was lost (HTTP 409)
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID


class ApplicationError(Exception):
    """Base of the application layer's errors."""


class NotFound(ApplicationError):
    """The command or query names an aggregate that does not exist."""


class PetitionNotFound(NotFound):
    """No petition has this id."""

    def __init__(self, petition_id: UUID) -> None:
        super().__init__(f"no petition has the id {petition_id}")
        self.petition_id = petition_id


class VoteNotFound(NotFound):
    """No vote has this id."""

    def __init__(self, vote_id: UUID) -> None:
        super().__init__(f"no vote has the id {vote_id}")
        self.vote_id = vote_id


class CommitteeNotFound(NotFound):
    """No committee has this id."""

    def __init__(self, committee_id: UUID) -> None:
        super().__init__(f"no committee has the id {committee_id}")
        self.committee_id = committee_id


class MeetingNotFound(NotFound):
    """No meeting has this id (or not of the committee named with it)."""

    def __init__(self, meeting_id: UUID) -> None:
        super().__init__(f"no meeting has the id {meeting_id}")
        self.meeting_id = meeting_id


class DecisionNotFound(NotFound):
    """No committee decision has this id."""

    def __init__(self, decision_id: UUID) -> None:
        super().__init__(f"no decision has the id {decision_id}")
        self.decision_id = decision_id


class CharterNotFound(NotFound):
    """No charter has this id."""

    def __init__(self, charter_id: UUID) -> None:
        super().__init__(f"no charter has the id {charter_id}")
        self.charter_id = charter_id


class ConsultationNotFound(NotFound):
    """No consultation has this id."""

    def __init__(self, consultation_id: UUID) -> None:
        super().__init__(f"no consultation has the id {consultation_id}")
        self.consultation_id = consultation_id


class ContributionNotFound(NotFound):
    """No contribution to this consultation has this id that the reader may see."""

    def __init__(self, contribution_id: UUID) -> None:
        super().__init__(f"no contribution has the id {contribution_id}")
        self.contribution_id = contribution_id


class CommentNotFound(NotFound):
    """No comment in this consultation has this id."""

    def __init__(self, comment_id: UUID) -> None:
        super().__init__(f"no comment has the id {comment_id}")
        self.comment_id = comment_id


class AnswerSetNotFound(NotFound):
    """The participant has no answer set in this consultation."""

    def __init__(self, consultation_id: UUID) -> None:
        super().__init__(f"you have not answered consultation {consultation_id}")
        self.consultation_id = consultation_id


class TerritoryNotFound(NotFound):
    """No territory has this id."""

    def __init__(self, territory_id: UUID) -> None:
        super().__init__(f"no territory has the id {territory_id}")
        self.territory_id = territory_id


class OrganisationNotFound(NotFound):
    """No organisation of the directory has this id."""

    def __init__(self, organisation_id: UUID) -> None:
        super().__init__(f"no organisation has the id {organisation_id}")
        self.organisation_id = organisation_id


class PartnershipNotFound(NotFound):
    """No partnership has this id (or not of the organisation named with it)."""

    def __init__(self, partnership_id: UUID) -> None:
        super().__init__(f"no partnership has the id {partnership_id}")
        self.partnership_id = partnership_id


class AccountNotFound(NotFound):
    """No account has this id."""

    def __init__(self, account_id: UUID) -> None:
        super().__init__(f"no account has the id {account_id}")
        self.account_id = account_id


class AggregateNotFound(NotFound):
    """No aggregate of any kind has this id."""

    def __init__(self, aggregate_id: UUID) -> None:
        super().__init__(f"no aggregate has the id {aggregate_id}")
        self.aggregate_id = aggregate_id


class VersionNotFound(NotFound):
    """The aggregate exists but has no such version (below 1, or beyond its current one)."""

    def __init__(self, what: str, version: int) -> None:
        super().__init__(f"the {what} has no version {version}")
        self.version = version


class NotYetRecorded(NotFound):
    """The aggregate's first event is later than the instant asked about."""

    def __init__(self, what: str, instant: datetime) -> None:
        super().__init__(f"the {what} did not exist yet at {instant.isoformat()}")
        self.instant = instant


class CorrelationNotFound(NotFound):
    """No event of the log was caused by a request with this correlation id."""

    def __init__(self, correlation_id: str) -> None:
        super().__init__(f"no event has the correlation id {correlation_id!r}")
        self.correlation_id = correlation_id


class Unauthenticated(ApplicationError):
    """The token matches no account."""


class PreconditionFailed(ApplicationError):
    """The aggregate is not at a version the request said it expected (`If-Match`)."""

    def __init__(self, aggregate_id: UUID, expected: frozenset[int] | None, current: int | None):
        wanted = "any version" if expected is None else " or ".join(map(str, sorted(expected)))
        now = "does not exist" if current is None else f"is at version {current}"
        super().__init__(f"the request expected {wanted} of {aggregate_id}, which {now}")
        self.aggregate_id = aggregate_id
        self.current = current


class IdempotencyError(ApplicationError):
    """A request sent again with the same `Idempotency-Key` cannot be answered as the first."""

    def __init__(self, message: str, correlation_id: str) -> None:
        super().__init__(message)
        self.correlation_id = correlation_id


class KeyReused(IdempotencyError):
    """The key already named a request with another method, path or body."""


class RequestInProgress(IdempotencyError):
    """The first request with this key is still running: ask again when it has answered."""


class AlreadyApplied(IdempotencyError):
    """The request's events are in the log but its response was not kept (e.g. a crash between
    the two): it is never applied twice; the audit trail shows what it recorded."""
