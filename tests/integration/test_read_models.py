"""The read models follow the log exactly once: rebuilt from zero or resumed after a restart."""

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import delete, inspect, select, update
from sqlalchemy.pool import QueuePool

import application.read_models
from application.errors import PetitionNotFound
from application.read_models import TRACKING_NAME
from application.system import CivicLedger
from application.tables import account_tokens, audit_events, petitions
from domain.account import Role
from domain.events import Cause
from domain.petition import Petition, Threshold
from domain.signature import Signature
from tests.integration.conftest import read_views

Views = Callable[[CivicLedger], dict[str, list[dict[str, Any]]]]
Positions = Callable[[CivicLedger], list[int]]
OpenPetition = Callable[..., UUID]


def cause(actor: str, reason: str | None = None) -> Cause:
    """A cause with a fresh correlation id."""
    return Cause(actor=actor, correlation_id=str(uuid4()), reason=reason)


def sign(civic: CivicLedger, petition_id: UUID, signer: str) -> UUID:
    """`signer` signs the petition as themselves."""
    return civic.petitions.sign(petition_id, signer=signer, cause=cause(signer))


def position(civic: CivicLedger) -> int:
    """The last position of the log."""
    return civic.ledger.recorder.max_notification_id() or 0


def tracked(civic: CivicLedger) -> int | None:
    """The position the read models have applied, as the library's tracking records it."""
    return civic.ledger.tracking_recorder.max_tracking_id(TRACKING_NAME)


def audit_positions(civic: CivicLedger) -> list[int]:
    """The positions the audit view holds, in order: one row per event of the log."""
    with civic.ledger.engine.connect() as connection:
        return list(
            connection.scalars(select(audit_events.c.position).order_by(audit_events.c.position))
        )


@pytest.fixture
def history(
    civic: CivicLedger,
    open_petition: OpenPetition,
    clock: Callable[[], datetime],
    advance_clock: Callable[[timedelta], None],
) -> UUID:
    """A varied log: accounts, every petition status, thresholds, withdrawals, a deadline sweep.

    Returns the id of a petition still open, with a threshold not yet reached.
    """
    civic.accounts.open(name="Mo", roles=[Role.MODERATOR], cause=cause("system:bootstrap"))
    civic.accounts.open(
        name="Ada", roles=[Role.CITIZEN, Role.AUDITOR], cause=cause("system:bootstrap")
    )

    answered = open_petition(thresholds=[Threshold(2, "agenda"), Threshold(4, "debate")])
    for signer in ("bo", "cy", "dee", "eve"):
        sign(civic, answered, signer)
    civic.petitions.withdraw_signature(answered, signer="cy", cause=cause("cy"))
    sign(civic, answered, "cy")
    civic.petitions.close(answered, cause=cause("committee:cc", reason="heard"))
    civic.petitions.respond(answered, text="Adopted.", cause=cause("committee:cc"))

    rejected = civic.petitions.lodge(
        title="Rejected", text="Out of remit.", deadline=None, thresholds=[], cause=cause("bo")
    )
    civic.petitions.decide_admissibility(
        rejected, admissible=False, cause=cause("moderator:mo", reason="out of remit")
    )
    civic.petitions.lodge(
        title="Still lodged",
        text="Waiting.",
        deadline=(clock() + timedelta(days=60)).astimezone(timezone(timedelta(hours=2))),
        thresholds=[Threshold(5, "agenda")],
        cause=cause("cy"),
    )
    expiring = open_petition(deadline=clock() + timedelta(days=1))
    sign(civic, expiring, "bo")
    still_open = open_petition(thresholds=[Threshold(3, "agenda")])
    sign(civic, still_open, "bo")
    advance_clock(timedelta(days=2))
    assert civic.petitions.close_expired() == [expiring]
    return still_open


