"""Tally a ballot file (PrefLib `.soc .soi .toc .toi .cat`, Pabulib `.pb`) by any method, so that
researchers and auditors can recount from the same standard files the product reads."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from application.ballot_files.pabulib import read_pabulib
from application.ballot_files.preflib import read_preflib
from domain.errors import InvalidCommand
from domain.voting.base import Result, Rules
from domain.voting.registry import BUDGETING, METHODS

RANKED = frozenset({"schulze", "irv", "borda", "copeland", "stv"})
PREFLIB_RANKED = frozenset({"soc", "soi", "toc", "toi"})


class TallyFileError(InvalidCommand):
    """The file cannot be read, or does not hold the kind of ballot the method counts."""


@dataclass(frozen=True, slots=True)
class FileBallots:
    """A file's ballots as papers for one method, with what counting them needs."""

    source: str  # the file's title (PrefLib) or description (Pabulib), else its name
    digest: str  # SHA-256 of the file's bytes: which file exactly was counted
    names: dict[str, str]  # option id -> name, as the file gives them
    rules: Rules
    papers: NDArray[Any]  # distinct papers x options
    weights: NDArray[Any]  # voters per paper


@dataclass(frozen=True, slots=True)
class FileTally:
    """A file's tally, with the options' names as the file gives them."""

    source: str
    names: dict[str, str]
    result: Result


def tally_file(path: Path, method: str, *, seats: int = 1, budget: int | None = None) -> FileTally:
    """Read `path` and count it by `method` (see `read_ballots`)."""
    ballots = read_ballots(path, method, seats=seats, budget=budget)
    result = METHODS[method].tally(ballots.rules, ballots.papers, ballots.weights)
    return FileTally(source=ballots.source, names=ballots.names, result=result)


def read_ballots(
    path: Path, method: str, *, seats: int = 1, budget: int | None = None
) -> FileBallots:
    """Read `path` as papers for `method`.

    Rankings (PrefLib orders) count by the ranked methods, and by plurality on their first
    choices. A `.cat` file's first category is an approval. A Pabulib approval file counts by
    greedy, equal_shares or approval, with the file's budget unless `budget` is given.
    """
    if method not in METHODS:
        raise TallyFileError(f"unknown method {method!r}; known: {', '.join(sorted(METHODS))}")
    suffix = path.suffix.lstrip(".").lower()
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if suffix == "pb":
            return _pabulib(path, digest, method, seats, budget)
        if suffix in PREFLIB_RANKED | {"cat"}:
            return _preflib(path, digest, method, seats)
    except (OSError, UnicodeDecodeError) as exc:
        raise TallyFileError(f"cannot read {path}: {exc}") from None
    except ValueError as exc:  # the readers' BallotFileError names the line
        raise TallyFileError(str(exc)) from None
    raise TallyFileError(f"{path.name}: expected a .soc, .soi, .toc, .toi, .cat or .pb file")


def _preflib(path: Path, digest: str, method: str, seats: int) -> FileBallots:
    ballots = read_preflib(path)
    papers: NDArray[Any] = ballots.papers
    weights: NDArray[Any] = ballots.weights
    if ballots.data_type in PREFLIB_RANKED:
        if method == "plurality":
            papers = (papers == 1).astype(np.int16)  # the first choice, as a cross
            keep = papers.sum(axis=1) == 1  # a ballot with no (or a tied) first choice is void
            papers, weights = papers[keep], weights[keep]
        elif method not in RANKED:
            raise TallyFileError(f"{path.name} holds rankings; {method} needs another ballot")
    elif method == "approval":
        papers = (papers == 1).astype(np.int16)  # the first category is the approved one
    else:
        raise TallyFileError(f"{path.name} holds categories: count it by approval")
    return FileBallots(
        source=ballots.title or path.name,
        digest=digest,
        names=dict(zip(ballots.option_ids, ballots.option_names, strict=True)),
        rules=Rules(options=ballots.option_ids, seats=seats),
        papers=papers,
        weights=weights,
    )


def _pabulib(path: Path, digest: str, method: str, seats: int, budget: int | None) -> FileBallots:
    instance = read_pabulib(path)
    if instance.vote_type != "approval":
        raise TallyFileError(f"{path.name} holds {instance.vote_type} votes; only approval counts")
    if method not in BUDGETING | {"approval"}:
        raise TallyFileError(
            f"{path.name} is a participatory budget: count it by greedy, equal_shares or approval"
        )
    rules = Rules(
        options=instance.project_ids,
        seats=seats,
        costs=instance.costs,
        budget=instance.budget if budget is None else budget,
    )
    return FileBallots(
        source=instance.meta.get("description") or path.name,
        digest=digest,
        names=dict(zip(instance.project_ids, instance.names, strict=True)),
        rules=rules,
        papers=instance.papers,
        weights=np.ones(len(instance.papers), dtype=np.int64),
    )
