"""The switchback randomization test against an exact enumeration of every assignment of a
small experiment, its p-value uniform under the null, and its interval covering a constant
effect at the promised rate."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from scipy import stats as sps

from hawker.experiments.switchback import fisher

Y = np.array([3.0, 7.5, 1.0, 9.0, 4.0, 6.5, 2.0, 8.0, 5.5, 10.0])
TREATED = np.array([False, True, False, True, False, True, False, False, True, True])


def assignments(n: int, n1: int) -> np.ndarray:
    """Every assignment of ``n1`` treated slots among ``n``, one per row."""
    rows = np.zeros((len(list(combinations(range(n), n1))), n), dtype=bool)
    for i, chosen in enumerate(combinations(range(n), n1)):
        rows[i, list(chosen)] = True
    return rows


def exact_p(y: np.ndarray, treated: np.ndarray, tau: float = 0.0) -> float:
    """Over every assignment with as many treated slots, outcomes imputed from scratch under
    Y(1) = Y(0) + tau: P(|D* - tau| >= |D - tau|)."""
    y0 = y - tau * treated
    w = assignments(len(y), int(treated.sum()))
    outcome = y0 + tau * w
    diff = (outcome * w).sum(1) / w.sum(1) - (outcome * ~w).sum(1) / (~w).sum(1)
    observed = abs(y[treated].mean() - y[~treated].mean() - tau)
    return float((np.abs(diff - tau) >= observed - 1e-9).mean())


def exact_ci(y: np.ndarray, treated: np.ndarray, alpha: float) -> tuple[float, float]:
    grid = np.linspace(-10, 15, 1001)
    kept = [t for t in grid if exact_p(y, treated, t) > alpha]
    return kept[0], kept[-1]


def test_the_p_value_matches_an_exact_enumeration() -> None:
    found = fisher(Y, TREATED, draws=40_000)
    expected = exact_p(Y, TREATED)
    assert found.diff == pytest.approx(Y[TREATED].mean() - Y[~TREATED].mean())
    assert found.p == pytest.approx(expected, abs=0.006)  # 3 Monte Carlo standard errors
    assert found.draws == 40_000
    assert fisher(Y, TREATED, draws=40_000) == found  # seeded: reproducible


def test_the_interval_inverts_the_exact_test() -> None:
    """Exact p-values step in 1/252, so the Monte Carlo interval at 0.05 sits between the
    exact intervals at 0.04 and 0.06 (grid step 0.025 of tolerance)."""
    low, high = fisher(Y, TREATED, draws=40_000).ci
    wide, narrow = exact_ci(Y, TREATED, 0.04), exact_ci(Y, TREATED, 0.06)
    assert wide[0] - 0.03 <= low <= narrow[0] + 0.03
    assert narrow[1] - 0.03 <= high <= wide[1] + 0.03
    assert low < Y[TREATED].mean() - Y[~TREATED].mean() < high


def test_too_few_slots_cannot_exclude_any_effect() -> None:
    """Three slots per arm: 20 assignments, the smallest two-sided p is 2/20 > 0.05."""
    found = fisher(np.array([1.0, 2, 3, 10, 11, 12]), np.array([0, 0, 0, 1, 1, 1], dtype=bool))
    assert found.p == pytest.approx(0.1, abs=0.01)
    assert found.ci == (-np.inf, np.inf)
    empty = fisher(np.ones(4), np.zeros(4, dtype=bool))
    assert np.isnan(empty.p) and empty.draws == 0


def test_p_values_are_uniform_under_the_null_and_the_interval_covers() -> None:
    """400 simulated switchbacks (48 slots, skewed slot totals, Bernoulli assignment): under
    the sharp null the p-values are uniform; with a constant effect of 3 the 95 % interval
    holds it at the promised rate."""
    rng = np.random.default_rng(5)
    p_values, covered = [], 0
    runs = 400
    for _ in range(runs):
        y = rng.gamma(2.0, 5.0, 48)
        treated = rng.random(48) < 0.5
        p_values.append(fisher(y, treated, draws=999).p)
        low, high = fisher(y + 3.0 * treated, treated, draws=999).ci
        covered += low <= 3.0 <= high
    p = np.array(p_values)
    assert 0.025 <= (p < 0.05).mean() <= 0.08
    assert sps.kstest(p, "uniform").pvalue > 0.001
    assert 0.92 <= covered / runs <= 0.98


def test_a_ratio_of_totals_against_scipy() -> None:
    """GMV per session at the slot level: the difference of ratios of totals, its
    randomization p-value against scipy's permutation test of the same statistic."""
    rng = np.random.default_rng(3)
    sessions = rng.integers(20, 60, 30).astype(np.float64)
    gmv = sessions * rng.gamma(4.0, 10.0, 30)
    treated = rng.random(30) < 0.5
    gmv[treated] *= 1.4
    found = fisher(gmv, treated, den=sessions, draws=20_000)
    ratio = (
        gmv[treated].sum() / sessions[treated].sum()
        - gmv[~treated].sum() / sessions[~treated].sum()
    )
    assert found.diff == pytest.approx(ratio)
    assert np.isnan(found.ci[0]) and np.isnan(found.ci[1])

    def statistic(t: np.ndarray, c: np.ndarray, axis: int) -> np.ndarray:
        # the samples are slot indices, so a slot's GMV and sessions move together
        return np.abs(
            gmv[t].sum(axis=axis) / sessions[t].sum(axis=axis)
            - gmv[c].sum(axis=axis) / sessions[c].sum(axis=axis)
        )

    slots = np.arange(30)
    expected = sps.permutation_test(
        (slots[treated], slots[~treated]),
        statistic,
        permutation_type="independent",
        vectorized=True,
        n_resamples=20_000,
        alternative="greater",
        rng=np.random.default_rng(1),
    )
    assert found.p == pytest.approx(expected.pvalue, abs=0.01)
