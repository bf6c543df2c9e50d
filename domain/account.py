"""Accounts: who can act. A display name and an e-mail (personal data, sealed per person), a
password hash, roles, and the hashes of the tokens that authenticate it (API tokens and web
sessions alike); erasing an account destroys its personal data and ends every token.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from eventsourcing.domain import event

from domain.errors import IllegalTransition, InvalidCommand
from domain.events import Cause, CivicAggregate
from domain.personal import Personal
from domain.text import check_text

NAME_MAX = 100
EMAIL_MAX = 254  # RFC 5321's path limit
LABEL_MAX = 100
# One @, something on both sides, a dot in the domain, no spaces: what a sign-up form checks.
# Whether the address receives mail is not this module's business.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class Role(StrEnum):
    """What an account may do; checked by the interfaces' guards."""

    CITIZEN = "citizen"
    MODERATOR = "moderator"
    COMMITTEE = "committee"  # acts in the committees it sits on or created
    AUDITOR = "auditor"
    ADMIN = "admin"


class TokenKind(StrEnum):
    """An API token held by a client, or a web session behind a cookie."""

    API = "api"
    SESSION = "session"


class AccountErased(IllegalTransition):
    """The account was erased: it can no longer act or be changed."""


class UnknownToken(IllegalTransition):
    """No standing token of this account has this id."""


class EmailTaken(IllegalTransition):
    """Another account already has this e-mail address."""


class RoleNotHeld(IllegalTransition):
    """Revoking a role the account does not hold, or its last one."""


def normal_email(email: str) -> str:
    """The address as compared: trimmed, lower case (so one person cannot open two accounts by
    changing case), refused unless it looks like an address."""
    address = email.strip().lower()
    if len(address) > EMAIL_MAX or not _EMAIL.fullmatch(address):
        raise InvalidCommand("the e-mail address is not valid (e.g. ada@example.org)")
    return address


