"""Copeland: pairwise wins minus pairwise losses, with the pairwise matrix in the detail."""

from __future__ import annotations

from domain.voting.base import Rules
from domain.voting.copeland import COPELAND

RULES = Rules(options=("tram", "bus", "bike", "walk"))


class TestCopeland:
    def test_wins_minus_losses(self) -> None:
        """Given a Condorcet winner tram and a bus-bike tie, then scores 3, 0, 0, -3."""
        papers = [
            COPELAND.validate(RULES, ["tram", "bus", "bike", "walk"]),
            COPELAND.validate(RULES, ["tram", "bike", "bus", "walk"]),
        ]
        result = COPELAND.tally(RULES, papers)
        assert result.detail["scores"] == [3, 0, 0, -3]
        assert result.detail["d"][1][2] == result.detail["d"][2][1] == 1
        assert result.winners == ("tram",)
        assert result.ranking == (("tram",), ("bus", "bike"), ("walk",))

    def test_a_cycle_ties_its_options(self) -> None:
        """Given a three-way cycle above walk, then tram, bus and bike tie with 1 each."""
        papers = [
            COPELAND.validate(RULES, ["tram", "bus", "bike"]),
            COPELAND.validate(RULES, ["bus", "bike", "tram"]),
            COPELAND.validate(RULES, ["bike", "tram", "bus"]),
        ]
        result = COPELAND.tally(RULES, papers)
        assert result.detail["scores"] == [1, 1, 1, -3]
        assert result.tied == ("tram", "bus", "bike")
        assert result.winners == ("tram",)

    def test_zero_ballots_is_a_tie_between_every_option(self) -> None:
        """With no ballots every pair ties and so do all options."""
        assert COPELAND.tally(RULES, []).tied == RULES.options
