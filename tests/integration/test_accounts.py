"""Accounts: opening one issues a bearer token that authenticates, and is never stored in clear."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import MetaData, Table, select

from application.accounts import AccountService, hash_token
from application.errors import Unauthenticated
from application.ledger import LOG_NAME
from application.personal_data import personal_keys
from application.system import CivicLedger
from application.verification import verify_live
from domain.account import Account, EmailTaken, Role, RoleNotHeld
from domain.errors import InvalidCommand
from domain.events import Cause
from domain.personal import ERASED

Unchanged = Callable[[], AbstractContextManager[None]]
Views = Callable[[CivicLedger], dict[str, list[dict[str, Any]]]]
PASSWORD = "correct horse battery staple"


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
        """`Account.Opened` names whose data the name is (never the name), and the roles; the
        token's hash follows in `Account.TokenIssued`, both with the cause."""
        cause = bootstrap()
        account_id, token = civic.accounts.open(name="Ada", roles=[Role.AUDITOR], cause=cause)
        opened, issued = civic.audit.events(aggregate_id=account_id).items
        assert (opened["type"], issued["type"]) == ("Account.Opened", "Account.TokenIssued")
        for entry in (opened, issued):
            assert (entry["actor"], entry["correlation_id"]) == (
                "system:bootstrap",
                cause.correlation_id,
            )
        assert opened["data"] == {
            "name": {"personal_data_of": str(account_id)},
            "email": None,
            "roles": ["auditor"],
            "token_hash": None,
        }
        assert issued["data"]["token_hash"] == hash_token(token)


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
        assert len(states) == 2
        assert all(token.encode() not in state for state in states)
        assert any(hash_token(token).encode() in state for state in states)

    def test_the_token_is_not_in_the_views(self, civic: CivicLedger, views: Views) -> None:
        """No row of any read model table contains the token."""
        _, token = civic.accounts.open(name="Ada", roles=[Role.CITIZEN], cause=bootstrap())
        rows = views(civic)
        assert token not in repr(rows)
        assert hash_token(token) in repr(rows["account_tokens"])


class TestSignIn:
    """A person opens their account, signs in with e-mail and password, and signs out."""

    def test_registered_signed_in_and_out(self, civic: CivicLedger) -> None:
        """Sign-in opens a session token that authenticates until signing out."""
        account_id = civic.accounts.register(
            name="Ada", email="Ada@Example.org", password=PASSWORD, cause=bootstrap()
        )
        signed_in, issued = civic.accounts.sign_in(
            email="ada@example.org", password=PASSWORD, correlation_id="c-sign-in"
        )
        assert signed_in == account_id
        assert issued.expires_at is not None
        principal = civic.accounts.authenticate(issued.token)
        assert (principal.id, principal.name, principal.roles) == (
            account_id,
            "Ada",
            frozenset({Role.CITIZEN}),
        )
        civic.accounts.sign_out(issued.token, cause=bootstrap())
        with pytest.raises(Unauthenticated):
            civic.accounts.authenticate(issued.token)

    @pytest.mark.parametrize(
        ("email", "password"),
        [
            ("ada@example.org", "wrong password!"),
            ("bob@example.org", PASSWORD),
            ("not an address", PASSWORD),
        ],
        ids=["wrong-password", "unknown-email", "malformed-email"],
    )
    def test_a_wrong_e_mail_or_password_is_unauthenticated(
        self, civic: CivicLedger, unchanged: Unchanged, email: str, password: str
    ) -> None:
        """One answer for every mismatch, and nothing recorded."""
        civic.accounts.register(
            name="Ada", email="ada@example.org", password=PASSWORD, cause=bootstrap()
        )
        with unchanged(), pytest.raises(Unauthenticated, match="e-mail address or the password"):
            civic.accounts.sign_in(email=email, password=password, correlation_id="c-sign-in")

    def test_an_e_mail_opens_one_account_whatever_its_case(
        self, civic: CivicLedger, unchanged: Unchanged
    ) -> None:
        """A second account with the same address (in any case) is refused (409)."""
        civic.accounts.register(
            name="Ada", email="ada@example.org", password=PASSWORD, cause=bootstrap()
        )
        with unchanged(), pytest.raises(EmailTaken):
            civic.accounts.register(
                name="Ada 2", email="ADA@example.org", password=PASSWORD, cause=bootstrap()
            )

    def test_a_short_password_is_refused(self, civic: CivicLedger, unchanged: Unchanged) -> None:
        """Fewer than 10 characters: 422, nothing recorded."""
        with unchanged(), pytest.raises(InvalidCommand, match="password"):
            civic.accounts.register(
                name="Ada", email="ada@example.org", password="short", cause=bootstrap()
            )

    def test_a_session_expires(
        self, civic: CivicLedger, open_civic: Callable[..., CivicLedger]
    ) -> None:
        """Past its lifetime a session no longer authenticates."""
        civic.accounts.register(
            name="Ada", email="ada@example.org", password=PASSWORD, cause=bootstrap()
        )
        _, issued = civic.accounts.sign_in(
            email="ada@example.org", password=PASSWORD, correlation_id="c-sign-in"
        )
        assert issued.expires_at is not None
        after = issued.expires_at + timedelta(seconds=1)
        later = AccountService(civic.ledger, lambda: after)
        with pytest.raises(Unauthenticated, match="expired"):
            later.authenticate(issued.token)
        assert civic.accounts.authenticate(issued.token).name == "Ada"


