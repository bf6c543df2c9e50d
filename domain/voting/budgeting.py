"""Participatory budgeting: each voter chooses a basket of projects, the budget funds some of them.

`greedy` funds projects in order of approvals (the usual municipal rule); `equal_shares` is the
Method of Equal Shares (Peters & Skowron), which gives each voter an equal part of the budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from domain.errors import InvalidBallot, InvalidVoteRules
from domain.voting.base import Paper, Papers, Result, Rules, Weights, break_tie
from domain.voting.counting import Counts, Marks, per_option, sheet

Utility = Literal["cost", "approval"]
"""What a funded project is worth to a voter who chose it: its cost, or 1."""

# Amounts of money are compared in floating point first; when two lie closer than this (relative)
# they are compared again in exact fractions, so a tie is never missed nor invented by rounding.
# Float error stays far below it (about voters x amounts x 2e-16 at worst); a wider window only
# sends more candidates to the exact recount.
_NEAR = 1e-6


def _money(rules: Rules) -> tuple[tuple[int, ...], int]:
    """The projects' costs and the budget, or `InvalidVoteRules` if the vote lacks them."""
    if rules.costs is None or rules.budget is None:
        raise InvalidVoteRules(
            "participatory budgeting needs a cost for every project and a budget"
        )
    if min(rules.costs) <= 0:
        raise InvalidVoteRules("every project must cost something")
    if rules.budget <= 0:
        raise InvalidVoteRules("the budget must be positive")
    return rules.costs, rules.budget


def _basket(rules: Rules, choice: object) -> Paper:
    """The paper for a basket of project ids: 1 for each chosen project, within the budget."""
    costs, budget = _money(rules)
    if isinstance(choice, str) or not isinstance(choice, Sequence):
        raise InvalidBallot("a budgeting ballot is a list of project ids")
    paper = [0] * len(rules.options)
    for project in choice:
        if not isinstance(project, str):
            raise InvalidBallot(f"a project id is a string, not {project!r}")
        try:
            i = rules.index(project)
        except InvalidBallot:
            raise InvalidBallot(f"unknown project {project!r}") from None
        if paper[i]:
            raise InvalidBallot(f"project {project!r} is chosen twice")
        paper[i] = 1
    total = sum(cost for cost, chosen in zip(costs, paper, strict=True) if chosen)
    if total > budget:
        raise InvalidBallot(f"over budget: {total:,} > {budget:,}")
    return tuple(paper)


def _exact(amount: Fraction) -> str:
    return f"{amount.numerator}/{amount.denominator}"


@dataclass(frozen=True, slots=True)
class Greedy:
    """Fund projects from the most approved down, skipping any that no longer fits the money left.

    Projects are taken in order of score (approvals; points if the papers carry points, as a
    cumulative Pabulib ballot does), not of score per cost. A project nobody chose is never funded.
    Projects with equal score are taken in the vote's tie-break order (`break_tie`); they are
    reported in `tied` when that order decided which of them were funded, that is when each fits
    the money left but not all of them together do.

    `ranking` groups the projects by score; `detail` has per project `approvals`, `scores` and
    `costs`, the `budget`, `spent` and `left`, and `steps`: each project in the order considered,
    with its score, whether it was funded and the money left after it.
    """

    @property
    def name(self) -> str:
        """`greedy`."""
        return "greedy"

    def validate(self, rules: Rules, choice: object) -> Paper:
        """A basket of project ids, each once, costing no more than the budget."""
        return _basket(rules, choice)

    def tally(self, rules: Rules, papers: Papers, weights: Weights = None) -> Result:
        """Fund in order of score until nothing else fits."""
        costs, budget = _money(rules)
        counted = sheet(rules, papers, weights, None)  # points are allowed: no upper bound
        scores: list[int] = counted.totals().tolist()
        approvals: list[int] = (counted.counts() @ (counted.marks > 0)).tolist()
        left = budget
        winners: list[str] = []
        tied: list[str] = []
        steps: list[dict[str, Any]] = []
        ranking: list[tuple[str, ...]] = []
        for score in sorted({s for s in scores if s > 0}, reverse=True):
            group = [i for i, s in enumerate(scores) if s == score]
            fitting = [i for i in group if costs[i] <= left]
            if len(fitting) > 1 and sum(costs[i] for i in fitting) > left:
                tied.extend(rules.options[i] for i in fitting)
            ordered: list[int] = []
            while group:
                ordered.append(break_tie(rules, group))
                group.remove(ordered[-1])
            ranking.append(tuple(rules.options[i] for i in ordered))
            for i in ordered:
                funded = costs[i] <= left
                if funded:
                    left -= costs[i]
                    winners.append(rules.options[i])
                steps.append(
                    {"project": rules.options[i], "score": score, "funded": funded, "left": left}
                )
        return Result(
            method=self.name,
            ballots=counted.ballots,
            winners=tuple(winners),
            ranking=tuple(ranking),
            tied=tuple(tied),
            detail={
                "approvals": per_option(rules, approvals),
                "scores": per_option(rules, scores),
                "costs": per_option(rules, costs),
                "budget": budget,
                "spent": budget - left,
                "left": left,
                "steps": steps,
            },
        )


