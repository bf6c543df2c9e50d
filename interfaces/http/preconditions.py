"""Conditional requests on one aggregate, by its version (RFC 9110, section 13).

A read of one aggregate (`GET /petitions/{id}`, `/votes/{id}`, `/committees/{id}`,
`/meetings/{id}`, `/charters/{id}`) carries `ETag: "<version>"`, the `version` of its body; with
`If-None-Match` naming it, the answer is 304 without a body. A change under `/{resource}/{id}/...`
may carry `If-Match: "<version>"`: it names the version of the aggregate in the path, whichever
aggregates the command writes (signing a petition compares the petition's version), and the
ledger compares it inside the write transaction (`application/preconditions.py`): 412 and no
event if the aggregate is at another version.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, cast
from uuid import UUID

import msgspec
from litestar import Litestar
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.openapi.spec import (
    OpenAPIHeader,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    Schema,
)
from litestar.routes import HTTPRoute
from litestar.status_codes import HTTP_200_OK
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from application.preconditions import write_conditions

RESOURCES = ("petitions", "votes", "committees", "meetings", "charters")
CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_ONE = re.compile(rf"^/(?:{'|'.join(RESOURCES)})/({_UUID})/?$")
_UNDER = re.compile(rf"^/(?:{'|'.join(RESOURCES)})/({_UUID})/")
_VERSION_TAG = re.compile(r'^"([1-9][0-9]{0,9})"$')


class _Versioned(msgspec.Struct):
    """The one member of a body the validator needs."""

    version: int


def etag(version: int) -> str:
    """The strong entity tag of an aggregate's version."""
    return f'"{version}"'


def expected_versions(if_match: str) -> frozenset[int] | None:
    """The versions an `If-Match` list names (`None` for `*`, any version). A weak tag never
    matches (If-Match compares strongly), nor does a tag that is not a version."""
    tags = [tag.strip() for tag in if_match.split(",")]
    if "*" in tags:
        return None
    return frozenset(int(m.group(1)) for tag in tags if (m := _VERSION_TAG.match(tag)))


def matches_none(if_none_match: str, tag: str) -> bool:
    """Whether `If-None-Match` names `tag` (weak comparison: `W/"3"` names `"3"`) or is `*`."""
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or tag in tags


class Preconditions(ASGIMiddleware):
    """`ETag` and `If-None-Match` on reads of one aggregate; `If-Match` on changes to one."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        """Tag a read's response, or state the version a change expects for the ledger."""
        http = cast("HTTPScope", scope)  # `scopes` admits HTTP only
        method, path = http["method"], http["path"]
        headers = MutableScopeHeaders(scope)
        if method == "GET" and _ONE.match(path):
            await next_app(scope, receive, _Tagging(send, headers.get("if-none-match")))
            return
        under = _UNDER.match(path)
        if_match = headers.get("if-match")
        if method not in CHANGES or under is None or if_match is None:
            await next_app(scope, receive, send)
            return
        with write_conditions() as conditions:
            conditions.versions[UUID(under.group(1))] = expected_versions(if_match)
            await next_app(scope, receive, send)


class _Tagging:
    """A `send` that holds a 200 back until its body gives the version, to add the `ETag` (or
    answer 304)."""

    def __init__(self, send: Send, if_none_match: str | None) -> None:
        self._send = send
        self._if_none_match = if_none_match
        self._start: Message | None = None
        self._body: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] == HTTP_200_OK:
            self._start = message
            return
        if self._start is None or message["type"] != "http.response.body":
            await self._send(message)
            return
        self._body.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        start, body = self._start, b"".join(self._body)
        try:
            tag: str | None = etag(msgspec.json.decode(body, type=_Versioned).version)
        except msgspec.DecodeError:
            tag = None
        if tag is not None:
            response_headers = MutableScopeHeaders.from_message(start)
            response_headers["etag"] = tag
            if self._if_none_match is not None and matches_none(self._if_none_match, tag):
                await self._not_modified(start)
                return
        await self._send(start)
        await self._send({"type": "http.response.body", "body": body, "more_body": False})

    async def _not_modified(self, start: Message) -> None:
        """304: the client's copy is current; the validator, and no body."""
        assert start["type"] == "http.response.start"
        kept = [(n, v) for n, v in start["headers"] if n.lower() not in _ENTITY_HEADERS]
        await self._send({"type": "http.response.start", "status": 304, "headers": kept})
        await self._send({"type": "http.response.body", "body": b"", "more_body": False})


# A 304 describes the representation the client holds; it carries no body of its own.
_ENTITY_HEADERS = frozenset({b"content-length", b"content-type", b"content-encoding"})


OperationHook = Callable[[Operation, str, str], None]


def document_operations(app: Litestar, *, hooks: Sequence[OperationHook]) -> None:
    """Have each operation of the OpenAPI document, as it is built (on its first request, not at
    start), pass through `hooks` with its path and method: what middleware add to the routes
    (headers, statuses) is said there too. A startup hook: every route is known by then."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            handler.operation_class = _documented(
                handler.operation_class, route.path_format, sorted(handler.http_methods), hooks
            )


def _documented(
    base: type[Operation], path: str, methods: list[str], hooks: Sequence[OperationHook]
) -> type[Operation]:
    """`base`, its instances passed through `hooks` once built."""

    class Documented(base):  # type: ignore[valid-type,misc]  # a class made per handler
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            for method in methods:
                for hook in hooks:
                    hook(self, path, method)

    return Documented


def document_preconditions(operation: Operation, path: str, method: str) -> None:
    """`ETag`, `If-None-Match` and 304 on a read of one aggregate; `If-Match` and 412 on a change
    under one."""
    responses = operation.responses or {}
    if method == "GET" and _ONE_DOCUMENTED.match(path):
        _add_header(operation, "If-None-Match", _IF_NONE_MATCH)
        ok = responses.get("200")
        if isinstance(ok, OpenAPIResponse):
            ok.headers = {
                **(ok.headers or {}),
                "ETag": OpenAPIHeader(schema=_TAG, description=_ETAG),
            }
        responses["304"] = OpenAPIResponse(
            description="Not Modified: `If-None-Match` names the current version"
        )
    elif method in CHANGES and _UNDER_DOCUMENTED.match(path):
        _add_header(operation, "If-Match", _IF_MATCH)
        refused = responses.get("400")
        if isinstance(refused, OpenAPIResponse):
            responses["412"] = OpenAPIResponse(
                description="Precondition Failed", content=refused.content
            )


def _add_header(operation: Operation, name: str, description: str) -> None:
    """Declare an optional request header on `operation`."""
    parameter = Parameter(name=name, param_in="header", schema=_TAG, description=description)
    operation.parameters = [*(operation.parameters or []), parameter]


_ONE_DOCUMENTED = re.compile(rf"^/(?:{'|'.join(RESOURCES)})/\{{[^}}/]+\}}$")
_UNDER_DOCUMENTED = re.compile(rf"^/(?:{'|'.join(RESOURCES)})/\{{[^}}/]+\}}/")
_TAG = Schema(type=OpenAPIType.STRING, examples=['"3"'])
_ETAG = 'the aggregate\'s version, as a strong entity tag (`"3"`)'
_IF_NONE_MATCH = 'answer 304 without a body if the aggregate is still at this version (`"3"`)'
_IF_MATCH = (
    "refuse the change (412, nothing recorded) unless the aggregate named in the path is at this "
    'version (`"3"`, or `*` for any) when the change is decided'
)
