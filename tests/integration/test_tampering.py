"""Rows changed, removed or reordered behind the application's back: verification names where.

Each test plays an administrator with SQL access to the database (SQLite and PostgreSQL) and
checks that `verify --live`, or the verification of an export, points at the right position.
"""

import base64
import json
from collections.abc import Callable
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from sqlalchemy import Connection, delete, select, update

from application import merkle
from application.checkpoints import Signer
from application.system import CivicLedger
from application.tables import audit_events, petitions
from application.transparency import leaf_data
from application.verification import (
    Replay,
    Verification,
    compare_views,
    export,
    verify_file,
    verify_live,
)
from domain.events import Cause
from domain.petition import Threshold

PEOPLE = [f"citizen:{n}" for n in range(12)]


@pytest.fixture
def petition(civic: CivicLedger, open_petition: Callable[..., UUID]) -> UUID:
    """A petition signed by 12 people, its threshold of 5 crossed, then checkpointed: 15 events."""
    petition_id = open_petition(thresholds=[Threshold(5, "debate")])
    for person in PEOPLE:
        civic.petitions.sign(
            petition_id, signer=person, cause=Cause(actor=person, correlation_id=str(uuid4()))
        )
    assert civic.transparency.issue_checkpoint() is not None
    return petition_id


def tamper(civic: CivicLedger, change: Callable[[Connection], object]) -> None:
    """Run `change` directly against the database, as an administrator could."""
    with civic.ledger.engine.begin() as connection:
        change(connection)


def stored_state(civic: CivicLedger, position: int) -> bytes:
    """The stored bytes of the event at `position`."""
    events = civic.ledger.events_table
    with civic.ledger.engine.connect() as connection:
        state = connection.scalar(select(events.c.state).where(events.c.id == position))
    assert state is not None
    return bytes(state)


def signature_positions(civic: CivicLedger) -> list[int]:
    """Where the signatures are in the log."""
    with civic.ledger.engine.connect() as connection:
        return list(
            connection.scalars(
                select(audit_events.c.position)
                .where(audit_events.c.type == "Signature.Signed")
                .order_by(audit_events.c.position)
            )
        )


class TestLiveVerification:
    def test_an_untouched_database_verifies(self, civic: CivicLedger, petition: UUID) -> None:
        """Chain, checkpoint, replay and every view agree."""
        report = verify_live(civic.ledger, civic.transparency)
        assert report.ok, report.problem
        assert (report.events, report.checkpoints) == (15, 1)

    def test_an_edited_event_is_named(self, civic: CivicLedger, petition: UUID) -> None:
        """Renaming a signer in the stored JSON is caught at that event's position."""
        position = signature_positions(civic)[3]
        edited = stored_state(civic, position).replace(b"citizen:3", b"citizen:X")
        events = civic.ledger.events_table
        tamper(
            civic,
            lambda c: c.execute(update(events).where(events.c.id == position).values(state=edited)),
        )
        report = verify_live(civic.ledger, civic.transparency)
        assert report.problem is not None
        assert report.problem.position == position
        assert "leaf hash" in report.problem.message

    def test_a_removed_event_is_named(self, civic: CivicLedger, petition: UUID) -> None:
        """Deleting a signature's row is caught at its position."""
        position = signature_positions(civic)[7]
        events = civic.ledger.events_table
        tamper(civic, lambda c: c.execute(delete(events).where(events.c.id == position)))
        report = verify_live(civic.ledger, civic.transparency)
        assert report.problem is not None
        assert report.problem.position == position
        assert "no event" in report.problem.message

    def test_two_swapped_events_are_named(self, civic: CivicLedger, petition: UUID) -> None:
        """Reordering two signatures (swapping their positions) is caught at the first one."""
        first, second = signature_positions(civic)[2], signature_positions(civic)[9]
        events = civic.ledger.events_table

        def swap(connection: Connection) -> None:
            for old, new in ((first, -1), (second, first), (-1, second)):
                connection.execute(update(events).where(events.c.id == old).values(id=new))

        tamper(civic, swap)
        report = verify_live(civic.ledger, civic.transparency)
        assert report.problem is not None
        assert report.problem.position == first

    def test_a_rewritten_tree_is_caught_by_the_signed_checkpoint(
        self, civic: CivicLedger, petition: UUID
    ) -> None:
        """Editing an event and then rebuilding every view (tree included) leaves the signed
        checkpoint disagreeing: the report gives the range the change lies in."""
        position = signature_positions(civic)[3]
        edited = stored_state(civic, position).replace(b"citizen:3", b"citizen:X")
        events = civic.ledger.events_table
        tamper(
            civic,
            lambda c: c.execute(update(events).where(events.c.id == position).values(state=edited)),
        )
        civic.read_models.rebuild()
        report = verify_live(civic.ledger, civic.transparency)
        assert report.problem is not None
        assert "signed checkpoint of tree size 15 does not match" in report.problem.message

    def test_a_view_changed_in_sql_is_named(self, civic: CivicLedger, petition: UUID) -> None:
        """A signature count raised directly in the petitions table differs from the replay."""
        tamper(
            civic,
            lambda c: c.execute(
                update(petitions).where(petitions.c.id == petition).values(signature_count=99)
            ),
        )
        report = verify_live(civic.ledger, civic.transparency)
        assert report.problem is not None
        assert "view petitions" in report.problem.message
        assert "99" in report.problem.message


