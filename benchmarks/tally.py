"""Tally speed: 1,000,000 ballots over 10 options by majority judgment, Schulze, IRV and approval,
and, in the same run on a smaller sample, the ratio to pref_voting with identical winners.

    .venv/bin/python benchmarks/tally.py                 # 1,000,000 ballots, 20,000 for the ratio
    .venv/bin/python benchmarks/tally.py --ballots 200000 --sample 5000 --json

Ballots are drawn uniformly (impartial culture: every ranking or grade equally likely, the
hardest case for methods that group identical ballots). Each figure is the median of `--repeat`
runs. The run exits 1 if any winner differs from pref_voting's on the sample.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from domain.voting.base import Result, Rules
from domain.voting.registry import METHODS

OPTIONS = 10
GOAL_MJ_SECONDS = 2.0
GOAL_RATIO = 10.0


def papers_for(method: str, ballots: int, rng: np.random.Generator) -> NDArray[np.int64]:
    """Random papers in the method's shape: grades 0-6, approvals 0/1, or complete rankings."""
    if method == "majority_judgment":
        return rng.integers(0, 7, size=(ballots, OPTIONS))
    if method == "approval":
        return rng.integers(0, 2, size=(ballots, OPTIONS))
    # Complete rankings: each row a random permutation of the places 1..OPTIONS.
    return np.argsort(rng.random((ballots, OPTIONS)), axis=1) + 1


def timed(run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The median wall time of `repeat` runs, and the last run's value."""
    times, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), value


def reference_winners(method: str, papers: NDArray[np.int64]) -> set[int]:
    """pref_voting's winners (every tied one) on the same papers, as option indices."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pref_voting's dependencies warn on import
        from pref_voting import grade_methods  # type: ignore[import-untyped]  # noqa: PLC0415
        from pref_voting.grade_profiles import GradeProfile  # type: ignore[import-untyped]  # noqa: PLC0415
        from pref_voting.iterative_methods import instant_runoff  # type: ignore[import-untyped]  # noqa: PLC0415
        from pref_voting.margin_based_methods import beat_path  # type: ignore[import-untyped]  # noqa: PLC0415
        from pref_voting.profiles import Profile  # type: ignore[import-untyped]  # noqa: PLC0415

    candidates = list(range(OPTIONS))
    if method in ("majority_judgment", "approval"):
        grades = list(range(7)) if method == "majority_judgment" else [0, 1]
        profile = GradeProfile(
            [dict(enumerate(row.tolist())) for row in papers], grades, candidates=candidates
        )
        rule = (
            grade_methods.majority_judgement
            if method == "majority_judgment"
            else grade_methods.approval
        )
        return set(rule(profile))
    rankings = np.argsort(papers, axis=1).tolist()  # options best first
    profile = Profile(rankings)
    rule = beat_path if method == "schulze" else instant_runoff
    return set(rule(profile))


def ours(method: str, papers: NDArray[np.int64]) -> Result:
    """Our tally of the papers."""
    rules = Rules(options=tuple(f"o{i}" for i in range(OPTIONS)))
    return METHODS[method].tally(rules, papers)


def winners_of(result: Result) -> set[int]:
    """Our winners before the tie-break, as option indices."""
    return {int(option[1:]) for option in (result.tied or result.winners)}


def main() -> int:
    """Run and print the figures; non-zero if a winner differs or on bad arguments."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000, help="ballots for the ratio")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    figures: dict[str, dict[str, float | bool]] = {}
    for method in ("majority_judgment", "schulze", "irv", "approval"):
        big = papers_for(method, args.ballots, rng)
        seconds, _ = timed(lambda: ours(method, big), args.repeat)  # noqa: B023
        as_lists = [tuple(row) for row in big.tolist()] if method == "majority_judgment" else None
        from_lists = (
            timed(lambda: ours(method, as_lists), 1)[0] if as_lists is not None else None  # type: ignore[arg-type]  # noqa: B023
        )
        sample = papers_for(method, args.sample, rng)
        our_seconds, result = timed(lambda: ours(method, sample), args.repeat)  # noqa: B023
        ref_seconds, expected = timed(lambda: reference_winners(method, sample), 1)  # noqa: B023
        same = winners_of(result) == expected
        figures[method] = {
            "seconds": seconds,
            "ballots_per_second": args.ballots / seconds,
            "sample_seconds": our_seconds,
            "pref_voting_seconds": ref_seconds,
            "ratio": ref_seconds / our_seconds,
            "same_winners": same,
        }
        if from_lists is not None:
            figures[method]["seconds_from_tuples"] = from_lists
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"{args.ballots:,} ballots x {OPTIONS} options; ratio on {args.sample:,} ballots")
        print(f"{'method':<18} {'seconds':>8} {'ballots/s':>12} {'pref_voting x':>14}  winners")
        for method, f in figures.items():
            same = "identical" if f["same_winners"] else "DIFFERENT"
            print(
                f"{method:<18} {f['seconds']:>8.3f} {f['ballots_per_second']:>12,.0f} "
                f"{f['ratio']:>13.1f}x  {same}"
            )
        mj = figures["majority_judgment"]
        print(
            f"majority judgment from a list of tuples: {mj['seconds_from_tuples']:.3f} s; "
            f"goal {GOAL_MJ_SECONDS} s; goal ratio {GOAL_RATIO}x"
        )
    return 0 if all(f["same_winners"] for f in figures.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
