"""Signing, withdrawing and signing again, only while the petition is open for signatures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

import pytest

from domain.errors import AlreadySigned, NotOpenForSignatures, NotSigned
from domain.events import Cause
from domain.petition import Petition
from domain.signature import Signature, signature_id

from .given import (
    CLOSURE,
    DEADLINE,
    JUST_BEFORE_DEADLINE,
    NOW,
    SIGNING,
    assert_caused_by,
    closed_petition,
    lodged_petition,
    only_event,
    open_petition,
    refused,
    rejected_petition,
    signed,
    withdrawn,
)

AT_OR_AFTER_DEADLINE = pytest.mark.parametrize(
    "now", [DEADLINE, DEADLINE + timedelta(days=1)], ids=["at-deadline", "after-deadline"]
)
WITHDRAWAL = Cause(actor="account:bob", correlation_id="corr-withdraw", reason="changed my mind")
SIGNING_AGAIN = Cause(actor="account:bob", correlation_id="corr-sign-again")


class TestSignatureId:
    def test_is_derived_from_the_petition_and_the_signer(self) -> None:
        """The same (petition, signer) always gives the same id; another signer or petition not."""
        petition, other = UUID(int=1), UUID(int=2)

        assert signature_id(petition, "account:bob") == signature_id(petition, "account:bob")
        assert signature_id(petition, "account:bob") != signature_id(petition, "account:carol")
        assert signature_id(petition, "account:bob") != signature_id(other, "account:bob")

    def test_a_signature_has_the_derived_id(self) -> None:
        """The Signature aggregate's id is `signature_id(petition_id, signer)`."""
        petition = open_petition()

        signature = signed(petition, "account:bob")

        assert signature.id == signature_id(petition.id, "account:bob")


class TestSign:
    def test_records_a_signed_event_naming_the_petition_and_the_signer(self) -> None:
        """Signing an open petition records one Signed event with the envelope."""
        petition = open_petition()

        signature = Signature.sign(petition=petition, signer="account:bob", cause=SIGNING, now=NOW)

        event = only_event(signature, Signature.Signed)
        assert event.petition_id == petition.id
        assert event.signer == "account:bob"
        assert event.originator_id == signature_id(petition.id, "account:bob")
        assert_caused_by(event, SIGNING)
        assert signature.active
        assert petition.collect_events() == []

    def test_accepts_a_signature_just_before_the_deadline(self) -> None:
        """The last instant before the deadline still counts as open."""
        petition = open_petition()

        signature = Signature.sign(
            petition=petition, signer="account:bob", cause=SIGNING, now=JUST_BEFORE_DEADLINE
        )

        assert only_event(signature, Signature.Signed).petition_id == petition.id

    def test_a_petition_without_deadline_stays_open(self) -> None:
        """Without a deadline, signatures are accepted however late."""
        petition = open_petition(deadline=None)

        signature = Signature.sign(
            petition=petition, signer="account:bob", cause=SIGNING, now=NOW + timedelta(days=3650)
        )

        assert only_event(signature, Signature.Signed).signer == "account:bob"

    @pytest.mark.parametrize(
        "given",
        [lodged_petition, rejected_petition, closed_petition],
        ids=["lodged", "rejected", "closed"],
    )
    def test_refuses_to_sign_a_petition_that_is_not_open(
        self, given: Callable[[], Petition]
    ) -> None:
        """Only an admitted, unclosed petition takes signatures."""
        petition = given()

        with refused(NotOpenForSignatures, petition):
            Signature.sign(petition=petition, signer="account:bob", cause=SIGNING, now=NOW)

    @AT_OR_AFTER_DEADLINE
    def test_refuses_to_sign_at_or_after_the_deadline(self, now: datetime) -> None:
        """From the deadline on, the petition takes no more signatures, even before closure."""
        petition = open_petition()

        with refused(NotOpenForSignatures, petition):
            Signature.sign(petition=petition, signer="account:bob", cause=SIGNING, now=now)

    def test_refuses_a_second_signature_by_the_same_person(self) -> None:
        """A signature that stands cannot be given again."""
        petition = open_petition()
        signature = signed(petition, "account:bob")

        with refused(AlreadySigned, signature, petition):
            signature.sign_again(petition=petition, cause=SIGNING_AGAIN, now=NOW)

        assert signature.active

    def test_says_already_signed_even_once_the_petition_is_closed(self) -> None:
        """A standing signature is reported as such before the petition's closure."""
        petition = open_petition()
        signature = signed(petition, "account:bob")
        petition.close(cause=CLOSURE)

        with refused(AlreadySigned, signature, petition):
            signature.sign_again(petition=petition, cause=SIGNING_AGAIN, now=NOW)


