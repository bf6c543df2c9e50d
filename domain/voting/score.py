"""Score (range) voting: each voter gives every option 0 to `score_max` points; most points wins."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from domain.errors import InvalidBallot, InvalidVoteRules
from domain.voting.base import Paper, Papers, Result, Rules, Weights
from domain.voting.counting import outcome, per_option, sheet, single_winner


class Score:
    """Range voting: each option gets 0..`rules.score_max` points from each voter."""

    name: Final = "score"

    def validate(self, rules: Rules, choice: object) -> Paper:
        """`{option id: points}`; options left out get 0 points."""
        _check_rules(rules)
        if not isinstance(choice, Mapping):
            raise InvalidBallot("a score ballot gives points by option id: {option: points}")
        paper = [0] * len(rules.options)
        for option, points in choice.items():
            if not isinstance(option, str):
                raise InvalidBallot(f"option ids are strings, got {option!r}")
            index = rules.index(option)
            # bool is an int subclass: True must not pass for 1 point.
            if not isinstance(points, int) or isinstance(points, bool):
                raise InvalidBallot(f"points for {option!r} must be a whole number, got {points!r}")
            if not 0 <= points <= rules.score_max:
                raise InvalidBallot(f"score {points} for {option!r} out of 0..{rules.score_max}")
            paper[index] = points
        return tuple(paper)

    def tally(self, rules: Rules, papers: Papers, weights: Weights = None) -> Result:
        """Total points per option; the highest total wins."""
        _check_rules(rules)
        counted = sheet(rules, papers, weights, rules.score_max)
        totals = counted.totals().tolist()
        means = [round(total / counted.ballots, 6) if counted.ballots else None for total in totals]
        return outcome(
            rules,
            self.name,
            counted.ballots,
            totals.__getitem__,
            {
                "totals": per_option(rules, totals),
                "means": per_option(rules, means),
                "score_max": rules.score_max,
                "ballots": counted.ballots,
            },
        )


def _check_rules(rules: Rules) -> None:
    """Score voting elects one option on a scale of at least two values."""
    single_winner(rules, Score.name)
    if rules.score_max < 1:
        raise InvalidVoteRules("score voting needs a score_max of at least 1")


SCORE = Score()
