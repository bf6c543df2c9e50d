"""Errors raised by the application layer, beside the domain's own tree (`domain.errors`).

ApplicationError
├── NotFound               no such aggregate (HTTP 404)
│   └── PetitionNotFound
└── Unauthenticated        no account has this token (HTTP 401)
"""

from __future__ import annotations

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


class Unauthenticated(ApplicationError):
    """The token matches no account."""
