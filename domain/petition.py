"""The citizen petition ("pétition citoyenne"): lodged, judged admissible, signed, answered.

Signatures are separate aggregates (see `signature.py`) so that loading a petition never replays
its signatures, however many there are; the petition records only the thresholds they reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from domain.errors import (
    AlreadyAnswered,
    InvalidPetition,
    NotAwaitingAdmissibility,
    NotOpen,
    NotOpenForSignatures,
    ReasonRequired,
)
from domain.events import Cause, CivicAggregate, event_time
from domain.territory import OutsideCompetence
from domain.text import check_text

TITLE_MAX = 200
TEXT_MAX = 20_000
CONSEQUENCE_MAX = 100
THRESHOLDS_MAX = 10
COMMITTEE_AGENDA = "committee_agenda"  # a threshold's consequence that refers to a committee
DEADLINE_HORIZON = timedelta(days=3653)  # ten years: later is a typo, not a plan


class PetitionStatus(StrEnum):
    """Where a petition stands in its lifecycle."""

    LODGED = "lodged"  # awaiting the admissibility decision ("recevabilité")
    REJECTED = "rejected"
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Threshold:
    """A number of signatures and what reaching it sets in motion (e.g. 2000 -> citizen_vote)."""

    signatures: int
    consequence: str

    @property
    def committee(self) -> UUID | None:
        """The committee the petition is referred to on reaching it (see `CommitteeThreshold`)."""
        return None

    def as_event(self) -> dict[str, int | str]:
        """The threshold as the Lodged event holds it."""
        return {"signatures": self.signatures, "consequence": self.consequence}

    @classmethod
    def from_event(cls, data: dict[str, Any]) -> Threshold:
        """The threshold back from the Lodged event (older events name no committee)."""
        signatures, consequence = int(data["signatures"]), str(data["consequence"])
        committee_id = data.get("committee_id")
        if committee_id is None:
            return Threshold(signatures, consequence)
        return CommitteeThreshold(signatures, consequence, UUID(str(committee_id)))


@dataclass(frozen=True, slots=True)
class CommitteeThreshold(Threshold):
    """A `committee_agenda` threshold that names the committee the petition is referred to.

    A subclass rather than an optional field, so that thresholds naming no committee keep the
    shape they always had, in events and in the aggregate's state alike.
    """

    committee_id: UUID

    @property
    def committee(self) -> UUID | None:
        """The committee named."""
        return self.committee_id

    def as_event(self) -> dict[str, int | str]:
        """The threshold as the Lodged event holds it, with its committee."""
        return {**Threshold.as_event(self), "committee_id": str(self.committee_id)}


@dataclass(frozen=True, slots=True)
class Reached:
    """When a threshold was reached, and by which signature."""

    at: datetime
    signature_id: str


def validate_lodging(
    title: str, text: str, deadline: datetime | None, thresholds: list[Threshold], now: datetime
) -> None:
    """Raise `InvalidPetition` unless these make an acceptable petition."""
    check_text(title, what="the title", max_length=TITLE_MAX, error=InvalidPetition)
    check_text(text, what="the text", max_length=TEXT_MAX, error=InvalidPetition)
    if deadline is not None:
        if deadline.utcoffset() is None:
            raise InvalidPetition("the deadline must state its time zone")
        if deadline <= now:
            raise InvalidPetition("the deadline must be in the future")
        if deadline > now + DEADLINE_HORIZON:
            raise InvalidPetition("the deadline must be within ten years")
    if len(thresholds) > THRESHOLDS_MAX:
        raise InvalidPetition(f"a petition has at most {THRESHOLDS_MAX} thresholds")
    previous = 0
    for threshold in thresholds:
        if threshold.signatures <= previous:
            raise InvalidPetition("thresholds must be positive and strictly increasing")
        check_text(
            threshold.consequence,
            what="each threshold's consequence",
            max_length=CONSEQUENCE_MAX,
            error=InvalidPetition,
        )
        if threshold.consequence != COMMITTEE_AGENDA and threshold.committee is not None:
            raise InvalidPetition(f"only a {COMMITTEE_AGENDA} threshold names a committee_id")
        if threshold.consequence == COMMITTEE_AGENDA and threshold.committee is None:
            raise InvalidPetition(
                f"a {COMMITTEE_AGENDA} threshold names the committee it refers the petition to "
                "(committee_id)"
            )
        previous = threshold.signatures


class Petition(CivicAggregate):
    """A petition's own history: lodging, admissibility, thresholds reached, closure, response."""

    class Event(CivicAggregate.Event):
        """Any event of a petition."""

    class Lodged(Event, CivicAggregate.Created):
        """Lodged ("déposée"), awaiting its admissibility decision."""

        class_version = 2
        title: str
        text: str
        deadline: datetime | None
        thresholds: list[dict[str, int | str]]
        territory_id: UUID | None  # the territory it is addressed to

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Petitions lodged before territories belong to none."""
            state["territory_id"] = None

    class AdmissibilityDecided(Event):
        """Declared admissible (open for signatures) or rejected, with the reason; a rejection
        may cite a competence the territory lacks and who holds it (`OutsideCompetence`)."""

        class_version = 2
        admissible: bool
        outside_competence: dict[str, Any] | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Decisions recorded before territories cite no competence."""
            state["outside_competence"] = None

    class ThresholdReached(Event):
        """The signature `signature_id` brought the count to `signatures` for the first time."""

        signatures: int
        consequence: str
        signature_id: str

    class Closed(Event):
        """Closed to signatures, at the deadline or by decision."""

    class Responded(Event):
        """The official response was given, citing the committee decision it follows, if any."""

        class_version = 2
        text: str
        decision_id: UUID | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Responses recorded before decisions could be cited cite none."""
            state["decision_id"] = None

    @classmethod
    def lodge(
        cls,
        *,
        title: str,
        text: str,
        deadline: datetime | None,
        thresholds: list[Threshold],
        cause: Cause,
        now: datetime,
        territory_id: UUID | None = None,
    ) -> Petition:
        """Lodge a new petition to the territory `territory_id`; it awaits its admissibility
        decision."""
        validate_lodging(title, text, deadline, thresholds, now)
        return cls(
            title=title,
            text=text,
            deadline=deadline,
            thresholds=[t.as_event() for t in thresholds],
            territory_id=territory_id,
            **cause.fields(),
        )

    @event(Lodged)
    def __init__(
        self,
        *,
        title: str,
        text: str,
        deadline: datetime | None,
        thresholds: list[dict[str, int | str]],
        territory_id: UUID | None,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.title = title
        self.territory_id = territory_id
        self.text = text
        self.deadline = deadline
        self.thresholds = [Threshold.from_event(t) for t in thresholds]
        self.lodged_by = actor
        self.status = PetitionStatus.LODGED
        self.admissibility_reason: str | None = None
        self.outside_competence: OutsideCompetence | None = None
        self.reached: dict[int, Reached] = {}  # by threshold, in the order they were reached
        self.closed_reason: str | None = None
        self.closed_at: datetime | None = None
        self.response: str | None = None
        self.response_decision_id: UUID | None = None
        self.responded_at: datetime | None = None

    @property
    def thresholds_reached(self) -> list[int]:
        """The thresholds reached so far, in the order they were reached."""
        return list(self.reached)

    # -- admissibility -------------------------------------------------------------------------

    def decide_admissibility(
        self, *, admissible: bool, cause: Cause, outside: OutsideCompetence | None = None
    ) -> None:
        """Declare the petition admissible (it opens for signatures) or reject it, with a reason;
        `outside`: rejected as outside its territory's competences (see `outside_competence`)."""
        if self.status is not PetitionStatus.LODGED:
            raise NotAwaitingAdmissibility(f"admissibility was already decided: {self.status}")
        if not admissible and not (cause.reason and cause.reason.strip()):
            raise ReasonRequired("a rejected petition must say why")
        if outside is not None and admissible:
            raise InvalidPetition("only a rejection cites a competence the territory lacks")
        if outside is not None and self.territory_id is None:
            raise InvalidPetition(
                "the petition belongs to no territory: it cannot be outside its competences"
            )
        self._admissibility_decided(
            admissible=admissible,
            outside_competence=None if outside is None else outside.as_event(),
            **cause.fields(),
        )

    @event(AdmissibilityDecided)
    def _admissibility_decided(
        self,
        *,
        admissible: bool,
        outside_competence: dict[str, Any] | None,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.status = PetitionStatus.OPEN if admissible else PetitionStatus.REJECTED
        self.admissibility_reason = reason
        if outside_competence is not None:
            self.outside_competence = OutsideCompetence.from_event(outside_competence)

    # -- signatures ------------------------------------------------------------------------------

    def is_open_for_signatures(self, now: datetime) -> bool:
        """Open, and its deadline (if any) not yet passed."""
        return self.status is PetitionStatus.OPEN and (self.deadline is None or now < self.deadline)

    def check_open_for_signatures(self, now: datetime) -> None:
        """Raise `NotOpenForSignatures` unless signatures may be given or withdrawn now."""
        if self.status is not PetitionStatus.OPEN:
            raise NotOpenForSignatures(f"the petition is {self.status}, not open for signatures")
        if self.deadline is not None and now >= self.deadline:
            raise NotOpenForSignatures("the petition's deadline has passed")

    def pending_threshold(self, signature_count: int) -> Threshold | None:
        """The threshold that this count reaches for the first time, if any."""
        for threshold in self.thresholds:
            if (
                threshold.signatures == signature_count
                and threshold.signatures not in self.thresholds_reached
            ):
                return threshold
        return None

    def record_threshold_reached(
        self, *, signature_count: int, signature_id: str, cause: Cause
    ) -> bool:
        """Record that `signature_count` reached a threshold; False if none is newly reached."""
        threshold = self.pending_threshold(signature_count)
        if threshold is None:
            return False
        self._threshold_reached(
            signatures=threshold.signatures,
            consequence=threshold.consequence,
            signature_id=signature_id,
            **cause.fields(),
        )
        return True

    @event(ThresholdReached)
    def _threshold_reached(
        self,
        timestamp: datetime | None = None,
        *,
        signatures: int,
        consequence: str,
        signature_id: str,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.reached[signatures] = Reached(at=event_time(timestamp), signature_id=signature_id)

    # -- closure and response -------------------------------------------------------------------

    def close(self, *, cause: Cause) -> None:
        """Close the petition to signatures, at its deadline or by decision, with a reason."""
        if self.status is not PetitionStatus.OPEN:
            raise NotOpen(f"only an open petition can be closed; this one is {self.status}")
        if not (cause.reason and cause.reason.strip()):
            raise ReasonRequired("closing a petition needs a reason")
        self._closed(**cause.fields())

    def deadline_passed(self, now: datetime) -> bool:
        """Open, with a deadline that has passed: the petition is due to be closed."""
        return (
            self.status is PetitionStatus.OPEN
            and self.deadline is not None
            and now >= self.deadline
        )

    @event(Closed)
    def _closed(
        self,
        timestamp: datetime | None = None,
        *,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.status = PetitionStatus.CLOSED
        self.closed_reason = reason
        self.closed_at = event_time(timestamp)

    def respond(self, *, text: str, cause: Cause, decision_id: UUID | None = None) -> None:
        """Record the official response ("réponse officielle"), once, to an admitted petition;
        `decision_id` cites the committee decision that answered it (checked by the caller)."""
        if self.status not in (PetitionStatus.OPEN, PetitionStatus.CLOSED):
            raise NotOpen(f"only an admitted petition can be answered; this one is {self.status}")
        if self.response is not None:
            raise AlreadyAnswered("the petition already has its official response")
        check_text(text, what="the response", max_length=TEXT_MAX, error=InvalidPetition)
        self._responded(text=text, decision_id=decision_id, **cause.fields())

    @event(Responded)
    def _responded(
        self,
        timestamp: datetime | None = None,
        *,
        text: str,
        decision_id: UUID | None = None,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.response = text
        self.response_decision_id = decision_id
        self.responded_at = event_time(timestamp)
