"""Export the log and verify it independently: signatures, Merkle roots, replay, tallies.

An export is JSON lines: a header (the log's origin and key), every stored event in position order
with its leaf hash, each signed checkpoint right after the event that completes it, and a last
line stating the views (the results). `verify` checks each checkpoint's signature and root against
the leaves it recomputes, replays every event into a fresh database with the same projection code
and policies, recounts every petition's signatures and thresholds with plain SQL, and compares
everything with what the export states. It stops at the first difference and names its position.
`verify --live` runs the same checks on the configured database, and also compares every view row.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sqlite3
import sys
import tempfile
import time
from array import array
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import IO, Any
from uuid import UUID

import msgspec
from eventsourcing.persistence import Notification, Recording, StoredEvent
from sqlalchemy import (
    BINARY,
    JSON,
    VARBINARY,
    Column,
    Connection,
    Dialect,
    Insert,
    LargeBinary,
    MetaData,
    Result,
    Table,
    TypeDecorator,
    Uuid,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.sqlite import DATETIME as SQLITE_DATETIME
from sqlalchemy.engine import IteratorResult
from sqlalchemy.engine.result import SimpleResultMetaData
from sqlalchemy.event import listen
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import ORMExecuteState, Session

from application import merkle
from application.checkpoints import CheckpointError, Verifier, open_note
from application.ledger import Ledger
from application.petition_history import signature_delta
from application.read_models import ReadModels, audit_columns, jsonable
from application.settings import Settings
from application.store import json_serializer
from application.tables import (
    UTCDateTime,
    audit_events,
    is_personal,
    merkle_leaves,
    merkle_nodes,
    metadata,
    petitions,
)
from application.transparency import (
    MerkleLog,
    Transparency,
    checkpoints,
    frontier_at,
    leaf_data,
    tree_size,
)
from application.vote_recount import recount_votes
from domain.events import CivicAggregate
from domain.signature import Signature

FORMAT = "civic-ledger/audit-export"
FORMAT_VERSION = 1
EXPORT_BATCH = 2_000
REPLAY_BATCH = 10_000  # events stored and projected per transaction of the replay
REPLAY_PAGE_SIZE = 65_536  # bytes, SQLite's largest
# The share of the events whose audit rows the second process of a replay builds: it also
# decodes them, which the first does anyway (see `audit_share`).
AUDIT_SHARE = 0.28
TREE_BATCH = 50_000  # tree rows per statement of the replay
READ_CHUNK = 1 << 22
HASH = merkle.HASH_SIZE
CHAIN_WORKERS = 4  # hashing processes for a chain-only check (at most one per core)
PROGRESS_EVERY = 1 << 16
# The replay's garbage collection: its first generation collected every 50,000 allocations, not
# every 700 (see `fewer_collections`).
REPLAY_GC_THRESHOLD = (50_000, 20, 100)
# Workers and the chain's process start as copies of this one where the platform allows it.
_FORK = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
# Views stated row by row in an export: the results people read. The others have one row per
# event (the audit trail, the tree), are stated by count, and follow from the verified events.
RESULT_TABLES = ("petitions", "accounts", "account_tokens")

Progress = Callable[[int, int], None]


# -- the records of an export -------------------------------------------------------------------


class Header(msgspec.Struct, tag="header", forbid_unknown_fields=True):
    """First line: what the file is, whose log, which key signs it, how many events follow."""

    format: str
    format_version: int
    origin: str
    verifier_key: str
    exported_at: datetime
    tree_size: int


class EventRecord(msgspec.Struct, tag="event", forbid_unknown_fields=True, omit_defaults=True):
    """A stored event exactly as the store holds it, with the leaf hash the log recorded.

    The stored state is JSON, written as is (`state`) so the file stays readable and the exact
    bytes survive; a state that is not one line of JSON travels in base64 (`state_base64`).
    Its position in the log is written `position`, and named `id` as on the library's
    `Notification`: a record of an inline state is read as one (`notifications`).
    """

    id: int = msgspec.field(name="position")
    originator_id: UUID
    originator_version: int
    topic: str
    leaf_hash: bytes
    state: msgspec.Raw = msgspec.Raw()
    state_base64: bytes | None = None

    @property
    def stored_state(self) -> bytes:
        """The state's bytes exactly as stored."""
        if self.state_base64 is not None:
            return self.state_base64
        return bytes(self.state)


def event_record(  # noqa: PLR0917  # the stored event's fields, in their order
    position: int, originator_id: UUID, version: int, topic: str, state: bytes, leaf_hash: bytes
) -> EventRecord:
    """The record of a stored event, its state inline when it is one line of JSON."""
    inline = b"\n" not in state and b"\r" not in state
    if inline:
        try:
            msgspec.json.decode(state)
        except msgspec.DecodeError:
            inline = False
    return EventRecord(
        id=position,
        originator_id=originator_id,
        originator_version=version,
        topic=topic,
        leaf_hash=leaf_hash,
        state=msgspec.Raw(state) if inline else msgspec.Raw(),
        state_base64=None if inline else state,
    )


class CheckpointRecord(msgspec.Struct, tag="checkpoint", forbid_unknown_fields=True):
    """A signed checkpoint (a signed note), placed right after the leaf that completes it."""

    tree_size: int
    note: str


class StateRecord(msgspec.Struct, tag="state", forbid_unknown_fields=True):
    """Last line: the views as the log's owner states them."""

    counts: dict[str, int]
    rows: dict[str, list[dict[str, Any]]]


Record = Header | EventRecord | CheckpointRecord | StateRecord


@dataclass(frozen=True, slots=True)
class MissingEvent:
    """Live only: the tree has a leaf at this position, the log has no event there."""

    position: int


@dataclass(frozen=True, slots=True)
class UntrackedEvent:
    """Live only: the log has an event at this position that no leaf of the tree records."""

    position: int


# -- the report ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """The first thing that differs; `position` is the log position when one can be named."""

    message: str
    position: int | None = None

    def __str__(self) -> str:
        where = f"position {self.position}: " if self.position is not None else ""
        return where + self.message


@dataclass
class Report:
    """What was checked, how long each part took, and the first difference, if any."""

    events: int = 0
    checkpoints: int = 0
    tree_size: int = 0
    root_hash: bytes = merkle.EMPTY_ROOT
    verifier_key: str = ""
    problem: Discrepancy | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nothing differs."""
        return self.problem is None


class Mismatch(Exception):  # internal: carries the discrepancy up the stack
    """Raised inside the checks; becomes `Report.problem`."""

    def __init__(self, discrepancy: Discrepancy) -> None:
        super().__init__(str(discrepancy))
        self.discrepancy = discrepancy


# -- export -------------------------------------------------------------------------------------


@contextmanager
def snapshot(ledger: Ledger) -> Iterator[Connection]:
    """A read transaction that sees one consistent state of the log and its views."""
    with ledger.engine.connect() as opened:
        connection = opened
        if opened.dialect.name == "postgresql":
            connection = opened.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            yield connection


def export_records(
    ledger: Ledger,
    connection: Connection,
    verifier: Verifier,
    sign: Callable[[int, bytes], str] | None,
    *,
    live: bool = False,
) -> Generator[Record | MissingEvent | UntrackedEvent]:
    """Every record of an export of the snapshot `connection` sees.

    `sign(size, root)` signs the whole snapshot so the export ends covered by a checkpoint. With
    `live`, events and leaves are matched by position and gaps reported rather than skipped.
    """
    size, _ = tree_size(connection)
    root = frontier_at(connection, size).root()
    final_note = sign(size, root) if size and sign is not None else None
    yield Header(
        format=FORMAT,
        format_version=FORMAT_VERSION,
        origin=verifier.name,
        verifier_key=verifier.text,
        exported_at=datetime.now(UTC),
        tree_size=size,
    )
    notes = {
        int(s): n
        for s, n in connection.execute(
            select(checkpoints.c.tree_size, checkpoints.c.note).where(
                checkpoints.c.tree_size <= size
            )
        )
    }
    if final_note is not None:
        notes[size] = final_note
    events = ledger.events_table.c
    event_rows = connection.execute(
        select(
            events.id, events.originator_id, events.originator_version, events.topic, events.state
        )
        .order_by(events.id)
        .execution_options(yield_per=EXPORT_BATCH)
    )
    leaf_rows = connection.execute(
        select(merkle_leaves.c.leaf_index, merkle_leaves.c.position, merkle_leaves.c.hash)
        .order_by(merkle_leaves.c.leaf_index)
        .execution_options(yield_per=EXPORT_BATCH)
    )
    try:
        leaves = iter(leaf_rows)
        leaf = next(leaves, None)
        emitted = 0
        for position, originator_id, version, topic, state in event_rows:
            while live and leaf is not None and leaf[1] < position:
                yield MissingEvent(int(leaf[1]))
                leaf = next(leaves, None)
            if leaf is None or leaf[1] != position:
                if live:
                    yield UntrackedEvent(int(position))
                continue  # recorded after the snapshot's tree: not part of this export
            yield event_record(
                int(position),
                originator_id if isinstance(originator_id, UUID) else UUID(originator_id),
                int(version),
                topic,
                bytes(state),
                bytes(leaf[2]),
            )
            emitted += 1
            leaf = next(leaves, None)
            if emitted in notes:
                yield CheckpointRecord(tree_size=emitted, note=notes[emitted])
        while live and leaf is not None:
            yield MissingEvent(int(leaf[1]))
            leaf = next(leaves, None)
    finally:  # server-side cursors on PostgreSQL: close them even if abandoned
        event_rows.close()
        leaf_rows.close()
    yield state_record(connection)


def state_record(connection: Connection) -> StateRecord:
    """The views as they stand: results row by row, the per-event views by count."""
    counts = {
        table.name: int(connection.scalar(select(func.count()).select_from(table)) or 0)
        for table in metadata.sorted_tables
        if not is_personal(table)  # opened with keys an export never holds
    }
    rows = {name: list(table_rows(connection, metadata.tables[name])) for name in RESULT_TABLES}
    return StateRecord(counts=counts, rows=rows)


def table_rows(connection: Connection, table: Table) -> Iterator[dict[str, Any]]:
    """A view's rows as plain JSON data, in primary key order."""
    query = select(table).order_by(*table.primary_key.columns)
    for row in connection.execute(query.execution_options(yield_per=EXPORT_BATCH)).mappings():
        yield {key: canonical(value) for key, value in row.items()}


