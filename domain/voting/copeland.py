"""Copeland's method: an option scores its pairwise wins minus its pairwise losses.

x beats y when more ballots put x above y than y above x (a ranked option is above an unranked
one); a pairwise tie counts neither way. This is pref_voting's Copeland score.
"""

from __future__ import annotations

from domain.voting.base import Papers, Result, Rules, Weights
from domain.voting.counting import outcome
from domain.voting.ranked import RankedSingleWinner


class Copeland(RankedSingleWinner):
    """A ranked, single-winner Condorcet method; ties on a paper count as no preference."""

    name = "copeland"

    def tally(self, rules: Rules, papers: Papers, weights: Weights = None) -> Result:
        """Scores (`scores`) from the pairwise matrix `d` in the detail, highest first."""
        d, ballots = self._pairwise(rules, papers, weights)
        scores = ((d > d.T).sum(axis=1) - (d < d.T).sum(axis=1)).tolist()
        detail = {"options": list(rules.options), "d": d.tolist(), "scores": scores}
        return outcome(rules, self.name, ballots, scores.__getitem__, detail)


COPELAND = Copeland()
