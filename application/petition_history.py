"""The petition as it was: its aggregate replayed to a version, in the petitions view's shape, and
its signatures as they stood, from the audit view's rows that have the petition as `parent_id`.

Signature events are counted and listed in SQL through the (parent_id, position) index, so a
petition with millions of signatures is never read into Python whole.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Case, ColumnElement, Connection, Engine, and_, case, exists, func, select

from application.pages import Page, read_page
from application.tables import audit_events
from domain.petition import Petition, Reached, Threshold
from domain.signature import Signature

WITHDRAWN = Signature.Withdrawn.__qualname__  # the audit view's `type` of a withdrawal


def petition_view(petition: Petition, *, position: int, signature_count: int) -> dict[str, Any]:
    """The petition as a row of the petitions view, from its aggregate at some version.

    `position` is where it was lodged in the log; `signature_count` the signatures standing then.
    """
    return {
        "id": petition.id,
        "position": position,
        "title": petition.title,
        "territory_id": petition.territory_id,
        "text": petition.text,
        "deadline": _utc(petition.deadline),
        "status": petition.status.value,
        "lodged_by": petition.lodged_by,
        "lodged_at": _utc(petition.created_on),
        "signature_count": signature_count,
        "thresholds": [
            _threshold(threshold, petition.reached.get(threshold.signatures))
            for threshold in petition.thresholds
        ],
        "admissibility_reason": petition.admissibility_reason,
        "outside_competence": None
        if petition.outside_competence is None
        else petition.outside_competence.as_event(),
        "closed_reason": petition.closed_reason,
        "closed_at": _utc(petition.closed_at),
        "response": petition.response,
        "responded_at": _utc(petition.responded_at),
        "version": petition.version,
        "updated_at": _utc(petition.modified_on),
    }


def signature_delta() -> Case[int]:
    """What an audit entry about a petition's signatures adds to its count: a signature or a
    signature again counts one, a withdrawal takes one away."""
    return case((audit_events.c.type == WITHDRAWN, -1), else_=1)


def signature_count(
    connection: Connection,
    petition_id: UUID,
    *,
    position: int | None = None,
    as_of: datetime | None = None,
) -> int:
    """Signatures standing on the petition after the log's `position`, or at the instant `as_of`:
    each signature or signature again counts one, each withdrawal takes one away."""
    c = audit_events.c
    query = select(func.coalesce(func.sum(signature_delta()), 0)).where(c.parent_id == petition_id)
    if position is not None:
        query = query.where(c.position <= position)
    if as_of is not None:
        query = query.where(c.timestamp <= as_of)
    return int(connection.scalar(query) or 0)


def signatories(
    engine: Engine, petition_id: UUID, *, as_of: datetime | None, after: int | None, limit: int
) -> Page:
    """The signatures standing at `as_of` (now if None), in the order they were last given.

    Each is `{signature_id, signer, signed_at}`, `signed_at` being the time of its last signing;
    the page's cursor is the position of that signing in the log.
    """
    last, later, first = audit_events, audit_events.alias("later"), audit_events.alias("first")
    c = last.c
    superseded: ColumnElement[bool] = and_(
        later.c.aggregate_id == c.aggregate_id, later.c.position > c.position
    )
    query = (
        select(
            c.position,
            c.aggregate_id.label("signature_id"),
            first.c.data["signer"].as_string().label("signer"),
            c.timestamp.label("signed_at"),
        )
        .join(first, and_(first.c.aggregate_id == c.aggregate_id, first.c.version == 1))
        .where(c.parent_id == petition_id, c.type != WITHDRAWN)
    )
    if as_of is not None:
        query = query.where(c.timestamp <= as_of)
        superseded = and_(superseded, later.c.timestamp <= as_of)
    page = read_page(engine, query.where(~exists().where(superseded)), c.position, after, limit)
    return Page(
        items=[{k: v for k, v in row.items() if k != "position"} for row in page.items],
        next=page.next,
    )


def _threshold(threshold: Threshold, reached: Reached | None) -> dict[str, Any]:
    """A threshold as the petitions view stores it: JSON, its time as an ISO 8601 string."""
    return {
        "signatures": threshold.signatures,
        "consequence": threshold.consequence,
        "reached_at": None if reached is None else reached.at.astimezone(UTC).isoformat(),
        "signature_id": None if reached is None else reached.signature_id,
    }


def _utc(moment: datetime | None) -> datetime | None:
    """As the views store times: in UTC, whatever zone the event was given in."""
    return None if moment is None else moment.astimezone(UTC)
