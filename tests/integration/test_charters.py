"""Participatory charters through `civic.charters` on a real database: drafted, amended by the
steering committee's decisions (the amendment policy), adopted in numbered versions, signed,
revised and diffed; signatories as of a date; and refusals that leave no trace."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select

from application.errors import CharterNotFound, VersionNotFound
from application.read_models import AMENDMENT_POLICY_ACTOR, CHARTER_AMENDMENT
from application.system import CivicLedger
from application.tables import audit_events
from domain.charter import (
    AddArticle,
    AmendmentAlreadyDecided,
    AmendmentOutdated,
    AmendmentsPending,
    Change,
    Charter,
    InvalidAmendment,
    InvalidCharter,
    NoDraftOpen,
    NotAdopted,
    Organisation,
    OrganisationKind,
    RemoveArticle,
    ReplaceArticle,
    ReplaceTitle,
    UnknownAmendment,
    UnknownVersion,
)
from domain.committee import College, MemberRole, ServesKind
from domain.errors import ReasonRequired
from domain.events import Cause
from domain.majority import Choice, MajorityRule, QuorumRule

Unchanged = Callable[[], AbstractContextManager[None]]
START = date(2030, 1, 1)
DAY = date(2030, 3, 1)
CHAIR, ANA, BEN = "acc-chair", "acc-ana", "acc-ben"
ARTICLES = ["Everyone may take part.", "Meetings are public.", "Minutes are published."]
FOR = {CHAIR: Choice.FOR, ANA: Choice.FOR, BEN: Choice.FOR}
AGAINST = {CHAIR: Choice.AGAINST, ANA: Choice.AGAINST, BEN: Choice.FOR}
ASSO = Organisation("asso-1", "Vélo Grenoble", OrganisationKind.ASSOCIATION)
TOWN = Organisation("town-38185", "Ville de Grenoble", OrganisationKind.PUBLIC_BODY)


def cause(actor: str, reason: str | None = None) -> Cause:
    """A cause with a fresh correlation id."""
    return Cause(actor=actor, correlation_id=str(uuid4()), reason=reason)


def meeting(civic: CivicLedger) -> UUID:
    """An open meeting, with a quorum present, of a committee of three voting members."""
    committee_id = civic.committees.create(
        name="Charter committee",
        serves=ServesKind.TERRITORY,
        serves_name="Grenoble-Alpes",
        colleges=[College("citizens", "Citizens", 3)],
        quorum=QuorumRule(),
        majority=MajorityRule(),
        cause=cause("admin"),
    )
    for member, role in [
        (CHAIR, MemberRole.CHAIR),
        (ANA, MemberRole.MEMBER),
        (BEN, MemberRole.MEMBER),
    ]:
        civic.committees.appoint(
            committee_id,
            member=member,
            college="citizens",
            role=role,
            start=START,
            cause=cause("admin"),
        )
    meeting_id = civic.committees.convene(committee_id, held_on=DAY, agenda=[], cause=cause(CHAIR))
    civic.committees.record_attendance(meeting_id, present=[CHAIR, ANA, BEN], cause=cause(CHAIR))
    return meeting_id


def decide(
    civic: CivicLedger,
    meeting_id: UUID,
    *amendments: UUID,
    votes: dict[str, Choice] = FOR,
    correlation: Cause | None = None,
) -> UUID:
    """Table a motion and decide it by roll call, answering `amendments`; the decision's id."""
    item = civic.committees.table_motion(
        meeting_id, title="On the charter", text=None, cause=cause(ANA)
    )
    return civic.committees.decide(
        meeting_id,
        item=item,
        votes=votes,
        rationale="Debated at length.",
        answers=[{"kind": CHARTER_AMENDMENT, "id": str(a)} for a in amendments],
        cause=correlation or cause(CHAIR),
    )


def draft(civic: CivicLedger) -> UUID:
    """A charter of three articles, drafted by the clerk."""
    return civic.charters.draft(
        title="Charte de la participation",
        preamble="We, the people of the metropolis.",
        articles=ARTICLES,
        cause=cause("acc-clerk"),
    )


def standing(civic: CivicLedger, charter_id: UUID, when: datetime | None = None) -> list[str]:
    """The organisations whose signature stood at `when` (now by default)."""
    rows = civic.charters.signatories(charter_id, as_of=when)
    return [r["organisation_id"] for r in rows]


