"""The participatory charter by its events: drafting, amendments and their decisions, adoption of
numbered versions, revision, and the organisations that sign it, as of any date."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from unittest.mock import patch
from uuid import UUID, uuid4

import pytest
from eventsourcing.application import Application
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.charter import (
    ARTICLES_MAX,
    AddArticle,
    AlreadySignatory,
    AmendmentAlreadyDecided,
    AmendmentOutdated,
    AmendmentsPending,
    AmendmentStatus,
    ArticleLimit,
    Change,
    Charter,
    DraftAlreadyOpen,
    InvalidAmendment,
    InvalidCharter,
    InvalidSignatory,
    NoDraftOpen,
    NotAdopted,
    NothingToAdopt,
    NotSignatory,
    Organisation,
    OrganisationKind,
    RemoveArticle,
    ReplaceArticle,
    ReplacePreamble,
    ReplaceTitle,
    UnknownAmendment,
    UnknownArticle,
    UnknownVersion,
)
from domain.charter_diff import Article, CharterText, apply_diff, fingerprint
from domain.errors import ReasonRequired
from domain.events import Cause, CivicAggregate

from .given import NOW, assert_caused_by, drained, only_event, refused

DRAFTER = Cause(actor="account:clerk", correlation_id="corr-draft")
PROPOSER = Cause(actor="account:alice", correlation_id="corr-propose")
COMMITTEE = Cause(actor="system:committee", correlation_id="corr-decide", reason="sitting of May")
REVISION = Cause(actor="account:clerk", correlation_id="corr-revise", reason="yearly review")
ORGANISATION = Cause(actor="account:asso", correlation_id="corr-sign")
LEAVING = Cause(actor="account:asso", correlation_id="corr-leave", reason="we merged")

TITLE = "Charte de la participation citoyenne"
PREAMBLE = "La ville et ses habitants s'engagent ensemble."
ARTICLES = [
    "Les habitants sont consultés sur les projets qui les concernent.",
    "Le budget participatif est public.",
    "La charte est révisée chaque année.",
]
VERDURE = Organisation("siren:123456789", "Verdure et Quartiers", OrganisationKind.ASSOCIATION)
MAIRIE = Organisation("siren:217500016", "Mairie", OrganisationKind.PUBLIC_BODY)


def drafted(articles: list[str] = ARTICLES) -> Charter:
    """A charter drafted by the clerk, articles 1..3, not yet adopted."""
    return drained(Charter.draft(title=TITLE, preamble=PREAMBLE, articles=articles, cause=DRAFTER))


def proposed(charter: Charter, change: Change) -> UUID:
    """Alice's amendment to the open draft, left pending."""
    amendment_id = charter.propose_amendment(change=change, rationale="Plus clair.", cause=PROPOSER)
    drained(charter)
    return amendment_id


def accepted(charter: Charter, change: Change) -> UUID:
    """An amendment proposed and accepted by a committee decision."""
    amendment_id = proposed(charter, change)
    charter.accept_amendment(amendment_id=amendment_id, decision_id=uuid4(), cause=COMMITTEE)
    drained(charter)
    return amendment_id


def adopted(charter: Charter | None = None) -> Charter:
    """The charter (by default a fresh draft) adopted as its next version."""
    charter = charter or drafted()
    charter.adopt(decision_id=uuid4(), cause=COMMITTEE)
    return drained(charter)


def revising(charter: Charter | None = None) -> Charter:
    """An adopted charter with a revision open."""
    charter = charter or adopted()
    charter.open_revision(cause=REVISION)
    return drained(charter)


def numbered(text: CharterText) -> list[tuple[int, str]]:
    """The articles of a text as (id, text), in display order."""
    return [(a.id, a.text) for a in text.articles]


