"""The Borda count: each ballot gives an option one point for every option it ranks below it.

On a complete ranking of n options that is n - rank points (n - 1 for the first, 0 for the last).
Options a ballot ties, including the options it leaves unranked (tied at the bottom), share the
places they cover: half a point for each other option in the tie, so every ballot hands out
the same n(n - 1)/2 points and leaving options out neither gains nor loses anything.
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


class Borda:
    """A ranked, single-winner method that sums points by place; ties on a paper are shared."""

    name = "borda"

    def validate(self, rules: Rules, choice: object) -> Paper:
        """A list of option ids best first (strict, possibly partial)."""
        single_winner(rules, self.name)
        return validate_ranking(rules, choice)

    def tally(self, rules: Rules, papers: Papers, weights: Weights = None) -> Result:
        """Points per option (`scores` in the detail, halves where ballots tie), highest first."""
        single_winner(rules, self.name)
        ranks = rank_array(rules, papers)
        counts = weight_array(weights, len(ranks))
        ballots = int(counts.sum())
        d = pairwise(ranks, counts)
        # Against each other option: a point per ballot above it, half a point per ballot tying.
        doubled = (ballots + d - d.T).sum(axis=1) - ballots
        scores = [int(s) / 2 if s % 2 else int(s) // 2 for s in doubled.tolist()]
        order, top = by_score(rules, scores)
        return Result(
            method=self.name,
            ballots=ballots,
            winners=(rules.options[break_tie(rules, top)],),
            ranking=groups(order, lambda a, b: scores[a] == scores[b], rules.options),
            tied=tuple(rules.options[i] for i in top) if len(top) > 1 else (),
            detail={"options": list(rules.options), "scores": scores},
        )


BORDA = Borda()
