"""Borda: n - rank points, shared points for ties and for the unranked options."""

from __future__ import annotations

from domain.voting.base import Rules
from domain.voting.borda import BORDA

RULES = Rules(options=("tram", "bus", "bike"))


class TestBorda:
    def test_complete_rankings_give_n_minus_rank_points(self) -> None:
        """Given 3 tram>bus>bike and 2 bus>bike>tram, then bus 7, tram 6, bike 2."""
        papers = [BORDA.validate(RULES, ["tram", "bus", "bike"]), (3, 1, 2)]
        result = BORDA.tally(RULES, papers, [3, 2])
        assert result.detail["scores"] == [6, 7, 2]
        assert result.winners == ("bus",)
        assert result.ranking == (("bus",), ("tram",), ("bike",))
        assert result.tied == ()

    def test_unranked_options_share_the_bottom_places(self) -> None:
        """Given one voter ranking only the bike, then bike 2 and the others half a point each."""
        result = BORDA.tally(RULES, [BORDA.validate(RULES, ["bike"])])
        assert result.detail["scores"] == [0.5, 0.5, 2]
        assert result.ranking == (("bike",), ("tram", "bus"))

    def test_a_tie_on_a_paper_shares_the_places(self) -> None:
        """Given tram and bus equal first (a .toc paper), then 1.5 points each and bike 0."""
        result = BORDA.tally(RULES, [(1, 1, 2)])
        assert result.detail["scores"] == [1.5, 1.5, 0]
        assert result.tied == ("tram", "bus")
        assert result.winners == ("tram",)

    def test_zero_ballots_is_a_tie_between_every_option(self) -> None:
        """With no ballots every score is 0 and all options tie."""
        result = BORDA.tally(RULES, [])
        assert result.tied == RULES.options
        assert result.detail["scores"] == [0, 0, 0]
