"""Approval voting: each voter approves any number of options; the most approved option wins.

An empty ballot approves nothing but still counts in the turnout, and the detail says how many.
"""

from __future__ import annotations

from typing import Final

from domain.errors import InvalidBallot
from domain.voting.base import Paper, Papers, Result, Rules, Weights
from domain.voting.counting import outcome, per_option, sheet, single_winner


class Approval:
    """Approve as many options as you like; each approval is one point."""

    name: Final = "approval"

    def validate(self, rules: Rules, choice: object) -> Paper:
        """A list of distinct option ids, maybe empty: 1 for each approved option, 0 elsewhere."""
        single_winner(rules, self.name)
        if not isinstance(choice, list | tuple):
            raise InvalidBallot(f"an approval ballot lists option ids, got {choice!r}")
        paper = [0] * len(rules.options)
        for option in choice:
            if not isinstance(option, str):
                raise InvalidBallot(f"option ids are strings, got {option!r}")
            index = rules.index(option)
            if paper[index]:
                raise InvalidBallot(f"option {option!r} approved twice")
            paper[index] = 1
        return tuple(paper)

    def tally(self, rules: Rules, papers: Papers, weights: Weights = None) -> Result:
        """Approvals per option; the most approved wins, a tie is reported, then broken."""
        single_winner(rules, self.name)
        counted = sheet(rules, papers, weights, 1)
        counts = counted.totals().tolist()
        empty = ~counted.marks.any(axis=1)
        blank = int(empty.sum() if counted.weights is None else counted.weights[empty].sum())
        return outcome(
            rules,
            self.name,
            counted.ballots,
            counts.__getitem__,
            {
                "counts": per_option(rules, counts),
                "empty_ballots": blank,
                "ballots": counted.ballots,
            },
        )


APPROVAL = Approval()
