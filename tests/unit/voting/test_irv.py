"""Instant-runoff: rounds, exhausted ballots, majority of continuing ballots, elimination ties."""

from __future__ import annotations

import pytest

from domain.errors import InvalidBallot
from domain.voting.base import Paper, Rules
from domain.voting.irv import IRV

RULES = Rules(options=("tram", "bus", "bike"))


def ranked(*orders: str, rules: Rules = RULES) -> list[Paper]:
    """Papers of voters each ranking the space-separated option ids of an order, best first."""
    return [IRV.validate(rules, order.split()) for order in orders]


class TestRounds:
    def test_a_majority_in_the_first_round_wins_at_once(self) -> None:
        """Given 3 of 5 first preferences for the tram, then it wins in one round."""
        result = IRV.tally(RULES, ranked("tram", "tram bus", "tram", "bus", "bike"))
        assert result.winners == ("tram",)
        assert result.detail["rounds"] == [
            {"counts": {"tram": 3, "bus": 1, "bike": 1}, "exhausted": 0, "elected": "tram"}
        ]

    def test_the_last_option_is_eliminated_and_its_ballots_move_on(self) -> None:
        """Given 4 tram, 3 bus, 2 bike>bus, then bike goes and bus wins 5 to 4."""
        papers = ranked("tram bus bike", "bus bike tram", "bike bus tram")
        result = IRV.tally(RULES, papers, [4, 3, 2])
        assert result.winners == ("bus",)
        assert result.ranking == (("bus",), ("tram",), ("bike",))
        assert result.detail["rounds"] == [
            {"counts": {"tram": 4, "bus": 3, "bike": 2}, "exhausted": 0, "eliminated": "bike"},
            {"counts": {"tram": 4, "bus": 5}, "exhausted": 0, "elected": "bus"},
        ]

    def test_exhausted_ballots_leave_the_majority_count(self) -> None:
        """Given bike-only ballots, once bike goes they exhaust and 4 of 7 is a majority."""
        papers = ranked("tram", "bus", "bike")
        result = IRV.tally(RULES, papers, [4, 3, 2])
        assert result.detail["rounds"][1] == {
            "counts": {"tram": 4, "bus": 3},
            "exhausted": 2,
            "elected": "tram",
        }
        assert result.winners == ("tram",)


class TestTies:
    def test_a_tie_for_fewest_eliminates_the_latest_in_the_tie_order(self) -> None:
        """Given bus and bike tied last, then the one later in the tie order goes, recorded."""
        rules = Rules(options=RULES.options, tie_order=(0, 2, 1))
        papers = ranked("tram", "bus tram", "bike bus", "tram", "bus bike", "bike", rules=rules)
        result = IRV.tally(rules, [*papers, IRV.validate(rules, ["tram"])])
        first = result.detail["rounds"][0]
        assert first["eliminated"] == "bus"
        assert first["tie"]["options"] == ["bike", "bus"]
        assert result.detail["rounds"][1]["counts"] == {"tram": 4, "bike": 3}
        assert result.tied == ()

    def test_a_final_tie_is_reported_and_broken_by_the_tie_order(self) -> None:
        """Given two options with equal votes, then both are tied and the tie order picks."""
        rules = Rules(options=("tram", "bus"), tie_order=(1, 0))
        result = IRV.tally(rules, ranked("tram", "bus", rules=rules))
        assert result.tied == ("bus", "tram")
        assert result.winners == ("bus",)

    def test_zero_ballots_is_a_tie_between_every_option(self) -> None:
        """With no ballots, every option ties and the first in the tie order wins."""
        result = IRV.tally(RULES, [])
        assert result.ballots == 0
        assert result.tied == RULES.options
        assert result.winners == ("tram",)


class TestRefusals:
    def test_refuses_a_paper_that_ranks_two_options_equal(self) -> None:
        """A ballot-file paper tying two options cannot be counted by IRV; it is named."""
        with pytest.raises(InvalidBallot, match="irv cannot count paper 1"):
            IRV.tally(RULES, [(1, 2, 3), (1, 1, 2)])

    def test_refuses_an_unknown_option(self) -> None:
        """Validation names the unknown option."""
        with pytest.raises(InvalidBallot, match="unknown option 'car'"):
            IRV.validate(RULES, ["car"])
