"""The ballot form of a vote's page: which form fits each voting method, and the posted form read
back into the choice `VoteService.cast` expects (the shapes of `interfaces/http/vote_schemas.py`
`BallotIn`). What a page can tell at once (a rank given twice, a basket over budget, an option
left ungraded) is refused here with a message the voter can act on; the method still checks all.

Every control has a name of its own (`grade.<option id>`, `rank.<option id>`...), so the form
needs no repeated fields; option ids are `[a-z0-9][a-z0-9_-]*`, safe in names and HTML ids.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from domain.voting.majority_judgment import GRADE_VALUES
from interfaces.web.i18n import N_

FORMS: Final = {
    "plurality": "single",
    "approval": "approval",
    "score": "score",
    "majority_judgment": "grades",
    "schulze": "ranking",
    "irv": "ranking",
    "borda": "ranking",
    "copeland": "ranking",
    "stv": "ranking",
    "greedy": "basket",
    "equal_shares": "basket",
}
"""The form fitting each method: one choice, approvals, points, grades, a ranking, a basket."""

CHOOSE_ONE = N_("Choose one option.")
GRADE_EVERY = N_("Give every option a grade.")
SCORE_RANGE = N_("Give each option a whole number of points from 0 to %(max)s.")
RANK_ONE = N_("Rank at least one option.")
RANK_TWICE = N_("Two options have the same rank (%(rank)s): give each option its own rank.")
OVER_BUDGET = N_("Your basket costs %(total)s, more than the budget of %(budget)s.")
NO_FORM = N_("This vote's method cannot be voted on from this page.")


@dataclass(frozen=True, slots=True)
class Problem:
    """Why an action was refused: a message to translate, the values of its placeholders (already
    formatted for the page's language), and the page's status."""

    message: str
    values: Mapping[str, str] = field(default_factory=dict)
    status: int = 422


class BallotRefused(Exception):
    """The posted form does not make a ballot; `problem` says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _refuse(message: str, **values: str) -> BallotRefused:
    return BallotRefused(Problem(message, values))


def choice_from(
    form: Mapping[str, str], rules: Mapping[str, Any], number: Callable[[int], str]
) -> object:
    """The choice the posted `form` makes under the vote's `rules`, or `BallotRefused`."""
    kind = FORMS.get(str(rules["method"]))
    options = [str(o["id"]) for o in rules["options"]]
    if kind == "single":
        chosen = form.get("choice", "")
        if chosen not in options:
            raise _refuse(CHOOSE_ONE)
        return chosen
    if kind in ("approval", "basket"):
        chosen_ids = [o for o in options if form.get(f"choose.{o}")]
        if kind == "basket":
            _within_budget(chosen_ids, rules, number)
        return chosen_ids
    if kind == "score":
        return _points(form, options, int(rules["score_max"]), number)
    if kind == "grades":
        grades = {o: form.get(f"grade.{o}", "") for o in options}
        if any(grade not in GRADE_VALUES for grade in grades.values()):
            raise _refuse(GRADE_EVERY)
        return grades
    if kind == "ranking":
        return _ranking(form, options)
    raise _refuse(NO_FORM)


def _within_budget(
    chosen: list[str], rules: Mapping[str, Any], number: Callable[[int], str]
) -> None:
    costs = {str(o["id"]): int(o["cost"] or 0) for o in rules["options"]}
    total, budget = sum(costs[o] for o in chosen), int(rules["budget"] or 0)
    if total > budget:
        raise _refuse(OVER_BUDGET, total=number(total), budget=number(budget))


def _points(
    form: Mapping[str, str], options: list[str], top: int, number: Callable[[int], str]
) -> dict[str, int]:
    points: dict[str, int] = {}
    for option in options:
        raw = form.get(f"score.{option}", "").strip()
        if not raw:
            continue  # left out: no points, as the method counts it
        try:
            value = int(raw)
        except ValueError:
            raise _refuse(SCORE_RANGE, max=number(top)) from None
        if not 0 <= value <= top:
            raise _refuse(SCORE_RANGE, max=number(top))
        points[option] = value
    return points


def _ranking(form: Mapping[str, str], options: list[str]) -> list[str]:
    ranks: dict[str, int] = {}
    for option in options:
        raw = form.get(f"rank.{option}", "").strip()
        if not raw:
            continue  # not ranked: below every ranked option
        try:
            ranks[option] = int(raw)
        except ValueError:
            raise _refuse(RANK_ONE) from None
    if not ranks:
        raise _refuse(RANK_ONE)
    seen: set[int] = set()
    for rank in sorted(ranks.values()):
        if rank in seen:
            raise _refuse(RANK_TWICE, rank=str(rank))
        seen.add(rank)
    return sorted(ranks, key=ranks.__getitem__)


def single_values(form: Mapping[str, str | list[str]]) -> dict[str, str]:
    """A posted form with one value per field (the last, if a client repeated one)."""
    return {k: v[-1] if isinstance(v, list) else v for k, v in form.items() if v != []}