class TestDrafting:
    def test_records_the_text_with_stable_article_ids(self) -> None:
        """Articles get ids 1..n; the draft will be version 1."""
        charter = Charter.draft(title=TITLE, preamble=PREAMBLE, articles=ARTICLES, cause=DRAFTER)
        event = only_event(charter, Charter.Drafted)
        assert_caused_by(event, DRAFTER)
        assert (event.title, event.preamble) == (TITLE, PREAMBLE)
        assert event.articles == [{"id": n, "text": t} for n, t in enumerate(ARTICLES, start=1)]
        assert charter.draft_version == 1
        assert charter.latest_version == 0

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"title": "x" * 201}, "title must have 1 to 200"),
            ({"preamble": "  "}, "preamble must have 1 to 20000"),
            ({"preamble": "x" * 20_001}, "preamble must have 1 to 20000"),
            ({"articles": []}, "1 to 200 articles"),
            ({"articles": ["x"] * 201}, "1 to 200 articles"),
            ({"articles": ["ok", "x" * 20_001]}, "each article must have"),
            ({"articles": ["bell\x07"]}, "control characters"),
        ],
    )
    def test_refuses_a_text_that_cannot_make_a_charter(
        self, fields: dict[str, Any], message: str
    ) -> None:
        """Each limit is enforced with a message that names it."""
        arguments: dict[str, Any] = {"title": TITLE, "preamble": PREAMBLE, "articles": ARTICLES}
        with pytest.raises(InvalidCharter, match=message):
            Charter.draft(**{**arguments, **fields}, cause=DRAFTER)

    def test_two_hundred_articles_are_allowed(self) -> None:
        """The limit is inclusive."""
        draft = drafted(["x"] * ARTICLES_MAX).draft_text
        assert draft is not None
        assert len(draft.articles) == ARTICLES_MAX


class TestProposing:
    def test_records_the_proposer_rationale_change_and_base(self) -> None:
        """The proposer is the actor; the base is the replaced text's SHA-256; it is pending."""
        charter = drafted()
        amendment_id = charter.propose_amendment(
            change=ReplaceArticle(2, "Le budget est public et annuel."),
            rationale="Préciser la périodicité.",
            cause=PROPOSER,
        )
        event = only_event(charter, Charter.AmendmentProposed)
        assert_caused_by(event, PROPOSER)
        assert event.amendment_id == amendment_id
        assert event.version == 1
        assert event.change == {
            "kind": "replace",
            "article_id": 2,
            "text": "Le budget est public et annuel.",
        }
        assert event.rationale == "Préciser la périodicité."
        assert event.base_sha256 == fingerprint(ARTICLES[1])
        amendment = charter.amendment(amendment_id)
        assert (amendment.status, amendment.proposer) == (AmendmentStatus.PENDING, "account:alice")
        assert charter.pending_amendments == [amendment]

    @pytest.mark.parametrize(
        ("change", "rationale", "error"),
        [
            (ReplaceArticle(2, "Nouveau."), " ", InvalidAmendment),
            (ReplaceArticle(2, "Nouveau."), "x" * 2_001, InvalidAmendment),
            (ReplaceArticle(2, ARTICLES[1]), "Pareil.", InvalidAmendment),
            (ReplaceArticle(2, "x" * 20_001), "Long.", InvalidAmendment),
            (ReplaceTitle("x" * 201), "Long.", InvalidAmendment),
            (ReplacePreamble(PREAMBLE), "Pareil.", InvalidAmendment),
            (ReplaceArticle(9, "Nouveau."), "Quel article ?", UnknownArticle),
            (RemoveArticle(9), "Quel article ?", UnknownArticle),
            (AddArticle("Nouveau.", before_article_id=9), "Où ?", UnknownArticle),
        ],
    )
    def test_refuses_an_amendment_that_cannot_be_made(
        self, change: Change, rationale: str, error: type[InvalidAmendment]
    ) -> None:
        """No rationale, a text too long, no change at all, or an unknown article: refused."""
        charter = drafted()
        with refused(error, charter):
            charter.propose_amendment(change=change, rationale=rationale, cause=PROPOSER)

    def test_no_addition_beyond_two_hundred_articles(self) -> None:
        """A full draft refuses a proposed addition."""
        charter = drafted(["x"] * ARTICLES_MAX)
        with refused(ArticleLimit, charter):
            charter.propose_amendment(
                change=AddArticle("y"), rationale="Un de plus.", cause=PROPOSER
            )

    def test_the_last_article_cannot_be_removed(self) -> None:
        """A charter keeps at least one article."""
        charter = drafted(["Seul."])
        with refused(ArticleLimit, charter):
            charter.propose_amendment(change=RemoveArticle(1), rationale="Vide.", cause=PROPOSER)

    def test_no_amendment_once_adopted_until_a_revision_opens(self) -> None:
        """Amendments are made to an open draft only."""
        charter = adopted()
        with refused(NoDraftOpen, charter):
            charter.propose_amendment(change=RemoveArticle(3), rationale="Inutile.", cause=PROPOSER)
        revising(charter)
        proposed(charter, RemoveArticle(3))
        assert charter.pending_amendments[0].version == 2


