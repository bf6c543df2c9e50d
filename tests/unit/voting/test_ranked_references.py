"""The ranked methods agree with pref_voting on random profiles, ties and partial rankings included.

pref_voting counts a ranked option above an unranked one only with its *extended* strict
preference, which is Debian's rule and ours, so the profiles switch it on.
"""

from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st
from pref_voting.c1_methods import copeland  # type: ignore[import-untyped]
from pref_voting.iterative_methods import instant_runoff_put, instant_runoff_tb  # type: ignore[import-untyped]
from pref_voting.margin_based_methods import beat_path  # type: ignore[import-untyped]
from pref_voting.profiles import Profile as LinearProfile  # type: ignore[import-untyped]
from pref_voting.profiles_with_ties import ProfileWithTies  # type: ignore[import-untyped]
from pref_voting.proportional_methods import stv_wig  # type: ignore[import-untyped]

from domain.voting.base import Paper, Result, Rules
from domain.voting.borda import BORDA
from domain.voting.copeland import COPELAND
from domain.voting.irv import IRV
from domain.voting.schulze import SCHULZE
from domain.voting.stv import STV

Profile = tuple[Rules, list[Paper], list[int]]


@st.composite
def profiles(
    draw: st.DrawFn, *, ties: bool, seats: bool = False, complete: bool = False
) -> Profile:
    """2-5 options, 1-12 distinct papers with counts 1-3, a random tie-break order."""
    size = draw(st.integers(2, 5))
    options = tuple(f"o{i}" for i in range(size))
    tie_order = tuple(draw(st.permutations(range(size))))
    if ties:
        # Any ranks 0..size: equal ranks are ties, 0 is unranked; at least one option ranked.
        paper = st.tuples(*[st.integers(0, size)] * size).filter(any)
    else:
        paper = st.permutations(range(size)).flatmap(
            lambda order: st.integers(size if complete else 1, size).map(
                lambda k: ranks_of(order[:k], size)
            )
        )
    papers = draw(st.lists(paper, min_size=1, max_size=12))
    counts = draw(st.lists(st.integers(1, 3), min_size=len(papers), max_size=len(papers)))
    chosen = draw(st.integers(1, size)) if seats else 1
    return Rules(options=options, seats=chosen, tie_order=tie_order), papers, counts


def ranks_of(order: list[int], size: int) -> Paper:
    """The paper ranking the options of `order` best first, the others unranked."""
    ranks = [0] * size
    for place, option in enumerate(order, start=1):
        ranks[option] = place
    return tuple(ranks)


def reference(rules: Rules, papers: list[Paper], counts: list[int]) -> ProfileWithTies:
    """The same ballots as a pref_voting profile with extended strict preference."""
    rankings = [{i: rank for i, rank in enumerate(paper) if rank} for paper in papers]
    profile = ProfileWithTies(rankings, counts, candidates=list(range(len(rules.options))))
    profile.use_extended_strict_preference()
    return profile


def before_tie_break(result: Result) -> set[str]:
    """The options that could win before the tie-break order chose one."""
    return set(result.tied or result.winners)


def ids(rules: Rules, candidates: Any) -> set[str]:
    """pref_voting's candidate numbers as option ids."""
    return {rules.options[c] for c in candidates}


CYCLE = (Rules(options=("a", "b", "c")), [(1, 2, 3), (3, 1, 2), (2, 3, 1)], [1, 1, 1])
"""A perfect Condorcet cycle: every option ties, whatever the method."""


@settings(max_examples=150, deadline=None)
@given(profiles(ties=True))
@example(CYCLE)
def test_schulze_winners_are_pref_votings_beat_path_with_winning_votes(case: Profile) -> None:
    """Schulze's winners (before tie-break) are beat path's with support as the strength."""
    rules, papers, counts = case
    profile = reference(rules, papers, counts)
    expected = ids(rules, beat_path(profile, strength_function=profile.support))
    assert before_tie_break(SCHULZE.tally(rules, papers, counts)) == expected


