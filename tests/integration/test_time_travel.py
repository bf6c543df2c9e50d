"""Reading the past: a petition, its signatories and any aggregate as they were at a version or an
instant, each equal to what the live views showed then."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.errors import (
    AggregateNotFound,
    NotYetRecorded,
    PetitionNotFound,
    VersionNotFound,
)
from application.system import CivicLedger
from domain.account import Role
from domain.errors import InvalidCommand
from domain.events import Cause
from domain.petition import Threshold
from domain.signature import signature_id

View = dict[str, Any]
MICROSECOND = timedelta(microseconds=1)
PARIS_SUMMER = timezone(timedelta(hours=2))


def cause(actor: str, reason: str | None = None) -> Cause:
    """A cause with a fresh correlation id."""
    return Cause(actor=actor, correlation_id=str(uuid4()), reason=reason)


@dataclass
class Life:
    """A petition driven through its whole life, and what its live view showed along the way."""

    civic: CivicLedger
    petition_id: UUID
    other_id: UUID
    snapshots: dict[int, View] = field(default_factory=dict)  # by version, read right after it
    signatories: list[tuple[datetime, list[str]]] = field(default_factory=list)

    def snapshot(self) -> None:
        """Read the live view; the first reading of each version is the one right after it."""
        view = self.civic.petitions.get(self.petition_id)
        self.snapshots.setdefault(view["version"], view)

    def sign(self, signer: str, petition_id: UUID | None = None) -> None:
        """`signer` signs (this petition unless another is named)."""
        self.civic.petitions.sign(
            petition_id or self.petition_id, signer=signer, cause=cause(signer)
        )
        self.snapshot()

    def withdraw(self, signer: str) -> None:
        """`signer` withdraws their signature from this petition."""
        self.civic.petitions.withdraw_signature(
            self.petition_id, signer=signer, cause=cause(signer)
        )
        self.snapshot()

    def entries(self) -> list[View]:
        """The whole audit trail, in log order."""
        return self.civic.audit.events(limit=10_000).items

    def recorded(self, version: int) -> View:
        """The audit entry of the petition's version `version`."""
        (entry,) = [
            e
            for e in self.entries()
            if e["aggregate_id"] == self.petition_id and e["version"] == version
        ]
        return entry

    def until_next(self, version: int) -> datetime | None:
        """The last instant before the event that follows the petition's version in the log."""
        entry = self.recorded(version)
        later = [e["timestamp"] for e in self.entries() if e["position"] > entry["position"]]
        return later[0] - MICROSECOND if later else None


@pytest.fixture
def life(civic: CivicLedger, clock: Callable[[], datetime]) -> Life:
    """Lodged with a deadline in another time zone, admitted, signed (another petition too), a
    threshold crossed, a signature withdrawn then given again, closed, answered."""
    petition_id = civic.petitions.lodge(
        title="Light the cycle path",
        text="It is dark by five in winter.",
        deadline=(clock() + timedelta(days=30)).astimezone(PARIS_SUMMER),
        thresholds=[Threshold(2, "committee_hearing"), Threshold(5, "public_debate")],
        cause=cause("citizen:ada"),
    )
    other_id = civic.petitions.lodge(
        title="Another petition",
        text="Signed meanwhile.",
        deadline=None,
        thresholds=[],
        cause=cause("citizen:ada"),
    )
    life = Life(civic, petition_id, other_id)
    life.snapshot()
    for admitted in (petition_id, other_id):
        civic.petitions.decide_admissibility(
            admitted, admissible=True, cause=cause("moderator:mo", reason="within remit")
        )
    life.snapshot()
    life.sign("citizen:bo")
    life.sign("citizen:bo", other_id)
    life.sign("citizen:cy")  # 2: the first threshold
    life.withdraw("citizen:bo")
    life.sign("citizen:dee")  # 2 again: reached already, nothing recorded
    life.sign("citizen:bo")  # signed again
    civic.petitions.close(petition_id, cause=cause("committee:cc", reason="heard by the council"))
    life.snapshot()
    civic.petitions.respond(petition_id, text="Lamps this autumn.", cause=cause("committee:cc"))
    life.snapshot()
    life.sign("citizen:eve", other_id)  # after the last version: not this petition's business
    return life


