"""The event store's transcoder: the library's JSON format, read back with msgspec.

Every stored event is read through `Transcoder.decode`: every command loading an aggregate, every
projection, every replay of the verifier. The library's `JSONTranscoder` parses with the standard
`json` module and calls a Python hook on every object; here msgspec parses (several times
faster) and one pass revives the library's typed objects (`{"_type_": name, "_data_": ...}`)
through the same registered transcodings, inner ones first, as the hook does.

Writing is unchanged, byte for byte: the stored bytes are what the Merkle log hashes. A state that
msgspec refuses but `json` reads (`NaN`, a number beyond a double) is read by `json`, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from keyword import iskeyword
from typing import Any, Literal
from uuid import UUID, SafeUUID

import msgspec
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    Cipher,
    Compressor,
    JSONTranscoder,
    Mapper,
    StoredEvent,
    Transcoder,
    Transcoding,
    TranscodingNotRegisteredError,
)
from eventsourcing.utils import resolve_topic

_TYPE = "_type_"
_DATA = "_data_"
_UNKNOWN = SafeUUID.unknown
_new = object.__new__
# UUID keeps its value in slots: their descriptors set them for less than `object.__setattr__`.
_set_int: Callable[[UUID, int], None] = UUID.__dict__["int"].__set__
_set_safe: Callable[[UUID, SafeUUID], None] = UUID.__dict__["is_safe"].__set__
HEX_LENGTH = 32


def uuid_from_hex(data: str) -> UUID:
    """`UUID(data)` for the 32 hex digits the library writes, without its parsing."""
    if len(data) != HEX_LENGTH or data[0] in "+-":  # what UUID() reads otherwise, or refuses
        return UUID(data)
    value = int(data, 16)  # a ValueError on anything but hex digits, as UUID() raises
    uuid = _new(UUID)
    _set_int(uuid, value)
    _set_safe(uuid, _UNKNOWN)
    return uuid


def uuid_from_bytes(data: bytes) -> UUID:
    """`UUID(bytes=data)` for 16 bytes read from a BINARY(16) column, without its checks."""
    if len(data) != 16:  # noqa: PLR2004
        return UUID(bytes=data)
    uuid = _new(UUID)
    _set_int(uuid, int.from_bytes(data))
    _set_safe(uuid, _UNKNOWN)
    return uuid


class CivicTranscoder(JSONTranscoder):
    """The library's `JSONTranscoder`, parsing with msgspec (see the module's docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._parse = msgspec.json.Decoder().decode
        # The library's own transcodings of UUIDs and datetimes, read straight from their data.
        self._direct: dict[str, Any] = {}

    def register(self, transcoding: Transcoding) -> None:
        """Register as the library does; its UUID and datetime transcodings get a fast path."""
        super().register(transcoding)
        if transcoding.name == "uuid_hex" and transcoding.type is UUID:
            self._direct[transcoding.name] = uuid_from_hex
        elif transcoding.name == "datetime_iso" and transcoding.type is datetime:
            self._direct[transcoding.name] = datetime.fromisoformat
        else:
            self._direct.pop(transcoding.name, None)

    def direct_types(self) -> dict[str, type]:
        """The library's typed objects read straight from their data (its UUIDs and datetimes),
        by name, with the type each reads as."""
        return {
            name: UUID if reader is uuid_from_hex else datetime
            for name, reader in self._direct.items()
        }

    def decode(self, data: bytes) -> Any:
        """The object `encode` wrote."""
        try:
            parsed = self._parse(data)
        except msgspec.DecodeError:  # the standard library's reading, or its error
            return super().decode(data)
        if type(parsed) is not dict or len(parsed) == 2:  # noqa: PLR2004  # maybe typed itself
            return self.revive(parsed)
        # An event's state: its fields, inlined (the hot path of every read of the log).
        direct = self._direct
        for key, value in parsed.items():
            kind = type(value)
            if kind is dict:
                if len(value) == 2 and _DATA in value:  # noqa: PLR2004
                    name = value.get(_TYPE)
                    if type(name) is str and name in direct:
                        parsed[key] = direct[name](value[_DATA])
                        continue
                parsed[key] = self.revive(value)
            elif kind is list:
                parsed[key] = self.revive(value)
        return parsed

    def revive(self, value: Any) -> Any:
        """`value` with every typed object replaced by its decoded value, innermost first."""
        kind = type(value)
        if kind is list:
            return [self.revive(v) if type(v) in _CONTAINERS else v for v in value]
        if kind is not dict:
            return value
        if len(value) == 2 and _TYPE in value and _DATA in value:  # noqa: PLR2004
            name = value[_TYPE]
            direct = self._direct.get(name)
            if direct is not None:
                return direct(value[_DATA])
            try:
                transcoding = self.names[name]
            except KeyError:
                message = (
                    f"Data serialized with name '{name}' is not deserializable. Please register "
                    "a custom transcoding for this type."
                )
                raise TranscodingNotRegisteredError(message) from None
            return transcoding.decode(self.revive(value[_DATA]))
        for key, item in value.items():
            if type(item) in _CONTAINERS:
                value[key] = self.revive(item)
        return value


_CONTAINERS = frozenset({dict, list})


