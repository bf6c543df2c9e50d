"""The live audit trail: `GET /audit/stream` sends new entries as Server-Sent Events, in log
order, resumable by position, to auditors only, and never holds up the server's shutdown."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from .api import CivicApi, Json, assert_problem, json_of
from .server import Account, create_account, create_account_by_cli, serving

STREAM = "/audit/stream"
# Entries arrive within a poll (0.5 s); a missing one fails the read instead of hanging the run.
READ_TIMEOUT = 10.0
HEARTBEAT_TIMEOUT = 25.0  # the server sends one after 15 s of silence
SHUTDOWN_LIMIT = 3.0


@dataclass
class Message:
    """One Server-Sent Events message: its fields, or only comments."""

    id: str | None = None
    event: str | None = None
    data: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    @property
    def entry(self) -> Json:
        """The audit entry the message carries."""
        entry: Json = json.loads("\n".join(self.data))
        return entry


def messages(lines: Iterator[str]) -> Iterator[Message]:
    """Parse an event stream (WHATWG HTML, "Server-sent events") into its messages."""
    message = Message()
    for line in lines:
        if not line:
            if message != Message():
                yield message
            message = Message()
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if not name:
            message.comments.append(value)
        elif name == "id":
            message.id = value
        elif name == "event":
            message.event = value
        elif name == "data":
            message.data.append(value)


class Stream:
    """An open `/audit/stream` response, read one message at a time."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._messages = messages(response.iter_lines())
        opening = next(self._messages)
        assert opening.comments, opening
        # The server opens with `: entries after position N`.
        self.start = int(opening.comments[0].rsplit(" ", 1)[1])

    def next_message(self) -> Message:
        """The next message, comments included."""
        return next(self._messages)

    def rest(self) -> list[Message]:
        """Every message until the server ends the stream."""
        return list(self._messages)

    def entries(self, count: int) -> list[Message]:
        """The next `count` entries, skipping comments."""
        found: list[Message] = []
        while len(found) < count:
            message = self.next_message()
            if message.data:
                found.append(message)
        return found

    def entry_about(self, aggregate_id: str) -> Message:
        """The next entry about `aggregate_id`, skipping what other tests or the server's own
        sweepers (a deadline closing a petition) record meanwhile on the shared database."""
        while True:
            (message,) = self.entries(1)
            if message.entry["aggregate_id"] == aggregate_id:
                return message


@contextmanager
def audit_stream(
    client: httpx.Client,
    account: Account,
    *,
    last_event_id: str | int | None = None,
    after: int | None = None,
) -> Iterator[Stream]:
    """The stream as `account` opens it, closed (a disconnection) when the block ends."""
    headers = dict(account.headers)
    if last_event_id is not None:
        headers["Last-Event-ID"] = str(last_event_id)
    params = {} if after is None else {"after": after}
    with client.stream(
        "GET", STREAM, headers=headers, params=params, timeout=READ_TIMEOUT
    ) as response:
        assert response.status_code == 200, response.read()
        yield Stream(response)


def assert_carries(messages: list[Message], entries: list[Json]) -> None:
    """The messages are these audit entries: id the position, event the type, data the entry."""
    assert [m.id for m in messages] == [str(e["position"]) for e in entries]
    assert [m.event for m in messages] == [e["type"] for e in entries]
    assert [m.entry for m in messages] == entries


class TestLiveEntries:
    """New entries arrive as they are recorded, in log order, as `/audit/events` shows them."""

    def test_sends_new_entries_in_log_order(self, api: CivicApi) -> None:
        """A petition's lodging, admissibility, signature and threshold, with ids and types."""
        with audit_stream(api.client, api.auditor) as stream:
            assert stream.response.headers["content-type"].startswith("text/event-stream")
            assert stream.response.headers["cache-control"] == "no-cache"
            petition = api.open_petition(thresholds=[{"signatures": 1, "consequence": "vote"}])
            assert api.sign(petition["id"], api.citizen).status_code == 201
            recorded = api.audit(after=stream.start)

            sent = stream.entries(len(recorded))

        assert [e["type"] for e in recorded] == [
            "Petition.Lodged",
            "Petition.AdmissibilityDecided",
            "Signature.Signed",
            "Petition.ThresholdReached",
        ]
        assert_carries(sent, recorded)

    def test_starts_after_the_current_end(self, api: CivicApi) -> None:
        """Without a position, what came before is not sent: the next lodging comes first."""
        api.lodge()
        end = api.last_position()

        with audit_stream(api.client, api.auditor) as stream:
            petition = api.lodge()
            (first,) = stream.entries(1)

        assert stream.start == end
        assert first.entry["aggregate_id"] == petition["id"]
        assert int(first.id or 0) > end

    def test_sends_what_another_process_records(self, api: CivicApi) -> None:
        """An account opened by the `civic` command, another process, reaches the stream."""
        with audit_stream(api.client, api.auditor) as stream:
            account = create_account_by_cli(api.database_url, api.workdir, "eve", "citizen")
            opened = stream.entry_about(account.id)

        assert opened.event == "Account.Opened"
        assert opened.entry["aggregate_id"] == account.id


