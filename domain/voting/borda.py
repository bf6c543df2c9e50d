"""The Borda count: each ballot gives an option one point for every option it ranks below it.

On a complete ranking of n options that is n - rank points (n - 1 for the first, 0 for the last).
Options a ballot ties, including the options it leaves unranked (tied at the bottom), share the
places they cover: half a point for each other option in the tie, so every ballot hands out
the same n(n - 1)/2 points and leaving options out neither gains nor loses anything.
"""

from __future__ import annotations

from domain.voting.base import Papers, Result, Rules, Weights
from domain.voting.counting import outcome
from domain.voting.ranked import RankedSingleWinner


class Borda(RankedSingleWinner):
    """A ranked, single-winner method that sums points by place; ties on a paper are shared."""

    name = "borda"

    def tally(self, rules: Rules, papers: Papers, weights: Weights = None) -> Result:
        """Points per option (`scores` in the detail, halves where ballots tie), highest first."""
        d, ballots = self._pairwise(rules, papers, weights)
        # Against each other option: a point per ballot above it, half a point per ballot tying.
        doubled = (ballots + d - d.T).sum(axis=1) - ballots
        scores = [int(s) / 2 if s % 2 else int(s) // 2 for s in doubled.tolist()]
        detail = {"options": list(rules.options), "scores": scores}
        return outcome(rules, self.name, ballots, scores.__getitem__, detail)


BORDA = Borda()