def canonical(value: Any) -> Any:
    """One representation per value whatever the backend returned (bytes, naive UTC, JSON)."""
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    return jsonable(value)


ENCODER = msgspec.json.Encoder()


def write_export(records: Iterable[Record | MissingEvent | UntrackedEvent], file: IO[bytes]) -> int:
    """Write the records as JSON lines; returns the number of events written."""
    events = 0
    buffer = bytearray()
    for record in records:
        if isinstance(record, MissingEvent | UntrackedEvent):
            continue
        ENCODER.encode_into(record, buffer, len(buffer))
        buffer.extend(b"\n")
        if isinstance(record, EventRecord):
            events += 1
            if len(buffer) > 1 << 20:
                file.write(buffer)
                buffer.clear()
    file.write(buffer)
    return events


def read_export(file: IO[bytes]) -> Iterator[Record]:
    """The records of an export file; a malformed line is a `Mismatch` naming its number.

    Read in large chunks and decoded a chunk at a time (msgspec's `decode_lines`): per-line
    calls would cost more than the hashing they feed.
    """
    decoder = msgspec.json.Decoder(Record)
    rest = b""
    lines_before = 0
    while chunk := file.read(READ_CHUNK):
        chunk = rest + chunk
        cut = chunk.rfind(b"\n") + 1
        if cut == 0:  # a line longer than the chunk: read on
            rest = chunk
            continue
        rest = chunk[cut:]
        yield from _decode_chunk(decoder, chunk[:cut], lines_before)
        lines_before += chunk.count(b"\n", 0, cut)
    if rest.strip():
        yield from _decode_chunk(decoder, rest, lines_before)


def _decode_chunk(
    decoder: msgspec.json.Decoder[Record], chunk: bytes, lines_before: int
) -> list[Record]:
    """Every record of whole lines in `chunk`; on error, find the line that is malformed."""
    try:
        return decoder.decode_lines(chunk)
    except msgspec.DecodeError:
        for number, line in enumerate(chunk.split(b"\n"), start=lines_before + 1):
            if line.strip():
                try:
                    decoder.decode(line)
                except msgspec.DecodeError as exc:
                    message = f"line {number} of the export is malformed: {exc}"
                    raise Mismatch(Discrepancy(message)) from None
        raise


# -- verification -------------------------------------------------------------------------------


class BulkInserts:
    """Multi-row INSERTs of the replay, sent straight to the driver's `executemany`.

    SQLAlchemy builds and processes a parameter dictionary per row of an `executemany`, which
    costs more than SQLite's insert itself. Installed as the session's `do_orm_execute` hook,
    this runs plain multi-row `insert(table)` statements (every column given, no RETURNING)
    itself: the same SQL, each value through its column type's own bind processor, so the rows
    stored are exactly SQLAlchemy's. Every other statement runs as usual.

    Values are bound a column at a time (`_binder`). On SQLite, what `sqlite3` binds only after
    looking for an adapter (a `bytes`, a `None`: a dictionary lookup and two attribute lookups
    per value, more than the rest of binding the row) is avoided where the row stored is the
    same: bytes are bound as `bytearray` (the same BLOB), and a nullable column that is null in
    every row of the statement is left out of it (SQLite stores the same NULL).
    """

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._plans: dict[tuple[Insert, frozenset[str]], _InsertPlan | None] = {}
        self._inserts: dict[Table, Insert] = {}

    def __call__(self, state: ORMExecuteState) -> Result[Any] | None:
        """The hook: run a plain multi-row insert, or leave the statement to the session."""
        rows = state.parameters
        statement = state.statement
        if not isinstance(statement, Insert) or not isinstance(rows, list) or len(rows) < 2:  # noqa: PLR2004
            return None
        names = frozenset(rows[0])
        plan = self._planned(statement, names)
        if plan is None or any(len(row) != len(names) for row in rows):
            return None
        try:
            columns = {name: [row[name] for row in rows] for name in names}
        except KeyError:  # rows of different columns: SQLAlchemy's business
            return None
        self._execute(state.session, plan, columns)
        return IteratorResult(SimpleResultMetaData([]), iter(()))

    def insert_columns(
        self, session: Session, table: Table, columns: Mapping[str, Sequence[Any]]
    ) -> None:
        """Insert rows given column by column, every column of `table` named."""
        statement = self._inserts.setdefault(table, insert(table))
        plan = self._planned(statement, frozenset(columns))
        if plan is None:
            raise ValueError(f"not a plain insert of every column of {table.name}")
        self._execute(session, plan, columns)

    def _planned(self, statement: Insert, names: frozenset[str]) -> _InsertPlan | None:
        key = (statement, names)
        if key not in self._plans:
            self._plans[key] = self._plan(statement, names)
        return self._plans[key]

    def _plan(self, statement: Insert, names: frozenset[str]) -> _InsertPlan | None:
        """The columns and binders of a plain insert of every column; None for others."""
        table = statement.table
        if not isinstance(table, Table) or names != set(table.c.keys()):
            return None
        compiled = statement.compile(dialect=self._dialect, column_keys=list(names))
        order = compiled.positiontup
        if compiled.effective_returning or order is None or set(order) != names:
            return None
        sqlite = self._dialect.driver == "pysqlite"
        return _InsertPlan(
            statement,
            self._dialect,
            [(name, self._binder(table.c[name])) for name in order],
            # Left out when null in every row: SQLite then stores NULL, as for a bound None.
            frozenset(
                name
                for name in order
                if sqlite and table.c[name].nullable and table.c[name].server_default is None
            ),
        )

    def _binder(self, column: Column[Any]) -> Binder | None:
        """What binds a column's values (None: they are bound as they are)."""
        process = self._processor(column)
        dialect = self._dialect
        if dialect.driver == "pysqlite":
            if process is sqlite_utc_datetime:
                return sqlite_utc_datetimes
            if process is sqlite_uuid:
                return sqlite_uuids
            impl = column.type.dialect_impl(dialect)
            if (
                process is not None
                and isinstance(impl, JSON)
                and type(impl).bind_processor is JSON.bind_processor
                and impl._str_impl.bind_processor(dialect) is None
                and getattr(dialect, "_json_serializer", None) is json_serializer
            ):
                return partial(json_texts, process=process)
            binary = isinstance(impl, BINARY_TYPES) or (
                isinstance(impl, TypeDecorator) and isinstance(impl.impl_instance, BINARY_TYPES)
            )
            if binary:
                return sqlite_blobs if process is None else partial(sqlite_blobs, process=process)
        return None if process is None else partial(_each, process)

    def _processor(self, column: Column[Any]) -> Callable[[Any], Any] | None:
        """The column type's bind processor, or on SQLite one that stores the same value faster:
        without the last step for binary columns (it wraps bytes in `sqlite3.Binary`, a
        memoryview, which costs more than the insert, and sqlite3 binds the bytes themselves as
        the same BLOB), and in one step for the audit trail's times and ids (a row per event)."""
        dialect = self._dialect
        impl = column.type.dialect_impl(dialect)
        if dialect.driver == "pysqlite":
            if isinstance(impl, BINARY_TYPES):
                return None
            if (
                isinstance(impl, TypeDecorator)
                and isinstance(impl.impl_instance, BINARY_TYPES)
                and type(impl).process_bind_param is not TypeDecorator.process_bind_param
            ):
                return partial(impl.process_bind_param, dialect=dialect)
            if (
                type(impl) is UTCDateTime
                and type(impl.impl_instance) is SQLITE_DATETIME
                # the only place SQLAlchemy keeps the format: a custom one is left to it
                and impl.impl_instance._storage_format == SQLITE_DATETIME_FORMAT
            ):
                return sqlite_utc_datetime
            if type(impl) is Uuid and impl.as_uuid and not dialect.supports_native_uuid:
                return sqlite_uuid
        return impl.bind_processor(dialect)

    @staticmethod
    def _execute(session: Session, plan: _InsertPlan, columns: Mapping[str, Sequence[Any]]) -> None:
        values = [
            columns[name] if bind is None else bind(columns[name]) for name, bind in plan.columns
        ]
        null = frozenset(
            name
            for (name, _), column in zip(plan.columns, values, strict=True)
            if name in plan.omissible and column.count(None) == len(column)
        )
        if null:
            values = [
                v for (name, _), v in zip(plan.columns, values, strict=True) if name not in null
            ]
        connection = session.connection().connection.driver_connection
        assert connection is not None
        connection.executemany(plan.sql(null), zip(*values, strict=True))


