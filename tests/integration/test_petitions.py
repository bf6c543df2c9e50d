"""Petition use cases through `civic.petitions`, with the views and the audit trail they feed."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.errors import PetitionNotFound
from application.petitions import DEADLINE_ACTOR
from application.read_models import THRESHOLD_POLICY_ACTOR
from application.system import CivicLedger
from domain.errors import (
    AlreadyAnswered,
    AlreadySigned,
    InvalidPetition,
    NotAwaitingAdmissibility,
    NotOpen,
    NotOpenForSignatures,
    NotSigned,
    ReasonRequired,
)
from domain.events import Cause
from domain.petition import Threshold
from domain.signature import signature_id

Unchanged = Callable[[], AbstractContextManager[None]]
OpenPetition = Callable[..., UUID]

AUDIT_FIELDS = {
    "position",
    "timestamp",
    "aggregate_id",
    "aggregate_type",
    "parent_id",
    "version",
    "type",
    "actor",
    "reason",
    "correlation_id",
    "data",
}


def cause(actor: str, correlation_id: str | None = None, reason: str | None = None) -> Cause:
    """A cause with a fresh correlation id unless one is given."""
    return Cause(actor=actor, correlation_id=correlation_id or str(uuid4()), reason=reason)


def sign(
    civic: CivicLedger, petition_id: UUID, signer: str, correlation_id: str | None = None
) -> UUID:
    """`signer` signs the petition as themselves."""
    return civic.petitions.sign(petition_id, signer=signer, cause=cause(signer, correlation_id))


def withdraw(civic: CivicLedger, petition_id: UUID, signer: str) -> None:
    """`signer` withdraws their signature."""
    civic.petitions.withdraw_signature(petition_id, signer=signer, cause=cause(signer))


def lodge(civic: CivicLedger, deadline: datetime | None = None) -> UUID:
    """Lodge a petition without thresholds; it awaits its admissibility decision."""
    return civic.petitions.lodge(
        title="Open the library on Sundays",
        text="Students and workers need it most on Sundays.",
        deadline=deadline,
        thresholds=[],
        cause=cause("citizen:ada"),
    )


def close(civic: CivicLedger, petition_id: UUID) -> None:
    """A moderator closes the petition, saying why."""
    civic.petitions.close(petition_id, cause=cause("moderator:mo", reason="enough said"))


def unreached(signatures: int, consequence: str) -> dict[str, Any]:
    """A threshold as the petition view shows it before it is reached."""
    return {
        "signatures": signatures,
        "consequence": consequence,
        "reached_at": None,
        "signature_id": None,
    }


def threshold_events(civic: CivicLedger) -> list[dict[str, Any]]:
    """Every `Petition.ThresholdReached` entry of the audit trail, in log order."""
    return civic.audit.events(event_type="Petition.ThresholdReached").items


def all_entries(civic: CivicLedger) -> list[dict[str, Any]]:
    """The whole audit trail, in log order."""
    return civic.audit.events(limit=10_000).items


class TestLifecycle:
    """Lodged, admitted, signed past a threshold, closed with a reason, answered."""

    def test_a_petition_goes_from_lodging_to_its_official_response(
        self, civic: CivicLedger, clock: Callable[[], datetime]
    ) -> None:
        """Each step of the lifecycle shows at once in the petition's view."""
        deadline = clock() + timedelta(days=30)
        petition_id = civic.petitions.lodge(
            title="Plant trees along the ring road",
            text="Shade, cleaner air and fewer heat islands.",
            deadline=deadline,
            thresholds=[Threshold(2, "committee_hearing"), Threshold(10, "public_debate")],
            cause=cause("citizen:ada"),
        )
        view = civic.petitions.get(petition_id)
        assert view["status"] == "lodged"
        assert view["title"] == "Plant trees along the ring road"
        assert view["deadline"] == deadline
        assert view["lodged_by"] == "citizen:ada"
        assert view["signature_count"] == 0
        assert view["thresholds"] == [
            unreached(2, "committee_hearing"),
            unreached(10, "public_debate"),
        ]

        civic.petitions.decide_admissibility(
            petition_id, admissible=True, cause=cause("moderator:mo", reason="within remit")
        )
        view = civic.petitions.get(petition_id)
        assert view["status"] == "open"
        assert view["admissibility_reason"] == "within remit"

        sign(civic, petition_id, "citizen:bo")
        assert civic.petitions.get(petition_id)["thresholds"][0]["reached_at"] is None
        crossing = sign(civic, petition_id, "citizen:cy")
        view = civic.petitions.get(petition_id)
        assert view["signature_count"] == 2
        first, second = view["thresholds"]
        assert first["signature_id"] == str(crossing)
        (reached,) = threshold_events(civic)
        assert datetime.fromisoformat(first["reached_at"]) == reached["timestamp"]
        assert second == unreached(10, "public_debate")

        civic.petitions.close(petition_id, cause=cause("committee:cc", reason="on the agenda"))
        view = civic.petitions.get(petition_id)
        assert view["status"] == "closed"
        assert view["closed_reason"] == "on the agenda"
        assert view["closed_at"] is not None
        assert view["closed_at"].utcoffset() == timedelta(0)

        civic.petitions.respond(
            petition_id, text="Two hundred trees in spring.", cause=cause("committee:cc")
        )
        view = civic.petitions.get(petition_id)
        assert view["response"] == "Two hundred trees in spring."
        assert view["responded_at"] >= view["closed_at"]
        assert view["signature_count"] == 2
        assert [e["type"] for e in civic.audit.events(aggregate_id=petition_id).items] == [
            "Petition.Lodged",
            "Petition.AdmissibilityDecided",
            "Petition.ThresholdReached",
            "Petition.Closed",
            "Petition.Responded",
        ]
        assert view["version"] == 5

    def test_a_rejected_petition_shows_why(self, civic: CivicLedger) -> None:
        """A rejection with a reason sets the status and keeps the reason in the view."""
        petition_id = lodge(civic)
        civic.petitions.decide_admissibility(
            petition_id, admissible=False, cause=cause("moderator:mo", reason="not our remit")
        )
        view = civic.petitions.get(petition_id)
        assert view["status"] == "rejected"
        assert view["admissibility_reason"] == "not our remit"

    def test_signature_counts_follow_signatures_and_withdrawals(
        self, civic: CivicLedger, open_petition: OpenPetition
    ) -> None:
        """Signing, withdrawing and signing again move the count by one each time."""
        petition_id = open_petition()
        first = sign(civic, petition_id, "citizen:bo")
        sign(civic, petition_id, "citizen:cy")
        withdraw(civic, petition_id, "citizen:bo")
        assert civic.petitions.get(petition_id)["signature_count"] == 1
        assert sign(civic, petition_id, "citizen:bo") == first
        assert civic.petitions.get(petition_id)["signature_count"] == 2
        assert first == signature_id(petition_id, "citizen:bo")
        assert [e["type"] for e in civic.audit.events(aggregate_id=first).items] == [
            "Signature.Signed",
            "Signature.Withdrawn",
            "Signature.SignedAgain",
        ]

    def test_petitions_are_listed_in_lodging_order_a_page_at_a_time(
        self, civic: CivicLedger, open_petition: OpenPetition
    ) -> None:
        """The list pages by position and filters by status."""
        opened = open_petition(title="First")
        lodged = lodge(civic)
        also_opened = open_petition(title="Third")

        page = civic.petitions.list(status=None, after=None, limit=2)
        assert [p["id"] for p in page.items] == [opened, lodged]
        assert page.next == page.items[-1]["position"]
        page = civic.petitions.list(status=None, after=page.next, limit=2)
        assert [p["id"] for p in page.items] == [also_opened]
        assert page.next is None
        page = civic.petitions.list(status="open", after=None, limit=10)
        assert [p["id"] for p in page.items] == [opened, also_opened]
        assert page.next is None


