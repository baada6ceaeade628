"""The statistics that judge an experiment, vectorised over variants (numpy/scipy).

Every metric reaches this module as one value per unit (a ratio metric as its delta-method
linearisation, see ``linearize``), with the unit's arm (0 = control) and, for CUPED, the unit's
pre-experiment value. Formulas are in docs/experiments.md; each function names its source.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats as sps

Array = NDArray[np.float64]
SRM_ALPHA = 0.001
MAX_UNITS = 10**12  # a sample size beyond any platform's population


@dataclass(frozen=True)
class Moments:
    """Per arm: units, mean and sample variance (ddof 1)."""

    n: Array
    mean: Array
    var: Array


def moments(values: Array, arm: NDArray[np.int64], arms: int) -> Moments:
    """Per-arm moments in two bincount passes (no Python loop over units)."""
    n = np.bincount(arm, minlength=arms).astype(np.float64)
    total = np.bincount(arm, weights=values, minlength=arms)
    mean = np.divide(total, n, out=np.zeros(arms), where=n > 0)
    squares = np.bincount(arm, weights=(values - mean[arm]) ** 2, minlength=arms)
    var = np.divide(squares, n - 1, out=np.zeros(arms), where=n > 1)
    return Moments(n, mean, var)


def linearize(num: Array, den: Array, arm: NDArray[np.int64], arms: int) -> Array:
    """Delta method for a ratio metric sum(num)/sum(den) (Deng et al., 2018): per unit
    ``R + (num - R*den)/mean(den)`` with R and mean(den) of the unit's arm. Its mean is R and
    its variance over n is the delta-method variance of R, so ratio metrics go through the
    same tests as per-unit means."""
    n = np.bincount(arm, minlength=arms).astype(np.float64)
    sum_num = np.bincount(arm, weights=num, minlength=arms)
    sum_den = np.bincount(arm, weights=den, minlength=arms)
    ratio = np.divide(sum_num, sum_den, out=np.zeros(arms), where=sum_den != 0)
    mean_den = np.divide(sum_den, n, out=np.ones(arms), where=n > 0)
    mean_den[mean_den == 0] = 1.0
    return ratio[arm] + (num - ratio[arm] * den) / mean_den[arm]


def cuped(values: Array, pre: Array) -> tuple[Array, float]:
    """CUPED (Deng et al., 2013): ``y - theta (x - mean x)`` with theta = cov(y, x)/var(x)
    pooled over all arms, so the adjustment cannot differ by arm. Returns the adjusted values
    and theta (0 when the covariate does not vary)."""
    if len(pre) == 0:
        return values, 0.0
    x = pre - pre.mean()
    var_x = float(x @ x)
    theta = float((values - values.mean()) @ x) / var_x if var_x > 0 else 0.0
    return values - theta * x, theta


@dataclass(frozen=True)
class Comparison:
    """Each treatment arm against control (arrays over arms 1..k-1)."""

    control: Array
    treatment: Array
    diff: Array
    se: Array
    ci_low: Array
    ci_high: Array
    p: Array
    rel: Array
    rel_ci_low: Array
    rel_ci_high: Array


def welch(m: Moments, alpha: float = 0.05) -> Comparison:
    """Welch's t-test of each arm against arm 0 with the Welch-Satterthwaite degrees of
    freedom (what ``scipy.stats.ttest_ind(equal_var=False)`` computes); the relative lift
    ``mean_t/mean_c - 1`` gets its interval from the delta method:
    var = v_t/m_c^2 + m_t^2 v_c/m_c^4, with v = var/n. An arm of fewer than two units has no
    variance to judge by, so its standard error, intervals and p are NaN (reported as null),
    as scipy's are, rather than a confident p from a variance of zero."""
    few = (m.n[1:] < 2) | (m.n[0] < 2)
    with np.errstate(divide="ignore", invalid="ignore"):  # empty or constant arms
        vt, vc = m.var[1:] / m.n[1:], m.var[0] / m.n[0]
        mt, mc = m.mean[1:], m.mean[0]
        diff, se = mt - mc, np.where(few, np.nan, np.sqrt(vt + vc))
        df = (vt + vc) ** 2 / (vt**2 / (m.n[1:] - 1) + vc**2 / (m.n[0] - 1))
        t = np.where(se > 0, diff / se, 0.0)
        df = np.where(np.isfinite(df), df, 1.0)
        q = sps.t.ppf(1 - alpha / 2, df)
        rel = np.where(mc != 0, mt / mc - 1, np.nan)
        rel_se = np.where(few, np.nan, np.sqrt(vt / mc**2 + mt**2 * vc / mc**4))
    z = sps.norm.ppf(1 - alpha / 2)
    return Comparison(
        control=np.broadcast_to(mc, mt.shape).copy(),
        treatment=mt,
        diff=diff,
        se=se,
        ci_low=diff - q * se,
        ci_high=diff + q * se,
        p=np.where(few, np.nan, 2 * sps.t.sf(np.abs(t), df)),
        rel=rel,
        rel_ci_low=rel - z * rel_se,
        rel_ci_high=rel + z * rel_se,
    )


@dataclass(frozen=True)
class Sequential:
    """Always-valid results (mixture SPRT): safe to read at any time, as often as wanted."""

    p: Array
    ci_low: Array
    ci_high: Array


