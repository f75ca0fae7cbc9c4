"""The targets of an indicator row as a time series, ready to be drawn as SVG at build time.

For each indicator row (an assignment: one indicator in one objective of one plan) the plan states a
target for each year of its triennium, maybe a baseline of an earlier year, and, in a Relazione,
what was achieved. A chart puts the years on the x axis and draws each row as a line through its
targets, its baseline as a hollow point joined to the first target, and its achieved values as
diamonds. Coordinates are computed here; ``_macros.html`` only writes them out. The same numbers are
always in a table beside the chart, which is what screen readers get.

The drawing is 360 units wide: on a 375 px phone one unit is about one pixel, so the 12-unit labels
stay legible; on a desktop the figure is capped in CSS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from piao_lod.website.display import Measure, format_number, measure, rate
from piao_lod.website.resource_index import ResourceView

WIDTH, HEIGHT = 360, 210
LEFT, RIGHT, TOP, BOTTOM = 46, 14, 12, 28
# Colours with at least 3:1 contrast on white (WCAG 1.4.11 for graphics), told apart by shape too.
COLOURS = ("#0066cc", "#b3186d", "#00805a", "#a35200", "#5d3f9e", "#4d4d4d")


@dataclass(frozen=True)
class YearRow:
    """One year of an indicator row: its target, the value achieved and the rate, as the plan states them."""

    year: str
    target: Measure | None
    achieved: Measure | None = None
    rate: Measure | None = None
    resource: ResourceView | None = None       # the piao:AnnualTarget, when the graph has one


def yearly_targets(assignment: ResourceView, lang: str) -> list[YearRow]:
    """The row's targets by year; a graph without ``piao:AnnualTarget`` (an older one) gives the plan year's."""
    rows = []
    for yearly in assignment.linked("piao:hasAnnualTarget"):
        year = yearly.value("piao:targetYear")
        rows.append(YearRow(year.text if year else "", measure(yearly, "target", assignment, lang),
                            measure(yearly, "achieved", assignment, lang), rate(yearly, lang), yearly))
    if not rows:
        objective = assignment.link("piao:objective")
        plan = objective.link("piao:inPlan") if objective else None
        year = plan.value("piao:year") if plan else None
        target = measure(assignment, "target", None, lang)
        if target is not None:
            rows.append(YearRow(year.text if year else "", target))
    return sorted(rows, key=lambda row: row.year)


def baseline(assignment: ResourceView, lang: str) -> tuple[str | None, Measure | None]:
    """The row's baseline and its year (None when the plan gives none)."""
    value = measure(assignment, "baseline", None, lang)
    year = assignment.value("piao:baselineYear")
    return (year.text if year else None), value


@dataclass
class Series:
    """One indicator row in the chart: its name, and (year, value) pairs of each kind."""

    name: str
    targets: list[tuple[int, Decimal]] = field(default_factory=list)
    achieved: list[tuple[int, Decimal]] = field(default_factory=list)
    baseline: tuple[int, Decimal] | None = None


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    text: str            # the value, for the point's tooltip


@dataclass
class DrawnSeries:
    name: str
    colour: str
    shape: int                       # 0 circle, 1 square, 2 triangle...: the series is told by shape too
    path: str                        # the targets' line, as SVG path data
    targets: list[Point]
    achieved: list[Point]
    baseline: Point | None
    baseline_path: str


@dataclass
class Chart:
    width: int
    height: int
    series: list[DrawnSeries]
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM


def series_of(assignment: ResourceView, name: str, lang: str) -> Series:
    drawn = Series(name)
    for row in yearly_targets(assignment, lang):
        if not row.year.isdigit():
            continue
        if row.target is not None and row.target.number is not None:
            drawn.targets.append((int(row.year), row.target.number))
        if row.achieved is not None and row.achieved.number is not None:
            drawn.achieved.append((int(row.year), row.achieved.number))
    year, value = baseline(assignment, lang)
    if year and year.isdigit() and value is not None and value.number is not None:
        drawn.baseline = (int(year), value.number)
    return drawn


def nice_top(largest: Decimal) -> Decimal:
    """The axis' top: 100 for percentages-like ranges, else the next 1, 2, 2.5 or 5 times a power of ten."""
    if largest <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(largest))) - 1) if largest >= 1 else Decimal("0.1")
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if largest <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def time_series(series: list[Series], lang: str, unit: str = "", top: Decimal | None = None) -> Chart | None:
    """The chart of ``series`` (None when fewer than two numeric points in all: nothing to draw as a series)."""
    points = [(year, value) for one in series for year, value in
              one.targets + one.achieved + ([one.baseline] if one.baseline else [])]
    if len(points) < 2:
        return None
    years = sorted({year for year, _ in points})
    lowest = min(Decimal(0), min(value for _, value in points))
    highest = top if top is not None else nice_top(max(value for _, value in points))
    if highest <= lowest:
        highest = lowest + 1
    span_x = max(len(years) - 1, 1)

    def x(year: int) -> float:
        if len(years) == 1:
            return round((LEFT + WIDTH - RIGHT) / 2, 1)
        return round(LEFT + 10 + (years.index(year) / span_x) * (WIDTH - RIGHT - LEFT - 20), 1)

    def y(value: Decimal) -> float:
        return round(float(HEIGHT - BOTTOM - (value - lowest) / (highest - lowest) * (HEIGHT - BOTTOM - TOP)), 1)

    def point(year: int, value: Decimal) -> Point:
        shown = format_number(value, lang)
        return Point(x(year), y(value), shown + unit if unit == "%" else (f"{shown} {unit}" if unit else shown))

    drawn = []
    for number, one in enumerate(series):
        targets = [point(year, value) for year, value in sorted(one.targets)]
        path = " ".join(("M" if index == 0 else "L") + f"{p.x},{p.y}" for index, p in enumerate(targets))
        base = point(*one.baseline) if one.baseline else None
        base_path = f"M{base.x},{base.y} L{targets[0].x},{targets[0].y}" if base and targets else ""
        drawn.append(DrawnSeries(one.name, COLOURS[number % len(COLOURS)], number % 4, path, targets,
                                 [point(year, value) for year, value in sorted(one.achieved)], base, base_path))
    ticks = [lowest + (highest - lowest) * Decimal(step) / 4 for step in range(5)]
    y_ticks = [(y(tick), format_number(tick.normalize() if tick != tick.to_integral_value() else tick.quantize(1), lang)
                + ("%" if unit == "%" else "")) for tick in ticks]
    return Chart(WIDTH, HEIGHT, drawn, [(x(year), str(year)) for year in years], y_ticks)


def unit_of(assignment: ResourceView, lang: str) -> str:
    from piao_lod.website.display import PERCENTAGE_KIND, unit_text

    shown = unit_text(assignment.link("piao:unit"), lang)
    kind = assignment.link("piao:targetKind")
    return shown or ("%" if kind is not None and kind.iri == PERCENTAGE_KIND else "")


def rows_chart(named: list[tuple[str, ResourceView]], lang: str) -> Chart | None:
    """The chart of several indicator rows (``(name, assignment)``): those in the unit most of them share."""
    if not named:
        return None
    units = [unit_of(assignment, lang) for _, assignment in named]
    unit = max(sorted(set(units)), key=units.count)
    series = [series_of(assignment, name, lang) for (name, assignment), its_unit in zip(named, units) if its_unit == unit]
    values = [value for one in series for _, value in one.targets + one.achieved + ([one.baseline] if one.baseline else [])]
    top = Decimal(100) if unit == "%" and values and max(values) <= 100 else None
    return time_series(series, lang, unit, top)
