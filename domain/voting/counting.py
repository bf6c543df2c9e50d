"""What every tally shares: papers and weights as checked arrays, one seat, results by ranking.

Every method's `tally` starts from `sheet`: the papers as one (ballots x options) integer array and
how many times each counts. Papers reach a tally already validated (`validate` turned what a voter
sent into a paper and refused a bad one with `InvalidBallot`), so a malformed paper or weight here
comes from a bug or a corrupt ballot file, never from a voter: it raises `ValueError` naming the
problem and, where that is cheap, the first paper at fault. A method's own refusals about what a
ballot says (IRV and STV cannot count a paper that ranks two options equal) stay `InvalidBallot`.

The tally then ranks the options and reports the outcome with `outcome` (by a key, higher better)
or `outcome_of_groups` (by groups it computed itself), which report a tie before breaking it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, groupby
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from domain.errors import InvalidVoteRules
from domain.voting.base import Papers, Result, Rules, Weights, break_tie

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

Marks = NDArray[np.integer[Any]]
"""Papers as one array (ballots x options), in whatever integer type they came in."""

Counts = NDArray[np.int64]


def paper_array(rules: Rules, papers: Papers, top: int | None) -> Marks:
    """Papers as one (ballots x options) integer array, each mark checked to be in 0..`top`.

    `top` None: marks have no upper bound (a budgeting paper may carry points). An array is used as
    it is, without a copy, whatever its integer type; a list of tuples becomes an int64 array.
    """
    width = len(rules.options)
    if not isinstance(papers, np.ndarray):
        marks = _from_sequence(papers, width)
    elif papers.ndim == 1 and papers.size == 0:  # np.array([]): no papers
        marks = np.zeros((0, width), dtype=np.int64)
    else:
        marks = papers
        if marks.ndim != 2 or marks.shape[1] != width:  # noqa: PLR2004 - ballots x options
            raise ValueError(f"papers must be a ballots x {width} array, got shape {marks.shape}")
        if marks.dtype.kind not in "biu":
            raise ValueError(f"papers must hold integers, got {marks.dtype}")
    if marks.size:  # two passes over the array, cheap next to counting
        low = int(marks.min())
        if low < 0 or (top is not None and int(marks.max()) > top):
            outside = (marks < 0) if top is None else (marks < 0) | (marks > top)
            bad = int(np.flatnonzero(outside.any(axis=1))[0])
            allowed = "a negative mark" if top is None else f"a mark outside 0..{top}"
            raise ValueError(f"paper {bad} holds {allowed}")
    return marks


def _from_sequence(papers: Sequence[Sequence[int]], width: int) -> Marks:
    """A list of papers as one int64 array, each paper checked to hold `width` marks."""
    try:
        lengths = set(map(len, papers))
    except TypeError:
        raise ValueError("papers must be a list of papers, each a tuple of integers") from None
    if lengths - {width}:
        bad = next(i for i, paper in enumerate(papers) if len(paper) != width)
        raise ValueError(
            f"paper {bad} holds {len(papers[bad])} marks, not one per option ({width})"
        )
    # fromiter over the flattened tuples is 1.5 to 2.5x faster than np.array on a list of tuples.
    # It reads each mark as int() would: None is refused, but a float would be truncated. Checking
    # every mark's type in Python would cost nearly as much again, for papers `validate` made.
    try:
        flat = np.fromiter(chain.from_iterable(papers), dtype=np.int64, count=width * len(papers))
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"papers must hold integers: {exc}") from None
    return flat.reshape(len(papers), width)


def weight_array(weights: Weights, papers: int) -> Counts | None:
    """Weights as one int64 array, checked: one integer per paper, none negative (None: none)."""
    if weights is None:
        return None
    counts = np.asarray(weights)
    if counts.size == 0:
        counts = counts.astype(np.int64)  # np.asarray([]) is float64
    if counts.dtype.kind not in "iu":
        raise ValueError(f"weights must be integers, got {counts.dtype}")
    if counts.shape != (papers,):
        raise ValueError(
            f"weights must be one integer per paper: {counts.size} given for {papers} papers"
        )
    if counts.size and int(counts.min()) < 0:
        raise ValueError(f"paper {int(np.argmax(counts < 0))} has a negative weight")
    return counts.astype(np.int64, copy=False)


@dataclass(frozen=True, slots=True)
class Sheet:
    """The papers of one tally as a single array (ballots x options), with their weights."""

    marks: Marks
    weights: Counts | None  # None: each paper counts once
    ballots: int  # papers counted, weights included

    def counts(self) -> Counts:
        """How many times each paper counts, as an array (ones when no weights were given)."""
        return np.ones(len(self.marks), dtype=np.int64) if self.weights is None else self.weights

    def totals(self) -> Counts:
        """The sum of each option's column, each paper counted `weight` times."""
        if self.weights is None:
            totals = self.marks.sum(axis=0, dtype=np.int64)  # no int64 copy of int8 papers
        else:
            totals = self.weights @ self.marks.astype(np.int64, copy=False)
        return np.asarray(totals, dtype=np.int64)


def sheet(rules: Rules, papers: Papers, weights: Weights, top: int | None) -> Sheet:
    """The papers (marks in 0..`top`, see `paper_array`) and weights of a tally, checked."""
    marks = paper_array(rules, papers, top)
    counts = weight_array(weights, len(marks))
    return Sheet(marks, counts, len(marks) if counts is None else int(counts.sum()))


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
    return outcome_of_groups(rules, method, ballots, groups, detail)


def outcome_of_groups(
    rules: Rules,
    method: str,
    ballots: int,
    groups: Sequence[Sequence[int]],
    detail: Mapping[str, Any],
) -> Result:
    """The result of a ranking given as groups of option indices the method cannot separate, best
    first: the winner is the first group's first in the tie-break order, a tie in it is reported."""
    top = groups[0]
    return Result(
        method=method,
        ballots=ballots,
        winners=(rules.options[break_tie(rules, top)],),
        ranking=tuple(tuple(rules.options[i] for i in group) for group in groups),
        tied=tuple(rules.options[i] for i in top) if len(top) > 1 else (),
        detail=detail,
    )


def per_option(rules: Rules, values: Sequence[Any]) -> dict[str, Any]:
    """Values by option id, in the options' own order (how an auditor reads the detail)."""
    return dict(zip(rules.options, values, strict=True))
