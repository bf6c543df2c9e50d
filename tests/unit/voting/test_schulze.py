"""Schulze: pairwise and strongest-path matrices, Schulze's order, ties, Debian's unranked rule."""

from __future__ import annotations

import numpy as np
import pytest

from domain.errors import InvalidVoteRules
from domain.voting.base import Paper, Rules
from domain.voting.schulze import SCHULZE

RULES = Rules(options=("A", "B", "C", "D", "E"))

# Wikipedia's "Schulze method" worked example: 45 voters, five options.
WIKIPEDIA = [
    (5, "ACBED"),
    (5, "ADECB"),
    (8, "BEDAC"),
    (3, "CABED"),
    (7, "CAEBD"),
    (2, "CBADE"),
    (7, "DCEBA"),
    (8, "EBADC"),
]


def ranking(order: str) -> Paper:
    """The paper of a voter ranking the letters of `order` best first."""
    return SCHULZE.validate(RULES, list(order))


class TestWikipediaExample:
    def test_the_pairwise_and_strongest_path_matrices(self) -> None:
        """Given the 45 voters, then d and p are Wikipedia's and E > A > C > B > D."""
        papers = [ranking(order) for _, order in WIKIPEDIA]
        result = SCHULZE.tally(RULES, papers, [count for count, _ in WIKIPEDIA])

        assert result.detail["d"] == [
            [0, 20, 26, 30, 22],
            [25, 0, 16, 33, 18],
            [19, 29, 0, 17, 24],
            [15, 12, 28, 0, 14],
            [23, 27, 21, 31, 0],
        ]
        assert result.detail["p"] == [
            [0, 28, 28, 30, 24],
            [25, 0, 28, 33, 24],
            [25, 29, 0, 29, 24],
            [25, 28, 28, 0, 24],
            [25, 28, 28, 31, 0],
        ]
        assert result.detail["options"] == ["A", "B", "C", "D", "E"]
        assert result.winners == ("E",)
        assert result.ranking == (("E",), ("A",), ("C",), ("B",), ("D",))
        assert result.tied == ()
        assert result.ballots == 45

    def test_weights_count_like_copies_and_an_array_like_tuples(self) -> None:
        """The same voters as 45 separate papers in an array give the same result."""
        papers = [ranking(order) for count, order in WIKIPEDIA for _ in range(count)]
        weighted = SCHULZE.tally(
            RULES, [ranking(o) for _, o in WIKIPEDIA], [c for c, _ in WIKIPEDIA]
        )
        assert SCHULZE.tally(RULES, np.array(papers)) == weighted


class TestUnrankedAndTies:
    def test_a_ranked_option_beats_the_unranked_ones(self) -> None:
        """Given voters who rank only B, then B beats every option and the rest tie."""
        result = SCHULZE.tally(RULES, [ranking("B")] * 3)
        assert result.winners == ("B",)
        assert result.ranking == (("B",), ("A", "C", "D", "E"))

    def test_equal_ranks_from_a_ballot_file_are_counted_as_no_preference(self) -> None:
        """A .toc paper ranking A and B equal first adds nothing to d[A][B] or d[B][A]."""
        result = SCHULZE.tally(RULES, [(1, 1, 2, 0, 0)])
        assert result.detail["d"][0][1] == result.detail["d"][1][0] == 0
        assert result.tied == ("A", "B")

    def test_a_cycle_is_reported_as_a_tie_then_broken_by_the_tie_order(self) -> None:
        """Given a perfect three-way cycle, then A, B and C tie and the tie order picks."""
        rules = Rules(options=("A", "B", "C"), tie_order=(2, 0, 1))
        papers = [SCHULZE.validate(rules, list(o)) for o in ("ABC", "BCA", "CAB")]
        result = SCHULZE.tally(rules, papers)
        assert result.tied == ("C", "A", "B")
        assert result.winners == ("C",)
        assert result.ranking == (("C", "A", "B"),)

    def test_zero_ballots_is_a_tie_between_every_option(self) -> None:
        """With no ballots, every option ties and the tie order decides."""
        result = SCHULZE.tally(RULES, [])
        assert result.ballots == 0
        assert result.tied == RULES.options
        assert result.winners == ("A",)
        assert result.detail["d"] == [[0] * 5] * 5


def test_refuses_a_vote_for_several_seats() -> None:
    """Schulze elects one option here: rules with two seats are refused."""
    with pytest.raises(InvalidVoteRules, match="2 seats"):
        SCHULZE.validate(Rules(options=("A", "B"), seats=2), ["A"])
