"""The petition remembers what its view shows, so that it can be shown as it was at any version:
the admissibility reason, when and by which signature each threshold was reached, when and why
it was closed, and when it was answered, each time taken from its event (`test_replay.py` checks
that a replay remembers the same)."""

from __future__ import annotations

from domain.petition import Petition, Reached

from .given import ADMISSION, CLOSURE, POLICY, REJECTION, lodged_petition, open_petition

SIGNATURE = "5c1d0f4e-0000-5000-8000-000000000002"


class TestMemory:
    def test_a_lodged_petition_has_nothing_to_remember_yet(self) -> None:
        """No reason, no threshold reached, no closure, no response."""
        petition = lodged_petition()

        assert petition.admissibility_reason is None
        assert petition.reached == {}
        assert (petition.closed_reason, petition.closed_at) == (None, None)
        assert (petition.response, petition.responded_at) == (None, None)

    def test_remembers_the_admissibility_reason(self) -> None:
        """Admitted or rejected, the decision's reason is kept."""
        admitted = lodged_petition()
        admitted.decide_admissibility(admissible=True, cause=ADMISSION)
        rejected = lodged_petition()
        rejected.decide_admissibility(admissible=False, cause=REJECTION)

        assert admitted.admissibility_reason is None
        assert rejected.admissibility_reason == REJECTION.reason

    def test_remembers_when_and_by_which_signature_a_threshold_was_reached(self) -> None:
        """`reached[2]` holds the event's time and the signature; `thresholds_reached` lists 2."""
        petition = open_petition()
        petition.record_threshold_reached(signature_count=2, signature_id=SIGNATURE, cause=POLICY)

        (event,) = petition.collect_events()
        assert isinstance(event, Petition.ThresholdReached)
        assert petition.reached == {2: Reached(at=event.timestamp, signature_id=SIGNATURE)}
        assert petition.thresholds_reached == [2]

    def test_remembers_when_and_why_it_was_closed_and_when_it_was_answered(self) -> None:
        """`closed_at` and `responded_at` are the times of the Closed and Responded events."""
        petition = open_petition()
        petition.close(cause=CLOSURE)
        petition.respond(text="Fifteen trees this autumn.", cause=ADMISSION)

        closed, responded = petition.collect_events()
        assert (petition.closed_reason, petition.closed_at) == (CLOSURE.reason, closed.timestamp)
        assert petition.responded_at == responded.timestamp
        assert petition.modified_on == responded.timestamp