class TestTokensAndRoles:
    def test_an_issued_token_is_listed_then_revoked(self, civic: CivicLedger) -> None:
        """Tokens are listed by id and label, never in clear; a revoked one stops working."""
        account_id, first = civic.accounts.open(name="Ada", roles=[Role.CITIZEN], cause=bootstrap())
        issued = civic.accounts.issue_token(account_id, label="my script", cause=bootstrap())
        listed = civic.accounts.tokens(account_id)
        assert [(t["label"], t["kind"]) for t in listed] == [
            ("opened with the account", "api"),
            ("my script", "api"),
        ]
        assert issued.token not in repr(listed)
        civic.accounts.revoke_token(account_id, issued.token_id, cause=bootstrap())
        with pytest.raises(Unauthenticated):
            civic.accounts.authenticate(issued.token)
        assert civic.accounts.authenticate(first).id == account_id

    def test_roles_granted_and_revoked_apply_to_the_next_request(self, civic: CivicLedger) -> None:
        """The token's roles follow the grants and revocations."""
        account_id, token = civic.accounts.open(name="Ada", roles=[Role.CITIZEN], cause=bootstrap())
        civic.accounts.grant(account_id, Role.MODERATOR, cause=bootstrap())
        assert civic.accounts.authenticate(token).roles == {Role.CITIZEN, Role.MODERATOR}
        civic.accounts.revoke(account_id, Role.CITIZEN, cause=bootstrap())
        assert civic.accounts.authenticate(token).roles == {Role.MODERATOR}
        with pytest.raises(RoleNotHeld):
            civic.accounts.revoke(account_id, Role.MODERATOR, cause=bootstrap())


class TestPersonalData:
    """Names, e-mails and password hashes are sealed per person; erasing destroys the key."""

    def test_personal_data_is_never_stored_in_clear(self, civic: CivicLedger) -> None:
        """Neither the name, nor the e-mail, nor the password hash is in a stored event."""
        civic.accounts.register(
            name="Zéphirine Dubois", email="zeph@example.org", password=PASSWORD, cause=bootstrap()
        )
        for state in stored_states(civic):
            for secret in ("Zéphirine", "Z\\u00e9phirine", "zeph@example.org", "argon2"):
                assert secret.encode() not in state

    def test_export_gives_everything_held_about_the_person(self, civic: CivicLedger) -> None:
        """The account in clear, its tokens, and the events it caused (a lodged petition)."""
        account_id = civic.accounts.register(
            name="Ada", email="ada@example.org", password=PASSWORD, cause=bootstrap()
        )
        petition_id = civic.petitions.lodge(
            title="Des bancs",
            text="Des bancs place Grenette.",
            deadline=None,
            thresholds=[],
            cause=Cause(actor=str(account_id), correlation_id="c-1"),
        )
        data = civic.accounts.export(account_id)
        assert data["account"]["name"] == "Ada"
        assert data["account"]["email"] == "ada@example.org"
        assert data["account"]["has_password"] is True
        assert [e["type"] for e in data["events"]] == [
            "Account.Opened",
            "Account.PasswordSet",
            "Petition.Lodged",
        ]
        assert data["events"][-1]["aggregate_id"] == str(petition_id)
        assert "argon2" not in repr(data)

    def test_erasure_reads_erased_everywhere_and_the_log_still_verifies(
        self, civic: CivicLedger, open_civic: Callable[[], CivicLedger], tmp_path: Path
    ) -> None:
        """After erasure: no key, no name or e-mail in any view, the history and the export
        read erased, sign-in and tokens fail; the chain verifies and a rebuild agrees."""
        account_id, token = civic.accounts.open(
            name="Ada",
            roles=[Role.CITIZEN],
            email="ada@example.org",
            password=PASSWORD,
            cause=bootstrap(),
        )
        before = stored_states(civic)
        civic.accounts.erase(account_id, cause=bootstrap())

        assert stored_states(civic)[: len(before)] == before  # nothing rewritten
        with civic.ledger.engine.connect() as connection:
            assert connection.scalar(select(personal_keys.c.key)) is None
        view = civic.accounts.get(account_id)
        assert (view["name"], view["email"], view["status"]) == (ERASED, None, "erased")
        with pytest.raises(Unauthenticated):
            civic.accounts.authenticate(token)
        with pytest.raises(Unauthenticated):
            civic.accounts.sign_in(
                email="ada@example.org", password=PASSWORD, correlation_id="c-sign-in"
            )
        exported = civic.accounts.export(account_id)["account"]
        assert (exported["name"], exported["email"], exported["erased"]) == (None, None, True)
        replayed: Account = civic.ledger.repository.get(account_id)
        assert replayed.name.erased
        assert "Ada" not in repr(civic.audit.events(aggregate_id=account_id).items)

        civic.close()
        restarted = open_civic()
        restarted.read_models.rebuild()
        assert restarted.accounts.get(account_id)["name"] == ERASED
        assert restarted.transparency.issue_checkpoint() is not None
        report = verify_live(restarted.ledger, restarted.transparency)
        assert report.ok, report.problem
        restarted.close()
