"""Query parameters shared by the routes: pages of a list, and reading the past.

Litestar does not carry msgspec's `tz=True` over to query parameters, so an instant without a
time zone is refused by the application layer (422 problem), as it would be from any caller.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Request
from litestar.params import Parameter

from interfaces.http.schemas import MAX_POSITION

AnyRequest = Request[Any, Any, Any]
Limit = Annotated[int, Parameter(ge=1, le=500, description="page size")]
# Litestar 2 leaves a bound of 0 of an optional parameter out of the OpenAPI document (it tests
# the bound's truth), so the document would allow negative values that are refused: state it.
AT_LEAST_ZERO = {"minimum": 0}
Cursor = Annotated[
    int | None,
    Parameter(
        ge=0,
        le=MAX_POSITION,
        description="the `next` of the previous page",
        schema_extra=AT_LEAST_ZERO,
    ),
]

_ZONED = "ISO 8601 with its time zone, e.g. 2026-03-01T12:00:00Z"

Version = Annotated[
    int | None, Parameter(description="read as it was right after this version (1 = creation)")
]
AsOf = Annotated[
    datetime | None, Parameter(description=f"read as it was at this instant: {_ZONED}")
]
Since = Annotated[
    datetime | None, Parameter(description=f"events at or after this instant: {_ZONED}")
]
Until = Annotated[
    datetime | None, Parameter(description=f"events at or before this instant: {_ZONED}")
]
