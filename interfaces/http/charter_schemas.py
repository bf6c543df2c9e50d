"""The wire shapes of `/charters`, refusing unknown fields; an amendment's change is tagged by
its `kind`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from domain.charter import (
    ARTICLE_MAX,
    ARTICLES_MAX,
    COMMITMENTS_MAX,
    NAME_MAX,
    PREAMBLE_MAX,
    RATIONALE_MAX,
    TITLE_MAX,
    AddArticle,
    Change,
    InvalidSignatory,
    Organisation,
    OrganisationKind,
    RemoveArticle,
    ReplaceArticle,
    ReplacePreamble,
    ReplaceTitle,
)
from domain.events import ID_MAX
from interfaces.http.schemas import Reason, Request

Title = Annotated[str, msgspec.Meta(min_length=1, max_length=TITLE_MAX)]
Preamble = Annotated[str, msgspec.Meta(min_length=1, max_length=PREAMBLE_MAX)]
ArticleText = Annotated[str, msgspec.Meta(min_length=1, max_length=ARTICLE_MAX)]
ArticleId = Annotated[int, msgspec.Meta(ge=1, description="an article's stable id")]


class DraftCharter(Request):
    """A new charter: its title, preamble and articles (numbered, and given ids, 1..n)."""

    title: Title
    preamble: Preamble
    articles: Annotated[list[ArticleText], msgspec.Meta(min_length=1, max_length=ARTICLES_MAX)]
    territory_id: UUID | None = None  # default: the platform's territory, if it has one only


class AddArticleIn(Request, tag_field="kind", tag="add"):
    """Add an article before the article `before_article_id`, or at the end."""

    text: ArticleText
    before_article_id: ArticleId | None = None

    def as_change(self) -> Change:
        """The domain's change."""
        return AddArticle(self.text, self.before_article_id)


class ReplaceArticleIn(Request, tag_field="kind", tag="replace"):
    """Give an article a new text."""

    article_id: ArticleId
    text: ArticleText

    def as_change(self) -> Change:
        """The domain's change."""
        return ReplaceArticle(self.article_id, self.text)


class RemoveArticleIn(Request, tag_field="kind", tag="remove"):
    """Remove an article."""

    article_id: ArticleId

    def as_change(self) -> Change:
        """The domain's change."""
        return RemoveArticle(self.article_id)


class ReplacePreambleIn(Request, tag_field="kind", tag="preamble"):
    """Give the preamble a new text."""

    text: Preamble

    def as_change(self) -> Change:
        """The domain's change."""
        return ReplacePreamble(self.text)


class ReplaceTitleIn(Request, tag_field="kind", tag="title"):
    """Give the charter a new title."""

    text: Title

    def as_change(self) -> Change:
        """The domain's change."""
        return ReplaceTitle(self.text)


ChangeIn = AddArticleIn | ReplaceArticleIn | RemoveArticleIn | ReplacePreambleIn | ReplaceTitleIn


class ProposeAmendment(Request):
    """An amendment to the open draft, and why."""

    change: ChangeIn
    rationale: Annotated[str, msgspec.Meta(min_length=1, max_length=RATIONALE_MAX)]


class AmendmentDecision(Request):
    """Accept or reject an amendment, citing the committee decision that answered it."""

    accepted: bool
    decision_id: UUID


class Adoption(Request):
    """Adopt the open draft, citing the committee decision (adopted) that approved it."""

    decision_id: UUID