class TestExportVerification:
    @pytest.fixture
    def exported(self, civic: CivicLedger, petition: UUID, tmp_path: Path) -> Path:
        """The log exported to a file."""
        path = tmp_path / "log.jsonl"
        with path.open("wb") as file:
            assert export(civic.ledger, civic.transparency, file) == 15
        return path

    def test_an_export_verifies_with_the_logs_key(self, civic: CivicLedger, exported: Path) -> None:
        """Signatures, roots, replay, views and tallies all agree; no warning with the key."""
        report = verify_file(exported, civic.transparency.verifier)
        assert report.ok, report.problem
        assert report.warnings == []
        assert report.checkpoints >= 1

    def test_an_export_verifies_on_one_core_too(
        self, civic: CivicLedger, exported: Path, tmp_path: Path
    ) -> None:
        """With no second core to store the events apart, the replay stores them itself: the
        same verdict and the same views."""
        replay = Replay(tmp_path / "replay", store_events=True)
        try:
            report = Verification(civic.transparency.verifier, replay).run_file(exported)
            assert report.ok, report.problem
            with civic.ledger.engine.connect() as live, replay.ledger.engine.connect() as mine:
                compare_views(live, mine)
        finally:
            replay.close()

    @pytest.mark.parametrize("replay", [True, False], ids=["full", "chain-only"])
    def test_one_flipped_byte_in_an_event_is_named(
        self, civic: CivicLedger, exported: Path, *, replay: bool
    ) -> None:
        """Changing one character of a signer's name in the file fails at that event, whether
        the file is replayed or only its chain is checked (in worker processes)."""
        lines = exported.read_bytes().split(b"\n")
        number = next(i for i, line in enumerate(lines) if b"citizen:4" in line)
        position = json.loads(lines[number])["position"]
        lines[number] = lines[number].replace(b"citizen:4", b"citizen:5", 1)
        exported.write_bytes(b"\n".join(lines))
        report = verify_file(exported, civic.transparency.verifier, replay=replay)
        assert report.problem is not None
        assert report.problem.position == position

    def test_a_stated_result_that_differs_is_named(
        self, civic: CivicLedger, exported: Path, petition: UUID
    ) -> None:
        """Claiming another signature count in the export's state line is refused."""
        lines = exported.read_bytes().split(b"\n")
        state = json.loads(lines[-2])
        for row in state["rows"]["petitions"]:
            row["signature_count"] = 13
        lines[-2] = json.dumps(state).encode()
        exported.write_bytes(b"\n".join(lines))
        report = verify_file(exported, civic.transparency.verifier)
        assert report.problem is not None
        assert "signature_count" in report.problem.message

    @pytest.mark.parametrize("replay", [True, False], ids=["full", "chain-only"])
    def test_a_key_other_than_the_logs_is_refused(
        self, exported: Path, tmp_path: Path, *, replay: bool
    ) -> None:
        """Checked against another key, the checkpoints do not open."""
        stranger = Signer.from_file("civic-ledger", tmp_path / "stranger.pem").verifier
        report = verify_file(exported, stranger, replay=replay)
        assert report.problem is not None
        assert "not signed by" in report.problem.message

    @pytest.mark.parametrize("replay", [True, False], ids=["full", "chain-only"])
    def test_a_truncated_export_is_refused(
        self, civic: CivicLedger, exported: Path, *, replay: bool
    ) -> None:
        """An export cut short misses events and its final statement."""
        lines = exported.read_bytes().split(b"\n")
        exported.write_bytes(b"\n".join(lines[:10]) + b"\n")
        report = verify_file(exported, civic.transparency.verifier, replay=replay)
        assert report.problem is not None
        assert "the header announces 15 events, the export holds 9" in report.problem.message

    def test_a_chain_only_check_of_an_intact_export_passes(
        self, civic: CivicLedger, exported: Path
    ) -> None:
        """Leaves, roots and signatures only: the same root as the full check."""
        chain = verify_file(exported, civic.transparency.verifier, replay=False)
        full = verify_file(exported, civic.transparency.verifier)
        assert chain.ok, chain.problem
        assert (chain.root_hash, chain.checkpoints) == (full.root_hash, full.checkpoints)

    def test_a_malformed_line_is_named_by_its_number(
        self, civic: CivicLedger, exported: Path
    ) -> None:
        """Broken JSON on line 5 says so."""
        lines = exported.read_bytes().split(b"\n")
        lines[4] = lines[4][:-3]
        exported.write_bytes(b"\n".join(lines))
        report = verify_file(exported, civic.transparency.verifier)
        assert report.problem is not None
        assert "line 5 of the export is malformed" in report.problem.message

    def test_a_forged_export_without_a_threshold_event_fails_the_replayed_policy(
        self, civic: CivicLedger, exported: Path
    ) -> None:
        """An export rewritten to drop the threshold event (and the checkpoints that would
        betray it): replaying the policy records the event again, which the export lacks."""
        lines = [line for line in exported.read_bytes().split(b"\n") if line]
        kept = [
            line
            for line in lines
            if b"Petition.ThresholdReached" not in line and b'"type":"checkpoint"' not in line
        ]
        header = json.loads(kept[0])
        header["tree_size"] -= 1
        state = json.loads(kept[-1])
        state["counts"] = {
            name: n - (name in ("audit_events", "merkle_leaves"))
            for name, n in state["counts"].items()
        }
        kept[0], kept[-1] = json.dumps(header).encode(), json.dumps(state).encode()
        exported.write_bytes(b"\n".join(kept) + b"\n")
        report = verify_file(exported, civic.transparency.verifier)
        assert report.problem is not None, report
        assert "policies react to this event with one the log lacks" in report.problem.message
        assert "ThresholdReached" in report.problem.message
        crossing = next(json.loads(line) for line in kept if b'"signer":"citizen:4"' in line)
        assert report.problem.position == crossing["position"]  # the fifth signature
        assert any("no signed checkpoint" in w for w in report.warnings)

    def test_an_event_the_replay_cannot_decode_is_reported_not_crashed(
        self, civic: CivicLedger, exported: Path
    ) -> None:
        """An export re-hashed around an event of a type no code knows (its checkpoints
        dropped): the chain holds, and both processes of the replay fail on it; the report
        says so instead of crashing or waiting for the second process."""
        lines = [
            line
            for line in exported.read_bytes().split(b"\n")
            if line and b'"checkpoint"' not in line
        ]
        number = next(i for i, line in enumerate(lines) if b"Signature.Signed" in line)
        record = json.loads(lines[number])
        record["topic"] = "domain.signature:Signature.Forged"
        state = json.dumps(record["state"], separators=(",", ":")).encode()
        data = leaf_data(
            record["position"], UUID(record["originator_id"]), 1, record["topic"], state
        )
        record["leaf_hash"] = base64.b64encode(merkle.leaf_hash(data)).decode()
        lines[number] = json.dumps(record, separators=(",", ":")).encode()
        exported.write_bytes(b"\n".join(lines) + b"\n")
        report = verify_file(exported, civic.transparency.verifier)
        assert report.problem is not None
        assert "replaying the log fails" in report.problem.message
        assert "Signature.Forged" in report.problem.message
