"""Plurality (relative majority, "scrutin uninominal"): one cross per voter, most crosses win.

The result also says whether the winner holds an absolute majority (more than half the ballots),
which a charter may require before a decision stands.
"""

from __future__ import annotations

from typing import Final

from domain.errors import InvalidBallot
from domain.voting.base import Paper, Papers, Result, Rules, Weights
from domain.voting.counting import outcome, per_option, sheet, single_winner


class Plurality:
    """Single choice: one cross per ballot, the option with the most crosses wins."""

    name: Final = "plurality"

    def validate(self, rules: Rules, choice: object) -> Paper:
        """One option id (a string): a 1 at that option, 0 elsewhere."""
        single_winner(rules, self.name)
        if not isinstance(choice, str):
            raise InvalidBallot(f"a single-choice ballot names one option id, got {choice!r}")
        index = rules.index(choice)
        return tuple(int(i == index) for i in range(len(rules.options)))

    def tally(self, rules: Rules, papers: Papers, weights: Weights = None) -> Result:
        """Crosses per option; a tie (zero ballots too) is reported, then broken."""
        single_winner(rules, self.name)
        counted = sheet(rules, papers, weights, 1)
        counts = counted.totals().tolist()
        top = max(counts)
        # Ties at the top cannot hold a majority: two options above half would need > all ballots.
        absolute = 2 * top > counted.ballots
        return outcome(
            rules,
            self.name,
            counted.ballots,
            counts.__getitem__,
            {
                "counts": per_option(rules, counts),
                "absolute_majority": absolute,
                "ballots": counted.ballots,
            },
        )


PLURALITY = Plurality()
