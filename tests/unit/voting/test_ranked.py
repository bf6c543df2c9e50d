"""Ranked papers: a voter's list becomes ranks, papers become one array, pairwise counts."""

from __future__ import annotations

import numpy as np
import pytest

from domain.errors import InvalidBallot
from domain.voting.base import Rules
from domain.voting.ranked import pairwise, ranks_of, refuse_ties, validate_ranking

RULES = Rules(options=("tram", "bus", "bike", "walk"))


class TestValidateRanking:
    def test_a_full_ranking_becomes_ranks_in_option_order(self) -> None:
        """Given four options, when a voter ranks them all, then each holds its place."""
        assert validate_ranking(RULES, ["bike", "tram", "walk", "bus"]) == (2, 4, 1, 3)

    def test_a_partial_ranking_leaves_the_rest_unranked(self) -> None:
        """When a voter ranks two options, then the other two hold 0."""
        assert validate_ranking(RULES, ["tram", "bus"]) == (1, 2, 0, 0)

    def test_refuses_an_unknown_option(self) -> None:
        """An option id the vote does not have is refused, naming it."""
        with pytest.raises(InvalidBallot, match="unknown option 'car'"):
            validate_ranking(RULES, ["tram", "car"])

    def test_refuses_an_option_ranked_twice(self) -> None:
        """An option listed twice is refused, naming it."""
        with pytest.raises(InvalidBallot, match="'bus' is ranked twice"):
            validate_ranking(RULES, ["bus", "tram", "bus"])

    def test_refuses_an_empty_ranking(self) -> None:
        """A ranking must name at least one option."""
        with pytest.raises(InvalidBallot, match="at least one option"):
            validate_ranking(RULES, [])

    @pytest.mark.parametrize("choice", ["tram", {"tram": 1}, None, 3], ids=str)
    def test_refuses_anything_but_a_list(self, choice: object) -> None:
        """A single id, a mapping or a number is not a ranking."""
        with pytest.raises(InvalidBallot, match="list of option ids"):
            validate_ranking(RULES, choice)

    def test_refuses_a_non_string_entry(self) -> None:
        """Entries of a ranking are option ids."""
        with pytest.raises(InvalidBallot, match="not 1"):
            validate_ranking(RULES, ["tram", 1])


class TestRanksOf:
    def test_tuples_and_an_array_give_the_same_ranks(self) -> None:
        """A list of tuples and a 2-D array convert to the same int16 array."""
        papers = [(1, 2, 0, 0), (0, 1, 2, 3)]
        listed, _ = ranks_of(RULES, papers, None)
        assert np.array_equal(listed, ranks_of(RULES, np.array(papers), None)[0])
        assert listed.dtype == np.int16

    def test_an_int16_array_is_not_copied(self) -> None:
        """Ranks already held as int16 (a PrefLib file's) are counted as they are."""
        papers = np.array([(1, 2, 0, 0)], dtype=np.int16)
        assert ranks_of(RULES, papers, None)[0] is papers

    def test_no_papers_is_an_empty_array(self) -> None:
        """Zero ballots give a 0 x options array."""
        assert ranks_of(RULES, [], None)[0].shape == (0, 4)

    def test_refuses_a_paper_of_the_wrong_length(self) -> None:
        """A paper must hold one rank per option: a malformed paper is a bug, not a ballot."""
        with pytest.raises(ValueError, match=r"paper 0 holds 3 marks, not one per option \(4\)"):
            ranks_of(RULES, [(1, 2, 3)], None)

    def test_refuses_a_rank_out_of_range(self) -> None:
        """A rank above the number of options names the paper."""
        with pytest.raises(ValueError, match=r"paper 1 holds a mark outside 0\.\.4"):
            ranks_of(RULES, [(1, 2, 3, 4), (1, 5, 0, 0)], None)

    def test_weights_default_to_one_and_refuse_a_mismatch(self) -> None:
        """No weights: each paper counts once; the wrong number of weights is refused."""
        assert ranks_of(RULES, [(1, 0, 0, 0)] * 3, None)[1].tolist() == [1, 1, 1]
        with pytest.raises(ValueError, match="2 given for 3 papers"):
            ranks_of(RULES, [(1, 0, 0, 0)] * 3, [1, 2])

    def test_refuses_a_negative_weight(self) -> None:
        """A paper cannot count a negative number of times."""
        with pytest.raises(ValueError, match="paper 1 has a negative weight"):
            ranks_of(RULES, [(1, 0, 0, 0)] * 2, [1, -1])


class TestPairwise:
    def test_a_ranked_option_beats_every_unranked_one(self) -> None:
        """Given tram > bus and nothing else, then both beat bike and walk, which tie."""
        d = pairwise(*ranks_of(RULES, [(1, 2, 0, 0)], None))
        assert d.tolist() == [[0, 1, 1, 1], [0, 0, 1, 1], [0, 0, 0, 0], [0, 0, 0, 0]]

    def test_equal_ranks_are_a_tie(self) -> None:
        """Given tram and bus both first, then neither is preferred to the other."""
        d = pairwise(*ranks_of(RULES, [(1, 1, 2, 0)], None))
        assert d[0, 1] == d[1, 0] == 0
        assert d[0, 2] == d[1, 2] == d[2, 3] == 1

    def test_weights_count_a_paper_that_many_times(self) -> None:
        """A paper with weight 3 counts like three copies of it."""
        papers = [(1, 2, 3, 4), (4, 3, 2, 1)]
        weighted = pairwise(*ranks_of(RULES, papers, [3, 1]))
        copies = pairwise(*ranks_of(RULES, [papers[0]] * 3 + [papers[1]], None))
        assert weighted.tolist() == copies.tolist()


class TestRefuseTies:
    def test_names_the_first_paper_with_a_tie(self) -> None:
        """Given a strict paper then one tying two options, the second is named."""
        ranks, _ = ranks_of(RULES, [(1, 2, 0, 0), (1, 1, 2, 0), (2, 2, 1, 0)], None)
        with pytest.raises(InvalidBallot, match="irv cannot count paper 1"):
            refuse_ties("irv", ranks)

    def test_unranked_options_are_not_a_tie(self) -> None:
        """Several zeros on a paper are allowed: unranked is not ranked equal."""
        refuse_ties("irv", ranks_of(RULES, [(1, 0, 0, 0), (0, 0, 0, 0)], None)[0])
