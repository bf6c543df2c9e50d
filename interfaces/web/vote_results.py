"""A closed vote's results as the page shows them: figures (an SVG chart, a table with the same
numbers, or both) drawn from the tally's detail, with the options' labels and the page's words.

The detail's shape is each method's (see `domain/voting/`); a key missing (an older tally) leaves
its figure out rather than failing the page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from domain.voting.majority_judgment import GRADES
from interfaces.web.charts import Bar, Profile, Project, bar_chart, budget_chart
from interfaces.web.charts import merit_profile_chart as merit_chart
from interfaces.web.i18n import N_

Translate = Callable[[str], str]
Number = Callable[[float], str]


@dataclass(frozen=True, slots=True)
class Figure:
    """A heading, a chart (if any), and the table that says the same in text."""

    heading: str
    chart: Markup | None
    head: Sequence[str]
    rows: Sequence[Sequence[str]] = field(default_factory=list)
    caption: str = ""


@dataclass(frozen=True, slots=True)
class Words:
    """What the figures need from the page: its language, translations and number format."""

    language: str
    gettext: Translate
    number: Number

    def grade(self, key: str) -> str:
        """A majority judgment grade in the page's language."""
        for grade in GRADES:
            if grade.key == key:
                return grade.french if self.language == "fr" else grade.english
        return key


def grades_best_first(words: Words) -> list[tuple[str, str]]:
    """The majority judgment scale, best grade first: (key, label in the page's language)."""
    return [(g.key, words.grade(g.key)) for g in reversed(GRADES)]


def figures(result: Mapping[str, Any], labels: Mapping[str, str], words: Words) -> list[Figure]:
    """The figures of a tally `result` (`result_data`'s shape), options named by `labels`."""
    detail: Mapping[str, Any] = result.get("detail") or {}
    order = [o for group in result.get("ranking") or [] for o in group]
    order += [o for o in labels if o not in order]
    context = _Tally(result, detail, labels, order, words)
    method = result.get("method")
    try:
        build = _BUILDERS.get(str(method))
        return build(context) if build else []
    except (KeyError, TypeError, ValueError, IndexError):  # a detail of another shape
        return []


@dataclass(frozen=True, slots=True)
class _Tally:
    result: Mapping[str, Any]
    detail: Mapping[str, Any]
    labels: Mapping[str, str]
    order: list[str]
    words: Words

    def label(self, option: str) -> str:
        return self.labels.get(option, option)

    def winner(self, option: str) -> bool:
        return option in (self.result.get("winners") or [])


def _per_option(t: _Tally, key: str, heading: str, description: str, column: str) -> Figure:
    """Bars of one number per option (crosses, approvals, points), winners highlighted."""
    _ = t.words.gettext
    values: Mapping[str, float] = t.detail[key]
    options = [o for o in t.order if o in values]
    bars = [
        Bar(t.label(o), values[o], _("winner") if t.winner(o) else "", emphasis=t.winner(o))
        for o in options
    ]
    chart = bar_chart(f"chart-{key}", _(heading), _(description), bars, number=t.words.number)
    rows = [[t.label(o), t.words.number(values[o])] for o in options]
    return Figure(_(heading), Markup(chart), [_("Option"), _(column)], rows)  # noqa: S704  # escaped by charts.py


def _plurality(t: _Tally) -> list[Figure]:
    return [
        _per_option(
            t,
            "counts",
            N_("Ballots per option"),
            N_("One bar per option: how many ballots chose it; the winner is highlighted."),
            N_("Ballots"),
        )
    ]


def _approval(t: _Tally) -> list[Figure]:
    return [
        _per_option(
            t,
            "counts",
            N_("Approvals per option"),
            N_("One bar per option: how many ballots approved it; the winner is highlighted."),
            N_("Approvals"),
        )
    ]


def _score(t: _Tally) -> list[Figure]:
    figure = _per_option(
        t,
        "totals",
        N_("Points per option"),
        N_("One bar per option: the points all ballots gave it; the winner is highlighted."),
        N_("Points"),
    )
    means = t.detail.get("means") or {}
    rows = [
        [*row, "" if means.get(o) is None else t.words.number(means[o])]
        for row, o in zip(figure.rows, [o for o in t.order if o in t.detail["totals"]], strict=True)
    ]
    return [Figure(figure.heading, figure.chart, [*figure.head, t.words.gettext("Mean")], rows)]


def _borda(t: _Tally) -> list[Figure]:
    scores = dict(zip(t.detail["options"], t.detail["scores"], strict=True))
    named = _Tally(t.result, {"scores": scores}, t.labels, t.order, t.words)
    return [
        _per_option(
            named,
            "scores",
            N_("Borda points per option"),
            N_("One bar per option: its Borda points; the winner is highlighted."),
            N_("Points"),
        )
    ]


def _matrix(t: _Tally, key: str, heading: str, caption: str) -> Figure:
    """A square table, row option against column option, in the ranking's order."""
    _ = t.words.gettext
    options: list[str] = list(t.detail["options"])
    index = {o: i for i, o in enumerate(options)}
    matrix = t.detail[key]
    ordered = [o for o in t.order if o in index]
    rows = [
        [
            t.label(x),
            *("—" if x == y else t.words.number(matrix[index[x]][index[y]]) for y in ordered),
        ]
        for x in ordered
    ]
    return Figure(_(heading), None, ["", *(t.label(o) for o in ordered)], rows, _(caption))


