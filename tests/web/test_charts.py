"""The review page's chart geometry: ticks, colours by significance and direction, bars on one
axis, and lift plots that skip what cannot be drawn."""

from __future__ import annotations

import math

import pytest

from hawker.web.charts import Scale, interval_bars, lift_plot, nice_ticks, tick, tone


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0, 10, [0, 2, 4, 6, 8, 10]),
        (-0.013, 0.052, [0, 0.02, 0.04]),
        (-130, 1100, [0, 500, 1000]),
    ],
)
def test_ticks_are_round_and_inside(low: float, high: float, expected: list[float]) -> None:
    found = nice_ticks(low, high, 5)
    assert found == pytest.approx(expected)
    assert all(low <= t <= high for t in found)


def test_tick_labels_are_signed_without_exponents() -> None:
    assert [tick(v) for v in (0, 1000, -500, 0.025)] == ["0", "+1,000", "-500", "+0.025"]


@pytest.mark.parametrize(
    ("ci", "higher_is_better", "expected"),
    [
        ((0.1, 0.3), True, "good"),
        ((0.1, 0.3), False, "bad"),  # a refund rate going up
        ((-0.3, -0.1), False, "good"),
        ((-0.1, 0.3), True, "flat"),
        ((None, 0.3), True, "flat"),
        ((math.nan, 0.3), True, "flat"),
    ],
)
def test_tone_reads_significance_and_direction(
    ci: tuple[float | None, float], higher_is_better: bool, expected: str
) -> None:
    assert tone(ci, higher_is_better) == expected


def test_bars_of_one_metric_share_an_axis_with_zero_on_it() -> None:
    bars = interval_bars([[0.1, 0.3], [-0.2, 0.1], None], [0.2, -0.05, 0.1], True)
    first, second, missing = bars
    assert missing is None
    assert first is not None and second is not None
    assert first.zero == second.zero  # one axis
    assert second.low < first.zero < first.low < first.point < first.high
    assert (first.tone, second.tone) == ("good", "flat")
    scale = Scale.around([-0.2, 0.3], 6, 154)
    assert scale(-0.2) > 6 and scale(0.3) < 154  # padded: nothing touches the edge


def test_the_lift_plot_skips_days_without_figures() -> None:
    plot = lift_plot(
        [1, 2, 3],
        ["b", "c"],
        [[1.0, None], [2.0, math.nan], [1.5, None]],
        [[(0.0, 2.0), None], [(1.0, 3.0), (0.0, 1.0)], [(1.0, 2.0), None]],
    )
    assert plot is not None
    (b,) = plot.series  # c has no finite day: no line at all
    assert b.arm == "b" and b.index == 1
    assert len(b.line.split()) == 3 and len(b.band.split()) == 6
    ys = [float(p.split(",")[1]) for p in b.line.split()]
    assert ys[1] < ys[2] < ys[0] < plot.zero  # 2.0 highest on screen, all above zero
    assert lift_plot([1], ["b"], [[None]], [[None]]) is None
