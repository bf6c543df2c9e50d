"""Majority judgment ("jugement majoritaire", Balinski and Laraki): voters grade every option, the
highest majority grade wins and ties are broken by each option's majority value.

An option the voter leaves out of the ballot is graded `reject`, as Balinski and Laraki do: every
option is then judged by the same number of voters, which the median and its tie-break rely on.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import cmp_to_key
from itertools import accumulate, pairwise
from typing import Any, Final, NamedTuple

import numpy as np

from domain.errors import InvalidBallot
from domain.voting.base import Paper, Papers, Result, Rules, Weights
from domain.voting.counting import Sheet, outcome, per_option, sheet, single_winner


class Grade(NamedTuple):
    """One grade of the scale: the key the API uses, and its labels in English and French."""

    key: str
    english: str
    french: str


GRADES: Final = (
    Grade("reject", "Reject", "À rejeter"),
    Grade("insufficient", "Insufficient", "Insuffisant"),
    Grade("passable", "Passable", "Passable"),
    Grade("fairly_good", "Fairly good", "Assez bien"),
    Grade("good", "Good", "Bien"),
    Grade("very_good", "Very good", "Très bien"),
    Grade("excellent", "Excellent", "Excellent"),
)
"""The scale, worst first: a grade's position is the integer the paper stores (0 reject .. 6)."""

GRADE_VALUES: Final = {grade.key: value for value, grade in enumerate(GRADES)}

Step = tuple[int, ...]
Runs = list[tuple[Step, int]]


def majority_value(profile: Sequence[int]) -> Runs:
    """An option's majority value, from its merit profile (voters per grade, worst grade first).

    Balinski and Laraki's sequence of grades obtained by taking the majority grade (the lower
    median) out of the option's grades, then the majority grade of what remains, and so on. With
    the grades sorted s[1] <= ... <= s[n] it walks out from the middle, the grade below before the
    grade above: s[m+1], then (s[m], s[m+2]), (s[m-1], s[m+3]) ... when n = 2m + 1, and (s[m],
    s[m+1]), (s[m-1], s[m+2]) ... when n = 2m. Options are ranked by comparing these sequences
    lexicographically. Held as runs of equal steps (the lone median, then below/above pairs): the
    walkers cross at most 6 grade boundaries each, so a million voters make at most 14 runs.
    """
    n = sum(profile)
    cumulative = list(accumulate(profile))  # voters grading each grade or lower

    def grade_at(position: int) -> int:
        """The grade at a 1-based position of the sorted grades."""
        return bisect_left(cumulative, position)

    m = n // 2
    runs: Runs = []
    if n % 2:
        runs.append(((grade_at(m + 1),), 1))
        below, above = m + 1, m + 1
    else:
        below, above = m + 1, m
    # Pair i takes s[below - i] and s[above + i]; a new run starts where either crosses a grade.
    starts = {1} | {below - c for c in cumulative} | {c + 1 - above for c in cumulative}
    ordered = sorted(i for i in starts if 1 <= i <= m)
    for start, end in pairwise([*ordered, m + 1]):
        step = (grade_at(below - start), grade_at(above + start))
        if runs and runs[-1][0] == step:
            runs[-1] = (step, runs[-1][1] + end - start)
        else:
            runs.append((step, end - start))
    return runs


def first_difference(a: Runs, b: Runs) -> tuple[int, int, int] | None:
    """Where two majority values (of the same number of voters) first differ, if they do.

    Returns how many grades were taken out of each before they differ, and the grade each has
    there: the option with the higher grade is ranked above.
    """
    removed = 0
    ia = ib = used_a = used_b = 0
    while ia < len(a) and ib < len(b):
        (step_a, run_a), (step_b, run_b) = a[ia], b[ib]
        if step_a != step_b:
            for grade_a, grade_b in zip(step_a, step_b, strict=True):
                if grade_a != grade_b:
                    return removed, grade_a, grade_b
                removed += 1
        take = min(run_a - used_a, run_b - used_b)
        removed += take * len(step_a)
        used_a += take
        used_b += take
        if used_a == run_a:
            ia, used_a = ia + 1, 0
        if used_b == run_b:
            ib, used_b = ib + 1, 0
    return None


def compare(a: Runs, b: Runs) -> int:
    """1 if majority value `a` ranks above `b`, -1 if below, 0 if they are the same."""
    difference = first_difference(a, b)
    if difference is None:
        return 0
    _, grade_a, grade_b = difference
    return 1 if grade_a > grade_b else -1


