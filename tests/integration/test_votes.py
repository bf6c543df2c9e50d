"""Votes through `civic.votes` on a real database: electorate, secret ballots, tally, policy."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select

from application.errors import VoteNotFound
from application.read_models import THRESHOLD_POLICY_ACTOR
from application.system import CivicLedger
from application.tables import audit_events
from application.votes import ballot_keys
from domain.account import Role
from domain.ballot import BALLOT_BOX_ACTOR
from domain.committee import College, Committee, MemberRole, ServesKind
from domain.errors import InvalidBallot, InvalidVoteRules, ReasonRequired
from domain.events import Cause
from domain.majority import MajorityRule, QuorumRule
from domain.petition import Threshold
from domain.vote import (
    BallotNotReplaceable,
    NotDraft,
    NotElector,
    NotOpenForBallots,
    Option,
    VoteRules,
    citizen_vote_id,
)

from .conftest import START, ManualClock

Unchanged = Callable[[], AbstractContextManager[None]]
OPENS = START + timedelta(hours=1)
CLOSES = START + timedelta(days=7)
TRAM = (Option("north", "North line"), Option("south", "South line"), Option("none", "No tram"))


def cause(actor: str, reason: str | None = None) -> Cause:
    """A cause with a fresh correlation id."""
    return Cause(actor=actor, correlation_id=str(uuid4()), reason=reason)


def citizens(civic: CivicLedger, n: int) -> list[str]:
    """Open `n` citizen accounts; their ids, as events name them."""
    return [
        str(civic.accounts.open(name=f"citizen {i}", roles=[Role.CITIZEN], cause=cause("admin"))[0])
        for i in range(n)
    ]


def rules(electors: list[str], **changes: Any) -> VoteRules:
    """A plurality vote on the tram line for `electors`, public unless told otherwise."""
    fields: dict[str, Any] = {
        "question": "Which line should the new tram take?",
        "options": TRAM,
        "method": "plurality",
        "opens_at": OPENS,
        "closes_at": CLOSES,
        "electorate": {"kind": "roll", "accounts": electors},
        "secret": False,
    }
    return VoteRules(**(fields | changes))


def opened(civic: CivicLedger, clock: ManualClock, vote_rules: VoteRules) -> UUID:
    """Draft the vote and open it at its opening time."""
    vote_id = civic.votes.draft(rules=vote_rules, cause=cause("clerk"))
    clock.now = OPENS
    civic.votes.open(vote_id, cause=cause("clerk"))
    return vote_id


def cast(civic: CivicLedger, vote_id: UUID, elector: str, choice: object) -> bool:
    """`elector` votes as themselves."""
    return civic.votes.cast(vote_id, elector=elector, choice=choice, cause=cause(elector))


def ballot_events(civic: CivicLedger, vote_id: UUID) -> list[dict[str, Any]]:
    """The audit rows of the vote's ballots, in log order."""
    with civic.ledger.engine.connect() as connection:
        rows = connection.execute(
            select(audit_events)
            .where(audit_events.c.parent_id == vote_id)
            .order_by(audit_events.c.position)
        ).mappings()
        return [dict(row) for row in rows]