class TestCharterFlow:
    def test_drafted_amended_by_decisions_adopted_signed_revised_and_diffed(
        self, civic: CivicLedger
    ) -> None:
        """Two amendments, one decision adopted (accepted) and one not (rejected) by the policy;
        adopted as version 1; signed; revised into version 2; the diff pairs articles by id."""
        meeting_id = meeting(civic)
        charter_id = draft(civic)
        replace = civic.charters.propose_amendment(
            charter_id,
            change=ReplaceArticle(2, "Meetings are public and streamed."),
            rationale="Not everyone can come.",
            cause=cause("citizen:ada"),
        )
        add = civic.charters.propose_amendment(
            charter_id,
            change=AddArticle("Children have a say.", before_article_id=1),
            rationale="The youth council asked.",
            cause=cause("citizen:bea"),
        )
        accepting = cause(CHAIR)
        accepted_by = decide(civic, meeting_id, replace, correlation=accepting)
        rejected_by = decide(civic, meeting_id, add, votes=AGAINST)

        amendments = {a["amendment_id"]: a for a in civic.charters.amendments(charter_id)}
        assert amendments[replace]["status"] == "accepted"
        assert amendments[replace]["decision_id"] == accepted_by
        assert amendments[replace]["article_id"] == 2
        assert amendments[replace]["proposer"] == "citizen:ada"
        assert amendments[add]["status"] == "rejected"
        assert amendments[add]["decision_id"] == rejected_by
        assert [a["amendment_id"] for a in civic.charters.amendments(charter_id)] == [replace, add]
        with civic.ledger.engine.connect() as connection:
            decided = connection.execute(
                select(audit_events.c.type, audit_events.c.actor, audit_events.c.correlation_id)
                .where(audit_events.c.aggregate_id == charter_id)
                .where(audit_events.c.type.in_(["Charter.AmendmentAccepted"]))
            ).all()
        assert [tuple(r) for r in decided] == [
            ("Charter.AmendmentAccepted", AMENDMENT_POLICY_ACTOR, accepting.correlation_id)
        ]

        adoption = decide(civic, meeting_id)
        assert civic.charters.adopt(charter_id, decision_id=adoption, cause=cause(CHAIR)) == 1
        view = civic.charters.get(charter_id)
        assert (view["status"], view["latest_version"], view["draft_version"]) == (
            "adopted",
            1,
            None,
        )
        version = civic.charters.version(charter_id, 1)
        assert version["decision_id"] == adoption
        assert [a["text"] for a in version["text"]["articles"]] == [
            ARTICLES[0],
            "Meetings are public and streamed.",
            ARTICLES[2],
        ]
        aggregate: Charter = civic.ledger.repository.get(charter_id)
        assert version["sha256"] == aggregate.version_text(1).digest()
        assert [v["version"] for v in view["versions"]] == [1]

        civic.charters.sign(
            charter_id, organisation=ASSO, commitments="We ride to meetings.", cause=cause("c")
        )
        assert standing(civic, charter_id) == [ASSO.id]

        assert civic.charters.open_revision(charter_id, cause=cause(CHAIR, "yearly review")) == 2
        assert civic.charters.get(charter_id)["status"] == "revision"
        remove = civic.charters.propose_amendment(
            charter_id, change=RemoveArticle(3), rationale="Said in 2.", cause=cause("citizen:a")
        )
        retitle = civic.charters.propose_amendment(
            charter_id,
            change=ReplaceTitle("Charte citoyenne"),
            rationale="Shorter.",
            cause=cause("c"),
        )
        decide(civic, meeting_id, remove, retitle)
        to_draft = civic.charters.diff(charter_id, 1, None)
        civic.charters.adopt(charter_id, decision_id=decide(civic, meeting_id), cause=cause(CHAIR))
        diff = civic.charters.diff(charter_id, 1, 2)
        assert {k: v for k, v in diff.items() if k != "to_version"} == {
            k: v for k, v in to_draft.items() if k != "to_version"
        }
        assert diff["title"]["status"] == "changed"
        assert [(a["article_id"], a["status"]) for a in diff["articles"]] == [
            (1, "unchanged"),
            (2, "unchanged"),
            (3, "removed"),
        ]
        view = civic.charters.get(charter_id)
        assert (view["title"], view["latest_version"], view["status"]) == (
            "Charte citoyenne",
            2,
            "adopted",
        )
        assert [v["version"] for v in view["versions"]] == [1, 2]
        with pytest.raises(NoDraftOpen):
            civic.charters.diff(charter_id, 1, None)

    def test_the_draft_view_follows_the_aggregate_and_rebuilds_the_same(
        self,
        civic: CivicLedger,
        open_civic: Callable[[], CivicLedger],
        views: Callable[..., object],
        positions: Callable[[CivicLedger], list[int]],
    ) -> None:
        """The view's draft is the aggregate's after additions and replacements; rebuilding the
        views from the log gives the same rows and the policy records nothing again."""
        meeting_id = meeting(civic)
        charter_id = draft(civic)
        changes: list[Change] = [
            AddArticle("Added at the end."),
            AddArticle("Added first.", before_article_id=1),
            ReplaceArticle(3, "Minutes are published within a week."),
        ]
        proposed = [
            civic.charters.propose_amendment(
                charter_id, change=change, rationale="Better.", cause=cause("citizen:a")
            )
            for change in changes
        ]
        decide(civic, meeting_id, *proposed)
        aggregate: Charter = civic.ledger.repository.get(charter_id)
        assert aggregate.draft_text is not None
        view = civic.charters.get(charter_id)
        assert view["draft"] == aggregate.draft_text.as_data()
        assert [a["id"] for a in view["draft"]["articles"]] == [5, 1, 2, 3, 4]
        assert view["next_article_id"] == aggregate.next_article_id == 6
        civic.charters.adopt(charter_id, decision_id=decide(civic, meeting_id), cause=cause("c"))
        civic.charters.sign(charter_id, organisation=ASSO, commitments="Yes.", cause=cause("c"))
        civic.charters.withdraw_signature(
            charter_id, organisation_id=ASSO.id, cause=cause("c", "we merged")
        )
        civic.charters.open_revision(charter_id, cause=cause("c"))
        before, logged = views(civic), positions(civic)
        civic.read_models.rebuild()
        assert views(civic) == before
        assert positions(civic) == logged
        assert views(open_civic()) == before


