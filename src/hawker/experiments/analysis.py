"""Analysis of one experiment: DuckDB aggregates the event log per unit, numpy/scipy judge.

The connection holds two tables (``load.py`` fills them from the database; the benchmark and
tests make them directly):

    events(type VARCHAR, unit BIGINT, at TIMESTAMP, value BIGINT, order_id BIGINT,
           section VARCHAR)
    exposures(unit BIGINT, arm INTEGER, first_at TIMESTAMP)

One query makes every measure of every metric per exposed unit, counting only events from
the unit's first exposure on, and the same measures over the pre-period (before the start)
for CUPED. Units exposed to more than one arm are left out and counted, never mixed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal

import duckdb
import numpy as np
from numpy.typing import NDArray

from hawker.experiments import stats
from hawker.experiments.metrics import Measure, Metric

Correction = Literal["holm", "bh"]


@dataclass(frozen=True)
class Design:
    arms: list[str]  # arm 0 is the control
    weights: list[int]
    start: datetime
    until: datetime
    pre_days: int = 14
    alpha: float = 0.05
    correction: Correction = "holm"


@dataclass
class MetricResult:
    key: str
    title: str
    kind: str
    higher_is_better: bool
    n: list[int]
    means: list[float]
    # one entry per treatment arm (arms 1..k-1) against control
    diff: list[float]
    ci: list[tuple[float, float]]
    rel: list[float]
    rel_ci: list[tuple[float, float]]
    p: list[float]
    p_adjusted: list[float] = field(default_factory=list)
    seq_p: list[float] = field(default_factory=list)
    seq_ci: list[tuple[float, float]] = field(default_factory=list)
    cuped_theta: float | None = None
    # switchback experiments only (see ``switchback``): per treatment arm
    randomization_p: list[float] | None = None
    randomization_ci: list[tuple[float, float]] | None = None


@dataclass
class Results:
    arms: list[str]
    units: list[int]
    srm_p: float
    srm: bool  # the split is broken (p < 0.001): distrust every other figure
    mixed_units: int  # exposed to more than one arm, left out
    metrics: list[MetricResult]
    correction: Correction
    design: str = "shopper"  # "shopper", "cluster" (host, show, merchant) or "switchback"
    switchback: dict[str, Any] | None = None  # slot length, burn-in, slots per arm, draws


EXPOSED = """
    CREATE OR REPLACE TEMP TABLE exposed AS
    SELECT unit, min(arm) AS arm, min(first_at) AS first_at FROM exposures
    WHERE first_at < $until GROUP BY unit HAVING min(arm) = max(arm)
"""


def _per_unit(
    con: duckdb.DuckDBPyConnection, measures: list[Measure], design: Design
) -> dict[str, np.ndarray]:
    """Every measure per exposed unit, ordered by unit: ``m{i}`` after exposure, ``p{i}`` in
    the pre-period. Distinct-order counts get their own pass over purchases only: a DISTINCT
    aggregate in the main pass would slow every other aggregate down."""
    params = {
        "start": design.start,
        "pre_start": design.start - timedelta(days=design.pre_days),
        "until": design.until,
    }
    window = "e.at >= $pre_start AND e.at < $until"
    plain = [(i, m) for i, m in enumerate(measures) if m.agg != "orders"]
    cols_sql = [f"{m.sql('e.at >= x.first_at')} AS m{i}" for i, m in plain]
    cols_sql += [f"{m.sql('e.at < $start')} AS p{i}" for i, m in plain]
    if not plain:  # only distinct-order counts: the units alone
        cols = con.execute("SELECT unit, arm FROM exposed ORDER BY unit").fetchnumpy()
    else:
        cols = con.execute(
            f"""
            SELECT x.unit, any_value(x.arm) AS arm{"".join(", " + c for c in cols_sql)}
            FROM exposed x LEFT JOIN events e ON e.unit = x.unit AND {window}
            GROUP BY x.unit ORDER BY x.unit
            """,
            params,
        ).fetchnumpy()
    for i, m in enumerate(measures):
        if m.agg != "orders":
            continue
        found = con.execute(
            f"""
            SELECT e.unit, {m.sql("e.at >= x.first_at")} AS post, {m.sql("e.at < $start")} AS pre
            FROM events e JOIN exposed x ON e.unit = x.unit
            WHERE e.type = '{m.event}' AND {window} GROUP BY e.unit
            """,
            params,
        ).fetchnumpy()
        at = np.searchsorted(cols["unit"], found["unit"])
        for prefix, key in (("m", "post"), ("p", "pre")):
            column = np.zeros(len(cols["unit"]), dtype=np.int64)
            column[at] = found[key]
            cols[f"{prefix}{i}"] = column
    return cols


def _values(
    metric: Metric, cols: dict[str, np.ndarray], index: dict[Measure, int], prefix: str
) -> tuple[np.ndarray, np.ndarray | None]:
    num = cols[f"{prefix}{index[metric.num]}"].astype(np.float64)
    den = None if metric.den is None else cols[f"{prefix}{index[metric.den]}"].astype(np.float64)
    return num, den


def unit_values(con: duckdb.DuckDBPyConnection, metric: Metric, design: Design) -> np.ndarray:
    """One metric's value per exposed unit after exposure, linearised for a ratio (all units
    taken as one arm): what the power calculator's baseline is made of."""
    con.execute(EXPOSED, {"until": design.until})
    measures = list(metric.measures())
    cols = _per_unit(con, measures, design)
    num, den = _values(metric, cols, {m: i for i, m in enumerate(measures)}, "m")
    if den is None:
        return num
    return stats.linearize(num, den, np.zeros(len(num), dtype=np.int64), 1)


