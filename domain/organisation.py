"""The actors of a territory's ecosystem ("annuaire des acteurs"): organisations registered in a
territory with their core business and tagged entries (shareable know-how and equipment,
collaboration topics, current problems).

Each entry is kept as events: added, changed and removed, each by an actor on a date, so who said
what, when, is in the organisation's history. The account that registers an organisation keeps
its entries (`keeper`); the interfaces let it and admins change them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import event

from domain.errors import IllegalTransition, InvalidCommand, ReasonRequired
from domain.events import Cause, CivicAggregate, event_time
from domain.territory import check_slug
from domain.text import check_text

NAME_MAX = 200
CORE_BUSINESS_MAX = 2_000
ENTRY_MAX = 2_000
TAGS_MAX = 10
ENTRIES_MAX = 500


# The organisation's errors, under the tree of `domain.errors`:
#   InvalidCommand (422): InvalidOrganisation, InvalidEntry, UnknownEntry (and ReasonRequired
#       for a removal)
#   IllegalTransition (409): EntryLimit


class InvalidOrganisation(InvalidCommand):
    """A name, kind or core business that cannot describe an organisation."""


class InvalidEntry(InvalidCommand):
    """An entry's section, text or tags are not acceptable, or it changes nothing."""


class UnknownEntry(InvalidCommand):
    """The organisation has no entry with this number (or no longer)."""


class EntryLimit(IllegalTransition):
    """An organisation keeps at most 500 entries."""


class OrganisationKind(StrEnum):
    """What kind of actor an organisation is (the charter's signatories use the first four)."""

    PUBLIC_BODY = "public_body"
    BUSINESS = "business"
    ASSOCIATION = "association"
    RESEARCH_EDUCATION = "research_education"
    CITIZEN_GROUP = "citizen_group"


class Section(StrEnum):
    """What an entry says of the organisation."""

    KNOW_HOW = "know_how"  # savoir-faire it can share
    EQUIPMENT = "equipment"  # equipment it can share
    TOPIC = "topic"  # a subject it wants to work on with others
    PROBLEM = "problem"  # a problem it faces now


@dataclass(frozen=True, slots=True)
class Entry:
    """A tagged entry as it stands, with who added it and who last changed it, and when."""

    number: int
    section: Section
    text: str
    tags: tuple[str, ...]
    added_by: str
    added_at: datetime
    changed_by: str | None = None
    changed_at: datetime | None = None


def check_tags(tags: list[str], *, error: type[InvalidCommand]) -> None:
    """Raise `error` unless `tags` are 1 to 10 distinct lower-case slugs."""
    if not 1 <= len(tags) <= TAGS_MAX or len(set(tags)) != len(tags):
        raise error(f"an entry has 1 to {TAGS_MAX} distinct tags")
    for tag in tags:
        check_slug(tag, what="the tag", error=error)


