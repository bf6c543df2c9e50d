"""The log's public proofs: its key, signed checkpoints, inclusion and consistency proofs.

Public on purpose: anyone may check that the log they were shown is the one everybody else sees.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, Parameter

from application.system import CivicLedger
from application.transparency import SignedCheckpoint
from interfaces.http.openapi import PUBLIC, problems
from interfaces.http.schemas import (
    MAX_POSITION,
    CheckpointOut,
    ConsistencyProofOut,
    InclusionProofOut,
    LogKey,
    StoredEventOut,
)

Position = Annotated[int, Parameter(ge=1, le=MAX_POSITION, description="a position in the log")]
Size = Annotated[int, Parameter(ge=1, le=MAX_POSITION, description="a number of leaves")]


def checkpoint_out(signed: SignedCheckpoint) -> CheckpointOut:
    """The wire form of a signed checkpoint."""
    c = signed.checkpoint
    return CheckpointOut(
        origin=c.origin,
        tree_size=c.tree_size,
        root_hash=c.root_hash,
        issued_at=c.issued_at,
        note=signed.note,
    )


class TransparencyController(Controller):
    """`/audit/key`, `/audit/checkpoints/latest`, `/audit/proofs/...`: open to everyone."""

    path = "/audit"
    tags = ["transparency"]  # noqa: RUF012  # Litestar reads this class attribute

    @get("/key", sync_to_thread=False, security=PUBLIC, responses=problems())
    def key(self, civic: NamedDependency[CivicLedger]) -> LogKey:
        """The Ed25519 public key that signs the checkpoints, also as a signed-note verifier key."""
        verifier = civic.transparency.verifier
        return LogKey(
            origin=verifier.name,
            algorithm="Ed25519",
            public_key=verifier.public_key,
            key_id=verifier.key_id.hex(),
            verifier_key=verifier.text,
        )

    @get("/checkpoints/latest", sync_to_thread=True, security=PUBLIC, responses=problems(404))
    def latest_checkpoint(self, civic: NamedDependency[CivicLedger]) -> CheckpointOut:
        """The latest signed checkpoint (404 before the first event)."""
        return checkpoint_out(civic.transparency.latest_checkpoint())

    @get("/proofs/inclusion", sync_to_thread=True, security=PUBLIC, responses=problems(404, 422))
    def inclusion(
        self,
        civic: NamedDependency[CivicLedger],
        position: FromQuery[Position],
        tree_size: FromQuery[Size | None] = None,
    ) -> InclusionProofOut:
        """The event at `position` and its audit path in the tree of `tree_size` leaves (by
        default the latest checkpoint's)."""
        size = tree_size or civic.transparency.latest_checkpoint().checkpoint.tree_size
        proof = civic.transparency.inclusion_proof(position, size)
        leaf = proof.leaf
        return InclusionProofOut(
            position=proof.position,
            leaf_index=proof.leaf_index,
            tree_size=proof.tree_size,
            leaf=StoredEventOut(
                position=proof.position,
                originator_id=UUID(str(leaf.originator_id)),
                originator_version=leaf.originator_version,
                topic=leaf.topic,
                state=bytes(leaf.state),
            ),
            leaf_hash=proof.leaf_hash,
            root_hash=proof.root_hash,
            path=proof.path,
        )

    @get("/proofs/consistency", sync_to_thread=True, security=PUBLIC, responses=problems(404, 422))
    def consistency(
        self,
        civic: NamedDependency[CivicLedger],
        old_size: FromQuery[Size],
        new_size: FromQuery[Size],
    ) -> ConsistencyProofOut:
        """The proof that the tree of `old_size` leaves is a prefix of the one of `new_size`."""
        proof = civic.transparency.consistency_proof(old_size, new_size)
        return ConsistencyProofOut(
            old_size=proof.old_size,
            new_size=proof.new_size,
            old_root=proof.old_root,
            new_root=proof.new_root,
            path=proof.path,
        )
