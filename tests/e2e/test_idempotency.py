"""`Idempotency-Key` over HTTP: a change repeated with its key gets the first response and records
nothing more; the key with another request is 422, a repetition while the first runs 409, and a
repetition whose first response was lost is 409 naming what the first one recorded."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
from sqlalchemy import Engine, create_engine, update

from application.idempotency import idempotency_keys

from .api import CORRELATION_HEADER, CivicApi, Json, assert_problem, json_of, petition_body
from .server import Account

CONCURRENT_REQUESTS = 6
REPLAYED = "idempotent-replayed"


def keyed(account: Account, key: str) -> dict[str, str]:
    """`account`'s headers with the idempotency key."""
    return {**account.headers, "Idempotency-Key": key}


def same_response(first: httpx.Response, again: httpx.Response) -> None:
    """Status, body, content type and correlation id as the first time, marked as a repetition."""
    assert again.status_code == first.status_code
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers[CORRELATION_HEADER] == first.headers[CORRELATION_HEADER]
    assert again.headers[REPLAYED] == "true"
    assert REPLAYED not in first.headers


@contextmanager
def database(api: CivicApi) -> Iterator[Engine]:
    """The server's database, to change what it keeps of a key as a crash would have left it."""
    engine = create_engine(api.database_url)
    try:
        yield engine
    finally:
        engine.dispose()


def set_key(api: CivicApi, which: str, **values: Any) -> None:
    """Change the row the server keeps for the key `which` (only the test uses it)."""
    with database(api) as engine, engine.begin() as connection:
        changed = connection.execute(
            update(idempotency_keys).where(idempotency_keys.c.key == which).values(**values)
        )
        assert changed.rowcount == 1


class TestRepeat:
    """The same key, the same request."""

    def test_a_repeated_lodging_gets_the_same_response_and_lodges_once(self, api: CivicApi) -> None:
        """201 twice with the same petition; one `Petition.Lodged` under the correlation id."""
        body, headers = petition_body(), keyed(api.citizen, uuid4().hex)
        first = api.client.post("/petitions", json=body, headers=headers)

        with api.records_nothing():
            again = api.client.post("/petitions", json=body, headers=headers)

        json_of(first, 201)
        same_response(first, again)
        (lodged,) = api.audit(correlation_id=first.headers[CORRELATION_HEADER])
        assert (lodged["type"], lodged["aggregate_id"]) == ("Petition.Lodged", first.json()["id"])

    def test_a_repeated_signature_is_not_a_second_one(self, api: CivicApi) -> None:
        """Without a key a second signature is 409; with the first one's key, the same 201."""
        petition = api.open_petition()
        headers = keyed(api.citizen, uuid4().hex)
        path = f"/petitions/{petition['id']}/signatures"
        first = api.client.post(path, headers=headers)

        with api.records_nothing():
            again = api.client.post(path, headers=headers)

        json_of(first, 201)
        same_response(first, again)
        assert api.petition(petition["id"])["signature_count"] == 1

    def test_a_refusal_is_repeated_as_it_was(self, api: CivicApi) -> None:
        """A rule's refusal (409 problem) is the answer to its repetitions too."""
        petition = api.lodge()  # not yet open for signatures
        headers = keyed(api.citizen, uuid4().hex)
        path = f"/petitions/{petition['id']}/signatures"
        first = api.client.post(path, headers=headers)

        with api.records_nothing():
            again = api.client.post(path, headers=headers)

        assert_problem(first, 409)
        same_response(first, again)

    def test_keys_belong_to_their_account(self, api: CivicApi) -> None:
        """Two citizens using the same key lodge two petitions."""
        key, body = uuid4().hex, petition_body()
        ada, bea, _ = api.citizens

        first = json_of(api.client.post("/petitions", json=body, headers=keyed(ada, key)), 201)
        second = json_of(api.client.post("/petitions", json=body, headers=keyed(bea, key)), 201)

        assert first["id"] != second["id"]

    def test_a_request_without_a_key_is_not_kept(self, api: CivicApi) -> None:
        """The same lodging twice without a key: two petitions."""
        body = petition_body()

        first = json_of(api.client.post("/petitions", json=body, headers=api.citizen.headers), 201)
        again = json_of(api.client.post("/petitions", json=body, headers=api.citizen.headers), 201)

        assert first["id"] != again["id"]


class TestMisuse:
    """The same key with another request, or a malformed key."""

    def test_the_key_with_another_body_is_422_and_records_nothing(self, api: CivicApi) -> None:
        """A problem naming the reuse; nothing lodged."""
        headers = keyed(api.citizen, uuid4().hex)
        json_of(api.client.post("/petitions", json=petition_body(), headers=headers), 201)

        with api.records_nothing():
            other = api.client.post("/petitions", json=petition_body(), headers=headers)

        assert assert_problem(other, 422)["error"] == "KeyReused"

    def test_the_key_on_another_path_is_422(self, api: CivicApi) -> None:
        """A key is for one request: signing another petition with it is refused."""
        first, second = api.open_petition(), api.open_petition()
        headers = keyed(api.citizen, uuid4().hex)
        json_of(api.client.post(f"/petitions/{first['id']}/signatures", headers=headers), 201)

        with api.records_nothing():
            other = api.client.post(f"/petitions/{second['id']}/signatures", headers=headers)

        assert_problem(other, 422)
        assert api.petition(second["id"])["signature_count"] == 0

    def test_a_key_longer_than_255_characters_is_400(self, api: CivicApi) -> None:
        """A problem, nothing lodged."""
        with api.records_nothing():
            response = api.client.post(
                "/petitions", json=petition_body(), headers=keyed(api.citizen, "k" * 256)
            )

        assert_problem(response, 400)


