"""Participatory budgeting: the basket ballot, greedy by approvals, the Method of Equal Shares."""

from __future__ import annotations

import numpy as np
import pytest

from domain.errors import InvalidBallot, InvalidVoteRules
from domain.voting.base import Rules
from domain.voting.budgeting import EqualShares, equal_shares, greedy

PARK = Rules(
    options=("park", "library", "bikes"), costs=(700_000, 550_000, 300_000), budget=1_000_000
)

# A minority the greedy rule leaves out: 5 voters want A and B, 1 only A, 4 only C; 10 per voter.
MINORITY = Rules(options=("A", "B", "C"), costs=(50, 50, 40), budget=100)
MINORITY_PAPERS = [(1, 1, 0)] * 5 + [(1, 0, 0)] + [(0, 0, 1)] * 4


class TestBasket:
    def test_a_basket_becomes_one_mark_per_chosen_project(self) -> None:
        """Given a basket within budget, the paper has 1 for each chosen project, 0 elsewhere."""
        assert greedy.validate(PARK, ["bikes", "park"]) == (1, 0, 1)

    def test_an_empty_basket_is_a_blank_paper(self) -> None:
        """An empty basket is accepted: the voter counts but chooses nothing."""
        assert equal_shares.validate(PARK, []) == (0, 0, 0)

    def test_refuses_an_unknown_project(self) -> None:
        """A project the vote does not list is refused by name."""
        with pytest.raises(InvalidBallot, match="unknown project 'pool'"):
            greedy.validate(PARK, ["park", "pool"])

    def test_refuses_a_project_chosen_twice(self) -> None:
        """The same project twice in one basket is refused."""
        with pytest.raises(InvalidBallot, match="project 'bikes' is chosen twice"):
            equal_shares.validate(PARK, ["bikes", "bikes"])

    def test_refuses_a_basket_over_budget_with_both_amounts(self) -> None:
        """A basket costing more than the budget is refused, with its total and the budget."""
        with pytest.raises(InvalidBallot, match=r"^over budget: 1,250,000 > 1,000,000$"):
            greedy.validate(PARK, ["park", "library"])

    def test_a_basket_costing_exactly_the_budget_is_accepted(self) -> None:
        """The budget is a limit a basket may reach."""
        assert greedy.validate(PARK, ["park", "bikes"]) == (1, 0, 1)

    @pytest.mark.parametrize("choice", ["park", {"park": 1}, None, 3])
    def test_refuses_anything_but_a_list_of_ids(self, choice: object) -> None:
        """A bare string, a mapping or a number is not a basket."""
        with pytest.raises(InvalidBallot, match="list of project ids"):
            greedy.validate(PARK, choice)

    def test_refuses_an_id_that_is_not_a_string(self) -> None:
        """Every project id in the basket is a string."""
        with pytest.raises(InvalidBallot, match="not 3"):
            greedy.validate(PARK, ["park", 3])

    @pytest.mark.parametrize(
        "rules",
        [
            Rules(options=("a", "b")),
            Rules(options=("a", "b"), costs=(1, 2)),
            Rules(options=("a", "b"), budget=3),
        ],
    )
    def test_refuses_a_vote_without_costs_and_budget(self, rules: Rules) -> None:
        """Both methods need a cost for every project and a budget, to validate and to tally."""
        for method in (greedy, equal_shares):
            with pytest.raises(InvalidVoteRules, match="a cost for every project and a budget"):
                method.validate(rules, ["a"])
            with pytest.raises(InvalidVoteRules, match="a cost for every project and a budget"):
                method.tally(rules, [(1, 0)])

    def test_refuses_free_projects_and_an_empty_budget(self) -> None:
        """A project must cost something and the budget must be positive."""
        with pytest.raises(InvalidVoteRules, match="must cost something"):
            greedy.tally(Rules(options=("a",), costs=(0,), budget=5), [(1,)])
        with pytest.raises(InvalidVoteRules, match="budget must be positive"):
            equal_shares.tally(Rules(options=("a",), costs=(1,), budget=0), [(1,)])


