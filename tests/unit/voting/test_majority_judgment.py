"""Majority judgment: a seven-grade scale, majority grades, and Balinski-Laraki's tie-break.

The tie-break is checked against its definition, literally applied: take the majority grade (the
lower median) out of the grades again and again, and compare the sequences so obtained.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidBallot
from domain.voting.base import Paper, Result, Rules
from domain.voting.majority_judgment import (
    GRADES,
    MAJORITY_JUDGMENT,
    compare,
    first_difference,
    majority_value,
)

CITIES = Rules(options=("memphis", "nashville", "chattanooga", "knoxville"))


def graded(rules: Rules, *ballots: dict[str, str]) -> list[Paper]:
    """The papers of voters who graded options by grade key."""
    return [MAJORITY_JUDGMENT.validate(rules, ballot) for ballot in ballots]


def removal_sequence(grades: Sequence[int]) -> list[int]:
    """Balinski-Laraki's majority value by definition: remove the lower median, again and again."""
    remaining = sorted(grades)
    sequence = []
    while remaining:
        sequence.append(remaining.pop((len(remaining) - 1) // 2))
    return sequence


def profile_of(grades: Sequence[int]) -> list[int]:
    """Voters per grade, worst grade first."""
    return [list(grades).count(g) for g in range(len(GRADES))]


class TestGrades:
    def test_the_scale_has_seven_grades_in_english_and_french(self) -> None:
        """The paper stores 0 (reject) to 6 (excellent); each grade has both labels."""
        assert [g.key for g in GRADES] == [
            "reject",
            "insufficient",
            "passable",
            "fairly_good",
            "good",
            "very_good",
            "excellent",
        ]
        assert [g.french for g in GRADES] == [
            "À rejeter",
            "Insuffisant",
            "Passable",
            "Assez bien",
            "Bien",
            "Très bien",
            "Excellent",
        ]


class TestValidate:
    def test_grades_become_their_place_on_the_scale(self) -> None:
        """Given a grade for every option, then the paper holds each grade's integer."""
        paper = MAJORITY_JUDGMENT.validate(
            CITIES,
            {
                "knoxville": "excellent",
                "memphis": "very_good",
                "nashville": "fairly_good",
                "chattanooga": "insufficient",
            },
        )

        assert paper == (5, 3, 1, 6)

    def test_an_option_left_out_is_graded_reject(self) -> None:
        """Given grades for two of four options, then the other two are graded reject (0)."""
        assert MAJORITY_JUDGMENT.validate(CITIES, {"nashville": "good"}) == (0, 4, 0, 0)

    def test_refuses_an_unknown_grade(self) -> None:
        """A grade not on the scale is refused, naming it and the option."""
        with pytest.raises(InvalidBallot, match="unknown grade 'superb' for 'memphis'"):
            MAJORITY_JUDGMENT.validate(CITIES, {"memphis": "superb"})

    def test_refuses_a_grade_given_as_a_number(self) -> None:
        """The API speaks in grade keys; the paper's integers are not accepted as grades."""
        with pytest.raises(InvalidBallot, match="unknown grade 6 for 'memphis'"):
            MAJORITY_JUDGMENT.validate(CITIES, {"memphis": 6})

    def test_refuses_an_unknown_option(self) -> None:
        """A grade for an option the vote does not have is refused, naming it."""
        with pytest.raises(InvalidBallot, match="unknown option 'atlanta'"):
            MAJORITY_JUDGMENT.validate(CITIES, {"atlanta": "good"})

    @pytest.mark.parametrize("choice", [["memphis"], "good", None], ids=str)
    def test_refuses_anything_but_a_mapping(self, choice: object) -> None:
        """A list, a string or nothing is not a set of grades."""
        with pytest.raises(InvalidBallot, match="grades options"):
            MAJORITY_JUDGMENT.validate(CITIES, choice)


class TestTennessee:
    """The capital of Tennessee, Wikipedia's example: voters want the capital near them.

    Each voter grades the cities by distance from home, excellent, good, passable, insufficient
    (the example's Excellent, Good, Fair, Poor), 100 voters in the example's proportions.
    """

    @staticmethod
    def tally() -> Result:
        """Tally the 4 groups of voters as 4 papers with counts."""
        papers = graded(
            CITIES,
            {
                "memphis": "excellent",
                "nashville": "good",
                "chattanooga": "passable",
                "knoxville": "insufficient",
            },
            {
                "nashville": "excellent",
                "chattanooga": "good",
                "knoxville": "passable",
                "memphis": "insufficient",
            },
            {
                "chattanooga": "excellent",
                "knoxville": "good",
                "nashville": "passable",
                "memphis": "insufficient",
            },
            {
                "knoxville": "excellent",
                "chattanooga": "good",
                "nashville": "passable",
                "memphis": "insufficient",
            },
        )
        return MAJORITY_JUDGMENT.tally(CITIES, papers, weights=[42, 26, 15, 17])

    def test_merit_profiles_and_majority_grades(self) -> None:
        """Nashville and Chattanooga are good at the median, Knoxville passable, Memphis not."""
        detail = self.tally().detail

        profiles = detail["merit_profiles"]
        assert profiles["nashville"] == {
            "excellent": 26,
            "very_good": 0,
            "good": 42,
            "fairly_good": 0,
            "passable": 32,
            "insufficient": 0,
            "reject": 0,
        }
        assert profiles["chattanooga"]["good"] == 43
        assert detail["majority_grades"] == {
            "memphis": "insufficient",
            "nashville": "good",
            "chattanooga": "good",
            "knoxville": "passable",
        }
        assert detail["grades"] == [g.key for g in reversed(GRADES)]

    def test_nashville_wins_the_tie_on_good(self) -> None:
        """Chattanooga's grades fall below good sooner (42 below it, Nashville's 32): Nashville."""
        result = self.tally()
        detail = result.detail

        assert result.ballots == 100
        assert result.winners == ("nashville",)
        assert result.tied == ()
        assert result.ranking == (("nashville",), ("chattanooga",), ("knoxville",), ("memphis",))
        assert detail["gauges"] == {
            "memphis": {"above": 42, "below": 0},
            "nashville": {"above": 26, "below": 32},
            "chattanooga": {"above": 15, "below": 42},
            "knoxville": {"above": 32, "below": 42},
        }
        # 8 goods taken out of each from below (and 8 from above) leave Chattanooga passable.
        assert detail["tie_breaks"] == [
            {
                "above": "nashville",
                "below": "chattanooga",
                "removed": 16,
                "above_grade": "good",
                "below_grade": "passable",
            }
        ]

    def test_one_paper_per_voter_gives_the_same_result(self) -> None:
        """The 100 papers written out, as one array, tally exactly as the 4 counted papers."""
        groups = np.array([(6, 4, 2, 1), (1, 6, 4, 2), (1, 2, 6, 4), (1, 2, 4, 6)], dtype=np.int8)

        expanded = MAJORITY_JUDGMENT.tally(CITIES, np.repeat(groups, [42, 26, 15, 17], axis=0))

        assert expanded == self.tally()


class TestTieBreak:
    def test_removing_one_median_grade_separates_a_tie(self) -> None:
        """Given (good, good, passable, insufficient) and (excellent, passable x3), both passable,
        then removing one passable leaves good for the first and passable for the second."""
        rules = Rules(options=("x", "y"))
        papers = [(4, 6), (4, 2), (2, 2), (1, 2)]

        result = MAJORITY_JUDGMENT.tally(rules, papers)

        assert result.detail["majority_grades"] == {"x": "passable", "y": "passable"}
        assert result.winners == ("x",)
        assert result.detail["tie_breaks"] == [
            {
                "above": "x",
                "below": "y",
                "removed": 1,
                "above_grade": "good",
                "below_grade": "passable",
            }
        ]

    def test_a_tie_the_majority_gauge_leaves_is_decided_further(self) -> None:
        """Given equal gauges (2 above, 1 below fairly good for both), then the grades further out
        decide: after 3 removed, a's insufficient loses to b's passable."""
        rules = Rules(options=("a", "b"))
        papers = list(zip([1, 3, 3, 4, 4], [2, 3, 3, 4, 6], strict=True))

        result = MAJORITY_JUDGMENT.tally(rules, papers)

        assert result.detail["gauges"] == {
            "a": {"above": 2, "below": 1},
            "b": {"above": 2, "below": 1},
        }
        assert result.winners == ("b",)
        assert result.tied == ()
        assert result.detail["tie_breaks"][0] == {
            "above": "b",
            "below": "a",
            "removed": 3,
            "above_grade": "passable",
            "below_grade": "insufficient",
        }

    def test_identical_merit_profiles_are_a_tie_broken_by_the_vote_order(self) -> None:
        """Given two options graded alike by the voters as a whole, then they stay tied."""
        rules = Rules(options=("a", "b", "c"), tie_order=(1, 2, 0))
        papers = [(6, 2, 1), (2, 6, 1), (3, 3, 0)]

        result = MAJORITY_JUDGMENT.tally(rules, papers)

        assert result.tied == ("b", "a")
        assert result.winners == ("b",)
        assert result.ranking == (("b", "a"), ("c",))
        assert result.detail["tie_breaks"] == []

    def test_an_even_number_of_voters_takes_the_lower_median(self) -> None:
        """Given excellent and reject, then the majority grade is reject, not between the two."""
        result = MAJORITY_JUDGMENT.tally(Rules(options=("a",)), [(6,), (0,)])

        assert result.detail["majority_grades"] == {"a": "reject"}

    def test_zero_ballots_tie_every_option_without_a_majority_grade(self) -> None:
        """Given no ballot, then nobody has a majority grade and every option is tied."""
        result = MAJORITY_JUDGMENT.tally(CITIES, np.zeros((0, 4), dtype=np.int8))

        assert result.ballots == 0
        assert result.tied == CITIES.options
        assert result.winners == ("memphis",)
        assert result.detail["majority_grades"] == dict.fromkeys(CITIES.options)
        assert result.detail["tie_breaks"] == []

    def test_weights_of_zero_do_not_count(self) -> None:
        """A paper counted zero times changes nothing."""
        rules = Rules(options=("a", "b"))

        with_zero = MAJORITY_JUDGMENT.tally(rules, [(6, 0), (0, 6), (5, 5)], [0, 1, 1])
        without = MAJORITY_JUDGMENT.tally(rules, [(0, 6), (5, 5)])

        assert with_zero == without


grade_lists = st.lists(st.integers(min_value=0, max_value=len(GRADES) - 1), max_size=40)


class TestMajorityValue:
    @settings(max_examples=300, deadline=None)
    @given(grade_lists)
    def test_runs_spell_out_the_removal_sequence(self, grades: list[int]) -> None:
        """The run-length majority value expands to the sequence of removed medians."""
        expanded = [g for step, length in majority_value(profile_of(grades)) for g in step * length]

        assert expanded == removal_sequence(grades)

    @settings(max_examples=300, deadline=None)
    @given(
        st.integers(min_value=0, max_value=40).flatmap(
            lambda n: st.tuples(*[st.lists(st.integers(0, 6), min_size=n, max_size=n)] * 2)
        )
    )
    def test_comparison_is_lexicographic_on_the_removal_sequences(
        self, pair: tuple[list[int], list[int]]
    ) -> None:
        """Comparing two options of as many voters agrees with comparing their sequences."""
        a, b = (removal_sequence(grades) for grades in pair)
        value_a, value_b = (majority_value(profile_of(grades)) for grades in pair)

        assert compare(value_a, value_b) == (a > b) - (a < b)
        difference = first_difference(value_a, value_b)
        if difference is not None:
            removed, grade_a, grade_b = difference
            assert a[:removed] == b[:removed]
            assert (a[removed], b[removed]) == (grade_a, grade_b)

    @settings(max_examples=100, deadline=None)
    @given(
        st.integers(min_value=2, max_value=5).flatmap(
            lambda k: st.lists(st.tuples(*[st.integers(0, 6)] * k), min_size=0, max_size=25)
        )
    )
    def test_the_ranking_orders_options_by_their_removal_sequences(
        self, papers: list[Paper]
    ) -> None:
        """The full ranking sorts options by majority value; equal ones share a group."""
        width = len(papers[0]) if papers else 3
        rules = Rules(options=tuple(f"o{i}" for i in range(width)))

        result = MAJORITY_JUDGMENT.tally(rules, papers)

        sequences = {
            option: removal_sequence([paper[i] for paper in papers])
            for i, option in enumerate(rules.options)
        }
        distinct = sorted({tuple(sequence) for sequence in sequences.values()}, reverse=True)
        assert [tuple(sequences[group[0]]) for group in result.ranking] == distinct
        for group in result.ranking:
            assert all(sequences[option] == sequences[group[0]] for option in group)
        top = result.ranking[0]
        assert result.tied == (top if len(top) > 1 else ())
        assert result.winners == (top[0],)