class TestSignatories:
    def test_signatories_as_of_a_date(self, civic: CivicLedger) -> None:
        """Who stood signed at D: signed at or before D and not withdrawn by then; signing again
        after a withdrawal starts a new signature."""
        meeting_id = meeting(civic)
        charter_id = draft(civic)
        civic.charters.adopt(charter_id, decision_id=decide(civic, meeting_id), cause=cause("c"))
        civic.charters.sign(charter_id, organisation=ASSO, commitments="Ride.", cause=cause("c"))
        civic.charters.sign(charter_id, organisation=TOWN, commitments="Host.", cause=cause("c"))
        both = civic.charters.signatories(charter_id)
        asso_signed, town_signed = (row["signed_at"] for row in both)
        civic.charters.withdraw_signature(
            charter_id, organisation_id=ASSO.id, cause=cause("c", "we merged")
        )
        civic.charters.sign(charter_id, organisation=ASSO, commitments="Again.", cause=cause("c"))
        now = datetime.now(UTC) + timedelta(seconds=1)
        assert standing(civic, charter_id, asso_signed - timedelta(microseconds=1)) == []
        assert standing(civic, charter_id, asso_signed) == [ASSO.id]
        assert standing(civic, charter_id, town_signed) == [ASSO.id, TOWN.id]
        assert standing(civic, charter_id, now) == [TOWN.id, ASSO.id]
        rows = civic.charters.signatories(charter_id, as_of=now)
        assert rows[1]["commitments"] == "Again."
        assert (rows[0]["kind"], rows[0]["version"], rows[0]["name"]) == (
            "public_body",
            1,
            TOWN.name,
        )
        aggregate: Charter = civic.ledger.repository.get(charter_id)
        for when in (asso_signed, town_signed, now):
            expected = [s.organisation.id for s in aggregate.signatories_on(when)]
            assert standing(civic, charter_id, when) == expected
        with pytest.raises(InvalidCharter):
            civic.charters.signatories(charter_id, as_of=datetime(2030, 1, 1))  # noqa: DTZ001  # naive on purpose


