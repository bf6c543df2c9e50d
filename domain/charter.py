"""The participatory charter ("charte participative"): drafted, amended, adopted in numbered
versions, revised, and signed by the organisations that commit to it.

Numbering: every article has a stable id, given in order and never reused (the drafted articles
are 1..n, each added article takes the next id), and a display number, its position in the
version (1..n). Inserting an article renumbers the ones after it, as a consolidated text does; the
ids keep diffs meaningful across versions (see `charter_diff`). Amendments name articles by id;
an addition goes before a named article or, by default, at the end.

Amendment base: a proposal records the draft's version number and what it was written against:
the SHA-256 of the text it replaces or removes (an article, the preamble or the title), or the
article an addition goes before. Acceptance re-checks that base and refuses an amendment whose
article changed or disappeared since (`AmendmentOutdated`): the committee never applies a change
to a text its author did not see, while amendments to other articles stay acceptable in any
order. Adoption is refused while amendments are pending, so none outlives its draft.

Signatories are organisations, a few hundred at most, so their signatures live on the charter,
which answers who stood signed on any date.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID, uuid4

from eventsourcing.domain import event

from domain.charter_diff import Article, CharterText, TextDiff, diff_texts, fingerprint
from domain.errors import IllegalTransition, InvalidCommand, ReasonRequired
from domain.events import ID_MAX, Cause, CivicAggregate, event_time
from domain.text import check_text

TITLE_MAX = 200
PREAMBLE_MAX = 20_000
ARTICLE_MAX = 20_000
ARTICLES_MAX = 200
RATIONALE_MAX = 2_000
NAME_MAX = 200
COMMITMENTS_MAX = 20_000


# The charter's errors, under the tree of `domain.errors`:
#   InvalidCommand (422): InvalidCharter, InvalidAmendment > UnknownArticle, UnknownAmendment,
#       UnknownVersion, InvalidSignatory (and ReasonRequired for a withdrawal without a reason)
#   IllegalTransition (409): NoDraftOpen, DraftAlreadyOpen, AmendmentAlreadyDecided,
#       AmendmentOutdated, ArticleLimit, AmendmentsPending, NothingToAdopt, NotAdopted,
#       AlreadySignatory, NotSignatory


class InvalidCharter(InvalidCommand):
    """A title, preamble or set of articles that cannot make a charter; a naive date."""


class InvalidAmendment(InvalidCommand):
    """An amendment without a rationale, with an unacceptable text, or that changes nothing."""


class UnknownArticle(InvalidAmendment):
    """The amendment names an article the draft does not have."""


class UnknownAmendment(InvalidCommand):
    """No amendment with this id was proposed to the charter."""


class UnknownVersion(InvalidCommand):
    """No version with this number was adopted."""


class InvalidSignatory(InvalidCommand):
    """An organisation's id, name or commitments are not acceptable."""


class NoDraftOpen(IllegalTransition):
    """Amending and adopting need an open draft; the charter's latest version is adopted."""


class DraftAlreadyOpen(IllegalTransition):
    """A revision is opened only once the open draft is adopted."""


class AmendmentAlreadyDecided(IllegalTransition):
    """The amendment was already accepted or rejected."""


class AmendmentOutdated(IllegalTransition):
    """What the amendment changes has changed (or gone) since it was proposed."""


class ArticleLimit(IllegalTransition):
    """A charter has 1 to 200 articles: no addition beyond, no removal of the last one."""


class AmendmentsPending(IllegalTransition):
    """A draft is adopted only once every amendment to it is decided."""


class NothingToAdopt(IllegalTransition):
    """The draft is the same text as the version in force."""


class NotAdopted(IllegalTransition):
    """Organisations sign an adopted version; none is yet."""


class AlreadySignatory(IllegalTransition):
    """The organisation's signature stands; it may sign again only after withdrawing."""


class NotSignatory(IllegalTransition):
    """The organisation has no standing signature to withdraw."""


# -- amendments --------------------------------------------------------------------------------


class AmendmentKind(StrEnum):
    """What an amendment changes."""

    ADD = "add"
    REPLACE = "replace"
    REMOVE = "remove"
    PREAMBLE = "preamble"
    TITLE = "title"


