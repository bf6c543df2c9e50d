"""Accounts: opening one issues a bearer token; requests authenticate by its hash."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import bindparam, select

from application.errors import Unauthenticated
from application.ledger import Ledger
from application.tables import account_tokens, accounts
from domain.account import Account, Role
from domain.events import Cause

# Every request runs this: built once, it skips statement construction and cache-key hashing.
_BY_TOKEN = (
    select(accounts.c.id, accounts.c.name, accounts.c.roles)
    .join(account_tokens, account_tokens.c.account_id == accounts.c.id)
    .where(account_tokens.c.token_hash == bindparam("token_hash"))
)


def hash_token(token: str) -> str:
    """Tokens are 256 random bits, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


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


class AccountService:
    """Open accounts and authenticate their tokens."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger

    def open(self, *, name: str, roles: list[Role], cause: Cause) -> tuple[UUID, str]:
        """Open an account; returns its id and its bearer token (shown once, stored hashed)."""
        token = secrets.token_urlsafe(32)
        account = Account.open(name=name, roles=roles, token_hash=hash_token(token), cause=cause)
        self._ledger.record(account)
        return account.id, token

    def authenticate(self, token: str) -> Principal:
        """The account that holds `token`, or `Unauthenticated`."""
        with self._ledger.engine.connect() as connection:
            row = connection.execute(_BY_TOKEN, {"token_hash": hash_token(token)}).one_or_none()
        if row is None:
            raise Unauthenticated("the bearer token is not valid")
        return Principal(id=row.id, name=row.name, roles=frozenset(Role(r) for r in row.roles))

    def list(self) -> list[Principal]:
        """Every account, in name order."""
        with self._ledger.engine.connect() as connection:
            rows = connection.execute(
                select(accounts.c.id, accounts.c.name, accounts.c.roles).order_by(accounts.c.name)
            ).all()
        return [
            Principal(id=r.id, name=r.name, roles=frozenset(Role(x) for x in r.roles)) for r in rows
        ]
