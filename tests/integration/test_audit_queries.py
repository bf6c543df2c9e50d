"""Audit queries: the parent of each entry, time ranges, and everything one request caused."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.errors import CorrelationNotFound
from application.system import CivicLedger
from domain.errors import InvalidCommand
from domain.events import Cause
from domain.petition import Threshold
from domain.signature import signature_id

Entry = dict[str, Any]
MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Scene:
    """Two petitions signed in turn; the second signature on the first one reached a threshold."""

    civic: CivicLedger
    first: UUID
    second: UUID
    crossing: str  # the correlation id of the request whose signature reached the threshold

    def entries(self, **filters: Any) -> list[Entry]:
        """Every entry matching `filters`, in log order."""
        return self.civic.audit.events(limit=10_000, **filters).items


@pytest.fixture
def scene(civic: CivicLedger, open_petition: Callable[..., UUID]) -> Scene:
    """Signatures on two petitions, a withdrawal, and the threshold crossed by req-crossing."""
    first = open_petition(thresholds=[Threshold(2, "committee_hearing")])
    second = open_petition(title="Another one")

    def sign(petition_id: UUID, signer: str, correlation_id: str | None = None) -> None:
        civic.petitions.sign(
            petition_id,
            signer=signer,
            cause=Cause(actor=signer, correlation_id=correlation_id or str(uuid4())),
        )

    sign(first, "citizen:bo")
    sign(second, "citizen:bo")
    sign(first, "citizen:cy", "req-crossing")
    civic.petitions.withdraw_signature(
        second, signer="citizen:bo", cause=Cause(actor="citizen:bo", correlation_id="req-w")
    )
    return Scene(civic, first, second, "req-crossing")


class TestParent:
    """Each entry names the aggregate whose list it changes: a signature's petition."""

    def test_signature_events_have_their_petition_as_parent_and_others_none(
        self, scene: Scene
    ) -> None:
        """`parent_id` is the petition for `Signature.*` entries, null for every other."""
        for entry in scene.entries():
            if entry["aggregate_type"] == "Signature":
                assert entry["parent_id"] in {scene.first, scene.second}
            else:
                assert entry["parent_id"] is None

    def test_filters_by_parent(self, scene: Scene) -> None:
        """`parent_id` gives that petition's signature events, in log order."""
        entries = scene.entries(parent_id=scene.second)
        assert [e["type"] for e in entries] == ["Signature.Signed", "Signature.Withdrawn"]
        assert {e["aggregate_id"] for e in entries} == {signature_id(scene.second, "citizen:bo")}

    def test_a_rebuild_gives_the_same_parents(self, scene: Scene) -> None:
        """The parent is derived from the log, so a rebuild restores it."""
        before = scene.entries()
        scene.civic.read_models.rebuild()
        assert scene.entries() == before