def _schulze(t: _Tally) -> list[Figure]:
    found = [
        _matrix(
            t,
            "d",
            N_("Pairwise preferences"),
            N_("Each cell: how many ballots rank the row's option above the column's."),
        )
    ]
    if "p" in t.detail:
        found.append(
            _matrix(
                t,
                "p",
                N_("Strongest paths"),
                N_(
                    "Each cell: the strength of the strongest path from the row's option to the "
                    "column's; an option beats another when its path is the stronger."
                ),
            )
        )
    return found


def _copeland(t: _Tally) -> list[Figure]:
    figure = _matrix(
        t,
        "d",
        N_("Pairwise preferences"),
        N_("Each cell: how many ballots rank the row's option above the column's."),
    )
    scores = dict(zip(t.detail["options"], t.detail["scores"], strict=True))
    ordered = [o for o in t.order if o in scores]
    rows = [[*row, t.words.number(scores[o])] for row, o in zip(figure.rows, ordered, strict=True)]
    head = [*figure.head, t.words.gettext("Copeland score")]
    return [Figure(figure.heading, None, head, rows, figure.caption)]


def _rounds(t: _Tally, key: str, quota: float | None) -> list[Figure]:
    """One bar chart per round (IRV) or stage (STV): eliminated and elected options marked."""
    _, number = t.words.gettext, t.words.number
    found = []
    for n, record in enumerate(t.detail[key], start=1):
        counts: Mapping[str, float] = record["counts"]
        elected = record.get("elected") or []
        elected = [elected] if isinstance(elected, str) else list(elected)
        out = record.get("eliminated")
        bars = []
        rows = []
        for option in sorted(counts, key=lambda o: -counts[o]):
            mark = _("elected") if option in elected else _("eliminated") if option == out else ""
            bars.append(
                Bar(t.label(option), counts[option], mark, option in elected, option == out)
            )
            rows.append([t.label(option), number(counts[option]), mark])
        rows.append([_("Exhausted ballots"), number(record.get("exhausted", 0)), ""])
        heading = _("Round %(n)s") % {"n": number(n)}
        description = _(
            "One bar per option still in the count: its votes in this round; the option "
            "eliminated is greyed out, an option elected is highlighted."
        )
        reference = None if quota is None else (quota, _("quota"))
        chart = bar_chart(
            f"chart-round-{n}", heading, description, bars, number=number, reference=reference
        )
        found.append(Figure(heading, Markup(chart), [_("Option"), _("Votes"), ""], rows))  # noqa: S704  # escaped by charts.py
    return found


def _irv(t: _Tally) -> list[Figure]:
    return _rounds(t, "rounds", None)


def _stv(t: _Tally) -> list[Figure]:
    return _rounds(t, "stages", float(t.detail["quota"]))


def _budget(t: _Tally) -> list[Figure]:
    _, number = t.words.gettext, t.words.number
    costs: Mapping[str, int] = t.detail["costs"]
    approvals: Mapping[str, int] = t.detail.get("approvals") or {}
    winners = list(t.result.get("winners") or [])
    ordered = winners + [o for o in t.order if o in costs and o not in winners]
    projects = [Project(t.label(o), int(costs[o]), o in winners) for o in ordered]
    heading = _("Selected projects")
    description = _(
        "The budget as one bar, split into the costs of the selected projects and what is "
        "left; below it, each selected project with its cost."
    )
    chart = budget_chart(
        "chart-budget",
        heading,
        description,
        int(t.detail["budget"]),
        projects,
        left=_("left:"),
        number=number,
    )
    rows = [
        [
            t.label(o),
            number(costs[o]),
            number(approvals.get(o, 0)),
            _("Yes") if o in winners else _("No"),
        ]
        for o in ordered
    ]
    head = [_("Project"), _("Cost"), _("Approvals"), _("Selected")]
    return [Figure(heading, Markup(chart), head, rows)]  # noqa: S704  # escaped by charts.py


def _majority_judgment(t: _Tally) -> list[Figure]:
    _, number = t.words.gettext, t.words.number
    scale = grades_best_first(t.words)
    keys = [key for key, _label in scale]
    profiles: Mapping[str, Mapping[str, int]] = t.detail["merit_profiles"]
    majority: Mapping[str, str | None] = t.detail.get("majority_grades") or {}
    ordered = [o for o in t.order if o in profiles]
    drawn = [
        Profile(
            t.label(o),
            [int(profiles[o].get(k, 0)) for k in keys],
            None if majority.get(o) is None else keys.index(str(majority[o])),
        )
        for o in ordered
    ]
    heading = _("Merit profiles")
    description = _(
        "One bar per option, its whole length the voters: one segment per grade, best on the "
        "left; the dashed line marks the median, and the grade it crosses, written at the "
        "right, is the option's majority grade."
    )
    chart = merit_chart(
        "chart-merit",
        heading,
        description,
        [label for _key, label in scale],
        drawn,
        median=_("median"),
        number=number,
    )
    rows = [
        [
            t.label(o),
            *(number(profiles[o].get(k, 0)) for k in keys),
            t.words.grade(str(majority[o])) if majority.get(o) else "",
        ]
        for o in ordered
    ]
    head = [_("Option"), *(label for _key, label in scale), _("Majority grade")]
    return [Figure(heading, Markup(chart), head, rows)]  # noqa: S704  # escaped by charts.py


_BUILDERS: dict[str, Callable[[_Tally], list[Figure]]] = {
    "plurality": _plurality,
    "approval": _approval,
    "score": _score,
    "borda": _borda,
    "schulze": _schulze,
    "copeland": _copeland,
    "irv": _irv,
    "stv": _stv,
    "greedy": _budget,
    "equal_shares": _budget,
    "majority_judgment": _majority_judgment,
}