@dataclass(frozen=True, slots=True)
class EqualShares:
    """The Method of Equal Shares for approval ballots, in its plain form (no completion step).

    Each voter gets budget / voters. In each round, for every project its supporters can still
    pay for, rho is the least amount such that, each supporter paying rho (or all they have left
    if less), the cost is covered. With cost utilities (the default, as on equalshares.net and
    pabutools' `Cost_Sat`) the round funds the project with the most effective votes, cost / rho,
    that is the lowest rho per unit of cost; with approval utilities (`Cardinality_Sat`), the
    lowest rho. A project its supporters cannot pay for drops out; the method stops when none is
    left. Equal keys (compared exactly, in fractions) are a tie: `break_tie` picks the project
    first in the vote's tie-break order, and the round lists the tied projects in `tied`.

    `detail` has per project `approvals` and `costs`, the `budget`, `spent` and `left`, the
    `utility`, each voter's `share`, and `rounds`: for each funded project, in order, `rho` (and
    `rho_exact` as "numerator/denominator"), `effective_votes` (cost / rho) and `tied`.
    """

    utility: Utility = "cost"

    @property
    def name(self) -> str:
        """`equal_shares` (cost utilities) or `equal_shares_approval`."""
        return "equal_shares" if self.utility == "cost" else "equal_shares_approval"

    def validate(self, rules: Rules, choice: object) -> Paper:
        """A basket of project ids, each once, costing no more than the budget."""
        return _basket(rules, choice)

    def tally(self, rules: Rules, papers: Papers, weights: Weights = None) -> Result:
        """Fund round by round the project its supporters can pay for most cheaply."""
        costs, budget = _money(rules)
        counted = sheet(rules, papers, weights, 1)  # approval papers: 0 or 1 per project
        voters = counted.ballots
        approvals: list[int] = counted.totals().tolist()
        rounds: list[dict[str, Any]] = []
        if voters:
            share = Fraction(budget, voters)
            purses = _Purses(counted.marks, counted.counts(), share)
            rounds = purses.spend(rules, costs, self.utility)
        winners = tuple(r["project"] for r in rounds)
        spent = sum(costs[rules.index(w)] for w in winners)
        tied = dict.fromkeys(p for r in rounds for p in r["tied"])
        return Result(
            method=self.name,
            ballots=voters,
            winners=winners,
            tied=tuple(tied),
            detail={
                "approvals": per_option(rules, approvals),
                "costs": per_option(rules, costs),
                "budget": budget,
                "spent": spent,
                "left": budget - spent,
                "utility": self.utility,
                "share": budget / voters if voters else None,
                "share_exact": _exact(Fraction(budget, voters)) if voters else None,
                "rounds": rounds,
            },
        )