class TestDeciding:
    def test_accepting_replaces_the_article_and_records_the_decision(self) -> None:
        """The accepted text replaces the article, which keeps its id and number."""
        charter = drafted()
        amendment_id = proposed(charter, ReplaceArticle(2, "Le budget est public et annuel."))
        decision_id = uuid4()
        charter.accept_amendment(
            amendment_id=amendment_id, decision_id=decision_id, cause=COMMITTEE
        )
        event = only_event(charter, Charter.AmendmentAccepted)
        assert_caused_by(event, COMMITTEE)
        assert (event.amendment_id, event.decision_id, event.article_id) == (
            amendment_id,
            decision_id,
            2,
        )
        assert charter.draft_text is not None
        assert numbered(charter.draft_text)[1] == (2, "Le budget est public et annuel.")
        amendment = charter.amendment(amendment_id)
        assert (amendment.status, amendment.decision_id) == (AmendmentStatus.ACCEPTED, decision_id)
        assert amendment.decided_at is not None
        assert charter.pending_amendments == []

    def test_an_addition_goes_at_the_end_with_the_next_id(self) -> None:
        """Appended as article 4, id 4."""
        charter = drafted()
        accepted(charter, AddArticle("Un comité suit la charte."))
        assert charter.draft_text is not None
        assert numbered(charter.draft_text)[3] == (4, "Un comité suit la charte.")

    def test_an_insertion_renumbers_the_following_articles(self) -> None:
        """Inserted before article id 2, it becomes article 2; ids 2 and 3 become 3 and 4."""
        charter = drafted()
        amendment_id = proposed(charter, AddArticle("Un comité.", before_article_id=2))
        charter.accept_amendment(amendment_id=amendment_id, decision_id=uuid4(), cause=COMMITTEE)
        assert only_event(charter, Charter.AmendmentAccepted).article_id == 4
        assert charter.draft_text is not None
        assert [a.id for a in charter.draft_text.articles] == [1, 4, 2, 3]
        assert charter.draft_text.number_of(3) == 4

    def test_ids_are_never_reused_after_a_removal(self) -> None:
        """Remove id 3, add one: it takes id 4, not 3."""
        charter = drafted()
        accepted(charter, RemoveArticle(3))
        accepted(charter, AddArticle("Nouveau."))
        assert charter.draft_text is not None
        assert [a.id for a in charter.draft_text.articles] == [1, 2, 4]

    def test_title_and_preamble_are_amended_too(self) -> None:
        """Title and preamble change by amendment like articles."""
        charter = drafted()
        accepted(charter, ReplaceTitle("Charte participative"))
        accepted(charter, ReplacePreamble("Ensemble."))
        assert charter.draft_text is not None
        assert (charter.draft_text.title, charter.draft_text.preamble) == (
            "Charte participative",
            "Ensemble.",
        )

    def test_rejecting_leaves_the_draft_and_records_the_decision(self) -> None:
        """A rejected amendment changes nothing but its own status."""
        charter = drafted()
        before = charter.draft_text
        amendment_id = proposed(charter, RemoveArticle(1))
        decision_id = uuid4()
        charter.reject_amendment(
            amendment_id=amendment_id, decision_id=decision_id, cause=COMMITTEE
        )
        event = only_event(charter, Charter.AmendmentRejected)
        assert (event.amendment_id, event.decision_id) == (amendment_id, decision_id)
        assert charter.draft_text == before
        assert charter.amendment(amendment_id).status is AmendmentStatus.REJECTED

    @pytest.mark.parametrize("first", ["accept", "reject"])
    @pytest.mark.parametrize("second", ["accept", "reject"])
    def test_an_amendment_is_decided_once(self, first: str, second: str) -> None:
        """Accepted or rejected, a second decision is refused."""
        charter = drafted()
        amendment_id = proposed(charter, ReplaceArticle(1, "Autre."))
        getattr(charter, f"{first}_amendment")(
            amendment_id=amendment_id, decision_id=uuid4(), cause=COMMITTEE
        )
        with refused(AmendmentAlreadyDecided, charter):
            getattr(charter, f"{second}_amendment")(
                amendment_id=amendment_id, decision_id=uuid4(), cause=COMMITTEE
            )

    def test_an_unknown_amendment_is_refused(self) -> None:
        """Deciding an id that was never proposed."""
        charter = drafted()
        with refused(UnknownAmendment, charter):
            charter.accept_amendment(amendment_id=uuid4(), decision_id=uuid4(), cause=COMMITTEE)


