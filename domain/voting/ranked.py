"""What the ranked methods share: a ranking as a paper, papers as one rank array, pairwise counts.

A ranked paper holds each option's rank, 1 = first; 0 = not ranked, which counts below every ranked
option with the unranked ones tied among themselves (Debian's rule). Equal ranks are a tie; only
ballot files (`.toc`) carry them, since a voter sends a strict list of option ids best first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from domain.errors import InvalidBallot
from domain.voting.base import Paper, Papers, Rules, Weights

Ranks = NDArray[np.int16]
"""Papers as one array (ballots x options) of ranks, 0 = unranked."""

Counts = NDArray[np.int64]


def validate_ranking(rules: Rules, choice: object) -> Paper:
    """A list of option ids best first (strict, possibly partial) as ranks 1..k, 0 for the rest."""
    if isinstance(choice, str | bytes) or not isinstance(choice, Sequence):
        raise InvalidBallot("a ranking is a list of option ids, best first")
    if not choice:
        raise InvalidBallot("a ranking must name at least one option")
    ranks = [0] * len(rules.options)
    for place, option in enumerate(choice, start=1):
        if not isinstance(option, str):
            raise InvalidBallot(f"a ranking lists option ids, not {option!r}")
        index = rules.index(option)
        if ranks[index]:
            raise InvalidBallot(f"option {option!r} is ranked twice")
        ranks[index] = place
    return tuple(ranks)


def rank_array(rules: Rules, papers: Papers) -> Ranks:
    """Papers as one (ballots x options) int16 array, checked for shape and rank range."""
    options = len(rules.options)
    raw = np.asarray(papers) if len(papers) else np.zeros((0, options), np.int16)
    if raw.ndim != 2 or raw.shape[1] != options or raw.dtype.kind not in "iub":  # noqa: PLR2004
        raise InvalidBallot(
            f"each paper must hold one integer rank for each of the {options} options"
        )
    if raw.size and (raw.min() < 0 or raw.max() > options):
        bad = int(np.flatnonzero(((raw < 0) | (raw > options)).any(axis=1))[0])
        raise InvalidBallot(f"paper {bad} holds a rank outside 0..{options}")
    return raw.astype(np.int16, copy=False)


def weight_array(weights: Weights, ballots: int) -> Counts:
    """How many times each paper counts, as int64 (1 each when no weights are given)."""
    if weights is None:
        return np.ones(ballots, dtype=np.int64)
    counts = np.asarray(weights, dtype=np.int64)
    if counts.shape != (ballots,):
        raise InvalidBallot(f"{counts.size} weights given for {ballots} papers")
    if counts.size and counts.min() < 0:
        raise InvalidBallot(f"paper {int(np.argmax(counts < 0))} has a negative weight")
    return counts


def refuse_ties(method: str, ranks: Ranks) -> None:
    """`InvalidBallot` naming the first paper that ranks two options equal (for IRV and STV)."""
    if not ranks.size:
        return
    ordered = np.sort(ranks, axis=1)
    tied = ((ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] > 0)).any(axis=1)
    if tied.any():
        first = int(np.argmax(tied))
        raise InvalidBallot(f"{method} cannot count paper {first}: it ranks two options equal")


def pairwise(ranks: Ranks, weights: Counts) -> Counts:
    """d[x][y]: how many ballots put x above y (a ranked option is above every unranked one)."""
    options = ranks.shape[1]
    # Unranked (0) sorts after every rank, so one comparison serves both rules; options as rows
    # keep each comparison on contiguous memory (about 5x faster over a million ballots).
    below = np.ascontiguousarray(np.where(ranks == 0, options + 1, ranks).T)
    d = np.zeros((options, options), dtype=np.int64)
    if bool((weights == 1).all()):
        for x in range(options):
            d[x] = np.count_nonzero(below[x] < below, axis=1)
        return d
    # A float dot product is exact while the total stays below 2**53 ballots.
    counts = weights.astype(np.float64)
    for x in range(options):
        for y in range(options):
            if x != y:
                d[x, y] = round(float(counts @ (below[x] < below[y])))
    return d


def groups(
    order: Sequence[int], same: Callable[[int, int], bool], options: Sequence[str]
) -> tuple[tuple[str, ...], ...]:
    """Consecutive options of `order` that `same` cannot separate, as groups of option ids."""
    ranking: list[list[str]] = []
    previous: int | None = None
    for option in order:
        if previous is not None and same(previous, option):
            ranking[-1].append(options[option])
        else:
            ranking.append([options[option]])
        previous = option
    return tuple(tuple(group) for group in ranking)


def by_score(rules: Rules, scores: Sequence[Any]) -> tuple[list[int], list[int]]:
    """Options best score first (tie order among equals), and those tied for the top score."""
    rank = rules.tie_rank()
    order = sorted(range(len(rules.options)), key=lambda i: (-scores[i], rank[i]))
    top = [i for i in order if scores[i] == scores[order[0]]]
    return order, top
