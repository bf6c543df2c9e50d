"""A vote's lifecycle by its events: drafting, frozen rules, electorate, ballots, tally, quorum."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.ballot import BALLOT_BOX_ACTOR, Ballot, ballot_id, secret_tag
from domain.errors import IllegalTransition, InvalidVoteRules, ReasonRequired
from domain.events import Cause
from domain.vote import (
    BallotNotReplaceable,
    NotDraft,
    NotElector,
    NotOpenForBallots,
    Option,
    Vote,
    VoteRules,
    VoteStatus,
    citizen_vote_id,
    citizen_vote_rules,
)

from .given import NOW, assert_caused_by, drained, lodged_petition, only_event, refused

ORGANISER = Cause(actor="account:clerk", correlation_id="corr-draft")
OPENING = Cause(actor="system:vote-schedule", correlation_id="corr-open")
VOTER = Cause(actor="account:bob", correlation_id="corr-ballot")
EARLY = Cause(actor="account:clerk", correlation_id="corr-close", reason="the question was moot")
CLOSING = Cause(actor="system:vote-schedule", correlation_id="corr-close")
OPENS = NOW + timedelta(days=1)
CLOSES = NOW + timedelta(days=8)
ELECTORS = ["account:alice", "account:bob", "account:carol", "account:dan"]

RULES = VoteRules(
    question="Which line should the new tram take?",
    options=(
        Option("north", "North line"),
        Option("south", "South line"),
        Option("none", "No tram"),
    ),
    method="plurality",
    opens_at=OPENS,
    closes_at=CLOSES,
    electorate={"kind": "roll", "accounts": ELECTORS},
)


def drafted(rules: VoteRules = RULES) -> Vote:
    """A vote drafted by the clerk."""
    return drained(Vote.draft(rules=rules, cause=ORGANISER, now=NOW))


def opened(rules: VoteRules = RULES) -> Vote:
    """A vote opened at its opening time with the four electors."""
    vote = drafted(rules)
    vote.open(electorate=ELECTORS, cause=OPENING, now=OPENS)
    return drained(vote)


def closed(ballots: int, rules: VoteRules = RULES) -> Vote:
    """A vote closed at its closing time with `ballots` ballots."""
    vote = opened(rules)
    result = {"method": "plurality", "ballots": ballots, "winners": ["north"]}
    vote.close(ballots=ballots, result=result, cause=CLOSING, now=CLOSES)
    return drained(vote)


class TestDraft:
    def test_records_the_rules_with_the_envelope(self) -> None:
        """Drafting records every rule, and who drafted it."""
        vote = Vote.draft(rules=RULES, cause=ORGANISER, now=NOW)
        event = only_event(vote, Vote.Drafted)
        assert_caused_by(event, ORGANISER)
        assert VoteRules.from_event(event.rules) == RULES
        assert vote.status is VoteStatus.DRAFT

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"method": "dictatorship"}, "unknown method 'dictatorship'"),
            ({"options": (Option("only", "Only"),)}, "2 to 100 options"),
            ({"options": (Option("A b", "x"), Option("c", "y"))}, "option id 'A b'"),
            ({"options": (Option("a", "x"), Option("a", "y"))}, "distinct"),
            ({"closes_at": OPENS}, "close after it opens"),
            ({"opens_at": NOW - timedelta(days=9), "closes_at": NOW}, "in the future"),
            ({"opens_at": OPENS.replace(tzinfo=None)}, "time zone"),
            ({"electorate": {"kind": "roll", "accounts": []}}, "at least one account"),
            ({"electorate": {"kind": "moon"}}, "roll of accounts, a role or a committee"),
            ({"electorate": {"kind": "committee", "committee_id": "x"}}, "the committee.s id"),
            ({"seats": 2}, "seats must be 1"),
            ({"quorum_count": 2, "quorum_share": 0.5}, "not both"),
            ({"quorum_share": 1.5}, "at most 1"),
            ({"budget": 100}, "only for participatory budgeting"),
            ({"method": "greedy"}, "positive budget"),
        ],
    )
    def test_refuses_rules_that_cannot_make_a_vote(
        self, change: dict[str, object], message: str
    ) -> None:
        """Each broken rule is refused with a message that names it."""
        with pytest.raises(InvalidVoteRules, match=message):
            Vote.draft(rules=replace(RULES, **change), cause=ORGANISER, now=NOW)  # type: ignore[arg-type]

    def test_a_draft_can_change_its_rules(self) -> None:
        """Until it opens, everything can change."""
        vote = drafted()
        vote.redraft(rules=replace(RULES, method="approval"), cause=ORGANISER, now=NOW)
        assert VoteRules.from_event(only_event(vote, Vote.Redrafted).rules).method == "approval"
        assert vote.rules.method == "approval"


class TestFrozenRules:
    def test_an_open_vote_refuses_any_change_of_rules(self) -> None:
        """Once open, the method cannot change (CONSUL let admins do it mid-vote)."""
        vote = opened()
        with refused(NotDraft, vote):
            vote.redraft(rules=replace(RULES, method="approval"), cause=ORGANISER, now=OPENS)

    def test_opening_fixes_the_electorate_and_a_tie_break_order(self) -> None:
        """The roll and the tie-break order are recorded when the vote opens."""
        vote = drafted()
        vote.open(electorate=ELECTORS, cause=OPENING, now=OPENS)
        event = only_event(vote, Vote.Opened)
        assert event.electorate == sorted(ELECTORS)
        assert sorted(event.tie_order) == [0, 1, 2]
        assert_caused_by(event, OPENING)

    def test_cannot_open_before_its_opening_time(self) -> None:
        """An early opening is refused."""
        vote = drafted()
        with refused(IllegalTransition, vote):
            vote.open(electorate=ELECTORS, cause=OPENING, now=OPENS - timedelta(seconds=1))

    def test_cannot_open_with_nobody_to_vote(self) -> None:
        """An empty electorate is refused rather than opening a vote nobody can take part in."""
        vote = drafted()
        with refused(IllegalTransition, vote):
            vote.open(electorate=[], cause=OPENING, now=OPENS)


class TestBallots:
    def test_an_elector_may_vote_while_open(self) -> None:
        """An elector on the roll, between opening and closing, passes the check."""
        opened().check_ballot(elector="account:bob", now=CLOSES - timedelta(microseconds=1))

    def test_someone_off_the_roll_may_not(self) -> None:
        """Not on the electorate: refused."""
        with pytest.raises(NotElector):
            opened().check_ballot(elector="account:mallory", now=OPENS)

    @pytest.mark.parametrize("when", [CLOSES, CLOSES + timedelta(days=1)])
    def test_no_ballot_at_or_after_the_closing_time(self, when: object) -> None:
        """The closing time is exclusive."""
        with pytest.raises(NotOpenForBallots):
            opened().check_ballot(elector="account:bob", now=when)  # type: ignore[arg-type]

    def test_no_ballot_in_a_draft(self) -> None:
        """A draft takes no ballot."""
        with pytest.raises(NotOpenForBallots):
            drafted().check_ballot(elector="account:bob", now=OPENS)

    def test_a_ballot_is_keyed_by_vote_and_tag_and_a_replacement_keeps_both(self) -> None:
        """The ballot's id derives from (vote, tag); replacing records a second event."""
        vote = opened()
        ballot = Ballot.cast(vote=vote, tag="account:bob", paper=(1, 0, 0), cause=VOTER)
        assert ballot.id == ballot_id(vote.id, "account:bob")
        assert only_event(ballot, Ballot.Cast).paper == [1, 0, 0]
        ballot.replace(vote=vote, paper=(0, 1, 0), cause=VOTER)
        assert only_event(ballot, Ballot.Replaced).paper == [0, 1, 0]
        assert ballot.version == 2

    def test_a_final_ballot_cannot_be_replaced(self) -> None:
        """Where the vote says ballots are final, a second one is refused."""
        vote = opened(replace(RULES, replaceable=False))
        ballot = drained(Ballot.cast(vote=vote, tag="account:bob", paper=(1, 0, 0), cause=VOTER))
        with refused(BallotNotReplaceable, ballot):
            ballot.replace(vote=vote, paper=(0, 1, 0), cause=VOTER)

    def test_a_secret_tag_depends_on_key_vote_and_elector(self) -> None:
        """Tags differ between electors, votes and keys, and are stable for the same three."""
        key, vote_id = b"k" * 32, uuid4()
        tag = secret_tag(key, vote_id, "account:bob")
        assert tag == secret_tag(key, vote_id, "account:bob")
        assert tag != secret_tag(key, vote_id, "account:alice")
        assert tag != secret_tag(key, uuid4(), "account:bob")
        assert tag != secret_tag(b"j" * 32, vote_id, "account:bob")
        assert "bob" not in tag
        assert BALLOT_BOX_ACTOR.startswith("system:")