class TestPetitionAtAVersion:
    """`as_of(id, version=N)`: the aggregate replayed to N, in the shape of the live view."""

    def test_every_version_reads_as_the_live_view_did_right_after_it(self, life: Life) -> None:
        """For each version N, the past view equals the view read right after N was recorded."""
        assert sorted(life.snapshots) == [1, 2, 3, 4, 5]
        for version, snapshot in life.snapshots.items():
            assert life.civic.petitions.as_of(life.petition_id, version=version) == snapshot

    def test_the_past_views_tell_the_petition_s_life(self, life: Life) -> None:
        """Statuses, counts, the threshold and the closure each appear at their version."""
        views = [life.civic.petitions.as_of(life.petition_id, version=n) for n in range(1, 6)]
        assert [v["status"] for v in views] == ["lodged", "open", "open", "closed", "closed"]
        assert [v["signature_count"] for v in views] == [0, 0, 2, 3, 3]
        assert views[1]["thresholds"][0]["reached_at"] is None
        assert views[2]["thresholds"][0]["signature_id"] == str(
            signature_id(life.petition_id, "citizen:cy")
        )
        assert (views[2]["closed_at"], views[3]["closed_reason"]) == (None, "heard by the council")
        assert (views[3]["response"], views[4]["response"]) == (None, "Lamps this autumn.")
        assert views[0]["deadline"].utcoffset() == timedelta(0)

    def test_without_a_version_or_an_instant_it_is_the_live_view(self, life: Life) -> None:
        """Neither given: today's view, as `get` reads it."""
        assert life.civic.petitions.as_of(life.petition_id) == life.civic.petitions.get(
            life.petition_id
        )

    @pytest.mark.parametrize("version", [0, -1, 6, 2**31, 2**70])
    def test_a_version_the_petition_never_had_is_not_found(self, life: Life, version: int) -> None:
        """Below 1 or beyond the current version: `VersionNotFound`, naming the version."""
        with pytest.raises(VersionNotFound, match=f"the petition has no version {version}"):
            life.civic.petitions.as_of(life.petition_id, version=version)

    def test_an_unknown_petition_is_not_found(self, civic: CivicLedger) -> None:
        """An id no petition has: `PetitionNotFound`, at a version as at an instant."""
        unknown = uuid4()
        with pytest.raises(PetitionNotFound):
            civic.petitions.as_of(unknown, version=1)
        with pytest.raises(PetitionNotFound):
            civic.petitions.as_of(unknown, instant=datetime.now(tz=UTC))

    def test_another_aggregate_s_id_is_no_petition(self, life: Life) -> None:
        """A signature's id names no petition, whatever version is asked for."""
        signature = signature_id(life.petition_id, "citizen:bo")
        with pytest.raises(PetitionNotFound):
            life.civic.petitions.as_of(signature, version=1)

    def test_a_version_and_an_instant_at_once_are_refused(self, life: Life) -> None:
        """Both given: `InvalidCommand`, since they could disagree."""
        with pytest.raises(InvalidCommand, match="not both"):
            life.civic.petitions.as_of(life.petition_id, version=1, instant=datetime.now(tz=UTC))