def arm_values(
    con: duckdb.DuckDBPyConnection, metrics: list[Metric], design: Design
) -> tuple[NDArray[np.int64], dict[str, tuple[np.ndarray, np.ndarray | None]]]:
    """Per exposed unit: its arm and each mean or ratio metric's numerator and denominator
    after exposure (the raw material of the switchback randomization test)."""
    con.execute(EXPOSED, {"until": design.until})
    measures = list(dict.fromkeys(m for metric in metrics for m in metric.measures()))
    cols = _per_unit(con, measures, design)
    index = {m: i for i, m in enumerate(measures)}
    values = {m.key: _values(m, cols, index, "m") for m in metrics if m.kind != "quantile"}
    return cols["arm"].astype(np.int64), values


def _comparison(metric: Metric, result: stats.Comparison, m: stats.Moments) -> MetricResult:
    seq = stats.msprt(result.diff, result.se, stats.default_tau2(m))
    return MetricResult(
        key=metric.key,
        title=metric.title,
        kind=metric.kind,
        higher_is_better=metric.higher_is_better,
        n=[int(x) for x in m.n],
        means=[float(x) for x in m.mean],
        diff=result.diff.tolist(),
        ci=list(zip(result.ci_low.tolist(), result.ci_high.tolist(), strict=True)),
        rel=result.rel.tolist(),
        rel_ci=list(zip(result.rel_ci_low.tolist(), result.rel_ci_high.tolist(), strict=True)),
        p=result.p.tolist(),
        seq_p=seq.p.tolist(),
        seq_ci=list(zip(seq.ci_low.tolist(), seq.ci_high.tolist(), strict=True)),
    )


def _quantile(
    con: duckdb.DuckDBPyConnection, metric: Metric, design: Design, arms: int
) -> MetricResult:
    rows = con.execute(
        f"""
        SELECT x.arm, e.value FROM exposed x JOIN events e ON e.unit = x.unit
        WHERE e.type = '{metric.num.event}' AND e.at >= x.first_at AND e.at < $until
        """,
        {"until": design.until},
    ).fetchnumpy()
    q = float(metric.quantile or 0.5)
    groups = [rows["value"][rows["arm"] == a].astype(np.float64) for a in range(arms)]
    points = [stats.quantile_ci(g, q, design.alpha)[0] for g in groups]
    diffs = [stats.quantile_diff(g, groups[0], q, design.alpha) for g in groups[1:]]
    base = points[0]
    return MetricResult(
        key=metric.key,
        title=metric.title,
        kind=metric.kind,
        higher_is_better=metric.higher_is_better,
        n=[len(g) for g in groups],
        means=points,
        diff=[d[0] for d in diffs],
        ci=[(d[1], d[2]) for d in diffs],
        rel=[d[0] / base if base else float("nan") for d in diffs],
        rel_ci=[(d[1] / base, d[2] / base) if base else (np.nan, np.nan) for d in diffs],
        p=[float("nan")] * len(diffs),  # interval only: not in the correction family
    )