@dataclass(frozen=True, slots=True)
class AddArticle:
    """Add an article before `before_article_id`, or at the end (None)."""

    KIND: ClassVar[AmendmentKind] = AmendmentKind.ADD
    text: str
    before_article_id: int | None = None


@dataclass(frozen=True, slots=True)
class ReplaceArticle:
    """Give an article a new text; it keeps its id and place."""

    KIND: ClassVar[AmendmentKind] = AmendmentKind.REPLACE
    article_id: int
    text: str


@dataclass(frozen=True, slots=True)
class RemoveArticle:
    """Remove an article; the ones after it move up a number."""

    KIND: ClassVar[AmendmentKind] = AmendmentKind.REMOVE
    article_id: int


@dataclass(frozen=True, slots=True)
class ReplacePreamble:
    """Give the preamble a new text."""

    KIND: ClassVar[AmendmentKind] = AmendmentKind.PREAMBLE
    text: str


@dataclass(frozen=True, slots=True)
class ReplaceTitle:
    """Give the charter a new title."""

    KIND: ClassVar[AmendmentKind] = AmendmentKind.TITLE
    text: str


Change = AddArticle | ReplaceArticle | RemoveArticle | ReplacePreamble | ReplaceTitle
_CHANGES: dict[str, type[Change]] = {
    c.KIND.value: c
    for c in (AddArticle, ReplaceArticle, RemoveArticle, ReplacePreamble, ReplaceTitle)
}


_TEXT_LIMITS = {
    AmendmentKind.ADD: ARTICLE_MAX,
    AmendmentKind.REPLACE: ARTICLE_MAX,
    AmendmentKind.PREAMBLE: PREAMBLE_MAX,
    AmendmentKind.TITLE: TITLE_MAX,
}


def change_as_event(change: Change) -> dict[str, Any]:
    """The change as event data: its kind and its fields."""
    return {"kind": change.KIND.value, **asdict(change)}


def change_from_event(data: dict[str, Any]) -> Change:
    """The change back from event data."""
    fields = dict(data)
    return _CHANGES[fields.pop("kind")](**fields)


class AmendmentStatus(StrEnum):
    """Where an amendment stands."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Amendment:
    """An amendment ("amendement") as proposed and, once decided, by which decision."""

    id: UUID
    version: int  # the number the draft it amends will take when adopted
    change: Change
    base_sha256: str | None  # the text replaced or removed, when proposed
    rationale: str
    proposer: str
    proposed_at: datetime
    status: AmendmentStatus = AmendmentStatus.PENDING
    decision_id: UUID | None = None
    decided_at: datetime | None = None
    article_id: int | None = None  # once accepted: the article added, replaced or removed


def apply_change(text: CharterText, change: Change, *, new_article_id: int | None) -> CharterText:
    """The text with the change made; an added article takes `new_article_id`."""
    articles = list(text.articles)
    match change:
        case AddArticle(text=body, before_article_id=before):
            assert new_article_id is not None, "an addition names the new article's id"
            at = len(articles) if before is None else text.number_of(before)
            assert at is not None, "checked when accepting"
            articles.insert(at if before is None else at - 1, Article(new_article_id, body))
        case ReplaceArticle(article_id=article_id, text=body):
            articles = [Article(a.id, body) if a.id == article_id else a for a in articles]
        case RemoveArticle(article_id=article_id):
            articles = [a for a in articles if a.id != article_id]
        case ReplacePreamble(text=body):
            return replace(text, preamble=body)
        case ReplaceTitle(text=body):
            return replace(text, title=body)
    return replace(text, articles=tuple(articles))


def _base_of(text: CharterText, change: Change) -> str | None:
    """The fingerprint of what `change` replaces or removes in `text` (None for an addition)."""
    match change:
        case ReplaceArticle(article_id=article_id) | RemoveArticle(article_id=article_id):
            article = text.article(article_id)
            return None if article is None else fingerprint(article.text)
        case ReplacePreamble():
            return fingerprint(text.preamble)
        case ReplaceTitle():
            return fingerprint(text.title)
    return None


def _check_base(draft: CharterText, amendment: Amendment) -> None:
    """Raise `AmendmentOutdated` if what the amendment was written against has changed."""
    match amendment.change:
        case AddArticle(before_article_id=before):
            if before is not None and draft.article(before) is None:
                raise AmendmentOutdated(
                    f"article id {before}, which the addition goes before, has been removed;"
                    " it can only be rejected and proposed again"
                )
        case change if _base_of(draft, change) != amendment.base_sha256:
            raise AmendmentOutdated(
                "what the amendment changes has been amended or removed since it was proposed;"
                " it can only be rejected and proposed again"
            )


# -- signatories -------------------------------------------------------------------------------


class OrganisationKind(StrEnum):
    """What kind of organisation signs."""

    PUBLIC_BODY = "public_body"
    BUSINESS = "business"
    ASSOCIATION = "association"
    CITIZEN_GROUP = "citizen_group"
    RESEARCH_EDUCATION = "research_education"  # as the directory's kinds


@dataclass(frozen=True, slots=True)
class Organisation:
    """A signatory organisation: an id the interfaces choose (e.g. a SIREN), a name, a kind;
    `directory_id` when it is an organisation of the actors' directory (then `id` is that id)."""

    id: str
    name: str
    kind: OrganisationKind
    directory_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class Signing:
    """One signature by an organisation, from its signing until its withdrawal, if any."""

    organisation: Organisation
    commitments: str
    version: int  # the adopted version signed
    signed_at: datetime
    withdrawn_at: datetime | None = None
    withdrawal_reason: str | None = None

    def stands_on(self, when: datetime) -> bool:
        """Signed at or before `when`, and not withdrawn by then."""
        return self.signed_at <= when and (self.withdrawn_at is None or when < self.withdrawn_at)