class CivicMapper(Mapper[UUID]):
    """The library's `Mapper`, reading each type of event with a decoder made for its state.

    The first state of a topic shows the shape of that topic's states: their fields, in order,
    and which hold plain JSON values, the library's UUIDs or datetimes, or anything else. From
    then on msgspec decodes that topic's states into a struct of that shape: it parses the UUIDs
    and datetimes itself and checks the shape as it goes; only fields of other kinds (lists,
    dicts, other typed objects) are revived by the transcoder. A state of another shape (a field
    missing, added, or of another kind), a cipher, a compressor, an id that is not a UUID or an
    event class that upcasts is read the library's way: every state reads as the library reads
    it (`tests/unit/test_transcoder.py` checks it on generated states). One difference, of no
    consequence: an event's attributes are in the order of its topic's first state's fields, the
    library's in its own state's, the same order for every state its class writes.
    """

    def __init__(
        self,
        transcoder: Transcoder,
        compressor: Compressor | None = None,
        cipher: Cipher | None = None,
    ) -> None:
        super().__init__(transcoder, compressor, cipher)
        self._plans: dict[str, _Plan | None] = {}
        self._civic = transcoder if isinstance(transcoder, CivicTranscoder) else None
        direct = {} if self._civic is None else self._civic.direct_types()
        self._wrappers = {name: _wrapper(name, kind) for name, kind in direct.items()}
        self._fast = not (compressor or cipher) and bool(self._wrappers)

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        """The domain event of a stored one (see the class's docstring)."""
        topic = stored_event.topic
        plan = self._plans.get(topic, _UNSEEN) if self._fast else None
        if plan is _UNSEEN:
            plan = self._plans[topic] = self._plan(stored_event)
        if plan is None or type(stored_event.originator_id) is not UUID:
            return super().to_domain_event(stored_event)
        try:
            decoded = plan.decode(stored_event.state)
        except msgspec.DecodeError:  # not the shape of the topic's first state
            return super().to_domain_event(stored_event)
        state = plan.state(decoded, stored_event.originator_id, stored_event.originator_version)
        if plan.revived:
            assert self._civic is not None  # a plan revives only with a `CivicTranscoder`
            for name in plan.revived:
                state[name] = self._civic.revive(state[name])
        domain_event = _new(plan.event_class)
        _set_object(domain_event, "__dict__", state)
        return domain_event  # type: ignore[no-any-return]  # made as the library makes one

    def _plan(self, stored_event: StoredEvent) -> _Plan | None:
        """The decoder of a topic's states, shaped on this one; None if the library must read
        them all (an event class that upcasts, a state that is not a JSON object of fields)."""
        event_class = resolve_topic(stored_event.topic)
        if getattr(event_class, "class_version", 1) != 1:
            return None
        try:
            parsed = msgspec.json.decode(stored_event.state)
        except msgspec.DecodeError:
            return None
        if type(parsed) is not dict or not all(map(_is_field_name, parsed)):
            return None
        fields: list[tuple[str, Any]] = []
        wrapped: list[str] = []
        revived: list[str] = []
        for name, value in parsed.items():
            kind = type(value)
            if kind in _CONTAINERS:
                wrapper = None
                if kind is dict and len(value) == 2 and _DATA in value:  # noqa: PLR2004
                    wrapper = self._wrappers.get(value.get(_TYPE))
                (revived if wrapper is None else wrapped).append(name)
                fields.append((name, Any if wrapper is None else wrapper))
            else:  # a JSON scalar: any other kind of value here is another shape
                fields.append((name, _SCALAR))
        shape = msgspec.defstruct(
            f"{event_class.__qualname__}State", fields, forbid_unknown_fields=True, gc=False
        )
        return _Plan(
            event_class,
            msgspec.json.Decoder(shape).decode,
            _state_of([name for name, _ in fields], wrapped),
            revived,
        )


@dataclass(frozen=True, slots=True)
class _Plan:
    """How one topic's states are read: its event class, its decoder, what makes an event's
    attributes of a decoded state (`_state_of`), and the fields of lists and dicts to revive."""

    event_class: type
    decode: Callable[[bytes], Any]
    state: Callable[[Any, UUID, int], dict[str, Any]]
    revived: list[str]


def _state_of(names: list[str], wrapped: list[str]) -> Callable[[Any, UUID, int], dict[str, Any]]:
    """What makes an event's attributes of a decoded state: its fields in order, the data of
    the library's typed objects (`wrapped`) unwrapped, then the originator's id and version, as
    the library's `Mapper` sets them. One dict display, generated as dataclasses generate their
    `__init__`: three quarters of the cost of `msgspec.structs.asdict` then unwrapping, half of
    `dict(zip(...))`. The names are a state's fields, which `_is_field_name` has checked (an
    identifier, no keyword, no leading underscore, unlike the parameters)."""
    items = "".join(
        f"{name!r}: _decoded.{name}{'.data' if name in wrapped else ''}, " for name in names
    )
    source = (
        "def state(_decoded, _id, _version):\n"
        f"    return {{{items}'originator_id': _id, 'originator_version': _version}}"
    )
    namespace: dict[str, Any] = {}
    exec(source, namespace)  # noqa: S102  # generated from checked names, see above
    return namespace["state"]  # type: ignore[no-any-return]


def _wrapper(name: str, kind: type) -> type:
    """The struct of the library's typed object `name` holding a `kind`: `{"_type_": name,
    "_data_": ...}`, its data parsed by msgspec into a `kind`."""
    return msgspec.defstruct(
        f"{name}Wrapper",
        [("type", Literal[name]), ("data", kind)],
        rename={"type": _TYPE, "data": _DATA},
        forbid_unknown_fields=True,
        gc=False,
    )


def _is_field_name(name: str) -> bool:
    """Whether a struct can have a field of that name (an event's attributes all can)."""
    return name.isidentifier() and not iskeyword(name) and not name.startswith("_")


_UNSEEN: Any = object()
_SCALAR = str | int | float | bool | None
_set_object = object.__setattr__
