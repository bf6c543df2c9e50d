"""The verifier's fast paths compute what the plain ones do.

The Merkle helpers that hash whole levels at once give the nodes and roots `Frontier` gives one
leaf at a time; the replay's bulk inserts store exactly the values SQLAlchemy stores; the replay
builds every view an export states. (`verify --live`, in the integration tests, compares every
row of the replay's views with the database's own, the Merkle tables included.)
"""

from __future__ import annotations

import hashlib
import itertools
from array import array
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pytest
from eventsourcing.persistence import Notification
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    Result,
    String,
    Table,
    create_engine,
    insert,
    select,
)
from sqlalchemy.event import listen
from sqlalchemy.orm import ORMExecuteState, Session

from application import merkle
from application.tables import audit_events, merkle_leaves, metadata, petitions
from application.verification import (
    BulkInserts,
    EventRecord,
    Mismatch,
    Replay,
    ReplayTree,
    StateRecord,
    StoreResult,
    compare_state,
    event_record,
    notification,
    notifications,
)
from domain.signature import Signature

from .given import NOW, SIGNING, open_petition


def leaves(count: int) -> bytes:
    """`count` distinct leaf hashes, concatenated."""
    return b"".join(merkle.leaf_hash(n.to_bytes(4, "big")) for n in range(count))


def nodes_one_by_one(leaf_hashes: bytes) -> dict[tuple[int, int], bytes]:
    """Every node `Frontier.append` reports, by (level, index)."""
    frontier = merkle.Frontier()
    found: dict[tuple[int, int], bytes] = {}
    for start in range(0, len(leaf_hashes), merkle.HASH_SIZE):
        for level, index, node in frontier.append(leaf_hashes[start : start + merkle.HASH_SIZE]):
            found[(level, index)] = node
    return found