class TestOutdatedAmendments:
    def test_a_replacement_of_an_article_changed_since_is_refused(self) -> None:
        """Two amendments to article 2: once one is accepted, the other is outdated."""
        charter = drafted()
        first = proposed(charter, ReplaceArticle(2, "Le budget est public."))
        second = proposed(charter, ReplaceArticle(2, "Le budget est secret."))
        other = proposed(charter, ReplaceArticle(3, "La charte est révisée tous les deux ans."))
        charter.accept_amendment(amendment_id=first, decision_id=uuid4(), cause=COMMITTEE)
        with refused(AmendmentOutdated, charter):
            charter.accept_amendment(amendment_id=second, decision_id=uuid4(), cause=COMMITTEE)
        charter.accept_amendment(amendment_id=other, decision_id=uuid4(), cause=COMMITTEE)
        charter.reject_amendment(amendment_id=second, decision_id=uuid4(), cause=COMMITTEE)
        assert charter.pending_amendments == []

    def test_a_change_to_a_removed_article_is_refused(self) -> None:
        """Removed, then a replacement of it comes up for acceptance: outdated."""
        charter = drafted()
        replacement = proposed(charter, ReplaceArticle(2, "Autre."))
        accepted(charter, RemoveArticle(2))
        with refused(AmendmentOutdated, charter):
            charter.accept_amendment(amendment_id=replacement, decision_id=uuid4(), cause=COMMITTEE)

    def test_an_insertion_before_a_removed_article_is_refused(self) -> None:
        """The article it was to go before is gone: where it goes is no longer known."""
        charter = drafted()
        insertion = proposed(charter, AddArticle("Nouveau.", before_article_id=3))
        accepted(charter, RemoveArticle(3))
        with refused(AmendmentOutdated, charter):
            charter.accept_amendment(amendment_id=insertion, decision_id=uuid4(), cause=COMMITTEE)

    def test_a_preamble_amended_since_is_refused(self) -> None:
        """The same base check holds for the preamble."""
        charter = drafted()
        late = proposed(charter, ReplacePreamble("Nous, habitants."))
        accepted(charter, ReplacePreamble("Nous, la ville."))
        with refused(AmendmentOutdated, charter):
            charter.accept_amendment(amendment_id=late, decision_id=uuid4(), cause=COMMITTEE)

    def test_additions_in_any_order_are_still_acceptable(self) -> None:
        """Two additions at the end and one before id 2: all accepted, in decision order."""
        charter = drafted()
        first = proposed(charter, AddArticle("A."))
        second = proposed(charter, AddArticle("B."))
        third = proposed(charter, AddArticle("C.", before_article_id=2))
        for amendment_id in (second, first, third):
            charter.accept_amendment(
                amendment_id=amendment_id, decision_id=uuid4(), cause=COMMITTEE
            )
        assert charter.draft_text is not None
        assert [a.text for a in charter.draft_text.articles][1:] == [
            "C.",
            ARTICLES[1],
            ARTICLES[2],
            "B.",
            "A.",
        ]

    def test_removals_that_would_empty_the_charter_are_refused_at_acceptance(self) -> None:
        """Two removals proposed on a two-article draft: the second cannot be accepted."""
        charter = drafted(["Un.", "Deux."])
        first = proposed(charter, RemoveArticle(1))
        second = proposed(charter, RemoveArticle(2))
        charter.accept_amendment(amendment_id=first, decision_id=uuid4(), cause=COMMITTEE)
        with refused(ArticleLimit, charter):
            charter.accept_amendment(amendment_id=second, decision_id=uuid4(), cause=COMMITTEE)