class TestConcurrency:
    """Repetitions that arrive while the first request runs."""

    def test_concurrent_repetitions_sign_once(self, api: CivicApi) -> None:
        """Sent at once: one signature; every answer is the same 201 or a 409 problem."""
        petition = api.open_petition()
        headers = keyed(api.citizen, uuid4().hex)
        path = f"/petitions/{petition['id']}/signatures"

        with ThreadPoolExecutor(CONCURRENT_REQUESTS) as pool:
            sent = [
                pool.submit(api.client.post, path, headers=headers)
                for _ in range(CONCURRENT_REQUESTS)
            ]
            responses = [future.result() for future in sent]

        signed = [r for r in responses if r.status_code == 201]
        assert signed
        assert {r.content for r in signed} == {signed[0].content}
        for refused in (r for r in responses if r.status_code != 201):
            assert assert_problem(refused, 409)["error"] == "RequestInProgress"
        assert api.petition(petition["id"])["signature_count"] == 1
        entries = api.audit(correlation_id=signed[0].headers[CORRELATION_HEADER])
        assert [e["type"] for e in entries] == ["Signature.Signed"]

    def test_a_repetition_while_the_first_runs_is_409(self, api: CivicApi) -> None:
        """The first request has not answered yet (its lease holds): 409, nothing recorded."""
        key = uuid4().hex
        body, headers = petition_body(), keyed(api.citizen, key)
        json_of(api.client.post("/petitions", json=body, headers=headers), 201)
        later = datetime.now(UTC) + timedelta(minutes=1)
        set_key(api, key, status=None, headers=None, body=None, lease_until=later)

        with api.records_nothing():
            again = api.client.post("/petitions", json=body, headers=headers)

        assert assert_problem(again, 409)["error"] == "RequestInProgress"


class TestLostResponse:
    """The first request was recorded but its response was never kept (a crash in between)."""

    def test_the_repetition_is_409_naming_what_was_recorded(self, api: CivicApi) -> None:
        """Not applied again: a problem with the correlation id and its audit link."""
        petition = api.open_petition()
        key, path = uuid4().hex, f"/petitions/{petition['id']}/signatures"
        first = api.client.post(path, headers=keyed(api.citizen, key))
        json_of(first, 201)
        api.client.delete(f"{path}/me", headers=api.citizen.headers)  # signing again would work
        earlier = datetime.now(UTC) - timedelta(minutes=5)
        set_key(api, key, status=None, headers=None, body=None, lease_until=earlier)

        with api.records_nothing():
            again = api.client.post(path, headers=keyed(api.citizen, key))

        problem: Json = assert_problem(again, 409)
        correlation_id = first.headers[CORRELATION_HEADER]
        assert problem["error"] == "AlreadyApplied"
        assert problem["correlation_id"] == correlation_id
        assert problem["audit"] == f"/audit/correlations/{correlation_id}"
        assert again.headers[CORRELATION_HEADER] == correlation_id
        assert api.petition(petition["id"])["signature_count"] == 0
        trail = api.client.get(problem["audit"], headers=api.auditor.headers)
        assert [e["type"] for e in json_of(trail, 200)["items"]] == ["Signature.Signed"]

    def test_a_first_request_that_recorded_nothing_runs_again(self, api: CivicApi) -> None:
        """Its claim lapsed without a response or an event (a crash before the commit): 201."""
        petition = api.open_petition()
        key, path = uuid4().hex, f"/petitions/{petition['id']}/signatures"
        json_of(api.client.post(path, headers=keyed(api.citizen, key)), 201)
        api.client.delete(f"{path}/me", headers=api.citizen.headers)
        fresh = f"{key}-fresh"
        # A claim under a correlation id that recorded nothing, its lease lapsed.
        set_key(
            api,
            key,
            key=fresh,
            correlation_id=str(uuid4()),
            status=None,
            headers=None,
            body=None,
            lease_until=datetime.now(UTC) - timedelta(minutes=5),
        )

        again = api.client.post(path, headers=keyed(api.citizen, fresh))

        json_of(again, 201)
        assert api.petition(petition["id"])["signature_count"] == 1


class TestExpiry:
    """Responses are kept for `CIVIC_IDEMPOTENCY_TTL_SECONDS` (a day by default)."""

    def test_a_key_whose_response_expired_names_a_new_request(self, api: CivicApi) -> None:
        """A day later, the same key and body lodge a second petition."""
        key = uuid4().hex
        body, headers = petition_body(), keyed(api.citizen, key)
        first = json_of(api.client.post("/petitions", json=body, headers=headers), 201)
        set_key(api, key, created_at=datetime.now(UTC) - timedelta(hours=25))

        again = api.client.post("/petitions", json=body, headers=headers)

        assert json_of(again, 201)["id"] != first["id"]
        assert REPLAYED not in again.headers
