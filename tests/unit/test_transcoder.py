"""The event store's transcoder and mapper read back exactly what the library's own read.

Every stored event goes through them; the properties compare them with the library's own
`JSONTranscoder` and `Mapper` on values written by the library's own writer (both share the
writer), typed values nested in lists, dicts and other typed values included, and on states
msgspec refuses and `json` reads. The mapper's are sequences of states of one topic: the first
shapes the topic's decoder, the next ones may have another shape.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    StoredEvent,
    Transcoding,
    TranscodingNotRegisteredError,
    UUIDAsHex,
)
from eventsourcing.utils import get_topic
from hypothesis import given
from hypothesis import strategies as st

from application.transcoder import CivicMapper, CivicTranscoder, uuid_from_hex


class Pair:
    """A value of a type of its own whose encoding holds typed values."""

    def __init__(self, left: Any, right: Any) -> None:
        self.left, self.right = left, right

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pair) and (self.left, self.right) == (other.left, other.right)

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return f"Pair({self.left!r}, {self.right!r})"


class PairAsList(Transcoding):
    type = Pair
    name = "pair"

    def encode(self, obj: Pair) -> list[Any]:
        return [obj.left, obj.right]

    def decode(self, data: list[Any]) -> Pair:
        return Pair(*data)


def transcoders() -> tuple[JSONTranscoder, CivicTranscoder]:
    """The library's and ours, with the same transcodings."""
    made = JSONTranscoder(), CivicTranscoder()
    for transcoder in made:
        for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), PairAsList()):
            transcoder.register(transcoding)
    return made


LIBRARY, OURS = transcoders()

keys = st.text(max_size=8)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.uuids()
    | st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=2))]))
    | st.datetimes()
    | st.decimals(allow_nan=False, allow_infinity=False)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(keys, inner, max_size=4)
        | st.builds(Pair, inner, inner)
        # dicts that look like typed objects but are not: 2 keys, one of them `_type_`...
        | st.fixed_dictionaries({"_type_": inner, "other": inner})
        | st.fixed_dictionaries({"_data_": inner, "other": inner})
    ),
    max_leaves=20,
)


@given(st.dictionaries(keys, values, max_size=10))
def test_an_event_state_reads_back_as_the_library_reads_it(state: dict[str, Any]) -> None:
    stored = LIBRARY.encode(state)
    expected = LIBRARY.decode(stored)
    assert OURS.decode(stored) == expected
    assert OURS.encode(state) == stored  # writing is the library's, byte for byte


@given(values)
def test_any_value_reads_back_as_the_library_reads_it(value: Any) -> None:
    stored = LIBRARY.encode(value)
    decoded = OURS.decode(stored)
    assert decoded == LIBRARY.decode(stored)
    assert type(decoded) is type(LIBRARY.decode(stored))


@pytest.mark.parametrize(
    "stored",
    [
        b'{"a":NaN,"b":[Infinity]}',  # the library writes these for float("nan") and inf
        b'{"big":1e400}',  # beyond a double: json reads inf, msgspec refuses
    ],
)
def test_what_msgspec_refuses_is_read_by_json(stored: bytes) -> None:
    assert repr(OURS.decode(stored)) == repr(LIBRARY.decode(stored))


def test_malformed_state_fails_as_in_the_library() -> None:
    with pytest.raises(ValueError, match="Expecting"):
        OURS.decode(b'{"a":')


def test_an_unknown_type_fails_as_in_the_library() -> None:
    stored = b'{"x":{"_type_":"mystery","_data_":1},"y":1,"z":2}'
    for transcoder in (LIBRARY, OURS):
        with pytest.raises(TranscodingNotRegisteredError, match="mystery"):
            transcoder.decode(stored)


@pytest.mark.parametrize(
    "text",
    [
        "2f4f5d4961464e8aa080833cac4602eb",
        "2F4F5D4961464E8AA080833CAC4602EB",
        "2f4f5d49-6146-4e8a-a080-833cac4602eb",
        "{2f4f5d4961464e8aa080833cac4602eb}",
        "+2f4f5d4961464e8aa080833cac4602e",  # int() reads a sign and underscores: so does UUID()
        "2f4f5d4961464e8aa080833cac4602_b",
    ],
)
def test_uuid_from_hex_reads_what_uuid_reads(text: str) -> None:
    made = uuid_from_hex(text)
    assert made == UUID(text)
    assert (made.int, made.hex, str(made), made.version) == (
        UUID(text).int,
        UUID(text).hex,
        str(UUID(text)),
        UUID(text).version,
    )
    assert hash(made) == hash(UUID(text))