class Organisation(CivicAggregate):
    """An organisation of a territory's ecosystem and its entries."""

    class Event(CivicAggregate.Event):
        """Any event of an organisation."""

    class Registered(Event, CivicAggregate.Created):
        """Registered in `territory_id` with its core business; the actor keeps its entries."""

        name: str
        kind: str
        territory_id: UUID
        core_business: str

    class CoreBusinessChanged(Event):
        """Its core business ("cœur de métier") is described anew."""

        core_business: str

    class EntryAdded(Event):
        """Entry `number` added to `section` with its text and tags."""

        number: int
        section: str
        text: str
        tags: list[str]

    class EntryChanged(Event):
        """Entry `number` says something else now, or under other tags."""

        number: int
        text: str
        tags: list[str]

    class EntryRemoved(Event):
        """Entry `number` no longer stands (the reason is the event's)."""

        number: int

    @classmethod
    def register(
        cls,
        *,
        name: str,
        kind: OrganisationKind,
        territory_id: UUID,
        core_business: str,
        cause: Cause,
    ) -> Organisation:
        """A new organisation of the territory `territory_id`, kept by the cause's actor."""
        check_text(name, what="the name", max_length=NAME_MAX, error=InvalidOrganisation)
        _check_core_business(core_business)
        try:
            kind = OrganisationKind(kind)
        except ValueError:
            kinds = ", ".join(OrganisationKind)
            raise InvalidOrganisation(f"the kind is one of {kinds}") from None
        return cls(
            name=name,
            kind=kind.value,
            territory_id=territory_id,
            core_business=core_business,
            **cause.fields(),
        )

    @event(Registered)
    def __init__(
        self,
        *,
        name: str,
        kind: str,
        territory_id: UUID,
        core_business: str,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.name = name
        self.kind = OrganisationKind(kind)
        self.territory_id = territory_id
        self.core_business = core_business
        self.keeper = actor
        self.entries: dict[int, Entry] = {}
        self.next_number = 1

    def describe(self, *, core_business: str, cause: Cause) -> None:
        """Describe its core business anew."""
        _check_core_business(core_business)
        if core_business == self.core_business:
            raise InvalidOrganisation("the core business is unchanged")
        self._core_business_changed(core_business=core_business, **cause.fields())

    @event(CoreBusinessChanged)
    def _core_business_changed(
        self, *, core_business: str, actor: str, correlation_id: str, reason: str | None
    ) -> None:
        self.core_business = core_business

    def add_entry(self, *, section: Section, text: str, tags: list[str], cause: Cause) -> int:
        """Add an entry to `section`; returns its number."""
        try:
            section = Section(section)
        except ValueError:
            raise InvalidEntry(f"the section is one of {', '.join(Section)}") from None
        _check_entry(text, tags)
        if len(self.entries) >= ENTRIES_MAX:
            raise EntryLimit(f"{self.name} already has {ENTRIES_MAX} entries")
        number = self.next_number
        self._entry_added(
            number=number, section=section.value, text=text, tags=list(tags), **cause.fields()
        )
        return number

    @event(EntryAdded)
    def _entry_added(
        self,
        timestamp: datetime | None = None,
        *,
        number: int,
        section: str,
        text: str,
        tags: list[str],
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.entries[number] = Entry(
            number, Section(section), text, tuple(tags), actor, event_time(timestamp)
        )
        self.next_number = number + 1

    def change_entry(self, *, number: int, text: str, tags: list[str], cause: Cause) -> None:
        """Change an entry's text or tags."""
        entry = self.entry(number)
        _check_entry(text, tags)
        if (text, tuple(tags)) == (entry.text, entry.tags):
            raise InvalidEntry(f"entry {number} is unchanged")
        self._entry_changed(number=number, text=text, tags=list(tags), **cause.fields())

    @event(EntryChanged)
    def _entry_changed(
        self,
        timestamp: datetime | None = None,
        *,
        number: int,
        text: str,
        tags: list[str],
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.entries[number] = replace(
            self.entries[number],
            text=text,
            tags=tuple(tags),
            changed_by=actor,
            changed_at=event_time(timestamp),
        )

    def remove_entry(self, *, number: int, cause: Cause) -> None:
        """Remove an entry, saying why (it stays in the history)."""
        self.entry(number)
        if cause.reason is None:
            raise ReasonRequired("removing an entry needs a reason")
        self._entry_removed(number=number, **cause.fields())

    @event(EntryRemoved)
    def _entry_removed(
        self, *, number: int, actor: str, correlation_id: str, reason: str | None
    ) -> None:
        del self.entries[number]

    def entry(self, number: int) -> Entry:
        """The entry standing with this number."""
        try:
            return self.entries[number]
        except KeyError:
            raise UnknownEntry(f"{self.name} has no entry {number}") from None


def _check_core_business(core_business: str) -> None:
    check_text(
        core_business,
        what="the core business",
        max_length=CORE_BUSINESS_MAX,
        error=InvalidOrganisation,
    )


def _check_entry(text: str, tags: list[str]) -> None:
    check_text(text, what="the entry", max_length=ENTRY_MAX, error=InvalidEntry)
    check_tags(tags, error=InvalidEntry)
