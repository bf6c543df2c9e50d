"""Closing a petition to signatures, its deadline, and the official response."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from domain.errors import AlreadyAnswered, InvalidPetition, NotOpen, ReasonRequired
from domain.events import Cause
from domain.petition import TEXT_MAX, Petition, PetitionStatus

from .given import (
    CLOSURE,
    DEADLINE,
    JUST_BEFORE_DEADLINE,
    NOW,
    assert_caused_by,
    closed_petition,
    drained,
    lodged_petition,
    only_event,
    open_petition,
    refused,
    rejected_petition,
)

RESPONSE = "The council will plant fifteen trees this autumn."
COMMITTEE = Cause(actor="account:committee", correlation_id="corr-respond")


class TestClose:
    def test_closes_an_open_petition_with_a_reason(self) -> None:
        """Closing records one Closed event with its reason; no more signatures are taken."""
        petition = open_petition()

        petition.close(cause=CLOSURE)

        closed = only_event(petition, Petition.Closed)
        assert closed.reason == "deadline passed"
        assert_caused_by(closed, CLOSURE)
        assert petition.status is PetitionStatus.CLOSED
        assert not petition.is_open_for_signatures(NOW)

    @pytest.mark.parametrize("reason", [None, "", "  "], ids=["none", "empty", "blank"])
    def test_refuses_to_close_without_a_reason(self, reason: str | None) -> None:
        """Closing needs a non-blank reason; without one the petition stays open."""
        petition = open_petition()
        cause = Cause(actor="account:moderator", correlation_id="corr-close", reason=reason)

        with refused(ReasonRequired, petition):
            petition.close(cause=cause)

        assert petition.status is PetitionStatus.OPEN

    @pytest.mark.parametrize(
        "given",
        [lodged_petition, rejected_petition, closed_petition],
        ids=["lodged", "rejected", "closed"],
    )
    def test_refuses_to_close_a_petition_that_is_not_open(
        self, given: Callable[[], Petition]
    ) -> None:
        """Only an open petition can be closed, and only once."""
        petition = given()

        with refused(NotOpen, petition):
            petition.close(cause=CLOSURE)


class TestDeadlinePassed:
    @pytest.mark.parametrize(
        ("now", "due"),
        [
            (NOW, False),
            (JUST_BEFORE_DEADLINE, False),
            (DEADLINE, True),
            (DEADLINE + timedelta(days=1), True),
        ],
        ids=["long-before", "just-before", "at", "after"],
    )
    def test_an_open_petition_is_due_for_closure_from_its_deadline(
        self, now: datetime, due: bool
    ) -> None:
        """The deadline passes at the deadline instant itself, when signing stops."""
        petition = open_petition()

        assert petition.deadline_passed(now) is due
        assert petition.is_open_for_signatures(now) is not due

    def test_a_petition_without_deadline_is_never_due(self) -> None:
        """Without a deadline, only a decision closes the petition."""
        petition = open_petition(deadline=None)

        assert not petition.deadline_passed(NOW + timedelta(days=3650))

    @pytest.mark.parametrize(
        "given",
        [lodged_petition, rejected_petition, closed_petition],
        ids=["lodged", "rejected", "closed"],
    )
    def test_a_petition_that_is_not_open_is_never_due(self, given: Callable[[], Petition]) -> None:
        """Only an open petition is due to be closed at its deadline."""
        assert not given().deadline_passed(DEADLINE + timedelta(days=1))


class TestRespond:
    @pytest.mark.parametrize(
        ("given", "status"),
        [(open_petition, PetitionStatus.OPEN), (closed_petition, PetitionStatus.CLOSED)],
        ids=["open", "closed"],
    )
    def test_records_the_official_response_to_an_admitted_petition(
        self, given: Callable[[], Petition], status: PetitionStatus
    ) -> None:
        """An open or closed petition gets one Responded event; its status does not change."""
        petition = given()

        petition.respond(text=RESPONSE, cause=COMMITTEE)

        responded = only_event(petition, Petition.Responded)
        assert responded.text == RESPONSE
        assert_caused_by(responded, COMMITTEE)
        assert petition.response == RESPONSE
        assert petition.status is status

    @pytest.mark.parametrize(
        "given", [lodged_petition, rejected_petition], ids=["lodged", "rejected"]
    )
    def test_refuses_to_answer_a_petition_that_was_not_admitted(
        self, given: Callable[[], Petition]
    ) -> None:
        """A lodged or rejected petition gets no official response."""
        petition = given()

        with refused(NotOpen, petition):
            petition.respond(text=RESPONSE, cause=COMMITTEE)

    def test_refuses_a_second_response(self) -> None:
        """The official response is given once."""
        petition = open_petition()
        petition.respond(text=RESPONSE, cause=COMMITTEE)
        drained(petition)

        with refused(AlreadyAnswered, petition):
            petition.respond(text="On second thoughts, thirty trees.", cause=COMMITTEE)

        assert petition.response == RESPONSE

    @pytest.mark.parametrize(
        "text", ["", " \n", "x" * (TEXT_MAX + 1)], ids=["empty", "blank", "too-long"]
    )
    def test_refuses_an_empty_or_too_long_response(self, text: str) -> None:
        """The response must have 1 to TEXT_MAX characters, not only spaces."""
        petition = closed_petition()

        with refused(InvalidPetition, petition):
            petition.respond(text=text, cause=COMMITTEE)

        assert petition.response is None
