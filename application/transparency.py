"""Tamper evidence: a Merkle tree over every stored event, signed checkpoints and their proofs.

Leaf i of the tree is the i-th stored event of the log, in position order, hashed from its
canonical bytes (`leaf_data`): exactly what the event store holds, so a row changed, removed or
reordered in SQL no longer matches the tree. The tree grows in the same transaction as the event
(`MerkleLog`, fed by the read models' loop); `Transparency` signs checkpoints of it with the log's
key and answers inclusion and consistency proofs (RFC 9162) for anyone who holds a checkpoint.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from sqlalchemy import (
    BigInteger,
    Column,
    LargeBinary,
    MetaData,
    Table,
    Text,
    and_,
    bindparam,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.orm import Session

from application import merkle
from application.checkpoints import Checkpoint, Signer, Verifier, open_note
from application.errors import NotFound
from application.ledger import Ledger
from application.tables import UTCDateTime, merkle_leaves, merkle_nodes
from domain.errors import InvalidCommand

LEAF_HEADER = struct.Struct(">Q16sQI")  # position, originator id, version, length of the topic
LENGTH = struct.Struct(">I")

# Signed checkpoints are not a view of the log but statements about it: a rebuild keeps them.
checkpoint_metadata = MetaData()
checkpoints = Table(
    "checkpoints",
    checkpoint_metadata,
    Column("tree_size", BigInteger, primary_key=True, autoincrement=False),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("note", Text, nullable=False),
)


def leaf_data(
    position: int, originator_id: UUID, originator_version: int, topic: str, state: bytes
) -> bytes:
    """The canonical bytes of a stored event: what its leaf hashes.

    Big-endian: position (8 bytes), originator id (16), originator version (8), topic length (4),
    topic (UTF-8), state length (4), state (the stored bytes, as the event store holds them).
    """
    encoded = topic.encode()
    return b"".join(
        (
            LEAF_HEADER.pack(position, originator_id.bytes, originator_version, len(encoded)),
            encoded,
            LENGTH.pack(len(state)),
            state,
        )
    )


def stored_leaf_hash(position: int, stored: StoredEvent) -> bytes:
    """The leaf hash of a stored event at `position`."""
    originator_id = stored.originator_id
    if not isinstance(originator_id, UUID):
        originator_id = UUID(str(originator_id))
    state = bytes(stored.state)
    return merkle.leaf_hash(
        leaf_data(position, originator_id, stored.originator_version, stored.topic, state)
    )


def fetch_nodes(session: Session | Any, coordinates: Iterable[merkle.Coordinate]) -> merkle.Lookup:
    """The stored nodes at `coordinates`, in two queries at most, as a lookup."""
    wanted = set(coordinates)
    found: dict[merkle.Coordinate, bytes] = {}
    leaves = [index for level, index in wanted if level == 0]
    if leaves:
        rows = session.execute(
            select(merkle_leaves.c.leaf_index, merkle_leaves.c.hash).where(
                merkle_leaves.c.leaf_index.in_(leaves)
            )
        )
        found.update(((0, int(i)), bytes(h)) for i, h in rows)
    inner = [(level, index) for level, index in wanted if level > 0]
    if inner:
        n = merkle_nodes.c
        rows = session.execute(
            select(n.level, n.index, n.hash).where(
                or_(*(and_(n.level == level, n.index == index) for level, index in inner))
            )
        )
        found.update(((int(lv), int(i)), bytes(h)) for lv, i, h in rows)
    missing = wanted - found.keys()
    if missing:
        raise LookupError(f"the Merkle tree lacks nodes {sorted(missing)[:3]}")
    return lambda level, index: found[(level, index)]


def tree_size(session: Session | Any) -> tuple[int, int]:
    """The number of leaves, and the position of the last one (0 for an empty tree)."""
    row = session.execute(
        select(merkle_leaves.c.leaf_index, merkle_leaves.c.position)
        .order_by(merkle_leaves.c.leaf_index.desc())
        .limit(1)
    ).one_or_none()
    return (0, 0) if row is None else (int(row[0]) + 1, int(row[1]))


def frontier_at(session: Session | Any, size: int) -> merkle.Frontier:
    """The right edge of the stored tree at `size` leaves."""
    coordinates = merkle.frontier_coordinates(size)
    lookup = fetch_nodes(session, coordinates)
    return merkle.Frontier(size, [lookup(*c) for c in coordinates])


class MerkleLog:
    """Grows the stored tree by one leaf per event, inside the transaction that projects it.

    It keeps the right edge of the tree in memory; the edge is reloaded (a handful of rows)
    whenever the tracked position is not the one it was left at: another process wrote, or a
    transaction rolled back.
    """

    def __init__(self) -> None:
        self._frontier = merkle.Frontier()
        self._position = -1  # unknown: load before the first append
        self._leaves: list[dict[str, Any]] = []
        self._nodes: list[dict[str, Any]] = []
        self._insert_leaf = insert(merkle_leaves)
        self._insert_node = insert(merkle_nodes).values(
            level=bindparam("level"), index=bindparam("idx"), hash=bindparam("hash")
        )

    def follow(self, session: Session, position: int) -> None:
        """Make sure the in-memory edge is the tree's as of the tracked `position`."""
        if self._position == position:
            return
        size, last = tree_size(session)
        if last != position:
            raise MerkleLagError(position, last)
        self._frontier = frontier_at(session, size)
        self._position = position

    def append(self, position: int, stored: StoredEvent) -> None:
        """Add the event stored at `position` as the next leaf (written by `flush`)."""
        leaf_index = self._frontier.size
        nodes = self._frontier.append(stored_leaf_hash(position, stored))
        self._leaves.append({"leaf_index": leaf_index, "position": position, "hash": nodes[0][2]})
        self._nodes.extend({"level": lv, "idx": i, "hash": h} for lv, i, h in nodes[1:])
        self._position = position

    def flush(self, session: Session) -> None:
        """Write the leaves and nodes appended since the last flush."""
        if self._leaves:
            session.execute(self._insert_leaf, self._leaves)
            self._leaves = []
        if self._nodes:
            session.execute(self._insert_node, self._nodes)
            self._nodes = []

    def forget(self) -> None:
        """Drop the in-memory edge (after the tables were emptied or a rollback)."""
        self._frontier = merkle.Frontier()
        self._position = -1
        self._leaves, self._nodes = [], []


