"""Cursor pagination over a read model ordered by log position: one way for every list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Engine, Select

from domain.errors import InvalidCommand


@dataclass(frozen=True, slots=True)
class Page:
    """Rows in position order and the cursor (the last position) of the next page, if any."""

    items: list[dict[str, Any]]
    next: int | None


def read_page(
    engine: Engine, query: Select[Any], position: Column[int], after: int | None, limit: int
) -> Page:
    """Up to `limit` rows of `query` whose `position` is after `after`, in position order."""
    if limit < 1:
        raise InvalidCommand("a page holds at least one item")
    query = query.order_by(position).limit(limit + 1)
    if after is not None:
        query = query.where(position > after)
    with engine.connect() as connection:
        rows = [dict(r) for r in connection.execute(query).mappings()]
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(items=rows, next=rows[-1][position.name] if more else None)


def read_page_backwards(
    engine: Engine, query: Select[Any], position: Column[int], before: int | None, limit: int
) -> Page:
    """Up to `limit` rows of `query` whose `position` is before `before` (the latest if None),
    newest first; `next` is the `before` of the older page, if any."""
    if limit < 1:
        raise InvalidCommand("a page holds at least one item")
    query = query.order_by(position.desc()).limit(limit + 1)
    if before is not None:
        query = query.where(position < before)
    with engine.connect() as connection:
        rows = [dict(r) for r in connection.execute(query).mappings()]
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(items=rows, next=rows[-1][position.name] if more else None)
