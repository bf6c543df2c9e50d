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
from datetime import datetime
from typing import Any
from uuid import UUID, SafeUUID

import msgspec
from eventsourcing.persistence import JSONTranscoder, Transcoding, TranscodingNotRegisteredError

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

    def decode(self, data: bytes) -> Any:
        """The object `encode` wrote."""
        try:
            parsed = self._parse(data)
        except msgspec.DecodeError:  # the standard library's reading, or its error
            return super().decode(data)
        if type(parsed) is not dict or len(parsed) == 2:  # noqa: PLR2004  # maybe typed itself
            return self._revive(parsed)
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
                parsed[key] = self._revive(value)
            elif kind is list:
                parsed[key] = self._revive(value)
        return parsed

    def _revive(self, value: Any) -> Any:
        """`value` with every typed object replaced by its decoded value, innermost first."""
        kind = type(value)
        if kind is list:
            return [self._revive(v) if type(v) in _CONTAINERS else v for v in value]
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
            return transcoding.decode(self._revive(value[_DATA]))
        for key, item in value.items():
            if type(item) in _CONTAINERS:
                value[key] = self._revive(item)
        return value


_CONTAINERS = frozenset({dict, list})
