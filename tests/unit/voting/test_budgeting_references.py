"""Budgeting tallies against pabutools, the reference implementation, and against real votes.

pabutools is given the same tie-break order (a `TieBreakingRule` keyed on our tie rank), cost
utilities (`Cost_Sat`) for equal shares and for greedy (whose additive greedy ranks by satisfaction
per cost, so `Cost_Sat` makes it rank by approvals, as ours does), and `Cardinality_Sat` for the
approval-utility variant. pabutools' greedy also funds projects nobody approved if money is left,
after all the others; ours never does, so those are dropped from its list before comparing.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pabutools.election import (  # type: ignore[import-untyped]
    AdditiveSatisfaction,
    ApprovalBallot,
    ApprovalProfile,
    Cardinality_Sat,
    Cost_Sat,
    Instance,
    Project,
    parse_pabulib,
)
from pabutools.rules import (  # type: ignore[import-untyped]
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)
from pabutools.tiebreaking import TieBreakingRule  # type: ignore[import-untyped]

from application.ballot_files.pabulib import PabulibFile, read_pabulib
from domain.voting.base import Paper, Rules
from domain.voting.budgeting import EqualShares, equal_shares, greedy

PABULIB = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "pabulib"
TOULOUSE = "France_Toulouse_2022_10_-_Jolimont_Soupetard_Roseraie_Gloire_Gramont_Amouroux.pb"
CZESTOCHOWA = "Poland_Czestochowa_2020_Stare_Miasto.pb"
WARSZAWA = "Poland_Warszawa_2018_Falenica.pb"


@st.composite
def elections(
    draw: st.DrawFn, projects: int = 6, voters: int = 10, cost: int = 12, budget: int = 40
) -> tuple[Rules, list[Paper], list[int]]:
    """Approval elections; by default small costs and few voters, so ties are frequent."""
    width = draw(st.integers(min_value=1, max_value=projects))
    rules = Rules(
        options=tuple(f"p{i}" for i in range(width)),
        costs=tuple(draw(st.lists(st.integers(1, cost), min_size=width, max_size=width))),
        budget=draw(st.integers(min_value=1, max_value=budget)),
        tie_order=tuple(draw(st.permutations(range(width)))),
    )
    paper = st.tuples(*[st.integers(0, 1)] * width)
    papers = draw(st.lists(paper, max_size=voters))
    weights = draw(st.lists(st.integers(1, 3), min_size=len(papers), max_size=len(papers)))
    return rules, papers, weights


def _pabutools(rules: Rules, papers: Sequence[Paper], weights: Sequence[int]) -> tuple[Any, ...]:
    """The same election for pabutools: instance, profile (papers repeated) and tie-breaking."""
    assert rules.costs is not None
    projects = [Project(o, c) for o, c in zip(rules.options, rules.costs, strict=True)]
    instance = Instance(projects, budget_limit=rules.budget)
    ballots = [
        ApprovalBallot(p for p, mark in zip(projects, paper, strict=True) if mark)
        for paper, count in zip(papers, weights, strict=True)
        for _ in range(count)
    ]
    rank = dict(zip(rules.options, rules.tie_rank(), strict=True))
    tie = TieBreakingRule(lambda _instance, _profile, project: rank[project.name])
    return instance, ApprovalProfile(ballots, instance=instance), tie


def _approved(rules: Rules, papers: Sequence[Paper]) -> set[str]:
    return {o for i, o in enumerate(rules.options) if any(paper[i] for paper in papers)}


class TestAgainstPabutools:
    @settings(max_examples=150, deadline=None)
    @given(elections())
    def test_greedy_funds_what_pabutools_funds_in_the_same_order(
        self, election: tuple[Rules, list[Paper], list[int]]
    ) -> None:
        """Greedy by approvals funds pabutools' greedy projects (Cost_Sat), in its order."""
        rules, papers, weights = election
        instance, profile, tie = _pabutools(rules, papers, weights)
        theirs = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat, tie_breaking=tie)
        approved = _approved(rules, papers)
        expected = tuple(p.name for p in theirs if p.name in approved)
        assert greedy.tally(rules, papers, weights).winners == expected

    @settings(max_examples=150, deadline=None)
    @given(elections())
    def test_equal_shares_funds_what_pabutools_funds_round_by_round(
        self, election: tuple[Rules, list[Paper], list[int]]
    ) -> None:
        """Equal shares with cost utilities funds pabutools' MES projects (Cost_Sat), in order."""
        rules, papers, weights = election
        instance, profile, tie = _pabutools(rules, papers, weights)
        theirs = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, tie_breaking=tie)
        assert equal_shares.tally(rules, papers, weights).winners == tuple(p.name for p in theirs)

    @settings(max_examples=50, deadline=None)
    @given(elections(projects=10, voters=40, cost=1000, budget=3000))
    def test_equal_shares_matches_pabutools_on_larger_elections(
        self, election: tuple[Rules, list[Paper], list[int]]
    ) -> None:
        """More voters, larger costs (more rounds, longer fractions): still pabutools' MES."""
        rules, papers, weights = election
        instance, profile, tie = _pabutools(rules, papers, weights)
        theirs = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, tie_breaking=tie)
        assert equal_shares.tally(rules, papers, weights).winners == tuple(p.name for p in theirs)

    @settings(max_examples=100, deadline=None)
    @given(elections())
    def test_approval_utilities_match_pabutools_cardinality_satisfaction(
        self, election: tuple[Rules, list[Paper], list[int]]
    ) -> None:
        """Equal shares with approval utilities funds pabutools' MES with Cardinality_Sat."""
        rules, papers, weights = election
        instance, profile, tie = _pabutools(rules, papers, weights)
        theirs = method_of_equal_shares(
            instance, profile, sat_class=Cardinality_Sat, tie_breaking=tie
        )
        ours = EqualShares("approval").tally(rules, papers, weights)
        assert ours.winners == tuple(p.name for p in theirs)


