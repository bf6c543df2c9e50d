"""The responses kept for requests sent with an `Idempotency-Key`, so that a repetition gets the
first answer instead of acting again.

A cache of responses, not state: nothing here derives from the log, a rebuild of the read models
leaves it alone, and losing a row loses no fact. A key is claimed before its request runs, under
a correlation id that every event the request records carries; whatever happens between the
command's commit and the response being stored (a crash, a lost connection), a repetition runs
under that same id, and the ledger refuses to record twice under it (`preconditions.py`).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy import (
    JSON,
    Column,
    Engine,
    Insert,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    delete,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from application.errors import KeyReused, RequestInProgress
from application.tables import UTCDateTime

# How long a first request may run before a repetition may take its key over (after a crash,
# say). Its length is not what makes this safe: the ledger still records under one id only once.
LEASE = timedelta(seconds=60)
PURGE_EVERY = timedelta(minutes=5)
MAX_KEY = 255

metadata = MetaData()  # not the read models': a rebuild from the log must not empty it

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("account_id", String(64), nullable=False),
    Column("key", String(MAX_KEY), nullable=False),
    Column("fingerprint", String(64), nullable=False),  # of the method, path, query and body
    Column("correlation_id", String(64), nullable=False),  # carried by the request's events
    Column("created_at", UTCDateTime, nullable=False, index=True),  # it expires from then
    Column("lease_until", UTCDateTime, nullable=False),  # the first request runs until then
    Column("attempts", Integer, nullable=False),
    Column("status", SmallInteger, nullable=True),  # null until the response is stored
    Column("headers", JSON, nullable=True),  # [[name, value], ...]
    Column("body", LargeBinary, nullable=True),
    PrimaryKeyConstraint("account_id", "key"),
)

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Claim:
    """The key is this request's to run under `correlation_id` (kept from a first attempt)."""

    correlation_id: str


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """A response as it was sent: status, the headers worth repeating, body; and the correlation
    id of the request that it answered."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    correlation_id: str = ""


def fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    """What makes two requests the same request, as a SHA-256 hex digest."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


class ResponseCache:
    """Claims keys, keeps responses for `ttl`, and purges expired ones as it goes."""

    def __init__(self, engine: Engine, ttl: timedelta, clock: Clock) -> None:
        self._engine = engine
        self._ttl = ttl
        self._clock = clock
        self._next_purge: datetime | None = None
        self._purging = threading.Lock()
        metadata.create_all(engine)

    def claim(self, account: str, key: str, print_: str) -> Claim | StoredResponse:
        """Claim `key` for a request with fingerprint `print_`, or return the stored response.

        Raises `KeyReused` if the key named another request, `RequestInProgress` while the
        first request with it runs. A first request that ended without a stored response (a
        crash, a 5xx) is run again under its correlation id once its lease has passed.
        """
        now = self._clock()
        self._purge(now)
        c = idempotency_keys.c
        this = (c.account_id == account) & (c.key == key)
        mine = str(uuid4())
        with self._engine.begin() as connection:
            connection.execute(delete(idempotency_keys).where(this, c.created_at < now - self._ttl))
            inserted = connection.execute(
                self._insert_if_absent().values(
                    account_id=account,
                    key=key,
                    fingerprint=print_,
                    correlation_id=mine,
                    created_at=now,
                    lease_until=now + LEASE,
                    attempts=1,
                )
            )
            if inserted.first() is not None:
                return Claim(mine)
            row = connection.execute(select(idempotency_keys).where(this)).one()
        if row.fingerprint != print_:
            raise KeyReused(
                "this idempotency key was used for another request (method, path or body)",
                row.correlation_id,
            )
        if row.status is not None:
            headers = [(n, v) for n, v in row.headers]
            return StoredResponse(row.status, headers, row.body, row.correlation_id)
        in_progress = RequestInProgress(
            "the first request with this idempotency key has not answered yet; try again",
            row.correlation_id,
        )
        if row.lease_until > now:
            raise in_progress
        with self._engine.begin() as connection:
            taken = connection.execute(
                update(idempotency_keys)
                .where(this, c.status.is_(None), c.attempts == row.attempts)
                .values(lease_until=now + LEASE, attempts=row.attempts + 1)
            )
        if taken.rowcount != 1:  # another repetition took it first
            raise in_progress
        return Claim(row.correlation_id)

    def store(self, account: str, key: str, claim: Claim, response: StoredResponse) -> None:
        """Keep the response of the request that holds the claim."""
        c = idempotency_keys.c
        with self._engine.begin() as connection:
            connection.execute(
                update(idempotency_keys)
                .where(
                    c.account_id == account,
                    c.key == key,
                    c.correlation_id == claim.correlation_id,
                    c.status.is_(None),
                )
                .values(
                    status=response.status,
                    headers=[list(h) for h in response.headers],
                    body=response.body,
                )
            )

    def release(self, account: str, key: str, claim: Claim) -> None:
        """The request failed without an answer worth keeping (a 5xx): a repetition may run now,
        under the same correlation id, so that what it may have recorded is not recorded twice."""
        c = idempotency_keys.c
        with self._engine.begin() as connection:
            connection.execute(
                update(idempotency_keys)
                .where(
                    c.account_id == account,
                    c.key == key,
                    c.correlation_id == claim.correlation_id,
                    c.status.is_(None),
                )
                .values(lease_until=self._clock())
            )

    def _insert_if_absent(self) -> Insert:
        """`INSERT ... ON CONFLICT DO NOTHING RETURNING` in the engine's dialect (a row back if
        it inserted: psycopg's row count does not say)."""
        module: Any = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        statement: Insert = module.insert(idempotency_keys).on_conflict_do_nothing()
        return statement.returning(idempotency_keys.c.correlation_id)

    def _purge(self, now: datetime) -> None:
        """Delete the expired responses, at most once every `PURGE_EVERY` (lazily, no thread)."""
        if self._next_purge is not None and now < self._next_purge:
            return
        if not self._purging.acquire(blocking=False):
            return
        try:
            self._next_purge = now + PURGE_EVERY
            with self._engine.begin() as connection:
                connection.execute(
                    delete(idempotency_keys).where(idempotency_keys.c.created_at < now - self._ttl)
                )
        finally:
            self._purging.release()
