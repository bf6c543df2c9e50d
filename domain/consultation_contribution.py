"""What participants put into a consultation: contributions, comments on them and endorsements;
and their moderation.

Each is a small aggregate, so that a consultation with thousands of them never replays them. An
endorsement is keyed by (contribution, participant): the store's unique key refuses a second one
recorded concurrently, and withdrawing then endorsing again are the same aggregate's next events.
A moderator hides a contribution or a comment with a reason, and may show it again with one: the
item leaves the public views, never the log.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.consultation import Activity, Consultation
from domain.errors import IllegalTransition, InvalidCommand, ReasonRequired
from domain.events import Cause, CivicAggregate
from domain.text import check_text

TITLE_MAX = 200
TEXT_MAX = 10_000
COMMENT_MAX = 5_000
THEMES_MAX = 5
THEME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


class InvalidContribution(InvalidCommand):
    """A contribution's kind, title, text or themes, or a comment's text, are not acceptable."""


class ItemHidden(IllegalTransition):
    """The contribution is hidden by moderation: it takes no comment nor endorsement."""


class AlreadyHidden(IllegalTransition):
    """The item is already hidden."""


class NotHidden(IllegalTransition):
    """The item is not hidden: there is nothing to reverse."""


class AlreadyEndorsed(IllegalTransition):
    """This participant's endorsement of the contribution stands."""


class NotEndorsed(IllegalTransition):
    """This participant has no standing endorsement of the contribution."""


class ContributionKind(StrEnum):
    """A proposal asks for something; an observation states a need or a fact."""

    PROPOSAL = "proposal"
    OBSERVATION = "observation"


def check_moderation(*, hidden: bool, hide: bool, cause: Cause) -> None:
    """The moderation rule for any item: a reason always, and only a change of state."""
    if cause.reason is None:
        raise ReasonRequired("hiding or showing again needs a reason")
    if hide and hidden:
        raise AlreadyHidden("it is already hidden")
    if not hide and not hidden:
        raise NotHidden("it is not hidden")


