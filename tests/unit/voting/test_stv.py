"""STV: Droop quota, weighted inclusive Gregory surpluses, eliminations, the last vacancies."""

from __future__ import annotations

import pytest

from domain.errors import InvalidBallot
from domain.voting.base import Paper, Rules
from domain.voting.stv import STV

FOOD = Rules(options=("Orange", "Pear", "Chocolate", "Strawberry", "Hamburger"), seats=3)


def ranked(*order: str) -> Paper:
    """The paper of a voter ranking these foods, best first."""
    return STV.validate(FOOD, list(order))


class TestFoodAtAParty:
    """Wikipedia's "Single transferable vote" example: 20 guests choose 3 foods."""

    PAPERS = (
        ranked("Orange"),
        ranked("Pear", "Orange"),
        ranked("Chocolate", "Strawberry"),
        ranked("Chocolate", "Hamburger"),
        ranked("Strawberry"),
        ranked("Hamburger"),
    )
    COUNTS = (4, 2, 8, 4, 1, 1)

    def test_elects_chocolate_orange_and_strawberry_in_that_order(self) -> None:
        """Given the 20 ballots, then the quota is 6 and the winners are as on Wikipedia."""
        result = STV.tally(FOOD, self.PAPERS, self.COUNTS)
        assert result.detail["quota"] == 6
        assert result.winners == ("Chocolate", "Orange", "Strawberry")
        assert result.tied == ()

    def test_the_stages_show_the_surplus_and_the_eliminations(self) -> None:
        """Chocolate's surplus of 6 moves at 0.5; Pear then Hamburger are eliminated."""
        stages = STV.tally(FOOD, self.PAPERS, self.COUNTS).detail["stages"]
        assert stages[0]["elected"] == ["Chocolate"]
        assert stages[0]["surpluses"] == [
            {"from": "Chocolate", "surplus": 6.0, "transfer_value": 0.5}
        ]
        assert stages[1]["counts"] == {
            "Orange": 4.0,
            "Pear": 2.0,
            "Strawberry": 5.0,
            "Hamburger": 3.0,
        }
        assert stages[1]["eliminated"] == "Pear"
        assert stages[2]["elected"] == ["Orange"]
        assert stages[3]["eliminated"] == "Hamburger"
        assert stages[4] == {
            "counts": {"Strawberry": 5.0},
            "held": {"Chocolate": 6.0, "Orange": 6.0},
            "exhausted": 3.0,
            "elected": ["Strawberry"],
        }


class TestEdges:
    def test_as_many_seats_as_options_elects_them_all(self) -> None:
        """With two options and two seats both are elected."""
        rules = Rules(options=("a", "b"), seats=2)
        assert set(STV.tally(rules, [(1, 2)]).winners) == {"a", "b"}

    def test_zero_ballots_is_a_tie_and_the_tie_order_fills_the_seats(self) -> None:
        """With no ballots every option ties; the first in the tie order take the seats."""
        rules = Rules(options=("a", "b", "c"), seats=2, tie_order=(2, 0, 1))
        result = STV.tally(rules, [])
        assert result.tied == ("c", "a", "b")
        assert set(result.winners) == {"c", "a"}

    def test_refuses_a_paper_that_ranks_two_options_equal(self) -> None:
        """STV cannot split a tie on a paper: the paper is named."""
        with pytest.raises(InvalidBallot, match="stv cannot count paper 0"):
            STV.tally(FOOD, [(1, 1, 0, 0, 0)])
