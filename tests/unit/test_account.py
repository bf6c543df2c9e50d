"""Accounts by their events: opening (name and e-mail as personal data about the account itself),
passwords, tokens, roles, and erasure, after which the account can do nothing more."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from domain.account import (
    NAME_MAX,
    Account,
    AccountErased,
    Role,
    RoleNotHeld,
    TokenKind,
    UnknownToken,
    normal_email,
)
from domain.errors import IllegalTransition, InvalidCommand
from domain.events import Cause
from domain.personal import ERASED, Personal

from .given import assert_caused_by, drained, only_event

ADMIN = Cause(actor="system:bootstrap", correlation_id="corr-open")
ERASURE = Cause(actor="system:cli:dpo", correlation_id="corr-erase", reason="request 2030-17")
TOKEN_HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
LATER = datetime(2030, 3, 15, tzinfo=UTC)


def opened(*roles: Role) -> Account:
    """Alice's account, just saved."""
    return drained(
        Account.open(
            name="Alice",
            roles=list(roles or [Role.CITIZEN]),
            email="Alice@Example.org",
            cause=ADMIN,
        )
    )


def issue(account: Account) -> UUID:
    """Issue an API token; its id."""
    return account.issue_token(
        token_hash=TOKEN_HASH, kind=TokenKind.API, label="my script", expires_at=None, cause=ADMIN
    )


class TestOpen:
    def test_records_the_name_and_e_mail_as_personal_data_about_the_account(self) -> None:
        """Opened carries the name and the (lower-cased) e-mail as `Personal` of the account."""
        account = Account.open(
            name="Alice",
            roles=[Role.CITIZEN, Role.MODERATOR, Role.CITIZEN],
            email=" Alice@Example.ORG ",
            cause=ADMIN,
        )

        e = only_event(account, Account.Opened)
        assert e.name == Personal(account.id, "Alice")
        assert e.email == Personal(account.id, "alice@example.org")
        assert (e.roles, e.token_hash) == (["citizen", "moderator"], None)
        assert_caused_by(e, ADMIN)
        assert account.roles == [Role.CITIZEN, Role.MODERATOR]
        assert account.tokens == {}

    @pytest.mark.parametrize(
        "name", ["", "   ", "a" * (NAME_MAX + 1)], ids=["empty", "blank", "long"]
    )
    def test_refuses_a_name_empty_or_too_long(self, name: str) -> None:
        """The display name has 1 to NAME_MAX characters, not only spaces."""
        with pytest.raises(InvalidCommand, match="name"):
            Account.open(name=name, roles=[Role.CITIZEN], cause=ADMIN)

    def test_refuses_an_account_without_roles(self) -> None:
        """An account that may do nothing is refused."""
        with pytest.raises(InvalidCommand, match="role"):
            Account.open(name="Alice", roles=[], cause=ADMIN)

    @pytest.mark.parametrize(
        "email", ["alice", "alice@", "@example.org", "a b@example.org", "alice@example", "a@b@c.d"]
    )
    def test_refuses_what_is_not_an_e_mail_address(self, email: str) -> None:
        """An address needs one @, something on both sides and a dot in its domain."""
        with pytest.raises(InvalidCommand, match="e-mail"):
            normal_email(email)

    def test_a_version_1_opening_reads_as_a_personal_name_and_a_first_token(self) -> None:
        """The upcast: a v1 name in clear becomes the account's `Personal`, without an e-mail."""
        account_id = uuid4()
        state: dict[str, object] = {"originator_id": account_id, "name": "Ada"}

        Account.Opened.upcast_v1_v2(state)

        assert state == {
            "originator_id": account_id,
            "name": Personal(account_id, "Ada"),
            "email": None,
        }


class TestPasswordsAndTokens:
    def test_a_password_hash_is_sealed_as_personal_data(self) -> None:
        """PasswordSet carries the hash as the account's `Personal`."""
        account = opened()

        account.set_password(password_hash="$argon2id$v=19$...", cause=ADMIN)

        e = only_event(account, Account.PasswordSet)
        assert e.password_hash == Personal(account.id, "$argon2id$v=19$...")

    def test_a_token_is_issued_then_revoked(self) -> None:
        """TokenIssued records the hash, kind, label and expiry; TokenRevoked its id."""
        account = opened()

        token_id = account.issue_token(
            token_hash=TOKEN_HASH,
            kind=TokenKind.SESSION,
            label="web session",
            expires_at=LATER,
            cause=ADMIN,
        )

        e = only_event(account, Account.TokenIssued)
        assert (e.token_id, e.token_hash, e.kind, e.label, e.expires_at) == (
            token_id,
            TOKEN_HASH,
            "session",
            "web session",
            LATER,
        )
        account.revoke_token(token_id=token_id, cause=ADMIN)
        assert only_event(account, Account.TokenRevoked).token_id == token_id
        assert account.tokens == {}

    def test_revoking_a_token_it_does_not_hold_is_refused(self) -> None:
        """An unknown or already revoked token id: 409, nothing recorded."""
        account = opened()
        token_id = issue(account)
        account.revoke_token(token_id=token_id, cause=ADMIN)
        account.collect_events()

        with pytest.raises(UnknownToken):
            account.revoke_token(token_id=token_id, cause=ADMIN)
        assert account.collect_events() == []


class TestRoles:
    def test_granted_then_revoked(self) -> None:
        """RoleGranted adds a role, RoleRevoked removes it."""
        account = opened()

        account.grant(role=Role.MODERATOR, cause=ADMIN)
        account.revoke(role=Role.CITIZEN, cause=ADMIN)

        assert [type(e) for e in account.collect_events()] == [
            Account.RoleGranted,
            Account.RoleRevoked,
        ]
        assert account.roles == [Role.MODERATOR]

    def test_refusals_record_nothing(self) -> None:
        """A role held again, one not held, the last one: refused."""
        account = opened()
        with pytest.raises(IllegalTransition, match="already"):
            account.grant(role=Role.CITIZEN, cause=ADMIN)
        with pytest.raises(RoleNotHeld, match="does not hold"):
            account.revoke(role=Role.AUDITOR, cause=ADMIN)
        with pytest.raises(RoleNotHeld, match="at least one"):
            account.revoke(role=Role.CITIZEN, cause=ADMIN)
        assert account.collect_events() == []


class TestErasure:
    def test_erased_with_its_reason_and_every_token_ended(self) -> None:
        """Erased carries the envelope only; the account's data reads erased, no token stands."""
        account = opened()
        issue(account)
        account.set_password(password_hash="h", cause=ADMIN)
        account.collect_events()

        account.erase(cause=ERASURE)

        assert_caused_by(only_event(account, Account.Erased), ERASURE)
        assert (account.erased, account.tokens, account.password_hash) == (True, {}, None)
        assert account.name.shown() == ERASED
        assert account.email is not None
        assert account.email.erased

    def test_an_erased_account_can_do_nothing_more(self) -> None:
        """Every command on an erased account is refused (409), nothing recorded."""
        account = opened()
        account.erase(cause=ERASURE)
        account.collect_events()

        commands: list[Callable[[], object]] = [
            lambda: account.grant(role=Role.AUDITOR, cause=ADMIN),
            lambda: account.set_password(password_hash="h", cause=ADMIN),
            lambda: issue(account),
            lambda: account.erase(cause=ERASURE),
        ]
        for command in commands:
            with pytest.raises(AccountErased):
                command()
        assert account.collect_events() == []
