"""Projects the territories', organisations' and partnerships' events into their views: each event
is written at once, in order.

These are a few events per territory and per organisation (hundreds, not millions), so each is one
or a few statements. `ReadModels._apply` calls `apply_territory_event` for every event of
`TERRITORY_EVENTS`; `projected_alone` runs it on a scratch database to show them as they stood.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.orm import Session

from application.store import scratch_engine
from application.tables import (
    metadata,
    organisation_entries,
    organisation_tags,
    organisations,
    partnership_members,
    partnerships,
    territories,
    territory_competences,
)
from domain.organisation import Organisation
from domain.organisation_partnership import Partnership
from domain.territory import Territory

TERRITORY_EVENTS = (Territory.Event, Organisation.Event, Partnership.Event)
TerritoryEvent = Territory.Event | Organisation.Event | Partnership.Event
VIEWS = (
    territories,
    territory_competences,
    organisations,
    organisation_entries,
    organisation_tags,
    partnerships,
    partnership_members,
)


def apply_territory_event(session: Session, position: int, e: TerritoryEvent) -> None:
    """Write what the event changes in the territory, directory and partnership views."""
    if isinstance(e, Territory.Event):
        _apply_territory(session, position, e)
    elif isinstance(e, Organisation.Event):
        _apply_organisation(session, position, e)
    else:
        _apply_partnership(session, position, e)


@contextmanager
def projected_alone(events: Iterable[tuple[int, TerritoryEvent]]) -> Iterator[Connection]:
    """A connection to a scratch database holding the views these events (in log order, each
    with its position) make, written by the code above: how `?version` and `?as_of` show a
    territory or an organisation as it stood, read by the same queries as the live views."""
    engine = scratch_engine()
    try:
        metadata.create_all(engine, tables=list(VIEWS))
        with Session(engine) as session:
            for position, e in events:
                apply_territory_event(session, position, e)
            yield session.connection()
    finally:
        engine.dispose()


def _apply_territory(session: Session, position: int, e: Territory.Event) -> None:
    changes: dict[str, Any] = {"version": e.originator_version, "updated_at": e.timestamp}
    this = territories.c.id == e.originator_id
    if isinstance(e, Territory.Registered):
        session.execute(
            insert(territories).values(
                id=e.originator_id,
                position=position,
                name=e.name,
                kind=e.kind,
                members=[str(m) for m in e.members],
                registered_by=e.actor,
                registered_at=e.timestamp,
                **changes,
            )
        )
        return
    if isinstance(e, Territory.MemberAdded):
        members = session.execute(select(territories.c.members).where(this)).scalar_one()
        changes["members"] = [*members, str(e.member_id)]
    elif isinstance(e, Territory.CompetenceAdded):
        _hold(session, position, e, since=e.since, received_from=None)
    elif isinstance(e, Territory.CompetenceReceived):
        _hold(session, position, e, since=e.on, received_from=e.from_territory)
    elif isinstance(e, Territory.CompetenceTransferred):
        c = territory_competences.c
        session.execute(
            update(territory_competences)
            .where(
                c.territory_id == e.originator_id,
                c.competence == e.competence,
                c.until.is_(None),
            )
            .values(
                until=date.fromisoformat(e.on),
                transferred_to=e.to_territory,
                transfer_reason=e.reason,
            )
        )
    session.execute(update(territories).where(this).values(changes))


def _hold(
    session: Session,
    position: int,
    e: Territory.CompetenceAdded | Territory.CompetenceReceived,
    *,
    since: str,
    received_from: UUID | None,
) -> None:
    """A new holding of a competence, from `since` (an ISO day)."""
    session.execute(
        insert(territory_competences).values(
            position=position,
            territory_id=e.originator_id,
            competence=e.competence,
            label=e.label,
            law=e.law,
            since=date.fromisoformat(since),
            reason=e.reason,
            received_from=received_from,
            until=None,
            transferred_to=None,
            transfer_reason=None,
        )
    )


def _apply_organisation(session: Session, position: int, e: Organisation.Event) -> None:
    changes: dict[str, Any] = {"version": e.originator_version, "updated_at": e.timestamp}
    this = organisations.c.id == e.originator_id
    if isinstance(e, Organisation.Registered):
        session.execute(
            insert(organisations).values(
                id=e.originator_id,
                position=position,
                name=e.name,
                kind=e.kind,
                territory_id=e.territory_id,
                core_business=e.core_business,
                keeper=e.actor,
                registered_at=e.timestamp,
                **changes,
            )
        )
        return
    entry = (organisation_entries.c.organisation_id == e.originator_id) & (
        organisation_entries.c.number == getattr(e, "number", None)
    )
    if isinstance(e, Organisation.CoreBusinessChanged):
        changes["core_business"] = e.core_business
    elif isinstance(e, Organisation.EntryAdded):
        session.execute(
            insert(organisation_entries).values(
                organisation_id=e.originator_id,
                number=e.number,
                position=position,
                section=e.section,
                text=e.text,
                tags=e.tags,
                added_by=e.actor,
                added_at=e.timestamp,
                changed_by=None,
                changed_at=None,
            )
        )
        _tag(session, e.originator_id, e.number, e.section, e.tags)
    elif isinstance(e, Organisation.EntryChanged):
        section = session.execute(select(organisation_entries.c.section).where(entry)).scalar_one()
        session.execute(
            update(organisation_entries)
            .where(entry)
            .values(text=e.text, tags=e.tags, changed_by=e.actor, changed_at=e.timestamp)
        )
        _untag(session, e.originator_id, e.number)
        _tag(session, e.originator_id, e.number, section, e.tags)
    elif isinstance(e, Organisation.EntryRemoved):
        session.execute(delete(organisation_entries).where(entry))
        _untag(session, e.originator_id, e.number)
    session.execute(update(organisations).where(this).values(changes))


def _tag(
    session: Session, organisation_id: UUID, number: int, section: str, tags: list[str]
) -> None:
    session.execute(
        insert(organisation_tags),
        [
            {"organisation_id": organisation_id, "number": number, "section": section, "tag": t}
            for t in tags
        ],
    )


def _untag(session: Session, organisation_id: UUID, number: int) -> None:
    t = organisation_tags.c
    session.execute(
        delete(organisation_tags).where(t.organisation_id == organisation_id, t.number == number)
    )


def _apply_partnership(session: Session, position: int, e: Partnership.Event) -> None:
    changes: dict[str, Any] = {"version": e.originator_version, "updated_at": e.timestamp}
    if isinstance(e, Partnership.Recorded):
        session.execute(
            insert(partnerships).values(
                id=e.originator_id,
                position=position,
                name=e.name,
                organisation_ids=[str(o) for o in e.organisation_ids],
                objectives=e.objectives,
                starts_on=date.fromisoformat(e.starts_on),
                ends_on=None if e.ends_on is None else date.fromisoformat(e.ends_on),
                ended_reason=None,
                charter_id=e.charter_id,
                committee_id=e.committee_id,
                recorded_by=e.actor,
                recorded_at=e.timestamp,
                **changes,
            )
        )
        session.execute(
            insert(partnership_members),
            [{"organisation_id": o, "partnership_id": e.originator_id} for o in e.organisation_ids],
        )
        return
    assert isinstance(e, Partnership.Ended)
    changes.update(ends_on=date.fromisoformat(e.on), ended_reason=e.reason)
    session.execute(
        update(partnerships).where(partnerships.c.id == e.originator_id).values(changes)
    )