class TestLevelByLevel:
    @given(st.integers(0, 300), st.lists(st.integers(0, 300), max_size=4))
    @settings(max_examples=60, deadline=None)
    def test_extending_by_subtrees_is_extending_leaf_by_leaf(
        self, size: int, cuts: list[int]
    ) -> None:
        """Whatever the pieces the leaves come in, the frontier is the same."""
        hashes = leaves(size)
        expected = merkle.Frontier()
        expected.extend(hashes)
        frontier = merkle.Frontier()
        bounds = [0, *sorted(min(cut, size) for cut in cuts), size]
        for start, end in itertools.pairwise(bounds):
            frontier.extend_by_subtrees(hashes[start * 32 : end * 32])
        assert (frontier.size, frontier.hashes) == (expected.size, expected.hashes)
        assert frontier.root() == merkle.root_of(
            [hashes[i : i + 32] for i in range(0, len(hashes), 32)]
        )

    @pytest.mark.parametrize("size", [0, 1, 2, 3, 7, 8, 9, 100, 1025])
    def test_complete_levels_are_the_nodes_appending_completes(self, size: int) -> None:
        """Level k holds node (k, i) at i: the nodes the live tree stores, and its root."""
        hashes = leaves(size)
        levels = merkle.complete_levels(hashes)
        bulk = {
            (level, index): nodes[index * 32 : (index + 1) * 32]
            for level, nodes in enumerate(levels)
            for index in range(len(nodes) // 32)
        }
        assert bulk == nodes_one_by_one(hashes)
        expected = merkle.Frontier()
        expected.extend(hashes)
        assert merkle.root_of_levels(levels) == expected.root()

    def test_a_subtree_hash_is_the_root_of_its_leaves(self) -> None:
        """A power of two of leaves: their MTH; any other count is refused."""
        hashes = leaves(16)
        assert merkle.subtree_hash(hashes) == merkle.root_of(
            [hashes[i : i + 32] for i in range(0, 16 * 32, 32)]
        )
        with pytest.raises(ValueError, match="power of two"):
            merkle.subtree_hash(leaves(6))

    def test_a_lone_last_node_has_no_parent(self) -> None:
        """Three nodes make one parent: the third waits for a sibling."""
        a, b, c = (hashlib.sha256(bytes([n])).digest() for n in range(3))
        assert merkle.parent_level(a + b + c) == merkle.node_hash(a, b)


@pytest.fixture
def engines(tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    """Two empty databases with the views: one written by SQLAlchemy, one through the hook."""
    plain = create_engine(f"sqlite:///{tmp_path / 'plain.sqlite'}")
    bulk = create_engine(f"sqlite:///{tmp_path / 'bulk.sqlite'}")
    for engine in (plain, bulk):
        metadata.create_all(engine)
    yield plain, bulk
    plain.dispose()
    bulk.dispose()


def audit_rows(count: int) -> list[dict[str, Any]]:
    """Audit rows with every kind of value the views hold: aware times, UUIDs, JSON, nulls."""
    petition = uuid4()
    start = datetime(2026, 11, 26, 12, 0, 0, 0, tzinfo=UTC)
    return [
        {
            "position": n + 1,
            "timestamp": start + timedelta(microseconds=n * 1_001),
            "aggregate_id": uuid4(),
            "aggregate_type": "Signature",
            "version": 1,
            "type": "Signature.Signed",
            "actor": f"citizen:{n}",
            "reason": None if n % 2 else "a reason, with «unicode»",
            "correlation_id": str(uuid4()),
            "data": {"petition_id": str(petition), "signer": f"citizen:{n}", "n": [n, 1.5]},
            "parent_id": petition if n % 3 else None,
        }
        for n in range(count)
    ]


def stored(engine: Engine, table: Table) -> list[tuple[Any, ...]]:
    """The raw values SQLite holds, as the driver returns them (no type processing)."""
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        return list(raw.execute(f"SELECT * FROM {table.name} ORDER BY 1"))  # noqa: S608  # our table


class Spy:
    """The hook, noting whether it took each statement."""

    def __init__(self, hook: BulkInserts) -> None:
        self.hook = hook
        self.taken: list[bool] = []

    def __call__(self, state: ORMExecuteState) -> Result[Any] | None:
        result = self.hook(state)
        self.taken.append(result is not None)
        return result


class TestBulkInserts:
    def test_rows_are_stored_exactly_as_sqlalchemy_stores_them(
        self, engines: tuple[Engine, Engine]
    ) -> None:
        """The same multi-row insert, through SQLAlchemy and through the hook: same bytes."""
        plain, bulk = engines
        rows = audit_rows(50)
        with Session(plain) as session, session.begin():
            session.execute(insert(audit_events), rows)
        hook = Spy(BulkInserts(bulk.dialect))
        with Session(bulk) as session, session.begin():
            listen(session, "do_orm_execute", hook)
            session.execute(insert(audit_events), rows)
        assert hook.taken == [True]
        assert stored(bulk, audit_events) == stored(plain, audit_events)
        with Session(bulk) as session:  # and SQLAlchemy reads them back as it wrote them
            back = session.execute(select(audit_events).order_by(audit_events.c.position))
            assert [dict(row._mapping) for row in back] == rows

    def test_a_column_null_in_every_row_is_stored_null(
        self, engines: tuple[Engine, Engine]
    ) -> None:
        """Left out of the insert when null in every row: SQLite stores the same NULL."""
        plain, bulk = engines
        rows = [dict(row, reason=None, parent_id=None) for row in audit_rows(5)]
        with Session(plain) as session, session.begin():
            session.execute(insert(audit_events), rows)
        with Session(bulk) as session, session.begin():
            listen(session, "do_orm_execute", BulkInserts(bulk.dialect))
            session.execute(insert(audit_events), rows)
        assert stored(bulk, audit_events) == stored(plain, audit_events)

    def test_a_column_with_a_default_of_its_own_is_never_left_out(self, tmp_path: Path) -> None:
        """A null bound where SQLite would store a column's default if left out: bound."""
        table = Table(
            "with_default",
            MetaData(),
            Column("id", Integer, primary_key=True),
            Column("note", String, nullable=True, server_default="a default"),
        )
        engine = create_engine(f"sqlite:///{tmp_path / 'default.sqlite'}")
        table.create(engine)
        with Session(engine) as session, session.begin():
            listen(session, "do_orm_execute", BulkInserts(engine.dialect))
            session.execute(insert(table), [{"id": 1, "note": None}, {"id": 2, "note": None}])
        assert stored(engine, table) == [(1, None), (2, None)]
        engine.dispose()

    def test_column_by_column_is_row_by_row(self, engines: tuple[Engine, Engine]) -> None:
        """`insert_columns` stores what a multi-row insert of the same rows stores."""
        plain, bulk = engines
        rows = [{"leaf_index": n, "position": 2 * n + 1, "hash": bytes([n]) * 32} for n in range(9)]
        with Session(plain) as session, session.begin():
            session.execute(insert(merkle_leaves), rows)
        with Session(bulk) as session, session.begin():
            BulkInserts(bulk.dialect).insert_columns(
                session, merkle_leaves, {key: [row[key] for row in rows] for key in rows[0]}
            )
        assert stored(bulk, merkle_leaves) == stored(plain, merkle_leaves)

    def test_event_rows_are_stored_exactly_as_the_event_store_stores_them(
        self, engines: tuple[Engine, Engine], tmp_path: Path
    ) -> None:
        """The event store's own table (UUIDs as 16 bytes, states as BLOBs): same bytes."""
        replay = Replay(tmp_path)
        events = replay.ledger.events_table
        replay.close()
        plain, bulk = engines
        rows = [
            {
                "id": n + 1,
                "originator_id": uuid4(),
                "originator_version": n % 3 + 1,
                "topic": "domain.signature:Signature.Signed",
                "state": f'{{"signer":"citizen:{n}"}}'.encode(),
            }
            for n in range(20)
        ]
        for engine in engines:
            events.create(engine)
        with Session(plain) as session, session.begin():
            session.execute(insert(events), rows)
        with Session(bulk) as session, session.begin():
            BulkInserts(bulk.dialect).insert_columns(
                session, events, {key: [row[key] for row in rows] for key in rows[0]}
            )
        assert stored(bulk, events) == stored(plain, events)

    def test_other_statements_are_left_to_sqlalchemy(self, engines: tuple[Engine, Engine]) -> None:
        """One row, some columns only, RETURNING: run by SQLAlchemy as usual."""
        _, bulk = engines
        hook = Spy(BulkInserts(bulk.dialect))
        with Session(bulk) as session, session.begin():
            listen(session, "do_orm_execute", hook)
            session.execute(insert(audit_events), audit_rows(1))
            partial = [{"leaf_index": n, "position": n + 1} for n in range(3)]
            with pytest.raises(Exception, match="NOT NULL"):  # SQLAlchemy's own error
                session.execute(insert(merkle_leaves), partial)
        with Session(bulk) as session, session.begin():
            listen(session, "do_orm_execute", hook)
            returned = session.execute(
                insert(petitions).returning(petitions.c.id), [petition_row(), petition_row()]
            )
            assert len(returned.all()) == 2
        assert hook.taken == [False, False, False]


def petition_row() -> dict[str, Any]:
    """A lodged petition's view row."""
    now = datetime.now(UTC)
    return {
        "id": uuid4(),
        "position": int(uuid4().int % 1_000_000),
        "title": "A title",
        "text": "A text",
        "deadline": None,
        "status": "lodged",
        "lodged_by": "citizen:a",
        "lodged_at": now,
        "signature_count": 0,
        "thresholds": [],
        "admissibility_reason": None,
        "closed_reason": None,
        "closed_at": None,
        "response": None,
        "responded_at": None,
        "version": 1,
        "updated_at": now,
    }


class TestReplayTree:
    def test_the_tree_rows_are_the_live_trees(self, tmp_path: Path) -> None:
        """Written in bulk from recorded leaf hashes: the rows `MerkleLog` writes leaf by leaf."""
        replay = Replay(tmp_path)
        try:
            tree = replay.tree
            assert isinstance(tree, ReplayTree)
            hashes = leaves(11)
            tree.record(recorded(hashes))
            tree.positions.extend(range(3, 3 + 2 * 11, 2))
            with replay.ledger.transaction() as session:
                tree.write(session)
            with replay.ledger.engine.connect() as connection:
                stored_leaves = connection.execute(
                    select(merkle_leaves).order_by(merkle_leaves.c.leaf_index)
                ).all()
                stored_nodes = {
                    (int(level), int(index)): bytes(node)
                    for level, index, node in connection.exec_driver_sql(
                        'SELECT level, "index", hash FROM merkle_nodes'
                    )
                }
        finally:
            replay.close()
        assert [(i, p, bytes(h)) for i, p, h in stored_leaves] == [
            (i, 3 + 2 * i, hashes[i * 32 : (i + 1) * 32]) for i in range(11)
        ]
        expected = {k: v for k, v in nodes_one_by_one(hashes).items() if k[0] > 0}
        assert stored_nodes == expected
        assert tree.counts == {"merkle_leaves": 11, "merkle_nodes": len(expected)}

    @given(st.integers(min_value=0, max_value=300))
    def test_the_counted_nodes_are_the_nodes_the_log_writes(self, size: int) -> None:
        """Counted from the size alone, the tree's nodes are as many as appending its leaves
        one by one writes."""
        tree = ReplayTree(BulkInserts(create_engine("sqlite://").dialect), rows=False)
        hashes = leaves(size)
        tree.record(recorded(hashes))
        tree.positions.extend(range(1, size + 1))
        tree.write(Session())
        written = [key for key in nodes_one_by_one(hashes) if key[0] > 0]
        assert tree.counts == {"merkle_leaves": size, "merkle_nodes": len(written)}

    def test_a_file_replay_counts_the_tree_without_writing_it(self, tmp_path: Path) -> None:
        """An export states the tree by its row counts: the same counts, no rows written."""
        replay = Replay(tmp_path, tree_rows=False)
        try:
            tree = replay.tree
            tree.record(recorded(leaves(11)))
            tree.positions.extend(range(1, 12))
            with replay.ledger.transaction() as session:
                tree.write(session)
            with replay.ledger.engine.connect() as connection:
                written = connection.exec_driver_sql("SELECT count(*) FROM merkle_leaves").scalar()
        finally:
            replay.close()
        assert written == 0
        assert not tree.leaf_hashes  # nor kept
        # 11 leaves: 5 nodes at level 1, 2 at level 2, 1 at level 3 (complete subtrees only)
        assert tree.counts == {"merkle_leaves": 11, "merkle_nodes": 8}


def recorded(hashes: bytes) -> list[EventRecord]:
    """Records of events whose leaf hashes are `hashes`, in order."""
    return [
        msgspec.structs.replace(signature_record(index + 1, uuid4()), leaf_hash=hashes[start:end])
        for index, (start, end) in enumerate(itertools.pairwise(range(0, len(hashes) + 1, 32)))
    ]


def signature_record(position: int, aggregate: UUID, version: int = 1) -> EventRecord:
    """An event record as an export holds it (its leaf hash is not checked here)."""
    return EventRecord(
        id=position,
        originator_id=aggregate,
        originator_version=version,
        topic="domain.signature:Signature.Signed",
        leaf_hash=bytes(32),
        state=msgspec.Raw(b'{"signer":"citizen:a"}'),
    )


class TestReplayStore:
    def test_an_event_twice_in_its_aggregate_is_named(self, tmp_path: Path) -> None:
        """The store's unique index, built once every event is in, still refuses the second
        event of a version of an aggregate, and the report names where it stands."""
        twice, other = uuid4(), uuid4()
        replay = Replay(tmp_path)
        try:
            for position, aggregate in [(1, twice), (2, other), (3, other), (4, twice)]:
                replay.add(signature_record(position, aggregate, version=1 + (position == 3)))
            with pytest.raises(Mismatch) as raised:
                replay.project()
        finally:
            replay.close()
        assert raised.value.discrepancy.position == 4
        assert f"a second event of version 1 of aggregate {twice}" in str(raised.value)

    def test_a_store_of_other_events_is_refused(self, tmp_path: Path) -> None:
        """The second process's event store is attached only if its events are the ones
        projected here, in the same order."""
        replay = Replay(tmp_path, store_events=False)
        try:
            replay.positions.extend([1, 2, 3])
            with pytest.raises(Mismatch, match="3 events projected, 2 stored"):
                replay.attach(tmp_path / "other.sqlite", StoreResult(array("q", [1, 3]).tobytes()))
        finally:
            replay.close()


class TestCompareState:
    """An export states the views of the version that wrote it."""

    def test_views_and_columns_added_since_are_reported_not_failed(self) -> None:
        """A view the export lacks, and a column its rows lack, are named as not compared."""
        stated = StateRecord(
            counts={"petitions": 1}, rows={"petitions": [{"id": "p", "title": "T"}]}
        )
        replayed = StateRecord(
            counts={"petitions": 1, "votes": 0},
            rows={"petitions": [{"id": "p", "title": "T", "signature_count": 3}], "votes": []},
        )
        assert compare_state(replayed, stated) == ["votes", "petitions (signature_count)"]

    def test_a_stated_column_that_differs_still_fails(self) -> None:
        """Columns both sides have are compared as ever."""
        stated = StateRecord(
            counts={"petitions": 1}, rows={"petitions": [{"id": "p", "title": "T"}]}
        )
        replayed = StateRecord(
            counts={"petitions": 1}, rows={"petitions": [{"id": "p", "title": "U", "extra": 1}]}
        )
        with pytest.raises(Mismatch, match="title is stated as 'T', the replay gives 'U'"):
            compare_state(replayed, stated)


def test_fewer_collections_restores_the_collector_as_it_was() -> None:
    """The replay's garbage collection settings last for the replay only, even if it fails."""
    import gc  # noqa: PLC0415

    from application.verification import REPLAY_GC_THRESHOLD, fewer_collections  # noqa: PLC0415

    before = gc.get_threshold()
    seen: list[tuple[tuple[int, ...], int]] = []

    def replay() -> None:
        with fewer_collections():
            seen.append((gc.get_threshold(), gc.get_freeze_count()))
            raise RuntimeError

    with pytest.raises(RuntimeError):
        replay()
    assert seen[0][0] == REPLAY_GC_THRESHOLD
    assert seen[0][1] > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


class TestRecordsAreReadAsNotifications:
    def test_a_record_reads_as_the_notification_of_its_event(self, tmp_path: Path) -> None:
        """The projections read an inline record itself: the same event as from the library's
        `Notification` of the same stored event."""
        replay = Replay(tmp_path)
        try:
            mapper = replay.ledger.mapper
            signature = Signature.sign(
                petition=open_petition(), signer="account:bob", cause=SIGNING, now=NOW
            )
            (signed,) = signature.collect_events()
            stored = mapper.to_stored_event(signed)
            record = event_record(7, signed.originator_id, 1, stored.topic, stored.state, bytes(32))
            (logged,) = notifications([record])
            assert id(logged) == id(record)
            for read in (
                record,
                notification(7, signed.originator_id, 1, stored.topic, stored.state),
            ):
                event = mapper.to_domain_event(read)  # type: ignore[arg-type]
                assert vars(event) == vars(signed)
        finally:
            replay.close()

    def test_a_state_in_base64_is_made_a_notification(self) -> None:
        """Not one line of JSON: travels in base64, and is read from a `Notification`."""
        state = b'{"signer":\n"citizen:a"}'
        records = [
            signature_record(1, uuid4()),
            event_record(2, uuid4(), 1, "domain.signature:Signature.Signed", state, bytes(32)),
        ]
        assert records[1].state_base64 == state
        first, second = notifications(records)
        assert id(first) == id(records[0])
        assert isinstance(second, Notification)
        assert (second.id, second.originator_id, second.state) == (
            2,
            records[1].originator_id,
            state,
        )
