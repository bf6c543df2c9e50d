"""A committee's decision rules as pure functions: when a roll call adopts, when a quorum is met.

Both rules are stated on the committee (see `committee.py`) and recorded, as event data, with
every decision taken under them, so a decision can be re-checked from its own event.

Majority ("majorité"): `simple` adopts when more than half of the base vote for; `qualified`
adopts when at least `threshold` (a fraction above 1/2, e.g. 2/3) of the base vote for. The base is
the votes cast, for + against ("suffrages exprimés": abstentions do not count, the default), or,
with `abstentions_count`, every vote given including abstentions. Nothing is adopted without at
least one vote for.

Quorum: more than `share` (default 1/2) of the voting members sitting on the meeting date are
present, and, with `per_college`, at least that many voting members are present from each college
that has voting members sitting (or all of them, where fewer sit).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from math import floor
from typing import Any

from domain.errors import InvalidCommand

PER_COLLEGE_MAX = 100


class InvalidRule(InvalidCommand):
    """A majority or quorum rule that cannot be applied (a threshold out of range...)."""


class Choice(StrEnum):
    """One member's answer to a roll call."""

    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


class MajorityKind(StrEnum):
    """Simple (more than half) or qualified (at least a stated fraction)."""

    SIMPLE = "simple"
    QUALIFIED = "qualified"


@dataclass(frozen=True, slots=True)
class Counts:
    """How many members answered for, against and abstain."""

    for_: int = 0
    against: int = 0
    abstain: int = 0

    @classmethod
    def of(cls, choices: Mapping[str, Choice]) -> Counts:
        """The counts of a roll call's named votes."""
        values = list(choices.values())
        return cls(
            for_=values.count(Choice.FOR),
            against=values.count(Choice.AGAINST),
            abstain=values.count(Choice.ABSTAIN),
        )

    def as_event(self) -> dict[str, int]:
        """The counts as event data."""
        return {"for": self.for_, "against": self.against, "abstain": self.abstain}


@dataclass(frozen=True, slots=True)
class MajorityRule:
    """How many votes for adopt a decision; see the module docstring."""

    kind: MajorityKind = MajorityKind.SIMPLE
    threshold: Fraction | None = None  # qualified only: the share of the base needed, at least
    abstentions_count: bool = False  # abstentions in the base, i.e. they weigh as votes against

    def validate(self) -> None:
        """Raise `InvalidRule` unless the rule can be applied."""
        if self.kind is MajorityKind.SIMPLE:
            if self.threshold is not None:
                raise InvalidRule("a simple majority takes no threshold; use a qualified one")
        elif self.threshold is None or not Fraction(1, 2) < self.threshold <= 1:
            raise InvalidRule("a qualified majority's threshold is above 1/2 and at most 1")

    def as_event(self) -> dict[str, Any]:
        """The rule as event data; the threshold as a fraction string such as "2/3"."""
        return {
            "kind": self.kind.value,
            "threshold": None if self.threshold is None else str(self.threshold),
            "abstentions_count": self.abstentions_count,
        }

    @classmethod
    def from_event(cls, data: Mapping[str, Any]) -> MajorityRule:
        """The rule back from event data."""
        threshold = data["threshold"]
        return cls(
            kind=MajorityKind(data["kind"]),
            threshold=None if threshold is None else Fraction(threshold),
            abstentions_count=bool(data["abstentions_count"]),
        )


def base(rule: MajorityRule, counts: Counts) -> int:
    """The number of votes the majority is a share of."""
    cast = counts.for_ + counts.against
    return cast + counts.abstain if rule.abstentions_count else cast


def is_adopted(rule: MajorityRule, counts: Counts) -> bool:
    """Whether a roll call with these counts adopts the decision under `rule`."""
    votes = base(rule, counts)
    if counts.for_ == 0:
        return False
    if rule.kind is MajorityKind.SIMPLE:
        return 2 * counts.for_ > votes
    assert rule.threshold is not None  # validated when the rule was set
    return counts.for_ >= rule.threshold * votes


@dataclass(frozen=True, slots=True)
class QuorumRule:
    """How many voting members must be present for the committee to decide."""

    share: Fraction = Fraction(1, 2)  # more than this share of the voting members sitting
    per_college: int = 0  # and at least this many voting members from each college

    def validate(self) -> None:
        """Raise `InvalidRule` unless the rule can be applied."""
        if not 0 <= self.share < 1:
            raise InvalidRule("a quorum is more than a share of at least 0 and below 1")
        if not 0 <= self.per_college <= PER_COLLEGE_MAX:
            raise InvalidRule(f"a college's minimum present is 0 to {PER_COLLEGE_MAX}")

    def as_event(self) -> dict[str, Any]:
        """The rule as event data; the share as a fraction string such as "1/2"."""
        return {"share": str(self.share), "per_college": self.per_college}

    @classmethod
    def from_event(cls, data: Mapping[str, Any]) -> QuorumRule:
        """The rule back from event data."""
        return cls(share=Fraction(data["share"]), per_college=int(data["per_college"]))


@dataclass(frozen=True, slots=True)
class QuorumCheck:
    """The quorum as it stood: who could count, who was present, what was needed."""

    voting_members: int
    present: int
    needed: int
    short_colleges: tuple[str, ...]  # colleges below their minimum present, in name order

    @property
    def met(self) -> bool:
        """Enough voting members present overall and from every college."""
        return self.present >= self.needed and not self.short_colleges

    def as_event(self) -> dict[str, Any]:
        """The check as event data."""
        return {
            "voting_members": self.voting_members,
            "present": self.present,
            "needed": self.needed,
            "short_colleges": list(self.short_colleges),
        }


def check_quorum(
    rule: QuorumRule, sitting: Mapping[str, int], present: Mapping[str, int]
) -> QuorumCheck:
    """The quorum given, per college, the voting members sitting and those of them present."""
    for college, count in present.items():
        if not 0 <= count <= sitting.get(college, 0):
            raise ValueError(f"{count} present in college {college!r}: more than sit there")
    voting_members = sum(sitting.values())
    short = tuple(
        college
        for college, count in sorted(sitting.items())
        if present.get(college, 0) < min(rule.per_college, count)
    )
    return QuorumCheck(
        voting_members=voting_members,
        present=sum(present.values()),
        needed=floor(rule.share * voting_members) + 1,
        short_colleges=short,
    )
