"""Partnerships between organisations of the directory: two or more organisations record shared
objectives, the dates they run from and to, and the charter or committee they serve.

A partnership is its own small aggregate naming its partners, so that an organisation's history
does not grow with every partnership it joins; the directory lists each organisation's
partnerships from the view.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import event

from domain.errors import IllegalTransition, InvalidCommand, ReasonRequired
from domain.events import Cause, CivicAggregate
from domain.text import check_text

NAME_MAX = 200
OBJECTIVE_MAX = 1_000
OBJECTIVES_MAX = 20
PARTNERS_MIN = 2
PARTNERS_MAX = 50


class InvalidPartnership(InvalidCommand):
    """Partners, objectives, dates or links that cannot make a partnership."""


class PartnershipEnded(IllegalTransition):
    """The partnership has already ended."""


class Partnership(CivicAggregate):
    """A partnership of organisations ("partenariat")."""

    class Event(CivicAggregate.Event):
        """Any event of a partnership."""

    class Recorded(Event, CivicAggregate.Created):
        """Recorded with its partners, objectives, dates (ISO days) and links."""

        name: str
        organisation_ids: list[UUID]
        objectives: list[str]
        starts_on: str
        ends_on: str | None
        charter_id: UUID | None
        committee_id: UUID | None

    class Ended(Event):
        """It ends on `on` (ISO day), earlier than planned or with no end planned; the reason is
        the event's."""

        on: str

    @classmethod
    def record(
        cls,
        *,
        name: str,
        organisation_ids: list[UUID],
        objectives: list[str],
        starts_on: date,
        ends_on: date | None,
        charter_id: UUID | None,
        committee_id: UUID | None,
        cause: Cause,
    ) -> Partnership:
        """A partnership of two or more distinct organisations with 1 to 20 objectives."""
        check_text(name, what="the name", max_length=NAME_MAX, error=InvalidPartnership)
        distinct = len(set(organisation_ids))
        if not PARTNERS_MIN <= distinct == len(organisation_ids) <= PARTNERS_MAX:
            raise InvalidPartnership(
                f"a partnership has {PARTNERS_MIN} to {PARTNERS_MAX} distinct organisations"
            )
        if not 1 <= len(objectives) <= OBJECTIVES_MAX:
            raise InvalidPartnership(f"a partnership has 1 to {OBJECTIVES_MAX} objectives")
        for objective in objectives:
            check_text(
                objective, what="each objective", max_length=OBJECTIVE_MAX, error=InvalidPartnership
            )
        _check_day(starts_on)
        if ends_on is not None:
            _check_day(ends_on)
            if ends_on < starts_on:
                raise InvalidPartnership("a partnership ends on or after the day it starts")
        return cls(
            name=name,
            organisation_ids=list(organisation_ids),
            objectives=list(objectives),
            starts_on=starts_on.isoformat(),
            ends_on=None if ends_on is None else ends_on.isoformat(),
            charter_id=charter_id,
            committee_id=committee_id,
            **cause.fields(),
        )

    @event(Recorded)
    def __init__(
        self,
        *,
        name: str,
        organisation_ids: list[UUID],
        objectives: list[str],
        starts_on: str,
        ends_on: str | None,
        charter_id: UUID | None,
        committee_id: UUID | None,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.name = name
        self.organisation_ids = list(organisation_ids)
        self.objectives = list(objectives)
        self.starts_on = date.fromisoformat(starts_on)
        self.ends_on = None if ends_on is None else date.fromisoformat(ends_on)
        self.ended = False
        self.charter_id = charter_id
        self.committee_id = committee_id

    def end(self, *, on: date, cause: Cause) -> None:
        """End it on `on`, saying why."""
        if self.ended:
            raise PartnershipEnded(f"the partnership ended on {self.ends_on}")
        if cause.reason is None:
            raise ReasonRequired("ending a partnership needs a reason")
        _check_day(on)
        if on < self.starts_on:
            raise InvalidPartnership("a partnership ends on or after the day it starts")
        self._ended(on=on.isoformat(), **cause.fields())

    @event(Ended)
    def _ended(self, *, on: str, actor: str, correlation_id: str, reason: str | None) -> None:
        self.ends_on = date.fromisoformat(on)
        self.ended = True


def _check_day(day: date) -> None:
    if isinstance(day, datetime) or not isinstance(day, date):
        raise InvalidPartnership("a partnership's dates are days, e.g. 2026-01-01")