@dataclass(frozen=True)
class History:
    """A small log to query: one petition, three signatures, a threshold, a closure."""

    petition_id: UUID
    bo: UUID
    cy: UUID
    dee: UUID
    crossing_correlation_id: str


@pytest.fixture
def history(civic: CivicLedger) -> History:
    """Record the history that the audit trail tests query."""
    petition_id = civic.petitions.lodge(
        title="Light the cycle path",
        text="It is dark by five in winter.",
        deadline=None,
        thresholds=[Threshold(2, "committee_hearing")],
        cause=cause("citizen:ada", "req-lodge"),
    )
    civic.petitions.decide_admissibility(
        petition_id, admissible=True, cause=cause("moderator:mo", "req-admit")
    )
    bo = sign(civic, petition_id, "citizen:bo", "req-bo")
    cy = sign(civic, petition_id, "citizen:cy", "req-cy")
    dee = sign(civic, petition_id, "citizen:dee", "req-dee")
    civic.petitions.close(petition_id, cause=cause("moderator:mo", "req-close", "done"))
    return History(petition_id, bo, cy, dee, crossing_correlation_id="req-cy")


class TestAuditTrail:
    """Every event, with its envelope, filtered by actor, aggregate, type or request."""

    def test_every_entry_carries_its_envelope_and_payload(
        self, civic: CivicLedger, history: History, positions: Callable[[CivicLedger], list[int]]
    ) -> None:
        """Each entry has its position, time, aggregate, type, actor, correlation id and data."""
        entries = all_entries(civic)
        assert [e["position"] for e in entries] == positions(civic)
        assert len(entries) == 7
        for entry in entries:
            assert set(entry) == AUDIT_FIELDS
            assert entry["actor"]
            assert entry["correlation_id"]
            assert entry["type"].startswith(entry["aggregate_type"] + ".")
            assert entry["timestamp"].utcoffset() == timedelta(0)
            assert isinstance(entry["data"], dict)
        lodged, admitted, bo, _cy, reached, _dee, closed = entries
        assert lodged["data"] == {
            "title": "Light the cycle path",
            "text": "It is dark by five in winter.",
            "deadline": None,
            "thresholds": [{"signatures": 2, "consequence": "committee_hearing"}],
            "territory_id": None,  # the platform has no territory
        }
        assert (lodged["actor"], lodged["correlation_id"]) == ("citizen:ada", "req-lodge")
        assert admitted["data"] == {"admissible": True, "outside_competence": None}
        assert bo["data"] == {"petition_id": str(history.petition_id), "signer": "citizen:bo"}
        assert (bo["aggregate_id"], bo["version"]) == (history.bo, 1)
        assert reached["type"] == "Petition.ThresholdReached"
        assert (closed["type"], closed["reason"]) == ("Petition.Closed", "done")

    def test_filters_by_actor(self, civic: CivicLedger, history: History) -> None:
        """Only the entries of that actor are returned."""
        entries = civic.audit.events(actor="moderator:mo").items
        assert [e["type"] for e in entries] == ["Petition.AdmissibilityDecided", "Petition.Closed"]
        assert {e["actor"] for e in entries} == {"moderator:mo"}

    def test_filters_by_aggregate(self, civic: CivicLedger, history: History) -> None:
        """An aggregate's entries are its own events, in version order."""
        entries = civic.audit.events(aggregate_id=history.petition_id).items
        assert [e["version"] for e in entries] == [1, 2, 3, 4]
        assert {e["aggregate_id"] for e in entries} == {history.petition_id}
        (signed,) = civic.audit.events(aggregate_id=history.dee).items
        assert signed["type"] == "Signature.Signed"

    def test_filters_by_event_type(self, civic: CivicLedger, history: History) -> None:
        """Only entries of that type are returned."""
        entries = civic.audit.events(event_type="Signature.Signed").items
        assert [e["aggregate_id"] for e in entries] == [history.bo, history.cy, history.dee]

    def test_filters_by_correlation_id(self, civic: CivicLedger, history: History) -> None:
        """A request's entries include what the policies did because of it."""
        entries = civic.audit.events(correlation_id=history.crossing_correlation_id).items
        assert [e["type"] for e in entries] == ["Signature.Signed", "Petition.ThresholdReached"]

    def test_filters_combine(self, civic: CivicLedger, history: History) -> None:
        """Several filters select the entries that match all of them."""
        entries = civic.audit.events(
            actor="citizen:cy", correlation_id=history.crossing_correlation_id
        ).items
        assert [e["type"] for e in entries] == ["Signature.Signed"]
        assert not civic.audit.events(actor="citizen:bo", aggregate_id=history.cy).items

    def test_pages_follow_the_cursor_to_the_end(self, civic: CivicLedger, history: History) -> None:
        """Pages of `limit` entries, chained by `next`, give the whole trail once, in order."""
        everything = all_entries(civic)
        pages: list[list[dict[str, Any]]] = []
        after: int | None = None
        while True:
            page = civic.audit.events(after=after, limit=3)
            pages.append(page.items)
            if page.next is None:
                break
            assert page.next == page.items[-1]["position"]
            after = page.next
        assert [len(p) for p in pages] == [3, 3, 1]
        assert [e for p in pages for e in p] == everything

    def test_a_page_that_ends_exactly_at_the_last_entry_has_no_next(
        self, civic: CivicLedger, history: History
    ) -> None:
        """`next` is None when nothing follows, even if the page is full."""
        page = civic.audit.events(event_type="Signature.Signed", limit=3)
        assert len(page.items) == 3
        assert page.next is None
        page = civic.audit.events(event_type="Signature.Signed", limit=2)
        assert page.next == page.items[-1]["position"]
        rest = civic.audit.events(event_type="Signature.Signed", after=page.next, limit=2)
        assert [e["aggregate_id"] for e in rest.items] == [history.dee]
        assert rest.next is None