class TestPetitionAtAnInstant:
    """`as_of(id, instant=T)`: the last version recorded at or before T, and the signatures then."""

    def test_each_version_s_instant_reads_as_the_live_view_right_after_it(self, life: Life) -> None:
        """At the time of version N, and just before the next event, the view is N's snapshot."""
        for version, snapshot in life.snapshots.items():
            at = life.recorded(version)["timestamp"]
            assert life.civic.petitions.as_of(life.petition_id, instant=at) == snapshot
            before_next = life.until_next(version)
            if before_next is not None:
                assert before_next >= at  # the log's times increase with its positions
                past = life.civic.petitions.as_of(life.petition_id, instant=before_next)
                assert past == snapshot

    def test_an_instant_in_any_time_zone_is_the_same_instant(self, life: Life) -> None:
        """The instant of version 3 given in UTC+2 reads version 3."""
        at = life.recorded(3)["timestamp"].astimezone(PARIS_SUMMER)
        assert life.civic.petitions.as_of(life.petition_id, instant=at) == life.snapshots[3]

    def test_an_instant_between_signatures_counts_those_given_by_then(self, life: Life) -> None:
        """Just before the withdrawal, cy and bo stand; just after it, only cy."""
        withdrawal = next(e for e in life.entries() if e["type"] == "Signature.Withdrawn")[
            "timestamp"
        ]
        before = life.civic.petitions.as_of(life.petition_id, instant=withdrawal - MICROSECOND)
        after = life.civic.petitions.as_of(life.petition_id, instant=withdrawal)
        assert (before["signature_count"], after["signature_count"]) == (2, 1)
        assert before["version"] == after["version"] == 3

    def test_an_instant_before_the_lodging_is_not_found(self, life: Life) -> None:
        """The petition did not exist yet: `NotYetRecorded`."""
        lodged = life.recorded(1)["timestamp"]
        with pytest.raises(NotYetRecorded, match="the petition did not exist yet"):
            life.civic.petitions.as_of(life.petition_id, instant=lodged - MICROSECOND)

    def test_a_naive_instant_is_refused(self, life: Life) -> None:
        """An instant without a time zone names no instant: `InvalidCommand`."""
        with pytest.raises(InvalidCommand, match="time zone"):
            life.civic.petitions.as_of(life.petition_id, instant=datetime(2030, 1, 1))  # noqa: DTZ001


class TestSignatoriesAtAnInstant:
    """`signatures(id, as_of=T)`: who stood on the petition at T, in the order they last signed."""

    def signers(self, life: Life, as_of: datetime | None) -> list[str]:
        """The signers listed at `as_of`."""
        page = life.civic.petitions.signatures(life.petition_id, as_of=as_of, after=None, limit=100)
        assert page.next is None
        return [item["signer"] for item in page.items]

    def test_lists_those_standing_at_each_instant(self, life: Life) -> None:
        """Before and after the withdrawal, and once bo has signed again (listed last)."""
        entries = [e for e in life.entries() if e["parent_id"] == life.petition_id]
        times = [e["timestamp"] for e in entries]
        assert [e["type"].partition(".")[2] for e in entries] == [
            "Signed",
            "Signed",
            "Withdrawn",
            "Signed",
            "SignedAgain",
        ]
        assert self.signers(life, times[0] - MICROSECOND) == []
        assert self.signers(life, times[1]) == ["citizen:bo", "citizen:cy"]
        assert self.signers(life, times[2]) == ["citizen:cy"]
        assert self.signers(life, times[3]) == ["citizen:cy", "citizen:dee"]
        assert self.signers(life, times[4]) == ["citizen:cy", "citizen:dee", "citizen:bo"]
        assert self.signers(life, None) == ["citizen:cy", "citizen:dee", "citizen:bo"]

    def test_each_is_signed_at_its_last_signing(self, life: Life) -> None:
        """`signed_at` is the time of the signature's latest Signed or SignedAgain event."""
        page = life.civic.petitions.signatures(life.petition_id, as_of=None, after=None, limit=10)
        bo = signature_id(life.petition_id, "citizen:bo")
        (signed_again,) = [
            e for e in life.entries() if e["aggregate_id"] == bo and e["type"].endswith("Again")
        ]
        assert page.items[-1] == {
            "signature_id": bo,
            "signer": "citizen:bo",
            "signed_at": signed_again["timestamp"],
        }

    def test_pages_follow_the_cursor(self, life: Life) -> None:
        """One at a time, following `next`, gives the whole list in the same order."""
        signers: list[str] = []
        after: int | None = None
        while True:
            page = life.civic.petitions.signatures(
                life.petition_id, as_of=None, after=after, limit=1
            )
            signers.extend(item["signer"] for item in page.items)
            if page.next is None:
                break
            after = page.next
        assert signers == ["citizen:cy", "citizen:dee", "citizen:bo"]

    def test_an_unknown_petition_or_an_instant_before_it_is_not_found(self, life: Life) -> None:
        """`PetitionNotFound` for an unknown id, `NotYetRecorded` before the lodging."""
        with pytest.raises(PetitionNotFound):
            life.civic.petitions.signatures(uuid4(), as_of=None, after=None, limit=10)
        lodged = life.recorded(1)["timestamp"]
        with pytest.raises(NotYetRecorded):
            life.civic.petitions.signatures(
                life.petition_id, as_of=lodged - MICROSECOND, after=None, limit=10
            )