class TestAdoption:
    def test_adoption_freezes_version_one_sealed_by_its_digest(self) -> None:
        """Version 1 is the draft's text, sealed by its SHA-256; no draft stays open."""
        charter = drafted()
        text = charter.draft_text
        assert text is not None
        decision_id = uuid4()
        assert charter.adopt(decision_id=decision_id, cause=COMMITTEE) == 1
        event = only_event(charter, Charter.Adopted)
        assert_caused_by(event, COMMITTEE)
        assert (event.version, event.decision_id, event.sha256) == (1, decision_id, text.digest())
        assert charter.version_text(1) == text
        assert charter.latest_version == 1
        assert charter.draft_version is None
        assert charter.draft_text is None

    def test_not_while_amendments_are_pending(self) -> None:
        """Every amendment to the draft is decided before it is adopted."""
        charter = drafted()
        proposed(charter, RemoveArticle(1))
        with refused(AmendmentsPending, charter):
            charter.adopt(decision_id=uuid4(), cause=COMMITTEE)

    def test_nothing_to_adopt_without_a_draft(self) -> None:
        """Adopting twice in a row is refused: no draft is open."""
        charter = adopted()
        with refused(NoDraftOpen, charter):
            charter.adopt(decision_id=uuid4(), cause=COMMITTEE)

    def test_a_revision_opens_the_next_draft_from_the_version_in_force(self) -> None:
        """The draft of version 2 starts as version 1."""
        charter = adopted()
        assert charter.open_revision(cause=REVISION) == 2
        event = only_event(charter, Charter.RevisionOpened)
        assert_caused_by(event, REVISION)
        assert event.version == 2
        assert charter.draft_version == 2
        assert charter.draft_text == charter.version_text(1)

    def test_one_draft_at_a_time(self) -> None:
        """A revision is not opened while a draft is open."""
        for charter in (drafted(), revising()):
            with refused(DraftAlreadyOpen, charter):
                charter.open_revision(cause=REVISION)

    def test_an_unchanged_revision_is_not_adopted(self) -> None:
        """Version 2 must differ from version 1."""
        charter = revising()
        with refused(NothingToAdopt, charter):
            charter.adopt(decision_id=uuid4(), cause=COMMITTEE)

    def test_adopted_versions_never_change(self) -> None:
        """Amending and adopting version 2 leaves version 1 as it was adopted."""
        charter = adopted()
        version_1 = charter.version_text(1)
        revising(charter)
        accepted(charter, ReplaceArticle(1, "Tout projet est soumis à consultation."))
        accepted(charter, RemoveArticle(2))
        assert charter.version_text(1) == version_1
        adopted(charter)
        assert charter.version_text(1) == version_1
        assert numbered(charter.version_text(2)) == [
            (1, "Tout projet est soumis à consultation."),
            (3, ARTICLES[2]),
        ]

    @pytest.mark.parametrize("number", [0, 2, -1])
    def test_an_unknown_version_is_refused(self, number: int) -> None:
        """Only adopted versions can be read."""
        with pytest.raises(UnknownVersion):
            adopted().version_text(number)


