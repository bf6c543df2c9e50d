"""Errors raised by the application layer, beside the domain's own tree (`domain.errors`).

ApplicationError
├── NotFound               no such aggregate, version or request (HTTP 404)
│   ├── PetitionNotFound
│   ├── VoteNotFound
│   ├── CommitteeNotFound
│   ├── MeetingNotFound
│   ├── DecisionNotFound
│   ├── CharterNotFound
│   ├── AggregateNotFound
│   ├── VersionNotFound    the aggregate exists, but never had this version
│   ├── NotYetRecorded     the aggregate did not exist yet at that instant
│   └── CorrelationNotFound
└── Unauthenticated        no account has this token (HTTP 401)
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