class Account(CivicAggregate):
    """An account, opened with its roles; its name and e-mail are personal data about itself."""

    class Event(CivicAggregate.Event):
        """Any event of an account."""

    class Opened(Event, CivicAggregate.Created):
        """Opened with a display name, maybe an e-mail, and roles. Version 1 carried the name in
        clear and the hash of a first token; they read as a `Personal` name and that token."""

        class_version = 2

        name: Personal
        email: Personal | None
        roles: list[str]
        token_hash: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            """v1's name was a plain string (accounts opened before names were sealed)."""
            subject = state["originator_id"]
            assert isinstance(subject, UUID)
            state["name"] = Personal(subject, str(state["name"]))
            state["email"] = None

    class PasswordSet(Event):
        """A password was set: its argon2 hash, sealed as personal data."""

        password_hash: Personal

    class TokenIssued(Event):
        """A token was issued (an API token, or a session on sign-in); only its SHA-256 is kept."""

        token_id: UUID
        token_hash: str
        kind: str
        label: str
        expires_at: datetime | None

    class TokenRevoked(Event):
        """A token was revoked (by its holder, an admin, or signing out)."""

        token_id: UUID

    class RoleGranted(Event):
        """A role was granted."""

        role: str

    class RoleRevoked(Event):
        """A role was revoked."""

        role: str

    class Erased(Event):
        """The person's data was erased at their request: their key is destroyed, every token
        ends, and the account can no longer act. Counts, tallies and the log stay intact."""

    # -- commands ------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        *,
        name: str,
        roles: list[Role],
        cause: Cause,
        email: str | None = None,
        token_hash: str | None = None,
    ) -> Account:
        """Open an account; `token_hash` only for accounts recorded before tokens were events."""
        check_text(name, what="an account name", max_length=NAME_MAX)
        if not roles:
            raise InvalidCommand("an account needs at least one role")
        account_id = uuid4()
        sealed_email = None if email is None else Personal(account_id, normal_email(email))
        return cls._create(  # the library's own constructor: it takes the new aggregate's id
            cls.Opened,
            id=account_id,
            name=Personal(account_id, name),
            email=sealed_email,
            roles=[str(Role(r)) for r in dict.fromkeys(roles)],
            token_hash=token_hash,
            **cause.fields(),
        )

    def set_password(self, *, password_hash: str, cause: Cause) -> None:
        """Record the (already hashed) password."""
        self._check_standing()
        self._password_set(password_hash=Personal(self.id, password_hash), **cause.fields())

    def issue_token(
        self,
        *,
        token_hash: str,
        kind: TokenKind,
        label: str,
        expires_at: datetime | None,
        cause: Cause,
    ) -> UUID:
        """Issue a token (its hash only); returns the token's id, by which it is revoked."""
        self._check_standing()
        check_text(label, what="a token label", max_length=LABEL_MAX)
        token_id = uuid4()
        self._token_issued(
            token_id=token_id,
            token_hash=token_hash,
            kind=str(kind),
            label=label,
            expires_at=expires_at,
            **cause.fields(),
        )
        return token_id

    def revoke_token(self, *, token_id: UUID, cause: Cause) -> None:
        """Revoke a standing token."""
        self._check_standing()
        if token_id not in self.tokens:
            raise UnknownToken(f"the account has no standing token {token_id}")
        self._token_revoked(token_id=token_id, **cause.fields())

    def grant(self, *, role: Role, cause: Cause) -> None:
        """Grant a role; granting one already held is refused."""
        self._check_standing()
        if role in self.roles:
            raise IllegalTransition(f"the account already holds the role {role}")
        self._role_granted(role=str(role), **cause.fields())

    def revoke(self, *, role: Role, cause: Cause) -> None:
        """Revoke a role held; an account keeps at least one."""
        self._check_standing()
        if role not in self.roles:
            raise RoleNotHeld(f"the account does not hold the role {role}")
        if len(self.roles) == 1:
            raise RoleNotHeld("an account keeps at least one role: grant another first")
        self._role_revoked(role=str(role), **cause.fields())

    def erase(self, *, cause: Cause) -> None:
        """Erase the account's personal data (the key is destroyed by the application)."""
        self._check_standing()
        self._erased(**cause.fields())

    def _check_standing(self) -> None:
        if self.erased:
            raise AccountErased("the account was erased")

    # -- events --------------------------------------------------------------------------------

    @event(Opened)
    def __init__(
        self,
        *,
        name: Personal,
        email: Personal | None,
        roles: list[str],
        token_hash: str | None,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.name = name
        self.email = email
        self.roles = [Role(r) for r in roles]
        self.password_hash: Personal | None = None
        # Standing tokens by id; a v1 account's first token gets its account's id.
        self.tokens: dict[UUID, str] = {} if token_hash is None else {self.id: token_hash}
        self.erased = False

    @event(PasswordSet)
    def _password_set(
        self, *, password_hash: Personal, actor: str, correlation_id: str, reason: str | None
    ) -> None:
        self.password_hash = password_hash

    @event(TokenIssued)
    def _token_issued(
        self,
        *,
        token_id: UUID,
        token_hash: str,
        kind: str,
        label: str,
        expires_at: datetime | None,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.tokens[token_id] = token_hash

    @event(TokenRevoked)
    def _token_revoked(
        self, *, token_id: UUID, actor: str, correlation_id: str, reason: str | None
    ) -> None:
        del self.tokens[token_id]

    @event(RoleGranted)
    def _role_granted(
        self, *, role: str, actor: str, correlation_id: str, reason: str | None
    ) -> None:
        self.roles.append(Role(role))

    @event(RoleRevoked)
    def _role_revoked(
        self, *, role: str, actor: str, correlation_id: str, reason: str | None
    ) -> None:
        self.roles.remove(Role(role))

    @event(Erased)
    def _erased(self, *, actor: str, correlation_id: str, reason: str | None) -> None:
        self.erased = True
        self.tokens.clear()
        self.name = Personal(self.id, None)
        self.email = None if self.email is None else Personal(self.id, None)
        self.password_hash = None