Binder = Callable[[Sequence[Any]], Sequence[Any]]
BINARY_TYPES = (LargeBinary, BINARY, VARBINARY)

# How SQLAlchemy's SQLite DATETIME stores a datetime (its default `storage_format`).
SQLITE_DATETIME_FORMAT = (
    "%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d.%(microsecond)06d"
)


def _each(process: Callable[[Any], Any], values: Sequence[Any]) -> list[Any]:
    """Every value through a bind processor."""
    return list(map(process, values))


def sqlite_utc_datetime(value: datetime | None) -> str | None:
    """What SQLAlchemy stores for a `UTCDateTime` on SQLite, in one step instead of two: the
    type's `process_bind_param` (`astimezone(UTC)`), then SQLite DATETIME's text of the result
    (`SQLITE_DATETIME_FORMAT`, by position rather than through a dict): under half the cost."""
    if value is None:
        return None
    utc = value.astimezone(UTC)
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (  # noqa: UP031  # the fastest formatting
        utc.year,
        utc.month,
        utc.day,
        utc.hour,
        utc.minute,
        utc.second,
        utc.microsecond,
    )


_encode_lines = msgspec.json.Encoder().encode_lines
# msgspec's line for a UTC time with microseconds: '"2026-11-26T09:44:20.843245Z"\n'.
_UTC_LINE = len('"0001-01-01T00:00:00.000000Z"\n')


def sqlite_utc_datetimes(values: Sequence[Any]) -> Sequence[str | None]:
    """`sqlite_utc_datetime` of each value, a column at a time: a column of times in UTC with
    microseconds (the audit trail's, nearly always) is written by msgspec in one call, its
    RFC 3339 text then cut to SQLite's (a sixth of the cost). Any other column, value by value.
    """
    if set(map(type, values)) == {datetime}:
        text = _encode_lines(values).decode()
        # One "Z" per line (each time is at offset zero), every line as long as with microseconds.
        if text.count("Z") == len(values) and len(text) == _UTC_LINE * len(values):
            times = text.replace('"', "").replace("T", " ").replace("Z", "").split("\n")
            times.pop()  # after the last line's end
            return times
    return list(map(sqlite_utc_datetime, values))


_encode_hex_lines = msgspec.json.Encoder(uuid_format="hex").encode_lines


def sqlite_uuids(values: Sequence[Any]) -> Sequence[str | None]:
    """`sqlite_uuid` of each value, a column at a time: a column of plain UUIDs has its hex
    digits written by msgspec in one call; any other column, value by value."""
    if set(map(type, values)) == {UUID}:
        texts = _encode_hex_lines(values).decode().replace('"', "").split("\n")
        texts.pop()  # after the last line's end
        return texts
    return list(map(sqlite_uuid, values))


def json_texts(values: Sequence[Any], process: Callable[[Any], Any]) -> Sequence[Any]:
    """What the JSON column's own `process` gives each value, a column at a time: when it
    writes with msgspec (`store.json_serializer`), a column of objects and arrays is written in
    one call, a line each (JSON has no line break outside its strings); any other column (a
    null, which `process` may store as SQL NULL), value by value."""
    if set(map(type, values)) <= {dict, list}:
        texts = _encode_lines(values).decode().split("\n")
        texts.pop()  # after the last line's end
        return texts
    return list(map(process, values))


def sqlite_blobs(values: Sequence[Any], process: Callable[[Any], Any] | None = None) -> list[Any]:
    """Binary values (after `process`, the type's own step, if any) bound as `bytearray`: the
    same BLOB as `bytes`, which sqlite3 binds only after looking for an adapter."""
    if process is not None:
        values = list(map(process, values))
    if set(map(type, values)) == {bytes}:
        return list(map(bytearray, values))
    return [bytearray(value) if type(value) is bytes else value for value in values]


def sqlite_uuid(value: UUID | None) -> str | None:
    """What SQLAlchemy stores for a `Uuid` on SQLite: `value.hex`, which for a plain UUID is
    `'%032x' % value.int` (as `uuid.py` defines it), computed without the property's call."""
    if value is None:
        return None
    return "%032x" % value.int if type(value) is UUID else value.hex  # noqa: UP031  # as uuid.py


@dataclass(slots=True)
class _InsertPlan:
    """A plain insert of every column of a table: its binders, in the statement's order, and
    the columns that may be left out (null); its SQL by the columns left out."""

    statement: Insert
    dialect: Dialect
    columns: list[tuple[str, Binder | None]]
    omissible: frozenset[str]
    _sql: dict[frozenset[str], str] = field(default_factory=dict)

    def sql(self, left_out: frozenset[str] = frozenset()) -> str:
        """The statement's SQL, without the columns `left_out`."""
        sql = self._sql.get(left_out)
        if sql is None:
            names = [name for name, _ in self.columns if name not in left_out]
            compiled = self.statement.compile(dialect=self.dialect, column_keys=names)
            assert compiled.positiontup == names  # in the order the values are given
            sql = self._sql[left_out] = compiled.string
        return sql