class TestPublicVote:
    def test_a_roll_call_vote_from_draft_to_certified_result(
        self, civic: CivicLedger, clock: ManualClock
    ) -> None:
        """Four electors, one replaces a ballot; the tally counts each elector once."""
        alice, bob, carol, dan = citizens(civic, 4)
        vote_id = opened(civic, clock, rules([alice, bob, carol, dan]))
        assert not cast(civic, vote_id, alice, "north")
        assert not cast(civic, vote_id, bob, "south")
        assert not cast(civic, vote_id, carol, "north")
        assert cast(civic, vote_id, bob, "north")  # bob changes his mind
        clock.now = CLOSES
        civic.votes.close(vote_id, cause=cause("system:vote-schedule"))
        civic.votes.certify(vote_id, cause=cause("clerk"))
        view = civic.votes.get(vote_id)
        assert view["status"] == "certified"
        assert view["outcome"] == "elected"
        assert view["ballot_count"] == 3
        assert view["result"]["winners"] == ["north"]
        assert view["result"]["detail"]["counts"] == {"north": 3, "south": 0, "none": 0}
        events = ballot_events(civic, vote_id)
        assert [e["type"] for e in events] == ["Ballot.Cast"] * 3 + ["Ballot.Replaced"]
        assert [e["actor"] for e in events] == [alice, bob, carol, bob]  # named votes

    def test_refusals_leave_no_trace(
        self, civic: CivicLedger, clock: ManualClock, unchanged: Unchanged
    ) -> None:
        """Off the roll, an invalid ballot, a final ballot replaced, rules changed: nothing."""
        alice, bob, mallory = citizens(civic, 3)
        vote_id = opened(civic, clock, rules([alice, bob], replaceable=False))
        cast(civic, vote_id, alice, "north")
        refusals: list[tuple[type[Exception], Callable[[], object]]] = [
            (NotElector, lambda: cast(civic, vote_id, mallory, "north")),
            (InvalidBallot, lambda: cast(civic, vote_id, bob, "tramway")),
            (BallotNotReplaceable, lambda: cast(civic, vote_id, alice, "south")),
            (
                NotDraft,
                lambda: civic.votes.redraft(vote_id, rules=rules([alice]), cause=cause("c")),
            ),
            (ReasonRequired, lambda: civic.votes.close(vote_id, cause=cause("clerk"))),
            (VoteNotFound, lambda: civic.votes.open(uuid4(), cause=cause("clerk"))),
        ]
        for error, command in refusals:
            with unchanged(), pytest.raises(error):
                command()

    def test_no_ballot_after_the_closing_time(self, civic: CivicLedger, clock: ManualClock) -> None:
        """At the closing time the vote takes no more ballots, even before it is closed."""
        (alice,) = citizens(civic, 1)
        vote_id = opened(civic, clock, rules([alice]))
        clock.now = CLOSES
        with pytest.raises(NotOpenForBallots):
            cast(civic, vote_id, alice, "north")

    def test_a_roll_with_an_unknown_account_cannot_open(
        self, civic: CivicLedger, clock: ManualClock
    ) -> None:
        """The electorate is checked against the accounts when the vote opens."""
        vote_id = civic.votes.draft(rules=rules([str(uuid4())]), cause=cause("clerk"))
        clock.now = OPENS
        with pytest.raises(InvalidVoteRules, match="unknown accounts"):
            civic.votes.open(vote_id, cause=cause("clerk"))


class TestSecretVote:
    def test_the_log_shows_tags_not_electors_and_the_key_dies_at_certification(
        self, civic: CivicLedger, clock: ManualClock
    ) -> None:
        """Secret ballots: the ballot box as actor, a pseudonymous tag, no request id; once
        certified, the key that linked tags to electors is gone."""
        electors = citizens(civic, 3)
        vote_id = opened(
            civic,
            clock,
            rules(
                electors,
                secret=True,
                method="majority_judgment",
                electorate={"kind": "role", "role": "citizen"},
            ),
        )
        grades = ["excellent", "good", "reject"]
        for elector, grade in zip(electors, grades, strict=True):
            cast(civic, vote_id, elector, {"north": grade, "south": "passable"})
        events = ballot_events(civic, vote_id)
        assert {e["actor"] for e in events} == {BALLOT_BOX_ACTOR}
        text = repr(events)
        assert not any(elector in text for elector in electors)
        assert len({e["data"]["tag"] for e in events}) == 3
        clock.now = CLOSES
        civic.votes.close(vote_id, cause=cause("system:vote-schedule"))
        result = civic.votes.get(vote_id)["result"]
        assert result["winners"] == ["north"]
        assert "merit_profiles" in result["detail"]
        with civic.ledger.engine.connect() as connection:
            assert connection.scalar(select(ballot_keys.c.key)) is not None
        civic.votes.certify(vote_id, cause=cause("clerk"))
        with civic.ledger.engine.connect() as connection:
            assert connection.execute(select(ballot_keys)).all() == []

    def test_a_replaced_secret_ballot_stays_one_ballot(
        self, civic: CivicLedger, clock: ManualClock
    ) -> None:
        """The same elector lands on the same tag: a replacement, not a second ballot."""
        (alice,) = citizens(civic, 1)
        vote_id = opened(civic, clock, rules([alice], secret=True))
        assert not cast(civic, vote_id, alice, "north")
        assert cast(civic, vote_id, alice, "south")
        assert civic.votes.get(vote_id)["ballot_count"] == 1


class TestConcurrency:
    def test_one_ballot_per_elector_under_concurrent_requests(
        self, civic: CivicLedger, open_civic: Callable[[], CivicLedger], clock: ManualClock
    ) -> None:
        """Eight electors each send four ballots at once from two processes' worth of ledgers:
        each elector has exactly one ballot standing and three replacements."""
        electors = citizens(civic, 8)
        vote_id = opened(civic, clock, rules(electors))
        other = open_civic()
        jobs = [(e, c) for e in electors for c in (civic, other, civic, other)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda job: cast(job[1], vote_id, job[0], "north"), jobs))
        assert civic.votes.get(vote_id)["ballot_count"] == 8
        types = [e["type"] for e in ballot_events(civic, vote_id)]
        assert types.count("Ballot.Cast") == 8
        assert types.count("Ballot.Replaced") == 24


