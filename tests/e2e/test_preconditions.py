"""Conditional requests over HTTP: a read of one aggregate carries `ETag: "<version>"` (304 for
`If-None-Match`), and a change with `If-Match` is refused (412, nothing recorded) unless the
aggregate in its path is at that version."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from .api import CivicApi, Json, assert_problem, json_of
from .test_charters import drafted, open_meeting
from .test_committees import committee_body
from .test_votes import vote_body

CLOSE = {"reason": "the council has debated it"}
CONCURRENT_REQUESTS = 4


def close(api: CivicApi, petition: Json, if_match: str) -> httpx.Response:
    """The committee closes the petition, with `If-Match`."""
    return api.client.post(
        f"/petitions/{petition['id']}/close",
        json=CLOSE,
        headers={**api.committee.headers, "If-Match": if_match},
    )


class TestETag:
    """`GET /{resource}/{id}` names the aggregate's version in `ETag`."""

    def test_each_aggregate_read_carries_its_version(self, api: CivicApi) -> None:
        """Petitions, votes, committees, meetings and charters: `ETag: "<version>"`."""
        committee = json_of(
            api.client.post("/committees", json=committee_body(), headers=api.committee.headers),
            201,
        )
        vote = json_of(
            api.client.post("/votes", json=vote_body(api), headers=api.committee.headers), 201
        )
        paths = [
            f"/petitions/{api.open_petition()['id']}",
            f"/votes/{vote['id']}",
            f"/committees/{committee['id']}",
            open_meeting(api),
            f"/charters/{drafted(api)['id']}",
        ]

        for path in paths:
            response = api.client.get(path)

            body = json_of(response, 200)
            assert response.headers["etag"] == f'"{body["version"]}"', path

    def test_a_read_of_a_past_version_carries_that_version(self, api: CivicApi) -> None:
        """`?version=1` of a petition at version 2: `ETag: "1"`."""
        petition = api.open_petition()

        response = api.client.get(f"/petitions/{petition['id']}", params={"version": 1})

        assert json_of(response, 200)["version"] == 1
        assert response.headers["etag"] == '"1"'

    def test_if_none_match_on_the_current_version_is_304(self, api: CivicApi) -> None:
        """304, no body, the same `ETag`; a list or a weak tag naming it does as well."""
        petition = api.open_petition()
        path = f"/petitions/{petition['id']}"

        for if_none_match in ('"2"', '"1", "2"', 'W/"2"', "*"):
            response = api.client.get(path, headers={"If-None-Match": if_none_match})

            assert response.status_code == 304, if_none_match
            assert response.content == b""
            assert response.headers["etag"] == '"2"'

    def test_if_none_match_on_an_older_version_gets_the_petition(self, api: CivicApi) -> None:
        """200 with the body and the new `ETag`."""
        petition = api.open_petition()

        response = api.client.get(f"/petitions/{petition['id']}", headers={"If-None-Match": '"1"'})

        assert json_of(response, 200)["status"] == "open"
        assert response.headers["etag"] == '"2"'

    def test_lists_and_refusals_carry_no_etag(self, api: CivicApi) -> None:
        """Only a read of one aggregate has a version to name."""
        assert "etag" not in api.client.get("/petitions").headers
        missing = api.client.get("/petitions/00000000-0000-4000-8000-000000000000")
        assert_problem(missing, 404)
        assert "etag" not in missing.headers


class TestIfMatch:
    """A change under `/{resource}/{id}/` with `If-Match` is decided on that version only."""

    def test_a_change_at_the_current_version_is_made(self, api: CivicApi) -> None:
        """`If-Match: "2"` on a petition at version 2: closed, now at version 3."""
        petition = api.open_petition()

        response = close(api, petition, '"2"')

        assert json_of(response, 200)["status"] == "closed"
        assert api.client.get(f"/petitions/{petition['id']}").headers["etag"] == '"3"'

    def test_a_change_on_a_stale_version_is_412_and_records_nothing(self, api: CivicApi) -> None:
        """`If-Match: "1"` on a petition at version 2: a 412 problem, the petition stays open."""
        petition = api.open_petition()

        with api.records_nothing():
            response = close(api, petition, '"1"')

        problem = assert_problem(response, 412)
        assert problem["error"] == "PreconditionFailed"
        assert api.petition(petition["id"])["status"] == "open"

    def test_tags_that_name_no_version_never_match(self, api: CivicApi) -> None:
        """A weak tag (If-Match compares strongly) or a tag that is not a version: 412."""
        petition = api.open_petition()

        with api.records_nothing():
            for if_match in ('W/"2"', '"two"', '""'):
                assert_problem(close(api, petition, if_match), 412)

    def test_any_version_and_a_list_that_names_the_current_one_match(self, api: CivicApi) -> None:
        """`*` and `"1", "2"` both admit a petition at version 2."""
        first, second = api.open_petition(), api.open_petition()

        assert json_of(close(api, first, "*"), 200)["status"] == "closed"
        assert json_of(close(api, second, '"1", "2"'), 200)["status"] == "closed"

    def test_signing_compares_the_petition_s_version(self, api: CivicApi) -> None:
        """The signature is its own aggregate: `If-Match` names the petition in the path."""
        petition = api.open_petition()
        path = f"/petitions/{petition['id']}/signatures"

        with api.records_nothing():
            stale = api.client.post(path, headers={**api.citizen.headers, "If-Match": '"1"'})
        current = api.client.post(path, headers={**api.citizen.headers, "If-Match": '"2"'})

        assert_problem(stale, 412)
        json_of(current, 201)
        assert api.petition(petition["id"])["signature_count"] == 1

    def test_concurrent_changes_on_one_version_one_is_made(self, api: CivicApi) -> None:
        """Several responses sent at once, each on version 3: one is recorded, the rest 412."""
        petition = api.closed_petition()
        assert petition["version"] == 3

        def respond(number: int) -> int:
            response = api.client.post(
                f"/petitions/{petition['id']}/response",
                json={"text": f"Answer number {number}."},
                headers={**api.committee.headers, "If-Match": '"3"'},
            )
            return response.status_code

        with ThreadPoolExecutor(CONCURRENT_REQUESTS) as pool:
            statuses = sorted(pool.map(respond, range(CONCURRENT_REQUESTS)))

        assert statuses == [200] + [412] * (CONCURRENT_REQUESTS - 1)
        assert len(api.audit(type="Petition.Responded", aggregate_id=petition["id"])) == 1

    def test_a_change_on_another_resource_compares_its_own_version(self, api: CivicApi) -> None:
        """A committee's rules (PUT) on a stale version: 412, the rules unchanged."""
        committee = json_of(
            api.client.post("/committees", json=committee_body(), headers=api.committee.headers),
            201,
        )
        rules = {"quorum": {"share": "2/3", "per_college": 1}, "majority": {"kind": "simple"}}
        path = f"/committees/{committee['id']}/rules"
        headers = api.committee.headers

        with api.records_nothing():
            stale = api.client.put(path, json=rules, headers={**headers, "If-Match": '"2"'})
        current = api.client.put(path, json=rules, headers={**headers, "If-Match": '"1"'})

        assert_problem(stale, 412)
        assert current.status_code == 200, current.text