class TestThresholdPolicy:
    """A count that first reaches a threshold is recorded once, by `system:thresholds`."""

    def test_the_signature_that_reaches_a_threshold_is_recorded_once(
        self, civic: CivicLedger, open_petition: OpenPetition
    ) -> None:
        """One `ThresholdReached`, naming the crossing signature and carrying its request id."""
        petition_id = open_petition(thresholds=[Threshold(3, "committee_hearing")])
        sign(civic, petition_id, "citizen:bo")
        sign(civic, petition_id, "citizen:cy")
        crossing = sign(civic, petition_id, "citizen:dee", "req-crossing")
        sign(civic, petition_id, "citizen:eve")

        (reached,) = threshold_events(civic)
        assert reached["aggregate_id"] == petition_id
        assert reached["actor"] == THRESHOLD_POLICY_ACTOR == "system:thresholds"
        assert reached["correlation_id"] == "req-crossing"
        assert reached["reason"] == "3 signatures reached"
        assert reached["data"] == {
            "signatures": 3,
            "consequence": "committee_hearing",
            "signature_id": str(crossing),
        }
        (crossing_entry,) = civic.audit.events(aggregate_id=crossing).items
        assert reached["position"] == crossing_entry["position"] + 1
        (threshold,) = civic.petitions.get(petition_id)["thresholds"]
        assert threshold["signature_id"] == str(crossing)

    def test_withdrawing_and_signing_again_around_a_threshold_does_not_repeat_it(
        self, civic: CivicLedger, open_petition: OpenPetition
    ) -> None:
        """Falling below a reached threshold and coming back to it records nothing new."""
        petition_id = open_petition(thresholds=[Threshold(2, "committee_hearing")])
        sign(civic, petition_id, "citizen:bo")
        crossing = sign(civic, petition_id, "citizen:cy")
        withdraw(civic, petition_id, "citizen:cy")
        sign(civic, petition_id, "citizen:cy")
        withdraw(civic, petition_id, "citizen:bo")
        sign(civic, petition_id, "citizen:dee")

        (reached,) = threshold_events(civic)
        assert reached["data"]["signature_id"] == str(crossing)
        view = civic.petitions.get(petition_id)
        assert view["signature_count"] == 2
        assert view["thresholds"][0]["signature_id"] == str(crossing)
        assert view["version"] == 3

    def test_a_signature_given_again_can_reach_a_threshold(
        self, civic: CivicLedger, open_petition: OpenPetition
    ) -> None:
        """A threshold first reached by a renewed signature names that signature and request."""
        petition_id = open_petition(thresholds=[Threshold(2, "committee_hearing")])
        renewed = sign(civic, petition_id, "citizen:bo")
        withdraw(civic, petition_id, "citizen:bo")
        sign(civic, petition_id, "citizen:cy")
        sign(civic, petition_id, "citizen:bo", "req-renewed")

        (reached,) = threshold_events(civic)
        assert reached["correlation_id"] == "req-renewed"
        assert reached["data"]["signature_id"] == str(renewed)

    def test_each_threshold_is_reached_once_in_turn(
        self, civic: CivicLedger, open_petition: OpenPetition
    ) -> None:
        """Three thresholds reached by three signatures give three events, in order."""
        petition_id = open_petition(
            thresholds=[Threshold(1, "published"), Threshold(2, "agenda"), Threshold(3, "vote")]
        )
        signatures = [
            sign(civic, petition_id, signer, f"req-{signer}")
            for signer in ("citizen:bo", "citizen:cy", "citizen:dee")
        ]
        reached = threshold_events(civic)
        assert [(e["data"]["signatures"], e["data"]["consequence"]) for e in reached] == [
            (1, "published"),
            (2, "agenda"),
            (3, "vote"),
        ]
        assert [e["data"]["signature_id"] for e in reached] == [str(s) for s in signatures]
        assert [e["correlation_id"] for e in reached] == [
            "req-citizen:bo",
            "req-citizen:cy",
            "req-citizen:dee",
        ]
        view = civic.petitions.get(petition_id)
        assert all(t["reached_at"] is not None for t in view["thresholds"])


