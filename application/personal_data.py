"""Personal data sealed per person (crypto-shredding, ADR 17).

Every `Personal` value in an event is stored encrypted (AES-256-GCM) with a key of its subject's,
kept in `personal_keys`: outside the log, outside the views, never exported. The event store's
transcoder seals on save and opens on load, so aggregates, projections and histories handle plain
values. Destroying a person's key erases their data everywhere at once: every later read of their
events gives `Personal(subject, None)`, while the stored bytes, and so the hash chain, the signed
checkpoints, every count and every tally, stay exactly as they were.

Keys are read and created through the write transaction in progress when there is one (a key
created with the event that needs it commits or rolls back with it), else on a connection of
their own; they are never cached, so a key destroyed by one process is gone for every other.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import Transcoding
from eventsourcing_sqlalchemy.datastore import transactions as current_transaction
from sqlalchemy import Column, Connection, LargeBinary, MetaData, Table, Uuid, delete, select
from sqlalchemy.orm import Session

from application.tables import UTCDateTime
from domain.personal import Personal

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Engine

NONCE = 12
key_metadata = MetaData()
personal_keys = Table(
    "personal_keys",
    key_metadata,
    Column("subject", Uuid, primary_key=True),
    Column("key", LargeBinary(32), nullable=False),
    Column("created_at", UTCDateTime, nullable=True),
)


class PersonalKeys:
    """The per-person keys: created on first use, destroyed on erasure."""

    def __init__(self, engine: Callable[[], Engine]) -> None:
        self._engine = engine  # the event store's, known once the store is built

    def create_table(self) -> None:
        """Create `personal_keys` if absent."""
        key_metadata.create_all(self._engine())

    def key(self, subject: UUID, *, create: bool = False) -> bytes | None:
        """The subject's key; with `create`, made if absent (within the write transaction)."""
        transaction = current_transaction.get(None)
        if transaction is not None:
            return self._key(transaction.session.connection(), subject, create=create)
        if create:
            raise RuntimeError("personal data is sealed within a write transaction")
        with self._engine().connect() as connection:
            return self._key(connection, subject, create=False)

    def destroy(self, subject: UUID) -> bool:
        """Destroy the subject's key, within the write transaction; True if there was one."""
        transaction = current_transaction.get(None)
        if transaction is None:
            raise RuntimeError("a key is destroyed within the transaction that records why")
        session: Session = transaction.session
        result = session.execute(delete(personal_keys).where(personal_keys.c.subject == subject))
        return bool(cast(Any, result).rowcount)

    @staticmethod
    def _key(connection: Connection, subject: UUID, *, create: bool) -> bytes | None:
        query = select(personal_keys.c.key).where(personal_keys.c.subject == subject)
        key: bytes | None = connection.scalar(query)
        if key is None and create:
            key = secrets.token_bytes(32)
            connection.execute(personal_keys.insert().values(subject=subject, key=key))
        return key


class PersonalAsSealed(Transcoding):
    """How the event store writes a `Personal`: its subject in clear, its value sealed with the
    subject's key (the subject as associated data, so a value cannot be moved to someone else)."""

    type = Personal
    name = "personal"

    def __init__(self, keys: PersonalKeys) -> None:
        self._keys = keys

    def encode(self, obj: Personal) -> dict[str, str | None]:
        """Seal the value (an erased one stays erased)."""
        if obj.value is None:
            return {"subject": obj.subject.hex, "sealed": None}
        key = self._keys.key(obj.subject, create=True)
        assert key is not None
        nonce = os.urandom(NONCE)
        sealed = nonce + AESGCM(key).encrypt(
            nonce, json.dumps(obj.value).encode(), obj.subject.bytes
        )
        return {"subject": obj.subject.hex, "sealed": base64.b64encode(sealed).decode()}

    def decode(self, data: dict[str, str | None]) -> Personal:
        """Open the value, or `None` if the subject's key was destroyed."""
        subject = UUID(str(data["subject"]))
        sealed = data["sealed"]
        key = None if sealed is None else self._keys.key(subject)
        if sealed is None or key is None:
            return Personal(subject, None)
        raw = base64.b64decode(sealed)
        try:
            plain = AESGCM(key).decrypt(raw[:NONCE], raw[NONCE:], subject.bytes)
        except InvalidTag:  # altered bytes: the hash chain names the event; here, nothing to read
            return Personal(subject, None)
        return Personal(subject, str(json.loads(plain)))
