"""Deciding admissibility ("recevabilité"): once, and a rejection must say why."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.errors import NotAwaitingAdmissibility, ReasonRequired
from domain.events import Cause
from domain.petition import Petition, PetitionStatus

from .given import (
    ADMISSION,
    NOW,
    REJECTION,
    assert_caused_by,
    closed_petition,
    lodged_petition,
    only_event,
    open_petition,
    refused,
    rejected_petition,
)


class TestDecideAdmissibility:
    def test_an_admissible_petition_opens_for_signatures(self) -> None:
        """Declared admissible: one AdmissibilityDecided(admissible) and the petition is open."""
        petition = lodged_petition()

        petition.decide_admissibility(admissible=True, cause=ADMISSION)

        decided = only_event(petition, Petition.AdmissibilityDecided)
        assert decided.admissible is True
        assert_caused_by(decided, ADMISSION)
        assert petition.status is PetitionStatus.OPEN
        assert petition.is_open_for_signatures(NOW)

    def test_a_rejection_records_its_reason(self) -> None:
        """Rejected with a reason: the event carries it and the petition is rejected."""
        petition = lodged_petition()

        petition.decide_admissibility(admissible=False, cause=REJECTION)

        decided = only_event(petition, Petition.AdmissibilityDecided)
        assert decided.admissible is False
        assert decided.reason == "outside the city's remit"
        assert_caused_by(decided, REJECTION)
        assert petition.status is PetitionStatus.REJECTED
        assert not petition.is_open_for_signatures(NOW)

    @pytest.mark.parametrize("reason", [None, "", " \n "], ids=["none", "empty", "blank"])
    def test_refuses_a_rejection_without_a_reason(self, reason: str | None) -> None:
        """A rejection needs a non-blank reason; without one nothing is decided."""
        petition = lodged_petition()
        cause = Cause(actor="account:moderator", correlation_id="corr-reject", reason=reason)

        with refused(ReasonRequired, petition):
            petition.decide_admissibility(admissible=False, cause=cause)

        assert petition.status is PetitionStatus.LODGED

    @pytest.mark.parametrize(
        "decided",
        [open_petition, rejected_petition, closed_petition],
        ids=["admitted", "rejected", "closed"],
    )
    @pytest.mark.parametrize(
        ("admissible", "cause"),
        [
            (True, ADMISSION),
            (False, REJECTION),
            (False, Cause(actor="account:moderator", correlation_id="corr-again")),
        ],
        ids=["admit", "reject", "reject-without-reason"],
    )
    def test_refuses_to_decide_twice(
        self, decided: Callable[[], Petition], admissible: bool, cause: Cause
    ) -> None:
        """Admissibility is decided once: any second decision is refused, whatever it says."""
        petition = decided()
        status = petition.status

        with refused(NotAwaitingAdmissibility, petition):
            petition.decide_admissibility(admissible=admissible, cause=cause)

        assert petition.status is status
