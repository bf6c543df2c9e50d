"""What every voting method shares: the vote's rules, the ballot paper, the result, ties.

A ballot is held as a *ballot paper*: one small integer per option, in the order the options were
printed when the vote opened. What the integer means depends on the method (a cross, an approval,
a score, a grade, a rank), exactly as on paper. The paper is what a ballot event stores and what a
tally counts: an auditor reads it against the vote's options, and a million of them convert to one
NumPy array without a lookup per option.

Each method is an object with a `name`, a `validate` that turns what a voter sent (option ids,
grades by name, a ranking) into a paper or raises `InvalidBallot` naming the problem, and a pure
`tally` that counts papers into a `Result`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from domain.errors import InvalidBallot, InvalidVoteRules

Paper = tuple[int, ...]
"""One integer per option, in the order of `Rules.options`."""

Papers = Sequence[Paper] | NDArray[np.integer[Any]]
"""Many papers: a list of tuples, or already one 2-D integer array (ballots x options)."""

Weights = Sequence[int] | NDArray[np.integer[Any]] | None
"""How many times each paper counts (a ballot file's counts); None: once each."""


@dataclass(frozen=True, slots=True)
class Rules:
    """Everything a tally needs to know about the vote, frozen when it opens.

    `tie_order` is the vote's tie-break order: a permutation of option indices, earlier wins a tie
    that nothing else in the method breaks. The vote fixes it when it opens (see `tie_order_for`)
    and records it, so anybody recounting breaks ties the same way.
    """

    options: tuple[str, ...]
    seats: int = 1
    score_max: int = 10  # score voting: each option gets 0..score_max
    costs: tuple[int, ...] | None = None  # participatory budgeting: one cost per option
    budget: int | None = None  # participatory budgeting: the money to share out
    tie_order: tuple[int, ...] = ()  # empty: the options' own order
    _indexes: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.options:
            raise InvalidVoteRules("a vote needs at least one option")
        if len(set(self.options)) != len(self.options):
            raise InvalidVoteRules("option ids must be distinct")
        if not self.tie_order:
            object.__setattr__(self, "tie_order", tuple(range(len(self.options))))
        if sorted(self.tie_order) != list(range(len(self.options))):
            raise InvalidVoteRules("the tie-break order must list every option exactly once")
        if self.seats < 1 or self.seats > len(self.options):
            raise InvalidVoteRules("seats must number between 1 and the number of options")
        if self.costs is not None and len(self.costs) != len(self.options):
            raise InvalidVoteRules("participatory budgeting needs one cost per option")
        object.__setattr__(self, "_indexes", {option: i for i, option in enumerate(self.options)})

    def index(self, option: str) -> int:
        """The position of an option on the paper; `InvalidBallot` if there is no such option."""
        try:
            return self._indexes[option]
        except KeyError:
            raise InvalidBallot(f"unknown option {option!r}") from None

    def tie_rank(self) -> list[int]:
        """For each option index, its place in the tie-break order (0 = wins every tie)."""
        rank = [0] * len(self.options)
        for place, option in enumerate(self.tie_order):
            rank[option] = place
        return rank


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome of a tally, with the detail an auditor needs to check it by hand.

    `winners` are the elected options after any tie-break (one for a single-winner method, `seats`
    for a multi-seat one, the funded projects for participatory budgeting). `ranking` is the full
    order where the method defines one, as groups of options it could not separate. `tied` lists
    the options that were tied for a winning place before the tie-break order decided, so a tie is
    always reported, never hidden. `detail` is plain JSON (lists, dicts, numbers, strings): merit
    profiles, pairwise and strongest-path matrices, rounds.
    """

    method: str
    ballots: int
    winners: tuple[str, ...]
    ranking: tuple[tuple[str, ...], ...] = ()
    tied: tuple[str, ...] = ()
    detail: Mapping[str, Any] = field(default_factory=dict)


class Method(Protocol):
    """A voting method: how a voter's choice becomes a paper, and how papers are counted."""

    @property
    def name(self) -> str:
        """The method's identifier in the API and on the command line (e.g. `schulze`)."""
        ...

    def validate(self, rules: Rules, choice: object) -> Paper:
        """Turn what a voter sent into a paper, or raise `InvalidBallot` naming the problem."""
        ...

    def tally(self, rules: Rules, papers: Papers, weights: Weights = None) -> Result:
        """Count papers already validated (each counting `weights[i]` times, 1 by default)."""
        ...


def break_tie(rules: Rules, tied: Sequence[int]) -> int:
    """The option among `tied` that comes first in the vote's tie-break order."""
    rank = rules.tie_rank()
    return min(tied, key=rank.__getitem__)


def tie_order_for(seed: bytes, options: Sequence[str]) -> tuple[int, ...]:
    """A tie-break order nobody chooses: options sorted by SHA-256 of the seed and their id.

    A vote uses its own id as the seed, so the order is fixed before any ballot is cast, differs
    from vote to vote (no option is favoured by being listed first) and anyone can recompute it.
    """

    def key(i: int) -> bytes:
        return sha256(seed + b"\x00" + options[i].encode()).digest()

    return tuple(sorted(range(len(options)), key=key))
