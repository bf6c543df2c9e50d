"""Score (range) voting: each voter gives every option 0 to `score_max` points; most points wins.

Plurality and approval are score voting with one point to give, so the counting they share lives
here too: papers to one array, totals per option, and a ranking by totals that reports ties.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, groupby
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from numpy.typing import NDArray

from domain.errors import InvalidBallot, InvalidVoteRules
from domain.voting.base import Paper, Papers, Result, Rules, Weights, break_tie

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

Counts = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Sheet:
    """The papers of one tally as a single array (ballots x options), with their weights."""

    marks: NDArray[np.integer[Any]]
    weights: Counts | None  # None: each paper counts once
    ballots: int  # papers counted, weights included

    def totals(self) -> Counts:
        """The sum of each option's column, each paper counted `weight` times."""
        if self.weights is None:
            totals = self.marks.sum(axis=0, dtype=np.int64)  # no int64 copy of int8 papers
        else:
            totals = self.weights @ self.marks.astype(np.int64, copy=False)
        return np.asarray(totals, dtype=np.int64)


def sheet(rules: Rules, papers: Papers, weights: Weights, top: int) -> Sheet:
    """Papers and weights as arrays, checked: one mark per option, each in 0..top, weights >= 0.

    Papers reach a tally already validated, so a bad one is a bug or a corrupted file, never a
    voter's mistake: `ValueError`, not `InvalidBallot`. The check is two passes over the array,
    cheap next to counting, and it keeps a stray value from landing silently in someone's total.
    """
    width = len(rules.options)
    if isinstance(papers, np.ndarray):
        marks = papers
    else:
        # fromiter over the flattened tuples is 2.5x faster than np.array on a list of tuples.
        if any(len(paper) != width for paper in papers):
            raise ValueError(f"every paper must hold {width} marks, one per option")
        marks = np.fromiter(
            chain.from_iterable(papers), dtype=np.int64, count=width * len(papers)
        ).reshape(len(papers), width)
    if marks.ndim != 2 or marks.shape[1] != width:  # noqa: PLR2004 - ballots x options
        raise ValueError(f"papers must be a ballots x {width} array, got shape {marks.shape}")
    if marks.dtype.kind not in "biu":
        raise ValueError(f"papers must hold integers, got {marks.dtype}")
    if marks.size and (int(marks.min()) < 0 or int(marks.max()) > top):
        raise ValueError(f"a paper holds a mark outside 0..{top}")
    if weights is None:
        return Sheet(marks, None, len(marks))
    counts = np.asarray(weights)
    if counts.size == 0:
        counts = counts.astype(np.int64)  # np.asarray([]) is float64
    if counts.shape != (len(marks),) or counts.dtype.kind not in "iu":
        raise ValueError("weights must be one integer per paper")
    if counts.size and int(counts.min()) < 0:
        raise ValueError("a weight is negative")
    counts = counts.astype(np.int64, copy=False)
    return Sheet(marks, counts, int(counts.sum()))


def single_winner(rules: Rules, method: str) -> None:
    """Refuse rules asking for more than one seat: this method elects one option."""
    if rules.seats != 1:
        raise InvalidVoteRules(f"{method} elects one option; the vote asks for {rules.seats} seats")


def outcome(
    rules: Rules,
    method: str,
    ballots: int,
    key: Callable[[int], SupportsRichComparison],
    detail: Mapping[str, Any],
) -> Result:
    """The result of ranking options by `key` (higher is better), ties reported then broken.

    Options with equal keys share a group, listed in the vote's tie-break order, so the first
    option of the first group is always the winner.
    """
    tie_rank = rules.tie_rank()
    order = sorted(
        range(len(rules.options)),
        key=lambda i: (key(i), -tie_rank[i]),
        reverse=True,
    )
    groups = [list(group) for _, group in groupby(order, key=key)]
    top = groups[0]
    winner = break_tie(rules, top)
    return Result(
        method=method,
        ballots=ballots,
        winners=(rules.options[winner],),
        ranking=tuple(tuple(rules.options[i] for i in group) for group in groups),
        tied=tuple(rules.options[i] for i in top) if len(top) > 1 else (),
        detail=detail,
    )


def per_option(rules: Rules, values: Sequence[Any]) -> dict[str, Any]:
    """Values by option id, in the options' own order (how an auditor reads the detail)."""
    return dict(zip(rules.options, values, strict=True))


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