class TestRefusals:
    def test_an_outdated_amendment_stays_pending_and_is_rejected_citing_the_decision(
        self, civic: CivicLedger, unchanged: Unchanged
    ) -> None:
        """Two replacements of one article in one decision: the second is outdated once the
        first is made, so it stays pending; accepting it is refused, rejecting it citing the
        decision is not."""
        meeting_id = meeting(civic)
        charter_id = draft(civic)
        first, second = (
            civic.charters.propose_amendment(
                charter_id, change=ReplaceArticle(1, text), rationale="r", cause=cause("c")
            )
            for text in ("Anyone may take part.", "All may take part.")
        )
        decision_id = decide(civic, meeting_id, first, second)
        statuses = [a["status"] for a in civic.charters.amendments(charter_id)]
        assert statuses == ["accepted", "pending"]
        with unchanged(), pytest.raises(AmendmentOutdated):
            civic.charters.decide_amendment(
                charter_id, second, accepted=True, decision_id=decision_id, cause=cause(CHAIR)
            )
        civic.charters.decide_amendment(
            charter_id, second, accepted=False, decision_id=decision_id, cause=cause(CHAIR)
        )
        assert civic.charters.amendments(charter_id, status="pending") == []

    def test_charter_refusals_leave_no_trace(
        self, civic: CivicLedger, unchanged: Unchanged
    ) -> None:
        """Uncited, unanswering or rejected decisions, pending amendments, decided amendments,
        signing before adoption, withdrawing without a reason, unknown ids: nothing recorded."""
        meeting_id = meeting(civic)
        charter_id = draft(civic)
        pending = civic.charters.propose_amendment(
            charter_id, change=ReplaceArticle(2, "Open."), rationale="r", cause=cause("c")
        )
        unrelated = decide(civic, meeting_id)
        rejected = decide(civic, meeting_id, votes=AGAINST)
        refusals: list[tuple[type[Exception], Callable[[], object]]] = [
            (
                InvalidAmendment,
                lambda: civic.charters.decide_amendment(
                    charter_id, pending, accepted=True, decision_id=uuid4(), cause=cause("c")
                ),
            ),
            (
                InvalidAmendment,
                lambda: civic.charters.decide_amendment(
                    charter_id, pending, accepted=False, decision_id=unrelated, cause=cause("c")
                ),
            ),
            (
                UnknownAmendment,
                lambda: civic.charters.decide_amendment(
                    charter_id, uuid4(), accepted=True, decision_id=unrelated, cause=cause("c")
                ),
            ),
            (
                AmendmentsPending,
                lambda: civic.charters.adopt(charter_id, decision_id=unrelated, cause=cause("c")),
            ),
            (
                InvalidCharter,
                lambda: civic.charters.adopt(charter_id, decision_id=uuid4(), cause=cause("c")),
            ),
            (
                InvalidCharter,
                lambda: civic.charters.adopt(charter_id, decision_id=rejected, cause=cause("c")),
            ),
            (
                NotAdopted,
                lambda: civic.charters.sign(
                    charter_id, organisation=ASSO, commitments="c", cause=cause("c")
                ),
            ),
            (
                InvalidCharter,
                lambda: civic.charters.draft(
                    title="", preamble="p", articles=["a"], cause=cause("c")
                ),
            ),
            (
                CharterNotFound,
                lambda: civic.charters.open_revision(meeting_id, cause=cause("c")),
            ),
            (
                UnknownVersion,
                lambda: civic.charters.diff(charter_id, 1, None),
            ),
        ]
        for error, command in refusals:
            with unchanged(), pytest.raises(error):
                command()
        answered = decide(civic, meeting_id, pending)
        civic.charters.adopt(charter_id, decision_id=unrelated, cause=cause("c"))
        civic.charters.sign(charter_id, organisation=ASSO, commitments="c", cause=cause("c"))
        later: list[tuple[type[Exception], Callable[[], object]]] = [
            (
                AmendmentAlreadyDecided,
                lambda: civic.charters.decide_amendment(
                    charter_id, pending, accepted=False, decision_id=answered, cause=cause("c")
                ),
            ),
            (
                ReasonRequired,
                lambda: civic.charters.withdraw_signature(
                    charter_id, organisation_id=ASSO.id, cause=cause("c")
                ),
            ),
            (
                NoDraftOpen,
                lambda: civic.charters.propose_amendment(
                    charter_id, change=RemoveArticle(1), rationale="r", cause=cause("c")
                ),
            ),
        ]
        for error, command in later:
            with unchanged(), pytest.raises(error):
                command()
        with pytest.raises(VersionNotFound):
            civic.charters.version(charter_id, 2)
        with pytest.raises(CharterNotFound):
            civic.charters.get(uuid4())