class _Purses:
    """The money each voter has left, exact, grouped by amount to keep the arithmetic small.

    Few distinct amounts exist at any time (all who paid nothing yet hold the share, all who
    spent everything hold nothing, and voters who paid for the same projects hold the same), so
    each amount is one exact `Fraction` with an id; every ballot holds an amount id, and NumPy
    computes with the amounts' float values.
    """

    def __init__(self, table: Marks, counts: Counts, share: Fraction) -> None:
        # Empty ballots and ballots counted zero times pay for nothing: they only set the share.
        keep = (counts > 0) & table.any(axis=1)
        self.weight: Counts = counts[keep]
        self.voter, self.project = np.nonzero(table[keep])  # one row per (ballot, choice) pair
        by_project = np.argsort(self.project, kind="stable")
        ends = np.cumsum(np.bincount(self.project, minlength=table.shape[1]))
        self.supporters = np.split(self.voter[by_project], ends[:-1])
        self.amounts: list[Fraction] = [share]
        self.ids: dict[Fraction, int] = {share: 0}
        self.floats: NDArray[np.float64] = np.array([float(share)])
        self.holds: Counts = np.zeros(len(self.weight), dtype=np.int64)  # amount id per ballot

    def spend(self, rules: Rules, costs: Sequence[int], utility: Utility) -> list[dict[str, Any]]:
        """Run the rounds: each funds one project, until no project can be paid for."""
        cost = np.array(costs, dtype=np.float64)
        open_ = np.bincount(self.project, minlength=len(costs)) > 0
        rank = rules.tie_rank()
        rounds: list[dict[str, Any]] = []
        while open_.any():
            held = self._held_by_supporters(len(costs))
            prices = self._float_prices(held, cost)
            affordable = open_ & (prices < np.inf)
            exact: dict[int, Fraction | None] = {}
            # Float sums close to the cost decide nothing: those are recounted exactly.
            for p in np.flatnonzero(open_ & (np.abs(held @ self.floats - cost) <= _NEAR * cost)):
                price = exact[int(p)] = self._exact_price(held[p], costs[p])
                affordable[p] = price is not None
                prices[p] = np.inf if price is None else float(price)
            open_ &= affordable
            if not affordable.any():
                break
            keys = prices / cost if utility == "cost" else prices
            best = keys[affordable].min()
            near = np.flatnonzero(affordable & (keys <= best * (1 + _NEAR)))
            for p in near:
                if int(p) not in exact:
                    exact[int(p)] = self._exact_price(held[p], costs[p])
            priced = {int(p): price for p in near if (price := exact[int(p)]) is not None}
            keyed = {
                p: price / costs[p] if utility == "cost" else price for p, price in priced.items()
            }
            lowest = min(keyed.values())
            tied = sorted((p for p, key in keyed.items() if key == lowest), key=rank.__getitem__)
            chosen = break_tie(rules, tied)
            rho = priced[chosen]
            self._pay(chosen, held[chosen], rho)
            open_[chosen] = False
            rounds.append(
                {
                    "project": rules.options[chosen],
                    "rho": float(rho),
                    "rho_exact": _exact(rho),
                    "effective_votes": float(costs[chosen] / rho),
                    "tied": [rules.options[p] for p in tied] if len(tied) > 1 else [],
                }
            )
        return rounds

    def _held_by_supporters(self, projects: int) -> NDArray[np.float64]:
        """How many supporters of each project (rows) hold each amount (columns)."""
        kinds = len(self.amounts)
        cell = self.project * kinds + self.holds[self.voter]
        held = np.bincount(cell, weights=self.weight[self.voter], minlength=projects * kinds)
        return np.asarray(held, dtype=np.float64).reshape(projects, kinds)

    def _float_prices(self, held: NDArray[np.float64], cost: NDArray[np.float64]) -> Any:
        """rho for every project, in floating point; infinity if its supporters cannot pay."""
        order = np.argsort(self.floats)
        amount = self.floats[order]
        count = held[:, order]
        money = count * amount
        # With rho between two held amounts, the poorer supporters give all they have, the rest rho.
        poorer_pay = np.cumsum(money, axis=1) - money
        richer = count.sum(axis=1, keepdims=True) - (np.cumsum(count, axis=1) - count)
        rho = np.divide(
            cost[:, None] - poorer_pay,
            richer,
            out=np.full_like(money, np.inf),
            where=richer > 0,
        )
        fits = rho <= amount
        first = fits.argmax(axis=1)
        return np.where(fits.any(axis=1), rho[np.arange(len(cost)), first], np.inf)

    def _exact_price(self, held: NDArray[np.float64], cost: int) -> Fraction | None:
        """rho for one project in exact fractions, or None if its supporters cannot pay."""
        groups = sorted((self.amounts[k], int(n)) for k, n in enumerate(held) if n)
        richer = sum(n for _, n in groups)
        paid = Fraction(0)
        for amount, n in groups:
            rho = (cost - paid) / richer
            if rho <= amount:
                return rho
            paid += amount * n
            richer -= n
        return None

    def _pay(self, project: int, held: NDArray[np.float64], rho: Fraction) -> None:
        """Each supporter of the project pays rho, or all they have if that is less."""
        after = np.arange(len(self.amounts))
        new: list[float] = []
        for k in np.flatnonzero(held):
            left = max(self.amounts[k] - rho, Fraction(0))
            if left not in self.ids:
                self.ids[left] = len(self.amounts)
                self.amounts.append(left)
                new.append(float(left))
            after[k] = self.ids[left]
        self.floats = np.append(self.floats, new)
        supporters = self.supporters[project]
        self.holds[supporters] = after[self.holds[supporters]]


greedy = Greedy()
equal_shares = EqualShares()
