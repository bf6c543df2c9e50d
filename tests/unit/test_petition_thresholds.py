"""The petition records each signature threshold once, at the count that first equals it."""

from __future__ import annotations

import pytest

from domain.petition import Petition, Threshold

from .given import POLICY, THRESHOLDS, assert_caused_by, only_event, open_petition

SIGNATURE = "5c1d0f4e-0000-5000-8000-000000000002"


class TestRecordThresholdReached:
    def test_records_a_threshold_when_the_count_equals_it(self) -> None:
        """Count 2 on a 2-signature threshold records ThresholdReached with that signature."""
        petition = open_petition()

        assert petition.record_threshold_reached(
            signature_count=2, signature_id=SIGNATURE, cause=POLICY
        )

        reached = only_event(petition, Petition.ThresholdReached)
        assert reached.signatures == 2
        assert reached.consequence == "committee_hearing"
        assert reached.signature_id == SIGNATURE
        assert_caused_by(reached, POLICY)
        assert petition.thresholds_reached == [2]

    @pytest.mark.parametrize("count", [0, 1, 4, 100], ids=["none", "below", "above", "far-above"])
    def test_records_nothing_for_a_count_that_is_no_threshold(self, count: int) -> None:
        """A count equal to no threshold records nothing and returns False."""
        petition = open_petition()

        assert not petition.record_threshold_reached(
            signature_count=count, signature_id=SIGNATURE, cause=POLICY
        )

        assert petition.collect_events() == []
        assert petition.thresholds_reached == []

    def test_never_records_the_same_threshold_twice(self) -> None:
        """A count falling back then returning to a threshold already reached records nothing."""
        petition = open_petition()
        petition.record_threshold_reached(signature_count=2, signature_id=SIGNATURE, cause=POLICY)
        petition.collect_events()

        assert not petition.record_threshold_reached(
            signature_count=2, signature_id="another-signature", cause=POLICY
        )

        assert petition.collect_events() == []
        assert petition.thresholds_reached == [2]

    def test_records_each_threshold_in_turn(self) -> None:
        """Reaching 2 then 3 records both thresholds, each with its consequence."""
        petition = open_petition()

        for count in (1, 2, 3):
            petition.record_threshold_reached(
                signature_count=count, signature_id=f"signature-{count}", cause=POLICY
            )

        events = petition.collect_events()
        assert [
            (e.signatures, e.consequence, e.signature_id)
            for e in events
            if isinstance(e, Petition.ThresholdReached)
        ] == [(2, "committee_hearing", "signature-2"), (3, "citizen_vote", "signature-3")]
        assert len(events) == 2
        assert petition.thresholds_reached == [2, 3]

    def test_a_petition_without_thresholds_never_records_one(self) -> None:
        """With no thresholds, no count is ever a threshold."""
        petition = open_petition(thresholds=[])

        assert not petition.record_threshold_reached(
            signature_count=1, signature_id=SIGNATURE, cause=POLICY
        )
        assert petition.collect_events() == []


class TestPendingThreshold:
    def test_names_the_threshold_a_count_reaches_for_the_first_time(self) -> None:
        """The pending threshold is the unreached one equal to the count."""
        petition = open_petition()

        assert petition.pending_threshold(3) == THRESHOLDS[1]
        assert petition.pending_threshold(1) is None

    def test_a_reached_threshold_is_no_longer_pending(self) -> None:
        """Once recorded, a threshold is not pending again."""
        petition = open_petition(thresholds=[Threshold(signatures=1, consequence="hearing")])
        petition.record_threshold_reached(signature_count=1, signature_id=SIGNATURE, cause=POLICY)

        assert petition.pending_threshold(1) is None