class TestClosingAndCertification:
    def test_closing_early_needs_a_reason(self) -> None:
        """Before the closing time, only with a reason."""
        vote = opened()
        with refused(ReasonRequired, vote):
            vote.close(ballots=0, result={}, cause=CLOSING, now=OPENS)
        vote.close(ballots=0, result={}, cause=EARLY, now=OPENS)
        assert_caused_by(only_event(vote, Vote.Closed), EARLY)

    def test_certifies_the_result_when_the_quorum_is_met(self) -> None:
        """Half the electorate as a quorum, three of four voted: elected."""
        vote = closed(3, replace(RULES, quorum_share=0.5))
        vote.certify(cause=ORGANISER)
        event = only_event(vote, Vote.Certified)
        assert event.outcome == "elected"
        assert event.result["winners"] == ["north"]

    def test_certifies_quorum_not_reached(self) -> None:
        """A quorum of three ballots with two cast: a certified "quorum not reached"."""
        vote = closed(2, replace(RULES, quorum_count=3))
        vote.certify(cause=ORGANISER)
        assert only_event(vote, Vote.Certified).outcome == "quorum_not_reached"

    def test_cannot_certify_an_open_vote(self) -> None:
        """Certification follows the tally."""
        vote = opened()
        with refused(IllegalTransition, vote):
            vote.certify(cause=ORGANISER)

    def test_cancelling_needs_a_reason_and_ends_the_vote(self) -> None:
        """A cancelled vote takes no more ballots."""
        vote = opened()
        with refused(ReasonRequired, vote):
            vote.cancel(cause=ORGANISER)
        vote.cancel(cause=EARLY)
        assert vote.status is VoteStatus.CANCELLED
        with pytest.raises(NotOpenForBallots):
            vote.check_ballot(elector="account:bob", now=OPENS)