class ReplayTree(MerkleLog):
    """The replay's Merkle tree view, counted (and with `rows`, computed and written) once every
    event is projected.

    Its leaves are the leaf hashes the export records; the chain check, which a report needs
    to pass as well, recomputes every one of them from the event's bytes. The nodes are those
    `MerkleLog` writes one leaf at a time, computed level by level (`merkle.complete_levels`).
    With `rows`, every leaf and node is written in bulk, for `verify --live` to compare with the
    live tree row by row; an export states the tree by its row counts only, so verifying a file
    counts the tree's rows from its size (`counts`): the chain check has already computed its
    root from the same leaves.
    """

    def __init__(self, bulk: BulkInserts, *, rows: bool = True) -> None:
        super().__init__()
        self._bulk = bulk
        self._rows = rows
        self.size = 0  # leaves recorded
        self.leaf_hashes = bytearray()  # as recorded, in log order (with `rows`)
        self.positions: list[int] = []  # as projected
        self.counts: dict[str, int] = {}  # of the rows the tree has, once computed

    def follow(self, session: Session, position: int) -> None:
        """Nothing to load: the replay's tree starts empty."""

    def record(self, records: Sequence[EventRecord]) -> None:
        """Note the leaves of events stored: how many, and (with `rows`) their hashes."""
        self.size += len(records)
        if self._rows:
            self.leaf_hashes += b"".join([record.leaf_hash for record in records])

    def append(self, position: int, stored: StoredEvent) -> None:
        """Note the position of the next leaf (its hash is the recorded one)."""
        self.positions.append(position)

    def flush(self, session: Session) -> None:
        """Nothing yet: the whole tree is written at the end, by `write`."""

    def write(self, session: Session) -> None:
        """Compute every leaf and complete node, and write them (with `rows`)."""
        size = self.size
        if len(self.positions) != size:
            message = f"{len(self.positions)} events projected, {size} stored"
            raise Mismatch(Discrepancy(message))
        # A level has a node for each complete run of 2**level leaves.
        nodes = sum(size >> level for level in range(1, size.bit_length()))
        self.counts = {merkle_leaves.name: size, merkle_nodes.name: nodes}
        if not self._rows:
            return
        levels = merkle.complete_levels(bytes(self.leaf_hashes))
        for start in range(0, size, TREE_BATCH):
            end = min(start + TREE_BATCH, size)
            self._bulk.insert_columns(
                session,
                merkle_leaves,
                {
                    "leaf_index": range(start, end),
                    "position": self.positions[start:end],
                    "hash": _split_hashes(levels[0], start, end),
                },
            )
        for level, hashes in enumerate(levels[1:], start=1):
            count = len(hashes) // HASH
            for start in range(0, count, TREE_BATCH):
                end = min(start + TREE_BATCH, count)
                self._bulk.insert_columns(
                    session,
                    merkle_nodes,
                    {
                        "level": [level] * (end - start),
                        "index": range(start, end),
                        "hash": _split_hashes(hashes, start, end),
                    },
                )


def _split_hashes(hashes: bytes, start: int, end: int) -> list[bytes]:
    """Hashes `start` to `end` (excluded) of concatenated 32-byte hashes, one by one."""
    return [hashes[i : i + HASH] for i in range(start * HASH, end * HASH, HASH)]


def replay_database(directory: Path) -> Path:
    """The file of the private database a `Replay` keeps in `directory`."""
    return directory / "replay.sqlite"


class ReplayReadModels(ReadModels):
    """The replay's views: `ReadModels`, whose policies act once the whole log is stored.

    The events are projected as they are read, but a policy must see the whole log, as it does
    in `civic projections rebuild`: a petition loaded when a signature reaches its threshold
    already holds the threshold the log recorded later, and the policy does nothing. So what a
    policy would do is kept, with the position of the event it reacts to, and done at the end
    (`Replay.project`): any event it records is one the log lacks. Its audit rows go to the
    database column by column (`BulkInserts`), as they are built.
    """

    def __init__(self, ledger: Ledger, bulk: BulkInserts) -> None:
        super().__init__(ledger)
        self.deferred: list[tuple[int, Callable[[], list[Recording[UUID]]]]] = []
        self._bulk = bulk

    def _react(
        self, position: int, action: Callable[[], list[Recording[UUID]]]
    ) -> list[Recording[UUID]]:
        self.deferred.append((position, action))
        return []

    def write_audit(self, session: Session, columns: dict[str, list[Any]]) -> None:
        self._bulk.insert_columns(session, audit_events, columns)


class Replay:
    """A fresh, private database fed with the log's events, projected by the same code.

    The events are stored and projected as they are read, a batch at a time, by `ReadModels`'
    own code, whose policies act once every event is stored (`ReplayReadModels`). The private
    database has no lookup indexes (nobody queries it by actor or type) and no journal (it is
    thrown away if anything fails); the store's unique (aggregate, version) index is built at
    the end. Its multi-row writes go straight to SQLite (`BulkInserts`), and its Merkle tree is
    written in bulk (`ReplayTree`).

    On two cores the work is split (`Verification.run_file`): without `store_events`, this one
    only projects, and `attach` takes the store a second process filled meanwhile from the same
    records (a `Replay` without `project_events`) before the policies act.
    """

    def __init__(
        self,
        directory: Path,
        *,
        tree_rows: bool = True,
        store_events: bool = True,
        project_events: bool = True,
    ) -> None:
        self.directory = directory
        self.store_events = store_events
        self.project_events = project_events
        _large_pages(replay_database(directory))
        self.ledger = Ledger(Settings(f"sqlite:///{replay_database(directory)}"))
        engine = self.ledger.engine
        listen(engine, "connect", _private_database)
        engine.dispose()  # the connections opened so far come back with the pragmas
        self.ledger.datastore.is_sqlite_wal_mode = True  # keep the library from asking for WAL
        self._bulk = BulkInserts(engine.dialect)
        listen(self.ledger.datastore.session_maker, "do_orm_execute", self._bulk)
        self.read_models = ReplayReadModels(self.ledger, self._bulk)
        for table in metadata.sorted_tables:
            for index in table.indexes:
                index.drop(engine)
        # The store's unique (aggregate, version) index is built once every event is in: the
        # same refusal of an event twice in its aggregate, for less than keeping it up to date.
        self._unique = [index for index in self.ledger.events_table.indexes if index.unique]
        for index in self._unique:
            index.drop(engine)
        self.tree = ReplayTree(self._bulk, rows=tree_rows)
        self.read_models.merkle = self.tree
        self._queued: list[EventRecord] = []
        self.positions = array("q")  # of the events added, in order
        # The first `audited_apart` events have their audit rows built by a second process.
        self.audited_apart = 0
        self.stored = 0
        self.seconds = 0.0  # spent storing and projecting

    def add(self, record: EventRecord) -> None:
        """Queue one event; a full batch is stored and projected."""
        queued = self._queued
        queued.append(record)
        if len(queued) >= REPLAY_BATCH:
            self.store()

    @property
    def queued(self) -> int:
        """Events added and not stored yet."""
        return len(self._queued)

    def store(self) -> None:
        """Store the queued events, then project them. The store or the projections refusing
        them (an event twice in its aggregate, say) is a finding about the log."""
        if not self.queued:
            return
        started = time.perf_counter()
        records = self._queued
        try:
            self.tree.record(records)
            if self.store_events:
                with self.ledger.transaction() as session:
                    self._bulk.insert_columns(session, self.ledger.events_table, columns(records))
            if self.project_events:
                # Batches start at multiples of REPLAY_BATCH, as `audited_apart` is.
                self.read_models.audit_trail = self.stored >= self.audited_apart
                with self.ledger.transaction() as session:  # the events stay if this fails
                    self.read_models.apply_notifications(session, notifications(records))
        except Mismatch:
            raise
        except Exception as exc:  # whatever the replay trips on, report it
            if self.store_events:
                self._index()  # an event twice in its aggregate, stored so far, is named first
            raise replay_failure(exc) from None
        finally:
            self.stored += len(records)
            self.positions.extend([record.id for record in records])
            records.clear()
            self.seconds += time.perf_counter() - started

    def project(self, progress: Progress | None = None) -> None:
        """Finish the replay: the last events, the store's unique index, then what the policies
        would do now that they see the whole log; a policy that reacts with an event the log
        lacks is a `Mismatch` naming the event it reacted to."""
        self.store()
        started = time.perf_counter()
        if self.store_events:
            self._index()
        if self.project_events:
            with self.ledger.transaction() as session:
                for position, action in self.read_models.deferred:
                    reactions = action()
                    if reactions:
                        event = reactions[0].domain_event
                        raise Mismatch(
                            Discrepancy(
                                "replayed, the policies react to this event with one the log "
                                f"lacks: {type(event).__qualname__} for {event.originator_id} "
                                f"({getattr(event, 'reason', '')})",
                                position,
                            )
                        )
                self.read_models.deferred.clear()
                self.tree.write(session)
                positions = self.tree.positions
                self.read_models.set_position(session, positions[-1] if positions else 0)
        if progress is not None:
            progress(self.stored, self.stored)
        self.seconds += time.perf_counter() - started

    def _index(self) -> None:
        """Build the store's unique index; an event twice in its aggregate is named."""
        events = self.ledger.events_table
        with self.ledger.engine.begin() as connection:
            try:
                for index in self._unique:
                    index.create(connection)
            except IntegrityError:
                first, second = events.alias(), events.alias()
                again = connection.execute(
                    select(second.c.id, second.c.originator_id, second.c.originator_version)
                    .join(
                        first,
                        (first.c.originator_id == second.c.originator_id)
                        & (first.c.originator_version == second.c.originator_version)
                        & (first.c.id < second.c.id),
                    )
                    .order_by(second.c.id)
                    .limit(1)
                ).one()
                message = (
                    f"a second event of version {again[2]} of aggregate {again[1]}: the event "
                    "store refuses it"
                )
                raise Mismatch(Discrepancy(message, again[0])) from None
        self._unique = []

    def attach(self, database: Path, stored: StoreResult) -> None:
        """Take the event store a second process filled from the same records: its table
        stands in for this database's (attached, not copied), once its events are checked to be
        the ones projected here, in the same order."""
        if stored.problem is not None:
            raise Mismatch(stored.problem)
        if self.positions.tobytes() != stored.positions:
            count = len(stored.positions) // self.positions.itemsize
            message = f"{len(self.positions)} events projected, {count} stored"
            raise Mismatch(Discrepancy(message))
        engine = self.ledger.engine
        with engine.begin() as connection:
            self.ledger.events_table.drop(connection)
        listen(engine, "connect", partial(_attach_store, path=database))
        engine.dispose()  # the next connections attach it
        if self.audited_apart:  # the audit rows of the first events, built there
            theirs = audit_events.to_metadata(MetaData(), schema="companion")
            with engine.begin() as connection:
                connection.execute(insert(audit_events).from_select(list(theirs.c), select(theirs)))

    def close(self) -> None:
        """Release the private database."""
        self.ledger.close()


