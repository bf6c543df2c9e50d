"""Schulze's beatpath method with winning votes: the Condorcet method Debian elects its leader with.

The detail holds the pairwise matrix `d` (d[x][y] = ballots putting x above y) and the
strongest-path matrix `p`, both in the order of `options`, so an auditor can redo every step.
"""

from __future__ import annotations

import numpy as np

from domain.voting.base import Papers, Result, Rules, Weights
from domain.voting.counting import Counts, outcome_of_groups
from domain.voting.ranked import RankedSingleWinner


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


class Schulze(RankedSingleWinner):
    """A ranked method: the winner beats every other option by a stronger path than the reverse."""

    name = "schulze"

    def tally(self, rules: Rules, papers: Papers, weights: Weights = None) -> Result:
        """Schulze's order: x above y when p[x][y] > p[y][x]; each group is unbeaten by the rest."""
        d, ballots = self._pairwise(rules, papers, weights)
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
        detail = {"options": list(rules.options), "d": d.tolist(), "p": p.tolist()}
        return outcome_of_groups(rules, self.name, ballots, ranking, detail)


SCHULZE = Schulze()
