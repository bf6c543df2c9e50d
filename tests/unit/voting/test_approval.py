"""Approval voting: approve any number of options, empty ballots included; most approvals win."""

from __future__ import annotations

import numpy as np
import pytest

from domain.errors import InvalidBallot
from domain.voting.approval import APPROVAL
from domain.voting.base import Paper, Rules

RULES = Rules(options=("park", "library", "pool", "market"))


def approvals(*choices: list[str]) -> list[Paper]:
    """The papers of voters who approved these lists of options."""
    return [APPROVAL.validate(RULES, choice) for choice in choices]


class TestValidate:
    def test_each_approved_option_gets_a_one(self) -> None:
        """Given a voter approving pool and park, then the paper marks exactly those two."""
        assert APPROVAL.validate(RULES, ["pool", "park"]) == (1, 0, 1, 0)

    def test_an_empty_ballot_approves_nothing(self) -> None:
        """An empty list is a valid ballot: it approves no option."""
        assert APPROVAL.validate(RULES, []) == (0, 0, 0, 0)

    def test_refuses_an_option_approved_twice(self) -> None:
        """The same option listed twice is refused, naming it."""
        with pytest.raises(InvalidBallot, match="option 'pool' approved twice"):
            APPROVAL.validate(RULES, ["pool", "park", "pool"])

    def test_refuses_an_unknown_option(self) -> None:
        """An option id the vote does not have is refused, naming it."""
        with pytest.raises(InvalidBallot, match="unknown option 'zoo'"):
            APPROVAL.validate(RULES, ["park", "zoo"])

    @pytest.mark.parametrize("choice", ["park", {"park": 1}, None], ids=str)
    def test_refuses_anything_but_a_list(self, choice: object) -> None:
        """A bare string, a mapping or nothing is not a list of approvals."""
        with pytest.raises(InvalidBallot, match="lists option ids"):
            APPROVAL.validate(RULES, choice)

    def test_refuses_an_option_id_that_is_not_a_string(self) -> None:
        """Option ids are strings: an index is refused."""
        with pytest.raises(InvalidBallot, match="strings, got 1"):
            APPROVAL.validate(RULES, [1])


class TestTally:
    def test_the_most_approved_option_wins(self) -> None:
        """Given four ballots, one empty, then counts, turnout and the ranking follow."""
        papers = approvals(["park", "pool"], ["pool"], [], ["library", "pool", "park"])

        result = APPROVAL.tally(RULES, papers)

        assert result.method == "approval"
        assert result.winners == ("pool",)
        assert result.tied == ()
        assert result.ballots == 4
        assert result.ranking == (("pool",), ("park",), ("library",), ("market",))
        assert result.detail == {
            "counts": {"park": 2, "library": 1, "pool": 3, "market": 0},
            "empty_ballots": 1,
            "ballots": 4,
        }

    def test_a_tie_is_reported_and_broken_by_the_vote_order(self) -> None:
        """Given library and market equally approved, then both are tied and the order decides."""
        rules = Rules(options=RULES.options, tie_order=(3, 2, 1, 0))
        papers = approvals(["library", "market"], ["market"], ["library", "park"])

        result = APPROVAL.tally(rules, papers)

        assert result.tied == ("market", "library")
        assert result.winners == ("market",)
        assert result.ranking == (("market", "library"), ("park",), ("pool",))

    def test_only_empty_ballots_tie_every_option(self) -> None:
        """Given ballots approving nothing, then all options tie at zero; the turnout counts."""
        result = APPROVAL.tally(RULES, approvals([], []))

        assert result.ballots == 2
        assert result.tied == RULES.options
        assert result.detail["empty_ballots"] == 2

    def test_zero_ballots_tie_every_option(self) -> None:
        """Given no ballot at all, then every option ties and nothing crashes."""
        result = APPROVAL.tally(RULES, [])

        assert result.ballots == 0
        assert result.tied == RULES.options
        assert result.winners == ("park",)
        assert result.detail["empty_ballots"] == 0

    def test_weights_count_a_paper_that_many_times(self) -> None:
        """Given counted papers, then counts and empty ballots are weighted; 0 counts nothing."""
        papers = np.array(approvals(["park"], [], ["pool", "park"], ["market"]), dtype=np.int8)

        result = APPROVAL.tally(RULES, papers, np.array([2, 5, 1, 0]))

        assert result.ballots == 8
        assert result.detail["counts"] == {"park": 3, "library": 0, "pool": 1, "market": 0}
        assert result.detail["empty_ballots"] == 5
        assert result.winners == ("park",)
