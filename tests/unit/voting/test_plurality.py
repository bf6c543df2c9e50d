"""Plurality: one cross per ballot, most crosses win, and whether that is an absolute majority."""

from __future__ import annotations

import numpy as np
import pytest

from domain.errors import InvalidBallot, InvalidVoteRules
from domain.voting.base import Paper, Rules
from domain.voting.plurality import PLURALITY

RULES = Rules(options=("park", "library", "pool"))


def crosses(*choices: str) -> list[Paper]:
    """The papers of voters who each crossed one option."""
    return [PLURALITY.validate(RULES, choice) for choice in choices]


class TestValidate:
    def test_a_cross_is_a_one_at_the_chosen_option(self) -> None:
        """Given three options, when a voter picks the second, then the paper is (0, 1, 0)."""
        assert PLURALITY.validate(RULES, "library") == (0, 1, 0)

    def test_refuses_an_unknown_option(self) -> None:
        """A choice that is not one of the vote's options is refused, naming it."""
        with pytest.raises(InvalidBallot, match="unknown option 'x'"):
            PLURALITY.validate(RULES, "x")

    @pytest.mark.parametrize("choice", [["park"], {"park": 1}, 0, None], ids=str)
    def test_refuses_anything_but_one_option_id(self, choice: object) -> None:
        """A list, a mapping, a number or nothing is not a single choice."""
        with pytest.raises(InvalidBallot, match="one option id"):
            PLURALITY.validate(RULES, choice)

    def test_refuses_a_vote_for_several_seats(self) -> None:
        """Plurality elects one option: rules with two seats are refused."""
        with pytest.raises(InvalidVoteRules, match="2 seats"):
            PLURALITY.validate(Rules(options=RULES.options, seats=2), "park")


class TestTally:
    def test_a_winner_with_an_absolute_majority(self) -> None:
        """Given 3 of 5 crosses for the park, then it wins with an absolute majority."""
        result = PLURALITY.tally(RULES, crosses("park", "park", "library", "park", "library"))

        assert result.method == "plurality"
        assert result.winners == ("park",)
        assert result.tied == ()
        assert result.ballots == 5
        assert result.ranking == (("park",), ("library",), ("pool",))
        assert result.detail == {
            "counts": {"park": 3, "library": 2, "pool": 0},
            "absolute_majority": True,
            "ballots": 5,
        }

    def test_a_relative_majority_is_not_an_absolute_one(self) -> None:
        """Given 4 of 10 crosses for the pool, then it wins without an absolute majority."""
        papers = crosses(*["pool"] * 4, *["park"] * 3, *["library"] * 3)

        result = PLURALITY.tally(RULES, papers)

        assert result.winners == ("pool",)
        assert result.detail["absolute_majority"] is False
        assert result.ranking == (("pool",), ("park", "library"))

    def test_exactly_half_is_not_an_absolute_majority(self) -> None:
        """Given 2 of 4 crosses, the winner has half the ballots, not more than half."""
        result = PLURALITY.tally(RULES, crosses("park", "park", "pool", "library"))

        assert result.winners == ("park",)
        assert result.detail["absolute_majority"] is False

    def test_a_tie_is_reported_and_broken_by_the_vote_order(self) -> None:
        """Given park and pool level at the top, then both are reported tied; the order decides."""
        rules = Rules(options=RULES.options, tie_order=(2, 1, 0))

        result = PLURALITY.tally(rules, crosses("park", "pool", "pool", "park", "library"))

        assert result.tied == ("pool", "park")
        assert result.winners == ("pool",)
        assert result.ranking == (("pool", "park"), ("library",))
        assert result.detail["absolute_majority"] is False

    @pytest.mark.parametrize(
        "papers", [[], np.zeros((0, 3), dtype=np.int64)], ids=["list", "array"]
    )
    def test_zero_ballots_tie_every_option(self, papers: list[Paper]) -> None:
        """Given no ballot, then every option is tied at zero and the tie-break order decides."""
        result = PLURALITY.tally(RULES, papers)

        assert result.ballots == 0
        assert result.tied == RULES.options
        assert result.winners == ("park",)
        assert result.ranking == (RULES.options,)
        assert result.detail["counts"] == {"park": 0, "library": 0, "pool": 0}
        assert result.detail["absolute_majority"] is False

    def test_weights_count_a_paper_that_many_times(self) -> None:
        """Given counted papers (a weight of 0 included), then the tally equals the expanded one."""
        papers = crosses("park", "library", "pool")

        weighted = PLURALITY.tally(RULES, np.array(papers), weights=[1, 3, 0])
        expanded = PLURALITY.tally(RULES, crosses("park", "library", "library", "library"))

        assert weighted == expanded
        assert weighted.detail["counts"] == {"park": 1, "library": 3, "pool": 0}

    @pytest.mark.parametrize(
        ("papers", "weights", "problem"),
        [
            ([(1, 0, 0), (1, 0)], None, r"paper 1 holds 2 marks, not one per option \(3\)"),
            ([(1, 0, 0), (2, 0, 0)], None, r"paper 1 holds a mark outside 0\.\.1"),
            ([(1, 0, 0)], [-1], "paper 0 has a negative weight"),
            ([(1, 0, 0)], [1, 1], "one integer per paper: 2 given for 1 papers"),
            ([(1, 0, 0)], [1.0], "weights must be integers, got float64"),
            (np.ones((2, 2), dtype=np.int64), None, "ballots x 3"),
            (np.ones((2, 3), dtype=np.float64), None, "papers must hold integers, got float64"),
            ([(1, 0, None)], None, "papers must hold integers"),
        ],
        ids=[
            "short-paper",
            "mark-2",
            "negative-weight",
            "weights-length",
            "float-weight",
            "array-width",
            "float-array",
            "not-a-number",
        ],
    )
    def test_refuses_papers_that_were_never_validated(
        self, papers: list[Paper], weights: list[int] | None, problem: str
    ) -> None:
        """A malformed paper or weight reaching the tally is a bug, reported as such."""
        with pytest.raises(ValueError, match=problem):
            PLURALITY.tally(RULES, papers, weights)
