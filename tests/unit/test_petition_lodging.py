"""Lodging a petition: what makes an acceptable petition, and what the Lodged event records."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from uuid import uuid4

import pytest

from domain.errors import InvalidPetition
from domain.petition import (
    CONSEQUENCE_MAX,
    TEXT_MAX,
    THRESHOLDS_MAX,
    TITLE_MAX,
    CommitteeThreshold,
    Petition,
    PetitionStatus,
    Threshold,
)

from .given import DEADLINE, LODGING, NOW, THRESHOLDS, assert_caused_by, only_event

TITLE = "More trees on the Rue Verte"
TEXT = "We ask the council to plant twenty trees along the Rue Verte."


def lodge(
    *,
    title: str = TITLE,
    text: str = TEXT,
    deadline: datetime | None = DEADLINE,
    thresholds: list[Threshold] | None = None,
) -> Petition:
    """Lodge a petition at NOW, varying one field from an acceptable one."""
    return Petition.lodge(
        title=title,
        text=text,
        deadline=deadline,
        thresholds=THRESHOLDS if thresholds is None else thresholds,
        cause=LODGING,
        now=NOW,
    )


class _NoOffset(tzinfo):
    """A time zone that does not know its offset: Python counts such datetimes as naive."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


class TestLodge:
    def test_records_one_lodged_event_with_its_envelope_and_fields(self) -> None:
        """A valid petition records one Lodged event with the envelope, title, text and terms."""
        petition = lodge()

        lodged = only_event(petition, Petition.Lodged)
        assert_caused_by(lodged, LODGING)
        assert lodged.originator_id == petition.id
        assert lodged.originator_version == 1
        assert lodged.title == TITLE
        assert lodged.text == TEXT
        assert lodged.deadline == DEADLINE
        assert lodged.thresholds == [
            {"signatures": 2, "consequence": "committee_hearing"},
            {"signatures": 3, "consequence": "citizen_vote"},
        ]

    def test_a_lodged_petition_awaits_its_admissibility_decision(self) -> None:
        """Once lodged, the petition is undecided, unsigned, unanswered and owned by its author."""
        petition = lodge()

        assert petition.status is PetitionStatus.LODGED
        assert petition.lodged_by == LODGING.actor
        assert petition.thresholds == THRESHOLDS
        assert petition.thresholds_reached == []
        assert petition.response is None
        assert not petition.is_open_for_signatures(NOW)

    def test_accepts_a_petition_without_deadline_or_thresholds(self) -> None:
        """Deadline and thresholds are optional."""
        lodged = only_event(lodge(deadline=None, thresholds=[]), Petition.Lodged)

        assert lodged.deadline is None
        assert lodged.thresholds == []

    def test_accepts_every_field_at_its_limit(self) -> None:
        """Longest title, text and consequences, and the most thresholds, are still accepted."""
        thresholds = [
            Threshold(signatures=n, consequence="c" * CONSEQUENCE_MAX)
            for n in range(1, THRESHOLDS_MAX + 1)
        ]

        lodged = only_event(
            lodge(title="t" * TITLE_MAX, text="x" * TEXT_MAX, thresholds=thresholds),
            Petition.Lodged,
        )

        assert len(lodged.thresholds) == THRESHOLDS_MAX

    def test_accepts_a_deadline_in_another_time_zone(self) -> None:
        """An aware deadline in any time zone is compared as an instant."""
        paris_summer = timezone(timedelta(hours=2))
        deadline = (NOW + timedelta(minutes=1)).astimezone(paris_summer)

        assert only_event(lodge(deadline=deadline), Petition.Lodged).deadline == deadline

    @pytest.mark.parametrize(
        "title", ["", "   ", "t" * (TITLE_MAX + 1)], ids=["empty", "blank", "too-long"]
    )
    def test_refuses_a_title_empty_or_too_long(self, title: str) -> None:
        """The title must have 1 to TITLE_MAX characters, not only spaces."""
        with pytest.raises(InvalidPetition, match="title"):
            lodge(title=title)

    @pytest.mark.parametrize(
        "text", ["", "\n\t ", "x" * (TEXT_MAX + 1)], ids=["empty", "blank", "too-long"]
    )
    def test_refuses_a_text_empty_or_too_long(self, text: str) -> None:
        """The text must have 1 to TEXT_MAX characters, not only spaces."""
        with pytest.raises(InvalidPetition, match="text"):
            lodge(text=text)

    @pytest.mark.parametrize(
        "deadline",
        [NOW, NOW - timedelta(days=1)],
        ids=["now", "yesterday"],
    )
    def test_refuses_a_deadline_that_is_not_in_the_future(self, deadline: datetime) -> None:
        """A deadline at or before the lodging instant leaves no time to sign."""
        with pytest.raises(InvalidPetition, match="future"):
            lodge(deadline=deadline)

    def test_refuses_a_naive_deadline(self) -> None:
        """A deadline without a time zone is ambiguous, so it is refused."""
        with pytest.raises(InvalidPetition, match="time zone"):
            lodge(deadline=DEADLINE.replace(tzinfo=None))

    def test_refuses_a_deadline_whose_time_zone_has_no_offset(self) -> None:
        """A deadline whose tzinfo gives no offset is naive too, and refused as such."""
        with pytest.raises(InvalidPetition, match="time zone"):
            lodge(deadline=DEADLINE.replace(tzinfo=_NoOffset()))

    @pytest.mark.parametrize(
        "signatures",
        [[3, 2], [2, 2], [0, 5], [-1], [0]],
        ids=["decreasing", "repeated", "zero-first", "negative", "zero"],
    )
    def test_refuses_thresholds_not_positive_and_strictly_increasing(
        self, signatures: list[int]
    ) -> None:
        """Thresholds count signatures upwards from 1, each above the one before."""
        thresholds = [Threshold(signatures=n, consequence="citizen_vote") for n in signatures]

        with pytest.raises(InvalidPetition, match="strictly increasing"):
            lodge(thresholds=thresholds)

    @pytest.mark.parametrize(
        "consequence", ["", "  ", "c" * (CONSEQUENCE_MAX + 1)], ids=["empty", "blank", "too-long"]
    )
    def test_refuses_a_threshold_without_a_proper_consequence(self, consequence: str) -> None:
        """Each threshold says what reaching it sets in motion, in 1 to CONSEQUENCE_MAX chars."""
        thresholds = [Threshold(signatures=2, consequence=consequence)]

        with pytest.raises(InvalidPetition, match="consequence"):
            lodge(thresholds=thresholds)

    def test_refuses_too_many_thresholds(self) -> None:
        """A petition has at most THRESHOLDS_MAX thresholds."""
        thresholds = [
            Threshold(signatures=n, consequence="citizen_vote")
            for n in range(1, THRESHOLDS_MAX + 2)
        ]

        with pytest.raises(InvalidPetition, match="at most"):
            lodge(thresholds=thresholds)

    def test_a_committee_agenda_threshold_must_name_its_committee(self) -> None:
        """Without a committee_id nobody would receive the agenda item it promises."""
        with pytest.raises(InvalidPetition, match="committee_id"):
            lodge(thresholds=[Threshold(signatures=2, consequence="committee_agenda")])

    def test_only_a_committee_agenda_threshold_names_a_committee(self) -> None:
        """A committee named on another consequence would refer the petition nowhere."""
        with pytest.raises(InvalidPetition, match="only a committee_agenda"):
            lodge(thresholds=[CommitteeThreshold(2, "citizen_vote", uuid4())])
