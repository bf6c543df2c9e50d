"""Copeland's method: an option scores its pairwise wins minus its pairwise losses.

x beats y when more ballots put x above y than y above x (a ranked option is above an unranked
one); a pairwise tie counts neither way. This is pref_voting's Copeland score.
"""

from __future__ import annotations

from domain.voting.base import Paper, Papers, Result, Rules, Weights, break_tie
from domain.voting.ranked import (
    by_score,
    groups,
    pairwise,
    rank_array,
    validate_ranking,
    weight_array,
)
from domain.voting.score import single_winner


class Copeland:
    """A ranked, single-winner Condorcet method; ties on a paper count as no preference."""

    name = "copeland"

    def validate(self, rules: Rules, choice: object) -> Paper:
        """A list of option ids best first (strict, possibly partial)."""
        single_winner(rules, self.name)
        return validate_ranking(rules, choice)

    def tally(self, rules: Rules, papers: Papers, weights: Weights = None) -> Result:
        """Scores (`scores`) from the pairwise matrix `d` in the detail, highest first."""
        single_winner(rules, self.name)
        ranks = rank_array(rules, papers)
        counts = weight_array(weights, len(ranks))
        d = pairwise(ranks, counts)
        scores = ((d > d.T).sum(axis=1) - (d < d.T).sum(axis=1)).tolist()
        order, top = by_score(rules, scores)
        return Result(
            method=self.name,
            ballots=int(counts.sum()),
            winners=(rules.options[break_tie(rules, top)],),
            ranking=groups(order, lambda a, b: scores[a] == scores[b], rules.options),
            tied=tuple(rules.options[i] for i in top) if len(top) > 1 else (),
            detail={"options": list(rules.options), "d": d.tolist(), "scores": scores},
        )


COPELAND = Copeland()