UNKNOWN_PETITION_COMMANDS: list[Callable[[CivicLedger, UUID], object]] = [
    lambda civic, pid: sign(civic, pid, "citizen:bo"),
    lambda civic, pid: withdraw(civic, pid, "citizen:bo"),
    lambda civic, pid: civic.petitions.decide_admissibility(
        pid, admissible=True, cause=cause("moderator:mo")
    ),
    close,
    lambda civic, pid: civic.petitions.respond(pid, text="No.", cause=cause("committee:cc")),
    lambda civic, pid: civic.petitions.get(pid),
]


class TestRefusedCommands:
    """A refused command raises its error and appends nothing to the log."""

    def test_a_second_signature_by_the_same_person_is_refused(
        self, civic: CivicLedger, open_petition: OpenPetition, unchanged: Unchanged
    ) -> None:
        """Signing twice raises `AlreadySigned`."""
        petition_id = open_petition()
        sign(civic, petition_id, "citizen:bo")
        with unchanged(), pytest.raises(AlreadySigned):
            sign(civic, petition_id, "citizen:bo")

    def test_signing_a_lodged_petition_is_refused(
        self, civic: CivicLedger, unchanged: Unchanged
    ) -> None:
        """A petition awaiting admissibility cannot be signed."""
        petition_id = lodge(civic)
        with unchanged(), pytest.raises(NotOpenForSignatures):
            sign(civic, petition_id, "citizen:bo")

    def test_signing_a_rejected_petition_is_refused(
        self, civic: CivicLedger, unchanged: Unchanged
    ) -> None:
        """A rejected petition cannot be signed."""
        petition_id = lodge(civic)
        civic.petitions.decide_admissibility(
            petition_id, admissible=False, cause=cause("moderator:mo", reason="out of remit")
        )
        with unchanged(), pytest.raises(NotOpenForSignatures):
            sign(civic, petition_id, "citizen:bo")

    def test_signing_or_withdrawing_on_a_closed_petition_is_refused(
        self, civic: CivicLedger, open_petition: OpenPetition, unchanged: Unchanged
    ) -> None:
        """Once closed, signatures can be neither given nor withdrawn."""
        petition_id = open_petition()
        sign(civic, petition_id, "citizen:bo")
        close(civic, petition_id)
        with unchanged(), pytest.raises(NotOpenForSignatures):
            sign(civic, petition_id, "citizen:cy")
        with unchanged(), pytest.raises(NotOpenForSignatures):
            withdraw(civic, petition_id, "citizen:bo")

    def test_rejecting_without_a_reason_is_refused(
        self, civic: CivicLedger, unchanged: Unchanged
    ) -> None:
        """A rejection needs a reason that says something: none, empty or blank is refused."""
        petition_id = lodge(civic)
        for reason in (None, "", "   "):
            with unchanged(), pytest.raises(ReasonRequired):
                civic.petitions.decide_admissibility(
                    petition_id, admissible=False, cause=cause("moderator:mo", reason=reason)
                )

    def test_closing_without_a_reason_is_refused(
        self, civic: CivicLedger, open_petition: OpenPetition, unchanged: Unchanged
    ) -> None:
        """A closure needs a reason."""
        petition_id = open_petition()
        with unchanged(), pytest.raises(ReasonRequired):
            civic.petitions.close(petition_id, cause=cause("moderator:mo"))

    def test_closing_a_petition_that_is_not_open_is_refused(
        self, civic: CivicLedger, open_petition: OpenPetition, unchanged: Unchanged
    ) -> None:
        """Neither a lodged nor an already closed petition can be closed."""
        lodged = lodge(civic)
        with unchanged(), pytest.raises(NotOpen):
            close(civic, lodged)
        closed = open_petition()
        close(civic, closed)
        with unchanged(), pytest.raises(NotOpen):
            close(civic, closed)

    def test_deciding_admissibility_twice_is_refused(
        self, civic: CivicLedger, open_petition: OpenPetition, unchanged: Unchanged
    ) -> None:
        """Admissibility is decided once."""
        petition_id = open_petition()
        with unchanged(), pytest.raises(NotAwaitingAdmissibility):
            civic.petitions.decide_admissibility(
                petition_id, admissible=False, cause=cause("moderator:mo", reason="changed mind")
            )

    def test_answering_twice_or_before_admission_is_refused(
        self, civic: CivicLedger, open_petition: OpenPetition, unchanged: Unchanged
    ) -> None:
        """There is one official response, and only to an admitted petition."""
        lodged = lodge(civic)
        with unchanged(), pytest.raises(NotOpen):
            civic.petitions.respond(lodged, text="Too early.", cause=cause("committee:cc"))
        answered = open_petition()
        civic.petitions.respond(answered, text="Yes.", cause=cause("committee:cc"))
        with unchanged(), pytest.raises(AlreadyAnswered):
            civic.petitions.respond(answered, text="Still yes.", cause=cause("committee:cc"))

    def test_withdrawing_a_signature_that_is_not_there_is_refused(
        self, civic: CivicLedger, open_petition: OpenPetition, unchanged: Unchanged
    ) -> None:
        """Withdrawing needs a standing signature: never given, or already withdrawn."""
        petition_id = open_petition()
        with unchanged(), pytest.raises(NotSigned):
            withdraw(civic, petition_id, "citizen:bo")
        sign(civic, petition_id, "citizen:bo")
        withdraw(civic, petition_id, "citizen:bo")
        with unchanged(), pytest.raises(NotSigned):
            withdraw(civic, petition_id, "citizen:bo")

    def test_lodging_an_invalid_petition_is_refused(
        self, civic: CivicLedger, clock: Callable[[], datetime], unchanged: Unchanged
    ) -> None:
        """A malformed title, deadline or set of thresholds raises `InvalidPetition`."""
        tomorrow = clock() + timedelta(days=1)
        invalid: list[dict[str, Any]] = [
            {"title": "  "},
            {"deadline": clock()},
            {"deadline": clock() - timedelta(days=1)},
            {"deadline": tomorrow.replace(tzinfo=None)},
            {"thresholds": [Threshold(10, "agenda"), Threshold(10, "vote")]},
            {"thresholds": [Threshold(0, "agenda")]},
            {"thresholds": [Threshold(5, " ")]},
        ]
        for change in invalid:
            with unchanged(), pytest.raises(InvalidPetition):
                civic.petitions.lodge(
                    **{
                        "title": "A title",
                        "text": "Some text.",
                        "deadline": tomorrow,
                        "thresholds": [],
                        "cause": cause("citizen:ada"),
                        **change,
                    }
                )

    def test_an_unknown_petition_is_not_found(
        self, civic: CivicLedger, open_petition: OpenPetition, unchanged: Unchanged
    ) -> None:
        """Every command and read naming no petition raises `PetitionNotFound` with the id."""
        open_petition()
        unknown = uuid4()
        for command in UNKNOWN_PETITION_COMMANDS:
            with unchanged(), pytest.raises(PetitionNotFound) as raised:
                command(civic, unknown)
            assert raised.value.petition_id == unknown