@settings(max_examples=150, deadline=None)
@given(profiles(ties=True))
def test_schulze_pairwise_matrix_is_pref_votings_supports(case: Profile) -> None:
    """d[x][y] equals pref_voting's support of x over y."""
    rules, papers, counts = case
    profile = reference(rules, papers, counts)
    size = len(rules.options)
    expected = [[int(profile.support(x, y)) for y in range(size)] for x in range(size)]
    assert SCHULZE.tally(rules, papers, counts).detail["d"] == expected


@settings(max_examples=150, deadline=None)
@given(profiles(ties=True))
@example(CYCLE)
def test_copeland_winners_are_pref_votings(case: Profile) -> None:
    """Copeland's winners and scores match pref_voting's."""
    rules, papers, counts = case
    profile = reference(rules, papers, counts)
    result = COPELAND.tally(rules, papers, counts)
    assert before_tie_break(result) == ids(rules, copeland(profile))
    scores = profile.copeland_scores()
    assert result.detail["scores"] == [scores[c] for c in range(len(rules.options))]


@settings(max_examples=150, deadline=None)
@given(profiles(ties=True))
def test_borda_winners_are_pref_votings_symmetric_borda(case: Profile) -> None:
    """Shared points for ties give pref_voting's symmetric Borda winners (the same order)."""
    rules, papers, counts = case
    scores = reference(rules, papers, counts).borda_scores()
    best = max(scores.values())
    assert before_tie_break(BORDA.tally(rules, papers, counts)) == ids(
        rules, [c for c, s in scores.items() if s == best]
    )


@settings(max_examples=100, deadline=None)
@given(profiles(ties=False, complete=True))
def test_borda_on_complete_rankings_is_pref_votings_positional_borda(case: Profile) -> None:
    """On complete rankings a paper gives n - rank points: pref_voting's positional scores."""
    rules, papers, counts = case
    orders = [sorted(range(len(paper)), key=paper.__getitem__) for paper in papers]
    scores = LinearProfile(orders, counts).borda_scores()
    expected = [scores[c] for c in range(len(rules.options))]
    assert BORDA.tally(rules, papers, counts).detail["scores"] == expected


@settings(max_examples=150, deadline=None)
@given(profiles(ties=False))
@example(CYCLE)
def test_irv_matches_pref_voting_with_the_same_tie_order(case: Profile) -> None:
    """IRV's winner is instant_runoff_tb's, and among the parallel-universe winners."""
    rules, papers, counts = case
    profile = reference(rules, papers, counts)
    result = IRV.tally(rules, papers, counts)
    # pref_voting eliminates tie_breaker[0] first; we eliminate the last in our tie order.
    loser_first = list(reversed(rules.tie_order))
    assert set(result.winners) == ids(rules, instant_runoff_tb(profile, tie_breaker=loser_first))
    assert set(result.winners) <= ids(rules, instant_runoff_put(profile))


@settings(max_examples=150, deadline=None)
@given(profiles(ties=False, seats=True))
def test_stv_winners_are_pref_votings_wig_with_the_droop_quota(case: Profile) -> None:
    """STV's elected set is stv_wig's with quota_rule="droop" and the same tie order."""
    rules, papers, counts = case
    profile = reference(rules, papers, counts)
    rank = rules.tie_rank()
    expected = stv_wig(
        profile, num_seats=rules.seats, quota_rule="droop", tie_break_key=rank.__getitem__
    )
    assert set(STV.tally(rules, papers, counts).winners) == ids(rules, expected)


@settings(max_examples=150, deadline=None)
@given(profiles(ties=False))
def test_single_seat_stv_elects_the_irv_winner(case: Profile) -> None:
    """With one seat, STV and instant-runoff elect the same option."""
    rules, papers, counts = case
    assert STV.tally(rules, papers, counts).winners == IRV.tally(rules, papers, counts).winners
