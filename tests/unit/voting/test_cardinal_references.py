"""Plurality, approval, score and majority judgment against pref_voting on random profiles.

pref_voting returns every option tied for the win, so each property compares that set with ours
before the tie-break (`Result.tied`, or the lone winner), then checks that the tie-break picked the
first of them in the vote's order. Options are `o0`, `o1`, ... here and 0, 1, ... there.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from pref_voting import grade_methods  # type: ignore[import-untyped]
from pref_voting.grade_profiles import GradeProfile  # type: ignore[import-untyped]
from pref_voting.profiles import Profile  # type: ignore[import-untyped]
from pref_voting.scoring_methods import plurality  # type: ignore[import-untyped]

from domain.voting.approval import APPROVAL
from domain.voting.base import Method, Paper, Result, Rules, break_tie
from domain.voting.majority_judgment import MAJORITY_JUDGMENT
from domain.voting.plurality import PLURALITY
from domain.voting.score import SCORE

MAX_EXAMPLES = 80


@st.composite
def profiles(draw: st.DrawFn, top: int) -> tuple[Rules, list[Paper], list[int]]:
    """2 to 5 options, 1 to 30 papers of marks in 0..top, each counted 1 to 3 times."""
    width = draw(st.integers(min_value=2, max_value=5))
    papers = draw(st.lists(st.tuples(*[st.integers(0, top)] * width), min_size=1, max_size=30))
    weights = draw(st.lists(st.integers(1, 3), min_size=len(papers), max_size=len(papers)))
    tie_order = draw(st.permutations(range(width)))
    rules = Rules(
        options=tuple(f"o{i}" for i in range(width)), score_max=top, tie_order=tuple(tie_order)
    )
    return rules, papers, weights


@st.composite
def crosses(draw: st.DrawFn) -> tuple[Rules, list[Paper], list[int]]:
    """Plurality papers: one cross each, on 2 to 5 options, counted 1 to 3 times."""
    rules, papers, weights = draw(profiles(top=1))
    width = len(rules.options)
    chosen = draw(st.lists(st.integers(0, width - 1), min_size=len(papers), max_size=len(papers)))
    return rules, [tuple(int(i == c) for i in range(width)) for c in chosen], weights


def option_ids(winners: Any) -> set[str]:
    """pref_voting's winning candidates as our option ids."""
    return {f"o{int(candidate)}" for candidate in winners}


def grade_profile(papers: Sequence[Paper], weights: list[int], grades: range) -> Any:
    """The papers as a pref_voting grade profile in which every voter grades every option."""
    width = len(papers[0])
    return GradeProfile(
        [dict(enumerate(paper)) for paper in papers],
        list(grades),
        gcounts=weights,
        candidates=list(range(width)),
    )


def assert_same_winners(rules: Rules, result: Result, reference: set[str]) -> None:
    """Our winners before the tie-break are pref_voting's, and the tie-break took the first."""
    before = set(result.tied) if result.tied else set(result.winners)
    assert before == reference
    assert (len(reference) > 1) == bool(result.tied)
    indexes = [rules.index(option) for option in reference]
    assert result.winners == (rules.options[break_tie(rules, indexes)],)


@settings(max_examples=MAX_EXAMPLES, deadline=None)
@given(crosses())
def test_plurality_agrees_with_pref_voting(profile: tuple[Rules, list[Paper], list[int]]) -> None:
    """Plurality winners match pref_voting's on rankings whose first choice is the cross."""
    rules, papers, weights = profile
    width = len(rules.options)
    # One ranking per first choice, counted: pref_voting builds a profile much faster so.
    voters: dict[int, int] = {}
    for paper, weight in zip(papers, weights, strict=True):
        voters[paper.index(1)] = voters.get(paper.index(1), 0) + weight
    rankings = [[first, *(c for c in range(width) if c != first)] for first in voters]

    result = PLURALITY.tally(rules, papers, weights)

    assert_same_winners(
        rules, result, option_ids(plurality(Profile(rankings, rcounts=list(voters.values()))))
    )