class TestTieRule:
    @settings(max_examples=150, deadline=None)
    @given(elections())
    def test_without_a_reported_tie_the_tie_order_changes_nothing(
        self, election: tuple[Rules, list[Paper], list[int]]
    ) -> None:
        """When no tie is reported, reversing the tie-break order funds the same projects."""
        rules, papers, weights = election
        reversed_rules = Rules(
            options=rules.options,
            costs=rules.costs,
            budget=rules.budget,
            tie_order=rules.tie_order[::-1],
        )
        for method in (greedy, equal_shares):
            result = method.tally(rules, papers, weights)
            if not result.tied:
                other = method.tally(reversed_rules, papers, weights)
                assert set(other.winners) == set(result.winners)

    @settings(max_examples=150, deadline=None)
    @given(elections())
    def test_each_round_funds_the_first_tied_project_in_the_tie_order(
        self, election: tuple[Rules, list[Paper], list[int]]
    ) -> None:
        """In a round with a tie, the funded project comes first in the tie order among the tied."""
        rules, papers, weights = election
        rank = dict(zip(rules.options, rules.tie_rank(), strict=True))
        for round_ in equal_shares.tally(rules, papers, weights).detail["rounds"]:
            if round_["tied"]:
                assert round_["project"] == min(round_["tied"], key=rank.__getitem__)


def _pabulib(name: str) -> Path:
    path = PABULIB / name
    if not path.exists():
        pytest.skip(f"Pabulib data not found at {path} (the shared data folder is absent)")
    return path


class PointsTimesCost(AdditiveSatisfaction):  # type: ignore[misc]  # pabutools is untyped
    """Points x cost: pabutools' greedy, which divides by cost, then ranks by points."""

    def __init__(self, instance: Any, profile: Any, ballot: Any) -> None:
        super().__init__(instance, profile, ballot, lambda _i, _p, b, p, _v: b.get(p, 0) * p.cost)


class TestRealElections:
    @pytest.mark.parametrize("name", [TOULOUSE, WARSZAWA])
    def test_approval_files_give_pabutools_outcome(self, name: str) -> None:
        """On a real approval vote, both methods fund what pabutools funds, without a tie."""
        path = _pabulib(name)
        election = read_pabulib(path)
        instance, profile = parse_pabulib(str(path))
        rules = election.rules()
        ours_greedy = greedy.tally(rules, election.papers)
        ours_mes = equal_shares.tally(rules, election.papers)
        their_greedy = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
        their_mes = method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
        assert ours_greedy.winners == tuple(p.name for p in their_greedy)
        assert ours_mes.winners == tuple(p.name for p in their_mes)
        assert ours_greedy.tied == ours_mes.tied == ()

    @pytest.mark.parametrize("name", [TOULOUSE, WARSZAWA, CZESTOCHOWA])
    def test_counts_match_the_publishers_votes_and_scores(self, name: str) -> None:
        """Approvals (and points) counted from the votes equal the PROJECTS section's columns."""
        election = read_pabulib(_pabulib(name))
        result = greedy.tally(election.rules(), election.papers)
        for project, row in zip(election.project_ids, election.project_rows, strict=True):
            assert result.detail["approvals"][project] == int(row["votes"])
            if "score" in row:
                assert result.detail["scores"][project] == int(row["score"])

    def test_warsaw_greedy_funds_the_projects_the_city_selected(self) -> None:
        """Warszawa 2018 Falenica: greedy by approvals funds exactly the `selected` projects."""
        election = read_pabulib(_pabulib(WARSZAWA))
        assert election.selected is not None
        selected = {p for p, s in zip(election.project_ids, election.selected, strict=True) if s}
        result = greedy.tally(election.rules(), election.papers)
        assert set(result.winners) == selected == {"1234", "1251", "591", "436", "1463"}
        assert set(equal_shares.tally(election.rules(), election.papers).winners) < selected

    def test_czestochowa_greedy_by_points_matches_pabutools(self) -> None:
        """Częstochowa 2020 (cumulative): greedy by points funds pabutools' greedy by points."""
        path = _pabulib(CZESTOCHOWA)
        election: PabulibFile = read_pabulib(path)
        instance, profile = parse_pabulib(str(path))
        theirs = greedy_utilitarian_welfare(instance, profile, sat_class=PointsTimesCost)
        result = greedy.tally(election.rules(), election.papers)
        assert result.winners == tuple(p.name for p in theirs)
        assert result.detail["left"] == 273_332 - 263_200

    def test_equal_shares_rounds_let_an_auditor_recount_the_payments(self) -> None:
        """Toulouse: each round's rho, paid by the supporters, covers exactly the project's cost."""
        election = read_pabulib(_pabulib(TOULOUSE))
        result = equal_shares.tally(election.rules(), election.papers)
        for round_ in result.detail["rounds"]:
            cost = result.detail["costs"][round_["project"]]
            rho = Fraction(round_["rho_exact"])
            assert cost / rho == pytest.approx(round_["effective_votes"])
            assert round_["effective_votes"] <= result.detail["approvals"][round_["project"]]