class TestAnyAggregate:
    """`audit.aggregate(id, version=N | as_of=T)`: any kind of aggregate, replayed."""

    def test_a_petition_at_a_version_shows_its_own_state(self, life: Life) -> None:
        """Version 3: open, the first threshold reached by cy's signature, as JSON data."""
        past = life.civic.audit.aggregate(life.petition_id, version=3)
        assert (past["id"], past["type"], past["version"]) == (life.petition_id, "Petition", 3)
        state = past["state"]
        assert state["status"] == "open"
        assert state["thresholds"][0] == {"signatures": 2, "consequence": "committee_hearing"}
        assert state["reached"]["2"]["signature_id"] == str(
            signature_id(life.petition_id, "citizen:cy")
        )
        assert datetime.fromisoformat(state["reached"]["2"]["at"]) == life.recorded(3)["timestamp"]
        assert state["closed_at"] is None
        assert not any(name.startswith("_") for name in state)

    def test_a_signature_at_each_instant(self, life: Life) -> None:
        """bo's signature: standing, withdrawn, standing again, each at its instant."""
        bo = signature_id(life.petition_id, "citizen:bo")
        entries = [e for e in life.entries() if e["aggregate_id"] == bo]
        states = [life.civic.audit.aggregate(bo, as_of=e["timestamp"]) for e in entries]
        assert [s["version"] for s in states] == [1, 2, 3]
        assert [s["state"]["active"] for s in states] == [True, False, True]
        assert states[0]["type"] == "Signature"
        assert states[0]["state"]["petition_id"] == str(life.petition_id)

    def test_an_account_as_it_was_opened(self, civic: CivicLedger) -> None:
        """An account's state at version 1 has its name and roles."""
        account_id, _ = civic.accounts.open(
            name="Ada", roles=[Role.CITIZEN, Role.AUDITOR], cause=cause("system:bootstrap")
        )
        past = civic.audit.aggregate(account_id, version=1)
        assert past["type"] == "Account"
        assert (past["state"]["name"], past["state"]["roles"]) == (
            {"personal_data_of": str(account_id)},  # whose, never what: personal data is sealed
            ["citizen", "auditor"],
        )

    def test_without_a_version_or_an_instant_it_is_the_current_state(self, life: Life) -> None:
        """Neither given: the latest version."""
        assert life.civic.audit.aggregate(life.petition_id)["version"] == 5

    def test_unknown_ids_versions_and_instants_are_not_found(self, life: Life) -> None:
        """`AggregateNotFound`, `VersionNotFound`, `NotYetRecorded`, each a 404."""
        with pytest.raises(AggregateNotFound):
            life.civic.audit.aggregate(uuid4())
        with pytest.raises(VersionNotFound, match="the aggregate has no version 6"):
            life.civic.audit.aggregate(life.petition_id, version=6)
        lodged = life.recorded(1)["timestamp"]
        with pytest.raises(NotYetRecorded):
            life.civic.audit.aggregate(life.petition_id, as_of=lodged - MICROSECOND)
