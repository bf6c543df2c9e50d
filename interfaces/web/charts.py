"""A vote's results drawn as SVG on the server: pure functions from numbers and words (already
translated by the caller) to markup, so the pages need neither script nor chart library.

Every text is escaped; every chart is an `img` with a `<title>` and a `<desc>` that name it, and
the page puts the same numbers in a table beside it (a chart is never the only way to read them).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH = 640
LABEL_WIDTH = 200  # option labels, left of the bars
VALUE_WIDTH = 110  # the figure (and its mark), right of the bars
BAR_WIDTH = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 20
ROW = 30  # height of one bar's row
BAR = 20  # height of a bar
SEGMENT_TEXT = 24  # a merit profile's segment this wide (or wider) shows its figure
LABEL_CHARS = 26  # a longer label is cut (the table beside the chart shows it whole)
INK, MUTED, ACCENT, PALE, LINE = "#1a1a1a", "#595959", "#0b4f9c", "#8a8a8a", "#c9c9c9"
# Grades best first, from dark green to dark red; each with an ink that reads on it (WCAG AA).
GRADE_COLOURS = (
    ("#0f5132", "#ffffff"),
    ("#2e7d32", "#ffffff"),
    ("#7cb342", "#1a1a1a"),
    ("#c5e1a5", "#1a1a1a"),
    ("#fff176", "#1a1a1a"),
    ("#f4a261", "#1a1a1a"),
    ("#b3261e", "#ffffff"),
)
# What XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

Number = Callable[[float], str]


def plain(value: float) -> str:
    """A figure without a locale: whole numbers as such, others to two decimals."""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: what it counts, how much, a word after the figure (`elected`, `eliminated`),
    drawn in the accent colour (`emphasis`, a winner) or greyed out (`muted`, eliminated)."""

    label: str
    value: float
    mark: str = ""
    emphasis: bool = False
    muted: bool = False


@dataclass(frozen=True, slots=True)
class Profile:
    """An option's merit profile: voters per grade (in the order of the chart's grades, best
    first), and the index of its majority grade (None: nobody graded it)."""

    label: str
    counts: Sequence[int]
    majority: int | None


@dataclass(frozen=True, slots=True)
class Project:
    """A participatory budgeting project: its cost, and whether the count funded it."""

    label: str
    cost: int
    selected: bool


def text(value: str) -> str:
    """`value` as XML character data: escaped, without the characters XML cannot hold."""
    return escape(_NOT_XML.sub("", value))


def attribute(value: str) -> str:
    """`value` as a quoted XML attribute value."""
    return quoteattr(_NOT_XML.sub("", value))


def short(label: str, limit: int = LABEL_CHARS) -> str:
    """A label cut to `limit` characters, with an ellipsis if it was cut."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _svg(ident: str, title: str, description: str, height: int, body: list[str]) -> str:
    """The chart's frame: an image named by its title and described by its description."""
    head = (
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'class="chart" aria-labelledby={attribute(f"{ident}-title {ident}-desc")} '
        f'id={attribute(ident)} font-family="system-ui, sans-serif" font-size="13">'
    )
    return "".join(
        [
            head,
            f"<title id={attribute(ident + '-title')}>{text(title)}</title>",
            f"<desc id={attribute(ident + '-desc')}>{text(description)}</desc>",
            *body,
            "</svg>",
        ]
    )


def _label(y: float, label: str) -> str:
    """An option's label at the left of its row, cut if long (the full label as a tooltip)."""
    return (
        f'<text x="{LABEL_WIDTH - 8}" y="{y:.1f}" text-anchor="end" fill="{INK}">'
        f"<title>{text(label)}</title>{text(short(label))}</text>"
    )


def bar_chart(
    ident: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    *,
    number: Number = plain,
    reference: tuple[float, str] | None = None,
) -> str:
    """Horizontal bars, one per row, scaled to the largest value (or the `reference` line's,
    e.g. a quota, if larger), each with its figure and mark at its right."""
    top = max([b.value for b in bars] + [reference[0] if reference else 0.0] + [0.0])
    scale = BAR_WIDTH / top if top > 0 else 0.0
    height = len(bars) * ROW + (40 if reference else 10)
    body: list[str] = []
    for row, bar in enumerate(bars):
        y = 5 + row * ROW
        colour = PALE if bar.muted else ACCENT if bar.emphasis else MUTED
        width = max(bar.value * scale, 0.0)
        figure = number(bar.value) + (f" {bar.mark}" if bar.mark else "")
        weight = ' font-weight="700"' if bar.emphasis else ""
        body += [
            _label(y + BAR * 0.7, bar.label),
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR}" fill="{colour}">'
            f"<title>{text(bar.label)}: {text(figure)}</title></rect>",
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + BAR * 0.7:.1f}" fill="{INK}"'
            f"{weight}>{text(figure)}</text>",
        ]
    if reference is not None:
        x = LABEL_WIDTH + reference[0] * scale
        bottom = 5 + len(bars) * ROW
        body += [
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{bottom}" stroke="{INK}" '
            'stroke-width="2" stroke-dasharray="4 3"/>',
            f'<text x="{x:.1f}" y="{bottom + 18}" text-anchor="middle" fill="{INK}">'
            f"{text(reference[1])} {text(number(reference[0]))}</text>",
        ]
    return _svg(ident, title, description, height, body)


