"""Server-side SVG geometry for the experiment review page: interval bars and lift-over-time
plots. Python computes the coordinates, the ``operator/_charts.html`` macros draw them (so text
in a chart is autoescaped like any other). Hand-written because a plotting library (or a JS
chart bundle) for two small chart types would outweigh the page itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

Tone = Literal["good", "bad", "flat"]
Triple = tuple[float, float, float]


def finite(*values: Any) -> bool:
    return all(isinstance(v, int | float) and math.isfinite(v) for v in values)


def triple(pair: Any, point: Any) -> Triple | None:
    """(low, high, point) when the interval is two finite numbers and the point finite."""
    if isinstance(pair, list | tuple) and len(pair) == 2 and finite(pair[0], pair[1], point):
        return float(pair[0]), float(pair[1]), float(point)
    return None


def tone(pair: Any, higher_is_better: bool) -> Tone:
    """Green when the interval excludes zero on the good side, red on the bad side."""
    found = triple(pair, 0)
    if found is None:
        return "flat"
    low, high, _ = found
    if low > 0 or high < 0:
        return "good" if (low > 0) == higher_is_better else "bad"
    return "flat"


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten) covering [low, high]."""
    span = high - low
    if span <= 0 or not math.isfinite(span):
        return [low]
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    return [round(first + i * step, 12) for i in range(int((high - first) / step + 1e-9) + 1)]


def tick(value: float) -> str:
    """Signed, without exponents: +1,500 rather than +1.5e+03."""
    if value == 0:
        return "0"
    return f"{value:+,.0f}" if abs(value) >= 100 else f"{value:+.3g}"


@dataclass(frozen=True)
class Scale:
    """A linear map from [low, high] onto pixels [start, end] (end < start for a y axis)."""

    low: float
    high: float
    start: float
    end: float

    @classmethod
    def around(cls, values: list[float], start: float, end: float, pad: float = 0.08) -> Scale:
        """Covering every value and zero, padded so nothing touches the edge."""
        low, high = min([0.0, *values]), max([0.0, *values])
        if high == low:
            high, low = high + 1, low - 1
        margin = (high - low) * pad
        return cls(low - margin, high + margin, start, end)

    def __call__(self, value: float) -> float:
        return round(
            self.start + (value - self.low) / (self.high - self.low) * (self.end - self.start), 1
        )


@dataclass(frozen=True)
class Bar:
    """One variant's interval (and point estimate) on its metric's shared axis."""

    low: float
    high: float
    point: float
    zero: float
    tone: Tone


BAR_WIDTH = 160


def interval_bars(
    intervals: list[Any], points: list[Any], higher_is_better: bool
) -> list[Bar | None]:
    """Bars for one metric's treatment arms on one axis so they compare at a glance; an arm
    without a finite interval (too few units) gets None."""
    usable = [triple(c, p) for c, p in zip(intervals, points, strict=True)]
    scale = Scale.around([v for u in usable if u for v in u], 6, BAR_WIDTH - 6)
    return [
        Bar(scale(u[0]), scale(u[1]), scale(u[2]), scale(0), tone(u[:2], higher_is_better))
        if u
        else None
        for u in usable
    ]


@dataclass(frozen=True)
class Series:
    arm: str
    index: int  # colour: 1 for the first treatment arm
    line: str  # SVG polyline points
    band: str  # SVG polygon points: the interval's upper edge forward, lower edge back
    dots: list[tuple[float, float]]


@dataclass(frozen=True)
class Plot:
    width: int
    height: int
    left: int
    top: int
    right: int
    bottom: int
    zero: float
    y_ticks: list[tuple[float, str]]
    x_ticks: list[tuple[float, str]]
    series: list[Series]


def lift_plot(
    days: list[int],
    arms: list[str],
    points: list[list[Any]],
    bands: list[list[Any]],
    width: int = 640,
    height: int = 220,
) -> Plot | None:
    """Each treatment arm's cumulative difference by day with its interval as a band, and
    the zero line. ``points[d][a]`` and ``bands[d][a]`` are day ``d``'s figures for arm ``a``;
    days with a non-finite figure are skipped. None when no day has a figure to draw."""
    left, right, top, bottom = 64, width - 14, 12, height - 30
    kept = [
        [
            (d, t)
            for d, ps, bs in zip(days, points, bands, strict=True)
            if (t := triple(bs[a], ps[a]))
        ]
        for a in range(len(arms))
    ]
    values = [v for arm in kept for _, t in arm for v in t]
    if not values:
        return None
    y = Scale.around(values, bottom, top)
    first, last = days[0], days[-1]
    x = (
        Scale(first - 0.5, last + 0.5, left, right)
        if first == last
        else Scale(first, last, left, right)
    )
    series = []
    for a, (arm, found) in enumerate(zip(arms, kept, strict=True)):
        if not found:
            continue
        line = " ".join(f"{x(d)},{y(p)}" for d, (_, _, p) in found)
        upper = [f"{x(d)},{y(hi)}" for d, (_, hi, _) in found]
        lower = [f"{x(d)},{y(lo)}" for d, (lo, _, _) in reversed(found)]
        if len(found) == 1:  # a one-day band still needs width to be seen
            d, (lo, hi, _) = found[0]
            upper = [f"{x(d) - 6},{y(hi)}", f"{x(d) + 6},{y(hi)}"]
            lower = [f"{x(d) + 6},{y(lo)}", f"{x(d) - 6},{y(lo)}"]
        dots = [(x(d), y(p)) for d, (_, _, p) in found]
        series.append(Series(arm, a + 1, line, " ".join(upper + lower), dots))
    step = max(1, math.ceil(len(days) / 8))
    return Plot(
        width,
        height,
        left,
        top,
        right,
        bottom,
        y(0),
        [(y(t), tick(t)) for t in nice_ticks(y.low, y.high, 5)],
        [(x(d), f"day {d}" if i == 0 else str(d)) for i, d in enumerate(days) if i % step == 0],
        series,
    )