def analyse(
    con: duckdb.DuckDBPyConnection, metrics: list[Metric], design: Design, cuped: bool = True
) -> Results:
    arms = len(design.arms)
    measures = list(dict.fromkeys(m for metric in metrics for m in metric.measures()))
    index = {m: i for i, m in enumerate(measures)}
    con.execute(EXPOSED, {"until": design.until})
    cols = _per_unit(con, measures, design)
    arm = cols["arm"].astype(np.int64)
    out: list[MetricResult] = []
    for metric in metrics:
        if metric.kind == "quantile":
            out.append(_quantile(con, metric, design, arms))
            continue
        num, den = _values(metric, cols, index, "m")
        values = num if den is None else stats.linearize(num, den, arm, arms)
        theta = None
        if cuped:
            pre_num, pre_den = _values(metric, cols, index, "p")
            pre = pre_num if pre_den is None else stats.linearize(pre_num, pre_den, arm, arms)
            values, theta = stats.cuped(values, pre)
        m = stats.moments(values, arm, arms)
        result = _comparison(metric, stats.welch(m, design.alpha), m)
        result.cuped_theta = theta
        out.append(result)
    _correct(out, design.correction)
    n = np.bincount(arm, minlength=arms)
    srm_p = stats.srm(n.astype(np.float64), np.asarray(design.weights, dtype=np.float64))
    mixed = con.execute(
        "SELECT count(*) FROM (SELECT unit FROM exposures WHERE first_at < $until "
        "GROUP BY unit HAVING min(arm) < max(arm))",
        {"until": design.until},
    ).fetchone()
    return Results(
        arms=design.arms,
        units=[int(x) for x in n],
        srm_p=srm_p,
        srm=srm_p < stats.SRM_ALPHA,
        mixed_units=int(mixed[0]) if mixed else 0,
        metrics=out,
        correction=design.correction,
    )


@dataclass(frozen=True)
class Day:
    """One metric's cumulative comparison at the end of a day (arrays over treatment arms)."""

    day: int
    units: list[int]
    rel: list[float]
    ci: list[tuple[float, float]]
    seq_ci: list[tuple[float, float]]
    seq_p: list[float]  # running minimum: the always-valid p-value as of that day


def daily(con: duckdb.DuckDBPyConnection, metric: Metric, design: Design) -> list[Day]:
    """Cumulative results at the end of each day from the start (the lift-over-time plot):
    units exposed by then, their events until then."""
    out: list[Day] = []
    day = 1
    while True:
        until = min(design.start + timedelta(days=day), design.until)
        r = analyse(con, [metric], replace(design, until=until)).metrics[0]
        seq_p = (
            r.seq_p if not out else [min(a, b) for a, b in zip(out[-1].seq_p, r.seq_p, strict=True)]
        )
        out.append(Day(day, r.n, r.rel, r.ci, r.seq_ci, seq_p))
        if until >= design.until:
            return out
        day += 1


def _correct(results: list[MetricResult], correction: Correction) -> None:
    """Adjust every fixed-horizon p-value of the experiment (metrics x treatment arms) as one
    family; quantile metrics report intervals only and stay out of it."""
    for r in results:  # one per arm, null where there is no p (too few units, intervals only)
        r.p_adjusted = [float("nan")] * len(r.p)
    family = [(r, i) for r in results for i, p in enumerate(r.p) if not np.isnan(p)]
    if not family:
        return
    raw = np.array([r.p[i] for r, i in family])
    adjusted = stats.holm(raw) if correction == "holm" else stats.benjamini_hochberg(raw)
    for (r, i), p in zip(family, adjusted.tolist(), strict=True):
        r.p_adjusted[i] = p


def clean(value: Any) -> Any:
    """JSON-ready: NaN and infinities become None, tuples lists."""
    if isinstance(value, float):
        return None if np.isnan(value) or np.isinf(value) else value
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    return value


DESIGN_ONLY = {"switchback", "randomization_p", "randomization_ci"}  # absent when None


def _fields(obj: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(obj).items() if not (k in DESIGN_ONLY and v is None)}


def as_dict(results: Results) -> dict[str, Any]:
    body = {k: v for k, v in _fields(results).items() if k != "metrics"}
    body["metrics"] = [_fields(m) for m in results.metrics]
    return dict(clean(body))
