"""Read Pabulib participatory-budgeting files (`.pb`: META, PROJECTS and VOTES sections).

Each vote becomes a paper with one integer per project, in the PROJECTS section's order: 1 or 0 for
approval (and choose-1), the points given for cumulative and scoring, the place for ordinal
(1 = first, 0 = not ranked), as the PrefLib reader numbers places.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from domain.voting.base import Rules

APPROVAL_TYPES = frozenset({"approval", "choose-1"})
POINTS_TYPES = frozenset({"cumulative", "scoring"})
VOTE_TYPES = APPROVAL_TYPES | POINTS_TYPES | {"ordinal"}

_SECTIONS = ("meta", "projects", "votes")


class BallotFileError(ValueError):
    """A ballot file that does not follow its format; the message names the file and line."""


@dataclass(frozen=True, slots=True, eq=False)  # eq=False: an array has no single truth value
class PabulibFile:
    """A participatory budget as published: its projects, budget and every voter's paper."""

    meta: dict[str, str]
    project_ids: tuple[str, ...]
    names: tuple[str, ...]
    costs: tuple[int, ...]
    budget: int
    vote_type: str  # approval, choose-1, cumulative, scoring or ordinal
    papers: NDArray[np.int64]  # voters x projects
    selected: tuple[bool, ...] | None  # the publisher's outcome, when the file has the column
    project_rows: tuple[dict[str, str], ...]  # each project's row by column (votes, score, ...)

    @property
    def voters(self) -> int:
        """How many votes the file holds."""
        return len(self.papers)

    def rules(self) -> Rules:
        """The rules a budgeting tally needs: the projects, their costs and the budget."""
        return Rules(options=self.project_ids, costs=self.costs, budget=self.budget)


def read_pabulib(path: Path) -> PabulibFile:
    """Read a `.pb` file (UTF-8, with or without a byte-order mark)."""
    return parse_pabulib(path.read_text(encoding="utf-8-sig"), path.name)


def parse_pabulib(text: str, source: str = "<text>") -> PabulibFile:
    """Parse Pabulib text; `BallotFileError` naming `source` and the line for anything malformed."""
    found = list(_sections(text, source))
    sections = dict(found)
    if len(sections) < len(found):
        raise BallotFileError(f"{source}: a section appears twice")
    for name in _SECTIONS:
        if name not in sections:
            raise BallotFileError(f"{source}: no {name.upper()} section")
    meta: dict[str, str] = {}
    for number, row in sections["meta"][1]:
        _width(row, ["key", "value"], f"{source}: line {number}")
        meta[row[0].strip()] = row[1].strip()
    vote_type = meta.get("vote_type", "").lower()
    if vote_type not in VOTE_TYPES:
        raise BallotFileError(
            f"{source}: vote_type {vote_type!r} is not one of {', '.join(sorted(VOTE_TYPES))}"
        )
    if "budget" not in meta:
        raise BallotFileError(f"{source}: META has no budget")
    meta_line = next(n for n, row in sections["meta"][1] if row[0].strip() == "budget")
    budget = _whole(meta["budget"], f"{source}: line {meta_line}: budget")

    (header_line, header), rows = sections["projects"]
    column = _columns(header, ("project_id", "cost"), source, header_line)
    ids: dict[str, int] = {}  # project id -> its column on the papers
    names: list[str] = []
    costs: list[int] = []
    selected: list[bool] = []
    project_rows: list[dict[str, str]] = []
    for number, row in rows:
        where = f"{source}: line {number}"
        _width(row, header, where)
        project_rows.append({name: row[i].strip() for name, i in column.items()})
        project = row[column["project_id"]].strip()
        if project in ids:
            raise BallotFileError(f"{where}: project {project!r} is listed twice")
        ids[project] = len(ids)
        names.append(row[column["name"]].strip() if "name" in column else project)
        costs.append(_whole(row[column["cost"]], f"{where}: cost"))
        if "selected" in column:
            selected.append(_whole(row[column["selected"]], f"{where}: selected") > 0)
    if not ids:
        raise BallotFileError(f"{source}: PROJECTS lists no project")

    papers = _papers(sections["votes"], vote_type, ids, source)
    return PabulibFile(
        meta=meta,
        project_ids=tuple(ids),
        names=tuple(names),
        costs=tuple(costs),
        budget=budget,
        vote_type=vote_type,
        papers=papers,
        selected=tuple(selected) if "selected" in column else None,
        project_rows=tuple(project_rows),
    )


Row = tuple[int, list[str]]


def _sections(text: str, source: str) -> Iterator[tuple[str, tuple[Row, list[Row]]]]:
    """Each section's name, its header row and its rows, each row with its line number."""
    name = ""
    header: Row | None = None
    rows: list[Row] = []
    # One line at a time, so that csv's line count is the file's: Pabulib fields hold no newline.
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        row = next(csv.reader([line], delimiter=";"))
        if row[0].strip().lower() in _SECTIONS:
            if header is not None:
                yield name, (header, rows)
            name, header, rows = row[0].strip().lower(), None, []
        elif not name:
            raise BallotFileError(f"{source}: line {number}: text before the META section")
        elif header is None:
            header = (number, row)
        else:
            rows.append((number, row))
    if header is not None:
        yield name, (header, rows)


def _columns(header: list[str], needed: tuple[str, ...], source: str, line: int) -> dict[str, int]:
    column = {name.strip(): i for i, name in enumerate(header)}
    for name in needed:
        if name not in column:
            raise BallotFileError(f"{source}: line {line}: the header has no {name!r} column")
    return column


def _width(row: list[str], header: list[str], where: str) -> None:
    if len(row) < len(header):
        raise BallotFileError(f"{where}: {len(row)} fields where the header has {len(header)}")


def _whole(text: str, what: str) -> int:
    """A whole amount, written `1200`, `1200.0` or `1200,0`."""
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise BallotFileError(f"{what} {text!r} is not a number") from None
    if value != value.to_integral_value() or value < 0:
        raise BallotFileError(f"{what} {text!r} is not a whole non-negative amount")
    return int(value)


def _papers(
    section: tuple[Row, list[Row]], vote_type: str, index: dict[str, int], source: str
) -> NDArray[np.int64]:
    """One paper per vote, in the VOTES section's order."""
    (header_line, header), rows = section
    needed = ("vote", "points") if vote_type in POINTS_TYPES else ("vote",)
    column = _columns(header, needed, source, header_line)
    papers = np.zeros((len(rows), len(index)), dtype=np.int64)
    for voter, (number, row) in enumerate(rows):
        where = f"{source}: line {number}"
        _width(row, header, where)
        chosen = [p.strip() for p in row[column["vote"]].split(",") if p.strip()]
        values = list(range(1, len(chosen) + 1))  # ordinal: the places
        if vote_type in APPROVAL_TYPES:
            values = [1] * len(chosen)
        elif vote_type in POINTS_TYPES:
            points = [p for p in row[column["points"]].split(",") if p.strip()]
            if len(points) != len(chosen):
                raise BallotFileError(f"{where}: {len(chosen)} projects but {len(points)} points")
            values = [_whole(p, f"{where}: points") for p in points]
        if len(set(chosen)) != len(chosen):
            twice = next(p for p in chosen if chosen.count(p) > 1)
            raise BallotFileError(f"{where}: project {twice!r} is voted for twice")
        for project, value in zip(chosen, values, strict=True):
            if project not in index:
                raise BallotFileError(f"{where}: unknown project {project!r}")
            papers[voter, index[project]] = value
    return papers
