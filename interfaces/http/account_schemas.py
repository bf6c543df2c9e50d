"""Wire shapes of accounts, sessions and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from application.accounts import PASSWORD_MAX, Issued
from domain.account import EMAIL_MAX, LABEL_MAX, NAME_MAX, Role
from interfaces.http.schemas import Reason, Request

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=NAME_MAX)]
Email = Annotated[str, msgspec.Meta(min_length=3, max_length=EMAIL_MAX)]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=PASSWORD_MAX)]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=LABEL_MAX)]


class Register(Request):
    """Open one's own citizen account: a display name, an e-mail and a password (10+ chars)."""

    name: Name
    email: Email
    password: Password


class SignIn(Request):
    """Sign in with the account's e-mail and password."""

    email: Email
    password: Password


class IssueToken(Request):
    """A label to recognise the token by (e.g. the script that uses it)."""

    label: Label


class GrantRole(Request):
    """A role to grant, and why."""

    role: Role
    reason: Reason | None = None


class AccountOut(msgspec.Struct, frozen=True):
    """An account: its name and e-mail read `[erased]`/null once its holder's data is erased."""

    id: UUID
    name: str
    email: str | None
    roles: list[str]
    status: str
    opened_at: datetime
    version: int
    updated_at: datetime

    @classmethod
    def from_view(cls, row: dict[str, Any]) -> AccountOut:
        """Build from `AccountService.get`."""
        return cls(**{f: row[f] for f in cls.__struct_fields__})


class AccountList(msgspec.Struct, frozen=True):
    """Every account, by name."""

    items: list[AccountOut]


class SessionOut(msgspec.Struct, frozen=True):
    """A session opened: the cookie carries it; send the CSRF token back in `X-CSRFToken`."""

    account_id: UUID
    expires_at: datetime | None
    csrf_token: str


class TokenOut(msgspec.Struct, frozen=True):
    """A standing token: never the token itself."""

    token_id: UUID
    kind: str
    label: str
    issued_at: datetime
    expires_at: datetime | None


class TokenList(msgspec.Struct, frozen=True):
    """The account's standing tokens, oldest first."""

    items: list[TokenOut]


class NewToken(msgspec.Struct, frozen=True):
    """A token just issued: `token` is shown this once; keep it secret."""

    token_id: UUID
    token: str
    expires_at: datetime | None

    @classmethod
    def of(cls, issued: Issued) -> NewToken:
        """From the application's `Issued`."""
        return cls(token_id=issued.token_id, token=issued.token, expires_at=issued.expires_at)
