"""The results' SVG charts: well-formed XML, named and described for assistive technology, with
their numbers written out, and every text escaped; and every method's tally drawn from its stored
detail (no I/O, no browser)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import ClassVar

import pytest

from domain.voting.base import Rules
from domain.voting.registry import METHODS
from interfaces.web.charts import (
    Bar,
    Profile,
    Project,
    bar_chart,
    budget_chart,
    merit_profile_chart,
    plain,
    short,
)
from interfaces.web.vote_results import Words, figures

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = 'Tram <script>alert("x")</script> & bus\x00'
GRADES = ["Excellent", "Very good", "Good", "Fairly good", "Passable", "Insufficient", "Reject"]


def parsed(svg: str) -> ET.Element:
    """The chart as XML (a parse error fails the test)."""
    root = ET.fromstring(svg)  # noqa: S314  # our own markup, parsed to check it
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    """Every text the chart shows or names (text elements, titles, descriptions)."""
    shown = []
    for element in root.iter():
        if element.tag == f"{SVG}title":
            shown.append("".join(element.itertext()))
        elif element.tag == f"{SVG}text":  # its own words, not its tooltip's
            shown.append("".join([element.text or "", *(c.tail or "" for c in element)]))
    return shown


def named(root: ET.Element) -> tuple[str, str]:
    """The chart's own title and description, as the labelling attributes point to them."""
    ids = root.attrib["aria-labelledby"].split()
    found = {e.attrib.get("id"): "".join(e.itertext()) for e in root}
    assert root.attrib["role"] == "img"
    return found[ids[0]], found[ids[1]]


class TestBarChart:
    """Bars of one number per option (crosses, approvals, points, a round's votes)."""

    def test_is_named_described_and_shows_every_figure(self) -> None:
        """Title and description name the image; each bar's figure and mark are written."""
        bars = [Bar("North", 12, "winner", emphasis=True), Bar("South", 7), Bar("None", 0)]

        root = parsed(bar_chart("c1", "Ballots per option", "One bar per option.", bars))

        assert named(root) == ("Ballots per option", "One bar per option.")
        shown = texts(root)
        assert "12 winner" in shown
        assert "7" in shown
        assert "0" in shown
        assert len(root.findall(f"{SVG}rect")) == 3

    def test_scales_bars_to_the_largest_value(self) -> None:
        """The largest bar is the full width; half the value, half the width."""
        root = parsed(bar_chart("c2", "t", "d", [Bar("a", 10), Bar("b", 5)]))
        widths = [float(r.attrib["width"]) for r in root.findall(f"{SVG}rect")]

        assert widths[1] == widths[0] / 2

    def test_draws_a_reference_line_with_its_label(self) -> None:
        """A quota is a labelled line, even when above every bar."""
        root = parsed(bar_chart("c3", "t", "d", [Bar("a", 2)], reference=(3.5, "quota")))

        assert root.find(f"{SVG}line") is not None
        assert "quota 3.50" in texts(root)

    def test_nothing_to_draw_divides_by_nothing(self) -> None:
        """No bar, or only zeros: still a well-formed chart."""
        parsed(bar_chart("c4", "t", "d", []))
        parsed(bar_chart("c5", "t", "d", [Bar("a", 0), Bar("b", 0)]))

    def test_escapes_every_text(self) -> None:
        """Markup in a label, title or description stays text; characters XML cannot hold go."""
        svg = bar_chart("c6", HOSTILE, HOSTILE, [Bar(HOSTILE, 1, HOSTILE)])
        root = parsed(svg)

        assert "<script>" not in svg
        assert root.find(f".//{SVG}script") is None
        clean = HOSTILE.replace("\x00", "")
        assert named(root) == (clean, clean)
        assert short(clean) in texts(root)

    def test_uses_the_number_format_given(self) -> None:
        """Figures are written by the page's formatter (its language)."""
        root = parsed(bar_chart("c7", "t", "d", [Bar("a", 1234)], number="{:,}".format))

        assert "1,234" in texts(root)