def standing_on(signings: list[Signing], when: datetime) -> list[Signing]:
    """The signatures that stood at `when`, in the order they were given."""
    if when.utcoffset() is None:
        raise InvalidCharter("the date must state its time zone")
    return [s for s in signings if s.stands_on(when)]


# -- the charter -------------------------------------------------------------------------------


def validate_text(text: CharterText) -> None:
    """Raise `InvalidCharter` unless this text can be a charter."""
    check_text(text.title, what="the title", max_length=TITLE_MAX, error=InvalidCharter)
    check_text(text.preamble, what="the preamble", max_length=PREAMBLE_MAX, error=InvalidCharter)
    if not 1 <= len(text.articles) <= ARTICLES_MAX:
        raise InvalidCharter(f"a charter has 1 to {ARTICLES_MAX} articles")
    for article in text.articles:
        check_text(article.text, what="each article", max_length=ARTICLE_MAX, error=InvalidCharter)


class VersionDiff(TextDiff):
    """A `TextDiff` between two numbered versions; `to_version` None is the open draft."""

    from_version: int
    to_version: int | None


class Charter(CivicAggregate):
    """A charter's history: its drafts, amendments, adopted versions and signatures."""

    class Event(CivicAggregate.Event):
        """Any event of a charter."""

    class Drafted(Event, CivicAggregate.Created):
        """Drafted: the text that will become version 1 once amended and adopted."""

        class_version = 2
        title: str
        preamble: str
        articles: list[dict[str, Any]]  # [{"id": 1, "text": "..."}, ...]
        territory_id: UUID | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Charters drafted before territories belong to none."""
            state["territory_id"] = None

    class AmendmentProposed(Event):
        """An amendment to the open draft, by `actor`, with its rationale and its base."""

        amendment_id: UUID
        version: int
        change: dict[str, Any]  # {"kind": "replace", "article_id": 2, "text": "..."}
        base_sha256: str | None
        rationale: str

    class AmendmentAccepted(Event):
        """Accepted by the decision `decision_id`, and made to the draft (`article_id` touched)."""

        amendment_id: UUID
        decision_id: UUID
        article_id: int | None

    class AmendmentRejected(Event):
        """Rejected by the decision `decision_id`."""

        amendment_id: UUID
        decision_id: UUID

    class Adopted(Event):
        """The draft became version `version`, sealed by the SHA-256 of its text."""

        version: int
        decision_id: UUID
        sha256: str

    class RevisionOpened(Event):
        """A new draft, from the version in force, to become version `version`."""

        version: int

    class Signed(Event):
        """An organisation signed version `version` with its commitments; `directory_id` names
        it in the actors' directory, when it is there."""

        class_version = 2
        organisation_id: str
        name: str
        kind: str
        commitments: str
        version: int
        directory_id: UUID | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Signatures given before the directory name no entry of it."""
            state["directory_id"] = None

    class SignatureWithdrawn(Event):
        """The organisation withdrew its signature (the reason is the event's)."""

        organisation_id: str

    # -- drafting ------------------------------------------------------------------------------

    @classmethod
    def draft(
        cls,
        *,
        title: str,
        preamble: str,
        articles: list[str],
        cause: Cause,
        territory_id: UUID | None = None,
    ) -> Charter:
        """Draft a charter of the territory `territory_id`; its articles get ids 1..n, and it is
        then changed by amendments."""
        text = CharterText(
            title, preamble, tuple(Article(n, a) for n, a in enumerate(articles, start=1))
        )
        validate_text(text)
        return cls(
            title=title,
            preamble=preamble,
            articles=[{"id": a.id, "text": a.text} for a in text.articles],
            territory_id=territory_id,
            **cause.fields(),
        )

    @event(Drafted)
    def __init__(
        self,
        *,
        title: str,
        preamble: str,
        articles: list[dict[str, Any]],
        territory_id: UUID | None,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.territory_id = territory_id
        self.drafted_by = actor
        self.draft_text: CharterText | None = CharterText(
            title, preamble, tuple(Article(int(a["id"]), str(a["text"])) for a in articles)
        )
        self.next_article_id = len(articles) + 1
        self.versions: list[CharterText] = []  # version n is versions[n - 1]
        self.adoptions: list[tuple[datetime, UUID]] = []  # when and by which decision
        self.amendments: dict[UUID, Amendment] = {}
        self.signings: list[Signing] = []
        self._standing: dict[str, int] = {}  # organisation id -> its standing signing's index

    @property
    def latest_version(self) -> int:
        """The number of the version in force (0: none adopted yet)."""
        return len(self.versions)

    @property
    def draft_version(self) -> int | None:
        """The number the open draft will take, or None when no draft is open."""
        return None if self.draft_text is None else self.latest_version + 1

    def version_text(self, number: int) -> CharterText:
        """Version `number` as adopted (not `version`: the library's event count has that name)."""
        if not 1 <= number <= self.latest_version:
            raise UnknownVersion(f"the charter has no version {number}")
        return self.versions[number - 1]

    def diff(self, from_version: int, to_version: int | None = None) -> VersionDiff:
        """Per-article diff from an adopted version to another, or to the open draft (None)."""
        old = self.version_text(from_version)
        new = self._open_draft() if to_version is None else self.version_text(to_version)
        return {"from_version": from_version, "to_version": to_version, **diff_texts(old, new)}

    def _open_draft(self) -> CharterText:
        if self.draft_text is None:
            raise NoDraftOpen(f"version {self.latest_version} is adopted and no draft is open")
        return self.draft_text

    # -- amendments ----------------------------------------------------------------------------

    def propose_amendment(self, *, change: Change, rationale: str, cause: Cause) -> UUID:
        """Propose a change to the open draft; the proposer is the cause's actor. Returns its id."""
        draft = self._open_draft()
        check_text(
            rationale, what="the rationale", max_length=RATIONALE_MAX, error=InvalidAmendment
        )
        self._check_change(draft, change)
        amendment_id = uuid4()
        self._amendment_proposed(
            amendment_id=amendment_id,
            version=self.latest_version + 1,
            change=change_as_event(change),
            base_sha256=_base_of(draft, change),
            rationale=rationale,
            **cause.fields(),
        )
        return amendment_id

    def _check_change(self, draft: CharterText, change: Change) -> None:
        if not isinstance(change, RemoveArticle):
            limit = _TEXT_LIMITS[change.KIND]
            check_text(change.text, what="the new text", max_length=limit, error=InvalidAmendment)
        match change:
            case AddArticle(before_article_id=before) if before is not None:
                self._check_article(draft, before)
            case ReplaceArticle(article_id=article_id) | RemoveArticle(article_id=article_id):
                self._check_article(draft, article_id)
        if apply_change(draft, change, new_article_id=self.next_article_id) == draft:
            raise InvalidAmendment("the amendment changes nothing")
        self._check_count(draft, change)

    @staticmethod
    def _check_article(draft: CharterText, article_id: int) -> None:
        if draft.article(article_id) is None:
            raise UnknownArticle(f"the draft has no article with id {article_id}")

    @staticmethod
    def _check_count(draft: CharterText, change: Change) -> None:
        if isinstance(change, AddArticle) and len(draft.articles) >= ARTICLES_MAX:
            raise ArticleLimit(f"the draft already has {ARTICLES_MAX} articles")
        if isinstance(change, RemoveArticle) and len(draft.articles) <= 1:
            raise ArticleLimit("a charter keeps at least one article")

    @event(AmendmentProposed)
    def _amendment_proposed(
        self,
        timestamp: datetime | None = None,
        *,
        amendment_id: UUID,
        version: int,
        change: dict[str, Any],
        base_sha256: str | None,
        rationale: str,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.amendments[amendment_id] = Amendment(
            id=amendment_id,
            version=version,
            change=change_from_event(change),
            base_sha256=base_sha256,
            rationale=rationale,
            proposer=actor,
            proposed_at=event_time(timestamp),
        )

    def amendment(self, amendment_id: UUID) -> Amendment:
        """The amendment with this id."""
        try:
            return self.amendments[amendment_id]
        except KeyError:
            raise UnknownAmendment(f"no amendment {amendment_id} to this charter") from None

    @property
    def pending_amendments(self) -> list[Amendment]:
        """The amendments awaiting a decision, in the order they were proposed."""
        return [a for a in self.amendments.values() if a.status is AmendmentStatus.PENDING]

    def accept_amendment(self, *, amendment_id: UUID, decision_id: UUID, cause: Cause) -> None:
        """Accept by the committee decision `decision_id`: the change is made to the draft."""
        amendment = self._pending(amendment_id)
        draft = self._open_draft()
        _check_base(draft, amendment)
        self._check_count(draft, amendment.change)
        match amendment.change:
            case AddArticle():
                article_id: int | None = self.next_article_id
            case ReplaceArticle(article_id=article_id) | RemoveArticle(article_id=article_id):
                pass
            case _:
                article_id = None
        self._amendment_accepted(
            amendment_id=amendment_id,
            decision_id=decision_id,
            article_id=article_id,
            **cause.fields(),
        )

    @event(AmendmentAccepted)
    def _amendment_accepted(
        self,
        timestamp: datetime | None = None,
        *,
        amendment_id: UUID,
        decision_id: UUID,
        article_id: int | None,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        amendment = self.amendments[amendment_id]
        assert self.draft_text is not None
        if isinstance(amendment.change, AddArticle):
            assert article_id is not None, "an accepted addition names the article's new id"
            self.next_article_id = article_id + 1
        self.draft_text = apply_change(self.draft_text, amendment.change, new_article_id=article_id)
        self.amendments[amendment_id] = replace(
            amendment,
            status=AmendmentStatus.ACCEPTED,
            decision_id=decision_id,
            decided_at=event_time(timestamp),
            article_id=article_id,
        )

    def reject_amendment(self, *, amendment_id: UUID, decision_id: UUID, cause: Cause) -> None:
        """Reject by the committee decision `decision_id`; the draft is unchanged."""
        self._pending(amendment_id)
        self._amendment_rejected(
            amendment_id=amendment_id, decision_id=decision_id, **cause.fields()
        )

    @event(AmendmentRejected)
    def _amendment_rejected(
        self,
        timestamp: datetime | None = None,
        *,
        amendment_id: UUID,
        decision_id: UUID,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.amendments[amendment_id] = replace(
            self.amendments[amendment_id],
            status=AmendmentStatus.REJECTED,
            decision_id=decision_id,
            decided_at=event_time(timestamp),
        )

    def _pending(self, amendment_id: UUID) -> Amendment:
        amendment = self.amendment(amendment_id)
        if amendment.status is not AmendmentStatus.PENDING:
            raise AmendmentAlreadyDecided(
                f"the amendment was already {amendment.status} by decision {amendment.decision_id}"
            )
        return amendment

    # -- adoption and revision -----------------------------------------------------------------

    def adopt(self, *, decision_id: UUID, cause: Cause) -> int:
        """Adopt the open draft by the decision `decision_id`, freezing it as the next version."""
        draft = self._open_draft()
        if self.pending_amendments:
            raise AmendmentsPending(f"{len(self.pending_amendments)} amendment(s) await a decision")
        if self.versions and draft == self.versions[-1]:
            raise NothingToAdopt(f"the draft is version {self.latest_version} unchanged")
        version = self.latest_version + 1
        self._adopted(
            version=version, decision_id=decision_id, sha256=draft.digest(), **cause.fields()
        )
        return version

    @event(Adopted)
    def _adopted(
        self,
        timestamp: datetime | None = None,
        *,
        version: int,
        decision_id: UUID,
        sha256: str,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        assert self.draft_text is not None
        self.versions.append(self.draft_text)
        self.adoptions.append((event_time(timestamp), decision_id))
        self.draft_text = None

    def open_revision(self, *, cause: Cause) -> int:
        """Open the next draft, starting from the version in force; returns its future number."""
        if self.draft_text is not None:
            raise DraftAlreadyOpen(f"the draft of version {self.draft_version} is open")
        version = self.latest_version + 1
        self._revision_opened(version=version, **cause.fields())
        return version

    @event(RevisionOpened)
    def _revision_opened(
        self, *, version: int, actor: str, correlation_id: str, reason: str | None
    ) -> None:
        self.draft_text = self.versions[-1]

    # -- signatories ---------------------------------------------------------------------------

    def sign(self, *, organisation: Organisation, commitments: str, cause: Cause) -> None:
        """The organisation signs the version in force with its commitments, once at a time."""
        check_text(
            organisation.id, what="the organisation's id", max_length=ID_MAX, error=InvalidSignatory
        )
        check_text(
            organisation.name,
            what="the organisation's name",
            max_length=NAME_MAX,
            error=InvalidSignatory,
        )
        check_text(
            commitments, what="the commitments", max_length=COMMITMENTS_MAX, error=InvalidSignatory
        )
        try:
            kind = OrganisationKind(organisation.kind)
        except ValueError:
            kinds = ", ".join(OrganisationKind)
            raise InvalidSignatory(f"the organisation's kind is one of {kinds}") from None
        if not self.versions:
            raise NotAdopted("the charter has no adopted version to sign yet")
        if organisation.id in self._standing:
            raise AlreadySignatory(f"{organisation.name} has already signed the charter")
        self._signed(
            organisation_id=organisation.id,
            name=organisation.name,
            kind=kind.value,
            commitments=commitments,
            version=self.latest_version,
            directory_id=organisation.directory_id,
            **cause.fields(),
        )

    @event(Signed)
    def _signed(
        self,
        timestamp: datetime | None = None,
        *,
        organisation_id: str,
        name: str,
        kind: str,
        commitments: str,
        version: int,
        directory_id: UUID | None,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self._standing[organisation_id] = len(self.signings)
        self.signings.append(
            Signing(
                organisation=Organisation(
                    organisation_id, name, OrganisationKind(kind), directory_id
                ),
                commitments=commitments,
                version=version,
                signed_at=event_time(timestamp),
            )
        )

    def withdraw_signature(self, *, organisation_id: str, cause: Cause) -> None:
        """The organisation withdraws its standing signature, saying why."""
        if organisation_id not in self._standing:
            raise NotSignatory("the organisation has no standing signature on the charter")
        if cause.reason is None:
            raise ReasonRequired("withdrawing a signature needs a reason")
        self._signature_withdrawn(organisation_id=organisation_id, **cause.fields())

    @event(SignatureWithdrawn)
    def _signature_withdrawn(
        self,
        timestamp: datetime | None = None,
        *,
        organisation_id: str,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        index = self._standing.pop(organisation_id)
        self.signings[index] = replace(
            self.signings[index], withdrawn_at=event_time(timestamp), withdrawal_reason=reason
        )

    @property
    def signatories(self) -> list[Signing]:
        """The signatures standing now, in the order they were given."""
        return [self.signings[i] for i in sorted(self._standing.values())]

    def signatories_on(self, when: datetime) -> list[Signing]:
        """The signatures that stood at `when` (an aware date), in the order they were given."""
        return standing_on(self.signings, when)