@given(
    electorate=st.integers(min_value=1, max_value=10_000),
    share=st.floats(min_value=0.0001, max_value=1.0),
)
def test_a_share_quorum_is_the_least_count_reaching_the_share(
    electorate: int, share: float
) -> None:
    """quorum(n) is the least whole number of ballots that is at least share x n, never above n."""
    needed = replace(RULES, quorum_share=share).quorum(electorate)
    assert needed >= share * electorate
    assert needed - 1 < share * electorate
    assert 1 <= needed <= electorate


class TestCitizenVotePolicyDraft:
    def test_a_petition_drafts_a_secret_yes_no_vote_for_every_citizen(self) -> None:
        """The draft asks the petition's question to the citizens, and says where it came from."""
        petition = lodged_petition()
        rules = citizen_vote_rules(petition, now=NOW)
        vote = Vote.draft(
            rules=rules, cause=ORGANISER, now=NOW, vote_id=citizen_vote_id(petition.id, 3)
        )
        assert vote.id == citizen_vote_id(petition.id, 3)
        assert vote.rules.question == petition.title
        assert vote.rules.origin == {"kind": "petition", "id": str(petition.id)}
        assert vote.rules.electorate == {"kind": "role", "role": "citizen"}
        assert vote.rules.secret
        assert citizen_vote_id(petition.id, 3) != citizen_vote_id(petition.id, 4)