class TestDiff:
    def test_diff_between_versions_one_and_three(self) -> None:
        """Articles added, removed, changed and unchanged across two revisions, by id."""
        charter = adopted()
        revising(charter)
        accepted(charter, AddArticle("Un comité suit la charte.", before_article_id=2))
        adopted(charter)
        revising(charter)
        accepted(charter, RemoveArticle(3))
        accepted(charter, ReplaceArticle(1, "Tout projet est soumis à consultation."))
        adopted(charter)
        diff = charter.diff(from_version=1, to_version=3)
        assert (diff["from_version"], diff["to_version"]) == (1, 3)
        assert [
            (a["article_id"], a["status"], a["from_number"], a["to_number"])
            for a in diff["articles"]
        ] == [
            (1, "changed", 1, 1),
            (4, "added", None, 2),
            (2, "unchanged", 2, 3),
            (3, "removed", 3, None),
        ]
        assert apply_diff(charter.version_text(1), diff) == charter.version_text(3)

    def test_diff_between_a_version_and_the_open_draft(self) -> None:
        """to_version None: the draft as amended so far."""
        charter = revising()
        accepted(charter, ReplaceTitle("Charte participative"))
        diff = charter.diff(from_version=1)
        assert diff["to_version"] is None
        assert diff["title"]["status"] == "changed"
        assert {a["status"] for a in diff["articles"]} == {"unchanged"}

    def test_no_diff_to_a_draft_that_is_not_open(self) -> None:
        """Without an open draft, only versions can be compared."""
        with pytest.raises(NoDraftOpen):
            adopted().diff(from_version=1)

    def test_no_diff_from_a_version_not_adopted(self) -> None:
        """A draft before version 1 has nothing to be compared with."""
        with pytest.raises(UnknownVersion):
            drafted().diff(from_version=1)


class TestSignatories:
    def test_only_an_adopted_charter_is_signed(self) -> None:
        """A draft has nothing to sign."""
        charter = drafted()
        with refused(NotAdopted, charter):
            charter.sign(organisation=VERDURE, commitments="Relayer.", cause=ORGANISATION)

    def test_signing_records_the_organisation_and_the_version_in_force(self) -> None:
        """Name, kind, commitments, and the latest adopted version, even while revising."""
        charter = revising()
        charter.sign(
            organisation=VERDURE, commitments="Relayer les consultations.", cause=ORGANISATION
        )
        event = only_event(charter, Charter.Signed)
        assert_caused_by(event, ORGANISATION)
        assert (event.organisation_id, event.name, event.kind, event.version) == (
            "siren:123456789",
            "Verdure et Quartiers",
            "association",
            1,
        )
        assert event.commitments == "Relayer les consultations."
        [signing] = charter.signatories
        assert (signing.organisation, signing.version, signing.signed_at) == (
            VERDURE,
            1,
            event.timestamp,
        )

    def test_an_organisation_signs_once_at_a_time(self) -> None:
        """A second signature is refused; after withdrawing it may sign again."""
        charter = adopted()
        charter.sign(organisation=VERDURE, commitments="Relayer.", cause=ORGANISATION)
        with refused(AlreadySignatory, charter):
            charter.sign(organisation=VERDURE, commitments="Encore.", cause=ORGANISATION)
        charter.withdraw_signature(organisation_id=VERDURE.id, cause=LEAVING)
        withdrawal = only_event(charter, Charter.SignatureWithdrawn)
        assert_caused_by(withdrawal, LEAVING)
        assert charter.signatories == []
        charter.sign(organisation=VERDURE, commitments="De retour.", cause=ORGANISATION)
        assert [s.commitments for s in charter.signatories] == ["De retour."]
        assert [s.withdrawal_reason for s in charter.signings] == ["we merged", None]

    def test_withdrawal_needs_a_standing_signature_and_a_reason(self) -> None:
        """Not signed: refused; no reason: refused."""
        charter = adopted()
        with refused(NotSignatory, charter):
            charter.withdraw_signature(organisation_id=VERDURE.id, cause=LEAVING)
        charter.sign(organisation=VERDURE, commitments="Relayer.", cause=ORGANISATION)
        with refused(ReasonRequired, charter):
            charter.withdraw_signature(organisation_id=VERDURE.id, cause=ORGANISATION)

    @pytest.mark.parametrize(
        ("organisation", "commitments"),
        [
            (Organisation("", "Verdure", OrganisationKind.ASSOCIATION), "Relayer."),
            (Organisation("siren:1", "x" * 201, OrganisationKind.ASSOCIATION), "Relayer."),
            # what an untyped caller could send: the type checker rightly objects
            (Organisation("siren:1", "Verdure", "cult"), "Relayer."),  # type: ignore[arg-type]
            (VERDURE, " "),
            (VERDURE, "x" * 20_001),
        ],
    )
    def test_refuses_an_unacceptable_signatory(
        self, organisation: Organisation, commitments: str
    ) -> None:
        """An id, name, kind or commitments out of bounds."""
        charter = adopted()
        with refused(InvalidSignatory, charter):
            charter.sign(organisation=organisation, commitments=commitments, cause=ORGANISATION)

    def test_signatories_as_of_a_date(self) -> None:
        """Before signing: none; from the signing on: listed; from the withdrawal on: gone."""
        with ticking_clock():
            charter = adopted()
            charter.sign(organisation=VERDURE, commitments="Relayer.", cause=ORGANISATION)
            charter.sign(organisation=MAIRIE, commitments="Publier.", cause=ORGANISATION)
            charter.withdraw_signature(organisation_id=VERDURE.id, cause=LEAVING)
        signed, mairie, withdrawn = (e.timestamp for e in charter.collect_events())
        assert signed < mairie < withdrawn

        def on(when: datetime) -> list[str]:
            return [s.organisation.id for s in charter.signatories_on(when)]

        assert on(signed - timedelta(microseconds=1)) == []
        assert on(signed) == [VERDURE.id]
        assert on(mairie) == [VERDURE.id, MAIRIE.id]
        assert on(withdrawn - timedelta(microseconds=1)) == [VERDURE.id, MAIRIE.id]
        assert on(withdrawn) == [MAIRIE.id]
        assert on(withdrawn + timedelta(days=365)) == [MAIRIE.id]

    def test_the_date_must_state_its_time_zone(self) -> None:
        """A naive date is ambiguous: refused."""
        with pytest.raises(InvalidCharter, match="time zone"):
            adopted().signatories_on(NOW.replace(tzinfo=None))