class TestMeritProfileChart:
    """Majority judgment: one stacked bar per option, a segment per grade, the median marked."""

    def test_draws_a_segment_per_grade_given_and_the_majority_grade(self) -> None:
        """Each grade some voter gave is a segment with its count; the majority grade is written
        at the right; a dashed line marks the median; the legend names every grade."""
        profiles = [
            Profile("North line", [1, 2, 0, 0, 0, 0, 1], majority=1),
            Profile("South line", [0, 0, 0, 0, 3, 1, 0], majority=4),
        ]

        root = parsed(
            merit_profile_chart("m", "Merit profiles", "desc", GRADES, profiles, median="median")
        )

        shown = texts(root)
        assert "North line: Very good 2" in shown
        assert "South line: Passable 3" in shown
        assert "median" in shown
        assert set(GRADES) <= set(shown)
        assert shown.count("Very good") >= 2  # in the legend and as North's majority grade
        assert root.find(f"{SVG}line") is not None
        segments = [r for r in root.findall(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
        assert len(segments) == 5

    def test_segments_share_the_bar_by_voters(self) -> None:
        """A grade given by half the voters takes half the bar."""
        root = parsed(
            merit_profile_chart(
                "m2", "t", "d", GRADES, [Profile("a", [2, 0, 0, 0, 0, 0, 2], 0)], median="m"
            )
        )
        widths = [
            float(r.attrib["width"])
            for r in root.findall(f"{SVG}rect")
            if r.find(f"{SVG}title") is not None
        ]

        assert widths[0] == widths[1]

    def test_an_option_nobody_graded_is_an_empty_frame(self) -> None:
        """Zero voters: no segment, no majority grade, no division by zero."""
        root = parsed(
            merit_profile_chart("m3", "t", "d", GRADES, [Profile("a", [0] * 7, None)], median="m")
        )

        assert all(r.find(f"{SVG}title") is None for r in root.findall(f"{SVG}rect"))

    def test_escapes_labels_and_grades(self) -> None:
        """Option and grade names are text, never markup."""
        svg = merit_profile_chart(
            "m4", "t", "d", [HOSTILE, "b"], [Profile(HOSTILE, [1, 1], 0)], median=HOSTILE
        )

        assert "<script>" not in svg
        assert parsed(svg).find(f".//{SVG}script") is None


class TestBudgetChart:
    """Participatory budgeting: the budget split into the selected projects' costs."""

    def test_shows_the_selected_projects_costs_and_what_is_left(self) -> None:
        """Selected projects only, each with its cost; the budget and what is left are written."""
        projects = [
            Project("Bike lanes", 60_000, selected=True),
            Project("Library", 30_000, selected=True),
            Project("Fountain", 50_000, selected=False),
        ]

        root = parsed(budget_chart("b", "Selected projects", "d", 100_000, projects, left="left:"))

        shown = texts(root)
        assert "100000" in shown
        assert "left: 10000" in shown
        assert "Bike lanes: 60000" in shown
        assert "30000" in shown
        assert not any("Fountain" in t for t in shown)

    def test_escapes_project_names(self) -> None:
        """A project's name is text, never markup."""
        svg = budget_chart("b2", "t", "d", 10, [Project(HOSTILE, 5, True)], left=HOSTILE)

        assert "<script>" not in svg
        assert parsed(svg).find(f".//{SVG}script") is None


class TestResultFigures:
    """Every method's tally, as the vote stores it, becomes figures whose charts are valid SVG."""

    CHOICES: ClassVar[dict[str, list[object]]] = {
        "plurality": ["a", "b", "a"],
        "approval": [["a", "b"], ["b"], ["a"]],
        "score": [{"a": 7, "b": 3}, {"b": 9}, {"c": 10}],
        "majority_judgment": [{"a": "good", "b": "reject"}, {"a": "excellent"}, {"c": "good"}],
        "schulze": [["a", "b", "c"], ["b", "c"], ["c", "a"]],
        "irv": [["a", "b", "c"], ["b", "c"], ["c", "b"]],
        "borda": [["a", "b"], ["b", "c"], ["c"]],
        "copeland": [["a", "b"], ["b", "c"], ["c"]],
        "stv": [["a", "b", "c"], ["b", "c"], ["c", "b"]],
        "greedy": [["a", "b"], ["b"], ["a", "c"]],
        "equal_shares": [["a", "b"], ["b"], ["a", "c"]],
    }

    @pytest.mark.parametrize("method", sorted(METHODS))
    def test_each_method_has_figures_with_valid_charts(self, method: str) -> None:
        """Figures for the tally; each chart parses and each table has a row per option."""
        budgeting = method in ("greedy", "equal_shares")
        rules = Rules(
            options=("a", "b", "c"),
            seats=2 if method == "stv" else 1,
            costs=(40, 30, 50) if budgeting else None,
            budget=100 if budgeting else None,
        )
        counted = METHODS[method]
        papers = [counted.validate(rules, choice) for choice in self.CHOICES[method]]
        result = counted.tally(rules, papers)
        stored = json.loads(
            json.dumps(
                {
                    "method": result.method,
                    "ballots": result.ballots,
                    "winners": list(result.winners),
                    "ranking": [list(group) for group in result.ranking],
                    "tied": list(result.tied),
                    "detail": dict(result.detail),
                }
            )
        )
        labels = {"a": "North <line>", "b": "South & co", "c": "None"}

        found = figures(stored, labels, Words("fr", lambda message: message, plain))

        assert found
        for figure in found:
            if figure.chart is not None:
                parsed(str(figure.chart))
            assert {row[0] for row in figure.rows} & set(labels.values())