class TestSignAgain:
    def test_a_withdrawn_signature_can_be_given_again(self) -> None:
        """After a withdrawal, signing again records SignedAgain naming the petition."""
        petition = open_petition()
        signature = withdrawn(petition, "account:bob")

        signature.sign_again(petition=petition, cause=SIGNING_AGAIN, now=NOW)

        event = only_event(signature, Signature.SignedAgain)
        assert event.petition_id == petition.id
        assert_caused_by(event, SIGNING_AGAIN)
        assert signature.active

    def test_refuses_to_sign_again_once_the_petition_is_closed(self) -> None:
        """A withdrawn signature cannot come back after the petition is closed."""
        petition = open_petition()
        signature = withdrawn(petition, "account:bob")
        petition.close(cause=CLOSURE)

        with refused(NotOpenForSignatures, signature, petition):
            signature.sign_again(petition=petition, cause=SIGNING_AGAIN, now=NOW)

        assert not signature.active

    @AT_OR_AFTER_DEADLINE
    def test_refuses_to_sign_again_at_or_after_the_deadline(self, now: datetime) -> None:
        """A withdrawn signature cannot come back once the deadline is reached."""
        petition = open_petition()
        signature = withdrawn(petition, "account:bob")

        with refused(NotOpenForSignatures, signature, petition):
            signature.sign_again(petition=petition, cause=SIGNING_AGAIN, now=now)


class TestWithdraw:
    def test_records_a_withdrawn_event_naming_the_petition(self) -> None:
        """Withdrawing a standing signature records Withdrawn with the envelope."""
        petition = open_petition()
        signature = signed(petition, "account:bob")

        signature.withdraw(petition=petition, cause=WITHDRAWAL, now=NOW)

        event = only_event(signature, Signature.Withdrawn)
        assert event.petition_id == petition.id
        assert_caused_by(event, WITHDRAWAL)
        assert not signature.active

    def test_refuses_to_withdraw_a_withdrawn_signature(self) -> None:
        """There is nothing to withdraw once the signature is withdrawn."""
        petition = open_petition()
        signature = withdrawn(petition, "account:bob")

        with refused(NotSigned, signature, petition):
            signature.withdraw(petition=petition, cause=WITHDRAWAL, now=NOW)

    def test_refuses_to_withdraw_from_a_closed_petition(self) -> None:
        """Once the petition is closed, its signatures stand as they are."""
        petition = open_petition()
        signature = signed(petition, "account:bob")
        petition.close(cause=CLOSURE)

        with refused(NotOpenForSignatures, signature, petition):
            signature.withdraw(petition=petition, cause=WITHDRAWAL, now=NOW)

        assert signature.active

    @AT_OR_AFTER_DEADLINE
    def test_refuses_to_withdraw_at_or_after_the_deadline(self, now: datetime) -> None:
        """From the deadline on, signatures can no longer be withdrawn."""
        petition = open_petition()
        signature = signed(petition, "account:bob")

        with refused(NotOpenForSignatures, signature, petition):
            signature.withdraw(petition=petition, cause=WITHDRAWAL, now=now)

    def test_sign_withdraw_and_sign_again_in_turn(self) -> None:
        """A signer may go back and forth while open; every event names the petition."""
        petition = open_petition()
        signature = Signature.sign(petition=petition, signer="account:bob", cause=SIGNING, now=NOW)

        signature.withdraw(petition=petition, cause=WITHDRAWAL, now=NOW)
        signature.sign_again(petition=petition, cause=SIGNING_AGAIN, now=NOW)
        signature.withdraw(petition=petition, cause=WITHDRAWAL, now=NOW)

        events = signature.collect_events()
        assert [type(e) for e in events] == [
            Signature.Signed,
            Signature.Withdrawn,
            Signature.SignedAgain,
            Signature.Withdrawn,
        ]
        assert all(isinstance(e, Signature.Event) and e.petition_id == petition.id for e in events)
        assert [e.originator_version for e in events] == [1, 2, 3, 4]
        assert not signature.active
