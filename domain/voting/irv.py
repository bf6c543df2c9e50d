"""Instant-runoff voting: eliminate the option with the fewest votes until one holds a majority.

Each round counts every ballot for its highest-ranked option still in the count; a ballot that
ranks none of them is exhausted. An option with more than half of the continuing ballots wins.
Otherwise the option with the fewest votes is eliminated (a tie for fewest: the one latest in
the vote's tie-break order) and its ballots pass to their next choice.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from domain.voting.base import Papers, Result, Rules, Weights
from domain.voting.ranked import RankedSingleWinner, Ranks, eliminate, refuse_ties

EXHAUSTED = -1


def top_choices(ranks: Ranks, continuing: NDArray[np.bool_]) -> NDArray[np.intp]:
    """Each paper's highest-ranked option among `continuing`, or EXHAUSTED if it ranks none."""
    big = np.iinfo(ranks.dtype).max
    # Unranked and no-longer-continuing options sort last; argmin then finds the best remaining.
    masked = np.where((ranks > 0) & continuing, ranks, big)
    top = np.argmin(masked, axis=1) if len(ranks) else np.zeros(0, dtype=np.intp)
    top[masked[np.arange(len(ranks)), top] == big] = EXHAUSTED
    return top


def transfer(
    ranks: Ranks, top: NDArray[np.intp], leaving: int, continuing: NDArray[np.bool_]
) -> None:
    """Move the papers on `leaving` to their next continuing choice (in place), vectorised."""
    moving = np.flatnonzero(top == leaving)
    top[moving] = top_choices(ranks[moving], continuing)


class InstantRunoff(RankedSingleWinner):
    """A ranked, single-winner method; it cannot split a paper's ties, so it refuses such papers."""

    name = "irv"

    def tally(self, rules: Rules, papers: Papers, weights: Weights = None) -> Result:
        """Rounds of counts until a majority of continuing ballots; every round is in the detail.

        `tied` holds the options still in the count the first time they all had the same number
        of votes: from there the tie-break order decided the eliminations, hence the winner.
        """
        ranks, counts = self._ranks(rules, papers, weights)
        refuse_ties(self.name, ranks)
        options = rules.options
        tie_rank = rules.tie_rank()
        continuing = np.ones(len(options), dtype=np.bool_)
        top = top_choices(ranks, continuing)
        rounds: list[dict[str, Any]] = []
        eliminated: list[int] = []
        tied: list[int] = []
        while True:
            live = top != EXHAUSTED
            votes = np.bincount(top[live], weights=counts[live], minlength=len(options))
            votes = votes.astype(np.int64)
            standing: list[int] = np.flatnonzero(continuing).tolist()
            in_count = int(votes[standing].sum())
            record: dict[str, Any] = {
                "counts": {options[i]: int(votes[i]) for i in standing},
                "exhausted": int(counts.sum()) - in_count,
            }
            rounds.append(record)
            leader = max(standing, key=lambda i: (votes[i], -tie_rank[i]))
            if len(standing) == 1 or 2 * votes[leader] > in_count:
                record["elected"] = options[leader]
                break
            fewest = [i for i in standing if votes[i] == votes[standing].min()]
            loser = eliminate(rules, standing, fewest, record, tied)
            continuing[loser] = False
            eliminated.append(loser)
            transfer(ranks, top, loser, continuing)

        last = rounds[-1]["counts"]
        rest = sorted(
            (i for i in standing if i != leader), key=lambda i: (-last[options[i]], tie_rank[i])
        )
        order = [leader, *rest, *reversed(eliminated)]
        return Result(
            method=self.name,
            ballots=int(counts.sum()),
            winners=(options[leader],),
            ranking=tuple((options[i],) for i in order),
            tied=tuple(options[i] for i in tied),
            detail={"options": list(options), "rounds": rounds},
        )


IRV = InstantRunoff()
