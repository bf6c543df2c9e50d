"""Committees, meetings and charters as they were: at each of their versions, and at the instant
each was recorded, each reads exactly as its live view did right after it."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select

from application.errors import (
    CharterNotFound,
    CommitteeNotFound,
    MeetingNotFound,
    NotYetRecorded,
    VersionNotFound,
)
from application.system import CivicLedger
from application.tables import audit_events
from domain.charter import AddArticle, Organisation, OrganisationKind, ReplaceArticle
from domain.errors import InvalidCommand
from domain.majority import Choice

from .test_charters import AGAINST, ANA, CHAIR, cause, decide, draft, meeting

View = dict[str, Any]
Reader = Callable[[UUID], View]
MICROSECOND = timedelta(microseconds=1)
ASSO = Organisation("asso-1", "Vélo Grenoble", OrganisationKind.ASSOCIATION)


@dataclass
class Story:
    """A committee, its meeting and a charter driven through their lives, with what their live
    views showed right after each of their versions."""

    civic: CivicLedger
    committee_id: UUID
    meeting_id: UUID
    charter_id: UUID
    seen: dict[UUID, dict[int, View]] = field(default_factory=dict)

    def readers(self) -> dict[UUID, Reader]:
        """How each aggregate's live view is read."""
        return {
            self.committee_id: self.civic.committees.get,
            self.meeting_id: self.civic.committees.meeting,
            self.charter_id: self.civic.charters.get,
        }

    def look(self) -> None:
        """Read every live view; the first reading of each version is the one right after it."""
        for aggregate_id, read in self.readers().items():
            view = read(aggregate_id)
            self.seen.setdefault(aggregate_id, {}).setdefault(view["version"], view)

    def recorded_at(self, aggregate_id: UUID) -> dict[int, datetime]:
        """When each version of the aggregate was recorded."""
        c = audit_events.c
        with self.civic.ledger.engine.connect() as connection:
            rows = connection.execute(
                select(c.version, c.timestamp).where(c.aggregate_id == aggregate_id)
            )
            return dict(rows.tuples().all())


@pytest.fixture
def story(civic: CivicLedger) -> Story:
    """Members appointed, a meeting held, a charter amended (one accepted, one rejected),
    adopted, signed, a petition referred to the committee, a member departed, minutes, closure."""
    meeting_id = meeting(civic)
    meeting_view = civic.committees.meeting(meeting_id)
    story = Story(civic, meeting_view["committee_id"], meeting_id, draft(civic))
    story.look()
    accepted = civic.charters.propose_amendment(
        story.charter_id,
        change=ReplaceArticle(2, "Meetings are public and streamed."),
        rationale="Not everyone can come.",
        cause=cause("citizen:ada"),
    )
    story.look()
    rejected = civic.charters.propose_amendment(
        story.charter_id,
        change=AddArticle("Children have a say.", before_article_id=1),
        rationale="The youth council asked.",
        cause=cause("citizen:bea"),
    )
    story.look()
    decide(civic, meeting_id, accepted)
    story.look()
    decide(civic, meeting_id, rejected, votes=AGAINST)
    story.look()
    adoption = decide(civic, meeting_id)
    civic.charters.adopt(story.charter_id, decision_id=adoption, cause=cause(CHAIR))
    story.look()
    civic.charters.sign(
        story.charter_id, organisation=ASSO, commitments="We ride.", cause=cause("c")
    )
    story.look()
    civic.charters.open_revision(story.charter_id, cause=cause(CHAIR, "yearly review"))
    story.look()
    item = civic.committees.table_motion(meeting_id, title="Budget", text=None, cause=cause(ANA))
    story.look()
    civic.committees.declare_conflict(meeting_id, item=item, cause=cause(ANA))
    story.look()
    civic.committees.depart(
        story.committee_id,
        member=ANA,
        end=meeting_view["held_on"] + timedelta(days=30),
        cause=cause("admin", "moved away"),
    )
    story.look()
    civic.committees.publish_minutes(meeting_id, text="All agreed.", cause=cause(CHAIR))
    story.look()
    civic.committees.close_meeting(meeting_id, cause=cause(CHAIR))
    story.look()
    return story