class TestGreedy:
    def test_funds_by_approvals_skipping_what_no_longer_fits(self) -> None:
        """Given approvals 3, 2, 1: the second no longer fits after the first, the third does."""
        papers = [(1, 1, 0), (1, 0, 0), (1, 1, 1)]
        result = greedy.tally(PARK, papers)
        assert result.winners == ("park", "bikes")
        assert result.detail["approvals"] == {"park": 3, "library": 2, "bikes": 1}
        assert result.detail["spent"] == 1_000_000
        assert result.detail["left"] == 0
        assert [s["funded"] for s in result.detail["steps"]] == [True, False, True]
        assert result.tied == ()

    def test_orders_by_approvals_not_by_approvals_per_cost(self) -> None:
        """A dear project with more approvals goes before a cheap one with fewer."""
        rules = Rules(options=("dear", "cheap"), costs=(90, 10), budget=95)
        result = greedy.tally(rules, [(1, 0), (1, 0), (0, 1)])
        assert result.winners == ("dear",)

    def test_never_funds_a_project_nobody_chose(self) -> None:
        """Money left over does not go to a project with no approval."""
        result = greedy.tally(PARK, [(0, 1, 0)])
        assert result.winners == ("library",)

    def test_a_tie_for_the_last_money_is_broken_by_the_tie_order_and_reported(self) -> None:
        """Two projects with equal approvals that cannot both be funded: the tie order decides."""
        rules = Rules(options=("a", "b"), costs=(60, 60), budget=100, tie_order=(1, 0))
        result = greedy.tally(rules, [(1, 1)])
        assert result.winners == ("b",)
        assert set(result.tied) == {"a", "b"}

    def test_equal_approvals_that_all_fit_are_no_tie(self) -> None:
        """When every project of an equal score fits, the tie order changes nothing: no tie."""
        rules = Rules(options=("a", "b"), costs=(40, 60), budget=100)
        result = greedy.tally(rules, [(1, 1)])
        assert set(result.winners) == {"a", "b"}
        assert result.tied == ()

    def test_a_numpy_table_with_counts_counts_like_repeated_papers(self) -> None:
        """Papers as a 2-D array with counts give the result of the papers repeated."""
        as_array = greedy.tally(PARK, np.array([[1, 1, 0], [0, 0, 1]]), weights=[3, 4])
        as_list = greedy.tally(PARK, [(1, 1, 0)] * 3 + [(0, 0, 1)] * 4)
        assert as_array == as_list
        assert as_array.ballots == 7

    def test_counts_points_when_papers_carry_points(self) -> None:
        """A cumulative paper's points order the projects, while approvals still count voters."""
        rules = Rules(options=("a", "b"), costs=(60, 60), budget=100)
        result = greedy.tally(rules, [(1, 0), (1, 0), (0, 5)])
        assert result.winners == ("b",)
        assert result.detail["scores"] == {"a": 2, "b": 5}
        assert result.detail["approvals"] == {"a": 2, "b": 1}

    def test_no_ballot_funds_nothing(self) -> None:
        """An empty box funds no project and spends nothing."""
        result = greedy.tally(PARK, [])
        assert result.winners == ()
        assert result.detail["left"] == 1_000_000

    def test_refuses_papers_of_the_wrong_width(self) -> None:
        """A paper must have one entry per project: a malformed paper is a bug, not a ballot."""
        with pytest.raises(ValueError, match=r"paper 0 holds 2 marks, not one per option \(3\)"):
            greedy.tally(PARK, [(1, 0)])

    def test_refuses_negative_points(self) -> None:
        """Points have no upper bound, but cannot be negative."""
        with pytest.raises(ValueError, match="paper 1 holds a negative mark"):
            greedy.tally(PARK, np.array([[1, 0, 0], [0, -1, 0]]))