ORGANISATIONS = [
    Organisation(f"org:{n}", f"Organisation {n}", kind) for n, kind in enumerate(OrganisationKind)
]


@contextmanager
def ticking_clock(steps: Iterable[int] = ()) -> Iterator[None]:
    """Events are stamped from NOW on, each `step` minutes after the last (1 when steps run out):
    times the test chooses, ties included, instead of the wall clock's."""
    minutes = iter(steps)
    now = NOW

    def tick() -> datetime:
        nonlocal now
        now += timedelta(minutes=next(minutes, 1))
        return now

    with patch.object(CivicAggregate.Event, "create_timestamp", staticmethod(tick)):
        yield


@settings(max_examples=80, deadline=None)
@given(
    steps=st.lists(st.tuples(st.sampled_from(ORGANISATIONS), st.booleans()), max_size=25),
    ticks=st.lists(st.integers(0, 2), max_size=30),
)
def test_signatories_on_any_date_are_what_a_replay_up_to_it_gives(
    steps: list[tuple[Organisation, bool]], ticks: list[int]
) -> None:
    """At any time, signatories_on lists the organisations whose last event up to that time is a
    signature, in signing order; refusals follow the same model. Events may share a time."""
    signatures: list[Charter.Event] = []
    with ticking_clock(ticks):
        charter = adopted()
        for organisation, signs in steps:
            standing = organisation.id in {s.organisation.id for s in charter.signatories}
            if signs and standing:
                with refused(AlreadySignatory, charter):
                    charter.sign(organisation=organisation, commitments="Oui.", cause=ORGANISATION)
            elif signs:
                charter.sign(organisation=organisation, commitments="Oui.", cause=ORGANISATION)
            elif standing:
                charter.withdraw_signature(organisation_id=organisation.id, cause=LEAVING)
            else:
                with refused(NotSignatory, charter):
                    charter.withdraw_signature(organisation_id=organisation.id, cause=LEAVING)
            signatures.extend(
                e
                for e in charter.collect_events()
                if isinstance(e, Charter.Signed | Charter.SignatureWithdrawn)
            )
    times = sorted({e.timestamp for e in signatures} | {charter.modified_on})
    probes = [t + d for t in times for d in (timedelta(microseconds=-1), timedelta())]
    for when in probes:
        expected: list[str] = []
        for event in signatures:
            if event.timestamp > when:
                break
            if isinstance(event, Charter.Signed):
                expected.append(event.organisation_id)
            else:
                assert isinstance(event, Charter.SignatureWithdrawn)
                expected.remove(event.organisation_id)
        assert [s.organisation.id for s in charter.signatories_on(when)] == expected