class TestResume:
    """A client that reconnects with the last id it saw misses nothing and repeats nothing."""

    def test_last_event_id_gives_exactly_the_missed_entries(self, api: CivicApi) -> None:
        """Entries recorded while disconnected arrive first, then the new ones, once each."""
        with audit_stream(api.client, api.auditor) as stream:
            api.lodge()
            (seen,) = stream.entries(1)
        api.open_petition()
        api.lodge()
        missed = api.audit(after=int(seen.id or 0))

        with audit_stream(api.client, api.auditor, last_event_id=seen.id) as stream:
            resumed = stream.entries(len(missed))
            marker = api.lodge()
            after_them = stream.entry_about(marker["id"])

        assert len(missed) == 3
        assert_carries(resumed, missed)
        assert after_them.entry["aggregate_id"] == marker["id"]
        assert after_them.entry == api.audit(after=int(after_them.id or 0) - 1)[0]

    def test_after_resumes_for_clients_that_cannot_set_headers(self, api: CivicApi) -> None:
        """`?after=` gives the entries after that position."""
        api.open_petition()
        start = api.last_position() - 2
        expected = api.audit(after=start)

        with audit_stream(api.client, api.auditor, after=start) as stream:
            sent = stream.entries(len(expected))

        assert stream.start == start
        assert_carries(sent, expected)

    def test_last_event_id_wins_over_after(self, api: CivicApi) -> None:
        """The header, which a reconnecting EventSource sends, beats the URL's `after`."""
        api.lodge()
        last = api.last_position()

        with audit_stream(api.client, api.auditor, last_event_id=last - 1, after=0) as stream:
            (first,) = stream.entries(1)

        assert stream.start == last - 1
        assert first.id == str(last)


class TestStreamAccess:
    """Only auditors (and admins) may follow the log."""

    def test_a_request_without_a_token_is_unauthenticated(self, api: CivicApi) -> None:
        """401 with a `WWW-Authenticate: Bearer` challenge."""
        response = api.client.get(STREAM)

        assert_problem(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")

    @pytest.mark.parametrize("who", ["citizen", "moderator", "committee"])
    def test_other_roles_are_forbidden(self, api: CivicApi, who: str) -> None:
        """403 for a citizen, a moderator or a committee member."""
        response = api.client.get(STREAM, headers=api.account(who).headers)

        assert_problem(response, 403)

    @pytest.mark.parametrize("value", ["x", "-1", "1.5", "9007199254740992"])
    def test_a_bad_last_event_id_is_refused(self, api: CivicApi, value: str) -> None:
        """400 problem for a `Last-Event-ID` that is not a position (an integer >= 0)."""
        headers = {**api.auditor.headers, "Last-Event-ID": value}

        response = api.client.get(STREAM, headers=headers)

        problem = assert_problem(response, 400)
        assert problem["errors"][0]["source"] == "header"

    def test_a_bad_after_is_refused(self, api: CivicApi) -> None:
        """400 problem for a negative `after`."""
        response = api.client.get(STREAM, params={"after": -1}, headers=api.auditor.headers)

        assert_problem(response, 400)


class TestConnection:
    """The stream keeps idle connections alive and lets the server stop."""

    @pytest.mark.slow
    def test_an_idle_stream_sends_a_keep_alive_comment(self, api: CivicApi) -> None:
        """After 15 s without an entry, a `: keep-alive` comment, which clients ignore."""
        with api.client.stream(
            "GET", STREAM, headers=api.auditor.headers, timeout=HEARTBEAT_TIMEOUT
        ) as response:
            stream = Stream(response)
            message = stream.next_message()

        assert message == Message(comments=["keep-alive"])

    def test_an_open_stream_does_not_hold_up_shutdown(
        self, database_url: str, workdir: Path
    ) -> None:
        """`civic serve` stops within seconds of SIGTERM with a stream open, ending it cleanly."""
        with serving(database_url, workdir) as server:
            auditor = create_account(database_url, workdir, "cyd", "auditor")
            with (
                httpx.Client(base_url=server.base_url) as client,
                audit_stream(client, auditor) as stream,
            ):
                started = time.monotonic()
                server.stop()
                stopped = time.monotonic() - started
                rest = stream.rest()  # a clean end: no broken chunk, so no error here

        assert stopped < SHUTDOWN_LIMIT, f"stopped in {stopped:.1f} s"
        # The app's own shutdown ran: the server stopped, it was not killed.
        assert "Application shutdown complete" in server.stderr()
        assert all(not message.data for message in rest)


def test_the_stream_is_in_the_openapi_document(api: CivicApi) -> None:
    """`GET /audit/stream` is documented as `text/event-stream`."""
    document = json_of(api.client.get("/schema/openapi.json"), 200)

    responses = document["paths"][STREAM]["get"]["responses"]
    assert "text/event-stream" in responses["200"]["content"]