def merit_profiles(counted: Sheet) -> list[list[int]]:
    """Voters per grade (worst first) for each option: one bincount per column."""
    profiles = []
    for column in counted.marks.T:
        grades = column.astype(np.intp, copy=False)
        if counted.weights is None:
            count = np.bincount(grades, minlength=len(GRADES))
        else:
            # Weighted bincount sums in float64: exact while a vote has fewer than 2**53 ballots.
            count = np.rint(np.bincount(grades, counted.weights, len(GRADES))).astype(np.int64)
        profiles.append([int(voters) for voters in count])
    return profiles


def majority_grade(value: Runs) -> int | None:
    """The majority grade (the lower median) is where the majority value starts; None: no voter."""
    return value[0][0][0] if value else None


class MajorityJudgment:
    """Grade every option from reject to excellent; the best majority value wins."""

    name: Final = "majority_judgment"

    def validate(self, rules: Rules, choice: object) -> Paper:
        """`{option id: grade key}` with keys from `GRADES`; an option left out is graded reject."""
        single_winner(rules, self.name)
        if not isinstance(choice, Mapping):
            raise InvalidBallot("a majority judgment ballot grades options: {option: grade}")
        paper = [GRADE_VALUES["reject"]] * len(rules.options)
        for option, grade in choice.items():
            if not isinstance(option, str):
                raise InvalidBallot(f"option ids are strings, got {option!r}")
            index = rules.index(option)
            if not isinstance(grade, str) or grade not in GRADE_VALUES:
                known = ", ".join(g.key for g in reversed(GRADES))
                raise InvalidBallot(f"unknown grade {grade!r} for {option!r} (grades: {known})")
            paper[index] = GRADE_VALUES[grade]
        return tuple(paper)

    def tally(self, rules: Rules, papers: Papers, weights: Weights = None) -> Result:
        """Merit profiles, majority grades, and the full ranking by majority value."""
        single_winner(rules, self.name)
        counted = sheet(rules, papers, weights, len(GRADES) - 1)
        profiles = merit_profiles(counted)
        values = [majority_value(profile) for profile in profiles]
        key = cmp_to_key(compare)
        keys = [key(value) for value in values]
        grades = [majority_grade(value) for value in values]
        result = outcome(rules, self.name, counted.ballots, keys.__getitem__, {})
        detail: dict[str, Any] = {
            "grades": [grade.key for grade in reversed(GRADES)],
            "labels": {grade.key: {"en": grade.english, "fr": grade.french} for grade in GRADES},
            "merit_profiles": per_option(
                rules,
                [
                    {GRADES[g].key: profile[g] for g in reversed(range(len(GRADES)))}
                    for profile in profiles
                ],
            ),
            "majority_grades": per_option(
                rules, [None if g is None else GRADES[g].key for g in grades]
            ),
            "gauges": per_option(
                rules, [_gauge(p, g) for p, g in zip(profiles, grades, strict=True)]
            ),
            "tie_breaks": self._tie_breaks(rules, result, values, grades),
            "ballots": counted.ballots,
        }
        return replace(result, detail=detail)

    @staticmethod
    def _tie_breaks(
        rules: Rules, result: Result, values: list[Runs], grades: list[int | None]
    ) -> list[dict[str, Any]]:
        """For each two neighbouring groups of the ranking with the same majority grade, why the
        first ranks above: after taking the same `removed` grades out of both, the next ones."""
        breaks = []
        for upper, lower in pairwise(result.ranking):
            a, b = rules.index(upper[0]), rules.index(lower[0])
            if grades[a] != grades[b]:
                continue
            difference = first_difference(values[a], values[b])
            if difference is None:  # pragma: no cover - distinct groups always differ
                continue
            removed, grade_a, grade_b = difference
            breaks.append(
                {
                    "above": upper[0],
                    "below": lower[0],
                    "removed": removed,
                    "above_grade": GRADES[grade_a].key,
                    "below_grade": GRADES[grade_b].key,
                }
            )
        return breaks


def _gauge(profile: Sequence[int], grade: int | None) -> dict[str, int]:
    """Balinski and Laraki's majority gauge: voters grading above and below the majority grade."""
    if grade is None:
        return {"above": 0, "below": 0}
    return {"above": sum(profile[grade + 1 :]), "below": sum(profile[:grade])}


MAJORITY_JUDGMENT = MajorityJudgment()
