"""Accounts: opening, signing in and out, tokens, roles, and a person's data (export, erasure).

Every change is an event of the `Account` aggregate; tokens (API tokens and web sessions) are
256 random bits shown once and kept as their SHA-256, so authenticating a request is one indexed
read of the `account_tokens` view. Passwords are hashed with Argon2id and sealed, like the name
and the e-mail, with the person's own key (application/personal_data.py).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, or_, select

from application.errors import AccountNotFound, Unauthenticated
from application.ledger import Ledger
from application.read_models import jsonable
from application.tables import account_tokens, accounts, audit_events, people
from domain.account import Account, EmailTaken, Role, TokenKind, normal_email
from domain.errors import InvalidCommand
from domain.events import Cause
from domain.personal import ERASED

Clock = Callable[[], datetime]
SESSION_LIFETIME = timedelta(days=14)
PASSWORD_MIN, PASSWORD_MAX = 10, 128  # long enough to resist guessing; Argon2 takes any length
# Unknown e-mails are checked against this hash, so a wrong address costs the same time as a
# wrong password and the answer's delay tells nothing about who has an account.
_HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash to verify against when there is no account, so that a sign-in with an unknown
    e-mail costs as long as one with a wrong password; made on first use (an argon2 hash costs
    a quarter of a second, at every start of `civic` otherwise)."""
    return _HASHER.hash(secrets.token_urlsafe(16))


def prepare_sign_in() -> None:
    """Make the hash unknown e-mails are checked against now (a server does it as it starts,
    so that its first such sign-in takes no longer than the others)."""
    _dummy_hash()


# Every request runs this: built once, it skips statement construction and cache-key hashing.
_BY_TOKEN = (
    select(accounts.c.id, people.c.name, accounts.c.roles)
    .join(account_tokens, account_tokens.c.account_id == accounts.c.id)
    .outerjoin(people, people.c.account_id == accounts.c.id)
    .where(account_tokens.c.token_hash == bindparam("token_hash"))
    .where(
        or_(account_tokens.c.expires_at.is_(None), account_tokens.c.expires_at > bindparam("now"))
    )
)


def hash_token(token: str) -> str:
    """Tokens are 256 random bits, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


def check_password(password: str) -> None:
    """A password of PASSWORD_MIN to PASSWORD_MAX characters."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise InvalidCommand(
            f"a password has {PASSWORD_MIN} to {PASSWORD_MAX} characters (a short sentence is best)"
        )


@dataclass(frozen=True, slots=True)
class Principal:
    """The account behind a request."""

    id: UUID
    name: str
    roles: frozenset[Role]

    @property
    def actor(self) -> str:
        """How events name this account."""
        return str(self.id)


@dataclass(frozen=True, slots=True)
class Issued:
    """A token just issued: shown once, then only its id is known."""

    token_id: UUID
    token: str
    expires_at: datetime | None