class TestRebuild:
    """`rebuild()` empties the views and applies the whole log again."""

    def test_gives_back_exactly_the_same_rows(
        self, civic: CivicLedger, history: UUID, views: Views, positions: Positions
    ) -> None:
        """Every row of every view is the same after a rebuild, and the tracking is at the end."""
        before = views(civic)
        assert [row["position"] for row in before["audit_events"]] == positions(civic)
        assert civic.read_models.rebuild() == len(positions(civic))
        assert views(civic) == before
        assert tracked(civic) == position(civic)

    def test_records_no_event(self, civic: CivicLedger, history: UUID) -> None:
        """Replaying the thresholds already reached does not reach them again."""
        last = position(civic)
        reached = civic.audit.events(event_type="Petition.ThresholdReached").items
        civic.read_models.rebuild()
        civic.read_models.rebuild()
        assert position(civic) == last
        assert civic.audit.events(event_type="Petition.ThresholdReached").items == reached

    def test_repairs_damaged_views(self, civic: CivicLedger, history: UUID, views: Views) -> None:
        """Rows deleted or altered behind the application's back are restored."""
        before = views(civic)
        with civic.ledger.engine.begin() as connection:
            connection.execute(delete(audit_events).where(audit_events.c.position > 3))
            connection.execute(delete(account_tokens))
            connection.execute(update(petitions).values(signature_count=999, status="tampered"))
        assert views(civic) != before
        civic.read_models.rebuild()
        assert views(civic) == before

    def test_reports_progress_up_to_the_last_position(
        self, civic: CivicLedger, history: UUID
    ) -> None:
        """The callback hears (position, last position) and ends at the end of the log."""
        calls: list[tuple[int, int]] = []
        civic.read_models.rebuild(progress=lambda done, total: calls.append((done, total)))
        assert calls
        assert calls[-1] == (position(civic), position(civic))

    def test_reports_progress_batch_by_batch(
        self,
        civic: CivicLedger,
        history: UUID,
        positions: Positions,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """With small batches, the callback hears each batch end, in order, up to the last."""
        monkeypatch.setattr(application.read_models, "BATCH_SIZE", 4)
        log = positions(civic)
        batch_ends = log[3::4] if len(log) % 4 == 0 else [*log[3::4], log[-1]]
        calls: list[tuple[int, int]] = []
        civic.read_models.rebuild(progress=lambda done, total: calls.append((done, total)))
        assert [done for done, _ in calls] == batch_ends
        assert {total for _, total in calls} == {log[-1]}

    def test_an_empty_log_rebuilds_to_empty_views(self, civic: CivicLedger, views: Views) -> None:
        """Nothing to apply: zero events, empty tables, no tracking."""
        assert civic.read_models.rebuild() == 0
        assert all(rows == [] for rows in views(civic).values())
        assert tracked(civic) is None

    def test_commands_after_a_rebuild_carry_on_from_the_rebuilt_views(
        self, civic: CivicLedger, history: UUID, positions: Positions
    ) -> None:
        """A signature after the rebuild counts once and reaches the threshold once."""
        civic.read_models.rebuild()
        sign(civic, history, "cy")
        sign(civic, history, "dee")
        view = civic.petitions.get(history)
        assert view["signature_count"] == 3
        assert view["thresholds"][0]["reached_at"] is not None
        reached = civic.audit.events(event_type="Petition.ThresholdReached").items
        assert [e["aggregate_id"] for e in reached].count(history) == 1
        assert audit_positions(civic) == positions(civic)


class TestRestart:
    """A new `CivicLedger` on the same database resumes where the last one stopped."""

    def test_shows_the_same_views_and_applies_nothing_again(
        self,
        civic: CivicLedger,
        history: UUID,
        open_civic: Callable[[], CivicLedger],
        views: Views,
        positions: Positions,
    ) -> None:
        """After a restart the views are unchanged and each event is in the audit view once."""
        before = views(civic)
        log = positions(civic)
        civic.close()

        restarted = open_civic()
        assert views(restarted) == before
        assert positions(restarted) == log
        assert audit_positions(restarted) == log
        assert tracked(restarted) == log[-1]
        assert restarted.read_models.catch_up() == 0
        assert views(restarted) == before

        sign(restarted, history, "cy")
        assert restarted.petitions.get(history)["signature_count"] == 2
        assert audit_positions(restarted) == positions(restarted)
        assert len(positions(restarted)) == len(log) + 1

    def test_events_recorded_but_not_projected_are_applied_at_start(
        self,
        civic: CivicLedger,
        open_petition: OpenPetition,
        open_civic: Callable[[], CivicLedger],
        clock: Callable[[], datetime],
        positions: Positions,
    ) -> None:
        """A signature saved by a process that stopped before projecting it counts at start-up.

        It also reaches its threshold then, once, on behalf of the signature's request.
        """
        petition_id = open_petition(thresholds=[Threshold(2, "agenda")])
        sign(civic, petition_id, "bo")
        petition: Petition = civic.ledger.get(petition_id, PetitionNotFound)
        crashed = Cause(actor="cy", correlation_id="req-before-crash")
        signature = Signature.sign(petition=petition, signer="cy", cause=crashed, now=clock())
        civic.ledger.save(signature)  # the log has it, the views do not
        assert civic.petitions.get(petition_id)["signature_count"] == 1
        civic.close()

        restarted = open_civic()
        view = restarted.petitions.get(petition_id)
        assert view["signature_count"] == 2
        assert view["thresholds"][0]["signature_id"] == str(signature.id)
        (reached,) = restarted.audit.events(event_type="Petition.ThresholdReached").items
        assert reached["correlation_id"] == "req-before-crash"
        assert audit_positions(restarted) == positions(restarted)
        assert tracked(restarted) == position(restarted)

    def test_a_command_after_an_unprojected_event_projects_both_in_order(
        self,
        civic: CivicLedger,
        open_petition: OpenPetition,
        clock: Callable[[], datetime],
        positions: Positions,
    ) -> None:
        """The next recording first applies what an earlier one left behind, then its own."""
        petition_id = open_petition(thresholds=[Threshold(2, "agenda")])
        petition: Petition = civic.ledger.get(petition_id, PetitionNotFound)
        left_behind = Signature.sign(petition=petition, signer="bo", cause=cause("bo"), now=clock())
        civic.ledger.save(left_behind)
        crossing = sign(civic, petition_id, "cy")

        view = civic.petitions.get(petition_id)
        assert view["signature_count"] == 2
        assert view["thresholds"][0]["signature_id"] == str(crossing)
        assert audit_positions(civic) == positions(civic)
        assert tracked(civic) == position(civic)


class TestClose:
    """Closing the application layer releases its database connections."""

    def test_close_returns_no_connection_to_the_pool(self, civic: CivicLedger) -> None:
        """After `close()`, the engine's pool holds no open connection."""
        civic.petitions.list(status=None, after=None, limit=1)
        pool = civic.ledger.engine.pool
        assert isinstance(pool, QueuePool)
        civic.close()
        assert pool.checkedin() + pool.checkedout() == 0


class TestViewsOfAnOlderShape:
    def test_views_whose_columns_changed_are_rebuilt_at_start(
        self,
        civic: CivicLedger,
        open_civic: Callable[[], CivicLedger],
        open_petition: Callable[..., UUID],
    ) -> None:
        """A database whose views predate a column change (here an extra column) gets them
        dropped and rebuilt from the log when opened: same rows, current shape."""
        open_petition(thresholds=[Threshold(1, "debate")])
        before = read_views(civic)
        with civic.ledger.engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE petitions ADD COLUMN legacy TEXT")
        reopened = open_civic()
        assert read_views(reopened) == before
        columns = inspect(reopened.ledger.engine).get_columns("petitions")
        assert "legacy" not in {c["name"] for c in columns}
