"""The statistics against textbook cases and numbers computed independently here (scipy on
the raw rows, a bootstrap), and by simulation: A/A false positives at alpha, daily peeking at
the sequential test, and power as the calculator promises. Simulations are vectorised over
thousands of experiments and take a second or two; seeds are fixed."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from hawker.experiments import stats

RNG = np.random.default_rng


def arms_of(*groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    values = np.concatenate(groups)
    arm = np.concatenate([np.full(len(g), i) for i, g in enumerate(groups)])
    return values.astype(np.float64), arm


def test_welch_matches_scipy_on_the_raw_rows() -> None:
    rng = RNG(1)
    groups = [rng.lognormal(3, 1, 500), rng.lognormal(3.1, 1.2, 700), rng.lognormal(3, 0.8, 300)]
    values, arm = arms_of(*groups)
    result = stats.welch(stats.moments(values, arm, 3))
    for i, treated in enumerate(groups[1:]):
        expected = sps.ttest_ind(treated, groups[0], equal_var=False)
        ci = expected.confidence_interval(0.95)
        assert result.p[i] == pytest.approx(expected.pvalue, rel=1e-9)
        assert result.diff[i] == pytest.approx(treated.mean() - groups[0].mean())
        assert (result.ci_low[i], result.ci_high[i]) == pytest.approx((ci.low, ci.high))
        assert result.rel[i] == pytest.approx(treated.mean() / groups[0].mean() - 1)


def test_an_arm_of_one_unit_has_no_p_as_in_scipy() -> None:
    """One unit has no variance: a p from a variance of zero would look confident (it was
    0.009 in a CI run), so p, standard error and intervals are NaN, which results report as
    null; the arm with enough units beside it is still judged."""
    groups = [np.array([10.0, 12.0, 9.0, 11.0]), np.array([30.0]), np.array([14.0, 15.0, 13.0])]
    values, arm = arms_of(*groups)
    result = stats.welch(stats.moments(values, arm, 3))
    assert np.isnan(sps.ttest_ind(groups[1], groups[0], equal_var=False).pvalue)
    assert np.isnan([result.p[0], result.se[0], result.ci_low[0], result.rel_ci_high[0]]).all()
    assert result.diff[0] == pytest.approx(19.5)
    expected = sps.ttest_ind(groups[2], groups[0], equal_var=False)
    assert result.p[1] == pytest.approx(expected.pvalue, rel=1e-9)


def test_relative_lift_interval_is_the_delta_method_and_covers_by_bootstrap() -> None:
    rng = RNG(2)
    c, t = rng.exponential(10, 4000), rng.exponential(11, 4000)
    values, arm = arms_of(c, t)
    result = stats.welch(stats.moments(values, arm, 2))
    idx_c, idx_t = rng.integers(0, 4000, (2000, 4000)), rng.integers(0, 4000, (2000, 4000))
    boot = t[idx_t].mean(axis=1) / c[idx_c].mean(axis=1) - 1
    delta_se = (result.rel_ci_high[0] - result.rel_ci_low[0]) / (2 * 1.959964)
    assert delta_se == pytest.approx(boot.std(), rel=0.1)


def test_ratio_metric_delta_variance_matches_a_bootstrap() -> None:
    """GMV per session: units have a random number of sessions; the linearised values' mean
    is the ratio and their variance/n the delta-method variance of the ratio."""
    rng = RNG(3)
    n = 3000
    sessions = rng.poisson(3, n) + 1.0
    gmv = rng.gamma(2, 50, n) * sessions * rng.uniform(0.5, 1.5, n)
    arm = np.zeros(n, dtype=np.int64)
    lin = stats.linearize(gmv, sessions, arm, 1)
    assert lin.mean() == pytest.approx(gmv.sum() / sessions.sum())
    idx = rng.integers(0, n, (3000, n))
    boot = gmv[idx].sum(axis=1) / sessions[idx].sum(axis=1)
    assert np.sqrt(lin.var(ddof=1) / n) == pytest.approx(boot.std(), rel=0.08)


def test_cuped_keeps_the_effect_and_removes_the_explained_variance() -> None:
    rng = RNG(4)
    n = 20_000
    pre = rng.normal(100, 20, n)
    arm = rng.integers(0, 2, n)
    post = 0.8 * pre + rng.normal(0, 10, n) + 2.0 * arm
    adjusted, theta = stats.cuped(post, pre)
    assert theta == pytest.approx(np.polyfit(pre, post, 1)[0], rel=1e-3)
    plain = stats.welch(stats.moments(post, arm, 2))
    reduced = stats.welch(stats.moments(adjusted, arm, 2))
    rho2 = np.corrcoef(pre, post)[0, 1] ** 2
    assert reduced.se[0] ** 2 == pytest.approx(plain.se[0] ** 2 * (1 - rho2), rel=0.05)
    assert reduced.ci_low[0] < 2.0 < reduced.ci_high[0]
    assert reduced.ci_high[0] - reduced.ci_low[0] < 0.6 * (plain.ci_high[0] - plain.ci_low[0])


def test_multiple_comparison_corrections() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.005])
    # Holm by hand: sorted 0.005*4, 0.01*3, 0.03*2, 0.04*1, then the running maximum
    assert stats.holm(p) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    many = RNG(5).uniform(0, 0.2, 40)
    assert stats.benjamini_hochberg(many) == pytest.approx(sps.false_discovery_control(many))


def test_sample_ratio_mismatch_is_a_chi_square_flagged_below_a_thousandth() -> None:
    balanced = stats.srm(np.array([5000, 5100]), np.array([1, 1]))
    assert balanced == pytest.approx(sps.chi2.sf(2 * 50**2 / 5050, 1))
    assert balanced > stats.SRM_ALPHA
    broken = stats.srm(np.array([5000, 5400, 5200]), np.array([1, 1, 1]))
    assert broken == pytest.approx(sps.chi2.sf(2 * 200**2 / 5200, 2)) and broken < stats.SRM_ALPHA
    assert stats.srm(np.array([500, 0, 480]), np.array([1, 0, 1])) > stats.SRM_ALPHA
    assert stats.srm(np.array([500, 3, 480]), np.array([1, 0, 1])) == 0.0


def test_sample_size_matches_the_textbook_formula() -> None:
    # 2 (z_.975 + z_.8)^2 / d^2 per arm for d = 0.2 sd: 392.4 per arm, 785 in all
    assert stats.sample_size(sd=1.0, mde=0.2) == 785
    assert stats.sample_size(sd=1.0, mde=0.2, r2=0.5) == 393  # CUPED halves the variance
    assert stats.sample_size(sd=1.0, mde=0.2, weights=(0.2, 0.8)) == 1227
    with pytest.raises(ValueError):
        stats.sample_size(sd=1.0, mde=0)


def _simulated(rng: np.random.Generator, sims: int, n: int, effect: float) -> stats.Moments:
    """Moments of ``sims`` experiments with n skewed units per arm (arms on axis 0)."""
    c = rng.lognormal(0, 1, (sims, n))
    t = rng.lognormal(0, 1, (sims, n)) + effect
    both = np.stack([c, t])
    return stats.Moments(
        n=np.full((2, sims), float(n)), mean=both.mean(axis=2), var=both.var(axis=2, ddof=1)
    )


def test_aa_false_positive_rate_of_the_fixed_horizon_test_is_alpha() -> None:
    result = stats.welch(_simulated(RNG(6), sims=4000, n=200, effect=0.0))
    rate = float(np.mean(result.p[0] < 0.05))
    assert 0.035 <= rate <= 0.065, rate


def test_daily_peeking_at_the_sequential_test_stays_below_alpha() -> None:
    """14 daily looks at a growing A/A experiment: the always-valid p-value never pushes the
    false-positive rate over alpha, while the fixed-horizon test peeked at daily does."""
    rng = RNG(7)
    sims, days, per_day = 3000, 14, 100
    c = rng.lognormal(0, 1, (sims, days, per_day))
    t = rng.lognormal(0, 1, (sims, days, per_day))
    ever_seq = np.zeros(sims, dtype=bool)
    ever_fixed = np.zeros(sims, dtype=bool)
    for day in range(1, days + 1):
        both = np.stack([c[:, :day].reshape(sims, -1), t[:, :day].reshape(sims, -1)])
        m = stats.Moments(
            np.full((2, sims), float(day * per_day)), both.mean(axis=2), both.var(axis=2, ddof=1)
        )
        fixed = stats.welch(m)
        tau2 = np.average(m.var, axis=0) / 100
        seq = stats.msprt(fixed.diff[0], fixed.se[0], tau2)
        ever_seq |= seq.p < 0.05
        ever_fixed |= fixed.p[0] < 0.05
    assert ever_seq.mean() <= 0.05, ever_seq.mean()
    assert ever_fixed.mean() > 0.1  # why peeking at the fixed test is not allowed


def test_power_simulation_matches_the_calculator() -> None:
    rng = RNG(8)
    sd, mde = float(np.sqrt((np.e - 1) * np.e)), 0.15  # lognormal(0, 1)'s standard deviation
    n = stats.sample_size(sd=sd, mde=mde, power=0.8)
    result = stats.welch(_simulated(rng, sims=2000, n=n // 2, effect=mde))
    detected = float(np.mean((result.p[0] < 0.05) & (result.diff[0] > 0)))
    assert 0.76 <= detected <= 0.84, (n, detected)


def test_sequential_confidence_sequence_covers_the_true_effect() -> None:
    m = _simulated(RNG(9), sims=2000, n=400, effect=0.3)
    fixed = stats.welch(m)
    seq = stats.msprt(fixed.diff[0], fixed.se[0], np.average(m.var, axis=0) / 100)
    assert np.mean((seq.ci_low < 0.3) & (seq.ci_high > 0.3)) >= 0.95
    assert np.all(seq.ci_high - seq.ci_low > fixed.ci_high[0] - fixed.ci_low[0])


def test_quantile_interval_covers_the_true_quantile() -> None:
    rng = RNG(10)
    true_p90 = float(sps.expon.ppf(0.9, scale=60))
    hits = 0
    for _ in range(400):
        _, low, high = stats.quantile_ci(rng.exponential(60, 800), 0.9)
        hits += low <= true_p90 <= high
    assert hits / 400 >= 0.93
    diff, low, high = stats.quantile_diff(rng.exponential(66, 5000), rng.exponential(60, 5000), 0.5)
    assert low < 60 * np.log(2) * 0.1 < high and diff > 0


def test_guardrail_harm_needs_an_interval_on_the_bad_side_and_the_threshold() -> None:
    rel, low, high = np.array([0.08, 0.08, 0.03]), np.array([0.02, -0.01, 0.01]), np.ones(3)
    assert list(stats.harmed(rel, low, high, 0.05, higher_is_bad=True)) == [True, False, False]
    down = stats.harmed(-rel, -high, -low, 0.05, higher_is_bad=False)
    assert list(down) == [True, False, False]
