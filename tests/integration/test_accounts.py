"""Accounts: opening one issues a bearer token that authenticates, and is never stored in clear."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import MetaData, Table, select

from application.accounts import hash_token
from application.errors import Unauthenticated
from application.ledger import LOG_NAME
from application.system import CivicLedger
from domain.account import Role
from domain.errors import InvalidCommand
from domain.events import Cause

Unchanged = Callable[[], AbstractContextManager[None]]
Views = Callable[[CivicLedger], dict[str, list[dict[str, Any]]]]


def bootstrap() -> Cause:
    """Accounts in these tests are opened by the set-up process."""
    return Cause(actor="system:bootstrap", correlation_id=str(uuid4()))


def stored_states(civic: CivicLedger) -> list[bytes]:
    """The serialised state of every event, as stored in the library's events table."""
    events = Table(f"{LOG_NAME}_events", MetaData(), autoload_with=civic.ledger.engine)
    with civic.ledger.engine.connect() as connection:
        return [bytes(state) for state in connection.scalars(select(events.c.state))]


class TestOpenAndAuthenticate:
    """An account's token authenticates it; any other token does not."""

    def test_the_token_of_a_new_account_authenticates_it_with_its_roles(
        self, civic: CivicLedger
    ) -> None:
        """`authenticate` returns the account's id, name and roles."""
        account_id, token = civic.accounts.open(
            name="Ada Lovelace", roles=[Role.CITIZEN, Role.AUDITOR], cause=bootstrap()
        )
        principal = civic.accounts.authenticate(token)
        assert principal.id == account_id
        assert principal.name == "Ada Lovelace"
        assert principal.roles == frozenset({Role.CITIZEN, Role.AUDITOR})
        assert principal.actor == str(account_id)

    def test_each_token_authenticates_its_own_account(self, civic: CivicLedger) -> None:
        """Two accounts get different tokens, each naming its own account."""
        ada, ada_token = civic.accounts.open(name="Ada", roles=[Role.CITIZEN], cause=bootstrap())
        mo, mo_token = civic.accounts.open(name="Mo", roles=[Role.MODERATOR], cause=bootstrap())
        assert ada_token != mo_token
        assert civic.accounts.authenticate(ada_token).id == ada
        assert civic.accounts.authenticate(mo_token).id == mo
        assert civic.accounts.authenticate(mo_token).roles == frozenset({Role.MODERATOR})

    def test_a_wrong_token_is_unauthenticated(self, civic: CivicLedger) -> None:
        """Empty, altered or made-up tokens, and the stored hash itself, raise `Unauthenticated`."""
        _, token = civic.accounts.open(name="Ada", roles=[Role.CITIZEN], cause=bootstrap())
        for wrong in ("", "not-a-token", token.upper(), token[:-1], token + "x", hash_token(token)):
            with pytest.raises(Unauthenticated):
                civic.accounts.authenticate(wrong)

    def test_accounts_are_listed_by_name(self, civic: CivicLedger) -> None:
        """`list` gives every account, in name order."""
        civic.accounts.open(name="Mo", roles=[Role.MODERATOR], cause=bootstrap())
        civic.accounts.open(name="Ada", roles=[Role.CITIZEN, Role.ADMIN], cause=bootstrap())
        listed = civic.accounts.list()
        assert [(p.name, p.roles) for p in listed] == [
            ("Ada", frozenset({Role.CITIZEN, Role.ADMIN})),
            ("Mo", frozenset({Role.MODERATOR})),
        ]

    def test_a_token_still_authenticates_after_a_restart_and_a_rebuild(
        self, civic: CivicLedger, open_civic: Callable[[], CivicLedger]
    ) -> None:
        """The token's hash comes back from the log into the rebuilt views."""
        account_id, token = civic.accounts.open(name="Ada", roles=[Role.CITIZEN], cause=bootstrap())
        civic.close()
        restarted = open_civic()
        assert restarted.accounts.authenticate(token).id == account_id
        restarted.read_models.rebuild()
        assert restarted.accounts.authenticate(token).id == account_id

    def test_opening_is_recorded_in_the_audit_trail(self, civic: CivicLedger) -> None:
        """`Account.Opened` names the account, its roles and the token's hash, with the cause."""
        cause = bootstrap()
        account_id, token = civic.accounts.open(name="Ada", roles=[Role.AUDITOR], cause=cause)
        (opened,) = civic.audit.events(aggregate_id=account_id).items
        assert opened["type"] == "Account.Opened"
        assert (opened["actor"], opened["correlation_id"]) == (
            "system:bootstrap",
            cause.correlation_id,
        )
        assert opened["data"] == {
            "name": "Ada",
            "roles": ["auditor"],
            "token_hash": hash_token(token),
        }


class TestRefusedAccounts:
    """An account without a name or a role is refused and leaves no trace."""

    def test_an_invalid_account_is_refused(self, civic: CivicLedger, unchanged: Unchanged) -> None:
        """A blank or overlong name, or no role, raises `InvalidCommand`."""
        for name, roles in ((" ", [Role.CITIZEN]), ("x" * 101, [Role.CITIZEN]), ("Ada", [])):
            with unchanged(), pytest.raises(InvalidCommand):
                civic.accounts.open(name=name, roles=roles, cause=bootstrap())


class TestTokenSecrecy:
    """Only the token's hash is ever stored."""

    def test_the_token_is_not_in_the_stored_events(self, civic: CivicLedger) -> None:
        """No stored event state contains the token; the account's event holds its hash."""
        _, token = civic.accounts.open(name="Ada", roles=[Role.CITIZEN], cause=bootstrap())
        states = stored_states(civic)
        assert len(states) == 1
        assert all(token.encode() not in state for state in states)
        assert any(hash_token(token).encode() in state for state in states)

    def test_the_token_is_not_in_the_views(self, civic: CivicLedger, views: Views) -> None:
        """No row of any read model table contains the token."""
        _, token = civic.accounts.open(name="Ada", roles=[Role.CITIZEN], cause=bootstrap())
        rows = views(civic)
        assert token not in repr(rows)
        assert hash_token(token) in repr(rows["account_tokens"])
