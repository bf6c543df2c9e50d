"""Single transferable vote for `rules.seats` seats: Droop quota, weighted inclusive Gregory.

The quota is floor(ballots / (seats + 1)) + 1. Each stage counts every ballot, at its current
value, for its highest-ranked continuing option. Options at or above the quota are elected; each
one's surplus then moves on: every ballot in its pile passes to its next continuing choice at
value x surplus / pile (weighted inclusive Gregory; a ballot with no next choice exhausts that
part). With nobody at the quota, the option with the fewest votes is eliminated (a tie: the one
latest in the tie-break order) and its ballots move on at their current value. Once as many
options are left as seats, they are all elected. This is pref_voting's `stv_wig` with
`quota_rule="droop"`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from domain.voting.base import Paper, Papers, Result, Rules, Weights
from domain.voting.irv import EXHAUSTED, top_choices, transfer
from domain.voting.ranked import Ranks, eliminate, ranks_of, refuse_ties, validate_ranking

Floats = NDArray[np.float64]

TOLERANCE = 1e-9
"""Votes are fractions after a transfer; floats this close count as equal (quota, ties)."""

SHOWN = 6
"""Decimal places of the votes in the detail."""


@dataclass
class _Count:
    """The state of a count: where each ballot sits, at what value, and who is still in."""

    rules: Rules
    ranks: Ranks
    value: Floats  # each ballot's current value
    ballots: int
    continuing: NDArray[np.bool_] = field(init=False)
    top: NDArray[np.intp] = field(init=False)  # each ballot's current option, or EXHAUSTED
    elected: list[int] = field(default_factory=list)
    held: dict[int, float] = field(default_factory=dict)  # what each elected option keeps
    stages: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.continuing = np.ones(len(self.rules.options), dtype=np.bool_)
        self.top = top_choices(self.ranks, self.continuing)

    def standing(self) -> list[int]:
        """The options still in the count."""
        return [int(i) for i in np.flatnonzero(self.continuing)]

    def stage(self) -> tuple[Floats, dict[str, Any]]:
        """Count every ballot for its current option and record the stage."""
        options = self.rules.options
        live = self.top != EXHAUSTED
        votes: Floats = np.bincount(self.top[live], self.value[live], len(options)).astype(
            np.float64
        )
        standing = self.standing()
        kept = sum(self.held.values())
        stage: dict[str, Any] = {
            "counts": {options[i]: round(float(votes[i]), SHOWN) for i in standing},
            "held": {options[i]: round(self.held[i], SHOWN) for i in self.elected},
            "exhausted": round(self.ballots - float(votes[standing].sum()) - kept, SHOWN),
        }
        self.stages.append(stage)
        return votes, stage

    def elect(self, chosen: list[int], votes: Floats) -> None:
        """Chosen options leave the count, keeping the votes they have."""
        for i in chosen:
            self.continuing[i] = False
            self.elected.append(i)
            self.held[i] = float(votes[i])

    def eliminate(self, option: int) -> None:
        """The option leaves the count; its ballots move on at their current value."""
        self.continuing[option] = False
        transfer(self.ranks, self.top, option, self.continuing)

    def pass_surplus(self, option: int, quota: int) -> dict[str, Any]:
        """Pass an elected option's surplus on: each ballot in its pile at value x surplus/pile."""
        pile = self.top == option
        votes = float(self.value[pile].sum())
        surplus = votes - quota
        fraction = surplus / votes if surplus > TOLERANCE else 0.0
        if fraction:
            self.value[pile] *= fraction
            self.held[option] = float(quota)
            transfer(self.ranks, self.top, option, self.continuing)
        return {
            "from": self.rules.options[option],
            "surplus": round(surplus, SHOWN),
            "transfer_value": round(fraction, SHOWN),
        }


class SingleTransferableVote:
    """A ranked, multi-seat method; it cannot split a paper's ties, so it refuses such papers."""

    name = "stv"

    def validate(self, rules: Rules, choice: object) -> Paper:
        """A list of option ids best first (strict, possibly partial)."""
        return validate_ranking(rules, choice)

    def tally(self, rules: Rules, papers: Papers, weights: Weights = None) -> Result:
        """Stages until every seat is filled; `winners` in the order they were elected.

        `tied` holds the options still in the count the first time they all had the same votes
        while a seat was unfilled: from there the tie-break order decided who was eliminated.
        """
        ranks, counts = ranks_of(rules, papers, weights)
        refuse_ties(self.name, ranks)
        options, seats, tie_rank = rules.options, rules.seats, rules.tie_rank()
        ballots = int(counts.sum())
        quota = ballots // (seats + 1) + 1
        state = _Count(rules, ranks, counts.astype(np.float64), ballots)
        tied: list[int] = []
        while len(state.elected) < seats:
            votes, stage = state.stage()
            standing = state.standing()
            seats_left = seats - len(state.elected)
            reached = [i for i in standing if votes[i] >= quota - TOLERANCE]
            if reached:
                chosen = sorted(reached, key=lambda i: (-votes[i], tie_rank[i]))[:seats_left]
                state.elect(chosen, votes)
                stage["elected"] = [options[i] for i in chosen]
                if len(state.elected) == seats:
                    break
                stage["surpluses"] = [state.pass_surplus(i, quota) for i in chosen]
            elif len(standing) > seats_left:
                least = min(votes[i] for i in standing)
                fewest = [i for i in standing if votes[i] <= least + TOLERANCE]
                state.eliminate(eliminate(rules, standing, fewest, stage, tied))
            standing = state.standing()
            if standing and len(standing) <= seats - len(state.elected):
                # As many options left as seats: they are elected without reaching the quota.
                votes, stage = state.stage()
                rest = sorted(standing, key=lambda i: (-votes[i], tie_rank[i]))
                state.elect(rest, votes)
                stage["elected"] = [options[i] for i in rest]

        return Result(
            method=self.name,
            ballots=ballots,
            winners=tuple(options[i] for i in state.elected),
            tied=tuple(options[i] for i in tied),
            detail={
                "options": list(options),
                "seats": seats,
                "quota": quota,
                "stages": state.stages,
            },
        )


STV = SingleTransferableVote()
