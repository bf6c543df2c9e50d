"""The voting methods by name.

`METHODS` maps each method's name (as the API and `civic tally` spell it) to the method.
"""

from __future__ import annotations

from domain.voting import (
    approval,
    borda,
    budgeting,
    copeland,
    irv,
    majority_judgment,
    plurality,
    schulze,
    score,
    stv,
)
from domain.voting.base import Method

METHODS: dict[str, Method] = {
    method.name: method
    for module in (
        plurality,
        approval,
        score,
        majority_judgment,
        schulze,
        irv,
        borda,
        copeland,
        stv,
        budgeting,
    )
    for method in vars(module).values()
    if not isinstance(method, type) and callable(getattr(method, "tally", None))
}

BUDGETING = frozenset({"greedy", "equal_shares"})
"""Participatory budgeting: options have costs, and winners share out a budget."""

MULTI_SEAT = frozenset({"stv"})
"""Methods that elect `seats` options."""