class AccountService:
    """Open accounts, sign in and out, manage tokens and roles, export and erase personal data."""

    def __init__(self, ledger: Ledger, clock: Clock) -> None:
        self._ledger = ledger
        self._clock = clock

    # -- opening -------------------------------------------------------------------------------

    def open(
        self,
        *,
        name: str,
        roles: list[Role],
        cause: Cause,
        email: str | None = None,
        password: str | None = None,
    ) -> tuple[UUID, str]:
        """Open an account with an API token (how the CLI opens them); returns its id and the
        token (shown once, stored hashed)."""
        with self._ledger.transaction():
            account = self._new(name=name, roles=roles, email=email, password=password, cause=cause)
            issued = self._issue(account, TokenKind.API, "opened with the account", None, cause)
            self._ledger.record(account)
        return account.id, issued.token

    def register(self, *, name: str, email: str, password: str, cause: Cause) -> UUID:
        """A person opens their own citizen account, to sign in with `email` and `password`."""
        with self._ledger.transaction():
            account = self._new(
                name=name, roles=[Role.CITIZEN], email=email, password=password, cause=cause
            )
            self._ledger.record(account)
        return account.id

    def _new(
        self,
        *,
        name: str,
        roles: list[Role],
        email: str | None,
        password: str | None,
        cause: Cause,
    ) -> Account:
        """A new account, its password set; refused if its e-mail is another account's."""
        if password is not None:
            check_password(password)
        if email is not None and self._by_email(normal_email(email)) is not None:
            raise EmailTaken("an account already has this e-mail address")
        account = Account.open(name=name, roles=roles, email=email, cause=cause)
        if password is not None:
            account.set_password(password_hash=_HASHER.hash(password), cause=cause)
        return account

    # -- signing in and out, tokens ------------------------------------------------------------

    def sign_in(self, *, email: str, password: str, correlation_id: str) -> tuple[UUID, Issued]:
        """Check the password and open a session (a token that expires); 401 on any mismatch.
        The account signing in is the actor of its session's event."""
        refused = Unauthenticated("the e-mail address or the password is wrong")
        try:
            address = normal_email(email)
        except InvalidCommand:
            raise refused from None
        row = self._by_email(address)  # hashing takes time: never while holding the log's lock
        stored = _dummy_hash() if row is None or row.password_hash is None else row.password_hash
        try:
            _HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            raise refused from None
        if row is None or row.password_hash is None:
            raise refused
        with self._ledger.transaction():
            account = self._load(row.account_id)
            if account.erased:
                raise refused
            expires = self._clock() + SESSION_LIFETIME
            cause = Cause(actor=str(account.id), correlation_id=correlation_id)
            issued = self._issue(account, TokenKind.SESSION, "web session", expires, cause)
            self._ledger.record(account)
        return account.id, issued

    def sign_out(self, token: str, *, cause: Cause) -> None:
        """End the session (or revoke the API token) that authenticated the request."""
        with self._ledger.transaction() as session:
            row = session.execute(
                select(account_tokens.c.account_id, account_tokens.c.token_id).where(
                    account_tokens.c.token_hash == hash_token(token)
                )
            ).one_or_none()
            if row is None:
                raise Unauthenticated("the token is not valid")
            account = self._load(row.account_id)
            account.revoke_token(token_id=row.token_id, cause=cause)
            self._ledger.record(account)

    def issue_token(self, account_id: UUID, *, label: str, cause: Cause) -> Issued:
        """A new API token for the account (no expiry; revocable)."""
        with self._ledger.transaction():
            account = self._load(account_id)
            issued = self._issue(account, TokenKind.API, label, None, cause)
            self._ledger.record(account)
        return issued

    def revoke_token(self, account_id: UUID, token_id: UUID, *, cause: Cause) -> None:
        """Revoke one of the account's standing tokens."""
        with self._ledger.transaction():
            account = self._load(account_id)
            account.revoke_token(token_id=token_id, cause=cause)
            self._ledger.record(account)

    def tokens(self, account_id: UUID) -> list[dict[str, Any]]:
        """The account's standing tokens (never the tokens themselves), oldest first."""
        self.get(account_id)
        t = account_tokens.c
        query = (
            select(t.token_id, t.kind, t.label, t.issued_at, t.expires_at)
            .where(t.account_id == account_id)
            .order_by(t.issued_at)
        )
        with self._ledger.engine.connect() as connection:
            return [dict(r) for r in connection.execute(query).mappings()]

    def _issue(
        self,
        account: Account,
        kind: TokenKind,
        label: str,
        expires_at: datetime | None,
        cause: Cause,
    ) -> Issued:
        token = secrets.token_urlsafe(32)
        token_id = account.issue_token(
            token_hash=hash_token(token),
            kind=kind,
            label=label,
            expires_at=expires_at,
            cause=cause,
        )
        return Issued(token_id=token_id, token=token, expires_at=expires_at)

    # -- roles ---------------------------------------------------------------------------------

    def grant(self, account_id: UUID, role: Role, *, cause: Cause) -> None:
        """Grant a role (409 if held)."""
        with self._ledger.transaction():
            account = self._load(account_id)
            account.grant(role=role, cause=cause)
            self._ledger.record(account)

    def revoke(self, account_id: UUID, role: Role, *, cause: Cause) -> None:
        """Revoke a role (409 if not held, or the last one)."""
        with self._ledger.transaction():
            account = self._load(account_id)
            account.revoke(role=role, cause=cause)
            self._ledger.record(account)

    # -- personal data -------------------------------------------------------------------------

    def erase(self, account_id: UUID, *, cause: Cause) -> None:
        """Erase the person's data: record why, then destroy their key, in one transaction. After
        it, their name, e-mail and password read as erased everywhere; their acts stay counted."""
        with self._ledger.transaction():
            account = self._load(account_id)
            account.erase(cause=cause)
            self._ledger.record(account)
            self._ledger.personal_keys.destroy(account_id)

    def export(self, account_id: UUID) -> dict[str, Any]:
        """Everything held about the person (GDPR art. 15 and 20), as plain JSON data: the
        account, its tokens, and every event they caused or that is about their account.

        Ballots of secret votes are not in it: nothing links them to the person (ADR 13)."""
        account = self._load(account_id)
        c = audit_events.c
        query = (
            select(c.position, c.timestamp, c.aggregate_id, c.type, c.reason, c.data)
            .where(or_(c.actor == str(account_id), c.aggregate_id == account_id))
            .order_by(c.position)
        )
        with self._ledger.engine.connect() as connection:
            events = [jsonable(dict(r)) for r in connection.execute(query).mappings()]
        return {
            "account": {
                "id": str(account.id),
                "name": account.name.value,
                "email": None if account.email is None else account.email.value,
                "has_password": account.password_hash is not None,
                "roles": [r.value for r in account.roles],
                "erased": account.erased,
                "opened_at": account.created_on.isoformat(),
            },
            "tokens": jsonable(self.tokens(account_id)),
            "events": events,
        }

    # -- queries -------------------------------------------------------------------------------

    def authenticate(self, token: str) -> Principal:
        """The account that holds `token` (unexpired), or `Unauthenticated`."""
        parameters = {"token_hash": hash_token(token), "now": self._clock()}
        with self._ledger.engine.connect() as connection:
            row = connection.execute(_BY_TOKEN, parameters).one_or_none()
        if row is None:
            raise Unauthenticated("the token is not valid (unknown, revoked or expired)")
        return Principal(
            id=row.id, name=row.name or ERASED, roles=frozenset(Role(r) for r in row.roles)
        )

    def get(self, account_id: UUID) -> dict[str, Any]:
        """The account's view, with its name and e-mail while they exist."""
        query = (
            select(accounts, people.c.name, people.c.email)
            .outerjoin(people, people.c.account_id == accounts.c.id)
            .where(accounts.c.id == account_id)
        )
        with self._ledger.engine.connect() as connection:
            row = connection.execute(query).mappings().one_or_none()
        if row is None:
            raise AccountNotFound(account_id)
        return {**row, "name": row["name"] or ERASED}

    def list(self) -> list[Principal]:
        """Every account, in name order (erased ones last)."""
        query = (
            select(accounts.c.id, people.c.name, accounts.c.roles)
            .outerjoin(people, people.c.account_id == accounts.c.id)
            .order_by(people.c.name.is_(None), people.c.name, accounts.c.id)
        )
        with self._ledger.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            Principal(id=r.id, name=r.name or ERASED, roles=frozenset(Role(x) for x in r.roles))
            for r in rows
        ]

    # -- helpers -------------------------------------------------------------------------------

    def _by_email(self, address: str) -> Any:
        query = select(people.c.account_id, people.c.password_hash).where(people.c.email == address)
        with self._ledger.engine.connect() as connection:
            return connection.execute(query).one_or_none()

    def _load(self, account_id: UUID) -> Account:
        account = self._ledger.get(account_id, AccountNotFound)
        if not isinstance(account, Account):
            raise AccountNotFound(account_id)
        return account
