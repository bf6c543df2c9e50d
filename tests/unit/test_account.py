"""Opening an account: a display name, at least one role, and only the hash of its token."""

from __future__ import annotations

import pytest

from domain.account import NAME_MAX, Account, Role
from domain.errors import InvalidCommand
from domain.events import Cause

from .given import assert_caused_by, only_event

ADMIN = Cause(actor="system:bootstrap", correlation_id="corr-open")
TOKEN_HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


class TestOpen:
    def test_records_one_opened_event_with_name_roles_and_token_hash(self) -> None:
        """Opening records Opened with the envelope, the roles as text, and the token's hash."""
        account = Account.open(
            name="Alice", roles=[Role.CITIZEN, Role.MODERATOR], token_hash=TOKEN_HASH, cause=ADMIN
        )

        opened = only_event(account, Account.Opened)
        assert (opened.name, opened.roles, opened.token_hash) == (
            "Alice",
            ["citizen", "moderator"],
            TOKEN_HASH,
        )
        assert_caused_by(opened, ADMIN)
        assert account.roles == [Role.CITIZEN, Role.MODERATOR]
        assert account.token_hashes == [TOKEN_HASH]

    @pytest.mark.parametrize(
        "name", ["", "   ", "a" * (NAME_MAX + 1)], ids=["empty", "blank", "long"]
    )
    def test_refuses_a_name_empty_or_too_long(self, name: str) -> None:
        """The display name has 1 to NAME_MAX characters, not only spaces."""
        with pytest.raises(InvalidCommand, match="name"):
            Account.open(name=name, roles=[Role.CITIZEN], token_hash=TOKEN_HASH, cause=ADMIN)

    def test_refuses_an_account_without_roles(self) -> None:
        """An account that may do nothing is refused."""
        with pytest.raises(InvalidCommand, match="role"):
            Account.open(name="Alice", roles=[], token_hash=TOKEN_HASH, cause=ADMIN)