def msprt(diff: Array, se: Array, tau2: Array, alpha: float = 0.05) -> Sequential:
    """Normal-mixture SPRT (Johari et al., 2017) on the difference of means with variance
    V = se^2 and mixing variance tau^2: Lambda = sqrt(V/(V+tau^2)) exp(diff^2 tau^2 /
    (2V(V+tau^2))). The always-valid p-value is min(1, 1/Lambda) (callers keep the running
    minimum over looks) and the confidence sequence is diff +- sqrt(V(V+tau^2)/tau^2 *
    (2 log(1/alpha) + log((V+tau^2)/V)))."""
    v = se**2
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_lr = 0.5 * np.log(v / (v + tau2)) + diff**2 * tau2 / (2 * v * (v + tau2))
        p = np.where(v > 0, np.minimum(1.0, np.exp(-log_lr)), 1.0)
        half = np.sqrt(v * (v + tau2) / tau2 * (2 * np.log(1 / alpha) + np.log((v + tau2) / v)))
    half = np.where(v > 0, half, np.inf)
    return Sequential(p=p, ci_low=diff - half, ci_high=diff + half)


def default_tau2(m: Moments) -> Array:
    """The mixing variance: tuned to effects of about a tenth of a unit-level standard
    deviation (a typical product change), as the variance of the difference would be with
    100 units per arm. Any value keeps the test valid; it only moves its power."""
    dof = np.maximum(m.n - 1, 0)
    pooled = float(m.var @ dof / dof.sum()) if dof.sum() > 0 else 0.0  # no units yet: any
    return np.full(len(m.n) - 1, max(pooled, 1e-12) / 100)


def srm(observed: Array, weights: Array) -> float:
    """Sample-ratio mismatch: chi-square goodness of fit of units per arm to the weights.
    A p-value below ``SRM_ALPHA`` means the split itself is broken; no other result of the
    experiment can be trusted until it is explained."""
    observed = np.asarray(observed, dtype=np.float64)
    total = observed.sum()
    if total == 0:
        return 1.0
    expected = total * np.asarray(weights, dtype=np.float64) / np.sum(weights)
    if np.any(observed[expected == 0] > 0):  # units in an arm that should have none
        return 0.0
    kept = expected > 0
    if kept.sum() < 2:
        return 1.0
    return float(sps.chisquare(observed[kept], expected[kept]).pvalue)


def holm(p: Array) -> Array:
    """Holm's step-down adjusted p-values (family-wise error across metrics)."""
    p = np.asarray(p, dtype=np.float64)
    order = np.argsort(p)
    m = len(p)
    stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    return adjusted


def benjamini_hochberg(p: Array) -> Array:
    """Benjamini-Hochberg adjusted p-values (false discovery rate across metrics)."""
    p = np.asarray(p, dtype=np.float64)
    m = len(p)
    order = np.argsort(p)[::-1]
    scaled = p[order] * m / np.arange(m, 0, -1)
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(np.minimum.accumulate(scaled), 1.0)
    return adjusted


def harmed(
    rel: Array, rel_low: Array, rel_high: Array, threshold: float, higher_is_bad: bool
) -> NDArray[np.bool_]:
    """A guardrail is harmed when its interval lies wholly on the bad side of zero and the
    estimate is worse than ``threshold`` (a relative change, e.g. 0.05 for 5 %)."""
    if higher_is_bad:
        return (rel_low > 0) & (rel > threshold)
    return (rel_high < 0) & (rel < -threshold)


def quantile_ci(values: Array, q: float, alpha: float = 0.05) -> tuple[float, float, float]:
    """A sample quantile with its distribution-free interval from order statistics (the
    binomial ranks n q -+ z sqrt(n q (1-q)))."""
    x = np.sort(values)
    n = len(x)
    if n == 0:
        return (np.nan, np.nan, np.nan)
    z = sps.norm.ppf(1 - alpha / 2)
    spread = z * np.sqrt(n * q * (1 - q))
    low = int(np.clip(np.floor(n * q - spread), 0, n - 1))
    high = int(np.clip(np.ceil(n * q + spread), 0, n - 1))
    return float(np.quantile(x, q)), float(x[low]), float(x[high])


def quantile_diff(t: Array, c: Array, q: float, alpha: float = 0.05) -> tuple[float, float, float]:
    """Difference of quantiles with an interval whose half-width combines each arm's: the
    order-statistic interval gives each arm's standard error as (high - low)/(2z)."""
    z = sps.norm.ppf(1 - alpha / 2)
    qt, lt, ht = quantile_ci(t, q, alpha)
    qc, lc, hc = quantile_ci(c, q, alpha)
    se = np.hypot((ht - lt) / (2 * z), (hc - lc) / (2 * z))
    return qt - qc, qt - qc - z * se, qt - qc + z * se


def sample_size(
    sd: float,
    mde: float,
    alpha: float = 0.05,
    power: float = 0.8,
    weights: tuple[float, ...] = (0.5, 0.5),
    r2: float = 0.0,
) -> int:
    """Units in total for a two-sided test of ``mde`` (absolute) between control and one
    treatment: n = (z_{1-a/2} + z_power)^2 sd^2 (1-r2) (1/w_c + 1/w_t) / mde^2, over all arms.
    For a ratio metric pass the standard deviation of its linearisation (``linearize``);
    ``r2`` is the share of variance CUPED removes (the squared pre/post correlation)."""
    if sd < 0 or mde <= 0 or not 0 < alpha < 1 or not 0 < power < 1:
        raise ValueError("need sd >= 0, mde > 0 and alpha, power in (0, 1)")
    share = np.asarray(weights, dtype=np.float64) / np.sum(weights)
    z = sps.norm.ppf(1 - alpha / 2) + sps.norm.ppf(power)
    with np.errstate(over="ignore", divide="ignore"):  # beyond floats: refused below
        pair = z**2 * sd**2 * (1 - r2) * (1 / share[0] + 1 / share[1]) / mde**2
    if not np.isfinite(pair) or pair > MAX_UNITS:
        raise ValueError(f"that needs more than {MAX_UNITS:,} units")
    return int(np.ceil(pair))