class TestDeadlines:
    """A petition's deadline ends signing; a sweep closes the petitions that reached it."""

    def test_signing_is_refused_from_the_deadline_on(
        self,
        civic: CivicLedger,
        open_petition: OpenPetition,
        clock: Callable[[], datetime],
        advance_clock: Callable[[timedelta], None],
        unchanged: Unchanged,
    ) -> None:
        """At the deadline, signing and withdrawing are refused even before the sweep."""
        petition_id = open_petition(deadline=clock() + timedelta(days=1))
        sign(civic, petition_id, "citizen:bo")
        advance_clock(timedelta(days=1) - timedelta(microseconds=1))
        sign(civic, petition_id, "citizen:cy")
        advance_clock(timedelta(microseconds=1))
        with unchanged(), pytest.raises(NotOpenForSignatures):
            sign(civic, petition_id, "citizen:dee")
        with unchanged(), pytest.raises(NotOpenForSignatures):
            withdraw(civic, petition_id, "citizen:bo")
        assert civic.petitions.get(petition_id)["status"] == "open"

    def test_the_sweep_closes_a_petition_past_its_deadline_once(
        self,
        civic: CivicLedger,
        open_petition: OpenPetition,
        clock: Callable[[], datetime],
        advance_clock: Callable[[timedelta], None],
        unchanged: Unchanged,
    ) -> None:
        """`close_expired` closes it as `system:deadlines`; a second sweep closes nothing."""
        petition_id = open_petition(deadline=clock() + timedelta(days=7))
        assert civic.petitions.close_expired() == []
        advance_clock(timedelta(days=7, seconds=1))

        assert civic.petitions.close_expired() == [petition_id]
        view = civic.petitions.get(petition_id)
        assert view["status"] == "closed"
        assert view["closed_reason"] == "deadline reached"
        (closed,) = civic.audit.events(event_type="Petition.Closed").items
        assert closed["actor"] == DEADLINE_ACTOR == "system:deadlines"
        assert closed["reason"] == "deadline reached"
        assert closed["correlation_id"]
        with unchanged():
            assert civic.petitions.close_expired() == []

    def test_the_sweep_leaves_petitions_that_are_not_due(
        self,
        civic: CivicLedger,
        open_petition: OpenPetition,
        clock: Callable[[], datetime],
        advance_clock: Callable[[timedelta], None],
    ) -> None:
        """Only open petitions whose deadline has passed are closed."""
        due = open_petition(deadline=clock() + timedelta(hours=1))
        later = open_petition(deadline=clock() + timedelta(days=2))
        endless = open_petition()
        lodged = lodge(civic, deadline=clock() + timedelta(hours=1))
        closed_early = open_petition(deadline=clock() + timedelta(hours=1))
        close(civic, closed_early)
        advance_clock(timedelta(hours=2))

        assert civic.petitions.close_expired() == [due]
        statuses = {pid: civic.petitions.get(pid)["status"] for pid in (later, endless, lodged)}
        assert statuses == {later: "open", endless: "open", lodged: "lodged"}
        assert len(civic.audit.events(actor=DEADLINE_ACTOR).items) == 1

    def test_deadlines_and_clocks_in_other_time_zones_are_compared_as_instants(
        self,
        civic: CivicLedger,
        open_petition: OpenPetition,
        clock: Callable[[], datetime],
        set_clock: Callable[[datetime], None],
        advance_clock: Callable[[timedelta], None],
    ) -> None:
        """A deadline given at UTC+2 closes at that instant, whatever zone the clock reads."""
        deadline = (clock() + timedelta(hours=3)).astimezone(timezone(timedelta(hours=2)))
        petition_id = open_petition(deadline=deadline)
        assert civic.petitions.get(petition_id)["deadline"] == deadline
        set_clock(clock().astimezone(timezone(timedelta(hours=-5))))

        advance_clock(timedelta(hours=3) - timedelta(seconds=1))
        assert civic.petitions.close_expired() == []
        sign(civic, petition_id, "citizen:bo")
        advance_clock(timedelta(seconds=1))
        assert civic.petitions.close_expired() == [petition_id]


class TestWhoHasSigned:
    def test_a_signature_stands_until_withdrawn_and_again_when_given_again(
        self, civic: CivicLedger, open_petition: Callable[..., UUID]
    ) -> None:
        """`has_signed` follows the signer's last act on the petition, and only theirs."""
        petition_id = open_petition()
        assert not civic.petitions.has_signed(petition_id, "citizen:ada")
        civic.petitions.sign(petition_id, signer="citizen:ada", cause=cause("citizen:ada"))
        assert civic.petitions.has_signed(petition_id, "citizen:ada")
        assert not civic.petitions.has_signed(petition_id, "citizen:bea")
        civic.petitions.withdraw_signature(
            petition_id, signer="citizen:ada", cause=cause("citizen:ada")
        )
        assert not civic.petitions.has_signed(petition_id, "citizen:ada")
        civic.petitions.sign(petition_id, signer="citizen:ada", cause=cause("citizen:ada"))
        assert civic.petitions.has_signed(petition_id, "citizen:ada")