def columns(records: Sequence[EventRecord]) -> dict[str, list[Any]]:
    """The event store's rows of the records, column by column."""
    return {
        "id": [record.id for record in records],
        "originator_id": [record.originator_id for record in records],
        "originator_version": [record.originator_version for record in records],
        "topic": [record.topic for record in records],
        "state": [record.stored_state for record in records],
    }


_state_base64 = attrgetter("state_base64")


def notifications(records: list[EventRecord]) -> Sequence[Notification]:
    """The records as the library's `Notification`s of their events, for the projections.

    A record whose state is inline is read as it is: it has a notification's attributes (`id`,
    `originator_id`, `originator_version`, `topic`, and the state's bytes in `state`, a buffer
    msgspec reads), and they are all the projections and the mapper read. Making a notification
    of each would cost more than a fifth of projecting it. A state in base64 is made one."""
    base64 = list(map(_state_base64, records))
    if base64.count(None) == len(records):
        return records  # type: ignore[return-value]  # as the docstring says
    return [
        record  # type: ignore[misc]  # as the docstring says
        if state is None
        else notification(
            record.id, record.originator_id, record.originator_version, record.topic, state
        )
        for record, state in zip(records, base64, strict=True)
    ]


def notification(  # a stored event's fields, in their order
    position: int, originator_id: UUID, version: int, topic: str, state: bytes
) -> Notification:
    """The library's `Notification` of a stored event, made as the library makes its domain
    events (`Mapper.to_domain_event`): its attributes set at once, not one by one through the
    frozen dataclass's `__init__`, which costs more than decoding the event."""
    made = _new(Notification)
    _set(
        made,
        "__dict__",
        {
            "originator_id": originator_id,
            "originator_version": version,
            "topic": topic,
            "state": state,
            "id": position,
        },
    )
    return made


_new = object.__new__
_set = object.__setattr__


@dataclass(frozen=True, slots=True)
class StoreResult:
    """What the second process reports once it has stored every event: their positions in
    order (8-byte integers), or why it could not store them."""

    positions: bytes = b""
    problem: Discrepancy | None = None


class CompanionStore:
    """The replay's event store, filled by the second process from the records it has just
    hashed, while the first projects them: a `Replay` that stores without projecting, in a
    database of its own, which the first attaches once done (`Replay.attach`).

    It also builds the audit rows of the log's first events (`audited_apart`, a share of them
    that evens out the two processes' work; `audit_share`): `read_models.audit_columns` of the
    events as the log's mapper decodes them, the rows `ReadModels` writes for every event it
    applies. The first process copies them into its own audit trail.
    """

    def __init__(self, directory: Path) -> None:
        directory.mkdir()
        self.replay = Replay(directory, tree_rows=False, project_events=False)
        self._to_domain_event = self.replay.ledger.mapper.to_domain_event
        self._audited: list[CivicAggregate.Event] = []  # and not written yet
        self._audited_positions: list[int] = []
        self.audited_apart = 0  # set once the header is read
        self.seen = 0  # events added
        self.problem: Discrepancy | None = None  # the first failure: the rest is not stored

    def add(self, records: list[Record]) -> None:
        """Store a chunk's events, and audit the first ones. A failure is kept, not raised: the
        chain check, which feeds the store, goes on."""
        if self.problem is None:
            try:
                self._add(records)
            except Mismatch as mismatch:
                self.problem = mismatch.discrepancy
            except Exception as exc:  # whatever the replay trips on, report it
                self.problem = replay_failure(exc).discrepancy

    def _add(self, records: list[Record]) -> None:
        add = self.replay.add
        audited: list[EventRecord] = []
        for record in records:
            if type(record) is EventRecord:
                add(record)
                if self.seen < self.audited_apart:
                    audited.append(record)
                self.seen += 1
        to_domain_event = self._to_domain_event
        for logged in notifications(audited):
            event = to_domain_event(logged)
            assert isinstance(event, CivicAggregate.Event)  # as `ReadModels` asserts
            self._audited.append(event)
            self._audited_positions.append(logged.id)
        if len(self._audited) >= REPLAY_BATCH or (
            self._audited and self.seen >= self.audited_apart
        ):
            self._write_audit()

    def _write_audit(self) -> None:
        with self.replay.ledger.transaction() as session:
            self.replay.read_models.write_audit(
                session, audit_columns(self._audited_positions, self._audited)
            )
        self._audited.clear()
        self._audited_positions.clear()

    def finish(self) -> StoreResult:
        """Store the last events and build the store's unique index; what the main replay needs
        to know."""
        if self.problem is None:
            try:
                if self._audited:
                    self._write_audit()
                self.replay.project()
            except Mismatch as mismatch:
                self.problem = mismatch.discrepancy
            except Exception as exc:  # whatever the replay trips on, report it
                self.problem = replay_failure(exc).discrepancy
        self.replay.close()
        return StoreResult(self.replay.positions.tobytes(), self.problem)


def audit_share(events: int) -> int:
    """How many of the log's first events the second process audits: a share that evens out
    the two processes' work (measured, ADR 22), in whole batches of the first's."""
    return int(events * AUDIT_SHARE) // REPLAY_BATCH * REPLAY_BATCH


class Companion:
    """The second process of a full verification: it checks the chain and, given a
    `directory`, stores the same records for the replay (`CompanionStore`). It reports the
    chain first (a failure as soon as it is found), then the store."""

    def __init__(self, path: Path, trusted: Verifier | None, directory: Path | None) -> None:
        self.database = None if directory is None else replay_database(directory)
        receiver, sender = _FORK.Pipe(duplex=False)
        self._process = _FORK.Process(
            target=_companion, args=(path, trusted, directory, sender), daemon=True
        )
        self._process.start()
        sender.close()
        self._results = receiver
        self._chain: Report | None = None

    def __enter__(self) -> Companion:
        return self

    def __exit__(self, *_: object) -> None:
        self._results.close()
        self._process.join(timeout=1)
        if self._process.is_alive():  # still storing events nobody needs (a failure here)
            self._process.terminate()
            self._process.join()

    def chain_failed(self) -> bool:
        """Whether the chain is known to have failed already (does not wait)."""
        if self._chain is None and self._results.poll():
            self.chain()
        return self._chain is not None and not self._chain.ok

    def chain(self) -> Report:
        """The chain's report (waits for it)."""
        if self._chain is None:
            received = self._receive()
            if not isinstance(received, Report):
                received = Report(problem=Discrepancy(f"the chain check failed: {received}"))
            self._chain = received
        return self._chain

    def stored(self) -> StoreResult:
        """The store, once filled (waits for it)."""
        if not self.chain().ok:
            return StoreResult(problem=self.chain().problem)
        received = self._receive()
        if not isinstance(received, StoreResult):
            return StoreResult(problem=Discrepancy(f"storing the events failed: {received}"))
        return received

    def _receive(self) -> object:
        try:
            received: object = self._results.recv()
        except EOFError:
            return f"its process ended with code {self._process.exitcode}"
        return received