class MerkleLagError(RuntimeError):
    """The tree does not end where the projections do (a database from before the tree)."""

    def __init__(self, tracked: int, last_leaf: int) -> None:
        super().__init__(
            f"the Merkle tree ends at position {last_leaf} but the views at {tracked}: "
            "run `civic projections rebuild`"
        )


class PositionNotInTree(NotFound):
    """No leaf of the tree holds that position."""

    def __init__(self, position: int) -> None:
        super().__init__(f"no event of the log is at position {position}")


class CheckpointNotFound(NotFound):
    """No checkpoint has been signed yet (or none at the size asked)."""


class BadTreeSize(InvalidCommand):
    """A tree size the log cannot answer for."""


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A checkpoint and its signed note."""

    checkpoint: Checkpoint
    note: str


@dataclass(frozen=True, slots=True)
class InclusionProof:
    """The audit path of one leaf in a tree of `tree_size`."""

    position: int
    leaf_index: int
    tree_size: int
    leaf: StoredEvent
    leaf_hash: bytes
    root_hash: bytes
    path: list[bytes]


@dataclass(frozen=True, slots=True)
class ConsistencyProof:
    """What shows that the tree of `old_size` is a prefix of the tree of `new_size`."""

    old_size: int
    new_size: int
    old_root: bytes
    new_root: bytes
    path: list[bytes]


class Transparency:
    """Signs checkpoints of the tree and answers proofs."""

    def __init__(self, ledger: Ledger, signer: Signer, clock: Callable[[], datetime]) -> None:
        self._ledger = ledger
        self._signer = signer
        self._clock = clock
        checkpoint_metadata.create_all(ledger.engine)

    @property
    def verifier(self) -> Verifier:
        """The public half of the log's key, under the log's origin."""
        return self._signer.verifier

    def issue_checkpoint(self) -> SignedCheckpoint | None:
        """Sign the tree as it is now, unless the latest checkpoint already covers it."""
        with self._ledger.transaction() as session:
            size, _ = tree_size(session)
            latest = session.scalar(select(func.max(checkpoints.c.tree_size)))
            if size == 0 or (latest is not None and latest >= size):
                return None
            return self._sign_and_store(session, size, frontier_at(session, size).root())

    def sign_snapshot(self, size: int, root: bytes) -> SignedCheckpoint:
        """Sign a tree size read in a snapshot (an export), and keep it if new."""
        with self._ledger.transaction() as session:
            known = session.execute(
                select(checkpoints.c.root_hash, checkpoints.c.note).where(
                    checkpoints.c.tree_size == size
                )
            ).one_or_none()
            if known is not None and bytes(known[0]) == root:
                return SignedCheckpoint(_parse(self.verifier, known[1]), known[1])
            return self._sign_and_store(session, size, root)

    def _sign_and_store(self, session: Session, size: int, root: bytes) -> SignedCheckpoint:
        checkpoint = Checkpoint(self.verifier.name, size, root, self._clock())
        note = self._signer.sign(checkpoint)
        session.execute(
            insert(checkpoints).values(
                tree_size=size, root_hash=root, issued_at=checkpoint.issued_at, note=note
            )
        )
        return SignedCheckpoint(checkpoint, note)

    def latest_checkpoint(self) -> SignedCheckpoint:
        """The checkpoint of the largest tree signed so far."""
        with self._ledger.engine.connect() as connection:
            note = connection.scalar(
                select(checkpoints.c.note).order_by(checkpoints.c.tree_size.desc()).limit(1)
            )
        if note is None:
            raise CheckpointNotFound("no checkpoint has been signed yet")
        return SignedCheckpoint(_parse(self.verifier, note), note)

    def inclusion_proof(self, position: int, size: int) -> InclusionProof:
        """The proof that the event at `position` is leaf of the tree of `size` leaves."""
        with self._ledger.engine.connect() as connection:
            current, _ = tree_size(connection)
            self._check_size(size, current)
            leaf_index = connection.scalar(
                select(merkle_leaves.c.leaf_index).where(merkle_leaves.c.position == position)
            )
            if leaf_index is None:
                raise PositionNotInTree(position)
            if leaf_index >= size:
                raise BadTreeSize(
                    f"position {position} is leaf {leaf_index + 1}, after a tree of {size} leaves"
                )
            wanted = merkle.inclusion_coordinates(leaf_index, size)
            wanted |= set(merkle.frontier_coordinates(size)) | {(0, leaf_index)}
            lookup = fetch_nodes(connection, wanted)
            (stored,) = self._ledger.recorder.select_notifications(
                start=position, limit=1, stop=position
            )
        path = merkle.inclusion_proof(leaf_index, size, lookup)
        root = merkle.Frontier(size, [lookup(*c) for c in merkle.frontier_coordinates(size)])
        return InclusionProof(
            position, leaf_index, size, stored, lookup(0, leaf_index), root.root(), path
        )

    def consistency_proof(self, old_size: int, new_size: int) -> ConsistencyProof:
        """The proof that the tree of `old_size` leaves is a prefix of the one of `new_size`."""
        if not 1 <= old_size <= new_size:
            raise BadTreeSize("a consistency proof needs 1 <= old_size <= new_size")
        with self._ledger.engine.connect() as connection:
            current, _ = tree_size(connection)
            self._check_size(new_size, current)
            old_edge = merkle.frontier_coordinates(old_size)
            new_edge = merkle.frontier_coordinates(new_size)
            wanted = merkle.consistency_coordinates(old_size, new_size)
            lookup = fetch_nodes(connection, wanted | set(old_edge) | set(new_edge))
        return ConsistencyProof(
            old_size,
            new_size,
            merkle.Frontier(old_size, [lookup(*c) for c in old_edge]).root(),
            merkle.Frontier(new_size, [lookup(*c) for c in new_edge]).root(),
            merkle.consistency_proof(old_size, new_size, lookup),
        )

    @staticmethod
    def _check_size(size: int, current: int) -> None:
        if not 1 <= size <= current:
            raise BadTreeSize(f"the tree has {current} leaves; ask for a size from 1 to {current}")


def _parse(verifier: Verifier, note: str) -> Checkpoint:
    """A stored checkpoint, checked against the log's key."""
    return open_note(note, verifier)