@pytest.mark.parametrize(
    "text",
    [
        "-2f4f5d4961464e8aa080833cac4602e",
        "2f4f5d4961464e8aa080833cac4602eg",
        "2f4f5d4961464e8aa080833cac4602",
    ],
)
def test_uuid_from_hex_refuses_what_uuid_refuses(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011  # UUID's own message varies
        UUID(text)
    with pytest.raises(ValueError):  # noqa: PT011
        uuid_from_hex(text)


class Happened:
    """An event class: the mapper makes its instances without calling its `__init__`."""

    originator_id: UUID


class Upcast:
    """An event class of a second version, whose older states the library upcasts."""

    originator_id: UUID
    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["added"] = state.get("when")


def read_by_both(states: list[dict[str, Any]], event_class: type) -> None:
    """Each state, stored as the library stores it, reads the same with both mappers."""
    library, ours = Mapper[UUID](transcoders()[0]), CivicMapper(transcoders()[1])
    for version, state in enumerate(states, start=1):
        stored = StoredEvent(
            originator_id=UUID(int=version),
            originator_version=version,
            topic=get_topic(event_class),
            state=LIBRARY.encode(state),
        )
        expected, read = library.to_domain_event(stored), ours.to_domain_event(stored)
        assert type(read) is type(expected)
        assert sorted((k, repr(v)) for k, v in vars(read).items()) == sorted(
            (k, repr(v)) for k, v in vars(expected).items()
        )  # repr: equal datetimes of other offsets differ, and an int is not a float


field_names = st.sampled_from(["when", "who", "count", "ids", "reason", "_hidden", "class"])
field_values = (
    values
    | st.datetimes(
        timezones=st.sampled_from(
            [
                UTC,
                timezone(timedelta(hours=-5, minutes=-30)),
                timezone(timedelta(seconds=30)),  # written "+00:00:30", which msgspec refuses
            ]
        )
    )
    | st.lists(st.uuids(), max_size=3)
)


@given(st.lists(st.dictionaries(field_names, field_values, max_size=5), min_size=1, max_size=4))
def test_an_event_reads_as_the_library_reads_it(states: list[dict[str, Any]]) -> None:
    """The mapper's events equal the library's, whatever shape the topic's states take."""
    read_by_both(states, Happened)


@given(st.lists(st.dictionaries(field_names, field_values, max_size=5), min_size=1, max_size=3))
def test_an_event_class_that_upcasts_reads_as_the_library_reads_it(
    states: list[dict[str, Any]],
) -> None:
    """States of an older class version are upcast, as the library does."""
    read_by_both(states, Upcast)


def test_a_state_of_another_shape_reads_the_library_way() -> None:
    """A field missing, added, or null where the first state held a datetime: still read."""
    when = datetime(2026, 3, 1, 12, tzinfo=UTC)
    read_by_both(
        [
            {"when": when, "who": "a", "ids": [UUID(int=1)]},
            {"when": None, "who": "b", "ids": []},
            {"who": "c"},
            {"when": when, "who": "d", "ids": [], "more": {"x": when}},
            {"when": when.isoformat(), "who": 1.5, "ids": None},
            {"when": when, "who": "e", "ids": [UUID(int=2)]},
        ],
        Happened,
    )


def test_a_state_of_its_topics_shape_is_read_by_its_decoder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After a topic's first state, states of the same shape never take the library's way."""
    mapper = CivicMapper(transcoders()[1])
    when = datetime(2026, 3, 1, 12, tzinfo=UTC)

    def stored(version: int, state: dict[str, Any]) -> StoredEvent:
        return StoredEvent(UUID(int=1), version, get_topic(Happened), LIBRARY.encode(state))

    mapper.to_domain_event(stored(1, {"when": when, "who": "a", "ids": [UUID(int=1)]}))

    def refused(*_: object) -> None:
        raise AssertionError("read the library's way")

    monkeypatch.setattr(Mapper, "to_domain_event", refused)
    event = mapper.to_domain_event(
        stored(2, {"when": when + timedelta(days=1), "who": None, "ids": [UUID(int=2)]})
    )
    assert vars(event) == {
        "when": when + timedelta(days=1),
        "who": None,
        "ids": [UUID(int=2)],
        "originator_id": UUID(int=1),
        "originator_version": 2,
    }


def test_the_ledger_reads_its_events_with_it() -> None:
    from application.ledger import Ledger  # noqa: PLC0415
    from application.settings import Settings  # noqa: PLC0415

    ledger = Ledger(Settings("sqlite:///:memory:"))
    try:
        assert isinstance(ledger.mapper, CivicMapper)
        assert isinstance(ledger.mapper.transcoder, CivicTranscoder)
        when = datetime(2026, 3, 1, 12, tzinfo=UTC)
        assert ledger.mapper.transcoder.decode(ledger.mapper.transcoder.encode(when)) == when
        assert ledger.mapper.transcoder.decode(b'"x"') == "x"
        assert OURS.decode(LIBRARY.encode(Decimal("1.50"))) == Decimal("1.50")
    finally:
        ledger.close()
