"""A thin, typed layer over `httpx.Client` for the scenarios: who is who, and the steps that set
a scene (lodge, open, sign). What a test checks, it sends and reads itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx

from .server import Account

PROBLEM_JSON = "application/problem+json"
CORRELATION_HEADER = "x-correlation-id"
AUDIT_PAGE_MAX = 1000
PETITION_PAGE_MAX = 500

Json = dict[str, Any]


def json_of(response: httpx.Response, status: int) -> Json:
    """The JSON object of a response that must have `status`."""
    assert response.status_code == status, (response.status_code, response.text)
    body: Json = response.json()
    return body


def assert_problem(response: httpx.Response, status: int) -> Json:
    """The RFC 9457 problem document of a refused request, checked: its status and a title."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers
    problem: Json = response.json()
    assert problem["status"] == status, problem
    assert isinstance(problem["title"], str), problem
    assert problem["title"], problem
    return problem


def petition_body(**fields: Any) -> Json:
    """A valid petition to lodge, with `fields` replacing or adding to the defaults."""
    return {
        "title": f"Plant trees along the ring road {uuid4().hex[:8]}",
        "text": "Shade, cleaner air and fewer heat islands.",
        **fields,
    }


def every_page(
    client: httpx.Client,
    path: str,
    *,
    limit: int,
    headers: dict[str, str] | None = None,
    **filters: str | int,
) -> list[Json]:
    """The items of every page of a list endpoint, following `next` until it is null."""
    items: list[Json] = []
    params: dict[str, str | int] = {**filters, "limit": limit}
    while True:
        page = json_of(client.get(path, params=params, headers=headers), 200)
        items.extend(page["items"])
        if page["next"] is None:
            return items
        params["after"] = page["next"]


def audit_trail(client: httpx.Client, auditor: Account, **filters: str | int) -> list[Json]:
    """Every audit entry matching `filters`, oldest first, as `auditor` reads them."""
    return every_page(
        client, "/audit/events", limit=AUDIT_PAGE_MAX, headers=auditor.headers, **filters
    )


def every_petition(client: httpx.Client) -> list[Json]:
    """Every petition, in the order they were lodged."""
    return every_page(client, "/petitions", limit=PETITION_PAGE_MAX)


@dataclass(frozen=True, slots=True)
class CivicApi:
    """A running server, its database, a client on it, and the accounts."""

    client: httpx.Client
    database_url: str
    workdir: Path
    citizens: tuple[Account, Account, Account]
    moderator: Account
    _seen: dict[str, int] = field(default_factory=dict)

    @property
    def citizen(self) -> Account:
        """A citizen and nothing else: lodges and signs when any citizen will do."""
        return self.citizens[0]

    @property
    def committee(self) -> Account:
        """A member of the steering committee ("comité de pilotage"), a citizen too."""
        return self.citizens[1]

    @property
    def auditor(self) -> Account:
        """An auditor, a citizen too."""
        return self.citizens[2]

    def account(self, who: str) -> Account:
        """The account for a role's name: citizen, moderator, committee or auditor."""
        accounts = {
            "citizen": self.citizen,
            "moderator": self.moderator,
            "committee": self.committee,
            "auditor": self.auditor,
        }
        return accounts[who]

    def lodge(self, **fields: Any) -> Json:
        """Lodge a petition as the citizen; returns it as the API does."""
        response = self.client.post(
            "/petitions", json=petition_body(**fields), headers=self.citizen.headers
        )
        return json_of(response, 201)

    def open_petition(self, **fields: Any) -> Json:
        """Lodge a petition and have the moderator declare it admissible."""
        petition = self.lodge(**fields)
        response = self.client.post(
            f"/petitions/{petition['id']}/admissibility",
            json={"admissible": True, "reason": "within the town's remit"},
            headers=self.moderator.headers,
        )
        return json_of(response, 200)

    def closed_petition(self) -> Json:
        """An admissible petition that the committee has closed."""
        petition = self.open_petition()
        response = self.client.post(
            f"/petitions/{petition['id']}/close",
            json={"reason": "the council has debated it"},
            headers=self.committee.headers,
        )
        return json_of(response, 200)

    def sign(self, petition_id: str, citizen: Account) -> httpx.Response:
        """`citizen` signs the petition; the response is the test's to check."""
        return self.client.post(f"/petitions/{petition_id}/signatures", headers=citizen.headers)

    def petition(self, petition_id: str) -> Json:
        """The petition as `GET /petitions/{id}` shows it now."""
        return json_of(self.client.get(f"/petitions/{petition_id}"), 200)

    def audit(self, **filters: str | int) -> list[Json]:
        """Every audit entry matching `filters`, read by the auditor."""
        return audit_trail(self.client, self.auditor, **filters)

    def last_position(self) -> int:
        """The position of the last event in the audit trail (0 for an empty log)."""
        # Only the entries after the last position seen are read: the log only grows.
        seen = self._seen.get("position", 0)
        entries = self.audit(after=seen)
        self._seen["position"] = entries[-1]["position"] if entries else seen
        return self._seen["position"]

    @contextmanager
    def records_nothing(self) -> Iterator[None]:
        """Assert that the block appends no event: the audit trail has no entry after it."""
        last = self.last_position()
        yield
        assert self.audit(after=last) == []