def _companion(path: Path, trusted: Verifier | None, directory: Path | None, results: Any) -> None:
    """The companion's process: the chain and the store (if asked for), each reported as soon
    as it is known."""
    store = None if directory is None else CompanionStore(directory)
    with path.open("rb") as file:
        report = Verification(trusted, None).run_chain(file, workers=0, store=store)
    try:
        results.send(report)
        if report.ok and store is not None:
            results.send(store.finish())
    except BrokenPipeError:  # the main process stopped listening: it has failed already
        pass
    finally:
        results.close()


def _attach_store(connection: Any, _: Any, path: Path) -> None:
    """Attach the companion's database: its tables are found by name where this one has none."""
    connection.execute("ATTACH DATABASE ? AS companion", (str(path),))


def _large_pages(path: Path) -> None:
    """Create the replay's database with 64 KiB pages: its rows are written once, in order,
    and SQLite inserts them a third faster than into its usual 4 KiB pages (3.2 against 5.5 µs
    for an audit row, measured with `sqlite3` alone)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path)) as connection:
        connection.execute(f"PRAGMA page_size = {REPLAY_PAGE_SIZE}")
        connection.execute("VACUUM")  # an empty database takes its page size now


def _private_database(connection: Any, _: Any) -> None:
    """A database nobody else reads and nobody keeps: no journal, no waiting for the disk."""
    cursor = connection.cursor()
    pragmas = (
        "journal_mode = OFF",
        "synchronous = OFF",
        "temp_store = MEMORY",
        "cache_size = -262144",
    )
    for pragma in pragmas:
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


@dataclass(frozen=True, slots=True)
class HashedChunk:
    """What a worker found in a chunk of the export: the events' leaf hashes, in order, and
    every other record with the number of events before it and the position of the last one."""

    leaf_hashes: bytes
    first_position: int
    last_position: int
    others: list[tuple[int, int, Record]]
    problem: Discrepancy | None


_CHUNK_DECODER = msgspec.json.Decoder(Record)


def hash_chunk(chunk: bytes, lines_before: int) -> HashedChunk:
    """Decode whole lines and compute each event's leaf hash (runs in a worker process)."""
    try:
        records = _decode_chunk(_CHUNK_DECODER, chunk, lines_before)
    except Mismatch as mismatch:
        return HashedChunk(b"", 0, 0, [], mismatch.discrepancy)
    return hash_records(records)


def hash_records(records: list[Record]) -> HashedChunk:
    """Compute each event's leaf hash and check it against the recorded one."""
    hashes = bytearray()
    others: list[tuple[int, int, Record]] = []
    leaf_hash = merkle.leaf_hash
    first = last = count = 0
    for r in records:
        if type(r) is EventRecord:
            position = r.id
            if position <= last:
                problem = Discrepancy(f"out of order, after {last}", position)
                return HashedChunk(b"", 0, 0, [], problem)
            state = r.state if r.state_base64 is None else r.state_base64  # as is, not copied
            computed = leaf_hash(
                leaf_data(position, r.originator_id, r.originator_version, r.topic, state)
            )
            if computed != r.leaf_hash:
                return HashedChunk(b"", 0, 0, [], Discrepancy(LEAF_MISMATCH, position))
            hashes += computed
            first = first or position
            last = position
            count += 1
        else:
            others.append((count, last, r))
    return HashedChunk(bytes(hashes), first, last, others, None)


def export_chunks(file: IO[bytes]) -> Iterator[tuple[bytes, int]]:
    """The export in chunks of whole lines, each with the number of lines before it."""
    rest = b""
    lines_before = 0
    while chunk := file.read(READ_CHUNK):
        chunk = rest + chunk
        cut = chunk.rfind(b"\n") + 1
        if cut == 0:
            rest = chunk
            continue
        rest = chunk[cut:]
        yield chunk[:cut], lines_before
        lines_before += chunk.count(b"\n", 0, cut)
    if rest.strip():
        yield rest, lines_before


LEAF_MISMATCH = (
    "the event differs from the one the log's Merkle tree recorded (its leaf hash does not match)"
)