class TestTimeRange:
    """`since` and `until` bound the entries' time, both inclusive."""

    def test_since_and_until_are_inclusive(self, scene: Scene) -> None:
        """From the 3rd entry's time to the 5th's: those three entries, in order."""
        every = scene.entries()
        times = [e["timestamp"] for e in every]
        assert times == sorted(times)
        entries = scene.entries(since=times[2], until=times[4])
        assert entries == [e for e in every if times[2] <= e["timestamp"] <= times[4]]
        assert entries[0] == every[2]
        assert entries[-1] == every[4]

    def test_bounds_just_outside_an_entry_leave_it_out(self, scene: Scene) -> None:
        """A microsecond after an entry's time, or before it, excludes it."""
        every = scene.entries()
        at = every[3]["timestamp"]
        assert every[3] not in scene.entries(since=at + MICROSECOND)
        assert every[3] not in scene.entries(until=at - MICROSECOND)
        assert every[3] in scene.entries(since=at, until=at)

    def test_bounds_in_another_time_zone_name_the_same_instants(self, scene: Scene) -> None:
        """The same bounds given in UTC-5 select the same entries."""
        every = scene.entries()
        since, until = every[1]["timestamp"], every[-2]["timestamp"]
        new_york = timezone(timedelta(hours=-5))
        assert scene.entries(
            since=since.astimezone(new_york), until=until.astimezone(new_york)
        ) == scene.entries(since=since, until=until)

    def test_combines_with_other_filters(self, scene: Scene) -> None:
        """Since the crossing, the first petition's signature events: only cy's."""
        crossing = scene.entries(correlation_id=scene.crossing)[0]["timestamp"]
        entries = scene.entries(parent_id=scene.first, since=crossing)
        assert [e["aggregate_id"] for e in entries] == [signature_id(scene.first, "citizen:cy")]

    @pytest.mark.parametrize("bound", ["since", "until"])
    def test_a_naive_bound_is_refused(self, scene: Scene, bound: str) -> None:
        """A time without a zone names no instant: `InvalidCommand`, naming the parameter."""
        naive: dict[str, Any] = {bound: datetime(2030, 1, 1)}  # noqa: DTZ001  # the point
        with pytest.raises(InvalidCommand, match=f"{bound} must state its time zone"):
            scene.civic.audit.events(**naive)


class TestCorrelation:
    """`correlated(id)`: every entry one request caused, in log order."""

    def test_a_signature_and_the_threshold_it_reached(self, scene: Scene) -> None:
        """The crossing request caused the signature, then the threshold on its behalf."""
        page = scene.civic.audit.correlated(scene.crossing, after=None, limit=100)
        assert [e["type"] for e in page.items] == [
            "Signature.Signed",
            "Petition.ThresholdReached",
        ]
        assert [e["aggregate_id"] for e in page.items] == [
            signature_id(scene.first, "citizen:cy"),
            scene.first,
        ]
        assert page.next is None

    def test_pages_follow_the_cursor(self, scene: Scene) -> None:
        """One at a time, then an empty last page after the last entry (not a 404)."""
        first = scene.civic.audit.correlated(scene.crossing, after=None, limit=1)
        assert first.next is not None
        second = scene.civic.audit.correlated(scene.crossing, after=first.next, limit=1)
        assert [e["type"] for e in second.items] == ["Petition.ThresholdReached"]
        last = second.items[0]["position"]
        assert scene.civic.audit.correlated(scene.crossing, after=last, limit=1).items == []

    def test_a_correlation_id_that_caused_nothing_is_not_found(self, scene: Scene) -> None:
        """`CorrelationNotFound`, with or without a cursor."""
        with pytest.raises(CorrelationNotFound, match="req-nothing"):
            scene.civic.audit.correlated("req-nothing", after=None, limit=10)
        with pytest.raises(CorrelationNotFound):
            scene.civic.audit.correlated("req-nothing", after=3, limit=10)


class TestNewestFirst:
    """The auditor's timeline: newest first, filtered, paged back with `before`."""

    @pytest.mark.parametrize("limit", [1, 2, 3, 100])
    def test_pages_back_through_every_match_once(self, scene: Scene, limit: int) -> None:
        """Following `next` gives every entry of an actor once, newest first, `limit` a page;
        the last page has no `next`."""
        expected = scene.entries(actor="citizen:bo")[::-1]
        seen: list[Entry] = []
        before = None
        while True:
            page = scene.civic.audit.latest(actor="citizen:bo", before=before, limit=limit)
            assert len(page.items) <= limit
            seen.extend(page.items)
            if page.next is None:
                break
            before = page.next
        assert seen == expected
        assert len(expected) == 3  # two signatures and the withdrawal

    def test_filters_by_type_and_starts_before_a_position(self, scene: Scene) -> None:
        """By event type, and strictly before the position given."""
        signed = scene.entries(event_type="Signature.Signed")
        page = scene.civic.audit.latest(
            event_type="Signature.Signed", before=signed[-1]["position"], limit=10
        )
        assert page.items == signed[:-1][::-1]
        assert page.next is None
