"""Read PrefLib ballot files (`.soc`, `.soi`, `.toc`, `.toi`, `.cat`) into papers a tally counts.

Orders become ranked papers: paper[i] is the place of alternative i + 1 (1 = first, a `{...}` group
shares one place, 0 = not ranked). Categorical files (`.cat`) become category papers: paper[i] is
the index + 1 of the category that lists alternative i + 1 (1 = the first category), 0 if none does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

ORDER_TYPES = frozenset({"soc", "soi", "toc", "toi"})
DATA_TYPES = ORDER_TYPES | {"cat"}

_HEADER = re.compile(r"#\s*([A-Z][A-Z ]*?)\s*(\d+)?\s*:\s?(.*)")
_ITEM = re.compile(r"\s*(?:\{([^{}]*)\}|(\d+))\s*(?:,|$)")


class BallotFileError(ValueError):
    """A ballot file that does not follow its format; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class BallotFile:
    """A ballot file's alternatives and its distinct papers, each with how many voters cast it."""

    data_type: str  # soc, soi, toc, toi or cat
    title: str
    option_ids: tuple[str, ...]  # "1", "2", ... as the file numbers the alternatives
    option_names: tuple[str, ...]
    papers: NDArray[np.int16]  # distinct papers x options
    weights: NDArray[np.int64]  # voters per paper
    categories: tuple[str, ...] = ()  # `.cat` only: the category names, in order

    @property
    def voters(self) -> int:
        """How many ballots the file holds."""
        return int(self.weights.sum())


def read_preflib(path: Path) -> BallotFile:
    """Read a PrefLib file; its data type comes from the header, else from the file's extension."""
    return parse_preflib(path.read_text(encoding="utf-8"), path.suffix.lstrip("."), path.name)


def parse_preflib(text: str, data_type: str = "", source: str = "<text>") -> BallotFile:
    """Parse PrefLib text; `BallotFileError` naming `source` and the line for anything malformed."""
    headers: dict[str, str] = {}
    names: dict[int, str] = {}
    categories: dict[int, str] = {}
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("#"):
            lines.append((number, line))
            continue
        match = _HEADER.fullmatch(line)
        if match is None:
            continue  # a free comment: the format allows them
        key, index, value = match.group(1), match.group(2), match.group(3).strip()
        if index is not None and key == "ALTERNATIVE NAME":
            names[int(index)] = value
        elif index is not None and key == "CATEGORY NAME":
            categories[int(index)] = value
        elif index is None:
            headers[key] = value

    kind = (headers.get("DATA TYPE") or data_type).lower()
    if kind not in DATA_TYPES:
        raise BallotFileError(
            f"{source}: unknown data type {kind!r} (expected one of soc, soi, toc, toi, cat)"
        )
    alternatives = _count(headers, "NUMBER ALTERNATIVES", source) or len(names)
    if alternatives < 1:
        raise BallotFileError(f"{source}: no alternatives (header NUMBER ALTERNATIVES)")
    parse = _Line(source, kind, alternatives, _count(headers, "NUMBER CATEGORIES", source))
    papers: list[list[int]] = []
    weights: list[int] = []
    for number, line in lines:
        weight, paper = parse(number, line)
        papers.append(paper)
        weights.append(weight)

    voters = _count(headers, "NUMBER VOTERS", source)
    if voters is not None and voters != sum(weights):
        raise BallotFileError(
            f"{source}: the header says {voters} voters, the lines hold {sum(weights)}"
        )
    return BallotFile(
        data_type=kind,
        title=headers.get("TITLE", ""),
        option_ids=tuple(str(i) for i in range(1, alternatives + 1)),
        option_names=tuple(names.get(i, str(i)) for i in range(1, alternatives + 1)),
        papers=np.array(papers, dtype=np.int16).reshape(len(papers), alternatives),
        weights=np.array(weights, dtype=np.int64),
        categories=tuple(categories[i] for i in sorted(categories)) if kind == "cat" else (),
    )


def _count(headers: dict[str, str], key: str, source: str) -> int | None:
    if key not in headers:
        return None
    if not headers[key].isdigit():
        raise BallotFileError(f"{source}: header {key} is not a number: {headers[key]!r}")
    return int(headers[key])


@dataclass(frozen=True, slots=True)
class _Line:
    """Parses one data line `count: a,b,{c,d}` into its count and paper."""

    source: str
    kind: str
    alternatives: int
    categories: int | None

    def __call__(self, number: int, line: str) -> tuple[int, list[int]]:
        where = f"{self.source}, line {number}"
        count, colon, body = line.partition(":")
        if not colon or not count.strip().isdigit():
            raise BallotFileError(f"{where}: expected 'count: preferences', got {line!r}")
        places = self._places(where, body.strip())
        paper = [0] * self.alternatives
        for place, group in enumerate(places, start=1):
            for alternative in group:
                if not 1 <= alternative <= self.alternatives:
                    raise BallotFileError(f"{where}: no alternative {alternative}")
                if paper[alternative - 1]:
                    raise BallotFileError(f"{where}: alternative {alternative} appears twice")
                paper[alternative - 1] = place
        self._check(where, places, paper)
        return int(count), paper

    def _places(self, where: str, body: str) -> list[list[int]]:
        places: list[list[int]] = []
        position = 0
        while position < len(body):
            item = _ITEM.match(body, position)
            if item is None or item.end() == position:
                raise BallotFileError(f"{where}: cannot read {body[position:]!r}")
            group, single = item.group(1), item.group(2)
            if single is not None:
                places.append([int(single)])
            else:
                members = [m.strip() for m in group.split(",")] if group.strip() else []
                if not all(m.isdigit() for m in members):
                    raise BallotFileError(f"{where}: cannot read the group {{{group}}}")
                places.append([int(m) for m in members])
            position = item.end()
        return places

    def _check(self, where: str, places: list[list[int]], paper: list[int]) -> None:
        """The data type's promises: strict orders have no ties, complete ones rank everybody."""
        if self.kind == "cat":
            if self.categories is not None and len(places) != self.categories:
                raise BallotFileError(
                    f"{where}: {len(places)} categories, the header says {self.categories}"
                )
            return
        if any(not group for group in places):
            raise BallotFileError(f"{where}: an order cannot hold an empty group {{}}")
        if self.kind in {"soc", "soi"} and any(len(group) > 1 for group in places):
            raise BallotFileError(
                f"{where}: a .{self.kind} order is strict and cannot tie alternatives"
            )
        if self.kind in {"soc", "toc"} and not all(paper):
            raise BallotFileError(f"{where}: a .{self.kind} order must rank every alternative")
