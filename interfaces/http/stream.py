"""The audit trail live, for auditors: new entries as Server-Sent Events, resumable by position.

Each stream polls the audit view by position rather than listening inside one process, so every
`civic serve` on one database sends every entry, whichever process recorded it. Polling by
position misses nothing: writers hold the log's lock until they commit, so entries become visible
in position order and none appears behind one already sent. An idle stream costs one indexed
query every half second: fine for a few auditors, not for thousands of followers.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from types import FrameType
from typing import Annotated

import anyio
import anyio.to_thread
import msgspec
from litestar import Controller, Litestar, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromHeader, FromQuery, Parameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from application.audit import AuditTrail
from application.system import CivicLedger
from domain.account import Role
from interfaces.http.context import requires
from interfaces.http.openapi import problems
from interfaces.http.params import AT_LEAST_ZERO
from interfaces.http.schemas import MAX_POSITION, AuditEntry

IDLE_POLL_SECONDS = 0.5
HEARTBEAT_SECONDS = 15.0
PAGE_SIZE = 100
STOPPING = "audit_streams_stopping"  # the app state's key for the event that ends every stream
EXIT_SIGNALS = (signal.SIGINT, signal.SIGTERM)

LastEventId = Annotated[
    int | None,
    Parameter(
        header="Last-Event-ID",
        ge=0,
        schema_extra=AT_LEAST_ZERO,
        le=MAX_POSITION,
        description="the position to resume after (sent by EventSource when it reconnects)",
    ),
]
After = Annotated[
    int | None,
    Parameter(
        ge=0,
        schema_extra=AT_LEAST_ZERO,
        le=MAX_POSITION,
        description="the position to resume after, for clients that cannot set headers",
    ),
]


class AuditStreamController(Controller):
    """`/audit/stream`: entries as they are recorded, as `text/event-stream`."""

    path = "/audit"
    tags = ["audit"]  # noqa: RUF012  # Litestar reads this class attribute
    guards = [requires(Role.AUDITOR, Role.ADMIN)]  # noqa: RUF012  # idem

    @get(
        "/stream",
        summary="Live audit entries (Server-Sent Events)",
        media_type="text/event-stream",
        responses=problems(403),
    )
    async def stream(
        self,
        *,
        state: State,
        civic: NamedDependency[CivicLedger],
        last_event_id: FromHeader[LastEventId] = None,
        after: FromQuery[After] = None,
    ) -> ServerSentEvent:
        """New audit entries as Server-Sent Events: `id` is the position, `event` the type, `data`
        the entry as in `/audit/events`. Resumes after `Last-Event-ID` (which wins, being what a
        reconnecting EventSource sends) or `after`; without either, starts after the current end.
        """
        start = last_event_id if last_event_id is not None else after
        if start is None:
            start = await anyio.to_thread.run_sync(civic.audit.last_position)
        stopping = state.get(STOPPING)
        if not isinstance(stopping, threading.Event):  # an app built without the lifespan
            stopping = threading.Event()
        return ServerSentEvent(entries_after(civic.audit, start, stopping))


async def entries_after(
    trail: AuditTrail, position: int, stopping: threading.Event
) -> AsyncIterator[ServerSentEventMessage]:
    """The entries after `position`, then each new one as it appears, until `stopping` is set.

    A client that disconnects cancels the iteration (Litestar listens for the disconnection).
    """
    encoder = msgspec.json.Encoder()
    yield ServerSentEventMessage(comment=f"entries after position {position}", data=None)
    quiet_since = time.monotonic()
    while not stopping.is_set():
        read = partial(trail.events, after=position, limit=PAGE_SIZE)
        page = await anyio.to_thread.run_sync(read)
        for row in page.items:
            entry = AuditEntry(**row)
            yield ServerSentEventMessage(
                data=encoder.encode(entry).decode(), id=entry.position, event=entry.type
            )
            position = entry.position
        if page.items:
            quiet_since = time.monotonic()
        if page.next is not None:  # a full page: more are waiting, read them at once
            continue
        if time.monotonic() - quiet_since >= HEARTBEAT_SECONDS:
            # Proxies close connections that stay silent; a comment is ignored by clients.
            yield ServerSentEventMessage(comment="keep-alive", data=None)
            quiet_since = time.monotonic()
        await anyio.sleep(IDLE_POLL_SECONDS)


@asynccontextmanager
async def streams_end_on_exit(app: Litestar) -> AsyncIterator[None]:
    """A lifespan: the server's stop signal (SIGTERM, SIGINT) ends every open stream.

    Asked to stop, uvicorn waits for the open responses to finish before it shuts the app down,
    and a stream never finishes by itself: so the signal, not the app's shutdown, must end it.
    The server's own handler still runs after ours.
    """
    stopping = threading.Event()
    app.state[STOPPING] = stopping
    restore = _on_exit_signals(stopping.set)
    try:
        yield
    finally:
        stopping.set()
        restore()


Handler = Callable[[int, FrameType | None], object]


def _on_exit_signals(callback: Callable[[], None]) -> Callable[[], None]:
    """Call `callback` on SIGINT and SIGTERM before the handlers already installed (the server's);
    returns what puts those handlers back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None  # only the main thread may set handlers (not the case in test clients)
    installed: dict[int, tuple[Handler, Handler]] = {}
    for number in EXIT_SIGNALS:
        previous = signal.getsignal(number)
        if not callable(previous):  # default or ignored: nobody is waiting for our streams
            continue

        def chained(signum: int, frame: FrameType | None, previous: Handler = previous) -> None:
            callback()
            previous(signum, frame)

        signal.signal(number, chained)
        installed[number] = (previous, chained)

    def restore() -> None:
        for number, (previous, chained) in installed.items():
            if signal.getsignal(number) is chained:  # unless someone has replaced ours since
                signal.signal(number, previous)

    return restore