class Contribution(CivicAggregate):
    """A proposal or observation by a participant (the first event's actor)."""

    class Event(CivicAggregate.Event):
        """Any event of a contribution; each names its consultation."""

        consultation_id: UUID

    class Submitted(Event, CivicAggregate.Created):
        """Submitted with its kind, title, text and theme tags."""

        kind: str
        title: str
        text: str
        themes: list[str]

    class Hidden(Event):
        """A moderator hid it (the reason is the event's)."""

    class Unhidden(Event):
        """A moderator showed it again (the reason is the event's)."""

    @classmethod
    def submit(
        cls,
        *,
        consultation: Consultation,
        kind: ContributionKind,
        title: str,
        text: str,
        themes: list[str],
        cause: Cause,
        now: datetime,
    ) -> Contribution:
        """A contribution to a consultation whose current phase takes them."""
        check_text(title, what="the title", max_length=TITLE_MAX, error=InvalidContribution)
        check_text(text, what="the text", max_length=TEXT_MAX, error=InvalidContribution)
        if len(themes) > THEMES_MAX or len(set(themes)) != len(themes):
            raise InvalidContribution(f"a contribution has at most {THEMES_MAX} distinct themes")
        for theme in themes:
            if not THEME.fullmatch(theme):
                raise InvalidContribution(
                    f"theme {theme!r} must be 1 to 40 lower-case letters, digits, - or _"
                )
        consultation.check_allows(Activity.CONTRIBUTIONS, now)
        return cls(
            consultation_id=consultation.id,
            kind=ContributionKind(kind).value,
            title=title,
            text=text,
            themes=list(themes),
            **cause.fields(),
        )

    @event(Submitted)
    def __init__(
        self,
        *,
        consultation_id: UUID,
        kind: str,
        title: str,
        text: str,
        themes: list[str],
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.consultation_id = consultation_id
        self.author = actor
        self.hidden = False

    def moderate(self, *, hide: bool, cause: Cause) -> None:
        """Hide the contribution, or show it again, with the moderator's reason."""
        check_moderation(hidden=self.hidden, hide=hide, cause=cause)
        if hide:
            self._hidden(consultation_id=self.consultation_id, **cause.fields())
        else:
            self._unhidden(consultation_id=self.consultation_id, **cause.fields())

    @event(Hidden)
    def _hidden(
        self, *, consultation_id: UUID, actor: str, correlation_id: str, reason: str | None
    ) -> None:
        self.hidden = True

    @event(Unhidden)
    def _unhidden(
        self, *, consultation_id: UUID, actor: str, correlation_id: str, reason: str | None
    ) -> None:
        self.hidden = False

    def check_open_to_reactions(self) -> None:
        """Raise `ItemHidden` if moderation hid it."""
        if self.hidden:
            raise ItemHidden("the contribution is hidden by moderation")


class Comment(CivicAggregate):
    """A participant's comment on a contribution."""

    class Event(CivicAggregate.Event):
        """Any event of a comment; each names its consultation and contribution."""

        consultation_id: UUID
        contribution_id: UUID

    class Posted(Event, CivicAggregate.Created):
        """Posted with its text."""

        text: str

    class Hidden(Event):
        """A moderator hid it (the reason is the event's)."""

    class Unhidden(Event):
        """A moderator showed it again (the reason is the event's)."""

    @classmethod
    def post(
        cls,
        *,
        consultation: Consultation,
        contribution: Contribution,
        text: str,
        cause: Cause,
        now: datetime,
    ) -> Comment:
        """A comment on a visible contribution, while the phase takes comments."""
        check_text(text, what="the comment", max_length=COMMENT_MAX, error=InvalidContribution)
        consultation.check_allows(Activity.COMMENTS, now)
        contribution.check_open_to_reactions()
        return cls(
            consultation_id=consultation.id,
            contribution_id=contribution.id,
            text=text,
            **cause.fields(),
        )

    @event(Posted)
    def __init__(
        self,
        *,
        consultation_id: UUID,
        contribution_id: UUID,
        text: str,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.consultation_id = consultation_id
        self.contribution_id = contribution_id
        self.author = actor
        self.hidden = False

    def moderate(self, *, hide: bool, cause: Cause) -> None:
        """Hide the comment, or show it again, with the moderator's reason."""
        check_moderation(hidden=self.hidden, hide=hide, cause=cause)
        ids = self.consultation_id, self.contribution_id
        if hide:
            self._hidden(consultation_id=ids[0], contribution_id=ids[1], **cause.fields())
        else:
            self._unhidden(consultation_id=ids[0], contribution_id=ids[1], **cause.fields())

    @event(Hidden)
    def _hidden(
        self,
        *,
        consultation_id: UUID,
        contribution_id: UUID,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.hidden = True

    @event(Unhidden)
    def _unhidden(
        self,
        *,
        consultation_id: UUID,
        contribution_id: UUID,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.hidden = False


def endorsement_id(contribution_id: UUID, participant: str) -> UUID:
    """The deterministic id of `participant`'s endorsement of the contribution."""
    return uuid5(NAMESPACE_URL, f"civic-ledger:endorsement:{contribution_id}:{participant}")


class Endorsement(CivicAggregate):
    """One participant's support ("soutien") of one contribution: given, withdrawn, given again,
    while the phase takes endorsements."""

    class Event(CivicAggregate.Event):
        """Any event of an endorsement; each names its consultation and contribution."""

        consultation_id: UUID
        contribution_id: UUID

    class Given(Event, CivicAggregate.Created):
        """`participant` endorsed the contribution."""

        participant: str

    class GivenAgain(Event):
        """Endorsed again after a withdrawal."""

    class Withdrawn(Event):
        """The participant withdrew the endorsement."""

    @classmethod
    def give(
        cls,
        *,
        consultation: Consultation,
        contribution: Contribution,
        participant: str,
        cause: Cause,
        now: datetime,
    ) -> Endorsement:
        """A first endorsement by `participant` of a visible contribution."""
        consultation.check_allows(Activity.ENDORSEMENTS, now)
        contribution.check_open_to_reactions()
        return cls(
            consultation_id=consultation.id,
            contribution_id=contribution.id,
            participant=participant,
            **cause.fields(),
        )

    @staticmethod
    def create_id(contribution_id: UUID, participant: str, **_: object) -> UUID:
        """Used by the library to give the aggregate its deterministic id."""
        return endorsement_id(contribution_id, participant)

    @event(Given)
    def __init__(
        self,
        *,
        consultation_id: UUID,
        contribution_id: UUID,
        participant: str,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.consultation_id = consultation_id
        self.contribution_id = contribution_id
        self.active = True

    def give_again(
        self, *, consultation: Consultation, contribution: Contribution, cause: Cause, now: datetime
    ) -> None:
        """Endorse again after a withdrawal; a standing endorsement is refused."""
        if self.active:
            raise AlreadyEndorsed("you already endorse this contribution")
        consultation.check_allows(Activity.ENDORSEMENTS, now)
        contribution.check_open_to_reactions()
        self._given_again(
            consultation_id=self.consultation_id,
            contribution_id=self.contribution_id,
            **cause.fields(),
        )

    def withdraw(self, *, consultation: Consultation, cause: Cause, now: datetime) -> None:
        """Withdraw the endorsement, while the phase takes endorsements."""
        if not self.active:
            raise NotEndorsed("you do not endorse this contribution")
        consultation.check_allows(Activity.ENDORSEMENTS, now)
        self._withdrawn(
            consultation_id=self.consultation_id,
            contribution_id=self.contribution_id,
            **cause.fields(),
        )

    @event(GivenAgain)
    def _given_again(
        self,
        *,
        consultation_id: UUID,
        contribution_id: UUID,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.active = True

    @event(Withdrawn)
    def _withdrawn(
        self,
        *,
        consultation_id: UUID,
        contribution_id: UUID,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.active = False