class Sign(Request):
    """An organisation signs the version in force, with its commitments: one of the actors'
    directory (`directory_id`: its name and kind are the directory's), or one named here
    (`organisation_id`, `name` and `kind`, e.g. by its SIREN)."""

    commitments: Annotated[str, msgspec.Meta(min_length=1, max_length=COMMITMENTS_MAX)]
    directory_id: UUID | None = None
    organisation_id: Annotated[str, msgspec.Meta(min_length=1, max_length=ID_MAX)] | None = None
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=NAME_MAX)] | None = None
    kind: OrganisationKind | None = None

    def signatory(self) -> Organisation | UUID:
        """The directory's id, or the organisation named; `InvalidSignatory` unless one of the
        two is given in full."""
        named = (self.organisation_id, self.name, self.kind)
        if self.directory_id is not None:
            if any(f is not None for f in named):
                raise InvalidSignatory(
                    "name the organisation by its directory_id, or by organisation_id, name "
                    "and kind, not both"
                )
            return self.directory_id
        if self.organisation_id is None or self.name is None or self.kind is None:
            raise InvalidSignatory(
                "name the organisation by its directory_id, or by organisation_id, name and kind"
            )
        return Organisation(self.organisation_id, self.name, self.kind)


class Withdrawal(Request):
    """Why the organisation withdraws its signature."""

    reason: Reason


class VersionSummary(msgspec.Struct, frozen=True):
    """An adopted version: when, by which decision, and the SHA-256 sealing its text."""

    version: int
    adopted_at: datetime
    decision_id: UUID
    sha256: str


class VersionOut(VersionSummary, frozen=True):
    """An adopted version with its text: title, preamble and articles by id and number."""

    text: dict[str, Any]


class CharterSummary(msgspec.Struct, frozen=True):
    """A charter in a list: draft (no version yet), adopted, or under revision."""

    id: UUID
    position: int
    title: str
    status: str
    latest_version: int
    draft_version: int | None
    drafted_by: str
    drafted_at: datetime
    version: int
    updated_at: datetime
    territory_id: UUID | None = None  # the territory it belongs to

    @classmethod
    def from_view(cls, row: dict[str, Any]) -> CharterSummary:
        """Build from a charters row."""
        return cls(**{f: row[f] for f in cls.__struct_fields__})


class CharterOut(CharterSummary, frozen=True):
    """A charter with its open draft's text (null when none is open) and adopted versions."""

    draft: dict[str, Any] | None = None
    versions: list[VersionSummary] = []

    @classmethod
    def from_view(cls, row: dict[str, Any]) -> CharterOut:
        """Build from a charters row read with its versions."""
        fields = {f: row[f] for f in cls.__struct_fields__ if f != "versions"}
        return cls(**fields, versions=[VersionSummary(**v) for v in row["versions"]])


class CharterList(msgspec.Struct, frozen=True):
    """A page of charters; `next` is the cursor to pass as `after`."""

    items: list[CharterSummary]
    next: int | None


class DiffOut(msgspec.Struct, frozen=True):
    """Per-article diff from `from_version` to `to_version` (null: the open draft)."""

    from_version: int
    to_version: int | None
    title: dict[str, Any]
    preamble: dict[str, Any]
    articles: list[dict[str, Any]]


class AmendmentOut(msgspec.Struct, frozen=True):
    """An amendment, its base, and once decided by which decision (and the article touched)."""

    amendment_id: UUID
    charter_id: UUID
    position: int
    version: int
    change: dict[str, Any]
    base_sha256: str | None
    proposer: str
    rationale: str
    status: str
    decision_id: UUID | None
    article_id: int | None
    proposed_at: datetime
    decided_at: datetime | None


class AmendmentList(msgspec.Struct, frozen=True):
    """The charter's amendments in the order proposed."""

    items: list[AmendmentOut]


class SignatoryOut(msgspec.Struct, frozen=True):
    """One signature: the organisation, its commitments, the version signed, and when."""

    organisation_id: str
    name: str
    kind: str
    commitments: str
    version: int
    signed_at: datetime
    withdrawn_at: datetime | None
    withdrawal_reason: str | None
    directory_id: UUID | None = None  # the organisation in the actors' directory, if there

    @classmethod
    def from_view(cls, row: dict[str, Any]) -> SignatoryOut:
        """Build from a charter_signatures row."""
        return cls(**{f: row[f] for f in cls.__struct_fields__})


class SignatoryList(msgspec.Struct, frozen=True):
    """The signatures standing at `as_of`, in the order given."""

    as_of: datetime
    items: list[SignatoryOut]