class TestCitizenVotePolicy:
    def test_a_citizen_vote_threshold_drafts_one_vote_linked_to_the_petition(
        self, civic: CivicLedger, open_petition: Callable[..., UUID]
    ) -> None:
        """The signature that reaches the threshold drafts the vote, in the same transaction
        and with the same correlation id; more signatures draft nothing more."""
        petition_id = open_petition(thresholds=[Threshold(2, "citizen_vote")])
        civic.petitions.sign(petition_id, signer="a", cause=cause("a"))
        reaching = Cause(actor="b", correlation_id="corr-reaching")
        civic.petitions.sign(petition_id, signer="b", cause=reaching)
        civic.petitions.sign(petition_id, signer="c", cause=cause("c"))
        vote = civic.votes.get(citizen_vote_id(petition_id, 2))
        assert vote["status"] == "draft"
        assert vote["origin_id"] == petition_id
        assert vote["drafted_by"] == THRESHOLD_POLICY_ACTOR
        assert civic.votes.list(status=None, after=None, limit=10).items == [vote]
        correlated = civic.audit.events(correlation_id="corr-reaching").items
        assert [e["type"] for e in correlated] == [
            "Signature.Signed",
            "Petition.ThresholdReached",
            "Vote.Drafted",
        ]


class TestCommitteeElectorate:
    def test_the_voting_members_sitting_on_the_opening_day_and_nobody_else(
        self, civic: CivicLedger, clock: ManualClock
    ) -> None:
        """Observers and former members are not on the roll the Opened event fixes."""
        chair, member, observer, former = citizens(civic, 4)
        committee = Committee.create(
            name="Comité de pilotage du Sillon Lorrain",
            serves=ServesKind.ALLIANCE,
            serves_name="Sillon Lorrain",
            colleges=[College("public", "Public bodies", 3)],
            quorum=QuorumRule(),
            majority=MajorityRule(),
            cause=cause("admin"),
        )
        day = START.date()
        committee.appoint(
            member=chair, college="public", role=MemberRole.CHAIR, start=day, cause=cause("admin")
        )
        committee.appoint(
            member=member, college="public", role=MemberRole.MEMBER, start=day, cause=cause("admin")
        )
        committee.appoint(
            member=observer,
            college="public",
            role=MemberRole.OBSERVER,
            start=day,
            cause=cause("admin"),
        )
        committee.appoint(
            member=former, college="public", role=MemberRole.MEMBER, start=day, cause=cause("admin")
        )
        committee.depart(member=former, end=day, cause=cause("admin"))
        civic.ledger.record(committee)
        vote_id = opened(
            civic,
            clock,
            rules([], electorate={"kind": "committee", "committee_id": str(committee.id)}),
        )
        assert civic.votes.get(vote_id)["electorate_size"] == 2
        assert not cast(civic, vote_id, member, "north")
        for outsider in (observer, former):
            with pytest.raises(NotElector):
                cast(civic, vote_id, outsider, "north")

    def test_an_unknown_committee_cannot_open(self, civic: CivicLedger, clock: ManualClock) -> None:
        """The committee is looked up when the vote opens."""
        vote_id = civic.votes.draft(
            rules=rules([], electorate={"kind": "committee", "committee_id": str(uuid4())}),
            cause=cause("clerk"),
        )
        clock.now = OPENS
        with pytest.raises(InvalidVoteRules, match="no committee"):
            civic.votes.open(vote_id, cause=cause("clerk"))


class TestSchedule:
    def test_drafts_open_at_their_opening_time_and_votes_close_at_their_closing_time(
        self, civic: CivicLedger, clock: ManualClock
    ) -> None:
        """The server's schedule opens and closes votes by itself, as `system:vote-schedule`."""
        (alice,) = citizens(civic, 1)
        vote_id = civic.votes.draft(rules=rules([alice]), cause=cause("clerk"))
        assert civic.votes.run_schedule() == []  # before its opening time
        clock.now = OPENS
        assert civic.votes.run_schedule() == [vote_id]
        assert civic.votes.get(vote_id)["status"] == "open"
        cast(civic, vote_id, alice, "south")
        clock.now = CLOSES
        assert civic.votes.run_schedule() == [vote_id]
        view = civic.votes.get(vote_id)
        assert (view["status"], view["result"]["winners"]) == ("closed", ["south"])
        actors = [e["actor"] for e in civic.audit.events(aggregate_id=vote_id).items]
        assert actors[-2:] == ["system:vote-schedule", "system:vote-schedule"]

    def test_a_vote_nobody_could_take_part_in_stays_a_draft(
        self, civic: CivicLedger, clock: ManualClock, unchanged: Unchanged
    ) -> None:
        """No account has the role: nothing recorded, the organisers are told in the log."""
        vote_id = civic.votes.draft(
            rules=rules([], electorate={"kind": "role", "role": "auditor"}), cause=cause("clerk")
        )
        clock.now = OPENS
        with unchanged():
            assert civic.votes.run_schedule() == []
        assert civic.votes.get(vote_id)["status"] == "draft"
