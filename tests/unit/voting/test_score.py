"""Score (range) voting: 0 to `score_max` points per option, the highest total wins."""

from __future__ import annotations

import pytest

from domain.errors import InvalidBallot, InvalidVoteRules
from domain.voting.base import Rules
from domain.voting.score import SCORE

RULES = Rules(options=("park", "library", "pool"))


class TestValidate:
    def test_points_land_at_their_option_and_left_out_options_get_zero(self) -> None:
        """Given points for two of three options, then the third scores 0 on the paper."""
        assert SCORE.validate(RULES, {"pool": 10, "park": 3}) == (3, 0, 10)

    def test_an_empty_ballot_scores_every_option_zero(self) -> None:
        """An empty mapping is a valid ballot giving no points."""
        assert SCORE.validate(RULES, {}) == (0, 0, 0)

    @pytest.mark.parametrize("points", [11, -1], ids=["above", "below"])
    def test_refuses_points_out_of_range(self, points: int) -> None:
        """Points outside 0..score_max are refused, naming the score, the option and the range."""
        with pytest.raises(InvalidBallot, match=rf"score {points} for 'park' out of 0\.\.10"):
            SCORE.validate(RULES, {"park": points})

    def test_the_range_follows_the_vote_rules(self) -> None:
        """Given a 0..5 scale, then 6 is refused and 5 accepted."""
        rules = Rules(options=RULES.options, score_max=5)

        assert SCORE.validate(rules, {"library": 5}) == (0, 5, 0)
        with pytest.raises(InvalidBallot, match=r"score 6 for 'library' out of 0\.\.5"):
            SCORE.validate(rules, {"library": 6})

    @pytest.mark.parametrize("points", [True, 2.5, "7", None], ids=str)
    def test_refuses_points_that_are_not_whole_numbers(self, points: object) -> None:
        """A boolean, a fraction, a string or nothing is not a number of points."""
        with pytest.raises(InvalidBallot, match="points for 'pool' must be a whole number"):
            SCORE.validate(RULES, {"pool": points})

    def test_refuses_an_unknown_option(self) -> None:
        """Points for an option the vote does not have are refused, naming it."""
        with pytest.raises(InvalidBallot, match="unknown option 'zoo'"):
            SCORE.validate(RULES, {"zoo": 4})

    @pytest.mark.parametrize("choice", [["park"], "park", 7], ids=str)
    def test_refuses_anything_but_a_mapping(self, choice: object) -> None:
        """A list, a string or a number is not a score ballot."""
        with pytest.raises(InvalidBallot, match="gives points by option id"):
            SCORE.validate(RULES, choice)

    def test_refuses_a_scale_without_two_values(self) -> None:
        """score_max 0 would give every option the same score: the rules are refused."""
        with pytest.raises(InvalidVoteRules, match="score_max"):
            SCORE.validate(Rules(options=RULES.options, score_max=0), {})


class TestTally:
    def test_totals_decide_and_means_are_rounded(self) -> None:
        """Given totals 12, 11 and 2 over 3 ballots, then park wins and means have 6 decimals."""
        papers = [(10, 4, 0), (0, 7, 2), (2, 0, 0)]

        result = SCORE.tally(RULES, papers)

        assert result.method == "score"
        assert result.winners == ("park",)
        assert result.tied == ()
        assert result.ranking == (("park",), ("library",), ("pool",))
        assert result.detail == {
            "totals": {"park": 12, "library": 11, "pool": 2},
            "means": {"park": 4.0, "library": 3.666667, "pool": 0.666667},
            "score_max": 10,
            "ballots": 3,
        }

    def test_a_tie_on_totals_is_reported_and_broken_by_the_vote_order(self) -> None:
        """Given library and pool level on points, then both are tied and the order decides."""
        rules = Rules(options=RULES.options, tie_order=(2, 0, 1))

        result = SCORE.tally(rules, [(1, 5, 3), (0, 2, 4)])

        assert result.tied == ("pool", "library")
        assert result.winners == ("pool",)
        assert result.ranking == (("pool", "library"), ("park",))

    def test_zero_ballots_tie_every_option_without_means(self) -> None:
        """Given no ballot, then all options tie at zero points and no mean is defined."""
        result = SCORE.tally(RULES, [])

        assert result.ballots == 0
        assert result.tied == RULES.options
        assert result.detail["means"] == {"park": None, "library": None, "pool": None}

    def test_weights_count_a_paper_that_many_times(self) -> None:
        """Given counted papers, then totals and means are weighted; a weight of 0 is ignored."""
        result = SCORE.tally(RULES, [(10, 0, 0), (0, 3, 0), (0, 0, 10)], [1, 4, 0])

        assert result.ballots == 5
        assert result.detail["totals"] == {"park": 10, "library": 12, "pool": 0}
        assert result.detail["means"] == {"park": 2.0, "library": 2.4, "pool": 0.0}
        assert result.winners == ("library",)

    def test_refuses_marks_above_the_scale(self) -> None:
        """A paper with 11 points on a 0..10 scale never came through `validate`."""
        with pytest.raises(ValueError, match=r"outside 0\.\.10"):
            SCORE.tally(RULES, [(11, 0, 0)])