class Verification:
    """Consumes the records of an export (from a file or live) and checks everything."""

    def __init__(
        self, trusted: Verifier | None, replay: Replay | None, progress: Progress | None = None
    ) -> None:
        self._progress = progress
        self._trusted = trusted
        self._verifier: Verifier | None = trusted
        self._replay = replay
        self._frontier = merkle.Frontier()
        self._checkpoint_position = 0  # the last position covered by a verified checkpoint
        self._last_position = 0
        self._stated: StateRecord | None = None
        self.report = Report()

    def run(self, records: Iterable[Record | MissingEvent | UntrackedEvent]) -> Report:
        """Check every record, then the replay; the report names the first difference."""
        started = time.perf_counter()
        try:
            self._consume(records)
            self.report.seconds["chain"] = time.perf_counter() - started
            if self._replay is not None:
                self._verify_replay(self._replay)
        except Mismatch as mismatch:
            self.report.problem = mismatch.discrepancy
        self.report.seconds["total"] = time.perf_counter() - started
        return self.report

    def _consume(self, records: Iterable[Record | MissingEvent | UntrackedEvent]) -> None:
        iterator = iter(records)
        header = next(iterator, None)
        if not isinstance(header, Header):
            raise Mismatch(Discrepancy("the export does not start with its header"))
        self._open(header)
        frontier = self._frontier
        append = frontier.append
        leaf_hash = merkle.leaf_hash
        replay = self._replay
        progress = self._progress
        last = 0
        for record in iterator:
            if type(record) is EventRecord:  # the hot path: one per event, inlined
                position = record.id
                if position <= last:
                    raise Mismatch(Discrepancy(f"out of order, after {last}", position))
                computed = leaf_hash(
                    leaf_data(
                        position,
                        record.originator_id,
                        record.originator_version,
                        record.topic,
                        record.stored_state,
                    )
                )
                if computed != record.leaf_hash:
                    raise Mismatch(Discrepancy(LEAF_MISMATCH, position))
                append(computed)
                last = self._last_position = position
                if replay is not None:
                    replay.add(record)
                if progress is not None and not frontier.size % PROGRESS_EVERY:
                    progress(frontier.size, header.tree_size)
            else:
                self._check_other(record)
        if progress is not None:
            progress(frontier.size, header.tree_size)
        self._finish(header)

    def _finish(self, header: Header) -> None:
        """After the last record: sizes, the statement, and what no checkpoint covers."""
        frontier = self._frontier
        self.report.events = frontier.size
        self.report.tree_size = frontier.size
        self.report.root_hash = frontier.root()
        if frontier.size != header.tree_size:
            raise Mismatch(
                Discrepancy(
                    f"the header announces {header.tree_size} events, "
                    f"the export holds {frontier.size}"
                )
            )
        if self._stated is None:
            raise Mismatch(Discrepancy("the export has no final state line (truncated?)"))
        if frontier.size and self._checkpoint_position != self._last_position:
            self.report.warnings.append(
                f"positions after {self._checkpoint_position} are covered by no signed checkpoint"
            )

    def run_file(self, path: Path) -> Report:
        """Verify an export file in full, on two cores. A second process (`Companion`) checks
        the chain and, unless this replay stores the events itself, stores them
        (`CompanionStore`), while this one projects them as it reads them (each event is decoded
        once, here); the policies act once the store is attached. The chain's finding comes
        first, as if it had been checked first, then the store's."""
        replay = self._replay
        assert replay is not None
        started = time.perf_counter()
        problem: Discrepancy | None = None
        seconds = self.report.seconds
        store = None if replay.store_events else replay.directory / "companion"
        with Companion(path, self._trusted, store) as companion:
            attached = False
            try:
                with path.open("rb") as file:
                    complete = self._store(read_export(file), replay, companion)
                if complete:
                    if companion.database is not None:
                        replay.attach(companion.database, companion.stored())
                        attached = True
                    _replaying(replay, self._progress)
                    # The replay's time includes waiting for the store, if it ends last.
                    seconds["replay"] = time.perf_counter() - started
                    self._verify_views(replay)
            except Mismatch as mismatch:
                problem = mismatch.discrepancy
                if companion.database is not None and not attached and problem.position is None:
                    # What the projections tripped on may be an event twice in its aggregate,
                    # which the store names.
                    problem = companion.stored().problem or problem
            chained = companion.chain()
        self.report = chained
        self.report.problem = chained.problem or problem
        self.report.seconds = {"chain": chained.seconds.get("chain", 0.0), **seconds}
        self.report.seconds["total"] = time.perf_counter() - started
        return self.report

    def _store(self, records: Iterator[Record], replay: Replay, companion: Companion) -> bool:
        """Feed the export's events to the replay's store and keep its statement; False if
        it stopped early because the chain, checked meanwhile, has already failed."""
        header = next(records, None)
        if not isinstance(header, Header):
            raise Mismatch(Discrepancy("the export does not start with its header"))
        if companion.database is not None:
            replay.audited_apart = audit_share(header.tree_size)
        progress = self._progress
        for record in records:
            if type(record) is EventRecord:
                replay.add(record)
                if not replay.queued:  # a batch was just stored
                    if companion.chain_failed():
                        return False
                    if progress is not None:
                        progress(replay.stored, header.tree_size)
            elif type(record) is StateRecord:
                self._stated = record
        replay.store()
        return True

    def run_chain(
        self, file: IO[bytes], workers: int, store: CompanionStore | None = None
    ) -> Report:
        """Check the chain only (leaves, roots, signatures), hashing in `workers` processes
        (here, if 0); `store` (with 0 workers) is given every chunk that passed."""
        started = time.perf_counter()
        try:
            self._consume_chunks(file, workers, store)
        except Mismatch as mismatch:
            self.report.problem = mismatch.discrepancy
        self.report.seconds["chain"] = self.report.seconds["total"] = time.perf_counter() - started
        return self.report

    def _consume_chunks(self, file: IO[bytes], workers: int, store: CompanionStore | None) -> None:
        first_line = file.readline()
        header = next(iter(_decode_chunk(_CHUNK_DECODER, first_line, 0)), None)
        if not isinstance(header, Header):
            raise Mismatch(Discrepancy("the export does not start with its header"))
        self._open(header)
        if store is not None:
            store.audited_apart = audit_share(header.tree_size)
        if workers == 0:  # hash here (this is already a process of its own)
            for chunk, lines_before in export_chunks(file):
                records = _decode_chunk(_CHUNK_DECODER, chunk, lines_before + 1)
                self._take(hash_records(records), header)
                if store is not None:
                    store.add(records)
            self._finish(header)
            return
        with ProcessPoolExecutor(workers, mp_context=_FORK) as pool:
            pending: deque[Future[HashedChunk]] = deque()
            chunks = export_chunks(file)
            for chunk, lines_before in chunks:
                pending.append(pool.submit(hash_chunk, chunk, lines_before + 1))
                if len(pending) > 2 * workers:
                    self._take(pending.popleft().result(), header)
            while pending:
                self._take(pending.popleft().result(), header)
        self._finish(header)

    def _take(self, chunk: HashedChunk, header: Header) -> None:
        """Fold one worker's result into the tree, checking checkpoints where they stand."""
        if chunk.problem is not None:
            raise Mismatch(chunk.problem)
        if chunk.first_position and chunk.first_position <= self._last_position:
            message = f"out of order, after {self._last_position}"
            raise Mismatch(Discrepancy(message, chunk.first_position))
        done = 0
        for count, last, record in chunk.others:
            self._frontier.extend_by_subtrees(chunk.leaf_hashes[done * HASH : count * HASH])
            done = count
            self._last_position = last or self._last_position
            self._check_other(record)
        self._frontier.extend_by_subtrees(chunk.leaf_hashes[done * HASH :])
        self._last_position = chunk.last_position or self._last_position
        if self._progress is not None:
            self._progress(self._frontier.size, header.tree_size)

    def _check_other(self, record: Record | MissingEvent | UntrackedEvent) -> None:
        """Any record but an event: a checkpoint, the statement, or (live) a gap."""
        if isinstance(record, CheckpointRecord):
            self._check_checkpoint(record)
        elif isinstance(record, StateRecord):
            self._stated = record
        elif isinstance(record, MissingEvent):
            message = "the Merkle tree has a leaf here but the log has no event (removed)"
            raise Mismatch(Discrepancy(message, record.position))
        elif isinstance(record, UntrackedEvent):
            message = "the log has an event here that the Merkle tree never recorded"
            raise Mismatch(Discrepancy(message, record.position))
        else:
            raise Mismatch(Discrepancy("a second header in the middle of the export"))

    def _open(self, header: Header) -> None:
        if header.format != FORMAT or header.format_version != FORMAT_VERSION:
            raise Mismatch(Discrepancy(f"not a {FORMAT} v{FORMAT_VERSION} file"))
        if self._trusted is None:
            if not header.verifier_key:
                self._verifier = None
            else:
                try:
                    self._verifier = Verifier.parse(header.verifier_key)
                except CheckpointError as exc:
                    raise Mismatch(Discrepancy(f"the header's key: {exc}")) from None
                self.report.warnings.append(
                    "trusting the key named in the export itself; pass the key published at "
                    "GET /audit/key to check it is the log's"
                )
        elif header.verifier_key and header.verifier_key != self._trusted.text:
            self.report.warnings.append(
                "the export names another key than the one given; checking with the one given"
            )
        if self._verifier is not None:
            self.report.verifier_key = self._verifier.text

    def _check_checkpoint(self, record: CheckpointRecord) -> None:
        frontier = self._frontier
        if self._verifier is None:
            raise Mismatch(Discrepancy("a checkpoint, but the export names no key"))
        try:
            checkpoint = open_note(record.note, self._verifier)
        except CheckpointError as exc:
            raise Mismatch(
                Discrepancy(
                    f"the checkpoint of tree size {record.tree_size}: {exc}", self._last_position
                )
            ) from None
        if checkpoint.tree_size != frontier.size or record.tree_size != frontier.size:
            raise Mismatch(
                Discrepancy(
                    f"a checkpoint of tree size {checkpoint.tree_size} after {frontier.size} "
                    "events",
                    self._last_position,
                )
            )
        if checkpoint.root_hash != frontier.root():
            raise Mismatch(
                Discrepancy(
                    f"the signed checkpoint of tree size {checkpoint.tree_size} does not match "
                    f"the events: one of positions {self._checkpoint_position + 1} to "
                    f"{self._last_position} was changed, removed or reordered",
                    self._last_position,
                )
            )
        self._checkpoint_position = self._last_position
        self.report.checkpoints += 1

    def _verify_replay(self, replay: Replay) -> None:
        _replaying(replay, self._progress)
        self.report.seconds["replay"] = replay.seconds
        self._verify_views(replay)

    def _verify_views(self, replay: Replay) -> None:
        """Recount the tallies in the replayed views, and compare them with the statement."""
        started = time.perf_counter()
        with replay.ledger.engine.connect() as connection:
            recount(connection)
            found = recount_votes(connection)
            if found is not None:
                raise Mismatch(Discrepancy(*found))
            if self._stated is not None:
                replayed = state_record(connection)
                replayed.counts.update(replay.tree.counts)  # computed, maybe not written
                unstated = compare_state(replayed, self._stated)
                if unstated:
                    self.report.warnings.append(
                        "views the export does not state (written by an older version), "
                        f"rebuilt but not compared: {', '.join(unstated)}"
                    )
        self.report.seconds["views"] = time.perf_counter() - started


def _replaying(replay: Replay, progress: Progress | None = None) -> None:
    """Project the replay; a failure to replay is a finding about the log, not a crash."""
    try:
        replay.project(progress)
    except Mismatch:
        raise
    except Exception as exc:  # whatever the replay trips on, report it
        raise replay_failure(exc) from None


def replay_failure(exc: Exception) -> Mismatch:
    """What the replay tripped on, as a finding about the log."""
    return Mismatch(Discrepancy(f"replaying the log fails: {type(exc).__name__}: {exc}"))


