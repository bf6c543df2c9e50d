"""Accounts: who can act. Minimal for now: a display name, roles and a hashed API token."""

from __future__ import annotations

from enum import StrEnum

from eventsourcing.domain import event

from domain.errors import InvalidCommand
from domain.events import Cause, CivicAggregate
from domain.text import check_text

NAME_MAX = 100


class Role(StrEnum):
    """What an account may do; checked by the interfaces' guards."""

    CITIZEN = "citizen"
    MODERATOR = "moderator"
    COMMITTEE = "committee"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Account(CivicAggregate):
    """An account is opened with its roles and the hash of its first API token."""

    class Event(CivicAggregate.Event):
        """Any event of an account."""

    class Opened(Event, CivicAggregate.Created):
        """Opened with a display name, roles and the SHA-256 of its bearer token."""

        name: str
        roles: list[str]
        token_hash: str

    @classmethod
    def open(cls, *, name: str, roles: list[Role], token_hash: str, cause: Cause) -> Account:
        """Open an account; the token itself is never recorded, only its hash."""
        check_text(name, what="an account name", max_length=NAME_MAX)
        if not roles:
            raise InvalidCommand("an account needs at least one role")
        return cls(
            name=name, roles=[str(r) for r in roles], token_hash=token_hash, **cause.fields()
        )

    @event(Opened)
    def __init__(
        self,
        *,
        name: str,
        roles: list[str],
        token_hash: str,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.name = name
        self.roles = [Role(r) for r in roles]
        self.token_hashes = [token_hash]