def as_of(story: Story, aggregate_id: UUID) -> Callable[..., View]:
    """The aggregate's `as_of` reader."""
    civic = story.civic
    return {
        story.committee_id: civic.committees.as_of,
        story.meeting_id: civic.committees.meeting_as_of,
        story.charter_id: civic.charters.as_of,
    }[aggregate_id]


class TestAtAVersion:
    def test_every_version_reads_as_the_live_view_did_right_after_it(self, story: Story) -> None:
        """Committee, meeting and charter: each version's past view is the live one then."""
        for aggregate_id, seen in story.seen.items():
            read = as_of(story, aggregate_id)
            assert len(seen) >= 2
            for version, view in seen.items():
                assert read(aggregate_id, version=version) == view, (aggregate_id, version)

    def test_the_past_tells_the_story(self, story: Story) -> None:
        """Version 1 of the charter is its draft; the meeting was open before its closure."""
        charter = story.civic.charters.as_of(story.charter_id, version=1)
        assert (charter["status"], charter["versions"]) == ("draft", [])
        last = max(story.seen[story.meeting_id])
        before = story.civic.committees.meeting_as_of(story.meeting_id, version=last - 1)
        assert (before["status"], before["closed_at"]) == ("open", None)
        assert [d["adopted"] for d in before["decisions"]] == [True, False, True]

    def test_without_a_version_or_an_instant_it_is_the_live_view(self, story: Story) -> None:
        """No parameter: today's view."""
        for aggregate_id, read in story.readers().items():
            assert as_of(story, aggregate_id)(aggregate_id) == read(aggregate_id)

    def test_a_version_never_had_and_unknown_ids_are_not_found(self, story: Story) -> None:
        """A version past the last, an unknown id, another kind's id: not found."""
        civic = story.civic
        with pytest.raises(VersionNotFound):
            civic.committees.as_of(story.committee_id, version=999)
        with pytest.raises(CommitteeNotFound):
            civic.committees.as_of(uuid4(), version=1)
        with pytest.raises(MeetingNotFound):
            civic.committees.meeting_as_of(story.committee_id, version=1)
        with pytest.raises(CharterNotFound):
            civic.charters.as_of(story.meeting_id, version=1)

    def test_a_version_and_an_instant_at_once_are_refused(self, story: Story) -> None:
        """Both at once name no single past."""
        when = story.recorded_at(story.charter_id)[1]
        with pytest.raises(InvalidCommand):
            story.civic.charters.as_of(story.charter_id, version=1, instant=when)


class TestAtAnInstant:
    def test_each_version_s_instant_reads_as_the_live_view_right_after_it(
        self, story: Story
    ) -> None:
        """At the instant a version was recorded, the view is that version's."""
        for aggregate_id, seen in story.seen.items():
            read, recorded = as_of(story, aggregate_id), story.recorded_at(aggregate_id)
            for version, view in seen.items():
                assert read(aggregate_id, instant=recorded[version]) == view

    def test_an_instant_before_the_first_event_is_not_found(self, story: Story) -> None:
        """Before it was created, it was not there."""
        first = story.recorded_at(story.meeting_id)[1]
        with pytest.raises(NotYetRecorded):
            story.civic.committees.meeting_as_of(story.meeting_id, instant=first - MICROSECOND)


def test_a_decision_s_votes_are_as_recorded_then(story: Story) -> None:
    """The meeting's past decisions carry their roll call."""
    first = story.civic.committees.meeting_as_of(story.meeting_id, version=4)
    assert [d["votes"] for d in first["decisions"]] == [
        dict.fromkeys(first["attendance"], Choice.FOR.value)
    ]