@settings(max_examples=MAX_EXAMPLES, deadline=None)
@given(profiles(top=1))
def test_approval_agrees_with_pref_voting(profile: tuple[Rules, list[Paper], list[int]]) -> None:
    """Approval winners (ties included) match pref_voting's approval on the same 0/1 grades."""
    rules, papers, weights = profile

    result = APPROVAL.tally(rules, papers, weights)

    reference = grade_methods.approval(grade_profile(papers, weights, range(2)))
    assert_same_winners(rules, result, option_ids(reference))


@settings(max_examples=MAX_EXAMPLES, deadline=None)
@given(st.integers(min_value=1, max_value=10).flatmap(lambda top: profiles(top=top)))
def test_score_agrees_with_pref_voting(profile: tuple[Rules, list[Paper], list[int]]) -> None:
    """Score winners (ties included) match pref_voting's score voting, summing the scores."""
    rules, papers, weights = profile

    result = SCORE.tally(rules, papers, weights)

    reference = grade_methods.score_voting(
        grade_profile(papers, weights, range(rules.score_max + 1))
    )
    assert_same_winners(rules, result, option_ids(reference))


@settings(max_examples=MAX_EXAMPLES, deadline=None)
@given(profiles(top=6))
def test_majority_judgment_agrees_with_pref_voting_where_it_decides(
    profile: tuple[Rules, list[Paper], list[int]],
) -> None:
    """Majority judgment refines pref_voting's: its winners are ours, exactly when it picks one.

    pref_voting breaks a tie on the majority grade by Balinski-Laraki's majority gauge alone (the
    larger share above the majority grade, else the smaller share below it) and returns every
    option that still ties. Balinski-Laraki go on taking median grades out; the gauge's order is
    the first step of theirs, so our winners before the tie-break are among pref_voting's, and
    equal to them whenever pref_voting picks one option or its tied options cannot be separated.
    """
    rules, papers, weights = profile

    result = MAJORITY_JUDGMENT.tally(rules, papers, weights)

    reference = option_ids(
        grade_methods.majority_judgement(grade_profile(papers, weights, range(7)))
    )
    ours = set(result.tied) if result.tied else set(result.winners)
    assert ours <= reference
    profiles_of = result.detail["merit_profiles"]
    if len(reference) == 1 or len({str(profiles_of[o]) for o in reference}) == 1:
        assert_same_winners(rules, result, reference)


def test_majority_judgment_goes_beyond_the_gauge_where_pref_voting_stops() -> None:
    """Given equal gauges, pref_voting reports a tie that Balinski-Laraki's rule decides."""
    papers: list[Paper] = [(1, 2), (3, 3), (3, 3), (4, 4), (4, 6)]
    rules = Rules(options=("o0", "o1"))

    result = MAJORITY_JUDGMENT.tally(rules, papers)

    reference = grade_methods.majority_judgement(grade_profile(papers, [1] * 5, range(7)))
    assert option_ids(reference) == {"o0", "o1"}
    assert result.winners == ("o1",)
    assert result.tied == ()


METHODS: tuple[Method, ...] = (PLURALITY, APPROVAL, SCORE, MAJORITY_JUDGMENT)


def test_zero_ballots_are_a_tie_of_every_option() -> None:
    """With no ballot (where pref_voting has no profile to build), each method ties everybody."""
    rules = Rules(options=("o0", "o1", "o2"), tie_order=(2, 0, 1))
    empty = np.zeros((0, 3), dtype=np.int64)

    for method in METHODS:
        result = method.tally(rules, empty)
        assert result.tied == ("o2", "o0", "o1")
        assert result.winners == ("o2",)
        assert result.ranking == (("o2", "o0", "o1"),)


def test_every_detail_is_plain_json() -> None:
    """Each method's detail survives a JSON round trip unchanged (no NumPy scalars in it)."""
    rules = Rules(options=("o0", "o1", "o2"))
    papers = [(1, 0, 0), (0, 0, 1), (1, 0, 0)]

    for method in METHODS:
        detail = method.tally(rules, np.array(papers, dtype=np.int8), [1, 2, 3]).detail
        assert json.loads(json.dumps(detail)) == detail
        assert method.name in {"plurality", "approval", "score", "majority_judgment"}