class TestEqualShares:
    def test_funds_the_minority_project_greedy_leaves_out(self) -> None:
        """Hand-checked: A at rho 25/3 (6 effective votes), then B is unaffordable, then C at 10."""
        # Each voter holds 100 / 10 = 10. Round 1: A costs 50 for 6 supporters, rho = 50/6 = 25/3,
        # 6 effective votes; B (5 x 10 = 50, rho 10, 5 effective votes) and C (4 x 10 = 40,
        # rho 10, 4 effective votes) come after. A's supporters keep 10 - 25/3 = 5/3 each, so B's
        # five supporters hold 25/3 < 50 and B drops out; round 2 funds C, rho 10. Spent 90 of 100.
        result = equal_shares.tally(MINORITY, MINORITY_PAPERS)
        assert greedy.tally(MINORITY, MINORITY_PAPERS).winners == ("A", "B")
        assert result.winners == ("A", "C")
        rounds = result.detail["rounds"]
        assert [(r["project"], r["rho_exact"], r["effective_votes"]) for r in rounds] == [
            ("A", "25/3", 6.0),
            ("C", "10/1", 4.0),
        ]
        assert result.detail["spent"] == 90
        assert result.detail["left"] == 10
        assert result.detail["share_exact"] == "10/1"
        assert result.detail["utility"] == "cost"
        assert result.tied == ()

    def test_cost_utilities_put_a_large_popular_project_before_a_small_one(self) -> None:
        """Cost utilities compare rho per unit of cost; approval utilities compare rho itself."""
        # 10 voters, 10 each. Big: 80 for 9 supporters, rho 80/9 (9 effective votes). Small: 10
        # for 2 supporters, rho 5 (2 effective votes). Cost utilities fund Big first, approval
        # utilities Small first; in both, what is left then pays for the other.
        rules = Rules(options=("big", "small"), costs=(80, 10), budget=100)
        papers = [(1, 0)] * 8 + [(1, 1), (0, 1)]
        assert equal_shares.tally(rules, papers).winners == ("big", "small")
        by_approval = EqualShares("approval").tally(rules, papers)
        assert by_approval.winners == ("small", "big")
        assert by_approval.method == "equal_shares_approval"

    def test_a_project_its_supporters_cannot_pay_for_is_not_funded(self) -> None:
        """Money in other voters' hands does not fund a project: 1 of 4 voters holds 25 < 30."""
        rules = Rules(options=("a", "b"), costs=(30, 10), budget=100)
        result = equal_shares.tally(rules, [(1, 0), (0, 1), (0, 1), (0, 1)])
        assert result.winners == ("b",)
        assert result.detail["left"] == 90

    def test_an_exact_tie_is_broken_by_the_tie_order_and_reported(self) -> None:
        """Equal cost and equal support give equal rho: the tie order picks, the round says so."""
        rules = Rules(options=("a", "b"), costs=(50, 50), budget=100, tie_order=(1, 0))
        result = equal_shares.tally(rules, [(1, 0), (0, 1)])
        assert result.winners == ("b", "a")
        assert result.tied == ("b", "a")
        assert result.detail["rounds"][0]["tied"] == ["b", "a"]
        assert result.detail["rounds"][1]["tied"] == []

    def test_a_cost_the_supporters_hold_exactly_is_affordable(self) -> None:
        """Three shares of 10/3 cover a cost of 10 exactly, although 3 x float(10/3) may not."""
        rules = Rules(options=("a",), costs=(10,), budget=10)
        result = equal_shares.tally(rules, [(1,), (1,), (1,)])
        assert result.winners == ("a",)
        assert result.detail["rounds"][0]["rho_exact"] == "10/3"

    def test_a_project_its_supporters_cover_to_the_cent_competes_at_its_exact_price(self) -> None:
        """Found by hypothesis against pabutools: summed in floats, money falls short of 7."""
        # 8 voters, 18 / 8 = 9/4 each. Rounds 1 and 2 fund p0 and p1 (each at 1/6 per unit of cost,
        # a tie the order breaks). Then p5's four supporters hold 7/4 + 25/12 + 19/12 + 19/12 = 7,
        # its cost: rho 25/12, 25/84 per unit of cost, before p4 at 1 per unit.
        rules = Rules(options=("p0", "p1", "p4", "p5"), costs=(1, 3, 1, 7), budget=18)
        papers = [(0, 1, 0, 0), (0, 1, 0, 1), (1, 0, 0, 1), (1, 0, 1, 0)]
        papers += [(1, 1, 0, 0)] * 2 + [(1, 1, 0, 1)] * 2
        result = equal_shares.tally(rules, papers)
        assert result.winners == ("p0", "p1", "p5", "p4")
        assert result.detail["rounds"][2]["rho_exact"] == "25/12"
        assert result.tied == ("p0", "p1")

    def test_counts_and_blank_papers_set_the_share(self) -> None:
        """Counted papers and blank papers all receive a share of the budget."""
        rules = Rules(options=("a",), costs=(60,), budget=100)
        # Two voters of five: 2 x 20 = 40 < 60, not funded; of three: 2 x 33.3 = 66.7, funded.
        assert equal_shares.tally(rules, np.array([[1], [0]]), weights=[2, 3]).winners == ()
        assert equal_shares.tally(rules, [(1,), (1,), (0,)]).winners == ("a",)

    def test_refuses_papers_that_are_not_approvals(self) -> None:
        """Points are not approvals: equal shares counts 0 or 1 per project."""
        with pytest.raises(ValueError, match=r"paper 0 holds a mark outside 0\.\.1"):
            equal_shares.tally(PARK, [(2, 0, 0)])

    def test_refuses_negative_counts(self) -> None:
        """A paper cannot count a negative number of times."""
        with pytest.raises(ValueError, match="paper 0 has a negative weight"):
            equal_shares.tally(PARK, [(1, 0, 0)], weights=[-1])

    def test_no_ballot_funds_nothing(self) -> None:
        """An empty box funds no project and has no share to report."""
        result = equal_shares.tally(PARK, np.zeros((0, 3), dtype=np.int64))
        assert result.winners == ()
        assert result.detail["share"] is None
        assert result.ballots == 0
