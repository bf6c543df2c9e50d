"""The Merkle tree over the log, its signed checkpoints and its proofs, on a real database."""

from collections.abc import Callable
from uuid import UUID, uuid4

import pytest
from sqlalchemy import delete, select

from application import merkle
from application.checkpoints import open_note
from application.system import CivicLedger
from application.tables import merkle_leaves, merkle_nodes
from application.transparency import BadTreeSize, PositionNotInTree, stored_leaf_hash
from domain.events import Cause
from domain.petition import Threshold


def sign(civic: CivicLedger, petition_id: UUID, *people: str) -> None:
    """Each person signs the petition."""
    for person in people:
        civic.petitions.sign(
            petition_id, signer=person, cause=Cause(actor=person, correlation_id=str(uuid4()))
        )


def recomputed_root(civic: CivicLedger) -> bytes:
    """The tree's root from the stored events alone."""
    notifications = civic.ledger.recorder.select_notifications(start=None, limit=1_000_000)
    return merkle.root_of([stored_leaf_hash(n.id, n) for n in notifications])


@pytest.fixture
def busy(civic: CivicLedger, open_petition: Callable[..., UUID]) -> UUID:
    """A petition with 20 signatures and a threshold crossed: 23 events."""
    petition_id = open_petition(thresholds=[Threshold(10, "debate")])
    sign(civic, petition_id, *(f"citizen:{n}" for n in range(20)))
    return petition_id


class TestTheTree:
    def test_the_stored_tree_is_the_tree_of_the_stored_events(
        self, civic: CivicLedger, busy: UUID
    ) -> None:
        """Its root equals the root recomputed from every stored event, leaf by leaf."""
        signed = civic.transparency.issue_checkpoint()
        assert signed is not None
        assert signed.checkpoint.tree_size == 23
        assert signed.checkpoint.root_hash == recomputed_root(civic)

    def test_a_rebuild_grows_the_very_same_tree(self, civic: CivicLedger, busy: UUID) -> None:
        """Rebuilding the views from the log gives every node again, byte for byte."""
        with civic.ledger.engine.connect() as connection:
            before = connection.execute(select(merkle_nodes).order_by("level", "index")).all()
        civic.read_models.rebuild()
        with civic.ledger.engine.connect() as connection:
            after = connection.execute(select(merkle_nodes).order_by("level", "index")).all()
        assert after == before
        assert len(after) == 23 - bin(23).count("1")  # every complete subtree above the leaves

    def test_a_rolled_back_command_leaves_the_tree_whole(
        self, civic: CivicLedger, busy: UUID
    ) -> None:
        """A transaction that fails after projecting leaves no half-grown tree behind."""

        def sign_then_fail() -> None:
            with civic.ledger.transaction():
                sign(civic, busy, "citizen:ghost")
                raise RuntimeError("the command fails after recording")

        with pytest.raises(RuntimeError):
            sign_then_fail()
        sign(civic, busy, "citizen:late")
        signed = civic.transparency.issue_checkpoint()
        assert signed is not None
        assert signed.checkpoint.root_hash == recomputed_root(civic)

    def test_another_process_writing_is_followed(
        self, civic: CivicLedger, busy: UUID, open_civic: Callable[[], CivicLedger]
    ) -> None:
        """Two processes on one database take turns and grow one tree."""
        other = open_civic()
        sign(other, busy, "citizen:a")
        sign(civic, busy, "citizen:b")
        sign(other, busy, "citizen:c")
        signed = civic.transparency.issue_checkpoint()
        assert signed is not None
        assert signed.checkpoint.root_hash == recomputed_root(civic)

    def test_a_log_recorded_before_the_tree_gets_one_at_start(
        self, civic: CivicLedger, busy: UUID, open_civic: Callable[[], CivicLedger]
    ) -> None:
        """A database from before the tree (no leaves) is given its tree when opened."""
        root = recomputed_root(civic)
        with civic.ledger.engine.begin() as connection:
            connection.execute(delete(merkle_nodes))
            connection.execute(delete(merkle_leaves))
        reopened = open_civic()
        signed = reopened.transparency.issue_checkpoint()
        assert signed is not None
        assert signed.checkpoint.root_hash == root


class TestCheckpoints:
    def test_a_checkpoint_is_signed_only_when_the_log_grew(
        self, civic: CivicLedger, busy: UUID
    ) -> None:
        """Twice in a row gives one checkpoint; a new event allows the next."""
        assert civic.transparency.issue_checkpoint() is not None
        assert civic.transparency.issue_checkpoint() is None
        sign(civic, busy, "citizen:new")
        latest = civic.transparency.issue_checkpoint()
        assert latest is not None
        assert latest.checkpoint.tree_size == 24

    def test_the_latest_checkpoint_opens_with_the_published_key(
        self, civic: CivicLedger, busy: UUID
    ) -> None:
        """The stored note verifies with the log's verifier key."""
        civic.transparency.issue_checkpoint()
        latest = civic.transparency.latest_checkpoint()
        assert open_note(latest.note, civic.transparency.verifier) == latest.checkpoint


class TestProofs:
    def test_every_event_has_an_inclusion_proof_in_every_tree(
        self, civic: CivicLedger, busy: UUID
    ) -> None:
        """For each tree size and each leaf in it, the audit path leads to that tree's root."""
        notifications = civic.ledger.recorder.select_notifications(start=None, limit=100)
        for size in (1, 2, 7, 16, 23):
            root = merkle.root_of([stored_leaf_hash(n.id, n) for n in notifications[:size]])
            for notification in notifications[:size]:
                proof = civic.transparency.inclusion_proof(notification.id, size)
                assert proof.root_hash == root
                assert proof.leaf_hash == stored_leaf_hash(notification.id, proof.leaf)
                assert merkle.verify_inclusion(
                    proof.leaf_hash, proof.leaf_index, size, proof.path, root
                )

    def test_every_older_tree_is_a_prefix_of_every_newer_one(
        self, civic: CivicLedger, busy: UUID
    ) -> None:
        """Consistency proofs between any two sizes verify."""
        for old in range(1, 24):
            for new in (old, 17, 23):
                if new < old:
                    continue
                proof = civic.transparency.consistency_proof(old, new)
                assert merkle.verify_consistency(
                    old, new, proof.old_root, proof.new_root, proof.path
                )

    @pytest.mark.parametrize(("position", "size"), [(1, 24), (1, 0), (23, 5)])
    def test_a_tree_the_log_never_had_is_refused(
        self, civic: CivicLedger, busy: UUID, position: int, size: int
    ) -> None:
        """Sizes beyond the log, or a position after the tree asked for, are invalid."""
        with pytest.raises(BadTreeSize):
            civic.transparency.inclusion_proof(position, size)

    def test_a_position_with_no_event_is_not_found(self, civic: CivicLedger, busy: UUID) -> None:
        """Position 999 holds nothing."""
        with pytest.raises(PositionNotInTree):
            civic.transparency.inclusion_proof(999, 23)
