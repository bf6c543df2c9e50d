"""On SQLite the replay's bulk inserts bind times and ids in one step, storing what SQLAlchemy's
own processors store.

The reference is SQLAlchemy's processor of the column's type for the SQLite dialect, after the
type's `process_bind_param` for a `TypeDecorator`: for any value, the same text of the same type,
or the same error. Any other type, and any other driver, keeps SQLAlchemy's processor.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, DateTime, Dialect, TypeDecorator, Uuid, create_engine

from application.store import json_serializer
from application.tables import UTCDateTime, audit_events, metadata
from application.verification import (
    BulkInserts,
    json_texts,
    sqlite_blobs,
    sqlite_utc_datetime,
    sqlite_utc_datetimes,
    sqlite_uuid,
    sqlite_uuids,
)

SQLITE = create_engine("sqlite://").dialect
COLUMNS = [column for table in metadata.sorted_tables for column in table.columns]
TIME_COLUMNS = [column for column in COLUMNS if isinstance(column.type, UTCDateTime)]
ID_COLUMNS = [column for column in COLUMNS if isinstance(column.type, Uuid)]


def sqlalchemys(column: Column[Any], dialect: Dialect = SQLITE) -> Callable[[Any], Any]:
    """SQLAlchemy's own processing of a value bound to the column: the decorator's
    `process_bind_param`, if any, then the dialect's type's bind processor."""
    impl = column.type.dialect_impl(dialect)
    if isinstance(impl, TypeDecorator):
        inner = impl.impl_instance.bind_processor(dialect)
        assert inner is not None
        return lambda value: inner(impl.process_bind_param(value, dialect))
    process = impl.bind_processor(dialect)
    assert process is not None
    return process


def outcome(process: Callable[[Any], Any], value: Any) -> tuple[object, ...]:
    """What binding the value gives: the result and its type, or the type of the error."""
    try:
        result = process(value)
    except Exception as exc:  # the error is the outcome compared
        return ("raises", type(exc))
    return ("gives", result, type(result))


class OddId(UUID):
    """A UUID of a type of its own whose hex digits are its own: bound by its `hex`."""

    __slots__ = ()

    @property
    def hex(self) -> str:
        return "odd" + super().hex


offsets = st.timedeltas(timedelta(hours=-23, minutes=-59), timedelta(hours=23, minutes=59))
zones = (
    st.just(UTC)
    | st.builds(timezone, offsets)
    | st.sampled_from(
        [ZoneInfo(name) for name in ("Europe/Paris", "America/St_Johns", "Asia/Kathmandu")]
    )
)
aware = st.datetimes(timezones=zones)  # years 1 to 9999
times = st.none() | aware | aware.map(lambda t: t.replace(microsecond=0)) | st.datetimes()
ids = st.none() | st.uuids() | st.sampled_from([UUID(int=0), UUID(int=2**128 - 1)])


class TestTheSameValuesStored:
    @given(times)
    @settings(max_examples=500, deadline=None)
    def test_a_time_is_stored_as_sqlalchemy_stores_it(self, value: datetime | None) -> None:
        """Aware at any offset, naive or null, with or without microseconds: the same text."""
        for column in TIME_COLUMNS:
            process = BulkInserts(SQLITE)._processor(column)
            assert process is sqlite_utc_datetime
            assert outcome(process, value) == outcome(sqlalchemys(column), value)

    @given(ids | st.uuids().map(lambda i: OddId(int=i.int)))
    @settings(max_examples=300, deadline=None)
    def test_an_id_is_stored_as_sqlalchemy_stores_it(self, value: UUID | None) -> None:
        """Any UUID, of a type of its own too, or null: the same hex digits."""
        for column in ID_COLUMNS:
            process = BulkInserts(SQLITE)._processor(column)
            assert process is sqlite_uuid
            assert outcome(process, value) == outcome(sqlalchemys(column), value)

    @pytest.mark.parametrize("value", ["2030-01-01 00:00:00", 1_700_000_000, b"\x00" * 16])
    def test_a_value_of_another_type_fares_as_in_sqlalchemy(self, value: Any) -> None:
        """Not a datetime, not a UUID: the same error (or, for bytes and their `hex`, the same
        nonsense, which sqlite3 then refuses)."""
        bulk = BulkInserts(SQLITE)
        for column in (audit_events.c.timestamp, audit_events.c.parent_id):
            process = bulk._processor(column)
            assert process is not None
            assert outcome(process, value) == outcome(sqlalchemys(column), value)


def each_value(process: Callable[[Any], Any], values: list[Any]) -> list[Any]:
    """Every value through a processor, one by one."""
    return [process(value) for value in values]


def column_outcome(bind: Callable[[list[Any]], Any], values: list[Any]) -> tuple[object, ...]:
    """What binding a column gives: its values and their types, or the type of the error."""
    try:
        result = bind(values)
    except Exception as exc:  # the error is the outcome compared
        return ("raises", type(exc))
    return ("gives", list(result), [type(value) for value in result])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=6,
)
utc_times = st.datetimes(timezones=st.just(UTC)).filter(lambda t: t.microsecond != 0)


class TestAColumnAtATime:
    @given(st.lists(times | utc_times, max_size=8) | st.lists(utc_times, min_size=1, max_size=8))
    @settings(max_examples=500, deadline=None)
    def test_a_column_of_times_is_stored_as_sqlalchemy_stores_each(
        self, values: list[datetime | None]
    ) -> None:
        """UTC with microseconds (written by msgspec), at other offsets, naive, null, or mixed:
        the same text as SQLAlchemy gives each value, in order."""
        (column,) = (c for c in TIME_COLUMNS if c.name == "timestamp")
        bind = BulkInserts(SQLITE)._binder(column)
        assert bind is sqlite_utc_datetimes
        each = sqlalchemys(column)
        assert column_outcome(bind, values) == column_outcome(
            lambda vs: [each(v) for v in vs], values
        )

    def test_a_time_of_another_type_in_a_column_fares_as_in_sqlalchemy(self) -> None:
        """A text that looks like what msgspec writes is not a time: SQLAlchemy's error."""
        values = [datetime(2026, 1, 1, 0, 0, 0, 1, tzinfo=UTC), "2026-01-01T00:00:00.000001Z"]
        each = sqlalchemys(audit_events.c.timestamp)
        assert column_outcome(sqlite_utc_datetimes, values) == column_outcome(
            lambda vs: [each(v) for v in vs], values
        )

    @given(st.lists(ids | st.uuids().map(lambda i: OddId(int=i.int)), max_size=6))
    def test_a_column_of_ids_is_stored_as_sqlalchemy_stores_each(
        self, values: list[UUID | None]
    ) -> None:
        """Plain UUIDs (written by msgspec), of a type of their own, null, or mixed: the same
        hex digits as SQLAlchemy gives each value, in order."""
        for column in ID_COLUMNS:
            bind = BulkInserts(SQLITE)._binder(column)
            assert bind is sqlite_uuids
            assert column_outcome(bind, values) == column_outcome(
                partial(each_value, sqlalchemys(column)), values
            )

    @given(
        st.lists(
            st.none()
            | st.text(max_size=5)
            | st.dictionaries(st.text(max_size=5), json_values, max_size=3)
            | st.lists(json_values, max_size=3),
            max_size=6,
        )
    )
    def test_a_column_of_json_is_stored_as_sqlalchemy_stores_each(self, values: list[Any]) -> None:
        """Objects and arrays (written by msgspec, a line each: line breaks in their strings
        included), text, null, or mixed: the same text as SQLAlchemy gives each value."""
        dialect = create_engine("sqlite://", json_serializer=json_serializer).dialect
        bind = BulkInserts(dialect)._binder(audit_events.c.data)
        assert isinstance(bind, partial)
        assert bind.func is json_texts
        each = sqlalchemys(audit_events.c.data, dialect)
        assert column_outcome(bind, values) == column_outcome(
            lambda vs: [each(v) for v in vs], values
        )

    def test_json_written_by_another_serializer_is_left_to_it(self) -> None:
        """A JSON column of an engine that writes with the standard library: its processor."""
        bind = BulkInserts(SQLITE)._binder(audit_events.c.data)
        assert not (isinstance(bind, partial) and bind.func is json_texts)

    @given(st.lists(st.none() | st.binary(max_size=40) | st.uuids(), max_size=6))
    def test_binary_values_are_bound_as_bytearrays_of_the_same_bytes(
        self, values: list[bytes | UUID | None]
    ) -> None:
        """A BLOB's bytes bound as a `bytearray` (sqlite3 binds one without looking for an
        adapter), anything else as it was."""
        expected = [bytearray(v) if type(v) is bytes else v for v in values]
        bound = sqlite_blobs(values)
        assert bound == expected
        assert [type(v) for v in bound] == [type(v) for v in expected]

    def test_binary_columns_take_the_types_own_step_first(self, tmp_path: Any) -> None:
        """The event store's UUIDs, a `TypeDecorator` over BINARY(16): its 16 bytes, as a
        bytearray."""
        from application.verification import Replay  # noqa: PLC0415  # a database to open

        replay = Replay(tmp_path)
        try:
            events = replay.ledger.events_table
            bind = BulkInserts(replay.ledger.engine.dialect)._binder(events.c.originator_id)
            assert bind is not None
            ids = [UUID(int=1), UUID(int=2**128 - 1)]
            assert bind(ids) == [bytearray(i.bytes) for i in ids]
            assert all(type(v) is bytearray for v in bind(ids))
        finally:
            replay.close()


class TestOtherTypesKeepSqlalchemysProcessor:
    def test_only_utc_times_and_uuids_are_bound_in_one_step(self) -> None:
        """Every other column of the views, a plain DateTime, a Uuid as text: not ours."""
        bulk = BulkInserts(SQLITE)
        others = [c for c in COLUMNS if c not in TIME_COLUMNS and c not in ID_COLUMNS]
        others += [Column("at", DateTime(timezone=True)), Column("id", Uuid(as_uuid=False))]
        for column in others:
            assert bulk._processor(column) not in (sqlite_utc_datetime, sqlite_uuid), column

    def test_postgresql_keeps_sqlalchemys_processors(self) -> None:
        """The same columns bound for PostgreSQL: SQLAlchemy's processors, untouched."""
        dialect = create_engine("postgresql+psycopg://").dialect
        bulk = BulkInserts(dialect)
        for column in (*TIME_COLUMNS, *ID_COLUMNS):
            assert bulk._processor(column) not in (sqlite_utc_datetime, sqlite_uuid), column
