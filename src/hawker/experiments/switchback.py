"""Randomization inference for switchback experiments (issue 7, part 5): the unit is a time
slot, and there are few of them (a fortnight of hourly slots is 336), each a sum over many
correlated shoppers, so the analysis does not lean on a normal approximation. It uses the
design itself: under Fisher's sharp null (no slot's outcome depends on its variant) any other
draw of the slot assignment was as likely as the one made, so the observed difference of slot
means is compared with its distribution over re-drawn assignments.

Slots are assigned independently by hash; given how many slots each arm got, every
arrangement of those labels is equally likely, so re-drawing is permuting the labels (an
exact test conditional on the counts). The confidence interval inverts the test over constant
additive effects ``tau`` (Imbens & Rubin 2015, ch. 5): under ``Y(1) = Y(0) + tau`` a slot's
untreated outcome is ``Y - tau*W``, and the interval is every ``tau`` the test does not reject.

Hand-written over ``scipy.stats.permutation_test`` because the interval needs, per draw, the
difference of both the outcomes and the assignment (the imputed statistic is linear in
``tau``: ``D*(Y) - tau*D*(W)``), which makes every ``tau`` one vectorised comparison against
the same draws; scipy exposes only the statistic's null distribution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
DRAWS = 10_000
SEED = 7  # fixed: the same data always give the same p-value and interval
CHUNK = 1_000  # draws permuted at once: bounds memory at CHUNK x slots
GRID = 401  # effects tried across +-GRID_SDS null standard deviations of the difference
GRID_SDS = 6.0
REFINE = 30  # bisection steps at each end of the interval


@dataclass(frozen=True)
class Randomization:
    diff: float  # treated minus control (slot means, or ratios of totals)
    p: float  # two-sided: share of draws at least as far from 0 as the observed difference
    ci: tuple[float, float]  # NaN for ratio metrics; +-inf when too few slots to exclude any
    draws: int


def _draws(
    treated: NDArray[np.bool_], columns: list[Array], draws: int, rng: np.random.Generator
) -> list[tuple[Array, Array]]:
    """For each column, per draw: its total among the re-drawn treated slots and among the
    rest."""
    w = treated.astype(np.float64)
    out = [(np.empty(draws), np.empty(draws)) for _ in columns]
    for start in range(0, draws, CHUNK):
        k = min(CHUNK, draws - start)
        perm = rng.permuted(np.tile(w, (k, 1)), axis=1)
        for (inside, outside), col in zip(out, columns, strict=True):
            inside[start : start + k] = perm @ col
            outside[start : start + k] = col.sum() - inside[start : start + k]
    return out


def _p(extreme: NDArray[np.bool_], draws: int) -> Array:
    """Counting the observed assignment among the draws keeps the test exact (Phipson &
    Smyth 2010): a p-value is never 0."""
    return (1.0 + extreme.sum(axis=0)) / (draws + 1.0)


def fisher(
    values: Array,
    treated: NDArray[np.bool_],
    *,
    den: Array | None = None,
    draws: int = DRAWS,
    alpha: float = 0.05,
    seed: int = SEED,
) -> Randomization:
    """The randomization test of treated vs control slots: the difference of slot means, or
    with ``den`` the difference of ratios of totals (sum values / sum den per arm), whose
    interval is left to the delta method (no constant-additive-effect model for a ratio)."""
    n1 = int(treated.sum())
    n0 = len(treated) - n1
    if n1 == 0 or n0 == 0:
        return Randomization(float("nan"), float("nan"), (float("nan"), float("nan")), 0)
    rng = np.random.default_rng(seed)
    y = values.astype(np.float64)
    w = treated.astype(np.float64)
    scale = max(1.0, float(np.abs(y).max(initial=0.0)))
    tie = 1e-9 * scale  # differences equal up to rounding count as at least as extreme
    if den is not None:
        d = den.astype(np.float64)
        (y1, y0), (d1, d0) = _draws(treated, [y, d], draws, rng)
        with np.errstate(divide="ignore", invalid="ignore"):
            obs = float(y[treated].sum() / d[treated].sum() - y[~treated].sum() / d[~treated].sum())
            stat = y1 / d1 - y0 / d0
        extreme = np.abs(stat) >= abs(obs) - tie  # NaN draws (an empty denominator) count not
        p = float(_p(extreme, draws)) if np.isfinite(obs) else float("nan")
        return Randomization(obs, p, (float("nan"), float("nan")), draws)
    (y1, y0), (w1, w0) = _draws(treated, [y, w], draws, rng)
    a = y1 / n1 - y0 / n0  # D*(Y) per draw
    b = w1 / n1 - w0 / n0  # D*(W) per draw
    obs = float(y[treated].mean() - y[~treated].mean())

    def p_at(tau: Array) -> Array:
        return _p(np.abs(a[:, None] - tau[None, :] * b[:, None]) >= np.abs(obs - tau) - tie, draws)

    p = float(p_at(np.zeros(1))[0])
    sd = float(a.std())
    if sd == 0:  # every slot has the same value: nothing but a zero effect is consistent
        return Randomization(obs, p, (obs, obs), draws)
    grid = obs + np.linspace(-GRID_SDS, GRID_SDS, GRID) * sd
    kept = np.flatnonzero(p_at(grid) > alpha)
    if len(kept) == 0:  # only possible with a coarse grid around a tiny acceptance region
        return Randomization(obs, p, (obs, obs), draws)

    def edge(inside: float, outside: float) -> float:
        for _ in range(REFINE):
            mid = (inside + outside) / 2
            if p_at(np.array([mid]))[0] > alpha:
                inside = mid
            else:
                outside = mid
        return inside

    low = -np.inf if kept[0] == 0 else edge(grid[kept[0]], grid[kept[0] - 1])
    high = np.inf if kept[-1] == GRID - 1 else edge(grid[kept[-1]], grid[kept[-1] + 1])
    return Randomization(obs, p, (float(low), float(high)), draws)
