"""An auditor recounts every closed vote: a log whose chain is intact but whose recorded tally is
not what its ballots give (a server that lied when it closed the vote) fails verification at the
vote's `Closed` event, in a live check and in an export."""

from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.system import CivicLedger
from application.verification import export, verify_file, verify_live
from domain.account import Role
from domain.events import Cause
from domain.vote import Option, Vote, VoteRules

from .conftest import START, ManualClock

OPENS, CLOSES = START + timedelta(hours=1), START + timedelta(days=1)


def cause(actor: str = "clerk") -> Cause:
    """A cause with a fresh correlation id."""
    return Cause(actor=actor, correlation_id=str(uuid4()))


@pytest.fixture
def voted(civic: CivicLedger, clock: ManualClock) -> UUID:
    """A secret Schulze vote with five ballots, open at its closing time, not yet closed."""
    electors = [
        str(civic.accounts.open(name=f"elector {i}", roles=[Role.CITIZEN], cause=cause())[0])
        for i in range(5)
    ]
    rules = VoteRules(
        question="Where should the new library go?",
        options=(Option("centre", "Centre"), Option("docks", "Docks"), Option("hill", "Hill")),
        method="schulze",
        opens_at=OPENS,
        closes_at=CLOSES,
        electorate={"kind": "roll", "accounts": electors},
        quorum_count=3,
    )
    vote_id = civic.votes.draft(rules=rules, cause=cause())
    clock.now = OPENS
    civic.votes.open(vote_id, cause=cause())
    rankings = [["docks", "centre"], ["docks"], ["centre", "hill", "docks"], ["hill"], ["docks"]]
    for elector, ranking in zip(electors, rankings, strict=True):
        civic.votes.cast(vote_id, elector=elector, choice=ranking, cause=cause(elector))
    clock.now = CLOSES
    return vote_id


def close_with(civic: CivicLedger, vote_id: UUID, result: dict[str, Any]) -> int:
    """Close the vote recording `result` instead of its tally, as a dishonest server could;
    returns the position of the `Closed` event."""
    with civic.ledger.transaction():
        vote: Vote = civic.ledger.repository.get(vote_id)
        vote.close(ballots=5, result=result, cause=cause(), now=CLOSES)
        recordings = civic.ledger.record(vote)
    return recordings[-1].notification.id


class TestRecount:
    def test_an_honest_vote_recounts_to_its_certified_result(
        self, civic: CivicLedger, voted: UUID, tmp_path: Path
    ) -> None:
        """Closed by the service and certified: the live check and the export both verify."""
        civic.votes.close(voted, cause=cause("system:vote-schedule"))
        civic.votes.certify(voted, cause=cause())
        assert civic.votes.get(voted)["result"]["winners"] == ["docks"]
        assert verify_live(civic.ledger, civic.transparency).ok
        civic.transparency.issue_checkpoint()
        path = tmp_path / "log.jsonl"
        with path.open("wb") as out:
            export(civic.ledger, civic.transparency, out)
        report = verify_file(path, civic.transparency.verifier)
        assert report.ok, report.problem

    @pytest.mark.parametrize("check", ["live", "export"])
    def test_a_recorded_tally_that_the_ballots_do_not_give_is_named(
        self, civic: CivicLedger, voted: UUID, tmp_path: Path, check: str
    ) -> None:
        """A result naming the wrong winner fails at the position of the vote's Closed event."""
        honest = civic.votes.get(voted)
        assert honest["status"] == "open"
        forged = {
            "method": "schulze",
            "ballots": 5,
            "winners": ["hill"],
            "ranking": [["hill"], ["docks"], ["centre"]],
            "tied": [],
            "detail": {},
        }
        position = close_with(civic, voted, forged)
        if check == "live":
            report = verify_live(civic.ledger, civic.transparency)
        else:
            civic.transparency.issue_checkpoint()
            path = tmp_path / "log.jsonl"
            with path.open("wb") as out:
                export(civic.ledger, civic.transparency, out)
            report = verify_file(path, civic.transparency.verifier)
        assert not report.ok
        assert report.problem is not None
        assert report.problem.position == position
        assert "recount" in report.problem.message
        assert "docks" in report.problem.message