def recount(connection: Connection) -> None:
    """Recount every petition's signatures and threshold crossings from the audit trail alone,
    and compare with the petitions view the projections built."""
    a = audit_events.c
    signatures = a.aggregate_type == Signature.__name__  # ballots have a parent (the vote) too
    delta = signature_delta()
    totals: dict[UUID, int] = {
        petition_id: int(total)
        for petition_id, total in connection.execute(
            select(a.parent_id, func.sum(delta)).where(signatures).group_by(a.parent_id)
        )
    }
    views = connection.execute(
        select(petitions.c.id, petitions.c.signature_count, petitions.c.thresholds)
    ).all()
    levels = sorted({t["signatures"] for view in views for t in view.thresholds})
    running = (
        select(
            a.parent_id.label("petition_id"),
            a.aggregate_id.label("signature_id"),
            a.position,
            func.sum(delta).over(partition_by=a.parent_id, order_by=a.position).label("count"),
        )
        .where(signatures)
        .subquery()
    )
    crossings: dict[tuple[UUID, int], tuple[str, int]] = {}
    if levels:
        for petition_id, signature_id, position, count in connection.execute(
            select(running).where(running.c.count.in_(levels)).order_by(running.c.position)
        ):
            crossings.setdefault((petition_id, int(count)), (str(signature_id), int(position)))
    for view in views:
        expected = int(totals.get(view.id) or 0)
        if view.signature_count != expected:
            raise Mismatch(
                Discrepancy(
                    f"petition {view.id}: the view counts {view.signature_count} signatures, "
                    f"its signature events add up to {expected}"
                )
            )
        for threshold in view.thresholds:
            computed, position = crossings.get((view.id, threshold["signatures"]), (None, None))
            if threshold["signature_id"] != computed:
                raise Mismatch(
                    Discrepancy(
                        f"petition {view.id}: threshold {threshold['signatures']} was reached by "
                        f"signature {computed}, the log records {threshold['signature_id']}",
                        position,
                    )
                )


def compare_state(recomputed: StateRecord, stated: StateRecord) -> list[str]:
    """The first view row (or count) that differs between the replay and the statement.

    An export states the views of the version that wrote it: views or columns added since are
    not in it and cannot be compared. They are returned, to be reported, not failed.
    """
    unstated = sorted(recomputed.counts.keys() - stated.counts.keys())
    for name, count in recomputed.counts.items():
        if name in stated.counts and stated.counts[name] != count:
            raise Mismatch(
                Discrepancy(f"view {name}: {stated.counts[name]} rows stated, {count} replayed")
            )
    for name, rows in recomputed.rows.items():
        if name not in stated.counts:
            continue
        stated_rows = stated.rows.get(name, [])
        columns = set(stated_rows[0]) if stated_rows else set()
        if rows and stated_rows and set(rows[0]) - columns:
            unstated.append(f"{name} ({', '.join(sorted(set(rows[0]) - columns))})")
        for mine, theirs in zip(rows, stated_rows, strict=False):
            if any(theirs[column] != mine[column] for column in columns & mine.keys()):
                key = next(iter(mine.values()))
                for column, value in mine.items():
                    if column in theirs and theirs[column] != value:
                        raise Mismatch(
                            Discrepancy(
                                f"view {name}, row {key}: {column} is stated as "
                                f"{theirs[column]!r}, the replay gives {value!r}"
                            )
                        )
            if theirs.keys() - mine.keys():
                key = next(iter(mine.values()))
                raise Mismatch(Discrepancy(f"view {name}, row {key}: differs"))
        if len(rows) != len(stated_rows):
            raise Mismatch(
                Discrepancy(f"view {name}: {len(stated_rows)} rows stated, {len(rows)} replayed")
            )
    return unstated


def compare_views(live: Connection, replayed: Connection) -> None:
    """Every row of every view, live against replayed: names the first that differs (but the
    personal views, which the replay, holding no keys, cannot open)."""
    for table in (t for t in metadata.sorted_tables if not is_personal(t)):
        mine = table_rows(replayed, table)
        theirs = table_rows(live, table)
        for number, (expected, actual) in enumerate(zip_longest_rows(mine, theirs), start=1):
            if expected != actual:
                position = (expected or actual or {}).get("position")
                raise Mismatch(
                    Discrepancy(
                        f"view {table.name}, row {number}: the database holds {actual}, "
                        f"replaying the log gives {expected}",
                        position if isinstance(position, int) else None,
                    )
                )


def zip_longest_rows(
    a: Iterator[dict[str, Any]], b: Iterator[dict[str, Any]]
) -> Iterator[tuple[dict[str, Any] | None, dict[str, Any] | None]]:
    """Pairs of rows, padding the shorter side with None."""
    sentinel: dict[str, Any] = {}
    while True:
        x, y = next(a, sentinel), next(b, sentinel)
        if x is sentinel and y is sentinel:
            return
        yield (None if x is sentinel else x), (None if y is sentinel else y)


# -- entry points -------------------------------------------------------------------------------


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the garbage collector less often for the duration: a replay allocates a few dicts
    per event, freed at once by their reference counts, and Python's cyclic collector, by default
    run every 700 allocations over everything younger, cost a fifth of the replay (200,000
    events: 3.8-4.0 s of projection against 5.1 s). What exists before is frozen out of the
    collections; every setting is restored after."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*REPLAY_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _usable_cpus() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def verify_file(
    path: Path,
    trusted: Verifier | None = None,
    *,
    replay: bool = True,
    progress: Progress | None = None,
) -> Report:
    """Verify an export file without any database of the log's owner."""
    if not replay:
        with path.open("rb") as file:
            workers = max(1, min(_usable_cpus(), CHAIN_WORKERS))
            return Verification(trusted, None, progress).run_chain(file, workers)
    with tempfile.TemporaryDirectory(prefix="civic-verify-") as directory, fewer_collections():
        # An export states the tree by its counts; the events are stored apart only when a
        # second core can store them meanwhile.
        store = Replay(
            Path(directory),
            tree_rows=False,
            store_events=_usable_cpus() < 2,  # noqa: PLR2004
        )
        try:
            return Verification(trusted, store, progress).run_file(path)
        finally:
            store.close()


def export(
    ledger: Ledger, transparency: Transparency, file: IO[bytes], progress: Progress | None = None
) -> int:
    """Write the whole log, its checkpoints and its views to `file`; returns the event count.

    The export is one consistent snapshot, ending with a checkpoint signed for it.
    """

    def sign(size: int, root: bytes) -> str:
        return transparency.sign_snapshot(size, root).note

    with snapshot(ledger) as connection:
        records = export_records(ledger, connection, transparency.verifier, sign)
        return write_export(_reporting(records, progress), file)


def verify_live(
    ledger: Ledger, transparency: Transparency, progress: Progress | None = None
) -> Report:
    """Verify the configured database itself: its events against its tree and checkpoints, a
    replay against its views, row by row. Writes nothing."""
    with tempfile.TemporaryDirectory(prefix="civic-verify-") as directory, fewer_collections():
        store = Replay(Path(directory))
        try:
            with snapshot(ledger) as connection:
                records = export_records(
                    ledger, connection, transparency.verifier, sign=None, live=True
                )
                try:
                    verification = Verification(transparency.verifier, store, progress)
                    report = verification.run(records)
                finally:
                    records.close()
                if report.ok:
                    started = time.perf_counter()
                    with store.ledger.engine.connect() as replayed:
                        try:
                            compare_views(connection, replayed)
                        except Mismatch as mismatch:
                            report.problem = mismatch.discrepancy
                    report.seconds["compare"] = time.perf_counter() - started
                return report
        finally:
            store.close()


def _reporting(
    records: Iterable[Record | MissingEvent | UntrackedEvent], progress: Progress | None
) -> Iterator[Record | MissingEvent | UntrackedEvent]:
    """The records, calling `progress(events so far, events in all)` now and then."""
    total = 0
    done = 0
    for record in records:
        if isinstance(record, Header):
            total = record.tree_size
        elif isinstance(record, EventRecord):
            done += 1
            if progress is not None and done % 10_000 == 0:
                progress(done, total)
        yield record
    if progress is not None:
        progress(done, total)