def merit_profile_chart(
    ident: str,
    title: str,
    description: str,
    grades: Sequence[str],
    profiles: Sequence[Profile],
    *,
    median: str,
    number: Number = plain,
) -> str:
    """Majority judgment's merit profiles: one bar per option, the whole width its voters, one
    segment per grade (best on the left); the line at half the voters marks the median, and the
    option's majority grade is written at the right of its bar."""
    colours = [GRADE_COLOURS[round(i * 6 / max(len(grades) - 1, 1))] for i in range(len(grades))]
    legend_rows = (len(grades) + 3) // 4
    height = 30 + len(profiles) * ROW + 10 + legend_rows * 22
    middle = LABEL_WIDTH + BAR_WIDTH / 2
    body = [
        f'<text x="{middle:.1f}" y="14" text-anchor="middle" fill="{INK}">{text(median)}</text>'
    ]
    figures: list[str] = []  # drawn over the median line, so it never hides one
    for row, profile in enumerate(profiles):
        y = 24 + row * ROW
        voters = sum(profile.counts)
        body.append(_label(y + BAR * 0.7, profile.label))
        x = float(LABEL_WIDTH)
        for grade, count in enumerate(profile.counts):
            if not count:
                continue
            width = BAR_WIDTH * count / voters
            fill, ink = colours[grade]
            tip = f"{profile.label}: {grades[grade]} {number(count)}"
            body.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR}" fill="{fill}" '
                f'stroke="#ffffff"><title>{text(tip)}</title></rect>'
            )
            if width >= SEGMENT_TEXT:
                figures.append(
                    f'<text x="{x + width / 2:.1f}" y="{y + BAR * 0.7:.1f}" text-anchor="middle" '
                    f'fill="{ink}">{text(number(count))}</text>'
                )
            x += width
        if not voters:
            body.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{BAR_WIDTH}" height="{BAR}" '
                f'fill="none" stroke="{LINE}"/>'
            )
        if profile.majority is not None:
            body.append(
                f'<text x="{LABEL_WIDTH + BAR_WIDTH + 8}" y="{y + BAR * 0.7:.1f}" fill="{INK}" '
                f'font-weight="700">{text(short(grades[profile.majority], 16))}</text>'
            )
    bottom = 24 + len(profiles) * ROW
    body += [
        f'<line x1="{middle:.1f}" y1="18" x2="{middle:.1f}" y2="{bottom}" stroke="{INK}" '
        'stroke-width="2" stroke-dasharray="4 3"/>',
        *figures,
    ]
    for i, name in enumerate(grades):  # the legend, four grades a row
        x, y = 10 + (i % 4) * (WIDTH // 4), bottom + 10 + (i // 4) * 22
        body += [
            f'<rect x="{x}" y="{y}" width="14" height="14" fill="{colours[i][0]}" '
            f'stroke="{INK}" stroke-width="0.5"/>',
            f'<text x="{x + 20}" y="{y + 12}" fill="{INK}">{text(short(name, 20))}</text>',
        ]
    return _svg(ident, title, description, height, body)


def budget_chart(
    ident: str,
    title: str,
    description: str,
    budget: int,
    projects: Sequence[Project],
    *,
    left: str,
    number: Number = plain,
) -> str:
    """Participatory budgeting: the budget as one bar, the selected projects' costs as segments
    of it (in order) and what is left; below, each selected project with its cost."""
    chosen = [p for p in projects if p.selected]
    height = 60 + len(chosen) * ROW
    scale = BAR_WIDTH / budget if budget > 0 else 0.0
    body = [
        f'<rect x="{LABEL_WIDTH}" y="10" width="{BAR_WIDTH}" height="{BAR}" fill="#ffffff" '
        f'stroke="{INK}"/>',
        f'<text x="{LABEL_WIDTH - 8}" y="{10 + BAR * 0.7:.1f}" text-anchor="end" fill="{INK}">'
        f"{text(number(budget))}</text>",
    ]
    x = float(LABEL_WIDTH)
    for i, project in enumerate(chosen):
        width = project.cost * scale
        fill = ACCENT if i % 2 == 0 else "#4a7fc1"
        body.append(
            f'<rect x="{x:.1f}" y="10" width="{width:.1f}" height="{BAR}" fill="{fill}" '
            f'stroke="#ffffff"><title>{text(project.label)}: {text(number(project.cost))}'
            "</title></rect>"
        )
        x += width
    spent = sum(p.cost for p in chosen)
    body.append(
        f'<text x="{LABEL_WIDTH + BAR_WIDTH + 6}" y="{10 + BAR * 0.7:.1f}" fill="{INK}">'
        f"{text(left)} {text(number(budget - spent))}</text>"
    )
    for row, project in enumerate(chosen):
        y = 45 + row * ROW
        width = project.cost * scale
        body += [
            _label(y + BAR * 0.7, project.label),
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR}" fill="{ACCENT}"/>',
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + BAR * 0.7:.1f}" fill="{INK}">'
            f"{text(number(project.cost))}</text>",
        ]
    return _svg(ident, title, description, height, body)