CHANGE_KINDS = st.sampled_from(["add", "insert", "replace", "remove", "preamble", "title"])


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_the_diff_of_a_revision_matches_its_accepted_amendments(data: st.DataObject) -> None:
    """Any accepted amendments, then adoption: diff(1, 2) leads from version 1 to version 2, its
    additions are the added ids, its removals the removed ones."""
    charter = revising()
    added: set[int] = set()
    removed: set[int] = set()
    for _ in range(data.draw(st.integers(0, 8))):
        draft = charter.draft_text
        assert draft is not None
        ids = [a.id for a in draft.articles]
        kind = data.draw(CHANGE_KINDS)
        body = data.draw(st.sampled_from(["Un.", "Deux mots.", "Trois mots ici."]))
        change: Change
        if kind == "add" or (kind == "remove" and len(ids) == 1):
            change = AddArticle(body)
        elif kind == "insert":
            change = AddArticle(body, before_article_id=data.draw(st.sampled_from(ids)))
        elif kind == "remove":
            change = RemoveArticle(data.draw(st.sampled_from(ids)))
        elif kind == "replace":
            change = ReplaceArticle(data.draw(st.sampled_from(ids)), body)
        else:
            change = ReplacePreamble(body) if kind == "preamble" else ReplaceTitle(body)
        try:
            amendment_id = accepted(charter, change)
        except InvalidAmendment:  # the same text again: it changes nothing
            continue
        article_id = charter.amendment(amendment_id).article_id
        if isinstance(change, AddArticle):
            assert article_id is not None
            added.add(article_id)
        elif isinstance(change, RemoveArticle):
            assert article_id is not None
            (added if article_id in added else removed).add(article_id)
            added.discard(article_id)
    if charter.draft_text == charter.version_text(1):
        return
    adopted(charter)
    diff = charter.diff(from_version=1, to_version=2)
    assert apply_diff(charter.version_text(1), diff) == charter.version_text(2)
    statuses = {a["article_id"]: a["status"] for a in diff["articles"]}
    assert {i for i, s in statuses.items() if s == "added"} == added
    assert {i for i, s in statuses.items() if s == "removed"} == removed


@pytest.fixture
def application() -> Iterator[Application[UUID]]:
    """An application over the library's in-memory event store."""
    application: Application[UUID] = Application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    yield application
    application.close()


def test_a_charter_rebuilt_from_its_events_has_the_same_state(
    application: Application[UUID],
) -> None:
    """Every event goes through the store's transcoder and replays to the same charter."""
    charter = Charter.draft(title=TITLE, preamble=PREAMBLE, articles=ARTICLES, cause=DRAFTER)
    first = charter.propose_amendment(
        change=AddArticle("Un comité.", before_article_id=2), rationale="Suivi.", cause=PROPOSER
    )
    second = charter.propose_amendment(
        change=RemoveArticle(3), rationale="Inutile.", cause=PROPOSER
    )
    charter.accept_amendment(amendment_id=first, decision_id=uuid4(), cause=COMMITTEE)
    charter.reject_amendment(amendment_id=second, decision_id=uuid4(), cause=COMMITTEE)
    charter.adopt(decision_id=uuid4(), cause=COMMITTEE)
    charter.sign(organisation=VERDURE, commitments="Relayer.", cause=ORGANISATION)
    charter.open_revision(cause=REVISION)
    charter.withdraw_signature(organisation_id=VERDURE.id, cause=LEAVING)
    application.save(charter)

    rebuilt: Charter = application.repository.get(charter.id)

    assert isinstance(rebuilt, Charter)
    assert vars(rebuilt) == vars(charter)
    assert rebuilt.version_text(1).articles[1] == Article(4, "Un comité.")
