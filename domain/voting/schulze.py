"""Schulze's beatpath method with winning votes: the Condorcet method Debian elects its leader with.

The detail holds the pairwise matrix `d` (d[x][y] = ballots putting x above y) and the
strongest-path matrix `p`, both in the order of `options`, so an auditor can redo every step.
"""

from __future__ import annotations

import numpy as np

from domain.voting.base import Paper, Papers, Result, Rules, Weights, break_tie
from domain.voting.ranked import Counts, pairwise, rank_array, validate_ranking, weight_array
from domain.voting.score import single_winner


def strongest_paths(d: Counts) -> Counts:
    """p[x][y]: the strength of the strongest path from x to y, a link's strength its winning votes.

    A link x -> y exists when more ballots put x above y than y above x; its strength is d[x][y].
    Floyd-Warshall with the widest-path update, one matrix step per intermediate option.
    """
    p = np.where(d > d.T, d, 0)
    for via in range(len(d)):
        p = np.maximum(p, np.minimum(p[:, via : via + 1], p[via : via + 1, :]))
    np.fill_diagonal(p, 0)
    return p


class Schulze:
    """A ranked method: the winner beats every other option by a stronger path than the reverse."""

    name = "schulze"

    def validate(self, rules: Rules, choice: object) -> Paper:
        """A list of option ids best first (strict, possibly partial)."""
        single_winner(rules, self.name)
        return validate_ranking(rules, choice)

    def tally(self, rules: Rules, papers: Papers, weights: Weights = None) -> Result:
        """Schulze's order: x above y when p[x][y] > p[y][x]; each group is unbeaten by the rest."""
        single_winner(rules, self.name)
        ranks = rank_array(rules, papers)
        counts = weight_array(weights, len(ranks))
        d = pairwise(ranks, counts)
        p = strongest_paths(d)
        beats = p > p.T
        tie_rank = rules.tie_rank()
        remaining = list(range(len(rules.options)))
        ranking: list[list[int]] = []
        while remaining:
            # Schulze proves the relation transitive, so some remaining option is always unbeaten.
            unbeaten = [x for x in remaining if not beats[remaining, x].any()]
            ranking.append(sorted(unbeaten, key=tie_rank.__getitem__))
            remaining = [x for x in remaining if x not in unbeaten]
        top = ranking[0]
        winner = break_tie(rules, top)
        return Result(
            method=self.name,
            ballots=int(counts.sum()),
            winners=(rules.options[winner],),
            ranking=tuple(tuple(rules.options[x] for x in group) for group in ranking),
            tied=tuple(rules.options[x] for x in top) if len(top) > 1 else (),
            detail={"options": list(rules.options), "d": d.tolist(), "p": p.tolist()},
        )


SCHULZE = Schulze()
