"""One elector's ballot in one vote: a small aggregate keyed by (vote, tag).

The tag is the elector's account id in a public (roll-call) vote, and a keyed hash of the elector
and the vote in a secret one (`secret_tag`), so the log shows one ballot per tag without showing
whose it is. The id derives from the pair: the event store's unique key refuses a second ballot
recorded concurrently, and a replacement is the same aggregate's next event, both kept.
"""

from __future__ import annotations

import hashlib
import hmac
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.events import SYSTEM_ACTOR_PREFIX, Cause, CivicAggregate
from domain.vote import BallotNotReplaceable, Vote
from domain.voting.base import Paper

BALLOT_BOX_ACTOR = f"{SYSTEM_ACTOR_PREFIX}ballot-box"
"""The actor of a secret ballot's events: the ballot box, never the elector."""


def ballot_id(vote_id: UUID, tag: str) -> UUID:
    """The deterministic id of the ballot under `tag` in the vote."""
    return uuid5(NAMESPACE_URL, f"civic-ledger:ballot:{vote_id}:{tag}")


def secret_tag(key: bytes, vote_id: UUID, elector: str) -> str:
    """The pseudonym of `elector` in a secret vote: HMAC-SHA-256 under the vote's key.

    Without the key nobody can tell which elector a tag stands for; with it (the operator, until
    certification destroys it) anybody can. The vote id is in the message so that one elector's
    tags in two votes cannot be matched even if the keys were equal.
    """
    return hmac.new(key, f"{vote_id}:{elector}".encode(), hashlib.sha256).hexdigest()


class Ballot(CivicAggregate):
    """Cast, then possibly replaced until the vote closes (if the vote allows it)."""

    class Event(CivicAggregate.Event):
        """Any event of a ballot; each names its vote."""

        vote_id: UUID

    class Cast(Event, CivicAggregate.Created):
        """A ballot under `tag`; `paper` has one integer per option (see domain.voting.base)."""

        tag: str
        paper: list[int]

    class Replaced(Event):
        """The elector replaced the ballot; the previous paper stays in the history."""

        paper: list[int]

    @classmethod
    def cast(cls, *, vote: Vote, tag: str, paper: Paper, cause: Cause) -> Ballot:
        """A first ballot under `tag` (the caller checked the elector may vote)."""
        return cls(vote_id=vote.id, tag=tag, paper=list(paper), **cause.fields())

    @staticmethod
    def create_id(vote_id: UUID, tag: str, **_: object) -> UUID:
        """Used by the library to give the aggregate its deterministic id."""
        return ballot_id(vote_id, tag)

    @event(Cast)
    def __init__(
        self,
        *,
        vote_id: UUID,
        tag: str,
        paper: list[int],
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.vote_id = vote_id
        self.tag = tag
        self.paper = tuple(paper)

    def replace(self, *, vote: Vote, paper: Paper, cause: Cause) -> None:
        """Replace the paper, if the vote allows it (the caller checked the elector)."""
        if not vote.rules.replaceable:
            raise BallotNotReplaceable("you have already voted, and this vote's ballots are final")
        self._replaced(vote_id=self.vote_id, paper=list(paper), **cause.fields())

    @event(Replaced)
    def _replaced(
        self,
        *,
        vote_id: UUID,
        paper: list[int],
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.paper = tuple(paper)
