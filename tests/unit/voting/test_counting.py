"""What every tally shares: papers and weights as checked arrays, results by ranking."""

from __future__ import annotations

import numpy as np
import pytest

from domain.errors import InvalidVoteRules
from domain.voting.base import Rules
from domain.voting.counting import (
    outcome,
    outcome_of_groups,
    paper_array,
    per_option,
    sheet,
    single_winner,
    weight_array,
)

RULES = Rules(options=("park", "library", "pool"), tie_order=(2, 0, 1))


class TestPaperArray:
    def test_an_array_is_counted_as_it_is(self) -> None:
        """Small-integer papers are not copied to int64 to be checked."""
        papers = np.array([[1, 0, 0], [0, 0, 1]], dtype=np.int8)
        assert paper_array(RULES, papers, 1) is papers

    def test_tuples_become_one_int64_array(self) -> None:
        """A list of tuples becomes one ballots x options array."""
        marks = paper_array(RULES, [(1, 0, 0), (0, 0, 1)], 1)
        assert marks.dtype == np.int64
        assert marks.tolist() == [[1, 0, 0], [0, 0, 1]]

    @pytest.mark.parametrize("papers", [[], np.array([]), np.zeros((0, 3), np.int8)], ids=str)
    def test_no_papers_is_an_empty_array(self, papers: list[tuple[int, ...]]) -> None:
        """An empty list or an empty array are zero ballots."""
        assert paper_array(RULES, papers, 1).shape == (0, 3)

    def test_no_upper_bound_still_refuses_a_negative_mark(self) -> None:
        """Without `top` (budgeting points) any mark from 0 up passes, a negative one does not."""
        assert paper_array(RULES, [(0, 7, 1_000)], None).tolist() == [[0, 7, 1_000]]
        with pytest.raises(ValueError, match="paper 1 holds a negative mark"):
            paper_array(RULES, [(0, 0, 0), (0, -1, 0)], None)

    def test_refuses_a_list_that_is_not_of_papers(self) -> None:
        """Papers are tuples of integers, not bare numbers."""
        with pytest.raises(ValueError, match="list of papers"):
            paper_array(RULES, [1, 2, 3], 1)  # type: ignore[list-item]


class TestWeights:
    def test_no_weights_count_each_paper_once(self) -> None:
        """None stays None for the fast paths; the sheet counts each paper once."""
        assert weight_array(None, 2) is None
        counted = sheet(RULES, [(1, 0, 0), (0, 1, 0)], None, 1)
        assert counted.ballots == 2
        assert counted.counts().tolist() == [1, 1]

    def test_weights_count_a_paper_that_many_times(self) -> None:
        """Weights become int64; the ballots counted are their sum."""
        counted = sheet(RULES, [(1, 0, 0), (0, 1, 0)], np.array([3, 0], dtype=np.uint8), 1)
        assert counted.weights is not None
        assert counted.weights.dtype == np.int64
        assert counted.ballots == 3
        assert counted.totals().tolist() == [3, 0, 0]

    def test_empty_weights_for_no_papers(self) -> None:
        """No papers, no weights: np.asarray([]) is float64, but holds no fraction."""
        assert sheet(RULES, [], [], 1).ballots == 0


class TestOutcome:
    def test_a_tie_is_reported_then_broken_by_the_tie_order(self) -> None:
        """Given park and pool level, then pool (first in the tie order) wins; both are tied."""
        totals = [2, 1, 2]
        result = outcome(RULES, "test", 5, totals.__getitem__, {"totals": totals})
        assert result.winners == ("pool",)
        assert result.tied == ("pool", "park")
        assert result.ranking == (("pool", "park"), ("library",))

    def test_groups_given_by_the_method(self) -> None:
        """A method that ranks by itself hands its groups over; a lone winner has no tie."""
        result = outcome_of_groups(RULES, "test", 1, [[1], [2, 0]], {})
        assert result.winners == ("library",)
        assert result.tied == ()
        assert result.ranking == (("library",), ("pool", "park"))

    def test_values_by_option(self) -> None:
        """Detail values are keyed by option id, in the options' own order."""
        assert list(per_option(RULES, [1, 2, 3]).items()) == [
            ("park", 1),
            ("library", 2),
            ("pool", 3),
        ]

    def test_a_single_winner_method_refuses_seats(self) -> None:
        """Rules asking for two seats are refused by a method that elects one option."""
        with pytest.raises(InvalidVoteRules, match="test elects one option; the vote asks for 2"):
            single_winner(Rules(options=("a", "b"), seats=2), "test")
