"""The vote page's ballot form read back into the choice the vote service expects, and what it
refuses at once with a message the voter can act on (no I/O)."""

from __future__ import annotations

from typing import Any

import pytest

from domain.voting.registry import METHODS
from interfaces.web.vote_ballots import (
    CHOOSE_ONE,
    FORMS,
    GRADE_EVERY,
    OVER_BUDGET,
    RANK_ONE,
    RANK_TWICE,
    SCORE_RANGE,
    BallotRefused,
    choice_from,
    single_values,
)

OPTIONS = [
    {"id": "north", "cost": None},
    {"id": "south", "cost": None},
    {"id": "none", "cost": None},
]

PROJECTS = [
    {"id": "bikes", "cost": 60},
    {"id": "library", "cost": 30},
    {"id": "pool", "cost": 50},
]


def rules(method: str, **fields: Any) -> dict[str, Any]:
    """A vote's rules as its view holds them."""
    return {"method": method, "options": OPTIONS, "score_max": 10, "budget": None, **fields}


def refused(form: dict[str, str], vote: dict[str, Any]) -> BallotRefused:
    """The refusal the form meets."""
    with pytest.raises(BallotRefused) as caught:
        choice_from(form, vote, str)
    return caught.value


def test_every_method_has_a_form() -> None:
    """A vote of any registered method can be voted on from its page."""
    assert set(METHODS) <= set(FORMS)


class TestSingleChoice:
    def test_reads_the_option_chosen(self) -> None:
        """The radio button's value is the choice."""
        assert choice_from({"choice": "south"}, rules("plurality"), str) == "south"

    def test_refuses_no_choice_or_an_unknown_one(self) -> None:
        """Nothing chosen, or an option the vote lacks: choose one."""
        assert refused({}, rules("plurality")).problem.message == CHOOSE_ONE
        assert refused({"choice": "east"}, rules("plurality")).problem.message == CHOOSE_ONE


class TestGrades:
    def test_reads_one_grade_per_option(self) -> None:
        """Majority judgment: option id to grade key."""
        form = {"grade.north": "very_good", "grade.south": "passable", "grade.none": "reject"}

        assert choice_from(form, rules("majority_judgment"), str) == {
            "north": "very_good",
            "south": "passable",
            "none": "reject",
        }

    def test_refuses_an_option_left_ungraded(self) -> None:
        """The page asks for every grade rather than grading the forgotten option reject."""
        form = {"grade.north": "good", "grade.south": "good"}

        assert refused(form, rules("majority_judgment")).problem.message == GRADE_EVERY


class TestRanking:
    def test_orders_the_options_by_rank_leaving_out_the_unranked(self) -> None:
        """Ranks 2 and 1 (gaps allowed), one left blank: best first."""
        form = {"rank.north": "2", "rank.south": "1", "rank.none": ""}

        assert choice_from(form, rules("schulze"), str) == ["south", "north"]

    def test_refuses_two_options_with_the_same_rank_naming_it(self) -> None:
        """A duplicate rank is refused, the message naming the rank."""
        problem = refused({"rank.north": "1", "rank.south": "1"}, rules("irv")).problem

        assert (problem.message, dict(problem.values), problem.status) == (
            RANK_TWICE,
            {"rank": "1"},
            422,
        )

    def test_refuses_a_ranking_of_nothing(self) -> None:
        """Every option unranked: rank at least one."""
        assert refused({"rank.north": ""}, rules("stv")).problem.message == RANK_ONE


class TestScore:
    def test_reads_points_within_the_bounds(self) -> None:
        """Points per option; a blank field gives none."""
        form = {"score.north": "7", "score.south": "0", "score.none": ""}

        assert choice_from(form, rules("score"), str) == {"north": 7, "south": 0}

    @pytest.mark.parametrize("points", ["11", "-1", "2.5", "many"])
    def test_refuses_points_out_of_bounds_or_not_whole(self, points: str) -> None:
        """Outside 0..score_max, or not a whole number: the bounds are stated."""
        problem = refused({"score.north": points}, rules("score")).problem

        assert (problem.message, dict(problem.values)) == (SCORE_RANGE, {"max": "10"})


class TestBasket:
    def test_reads_the_projects_chosen_within_the_budget(self) -> None:
        """Checked projects, in the vote's order."""
        vote = rules("greedy", options=PROJECTS, budget=100)

        form = {"choose.library": "on", "choose.bikes": "on"}
        assert choice_from(form, vote, str) == ["bikes", "library"]

    def test_refuses_a_basket_over_budget_with_both_amounts(self) -> None:
        """Over budget: the basket's cost and the budget are in the message."""
        vote = rules("equal_shares", options=PROJECTS, budget=100)
        problem = refused({"choose.bikes": "on", "choose.pool": "on"}, vote).problem

        assert (problem.message, dict(problem.values)) == (
            OVER_BUDGET,
            {"total": "110", "budget": "100"},
        )


def test_a_repeated_field_counts_once() -> None:
    """A client repeating a field: its last value stands."""
    assert single_values({"choice": ["north", "south"], "x": "1"}) == {"choice": "south", "x": "1"}
